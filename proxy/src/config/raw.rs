//! The file's shape, as serde reads it: every table refuses unknown keys, and the values the
//! checks after deserialising must point at are kept with their spans.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::de::Visitor;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::model::{LogFormat, OriginProtocol};
use super::values;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub(crate) workers: Option<Spanned<u64>>,
    #[serde(default)]
    pub(crate) log: RawLog,
    pub(crate) admin: Option<RawAdmin>,
    #[serde(default)]
    pub(crate) shutdown: RawShutdown,
    #[serde(default)]
    pub(crate) policy: RawPolicy,
    #[serde(default)]
    pub(crate) listeners: Vec<RawListener>,
    #[serde(default)]
    pub(crate) routes: Vec<RawRoute>,
    #[serde(default)]
    pub(crate) clusters: BTreeMap<Spanned<String>, RawCluster>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLog {
    pub(crate) format: Option<RawLogFormat>,
    pub(crate) level: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawLogFormat {
    Text,
    Json,
}

impl From<RawLogFormat> for LogFormat {
    fn from(raw: RawLogFormat) -> Self {
        match raw {
            RawLogFormat::Text => LogFormat::Text,
            RawLogFormat::Json => LogFormat::Json,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAdmin {
    pub(crate) listen: Spanned<Addr>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShutdown {
    pub(crate) drain_timeout: Option<Dur>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) client: Option<Spanned<String>>,
    pub(crate) origin: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawListener {
    pub(crate) name: Spanned<String>,
    pub(crate) listen: Spanned<Addr>,
    pub(crate) protocols: Option<Spanned<Vec<Spanned<RawListenerProtocol>>>>,
    pub(crate) tls: Option<RawListenerTls>,
    #[serde(default)]
    pub(crate) limits: RawListenerLimits,
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawListenerProtocol {
    H1,
    H2,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawListenerTls {
    pub(crate) certificates: Spanned<Vec<RawCertificate>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCertificate {
    pub(crate) cert: Spanned<String>,
    pub(crate) key: Spanned<String>,
    #[serde(default)]
    pub(crate) server_names: Vec<Spanned<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawListenerLimits {
    pub(crate) max_connections: Option<Spanned<u64>>,
    pub(crate) header_read_timeout: Option<Dur>,
    pub(crate) idle_timeout: Option<Dur>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRoute {
    pub(crate) host: Option<Spanned<String>>,
    pub(crate) path_prefix: Option<Spanned<String>>,
    pub(crate) cluster: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCluster {
    pub(crate) origins: Spanned<Vec<Spanned<String>>>,
    pub(crate) protocol: Option<Spanned<RawOriginProtocol>>,
    pub(crate) balance: Option<RawBalance>,
    pub(crate) retries: Option<Spanned<u64>>,
    pub(crate) tls: Option<Spanned<RawOriginTls>>,
    #[serde(default)]
    pub(crate) timeouts: RawTimeouts,
    #[serde(default)]
    pub(crate) pool: RawPool,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawOriginProtocol {
    H1,
    H2,
    H2c,
    Auto,
}

impl From<RawOriginProtocol> for OriginProtocol {
    fn from(raw: RawOriginProtocol) -> Self {
        match raw {
            RawOriginProtocol::H1 => OriginProtocol::H1,
            RawOriginProtocol::H2 => OriginProtocol::H2,
            RawOriginProtocol::H2c => OriginProtocol::H2c,
            RawOriginProtocol::Auto => OriginProtocol::Auto,
        }
    }
}

/// `balance = "round_robin"` or `balance = { consistent_hash = KEY }`.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawBalance {
    RoundRobin,
    ConsistentHash(RawHashKey),
}

/// `"client_ip"`, `"path"` or `{ header = "x-user" }`.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawHashKey {
    ClientIp,
    Path,
    Header(Spanned<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOriginTls {
    pub(crate) sni: Option<Spanned<String>>,
    pub(crate) verify: Option<bool>,
    pub(crate) ca_file: Option<Spanned<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTimeouts {
    pub(crate) connect: Option<Dur>,
    pub(crate) first_byte: Option<Dur>,
    pub(crate) idle: Option<Dur>,
    pub(crate) total: Option<Dur>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPool {
    pub(crate) max_connections_per_origin: Option<Spanned<u64>>,
    pub(crate) max_idle_per_origin: Option<Spanned<u64>>,
    pub(crate) idle_timeout: Option<Dur>,
    pub(crate) max_concurrent_streams: Option<Spanned<u64>>,
}

/// A positive duration written as a string; refused while deserialising, so `toml` puts the
/// value's span on the error.
#[derive(Clone, Copy)]
pub(crate) struct Dur(pub(crate) Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor {
            expecting: "a duration string such as \"250ms\" or \"5s\"",
            parse: |text| values::duration(text).map(Dur),
        })
    }
}

/// An `IP:port` written as a string.
#[derive(Clone, Copy)]
pub(crate) struct Addr(pub(crate) SocketAddr);

impl<'de> Deserialize<'de> for Addr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor {
            expecting: "an address string such as \"127.0.0.1:8080\"",
            parse: |text| values::socket_addr(text).map(Addr),
        })
    }
}

/// Accepts a string and parses it, so that a value of another type is refused with what
/// was expected rather than serde's generic "expected a string".
struct StrVisitor<T> {
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
}

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).map_err(E::custom)
    }
}
