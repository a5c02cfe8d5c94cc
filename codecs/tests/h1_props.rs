//! Property tests of the HTTP/1 codec:
//!
//! - the result does not depend on how the input is split into reads (messy inputs full of
//!   deviations, and random bytes);
//! - encode ∘ parse is the identity on valid heads and bodies, with no anomaly;
//! - the decoder never consumes past the end of the message it reports;
//! - the httparse fast path and the lenient slow path agree on clean heads;
//! - whatever the policy repaired re-encodes to a head that needs no repair.

#![allow(
    clippy::expect_used,
    reason = "strategies outside #[test] functions build heads the generators keep valid; a failure is a failing test"
)]

mod support;

use std::sync::Arc;

use bytes::BytesMut;
use proptest::prelude::*;
use tollgate_codecs::h1::{
    BodyFraming, ChunkedEncoder, Fields, RequestDecoder, RequestEvent, RequestHead, ResponseHead,
    Version, encode_request_head, encode_response_head,
};
use tollgate_codecs::{Action, Deviation, Policy, Preset, Side};

use support::{Kind, run, run_whole};

/// `cases` by default; `PROPTEST_CASES` overrides it for deeper runs.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(cases);
    ProptestConfig::with_cases(cases)
}

fn preset() -> impl Strategy<Value = Preset> {
    prop_oneof![
        Just(Preset::Strict),
        Just(Preset::Default),
        Just(Preset::Lenient)
    ]
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Client), Just(Side::Origin)]
}

fn line_ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => Just("\r\n"), 1 => Just("\n"), 1 => Just("\r")]
}

fn request_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("GET / HTTP/1.1".to_owned()),
        2 => Just("POST /upload?x=1 HTTP/1.1".to_owned()),
        1 => Just("GET  /a HTTP/1.1".to_owned()),
        1 => Just("GET /a|b#frag HTTP/1.1".to_owned()),
        1 => Just("GET http://u@x.test/p HTTP/1.1".to_owned()),
        1 => Just("CONNECT x.test:443 HTTP/1.1".to_owned()),
        1 => Just("OPTIONS * HTTP/1.0".to_owned()),
        1 => Just("HEAD / HTTP/1.2".to_owned()),
        1 => "[A-Z]{1,6} /[a-z0-9/?=&]{0,12} HTTP/1\\.[0-2]",
    ]
}

fn status_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("HTTP/1.1 200 OK".to_owned()),
        1 => Just("HTTP/1.1 204 No Content".to_owned()),
        1 => Just("HTTP/1.1 100 Continue".to_owned()),
        1 => Just("HTTP/1.0 304 Not Modified".to_owned()),
        1 => Just("HTTP/1.1  200 OK".to_owned()),
        1 => Just("HTTP/1.1 200".to_owned()),
        1 => Just("HTTP/1.1 600 Odd".to_owned()),
        1 => Just("<html>".to_owned()),
        1 => "HTTP/1\\.[01] [1-5][0-9]{2} [A-Za-z ]{0,8}",
    ]
}

fn field_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Host: a.test".to_owned()),
        3 => "X-[a-z]{1,6}: [ -~]{0,12}".prop_map(|line| line.trim_end().to_owned()),
        2 => (0u32..20).prop_map(|n| format!("Content-Length: {n}")),
        2 => Just("Transfer-Encoding: chunked".to_owned()),
        1 => Just("Content-Length: 3, 3".to_owned()),
        1 => Just("Content-Length: 007".to_owned()),
        1 => Just("Transfer-Encoding: gzip, chunked".to_owned()),
        1 => Just("Transfer-Encoding: identity".to_owned()),
        1 => Just("Transfer-Encoding: \"chunked\"".to_owned()),
        1 => Just("Transfer_Encoding: chunked".to_owned()),
        1 => Just(" folded continuation".to_owned()),
        1 => Just("X-Space : y".to_owned()),
        1 => Just("X@Bad: y".to_owned()),
        1 => Just("no colon here".to_owned()),
        1 => Just("X-Ctl: a\u{1}b".to_owned()),
        1 => Just("X-Nul: a\u{0}b".to_owned()),
        1 => Just("Expect: 100-continue".to_owned()),
        1 => Just("Expect: nonsense".to_owned()),
        1 => Just("Connection: close".to_owned()),
        1 => Just("Connection: keep-alive, Content-Length".to_owned()),
        1 => Just("Upgrade: h2c".to_owned()),
        1 => Just("Host: other.test".to_owned()),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => proptest::collection::vec(any::<u8>(), 0..24),
        2 => (proptest::collection::vec("[a-z]{1,9}", 0..4), proptest::bool::ANY).prop_map(
            |(chunks, trailer)| {
                let mut out = String::new();
                for (index, chunk) in chunks.iter().enumerate() {
                    let ext = if index % 2 == 1 { ";ext=v" } else { "" };
                    out.push_str(&format!("{:x}{ext}\r\n{chunk}\r\n", chunk.len()));
                }
                out.push_str("0\r\n");
                if trailer {
                    out.push_str("X-Trailer: t\r\n");
                }
                out.push_str("\r\n");
                out.into_bytes()
            }
        ),
    ]
}

fn message(start: BoxedStrategy<String>) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::bool::weighted(0.1),
        start,
        proptest::collection::vec((field_line(), line_ending()), 0..7),
        line_ending(),
        line_ending(),
        body(),
    )
        .prop_map(|(leading, start, fields, start_end, blank, body)| {
            let mut out = Vec::new();
            if leading {
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(start.as_bytes());
            out.extend_from_slice(start_end.as_bytes());
            for (field, end) in fields {
                out.extend_from_slice(field.as_bytes());
                out.extend_from_slice(end.as_bytes());
            }
            out.extend_from_slice(blank.as_bytes());
            out.extend_from_slice(&body);
            out
        })
}

fn messy(start: BoxedStrategy<String>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::collection::vec(message(start), 1..4).prop_map(|messages| messages.concat()),
        1 => proptest::collection::vec(any::<u8>(), 0..96),
    ]
}

fn reads() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..24, 0..12)
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn requests_decode_the_same_however_split(
        input in messy(request_line().boxed()),
        reads in reads(),
        preset in preset(),
        side in side(),
    ) {
        let policy = Policy::preset(preset);
        let whole = run_whole(&Kind::Requests, &input, &policy, side);
        let split = run(&Kind::Requests, &input, &policy, side, &reads);
        prop_assert_eq!(whole, split);
        let bytewise = run(&Kind::Requests, &input, &policy, side, &vec![1; input.len()]);
        prop_assert_eq!(run_whole(&Kind::Requests, &input, &policy, side), bytewise);
    }

    #[test]
    fn responses_decode_the_same_however_split(
        input in messy(status_line().boxed()),
        reads in reads(),
        preset in preset(),
        side in side(),
    ) {
        let policy = Policy::preset(preset);
        let kind = Kind::responses();
        let whole = run_whole(&kind, &input, &policy, side);
        prop_assert_eq!(&whole, &run(&kind, &input, &policy, side, &reads));
        prop_assert_eq!(&whole, &run(&kind, &input, &policy, side, &vec![1; input.len()]));
    }

    #[test]
    fn repaired_heads_need_no_further_repair(
        input in messy(request_line().boxed()),
        preset in preset(),
        side in side(),
    ) {
        let policy = Arc::new(Policy::preset(preset));
        let collected = tollgate_codecs::h1::collect_requests(&input, policy.clone(), side, &[]);
        for message in collected.messages.iter().filter(|m| m.complete) {
            let mut encoded = BytesMut::new();
            encode_request_head(&message.message.head, &mut encoded);
            match message.message.body {
                BodyFraming::Chunked => {
                    let mut encoder = ChunkedEncoder::new();
                    encoder.encode_chunk(&message.body, &mut encoded);
                    encoder.encode_end(message.trailers.as_ref(), &mut encoded);
                }
                _ => encoded.extend_from_slice(&message.body),
            }
            let again = tollgate_codecs::h1::collect_requests(&encoded, policy.clone(), side, &[]);
            prop_assert_eq!(again.error, None, "{:?}", encoded);
            prop_assert_eq!(&again.messages[0].message.head, &message.message.head);
            prop_assert_eq!(again.messages[0].message.body, message.message.body);
            prop_assert_eq!(&again.messages[0].body, &message.body);
            prop_assert_eq!(&again.messages[0].trailers, &message.trailers);
            for anomaly in again.anomalies() {
                // Repairs that change how the message is read, not its head, meet the same
                // head again: HTTP/1.0 with Transfer-Encoding is decoded and then closed.
                let head_kept = anomaly.deviation == Deviation::TeInHttp10;
                prop_assert!(
                    anomaly.action == Action::Accept || head_kept,
                    "{} after re-encoding", anomaly
                );
            }
            // Never both Content-Length and chunked framing.
            if message.message.body == BodyFraming::Chunked {
                prop_assert!(!message.message.head.fields().contains("content-length"));
            }
            if let BodyFraming::Length(_) = message.message.body {
                prop_assert!(!message.message.head.fields().contains("transfer-encoding"));
            }
        }
    }
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn field_value() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,20}[!-~])?"
}

fn extra_fields() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (token().prop_map(|t| format!("x-{t}")), field_value()),
        0..8,
    )
}

fn valid_request() -> impl Strategy<Value = (RequestHead, Vec<u8>)> {
    (
        prop_oneof![
            Just("GET"),
            Just("POST"),
            Just("PUT"),
            Just("DELETE"),
            Just("PATCH")
        ],
        "/[a-zA-Z0-9/._~%!$&'()*+,;=:@?-]{0,30}",
        prop_oneof![Just(Version::Http10), Just(Version::Http11)],
        "[a-z]{1,10}(\\.[a-z]{2,5})?(:[0-9]{1,5})?",
        extra_fields(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(method, target, version, host, extra, body)| {
            let mut fields = vec![("Host".to_owned(), host)];
            fields.extend(extra);
            fields.push(("Content-Length".to_owned(), body.len().to_string()));
            let head = RequestHead::new(method.as_bytes(), target.as_bytes(), version, fields)
                .expect("generated heads are valid");
            (head, body)
        })
}

fn valid_response() -> impl Strategy<Value = ResponseHead> {
    (
        prop_oneof![Just(Version::Http10), Just(Version::Http11)],
        200u16..600,
        "[A-Za-z]([A-Za-z ]{0,15}[A-Za-z])?",
        extra_fields(),
    )
        .prop_filter("no 204/304: bodiless by status", |(_, status, _, _)| {
            *status != 204 && *status != 304
        })
        .prop_map(|(version, status, reason, extra)| {
            ResponseHead::new(version, status, reason.as_bytes(), extra)
                .expect("generated heads are valid")
        })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn request_heads_round_trip_without_anomalies((head, body) in valid_request()) {
        let mut wire = BytesMut::new();
        encode_request_head(&head, &mut wire);
        wire.extend_from_slice(&body);
        let seen = tollgate_codecs::h1::collect_requests(
            &wire, Arc::new(Policy::preset(Preset::Strict)), Side::Client, &[],
        );
        prop_assert_eq!(seen.error, None);
        prop_assert_eq!(seen.anomalies().count(), 0);
        prop_assert_eq!(seen.messages.len(), 1);
        prop_assert_eq!(&seen.messages[0].message.head, &head);
        prop_assert_eq!(&seen.messages[0].body, &body);
    }

    #[test]
    fn response_heads_round_trip_without_anomalies(head in valid_response()) {
        let mut wire = BytesMut::new();
        encode_response_head(&head, &mut wire);
        let seen = tollgate_codecs::h1::collect_responses(
            &wire,
            Arc::new(Policy::preset(Preset::Strict)),
            Side::Origin,
            &tollgate_codecs::h1::Answering::Every(tollgate_codecs::h1::RequestMethod::Other),
            &[],
        );
        prop_assert_eq!(seen.error, None);
        prop_assert_eq!(seen.anomalies().count(), 0);
        prop_assert_eq!(&seen.messages[0].message.head, &head);
        prop_assert_eq!(seen.messages[0].message.body, BodyFraming::UntilClose);
    }

    #[test]
    fn chunked_bodies_round_trip(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..6),
        trailers in extra_fields(),
        reads in reads(),
    ) {
        let mut wire = BytesMut::from(&b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"[..]);
        let mut encoder = ChunkedEncoder::new();
        for chunk in &chunks {
            encoder.encode_chunk(chunk, &mut wire);
        }
        let trailer_fields = Fields::from_pairs(trailers.clone()).expect("valid trailers");
        encoder.encode_end(Some(&trailer_fields), &mut wire);
        let seen = tollgate_codecs::h1::collect_requests(
            &wire, Arc::new(Policy::preset(Preset::Strict)), Side::Client, &reads,
        );
        prop_assert_eq!(seen.error, None);
        prop_assert_eq!(seen.anomalies().count(), 0);
        let message = &seen.messages[0];
        prop_assert_eq!(&message.body, &chunks.concat());
        let expected = if trailers.is_empty() { None } else { Some(trailer_fields) };
        prop_assert_eq!(&message.trailers, &expected);
    }

    #[test]
    fn the_decoder_never_consumes_past_the_message(
        (head, body) in valid_request(),
        chunked in proptest::bool::ANY,
        garbage in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut message = BytesMut::new();
        if chunked {
            let fields: Vec<(Vec<u8>, Vec<u8>)> = head
                .fields()
                .iter()
                .filter(|field| !field.is("content-length"))
                .map(|field| (field.name.to_vec(), field.value.to_vec()))
                .chain([(b"Transfer-Encoding".to_vec(), b"chunked".to_vec())])
                .collect();
            let head = RequestHead::new(head.method(), head.target(), Version::Http11, fields)
                .expect("valid");
            encode_request_head(&head, &mut message);
            let mut encoder = ChunkedEncoder::new();
            encoder.encode_chunk(&body, &mut message);
            encoder.encode_end(None, &mut message);
        } else {
            encode_request_head(&head, &mut message);
            message.extend_from_slice(&body);
        }
        let mut src = BytesMut::from(&message[..]);
        src.extend_from_slice(&garbage);
        let mut decoder = RequestDecoder::new(Arc::new(Policy::default()), Side::Client);
        let mut data = Vec::new();
        loop {
            match decoder.decode(&mut src).expect("valid message") {
                Some(RequestEvent::End) => break,
                Some(RequestEvent::Data(bytes)) => data.extend_from_slice(&bytes),
                Some(_) => {}
                None => prop_assert!(false, "needed more input for a complete message"),
            }
        }
        prop_assert_eq!(decoder.offset(), message.len() as u64);
        prop_assert_eq!(&src[..], &garbage[..]);
        prop_assert_eq!(data, body);
    }

    #[test]
    fn fast_and_slow_paths_agree((head, body) in valid_request(), side in side()) {
        let mut wire = BytesMut::new();
        encode_request_head(&head, &mut wire);
        wire.extend_from_slice(&body);
        // A leading empty line sends the same head down the lenient slow path.
        let mut slow_wire = BytesMut::from(&b"\r\n"[..]);
        slow_wire.extend_from_slice(&wire);
        let policy = Policy::preset(Preset::Lenient);
        let fast = run_whole(&Kind::Requests, &wire, &policy, side);
        let mut slow = run_whole(&Kind::Requests, &slow_wire, &policy, side);
        prop_assert_eq!(slow.anomalies.len(), 1);
        prop_assert_eq!(slow.anomalies[0].deviation, Deviation::LeadingEmptyLines);
        slow.anomalies.clear();
        slow.consumed -= 2;
        prop_assert_eq!(fast, slow);
    }
}
