//! The one error type of the translators.

use std::fmt;

/// Why a message could not be translated. Each kind has a stable id ([`ErrorKind::as_str`]) a
/// program can match on; the proxy answers a client's request that fails here with 400 (or
/// 501 for the `unsupported_*` kinds) and an origin's response with 502.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request names no authority: an HTTP/1.0 origin-form request without Host, an
    /// empty Host, or an HTTP/2 request with neither `:authority` nor Host.
    MissingAuthority,
    /// Two authorities disagree: `:authority` and Host (RFC 9113 §8.3.1), or several Host
    /// values.
    ConflictingAuthority,
    /// The authority is not `host[:port]` (userinfo included, RFC 9110 §4.2.4).
    InvalidAuthority,
    /// The target cannot be carried: not `http`/`https`, `*` for a method other than
    /// OPTIONS, or bytes HTTP/1.1 cannot put in a request line.
    InvalidTarget,
    /// The method cannot be written as an HTTP/1.1 token.
    InvalidMethod,
    /// A field name or value the other version cannot carry (CR, LF, NUL, leading or trailing
    /// whitespace, a name that is not a token).
    InvalidHeader,
    /// The status code is outside 100..=999, or is interim where a final one is needed.
    InvalidStatus,
    /// CONNECT: tunnels are not translated (the proxy answers 501).
    UnsupportedMethod,
    /// `101 Switching Protocols`: upgrades are not translated (the proxy answers 502).
    UnsupportedUpgrade,
    /// An interim (1xx) response for an HTTP/1.0 client, which must never see one
    /// (RFC 9110 §15.2); the caller drops it.
    InterimForHttp10,
    /// A `Via` pseudonym that is not a token (RFC 9110 §7.6.3).
    InvalidPseudonym,
}

impl ErrorKind {
    /// The stable id: `missing_authority`, `conflicting_authority`, and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::MissingAuthority => "missing_authority",
            ErrorKind::ConflictingAuthority => "conflicting_authority",
            ErrorKind::InvalidAuthority => "invalid_authority",
            ErrorKind::InvalidTarget => "invalid_target",
            ErrorKind::InvalidMethod => "invalid_method",
            ErrorKind::InvalidHeader => "invalid_header",
            ErrorKind::InvalidStatus => "invalid_status",
            ErrorKind::UnsupportedMethod => "unsupported_method",
            ErrorKind::UnsupportedUpgrade => "unsupported_upgrade",
            ErrorKind::InterimForHttp10 => "interim_for_http10",
            ErrorKind::InvalidPseudonym => "invalid_pseudonym",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message that could not be translated: the kind, and what exactly was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            detail: detail.into(),
        }
    }

    /// The kind, for programs.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What was wrong, for people: names the field or part of the message.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

impl std::error::Error for Error {}

/// Bytes for an error detail: printable, escaped, and short enough for a log line.
pub(crate) fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 64;
    let mut out = bytes[..bytes.len().min(MAX)].escape_ascii().to_string();
    if bytes.len() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_snake_case() {
        let kinds = [
            ErrorKind::MissingAuthority,
            ErrorKind::ConflictingAuthority,
            ErrorKind::InvalidAuthority,
            ErrorKind::InvalidTarget,
            ErrorKind::InvalidMethod,
            ErrorKind::InvalidHeader,
            ErrorKind::InvalidStatus,
            ErrorKind::UnsupportedMethod,
            ErrorKind::UnsupportedUpgrade,
            ErrorKind::InterimForHttp10,
            ErrorKind::InvalidPseudonym,
        ];
        let mut ids: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
        assert!(ids.iter().all(|id| {
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
        }));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), kinds.len());
    }

    #[test]
    fn display_names_kind_and_detail() {
        let error = Error::new(ErrorKind::MissingAuthority, "no Host");
        assert_eq!(error.to_string(), "missing_authority: no Host");
        assert_eq!(error.kind(), ErrorKind::MissingAuthority);
    }

    #[test]
    fn shown_escapes_and_truncates() {
        assert_eq!(shown(b"a\r\nb"), "a\\r\\nb");
        assert_eq!(shown(&[b'x'; 100]).chars().count(), 65);
    }
}
