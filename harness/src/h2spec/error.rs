//! Why a case could not be run to a verdict.

use std::fmt;

/// The stable kind of a [`RunError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunErrorKind {
    /// The TCP connection could not be made.
    Connect,
    /// Reading or writing the socket failed.
    Io,
    /// The server did not answer in time where an answer is required to go on (the
    /// handshake, a precondition).
    Timeout,
    /// The server closed the connection where the case needed it open (the handshake, a
    /// precondition).
    Closed,
    /// The server's bytes do not make frames.
    Frame,
    /// A precondition could not be established.
    Precondition,
}

impl RunErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunErrorKind::Connect => "connect",
            RunErrorKind::Io => "io",
            RunErrorKind::Timeout => "timeout",
            RunErrorKind::Closed => "closed",
            RunErrorKind::Frame => "frame",
            RunErrorKind::Precondition => "precondition",
        }
    }
}

/// A case could not be run: its connection, handshake or precondition failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    /// What kind of failure.
    pub kind: RunErrorKind,
    /// Where, and what the system said.
    pub detail: String,
}

impl RunError {
    /// An error of `kind`.
    pub fn new(kind: RunErrorKind, detail: impl Into<String>) -> RunError {
        RunError {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.detail)
    }
}

impl std::error::Error for RunError {}
