//! Responses from origins into the neutral form.

use http::response::Parts;
use http::{StatusCode, Version};
use tollgate_codecs::h1::{self, ResponseHead};

use crate::error::{Error, ErrorKind};
use crate::fields;
use crate::hop::strip_connection_specific;

/// An HTTP/1 response head (final or 1xx) in the neutral form: the status, and the fields
/// minus connection-specific ones (RFC 9110 §7.6.1). `content-length` stays as received —
/// the codec validated it, and for HEAD and 304 it still tells the representation's size
/// (RFC 9110 §8.6) — and the reason phrase goes: HTTP/2 has none (RFC 9113 §8.3.2).
///
/// # Errors
///
/// [`ErrorKind::UnsupportedUpgrade`] for 101, [`ErrorKind::InvalidStatus`] for a status
/// `http` cannot hold (outside 100..=999, which the codec's policy may have let through),
/// [`ErrorKind::InvalidHeader`] for a field `http` cannot hold. The proxy answers 502.
pub fn response_from_h1(head: &ResponseHead) -> Result<Parts, Error> {
    let status = status(head.status())?;
    let mut headers = fields::from_h1(head.fields(), |_| false)?;
    strip_connection_specific(&mut headers);
    let (mut parts, ()) = http::Response::new(()).into_parts();
    parts.status = status;
    parts.version = match head.version() {
        h1::Version::Http10 => Version::HTTP_10,
        h1::Version::Http11 => Version::HTTP_11,
    };
    parts.headers = headers;
    Ok(parts)
}

/// A response from the `h2` crate's client in the neutral form. `h2` refuses
/// connection-specific fields already and the shim drops them when the policy repairs
/// them; stripping again keeps the neutral form's promise whatever the configuration.
pub fn response_from_h2(mut parts: Parts) -> Parts {
    strip_connection_specific(&mut parts.headers);
    parts
}

/// A status that can be translated: not 101 (RFC 9113 §8.6: no upgrade across versions).
pub(crate) fn status(code: u16) -> Result<StatusCode, Error> {
    if code == 101 {
        return Err(Error::new(
            ErrorKind::UnsupportedUpgrade,
            "101 Switching Protocols: upgrades are not translated",
        ));
    }
    StatusCode::from_u16(code).map_err(|_| {
        Error::new(
            ErrorKind::InvalidStatus,
            format!("status {code} is outside 100..=999"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header;

    fn head(status: u16, fields: &[(&str, &str)]) -> ResponseHead {
        ResponseHead::new(
            h1::Version::Http10,
            status,
            b"Whatever",
            fields.iter().copied(),
        )
        .unwrap()
    }

    #[test]
    fn rfc9110_7_6_1_response_fields_lose_hop_fields_and_keep_content_length() {
        let parts = response_from_h1(&head(
            200,
            &[
                ("Connection", "close, X-Hop"),
                ("X-Hop", "1"),
                ("Keep-Alive", "timeout=5"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Length", "12"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
            ],
        ))
        .unwrap();
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(parts.version, Version::HTTP_10);
        assert_eq!(parts.headers["content-length"], "12");
        assert_eq!(parts.headers.get_all(header::SET_COOKIE).iter().count(), 2);
        assert_eq!(parts.headers.len(), 3);
    }

    #[test]
    fn interim_heads_translate_and_101_is_refused() {
        let parts = response_from_h1(&head(103, &[("Link", "</s.css>; rel=preload")])).unwrap();
        assert_eq!(parts.status, StatusCode::EARLY_HINTS);
        let error = response_from_h1(&head(101, &[("Upgrade", "websocket")])).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnsupportedUpgrade);
    }

    #[test]
    fn statuses_http_cannot_hold_are_refused() {
        assert_eq!(status(1000).unwrap_err().kind(), ErrorKind::InvalidStatus);
        assert_eq!(status(99).unwrap_err().kind(), ErrorKind::InvalidStatus);
        assert_eq!(status(599).unwrap(), 599);
    }

    #[test]
    fn rfc9113_8_2_2_h2_responses_are_stripped_defensively() {
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts
            .headers
            .insert(header::CONNECTION, "x".parse().unwrap());
        parts.headers.insert("x", "1".parse().unwrap());
        parts.headers.insert("y", "2".parse().unwrap());
        let parts = response_from_h2(parts);
        assert_eq!(parts.headers.len(), 1);
        assert_eq!(parts.headers["y"], "2");
    }
}
