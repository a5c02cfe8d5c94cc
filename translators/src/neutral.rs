//! The small types that describe the neutral form and what the caller knows of a body.

/// The scheme of the listener a request came in on: what an origin-form HTTP/1.1 request
/// means by its target (RFC 9112 §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Cleartext.
    Http,
    /// TLS.
    Https,
}

impl Scheme {
    pub(crate) fn to_http(self) -> http::uri::Scheme {
        match self {
            Scheme::Http => http::uri::Scheme::HTTP,
            Scheme::Https => http::uri::Scheme::HTTPS,
        }
    }
}

/// What the output side knows of the body that will follow a head: it decides the framing
/// fields, which are never copied from the input (RFC 9112 §6.3, RFC 9113 §8.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyLen {
    /// No body bytes follow.
    Empty,
    /// Exactly this many bytes follow.
    Exact(u64),
    /// Bytes follow, how many is not known in advance (streamed).
    Unknown,
}

/// Marks a request whose target is `*` (RFC 9112 §3.2.4): `OPTIONS *` asks about the server,
/// not a resource. The neutral `uri` then has path `/`, which `*` cannot be in an absolute
/// URI, and this marker in the request's extensions says what the path really is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsteriskForm;

/// Whether `parts` is an asterisk-form request.
pub(crate) fn is_asterisk(parts: &http::request::Parts) -> bool {
    parts.extensions.get::<AsteriskForm>().is_some()
}
