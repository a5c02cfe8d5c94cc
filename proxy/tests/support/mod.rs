//! Helpers shared by the proxy's integration tests.

pub(crate) mod certs;
