//! The message decoders' API: pauses around upgrades, tunnels, outstanding responses,
//! anomalies per message, and what happens after an error.

use std::sync::Arc;

use bytes::BytesMut;
use tollgate_codecs::h1::{
    BodyFraming, ErrorKind, RequestDecoder, RequestEvent, RequestMethod, ResponseDecoder,
    ResponseEvent,
};
use tollgate_codecs::{Deviation, Policy, Side};

fn requests() -> RequestDecoder {
    RequestDecoder::new(Arc::new(Policy::default()), Side::Client)
}

fn next_request(decoder: &mut RequestDecoder, src: &mut BytesMut) -> Option<RequestEvent> {
    match decoder.decode(src) {
        Ok(event) => event,
        Err(error) => panic!("valid input refused: {error}"),
    }
}

#[test]
fn an_upgrade_offer_pauses_until_the_caller_decides() {
    let upgrade =
        b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    let mut src = BytesMut::from(&upgrade[..]);
    src.extend_from_slice(b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    let mut decoder = requests();
    let Some(RequestEvent::Head(request)) = next_request(&mut decoder, &mut src) else {
        panic!("head expected");
    };
    assert!(request.offers_upgrade);
    assert_eq!(
        next_request(&mut decoder, &mut src),
        Some(RequestEvent::End)
    );
    assert!(decoder.is_paused());
    let waiting = src.len();
    assert_eq!(next_request(&mut decoder, &mut src), None);
    assert_eq!(src.len(), waiting, "nothing is consumed while paused");
    // The origin declined (no 101): the next bytes are HTTP again.
    decoder.resume();
    assert!(!decoder.is_paused());
    let Some(RequestEvent::Head(next)) = next_request(&mut decoder, &mut src) else {
        panic!("second head expected");
    };
    assert_eq!(next.head.target(), b"/next");
}

#[test]
fn a_tunnel_hands_out_every_byte() {
    let mut src =
        BytesMut::from(&b"CONNECT x.test:443 HTTP/1.1\r\nHost: x.test:443\r\n\r\n\x16\x03\x01"[..]);
    let mut decoder = requests();
    assert!(matches!(
        next_request(&mut decoder, &mut src),
        Some(RequestEvent::Head(_))
    ));
    assert_eq!(
        next_request(&mut decoder, &mut src),
        Some(RequestEvent::End)
    );
    assert!(decoder.is_paused());
    decoder.start_tunnel();
    assert_eq!(
        next_request(&mut decoder, &mut src),
        Some(RequestEvent::Data(bytes::Bytes::from_static(
            b"\x16\x03\x01"
        )))
    );
    assert!(src.is_empty());
}

#[test]
fn errors_are_sticky() {
    let mut src = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n"[..]);
    let mut decoder = requests();
    let first = decoder.decode(&mut src).unwrap_err();
    assert_eq!(
        first.kind(),
        ErrorKind::Rejected(Deviation::SpaceBeforeColon)
    );
    let mut more = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..]);
    assert_eq!(decoder.decode(&mut more).unwrap_err(), first);
}

#[test]
fn anomalies_are_taken_per_message() {
    let mut src = BytesMut::from(
        &b"GET /a#x HTTP/1.1\r\nHost: a\r\n\r\nGET /b#y HTTP/1.1\r\nHost: a\r\n\r\n"[..],
    );
    let mut decoder = requests();
    let mut per_message = Vec::new();
    while let Some(event) = next_request(&mut decoder, &mut src) {
        if event == RequestEvent::End {
            per_message.push(decoder.take_anomalies());
        }
    }
    assert_eq!(per_message.len(), 2);
    assert_eq!(per_message[0].len(), 1);
    assert_eq!(per_message[0][0].deviation, Deviation::FragmentInTarget);
    assert_eq!(per_message[1][0].offset, 30 + 6);
}

#[test]
fn responses_follow_the_requests_announced() {
    let mut decoder = ResponseDecoder::new(Arc::new(Policy::default()), Side::Origin);
    decoder.expect_response(RequestMethod::Head);
    decoder.expect_response(RequestMethod::Other);
    assert_eq!(decoder.pending(), 2);
    let mut src = BytesMut::from(
        &b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"[..],
    );
    let mut framings = Vec::new();
    let mut data = Vec::new();
    while let Some(event) = decoder.decode(&mut src).unwrap() {
        match event {
            ResponseEvent::Head(response) => framings.push(response.body),
            ResponseEvent::Data(bytes) => data.extend_from_slice(&bytes),
            _ => {}
        }
    }
    assert_eq!(framings, [BodyFraming::Empty, BodyFraming::Length(4)]);
    assert_eq!(data, b"body");
    assert_eq!(decoder.pending(), 0);
    assert!(decoder.anomalies().is_empty());
}

#[test]
fn a_body_until_close_ends_at_end_of_input() {
    let mut decoder = ResponseDecoder::new(Arc::new(Policy::default()), Side::Origin);
    decoder.expect_response(RequestMethod::Other);
    let mut src = BytesMut::from(&b"HTTP/1.0 200 OK\r\n\r\nall of it"[..]);
    assert!(matches!(
        decoder.decode(&mut src).unwrap(),
        Some(ResponseEvent::Head(_))
    ));
    assert!(matches!(
        decoder.decode(&mut src).unwrap(),
        Some(ResponseEvent::Data(_))
    ));
    assert_eq!(decoder.decode(&mut src).unwrap(), None);
    assert_eq!(
        decoder.decode_eof(&mut src).unwrap(),
        Some(ResponseEvent::End)
    );
}

#[test]
fn http09_is_never_the_answer_to_head() {
    let lenient = Arc::new(Policy::preset(tollgate_codecs::Preset::Lenient));
    let mut decoder = ResponseDecoder::new(lenient.clone(), Side::Origin);
    decoder.expect_response(RequestMethod::Head);
    let mut src = BytesMut::from(&b"<html>hi</html>"[..]);
    let error = decoder.decode(&mut src).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected(Deviation::Http09Response));
    // The same bytes answering a GET are read as HTTP/0.9 under the lenient preset.
    let mut decoder = ResponseDecoder::new(lenient, Side::Origin);
    decoder.expect_response(RequestMethod::Other);
    let mut src = BytesMut::from(&b"<html>hi</html>"[..]);
    let Some(ResponseEvent::Head(response)) = decoder.decode(&mut src).unwrap() else {
        panic!("head expected");
    };
    assert_eq!(response.body, BodyFraming::UntilClose);
}

#[test]
fn a_chunk_size_glued_to_garbage_is_refused_not_read_as_a_shorter_size() {
    // `0x5` read as size 0 plus an ignored extension would end the body at once: an origin's
    // five bytes silently dropped and the response passed on as complete.
    for size in ["0x5", "5g", "0-5"] {
        for side in [Side::Client, Side::Origin] {
            let mut decoder = ResponseDecoder::new(Arc::new(Policy::default()), side);
            decoder.expect_response(RequestMethod::Other);
            let mut src = BytesMut::from(
                format!(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
                )
                .as_bytes(),
            );
            let error = loop {
                match decoder.decode(&mut src) {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("{size}: the body was accepted"),
                    Err(error) => break error,
                }
            };
            assert_eq!(error.kind(), ErrorKind::InvalidChunkSize, "{size}");
        }
    }
}
