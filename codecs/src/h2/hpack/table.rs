//! The dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields, newest at index 1 (HPACK index
//! 62), bounded by a maximum size in bytes, each entry counted as name + value + 32.
//!
//! The bytes of every entry live in one ring buffer and the entries are a ring of offsets into
//! it, so inserting copies the field once and allocates nothing once the ring has grown to the
//! table's size, evicting drops the oldest entry in O(1), and index lookup is O(1) (entries
//! remember their absolute offset in the stream of bytes ever inserted). The rings never hold
//! more than the maximum size, so memory is bounded by what we advertised.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;

use bytes::BytesMut;

/// What RFC 7541 §4.1 adds to each entry's name and value length: "an estimated overhead
/// associated with an entry".
pub(crate) const ENTRY_OVERHEAD: usize = 32;

/// The largest table size taken into account: HTTP/2 settings are 32-bit, and entry lengths
/// are kept as `u32`.
const MAX_TABLE_SIZE: usize = u32::MAX as usize;

/// The size of an entry, as the RFC counts it.
pub(crate) fn entry_size(name_len: usize, value_len: usize) -> usize {
    name_len
        .saturating_add(value_len)
        .saturating_add(ENTRY_OVERHEAD)
}

/// One entry's place in the byte ring.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Offset of the name in the stream of all bytes ever inserted.
    start: u64,
    name_len: u32,
    value_len: u32,
}

/// What [`DynamicTable::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Inserted {
    /// Entries evicted, oldest first.
    pub(crate) evicted: usize,
    /// Whether the new entry was added: an entry larger than the maximum size empties the
    /// table and is not added (RFC 7541 §4.4).
    pub(crate) added: bool,
}

/// An HPACK dynamic table, as a decoder or an encoder holds it.
#[derive(Clone, Default)]
pub struct DynamicTable {
    bytes: VecDeque<u8>,
    /// Oldest first.
    slots: VecDeque<Slot>,
    size: usize,
    max_size: usize,
    /// Offset of `bytes[0]` in the stream of all bytes ever inserted.
    evicted_bytes: u64,
    /// Entries ever added; the newest has id `inserted - 1`.
    inserted: u64,
}

impl DynamicTable {
    pub(crate) fn new(max_size: usize) -> DynamicTable {
        DynamicTable {
            max_size: max_size.min(MAX_TABLE_SIZE),
            ..DynamicTable::default()
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The table's size: name + value + 32 summed over the entries.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The maximum size in effect, set by the last dynamic table size update.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// The entry at `index`, 1 being the newest (HPACK index 62).
    pub fn get(&self, index: usize) -> Option<TableEntry<'_>> {
        let position = self.slots.len().checked_sub(index)?;
        let slot = self.slots.get(position)?;
        Some(self.entry(*slot))
    }

    /// The entries, newest first (in index order).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = TableEntry<'_>> + '_ {
        self.slots.iter().rev().map(|slot| self.entry(*slot))
    }

    /// Entries ever added, which is the id the next one will get.
    pub(crate) fn inserted(&self) -> u64 {
        self.inserted
    }

    /// The id of the oldest entry still present.
    pub(crate) fn oldest_id(&self) -> u64 {
        self.inserted - self.slots.len() as u64
    }

    /// The index (1 = newest) of the entry with id `id`, if it is still present.
    pub(crate) fn index_of(&self, id: u64) -> Option<usize> {
        let index = usize::try_from(self.inserted.checked_sub(id)?).ok()?;
        (index >= 1 && index <= self.slots.len()).then_some(index)
    }

    /// Sets the maximum size, evicting the oldest entries until the table fits; returns how
    /// many were evicted.
    pub(crate) fn set_max_size(&mut self, max_size: usize) -> usize {
        self.max_size = max_size.min(MAX_TABLE_SIZE);
        let evicted = self.evict_to(self.max_size);
        // A table that shrank for good should not keep its larger ring; a shrink followed by a
        // regrow (a peer alternating 0 and 4096, dos.md HC-04) keeps it instead of reallocating.
        if self.bytes.capacity() > 2 * self.max_size.max(super::DEFAULT_TABLE_SIZE) {
            self.bytes.shrink_to(self.max_size);
        }
        evicted
    }

    /// Evicts every entry; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        self.evict_to(0)
    }

    /// Adds a field as the newest entry, evicting what must go first (RFC 7541 §4.4).
    pub(crate) fn insert(&mut self, name: &[u8], value: &[u8]) -> Inserted {
        let size = entry_size(name.len(), value.len());
        if size > self.max_size {
            let evicted = self.evict_to(0);
            return Inserted {
                evicted,
                added: false,
            };
        }
        let evicted = self.evict_to(self.max_size - size);
        // Both lengths are below `max_size`, itself at most `u32::MAX`.
        let name_len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        let value_len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        self.slots.push_back(Slot {
            start: self.evicted_bytes + self.bytes.len() as u64,
            name_len,
            value_len,
        });
        self.bytes.extend(name);
        self.bytes.extend(value);
        self.size += size;
        self.inserted += 1;
        Inserted {
            evicted,
            added: true,
        }
    }

    /// Evicts the oldest entries until the size is at most `target`.
    fn evict_to(&mut self, target: usize) -> usize {
        let mut evicted = 0;
        while self.size > target {
            let Some(slot) = self.slots.pop_front() else {
                break;
            };
            let bytes = slot.name_len as usize + slot.value_len as usize;
            self.bytes.drain(..bytes.min(self.bytes.len()));
            self.evicted_bytes += bytes as u64;
            self.size -= entry_size(bytes, 0);
            evicted += 1;
        }
        evicted
    }

    fn entry(&self, slot: Slot) -> TableEntry<'_> {
        let (front, back) = self.bytes.as_slices();
        let offset = usize::try_from(slot.start - self.evicted_bytes).unwrap_or(usize::MAX);
        let name_len = slot.name_len as usize;
        TableEntry {
            name: Parts::of(front, back, offset, name_len),
            value: Parts::of(
                front,
                back,
                offset.saturating_add(name_len),
                slot.value_len as usize,
            ),
        }
    }
}

impl PartialEq for DynamicTable {
    /// Tables are equal when they hold the same entries under the same maximum size, however
    /// their rings are laid out.
    fn eq(&self, other: &DynamicTable) -> bool {
        self.max_size == other.max_size
            && self.size == other.size
            && self.len() == other.len()
            && self.iter().eq(other.iter())
    }
}

impl Eq for DynamicTable {}

impl fmt::Debug for DynamicTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicTable")
            .field("size", &self.size)
            .field("max_size", &self.max_size)
            .field("entries", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

/// A byte string stored in the ring, in one or two pieces (when it wraps around).
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    first: &'a [u8],
    second: &'a [u8],
}

impl<'a> Parts<'a> {
    pub(crate) fn whole(bytes: &'a [u8]) -> Parts<'a> {
        Parts {
            first: bytes,
            second: &[],
        }
    }

    /// `len` bytes at `offset` of the ring whose two halves are `front` and `back`.
    fn of(front: &'a [u8], back: &'a [u8], offset: usize, len: usize) -> Parts<'a> {
        let end = offset.saturating_add(len);
        if end <= front.len() {
            Parts::whole(front.get(offset..end).unwrap_or_default())
        } else if offset >= front.len() {
            let start = offset - front.len();
            Parts::whole(back.get(start..end - front.len()).unwrap_or_default())
        } else {
            Parts {
                first: front.get(offset..).unwrap_or_default(),
                second: back.get(..end - front.len()).unwrap_or_default(),
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.first.len() + self.second.len()
    }

    pub(crate) fn copy_into(&self, dst: &mut BytesMut) {
        dst.extend_from_slice(self.first);
        if !self.second.is_empty() {
            dst.extend_from_slice(self.second);
        }
    }

    pub(crate) fn equals(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len()
            && bytes.get(..self.first.len()) == Some(self.first)
            && bytes.get(self.first.len()..) == Some(self.second)
    }

    fn to_cow(self) -> Cow<'a, [u8]> {
        if self.second.is_empty() {
            Cow::Borrowed(self.first)
        } else {
            Cow::Owned([self.first, self.second].concat())
        }
    }
}

impl PartialEq for Parts<'_> {
    fn eq(&self, other: &Parts<'_>) -> bool {
        self.len() == other.len()
            && self
                .first
                .iter()
                .chain(self.second)
                .eq(other.first.iter().chain(other.second))
    }
}

/// One entry of a [`DynamicTable`].
#[derive(Clone, Copy, PartialEq)]
pub struct TableEntry<'a> {
    pub(crate) name: Parts<'a>,
    pub(crate) value: Parts<'a>,
}

impl<'a> TableEntry<'a> {
    /// The name (copied only when it wraps around the end of the ring).
    pub fn name(&self) -> Cow<'a, [u8]> {
        self.name.to_cow()
    }

    /// The value (copied only when it wraps around the end of the ring).
    pub fn value(&self) -> Cow<'a, [u8]> {
        self.value.to_cow()
    }

    /// The entry's size: name + value + 32.
    pub fn size(&self) -> usize {
        entry_size(self.name.len(), self.value.len())
    }
}

impl fmt::Debug for TableEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.name().escape_ascii(),
            self.value().escape_ascii()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::h2::hpack::tests::{owned as pairs, table as contents};

    #[test]
    fn newest_first_with_rfc_sizes() {
        let mut table = DynamicTable::new(4096);
        table.insert(b"custom-key", b"custom-header");
        table.insert(b":authority", b"www.example.com");
        assert_eq!(table.size(), 55 + 57);
        assert_eq!(
            contents(&table),
            pairs(&[
                (":authority", "www.example.com"),
                ("custom-key", "custom-header")
            ])
        );
        assert_eq!(table.get(1).unwrap().size(), 57);
        assert!(table.get(0).is_none());
        assert!(table.get(3).is_none());
    }

    #[test]
    fn eviction_drops_the_oldest_until_the_new_entry_fits() {
        // Room for exactly two 40-byte entries (4 + 4 + 32).
        let mut table = DynamicTable::new(80);
        assert_eq!(table.insert(b"aaaa", b"1111").evicted, 0);
        assert_eq!(table.insert(b"bbbb", b"2222").evicted, 0);
        assert_eq!(table.size(), 80);
        let inserted = table.insert(b"cccc", b"3333");
        assert_eq!(
            inserted,
            Inserted {
                evicted: 1,
                added: true
            }
        );
        assert_eq!(
            contents(&table),
            pairs(&[("cccc", "3333"), ("bbbb", "2222")])
        );
        // A larger entry evicts both.
        assert_eq!(table.insert(b"dddddddd", b"4444444444").evicted, 2);
        assert_eq!(table.len(), 1);
        assert_eq!(table.size(), 50);
    }

    #[test]
    fn an_entry_larger_than_the_table_empties_it() {
        let mut table = DynamicTable::new(64);
        table.insert(b"a", b"b");
        let inserted = table.insert(&[b'x'; 20], &[b'y'; 20]);
        assert_eq!(
            inserted,
            Inserted {
                evicted: 1,
                added: false
            }
        );
        assert!(table.is_empty());
        assert_eq!(table.size(), 0);
        // Exactly the maximum fits.
        assert!(table.insert(&[b'x'; 16], &[b'y'; 16]).added);
        assert_eq!(table.size(), 64);
    }

    #[test]
    fn shrinking_evicts_and_zero_empties() {
        let mut table = DynamicTable::new(4096);
        for n in 0..10u8 {
            table.insert(&[b'n', b'0' + n], b"value");
        }
        assert_eq!(table.size(), 10 * 39);
        assert_eq!(table.set_max_size(100), 8);
        assert_eq!(contents(&table), pairs(&[("n9", "value"), ("n8", "value")]));
        assert_eq!(table.set_max_size(0), 2);
        assert!(table.is_empty());
        assert_eq!(table.set_max_size(4096), 0);
        assert_eq!(table.max_size(), 4096);
    }

    #[test]
    fn entries_wrapping_around_the_ring_read_back_whole() {
        // Many insertions through a small table: the ring wraps at every possible offset.
        let mut table = DynamicTable::new(150);
        for round in 0..200usize {
            let name = format!("name-{round}");
            let value = "v".repeat(round % 37);
            table.insert(name.as_bytes(), value.as_bytes());
            let newest = table.get(1).unwrap();
            assert_eq!(newest.name(), name.as_bytes());
            assert_eq!(newest.value(), value.as_bytes());
            assert!(newest.name.equals(name.as_bytes()));
            assert!(newest.value.equals(value.as_bytes()));
            assert!(table.size() <= 150);
            let total: usize = table.iter().map(|entry| entry.size()).sum();
            assert_eq!(total, table.size());
            let mut copied = BytesMut::new();
            newest.value.copy_into(&mut copied);
            assert_eq!(&copied[..], value.as_bytes());
        }
        // The ring never held more than the table's maximum.
        assert!(table.bytes.len() <= 150);
    }

    #[test]
    fn ids_map_to_indices_until_evicted() {
        let mut table = DynamicTable::new(80);
        table.insert(b"aaaa", b"1111");
        table.insert(b"bbbb", b"2222");
        assert_eq!((table.oldest_id(), table.inserted()), (0, 2));
        assert_eq!(table.index_of(1), Some(1));
        assert_eq!(table.index_of(0), Some(2));
        table.insert(b"cccc", b"3333");
        assert_eq!(table.index_of(0), None);
        assert_eq!(table.index_of(2), Some(1));
        assert_eq!(table.index_of(3), None);
    }

    #[test]
    fn equality_ignores_the_ring_layout() {
        let mut a = DynamicTable::new(100);
        let mut b = DynamicTable::new(100);
        a.insert(b"x", b"1");
        a.insert(b"y", b"22");
        a.insert(b"z", b"333");
        b.insert(b"z", b"333");
        assert_ne!(a, b);
        a.set_max_size(36);
        b.set_max_size(36);
        assert_eq!(a, b);
    }
}
