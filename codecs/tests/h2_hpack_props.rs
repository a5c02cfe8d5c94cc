//! Property tests of HPACK:
//!
//! - encode → decode is the identity on header lists (any bytes in values, token-ish names,
//!   sensitive fields), across blocks and table size changes, and the decoder's dynamic table
//!   equals the encoder's after every block;
//! - a decoder with limits refuses exactly the blocks whose lists cross them, with the limit
//!   the rule names, and its table stays equal to an unlimited decoder's (the context survives
//!   a refused message);
//! - decoding arbitrary bytes (random representations, mutated encoder output) never panics,
//!   never returns more than the limits allow, keeps the table within its maximum, and a
//!   connection error sticks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions check what the properties assert; a failure is a failing test"
)]

use bytes::BytesMut;
use proptest::prelude::*;
use tollgate_codecs::h2::hpack::{
    DecodeErrorKind, Decoder, Encoder, HeaderBlock, HeaderField, Limits, Representation,
};

/// `cases` by default; `PROPTEST_CASES` overrides it for deeper runs.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(cases);
    ProptestConfig::with_cases(cases)
}

/// Limits no generated list reaches.
fn unlimited() -> Limits {
    Limits {
        max_list_size: 1 << 30,
        max_fields: 1 << 30,
        max_string_len: 1 << 30,
    }
}

#[derive(Clone, Debug)]
struct Field {
    name: Vec<u8>,
    value: Vec<u8>,
    sensitive: bool,
}

#[derive(Clone, Debug)]
enum Step {
    /// Encode and decode this list.
    Block(Vec<Field>),
    /// The peer (for the encoder) and we (for the decoder) set SETTINGS_HEADER_TABLE_SIZE.
    Resize(usize),
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            ":authority", ":method", ":path", ":scheme", ":status", "accept", "accept-encoding",
            "authorization", "cache-control", "content-length", "content-type", "cookie", "date",
            "location", "proxy-authorization", "set-cookie", "user-agent", "x-request-id",
            "x-forwarded-for",
        ])
        .prop_map(|name| name.as_bytes().to_vec()),
        2 => "[a-z][a-z0-9-]{0,16}".prop_map(String::into_bytes),
        1 => "[!#$%&'*+.^_`|~0-9a-zA-Z-]{0,12}".prop_map(String::into_bytes),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "", "GET", "POST", "/", "/index.html", "http", "https", "200", "gzip, deflate",
            "no-cache", "text/html; charset=utf-8", "session=7f3c9a1e5b2d4c6f8a0b1c2d3e4f",
        ])
        .prop_map(|value| value.as_bytes().to_vec()),
        3 => "[ -~]{0,48}".prop_map(String::into_bytes),
        2 => prop::collection::vec(any::<u8>(), 0..48),
        // Larger than small tables and than 3/4 of the encoder's: oversize entries, eviction.
        1 => prop::collection::vec(any::<u8>(), 200..5000),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    (name(), value(), prop::bool::weighted(0.15)).prop_map(|(name, value, sensitive)| Field {
        name,
        value,
        sensitive,
    })
}

fn table_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        prop::sample::select(vec![
            0usize, 1, 31, 32, 64, 100, 256, 1000, 4096, 8192, 65536
        ]),
        Just(u32::MAX as usize),
        0usize..6000,
    ]
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            5 => prop::collection::vec(field(), 0..20).prop_map(Step::Block),
            1 => table_size().prop_map(Step::Resize),
        ],
        1..12,
    )
}

fn encode(encoder: &mut Encoder, list: &[Field]) -> BytesMut {
    let mut wire = BytesMut::new();
    encoder.encode(
        list.iter().map(|field| HeaderField {
            name: &field.name,
            value: &field.value,
            sensitive: field.sensitive,
        }),
        &mut wire,
    );
    wire
}

fn pairs(block: &HeaderBlock) -> Vec<(Vec<u8>, Vec<u8>)> {
    block
        .iter()
        .map(|field| (field.name().to_vec(), field.value().to_vec()))
        .collect()
}

fn expected_pairs(list: &[Field]) -> Vec<(Vec<u8>, Vec<u8>)> {
    list.iter()
        .map(|field| (field.name.clone(), field.value.clone()))
        .collect()
}

/// The limit a list crosses, by the decoder's documented rule: fields in order; for each, the
/// count first, then its name and value bytes against whichever of the string and list limits
/// they reach first (the string limit on a tie).
fn crossed(list: &[(Vec<u8>, Vec<u8>)], limits: &Limits) -> Option<DecodeErrorKind> {
    let list_full = DecodeErrorKind::ListTooLarge {
        limit: limits.max_list_size,
    };
    let string_long = DecodeErrorKind::StringTooLong {
        limit: limits.max_string_len,
    };
    let check = |len: usize, room: usize| {
        let (cap, kind) = if limits.max_string_len <= room {
            (limits.max_string_len, string_long)
        } else {
            (room, list_full)
        };
        (len > cap).then_some(kind)
    };
    let mut size = 0;
    for (count, (name, value)) in list.iter().enumerate() {
        if count >= limits.max_fields {
            return Some(DecodeErrorKind::TooManyFields {
                limit: limits.max_fields,
            });
        }
        let Some(room) = limits.max_list_size.checked_sub(size + 32) else {
            return Some(list_full);
        };
        if let Some(kind) =
            check(name.len(), room).or_else(|| check(value.len(), room - name.len()))
        {
            return Some(kind);
        }
        size += name.len() + value.len() + 32;
    }
    None
}

/// What every successful decode must respect.
fn check_bounds(block: &HeaderBlock, decoder: &Decoder) {
    let limits = decoder.limits();
    assert!(block.len() <= limits.max_fields);
    assert!(block.list_size() <= limits.max_list_size);
    let mut size = 0;
    for field in block.iter() {
        assert!(field.name().len() <= limits.max_string_len);
        assert!(field.value().len() <= limits.max_string_len);
        size += field.name().len() + field.value().len() + 32;
    }
    assert_eq!(size, block.list_size());
    check_table(decoder);
}

fn check_table(decoder: &Decoder) {
    let table = decoder.dynamic_table();
    assert!(table.size() <= table.max_size());
    assert!(table.max_size() <= decoder.max_table_size());
    let sum: usize = table.iter().map(|entry| entry.size()).sum();
    assert_eq!(sum, table.size());
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn encode_then_decode_is_the_identity_and_tables_agree(steps in steps()) {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::with_limits(unlimited());
        for step in &steps {
            match step {
                Step::Resize(size) => {
                    encoder.set_max_table_size(*size);
                    decoder.set_max_table_size(*size);
                }
                Step::Block(list) => {
                    let wire = encode(&mut encoder, list);
                    let block = decoder.decode(&wire).unwrap();
                    prop_assert_eq!(pairs(&block), expected_pairs(list));
                    for (field, sent) in block.iter().zip(list) {
                        if sent.sensitive {
                            prop_assert_eq!(field.representation(), Representation::NeverIndexed);
                        }
                    }
                    prop_assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());
                    prop_assert!(encoder.dynamic_table().max_size() <= 4096);
                    check_table(&decoder);
                }
            }
        }
    }

    #[test]
    fn limits_refuse_exactly_the_lists_that_cross_them_and_keep_the_context(
        steps in steps(),
        max_list_size in prop_oneof![0usize..400, 400usize..10_000],
        max_fields in 0usize..12,
        max_string_len in prop_oneof![0usize..64, 64usize..6000],
    ) {
        let limits = Limits { max_list_size, max_fields, max_string_len };
        let mut encoder = Encoder::new();
        let mut reference = Decoder::with_limits(unlimited());
        let mut limited = Decoder::with_limits(limits);
        for step in &steps {
            match step {
                Step::Resize(size) => {
                    encoder.set_max_table_size(*size);
                    reference.set_max_table_size(*size);
                    limited.set_max_table_size(*size);
                }
                Step::Block(list) => {
                    let wire = encode(&mut encoder, list);
                    let full = reference.decode(&wire).unwrap();
                    match (limited.decode(&wire), crossed(&pairs(&full), &limits)) {
                        (Ok(block), None) => {
                            prop_assert_eq!(&block, &full);
                            check_bounds(&block, &limited);
                        }
                        (Err(error), Some(kind)) => {
                            prop_assert_eq!(error.kind(), kind);
                            prop_assert!(!error.is_connection_error());
                            prop_assert!(wire.get(error.offset()).is_some());
                            check_table(&limited);
                        }
                        (got, expected) => {
                            prop_assert!(false, "got {:?}, expected {:?}", got, expected);
                        }
                    }
                    prop_assert_eq!(limited.dynamic_table(), reference.dynamic_table());
                }
            }
        }
    }
}

/// A prefix integer, as RFC 7541 §5.1 writes it.
fn integer(value: usize, prefix: u32, flags: u8) -> Vec<u8> {
    let max = (1usize << prefix) - 1;
    if value < max {
        return vec![flags | u8::try_from(value).unwrap()];
    }
    let mut out = vec![flags | u8::try_from(max).unwrap()];
    let mut rest = value - max;
    while rest >= 0x80 {
        out.push(0x80 | u8::try_from(rest & 0x7f).unwrap());
        rest >>= 7;
    }
    out.push(u8::try_from(rest).unwrap());
    out
}

/// Huffman-coded strings from RFC 7541 Appendix C, and invalid codes.
const HUFFMAN: &[&[u8]] = &[
    &[
        0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
    ],
    &[0xa8, 0xeb, 0x10, 0x64, 0x9c, 0xbf],
    &[0x25, 0xa8, 0x49, 0xe9, 0x5b, 0xa9, 0x7d, 0x7f],
    &[0x64, 0x02],
    &[0xff, 0xff, 0xff, 0xff],
    &[0x1f, 0xff],
    &[0x00],
];

fn string() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..20).prop_map(|bytes| {
            let mut out = integer(bytes.len(), 7, 0);
            out.extend(bytes);
            out
        }),
        2 => prop::sample::select(HUFFMAN).prop_map(|code| {
            let mut out = integer(code.len(), 7, 0x80);
            out.extend_from_slice(code);
            out
        }),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(|bytes| {
            let mut out = integer(bytes.len(), 7, 0x80);
            out.extend(bytes);
            out
        }),
        // A long string (a bomb's seed) or a length past the end of the block.
        1 => (0usize..5000).prop_map(|len| {
            let mut out = integer(len, 7, 0);
            out.extend(std::iter::repeat_n(b'x', len.min(4500)));
            out
        }),
    ]
}

/// One representation with random parameters, or random bytes.
fn representation() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0usize..80).prop_map(|index| integer(index, 7, 0x80)),
        4 => (
            prop::sample::select(vec![(6u32, 0x40u8), (4, 0x00), (4, 0x10)]),
            prop_oneof![Just(0usize), 0usize..70],
            string(),
            string(),
        )
            .prop_map(|((prefix, flags), index, name, value)| {
                let mut out = integer(index, prefix, flags);
                if index == 0 {
                    out.extend(name);
                }
                out.extend(value);
                out
            }),
        1 => (0usize..6000).prop_map(|size| integer(size, 5, 0x20)),
        1 => prop::collection::vec(any::<u8>(), 0..8),
        // Many references to the newest entry: a bomb's body.
        1 => (1usize..400).prop_map(|count| vec![0xbe; count]),
    ]
}

fn blocks() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(
        prop::collection::vec(representation(), 0..12).prop_map(|parts| parts.concat()),
        1..6,
    )
}

fn any_limits() -> impl Strategy<Value = Limits> {
    (0usize..5000, 0usize..40, 0usize..2000).prop_map(
        |(max_list_size, max_fields, max_string_len)| Limits {
            max_list_size,
            max_fields,
            max_string_len,
        },
    )
}

/// Decodes `blocks` in one context and checks every outcome.
fn decode_all(decoder: &mut Decoder, blocks: &[impl AsRef<[u8]>]) {
    for block in blocks {
        match decoder.decode(block.as_ref()) {
            Ok(decoded) => check_bounds(&decoded, decoder),
            Err(error) if error.is_connection_error() => {
                assert_eq!(decoder.error(), Some(error));
                assert_eq!(decoder.decode(&[0x82]), Err(error));
                return;
            }
            Err(error) => {
                assert!(error.kind().limit_setting().is_some());
                assert!(error.offset() < block.as_ref().len());
                assert_eq!(decoder.error(), None);
                check_table(decoder);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn random_representations_never_panic_or_exceed_limits(
        blocks in blocks(),
        limits in any_limits(),
        setting in table_size(),
    ) {
        let mut decoder = Decoder::with_limits(limits);
        decoder.set_max_table_size(setting);
        decode_all(&mut decoder, &blocks);
    }

    #[test]
    fn random_bytes_never_panic_or_exceed_limits(
        blocks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..6),
        limits in any_limits(),
    ) {
        decode_all(&mut Decoder::with_limits(limits), &blocks);
    }

    #[test]
    fn mutated_encoder_output_never_panics_or_exceeds_limits(
        lists in prop::collection::vec(prop::collection::vec(field(), 0..10), 1..5),
        mutations in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
        limits in any_limits(),
    ) {
        let mut encoder = Encoder::new();
        let mut blocks: Vec<Vec<u8>> = lists
            .iter()
            .map(|list| encode(&mut encoder, list).to_vec())
            .collect();
        for (at, byte, how) in mutations {
            let Some(block) = blocks.iter_mut().rev().find(|block| !block.is_empty()) else {
                break;
            };
            let position = at.index(block.len());
            match how {
                0 => block[position] ^= byte | 1,
                1 => block.insert(position, byte),
                _ => {
                    block.remove(position);
                }
            }
        }
        decode_all(&mut Decoder::with_limits(limits), &blocks);
    }
}
