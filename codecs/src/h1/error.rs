//! The HTTP/1 codec's error: a stable kind, who sent the bad bytes, where, and what to answer.

use std::fmt;

use crate::deviation::Deviation;
use crate::h1::limits::Limit;
use crate::policy::Side;

/// What went wrong. Stable: programs may match on it, and [`ErrorKind::as_str`] names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The policy rejects a deviation that was met.
    Rejected(Deviation),
    /// A size limit was exceeded.
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        value: usize,
    },
    /// The request line is not `method SP request-target SP HTTP-version`.
    InvalidRequestLine,
    /// The method is not a token.
    InvalidMethod,
    /// The request-target has no valid form for this method (or contains whitespace or
    /// control bytes).
    InvalidTarget,
    /// The version is not `HTTP/DIGIT.DIGIT`.
    InvalidVersion,
    /// A well-formed version this codec does not speak (HTTP/0.9 requests, HTTP/2.0 and up).
    UnsupportedVersion,
    /// The connection starts with the HTTP/2 connection preface (`PRI * HTTP/2.0`).
    Http2Preface,
    /// The status line is not `HTTP-version SP 3DIGIT SP reason-phrase`.
    InvalidStatusLine,
    /// A request's Content-Length is not a decimal number, overflows or lists differing values.
    InvalidContentLength,
    /// A chunk size does not start with a hex digit.
    InvalidChunkSize,
    /// A CR in chunked framing is not followed by LF.
    InvalidChunkedFraming,
    /// The peer closed in the middle of a head.
    IncompleteHead,
    /// The peer closed before the body was complete.
    IncompleteBody,
}

impl ErrorKind {
    /// A stable snake_case name (`rejected`, `limit_exceeded`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Rejected(_) => "rejected",
            ErrorKind::LimitExceeded { .. } => "limit_exceeded",
            ErrorKind::InvalidRequestLine => "invalid_request_line",
            ErrorKind::InvalidMethod => "invalid_method",
            ErrorKind::InvalidTarget => "invalid_target",
            ErrorKind::InvalidVersion => "invalid_version",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::Http2Preface => "http2_preface",
            ErrorKind::InvalidStatusLine => "invalid_status_line",
            ErrorKind::InvalidContentLength => "invalid_content_length",
            ErrorKind::InvalidChunkSize => "invalid_chunk_size",
            ErrorKind::InvalidChunkedFraming => "invalid_chunked_framing",
            ErrorKind::IncompleteHead => "incomplete_head",
            ErrorKind::IncompleteBody => "incomplete_body",
        }
    }
}

/// Whether the error came while reading a head or a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Nothing of the message has been handed to the caller yet.
    Head,
    /// The head was handed over; the body (or trailers) failed.
    Body,
}

/// What to put on the wire toward the peer the message came from (for an origin's message,
/// toward the client waiting for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireAnswer {
    /// Answer with this status, then close the connection.
    Status(u16),
    /// Close the connection without an answer (or abort a response already under way, without
    /// its terminating chunk, so the client sees it incomplete).
    Close,
}

impl fmt::Display for WireAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireAnswer::Status(code) => write!(f, "{code} and close"),
            WireAnswer::Close => f.write_str("close"),
        }
    }
}

/// An HTTP/1 decoding error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    side: Side,
    phase: Phase,
    offset: u64,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, side: Side, phase: Phase, offset: u64) -> Error {
        Error {
            kind,
            side,
            phase,
            offset,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The peer that sent the bytes.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Head or body.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Offset of the offending byte from the start of the decoder's input stream.
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
    ///
    /// Toward an origin, a bad head is 502 for the waiting client and a bad body aborts the
    /// response already under way. Toward a client, everything is answered and the connection
    /// closed, except a client that closed in the middle of a message.
    pub fn wire_answer(&self) -> WireAnswer {
        match (self.side, self.phase) {
            (Side::Origin, Phase::Head) => WireAnswer::Status(502),
            (Side::Origin, Phase::Body) => WireAnswer::Close,
            (Side::Client, _) => match self.kind {
                ErrorKind::Rejected(deviation) => {
                    WireAnswer::Status(deviation.info().reject_status)
                }
                ErrorKind::LimitExceeded { limit, .. } => match limit {
                    Limit::RequestLineBytes => WireAnswer::Status(414),
                    Limit::HeadBytes | Limit::LineBytes | Limit::Headers => WireAnswer::Status(431),
                    Limit::TrailerBytes | Limit::Informational => WireAnswer::Status(400),
                },
                ErrorKind::UnsupportedVersion => WireAnswer::Status(505),
                ErrorKind::IncompleteHead | ErrorKind::IncompleteBody | ErrorKind::Http2Preface => {
                    WireAnswer::Close
                }
                _ => WireAnswer::Status(400),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.phase {
            Phase::Head => "head",
            Phase::Body => "body",
        };
        match self.kind {
            ErrorKind::Rejected(deviation) => {
                let info = deviation.info();
                write!(
                    f,
                    "{} rejected by policy: {} ({})",
                    info.id, info.summary, info.rfc
                )?;
            }
            ErrorKind::LimitExceeded { limit, value } => {
                let thing = match limit {
                    Limit::HeadBytes => "message head is larger than",
                    Limit::RequestLineBytes => "request line is longer than",
                    Limit::LineBytes => "a line is longer than",
                    Limit::Headers => "more field lines than",
                    Limit::TrailerBytes => "trailer section is larger than",
                    Limit::Informational => "more interim (1xx) responses than",
                };
                write!(f, "{thing} {value} (limit `{}`)", limit.setting())?;
            }
            ErrorKind::InvalidRequestLine => f.write_str("malformed request line")?,
            ErrorKind::InvalidMethod => f.write_str("method is not a token")?,
            ErrorKind::InvalidTarget => f.write_str("invalid request-target for this method")?,
            ErrorKind::InvalidVersion => f.write_str("malformed HTTP version")?,
            ErrorKind::UnsupportedVersion => f.write_str("unsupported HTTP version")?,
            ErrorKind::Http2Preface => f.write_str("HTTP/2 connection preface on HTTP/1")?,
            ErrorKind::InvalidStatusLine => f.write_str("malformed status line")?,
            ErrorKind::InvalidContentLength => {
                f.write_str("invalid or conflicting Content-Length in a request")?
            }
            ErrorKind::InvalidChunkSize => f.write_str("chunk size is not a hex number")?,
            ErrorKind::InvalidChunkedFraming => {
                f.write_str("CR not followed by LF in chunked framing")?
            }
            ErrorKind::IncompleteHead => f.write_str("connection closed inside a message head")?,
            ErrorKind::IncompleteBody => f.write_str("connection closed before the body ended")?,
        }
        write!(
            f,
            " [{} {what}, byte {}; answer: {}]",
            self.side,
            self.offset,
            self.wire_answer()
        )
    }
}

impl std::error::Error for Error {}
