//! The translators on what the HTTP/1 codec accepts: requests as a client sends them (default
//! client policy) and responses as an origin sends them (default origin policy), through the
//! neutral form and out again as HTTP/1.1 and HTTP/2.
//!
//! Checks that nothing ambiguous comes out: every HTTP/1 head the translators write decodes
//! under the strict policy with the same method, target or status and exactly the framing the
//! body length says; every HTTP/2 message carries no connection-specific field; a request
//! survives H1 → H2 → H1 with its method, authority and path.

#![no_main]

use std::sync::Arc;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h1::{
    Answering, BodyFraming, RequestDecoder, RequestEvent, RequestMethod, ResponseDecoder,
    ResponseEvent, Version, collect_requests, collect_responses, encode_request_head,
    encode_response_head,
};
use tollgate_codecs::{Policy, Preset, Side};
use tollgate_translators::{
    BodyLen, RequestInfo, ResponseFraming, Scheme, request_from_h1, request_from_h2, request_to_h1,
    request_to_h2, response_from_h1, response_to_h1, response_to_h2,
};

/// Fields RFC 9113 §8.2.2 forbids in HTTP/2 (`te` is allowed only as `trailers`).
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

fn body_len(framing: BodyFraming, selector: u8) -> BodyLen {
    match framing {
        BodyFraming::Empty => BodyLen::Empty,
        BodyFraming::Length(n) if selector & 1 == 0 => BodyLen::Exact(n),
        _ => BodyLen::Unknown,
    }
}

fn check_h2_fields(headers: &http::HeaderMap, request: bool) {
    for name in CONNECTION_SPECIFIC {
        assert!(!headers.contains_key(name), "{name} sent over HTTP/2");
    }
    // In a request Host is replaced by :authority (RFC 9113 §8.3.1); in a response it is
    // just a field.
    if request {
        assert!(
            !headers.contains_key("host"),
            "host sent in an HTTP/2 request"
        );
    }
    if let Some(te) = headers.get("te") {
        assert_eq!(te, "trailers", "te other than trailers over HTTP/2");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let strict = Arc::new(Policy::preset(Preset::Strict));
    if selector & 0x80 == 0 {
        let collected = collect_requests(
            payload,
            Arc::new(Policy::preset(Preset::Default)),
            Side::Client,
            &[],
        );
        for message in &collected.messages {
            let request = &message.message;
            let Ok(parts) = request_from_h1(&request.head, Scheme::Http) else {
                continue;
            };
            let len = body_len(request.body, selector >> 1);

            // Out as HTTP/1.1: our own strict decoder takes it, with the framing asked for.
            if let Ok(head) = request_to_h1(&parts, len) {
                let mut wire = BytesMut::new();
                encode_request_head(&head, &mut wire);
                let mut decoder = RequestDecoder::new(strict.clone(), Side::Client);
                let decoded = decoder.decode(&mut wire);
                let Ok(Some(RequestEvent::Head(again))) = decoded else {
                    panic!("translated request refused: {decoded:?}\n{head:?}");
                };
                assert_eq!(again.head.method(), head.method());
                assert_eq!(again.head.target(), head.target());
                match len {
                    BodyLen::Exact(n) => assert_eq!(again.body, BodyFraming::Length(n)),
                    BodyLen::Unknown => assert_eq!(again.body, BodyFraming::Chunked),
                    BodyLen::Empty => assert!(matches!(
                        again.body,
                        BodyFraming::Empty | BodyFraming::Length(0)
                    )),
                }
            }

            // Out as HTTP/2 and back: the h2 side sees no connection-specific field, and the
            // request comes back the same.
            if let Ok(h2_request) = request_to_h2(&parts, len) {
                check_h2_fields(h2_request.headers(), true);
                let (h2_parts, ()) = h2_request.into_parts();
                let back = request_from_h2(h2_parts, Scheme::Http)
                    .unwrap_or_else(|error| panic!("H2 request refused back: {error}"));
                assert_eq!(back.method, parts.method);
                assert_eq!(back.uri.authority(), parts.uri.authority());
                assert_eq!(back.uri.path_and_query(), parts.uri.path_and_query());
            }
        }
    } else {
        let method = if selector & 1 == 0 {
            RequestMethod::Other
        } else {
            RequestMethod::Head
        };
        let collected = collect_responses(
            payload,
            Arc::new(Policy::preset(Preset::Default)),
            Side::Origin,
            &Answering::Every(method),
            &[],
        );
        for message in &collected.messages {
            let response = &message.message;
            let Ok(parts) = response_from_h1(&response.head) else {
                continue;
            };
            let len = body_len(response.body, selector >> 1);
            let info = RequestInfo {
                method_is_head: method == RequestMethod::Head,
                client_version: if selector & 2 == 0 {
                    Version::Http11
                } else {
                    Version::Http10
                },
                keep_alive: selector & 4 == 0,
            };
            if let Ok((head, framing)) = response_to_h1(&parts, len, info) {
                let mut wire = BytesMut::new();
                encode_response_head(&head, &mut wire);
                let mut decoder = ResponseDecoder::new(strict.clone(), Side::Origin);
                decoder.expect_response(method);
                let decoded = decoder.decode(&mut wire);
                let Ok(Some(ResponseEvent::Head(again))) = decoded else {
                    panic!("translated response refused: {decoded:?}\n{head:?}");
                };
                assert_eq!(again.head.status(), head.status());
                match (framing, again.body) {
                    (ResponseFraming::Length(n), BodyFraming::Length(m)) => assert_eq!(n, m),
                    (ResponseFraming::Chunked, BodyFraming::Chunked)
                    | (ResponseFraming::UntilClose, BodyFraming::UntilClose)
                    | (ResponseFraming::None, _) => {}
                    (framing, body) => panic!("framing {framing:?} written, {body:?} read"),
                }
            }
            check_h2_fields(response_to_h2(&parts, len).headers(), false);
        }
    }
});
