//! The static table (RFC 7541 Appendix A) and the encoder's lookups in it.

/// Entries 1 to 61, at `STATIC_TABLE[index - 1]`.
pub(crate) const STATIC_TABLE: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// Number of static entries; dynamic indices start after it.
pub(crate) const STATIC_LEN: usize = STATIC_TABLE.len();

/// The entry at `index` (1-based).
pub(crate) fn get(index: usize) -> Option<(&'static [u8], &'static [u8])> {
    STATIC_TABLE.get(index.checked_sub(1)?).copied()
}

/// Where `name` is in the static table: the first index and how many entries carry it.
/// Names are compared exactly: HTTP/2 names are lowercase, and a name that is not is the
/// caller's to refuse, not ours to fold.
fn name_entries(name: &[u8]) -> Option<(usize, usize)> {
    let found = match name {
        b":authority" => (1, 1),
        b":method" => (2, 2),
        b":path" => (4, 2),
        b":scheme" => (6, 2),
        b":status" => (8, 7),
        b"accept-charset" => (15, 1),
        b"accept-encoding" => (16, 1),
        b"accept-language" => (17, 1),
        b"accept-ranges" => (18, 1),
        b"accept" => (19, 1),
        b"access-control-allow-origin" => (20, 1),
        b"age" => (21, 1),
        b"allow" => (22, 1),
        b"authorization" => (23, 1),
        b"cache-control" => (24, 1),
        b"content-disposition" => (25, 1),
        b"content-encoding" => (26, 1),
        b"content-language" => (27, 1),
        b"content-length" => (28, 1),
        b"content-location" => (29, 1),
        b"content-range" => (30, 1),
        b"content-type" => (31, 1),
        b"cookie" => (32, 1),
        b"date" => (33, 1),
        b"etag" => (34, 1),
        b"expect" => (35, 1),
        b"expires" => (36, 1),
        b"from" => (37, 1),
        b"host" => (38, 1),
        b"if-match" => (39, 1),
        b"if-modified-since" => (40, 1),
        b"if-none-match" => (41, 1),
        b"if-range" => (42, 1),
        b"if-unmodified-since" => (43, 1),
        b"last-modified" => (44, 1),
        b"link" => (45, 1),
        b"location" => (46, 1),
        b"max-forwards" => (47, 1),
        b"proxy-authenticate" => (48, 1),
        b"proxy-authorization" => (49, 1),
        b"range" => (50, 1),
        b"referer" => (51, 1),
        b"refresh" => (52, 1),
        b"retry-after" => (53, 1),
        b"server" => (54, 1),
        b"set-cookie" => (55, 1),
        b"strict-transport-security" => (56, 1),
        b"transfer-encoding" => (57, 1),
        b"user-agent" => (58, 1),
        b"vary" => (59, 1),
        b"via" => (60, 1),
        b"www-authenticate" => (61, 1),
        _ => return None,
    };
    Some(found)
}

/// What the static table holds for a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StaticMatch {
    /// Name and value: index of the entry.
    Field(usize),
    /// The name only: index of its first entry.
    Name(usize),
}

/// Looks `name` and `value` up in the static table.
pub(crate) fn find(name: &[u8], value: &[u8]) -> Option<StaticMatch> {
    let (first, count) = name_entries(name)?;
    let exact = (first..first + count).find(|&index| get(index).is_some_and(|(_, v)| v == value));
    Some(exact.map_or(StaticMatch::Name(first), StaticMatch::Field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_agrees_with_the_table() {
        for (position, (name, value)) in STATIC_TABLE.iter().enumerate() {
            let index = position + 1;
            let first = STATIC_TABLE
                .iter()
                .position(|(other, _)| other == name)
                .unwrap()
                + 1;
            assert_eq!(find(name, value), Some(StaticMatch::Field(index)));
            assert_eq!(find(name, b"\0other"), Some(StaticMatch::Name(first)));
            let (start, count) = name_entries(name).unwrap();
            assert_eq!(start, first);
            assert!((start..start + count).contains(&index));
        }
        assert_eq!(STATIC_LEN, 61);
        assert_eq!(find(b"x-custom", b""), None);
        assert_eq!(find(b"Cookie", b""), None);
        assert_eq!(get(0), None);
        assert_eq!(get(62), None);
        assert_eq!(get(61), Some((&b"www-authenticate"[..], &b""[..])));
    }
}
