//! Message-level translation between HTTP/1.1 and HTTP/2 for tollgate: pure functions, no
//! I/O, no runtime.
//!
//! HTTP/1.1 messages are the codec's types ([`tollgate_codecs::h1::RequestHead`] and
//! friends); HTTP/2 messages are the `http` crate's types as the `h2` crate takes and gives
//! them. Between the two sits one **neutral form**, also the `http` crate's, which every
//! inbound function produces and every outbound function takes, so that each direction is
//! one function and H1→H1, H1→H2, H2→H1, H2→H2 all go through the same rules.
//!
//! # The neutral form
//!
//! A request is an [`http::request::Parts`]:
//!
//! - `method`: never CONNECT (tunnels are refused with [`ErrorKind::UnsupportedMethod`]);
//! - `uri`: always absolute, `scheme://authority/path?query`, scheme `http` or `https`, no
//!   userinfo. `OPTIONS *` is `scheme://authority/` with the [`AsteriskForm`] marker in
//!   `extensions`: `*` cannot be the path of an absolute URI, and the marker round-trips it
//!   to `OPTIONS * HTTP/1.1` and to `:path *`;
//! - `version`: the version the client spoke, for information only; outputs choose their own;
//! - `headers`: no `host` (the authority is in the URI), no connection-specific field
//!   ([`strip_connection_specific`]: `connection` and what it names, `keep-alive`,
//!   `proxy-connection`, `transfer-encoding`, `upgrade`, `http2-settings`, and `te` unless
//!   reduced to `te: trailers`), cookies as one `cookie` field joined with `"; "`.
//!   `content-length` may be present as received (the codec validated it); the output
//!   side decides framing from a [`BodyLen`] and never copies it blindly.
//!
//! A response is an [`http::response::Parts`]: the status (never 101: upgrades are refused
//! with [`ErrorKind::UnsupportedUpgrade`]) and the headers minus connection-specific
//! fields, `content-length` kept as received.
//!
//! Upgrade offers in requests are not refused: `upgrade` is connection-specific, so the
//! request goes on without the offer, which is the answer "no upgrade" RFC 9110 §7.8 allows
//! (curl's `Upgrade: h2c` offer then works as plain HTTP/1.1).
//!
//! # The functions
//!
//! | from → to | request | response | trailers |
//! | --- | --- | --- | --- |
//! | HTTP/1 → neutral | [`request_from_h1`] | [`response_from_h1`] | [`trailers_from_h1`] |
//! | `h2` → neutral | [`request_from_h2`] | [`response_from_h2`] | (already neutral) |
//! | neutral → HTTP/1 | [`request_to_h1`] | [`response_to_h1`], [`interim_to_h1`] | [`trailers_to_h1`] |
//! | neutral → `h2` | [`request_to_h2`] | [`response_to_h2`] | [`trailers_for_h2`] |
//!
//! [`add_via`] records this hop (RFC 9110 §7.6.3); the caller adds it to the neutral form
//! before an outbound function.
//!
//! # Errors
//!
//! One [`Error`] with a stable [`ErrorKind`]. The proxy answers a request that fails with 400
//! (501 for [`ErrorKind::UnsupportedMethod`]) and a response that fails with 502.

mod authority;
mod cookie;
mod error;
mod fields;
mod hop;
mod neutral;
mod request;
mod response;
mod trailers;
mod via;

#[cfg(test)]
mod test_support;

pub use error::{Error, ErrorKind};
pub use hop::strip_connection_specific;
pub use neutral::{AsteriskForm, BodyLen, Scheme};
pub use request::inbound::{request_from_h1, request_from_h2};
pub use request::outbound::{request_to_h1, request_to_h2};
pub use response::inbound::{response_from_h1, response_from_h2};
pub use response::outbound::{
    RequestInfo, ResponseFraming, interim_to_h1, response_to_h1, response_to_h2,
};
pub use trailers::{trailers_for_h2, trailers_from_h1, trailers_to_h1};
pub use via::{Pseudonym, add_via};
