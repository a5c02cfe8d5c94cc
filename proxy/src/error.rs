//! The proxy layer's one error type: what went wrong, whose fault it was, and what the client
//! is told.

use std::fmt;

use http::StatusCode;
use tollgate_codecs::h1::{self, WireAnswer};

/// Which party caused a failure. Every error the proxy reports carries one, so that an
/// operator reading the access log knows whether to look at the client, the origin or tollgate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blame {
    /// The client sent something wrong, too slowly, or went away.
    Client,
    /// The origin could not be reached, answered wrongly, or too slowly.
    Origin,
    /// tollgate itself: no route, overload, or a bug.
    Proxy,
}

impl Blame {
    /// `client`, `origin` or `proxy`: the stable label used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Blame::Client => "client",
            Blame::Origin => "origin",
            Blame::Proxy => "proxy",
        }
    }
}

impl fmt::Display for Blame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, as a program can match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client's request is malformed or refused by the client-side policy (400).
    ClientMalformed,
    /// The client's request head is larger than the limits allow (431).
    ClientHeadTooLarge,
    /// The client's request body is larger than allowed (413).
    ClientBodyTooLarge,
    /// The client was too slow to send its request (408).
    ClientTimeout,
    /// The client went away or reset the stream; nothing can be answered.
    ClientGone,
    /// No route matches the request's host and path (404).
    NoRoute,
    /// The request asks for something tollgate does not forward: CONNECT, upgrades (501).
    Unsupported,
    /// No connection to the origin could be made (502).
    OriginConnect,
    /// The origin's answer was malformed or ambiguous and the origin policy refused it (502).
    OriginMalformed,
    /// The origin closed or reset the connection or stream before its answer was complete (502).
    OriginClosed,
    /// The origin did not answer, or stalled, within the cluster's timeouts (504).
    OriginTimeout,
    /// Every connection to the origin is busy and none came free in time (503).
    PoolExhausted,
    /// The proxy is draining and takes no new requests (503).
    Draining,
    /// A failure inside tollgate (500).
    Internal,
}

impl ErrorKind {
    /// The stable id used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ClientMalformed => "client-malformed",
            ErrorKind::ClientHeadTooLarge => "client-head-too-large",
            ErrorKind::ClientBodyTooLarge => "client-body-too-large",
            ErrorKind::ClientTimeout => "client-timeout",
            ErrorKind::ClientGone => "client-gone",
            ErrorKind::NoRoute => "no-route",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::OriginConnect => "origin-connect",
            ErrorKind::OriginMalformed => "origin-malformed",
            ErrorKind::OriginClosed => "origin-closed",
            ErrorKind::OriginTimeout => "origin-timeout",
            ErrorKind::PoolExhausted => "pool-exhausted",
            ErrorKind::Draining => "draining",
            ErrorKind::Internal => "internal",
        }
    }

    /// Whose fault this kind of failure is.
    pub fn blame(self) -> Blame {
        match self {
            ErrorKind::ClientMalformed
            | ErrorKind::ClientHeadTooLarge
            | ErrorKind::ClientBodyTooLarge
            | ErrorKind::ClientTimeout
            | ErrorKind::ClientGone
            | ErrorKind::NoRoute
            | ErrorKind::Unsupported => Blame::Client,
            ErrorKind::OriginConnect
            | ErrorKind::OriginMalformed
            | ErrorKind::OriginClosed
            | ErrorKind::OriginTimeout => Blame::Origin,
            ErrorKind::PoolExhausted | ErrorKind::Draining | ErrorKind::Internal => Blame::Proxy,
        }
    }

    /// The status the client is answered with; `None` when nobody is left to answer.
    pub fn status(self) -> Option<StatusCode> {
        Some(match self {
            ErrorKind::ClientMalformed => StatusCode::BAD_REQUEST,
            ErrorKind::ClientHeadTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorKind::ClientBodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::ClientTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorKind::ClientGone => return None,
            ErrorKind::NoRoute => StatusCode::NOT_FOUND,
            ErrorKind::Unsupported => StatusCode::NOT_IMPLEMENTED,
            ErrorKind::OriginConnect | ErrorKind::OriginMalformed | ErrorKind::OriginClosed => {
                StatusCode::BAD_GATEWAY
            }
            ErrorKind::OriginTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::PoolExhausted | ErrorKind::Draining => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure while proxying one request, with its kind and a reason a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    reason: String,
    /// A more precise status than the kind's, from the codec (414, 417, 501, 505 ...).
    status: Option<StatusCode>,
    /// Whether the request may be sent again elsewhere: nothing of it reached an origin that
    /// could have acted on it.
    retryable: bool,
}

impl Error {
    /// An error of `kind` with `reason`.
    pub fn new(kind: ErrorKind, reason: impl Into<String>) -> Error {
        Error {
            kind,
            reason: reason.into(),
            status: None,
            retryable: false,
        }
    }

    /// A client's HTTP/1 request the codec refused: the status the codec says to answer.
    pub fn from_client_h1(error: &h1::Error) -> Error {
        let status = match error.wire_answer() {
            WireAnswer::Status(code) => StatusCode::from_u16(code).ok(),
            WireAnswer::Close => None,
        };
        let kind = match (error.kind(), status.map(|s| s.as_u16())) {
            (h1::ErrorKind::IncompleteHead | h1::ErrorKind::IncompleteBody, _) | (_, None) => {
                ErrorKind::ClientGone
            }
            (_, Some(413)) => ErrorKind::ClientBodyTooLarge,
            (_, Some(414 | 431)) => ErrorKind::ClientHeadTooLarge,
            _ => ErrorKind::ClientMalformed,
        };
        Error {
            status: status.filter(|_| kind != ErrorKind::ClientGone),
            ..Error::new(kind, error.to_string())
        }
    }

    /// An origin's HTTP/1 response the codec refused or that was cut short.
    pub fn from_origin_h1(error: &h1::Error) -> Error {
        let kind = match error.kind() {
            h1::ErrorKind::IncompleteHead | h1::ErrorKind::IncompleteBody => {
                ErrorKind::OriginClosed
            }
            _ => ErrorKind::OriginMalformed,
        };
        Error::new(kind, error.to_string())
    }

    /// Marks the error as one after which the request can be retried on another connection:
    /// the connection failed before the origin could have seen the request.
    pub(crate) fn retryable(mut self) -> Error {
        self.retryable = true;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whose fault it was.
    pub fn blame(&self) -> Blame {
        self.kind.blame()
    }

    /// Why, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The status the client is answered with, if any.
    pub fn status(&self) -> Option<StatusCode> {
        self.status.or_else(|| self.kind.status())
    }

    /// Whether a retry on another connection is safe as far as the connection goes (the
    /// caller still checks that the request is idempotent and its body replayable).
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} failed): {}",
            self.kind,
            self.blame(),
            self.reason
        )
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_blame() {
        assert_eq!(
            ErrorKind::OriginTimeout.status(),
            Some(StatusCode::GATEWAY_TIMEOUT)
        );
        assert_eq!(
            ErrorKind::OriginMalformed.status(),
            Some(StatusCode::BAD_GATEWAY)
        );
        assert_eq!(
            ErrorKind::ClientHeadTooLarge.status().map(|s| s.as_u16()),
            Some(431)
        );
        assert_eq!(ErrorKind::ClientGone.status(), None);
        assert_eq!(ErrorKind::OriginClosed.blame(), Blame::Origin);
        assert_eq!(ErrorKind::NoRoute.blame(), Blame::Client);
        assert_eq!(ErrorKind::PoolExhausted.blame(), Blame::Proxy);
    }

    #[test]
    fn display_names_kind_blame_and_reason() {
        let error = Error::new(ErrorKind::OriginConnect, "127.0.0.1:1: connection refused");
        assert_eq!(
            error.to_string(),
            "origin-connect (origin failed): 127.0.0.1:1: connection refused"
        );
        assert!(!error.is_retryable());
        assert!(error.retryable().is_retryable());
    }
}
