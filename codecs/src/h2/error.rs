//! The HTTP/2 codec's error: a stable kind, its scope (a stream or the connection), the error
//! code RFC 9113 asks for, who sent the bytes and where.

use std::fmt;

use crate::deviation::Deviation;
use crate::h2::frame::{ErrorCode, FrameErrorKind};
use crate::policy::Side;

/// Whether an error ends one stream or the whole connection (RFC 9113 §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A connection error: GOAWAY, then close.
    Connection,
    /// A stream error: RST_STREAM on this stream.
    Stream(u32),
}

/// What went wrong. Stable: programs may match on it; [`ErrorKind::as_str`] names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The policy rejects a deviation that was met.
    Rejected(Deviation),
    /// The frame layer failed (preface, frame size, truncation).
    Frame(FrameErrorKind),
    /// A header block could not be decompressed: the HPACK context is lost.
    Compression,
}

impl ErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Rejected(_) => "rejected",
            ErrorKind::Frame(kind) => kind.as_str(),
            ErrorKind::Compression => "compression",
        }
    }
}

/// What to put on the wire toward the peer that sent the offending bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireAnswer {
    /// GOAWAY with this code, then close the connection.
    GoAway(ErrorCode),
    /// RST_STREAM with this code on this stream; the connection goes on.
    RstStream {
        /// The stream.
        stream: u32,
        /// The code.
        code: ErrorCode,
    },
}

impl fmt::Display for WireAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireAnswer::GoAway(code) => write!(f, "GOAWAY({code})"),
            WireAnswer::RstStream { stream, code } => {
                write!(f, "RST_STREAM({code}) on stream {stream}")
            }
        }
    }
}

/// An HTTP/2 error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    scope: Scope,
    code: ErrorCode,
    side: Side,
    offset: u64,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        scope: Scope,
        code: ErrorCode,
        side: Side,
        offset: u64,
    ) -> Error {
        Error {
            kind,
            scope,
            code,
            side,
            offset,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stream or the connection.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The error code RFC 9113 asks for.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The peer that sent the bytes.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Offset of the offending frame from the start of the input stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The deviation behind a policy rejection.
    pub fn deviation(&self) -> Option<Deviation> {
        match self.kind {
            ErrorKind::Rejected(deviation) => Some(deviation),
            _ => None,
        }
    }

    /// The answer on the wire.
    pub fn wire_answer(&self) -> WireAnswer {
        match self.scope {
            Scope::Connection => WireAnswer::GoAway(self.code),
            Scope::Stream(stream) => WireAnswer::RstStream {
                stream,
                code: self.code,
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Rejected(deviation) => {
                let info = deviation.info();
                write!(
                    f,
                    "{} rejected by policy: {} ({})",
                    info.id, info.summary, info.rfc
                )?;
            }
            ErrorKind::Frame(kind) => write!(f, "frame layer: {}", kind.as_str())?,
            ErrorKind::Compression => f.write_str("header block cannot be decompressed")?,
        }
        write!(
            f,
            " [{} frame at byte {}; answer: {}]",
            self.side,
            self.offset,
            self.wire_answer()
        )
    }
}

impl std::error::Error for Error {}

/// Refusals met and not yet taken, bounded: a peer that commits a stream error in every frame
/// must not grow a connection's memory when nobody takes them. Past the cap the newest are
/// dropped; the anomalies still record every one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Refusals {
    errors: Vec<Error>,
}

impl Refusals {
    /// How many untaken refusals are kept.
    const CAP: usize = 64;

    pub(crate) fn push(&mut self, error: Error) {
        if self.errors.len() < Self::CAP {
            self.errors.push(error);
        }
    }

    pub(crate) fn last(&self) -> Option<&Error> {
        self.errors.last()
    }

    pub(crate) fn take(&mut self) -> Vec<Error> {
        std::mem::take(&mut self.errors)
    }
}
