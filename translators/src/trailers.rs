//! Trailer sections across versions (RFC 9110 §6.5, RFC 9112 §7.1.2, RFC 9113 §8.1).
//!
//! A field is dropped from trailers when its meaning is needed before the content, so that a
//! recipient must not act on it there (RFC 9110 §6.5.1), or when it is connection-specific
//! (RFC 9113 §8.2.2; h2 PR #925 added that check to `send_trailers`). The list:
//!
//! - framing: `content-length`, `transfer-encoding`, `trailer`, `te`;
//! - connection-specific: `connection`, `keep-alive`, `proxy-connection`, `upgrade`,
//!   `http2-settings`, and every field `connection` names;
//! - routing and request modifiers: `host`, `max-forwards`, `expect`, `range`, `if-match`,
//!   `if-none-match`, `if-modified-since`, `if-unmodified-since`, `if-range`;
//! - authentication: `authorization`, `proxy-authorization`, `www-authenticate`,
//!   `proxy-authenticate` (`authentication-info` may be a trailer: RFC 9110 §11.6.3);
//! - state: `cookie`, `set-cookie`;
//! - cache and response controls: `cache-control`, `pragma`, `expires`, `age`, `date`,
//!   `vary`, `location`, `retry-after`;
//! - content format: `content-type`, `content-encoding`, `content-range`,
//!   `content-language`, `content-location`.
//!
//! Pseudo-header fields (RFC 9113 §8.1) cannot occur: a [`HeaderMap`] name is a token, which
//! has no `:`.
//!
//! Dropping rather than refusing is what RFC 9112 §7.1.2 allows a recipient that removes the
//! chunked coding (it MAY discard trailers), and it keeps `grpc-status` and its kin flowing.

use http::HeaderMap;
use http::header::HeaderName;
use tollgate_codecs::h1::Fields;

use crate::error::Error;
use crate::fields::{check_h1_value, convert, to_h1};
use crate::hop::Hop;

/// Fields that must not be trailers (see the module documentation).
const NOT_TRAILERS: [&str; 37] = [
    "content-length",
    "transfer-encoding",
    "trailer",
    "te",
    "connection",
    "keep-alive",
    "proxy-connection",
    "upgrade",
    "http2-settings",
    "host",
    "max-forwards",
    "expect",
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
    "authorization",
    "proxy-authorization",
    "www-authenticate",
    "proxy-authenticate",
    "cookie",
    "set-cookie",
    "cache-control",
    "pragma",
    "expires",
    "age",
    "date",
    "vary",
    "location",
    "retry-after",
    "content-type",
    "content-encoding",
    "content-range",
    "content-language",
    "content-location",
];

/// Whether `name` may travel as a trailer field of a section whose connection-specific
/// fields `hop` knows.
fn allowed(name: &HeaderName, hop: &Hop) -> bool {
    !NOT_TRAILERS.contains(&name.as_str()) && !hop.drops(name)
}

/// The trailer fields an HTTP/1 chunked body ended with, in the neutral form: names
/// lowercased, forbidden fields dropped, and fields `http` cannot hold dropped too (a
/// trailer may be discarded, RFC 9112 §7.1.2; failing the whole response for one would not
/// help the client).
pub fn trailers_from_h1(fields: &Fields) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(fields.len());
    for field in fields.iter() {
        if let Ok((name, value)) = convert(&field) {
            headers.append(name, value);
        }
    }
    filtered(&headers)
}

/// Neutral trailers as an HTTP/1 trailer section: forbidden fields dropped.
///
/// # Errors
///
/// [`ErrorKind::InvalidHeader`](crate::ErrorKind::InvalidHeader) for a value with leading or
/// trailing whitespace, which a field line would lose.
pub fn trailers_to_h1(trailers: &HeaderMap) -> Result<Fields, Error> {
    let hop = Hop::of(trailers);
    let mut pairs = Vec::with_capacity(trailers.len());
    for (name, value) in trailers {
        if allowed(name, &hop) {
            check_h1_value(name, value)?;
            pairs.push((name, value));
        }
    }
    to_h1(&pairs)
}

/// Neutral trailers for the `h2` crate: forbidden and connection-specific fields dropped.
pub fn trailers_for_h2(trailers: &HeaderMap) -> HeaderMap {
    filtered(trailers)
}

fn filtered(trailers: &HeaderMap) -> HeaderMap {
    let hop = Hop::of(trailers);
    let mut out = HeaderMap::with_capacity(trailers.len());
    for (name, value) in trailers {
        if allowed(name, &hop) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use http::header::HeaderValue;

    fn fields() -> Fields {
        Fields::from_pairs([
            ("Grpc-Status", "0"),
            ("Content-Length", "5"),
            ("Transfer-Encoding", "chunked"),
            ("Host", "evil.example"),
            ("Set-Cookie", "a=1"),
            ("Authorization", "Bearer x"),
            ("Connection", "x-hop"),
            ("X-Hop", "1"),
            ("Server-Timing", "db;dur=53"),
            ("Bad", "a\x01b"),
        ])
        .unwrap()
    }

    #[test]
    fn rfc9110_6_5_1_forbidden_trailers_are_dropped_from_h1() {
        let trailers = trailers_from_h1(&fields());
        let names: Vec<_> = trailers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["grpc-status", "server-timing"]);
    }

    #[test]
    fn rfc9110_6_5_1_forbidden_trailers_are_dropped_toward_h1_and_h2() {
        let mut trailers = HeaderMap::new();
        for (name, value) in [
            ("grpc-status", "0"),
            ("grpc-message", "ok"),
            ("content-type", "text/plain"),
            ("te", "trailers"),
            ("trailer", "grpc-status"),
            ("connection", "x-hop"),
            ("x-hop", "1"),
        ] {
            trailers.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let h1 = trailers_to_h1(&trailers).unwrap();
        let names: Vec<_> = h1.iter().map(|field| field.name).collect();
        assert_eq!(names, [&b"grpc-status"[..], b"grpc-message"]);
        let h2 = trailers_for_h2(&trailers);
        let names: Vec<_> = h2.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["grpc-status", "grpc-message"]);
    }

    #[test]
    fn rfc9112_5_1_trailer_values_a_field_line_would_change_are_refused() {
        let mut trailers = HeaderMap::new();
        trailers.insert("x", HeaderValue::from_static("v "));
        assert_eq!(
            trailers_to_h1(&trailers).unwrap_err().kind(),
            ErrorKind::InvalidHeader
        );
    }
}
