//! Quick mode: `tollgate proxy --listen ADDR --upstream URL`, a configuration without a file.
//! One listener, one catch-all route, one cluster named `upstream`; the URL's scheme picks
//! the protocol toward it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tollgate_codecs::{Policy, Preset};

use super::defaults;
use super::error::{ConfigError, ConfigErrorKind};
use super::model::*;
use super::values;

/// The cluster quick mode forwards to.
pub const QUICK_CLUSTER: &str = "upstream";

/// The listener quick mode serves on.
pub const QUICK_LISTENER: &str = "quick";

fn cli_error(kind: ConfigErrorKind, option: &str, message: String) -> ConfigError {
    ConfigError::new(kind, Path::new(""), message).with_key(option)
}

impl Config {
    /// A configuration forwarding everything received on `listen` to `upstream`:
    /// `http://host[:port]` speaks HTTP/1.1, `h2c://host[:port]` cleartext HTTP/2 with prior
    /// knowledge, `https://host[:port]` TLS with ALPN (h2 or http/1.1) and verification on.
    /// Default ports are 80 and 443. `tls_cert` and `tls_key` (both or neither) make the
    /// listener terminate TLS. `upstream_ca` adds PEM roots, besides the webpki ones, for an
    /// `https://` origin with a certificate from a private CA. Everything else takes its default.
    ///
    /// # Errors
    ///
    /// An unsupported URL (other scheme, a path, user info), a TLS file that cannot be read, or
    /// `upstream_ca` with a cleartext upstream; the error's key names the command-line option.
    pub fn quick(
        listen: SocketAddr,
        upstream: &str,
        tls_cert: Option<PathBuf>,
        tls_key: Option<PathBuf>,
        upstream_ca: Option<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let (protocol, origin) = upstream_url(upstream)?;
        let ca_file = match upstream_ca {
            // Refused rather than ignored: a CA given for a cleartext origin means the user
            // believes the hop is encrypted when it is not.
            Some(_) if !matches!(protocol, OriginProtocol::Auto) => {
                return Err(cli_error(
                    ConfigErrorKind::Conflict,
                    "--upstream-ca",
                    format!(
                        "{upstream:?} is cleartext: --upstream-ca applies to an https:// upstream only"
                    ),
                ));
            }
            Some(path) => Some(readable(path, "--upstream-ca")?),
            None => None,
        };
        let tls = match (tls_cert, tls_key) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(ListenerTls {
                certificates: vec![CertificateConfig {
                    cert: readable(cert, "--tls-cert")?,
                    key: readable(key, "--tls-key")?,
                    server_names: Vec::new(),
                }],
            }),
            (Some(_), None) => {
                return Err(cli_error(
                    ConfigErrorKind::Missing,
                    "--tls-key",
                    "--tls-cert needs --tls-key: give both, or neither for cleartext".to_owned(),
                ));
            }
            (None, Some(_)) => {
                return Err(cli_error(
                    ConfigErrorKind::Missing,
                    "--tls-cert",
                    "--tls-key needs --tls-cert: give both, or neither for cleartext".to_owned(),
                ));
            }
        };
        let origin_tls = matches!(protocol, OriginProtocol::Auto).then(|| OriginTls {
            sni: None,
            verify: true,
            ca_file,
        });
        let cluster = ClusterConfig {
            origins: vec![origin],
            protocol,
            balance: BalanceConfig::RoundRobin,
            retries: defaults::RETRIES,
            tls: origin_tls,
            timeouts: OriginTimeouts {
                connect: defaults::CONNECT_TIMEOUT,
                first_byte: defaults::FIRST_BYTE_TIMEOUT,
                idle: defaults::ORIGIN_IDLE_TIMEOUT,
                total: defaults::TOTAL_TIMEOUT,
            },
            pool: PoolConfig {
                max_connections_per_origin: defaults::MAX_CONNECTIONS_PER_ORIGIN,
                max_idle_per_origin: defaults::MAX_IDLE_PER_ORIGIN,
                idle_timeout: defaults::POOL_IDLE_TIMEOUT,
                max_concurrent_streams: defaults::MAX_CONCURRENT_STREAMS,
            },
        };
        let policy = || PolicyChoice {
            source: PolicySource::Preset(Preset::Default),
            policy: Policy::preset(Preset::Default),
        };
        Ok(Config {
            workers: std::thread::available_parallelism().map_or(1, usize::from),
            log: LogConfig {
                format: LogFormat::Text,
                level: defaults::LOG_LEVEL.to_owned(),
            },
            admin: None,
            shutdown: ShutdownConfig {
                drain_timeout: defaults::DRAIN_TIMEOUT,
            },
            policy: PolicyConfig {
                client: policy(),
                origin: policy(),
            },
            listeners: vec![ListenerConfig {
                name: QUICK_LISTENER.to_owned(),
                listen,
                protocols: Protocols { h1: true, h2: true },
                tls,
                limits: ListenerLimits {
                    max_connections: defaults::MAX_CONNECTIONS,
                    header_read_timeout: defaults::HEADER_READ_TIMEOUT,
                    idle_timeout: defaults::CLIENT_IDLE_TIMEOUT,
                },
            }],
            routes: vec![RouteConfig {
                host: HostMatch::Any,
                path_prefix: defaults::PATH_PREFIX.to_owned(),
                cluster: QUICK_CLUSTER.to_owned(),
            }],
            clusters: BTreeMap::from([(QUICK_CLUSTER.to_owned(), cluster)]),
        })
    }
}

/// `scheme://host[:port]` with an optional `/` and nothing after it.
fn upstream_url(url: &str) -> Result<(OriginProtocol, OriginAddr), ConfigError> {
    let invalid = |message: String| cli_error(ConfigErrorKind::InvalidValue, "--upstream", message);
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        invalid(format!(
            "{url:?} is not a URL: expected http://host:port, h2c://host:port or https://host:port"
        ))
    })?;
    let (protocol, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "http" => (OriginProtocol::H1, 80),
        "h2c" => (OriginProtocol::H2c, 80),
        "https" => (OriginProtocol::Auto, 443),
        _ => {
            return Err(invalid(format!(
                "unsupported scheme {scheme:?}: expected \"http\" (HTTP/1.1), \"h2c\" (cleartext HTTP/2) or \"https\" (TLS, HTTP/2 or HTTP/1.1 by ALPN)"
            )));
        }
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !tail.is_empty() && tail != "/" {
        return Err(invalid(format!(
            "{url:?} has a path, query or fragment ({tail:?}): quick mode forwards each request's own path unchanged, so give only scheme://host:port (use a configuration file to route by path)"
        )));
    }
    if authority.contains('@') {
        return Err(invalid(format!(
            "{url:?} has user information: credentials in the URL are not supported"
        )));
    }
    if authority.is_empty() {
        return Err(invalid(format!("{url:?} has no host")));
    }
    // A port is present when the text after the last ':' is outside IPv6 brackets.
    let has_port = authority
        .rfind(':')
        .is_some_and(|colon| !authority[colon..].contains(']'));
    let with_port = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:{default_port}")
    };
    let origin = values::origin(&with_port).map_err(invalid)?;
    Ok((protocol, origin))
}

fn readable(path: PathBuf, option: &str) -> Result<PathBuf, ConfigError> {
    match std::fs::File::open(&path).and_then(|file| file.metadata()) {
        Ok(meta) if meta.is_file() => Ok(path),
        Ok(_) => Err(cli_error(
            ConfigErrorKind::Io,
            option,
            format!("{} is not a file", path.display()),
        )),
        Err(err) => Err(cli_error(
            ConfigErrorKind::Io,
            option,
            format!("cannot read {}: {err}", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen() -> SocketAddr {
        "127.0.0.1:8000".parse().unwrap()
    }

    #[test]
    fn schemes_pick_the_protocol_and_default_port() {
        for (url, protocol, origin, tls) in [
            (
                "http://127.0.0.1:8080",
                OriginProtocol::H1,
                "127.0.0.1:8080",
                false,
            ),
            (
                "http://localhost",
                OriginProtocol::H1,
                "localhost:80",
                false,
            ),
            (
                "h2c://[::1]:9000/",
                OriginProtocol::H2c,
                "[::1]:9000",
                false,
            ),
            ("h2c://[::1]", OriginProtocol::H2c, "[::1]:80", false),
            (
                "HTTPS://API.example",
                OriginProtocol::Auto,
                "api.example:443",
                true,
            ),
        ] {
            let config = Config::quick(listen(), url, None, None, None).unwrap();
            let cluster = &config.clusters[QUICK_CLUSTER];
            assert_eq!(cluster.protocol, protocol, "{url}");
            assert_eq!(cluster.origins.len(), 1);
            assert_eq!(cluster.origins[0].to_string(), origin, "{url}");
            assert_eq!(cluster.tls.is_some(), tls, "{url}");
            assert_eq!(config.routes.len(), 1);
            assert_eq!(config.routes[0].host, HostMatch::Any);
            assert_eq!(config.routes[0].path_prefix, "/");
            assert_eq!(config.listeners[0].listen, listen());
            assert!(config.listeners[0].tls.is_none());
        }
        let https = Config::quick(listen(), "https://api.example:8443", None, None, None).unwrap();
        let cluster = &https.clusters[QUICK_CLUSTER];
        let tls = cluster.tls.as_ref().unwrap();
        assert!(tls.verify);
        assert_eq!(tls.server_name(&cluster.origins[0]), Some("api.example"));
    }

    #[test]
    fn bad_urls_say_why() {
        for (url, expected) in [
            ("http://127.0.0.1:8080/api", "has a path"),
            ("http://host?x=1", "has a path, query or fragment"),
            ("ftp://host", "unsupported scheme \"ftp\""),
            ("127.0.0.1:8080", "is not a URL"),
            ("http://user:pw@host", "user information"),
            ("http://", "has no host"),
            ("http://host:0", "the port must be a number"),
            ("http://host:99999", "the port must be a number"),
            ("http://[::1", "needs a port"),
        ] {
            let err = Config::quick(listen(), url, None, None, None).unwrap_err();
            assert_eq!(err.key(), Some("--upstream"), "{url}");
            assert_eq!(err.kind(), ConfigErrorKind::InvalidValue, "{url}");
            assert!(err.to_string().starts_with("--upstream: "), "{err}");
            assert!(err.message().contains(expected), "{url}: {err}");
        }
    }

    #[test]
    fn tls_files_come_in_pairs_and_must_exist() {
        let dir = std::env::temp_dir().join(format!("tollgate-quick-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("c.pem");
        let key = dir.join("k.pem");
        std::fs::write(&cert, "x").unwrap();
        std::fs::write(&key, "x").unwrap();

        let url = "http://127.0.0.1:1";
        let only_cert = Config::quick(listen(), url, Some(cert.clone()), None, None).unwrap_err();
        assert_eq!(only_cert.kind(), ConfigErrorKind::Missing);
        assert_eq!(only_cert.key(), Some("--tls-key"));
        let only_key = Config::quick(listen(), url, None, Some(key.clone()), None).unwrap_err();
        assert_eq!(only_key.key(), Some("--tls-cert"));
        let absent = Config::quick(
            listen(),
            url,
            Some(dir.join("nope.pem")),
            Some(key.clone()),
            None,
        )
        .unwrap_err();
        assert_eq!(absent.kind(), ConfigErrorKind::Io);
        assert_eq!(absent.key(), Some("--tls-cert"));
        assert!(absent.message().contains("nope.pem"), "{absent}");

        let config =
            Config::quick(listen(), url, Some(cert.clone()), Some(key.clone()), None).unwrap();
        let tls = config.listeners[0].tls.as_ref().unwrap();
        assert_eq!(tls.certificates[0].cert, cert);
        assert_eq!(tls.certificates[0].key, key);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn upstream_ca_is_for_https_only_and_must_exist() {
        let dir = std::env::temp_dir().join(format!("tollgate-quick-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, "x").unwrap();

        let config = Config::quick(
            listen(),
            "https://127.0.0.1:8443",
            None,
            None,
            Some(ca.clone()),
        )
        .unwrap();
        let tls = config.clusters[QUICK_CLUSTER].tls.as_ref().unwrap();
        assert_eq!(tls.ca_file.as_deref(), Some(ca.as_path()));
        assert!(tls.verify, "extra roots must not turn verification off");

        for url in ["http://127.0.0.1:8080", "h2c://127.0.0.1:8080"] {
            let err = Config::quick(listen(), url, None, None, Some(ca.clone())).unwrap_err();
            assert_eq!(err.kind(), ConfigErrorKind::Conflict, "{url}");
            assert_eq!(err.key(), Some("--upstream-ca"), "{url}");
            assert!(err.message().contains("https://"), "{err}");
        }
        let absent = Config::quick(
            listen(),
            "https://127.0.0.1:8443",
            None,
            None,
            Some(dir.join("nope.pem")),
        )
        .unwrap_err();
        assert_eq!(absent.kind(), ConfigErrorKind::Io);
        assert_eq!(absent.key(), Some("--upstream-ca"));
        assert!(absent.message().contains("nope.pem"), "{absent}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
