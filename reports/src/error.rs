//! The one error type of the crate: a report that cannot be loaded or written.

use std::fmt;

/// What went wrong, for a program to match on. Stable: new kinds may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not JSON, or its fields do not have the types the schema says.
    Malformed,
    /// The document has no `schema` field, or it names something other than a tollgate report.
    NotAReport,
    /// The document is a tollgate report of a major version this build does not read.
    UnsupportedVersion,
    /// The document parses but contradicts itself (two results for one case and subject).
    Inconsistent,
    /// The report could not be serialised.
    Serialize,
}

impl ErrorKind {
    /// A stable name: `malformed`, `not-a-report`, `unsupported-version`, `inconsistent`,
    /// `serialize`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::NotAReport => "not-a-report",
            ErrorKind::UnsupportedVersion => "unsupported-version",
            ErrorKind::Inconsistent => "inconsistent",
            ErrorKind::Serialize => "serialize",
        }
    }
}

/// A report that cannot be loaded or written, with a message saying what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
