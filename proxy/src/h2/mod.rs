//! HTTP/2 connection wrappers for the `h2` crate: [`Guarded`] in front of a server connection
//! (clients), [`Shimmed`] in front of a client connection (origins).

mod guarded;
mod shimmed;

pub use guarded::Guarded;
pub use shimmed::Shimmed;

use std::sync::Arc;

use tollgate_codecs::Anomaly;

/// Where a wrapper reports what it saw: anomalies as they are met (deviations, spent budgets).
pub type Report = Arc<dyn Fn(Vec<Anomaly>) + Send + Sync>;
