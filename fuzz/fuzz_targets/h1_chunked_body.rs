//! Chunked bodies: arbitrary bytes after a clean chunked request head, decoded under both
//! sides and every preset, in one read and byte by byte. Checks that the two agree, and that a
//! complete body re-encoded with `ChunkedEncoder` decodes to the same data and trailers with
//! nothing to repair.

#![no_main]

use std::sync::Arc;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h1::{BodyFraming, ChunkedEncoder, collect_requests};
use tollgate_codecs::{Policy, Preset, Side};
use tollgate_fuzz::check_reencoded_anomalies;

const HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

/// Odd, so that the re-encoded chunk boundaries seldom fall where the fuzzed ones did.
const PIECE: usize = 7;

fuzz_target!(|body: &[u8]| {
    let mut input = HEAD.to_vec();
    input.extend_from_slice(body);
    let bytewise = vec![1; input.len()];
    for side in [Side::Client, Side::Origin] {
        for preset in [Preset::Strict, Preset::Default, Preset::Lenient] {
            let policy = Arc::new(Policy::preset(preset));
            let whole = collect_requests(&input, policy.clone(), side, &[]);
            let split = collect_requests(&input, policy.clone(), side, &bytewise);
            assert_eq!(
                whole, split,
                "{side} {preset:?}: result depends on the reads"
            );

            let Some(first) = whole.messages.first() else {
                panic!("{side} {preset:?}: the clean head did not decode: {whole:?}");
            };
            assert_eq!(first.message.body, BodyFraming::Chunked);
            if !first.complete {
                continue;
            }
            let mut wire = BytesMut::from(HEAD);
            let mut encoder = ChunkedEncoder::new();
            for piece in first.body.chunks(PIECE) {
                encoder.encode_chunk(piece, &mut wire);
            }
            encoder.encode_end(first.trailers.as_ref(), &mut wire);
            let again = collect_requests(&wire, policy.clone(), side, &[]);
            let context = (side, preset, &wire);
            assert_eq!(again.error, None, "{context:?}");
            let [second] = &again.messages[..] else {
                panic!("{context:?}: re-encoded body decodes to {again:?}");
            };
            assert!(second.complete, "{context:?}");
            assert_eq!(second.body, first.body, "{context:?}");
            assert_eq!(second.trailers, first.trailers, "{context:?}");
            check_reencoded_anomalies(&second.anomalies, &first.anomalies, &context);
        }
    }
});
