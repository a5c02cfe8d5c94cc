//! Connection-specific ("hop-by-hop") fields: the one rule every translation applies.
//!
//! Removed (RFC 9110 §7.6.1, RFC 9113 §8.2.2):
//!
//! - `connection`, `keep-alive`, `proxy-connection`, `transfer-encoding`, `upgrade`;
//! - `http2-settings`, which only means something on the hop of an h2c upgrade offer
//!   (RFC 9113 §3.1 deprecates the upgrade; the offer is dropped with its Upgrade);
//! - every field named in `Connection`, compared without ASCII case, in comma lists with
//!   optional whitespace — except `content-length` and `host`: naming a framing or routing
//!   field as hop-by-hop is a smuggling trick the codec already reports as
//!   `h1.connection-lists-framing-header`, and the neutral form's framing and authority must
//!   not silently vanish;
//! - `te`, unless its list has the member `trailers`: then it is reduced to exactly
//!   `te: trailers`, the one value HTTP/2 allows (RFC 9113 §8.2.2). Reducing rather than
//!   dropping keeps the client's promise to accept trailers, which gRPC needs
//!   (RFC 9110 §10.1.4: for an intermediary, `trailers` speaks for every downstream client).
//!   This holds even when Connection names `te`, as RFC 9110 §10.1.4 asks HTTP/1.1 senders to.

use http::HeaderMap;
use http::header::{self, HeaderName, HeaderValue};

/// Fields that are connection-specific whatever `Connection` says.
const ALWAYS: [&str; 6] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "http2-settings",
];

/// Fields a `Connection` nomination does not remove (see the module doc).
const PROTECTED: [&str; 3] = ["content-length", "host", "te"];

/// The connection-specific fields of one header section.
pub(crate) struct Hop {
    nominated: Vec<HeaderName>,
}

impl Hop {
    /// Reads the `Connection` fields of `headers`.
    pub(crate) fn of(headers: &HeaderMap) -> Hop {
        let mut nominated: Vec<HeaderName> = Vec::new();
        for value in headers.get_all(header::CONNECTION) {
            for token in list_members(value.as_bytes()) {
                // A member that is not a field name cannot name a field to remove.
                let Ok(name) = HeaderName::from_bytes(token) else {
                    continue;
                };
                if !PROTECTED.contains(&name.as_str()) && !nominated.contains(&name) {
                    nominated.push(name);
                }
            }
        }
        Hop { nominated }
    }

    /// Whether the field `name` is connection-specific and goes. `te` is not decided here:
    /// see [`te_trailers`].
    pub(crate) fn drops(&self, name: &HeaderName) -> bool {
        ALWAYS.contains(&name.as_str()) || self.nominated.contains(name)
    }
}

/// Whether the `te` fields of `headers` list `trailers`, so that `te: trailers` stays.
pub(crate) fn te_trailers(headers: &HeaderMap) -> bool {
    headers.get_all(header::TE).iter().any(|value| {
        list_members(value.as_bytes()).any(|member| member.eq_ignore_ascii_case(b"trailers"))
    })
}

/// Removes every connection-specific field of `headers` and reduces `te` to `trailers` or
/// nothing (the rule is in the module documentation).
pub fn strip_connection_specific(headers: &mut HeaderMap) {
    // Most messages carry none of these fields: one pass over the names (a comparison of
    // standard names is an integer compare) saves parsing and hashing each name to remove.
    let present = headers
        .keys()
        .any(|name| name == header::TE || ALWAYS.contains(&name.as_str()));
    if !present {
        return;
    }
    let hop = Hop::of(headers);
    let keep_te = te_trailers(headers);
    for name in ALWAYS {
        headers.remove(name);
    }
    for name in &hop.nominated {
        headers.remove(name);
    }
    headers.remove(header::TE);
    if keep_te {
        headers.insert(header::TE, HeaderValue::from_static("trailers"));
    }
}

/// The members of a comma-separated list (RFC 9110 §5.6.1): optional whitespace around
/// each, empty members skipped.
pub(crate) fn list_members(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|b| *b == b',')
        .map(|member| member.trim_ascii())
        .filter(|member| !member.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    fn names(headers: &HeaderMap) -> Vec<&str> {
        headers.keys().map(HeaderName::as_str).collect()
    }

    #[test]
    fn rfc9113_8_2_2_fixed_connection_specific_fields_go() {
        let mut headers = map(&[
            ("connection", "close"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "h2c"),
            ("http2-settings", "AAMAAABkAAQAAP__"),
            ("accept", "*/*"),
        ]);
        strip_connection_specific(&mut headers);
        assert_eq!(names(&headers), ["accept"]);
    }

    #[test]
    fn rfc9110_7_6_1_fields_named_in_connection_go_case_insensitively_with_ows() {
        let mut headers = map(&[
            ("connection", "X-Hop ,\tx-other,, Keep-Alive"),
            ("connection", "x-third"),
            ("x-hop", "1"),
            ("x-other", "2"),
            ("x-third", "3"),
            ("x-end", "4"),
        ]);
        strip_connection_specific(&mut headers);
        assert_eq!(names(&headers), ["x-end"]);
    }

    #[test]
    fn rfc9110_7_6_1_connection_cannot_remove_framing_or_routing() {
        let mut headers = map(&[
            ("connection", "content-length, host, cookie"),
            ("content-length", "3"),
            ("cookie", "a=1"),
        ]);
        strip_connection_specific(&mut headers);
        assert_eq!(names(&headers), ["content-length"]);
    }

    #[test]
    fn rfc9113_8_2_2_te_is_reduced_to_trailers_or_removed() {
        for (te, kept) in [
            ("trailers", true),
            ("TRAILERS", true),
            ("trailers, deflate", true),
            ("deflate;q=0.5 ,trailers", true),
            ("deflate", false),
            ("trailersx", false),
            ("", false),
        ] {
            let mut headers = map(&[("te", te), ("connection", "te")]);
            strip_connection_specific(&mut headers);
            let expected = kept.then(|| HeaderValue::from_static("trailers"));
            assert_eq!(headers.get(header::TE), expected.as_ref(), "te: {te}");
            assert_eq!(headers.len(), usize::from(kept), "te: {te}");
        }
    }

    #[test]
    fn members_that_are_not_names_are_ignored() {
        let mut headers = map(&[("connection", "a b, ,x"), ("x", "1"), ("a", "2")]);
        strip_connection_specific(&mut headers);
        assert_eq!(names(&headers), ["a"]);
    }
}
