//! The run's clock and request budget, shared by every worker.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::load::LoadSpec;

/// Whether a request is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ticket {
    /// Started during the warm-up: sent, not counted.
    Warmup,
    /// Started in the measured window: counted, answered or failed.
    Measured,
}

/// When the run measures and ends, and how many measured requests remain.
#[derive(Debug)]
pub(crate) struct Budget {
    measure_from: Instant,
    end: Instant,
    max_requests: Option<u64>,
    issued: AtomicU64,
}

impl Budget {
    pub(crate) fn new(start: Instant, spec: &LoadSpec) -> Budget {
        let measure_from = start + spec.warmup;
        Budget {
            measure_from,
            end: measure_from + spec.duration,
            max_requests: spec.max_requests,
            issued: AtomicU64::new(0),
        }
    }

    /// Permission to start one more request now; `None` when the run is over.
    pub(crate) fn take(&self) -> Option<Ticket> {
        let now = Instant::now();
        if now >= self.end {
            return None;
        }
        if now < self.measure_from {
            return Some(Ticket::Warmup);
        }
        match self.max_requests {
            None => Some(Ticket::Measured),
            // Tickets past the cap are handed out to nobody, so the count stays exact however
            // many workers race for the last ones.
            Some(max) => {
                (self.issued.fetch_add(1, Ordering::Relaxed) < max).then_some(Ticket::Measured)
            }
        }
    }

    /// Whether no request may start any more.
    pub(crate) fn is_over(&self) -> bool {
        Instant::now() >= self.end
            || self
                .max_requests
                .is_some_and(|max| self.issued.load(Ordering::Relaxed) >= max)
    }

    /// When the measured window starts.
    pub(crate) fn measure_from(&self) -> Instant {
        self.measure_from
    }

    /// When the run ends, whatever is in flight.
    pub(crate) fn end(&self) -> Instant {
        self.end
    }

    /// The measured window's full length.
    pub(crate) fn window(&self) -> Duration {
        self.end - self.measure_from
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::load::LoadProtocol;

    fn spec(warmup: Duration, max: Option<u64>) -> LoadSpec {
        let mut spec = LoadSpec::new(SocketAddr::from(([127, 0, 0, 1], 1)), LoadProtocol::H1);
        spec.warmup = warmup;
        spec.duration = Duration::from_secs(60);
        spec.max_requests = max;
        spec
    }

    #[test]
    fn exactly_max_requests_tickets_are_measured() {
        let budget = Budget::new(Instant::now(), &spec(Duration::ZERO, Some(3)));
        let tickets: Vec<_> = (0..10).map_while(|_| budget.take()).collect();
        assert_eq!(tickets, vec![Ticket::Measured; 3]);
        assert!(budget.is_over());
    }

    #[test]
    fn warmup_requests_take_no_ticket() {
        let budget = Budget::new(Instant::now(), &spec(Duration::from_secs(60), Some(1)));
        for _ in 0..5 {
            assert_eq!(budget.take(), Some(Ticket::Warmup));
        }
        assert!(!budget.is_over());
    }

    #[test]
    fn nothing_starts_after_the_end() {
        let start = Instant::now() - Duration::from_secs(120);
        let budget = Budget::new(start, &spec(Duration::ZERO, None));
        assert_eq!(budget.take(), None);
        assert!(budget.is_over());
        assert_eq!(budget.window(), Duration::from_secs(60));
    }
}
