//! Certificates and private keys from PEM files, with errors that say which file and why.

use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use rustls_pki_types::pem::{self, PemObject as _};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::tls::error::{TlsError, TlsErrorKind};

/// The largest PEM file read. The Mozilla root bundle is about 220 KB; a larger file is a
/// mistake (a log, a disk image, `/dev/zero`), and reading it whole would only use memory.
const MAX_PEM_BYTES: u64 = 4 * 1024 * 1024;

/// Every certificate in the PEM file at `path`, in file order (leaf first, for a chain).
/// Blocks of other kinds (a key kept in the same file) are skipped.
pub(crate) fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    parse_certs(&read(path)?).map_err(|error| error.at(path))
}

/// The first private key in the PEM file at `path`: PKCS#8 (`PRIVATE KEY`), PKCS#1
/// (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
pub(crate) fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    parse_key(&read(path)?).map_err(|error| error.at(path))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    let io_error = |error: std::io::Error| {
        TlsError::new(
            TlsErrorKind::Io,
            format!("cannot read the file ({error}); check the path and its permissions"),
        )
        .at(path)
        .caused_by(error)
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| file.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io_error)?;
    if u64::try_from(bytes.len()).is_ok_and(|len| len > MAX_PEM_BYTES) {
        return Err(TlsError::new(
            TlsErrorKind::Io,
            format!(
                "larger than {} MiB, which no certificate or key file is; check the path",
                MAX_PEM_BYTES / (1024 * 1024)
            ),
        )
        .at(path));
    }
    Ok(bytes)
}

fn parse_certs(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(malformed)?;
    if certs.is_empty() {
        return Err(TlsError::new(
            TlsErrorKind::NoCertificate,
            format!(
                "no \"-----BEGIN CERTIFICATE-----\" block{}",
                hint_for_certs(bytes)
            ),
        ));
    }
    Ok(certs)
}

fn parse_key(bytes: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(key) => Ok(key),
        Err(pem::Error::NoItemsFound) => Err(TlsError::new(
            TlsErrorKind::NoPrivateKey,
            format!(
                "no private key block (\"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \
                 \"EC PRIVATE KEY\"){}",
                hint_for_key(bytes)
            ),
        )),
        Err(error) => Err(malformed(error)),
    }
}

fn malformed(error: pem::Error) -> TlsError {
    TlsError::new(
        TlsErrorKind::Pem,
        format!("not valid PEM ({error}); re-export the file in PEM format"),
    )
    .caused_by(error)
}

/// Why a file may hold no certificate, for the common mistakes.
fn hint_for_certs(bytes: &[u8]) -> &'static str {
    if contains(bytes, b"PRIVATE KEY-----") {
        "; the file holds a private key: are the certificate and key paths swapped?"
    } else if looks_like_der(bytes) {
        "; the file looks like DER: convert it with \
         `openssl x509 -inform der -in FILE -out FILE.pem`"
    } else {
        "; give a PEM certificate chain, leaf first"
    }
}

/// Why a file may hold no usable key, for the common mistakes.
fn hint_for_key(bytes: &[u8]) -> &'static str {
    if contains(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        "; the key is encrypted: decrypt it with `openssl pkey -in FILE -out KEY.pem`"
    } else if contains(bytes, b"-----BEGIN CERTIFICATE-----") {
        "; the file holds a certificate: are the certificate and key paths swapped?"
    } else if looks_like_der(bytes) {
        "; the file looks like DER: convert it with `openssl pkey -inform der -in FILE -out KEY.pem`"
    } else {
        "; give the certificate's private key in PEM"
    }
}

/// DER starts with a SEQUENCE tag; PEM is text.
fn looks_like_der(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x30)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A syntactically valid PEM block; its content is not a certificate, which PEM parsing
    /// does not look at.
    const CERT_BLOCK: &str = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";

    #[test]
    fn certificates_come_in_file_order_and_other_blocks_are_skipped() {
        let text = format!(
            "{CERT_BLOCK}-----BEGIN PRIVATE KEY-----\nBAUG\n-----END PRIVATE KEY-----\n\
             -----BEGIN CERTIFICATE-----\nBwgJ\n-----END CERTIFICATE-----\n"
        );
        let certs = parse_certs(text.as_bytes()).unwrap();
        let bytes: Vec<&[u8]> = certs.iter().map(|cert| cert.as_ref()).collect();
        assert_eq!(bytes, [&[1u8, 2, 3][..], &[7, 8, 9][..]]);
    }

    #[test]
    fn no_certificate_block_is_named() {
        let error = parse_certs(b"hello\n").unwrap_err();
        assert_eq!(error.kind(), TlsErrorKind::NoCertificate);
        assert!(error.message().contains("BEGIN CERTIFICATE"), "{error}");
    }

    #[test]
    fn swapped_paths_are_suggested() {
        let key = b"-----BEGIN PRIVATE KEY-----\nBAUG\n-----END PRIVATE KEY-----\n";
        let error = parse_certs(key).unwrap_err();
        assert!(error.message().contains("swapped"), "{error}");
        let error = parse_key(CERT_BLOCK.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), TlsErrorKind::NoPrivateKey);
        assert!(error.message().contains("swapped"), "{error}");
    }

    #[test]
    fn der_input_is_recognised() {
        let error = parse_certs(&[0x30, 0x82, 0x01, 0x0a]).unwrap_err();
        assert!(error.message().contains("DER"), "{error}");
        let error = parse_key(&[0x30, 0x82, 0x01, 0x0a]).unwrap_err();
        assert!(error.message().contains("DER"), "{error}");
    }

    #[test]
    fn an_unterminated_block_is_malformed_pem() {
        let error = parse_certs(b"-----BEGIN CERTIFICATE-----\nAQID\n").unwrap_err();
        assert_eq!(error.kind(), TlsErrorKind::Pem);
    }

    #[test]
    fn bad_base64_is_malformed_pem() {
        let text = b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
        assert_eq!(parse_key(text).unwrap_err().kind(), TlsErrorKind::Pem);
    }

    #[test]
    fn each_key_encoding_is_read() {
        for (label, pkcs8, pkcs1, sec1) in [
            ("PRIVATE KEY", true, false, false),
            ("RSA PRIVATE KEY", false, true, false),
            ("EC PRIVATE KEY", false, false, true),
        ] {
            let text = format!("-----BEGIN {label}-----\nAQID\n-----END {label}-----\n");
            let key = parse_key(text.as_bytes()).unwrap();
            assert_eq!(matches!(key, PrivateKeyDer::Pkcs8(_)), pkcs8, "{label}");
            assert_eq!(matches!(key, PrivateKeyDer::Pkcs1(_)), pkcs1, "{label}");
            assert_eq!(matches!(key, PrivateKeyDer::Sec1(_)), sec1, "{label}");
        }
    }

    #[test]
    fn an_encrypted_key_says_how_to_decrypt_it() {
        let text = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAQID\n\
                     -----END ENCRYPTED PRIVATE KEY-----\n";
        let error = parse_key(text).unwrap_err();
        assert_eq!(error.kind(), TlsErrorKind::NoPrivateKey);
        assert!(error.message().contains("encrypted"), "{error}");
    }
}
