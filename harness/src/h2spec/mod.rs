//! The h2spec server suite: the 147 server-mode cases of
//! [h2spec](https://github.com/summerwind/h2spec) (groups `generic`, `http2` and `hpack`; the
//! `client` group tests clients and is not here), each written on tollgate's frame script
//! writer ([`tollgate_codecs::h2::script`]) and judged with its frame decoder.
//!
//! A [`Case`] is data: its id, h2spec's description and requirement, whether it is strict,
//! and a builder that turns a [`Context`] (the server's SETTINGS, the authority) into a plan
//! of [`Step`]s: bytes to send and [`Expectation`]s to wait for. The [`Matcher`] judges the
//! server's frames against an expectation without I/O. [`run`] does the I/O: one TCP
//! connection per case, h2spec's handshake, the steps, an [`Outcome`].
//!
//! The semantics follow h2spec's verifiers (see [`expect`]), so a server passes here when it
//! passes h2spec.
//!
//! ```no_run
//! # async fn example(addr: std::net::SocketAddr) {
//! use tollgate_harness::h2spec::{self, Options};
//!
//! let options = Options { strict: true, concurrency: 16, ..Options::default() };
//! for outcome in h2spec::run(addr, &options).await {
//!     println!("{} {:?}", outcome.id, outcome.verdict);
//! }
//! # }
//! ```

mod case;
pub mod cases;
mod conn;
mod error;
pub mod expect;
mod run;

pub use case::{Build, Case, Context, Field, Plan, Precondition, Step, field, table_size_update};
pub use error::{RunError, RunErrorKind};
pub use expect::{Event, Expectation, Matcher, Progress};
pub use run::{Options, Outcome, Verdict, run, run_case, run_cases};
