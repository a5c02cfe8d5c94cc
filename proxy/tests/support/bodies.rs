//! Test bodies: a deterministic byte stream of any length, cut into pieces, and its SHA-256.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::sync::OnceLock;

use bytes::Bytes;
use sha2::{Digest as _, Sha256};

/// The pattern's period: a prime, so that no framing (16 KiB reads, 64 KiB pieces, HTTP/2
/// frames) lines up with it and a lost, repeated or reordered piece changes the digest.
const PERIOD: usize = 1_000_003;
/// Largest piece a producer hands over at once.
pub(crate) const PIECE: usize = 64 * 1024;
/// The size of the large bodies: above what any buffer in the path could hold whole.
pub(crate) const BIG: u64 = 64 * 1024 * 1024;

/// Twice the period, so that any piece of up to `PERIOD` bytes is one slice of it.
fn pattern() -> &'static Bytes {
    static PATTERN: OnceLock<Bytes> = OnceLock::new();
    PATTERN.get_or_init(|| {
        // xorshift64: cheap and reproducible; no need for quality, only for no short period.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut bytes = Vec::with_capacity(2 * PERIOD);
        for _ in 0..PERIOD {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(state.to_le_bytes()[0]);
        }
        bytes.extend_from_within(..PERIOD);
        Bytes::from(bytes)
    })
}

/// The `len` bytes at `offset` of the infinite pattern, without copying.
pub(crate) fn piece(offset: u64, len: usize) -> Bytes {
    assert!(len <= PERIOD);
    let start = usize::try_from(offset % PERIOD as u64).unwrap();
    pattern().slice(start..start + len)
}

/// The first `total` bytes of the pattern, in pieces of at most [`PIECE`] bytes.
pub(crate) fn pieces(total: u64) -> impl Iterator<Item = Bytes> {
    let mut offset = 0u64;
    std::iter::from_fn(move || {
        if offset >= total {
            return None;
        }
        let len = usize::try_from((total - offset).min(PIECE as u64)).unwrap();
        let data = piece(offset, len);
        offset += len as u64;
        Some(data)
    })
}

/// SHA-256 of the first `total` bytes of the pattern.
pub(crate) fn digest_of(total: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for data in pieces(total) {
        hasher.update(&data);
    }
    hasher.finalize().into()
}

/// A running digest and length of bytes received.
#[derive(Default)]
pub(crate) struct Received {
    hasher: Sha256,
    /// Bytes seen so far.
    pub(crate) len: u64,
}

impl Received {
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.len += data.len() as u64;
    }

    /// The digest and the length.
    pub(crate) fn finish(self) -> ([u8; 32], u64) {
        (self.hasher.finalize().into(), self.len)
    }
}
