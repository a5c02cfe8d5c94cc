//! From the file's shape to a [`Config`]: defaults applied, strings parsed, references and
//! combinations checked. The first problem is the error; unused clusters are warnings.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use http::HeaderName;
use tollgate_codecs::{Policy, Preset};
use toml::Spanned;
use tracing_subscriber::EnvFilter;

use super::defaults;
use super::error::{ConfigError, ConfigErrorKind};
use super::locate::Source;
use super::model::*;
use super::raw::*;
use super::values;
use super::{Config, Loaded};

/// The checks of one file; `dir` is where its relative paths start.
pub(crate) struct Validator<'s> {
    src: &'s Source<'s>,
    dir: PathBuf,
}

type Result<T> = std::result::Result<T, ConfigError>;

impl<'s> Validator<'s> {
    pub(crate) fn new(src: &'s Source<'s>) -> Self {
        let dir = src
            .file()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Validator { src, dir }
    }

    fn invalid<T>(&self, value: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        self.src
            .error(value.span(), ConfigErrorKind::InvalidValue, message)
    }

    fn fail<T>(
        &self,
        value: &Spanned<T>,
        kind: ConfigErrorKind,
        message: impl Into<String>,
    ) -> ConfigError {
        self.src.error(value.span(), kind, message)
    }

    fn line_of<T>(&self, value: &Spanned<T>) -> usize {
        self.src.line(value.span().start)
    }

    pub(crate) fn config(&self, raw: RawConfig) -> Result<Loaded> {
        let workers = match &raw.workers {
            None => std::thread::available_parallelism().map_or(1, usize::from),
            Some(workers) => as_usize(self.count(workers, 1, as_u64(defaults::MAX_WORKERS))?),
        };
        let listeners = self.listeners(&raw)?;
        let admin = match &raw.admin {
            None => None,
            Some(admin) => {
                let listen = admin.listen.get_ref().0;
                if let Some(other) = listeners.iter().find(|l| overlaps(l.listen, listen)) {
                    return Err(self.fail(
                        &admin.listen,
                        ConfigErrorKind::Conflict,
                        format!("{listen} is also the address of listener {:?}", other.name),
                    ));
                }
                Some(AdminConfig { listen })
            }
        };
        let clusters = raw
            .clusters
            .iter()
            .map(|(name, cluster)| Ok((name.get_ref().clone(), self.cluster(name, cluster)?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        let routes = self.routes(&raw.routes, &clusters)?;
        let mut warnings = Vec::new();
        for name in raw.clusters.keys() {
            if !routes.iter().any(|route| &route.cluster == name.get_ref()) {
                warnings.push(self.src.warning(
                    name.span(),
                    "cluster is not used by any route: no request can reach it",
                ));
            }
        }
        let config = Config {
            workers,
            log: self.log(&raw.log)?,
            admin,
            shutdown: ShutdownConfig {
                drain_timeout: dur(&raw.shutdown.drain_timeout, defaults::DRAIN_TIMEOUT),
            },
            policy: PolicyConfig {
                client: self.policy(raw.policy.client.as_ref())?,
                origin: self.policy(raw.policy.origin.as_ref())?,
            },
            listeners,
            routes,
            clusters,
        };
        Ok(Loaded { config, warnings })
    }

    /// An integer within `min..=max`.
    fn count(&self, value: &Spanned<u64>, min: u64, max: u64) -> Result<u64> {
        let n = *value.get_ref();
        if n < min || n > max {
            let expected = if max == u64::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(self.invalid(value, format!("{n} is out of range: expected {expected}")));
        }
        Ok(n)
    }

    fn log(&self, raw: &RawLog) -> Result<LogConfig> {
        let level = match &raw.level {
            None => defaults::LOG_LEVEL.to_owned(),
            Some(level) => {
                EnvFilter::builder()
                    .with_regex(false)
                    .parse(level.get_ref())
                    .map_err(|err| {
                        self.invalid(
                            level,
                            format!(
                                "invalid log filter {:?}: {err}; expected a level (\"info\") or directives (\"info,tollgate_proxy=debug\")",
                                level.get_ref()
                            ),
                        )
                    })?;
                level.get_ref().clone()
            }
        };
        Ok(LogConfig {
            format: raw.format.map_or(LogFormat::Text, LogFormat::from),
            level,
        })
    }

    fn policy(&self, raw: Option<&Spanned<String>>) -> Result<PolicyChoice> {
        let Some(raw) = raw else {
            let preset = Preset::from_name(defaults::POLICY).unwrap_or(Preset::Default);
            return Ok(PolicyChoice {
                source: PolicySource::Preset(preset),
                policy: Policy::preset(preset),
            });
        };
        if let Some(preset) = Preset::from_name(raw.get_ref()) {
            return Ok(PolicyChoice {
                source: PolicySource::Preset(preset),
                policy: Policy::preset(preset),
            });
        }
        let path = self.dir.join(raw.get_ref());
        let text = std::fs::read_to_string(&path).map_err(|err| {
            self.fail(
                raw,
                ConfigErrorKind::Io,
                format!(
                    "cannot read policy file {}: {err} (the value is a preset, \"strict\", \"default\" or \"lenient\", or a path relative to this file)",
                    path.display()
                ),
            )
        })?;
        let policy = Policy::from_toml(&text).map_err(|err| {
            let key = self.src.key_path(raw.span().start).unwrap_or_default();
            ConfigError::new(
                ConfigErrorKind::InvalidValue,
                &path,
                format!("{} (policy file named by {key})", err.message),
            )
            .at(err.line, err.column)
        })?;
        Ok(PolicyChoice {
            source: PolicySource::File(path),
            policy,
        })
    }

    fn listeners(&self, raw: &RawConfig) -> Result<Vec<ListenerConfig>> {
        if raw.listeners.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::Missing,
                self.src.file(),
                "no [[listeners]]: add one, e.g. [[listeners]] name = \"public\" listen = \"0.0.0.0:8080\"",
            )
            .with_key("listeners"));
        }
        let mut out: Vec<ListenerConfig> = Vec::with_capacity(raw.listeners.len());
        for listener in &raw.listeners {
            let name = listener.name.get_ref();
            if name.is_empty() {
                return Err(self.invalid(&listener.name, "a listener name cannot be empty"));
            }
            if let Some(index) = out.iter().position(|l| &l.name == name) {
                return Err(self.fail(
                    &listener.name,
                    ConfigErrorKind::Conflict,
                    format!(
                        "listener name {name:?} is already used by listeners[{index}] (line {})",
                        self.line_of(&raw.listeners[index].name)
                    ),
                ));
            }
            let listen = listener.listen.get_ref().0;
            if let Some(index) = out.iter().position(|l| overlaps(l.listen, listen)) {
                return Err(self.fail(
                    &listener.listen,
                    ConfigErrorKind::Conflict,
                    format!(
                        "{listen} overlaps the address of listeners[{index}] ({}): both cannot be bound",
                        out[index].listen
                    ),
                ));
            }
            out.push(ListenerConfig {
                name: name.clone(),
                listen,
                protocols: self.protocols(listener.protocols.as_ref())?,
                tls: listener
                    .tls
                    .as_ref()
                    .map(|tls| self.listener_tls(tls))
                    .transpose()?,
                limits: ListenerLimits {
                    max_connections: match &listener.limits.max_connections {
                        None => defaults::MAX_CONNECTIONS,
                        Some(n) => self.count(n, 1, u64::MAX).map(as_usize)?,
                    },
                    header_read_timeout: dur(
                        &listener.limits.header_read_timeout,
                        defaults::HEADER_READ_TIMEOUT,
                    ),
                    idle_timeout: dur(&listener.limits.idle_timeout, defaults::CLIENT_IDLE_TIMEOUT),
                },
            });
        }
        Ok(out)
    }

    fn protocols(
        &self,
        raw: Option<&Spanned<Vec<Spanned<RawListenerProtocol>>>>,
    ) -> Result<Protocols> {
        let Some(list) = raw else {
            return Ok(Protocols { h1: true, h2: true });
        };
        if list.get_ref().is_empty() {
            return Err(self.invalid(list, "a listener serves at least one of \"h1\", \"h2\""));
        }
        let mut protocols = Protocols {
            h1: false,
            h2: false,
        };
        for protocol in list.get_ref() {
            let slot = match protocol.get_ref() {
                RawListenerProtocol::H1 => &mut protocols.h1,
                RawListenerProtocol::H2 => &mut protocols.h2,
            };
            if *slot {
                return Err(self.fail(protocol, ConfigErrorKind::Conflict, "listed twice"));
            }
            *slot = true;
        }
        Ok(protocols)
    }

    fn listener_tls(&self, raw: &RawListenerTls) -> Result<ListenerTls> {
        if raw.certificates.get_ref().is_empty() {
            return Err(self.fail(
                &raw.certificates,
                ConfigErrorKind::Missing,
                "TLS needs at least one certificate: { cert = \"a.pem\", key = \"a.key\" }",
            ));
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut certificates = Vec::new();
        for (index, cert) in raw.certificates.get_ref().iter().enumerate() {
            if index > 0 && cert.server_names.is_empty() {
                return Err(self.fail(
                    &cert.cert,
                    ConfigErrorKind::Missing,
                    "only the first certificate is the default; this one needs server_names to ever be chosen",
                ));
            }
            let mut server_names = Vec::new();
            for name in &cert.server_names {
                let name_value =
                    values::server_name(name.get_ref(), true).map_err(|m| self.invalid(name, m))?;
                if let Some(other) = seen.insert(name_value.clone(), index) {
                    return Err(self.fail(
                        name,
                        ConfigErrorKind::Conflict,
                        format!("{name_value:?} is already a server name of certificate {other}"),
                    ));
                }
                server_names.push(name_value);
            }
            certificates.push(CertificateConfig {
                cert: self.readable_file(&cert.cert, "certificate")?,
                key: self.readable_file(&cert.key, "private key")?,
                server_names,
            });
        }
        Ok(ListenerTls { certificates })
    }

    /// The path resolved against the file's directory, after checking that it opens.
    fn readable_file(&self, raw: &Spanned<String>, what: &str) -> Result<PathBuf> {
        if raw.get_ref().is_empty() {
            return Err(self.invalid(raw, format!("the {what} path is empty")));
        }
        let path = self.dir.join(raw.get_ref());
        let opened = File::open(&path).and_then(|file| file.metadata());
        match opened {
            Ok(meta) if meta.is_file() => Ok(path),
            Ok(_) => Err(self.fail(
                raw,
                ConfigErrorKind::Io,
                format!("{what} {} is not a file", path.display()),
            )),
            Err(err) => Err(self.fail(
                raw,
                ConfigErrorKind::Io,
                format!("cannot read {what} {}: {err}", path.display()),
            )),
        }
    }

    fn routes(
        &self,
        raw: &[RawRoute],
        clusters: &BTreeMap<String, ClusterConfig>,
    ) -> Result<Vec<RouteConfig>> {
        if raw.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::Missing,
                self.src.file(),
                "no [[routes]]: every request would be refused; add one, e.g. [[routes]] cluster = \"api\"",
            )
            .with_key("routes"));
        }
        let mut out: Vec<RouteConfig> = Vec::with_capacity(raw.len());
        for (index, route) in raw.iter().enumerate() {
            let host = match &route.host {
                None => HostMatch::Any,
                Some(host) => {
                    values::host_match(host.get_ref()).map_err(|m| self.invalid(host, m))?
                }
            };
            let path_prefix = match &route.path_prefix {
                None => defaults::PATH_PREFIX.to_owned(),
                Some(prefix) if !prefix.get_ref().starts_with('/') => {
                    return Err(self.invalid(
                        prefix,
                        format!(
                            "invalid path_prefix {:?}: it must start with \"/\"",
                            prefix.get_ref()
                        ),
                    ));
                }
                Some(prefix) => prefix.get_ref().clone(),
            };
            let cluster = route.cluster.get_ref();
            if !clusters.contains_key(cluster) {
                let known = clusters.keys().map(String::as_str).collect::<Vec<_>>();
                return Err(self.fail(
                    &route.cluster,
                    ConfigErrorKind::Reference,
                    format!(
                        "no cluster named {cluster:?} (defined: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
            if let Some(earlier) = out
                .iter()
                .position(|r| r.host == host && r.path_prefix == path_prefix)
            {
                let at = route
                    .path_prefix
                    .as_ref()
                    .or(route.host.as_ref())
                    .unwrap_or(&route.cluster);
                return Err(self.fail(
                    at,
                    ConfigErrorKind::Conflict,
                    format!(
                        "routes[{index}] can never match: routes[{earlier}] (line {}) has the same host ({host}) and path_prefix ({path_prefix:?})",
                        self.line_of(&raw[earlier].cluster)
                    ),
                ));
            }
            out.push(RouteConfig {
                host,
                path_prefix,
                cluster: cluster.clone(),
            });
        }
        Ok(out)
    }

    fn cluster(&self, name: &Spanned<String>, raw: &RawCluster) -> Result<ClusterConfig> {
        if name.get_ref().is_empty() {
            return Err(self.invalid(name, "a cluster name cannot be empty"));
        }
        if raw.origins.get_ref().is_empty() {
            return Err(self.fail(
                &raw.origins,
                ConfigErrorKind::Missing,
                "a cluster needs at least one origin, e.g. origins = [\"127.0.0.1:8080\"]",
            ));
        }
        let mut origins: Vec<OriginAddr> = Vec::new();
        for origin in raw.origins.get_ref() {
            let addr = values::origin(origin.get_ref()).map_err(|m| self.invalid(origin, m))?;
            if origins.contains(&addr) {
                return Err(self.fail(
                    origin,
                    ConfigErrorKind::Conflict,
                    format!("origin {addr} is listed twice"),
                ));
            }
            origins.push(addr);
        }
        let protocol = raw
            .protocol
            .as_ref()
            .map_or(OriginProtocol::H1, |p| OriginProtocol::from(*p.get_ref()));
        let tls = match (&raw.tls, protocol) {
            (None, OriginProtocol::H2 | OriginProtocol::Auto) => {
                let message = format!(
                    "protocol {:?} is HTTP over TLS and needs a [clusters.{}.tls] table (an empty one verifies against the webpki roots)",
                    protocol.as_str(),
                    name.get_ref()
                );
                return Err(match &raw.protocol {
                    Some(p) => self.fail(p, ConfigErrorKind::Missing, message),
                    None => self.fail(name, ConfigErrorKind::Missing, message),
                });
            }
            (Some(tls), OriginProtocol::H2c) => {
                return Err(self.fail(
                    tls,
                    ConfigErrorKind::Conflict,
                    "h2c is cleartext HTTP/2: remove the tls table, or use protocol = \"h2\" for HTTP/2 over TLS",
                ));
            }
            (None, _) => None,
            (Some(tls), _) => Some(self.origin_tls(tls.get_ref())?),
        };
        let pool = self.pool(&raw.pool)?;
        Ok(ClusterConfig {
            origins,
            protocol,
            balance: self.balance(raw.balance.as_ref())?,
            retries: match &raw.retries {
                None => defaults::RETRIES,
                Some(n) => as_u32(self.count(n, 0, u64::from(defaults::MAX_RETRIES))?),
            },
            tls,
            timeouts: OriginTimeouts {
                connect: dur(&raw.timeouts.connect, defaults::CONNECT_TIMEOUT),
                first_byte: dur(&raw.timeouts.first_byte, defaults::FIRST_BYTE_TIMEOUT),
                idle: dur(&raw.timeouts.idle, defaults::ORIGIN_IDLE_TIMEOUT),
                total: dur(&raw.timeouts.total, defaults::TOTAL_TIMEOUT),
            },
            pool,
        })
    }

    fn origin_tls(&self, raw: &RawOriginTls) -> Result<OriginTls> {
        Ok(OriginTls {
            sni: raw
                .sni
                .as_ref()
                .map(|sni| {
                    values::server_name(sni.get_ref(), false).map_err(|m| self.invalid(sni, m))
                })
                .transpose()?,
            verify: raw.verify.unwrap_or(true),
            ca_file: raw
                .ca_file
                .as_ref()
                .map(|ca| self.readable_file(ca, "CA file"))
                .transpose()?,
        })
    }

    fn balance(&self, raw: Option<&RawBalance>) -> Result<BalanceConfig> {
        Ok(match raw {
            None | Some(RawBalance::RoundRobin) => BalanceConfig::RoundRobin,
            Some(RawBalance::ConsistentHash(RawHashKey::ClientIp)) => {
                BalanceConfig::ConsistentHash(HashKey::ClientIp)
            }
            Some(RawBalance::ConsistentHash(RawHashKey::Path)) => {
                BalanceConfig::ConsistentHash(HashKey::Path)
            }
            Some(RawBalance::ConsistentHash(RawHashKey::Header(name))) => {
                let header = HeaderName::from_bytes(name.get_ref().as_bytes()).map_err(|_| {
                    self.invalid(name, format!("invalid header name {:?}", name.get_ref()))
                })?;
                BalanceConfig::ConsistentHash(HashKey::Header(header))
            }
        })
    }

    fn pool(&self, raw: &RawPool) -> Result<PoolConfig> {
        let max_connections = match &raw.max_connections_per_origin {
            None => defaults::MAX_CONNECTIONS_PER_ORIGIN,
            Some(n) => self.count(n, 1, u64::MAX).map(as_usize)?,
        };
        let max_idle = match &raw.max_idle_per_origin {
            None => defaults::MAX_IDLE_PER_ORIGIN.min(max_connections),
            Some(n) => {
                let idle = self.count(n, 1, u64::MAX).map(as_usize)?;
                if idle > max_connections {
                    return Err(self.fail(
                        n,
                        ConfigErrorKind::Conflict,
                        format!(
                            "{idle} idle connections cannot be kept when at most {max_connections} are open (max_connections_per_origin)"
                        ),
                    ));
                }
                idle
            }
        };
        Ok(PoolConfig {
            max_connections_per_origin: max_connections,
            max_idle_per_origin: max_idle,
            idle_timeout: dur(&raw.idle_timeout, defaults::POOL_IDLE_TIMEOUT),
            max_concurrent_streams: match &raw.max_concurrent_streams {
                None => defaults::MAX_CONCURRENT_STREAMS,
                Some(n) => {
                    as_u32(self.count(n, 1, u64::from(defaults::MAX_CONCURRENT_STREAMS_LIMIT))?)
                }
            },
        })
    }
}

fn dur(raw: &Option<Dur>, default: std::time::Duration) -> std::time::Duration {
    raw.map_or(default, |d| d.0)
}

/// Two bind addresses conflict when equal, or on the same port and family when one of them
/// is the unspecified address (`0.0.0.0:80` takes `127.0.0.1:80` too). Port 0 never
/// conflicts: the system picks a free port each time.
pub(crate) fn overlaps(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port()
        && a.port() != 0
        && a.is_ipv4() == b.is_ipv4()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

// Saturating conversions: the values were range-checked against bounds that fit.
fn as_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn as_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
