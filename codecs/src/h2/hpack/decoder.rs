//! The HPACK decoder: one header block at a time, in one compression context.

use bytes::BytesMut;

use crate::h2::hpack::block::{FieldSpan, HeaderBlock, Representation};
use crate::h2::hpack::error::{DecodeError, DecodeErrorKind};
use crate::h2::hpack::huffman;
use crate::h2::hpack::integer::{self, IntegerError};
use crate::h2::hpack::limits::{DEFAULT_TABLE_SIZE, Limits};
use crate::h2::hpack::static_table::{self, STATIC_LEN};
use crate::h2::hpack::table::{DynamicTable, ENTRY_OVERHEAD, Parts, entry_size};

/// Decodes header blocks (RFC 7541) in one compression context: one per HTTP/2 connection and
/// direction.
///
/// # What the decoder guarantees
///
/// - **Limits are checked before bytes are copied.** Each field is admitted against
///   [`Limits`] (count, string length, list size) before its bytes reach the output; a Huffman
///   string is decoded with the remaining budget as its cap and stops there. A block that
///   crosses a limit therefore never makes the output larger than the limit.
/// - **After a limit error the context is intact.** The rest of the block is still read, without
///   keeping any field: indices are checked, strings are validated (Huffman included) without
///   being stored, and only the entries to be inserted into the dynamic table are copied (each
///   at most the table's size). The table then holds what the peer's encoder expects, the next
///   block decodes normally, and only the message is refused.
/// - **After corrupt input the context is lost.** The error is a connection error
///   (`COMPRESSION_ERROR`, RFC 9113 §4.3) and sticks: every later [`Decoder::decode`] returns
///   it again.
/// - **Size updates follow RFC 7541 §4.2 and §6.3.** They are accepted only before the first
///   field, never above [`Decoder::max_table_size`], and after
///   [`Decoder::set_max_table_size`] lowered the setting below the table's current maximum,
///   the next block must start with one no larger than the smallest setting since the last
///   block.
///
/// # Example
///
/// ```
/// use tollgate_codecs::h2::hpack::{Decoder, Representation};
///
/// let mut decoder = Decoder::new();
/// // RFC 7541 C.3.1: indexed :method GET, :scheme http, :path /, then a literal :authority.
/// let block = b"\x82\x86\x84\x41\x0fwww.example.com";
/// let fields = decoder.decode(block).unwrap();
/// let pairs: Vec<_> = fields.iter().map(|field| (field.name(), field.value())).collect();
/// assert_eq!(pairs[3], (&b":authority"[..], &b"www.example.com"[..]));
/// assert_eq!(fields.get(3).unwrap().representation(), Representation::IncrementalIndexing);
/// assert_eq!(decoder.dynamic_table().size(), 57);
/// ```
#[derive(Clone, Debug)]
pub struct Decoder {
    table: DynamicTable,
    /// What we advertised as `SETTINGS_HEADER_TABLE_SIZE`, once acknowledged.
    max_table_size: usize,
    /// The largest size the next block's first size update may announce, when one is due.
    required_update: Option<usize>,
    limits: Limits,
    /// The block being decoded; split off into the [`HeaderBlock`], then reused.
    out: BytesMut,
    /// A Huffman string, decoded before it is appended to `out`.
    huffman: Vec<u8>,
    failed: Option<DecodeError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

/// How much of a string [`Decoder::string`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keep {
    /// Up to this many bytes, appended to the output. Past it, stop reading: the caller starts
    /// the representation over without keeping it.
    Upto(usize),
    /// Up to this many bytes; past it, validate the rest and keep nothing.
    UptoOrCheck(usize),
    /// Nothing: validate only.
    Check,
}

/// What [`Decoder::string`] did with a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// Appended to the output: its length.
    Kept(usize),
    /// Not kept.
    Dropped,
}

/// The fields of the block being decoded, and whether it is already refused.
#[derive(Default)]
struct Progress {
    fields: Vec<FieldSpan>,
    list_size: usize,
    /// The first limit crossed; the rest of the block is read without keeping fields.
    refused: Option<DecodeError>,
}

impl Decoder {
    /// A decoder with a 4,096-byte table (the initial `SETTINGS_HEADER_TABLE_SIZE`) and the
    /// default [`Limits`].
    pub fn new() -> Decoder {
        Decoder::with_limits(Limits::default())
    }

    /// A decoder with a 4,096-byte table and `limits`.
    pub fn with_limits(limits: Limits) -> Decoder {
        Decoder::with_table_size(DEFAULT_TABLE_SIZE, limits)
    }

    /// A decoder whose table starts at `size` bytes, with no size update expected: for
    /// contexts that begin with an agreed size other than 4,096 (RFC 7541 Appendix C.5, other
    /// protocols). An HTTP/2 connection starts at 4,096 and calls [`set_max_table_size`]
    /// when its settings are acknowledged.
    ///
    /// [`set_max_table_size`]: Decoder::set_max_table_size
    pub fn with_table_size(size: usize, limits: Limits) -> Decoder {
        let size = size.min(u32::MAX as usize);
        Decoder {
            table: DynamicTable::new(size),
            max_table_size: size,
            required_update: None,
            limits: limits.clamped(),
            out: BytesMut::new(),
            huffman: Vec::new(),
            failed: None,
        }
    }

    /// Sets the maximum table size the peer's encoder may use: call it when the peer
    /// acknowledges a `SETTINGS_HEADER_TABLE_SIZE` we sent. When the new value is below the
    /// table's current maximum, the next block must start with a size update no larger than
    /// the smallest value set since the last block (RFC 7541 §4.2).
    pub fn set_max_table_size(&mut self, size: usize) {
        let size = size.min(u32::MAX as usize);
        self.max_table_size = size;
        if size < self.table.max_size() {
            self.required_update = Some(self.required_update.map_or(size, |due| due.min(size)));
        }
    }

    /// The largest table size the peer may ask for: what we advertised.
    pub fn max_table_size(&self) -> usize {
        self.max_table_size
    }

    /// The limits in force (clamped to [`Limits::MAX_CONFIGURABLE`]).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Changes the limits, from the next block on.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits.clamped();
    }

    /// The dynamic table, as the peer's encoder should also have it.
    pub fn dynamic_table(&self) -> &DynamicTable {
        &self.table
    }

    /// How much the output buffer has grown to, for tests of the bomb limits.
    #[cfg(test)]
    pub(crate) fn buffer_capacity(&self) -> usize {
        self.out.capacity()
    }

    /// The connection error that ended this context, if any.
    pub fn error(&self) -> Option<DecodeError> {
        self.failed
    }

    /// Decodes one complete header block (the fragments of HEADERS or PUSH_PROMISE and its
    /// CONTINUATION frames, joined).
    ///
    /// # Errors
    ///
    /// A [`DecodeError`]. Limit errors refuse the message and leave the context usable;
    /// anything else is a connection error after which the decoder refuses every block (see
    /// [`DecodeError::is_connection_error`]).
    pub fn decode(&mut self, block: &[u8]) -> Result<HeaderBlock, DecodeError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let decoded = self.decode_block(block);
        if let Err(error) = decoded {
            self.out.clear();
            if error.is_connection_error() {
                self.failed = Some(error);
            }
        }
        decoded
    }

    fn decode_block(&mut self, block: &[u8]) -> Result<HeaderBlock, DecodeError> {
        self.out.clear();
        self.out
            .reserve(block.len().saturating_mul(2).min(self.limits.max_list_size));
        let mut pos = 0;
        let size_updates = self.size_updates(block, &mut pos)?;
        let mut progress = Progress::default();
        while let Some(&first) = block.get(pos) {
            let start = pos;
            let crossed = if first & 0x80 != 0 {
                self.indexed(block, &mut pos, &mut progress)?
            } else if first & 0xe0 == 0x20 {
                return Err(DecodeError::new(
                    DecodeErrorKind::SizeUpdateMisplaced,
                    start,
                ));
            } else {
                let (representation, prefix) = match first & 0xf0 {
                    0x00 => (Representation::WithoutIndexing, 4),
                    0x10 => (Representation::NeverIndexed, 4),
                    _ => (Representation::IncrementalIndexing, 6),
                };
                self.literal(block, &mut pos, representation, prefix, &mut progress)?
            };
            if let Some(kind) = crossed {
                // Read this representation again, and the rest of the block, keeping only
                // what the table needs. The representation has had no effect yet.
                progress.refused = Some(DecodeError::new(kind, start));
                progress.fields = Vec::new();
                self.out.clear();
                pos = start;
            }
        }
        if let Some(refused) = progress.refused {
            return Err(refused);
        }
        Ok(HeaderBlock {
            buf: self.out.split().freeze(),
            fields: progress.fields,
            list_size: progress.list_size,
            size_updates,
        })
    }

    /// Reads the dynamic table size updates at the start of a block (RFC 7541 §6.3).
    fn size_updates(&mut self, block: &[u8], pos: &mut usize) -> Result<Vec<u32>, DecodeError> {
        let mut updates = Vec::new();
        while let Some(&first) = block.get(*pos) {
            if first & 0xe0 != 0x20 {
                break;
            }
            let start = *pos;
            let size = read_integer(block, pos, 5)?;
            let max = self.max_table_size;
            if size > max as u64 {
                return Err(DecodeError::new(
                    DecodeErrorKind::SizeUpdateTooLarge { size, max },
                    start,
                ));
            }
            if let Some(due) = self.required_update.take()
                && size > due as u64
            {
                return Err(DecodeError::new(
                    DecodeErrorKind::SizeUpdateMissing { max: due },
                    start,
                ));
            }
            // At most `max_table_size`, itself at most `u32::MAX`.
            let size = u32::try_from(size).unwrap_or(u32::MAX);
            self.table.set_max_size(size as usize);
            updates.push(size);
        }
        if let Some(due) = self.required_update {
            return Err(DecodeError::new(
                DecodeErrorKind::SizeUpdateMissing { max: due },
                *pos,
            ));
        }
        Ok(updates)
    }

    /// An Indexed Header Field (RFC 7541 §6.1). `Some(limit)` when keeping it would cross one.
    fn indexed(
        &mut self,
        block: &[u8],
        pos: &mut usize,
        progress: &mut Progress,
    ) -> Result<Option<DecodeErrorKind>, DecodeError> {
        let start = *pos;
        let index = read_integer(block, pos, 7)?;
        let (name, value) = field_at(&self.table, index).ok_or(DecodeError::new(
            DecodeErrorKind::InvalidIndex { index },
            start,
        ))?;
        if progress.refused.is_some() {
            return Ok(None);
        }
        if let Err(kind) = admit_count(&self.limits, progress)
            .and_then(|()| room(&self.limits, progress))
            .and_then(|room| fits(&self.limits, room, name.len()).map(|()| room - name.len()))
            .and_then(|room| fits(&self.limits, room, value.len()))
        {
            return Ok(Some(kind));
        }
        let at = self.out.len();
        name.copy_into(&mut self.out);
        value.copy_into(&mut self.out);
        progress.fields.push(FieldSpan::new(
            at,
            name.len(),
            value.len(),
            index,
            Representation::Indexed,
        ));
        progress.list_size += entry_size(name.len(), value.len());
        Ok(None)
    }

    /// A Literal Header Field (RFC 7541 §6.2). `Some(limit)` when keeping it would cross one.
    fn literal(
        &mut self,
        block: &[u8],
        pos: &mut usize,
        representation: Representation,
        prefix: u8,
        progress: &mut Progress,
    ) -> Result<Option<DecodeErrorKind>, DecodeError> {
        let start = *pos;
        let name_index = read_integer(block, pos, prefix)?;
        if progress.refused.is_some() {
            self.skip_literal(block, pos, representation, name_index, start)?;
            return Ok(None);
        }
        let limits = self.limits;
        let room = match admit_count(&limits, progress).and_then(|()| room(&limits, progress)) {
            Ok(room) => room,
            Err(kind) => return Ok(Some(kind)),
        };
        let at = self.out.len();
        let (cap, crossed) = string_cap(&limits, room);
        let (name_len, name_huffman) = if name_index == 0 {
            match self.string(block, pos, Keep::Upto(cap))? {
                (Read::Kept(len), huffman) => (len, huffman),
                (Read::Dropped, _) => return Ok(Some(crossed)),
            }
        } else {
            let (name, _) = field_at(&self.table, name_index).ok_or(DecodeError::new(
                DecodeErrorKind::InvalidIndex { index: name_index },
                start,
            ))?;
            if name.len() > cap {
                return Ok(Some(crossed));
            }
            name.copy_into(&mut self.out);
            (name.len(), false)
        };
        let (cap, crossed) = string_cap(&limits, room - name_len);
        let (value_len, value_huffman) = match self.string(block, pos, Keep::Upto(cap))? {
            (Read::Kept(len), huffman) => (len, huffman),
            (Read::Dropped, _) => return Ok(Some(crossed)),
        };

        progress.fields.push(
            FieldSpan::new(at, name_len, value_len, name_index, representation)
                .with_huffman(name_huffman, value_huffman),
        );
        progress.list_size += entry_size(name_len, value_len);
        if representation == Representation::IncrementalIndexing {
            let written = self.out.get(at..).unwrap_or_default();
            if let Some((name, value)) = written.split_at_checked(name_len) {
                self.table.insert(name, value);
            }
        }
        Ok(None)
    }

    /// Reads a literal of a refused block: validates it and applies its table insertion, keeping
    /// at most one table entry's worth of bytes.
    fn skip_literal(
        &mut self,
        block: &[u8],
        pos: &mut usize,
        representation: Representation,
        name_index: u64,
        start: usize,
    ) -> Result<(), DecodeError> {
        let indexing = representation == Representation::IncrementalIndexing;
        // Bytes of name and value an entry may have and still fit in the table.
        let room = if indexing {
            self.table.max_size().checked_sub(ENTRY_OVERHEAD)
        } else {
            None
        };
        self.out.clear();
        let name_len = if name_index == 0 {
            match room {
                Some(cap) => match self.string(block, pos, Keep::UptoOrCheck(cap))?.0 {
                    Read::Kept(len) => Some(len),
                    Read::Dropped => None,
                },
                None => {
                    self.string(block, pos, Keep::Check)?;
                    None
                }
            }
        } else {
            let (name, _) = field_at(&self.table, name_index).ok_or(DecodeError::new(
                DecodeErrorKind::InvalidIndex { index: name_index },
                start,
            ))?;
            match room {
                // Copied first: inserting may evict the entry the name comes from (RFC 7541
                // §4.4).
                Some(cap) if name.len() <= cap => {
                    name.copy_into(&mut self.out);
                    Some(name.len())
                }
                _ => None,
            }
        };
        let value_len = match room.zip(name_len) {
            Some((cap, name_len)) => {
                match self
                    .string(block, pos, Keep::UptoOrCheck(cap - name_len))?
                    .0
                {
                    Read::Kept(len) => Some(len),
                    Read::Dropped => None,
                }
            }
            None => {
                self.string(block, pos, Keep::Check)?;
                None
            }
        };
        if indexing {
            let entry = name_len
                .zip(value_len)
                .and_then(|(name_len, _)| self.out.split_at_checked(name_len));
            match entry {
                Some((name, value)) => {
                    self.table.insert(name, value);
                }
                // Larger than the table: adding it empties the table (RFC 7541 §4.4).
                None => {
                    self.table.clear();
                }
            }
        }
        self.out.clear();
        Ok(())
    }

    /// Reads a string literal (RFC 7541 §5.2) at `pos`; returns what was kept and whether it
    /// was Huffman-coded.
    fn string(
        &mut self,
        block: &[u8],
        pos: &mut usize,
        keep: Keep,
    ) -> Result<(Read, bool), DecodeError> {
        let start = *pos;
        let huffman = block.get(start).is_some_and(|first| first & 0x80 != 0);
        let len = read_integer(block, pos, 7)?;
        let data = usize::try_from(len)
            .ok()
            .and_then(|len| block.get(*pos..pos.checked_add(len)?))
            .ok_or(DecodeError::new(DecodeErrorKind::Truncated, block.len()))?;
        *pos += data.len();
        let invalid = |why| DecodeError::new(DecodeErrorKind::InvalidHuffman(why), start);
        let read = match (keep, huffman) {
            (Keep::Check, true) => {
                huffman::validate(data).map_err(invalid)?;
                Read::Dropped
            }
            (Keep::Check, false) => Read::Dropped,
            (Keep::Upto(cap) | Keep::UptoOrCheck(cap), true) => {
                if huffman::decode(data, &mut self.huffman, cap).map_err(invalid)? {
                    self.out.extend_from_slice(&self.huffman);
                    Read::Kept(self.huffman.len())
                } else {
                    if matches!(keep, Keep::UptoOrCheck(_)) {
                        huffman::validate(data).map_err(invalid)?;
                    }
                    Read::Dropped
                }
            }
            (Keep::Upto(cap) | Keep::UptoOrCheck(cap), false) => {
                if data.len() <= cap {
                    self.out.extend_from_slice(data);
                    Read::Kept(data.len())
                } else {
                    Read::Dropped
                }
            }
        };
        Ok((read, huffman))
    }
}

/// Whether the block may have one more field.
fn admit_count(limits: &Limits, progress: &Progress) -> Result<(), DecodeErrorKind> {
    if progress.fields.len() < limits.max_fields {
        Ok(())
    } else {
        Err(DecodeErrorKind::TooManyFields {
            limit: limits.max_fields,
        })
    }
}

/// Bytes of name and value one more field may bring under the list size limit.
fn room(limits: &Limits, progress: &Progress) -> Result<usize, DecodeErrorKind> {
    limits
        .max_list_size
        .checked_sub(progress.list_size + ENTRY_OVERHEAD)
        .ok_or(DecodeErrorKind::ListTooLarge {
            limit: limits.max_list_size,
        })
}

/// The longest a string may be when `room` bytes are left under the list limit, and the limit a
/// longer one crosses: of the string and list limits, the one its bytes reach first (the string
/// limit when both are reached at once), so that the error does not depend on how far a
/// decoder looks past the first limit.
fn string_cap(limits: &Limits, room: usize) -> (usize, DecodeErrorKind) {
    if limits.max_string_len <= room {
        (
            limits.max_string_len,
            DecodeErrorKind::StringTooLong {
                limit: limits.max_string_len,
            },
        )
    } else {
        (
            room,
            DecodeErrorKind::ListTooLarge {
                limit: limits.max_list_size,
            },
        )
    }
}

/// Whether a string of `len` bytes fits in `room` and the string limit.
fn fits(limits: &Limits, room: usize, len: usize) -> Result<(), DecodeErrorKind> {
    let (cap, crossed) = string_cap(limits, room);
    if len <= cap { Ok(()) } else { Err(crossed) }
}

/// Name and value at HPACK index `index`: static 1 to 61, dynamic from 62 (RFC 7541 §2.3.3).
fn field_at(table: &DynamicTable, index: u64) -> Option<(Parts<'_>, Parts<'_>)> {
    let index = usize::try_from(index).ok()?;
    if index <= STATIC_LEN {
        let (name, value) = static_table::get(index)?;
        Some((Parts::whole(name), Parts::whole(value)))
    } else {
        let entry = table.get(index - STATIC_LEN)?;
        Some((entry.name, entry.value))
    }
}

fn read_integer(block: &[u8], pos: &mut usize, prefix: u8) -> Result<u64, DecodeError> {
    let start = *pos;
    integer::decode(block, pos, prefix).map_err(|error| match error {
        IntegerError::Truncated => DecodeError::new(DecodeErrorKind::Truncated, block.len()),
        IntegerError::Overflow => DecodeError::new(DecodeErrorKind::IntegerOverflow, start),
    })
}
