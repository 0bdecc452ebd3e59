//! Retry delays: exponential backoff with jitter, the one retry policy of the node's loops
//! (replication pushes and pulls, the chain-id wait at start).

use std::time::Duration;

use rand::Rng;

/// Exponential backoff: after the n-th consecutive failure the next attempt waits
/// `base · 2^(n-1)`, capped at `max`; [`Backoff::reset`] after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// No failure yet.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            failures: 0,
        }
    }

    /// Record a failure; returns the delay before the next attempt (without jitter).
    pub fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.delay().unwrap_or(self.base)
    }

    /// Forget every failure.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The current delay, `None` when the last attempt succeeded.
    pub fn delay(&self) -> Option<Duration> {
        if self.failures == 0 {
            return None;
        }
        let shift = (self.failures - 1).min(20);
        Some(self.base.saturating_mul(1u32 << shift).min(self.max))
    }
}

/// `d` scaled by a random factor in [0.8, 1.2] (spreads retries of many nodes).
pub fn jitter(d: Duration) -> Duration {
    d.mul_f64(rand::thread_rng().gen_range(0.8..=1.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF_BASE: Duration = Duration::from_millis(500);
    const BACKOFF_MAX: Duration = Duration::from_secs(30);

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);
        assert_eq!(b.delay(), None);
        let got: Vec<u64> = (0..10).map(|_| b.fail().as_millis() as u64).collect();
        assert_eq!(
            got,
            vec![500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]
        );
        assert_eq!(b.failures(), 10);
        for _ in 0..100 {
            b.fail();
        }
        assert_eq!(b.delay(), Some(BACKOFF_MAX));
        b.reset();
        assert_eq!(b.delay(), None);
        assert_eq!(b.fail(), BACKOFF_BASE);
        for _ in 0..100 {
            let j = jitter(Duration::from_millis(1000)).as_millis();
            assert!((800..=1200).contains(&j), "{j}");
        }
    }
}
