//! TLS with rustls (on the *ring* provider): the listener's configuration (certificates by
//! SNI, ALPN), the configurations toward origins, and the protocol a handshake agreed on.
//!
//! Inputs are plain paths and flags, so the configuration layer maps its own types onto these;
//! every failure is a [`TlsError`] that names the file concerned. Certificates are read once,
//! when a configuration is built; building a new configuration is how they are reloaded.

mod client;
mod error;
mod insecure;
mod pem;
mod server;
mod sni;

pub use client::{OriginTls, client_config, server_name};
pub use error::{TlsError, TlsErrorKind};
pub use server::{CertSource, server_config};

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{CommonState, SupportedProtocolVersion};

/// TLS 1.3 first; 1.2 because many origins and some clients still stop there.
const PROTOCOL_VERSIONS: &[&SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// The provider every configuration is built with, named rather than taken from the process
/// default, so that which crypto runs does not depend on what another crate installed.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// An application protocol negotiated by ALPN (RFC 7301).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alpn {
    /// HTTP/2 over TLS, `h2` (RFC 9113 §3.2).
    H2,
    /// HTTP/1.1, `http/1.1`.
    Http11,
}

impl Alpn {
    /// The protocol's identifier on the wire.
    pub const fn id(self) -> &'static [u8] {
        match self {
            Alpn::H2 => b"h2",
            Alpn::Http11 => b"http/1.1",
        }
    }

    /// The protocol with wire identifier `id`, if it is one of these.
    pub fn from_id(id: &[u8]) -> Option<Alpn> {
        [Alpn::H2, Alpn::Http11]
            .into_iter()
            .find(|alpn| alpn.id() == id)
    }
}

/// The protocol a completed handshake agreed on; `None` when the peers agreed on none (or on
/// one that is not HTTP, which no configuration built here offers).
pub fn negotiated(conn: &CommonState) -> Option<Alpn> {
    conn.alpn_protocol().and_then(Alpn::from_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_ids_round_trip() {
        assert_eq!(Alpn::H2.id(), b"h2");
        assert_eq!(Alpn::Http11.id(), b"http/1.1");
        for alpn in [Alpn::H2, Alpn::Http11] {
            assert_eq!(Alpn::from_id(alpn.id()), Some(alpn));
        }
        assert_eq!(Alpn::from_id(b"h2c"), None);
        assert_eq!(Alpn::from_id(b"HTTP/1.1"), None);
    }
}
