//! TLS toward origins: client configurations and the name an origin is reached by.

use std::net::{IpAddr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::ServerName;

use crate::tls::error::{TlsError, TlsErrorKind};
use crate::tls::insecure::AcceptAnyCertificate;
use crate::tls::{Alpn, PROTOCOL_VERSIONS, pem, provider};

/// How to speak TLS to an origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginTls {
    /// Verify the origin's certificate chain and name. Off only for origins on a network you
    /// control: anyone in the path can then impersonate the origin.
    pub verify: bool,
    /// A PEM file of CA certificates trusted besides the public roots (a private CA).
    pub ca_file: Option<PathBuf>,
    /// Protocols offered by ALPN, most preferred first; empty: no ALPN.
    pub alpn: Vec<Alpn>,
}

/// Builds the client configuration for an origin.
///
/// With `verify`, the chain must lead to a public root (Mozilla's, from `webpki-roots`, built
/// in so that the result does not depend on the host's store) or to a certificate of
/// `ca_file`, and must cover the name the origin is reached by (see [`server_name`]).
///
/// Without `verify`, any certificate is accepted, whoever issued it and whatever names it
/// holds; `ca_file` is then not read. The handshake signatures are still checked, which
/// proves only that the peer holds the key of the certificate it showed, not who it is. A
/// warning is logged each time such a configuration is built.
///
/// TLS 1.3 and 1.2; sessions are resumed (rustls' in-memory cache, per configuration).
pub fn client_config(origin: &OriginTls) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(|error| {
            TlsError::new(
                TlsErrorKind::Rustls,
                format!("rustls refused the TLS configuration: {error}"),
            )
            .caused_by(error)
        })?;
    let mut config = if origin.verify {
        builder
            .with_root_certificates(roots(origin)?)
            .with_no_client_auth()
    } else {
        tracing::warn!(
            ca_file = origin
                .ca_file
                .as_ref()
                .map(|path| path.display().to_string()),
            "origin certificate verification is off: any certificate is accepted, so anyone \
             between tollgate and the origin can impersonate it (a CA file is not read)"
        );
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate::new(&provider)))
            .with_no_client_auth()
    };
    config.alpn_protocols = origin.alpn.iter().map(|alpn| alpn.id().to_vec()).collect();
    Ok(Arc::new(config))
}

/// The public roots, plus the certificates of `origin.ca_file`.
fn roots(origin: &OriginTls) -> Result<RootCertStore, TlsError> {
    let mut roots: RootCertStore = webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect();
    if let Some(path) = &origin.ca_file {
        for (number, cert) in pem::read_certs(path)?.into_iter().enumerate() {
            roots.add(cert).map_err(|error| {
                TlsError::new(
                    TlsErrorKind::Rustls,
                    format!(
                        "certificate {} of the CA file cannot be a trust anchor ({error}); \
                         give X.509 CA certificates in PEM",
                        number + 1
                    ),
                )
                .at(path)
                .caused_by(error)
            })?;
        }
    }
    Ok(roots)
}

/// The name an origin's certificate is verified against: `sni` when one is configured, else
/// `host`.
///
/// A DNS name is also sent as SNI; an IP address (`192.0.2.7`, `2001:db8::7` or `[2001:db8::7]`)
/// is matched against the certificate's IP address names and sent without SNI, which cannot
/// carry one (RFC 6066 §3). `host` is a bare host, without port or scheme.
pub fn server_name(sni: Option<&str>, host: &str) -> Result<ServerName<'static>, TlsError> {
    let name = sni.unwrap_or(host);
    let invalid = || {
        TlsError::new(
            TlsErrorKind::InvalidServerName,
            format!(
                "{name:?} is not a DNS name or IP address to verify the origin's certificate \
                 against; give a bare host such as \"origin.example.com\" (no scheme, no port)"
            ),
        )
    };
    // Brackets belong to IPv6 literals in URLs (RFC 3986 §3.2.2) and to nothing else.
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        let ip = inner
            .parse::<Ipv6Addr>()
            .map_err(|error| invalid().caused_by(error))?;
        return Ok(ServerName::IpAddress(IpAddr::V6(ip).into()));
    }
    match ServerName::try_from(name) {
        Ok(server_name) => Ok(server_name.to_owned()),
        Err(error) => Err(invalid().caused_by(error)),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn explicit_sni_wins_over_the_host() {
        let name = server_name(Some("origin.example.com"), "10.0.0.7").unwrap();
        assert_eq!(name.to_str(), "origin.example.com");
        assert!(matches!(name, ServerName::DnsName(_)));
    }

    #[test]
    fn the_host_is_used_without_sni() {
        let name = server_name(None, "origin.example.com").unwrap();
        assert_eq!(name.to_str(), "origin.example.com");
    }

    #[test]
    fn ip_literals_become_ip_names() {
        let v4 = server_name(None, "127.0.0.1").unwrap();
        assert_eq!(
            v4,
            ServerName::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST).into())
        );
        for host in ["::1", "[::1]"] {
            let v6 = server_name(None, host).unwrap();
            assert_eq!(
                v6,
                ServerName::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST).into()),
                "{host}"
            );
        }
    }

    #[test]
    fn hosts_with_ports_schemes_or_spaces_are_refused() {
        for host in [
            "",
            "origin.example.com:443",
            "https://origin.example.com",
            "a b",
            "[origin]",
        ] {
            let error = server_name(None, host).unwrap_err();
            assert_eq!(error.kind(), TlsErrorKind::InvalidServerName, "{host:?}");
            assert!(error.message().contains("no port"), "{error}");
        }
    }

    #[test]
    fn alpn_is_offered_in_order() {
        let origin = OriginTls {
            verify: true,
            ca_file: None,
            alpn: vec![Alpn::Http11, Alpn::H2],
        };
        let config = client_config(&origin).unwrap();
        assert_eq!(
            config.alpn_protocols,
            [b"http/1.1".to_vec(), b"h2".to_vec()]
        );
    }
}
