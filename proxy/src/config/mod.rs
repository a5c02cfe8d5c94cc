//! The proxy's configuration: `tollgate.toml`, or quick mode from the command line.
//!
//! Loading reads the file, deserialises it (unknown keys are errors), applies the defaults of
//! [`defaults`] and checks everything that can be checked before binding a socket: addresses,
//! durations, references between routes and clusters, TLS combinations, the files named
//! (certificates, keys, CA bundles, policies) being readable. Errors say
//! `FILE:LINE:COLUMN: KEY: MESSAGE`. `docs/config.md` is the reference for users.

pub mod defaults;
mod error;
mod locate;
mod model;
mod quick;
mod raw;
mod validate;
mod values;

use std::path::Path;

pub use error::{ConfigError, ConfigErrorKind};
pub use model::{
    AdminConfig, BalanceConfig, CertificateConfig, ClusterConfig, Config, HashKey, HostMatch,
    ListenerConfig, ListenerLimits, ListenerTls, LogConfig, LogFormat, OriginAddr, OriginHost,
    OriginProtocol, OriginTimeouts, OriginTls, PolicyChoice, PolicyConfig, PolicySource,
    PoolConfig, Protocols, RouteConfig, ShutdownConfig,
};
pub use quick::{QUICK_CLUSTER, QUICK_LISTENER};

/// A loaded configuration and what is suspicious but not wrong in it.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// `FILE:LINE:COLUMN: KEY: MESSAGE` lines for the caller to log (unused clusters).
    pub warnings: Vec<String>,
}

impl Config {
    /// Reads, parses and checks the configuration file at `path`. Relative paths inside it are
    /// resolved against its directory.
    ///
    /// # Errors
    ///
    /// The first problem found, located in the file (see [`ConfigError`]).
    pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            ConfigError::new(
                ConfigErrorKind::Io,
                path,
                format!("cannot read the configuration: {err}"),
            )
        })?;
        Config::from_str(&text, path)
    }

    /// Parses and checks a configuration text; `origin` names it in errors and its directory
    /// is where relative paths start.
    ///
    /// # Errors
    ///
    /// The first problem found, located in the text (see [`ConfigError`]).
    pub fn from_str(text: &str, origin: &Path) -> Result<Loaded, ConfigError> {
        let src = locate::Source::new(text, origin).map_err(|err| {
            let (line, column) = locate::line_column(text, err.span().unwrap_or(0..0).start);
            ConfigError::new(ConfigErrorKind::Syntax, origin, first_line(err.message()))
                .at(line, column)
        })?;
        let raw: raw::RawConfig =
            toml::from_str(text).map_err(|err| deserialise_error(&src, &err))?;
        validate::Validator::new(&src).config(raw)
    }
}

/// Locates a `toml` deserialisation error and classifies it by serde's message, whose
/// wording for these cases is part of serde's stable `de::Error` constructors.
fn deserialise_error(src: &locate::Source<'_>, err: &toml::de::Error) -> ConfigError {
    let message = first_line(err.message());
    let span = err.span().unwrap_or(0..0);
    let kind = if message.starts_with("unknown field") {
        ConfigErrorKind::UnknownKey
    } else if message.starts_with("missing field") {
        ConfigErrorKind::Missing
    } else {
        ConfigErrorKind::InvalidValue
    };
    let mut error = src.error(span.clone(), kind, message.clone());
    if kind == ConfigErrorKind::Missing {
        // The span is the table's: name the missing key in the path.
        let field = message.split('`').nth(1).unwrap_or_default();
        let path = match src.key_path(span.start) {
            Some(table) => format!("{table}.{field}"),
            None => field.to_owned(),
        };
        error = error.with_key(path);
    }
    error
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().trim().to_owned()
}
