//! `tollgate proxy`: runs the translating proxy from a config file or from the quick-mode
//! flags, until SIGTERM or SIGINT (drain, then exit) with SIGHUP reloading the routes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tokio::signal::unix::{SignalKind, signal};
use tollgate_proxy::config::{Config, LogFormat};
use tollgate_proxy::runtime::Proxy;

use crate::cli::failure::Failure;

/// Exit code when the proxy could not start (a port taken, a certificate unusable).
const EXIT_START: u8 = 1;

#[derive(Args, Debug)]
pub(crate) struct ProxyArgs {
    /// The configuration file (TOML; see docs/config.md and examples/tollgate.toml).
    #[arg(short = 'c', long = "config", value_name = "FILE", conflicts_with_all = ["listen", "upstream"])]
    config: Option<PathBuf>,
    /// Validate the configuration (syntax, references, certificate and key files) and
    /// exit: 0 when it is valid, 2 with the file, line and key of the first problem.
    #[arg(long, requires = "config", verbatim_doc_comment)]
    check: bool,
    /// Quick mode: the address to listen on (HTTP/1.1 and HTTP/2 by preface, or TLS with
    /// ALPN when --tls-cert and --tls-key are given).
    #[arg(long, value_name = "ADDR", requires = "upstream", verbatim_doc_comment)]
    listen: Option<SocketAddr>,
    /// Quick mode: the one origin every request goes to. The scheme picks the protocol:
    /// http://HOST:PORT (HTTP/1.1), h2c://HOST:PORT (cleartext HTTP/2), https://HOST:PORT
    /// (TLS, ALPN chooses h2 or http/1.1, certificate verified).
    #[arg(long, value_name = "URL", requires = "listen", verbatim_doc_comment)]
    upstream: Option<String>,
    /// Quick mode: the certificate chain (PEM) for a TLS listener.
    #[arg(long, value_name = "FILE", requires_all = ["listen", "tls_key"])]
    tls_cert: Option<PathBuf>,
    /// Quick mode: the private key (PEM) for a TLS listener.
    #[arg(long, value_name = "FILE", requires_all = ["listen", "tls_cert"])]
    tls_key: Option<PathBuf>,
    /// Quick mode: extra CA certificates (PEM) trusted for an https:// upstream, besides the
    /// webpki roots (an origin with a private CA's certificate). Verification stays on.
    #[arg(long, value_name = "FILE", requires = "upstream", verbatim_doc_comment)]
    upstream_ca: Option<PathBuf>,
    /// Worker threads (overrides the config's `workers`; default: one per CPU).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Log format (overrides the config's `[log] format`).
    #[arg(long, value_name = "text|json")]
    log_format: Option<String>,
    /// Log filter in tracing's EnvFilter syntax, e.g. `info` or `tollgate::access=off,info`
    /// (overrides the config's `[log] level`; RUST_LOG overrides both).
    #[arg(long, value_name = "FILTER", verbatim_doc_comment)]
    log_level: Option<String>,
}

pub(crate) const PROXY_DETAILS: &str = "\
Signals:
  SIGTERM, SIGINT  drain: stop accepting, send GOAWAY to HTTP/2 clients, let requests in
                   flight finish for up to [shutdown] drain_timeout, then exit 0.
  SIGHUP           reload the config file: routes and clusters change without dropping
                   connections (clusters whose settings did not change keep their pools);
                   listener, admin and policy changes need a restart and are reported.

Readiness:
  One line `listening on ADDR (...)` per listener is written to stderr once it accepts,
  whatever the log settings, so scripts can wait for it.

Exit codes:
  0  drained and stopped, or --check found the configuration valid
  1  could not start: an address in use, a certificate or key that does not load
  2  usage error or invalid configuration (file, line and key are named)";

/// Runs `tollgate proxy`.
pub(crate) fn run(args: ProxyArgs) -> Result<ExitCode, Failure> {
    let config = match (&args.config, &args.listen, &args.upstream) {
        (Some(path), _, _) => {
            let loaded = Config::load(path).map_err(|error| Failure::new(error.to_string()))?;
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            loaded.config
        }
        (None, Some(listen), Some(upstream)) => Config::quick(
            *listen,
            upstream,
            args.tls_cert.clone(),
            args.tls_key.clone(),
            args.upstream_ca.clone(),
        )
        .map_err(|error| Failure::new(error.to_string()))?,
        _ => {
            return Err(Failure::new(
                "give a config file (-c FILE) or quick mode (--listen ADDR --upstream URL); see --help",
            ));
        }
    };
    if args.check {
        tollgate_proxy::runtime::check(&config).map_err(|error| Failure::new(error.to_string()))?;
        let path = args
            .config
            .as_deref()
            .map(|path| path.display().to_string());
        println!(
            "{}: valid ({} listeners, {} routes, {} clusters)",
            path.unwrap_or_default(),
            config.listeners.len(),
            config.routes.len(),
            config.clusters.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let format = match args.log_format.as_deref() {
        None => config.log.format,
        Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            return Err(Failure::new(format!(
                "--log-format {other:?}: expected text or json"
            )));
        }
    };
    let level = args
        .log_level
        .clone()
        .unwrap_or_else(|| config.log.level.clone());
    let log_format = match format {
        LogFormat::Text => tollgate_proxy::log::LogFormat::Text,
        LogFormat::Json => tollgate_proxy::log::LogFormat::Json,
    };
    tollgate_proxy::log::init(log_format, &level)
        .map_err(|error| Failure::new(error.to_string()))?;
    let workers = args.workers.unwrap_or(config.workers).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("tollgate-worker")
        .enable_all()
        .build()
        .map_err(|error| Failure::new(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(serve(config, args.config))
}

async fn serve(config: Config, path: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let signals = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    );
    let (Ok(mut terminate), Ok(mut interrupt), Ok(mut hangup)) = signals else {
        return Err(Failure::new("cannot install signal handlers"));
    };
    let proxy = match Proxy::start(&config).await {
        Ok(proxy) => proxy,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(EXIT_START));
        }
    };
    for listener in proxy.listeners() {
        eprintln!(
            "listening on {} (listener {:?}{})",
            listener.addr,
            listener.name,
            if listener.tls { ", TLS" } else { "" }
        );
    }
    if let Some(admin) = proxy.admin_addr() {
        eprintln!("admin on {admin} (/metrics, /healthz)");
    }
    let drain = config.shutdown.drain_timeout;
    loop {
        tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => reload(&proxy, path.as_deref()),
        }
    }
    tracing::info!(?drain, "draining");
    let drained = proxy.shutdown(drain).await;
    if drained.cut == 0 {
        tracing::info!("drained: every request finished");
    } else {
        tracing::warn!(
            cut = drained.cut,
            "drain deadline reached; cutting what is left"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn reload(proxy: &Proxy, path: Option<&std::path::Path>) {
    let Some(path) = path else {
        tracing::warn!("SIGHUP: quick mode has no config file to reload");
        return;
    };
    let loaded = match Config::load(path) {
        Ok(loaded) => loaded,
        Err(error) => {
            // Counted like a reload the proxy refused: an invalid file on SIGHUP is what
            // `tollgate_config_reloads_total{result="error"}` exists to alert on.
            proxy.metrics().config_reload(false);
            tracing::error!(%error, "reload refused: the config is invalid; the old one stays");
            return;
        }
    };
    for warning in &loaded.warnings {
        tracing::warn!(%warning, "config warning");
    }
    match proxy.reload(&loaded.config) {
        Ok(report) => tracing::info!(
            kept = ?report.kept,
            rebuilt = ?report.rebuilt,
            needs_restart = ?report.ignored,
            "config reloaded"
        ),
        Err(error) => tracing::error!(%error, "reload failed; the old config stays"),
    }
}
