//! TLS end to end: real handshakes over 127.0.0.1 between configurations built by
//! `tollgate_proxy::tls`, with certificates from a throwaway CA.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

mod support;

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, HandshakeKind, ProtocolVersion, ServerConfig};
use support::certs::TestPki;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tollgate_proxy::tls::{
    Alpn, CertSource, OriginTls, TlsErrorKind, client_config, negotiated, server_config,
    server_name,
};

/// Every handshake in these tests is on loopback; a stuck one is a failure, not a hang.
const DEADLINE: Duration = Duration::from_secs(10);

/// What both ends saw of one connection.
#[derive(Debug)]
struct Seen {
    /// The leaf certificate the server presented.
    peer_cert: CertificateDer<'static>,
    client_alpn: Option<Alpn>,
    server_alpn: Option<Alpn>,
    /// The SNI the server received.
    sni: Option<String>,
    version: Option<ProtocolVersion>,
    kind: Option<HandshakeKind>,
}

/// Runs one connection: a server on an OS-chosen port accepts it with `server`, the client
/// connects to it as `name` with `client`. The server writes a byte and closes; the client
/// reads to the end, so session tickets sent after the handshake are received.
async fn connect(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    name: ServerName<'static>,
) -> Result<Seen, io::Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server_task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = TlsAcceptor::from(server).accept(tcp).await?;
        let (_, conn) = tls.get_ref();
        let seen = (negotiated(conn), conn.server_name().map(str::to_owned));
        tls.write_all(b"!").await?;
        tls.shutdown().await?;
        Ok::<_, io::Error>(seen)
    });
    let client_side = async {
        let tcp = TcpStream::connect(addr).await?;
        let mut tls = TlsConnector::from(client).connect(name, tcp).await?;
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).await?;
        assert_eq!(rest, b"!");
        let (_, conn) = tls.get_ref();
        let peer_cert = conn.peer_certificates().unwrap()[0].clone().into_owned();
        Ok::<_, io::Error>((
            peer_cert,
            negotiated(conn),
            conn.protocol_version(),
            conn.handshake_kind(),
        ))
    };
    let client_result = tokio::time::timeout(DEADLINE, client_side)
        .await
        .expect("the client handshake took too long");
    let server_result = tokio::time::timeout(DEADLINE, server_task)
        .await
        .expect("the server handshake took too long")
        .unwrap();
    let (peer_cert, client_alpn, version, kind) = client_result?;
    let (server_alpn, sni) = server_result?;
    Ok(Seen {
        peer_cert,
        client_alpn,
        server_alpn,
        sni,
        version,
        kind,
    })
}

fn source(cert_and_key: (std::path::PathBuf, std::path::PathBuf), names: &[&str]) -> CertSource {
    let (cert, key) = cert_and_key;
    CertSource {
        cert,
        key,
        server_names: names.iter().map(|name| (*name).to_owned()).collect(),
    }
}

fn leaf(path: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(path).unwrap()
}

fn trusting(pki: &TestPki, alpn: &[Alpn]) -> Arc<ClientConfig> {
    client_config(&OriginTls {
        verify: true,
        ca_file: Some(pki.ca_pem.clone()),
        alpn: alpn.to_vec(),
    })
    .unwrap()
}

fn unverified(alpn: &[Alpn]) -> Arc<ClientConfig> {
    client_config(&OriginTls {
        verify: false,
        ca_file: None,
        alpn: alpn.to_vec(),
    })
    .unwrap()
}

fn name(host: &str) -> ServerName<'static> {
    server_name(None, host).unwrap()
}

/// The rustls error inside a failed handshake's I/O error.
fn rustls_error(error: &io::Error) -> &rustls::Error {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .unwrap_or_else(|| panic!("not a rustls error: {error:?}"))
}

/// Four certificates: a default (also valid for 127.0.0.1), an exact name, a wildcard, and
/// one configured without names (served for its SANs).
struct Site {
    pki: TestPki,
    config: Arc<ServerConfig>,
    default: CertificateDer<'static>,
    api: CertificateDer<'static>,
    wildcard: CertificateDer<'static>,
    by_san: CertificateDer<'static>,
}

fn site() -> Site {
    let pki = TestPki::new();
    let default = source(
        pki.issue(&["default.example.com", "127.0.0.1"]),
        &["default.example.com"],
    );
    let api = source(pki.issue(&["api.example.com"]), &["API.example.com"]);
    let wildcard = source(pki.issue(&["*.example.com"]), &["*.example.com"]);
    let by_san = source(pki.issue(&["san.example.net", "*.san.example.net"]), &[]);
    let config = server_config(
        &[
            default.clone(),
            api.clone(),
            wildcard.clone(),
            by_san.clone(),
        ],
        &[Alpn::H2, Alpn::Http11],
    )
    .unwrap();
    Site {
        config,
        default: leaf(&default.cert),
        api: leaf(&api.cert),
        wildcard: leaf(&wildcard.cert),
        by_san: leaf(&by_san.cert),
        pki,
    }
}

#[tokio::test]
async fn sni_picks_the_exact_name() {
    let site = site();
    let seen = connect(
        site.config.clone(),
        trusting(&site.pki, &[]),
        name("api.example.com"),
    )
    .await
    .unwrap();
    assert_eq!(seen.peer_cert, site.api);
    assert_eq!(seen.sni.as_deref(), Some("api.example.com"));
}

#[tokio::test]
async fn sni_picks_the_wildcard_for_one_label() {
    let site = site();
    for host in ["www.example.com", "WWW.Example.Com"] {
        let seen = connect(site.config.clone(), trusting(&site.pki, &[]), name(host))
            .await
            .unwrap();
        assert_eq!(seen.peer_cert, site.wildcard, "{host}");
    }
    // Two labels below the wildcard: not covered, so the default (which the client refuses
    // by name, hence no verification here).
    let seen = connect(
        site.config.clone(),
        unverified(&[]),
        name("a.b.example.com"),
    )
    .await
    .unwrap();
    assert_eq!(seen.peer_cert, site.default);
}

#[tokio::test]
async fn sni_falls_back_to_the_certificates_own_names() {
    let site = site();
    for host in ["san.example.net", "deep.san.example.net"] {
        let seen = connect(site.config.clone(), trusting(&site.pki, &[]), name(host))
            .await
            .unwrap();
        assert_eq!(seen.peer_cert, site.by_san, "{host}");
    }
}

#[tokio::test]
async fn unknown_sni_gets_the_default() {
    let site = site();
    let seen = connect(
        site.config.clone(),
        unverified(&[]),
        name("unknown.example.org"),
    )
    .await
    .unwrap();
    assert_eq!(seen.peer_cert, site.default);
    assert_eq!(seen.sni.as_deref(), Some("unknown.example.org"));
}

#[tokio::test]
async fn no_sni_gets_the_default() {
    let site = site();
    // An IP address is verified against the certificate's IP names and sent without SNI.
    let seen = connect(
        site.config.clone(),
        trusting(&site.pki, &[]),
        name("127.0.0.1"),
    )
    .await
    .unwrap();
    assert_eq!(seen.sni, None);
    assert_eq!(seen.peer_cert, site.default);
}

#[tokio::test]
async fn alpn_follows_the_servers_preference_among_the_clients_offers() {
    let site = site();
    for (offer, expected) in [
        (&[Alpn::H2][..], Some(Alpn::H2)),
        (&[Alpn::Http11][..], Some(Alpn::Http11)),
        (&[Alpn::Http11, Alpn::H2][..], Some(Alpn::H2)),
        (&[][..], None),
    ] {
        let seen = connect(
            site.config.clone(),
            trusting(&site.pki, offer),
            name("api.example.com"),
        )
        .await
        .unwrap();
        assert_eq!(seen.client_alpn, expected, "offer {offer:?}");
        assert_eq!(seen.server_alpn, expected, "offer {offer:?}");
    }
}

#[tokio::test]
async fn alpn_without_a_common_protocol_is_refused() {
    let pki = TestPki::new();
    let config =
        server_config(&[source(pki.issue(&["h2.example.com"]), &[])], &[Alpn::H2]).unwrap();
    let error = connect(
        config,
        trusting(&pki, &[Alpn::Http11]),
        name("h2.example.com"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            rustls_error(&error),
            rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn without_server_alpn_the_clients_offer_is_ignored() {
    let pki = TestPki::new();
    let config = server_config(&[source(pki.issue(&["plain.example.com"]), &[])], &[]).unwrap();
    let seen = connect(
        config,
        trusting(&pki, &[Alpn::H2]),
        name("plain.example.com"),
    )
    .await
    .unwrap();
    assert_eq!(seen.client_alpn, None);
    assert_eq!(seen.server_alpn, None);
}

#[tokio::test]
async fn verification_without_our_ca_fails_on_the_issuer() {
    let site = site();
    let client = client_config(&OriginTls {
        verify: true,
        ca_file: None,
        alpn: vec![],
    })
    .unwrap();
    let error = connect(site.config.clone(), client, name("api.example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            rustls_error(&error),
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("certificate"), "{error}");
}

#[tokio::test]
async fn verification_checks_the_name() {
    let site = site();
    let error = connect(
        site.config.clone(),
        trusting(&site.pki, &[]),
        name("unknown.example.org"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            rustls_error(&error),
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn verify_off_accepts_a_certificate_from_an_unknown_ca() {
    let site = site();
    let seen = connect(
        site.config.clone(),
        unverified(&[Alpn::H2]),
        name("api.example.com"),
    )
    .await
    .unwrap();
    assert_eq!(seen.peer_cert, site.api);
    assert_eq!(seen.client_alpn, Some(Alpn::H2));
}

/// A client limited to one protocol version, built the way `client_config` builds its own.
fn client_for(
    version: &'static rustls::SupportedProtocolVersion,
    pki: &TestPki,
) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(leaf(&pki.ca_pem)).unwrap();
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    Arc::new(config)
}

#[tokio::test]
async fn tls12_and_tls13_are_served_and_resumed() {
    let site = site();
    // Stateless tickets: resumption costs the server no memory per client.
    assert!(site.config.ticketer.enabled());
    for (version, wire) in [
        (&rustls::version::TLS13, ProtocolVersion::TLSv1_3),
        (&rustls::version::TLS12, ProtocolVersion::TLSv1_2),
    ] {
        let client = client_for(version, &site.pki);
        let first = connect(site.config.clone(), client.clone(), name("api.example.com"))
            .await
            .unwrap();
        assert_eq!(first.version, Some(wire));
        assert_eq!(first.kind, Some(HandshakeKind::Full), "{wire:?}");
        let second = connect(site.config.clone(), client, name("api.example.com"))
            .await
            .unwrap();
        assert_eq!(second.kind, Some(HandshakeKind::Resumed), "{wire:?}");
        assert_eq!(second.peer_cert, site.api);
    }
}

#[tokio::test]
async fn ed25519_and_p384_keys_are_served() {
    let pki = TestPki::new();
    for (host, algorithm) in [
        ("ed.example.com", &rcgen::PKCS_ED25519),
        ("p384.example.com", &rcgen::PKCS_ECDSA_P384_SHA384),
    ] {
        let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
        let files = pki.issue_with_key(&[host], &key);
        let expected = leaf(&files.0);
        let config = server_config(&[source(files, &[])], &[]).unwrap();
        let seen = connect(config, trusting(&pki, &[]), name(host))
            .await
            .unwrap();
        assert_eq!(seen.peer_cert, expected, "{host}");
    }
}

// Configuration errors.

fn kind_of(certs: &[CertSource]) -> tollgate_proxy::tls::TlsError {
    server_config(certs, &[Alpn::H2]).unwrap_err()
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let pki = TestPki::new();
    let (_, key) = pki.issue(&["a.example.com"]);
    let missing = pki.path("missing.pem");
    let error = kind_of(&[CertSource {
        cert: missing.clone(),
        key,
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::Io);
    assert_eq!(error.path(), Some(missing.as_path()));
    assert!(error.to_string().contains("missing.pem"), "{error}");

    let error = client_config(&OriginTls {
        verify: true,
        ca_file: Some(missing.clone()),
        alpn: vec![],
    })
    .unwrap_err();
    assert_eq!(error.kind(), TlsErrorKind::Io);
    assert_eq!(error.path(), Some(missing.as_path()));
}

#[test]
fn garbage_is_refused_with_the_file_named() {
    let pki = TestPki::new();
    let (cert, key) = pki.issue(&["a.example.com"]);
    let truncated = pki.write("truncated.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
    let error = kind_of(&[CertSource {
        cert: truncated.clone(),
        key: key.clone(),
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::Pem);
    assert_eq!(error.path(), Some(truncated.as_path()));

    let noise = pki.write("noise.pem", "this is not a certificate\n");
    let error = kind_of(&[CertSource {
        cert: noise.clone(),
        key: key.clone(),
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::NoCertificate);
    assert_eq!(error.path(), Some(noise.as_path()));

    let error = kind_of(&[CertSource {
        cert: cert.clone(),
        key: noise.clone(),
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::NoPrivateKey);
    assert_eq!(error.path(), Some(noise.as_path()));

    // Well-formed PEM around bytes that are no key.
    let not_a_key = pki.write(
        "not-a-key.pem",
        "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n",
    );
    let error = kind_of(&[CertSource {
        cert,
        key: not_a_key.clone(),
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::UnsupportedKey);
    assert_eq!(error.path(), Some(not_a_key.as_path()));
}

#[test]
fn a_key_for_another_certificate_is_a_mismatch() {
    let pki = TestPki::new();
    let (cert, _) = pki.issue(&["a.example.com"]);
    let (_, other_key) = pki.issue(&["b.example.com"]);
    let error = kind_of(&[CertSource {
        cert: cert.clone(),
        key: other_key.clone(),
        server_names: vec![],
    }]);
    assert_eq!(error.kind(), TlsErrorKind::KeyMismatch);
    assert_eq!(error.path(), Some(cert.as_path()));
    assert!(error.to_string().contains("b.example.com.key"), "{error}");
}

#[test]
fn no_certificate_at_all_is_refused() {
    let error = kind_of(&[]);
    assert_eq!(error.kind(), TlsErrorKind::NoCertificate);
    assert_eq!(error.path(), None);
}

#[test]
fn bad_and_duplicate_server_names_are_refused() {
    let pki = TestPki::new();
    let a = pki.issue(&["a.example.com"]);
    let b = pki.issue(&["b.example.com"]);
    for bad in ["exa mple.com", "w*.example.com", "127.0.0.1"] {
        let error = kind_of(&[source(a.clone(), &[bad])]);
        assert_eq!(error.kind(), TlsErrorKind::InvalidServerName, "{bad}");
        assert!(error.to_string().contains(bad), "{error}");
    }
    let error = kind_of(&[
        source(a.clone(), &["shared.example.com"]),
        source(b.clone(), &["Shared.Example.com"]),
    ]);
    assert_eq!(error.kind(), TlsErrorKind::InvalidServerName);
    assert_eq!(error.path(), Some(b.0.as_path()));
    assert!(error.to_string().contains("a.example.com.pem"), "{error}");
}

#[test]
fn the_pki_directory_is_removed_on_drop() {
    let pki = TestPki::new();
    let dir = pki.dir.clone();
    let (cert, key) = pki.issue(&["a.example.com", "::1"]);
    assert!(cert.starts_with(&dir) && key.starts_with(&dir));
    assert!(
        TestPki::new().dir != dir,
        "each TestPki has its own directory"
    );
    drop(pki);
    assert!(!dir.exists());
}
