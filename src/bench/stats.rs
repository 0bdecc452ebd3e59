//! Latency and error accounting of `novakms bench`: one [`Recorder`] per
//! client task (no shared lock on the hot path), merged at the end into a
//! [`Summary`] whose serialized form is the `-o json` report
//! (docs/operator-guide.md "Load testing").
//!
//! Latencies are recorded in microseconds in HDR histograms (1 µs .. 1 h,
//! 3 significant digits) and reported in milliseconds with three decimals,
//! so the microsecond is kept.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Largest latency a histogram can hold, in microseconds (one hour);
/// larger values are clamped (requests time out long before).
pub const MAX_LATENCY_US: u64 = 3_600_000_000;

/// Significant decimal digits kept by the histograms.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// One kind of request the load generator issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// `PUT /kms/data` (protocol.md §1.6).
    Put,
    /// `GET /kms/data/<key>` (protocol.md §1.5).
    Get,
    /// `POST /kms/derive` (protocol.md §1.4).
    Derive,
}

impl OpKind {
    /// Every kind, in report order.
    pub const ALL: [OpKind; 3] = [OpKind::Put, OpKind::Get, OpKind::Derive];

    /// Lower-case name used in reports (`put`, `get`, `derive`).
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Put => "put",
            OpKind::Get => "get",
            OpKind::Derive => "derive",
        }
    }

    fn index(self) -> usize {
        match self {
            OpKind::Put => 0,
            OpKind::Get => 1,
            OpKind::Derive => 2,
        }
    }
}

/// An empty latency histogram in microseconds (1 µs ..= [`MAX_LATENCY_US`], [`SIGNIFICANT_DIGITS`]).
pub fn new_histogram() -> Histogram<u64> {
    // Constant, valid bounds (low >= 1, high >= 2 * low, sigfig <= 5): cannot fail.
    Histogram::new_with_bounds(1, MAX_LATENCY_US, SIGNIFICANT_DIGITS)
        .expect("constant histogram bounds are valid")
}

/// Per-task accumulator: a latency histogram per [`OpKind`] for successful
/// operations, a miss counter (GET answered 404, a valid protocol answer) and
/// failed operations counted by error class (see `bench::classify`).
#[derive(Clone, Debug)]
pub struct Recorder {
    hist: [Histogram<u64>; 3],
    misses: u64,
    errors: BTreeMap<String, u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Recorder {
            hist: [new_histogram(), new_histogram(), new_histogram()],
            misses: 0,
            errors: BTreeMap::new(),
        }
    }

    /// Count a successful operation of `op` that took `latency` (clamped to
    /// 1 µs ..= [`MAX_LATENCY_US`]).
    pub fn record_ok(&mut self, op: OpKind, latency: Duration) {
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(MAX_LATENCY_US)
            .clamp(1, MAX_LATENCY_US);
        self.hist[op.index()].saturating_record(us);
    }

    /// Count a GET that found no value (404): a successful operation (its
    /// latency is recorded) that is also reported as a miss.
    pub fn record_miss(&mut self, op: OpKind, latency: Duration) {
        self.record_ok(op, latency);
        self.misses += 1;
    }

    /// Count a failed operation of error class `class` (e.g. `http_503`,
    /// `timeout`, `verify`); failures have no latency.
    pub fn record_error(&mut self, class: &str) {
        match self.errors.get_mut(class) {
            Some(n) => *n += 1,
            None => {
                self.errors.insert(class.to_string(), 1);
            }
        }
    }

    /// Successful operations recorded so far (all kinds).
    pub fn ok_count(&self) -> u64 {
        self.hist.iter().map(Histogram::len).sum()
    }

    /// Failed operations recorded so far.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Add everything `other` recorded to `self`.
    pub fn merge(&mut self, other: &Recorder) {
        for (mine, theirs) in self.hist.iter_mut().zip(other.hist.iter()) {
            // Same bounds on both sides, so `add` cannot fail; ignore rather than panic.
            let _ = mine.add(theirs);
        }
        self.misses += other.misses;
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_insert(0) += v;
        }
    }

    /// The report over a run that lasted `elapsed` (wall clock).
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let secs = elapsed.as_secs_f64();
        let rate = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let mut all = new_histogram();
        let mut by_op = BTreeMap::new();
        for op in OpKind::ALL {
            let h = &self.hist[op.index()];
            if h.is_empty() {
                continue;
            }
            let _ = all.add(h);
            by_op.insert(
                op.as_str().to_string(),
                OpSummary {
                    ops: h.len(),
                    ops_per_sec: round3(rate(h.len())),
                    latency_ms: Latency::of(h),
                },
            );
        }
        let ops = all.len();
        Summary {
            duration_s: round3(secs),
            ops,
            errors: self.error_count(),
            total: ops + self.error_count(),
            ops_per_sec: round3(rate(ops)),
            latency_ms: Latency::of(&all),
            misses: self.misses,
            errors_by_kind: self.errors.clone(),
            by_op,
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Latency percentiles in milliseconds (three decimals = microseconds).
/// All zero when nothing was recorded. `p50 <= p90 <= p99 <= max` always holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest latency seen.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Latency {
    /// Percentiles of a microsecond histogram, in ms (all zero when empty).
    pub fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            max: ms(h.max()),
            mean: round3(h.mean() / 1000.0),
        }
    }
}

/// Counts and latencies of one operation kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpSummary {
    /// Successful operations of this kind.
    pub ops: u64,
    /// `ops` divided by the run's wall-clock duration.
    pub ops_per_sec: f64,
    /// Latency percentiles of this kind, ms.
    pub latency_ms: Latency,
}

/// Result of a run: the measured part of the `-o json` report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Wall-clock duration of the measured run, seconds.
    pub duration_s: f64,
    /// Successful operations (GET misses included).
    pub ops: u64,
    /// Failed operations.
    pub errors: u64,
    /// `ops + errors`.
    pub total: u64,
    /// Successful operations per second of wall clock.
    pub ops_per_sec: f64,
    /// Latency percentiles over all successful operations, ms.
    pub latency_ms: Latency,
    /// GETs answered 404 (counted in `ops`).
    pub misses: u64,
    /// Failed operations by class: `http_<status>`, `timeout`, `connect`,
    /// `verify`, `bad_answer`, `local`.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Per operation kind (`put`, `get`, `derive`), only kinds that succeeded at least once.
    pub by_op: BTreeMap<String, OpSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_are_ordered_and_close_to_the_input() {
        let mut r = Recorder::new();
        for i in 1..=1000u64 {
            r.record_ok(OpKind::Put, Duration::from_micros(i * 100)); // 0.1 .. 100 ms
        }
        let s = r.summary(Duration::from_secs(2));
        assert_eq!(s.ops, 1000);
        assert_eq!(s.total, 1000);
        assert_eq!(s.errors, 0);
        assert_eq!(s.ops_per_sec, 500.0);
        let l = s.latency_ms;
        assert!(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, "{l:?}");
        // 3 significant digits: within 0.1 % of the exact order statistics.
        assert!((l.p50 - 50.0).abs() <= 0.05, "{l:?}");
        assert!((l.p90 - 90.0).abs() <= 0.09, "{l:?}");
        assert!((l.p99 - 99.0).abs() <= 0.1, "{l:?}");
        assert!((l.max - 100.0).abs() <= 0.1, "{l:?}");
        assert!((l.mean - 50.05).abs() <= 0.1, "{l:?}");
    }

    #[test]
    fn microseconds_survive_in_the_millisecond_report() {
        let mut r = Recorder::new();
        r.record_ok(OpKind::Get, Duration::from_micros(1234));
        let l = r.summary(ms(1)).latency_ms;
        assert_eq!(l.p50, 1.234);
        assert_eq!(l.max, 1.234);
    }

    #[test]
    fn errors_misses_and_kinds_are_counted_separately() {
        let mut r = Recorder::new();
        r.record_ok(OpKind::Put, ms(2));
        r.record_miss(OpKind::Get, ms(1));
        r.record_ok(OpKind::Get, ms(3));
        r.record_error("http_503");
        r.record_error("timeout");
        r.record_error("http_503");
        let s = r.summary(ms(1000));
        assert_eq!(s.ops, 3);
        assert_eq!(s.misses, 1);
        assert_eq!(s.errors, 3);
        assert_eq!(s.total, 6);
        assert_eq!(s.errors_by_kind["http_503"], 2);
        assert_eq!(s.errors_by_kind["timeout"], 1);
        assert_eq!(s.by_op["get"].ops, 2);
        assert_eq!(s.by_op["put"].ops, 1);
        assert!(!s.by_op.contains_key("derive"));
        assert_eq!(s.by_op["put"].latency_ms.max, 2.0);
    }

    #[test]
    fn merge_adds_everything() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        a.record_ok(OpKind::Derive, ms(1));
        b.record_ok(OpKind::Derive, ms(9));
        b.record_error("connect");
        b.record_miss(OpKind::Get, ms(4));
        a.merge(&b);
        assert_eq!(a.ok_count(), 3);
        assert_eq!(a.error_count(), 1);
        let s = a.summary(ms(500));
        assert_eq!(s.misses, 1);
        assert_eq!(s.by_op["derive"].ops, 2);
        // 3 significant digits: 9 ms is reported within 0.1 %.
        assert!((s.by_op["derive"].latency_ms.max - 9.0).abs() <= 0.009);
        assert_eq!(s.latency_ms.max, s.by_op["derive"].latency_ms.max);
        assert_eq!(s.ops_per_sec, 6.0);
    }

    #[test]
    fn empty_and_extreme_inputs_do_not_panic() {
        let s = Recorder::new().summary(Duration::ZERO);
        assert_eq!(s.ops, 0);
        assert_eq!(s.ops_per_sec, 0.0);
        assert_eq!(s.latency_ms, Latency::default());
        let mut r = Recorder::new();
        r.record_ok(OpKind::Put, Duration::ZERO);
        r.record_ok(OpKind::Put, Duration::from_secs(100_000));
        let l = r.summary(ms(1)).latency_ms;
        assert!(l.max >= MAX_LATENCY_US as f64 / 1000.0 * 0.999, "{l:?}");
        assert!(l.p50 <= l.max);
    }

    #[test]
    fn summary_json_shape_is_stable() {
        let mut r = Recorder::new();
        r.record_ok(OpKind::Put, ms(1));
        let v = serde_json::to_value(r.summary(ms(1000))).unwrap();
        for k in [
            "duration_s",
            "ops",
            "errors",
            "total",
            "ops_per_sec",
            "latency_ms",
            "misses",
            "errors_by_kind",
            "by_op",
        ] {
            assert!(v.get(k).is_some(), "missing {k} in {v}");
        }
        for k in ["p50", "p90", "p99", "max", "mean"] {
            assert!(v["latency_ms"][k].is_f64(), "latency_ms.{k} in {v}");
        }
    }
}
