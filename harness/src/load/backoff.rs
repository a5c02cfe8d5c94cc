//! The pause between failed connection attempts.
//!
//! A refused or dying target must not turn the generator into a busy loop of connects that
//! starves the very machine it measures, so each consecutive failure doubles the pause, up to
//! a cap that still notices a target coming back within the run.

use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::load::budget::Budget;

const FIRST_PAUSE: Duration = Duration::from_millis(1);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// Consecutive failures of one connection slot.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The connection served requests: the next failure starts the pauses afresh.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }

    /// The pause after the current run of failures.
    pub(crate) fn next_pause(&mut self) -> Duration {
        let pause = FIRST_PAUSE
            .saturating_mul(1 << self.failures.min(16))
            .min(MAX_PAUSE);
        self.failures = self.failures.saturating_add(1);
        pause
    }

    /// Waits the next pause, never past the end of the run.
    pub(crate) async fn pause(&mut self, budget: &Budget) {
        let until = (std::time::Instant::now() + self.next_pause()).min(budget.end());
        sleep_until(Instant::from_std(until)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap_and_reset() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u128> = (0..10).map(|_| backoff.next_pause().as_millis()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 64, 100, 100, 100]);
        for _ in 0..100 {
            assert_eq!(backoff.next_pause(), MAX_PAUSE);
        }
        backoff.reset();
        assert_eq!(backoff.next_pause(), FIRST_PAUSE);
    }
}
