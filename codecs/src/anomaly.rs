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

/// Anomalies met so far, each deviation recorded once per message so that a body of a million
/// chunks with the same defect cannot grow the log without bound.
#[derive(Clone, Debug, Default)]
pub(crate) struct AnomalyLog {
    anomalies: Vec<Anomaly>,
    seen: [u64; Deviation::COUNT.div_ceil(64)],
}

impl AnomalyLog {
    /// Starts a new message: every deviation may be recorded again.
    pub(crate) fn new_message(&mut self) {
        self.seen = [0; Deviation::COUNT.div_ceil(64)];
    }

    pub(crate) fn record(&mut self, anomaly: Anomaly) {
        let index = anomaly.deviation.index();
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        if self.seen[word] & bit == 0 || anomaly.action == Action::Reject {
            self.seen[word] |= bit;
            self.anomalies.push(anomaly);
        }
    }

    pub(crate) fn take(&mut self) -> Vec<Anomaly> {
        std::mem::take(&mut self.anomalies)
    }

    pub(crate) fn as_slice(&self) -> &[Anomaly] {
        &self.anomalies
    }
}
