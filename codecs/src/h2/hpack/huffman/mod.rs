//! The static Huffman code of HPACK (RFC 7541 §5.2, Appendix B).
//!
//! Decoding keeps up to 64 bits of input in an accumulator and looks at it a code at a time:
//! codes of 5 to 8 bits (every letter, digit and common punctuation) are found with one lookup
//! in a 256-entry table; longer ones by their run of leading ones, which for this canonical code
//! narrows the length to one to three candidates. The cost per output byte is therefore
//! bounded whatever the input (dos.md HC-05 feeds 28- to 30-bit codes to maximise it). The
//! tables are computed at compile time from [`codes::CODES`].
//!
//! The end of a string is strict, as §5.2 requires: the padding is the most significant bits
//! of EOS (all ones), shorter than 8 bits, and EOS itself may not appear.

mod codes;

use bytes::{BufMut, BytesMut};

use crate::h2::hpack::error::HuffmanError;
use codes::CODES;

/// The EOS symbol.
const EOS: u16 = 256;

/// Longest code, in bits.
const MAX_BITS: usize = 30;

/// [`MAX_BITS`], to compare with bit counts.
const LONGEST_CODE: u32 = 30;

/// `FAST[next 8 bits]` = `symbol | bits << 8` for the codes of at most 8 bits, 0 otherwise.
const FAST: [u16; 256] = build_fast();

/// Everything the decoder needs to find a long code by its length.
struct Canonical {
    /// First code of each length (right-aligned).
    first: [u32; MAX_BITS + 1],
    /// Number of codes of each length.
    count: [u32; MAX_BITS + 1],
    /// Where the symbols of each length start in `symbols`.
    offset: [u16; MAX_BITS + 1],
    /// Symbols sorted by (length, symbol), which is code order for a canonical code.
    symbols: [u16; 257],
    /// Shortest and longest length among codes starting with exactly `k` ones then a zero
    /// (EOS, all ones, is under `k = 30`).
    lengths_by_leading_ones: [(u8, u8); MAX_BITS + 1],
}

const CANONICAL: Canonical = build_canonical();

#[expect(
    clippy::cast_possible_truncation,
    reason = "const fn cannot use TryFrom; symbols are < 256 here and codes of ≤ 8 bits index 256 slots"
)]
const fn build_fast() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut symbol = 0;
    while symbol < 256 {
        let (code, bits) = CODES[symbol];
        if bits <= 8 {
            let spare = 8 - bits as u32;
            let base = (code << spare) as usize;
            let mut fill = 0;
            while fill < (1 << spare) {
                table[base + fill] = symbol as u16 | (bits as u16) << 8;
                fill += 1;
            }
        }
        symbol += 1;
    }
    table
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "const fn cannot use TryFrom; every value here is below 2^16 (257 symbols, 30 bits)"
)]
const fn build_canonical() -> Canonical {
    let mut table = Canonical {
        first: [0; MAX_BITS + 1],
        count: [0; MAX_BITS + 1],
        offset: [0; MAX_BITS + 1],
        symbols: [0; 257],
        lengths_by_leading_ones: [(u8::MAX, 0); MAX_BITS + 1],
    };
    let mut next = 0;
    let mut bits = 1;
    while bits <= MAX_BITS {
        table.offset[bits] = next as u16;
        let mut symbol = 0;
        while symbol < 257 {
            let (code, length) = CODES[symbol];
            if length as usize == bits {
                if table.count[bits] == 0 {
                    table.first[bits] = code;
                }
                table.count[bits] += 1;
                table.symbols[next] = symbol as u16;
                next += 1;
                // Leading ones of the code within its own length.
                let ones = (code << (32 - bits as u32)).leading_ones() as usize;
                let ones = if ones > bits { bits } else { ones };
                let (low, high) = table.lengths_by_leading_ones[ones];
                let low = if (bits as u8) < low { bits as u8 } else { low };
                let high = if (bits as u8) > high {
                    bits as u8
                } else {
                    high
                };
                table.lengths_by_leading_ones[ones] = (low, high);
            }
            symbol += 1;
        }
        bits += 1;
    }
    table
}

/// Where decoded bytes go.
trait Sink {
    /// Takes one byte; `false` when the sink is full (decoding stops there).
    fn push(&mut self, byte: u8) -> bool;
}

/// Stores up to `max` bytes.
struct Capped<'a> {
    out: &'a mut Vec<u8>,
    max: usize,
}

impl Sink for Capped<'_> {
    #[inline]
    fn push(&mut self, byte: u8) -> bool {
        if self.out.len() == self.max {
            return false;
        }
        self.out.push(byte);
        true
    }
}

/// Counts, for strings that are checked but not kept.
struct Count(usize);

impl Sink for Count {
    #[inline]
    fn push(&mut self, _: u8) -> bool {
        self.0 += 1;
        true
    }
}

/// Decodes `src` into `out` (cleared first). `Ok(false)` when the decoded string would be
/// longer than `max`: `out` then holds its first `max` bytes and the rest of `src` is not looked
/// at.
pub(crate) fn decode(src: &[u8], out: &mut Vec<u8>, max: usize) -> Result<bool, HuffmanError> {
    out.clear();
    // Every code is at least 5 bits long: at most 8 symbols per 5 bytes.
    out.reserve(max.min(src.len().saturating_mul(8) / 5));
    run(src, &mut Capped { out, max })
}

/// Checks that `src` is a valid Huffman string without keeping it; returns its decoded length.
pub(crate) fn validate(src: &[u8]) -> Result<usize, HuffmanError> {
    let mut count = Count(0);
    run(src, &mut count)?;
    Ok(count.0)
}

#[inline]
fn run<S: Sink>(src: &[u8], sink: &mut S) -> Result<bool, HuffmanError> {
    // Input bits, most significant first, left-aligned; `bits` of them are valid.
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    let mut rest = src;
    // While input remains, refill and decode only codes that are wholly held: with at least
    // 30 bits in hand any code is, and padding cannot be involved.
    while !rest.is_empty() {
        if bits <= 32
            && let Some((word, tail)) = rest.split_first_chunk::<4>()
        {
            acc |= u64::from(u32::from_be_bytes(*word)) << (32 - bits);
            bits += 32;
            rest = tail;
        }
        while bits <= 56 {
            let Some((&byte, tail)) = rest.split_first() else {
                break;
            };
            acc |= u64::from(byte) << (56 - bits);
            bits += 8;
            rest = tail;
        }
        while bits >= LONGEST_CODE {
            let (symbol, length) = code_at(acc);
            if symbol == EOS {
                return Err(HuffmanError::Eos);
            }
            if !sink.push(symbol.to_le_bytes()[0]) {
                return Ok(false);
            }
            acc <<= length;
            bits -= length;
        }
    }
    // The last bits: a code may now be cut short, which is valid only as padding.
    while bits > 0 {
        // What follows the input is treated as ones, so that a code can be looked up even when
        // fewer bits than its length remain; such a code is then the padding (checked below).
        let padded = acc | u64::MAX.checked_shr(bits).unwrap_or(0);
        let (symbol, length) = code_at(padded);
        if length > bits {
            return padding(acc, bits).map(|()| true);
        }
        if symbol == EOS {
            return Err(HuffmanError::Eos);
        }
        if !sink.push(symbol.to_le_bytes()[0]) {
            return Ok(false);
        }
        acc <<= length;
        bits -= length;
    }
    Ok(true)
}

/// The symbol whose code starts at the top of `acc`, and the code's length.
#[inline]
fn code_at(acc: u64) -> (u16, u32) {
    let entry = FAST[usize::from(acc.to_be_bytes()[0])];
    if entry != 0 {
        (entry & 0xff, u32::from(entry >> 8))
    } else {
        long_code(acc)
    }
}

/// The code at the top of `padded` when it is longer than 8 bits: its length lies between the
/// shortest and longest code that start with the same number of ones.
fn long_code(padded: u64) -> (u16, u32) {
    let ones = usize::try_from(padded.leading_ones())
        .unwrap_or(MAX_BITS)
        .min(MAX_BITS);
    let (low, high) = CANONICAL.lengths_by_leading_ones[ones];
    for length in usize::from(low)..=usize::from(high) {
        let (Some(&first), Some(&count), Some(&offset)) = (
            CANONICAL.first.get(length),
            CANONICAL.count.get(length),
            CANONICAL.offset.get(length),
        ) else {
            break;
        };
        let shift = 64 - u32::try_from(length).unwrap_or(64);
        let code = u32::try_from(padded.checked_shr(shift).unwrap_or(0)).unwrap_or(u32::MAX);
        let index = code.wrapping_sub(first);
        if index < count {
            let at = usize::from(offset) + usize::try_from(index).unwrap_or(usize::MAX);
            let symbol = CANONICAL.symbols.get(at).copied().unwrap_or(EOS);
            return (symbol, u32::try_from(length).unwrap_or(u32::MAX));
        }
    }
    // The code is complete, so every bit pattern starts with some code and this is not reached;
    // EOS is the answer that makes the caller refuse the string.
    (EOS, 0)
}

/// The last `bits` bits of a string (at the top of `acc`) did not complete a code: valid only
/// as padding.
fn padding(acc: u64, bits: u32) -> Result<(), HuffmanError> {
    let all_ones = acc.leading_ones() >= bits;
    if !all_ones {
        Err(HuffmanError::PaddingNotOnes)
    } else if bits >= 8 {
        Err(HuffmanError::PaddingTooLong)
    } else {
        Ok(())
    }
}

/// Length of the Huffman encoding of `src`, in bytes.
pub(crate) fn encoded_len(src: &[u8]) -> usize {
    let bits: usize = src
        .iter()
        .map(|&byte| usize::from(CODES[usize::from(byte)].1))
        .sum();
    bits.div_ceil(8)
}

/// Appends the Huffman encoding of `src`, padded with ones.
pub(crate) fn encode(src: &[u8], dst: &mut BytesMut) {
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for &byte in src {
        let (code, length) = CODES[usize::from(byte)];
        // Fewer than 32 bits are pending here, plus at most 30: the accumulator never overflows.
        acc = (acc << length) | u64::from(code);
        bits += u32::from(length);
        if bits >= 32 {
            bits -= 32;
            let word = (acc >> bits).to_be_bytes();
            dst.put_slice(&word[4..]);
        }
    }
    while bits >= 8 {
        bits -= 8;
        dst.put_u8((acc >> bits).to_le_bytes()[0]);
    }
    if bits > 0 {
        let last = (acc << (8 - bits)) | (0xff >> bits);
        dst.put_u8(last.to_le_bytes()[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(src: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        assert!(decode(src, &mut out, usize::MAX)?);
        assert_eq!(validate(src), Ok(out.len()));
        Ok(out)
    }

    fn encoded(src: &[u8]) -> Vec<u8> {
        let mut dst = BytesMut::new();
        encode(src, &mut dst);
        assert_eq!(dst.len(), encoded_len(src));
        dst.to_vec()
    }

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn the_code_is_canonical_and_complete() {
        // Kraft: the code lengths fill the code space exactly, so no bit pattern is unassigned.
        let space: u64 = CODES.iter().map(|&(_, bits)| 1u64 << (30 - bits)).sum();
        assert_eq!(space, 1 << 30);
        // Canonical: sorted by (length, symbol), each code is the previous plus one, shifted.
        let mut order: Vec<usize> = (0..257).collect();
        order.sort_by_key(|&symbol| (CODES[symbol].1, symbol));
        let mut expected = 0u32;
        let mut previous_bits = CODES[order[0]].1;
        for (rank, &symbol) in order.iter().enumerate() {
            let (code, bits) = CODES[symbol];
            if rank > 0 {
                expected = (expected + 1) << (bits - previous_bits);
            }
            assert_eq!(code, expected, "symbol {symbol}");
            previous_bits = bits;
        }
    }

    #[test]
    fn spot_checks_against_appendix_b() {
        assert_eq!(CODES[0], (0x1ff8, 13));
        assert_eq!(CODES[usize::from(b' ')], (0x14, 6));
        assert_eq!(CODES[usize::from(b'0')], (0x0, 5));
        assert_eq!(CODES[usize::from(b'a')], (0x3, 5));
        assert_eq!(CODES[usize::from(b'{')], (0x7ffe, 15));
        assert_eq!(CODES[usize::from(b'\n')], (0x3ffffffc, 30));
        assert_eq!(CODES[255], (0x3ffffee, 26));
        assert_eq!(CODES[256], (0x3fffffff, 30));
    }

    #[test]
    fn rfc_7541_c4_and_c6_strings() {
        let cases = [
            ("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com"),
            ("a8eb 1064 9cbf", "no-cache"),
            ("25a8 49e9 5ba9 7d7f", "custom-key"),
            ("25a8 49e9 5bb8 e8b4 bf", "custom-value"),
            ("6402", "302"),
            ("aec3 771a 4b", "private"),
            (
                "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff",
                "Mon, 21 Oct 2013 20:13:21 GMT",
            ),
            (
                "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3",
                "https://www.example.com",
            ),
            (
                "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 \
                 3160 65c0 03ed 4ee5 b106 3d50 07",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
        ];
        for (wire, text) in cases {
            assert_eq!(decoded(&hex(wire)).unwrap(), text.as_bytes(), "{text}");
            assert_eq!(encoded(text.as_bytes()), hex(wire), "{text}");
        }
    }

    #[test]
    fn every_symbol_round_trips_alone_and_together() {
        let all: Vec<u8> = (0..=255).collect();
        for byte in &all {
            let one = [*byte];
            assert_eq!(decoded(&encoded(&one)).unwrap(), one);
        }
        assert_eq!(decoded(&encoded(&all)).unwrap(), all);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(decoded(&encoded(&reversed)).unwrap(), reversed);
        assert_eq!(decoded(&[]).unwrap(), b"");
    }

    #[test]
    fn eos_in_the_string_is_refused() {
        // EOS alone (30 ones, 2 bits of padding).
        assert_eq!(decoded(&[0xff, 0xff, 0xff, 0xff]), Err(HuffmanError::Eos));
        // 'a' (00011) then EOS.
        assert_eq!(
            decoded(&[0x1f, 0xff, 0xff, 0xff, 0xff]),
            Err(HuffmanError::Eos)
        );
    }

    #[test]
    fn padding_must_be_short_and_all_ones() {
        // 'a' + 3 ones: fine. 'a' + 3 bits that are not all ones: refused.
        assert_eq!(decoded(&[0x1f]).unwrap(), b"a");
        assert_eq!(decoded(&[0x1e]), Err(HuffmanError::PaddingNotOnes));
        assert_eq!(decoded(&[0x18]), Err(HuffmanError::PaddingNotOnes));
        // A whole byte of ones after a full code: 8 bits of padding.
        assert_eq!(decoded(&[0xff]), Err(HuffmanError::PaddingTooLong));
        assert_eq!(decoded(&[0x1f, 0xff]), Err(HuffmanError::PaddingTooLong));
        // 'a' 'a' 'a' is 15 bits + 1 of padding.
        assert_eq!(decoded(&[0x18, 0xc7]).unwrap(), b"aaa");
        // 32 ones: EOS, then padding.
        assert_eq!(decoded(&[0xff, 0xff, 0xff, 0xff]), Err(HuffmanError::Eos));
        // 29 ones and a zero is 0x16 (30 bits), then "00" is not padding.
        assert_eq!(
            decoded(&[0xff, 0xff, 0xff, 0xf8]),
            Err(HuffmanError::PaddingNotOnes)
        );
        // 24 ones: a prefix of EOS far longer than 7 bits.
        assert_eq!(
            decoded(&[0xff, 0xff, 0xff]),
            Err(HuffmanError::PaddingTooLong)
        );
        // Zero bits where a 5-bit code is expected: a truncated code, not padding.
        assert_eq!(decoded(&[0x00]), Err(HuffmanError::PaddingNotOnes));
    }

    #[test]
    fn decoding_stops_at_the_cap() {
        let wire = encoded(b"custom-value");
        let mut out = Vec::new();
        assert_eq!(decode(&wire, &mut out, 6), Ok(false));
        assert_eq!(out, b"custom");
        assert_eq!(decode(&wire, &mut out, 12), Ok(true));
        assert_eq!(out, b"custom-value");
        // Corruption after the cap is not looked at; validation sees it.
        let mut bad = wire.clone();
        bad.extend([0xff; 4]);
        assert_eq!(decode(&bad, &mut out, 6), Ok(false));
        assert_eq!(validate(&bad), Err(HuffmanError::Eos));
    }

    #[test]
    fn long_codes_decode_at_any_bit_alignment() {
        // Prefixes of 0 to 7 'a's shift the 30-bit codes (\n, \r, 0x16) to every alignment.
        for shift in 0..8 {
            let mut text = vec![b'a'; shift];
            text.extend([b'\n', b'\r', 0x16, 0xff, 0x00, b'~']);
            assert_eq!(decoded(&encoded(&text)).unwrap(), text);
        }
    }
}
