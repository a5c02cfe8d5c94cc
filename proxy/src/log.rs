//! Logging: one `tracing` subscriber writing to stderr, as text or JSON lines.
//!
//! [`init`] installs it once per process with an `EnvFilter` directive string (`info`,
//! `tollgate=debug,h2=warn`, …); `RUST_LOG`, when set and not empty, replaces the configured
//! filter so that an operator can turn up one module without editing the configuration.
//! Stdout is left to commands that print results.
//!
//! In JSON, each event is one object on one line with its fields at the top level
//! (`timestamp`, `level`, `target`, then the event's own fields, `message` among them), which
//! is what log pipelines index without further parsing.
//!
//! # The access log
//!
//! The proxy emits one `info` event per answered request with the target [`ACCESS_TARGET`], so
//! that the access log can be routed or silenced on its own (`tollgate::access=off`). Its
//! fields, always all present, in this order:
//!
//! | field | example | meaning |
//! | --- | --- | --- |
//! | `listener` | `main` | the configured listener that accepted the connection |
//! | `client` | `192.0.2.7:51234` | the client's address, `ip:port` |
//! | `proto` | `h2>h1` | client protocol `>` origin protocol; just the client's (`h1`) when no origin was asked |
//! | `method` | `GET` | the request method |
//! | `authority` | `example.com` | Host or `:authority`, as forwarded |
//! | `path` | `/index.html?q=1` | the request target's path and query |
//! | `status` | `200` | the status sent to the client; `0` when none could be sent |
//! | `bytes_out` | `5120` | response body bytes written to the client |
//! | `duration_ms` | `12.5` | from the request's first byte to the response's last, in milliseconds |
//! | `upstream` | `10.0.0.5:8080` | the origin address the request went to; `-` when none |
//! | `blame` | `origin` | who ended the exchange in failure: `client`, `origin`, `proxy`, or `-` when it succeeded |
//! | `reason` | `h1.obs-fold` | the stable kind of the error or the deviation refused; `-` when it succeeded |
//!
//! `blame` and `reason` use the same names as the `tollgate_errors_total` labels (see
//! [`crate::metrics`]), so a spike in the metrics can be found in the log.

use std::fmt;
use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// The target of the access-log events.
pub const ACCESS_TARGET: &str = "tollgate::access";

/// How log events are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// One human-readable line per event (coloured when stderr is a terminal).
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// `"text"` or `"json"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }

    /// The format named `name` (`text` or `json`).
    pub fn from_name(name: &str) -> Option<LogFormat> {
        match name {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Installs the process's log subscriber: `format` to stderr, events chosen by `filter`
/// (`EnvFilter` syntax) or by `RUST_LOG` when that is set and not empty.
///
/// # Errors
///
/// [`LogErrorKind::BadFilter`] when the filter in force does not parse;
/// [`LogErrorKind::AlreadyInitialised`] when a subscriber is already installed.
pub fn init(format: LogFormat, filter: &str) -> Result<(), LogError> {
    let rust_log = std::env::var("RUST_LOG").ok();
    init_with(format, filter, rust_log.as_deref())
}

fn init_with(format: LogFormat, filter: &str, rust_log: Option<&str>) -> Result<(), LogError> {
    let filter = env_filter(filter, rust_log)?;
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|error| LogError {
        kind: LogErrorKind::AlreadyInitialised,
        detail: error.to_string(),
    })
}

/// Added to every filter that does not name `rustls` itself.
const QUIET_RUSTLS: &str = "rustls=error";

/// The filter in force: `RUST_LOG` when set and not blank, else `configured`.
fn env_filter(configured: &str, rust_log: Option<&str>) -> Result<EnvFilter, LogError> {
    let (source, directives) = match rust_log.filter(|value| !value.trim().is_empty()) {
        Some(value) => ("RUST_LOG", value),
        None => ("the log filter", configured),
    };
    // An empty filter parses, but enables nothing: almost certainly not what was meant.
    if directives.trim().is_empty() {
        return Err(LogError {
            kind: LogErrorKind::BadFilter,
            detail: format!("{source} is empty; give a level such as `info`"),
        });
    }
    // Clients decide what rustls warns about (every client that sends an IP address as SNI,
    // as h2load and wrk do, is a WARN line), so rustls speaks only of errors unless the
    // filter names it.
    let effective = if directives.contains("rustls") {
        directives.to_owned()
    } else {
        format!("{directives},{QUIET_RUSTLS}")
    };
    EnvFilter::try_new(effective).map_err(|error| LogError {
        kind: LogErrorKind::BadFilter,
        detail: format!(
            "{source} `{directives}` is not valid: {error}; expected directives such as \
             `info` or `tollgate=debug,h2=warn`"
        ),
    })
}

/// Why logging could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogError {
    kind: LogErrorKind,
    detail: String,
}

impl LogError {
    /// What went wrong, for programs.
    pub fn kind(&self) -> LogErrorKind {
        self.kind
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LogErrorKind::BadFilter => f.write_str(&self.detail),
            LogErrorKind::AlreadyInitialised => write!(
                f,
                "logging is already set up in this process ({}); initialise it once",
                self.detail
            ),
        }
    }
}

impl std::error::Error for LogError {}

/// The stable kinds of [`LogError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogErrorKind {
    /// The filter (configured or `RUST_LOG`) is empty or does not parse.
    BadFilter,
    /// A subscriber is already installed.
    AlreadyInitialised,
}

impl LogErrorKind {
    /// `"bad-filter"` or `"already-initialised"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogErrorKind::BadFilter => "bad-filter",
            LogErrorKind::AlreadyInitialised => "already-initialised",
        }
    }
}

impl fmt::Display for LogErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use tracing::level_filters::LevelFilter;

    use super::*;

    #[test]
    fn formats_have_names() {
        for format in [LogFormat::Text, LogFormat::Json] {
            assert_eq!(LogFormat::from_name(format.as_str()), Some(format));
        }
        assert_eq!(LogFormat::from_name("yaml"), None);
    }

    #[test]
    fn the_configured_filter_applies_without_rust_log() {
        let filter = env_filter("debug", None).unwrap();
        assert_eq!(filter.max_level_hint(), Some(LevelFilter::DEBUG));
        let filter = env_filter("warn", Some("  ")).unwrap();
        assert_eq!(filter.max_level_hint(), Some(LevelFilter::WARN));
    }

    #[test]
    fn rustls_is_quiet_below_error_unless_named() {
        let filter = env_filter("info", None).unwrap().to_string();
        assert!(filter.contains("rustls=error"), "{filter}");
        let filter = env_filter("info,rustls=debug", None).unwrap().to_string();
        assert!(!filter.contains("rustls=error"), "{filter}");
    }

    #[test]
    fn rust_log_overrides_the_configured_filter() {
        let filter = env_filter("warn", Some("trace")).unwrap();
        assert_eq!(filter.max_level_hint(), Some(LevelFilter::TRACE));
    }

    #[test]
    fn bad_filters_name_their_source() {
        let error = env_filter("tollgate=loud", None).unwrap_err();
        assert_eq!(error.kind(), LogErrorKind::BadFilter);
        assert!(
            error
                .to_string()
                .starts_with("the log filter `tollgate=loud`"),
            "{error}"
        );

        let error = env_filter("info", Some("tollgate=loud")).unwrap_err();
        assert_eq!(error.kind(), LogErrorKind::BadFilter);
        assert!(
            error.to_string().starts_with("RUST_LOG `tollgate=loud`"),
            "{error}"
        );

        let error = env_filter("", None).unwrap_err();
        assert_eq!(error.kind(), LogErrorKind::BadFilter);
    }

    // The only test that installs a subscriber: the process has one global slot.
    #[test]
    fn init_installs_once() {
        // `off`: other tests in this process must not write to stderr through it.
        init_with(LogFormat::Json, "off", None).unwrap();
        let again = init_with(LogFormat::Text, "warn", None).unwrap_err();
        assert_eq!(again.kind(), LogErrorKind::AlreadyInitialised);
        assert_eq!(again.kind().as_str(), "already-initialised");
        // A bad filter is reported as such even once a subscriber is installed.
        let bad = init_with(LogFormat::Text, "=", None).unwrap_err();
        assert_eq!(bad.kind(), LogErrorKind::BadFilter);
    }
}
