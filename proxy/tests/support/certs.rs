//! Test certificates: a throwaway CA and leaves it issues, written as PEM files into a fresh
//! temporary directory that is removed when the [`TestPki`] is dropped.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::fs;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// A CA in a temporary directory, issuing leaf certificates on demand.
pub(crate) struct TestPki {
    /// The directory holding every file written; removed on drop.
    pub(crate) dir: PathBuf,
    /// The CA certificate, PEM.
    pub(crate) ca_pem: PathBuf,
    issuer: Issuer<'static, KeyPair>,
}

/// Distinguishes directories made by one process at the same instant.
static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestPki {
    /// A new CA ("tollgate test CA", ECDSA P-256) in a new directory.
    pub(crate) fn new() -> TestPki {
        let dir = fresh_dir();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "tollgate test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let ca_pem = dir.join("ca.pem");
        fs::write(&ca_pem, cert.pem()).unwrap();
        TestPki {
            dir,
            ca_pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate for `names` (DNS names, wildcards, IP addresses), signed by the CA,
    /// and its PKCS#8 key: `(cert, key)` paths, named after the first name.
    pub(crate) fn issue(&self, names: &[&str]) -> (PathBuf, PathBuf) {
        let key = KeyPair::generate().unwrap();
        self.issue_with_key(names, &key)
    }

    /// Like [`TestPki::issue`], with a given key pair (to make certificates that share a key).
    pub(crate) fn issue_with_key(&self, names: &[&str], key: &KeyPair) -> (PathBuf, PathBuf) {
        let mut params = CertificateParams::default();
        params.subject_alt_names = names
            .iter()
            .map(|name| match name.parse::<IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*name).try_into().unwrap()),
            })
            .collect();
        if let Some(first) = names.first() {
            params.distinguished_name.push(DnType::CommonName, *first);
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(key, &self.issuer).unwrap();
        let stem = file_stem(names.first().copied().unwrap_or("leaf"));
        let cert_path = self.dir.join(format!("{stem}.pem"));
        let key_path = self.dir.join(format!("{stem}.key"));
        fs::write(&cert_path, cert.pem()).unwrap();
        fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }

    /// Writes `contents` to `name` in the directory (for malformed inputs).
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join(name);
        fs::write(&path, contents).unwrap();
        path
    }

    /// The path `name` would have in the directory, without creating it.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for TestPki {
    fn drop(&mut self) {
        // Best effort: a leftover temp dir must not turn a passing test into a panic.
        drop(fs::remove_dir_all(&self.dir));
    }
}

fn fresh_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "tollgate-pki-{}-{count}-{nanos}",
        std::process::id()
    ));
    // create_dir (not create_dir_all): fails rather than reuse a directory that exists.
    fs::create_dir(&dir).unwrap();
    dir
}

/// A file name for a certificate name: `*.example.com` → `wildcard.example.com`, `::1` → `__1`.
fn file_stem(name: &str) -> String {
    name.replace('*', "wildcard")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
