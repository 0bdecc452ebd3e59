//! Injectable time source. Production uses the system clock; tests (and the
//! `NOVAKMS_CLOCK_SKEW_MS` debug knob) shift it to simulate skewed nodes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

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
}
