//! Cookie crumbs (RFC 9113 §8.2.3): HTTP/2 may split `cookie` into one field per
//! cookie-pair for better compression; everywhere else there must be one field, joined with
//! `"; "`. `set-cookie` is never touched: its values cannot be combined (RFC 9110 §5.3).

use http::HeaderMap;
use http::header::{self, HeaderValue};

/// The cookie-pairs of one `cookie` value: split on `;`, whitespace trimmed, empty ones
/// skipped.
pub(crate) fn crumbs(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|b| *b == b';')
        .map(<[u8]>::trim_ascii)
        .filter(|crumb| !crumb.is_empty())
}

/// Every crumb of `headers`' cookie fields, in order, joined into one value; `None` when
/// there are none.
pub(crate) fn joined(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut out = Vec::new();
    for value in headers.get_all(header::COOKIE) {
        for crumb in crumbs(value.as_bytes()) {
            if !out.is_empty() {
                out.extend_from_slice(b"; ");
            }
            out.extend_from_slice(crumb);
        }
    }
    // Crumbs are trimmed pieces of valid values joined by "; ": always a valid value.
    HeaderValue::from_bytes(&out)
        .ok()
        .filter(|value| !value.is_empty())
}

/// Replaces the cookie fields of `headers` by one joined field (RFC 9113 §8.2.3), which
/// goes last among the fields, or by nothing when they hold no crumb.
pub(crate) fn join(headers: &mut HeaderMap) {
    if headers.get_all(header::COOKIE).iter().count() < 2 {
        return;
    }
    let value = joined(headers);
    headers.remove(header::COOKIE);
    if let Some(value) = value {
        headers.insert(header::COOKIE, value);
    }
}

/// One value per crumb of `headers`' cookie fields, in order.
pub(crate) fn split(headers: &HeaderMap) -> Vec<HeaderValue> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|value| crumbs(value.as_bytes()))
        .filter_map(|crumb| HeaderValue::from_bytes(crumb).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::COOKIE, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn rfc9113_8_2_3_crumbs_join_with_semicolon_space() {
        let mut headers = cookies(&["a=1", "b=2; c=3", "d=4"]);
        join(&mut headers);
        let all: Vec<_> = headers.get_all(header::COOKIE).iter().collect();
        assert_eq!(all, ["a=1; b=2; c=3; d=4"]);
    }

    #[test]
    fn rfc9113_8_2_3_split_then_join_round_trips() {
        let original = cookies(&["a=1; b=2;c=3 ;  d=4"]);
        let crumbs = split(&original);
        assert_eq!(crumbs, ["a=1", "b=2", "c=3", "d=4"]);
        let mut rejoined = HeaderMap::new();
        for crumb in crumbs {
            rejoined.append(header::COOKIE, crumb);
        }
        join(&mut rejoined);
        assert_eq!(rejoined.get(header::COOKIE).unwrap(), "a=1; b=2; c=3; d=4");
        assert_eq!(
            split(&rejoined),
            split(&original),
            "crumbs survive in order"
        );
    }

    #[test]
    fn one_cookie_field_is_left_as_is() {
        let mut headers = cookies(&["a=1;b=2"]);
        join(&mut headers);
        assert_eq!(headers.get(header::COOKIE).unwrap(), "a=1;b=2");
    }

    #[test]
    fn empty_crumbs_vanish() {
        let mut headers = cookies(&[";", " ; "]);
        join(&mut headers);
        assert!(headers.get(header::COOKIE).is_none());
        assert!(split(&cookies(&["; ;"])).is_empty());
    }

    #[test]
    fn set_cookie_is_never_joined() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, HeaderValue::from_static("a=1"));
        headers.append(header::SET_COOKIE, HeaderValue::from_static("b=2"));
        join(&mut headers);
        assert_eq!(headers.get_all(header::SET_COOKIE).iter().count(), 2);
    }
}
