//! Injectable time source. Production uses the system clock; tests (and the
//! `NOVAKMS_CLOCK_SKEW_MS` debug knob) shift it to simulate skewed nodes. Also the two text
//! forms of a Unix time used in files and file names ([`rfc3339_ms`], [`compact_timestamp`]).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A clock returning Unix time, optionally shifted by a fixed offset in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock without offset.
    pub fn system() -> Self {
        Self::default()
    }
    /// A clock shifted by `offset_ms` milliseconds (positive = ahead).
    pub fn with_offset_ms(offset_ms: i64) -> Self {
        let c = Self::default();
        c.set_offset_ms(offset_ms);
        c
    }
    /// Change the offset (shared by all clones).
    pub fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(offset_ms, Ordering::Relaxed);
    }
    /// Unix time in milliseconds.
    pub fn now_ms(&self) -> u64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        (real + self.offset_ms.load(Ordering::Relaxed)).max(0) as u64
    }
    /// Unix time in whole seconds.
    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }
}

/// `ms` (Unix ms) as RFC 3339 UTC with milliseconds, e.g. `2024-05-01T12:00:00.123Z` (the
/// backup manifest's `created_at`). Times after the last millisecond of year 9999 (not
/// representable in RFC 3339) print as that millisecond.
pub fn rfc3339_ms(ms: u64) -> String {
    /// 9999-12-31T23:59:59.999Z in Unix ms.
    const MAX_MS: u64 = 253_402_300_799_999;
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms.min(MAX_MS))).to_string()
}

/// `ms` (Unix ms) as a compact UTC timestamp for file names, e.g. `20240501T120000Z` (seconds
/// precision: the name of a database moved aside by `restore --force`).
pub fn compact_timestamp(ms: u64) -> String {
    let s = rfc3339_ms(ms);
    // "YYYY-MM-DDTHH:MM:SS.mmmZ" -> "YYYYMMDDTHHMMSSZ"
    let mut out: String = s[..19].chars().filter(|c| *c != '-' && *c != ':').collect();
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_shifts_time() {
        let base = Clock::system().now_ms();
        let ahead = Clock::with_offset_ms(60_000).now_ms();
        assert!(ahead >= base + 59_000, "{ahead} vs {base}");
        let c = Clock::with_offset_ms(-10_000);
        assert!(c.now_ms() + 9_000 <= Clock::system().now_ms());
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_714_564_800_123), "2024-05-01T12:00:00.123Z");
        assert_eq!(rfc3339_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(compact_timestamp(1_714_564_800_123), "20240501T120000Z");
        assert_eq!(rfc3339_ms(u64::MAX), "9999-12-31T23:59:59.999Z");
    }
}
