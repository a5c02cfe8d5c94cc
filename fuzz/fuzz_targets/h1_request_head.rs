//! Request heads: arbitrary bytes through `collect_requests` under every side, preset and read
//! split. Checks that the result does not depend on the split, that no decoded request is
//! framed both ways, and that each decoded head re-encodes to bytes that decode to the same
//! head with nothing left to repair.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h1::{RequestDecoder, RequestEvent, collect_requests, encode_request_head};
use tollgate_fuzz::{Setup, check_framing_fields, check_reencoded_anomalies};

fuzz_target!(|data: &[u8]| {
    let Some(setup) = Setup::read(data) else {
        return;
    };
    let whole = collect_requests(setup.payload, setup.policy.clone(), setup.side, &[]);
    let split = collect_requests(
        setup.payload,
        setup.policy.clone(),
        setup.side,
        &setup.reads,
    );
    assert_eq!(whole, split, "result depends on the reads: {setup:?}");

    for message in &whole.messages {
        let request = &message.message;
        check_framing_fields(request.body, request.head.fields(), request);

        let mut wire = BytesMut::new();
        encode_request_head(&request.head, &mut wire);
        let encoded = wire.clone();
        let mut decoder = RequestDecoder::new(setup.policy.clone(), setup.side);
        let again = match decoder.decode(&mut wire) {
            Ok(Some(RequestEvent::Head(again))) => again,
            other => panic!("re-encoded head {encoded:?} of {request:?} decodes to {other:?}"),
        };
        assert!(
            wire.is_empty(),
            "re-encoded head {encoded:?} not consumed whole"
        );
        assert_eq!(
            again.head, request.head,
            "re-encoded head {encoded:?} changed"
        );
        assert_eq!(
            again.body, request.body,
            "re-encoded head {encoded:?} changed framing"
        );
        check_reencoded_anomalies(decoder.anomalies(), &message.anomalies, &encoded);
    }
});
