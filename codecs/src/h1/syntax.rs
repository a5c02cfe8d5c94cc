//! Character classes of RFC 9110 §5.6 and RFC 3986, as lookup tables.

const fn table(ranges: &[(u8, u8)]) -> [bool; 256] {
    let mut map = [false; 256];
    let mut i = 0;
    while i < ranges.len() {
        let (lo, hi) = ranges[i];
        let mut b = lo as usize;
        while b <= hi as usize {
            map[b] = true;
            b += 1;
        }
        i += 1;
    }
    map
}

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
/// / "~" / DIGIT / ALPHA` (RFC 9110 §5.6.2).
static TCHAR: [bool; 256] = table(&[
    (b'0', b'9'),
    (b'a', b'z'),
    (b'A', b'Z'),
    (b'!', b'!'),
    (b'#', b'\''),
    (b'*', b'+'),
    (b'-', b'.'),
    (b'^', b'`'),
    (b'|', b'|'),
    (b'~', b'~'),
]);

/// Bytes RFC 3986 allows in a URI: unreserved, reserved and `%` (RFC 3986 §2).
static URI: [bool; 256] = table(&[
    (b'0', b'9'),
    (b'a', b'z'),
    (b'A', b'Z'),
    (b'-', b'.'),
    (b'_', b'_'),
    (b'~', b'~'),
    (b'!', b'!'),
    (b'$', b'$'),
    (b'&', b'/'),
    (b':', b';'),
    (b'=', b'='),
    (b'?', b'@'),
    (b'[', b'['),
    (b']', b']'),
    (b'#', b'#'),
    (b'%', b'%'),
]);

/// `reg-name` bytes of RFC 3986 §3.2.2 (unreserved / pct-encoded / sub-delims).
static REG_NAME: [bool; 256] = table(&[
    (b'0', b'9'),
    (b'a', b'z'),
    (b'A', b'Z'),
    (b'-', b'.'),
    (b'_', b'_'),
    (b'~', b'~'),
    (b'!', b'!'),
    (b'$', b'$'),
    (b'&', b','),
    (b';', b';'),
    (b'=', b'='),
    (b'%', b'%'),
]);

/// Whether `b` is a `tchar`.
#[inline]
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// Whether `b` is optional whitespace (SP or HTAB).
#[inline]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Whether `b` may appear in a URI.
#[inline]
pub(crate) fn is_uri_byte(b: u8) -> bool {
    URI[b as usize]
}

/// Whether `b` may appear in a `reg-name`.
#[inline]
pub(crate) fn is_reg_name_byte(b: u8) -> bool {
    REG_NAME[b as usize]
}

/// `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`.
#[inline]
pub(crate) fn is_reason_byte(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// A control byte a field value may not hold (CR, LF and NUL are told apart by the caller).
#[inline]
pub(crate) fn is_value_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// A run of decimal digits (`1*DIGIT`, as Content-Length is written), or `None` when empty, not
/// all digits, or beyond `u64`.
pub(crate) fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// Removes leading and trailing SP and HTAB.
pub(crate) fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !is_ows(*b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(*b))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// Splits a comma-separated list (RFC 9110 §5.6.1) into trimmed, non-empty elements.
pub(crate) fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|b| *b == b',')
        .map(trim_ows)
        .filter(|element| !element.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_matches_the_rfc_list() {
        let listed = b"!#$%&'*+-.^_`|~";
        for b in 0u8..=255 {
            let expected = b.is_ascii_alphanumeric() || listed.contains(&b);
            assert_eq!(is_tchar(b), expected, "byte {b:#x}");
        }
    }

    #[test]
    fn uri_bytes_exclude_what_rfc_3986_excludes() {
        for b in b"\"<>\\^`{|} \x7f\x80\xff" {
            assert!(!is_uri_byte(*b), "{b:#x}");
        }
        for b in b"/?#[]@!$&'()*+,;=%-._~azAZ09:" {
            assert!(is_uri_byte(*b), "{b:#x}");
        }
    }

    #[test]
    fn lists_skip_empty_elements_and_whitespace() {
        let items: Vec<&[u8]> = list_elements(b" a ,, b\t,c,").collect();
        assert_eq!(items, [&b"a"[..], b"b", b"c"]);
    }
}
