//! Helpers shared by the proxy's integration tests.

pub(crate) mod bodies;
pub(crate) mod certs;
pub(crate) mod clients;
pub(crate) mod origins;
pub(crate) mod proxy;
