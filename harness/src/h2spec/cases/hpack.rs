//! The `hpack` group: decoding errors of RFC 7541 (8 cases).

use super::*;

/// The cases of the group, in h2spec's order.
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            "hpack/2.3.3/1",
            "Sends a indexed header field representation with invalid index",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // Indexed field 70: past both tables.
                block_with(p, &[], b"\xc6", ES | EH);
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/2.3.3/2",
            "Sends a literal header field representation with invalid index",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // Literal with incremental indexing, name index 70, empty value.
                block_with(p, &[], b"\x7f\x07\x00", ES | EH);
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/4.2/1",
            "Sends a dynamic table size update at the end of header block",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // A dynamic table size update (1) after the fields.
                block_with(p, &[], b"\x21", ES | EH);
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/5.2/1",
            "Sends a Huffman-encoded string literal representation with padding longer than 7 bits",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // x-test: test, the value Huffman-coded with a whole extra octet of padding.
                block_with(
                    p,
                    &[],
                    b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x49\x50\x9f\xff",
                    ES | EH,
                );
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/5.2/2",
            "Sends a Huffman-encoded string literal representation padded by zero",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // x-test: test, the value Huffman-coded and padded with zeros.
                block_with(
                    p,
                    &[],
                    b"\x00\x85\xf2\xb2\x4a\x84\xff\x83\x49\x50\x90",
                    ES | EH,
                );
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/5.2/3",
            "Sends a Huffman-encoded string literal representation containing the EOS symbol",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // x-test: tes{EOS}t: the EOS symbol inside a Huffman-coded value.
                block_with(
                    p,
                    &[],
                    b"\x00\x85\xf2\xb2\x4a\x84\xff\x87\x49\x51\xff\xff\xff\xfa\x7f",
                    ES | EH,
                );
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/6.1/1",
            "Sends a indexed header field representation with index 0",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // Indexed field 0.
                block_with(p, &[], b"\x80", ES | EH);
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
        Case::new(
            "hpack/6.3/1",
            "Sends a dynamic table size update larger than the value of SETTINGS_HEADER_TABLE_SIZE",
            "The endpoint MUST treat this as a decoding error.",
            |p| {
                // A dynamic table size update one above the server's SETTINGS_HEADER_TABLE_SIZE.
                let limit = p
                    .context()
                    .setting(SettingId::HEADER_TABLE_SIZE)
                    .unwrap_or(4096);
                let update = table_size_update(u64::from(limit) + 1);
                block_with(p, &update, &[], ES | EH);
                p.expect(Expectation::ConnectionError(&[
                    ErrorCode::COMPRESSION_ERROR,
                ]));
            },
        ),
    ]
}
