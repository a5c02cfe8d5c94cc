//! Anomalies: the record of each deviation met, whatever the action taken.

use std::fmt;

use crate::deviation::Deviation;
use crate::policy::{Action, Side};

/// One deviation met in the input.
///
/// The codec does not know which connection it serves; the proxy and the harness add that
/// when they forward anomalies to metrics, traces and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Anomaly {
    /// What was met.
    pub deviation: Deviation,
    /// What was done about it (after any fallback to a stricter action, see
    /// [`crate::DeviationInfo::effective`]).
    pub action: Action,
    /// Which peer sent it.
    pub side: Side,
    /// Offset of the offending byte (or of the start of the offending line) from the start of
    /// the decoder's input stream.
    pub offset: u64,
}

impl Anomaly {
    /// The deviation's stable id.
    pub fn id(&self) -> &'static str {
        self.deviation.id()
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} from {} at byte {})",
            self.deviation, self.action, self.side, self.offset
        )
    }
}
