//! Counting the fields of a header block without decoding it.
//!
//! Each representation (RFC 7541 §6) says from its first bits how long it is: an index, or an
//! index or name string followed by a value string. Walking them needs no dynamic table, no
//! Huffman decoding and no copy, so a guard in front of a decoder can bound the field count of a
//! block at the cost of reading its integers.

use crate::h2::hpack::integer;

/// The number of fields `block` represents, or `None` when it is not well-formed enough to
/// walk (truncated, or an integer out of range); the decoder that reads it for real reports
/// that. Table size updates are not fields.
///
/// ```
/// use tollgate_codecs::h2::hpack::count_fields;
///
/// // RFC 7541 C.3.2: three indexed fields and a literal with an indexed name.
/// assert_eq!(count_fields(b"\x82\x86\x84\xbe\x58\x08no-cache"), Some(5));
/// assert_eq!(count_fields(b"\x58\x08no-ca"), None);
/// ```
pub fn count_fields(block: &[u8]) -> Option<usize> {
    let mut pos = 0;
    let mut count = 0usize;
    while let Some(&first) = block.get(pos) {
        let (prefix, literal) = match first {
            0x80..=0xff => (7, false),
            0x40..=0x7f => (6, true),
            0x20..=0x3f => {
                integer::decode(block, &mut pos, 5).ok()?;
                continue;
            }
            _ => (4, true),
        };
        let index = integer::decode(block, &mut pos, prefix).ok()?;
        if literal {
            if index == 0 {
                skip_string(block, &mut pos)?;
            }
            skip_string(block, &mut pos)?;
        }
        count += 1;
    }
    Some(count)
}

/// Moves `pos` past a string literal (RFC 7541 §5.2), Huffman-coded or not.
fn skip_string(block: &[u8], pos: &mut usize) -> Option<()> {
    let length = integer::decode(block, pos, 7).ok()?;
    let end = pos.checked_add(usize::try_from(length).ok()?)?;
    if end > block.len() {
        return None;
    }
    *pos = end;
    Some(())
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::count_fields;
    use crate::h2::hpack::{Decoder, Encoder, HeaderField};

    #[test]
    fn counts_what_the_decoder_decodes() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new();
        let lists: [&[(&[u8], &[u8])]; 3] = [
            &[(b":method", b"GET"), (b":path", b"/"), (b"x-new", b"value")],
            &[
                (b":method", b"GET"),
                (b"x-new", b"value"),
                (b"cookie", b"a=1"),
            ],
            &[(b"authorization", b"secret"), (b"x-new", b"other")],
        ];
        for list in lists {
            let mut block = BytesMut::new();
            encoder.encode(
                list.iter()
                    .map(|(name, value)| HeaderField::new(name, value)),
                &mut block,
            );
            assert_eq!(count_fields(&block), Some(list.len()));
            assert_eq!(
                decoder.decode(&block).map(|b| b.len()).ok(),
                Some(list.len())
            );
        }
    }

    #[test]
    fn size_updates_are_not_fields_and_bad_blocks_are_not_counted() {
        // A size update to 0, then indexed :method GET.
        assert_eq!(count_fields(&[0x20, 0x82]), Some(1));
        assert_eq!(count_fields(&[]), Some(0));
        // A literal whose value runs past the end.
        assert_eq!(count_fields(&[0x40, 0x01, b'a', 0x05, b'b']), None);
        // An index integer that never ends.
        assert_eq!(
            count_fields(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            None
        );
    }
}
