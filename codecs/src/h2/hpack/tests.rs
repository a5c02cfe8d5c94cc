//! The decoder and encoder together: RFC 7541 Appendix C, limits, size-update rules, and the
//! state after each kind of error.

use bytes::BytesMut;

use super::*;

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn pairs(block: &HeaderBlock) -> Vec<(String, String)> {
    block
        .iter()
        .map(|field| {
            (
                String::from_utf8(field.name().to_vec()).unwrap(),
                String::from_utf8(field.value().to_vec()).unwrap(),
            )
        })
        .collect()
}

/// A table's entries as owned pairs, newest first (shared with the modules' own tests).
pub(super) fn table(table: &DynamicTable) -> Vec<(String, String)> {
    table
        .iter()
        .map(|entry| {
            (
                String::from_utf8(entry.name().into_owned()).unwrap(),
                String::from_utf8(entry.value().into_owned()).unwrap(),
            )
        })
        .collect()
}

pub(super) fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// One step of an Appendix C example: the wire, the decoded list, the table after it.
struct Step<'a> {
    wire: &'a str,
    fields: &'a [(&'a str, &'a str)],
    table: &'a [(&'a str, &'a str)],
    size: usize,
}

fn run_example(mut decoder: Decoder, steps: &[Step<'_>]) {
    for (n, step) in steps.iter().enumerate() {
        let block = decoder.decode(&hex(step.wire)).unwrap();
        assert_eq!(pairs(&block), owned(step.fields), "step {n}");
        assert_eq!(
            table(decoder.dynamic_table()),
            owned(step.table),
            "step {n}"
        );
        assert_eq!(decoder.dynamic_table().size(), step.size, "step {n}");
    }
}

#[test]
fn c2_1_literal_with_indexing() {
    run_example(
        Decoder::new(),
        &[Step {
            wire: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
            fields: &[("custom-key", "custom-header")],
            table: &[("custom-key", "custom-header")],
            size: 55,
        }],
    );
}

#[test]
fn c2_2_literal_without_indexing() {
    let mut decoder = Decoder::new();
    let block = decoder
        .decode(&hex("040c 2f73 616d 706c 652f 7061 7468"))
        .unwrap();
    assert_eq!(pairs(&block), owned(&[(":path", "/sample/path")]));
    let field = block.get(0).unwrap();
    assert_eq!(field.representation(), Representation::WithoutIndexing);
    assert_eq!(field.index(), Some(4));
    assert!(decoder.dynamic_table().is_empty());
}

#[test]
fn c2_3_literal_never_indexed() {
    let mut decoder = Decoder::new();
    let block = decoder
        .decode(&hex("1008 7061 7373 776f 7264 0673 6563 7265 74"))
        .unwrap();
    assert_eq!(pairs(&block), owned(&[("password", "secret")]));
    let field = block.get(0).unwrap();
    assert_eq!(field.representation(), Representation::NeverIndexed);
    assert!(field.is_sensitive());
    assert_eq!(field.index(), None);
    assert!(decoder.dynamic_table().is_empty());
}

#[test]
fn c2_4_indexed() {
    let mut decoder = Decoder::new();
    let block = decoder.decode(&hex("82")).unwrap();
    assert_eq!(pairs(&block), owned(&[(":method", "GET")]));
    assert_eq!(block.get(0).unwrap().index(), Some(2));
    assert_eq!(block.list_size(), 7 + 3 + 32);
    assert!(decoder.dynamic_table().is_empty());
}

const REQUEST_1: &[(&str, &str)] = &[
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":authority", "www.example.com"),
];
const REQUEST_2: &[(&str, &str)] = &[
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":authority", "www.example.com"),
    ("cache-control", "no-cache"),
];
const REQUEST_3: &[(&str, &str)] = &[
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/index.html"),
    (":authority", "www.example.com"),
    ("custom-key", "custom-value"),
];

fn request_steps<'a>(wires: [&'a str; 3]) -> [Step<'a>; 3] {
    [
        Step {
            wire: wires[0],
            fields: REQUEST_1,
            table: &[(":authority", "www.example.com")],
            size: 57,
        },
        Step {
            wire: wires[1],
            fields: REQUEST_2,
            table: &[
                ("cache-control", "no-cache"),
                (":authority", "www.example.com"),
            ],
            size: 110,
        },
        Step {
            wire: wires[2],
            fields: REQUEST_3,
            table: &[
                ("custom-key", "custom-value"),
                ("cache-control", "no-cache"),
                (":authority", "www.example.com"),
            ],
            size: 164,
        },
    ]
}

const C3: [&str; 3] = [
    "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
    "8286 84be 5808 6e6f 2d63 6163 6865",
    "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
];

const C4: [&str; 3] = [
    "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
    "8286 84be 5886 a8eb 1064 9cbf",
    "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
];

#[test]
fn c3_requests_without_huffman() {
    run_example(Decoder::new(), &request_steps(C3));
}

#[test]
fn c4_requests_with_huffman() {
    run_example(Decoder::new(), &request_steps(C4));
    let mut decoder = Decoder::new();
    let block = decoder.decode(&hex(C4[0])).unwrap();
    let authority = block.get(3).unwrap();
    assert!(!authority.name_huffman());
    assert!(authority.value_huffman());
    assert_eq!(authority.index(), Some(1));
}

#[test]
fn c4_is_what_the_encoder_writes() {
    // The encoder's policy happens to make exactly the RFC's choices for these requests.
    let mut encoder = Encoder::new();
    for (list, wire) in [REQUEST_1, REQUEST_2, REQUEST_3].iter().zip(C4) {
        let mut out = BytesMut::new();
        encoder.encode(
            list.iter()
                .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
            &mut out,
        );
        assert_eq!(&out[..], hex(wire));
    }
}

const RESPONSE_1: &[(&str, &str)] = &[
    (":status", "302"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("location", "https://www.example.com"),
];
const RESPONSE_2: &[(&str, &str)] = &[
    (":status", "307"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("location", "https://www.example.com"),
];
const RESPONSE_3: &[(&str, &str)] = &[
    (":status", "200"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
    ("location", "https://www.example.com"),
    ("content-encoding", "gzip"),
    (
        "set-cookie",
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
    ),
];

fn response_steps<'a>(wires: [&'a str; 3]) -> [Step<'a>; 3] {
    [
        Step {
            wire: wires[0],
            fields: RESPONSE_1,
            table: &[
                ("location", "https://www.example.com"),
                ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("cache-control", "private"),
                (":status", "302"),
            ],
            size: 222,
        },
        Step {
            wire: wires[1],
            fields: RESPONSE_2,
            table: &[
                (":status", "307"),
                ("location", "https://www.example.com"),
                ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("cache-control", "private"),
            ],
            size: 222,
        },
        Step {
            wire: wires[2],
            fields: RESPONSE_3,
            table: &[
                (
                    "set-cookie",
                    "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
                ),
                ("content-encoding", "gzip"),
                ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            ],
            size: 215,
        },
    ]
}

const C5: [&str; 3] = [
    "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 \
     2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 \
     6c65 2e63 6f6d",
    "4803 3330 37c1 c0bf",
    "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d \
     54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 \
     5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e \
     3d31",
];

const C6: [&str; 3] = [
    "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 \
     2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
    "4883 640e ffc1 c0bf",
    "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab \
     77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f \
     9587 3160 65c0 03ed 4ee5 b106 3d50 07",
];

#[test]
fn c5_responses_without_huffman_evict() {
    run_example(
        Decoder::with_table_size(256, Limits::default()),
        &response_steps(C5),
    );
}

#[test]
fn c6_responses_with_huffman_evict() {
    run_example(
        Decoder::with_table_size(256, Limits::default()),
        &response_steps(C6),
    );
}

fn encode(encoder: &mut Encoder, list: &[(&[u8], &[u8])]) -> BytesMut {
    let mut out = BytesMut::new();
    encoder.encode(
        list.iter()
            .map(|(name, value)| HeaderField::new(name, value)),
        &mut out,
    );
    out
}

#[test]
fn encoder_and_decoder_tables_agree_on_the_responses() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new();
    for list in [RESPONSE_1, RESPONSE_2, RESPONSE_3, RESPONSE_1] {
        let mut wire = BytesMut::new();
        encoder.encode(
            list.iter()
                .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
            &mut wire,
        );
        let block = decoder.decode(&wire).unwrap();
        assert_eq!(pairs(&block), owned(list));
        assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());
    }
    // location and set-cookie are not indexed; the rest was, and repeats are one byte each.
    let names: Vec<String> = table(encoder.dynamic_table())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        !names
            .iter()
            .any(|name| name == "location" || name == "set-cookie")
    );
    let again = encode(
        &mut encoder,
        &[(b"cache-control", b"private"), (b":status", b"302")],
    );
    assert_eq!(again.len(), 2);
}

#[test]
fn sensitive_fields_are_never_indexed_and_stay_so_when_forwarded() {
    let mut encoder = Encoder::new();
    let mut wire = BytesMut::new();
    encoder.encode(
        [
            HeaderField::sensitive(b"x-token", b"abc"),
            HeaderField::new(b"authorization", b"Bearer abcdefghijklmnop"),
            HeaderField::new(b"cookie", b"short=1"),
            HeaderField::new(b"cookie", b"a-cookie-long-enough-to-be-indexed=1"),
        ],
        &mut wire,
    );
    let mut decoder = Decoder::new();
    let block = decoder.decode(&wire).unwrap();
    let kinds: Vec<Representation> = block.iter().map(|f| f.representation()).collect();
    assert_eq!(
        kinds,
        [
            Representation::NeverIndexed,
            Representation::NeverIndexed,
            Representation::NeverIndexed,
            Representation::IncrementalIndexing
        ]
    );
    assert_eq!(decoder.dynamic_table().len(), 1);
    // authorization refers to its static name (23), never to a value.
    assert_eq!(block.get(1).unwrap().index(), Some(23));

    // Forwarded through a second hop, never-indexed stays never-indexed, and a sensitive field
    // sent twice is sent in full twice.
    let mut forward = Encoder::new();
    let mut hop = Decoder::new();
    for round in 0..2 {
        let mut next = BytesMut::new();
        forward.encode(block.iter().map(HeaderField::from), &mut next);
        let again = hop.decode(&next).unwrap();
        let expected = if round == 0 {
            kinds.clone()
        } else {
            let mut repeated = kinds.clone();
            repeated[3] = Representation::Indexed;
            repeated
        };
        assert_eq!(
            again.iter().map(|f| f.representation()).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(pairs(&again), pairs(&block));
    }
    assert_eq!(forward.dynamic_table().len(), 1);
}

#[test]
fn encoder_table_is_capped_whatever_the_peer_allows() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new();
    encoder.set_max_table_size(u32::MAX as usize);
    decoder.set_max_table_size(u32::MAX as usize);
    let value = vec![b'v'; 1000];
    for n in 0..20 {
        let name = format!("x-field-{n}");
        let wire = encode(&mut encoder, &[(name.as_bytes(), &value)]);
        decoder.decode(&wire).unwrap();
        assert!(encoder.dynamic_table().size() <= ENCODER_TABLE_CAP);
        assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());
    }
    assert_eq!(encoder.dynamic_table().max_size(), ENCODER_TABLE_CAP);
}

#[test]
fn encoder_announces_the_smallest_then_the_final_size() {
    let mut encoder = Encoder::new();
    encode(&mut encoder, &[(b"x-a", b"1")]);
    encoder.set_max_table_size(0);
    encoder.set_max_table_size(2000);
    let wire = encode(&mut encoder, &[(b"x-b", b"2")]);
    // 0, then 2000 (0x3f 0xb1 0x0f), then the field.
    assert_eq!(&wire[..4], &[0x20, 0x3f, 0xb1, 0x0f]);
    let mut decoder = Decoder::new();
    decoder
        .decode(&encode(&mut Encoder::new(), &[(b"x-a", b"1")]))
        .unwrap();
    decoder.set_max_table_size(0);
    decoder.set_max_table_size(2000);
    let block = decoder.decode(&wire).unwrap();
    assert_eq!(block.table_size_updates(), [0, 2000]);
    assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());

    // A larger setting that the cap keeps from changing anything announces nothing.
    encoder.set_max_table_size(4096);
    let grow = encode(&mut encoder, &[]);
    assert_eq!(&grow[..], &[0x3f, 0xe1, 0x1f]);
    encoder.set_max_table_size(1 << 20);
    assert!(encode(&mut encoder, &[]).is_empty());
}

#[test]
fn size_update_rules() {
    // Above what we advertised.
    let mut decoder = Decoder::new();
    let error = decoder.decode(&hex("3fe2 1f")).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::SizeUpdateTooLarge {
            size: 4097,
            max: 4096
        }
    );
    assert!(error.is_connection_error());

    // After a field.
    let mut decoder = Decoder::new();
    let error = decoder.decode(&hex("8220")).unwrap_err();
    assert_eq!(error.kind(), DecodeErrorKind::SizeUpdateMisplaced);
    assert_eq!(error.offset(), 1);

    // Several at the start are fine, each applied.
    let mut decoder = Decoder::new();
    let block = decoder.decode(&hex("203f e11f 82")).unwrap();
    assert_eq!(block.table_size_updates(), [0, 4096]);

    // Lowering the setting below the table's size demands an update in the next block.
    let mut decoder = Decoder::new();
    decoder.set_max_table_size(100);
    let error = decoder.decode(&hex("82")).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::SizeUpdateMissing { max: 100 }
    );
    let mut decoder = Decoder::new();
    decoder.set_max_table_size(100);
    decoder.set_max_table_size(4096);
    // The smallest of the interval must come first: 4096 alone is refused…
    let error = decoder.clone().decode(&hex("3fe1 1f82")).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::SizeUpdateMissing { max: 100 }
    );
    // …100 then 4096 is accepted, and nothing more is expected after it.
    let block = decoder.decode(&hex("3f45 3fe1 1f82")).unwrap();
    assert_eq!(block.table_size_updates(), [100, 4096]);
    decoder.decode(&hex("82")).unwrap();

    // Raising it, or lowering it to no less than the table's maximum, demands nothing.
    let mut decoder = Decoder::new();
    decoder.set_max_table_size(8192);
    decoder.decode(&hex("82")).unwrap();
    decoder.decode(&hex("3f80 20")).unwrap();
    assert_eq!(decoder.dynamic_table().max_size(), 4127);
    decoder.set_max_table_size(5000);
    decoder.decode(&hex("82")).unwrap();

    // An update shrinks the table, evicting.
    let mut decoder = Decoder::new();
    decoder.decode(&hex(C3[0])).unwrap();
    assert_eq!(decoder.dynamic_table().len(), 1);
    decoder.decode(&hex("3f19")).unwrap();
    assert!(decoder.dynamic_table().is_empty());
}

#[test]
fn corrupt_input_is_a_sticky_connection_error() {
    let cases: &[(&str, DecodeErrorKind, usize)] = &[
        ("80", DecodeErrorKind::InvalidIndex { index: 0 }, 0),
        ("82 be", DecodeErrorKind::InvalidIndex { index: 62 }, 1),
        ("7e 01 61", DecodeErrorKind::InvalidIndex { index: 62 }, 0),
        ("ff ff ff ff ff 7f", DecodeErrorKind::IntegerOverflow, 0),
        ("41 85 f1e3", DecodeErrorKind::Truncated, 4),
        ("41", DecodeErrorKind::Truncated, 1),
        ("ff 80", DecodeErrorKind::Truncated, 2),
        (
            "41 84 ffff ffff",
            DecodeErrorKind::InvalidHuffman(HuffmanError::Eos),
            1,
        ),
        (
            "41 82 1fff",
            DecodeErrorKind::InvalidHuffman(HuffmanError::PaddingTooLong),
            1,
        ),
        (
            "41 81 1e",
            DecodeErrorKind::InvalidHuffman(HuffmanError::PaddingNotOnes),
            1,
        ),
    ];
    for (wire, kind, offset) in cases {
        let mut decoder = Decoder::new();
        let error = decoder.decode(&hex(wire)).unwrap_err();
        assert_eq!((error.kind(), error.offset()), (*kind, *offset), "{wire}");
        assert!(error.is_connection_error());
        assert_eq!(decoder.error(), Some(error));
        assert_eq!(decoder.decode(&hex("82")), Err(error), "{wire}: not sticky");
    }
}

#[test]
fn an_empty_block_decodes_to_nothing() {
    let mut decoder = Decoder::new();
    let block = decoder.decode(&[]).unwrap();
    assert!(block.is_empty());
    assert_eq!(block.list_size(), 0);
}

fn limits(max_list_size: usize, max_fields: usize, max_string_len: usize) -> Limits {
    Limits {
        max_list_size,
        max_fields,
        max_string_len,
    }
}

/// A block that inserts `a: <value>` then refers to it `refs` times (dos.md HC-01, HC-02).
fn bomb(value_len: usize, refs: usize) -> Vec<u8> {
    let mut encoder = Encoder::new();
    let mut wire = encode(&mut encoder, &[(b"a", &vec![b'x'; value_len])]);
    wire.extend(std::iter::repeat_n(0xbe, refs));
    wire.to_vec()
}

#[test]
fn classic_bomb_is_stopped_by_the_list_size() {
    let mut decoder = Decoder::new();
    let error = decoder.decode(&bomb(3000, 10_000)).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::ListTooLarge {
            limit: DEFAULT_MAX_LIST_SIZE
        }
    );
    assert_eq!(error.kind().limit_setting(), Some("max_list_size"));
    assert!(!error.is_connection_error());
    // 64 KiB holds 21 fields of 3,033 bytes (the literal and 20 references): the 22nd
    // crosses, and the error points at it.
    assert_eq!(error.offset(), bomb(3000, 0).len() + 20);
    // The context is intact: the entry is there and the next block decodes.
    assert_eq!(decoder.dynamic_table().len(), 1);
    assert_eq!(decoder.decode(&hex("be")).unwrap().len(), 1);
}

#[test]
fn http2_bomb_is_stopped_by_the_field_count() {
    let mut decoder = Decoder::new();
    let error = decoder.decode(&bomb(0, 32_000)).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::TooManyFields {
            limit: DEFAULT_MAX_FIELDS
        }
    );
    assert!(!error.is_connection_error());
    assert!(decoder.decode(&hex("be")).is_ok());
}

#[test]
fn string_limit_names_itself() {
    let mut decoder = Decoder::with_limits(limits(1 << 20, 100, 10));
    let long = encode(&mut Encoder::new(), &[(b"x-name", b"eleven-long")]);
    let error = decoder.decode(&long).unwrap_err();
    assert_eq!(error.kind(), DecodeErrorKind::StringTooLong { limit: 10 });
    assert_eq!(error.kind().limit_setting(), Some("max_string_len"));
    // An indexed field with a long value crosses it too.
    assert_eq!(
        decoder.decode(&hex("be")).unwrap_err().kind(),
        DecodeErrorKind::StringTooLong { limit: 10 }
    );
    // Exactly the limit passes.
    let fits = encode(&mut Encoder::new(), &[(b"x-name", b"ten-bytes!")]);
    assert_eq!(
        Decoder::with_limits(limits(1 << 20, 100, 10))
            .decode(&fits)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn list_size_counts_32_per_field_exactly() {
    // `:method: GET` is 42 bytes.
    let two = hex("8282");
    assert!(
        Decoder::with_limits(limits(84, 100, 100))
            .decode(&two)
            .is_ok()
    );
    let error = Decoder::with_limits(limits(83, 100, 100))
        .decode(&two)
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.offset()),
        (DecodeErrorKind::ListTooLarge { limit: 83 }, 1)
    );
    // Empty name and value still count 32.
    let empty = hex("000000 000000");
    assert_eq!(
        Decoder::with_limits(limits(64, 100, 100))
            .decode(&empty)
            .unwrap()
            .list_size(),
        64
    );
    assert!(
        Decoder::with_limits(limits(63, 100, 100))
            .decode(&empty)
            .is_err()
    );
    // Fields count exactly too.
    assert!(
        Decoder::with_limits(limits(1000, 2, 100))
            .decode(&two)
            .is_ok()
    );
    assert!(
        Decoder::with_limits(limits(1000, 1, 100))
            .decode(&two)
            .is_err()
    );
}

#[test]
fn a_refused_block_still_updates_the_table() {
    // A field that crosses the string limit, then insertions after it: with an indexed name, a
    // new name, a Huffman-coded value.
    let mut encoder = Encoder::new();
    let mut wire = encode(&mut encoder, &[(b"x-long", &[b'l'; 64])]);
    wire.extend(encode(
        &mut encoder,
        &[
            (b"user-agent", b"tollgate"),
            (b"x-new", b"value"),
            (b"x-huff", b"www.example.com"),
        ],
    ));
    let mut decoder = Decoder::with_limits(limits(1 << 20, 100, 32));
    let error = decoder.decode(&wire).unwrap_err();
    assert_eq!(error.kind(), DecodeErrorKind::StringTooLong { limit: 32 });
    assert_eq!(error.offset(), 0);
    assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());
    assert_eq!(decoder.dynamic_table().len(), 4);
    // The next block refers to entries inserted after the refusal.
    let next = encode(
        &mut encoder,
        &[(b"x-new", b"value"), (b"user-agent", b"tollgate")],
    );
    assert_eq!(next.len(), 2);
    let block = decoder.decode(&next).unwrap();
    assert_eq!(
        pairs(&block),
        owned(&[("x-new", "value"), ("user-agent", "tollgate")])
    );
}

#[test]
fn a_refused_block_with_an_oversize_entry_empties_the_table() {
    let mut decoder = Decoder::with_limits(limits(1 << 20, 4, 1 << 20));
    decoder.decode(&hex(C3[0])).unwrap();
    assert_eq!(decoder.dynamic_table().len(), 1);
    // Five fields (over the count), the fifth an insertion larger than the table.
    let mut wire = BytesMut::from(&hex("82828282 4001 62")[..]);
    integer::encode(5000, 7, 0, &mut wire);
    wire.extend_from_slice(&[b'x'; 5000]);
    let error = decoder.decode(&wire).unwrap_err();
    assert_eq!(error.kind(), DecodeErrorKind::TooManyFields { limit: 4 });
    assert_eq!(error.offset(), 4);
    assert!(decoder.dynamic_table().is_empty());
}

#[test]
fn corruption_after_a_limit_is_still_a_connection_error() {
    let mut wire = bomb(0, 200);
    wire.extend(hex("41 81 1e"));
    let mut decoder = Decoder::new();
    let error = decoder.decode(&wire).unwrap_err();
    assert_eq!(
        error.kind(),
        DecodeErrorKind::InvalidHuffman(HuffmanError::PaddingNotOnes)
    );
    assert!(decoder.error().is_some());
    // Same with an invalid index and a Huffman error past a string cap.
    let mut wire = bomb(0, 200);
    wire.push(0xff);
    wire.push(0x7f);
    assert!(
        Decoder::new()
            .decode(&wire)
            .unwrap_err()
            .is_connection_error()
    );
    let mut data = BytesMut::new();
    huffman::encode(b"aaaaaaaa", &mut data);
    data.extend_from_slice(&[0xff; 4]);
    let mut wire = BytesMut::from(&hex("00 01 61")[..]);
    integer::encode(data.len(), 7, 0x80, &mut wire);
    wire.extend_from_slice(&data);
    let mut decoder = Decoder::with_limits(limits(1 << 20, 100, 4));
    let error = decoder.decode(&wire).unwrap_err();
    assert_eq!(
        (error.kind(), error.offset()),
        (DecodeErrorKind::InvalidHuffman(HuffmanError::Eos), 3)
    );
}

#[test]
fn limit_errors_leave_the_output_bounded() {
    // Expanded, the bomb would be 5 MB; refused, the decoder's buffer stays within the list
    // limit plus one table entry, and growth by doubling.
    let mut decoder = Decoder::with_limits(limits(4096, 1000, 4096));
    assert!(decoder.decode(&bomb(1000, 5000)).is_err());
    assert!(decoder.buffer_capacity() <= 2 * (4096 + 4096));
    let block = decoder.decode(&bomb(1000, 2)).unwrap();
    assert!(block.list_size() <= 4096);
}

#[test]
fn errors_display_their_kind_and_scope() {
    let error = Decoder::new().decode(&hex("80")).unwrap_err();
    assert_eq!(error.kind().as_str(), "invalid_index");
    assert_eq!(
        error.to_string(),
        "invalid table index 0 [hpack, byte 0; connection error COMPRESSION_ERROR]"
    );
    let error = Decoder::new().decode(&bomb(0, 200)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "more than 100 fields (limit `max_fields`) [hpack, byte 103; message refused, context intact]"
    );
}

#[test]
fn decoded_fields_share_the_block_buffer() {
    let mut decoder = Decoder::new();
    decoder.decode(&hex(C4[0])).unwrap();
    decoder.decode(&hex(C4[1])).unwrap();
    let block = decoder.decode(&hex(C4[2])).unwrap();
    let field = block.get(4).unwrap();
    assert_eq!(field.name_bytes(), "custom-key");
    assert_eq!(field.value_bytes(), "custom-value");
    assert_eq!(
        format!("{field:?}"),
        "custom-key: custom-value (literal_incremental_indexing, huffman name and value)"
    );
    assert_eq!(block.get(5), None);
}
