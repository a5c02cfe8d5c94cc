//! Response heads: arbitrary bytes through `collect_responses`, answering GET-like, HEAD or
//! CONNECT requests, under every side, preset and read split. Checks split independence, the
//! framing fields of bodies framed by length or chunked, and that each decoded head (interim
//! ones included) re-encodes to bytes that decode to the same heads with nothing to repair.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h1::{
    Answering, RequestMethod, ResponseDecoder, ResponseEvent, collect_responses,
    encode_response_head,
};
use tollgate_fuzz::{Setup, check_framing_fields, check_reencoded_anomalies};

fuzz_target!(|data: &[u8]| {
    let Some(setup) = Setup::read(data) else {
        return;
    };
    let method = match setup.extra & 3 {
        1 => RequestMethod::Head,
        2 => RequestMethod::Connect,
        _ => RequestMethod::Other,
    };
    // Listing the requests also exercises the bytes that arrive after the last response.
    let answering = if setup.extra & 4 == 0 {
        Answering::Every(method)
    } else {
        Answering::Listed(vec![method; usize::from(setup.extra >> 3) + 1])
    };
    let decode = |reads: &[usize]| {
        collect_responses(
            setup.payload,
            setup.policy.clone(),
            setup.side,
            &answering,
            reads,
        )
    };
    let whole = decode(&[]);
    let split = decode(&setup.reads);
    assert_eq!(
        whole, split,
        "result depends on the reads: {setup:?} {answering:?}"
    );

    for message in &whole.messages {
        let response = &message.message;
        check_framing_fields(response.body, response.head.fields(), response);

        let mut wire = BytesMut::new();
        for interim in &message.informational {
            encode_response_head(interim, &mut wire);
        }
        encode_response_head(&response.head, &mut wire);
        let encoded = wire.clone();
        let mut decoder = ResponseDecoder::new(setup.policy.clone(), setup.side);
        decoder.expect_response(method);
        let mut informational = Vec::new();
        let again = loop {
            match decoder.decode(&mut wire) {
                Ok(Some(ResponseEvent::Informational(head))) => informational.push(head),
                Ok(Some(ResponseEvent::Head(again))) => break again,
                other => panic!("re-encoded heads {encoded:?} of {message:?} decode to {other:?}"),
            }
        };
        assert!(
            wire.is_empty(),
            "re-encoded heads {encoded:?} not consumed whole"
        );
        assert_eq!(
            informational, message.informational,
            "re-encoded {encoded:?} changed"
        );
        assert_eq!(
            again.head, response.head,
            "re-encoded head {encoded:?} changed"
        );
        assert_eq!(
            again.body, response.body,
            "re-encoded head {encoded:?} changed framing"
        );
        check_reencoded_anomalies(decoder.anomalies(), &message.anomalies, &encoded);
    }
});
