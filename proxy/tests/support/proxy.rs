//! An in-process proxy for the end-to-end tests: one listener on 127.0.0.1 (port chosen by the
//! OS, HTTP/1.1 and HTTP/2), one catch-all route to the cluster `app`, and a reader for its
//! Prometheus metrics.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use tollgate_proxy::config::Config;
use tollgate_proxy::runtime::Proxy;

/// A running proxy.
pub(crate) struct TestProxy {
    pub(crate) proxy: Proxy,
    /// The listener's address.
    pub(crate) addr: SocketAddr,
}

/// The configuration: `cluster` is the body of `[clusters.app]` (it may open sub-tables such
/// as `[clusters.app.timeouts]`, which is why it comes last).
pub(crate) fn config(cluster: &str) -> Config {
    let text = format!(
        r#"
[[listeners]]
name = "test"
listen = "127.0.0.1:0"

[listeners.limits]
header_read_timeout = "5s"
idle_timeout = "5s"

[[routes]]
cluster = "app"

[clusters.app]
{cluster}
"#
    );
    Config::from_str(&text, Path::new("test.toml"))
        .unwrap()
        .config
}

impl TestProxy {
    /// Starts a proxy with [`config`]`(cluster)`.
    pub(crate) async fn start(cluster: &str) -> TestProxy {
        // RUST_LOG=tollgate_proxy=debug shows the proxy's view of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let proxy = Proxy::start(&config(cluster)).await.unwrap();
        let addr = proxy.listeners()[0].addr;
        TestProxy { proxy, addr }
    }

    /// A proxy in front of one origin at `origin` speaking `protocol` (`h1` or `h2c`).
    pub(crate) async fn to(origin: SocketAddr, protocol: &str) -> TestProxy {
        TestProxy::start(&format!(
            "origins = [\"{origin}\"]\nprotocol = \"{protocol}\""
        ))
        .await
    }

    /// The metrics in the Prometheus text format.
    pub(crate) fn metrics(&self) -> String {
        self.proxy.metrics().encode()
    }

    /// The sum of the samples of `name` whose labels include `labels`.
    pub(crate) fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        metric(&self.metrics(), name, labels)
    }

    /// Stops the proxy; the connections still running after a short drain.
    pub(crate) async fn stop(self) -> usize {
        self.proxy.shutdown(Duration::from_secs(2)).await.cut
    }
}

/// The sum of the samples of `name` in `text` whose labels include every pair of `labels`.
pub(crate) fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let mut sum = 0.0;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let (series_name, series_labels) = match series.split_once('{') {
            Some((series_name, rest)) => (series_name, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        if series_name != name {
            continue;
        }
        let matches = labels.iter().all(|(key, value)| {
            series_labels
                .split(',')
                .any(|pair| pair == format!("{key}=\"{value}\""))
        });
        if matches {
            sum += value.parse::<f64>().unwrap();
        }
    }
    sum
}
