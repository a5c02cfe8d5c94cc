//! Why a load run, the origin or a benchmark subject could not do its job.
//!
//! Failed requests are not errors of this kind: the generator counts them in its report. A
//! [`LoadError`] means the measurement itself could not be made.

use std::fmt;

/// The stable kind of a [`LoadError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// The spec cannot be run (no connections, an empty host, a path that is not origin-form).
    InvalidSpec,
    /// A local socket could not be bound, or an address could not be found.
    Bind,
    /// A subject's binary is not installed; the subject is skipped, not failed.
    Missing,
    /// A subject's configuration directory or file could not be written.
    Config,
    /// A subject could not be started, exited early, or did not accept connections in time.
    Start,
    /// A worker task of the generator ended abnormally.
    Task,
}

impl LoadErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadErrorKind::InvalidSpec => "invalid_spec",
            LoadErrorKind::Bind => "bind",
            LoadErrorKind::Missing => "missing",
            LoadErrorKind::Config => "config",
            LoadErrorKind::Start => "start",
            LoadErrorKind::Task => "task",
        }
    }
}

/// The error of the load layer: a stable kind and a message saying what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
    detail: String,
}

impl LoadError {
    /// An error of `kind`.
    pub fn new(kind: LoadErrorKind, detail: impl Into<String>) -> LoadError {
        LoadError {
            kind,
            detail: detail.into(),
        }
    }

    /// What kind of failure, for programs.
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    /// What happened and where, for people.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.detail)
    }
}

impl std::error::Error for LoadError {}
