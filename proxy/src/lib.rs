//! tollgate's I/O layer: thin drivers that put the sans-IO codecs of `tollgate-codecs` between
//! sockets and the `h2` crate. They read, write and keep time; every protocol decision is made
//! by the codecs.
//!
//! Today: the HTTP/2 guard in front of an `h2` server connection ([`h2::Guarded`]) and the
//! repair shim in front of an `h2` client connection ([`h2::Shimmed`]).

pub mod admin;
pub mod balance;
pub mod body;
pub mod config;
pub mod error;
pub mod forward;
pub mod h2;
pub mod io;
pub mod log;
pub mod metrics;
pub mod route;
pub mod runtime;
pub mod server;
pub mod tls;
pub mod upstream;
