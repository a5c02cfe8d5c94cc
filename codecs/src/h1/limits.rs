//! Size limits of the HTTP/1 codec, each a named default with the reason for its value.

/// Default for [`Limits::max_head_bytes`]: 64 KiB.
///
/// Large enough for heads with big cookies and CSP headers from real origins (nginx allows
/// 4 × 8 KiB by default, HAProxy about 15 KiB), small enough that a connection cannot make us
/// buffer much before we have parsed anything (dos.md H1-05).
pub const DEFAULT_MAX_HEAD_BYTES: usize = 64 * 1024;

/// Default for [`Limits::max_line_bytes`]: 16 KiB.
///
/// Apache refuses lines over 8190 bytes and nginx over 8 KiB; origins' Content-Security-Policy
/// and Set-Cookie lines go past 8 KiB in the wild, so we allow twice that.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024;

/// Default for [`Limits::max_headers`]: 100 field lines.
///
/// Apache, hyper and h2o use 100 and HAProxy 101; per-field work is what a
/// many-small-headers flood (dos.md H1-06) multiplies.
pub const DEFAULT_MAX_HEADERS: usize = 100;

/// Default for [`Limits::max_chunk_ext_bytes`]: 16 KiB per body.
///
/// Chunk extensions are read and thrown away; hyper's `CHUNKED_EXTENSIONS_LIMIT` is the same
/// figure, set after the 2023 chunk-extension CPU attacks (dos.md H1-07).
pub const DEFAULT_MAX_CHUNK_EXT_BYTES: usize = 16 * 1024;

/// Default for [`Limits::max_trailer_bytes`]: 16 KiB.
///
/// Trailers are buffered whole before they are parsed; hyper's `TRAILER_LIMIT` is the same.
pub const DEFAULT_MAX_TRAILER_BYTES: usize = 16 * 1024;

/// Default for [`Limits::max_informational`]: 16 interim (1xx) responses before a final one.
///
/// Real origins send one or two (100, 103); an origin that streams 1xx forever would otherwise
/// hold a request open without ever answering it (dos.md §7, origin side).
pub const DEFAULT_MAX_INFORMATIONAL: usize = 16;

/// Size limits applied while decoding. Exceeding one is an error
/// ([`crate::h1::ErrorKind::LimitExceeded`]) answered 431 or 414 to a client and 502 for an origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a message head, start line and empty lines before it included.
    pub max_head_bytes: usize,
    /// Bytes of one line of the head or of the trailers, without its line ending.
    pub max_line_bytes: usize,
    /// Field lines in a head (continuation lines included).
    pub max_headers: usize,
    /// Bytes of chunk extensions (and whitespace after chunk sizes) in one body.
    pub max_chunk_ext_bytes: usize,
    /// Bytes of the trailer section of one body.
    pub max_trailer_bytes: usize,
    /// Interim (1xx) responses before the final response to one request.
    pub max_informational: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_headers: DEFAULT_MAX_HEADERS,
            max_chunk_ext_bytes: DEFAULT_MAX_CHUNK_EXT_BYTES,
            max_trailer_bytes: DEFAULT_MAX_TRAILER_BYTES,
            max_informational: DEFAULT_MAX_INFORMATIONAL,
        }
    }
}

impl Limits {
    /// The largest value any limit may be set to: offsets inside a head are 32-bit.
    pub const MAX_CONFIGURABLE: usize = 1 << 30;

    /// `(name, value, reason)` for every limit, in a stable order.
    pub fn entries(&self) -> [(&'static str, usize, &'static str); 6] {
        [
            (
                "max_head_bytes",
                self.max_head_bytes,
                "bytes buffered before a head is parsed (dos.md H1-05)",
            ),
            (
                "max_line_bytes",
                self.max_line_bytes,
                "one line of a head or of the trailers",
            ),
            (
                "max_headers",
                self.max_headers,
                "field lines per head (dos.md H1-06)",
            ),
            (
                "max_chunk_ext_bytes",
                self.max_chunk_ext_bytes,
                "chunk-extension bytes per body (dos.md H1-07)",
            ),
            (
                "max_trailer_bytes",
                self.max_trailer_bytes,
                "trailer section per body",
            ),
            (
                "max_informational",
                self.max_informational,
                "1xx responses before the final one",
            ),
        ]
    }
}

/// Names one limit, for errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_head_bytes`].
    HeadBytes,
    /// [`Limits::max_line_bytes`], on the request line (answered 414 to a client).
    RequestLineBytes,
    /// [`Limits::max_line_bytes`], on any other line.
    LineBytes,
    /// [`Limits::max_headers`].
    Headers,
    /// [`Limits::max_trailer_bytes`].
    TrailerBytes,
    /// [`Limits::max_informational`].
    Informational,
}

impl Limit {
    /// The name of the setting, as in the policy file.
    pub fn setting(self) -> &'static str {
        match self {
            Limit::HeadBytes => "max_head_bytes",
            Limit::RequestLineBytes | Limit::LineBytes => "max_line_bytes",
            Limit::Headers => "max_headers",
            Limit::TrailerBytes => "max_trailer_bytes",
            Limit::Informational => "max_informational",
        }
    }

    /// The configured value in `limits`.
    pub fn value(self, limits: &Limits) -> usize {
        match self {
            Limit::HeadBytes => limits.max_head_bytes,
            Limit::RequestLineBytes | Limit::LineBytes => limits.max_line_bytes,
            Limit::Headers => limits.max_headers,
            Limit::TrailerBytes => limits.max_trailer_bytes,
            Limit::Informational => limits.max_informational,
        }
    }
}
