//! Choosing the server certificate from the name the client asked for (SNI).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::verify_server_name;
use rustls::server::{ClientHello, ParsedCertificate, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::{DnsName, ServerName};

/// Configured names, each pointing at a certificate by its index: exact names and one-label
/// wildcards (`*.example.com` matches `a.example.com`, not `example.com` nor
/// `a.b.example.com`, as RFC 6125 §6.4.3 has clients match them).
#[derive(Debug, Default)]
pub(crate) struct Names {
    exact: HashMap<String, usize>,
    /// Keyed by the part after `*.`.
    wildcard: HashMap<String, usize>,
}

/// Why a configured name was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NameError {
    /// Not a DNS name, nor `*.` followed by one.
    Invalid,
    /// An IP address: SNI never carries one (RFC 6066 §3).
    IpAddress,
    /// Already given to the certificate at this index.
    Duplicate(usize),
}

impl Names {
    /// Sends `name` to the certificate at `index`.
    pub(crate) fn insert(&mut self, name: &str, index: usize) -> Result<(), NameError> {
        let name = normalise(name);
        if name.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpAddress);
        }
        let (table, key) = match name.strip_prefix("*.") {
            Some(parent) => (&mut self.wildcard, parent),
            None => (&mut self.exact, name.as_str()),
        };
        // The parent of a wildcard must itself be a plain DNS name: no `*.*.example.com`, no
        // partial-label wildcards such as `w*.example.com`.
        if key.contains('*') || DnsName::try_from(key).is_err() {
            return Err(NameError::Invalid);
        }
        match table.entry(key.to_owned()) {
            Entry::Occupied(entry) => Err(NameError::Duplicate(*entry.get())),
            Entry::Vacant(entry) => {
                entry.insert(index);
                Ok(())
            }
        }
    }

    /// The certificate for `sni`: an exact name first, then a wildcard.
    pub(crate) fn lookup(&self, sni: &str) -> Option<usize> {
        let sni = normalise(sni);
        if let Some(&index) = self.exact.get(&sni) {
            return Some(index);
        }
        let (_, parent) = sni.split_once('.')?;
        self.wildcard.get(parent).copied()
    }
}

/// Names compare without case (DNS, RFC 4343) and without the root's trailing dot.
fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Picks the certificate for a handshake: the configured names first, then the certificates
/// configured without names, matched against their own subject alternative names in the order
/// given, and the first certificate when nothing matches or the client sent no SNI (clients
/// that connect by IP address send none).
#[derive(Debug)]
pub(crate) struct SniResolver {
    /// Never empty; the first is the default.
    keys: Vec<Arc<CertifiedKey>>,
    names: Names,
    /// Indexes of the certificates configured without names.
    by_san: Vec<usize>,
}

impl SniResolver {
    /// `keys` must not be empty; `by_san` indexes into it.
    pub(crate) fn new(keys: Vec<Arc<CertifiedKey>>, names: Names, by_san: Vec<usize>) -> Self {
        SniResolver {
            keys,
            names,
            by_san,
        }
    }

    fn index_for(&self, sni: &str) -> Option<usize> {
        if let Some(index) = self.names.lookup(sni) {
            return Some(index);
        }
        let name = ServerName::DnsName(DnsName::try_from(sni).ok()?);
        // rustls' own name check, so the choice agrees with what clients verify. It parses the
        // certificate on each handshake; that costs microseconds against the handshake's
        // signature, and only certificates configured without names pay it.
        self.by_san.iter().copied().find(|&index| {
            self.keys
                .get(index)
                .and_then(|key| key.cert.first())
                .and_then(|cert| ParsedCertificate::try_from(cert).ok())
                .is_some_and(|cert| verify_server_name(&cert, &name).is_ok())
        })
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let index = hello
            .server_name()
            .and_then(|sni| self.index_for(sni))
            .unwrap_or(0);
        self.keys.get(index).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[(&str, usize)]) -> Names {
        let mut names = Names::default();
        for &(name, index) in entries {
            names.insert(name, index).unwrap();
        }
        names
    }

    #[test]
    fn exact_names_ignore_case_and_the_trailing_dot() {
        let names = names(&[("API.example.com", 1)]);
        assert_eq!(names.lookup("api.example.com"), Some(1));
        assert_eq!(names.lookup("Api.Example.COM."), Some(1));
        assert_eq!(names.lookup("example.com"), None);
    }

    #[test]
    fn a_wildcard_covers_exactly_one_label() {
        let names = names(&[("*.example.com", 2)]);
        assert_eq!(names.lookup("a.example.com"), Some(2));
        assert_eq!(names.lookup("A.EXAMPLE.com"), Some(2));
        assert_eq!(names.lookup("example.com"), None);
        assert_eq!(names.lookup("a.b.example.com"), None);
        assert_eq!(names.lookup("aexample.com"), None);
    }

    #[test]
    fn an_exact_name_beats_a_wildcard() {
        let names = names(&[("*.example.com", 0), ("api.example.com", 1)]);
        assert_eq!(names.lookup("api.example.com"), Some(1));
        assert_eq!(names.lookup("www.example.com"), Some(0));
    }

    #[test]
    fn malformed_names_are_refused() {
        let mut names = Names::default();
        for name in [
            "",
            "*",
            "*.",
            "a.*.example.com",
            "*.*.example.com",
            "w*.example.com",
            "exa mple.com",
            "example.com:443",
        ] {
            assert_eq!(names.insert(name, 0), Err(NameError::Invalid), "{name:?}");
        }
    }

    #[test]
    fn ip_addresses_are_refused() {
        let mut names = Names::default();
        assert_eq!(names.insert("127.0.0.1", 0), Err(NameError::IpAddress));
        assert_eq!(names.insert("::1", 0), Err(NameError::IpAddress));
    }

    #[test]
    fn a_name_given_twice_is_refused_with_its_first_owner() {
        let mut names = names(&[("example.com", 0), ("*.example.com", 0)]);
        assert_eq!(
            names.insert("EXAMPLE.com.", 1),
            Err(NameError::Duplicate(0))
        );
        assert_eq!(
            names.insert("*.Example.com", 1),
            Err(NameError::Duplicate(0))
        );
    }
}
