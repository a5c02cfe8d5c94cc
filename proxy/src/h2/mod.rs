//! HTTP/2 connection wrappers for the `h2` crate.

mod guarded;

pub use guarded::Guarded;

use std::sync::Arc;

use tollgate_codecs::Anomaly;

/// Where a wrapper reports what it saw: anomalies as they are met (deviations, spent budgets).
pub type Report = Arc<dyn Fn(Vec<Anomaly>) + Send + Sync>;
