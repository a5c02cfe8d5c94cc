//! HTTP/1.1 (RFC 9112), sans-IO: heads, body framing, encoders, and the deviation policy.
//!
//! # Decoding
//!
//! [`RequestDecoder`] and [`ResponseDecoder`] turn a connection's bytes into [`RequestEvent`]s
//! and [`ResponseEvent`]s. A head is parsed only once it is complete (the scanner finds its end
//! incrementally and enforces [`Limits`] as bytes arrive), first by httparse when the head is
//! clean, otherwise by our own lenient line parser that applies the [`crate::Policy`]. The
//! head's meaning — body framing by RFC 9112 §6.3, persistence, Host, Expect, Upgrade — is then
//! decided, again under the policy, and the body is decoded as a stream.
//!
//! # Encoding
//!
//! [`encode_request_head`], [`encode_response_head`] and [`ChunkedEncoder`] write messages
//! back out; a parsed (and repaired) head re-encodes to canonical bytes that parse again to
//! the same head, with no anomaly but accepted ones and the three repairs that change how the
//! body is read rather than the head's bytes (`h1.te-in-http10`, `h1.te-not-chunked-last`,
//! `h1.te-invalid-syntax`: the head keeps its Transfer-Encoding, the body is read by it or
//! until close).
//!
//! # Errors
//!
//! Every failure is an [`Error`] with a stable [`ErrorKind`] and a [`WireAnswer`]: 400, 414,
//! 417, 431, 501, 505 toward a client, 502 or close toward an origin's client.

mod body;
mod collect;
mod ctx;
mod decoder;
mod encode;
mod error;
mod head;
mod limits;
mod parse;
mod scan;
mod semantics;
mod syntax;

pub(crate) use syntax::{is_tchar, is_value_ctl, parse_decimal, trim_ows};
mod target;

pub use collect::{Answering, Collected, Message, collect_requests, collect_responses};
pub use decoder::{RequestDecoder, RequestEvent, ResponseDecoder, ResponseEvent};
pub use encode::{ChunkedEncoder, encode_request_head, encode_response_head, encode_trailers};
pub use error::{Error, ErrorKind, Phase, WireAnswer};
pub use head::{BuildError, Field, Fields, RequestHead, ResponseHead, TargetForm, Version};
pub use limits::{
    DEFAULT_MAX_CHUNK_EXT_BYTES, DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS,
    DEFAULT_MAX_INFORMATIONAL, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_TRAILER_BYTES, Limit, Limits,
};
pub use semantics::{BodyFraming, Persistence, Request, RequestMethod, Response, canonical_reason};
