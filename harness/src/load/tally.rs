//! What one worker counted, and how the workers' counts add up to a report.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::load::budget::{Budget, Ticket};
use crate::load::{Latency, LoadError, LoadErrorKind, LoadReport};

/// The slowest latency the histogram tells apart, in microseconds; slower ones are recorded as
/// this. A minute is far beyond any run's interest and keeps the histogram small.
const MAX_LATENCY_MICROS: u64 = 60_000_000;

/// Three significant digits: 0.1 % error, the usual for latency (wrk, HdrHistogram's default).
const SIGNIFICANT_DIGITS: u8 = 3;

/// An empty latency histogram (microseconds), cloned by every worker.
pub(crate) fn histogram() -> Result<Histogram<u64>, LoadError> {
    Histogram::new_with_bounds(1, MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS).map_err(|error| {
        LoadError::new(
            LoadErrorKind::Task,
            format!("the latency histogram cannot be made: {error}"),
        )
    })
}

/// One worker's counts of its measured requests.
#[derive(Clone, Debug)]
pub(crate) struct Tally {
    requests: u64,
    errors: u64,
    non_success: u64,
    bytes: u64,
    latency: Histogram<u64>,
    last_end: Option<Instant>,
    first_error: Option<String>,
}

impl Tally {
    pub(crate) fn new(latency: Histogram<u64>) -> Tally {
        Tally {
            requests: 0,
            errors: 0,
            non_success: 0,
            bytes: 0,
            latency,
            last_end: None,
            first_error: None,
        }
    }

    /// A request started at `started` was answered with `status` and `bytes` of body.
    pub(crate) fn answered(&mut self, ticket: Ticket, started: Instant, status: u16, bytes: u64) {
        if ticket == Ticket::Warmup {
            return;
        }
        let now = Instant::now();
        self.requests += 1;
        if !(200..300).contains(&status) {
            self.non_success += 1;
        }
        self.bytes += bytes;
        let micros = u64::try_from(now.duration_since(started).as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(micros.max(1));
        self.last_end = Some(now);
    }

    /// A request got no complete response, for `reason` (formatted only for the first one:
    /// failures come by the thousand when a target dies).
    pub(crate) fn failed(&mut self, ticket: Ticket, reason: impl FnOnce() -> String) {
        if ticket == Ticket::Measured {
            self.errors += 1;
            self.last_end = Some(Instant::now());
            if self.first_error.is_none() {
                self.first_error = Some(reason());
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &Tally) -> Result<(), LoadError> {
        self.requests += other.requests;
        self.errors += other.errors;
        self.non_success += other.non_success;
        self.bytes += other.bytes;
        self.latency.add(&other.latency).map_err(|error| {
            LoadError::new(
                LoadErrorKind::Task,
                format!("latency histograms do not add up: {error}"),
            )
        })?;
        self.last_end = self.last_end.max(other.last_end);
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
        Ok(())
    }

    pub(crate) fn report(&self, budget: &Budget) -> LoadReport {
        // A run cut short by max_requests is measured up to its last request, not to the end
        // of a window nobody used.
        let elapsed = if budget.is_over() && Instant::now() < budget.end() {
            self.last_end.map_or(Duration::ZERO, |end| {
                end.saturating_duration_since(budget.measure_from())
            })
        } else {
            budget.window()
        };
        let requests_per_sec = if elapsed.is_zero() {
            0.0
        } else {
            self.requests as f64 / elapsed.as_secs_f64()
        };
        let at = |quantile: f64| Duration::from_micros(self.latency.value_at_quantile(quantile));
        let latency = if self.latency.is_empty() {
            Latency::default()
        } else {
            Latency {
                p50: at(0.50),
                p90: at(0.90),
                p99: at(0.99),
                max: Duration::from_micros(self.latency.max()),
            }
        };
        LoadReport {
            requests: self.requests,
            errors: self.errors,
            non_success: self.non_success,
            bytes: self.bytes,
            elapsed,
            requests_per_sec,
            latency,
            first_error: self.first_error.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_requests_are_not_counted() {
        let mut tally = Tally::new(histogram().unwrap());
        tally.answered(Ticket::Warmup, Instant::now(), 200, 10);
        tally.failed(Ticket::Warmup, || unreachable!());
        assert_eq!((tally.requests, tally.errors), (0, 0));
        assert!(tally.latency.is_empty());
        assert_eq!(tally.first_error, None);
    }

    #[test]
    fn merge_adds_counts_and_latencies() {
        let mut a = Tally::new(histogram().unwrap());
        let mut b = Tally::new(histogram().unwrap());
        let long_ago = Instant::now() - Duration::from_millis(20);
        a.answered(Ticket::Measured, Instant::now(), 200, 5);
        b.answered(Ticket::Measured, long_ago, 503, 7);
        b.failed(Ticket::Measured, || "reset".to_owned());
        a.merge(&b).unwrap();
        assert_eq!(
            (a.requests, a.errors, a.non_success, a.bytes),
            (2, 1, 1, 12)
        );
        assert_eq!(a.latency.len(), 2);
        assert_eq!(a.first_error.as_deref(), Some("reset"));
        assert!(a.latency.max() >= 20_000, "{}", a.latency.max());
    }
}
