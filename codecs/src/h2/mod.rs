//! HTTP/2 (RFC 9113), sans-IO: frames, HPACK (RFC 7541), the deviation policy for HTTP/2, and
//! the pieces that sit in front of the `h2` crate (a guard toward clients, a repair shim
//! toward origins).
//!
//! The `h2` crate keeps the connection state machine and flow control; this module decodes and
//! writes the bytes in front of it, so that every departure from the RFCs is named, policy
//! driven and reported, and so that the harness can write any frame sequence, malformed ones
//! included.

pub mod budgets;
mod check;
mod error;
pub mod frame;
pub mod guard;
pub mod hpack;
mod message;
pub mod script;
pub mod shim;

pub use check::Checker;
pub use error::{Error, ErrorKind, Scope, WireAnswer};
pub use message::{BlockRole, Checked, HeaderField};
