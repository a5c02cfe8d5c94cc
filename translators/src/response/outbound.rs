//! Responses from the neutral form toward clients.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::response::Parts;
use http::{StatusCode, Version};
use tollgate_codecs::h1::{self, ResponseHead, canonical_reason};

use crate::error::{Error, ErrorKind};
use crate::fields::check_h1_value;
use crate::hop::Hop;
use crate::neutral::BodyLen;
use crate::response::inbound::status;

/// What the HTTP/1 response head depends on in the request it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestInfo {
    /// The request was HEAD: the response has no body whatever its fields say.
    pub method_is_head: bool,
    /// The version the client spoke: an HTTP/1.0 client understands neither chunked nor
    /// 1xx (RFC 9112 §6.1, RFC 9110 §15.2).
    pub client_version: h1::Version,
    /// Whether the proxy keeps the client connection open after this response.
    pub keep_alive: bool,
}

/// How the body of an HTTP/1 response is written after its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseFraming {
    /// Exactly this many bytes, as `content-length` says.
    Length(u64),
    /// The chunked transfer coding; trailers may follow.
    Chunked,
    /// Raw bytes, then the connection closes: the end of the body is the close. The head
    /// says `connection: close`, and the caller closes even if it meant to keep alive.
    UntilClose,
    /// No body bytes at all: HEAD, 1xx, 204 and 304 (RFC 9112 §6.3 rule 1).
    None,
}

/// A neutral response as an HTTP/1.1 head for a client, and how to write its body.
///
/// - the version is HTTP/1.1 whatever the client spoke (RFC 9110 §2.5), the reason the
///   status's canonical one (RFC 9110 §15);
/// - connection-specific fields are never copied; `connection: close` is sent when the
///   connection will close, `connection: keep-alive` to an HTTP/1.0 client it stays open for
///   (RFC 9112 §9.3);
/// - HEAD, 204 and 304 have no body (RFC 9112 §6.3): no framing field, except that
///   `content-length` is kept as received for HEAD and 304, where it tells the size of the
///   representation (RFC 9110 §8.6); a 204 never carries it (RFC 9110 §8.6 MUST NOT);
/// - otherwise the framing comes from `body` alone: `Exact(n)` and `Empty` send
///   `content-length`, `Unknown` sends `transfer-encoding: chunked` to an HTTP/1.1 client
///   and is delimited by the close for an HTTP/1.0 one, which must not see chunked
///   (RFC 9112 §6.1);
/// - a 1xx goes as [`interim_to_h1`] writes it, with [`ResponseFraming::None`].
///
/// # Errors
///
/// [`ErrorKind::UnsupportedUpgrade`] for 101, [`ErrorKind::InterimForHttp10`] for a 1xx
/// to an HTTP/1.0 client (the caller drops it), [`ErrorKind::InvalidHeader`] for a value
/// with leading or trailing whitespace.
pub fn response_to_h1(
    parts: &Parts,
    body: BodyLen,
    request: RequestInfo,
) -> Result<(ResponseHead, ResponseFraming), Error> {
    let status = status(parts.status.as_u16())?;
    if status.is_informational() {
        if request.client_version == h1::Version::Http10 {
            return Err(Error::new(
                ErrorKind::InterimForHttp10,
                format!("{status} for an HTTP/1.0 client"),
            ));
        }
        return Ok((interim_to_h1(parts)?, ResponseFraming::None));
    }
    let mut pairs = end_to_end_pairs(&parts.headers)?;
    let length;
    let no_body = request.method_is_head
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let framing = if no_body {
        if status != StatusCode::NO_CONTENT
            && let Some(received) = parts.headers.get(header::CONTENT_LENGTH)
        {
            pairs.push(("content-length", received.as_bytes()));
        }
        ResponseFraming::None
    } else {
        match body {
            BodyLen::Exact(n) => {
                length = n.to_string();
                pairs.push(("content-length", length.as_bytes()));
                ResponseFraming::Length(n)
            }
            BodyLen::Empty => {
                pairs.push(("content-length", b"0"));
                ResponseFraming::Length(0)
            }
            BodyLen::Unknown if request.client_version == h1::Version::Http11 => {
                pairs.push(("transfer-encoding", b"chunked"));
                ResponseFraming::Chunked
            }
            BodyLen::Unknown => ResponseFraming::UntilClose,
        }
    };
    if !request.keep_alive || framing == ResponseFraming::UntilClose {
        pairs.push(("connection", b"close"));
    } else if request.client_version == h1::Version::Http10 {
        pairs.push(("connection", b"keep-alive"));
    }
    let head = ResponseHead::new(
        h1::Version::Http11,
        status.as_u16(),
        canonical_reason(status.as_u16()).as_bytes(),
        pairs,
    )
    .map_err(|error| Error::new(ErrorKind::InvalidHeader, error.to_string()))?;
    Ok((head, framing))
}

/// An interim (1xx) neutral response as an HTTP/1.1 head, for an HTTP/1.1 client only
/// (RFC 9110 §15.2: never to HTTP/1.0). Its fields are copied minus connection-specific and
/// framing ones: a 1xx has no content (RFC 9110 §8.6, RFC 9112 §6.1).
///
/// # Errors
///
/// [`ErrorKind::InvalidStatus`] for a final status, [`ErrorKind::UnsupportedUpgrade`] for
/// 101, [`ErrorKind::InvalidHeader`] as for [`response_to_h1`].
pub fn interim_to_h1(parts: &Parts) -> Result<ResponseHead, Error> {
    let status = status(parts.status.as_u16())?;
    if !status.is_informational() {
        return Err(Error::new(
            ErrorKind::InvalidStatus,
            format!("{status} is not an interim status"),
        ));
    }
    let pairs = end_to_end_pairs(&parts.headers)?;
    ResponseHead::new(
        h1::Version::Http11,
        status.as_u16(),
        canonical_reason(status.as_u16()).as_bytes(),
        pairs,
    )
    .map_err(|error| Error::new(ErrorKind::InvalidHeader, error.to_string()))
}

/// A neutral response shaped for the `h2` crate's server: connection-specific fields left
/// out (RFC 9113 §8.2.2) and `content-length` decided by `body` — `n` for `Exact(n)`,
/// absent for `Unknown` (END_STREAM frames the body), kept as received for `Empty` (a HEAD or
/// 304 response states the representation's size), and never on a 1xx or 204
/// (RFC 9110 §8.6).
pub fn response_to_h2(parts: &Parts, body: BodyLen) -> http::Response<()> {
    let hop = Hop::of(&parts.headers);
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        if !hop.drops(name) && *name != header::TE && *name != header::CONTENT_LENGTH {
            headers.append(name.clone(), value.clone());
        }
    }
    let may_state_length =
        !(parts.status.is_informational() || parts.status == StatusCode::NO_CONTENT);
    match body {
        BodyLen::Exact(n) if may_state_length => {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        BodyLen::Empty if may_state_length => {
            if let Some(received) = parts.headers.get(header::CONTENT_LENGTH) {
                headers.insert(header::CONTENT_LENGTH, received.clone());
            }
        }
        BodyLen::Exact(_) | BodyLen::Empty | BodyLen::Unknown => {}
    }
    let mut response = http::Response::new(());
    *response.status_mut() = parts.status;
    *response.version_mut() = Version::HTTP_2;
    *response.headers_mut() = headers;
    response
}

/// The fields an HTTP/1 response head copies: not connection-specific, not `te`, not
/// framing (written from the body's length), each checked for the field line.
fn end_to_end_pairs(headers: &HeaderMap) -> Result<Vec<(&str, &[u8])>, Error> {
    let hop = Hop::of(headers);
    let mut pairs = Vec::with_capacity(headers.len() + 2);
    for (name, value) in headers {
        if !copied(name, &hop) {
            continue;
        }
        check_h1_value(name, value)?;
        pairs.push((name.as_str(), value.as_bytes()));
    }
    Ok(pairs)
}

fn copied(name: &HeaderName, hop: &Hop) -> bool {
    !(hop.drops(name) || *name == header::TE || *name == header::CONTENT_LENGTH)
}
