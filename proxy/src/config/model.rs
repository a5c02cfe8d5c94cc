//! The validated configuration: typed values only (addresses, durations, resolved paths,
//! enums), so the rest of the proxy never parses a string again.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use http::HeaderName;
use tollgate_codecs::{Policy, Preset};

/// A validated `tollgate.toml`. Every field is filled: defaults are applied while loading.
#[derive(Clone, Debug)]
pub struct Config {
    /// Tokio worker threads.
    pub workers: usize,
    /// Logging.
    pub log: LogConfig,
    /// The admin endpoint (`/metrics`, `/healthz`), when enabled.
    pub admin: Option<AdminConfig>,
    /// Graceful shutdown.
    pub shutdown: ShutdownConfig,
    /// The deviation policies toward clients and toward origins.
    pub policy: PolicyConfig,
    /// Where clients connect; at least one.
    pub listeners: Vec<ListenerConfig>,
    /// Which cluster serves a request, in file order; at least one.
    pub routes: Vec<RouteConfig>,
    /// The origin groups, by name.
    pub clusters: BTreeMap<String, ClusterConfig>,
}

/// `[log]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogConfig {
    /// Line format.
    pub format: LogFormat,
    /// A `tracing_subscriber::EnvFilter` directive string, checked at load.
    pub level: String,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `[admin]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConfig {
    /// Where `/metrics` and `/healthz` are served.
    pub listen: SocketAddr,
}

/// `[shutdown]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShutdownConfig {
    /// How long requests in flight may take to finish after a shutdown signal.
    pub drain_timeout: Duration,
}

/// `[policy]`: one policy per side, loaded and checked.
#[derive(Clone, Debug)]
pub struct PolicyConfig {
    /// Applied to what clients send.
    pub client: PolicyChoice,
    /// Applied to what origins send.
    pub origin: PolicyChoice,
}

/// A policy and where it came from (for logs and reports).
#[derive(Clone, Debug)]
pub struct PolicyChoice {
    /// The preset or file named in the configuration.
    pub source: PolicySource,
    /// The policy itself.
    pub policy: Policy,
}

/// Where a policy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// A built-in preset.
    Preset(Preset),
    /// A policy TOML file (absolute, or relative to the working directory when the
    /// configuration itself was named that way).
    File(PathBuf),
}

/// `[[listeners]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerConfig {
    /// Unique name, for logs and metrics.
    pub name: String,
    /// The address to bind.
    pub listen: SocketAddr,
    /// The HTTP versions served.
    pub protocols: Protocols,
    /// TLS, when the listener terminates it.
    pub tls: Option<ListenerTls>,
    /// Client-side limits.
    pub limits: ListenerLimits,
}

/// The HTTP versions a listener serves; at least one is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocols {
    /// HTTP/1.1 (and 1.0).
    pub h1: bool,
    /// HTTP/2: by ALPN under TLS, by the connection preface in cleartext.
    pub h2: bool,
}

/// `[listeners.tls]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerTls {
    /// At least one; the first is served for an absent or unknown SNI.
    pub certificates: Vec<CertificateConfig>,
}

/// One certificate chain and its key. The files exist and were readable at load; their
/// contents are not checked here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateConfig {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
    /// Lowercase SNI names (`*.example.com` allowed) that select this certificate.
    pub server_names: Vec<String>,
}

/// `[listeners.limits]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerLimits {
    /// Open client connections beyond which new ones wait in the accept queue.
    pub max_connections: usize,
    /// How long a client may take to send a complete request head.
    pub header_read_timeout: Duration,
    /// How long a client connection may sit without a request.
    pub idle_timeout: Duration,
}

/// `[[routes]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfig {
    /// Which `Host` (or `:authority`) the route applies to.
    pub host: HostMatch,
    /// The request path must start with these bytes (a plain byte prefix, as nginx's
    /// `location /prefix`: `/v1` also matches `/v10`; write `/v1/` for a path segment).
    pub path_prefix: String,
    /// The cluster that serves matching requests; it exists.
    pub cluster: String,
}

/// The host part of a route.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HostMatch {
    /// Any host, or none.
    Any,
    /// Exactly this host (lowercase, no port, no trailing dot, IPv6 without brackets).
    Exact(String),
    /// `*.suffix`: exactly one label before `suffix` (lowercase, stored without `*.`).
    Wildcard(String),
}

impl fmt::Display for HostMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostMatch::Any => f.write_str("any host"),
            HostMatch::Exact(host) => f.write_str(host),
            HostMatch::Wildcard(suffix) => write!(f, "*.{suffix}"),
        }
    }
}

/// `[clusters.NAME]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// At least one origin, no two equal.
    pub origins: Vec<OriginAddr>,
    /// How to speak to the origins.
    pub protocol: OriginProtocol,
    /// How an origin is chosen.
    pub balance: BalanceConfig,
    /// Extra attempts for idempotent requests whose connection failed.
    pub retries: u32,
    /// TLS toward the origins; present for `h2` and `auto`, absent for `h2c`.
    pub tls: Option<OriginTls>,
    /// Time limits of an exchange.
    pub timeouts: OriginTimeouts,
    /// Connection pool.
    pub pool: PoolConfig,
}

/// An origin's address; names are resolved at connect time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OriginAddr {
    /// The host part.
    pub host: OriginHost,
    /// The port (never 0).
    pub port: u16,
}

/// The host of an origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OriginHost {
    /// An IP literal.
    Ip(IpAddr),
    /// A DNS name (lowercase).
    Name(String),
}

impl fmt::Display for OriginAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            OriginHost::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            OriginHost::Ip(IpAddr::V4(ip)) => write!(f, "{ip}:{}", self.port),
            OriginHost::Name(name) => write!(f, "{name}:{}", self.port),
        }
    }
}

/// How the proxy speaks to a cluster's origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OriginProtocol {
    /// HTTP/1.1, with or without TLS.
    H1,
    /// HTTP/2 over TLS (ALPN `h2` only).
    H2,
    /// HTTP/2 in cleartext with prior knowledge.
    H2c,
    /// TLS with ALPN offering `h2` and `http/1.1`: whatever the origin picks.
    Auto,
}

impl OriginProtocol {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OriginProtocol::H1 => "h1",
            OriginProtocol::H2 => "h2",
            OriginProtocol::H2c => "h2c",
            OriginProtocol::Auto => "auto",
        }
    }
}

/// How a cluster chooses an origin for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalanceConfig {
    /// Each origin in turn.
    RoundRobin,
    /// The same key goes to the same origin while the origin set is unchanged; a changed set
    /// moves only about 1/n of the keys.
    ConsistentHash(HashKey),
}

/// What a consistent hash is computed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashKey {
    /// The client's IP address (IPv4-mapped IPv6 counts as IPv4).
    ClientIp,
    /// The request path, without the query.
    Path,
    /// The first value of this request header; requests without it are spread round robin.
    Header(HeaderName),
}

/// `[clusters.NAME.tls]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginTls {
    /// The SNI and the name the certificate is checked against; `None` means the origin's
    /// host name (see [`OriginTls::server_name`]).
    pub sni: Option<String>,
    /// Whether the origin's certificate is verified.
    pub verify: bool,
    /// Extra PEM roots, trusted besides the webpki roots.
    pub ca_file: Option<PathBuf>,
}

impl OriginTls {
    /// The server name to send and verify for `origin`: `sni` when set, else the origin's
    /// host name; `None` for an IP literal without `sni` (no SNI is sent; the certificate
    /// must then name the IP address).
    pub fn server_name<'a>(&'a self, origin: &'a OriginAddr) -> Option<&'a str> {
        match (&self.sni, &origin.host) {
            (Some(sni), _) => Some(sni),
            (None, OriginHost::Name(name)) => Some(name),
            (None, OriginHost::Ip(_)) => None,
        }
    }
}

/// `[clusters.NAME.timeouts]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginTimeouts {
    /// TCP connect plus TLS handshake.
    pub connect: Duration,
    /// From the request sent to the response head received.
    pub first_byte: Duration,
    /// The longest silence while a response body streams.
    pub idle: Duration,
    /// The whole exchange.
    pub total: Duration,
}

/// `[clusters.NAME.pool]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Connections open to one origin, busy or idle.
    pub max_connections_per_origin: usize,
    /// Idle connections kept per origin (at most `max_connections_per_origin`).
    pub max_idle_per_origin: usize,
    /// How long an idle connection is kept.
    pub idle_timeout: Duration,
    /// Streams opened at once on one HTTP/2 origin connection (also bounded by the origin's
    /// `SETTINGS_MAX_CONCURRENT_STREAMS`).
    pub max_concurrent_streams: u32,
}
