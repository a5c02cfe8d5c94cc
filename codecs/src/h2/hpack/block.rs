//! A decoded header block: the fields in order, their bytes in one buffer.
//!
//! Every name and value of a block is written once into one buffer while the block is
//! decoded; the fields are offsets into it. A block therefore costs two allocations whatever
//! its number of fields (the buffer, often reused from the previous block, and the offsets), and
//! a field's bytes can be handed on as [`Bytes`] without copying.

use std::fmt;
use std::ops::Range;

use bytes::Bytes;

/// How a field was represented on the wire (RFC 7541 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Representation {
    /// Indexed Header Field (§6.1): a reference to a table entry.
    Indexed,
    /// Literal Header Field with Incremental Indexing (§6.2.1): added to the dynamic table.
    IncrementalIndexing,
    /// Literal Header Field without Indexing (§6.2.2).
    WithoutIndexing,
    /// Literal Header Field Never Indexed (§6.2.3): the sender marked it sensitive, and an
    /// intermediary "MUST use the same representation" when it forwards it.
    NeverIndexed,
}

impl Representation {
    /// A stable snake_case name (`indexed`, `literal_incremental_indexing`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Representation::Indexed => "indexed",
            Representation::IncrementalIndexing => "literal_incremental_indexing",
            Representation::WithoutIndexing => "literal_without_indexing",
            Representation::NeverIndexed => "literal_never_indexed",
        }
    }
}

const NAME_HUFFMAN: u8 = 1;
const VALUE_HUFFMAN: u8 = 2;

/// One field of a block, as offsets into the block's buffer. The value follows the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    start: u32,
    name_len: u32,
    value_len: u32,
    /// Table index used (the entry's, or the name's for a literal); 0 for none.
    index: u32,
    representation: Representation,
    huffman: u8,
}

impl FieldSpan {
    /// A field whose name starts at `start` in the buffer, its value right after it. Offsets
    /// are below [`super::Limits::MAX_CONFIGURABLE`] plus one table, so `u32` holds them.
    pub(crate) fn new(
        start: usize,
        name_len: usize,
        value_len: usize,
        index: u64,
        representation: Representation,
    ) -> FieldSpan {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        FieldSpan {
            start: narrow(start),
            name_len: narrow(name_len),
            value_len: narrow(value_len),
            index: u32::try_from(index).unwrap_or(u32::MAX),
            representation,
            huffman: 0,
        }
    }

    pub(crate) fn with_huffman(mut self, name: bool, value: bool) -> FieldSpan {
        self.huffman = (u8::from(name) * NAME_HUFFMAN) | (u8::from(value) * VALUE_HUFFMAN);
        self
    }

    fn name_range(&self) -> Range<usize> {
        let start = self.start as usize;
        start..start + self.name_len as usize
    }

    fn value_range(&self) -> Range<usize> {
        let start = self.name_range().end;
        start..start + self.value_len as usize
    }
}

/// The decoded fields of one header block, in order.
///
/// Names and values are passed on as received: HTTP semantics (lowercase names, pseudo-header
/// order, connection-specific fields) are for the caller to check.
#[derive(Clone, Default)]
pub struct HeaderBlock {
    pub(crate) buf: Bytes,
    pub(crate) fields: Vec<FieldSpan>,
    pub(crate) list_size: usize,
    pub(crate) size_updates: Vec<u32>,
}

impl HeaderBlock {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the block has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field at `position`.
    pub fn get(&self, position: usize) -> Option<DecodedField<'_>> {
        self.fields.get(position).map(|span| DecodedField {
            buf: &self.buf,
            span: *span,
        })
    }

    /// The fields in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = DecodedField<'_>> + '_ {
        self.fields.iter().map(|span| DecodedField {
            buf: &self.buf,
            span: *span,
        })
    }

    /// The size of the header list as RFC 9113 §6.5.2 counts it: name + value + 32 per field.
    pub fn list_size(&self) -> usize {
        self.list_size
    }

    /// The dynamic table size updates the block started with, in order.
    pub fn table_size_updates(&self) -> &[u32] {
        &self.size_updates
    }
}

impl PartialEq for HeaderBlock {
    fn eq(&self, other: &HeaderBlock) -> bool {
        self.size_updates == other.size_updates && self.iter().eq(other.iter())
    }
}

impl Eq for HeaderBlock {}

impl fmt::Debug for HeaderBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderBlock")
            .field("size_updates", &self.size_updates)
            .field("fields", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

/// One decoded field.
#[derive(Clone, Copy)]
pub struct DecodedField<'a> {
    buf: &'a Bytes,
    span: FieldSpan,
}

impl<'a> DecodedField<'a> {
    /// The name, as received.
    pub fn name(&self) -> &'a [u8] {
        self.buf.get(self.span.name_range()).unwrap_or_default()
    }

    /// The value, as received.
    pub fn value(&self) -> &'a [u8] {
        self.buf.get(self.span.value_range()).unwrap_or_default()
    }

    /// The name as a [`Bytes`] sharing the block's buffer.
    pub fn name_bytes(&self) -> Bytes {
        self.slice(self.span.name_range())
    }

    /// The value as a [`Bytes`] sharing the block's buffer.
    pub fn value_bytes(&self) -> Bytes {
        self.slice(self.span.value_range())
    }

    fn slice(&self, range: Range<usize>) -> Bytes {
        if range.end <= self.buf.len() {
            self.buf.slice(range)
        } else {
            Bytes::new()
        }
    }

    /// How the field was represented.
    pub fn representation(&self) -> Representation {
        self.span.representation
    }

    /// Whether the sender marked the field sensitive (never indexed); forward it the same way.
    pub fn is_sensitive(&self) -> bool {
        self.span.representation == Representation::NeverIndexed
    }

    /// The table index the field referred to: its entry for an indexed field, its name's for a
    /// literal with an indexed name (1 to 61 static, 62 and up dynamic, at decoding time).
    pub fn index(&self) -> Option<u32> {
        (self.span.index != 0).then_some(self.span.index)
    }

    /// Whether the name was a Huffman-coded literal.
    pub fn name_huffman(&self) -> bool {
        self.span.huffman & NAME_HUFFMAN != 0
    }

    /// Whether the value was a Huffman-coded literal.
    pub fn value_huffman(&self) -> bool {
        self.span.huffman & VALUE_HUFFMAN != 0
    }
}

impl PartialEq for DecodedField<'_> {
    fn eq(&self, other: &DecodedField<'_>) -> bool {
        self.name() == other.name()
            && self.value() == other.value()
            && self.span.representation == other.span.representation
            && self.span.index == other.span.index
            && self.span.huffman == other.span.huffman
    }
}

impl fmt::Debug for DecodedField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}",
            self.name().escape_ascii(),
            self.value().escape_ascii(),
            self.representation().as_str()
        )?;
        if let Some(index) = self.index() {
            write!(f, ", index {index}")?;
        }
        match (self.name_huffman(), self.value_huffman()) {
            (true, true) => f.write_str(", huffman name and value")?,
            (true, false) => f.write_str(", huffman name")?,
            (false, true) => f.write_str(", huffman value")?,
            (false, false) => {}
        }
        f.write_str(")")
    }
}
