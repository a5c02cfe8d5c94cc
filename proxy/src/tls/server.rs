//! The listener's TLS configuration: certificates chosen by SNI, ALPN, resumption.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::verify_server_name;
use rustls::server::ParsedCertificate;
use rustls::sign::CertifiedKey;
use rustls::{Error as RustlsError, InconsistentKeys, ServerConfig};
use rustls_pki_types::{DnsName, ServerName};

use crate::tls::error::{TlsError, TlsErrorKind};
use crate::tls::sni::{NameError, Names, SniResolver};
use crate::tls::{Alpn, PROTOCOL_VERSIONS, pem, provider};

/// A certificate chain and its key, and the names it is served for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSource {
    /// PEM file with the chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the leaf's private key: PKCS#8, PKCS#1 or SEC1, unencrypted.
    pub key: PathBuf,
    /// SNI names this certificate answers: exact names and one-label wildcards
    /// (`*.example.com`), without case. Empty: the names in the certificate's subject
    /// alternative names.
    pub server_names: Vec<String>,
}

/// Builds the configuration of a TLS listener.
///
/// The certificate for a handshake is chosen by SNI: a configured exact name, else a configured
/// wildcard, else the first certificate configured without names whose subject alternative names
/// cover the name; the first certificate is the default when nothing matches or the client sent
/// no SNI. A configured name the certificate does not cover is served anyway (a test
/// certificate may be meant for any name) and logged as a warning, since verifying clients will
/// refuse it.
///
/// `alpn` is offered in the order given, most preferred first; a client that offers ALPN with
/// none of these protocols is refused with the `no_application_protocol` alert (RFC 7301 §3.2);
/// a client that offers none gets no ALPN. TLS 1.3 and 1.2 with rustls' default suites; no
/// client certificates; no 0-RTT data (it can be replayed, and a proxy cannot know which
/// requests are safe to replay).
///
/// Resumption is on: clients open several connections and return, and a resumed handshake
/// skips the certificate and the signature, the costly part of a full one. TLS 1.3 tickets are
/// stateless (sealed with a key that rotates every six hours and lives only in this process),
/// so they take no memory per client; TLS 1.2 clients without ticket support use rustls'
/// bounded session cache. TLS 1.3 resumption still runs a fresh key exchange, so it keeps
/// forward secrecy.
pub fn server_config(certs: &[CertSource], alpn: &[Alpn]) -> Result<Arc<ServerConfig>, TlsError> {
    if certs.is_empty() {
        return Err(TlsError::new(
            TlsErrorKind::NoCertificate,
            "no certificate configured for the TLS listener; give at least one certificate \
             and key",
        ));
    }
    let provider = provider();
    let mut keys = Vec::with_capacity(certs.len());
    let mut names = Names::default();
    let mut by_san = Vec::new();
    for (index, source) in certs.iter().enumerate() {
        let key = certified_key(source, &provider)?;
        if source.server_names.is_empty() {
            by_san.push(index);
        }
        for name in &source.server_names {
            names
                .insert(name, index)
                .map_err(|error| name_error(error, name, certs).at(&source.cert))?;
            warn_if_not_covered(&key, name, source);
        }
        keys.push(Arc::new(key));
    }
    let resolver = SniResolver::new(keys, names, by_san);

    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(rustls_error)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = alpn.iter().map(|alpn| alpn.id().to_vec()).collect();
    config.ticketer = rustls::crypto::ring::Ticketer::new().map_err(rustls_error)?;
    Ok(Arc::new(config))
}

/// The chain and key of `source`, checked to belong together.
fn certified_key(
    source: &CertSource,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let chain = pem::read_certs(&source.cert)?;
    let key_der = pem::read_key(&source.key)?;
    let key = provider
        .key_provider
        .load_private_key(key_der)
        .map_err(|error| {
            TlsError::new(
                TlsErrorKind::UnsupportedKey,
                format!(
                    "the private key is not usable ({error}); give an RSA (2048 bits or more), \
                     ECDSA P-256/P-384 or Ed25519 key"
                ),
            )
            .at(&source.key)
            .caused_by(error)
        })?;
    let key = CertifiedKey::new(chain, key);
    match key.keys_match() {
        // Unknown: the signing key cannot tell its public key; nothing to compare.
        Ok(()) | Err(RustlsError::InconsistentKeys(InconsistentKeys::Unknown)) => Ok(key),
        Err(error @ RustlsError::InconsistentKeys(_)) => Err(TlsError::new(
            TlsErrorKind::KeyMismatch,
            format!(
                "the private key in {} is not the key of this certificate; give the key the \
                 certificate was issued for (or the certificate issued for this key)",
                source.key.display()
            ),
        )
        .at(&source.cert)
        .caused_by(error)),
        Err(error) => Err(TlsError::new(
            TlsErrorKind::Rustls,
            format!(
                "the first certificate cannot be used ({error}); it must be the leaf \
                 certificate, in X.509 DER inside PEM"
            ),
        )
        .at(&source.cert)
        .caused_by(error)),
    }
}

fn name_error(error: NameError, name: &str, certs: &[CertSource]) -> TlsError {
    let message = match error {
        NameError::Invalid => format!(
            "server name {name:?} is not a DNS name nor a one-label wildcard such as \
             \"*.example.com\""
        ),
        NameError::IpAddress => format!(
            "server name {name:?} is an IP address, which clients never send as SNI; clients \
             that connect by address get the first certificate"
        ),
        NameError::Duplicate(first) => format!(
            "server name {name:?} is also configured for {}; give each name to one certificate",
            certs.get(first).map_or_else(
                || "another certificate".into(),
                |c| c.cert.display().to_string()
            )
        ),
    };
    TlsError::new(TlsErrorKind::InvalidServerName, message)
}

/// Warns when verifying clients would refuse the certificate for a name configured for it.
fn warn_if_not_covered(key: &CertifiedKey, name: &str, source: &CertSource) {
    // A wildcard is covered when a name it matches is; the label is one no real name uses.
    let probe = match name.strip_prefix("*.") {
        Some(parent) => format!("tollgate-sni-probe.{parent}"),
        None => name.to_owned(),
    };
    let Ok(dns) = DnsName::try_from(probe) else {
        return;
    };
    let covered = key
        .cert
        .first()
        .and_then(|cert| ParsedCertificate::try_from(cert).ok())
        .is_some_and(|cert| verify_server_name(&cert, &ServerName::DnsName(dns)).is_ok());
    if !covered {
        tracing::warn!(
            cert = %source.cert.display(),
            server_name = name,
            "the certificate does not cover a server name configured for it; clients that \
             verify certificates will refuse it for that name"
        );
    }
}

fn rustls_error(error: RustlsError) -> TlsError {
    TlsError::new(
        TlsErrorKind::Rustls,
        format!("rustls refused the TLS configuration: {error}"),
    )
    .caused_by(error)
}
