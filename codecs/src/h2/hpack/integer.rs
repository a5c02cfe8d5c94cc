//! Prefix integers (RFC 7541 §5.1).
//!
//! ```text
//!   0   1   2   3   4   5   6   7
//! +---+---+---+---+---+---+---+---+
//! | ? | ? | ? | 1   1   1   1   1 |   prefix all ones: the value continues
//! +---+---+---+-------------------+
//! | 1 |    Value-(2^N-1) LSB      |   7 bits per byte, least significant first
//! +---+---------------------------+
//! | 0 |    Value-(2^N-1) MSB      |   a clear top bit ends the integer
//! +---+---------------------------+
//! ```

use bytes::{BufMut, BytesMut};

/// The largest value a prefix integer may decode to.
///
/// Every integer in HPACK is an index, a string length or a table size, and the largest of
/// those a peer may legitimately send is a table size, which HTTP/2 carries in a 32-bit
/// setting. Nothing bigger can be valid, so nothing bigger is computed.
pub(crate) const MAX_INTEGER: u64 = u32::MAX as u64;

/// Continuation bytes after the prefix: five carry 35 bits, enough for [`MAX_INTEGER`]. The RFC
/// lets an encoder pad with redundant zero bytes (`0x80`), which would let one integer run the
/// whole block; no encoder does that, so more than five is treated as an overflow.
const MAX_CONTINUATION_BYTES: usize = 5;

/// Why an integer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntegerError {
    /// The block ends before the integer does.
    Truncated,
    /// Larger than [`MAX_INTEGER`], or more than [`MAX_CONTINUATION_BYTES`] continuation bytes.
    Overflow,
}

/// Reads the integer whose first byte is `block[*pos]`, with a `prefix_bits`-bit prefix (1 to 8),
/// and moves `pos` past it.
pub(crate) fn decode(block: &[u8], pos: &mut usize, prefix_bits: u8) -> Result<u64, IntegerError> {
    let mask = u8::MAX >> (8 - u32::from(prefix_bits));
    let first = *block.get(*pos).ok_or(IntegerError::Truncated)?;
    *pos += 1;
    let mut value = u64::from(first & mask);
    if value < u64::from(mask) {
        return Ok(value);
    }
    for shift in 0..MAX_CONTINUATION_BYTES {
        let byte = *block.get(*pos).ok_or(IntegerError::Truncated)?;
        *pos += 1;
        // At most 7 × 5 = 35 bits are added to at most 255: no u64 overflow is possible.
        value += u64::from(byte & 0x7f) << (7 * shift);
        if byte & 0x80 == 0 {
            return if value > MAX_INTEGER {
                Err(IntegerError::Overflow)
            } else {
                Ok(value)
            };
        }
    }
    Err(IntegerError::Overflow)
}

/// Writes `value` with a `prefix_bits`-bit prefix; `flags` holds the bits above the prefix in
/// the first byte (the representation's pattern).
pub(crate) fn encode(value: usize, prefix_bits: u8, flags: u8, dst: &mut BytesMut) {
    let mask = u8::MAX >> (8 - u32::from(prefix_bits));
    let max_prefix = usize::from(mask);
    if value < max_prefix {
        // `value < mask <= 255`, so the conversion is exact.
        dst.put_u8(flags | u8::try_from(value).unwrap_or(mask));
        return;
    }
    dst.put_u8(flags | mask);
    let mut rest = value - max_prefix;
    while rest >= 0x80 {
        dst.put_u8(0x80 | low_byte(rest));
        rest >>= 7;
    }
    dst.put_u8(low_byte(rest));
}

/// The low 7 bits of `value`.
fn low_byte(value: usize) -> u8 {
    value.to_le_bytes()[0] & 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], prefix: u8) -> (Result<u64, IntegerError>, usize) {
        let mut pos = 0;
        let result = decode(bytes, &mut pos, prefix);
        (result, pos)
    }

    fn encoded(value: usize, prefix: u8, flags: u8) -> Vec<u8> {
        let mut dst = BytesMut::new();
        encode(value, prefix, flags, &mut dst);
        dst.to_vec()
    }

    #[test]
    fn rfc_7541_c1_examples() {
        // C.1.1: 10 with a 5-bit prefix.
        assert_eq!(encoded(10, 5, 0), [0b0000_1010]);
        assert_eq!(decoded(&[0b1110_1010], 5), (Ok(10), 1));
        // C.1.2: 1337 with a 5-bit prefix.
        assert_eq!(encoded(1337, 5, 0), [0b0001_1111, 0b1001_1010, 0b0000_1010]);
        assert_eq!(decoded(&[0x1f, 0x9a, 0x0a], 5), (Ok(1337), 3));
        // C.1.3: 42 starting at an octet boundary.
        assert_eq!(encoded(42, 8, 0), [42]);
        assert_eq!(decoded(&[42], 8), (Ok(42), 1));
    }

    #[test]
    fn flags_are_kept_and_ignored() {
        assert_eq!(encoded(3, 6, 0x40), [0x43]);
        assert_eq!(encoded(63, 6, 0x40), [0x7f, 0x00]);
        assert_eq!(decoded(&[0x7f, 0x00], 6), (Ok(63), 2));
        assert_eq!(decoded(&[0xc3], 6), (Ok(3), 1));
    }

    #[test]
    fn round_trips_at_every_prefix_and_boundary() {
        for prefix in 1..=8u8 {
            let max_prefix = (1usize << prefix) - 1;
            for value in [
                0,
                1,
                max_prefix - 1,
                max_prefix,
                max_prefix + 1,
                max_prefix + 127,
                max_prefix + 128,
                4096,
                1 << 21,
                usize::try_from(u32::MAX).unwrap(),
            ] {
                let bytes = encoded(value, prefix, 0);
                let expected = u64::try_from(value).unwrap();
                assert_eq!(decoded(&bytes, prefix), (Ok(expected), bytes.len()));
            }
        }
    }

    #[test]
    fn truncated_integers() {
        assert_eq!(decoded(&[], 5).0, Err(IntegerError::Truncated));
        assert_eq!(decoded(&[0x1f], 5).0, Err(IntegerError::Truncated));
        assert_eq!(
            decoded(&[0x1f, 0x80, 0x80], 5).0,
            Err(IntegerError::Truncated)
        );
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        // u32::MAX itself decodes; one more does not.
        let max = usize::try_from(u32::MAX).unwrap();
        assert_eq!(decoded(&encoded(max, 5, 0), 5).0, Ok(MAX_INTEGER));
        let over = encoded(max + 1, 5, 0);
        assert_eq!(decoded(&over, 5).0, Err(IntegerError::Overflow));
        // Ten continuation bytes would hold 70 bits: refused at the sixth.
        let mut long = vec![0x1f];
        long.extend([0xff; 9]);
        long.push(0x01);
        assert_eq!(decoded(&long, 5), (Err(IntegerError::Overflow), 6));
        // Redundant zero padding beyond five bytes is refused too.
        assert_eq!(
            decoded(&[0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 5).0,
            Err(IntegerError::Overflow)
        );
        // Within five bytes it is accepted.
        assert_eq!(
            decoded(&[0x1f, 0x81, 0x80, 0x80, 0x80, 0x00], 5),
            (Ok(32), 6)
        );
    }
}
