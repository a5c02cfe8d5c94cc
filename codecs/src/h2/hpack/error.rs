//! The HPACK decoder's error: a stable kind, where in the block, and what it does to the
//! connection.

use std::fmt;

/// Why a Huffman-coded string was refused (RFC 7541 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HuffmanError {
    /// The string contains the EOS symbol ("MUST be treated as a decoding error").
    Eos,
    /// The padding is 8 bits or more ("padding strictly longer than 7 bits MUST be treated as a
    /// decoding error").
    PaddingTooLong,
    /// The bits after the last symbol are not the most significant bits of EOS (all ones), or
    /// are a code cut short.
    PaddingNotOnes,
}

impl HuffmanError {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HuffmanError::Eos => "eos",
            HuffmanError::PaddingTooLong => "padding_too_long",
            HuffmanError::PaddingNotOnes => "padding_not_ones",
        }
    }
}

/// What went wrong. Stable: programs may match on it, and [`DecodeErrorKind::as_str`] names it.
///
/// The kinds fall in two groups, told apart by [`DecodeError::is_connection_error`]:
///
/// - **Corrupt input** (everything but the three limits): the block cannot be decoded, so the
///   decoder cannot know what the peer's encoder put in its table. The compression context is
///   lost: RFC 9113 §4.3 makes this a connection error of type `COMPRESSION_ERROR`, and the
///   decoder refuses every later block with the same error.
/// - **Limits** ([`ListTooLarge`](Self::ListTooLarge), [`TooManyFields`](Self::TooManyFields),
///   [`StringTooLong`](Self::StringTooLong)): the block is valid but larger than we accept. The
///   decoder has still processed every table insertion and size update of the whole block (it
///   reads the rest without keeping the fields), so the context stays in step with the peer's
///   encoder and only the message is refused: a server answers 431 or resets the stream, a
///   client resets the stream (RFC 9113 §8.2.3, §10.5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Index 0, or an index past the end of the static and dynamic tables (RFC 7541 §2.3.3,
    /// §6.1).
    InvalidIndex {
        /// The index received.
        index: u64,
    },
    /// A prefix integer larger than 2³² − 1, or longer than 5 continuation bytes (RFC 7541
    /// §5.1 leaves the bound to the implementation).
    IntegerOverflow,
    /// The block ends inside a representation. Callers join HEADERS and CONTINUATION fragments
    /// first, so a block always ends where the encoder stopped.
    Truncated,
    /// A Huffman-coded string is invalid.
    InvalidHuffman(HuffmanError),
    /// A dynamic table size update above the maximum we advertised (RFC 7541 §6.3: "MUST be
    /// treated as a decoding error").
    SizeUpdateTooLarge {
        /// The size the peer asked for.
        size: u64,
        /// The largest it may ask for.
        max: usize,
    },
    /// A dynamic table size update after the first field of the block (RFC 7541 §4.2: "MUST
    /// occur at the beginning of the first header block following the change").
    SizeUpdateMisplaced,
    /// We lowered our table size below the table's current maximum and the block does not
    /// start with a size update at most that small (RFC 7541 §4.2: the smallest maximum since
    /// the last block "MUST be signaled").
    SizeUpdateMissing {
        /// The largest size the first update may announce.
        max: usize,
    },
    /// The decoded header list is larger than [`Limits::max_list_size`](super::Limits), counted
    /// as RFC 9113 §6.5.2 does (name + value + 32 per field).
    ListTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// More fields than [`Limits::max_fields`](super::Limits).
    TooManyFields {
        /// The configured limit.
        limit: usize,
    },
    /// A name or value longer than [`Limits::max_string_len`](super::Limits) once decoded.
    StringTooLong {
        /// The configured limit.
        limit: usize,
    },
}

impl DecodeErrorKind {
    /// A stable snake_case name (`invalid_index`, `list_too_large`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DecodeErrorKind::InvalidIndex { .. } => "invalid_index",
            DecodeErrorKind::IntegerOverflow => "integer_overflow",
            DecodeErrorKind::Truncated => "truncated",
            DecodeErrorKind::InvalidHuffman(_) => "invalid_huffman",
            DecodeErrorKind::SizeUpdateTooLarge { .. } => "size_update_too_large",
            DecodeErrorKind::SizeUpdateMisplaced => "size_update_misplaced",
            DecodeErrorKind::SizeUpdateMissing { .. } => "size_update_missing",
            DecodeErrorKind::ListTooLarge { .. } => "list_too_large",
            DecodeErrorKind::TooManyFields { .. } => "too_many_fields",
            DecodeErrorKind::StringTooLong { .. } => "string_too_long",
        }
    }

    /// For a limit, the name of its setting (as in [`Limits::entries`](super::Limits::entries)).
    pub fn limit_setting(self) -> Option<&'static str> {
        match self {
            DecodeErrorKind::ListTooLarge { .. } => Some("max_list_size"),
            DecodeErrorKind::TooManyFields { .. } => Some("max_fields"),
            DecodeErrorKind::StringTooLong { .. } => Some("max_string_len"),
            _ => None,
        }
    }
}

/// An HPACK decoding error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize) -> DecodeError {
        DecodeError { kind, offset }
    }

    /// What went wrong.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// Offset in the header block: of the representation that crossed a limit, of the size
    /// update or index that is refused, of the start of an invalid string, or the block's
    /// length when it ends too early.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the compression context is lost: corrupt input, a connection error of type
    /// `COMPRESSION_ERROR` (RFC 9113 §4.3). `false` for limits, after which the decoder stays
    /// usable and only the message is refused.
    pub fn is_connection_error(&self) -> bool {
        self.kind.limit_setting().is_none()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DecodeErrorKind::InvalidIndex { index } => write!(f, "invalid table index {index}")?,
            DecodeErrorKind::IntegerOverflow => f.write_str("integer overflows 2^32 - 1")?,
            DecodeErrorKind::Truncated => f.write_str("header block ends inside a field")?,
            DecodeErrorKind::InvalidHuffman(why) => {
                write!(f, "invalid Huffman string ({})", why.as_str())?
            }
            DecodeErrorKind::SizeUpdateTooLarge { size, max } => write!(
                f,
                "dynamic table size update to {size} exceeds the advertised {max}"
            )?,
            DecodeErrorKind::SizeUpdateMisplaced => {
                f.write_str("dynamic table size update after a field")?
            }
            DecodeErrorKind::SizeUpdateMissing { max } => write!(
                f,
                "header block must start with a dynamic table size update of at most {max}"
            )?,
            DecodeErrorKind::ListTooLarge { limit } => write!(
                f,
                "decoded header list is larger than {limit} bytes (limit `max_list_size`)"
            )?,
            DecodeErrorKind::TooManyFields { limit } => {
                write!(f, "more than {limit} fields (limit `max_fields`)")?
            }
            DecodeErrorKind::StringTooLong { limit } => write!(
                f,
                "a name or value is longer than {limit} bytes (limit `max_string_len`)"
            )?,
        }
        let scope = if self.is_connection_error() {
            "connection error COMPRESSION_ERROR"
        } else {
            "message refused, context intact"
        };
        write!(f, " [hpack, byte {}; {scope}]", self.offset)
    }
}

impl std::error::Error for DecodeError {}
