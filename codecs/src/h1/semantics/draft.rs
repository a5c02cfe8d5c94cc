//! The head being checked and repaired, and where its framing and routing fields are.

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::Error;
use crate::h1::head::FieldSpan;
use crate::h1::parse::{Buf, RawHead};
use crate::policy::Action;

/// The fields that matter to framing and routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    ContentLength,
    TransferEncoding,
    Host,
    Connection,
    Expect,
    Upgrade,
    Http2Settings,
}

impl Class {
    /// The class of a field name. Length and first letter pick the one candidate to compare:
    /// this runs for every field of every head.
    #[inline]
    pub(super) fn of(name: &[u8]) -> Option<Class> {
        let first = name.first().map_or(0, u8::to_ascii_lowercase);
        let (class, expected): (Class, &[u8]) = match (name.len(), first) {
            (4, b'h') => (Class::Host, b"host"),
            (6, b'e') => (Class::Expect, b"expect"),
            (7, b'u') => (Class::Upgrade, b"upgrade"),
            (10, b'c') => (Class::Connection, b"connection"),
            (14, b'c') => (Class::ContentLength, b"content-length"),
            (14, b'h') => (Class::Http2Settings, b"http2-settings"),
            (17, b't') => (Class::TransferEncoding, b"transfer-encoding"),
            _ => return None,
        };
        eq_lowercase(name, expected).then_some(class)
    }
}

/// `name.eq_ignore_ascii_case(lower)` for a token `name` and a lowercase literal of the same
/// length, a word at a time. Setting bit 5 lowercases letters and leaves `-` and digits alone,
/// and no other token byte becomes a lowercase letter, `-` or a digit that way.
#[inline]
pub(super) fn eq_lowercase(name: &[u8], lower: &[u8]) -> bool {
    pub(super) fn word8(bytes: &[u8], at: usize) -> u64 {
        bytes
            .get(at..at + 8)
            .and_then(|chunk| chunk.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    }
    pub(super) fn word4(bytes: &[u8], at: usize) -> u32 {
        bytes
            .get(at..at + 4)
            .and_then(|chunk| chunk.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }
    const CASE8: u64 = 0x2020_2020_2020_2020;
    const CASE4: u32 = 0x2020_2020;
    let len = lower.len();
    if name.len() != len {
        return false;
    }
    match len {
        0..4 => name.eq_ignore_ascii_case(lower),
        4..8 => {
            word4(name, 0) | CASE4 == word4(lower, 0)
                && word4(name, len - 4) | CASE4 == word4(lower, len - 4)
        }
        _ => {
            let mut at = 0;
            while at + 8 <= len {
                if word8(name, at) | CASE8 != word8(lower, at) {
                    return false;
                }
                at += 8;
            }
            at == len || word8(name, len - 8) | CASE8 == word8(lower, len - 8)
        }
    }
}

/// Where the fields of each class are: the first index, and whether there are more. Heads
/// rarely repeat these fields, so the common path neither allocates nor copies lists.
#[derive(Clone, Copy, Debug)]
pub(super) struct Known {
    first: [u32; 7],
    repeated: u8,
}

pub(super) const ABSENT: u32 = u32::MAX;

/// The indices of one class's fields.
pub(super) enum Found {
    None,
    One([usize; 1]),
    Many(Vec<usize>),
}

impl std::ops::Deref for Found {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        match self {
            Found::None => &[],
            Found::One(one) => one,
            Found::Many(many) => many,
        }
    }
}

impl Known {
    pub(super) fn get(&self, class: Class, draft: &Draft<'_>) -> Found {
        let first = self.first[class as usize];
        if first == ABSENT {
            Found::None
        } else if self.repeated & (1 << class as u8) == 0 {
            Found::One([first as usize])
        } else {
            Found::Many(
                (0..draft.fields.len())
                    .filter(|index| Class::of(draft.name(*index)) == Some(class))
                    .collect(),
            )
        }
    }
}

/// A head being checked and repaired. Removed fields are only marked, so indices stay valid.
pub(super) struct Draft<'w> {
    pub(super) buf: Buf<'w>,
    pub(super) fields: Vec<FieldSpan>,
    field_at: Option<Vec<u32>>,
    /// Empty until the first removal: most heads lose nothing.
    removed: Vec<bool>,
}

impl<'w> Draft<'w> {
    pub(super) fn new(raw: RawHead<'w>) -> Draft<'w> {
        Draft {
            buf: raw.buf,
            fields: raw.fields,
            field_at: raw.field_at,
            removed: Vec::new(),
        }
    }

    pub(super) fn is_removed(&self, index: usize) -> bool {
        self.removed.get(index).copied().unwrap_or(false)
    }

    /// The buffer and the fields left.
    pub(super) fn into_parts(self) -> (Buf<'w>, Vec<FieldSpan>) {
        if self.removed.is_empty() {
            return (self.buf, self.fields);
        }
        let fields = self
            .fields
            .iter()
            .zip(&self.removed)
            .filter(|(_, removed)| !**removed)
            .map(|(span, _)| *span)
            .collect();
        (self.buf, fields)
    }

    pub(super) fn name(&self, index: usize) -> &[u8] {
        self.buf.get(self.fields[index].name)
    }

    pub(super) fn value(&self, index: usize) -> &[u8] {
        self.buf.get(self.fields[index].value)
    }

    pub(super) fn at(&self, index: usize) -> usize {
        match &self.field_at {
            Some(field_at) => field_at[index] as usize,
            // Fast-path heads: spans are wire offsets.
            None => self.fields[index].name.start(),
        }
    }

    pub(super) fn remove(&mut self, index: usize) {
        if self.removed.is_empty() {
            self.removed = vec![false; self.fields.len()];
        }
        self.removed[index] = true;
    }

    pub(super) fn set_value(&mut self, index: usize, value: &[u8]) {
        self.fields[index].value = self.buf.append(value);
    }

    /// Replaces fields `indices` by one field (the first) holding `value`, or removes them all
    /// when `value` is `None`.
    pub(super) fn collapse(&mut self, indices: &[usize], value: Option<&[u8]>) {
        for (position, index) in indices.iter().enumerate() {
            match value {
                Some(value) if position == 0 => self.set_value(*index, value),
                _ => self.remove(*index),
            }
        }
    }

    /// The indices not removed, borrowed when nothing was removed (the common case).
    pub(super) fn live_slice<'a>(&self, indices: &'a [usize]) -> std::borrow::Cow<'a, [usize]> {
        if self.removed.is_empty() {
            std::borrow::Cow::Borrowed(indices)
        } else {
            std::borrow::Cow::Owned(self.live(indices).collect())
        }
    }

    pub(super) fn live<'a>(&'a self, indices: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        indices
            .iter()
            .copied()
            .filter(|index| !self.is_removed(*index))
    }

    /// Finds the fields that matter, applying the policy to look-alike names.
    pub(super) fn classify(&mut self, ctx: &mut Ctx<'_>) -> Result<Known, Error> {
        let mut known = Known {
            first: [ABSENT; 7],
            repeated: 0,
        };
        let mut lookalike = false;
        let bytes = self.buf.bytes();
        for (index, field) in self.fields.iter().enumerate() {
            let name = field.name.get(bytes);
            match Class::of(name) {
                Some(class) => {
                    let slot = &mut known.first[class as usize];
                    if *slot == ABSENT {
                        *slot = u32::try_from(index).unwrap_or(ABSENT - 1);
                    } else {
                        known.repeated |= 1 << class as u8;
                    }
                }
                None => lookalike |= is_lookalike(name),
            }
        }
        // Look-alikes are rare: find them again rather than keep a list on the common path.
        if lookalike {
            for index in 0..self.fields.len() {
                if Class::of(self.name(index)).is_none()
                    && is_lookalike(self.name(index))
                    && ctx.deviate(Deviation::FramingHeaderLookalike, self.at(index))?
                        == Action::Repair
                {
                    self.remove(index);
                }
            }
        }
        Ok(known)
    }
}

/// `Transfer_Encoding`, `Content_Length`, `Transfer-%45ncoding`: names that become framing or
/// routing fields when `_` is read as `-` (CGI) or percent-escapes are decoded.
#[inline]
pub(super) fn is_lookalike(name: &[u8]) -> bool {
    // Cheap pre-checks first: this runs for every field that is not a known one.
    (4..=17 * 3).contains(&name.len())
        && matches!(name[0] | 0x20, b'h' | b'c' | b't' | b'%')
        // Names are short: a plain loop beats memchr's setup.
        && name.iter().any(|b| *b == b'_' || *b == b'%')
        && normalises_to_framing_name(name)
}

#[cold]
pub(super) fn normalises_to_framing_name(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 3] = [b"host", b"content-length", b"transfer-encoding"];
    let mut normal = Vec::with_capacity(name.len());
    let mut index = 0;
    while index < name.len() {
        let byte = match name[index] {
            b'%' => match name.get(index + 1..index + 3).and_then(hex_pair) {
                Some(decoded) => {
                    index += 2;
                    decoded
                }
                None => b'%',
            },
            b'_' => b'-',
            other => other,
        };
        normal.push(byte.to_ascii_lowercase());
        index += 1;
    }
    NAMES.contains(&&normal[..])
}

pub(super) fn hex_pair(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_are_exactly_underscored_framing_names() {
        assert!(is_lookalike(b"Transfer_Encoding"));
        assert!(is_lookalike(b"content_length"));
        assert!(!is_lookalike(b"Content-Length"));
        assert!(!is_lookalike(b"X_Forwarded_"));
        assert!(!is_lookalike(b"Transfer_Encodinx"));
        assert!(is_lookalike(b"Transfer-%45ncoding"));
        assert!(is_lookalike(b"%48ost"));
        assert!(!is_lookalike(b"Transfer-%4"));
    }
}
