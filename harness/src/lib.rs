//! tollgate's conformance harness: scripted clients that write frames by hand, run a suite of
//! checks against a server or a proxy, and report one verdict per check.
//!
//! Today: corpus cases ([`case`]: the v1 format of `docs/cases.md` and its loader), the
//! load generator and bench subjects ([`load`]), and the h2spec server suite ([`h2spec`]), the 147 server-mode cases of h2spec (generic,
//! http2 and hpack groups, the one strict case included) written on tollgate's frame script
//! writer and frame decoder.
//!
//! The cases are data (a plan of bytes to send and frames to wait for, built by a pure
//! function); only the runner touches sockets and clocks.

pub mod case;
pub mod client;
pub mod external;
pub mod h2spec;
pub mod load;
pub mod origin;
pub mod run;
pub mod verdict;
