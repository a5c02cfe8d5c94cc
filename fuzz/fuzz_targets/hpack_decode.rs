//! HPACK decoding: arbitrary bytes as a sequence of header blocks in one compression context.
//! Checks that nothing panics, that a decoded list never exceeds the limits, that the dynamic
//! table stays within its maximum, that a connection error sticks and a limit error does not,
//! and that every decoded list re-encoded by the `Encoder` decodes again (in a second context
//! that follows the same table size settings) to the same fields, never-indexed ones still
//! never indexed, with both sides' tables equal.
//!
//! # Input layout
//!
//! | bytes | meaning |
//! |-------|---------|
//! | 0     | limits: bits 0–1 `max_fields` (100, 8, 1000, 1), bits 2–3 `max_list_size` (64 KiB, 1 KiB, 16 KiB, 100), bits 4–5 `max_string_len` (16 KiB, 256, 4 KiB, 8) |
//! | then  | a sequence of: `0xf1..=0xff`, a SETTINGS_HEADER_TABLE_SIZE change to `TABLE_SIZES[byte - 0xf1]`; or two bytes `hi lo` and a block of `hi << 8 \| lo` bytes (cut at the end of the input) |
//!
//! The seeds in `fuzz/seeds/hpack_decode` follow this layout: hpack-test-case stories, the RFC
//! 7541 Appendix C examples, HPACK bombs (HC-01, HC-02, cookie crumbs), Huffman edge cases
//! and size-update games.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h2::hpack::{Decoder, Encoder, HeaderBlock, HeaderField, Limits};

/// The table sizes a control byte can set.
const TABLE_SIZES: [usize; 15] = [
    0,
    1,
    32,
    64,
    100,
    256,
    1024,
    1365,
    2730,
    4096,
    8192,
    16384,
    65536,
    1 << 20,
    u32::MAX as usize,
];

fn limits(config: u8) -> Limits {
    let pick = |shift: u8, choices: [usize; 4]| choices[usize::from((config >> shift) & 3)];
    Limits {
        max_fields: pick(0, [100, 8, 1000, 1]),
        max_list_size: pick(2, [64 * 1024, 1024, 16 * 1024, 100]),
        max_string_len: pick(4, [16 * 1024, 256, 4096, 8]),
    }
}

fn check_table(decoder: &Decoder) {
    let table = decoder.dynamic_table();
    assert!(table.size() <= table.max_size(), "{table:?}");
    assert!(table.max_size() <= decoder.max_table_size(), "{table:?}");
    let sum: usize = table.iter().map(|entry| entry.size()).sum();
    assert_eq!(sum, table.size());
}

fn check_block(block: &HeaderBlock, decoder: &Decoder) {
    let limits = decoder.limits();
    assert!(block.len() <= limits.max_fields, "{block:?}");
    assert!(block.list_size() <= limits.max_list_size, "{block:?}");
    let mut size = 0;
    for field in block.iter() {
        assert!(field.name().len() <= limits.max_string_len, "{field:?}");
        assert!(field.value().len() <= limits.max_string_len, "{field:?}");
        size += field.name().len() + field.value().len() + 32;
    }
    assert_eq!(size, block.list_size());
    check_table(decoder);
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, mut rest)) = data.split_first() else {
        return;
    };
    let limits = limits(config);
    let mut decoder = Decoder::with_limits(limits);
    let mut encoder = Encoder::new();
    let mut again = Decoder::with_limits(limits);
    while let Some((&control, tail)) = rest.split_first() {
        rest = tail;
        if control >= 0xf1 {
            let size = TABLE_SIZES[usize::from(control - 0xf1)];
            decoder.set_max_table_size(size);
            encoder.set_max_table_size(size);
            again.set_max_table_size(size);
            continue;
        }
        let Some((&low, tail)) = rest.split_first() else {
            break;
        };
        let len = ((usize::from(control) << 8) | usize::from(low)).min(tail.len());
        let (block, tail) = tail.split_at(len);
        rest = tail;

        let decoded = match decoder.decode(block) {
            Ok(decoded) => decoded,
            Err(error) if error.is_connection_error() => {
                assert_eq!(decoder.error(), Some(error));
                assert_eq!(decoder.decode(&[0x82]), Err(error), "error does not stick");
                return;
            }
            Err(error) => {
                assert!(error.kind().limit_setting().is_some(), "{error}");
                assert!(error.offset() < block.len(), "{error}");
                assert_eq!(decoder.error(), None);
                check_table(&decoder);
                continue;
            }
        };
        check_block(&decoded, &decoder);

        let mut wire = BytesMut::new();
        encoder.encode(decoded.iter().map(HeaderField::from), &mut wire);
        let redecoded = again
            .decode(&wire)
            .unwrap_or_else(|error| panic!("re-encoded {decoded:?} fails: {error}"));
        assert_eq!(redecoded.len(), decoded.len());
        for (second, first) in redecoded.iter().zip(decoded.iter()) {
            assert_eq!(second.name(), first.name());
            assert_eq!(second.value(), first.value());
            if first.is_sensitive() {
                assert!(second.is_sensitive(), "{first:?} lost never-indexed");
            }
        }
        assert_eq!(again.dynamic_table(), encoder.dynamic_table());
    }
});
