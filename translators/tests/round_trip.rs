//! Round trips through both versions: HTTP/1 → neutral → `h2` → neutral → HTTP/1 keeps what
//! is end to end (method, authority, path, the multiset of end-to-end fields, cookie crumbs in
//! order) and loses what is connection-specific.

#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] functions: a failed unwrap is a failed test"
)]

use http::Version;
use proptest::prelude::*;
use tollgate_codecs::h1::{self, Fields, RequestHead, ResponseHead};
use tollgate_translators::{
    BodyLen, RequestInfo, ResponseFraming, Scheme, request_from_h1, request_from_h2, request_to_h1,
    request_to_h2, response_from_h1, response_from_h2, response_to_h1, response_to_h2,
};

/// Names no rule touches, in mixed case (HTTP/1 names are case-insensitive).
fn end_to_end_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[xX]-[a-zA-Z]{1,6}",
        Just("Accept".to_owned()),
        Just("user-agent".to_owned()),
        Just("Cache-Control".to_owned()),
        Just("X-Forwarded-For".to_owned()),
    ]
}

/// Visible ASCII with inner spaces: what a field line carries unchanged.
fn value() -> impl Strategy<Value = String> {
    "[!-~]([ !-~]{0,14}[!-~])?"
}

fn crumb() -> impl Strategy<Value = String> {
    "[a-z]{1,5}=[a-zA-Z0-9]{0,5}"
}

fn body() -> impl Strategy<Value = BodyLen> {
    prop_oneof![
        Just(BodyLen::Empty),
        Just(BodyLen::Unknown),
        (0u64..100_000).prop_map(BodyLen::Exact),
    ]
}

/// Connection-specific fields an HTTP/1 peer may send, any of which must vanish; a field
/// named in Connection goes with its Connection field.
fn hop_fields() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    proptest::sample::subsequence(
        vec![
            &[("Connection", "keep-alive, Hop-Only"), ("Hop-Only", "1")][..],
            &[("Keep-Alive", "timeout=5")][..],
            &[("Upgrade", "h2c")][..],
            &[("Proxy-Connection", "keep-alive")][..],
            &[("TE", "deflate")][..],
        ],
        0..=5,
    )
    .prop_map(|groups| groups.concat())
}

fn lowercase_sorted(fields: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut fields: Vec<_> = fields
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect();
    fields.sort();
    fields
}

fn pairs(fields: &Fields) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|field| {
            (
                String::from_utf8(field.name.to_vec()).unwrap(),
                String::from_utf8(field.value.to_vec()).unwrap(),
            )
        })
        .collect()
}

/// The fields the output side writes itself, or that are only about the hop.
const WRITTEN_BY_OUTPUT: [&str; 6] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "cookie",
    "te",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn request_h1_h2_h1_keeps_what_is_end_to_end(
        method in prop_oneof![
            Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("PATCH"),
            Just("HEAD"), Just("OPTIONS"), Just("PURGE"),
        ],
        host in "[a-z]{1,10}(\\.[a-z]{2,5})?(:[1-9][0-9]{0,3})?",
        path in "/[a-zA-Z0-9._~/-]{0,20}(\\?[a-z0-9=&]{0,10})?",
        fields in proptest::collection::vec((end_to_end_name(), value()), 0..12),
        cookie_lines in proptest::collection::vec(
            proptest::collection::vec(crumb(), 1..4), 0..3),
        hops in hop_fields(),
        trailers_offered in any::<bool>(),
        scheme in prop_oneof![Just(Scheme::Http), Just(Scheme::Https)],
        body in body(),
    ) {
        let mut wire: Vec<(String, String)> = vec![("Host".to_owned(), host.clone())];
        let mut lines = cookie_lines.iter();
        for (index, field) in fields.iter().enumerate() {
            wire.push(field.clone());
            // Cookie lines interleaved with the other fields.
            if index % 3 == 0 && let Some(line) = lines.next() {
                wire.push(("Cookie".to_owned(), line.join("; ")));
            }
        }
        wire.extend(lines.map(|line| ("cookie".to_owned(), line.join(";"))));
        wire.extend(hops.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        if trailers_offered {
            wire.push(("TE".to_owned(), "trailers, gzip".to_owned()));
        }
        let head = RequestHead::new(
            method.as_bytes(), path.as_bytes(), h1::Version::Http11,
            wire.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        ).unwrap();

        let neutral = request_from_h1(&head, scheme).unwrap();
        let to_origin = request_to_h2(&neutral, body).unwrap();
        let (received, ()) = to_origin.into_parts();
        prop_assert_eq!(received.version, Version::HTTP_2);
        prop_assert!(!received.headers.contains_key("host"));
        let again = request_from_h2(received, scheme).unwrap();
        let out = request_to_h1(&again, body).unwrap();

        prop_assert_eq!(out.method(), method.as_bytes());
        prop_assert_eq!(out.target(), path.as_bytes());
        let out_fields = pairs(out.fields());
        prop_assert_eq!(&out_fields[0], &("host".to_owned(), host.clone()));
        let kept = out_fields
            .iter()
            .filter(|(name, _)| !WRITTEN_BY_OUTPUT.contains(&name.as_str()))
            .cloned();
        prop_assert_eq!(lowercase_sorted(kept), lowercase_sorted(fields.iter().cloned()));

        let crumbs: Vec<&String> = cookie_lines.iter().flatten().collect();
        let cookie: Vec<&String> = out_fields
            .iter()
            .filter(|(name, _)| name == "cookie")
            .map(|(_, value)| value)
            .collect();
        if crumbs.is_empty() {
            prop_assert!(cookie.is_empty());
        } else {
            let joined = crumbs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("; ");
            prop_assert_eq!(cookie, vec![&joined]);
        }

        let get = |name: &str| {
            out_fields.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>()
        };
        prop_assert_eq!(get("te"), if trailers_offered { vec!["trailers"] } else { vec![] });
        prop_assert_eq!(get("connection"), if trailers_offered { vec!["te"] } else { vec![] });
        for hop in ["hop-only", "keep-alive", "upgrade", "proxy-connection"] {
            prop_assert!(get(hop).is_empty(), "{} survived", hop);
        }
        let framing = (get("content-length"), get("transfer-encoding"));
        let expected_length = match body {
            BodyLen::Exact(n) => vec![n.to_string()],
            BodyLen::Empty if ["POST", "PUT", "PATCH"].contains(&method) => vec!["0".to_owned()],
            BodyLen::Empty | BodyLen::Unknown => vec![],
        };
        let expected_te = if body == BodyLen::Unknown { vec!["chunked"] } else { vec![] };
        prop_assert_eq!(framing.0, expected_length.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(framing.1, expected_te);
    }

    #[test]
    fn response_h1_h2_h1_keeps_what_is_end_to_end(
        status in prop_oneof![
            Just(200u16), Just(201), Just(203), Just(206), Just(301), Just(302),
            Just(404), Just(500), Just(503), Just(204), Just(304),
        ],
        fields in proptest::collection::vec((end_to_end_name(), value()), 0..12),
        set_cookies in proptest::collection::vec(value(), 0..4),
        hops in hop_fields(),
        body in body(),
        length in 0u64..1000,
    ) {
        let mut wire: Vec<(String, String)> = fields.clone();
        wire.extend(set_cookies.iter().map(|v| ("Set-Cookie".to_owned(), v.clone())));
        wire.extend(hops.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        wire.push(("Content-Length".to_owned(), length.to_string()));
        let head = ResponseHead::new(
            h1::Version::Http11, status, b"Anything",
            wire.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        ).unwrap();

        let neutral = response_from_h1(&head).unwrap();
        let (received, ()) = response_to_h2(&neutral, body).into_parts();
        let again = response_from_h2(received);
        let client = RequestInfo {
            method_is_head: false,
            client_version: h1::Version::Http11,
            keep_alive: true,
        };
        let (out, framing) = response_to_h1(&again, body, client).unwrap();

        prop_assert_eq!(out.status(), status);
        let out_fields = pairs(out.fields());
        let kept = out_fields
            .iter()
            .filter(|(name, _)| !WRITTEN_BY_OUTPUT.contains(&name.as_str()) && name != "set-cookie")
            .cloned();
        prop_assert_eq!(lowercase_sorted(kept), lowercase_sorted(fields.iter().cloned()));
        let out_set_cookies: Vec<&String> = out_fields
            .iter()
            .filter(|(name, _)| name == "set-cookie")
            .map(|(_, value)| value)
            .collect();
        prop_assert_eq!(out_set_cookies, set_cookies.iter().collect::<Vec<_>>());
        for hop in ["hop-only", "keep-alive", "upgrade", "proxy-connection", "connection", "te"] {
            prop_assert!(!out_fields.iter().any(|(n, _)| n == hop), "{} survived", hop);
        }
        let expected = match (status, body) {
            (204 | 304, _) => ResponseFraming::None,
            (_, BodyLen::Exact(n)) => ResponseFraming::Length(n),
            (_, BodyLen::Empty) => ResponseFraming::Length(0),
            (_, BodyLen::Unknown) => ResponseFraming::Chunked,
        };
        prop_assert_eq!(framing, expected);
    }
}
