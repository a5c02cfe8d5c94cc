//! [`TlsError`]: why a TLS configuration could not be built.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, as a program matches on it. The names from [`TlsErrorKind::as_str`] are
/// stable: they may appear in logs and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsErrorKind {
    /// A file could not be read (missing, unreadable, too large).
    Io,
    /// A file is not well-formed PEM.
    Pem,
    /// No certificate where one is needed: a file without a `CERTIFICATE` block, or no
    /// certificate source at all.
    NoCertificate,
    /// A key file without a private key block (PKCS#8, PKCS#1 or SEC1).
    NoPrivateKey,
    /// The private key is not the one the certificate was issued for.
    KeyMismatch,
    /// The private key's algorithm or encoding is not supported by the crypto provider.
    UnsupportedKey,
    /// A server name (configured for SNI or used to reach an origin) is not a valid DNS name
    /// or IP address, or is configured twice.
    InvalidServerName,
    /// rustls refused the configuration or a certificate.
    Rustls,
}

impl TlsErrorKind {
    /// The kind's stable name, in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            TlsErrorKind::Io => "io",
            TlsErrorKind::Pem => "pem",
            TlsErrorKind::NoCertificate => "no_certificate",
            TlsErrorKind::NoPrivateKey => "no_private_key",
            TlsErrorKind::KeyMismatch => "key_mismatch",
            TlsErrorKind::UnsupportedKey => "unsupported_key",
            TlsErrorKind::InvalidServerName => "invalid_server_name",
            TlsErrorKind::Rustls => "rustls",
        }
    }
}

impl fmt::Display for TlsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TLS configuration that could not be built: the kind, the file it concerns (when there is
/// one) and a message that says what to do about it.
#[derive(Debug)]
pub struct TlsError {
    kind: TlsErrorKind,
    path: Option<PathBuf>,
    message: String,
    source: Option<Box<dyn Error + Send + Sync + 'static>>,
}

impl TlsError {
    pub(crate) fn new(kind: TlsErrorKind, message: impl Into<String>) -> TlsError {
        TlsError {
            kind,
            path: None,
            message: message.into(),
            source: None,
        }
    }

    /// The same error, about the file at `path`.
    pub(crate) fn at(mut self, path: &Path) -> TlsError {
        self.path = Some(path.to_path_buf());
        self
    }

    /// The same error, caused by `source`.
    pub(crate) fn caused_by(mut self, source: impl Error + Send + Sync + 'static) -> TlsError {
        self.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> TlsErrorKind {
        self.kind
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: {}", path.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Error for TlsError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_file_first() {
        let error = TlsError::new(TlsErrorKind::NoPrivateKey, "no private key")
            .at(Path::new("/etc/tollgate/key.pem"));
        assert_eq!(error.to_string(), "/etc/tollgate/key.pem: no private key");
        assert_eq!(error.kind(), TlsErrorKind::NoPrivateKey);
        assert_eq!(error.path(), Some(Path::new("/etc/tollgate/key.pem")));
    }

    #[test]
    fn display_without_a_file_is_the_message() {
        let error = TlsError::new(TlsErrorKind::NoCertificate, "no certificate configured");
        assert_eq!(error.to_string(), "no certificate configured");
        assert_eq!(error.path(), None);
    }

    #[test]
    fn source_is_kept() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let error = TlsError::new(TlsErrorKind::Io, "cannot read").caused_by(io);
        let source = error.source().map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("gone"));
    }

    #[test]
    fn kind_names_are_stable() {
        let names = [
            TlsErrorKind::Io,
            TlsErrorKind::Pem,
            TlsErrorKind::NoCertificate,
            TlsErrorKind::NoPrivateKey,
            TlsErrorKind::KeyMismatch,
            TlsErrorKind::UnsupportedKey,
            TlsErrorKind::InvalidServerName,
            TlsErrorKind::Rustls,
        ]
        .map(TlsErrorKind::as_str);
        assert_eq!(
            names,
            [
                "io",
                "pem",
                "no_certificate",
                "no_private_key",
                "key_mismatch",
                "unsupported_key",
                "invalid_server_name",
                "rustls"
            ]
        );
    }
}
