//! What the HPACK decoder accepts, each default a named constant with the reason for its value.
//!
//! Two limits on the decoded list are needed, not one (dos.md §2.4): a size cap stops the
//! classic bomb, one large table entry referenced thousands of times (HC-01); a field count
//! stops the HTTP/2 Bomb, thousands of references to a nearly empty entry, each accounted as
//! only 33 bytes but costing far more to represent downstream (HC-02). Both are checked before a
//! field is copied, so a block that crosses one stops growing the output at that field.

/// Default for [`Limits::max_list_size`]: 64 KiB, counted as RFC 9113 §6.5.2 does (name +
/// value + 32 per field).
///
/// dos.md §7's choice for our server and what Calif's hardened Pingora used against the HTTP/2
/// Bomb; four times hyper's 16 KiB, so real cookie-heavy requests pass; the same as
/// [`crate::h1::DEFAULT_MAX_HEAD_BYTES`], so a list we accept is one the HTTP/1 side would
/// accept once translated. It is what we should advertise as `SETTINGS_MAX_HEADER_LIST_SIZE`.
pub const DEFAULT_MAX_LIST_SIZE: usize = 64 * 1024;

/// Default for [`Limits::max_fields`]: 100 fields, each cookie crumb counted (HPACK carries
/// crumbs as separate fields, RFC 9113 §8.2.3).
///
/// Apache's `LimitRequestFields` is 100 and counts crumbs since the HTTP/2 Bomb fix
/// (CVE-2026-49975), HAProxy allows 101, and [`crate::h1::DEFAULT_MAX_HEADERS`] is 100, so a
/// list we accept stays within what the HTTP/1 side accepts after translation. Without it the
/// size cap alone would let 64 KiB / 33 ≈ 2,000 one-byte references through per block.
pub const DEFAULT_MAX_FIELDS: usize = 100;

/// Default for [`Limits::max_string_len`]: 16 KiB for one decoded name or value.
///
/// The same as [`crate::h1::DEFAULT_MAX_LINE_BYTES`]: origins' Content-Security-Policy and
/// Set-Cookie values pass 8 KiB in the wild (nginx refuses fields over 8 KiB), and a value we
/// forward to an HTTP/1 peer must fit its line limit. A Huffman string stops being decoded as
/// soon as it passes the limit, which also bounds the work one string can cost (HC-05).
pub const DEFAULT_MAX_STRING_LEN: usize = 16 * 1024;

/// The dynamic table size both sides start with: the initial value of
/// `SETTINGS_HEADER_TABLE_SIZE` (RFC 9113 §6.5.2).
pub const DEFAULT_TABLE_SIZE: usize = 4096;

/// The most the [`Encoder`](super::Encoder)'s table may hold, whatever the peer allows.
///
/// A peer may advertise `SETTINGS_HEADER_TABLE_SIZE` up to 2³² − 1, and an encoder that
/// followed it would keep that much per connection for the peer's sake (dos.md HC-04, UP-04).
/// The h2 crate caps its encoder at 4 KiB for this reason, nghttp2's deflater uses 4 KiB too,
/// and a larger table gains little compression on real header lists.
pub const ENCODER_TABLE_CAP: usize = 4096;

/// Limits applied while decoding a header block. Exceeding one is a
/// [`DecodeError`](super::DecodeError) that names it and leaves the decoder usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the decoded header list: name + value + 32 for each field.
    pub max_list_size: usize,
    /// Fields in a header block.
    pub max_fields: usize,
    /// Bytes of one decoded name or value.
    pub max_string_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_list_size: DEFAULT_MAX_LIST_SIZE,
            max_fields: DEFAULT_MAX_FIELDS,
            max_string_len: DEFAULT_MAX_STRING_LEN,
        }
    }
}

impl Limits {
    /// The largest value any limit takes effect at: offsets into a decoded block are 32-bit.
    /// Larger settings are treated as this.
    pub const MAX_CONFIGURABLE: usize = 1 << 30;

    /// `(name, value, reason)` for every limit, in a stable order.
    pub fn entries(&self) -> [(&'static str, usize, &'static str); 3] {
        [
            (
                "max_list_size",
                self.max_list_size,
                "decoded header list, name + value + 32 per field (dos.md HC-01)",
            ),
            (
                "max_fields",
                self.max_fields,
                "fields per header block, cookie crumbs counted (dos.md HC-02)",
            ),
            (
                "max_string_len",
                self.max_string_len,
                "one decoded name or value (dos.md HC-05)",
            ),
        ]
    }

    /// The limits as they take effect.
    pub(crate) fn clamped(self) -> Limits {
        Limits {
            max_list_size: self.max_list_size.min(Self::MAX_CONFIGURABLE),
            max_fields: self.max_fields.min(Self::MAX_CONFIGURABLE),
            max_string_len: self.max_string_len.min(Self::MAX_CONFIGURABLE),
        }
    }
}
