//! The HPACK encoder and its indexing policy.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;

use bytes::{BufMut, BytesMut};

use crate::h2::hpack::block::DecodedField;
use crate::h2::hpack::huffman;
use crate::h2::hpack::integer;
use crate::h2::hpack::limits::{DEFAULT_TABLE_SIZE, ENCODER_TABLE_CAP};
use crate::h2::hpack::static_table::{self, STATIC_LEN, StaticMatch};
use crate::h2::hpack::table::{DynamicTable, entry_size};

/// Cookie values shorter than this are never indexed (see [`Encoder`]).
const SHORT_COOKIE: usize = 20;

/// One field to encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderField<'a> {
    /// The name, written as given (HTTP/2 requires lowercase; checking is the caller's job).
    pub name: &'a [u8],
    /// The value.
    pub value: &'a [u8],
    /// Whether to send it as a never-indexed literal.
    pub sensitive: bool,
}

impl<'a> HeaderField<'a> {
    /// A field the encoder may index.
    pub fn new(name: &'a [u8], value: &'a [u8]) -> HeaderField<'a> {
        HeaderField {
            name,
            value,
            sensitive: false,
        }
    }

    /// A field to send never indexed (credentials, tokens, anything a table hit could reveal).
    pub fn sensitive(name: &'a [u8], value: &'a [u8]) -> HeaderField<'a> {
        HeaderField {
            name,
            value,
            sensitive: true,
        }
    }
}

impl<'a> From<DecodedField<'a>> for HeaderField<'a> {
    /// Keeps a never-indexed field never indexed, as RFC 7541 §6.2.3 requires of an
    /// intermediary that forwards it.
    fn from(field: DecodedField<'a>) -> HeaderField<'a> {
        HeaderField {
            name: field.name(),
            value: field.value(),
            sensitive: field.is_sensitive(),
        }
    }
}

/// Size updates owed to the peer at the start of the next block.
#[derive(Clone, Copy, Debug)]
struct PendingUpdate {
    smallest: usize,
    last: usize,
}

/// The keyed hashes of one table entry.
#[derive(Clone, Copy, Debug)]
struct EntryKeys {
    field: u64,
    name: u64,
}

/// Encodes header lists (RFC 7541) in one compression context: one per HTTP/2 connection and
/// direction.
///
/// # Indexing policy
///
/// For each field, in this order:
///
/// 1. **Sensitive fields are never indexed** (RFC 7541 §6.2.3, §7.1.3): those the caller marks
///    ([`HeaderField::sensitive`], and every field a decoder reported as never indexed when it
///    is forwarded, as §6.2.3 requires of intermediaries), `authorization` and
///    `proxy-authorization` always, and `cookie` values shorter than 20 bytes, which are short
///    enough to guess through table hits (CRIME-style, §7.1.2; nghttp2's rule). They are sent as
///    never-indexed literals even when the table holds them, so that an intermediary cannot
///    index them either; the name may still be a table reference.
/// 2. **An exact match is sent as an index**, static table first.
/// 3. **Otherwise a literal**, its name a table reference when one matches, its value added to
///    the dynamic table unless the name's values rarely repeat on a connection (`:path`, `age`,
///    `content-length`, `etag`, `if-modified-since`, `if-none-match`, `location`,
///    `set-cookie`: nghttp2's list) or the entry would take more than three quarters of the
///    table (it would evict nearly everything for one field).
///
/// Strings are Huffman-coded when that is strictly shorter.
///
/// # Table size
///
/// The table starts at 4,096 bytes and never grows past [`ENCODER_TABLE_CAP`], whatever the
/// peer's `SETTINGS_HEADER_TABLE_SIZE` allows (dos.md HC-04). A change of the peer's setting
/// ([`Encoder::set_max_table_size`]) is announced at the start of the next block, as RFC 7541
/// §4.2 requires: the smallest size since the last block first when the table had to shrink,
/// then the final one.
///
/// Reuse is found in O(1): two maps, keyed by a keyed hash of the field and of its name, give
/// the newest entry carrying it; they hold one element per table entry and drop it when the
/// entry is evicted. A hash match is confirmed against the table's bytes, so a collision costs
/// compression, never correctness.
///
/// # Example
///
/// ```
/// use bytes::BytesMut;
/// use tollgate_codecs::h2::hpack::{Decoder, Encoder, HeaderField};
///
/// let mut encoder = Encoder::new();
/// let mut wire = BytesMut::new();
/// encoder.encode(
///     [
///         HeaderField::new(b":method", b"GET"),
///         HeaderField::new(b"user-agent", b"tollgate"),
///         HeaderField::sensitive(b"x-api-key", b"secret"),
///     ],
///     &mut wire,
/// );
/// let mut decoder = Decoder::new();
/// let fields = decoder.decode(&wire).unwrap();
/// assert!(fields.get(2).unwrap().is_sensitive());
/// assert_eq!(decoder.dynamic_table(), encoder.dynamic_table());
/// ```
#[derive(Clone, Debug)]
pub struct Encoder {
    table: DynamicTable,
    /// Parallel to the table's entries, oldest first.
    keys: VecDeque<EntryKeys>,
    /// Field hash → id of the newest entry with that hash.
    by_field: HashMap<u64, u64>,
    /// Name hash → id of the newest entry with that hash.
    by_name: HashMap<u64, u64>,
    hasher: RandomState,
    pending: Option<PendingUpdate>,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder with a 4,096-byte table, the initial `SETTINGS_HEADER_TABLE_SIZE`.
    pub fn new() -> Encoder {
        Encoder {
            table: DynamicTable::new(DEFAULT_TABLE_SIZE.min(ENCODER_TABLE_CAP)),
            keys: VecDeque::new(),
            by_field: HashMap::new(),
            by_name: HashMap::new(),
            hasher: RandomState::new(),
            pending: None,
        }
    }

    /// Takes the peer's `SETTINGS_HEADER_TABLE_SIZE` into account: the table becomes the
    /// smaller of it and [`ENCODER_TABLE_CAP`], announced at the start of the next block.
    pub fn set_max_table_size(&mut self, peer_setting: usize) {
        let size = peer_setting.min(ENCODER_TABLE_CAP);
        self.pending = Some(match self.pending {
            Some(pending) => PendingUpdate {
                smallest: pending.smallest.min(size),
                last: size,
            },
            None => PendingUpdate {
                smallest: size,
                last: size,
            },
        });
    }

    /// The dynamic table, as the peer's decoder should also have it.
    pub fn dynamic_table(&self) -> &DynamicTable {
        &self.table
    }

    /// Appends the header block for `fields` to `dst`.
    pub fn encode<'f>(
        &mut self,
        fields: impl IntoIterator<Item = HeaderField<'f>>,
        dst: &mut BytesMut,
    ) {
        self.size_updates(dst);
        for field in fields {
            self.field(field, dst);
        }
    }

    fn size_updates(&mut self, dst: &mut BytesMut) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        if pending.smallest < self.table.max_size().min(pending.last) {
            self.resize(pending.smallest, dst);
        }
        if pending.last != self.table.max_size() {
            self.resize(pending.last, dst);
        }
    }

    fn resize(&mut self, size: usize, dst: &mut BytesMut) {
        integer::encode(size, 5, 0x20, dst);
        let evicted = self.table.set_max_size(size);
        self.forget_oldest(evicted);
    }

    fn field(&mut self, field: HeaderField<'_>, dst: &mut BytesMut) {
        let HeaderField { name, value, .. } = field;
        let sensitive = field.sensitive || never_indexed(name, value);
        let in_static = static_table::find(name, value);
        if !sensitive {
            if let Some(StaticMatch::Field(index)) = in_static {
                integer::encode(index, 7, 0x80, dst);
                return;
            }
            if let Some(index) = self.find(name, Some(value)) {
                integer::encode(index, 7, 0x80, dst);
                return;
            }
        }
        let name_index = match in_static {
            Some(StaticMatch::Field(index) | StaticMatch::Name(index)) => Some(index),
            None => self.find(name, None),
        };
        let indexing = !sensitive && self.worth_indexing(name, value);
        let (flags, prefix) = if sensitive {
            (0x10, 4)
        } else if indexing {
            (0x40, 6)
        } else {
            (0x00, 4)
        };
        integer::encode(name_index.unwrap_or(0), prefix, flags, dst);
        if name_index.is_none() {
            string(name, dst);
        }
        string(value, dst);
        if indexing {
            self.insert(name, value);
        }
    }

    fn worth_indexing(&self, name: &[u8], value: &[u8]) -> bool {
        let rarely_repeated = matches!(
            name,
            b":path"
                | b"age"
                | b"content-length"
                | b"etag"
                | b"if-modified-since"
                | b"if-none-match"
                | b"location"
                | b"set-cookie"
        );
        !rarely_repeated && entry_size(name.len(), value.len()) <= self.table.max_size() / 4 * 3
    }

    /// The HPACK index of the newest dynamic entry with this name (and this value, when given).
    fn find(&self, name: &[u8], value: Option<&[u8]>) -> Option<usize> {
        let (map, key) = match value {
            Some(value) => (&self.by_field, self.hasher.hash_one((name, value))),
            None => (&self.by_name, self.hasher.hash_one(name)),
        };
        let index = self.table.index_of(*map.get(&key)?)?;
        let entry = self.table.get(index)?;
        let matches =
            entry.name.equals(name) && value.is_none_or(|value| entry.value.equals(value));
        matches.then_some(STATIC_LEN + index)
    }

    fn insert(&mut self, name: &[u8], value: &[u8]) {
        let id = self.table.inserted();
        let inserted = self.table.insert(name, value);
        self.forget_oldest(inserted.evicted);
        if inserted.added {
            let keys = EntryKeys {
                field: self.hasher.hash_one((name, value)),
                name: self.hasher.hash_one(name),
            };
            self.keys.push_back(keys);
            self.by_field.insert(keys.field, id);
            self.by_name.insert(keys.name, id);
        }
    }

    /// Drops the map entries of the `evicted` oldest table entries, unless a newer entry with
    /// the same key has replaced them.
    fn forget_oldest(&mut self, evicted: usize) {
        // The table has already dropped them: the first evicted id is just below its oldest.
        let first_id = self.table.oldest_id() - evicted as u64;
        for id in first_id..first_id + evicted as u64 {
            let Some(keys) = self.keys.pop_front() else {
                break;
            };
            for (map, key) in [
                (&mut self.by_field, keys.field),
                (&mut self.by_name, keys.name),
            ] {
                if let Entry::Occupied(found) = map.entry(key)
                    && *found.get() == id
                {
                    found.remove();
                }
            }
        }
    }
}

/// Fields sent never indexed whatever the caller says (see [`Encoder`]).
fn never_indexed(name: &[u8], value: &[u8]) -> bool {
    match name {
        b"authorization" | b"proxy-authorization" => true,
        b"cookie" => value.len() < SHORT_COOKIE,
        _ => false,
    }
}

/// A string literal (RFC 7541 §5.2), Huffman-coded when that is strictly shorter.
fn string(bytes: &[u8], dst: &mut BytesMut) {
    let coded = huffman::encoded_len(bytes);
    if coded < bytes.len() {
        integer::encode(coded, 7, 0x80, dst);
        huffman::encode(bytes, dst);
    } else {
        integer::encode(bytes.len(), 7, 0x00, dst);
        dst.put_slice(bytes);
    }
}
