//! HPACK (RFC 7541): header compression for HTTP/2.
//!
//! # Decoding
//!
//! [`Decoder::decode`] takes one complete header block (HEADERS or PUSH_PROMISE fragments and
//! their CONTINUATIONs, joined by the caller) and returns a [`HeaderBlock`]: the fields in
//! order, their bytes in one buffer, each with the [`Representation`] it used on the wire and
//! whether its strings were Huffman-coded. Names and values are not checked against HTTP
//! semantics here (lowercase names, pseudo-headers, connection-specific fields); the caller
//! does that, with the policy.
//!
//! Two kinds of [`DecodeError`] come out of it. Corrupt input (a bad index, integer or Huffman
//! string, a misplaced or oversized table size update, a truncated block) loses the compression
//! context: a connection error of type `COMPRESSION_ERROR`, and the decoder refuses every later
//! block. A block that crosses one of the [`Limits`] (decoded list size, field count, string
//! length) is refused alone: the decoder still reads the rest of it for its table insertions,
//! so the next block decodes normally. The limits are checked field by field before any byte
//! is copied, so an HPACK bomb is stopped at the limit, not after it has been expanded
//! (dos.md HC-01, HC-02).
//!
//! # Encoding
//!
//! [`Encoder::encode`] writes a header list of [`HeaderField`]s. Sensitive fields are sent
//! never indexed; repeated fields are indexed through a dynamic table of at most
//! [`ENCODER_TABLE_CAP`] bytes, whatever the peer allows. [`Encoder`] describes the policy.
//!
//! # Tables
//!
//! Both sides expose their [`DynamicTable`], so that tests can check that a decoder and the
//! encoder it listens to agree after every block.

mod block;
mod count;
mod decoder;
mod encoder;
mod error;
mod huffman;
mod integer;
mod limits;
mod static_table;
mod table;

#[cfg(test)]
mod tests;

pub use block::{DecodedField, HeaderBlock, Representation};
pub use count::count_fields;
pub use decoder::Decoder;
pub use encoder::{Encoder, HeaderField};
pub use error::{DecodeError, DecodeErrorKind, HuffmanError};
pub use limits::{
    DEFAULT_MAX_FIELDS, DEFAULT_MAX_LIST_SIZE, DEFAULT_MAX_STRING_LEN, DEFAULT_TABLE_SIZE,
    ENCODER_TABLE_CAP, Limits,
};
pub use table::{DynamicTable, TableEntry};
