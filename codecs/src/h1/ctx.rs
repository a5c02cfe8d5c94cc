//! The decoding context threaded through the parsers: policy, side, offsets and the anomaly log.

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::deviation::{Deviation, MessageKind};
use crate::h1::error::{Error, ErrorKind, Phase};
use crate::h1::limits::Limits;
use crate::policy::{Action, Policy, Side};

/// Everything a parser needs besides the bytes.
pub(crate) struct Ctx<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) side: Side,
    pub(crate) kind: MessageKind,
    pub(crate) phase: Phase,
    /// Stream offset of index 0 of the slice being parsed.
    pub(crate) base: u64,
    pub(crate) log: &'a mut AnomalyLog,
}

impl Ctx<'_> {
    pub(crate) fn limits(&self) -> &Limits {
        &self.policy.h1_limits
    }

    /// Records that `deviation` was met at index `at` of the current slice and returns the
    /// action to take, or the rejection error.
    pub(crate) fn deviate(&mut self, deviation: Deviation, at: usize) -> Result<Action, Error> {
        let action = self
            .policy
            .effective_action(self.side, deviation, self.kind);
        let offset = self.offset(at);
        self.log.record(Anomaly {
            deviation,
            action,
            side: self.side,
            offset,
        });
        match action {
            Action::Reject => Err(Error::new(
                ErrorKind::Rejected(deviation),
                self.side,
                self.phase,
                offset,
            )),
            action => Ok(action),
        }
    }

    /// Records `deviation` as rejected although the policy chose another action, because that
    /// action cannot apply to this input (differing Host values cannot be collapsed into one).
    pub(crate) fn refuse(&mut self, deviation: Deviation, at: usize) -> Error {
        let offset = self.offset(at);
        self.log.record(Anomaly {
            deviation,
            action: Action::Reject,
            side: self.side,
            offset,
        });
        Error::new(
            ErrorKind::Rejected(deviation),
            self.side,
            self.phase,
            offset,
        )
    }

    /// An error at index `at` of the current slice.
    pub(crate) fn error(&self, kind: ErrorKind, at: usize) -> Error {
        Error::new(kind, self.side, self.phase, self.offset(at))
    }

    pub(crate) fn offset(&self, at: usize) -> u64 {
        self.base + at as u64
    }
}
