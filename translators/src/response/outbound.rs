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

#[cfg(test)]
mod tests {
    use super::*;

    fn neutral(status: u16, fields: &[(&str, &str)]) -> Parts {
        let mut response = http::Response::builder().status(status);
        for (name, value) in fields {
            response = response.header(*name, *value);
        }
        response.body(()).unwrap().into_parts().0
    }

    fn info(version: h1::Version, keep_alive: bool) -> RequestInfo {
        RequestInfo {
            method_is_head: false,
            client_version: version,
            keep_alive,
        }
    }

    const H11: RequestInfo = RequestInfo {
        method_is_head: false,
        client_version: h1::Version::Http11,
        keep_alive: true,
    };

    fn pairs(head: &ResponseHead) -> Vec<(String, String)> {
        crate::test_support::pairs(head.fields())
    }

    use crate::test_support::owned;

    #[test]
    fn rfc9110_15_canonical_reason_and_http11() {
        let (head, framing) =
            response_to_h1(&neutral(404, &[("x", "1")]), BodyLen::Exact(3), H11).unwrap();
        assert_eq!(head.status(), 404);
        assert_eq!(head.reason(), b"Not Found");
        assert_eq!(head.version(), h1::Version::Http11);
        assert_eq!(framing, ResponseFraming::Length(3));
        assert_eq!(pairs(&head), owned(&[("x", "1"), ("content-length", "3")]));
    }

    #[test]
    fn rfc9112_6_3_head_204_304_have_no_body_and_never_chunked() {
        let fields = [("content-length", "42"), ("transfer-encoding", "chunked")];
        let head_request = RequestInfo {
            method_is_head: true,
            ..H11
        };
        for (status, request, expected) in [
            (200, head_request, &[("content-length", "42")][..]),
            (304, H11, &[("content-length", "42")][..]),
            (204, H11, &[][..]),
        ] {
            for body in [BodyLen::Empty, BodyLen::Unknown, BodyLen::Exact(42)] {
                let (head, framing) =
                    response_to_h1(&neutral(status, &fields), body, request).unwrap();
                assert_eq!(framing, ResponseFraming::None, "{status} {body:?}");
                assert_eq!(pairs(&head), owned(expected), "{status} {body:?}");
            }
        }
    }

    #[test]
    fn rfc9112_6_1_unknown_length_is_chunked_for_http11_and_close_delimited_for_http10() {
        let stale = [("content-length", "9")];
        let (head, framing) = response_to_h1(&neutral(200, &stale), BodyLen::Unknown, H11).unwrap();
        assert_eq!(framing, ResponseFraming::Chunked);
        assert_eq!(pairs(&head), owned(&[("transfer-encoding", "chunked")]));

        let (head, framing) = response_to_h1(
            &neutral(200, &stale),
            BodyLen::Unknown,
            info(h1::Version::Http10, true),
        )
        .unwrap();
        assert_eq!(framing, ResponseFraming::UntilClose);
        assert_eq!(pairs(&head), owned(&[("connection", "close")]));
    }

    #[test]
    fn rfc9112_9_3_persistence_is_stated_for_the_client() {
        let parts = neutral(
            200,
            &[("connection", "keep-alive"), ("keep-alive", "timeout=1")],
        );
        let cases = [
            (info(h1::Version::Http11, true), &[][..]),
            (
                info(h1::Version::Http11, false),
                &[("connection", "close")][..],
            ),
            (
                info(h1::Version::Http10, true),
                &[("connection", "keep-alive")][..],
            ),
            (
                info(h1::Version::Http10, false),
                &[("connection", "close")][..],
            ),
        ];
        for (request, connection) in cases {
            let (head, _) = response_to_h1(&parts, BodyLen::Empty, request).unwrap();
            let mut expected = owned(&[("content-length", "0")]);
            expected.extend(owned(connection));
            assert_eq!(pairs(&head), expected, "{request:?}");
        }
    }

    #[test]
    fn rfc9110_15_2_interim_responses_only_for_http11_clients() {
        let hints = neutral(103, &[("link", "</a>"), ("content-length", "0")]);
        let head = interim_to_h1(&hints).unwrap();
        assert_eq!(head.status(), 103);
        assert_eq!(head.reason(), b"Early Hints");
        assert_eq!(pairs(&head), owned(&[("link", "</a>")]));
        let (same, framing) = response_to_h1(&hints, BodyLen::Empty, H11).unwrap();
        assert_eq!((same, framing), (head, ResponseFraming::None));
        let error =
            response_to_h1(&hints, BodyLen::Empty, info(h1::Version::Http10, true)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InterimForHttp10);
        assert_eq!(
            interim_to_h1(&neutral(200, &[])).unwrap_err().kind(),
            ErrorKind::InvalidStatus
        );
        assert_eq!(
            interim_to_h1(&neutral(101, &[])).unwrap_err().kind(),
            ErrorKind::UnsupportedUpgrade
        );
    }

    #[test]
    fn rfc9113_8_2_2_h2_response_framing_from_the_body() {
        let parts = neutral(
            200,
            &[
                ("content-length", "42"),
                ("connection", "x"),
                ("x", "1"),
                ("transfer-encoding", "chunked"),
                ("set-cookie", "a=1"),
            ],
        );
        let length = |response: http::Response<()>| {
            response
                .headers()
                .get(header::CONTENT_LENGTH)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let exact = response_to_h2(&parts, BodyLen::Exact(7));
        assert_eq!(exact.version(), Version::HTTP_2);
        assert_eq!(exact.headers().len(), 2, "{:?}", exact.headers());
        assert_eq!(length(exact), Some("7".to_owned()));
        assert_eq!(
            length(response_to_h2(&parts, BodyLen::Empty)),
            Some("42".to_owned())
        );
        assert_eq!(length(response_to_h2(&parts, BodyLen::Unknown)), None);
        let no_content = neutral(204, &[("content-length", "0")]);
        assert_eq!(length(response_to_h2(&no_content, BodyLen::Empty)), None);
    }
}
