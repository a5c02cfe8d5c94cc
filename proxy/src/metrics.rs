//! The proxy's Prometheus metrics, in a registry of their own.
//!
//! Each [`Metrics`] owns its `prometheus::Registry` rather than using the process-wide one, so
//! that tests, and several proxies in one process, never see each other's counts or clash on
//! registration. [`Metrics::encode`] renders the text exposition format 0.0.4 for the admin
//! listener's `GET /metrics`.
//!
//! # Families
//!
//! | name | type | labels |
//! | --- | --- | --- |
//! | `tollgate_build_info` | gauge (always 1) | `version` |
//! | `tollgate_requests_total` | counter | `client`, `origin`, `status` |
//! | `tollgate_request_duration_seconds` | histogram | `client`, `origin` |
//! | `tollgate_errors_total` | counter | `blame`, `kind` |
//! | `tollgate_anomalies_total` | counter | `id`, `action`, `side` |
//! | `tollgate_budgets_spent_total` | counter | `budget` |
//! | `tollgate_upstream_connections_total` | counter | `cluster`, `reused` |
//! | `tollgate_upstream_connection_reuse_ratio` | gauge | `cluster` |
//! | `tollgate_upstream_first_byte_seconds` | histogram | `cluster` |
//! | `tollgate_upstream_pool_connections` | gauge | `cluster`, `state` |
//! | `tollgate_client_connections` | gauge | `listener`, `proto` |
//! | `tollgate_client_connections_total` | counter | `listener`, `proto` |
//! | `tollgate_config_reloads_total` | counter | `result` |
//!
//! # Cardinality
//!
//! Every series costs memory in the proxy and in every scraper, so no label takes a value from
//! the network. Protocols are `h1`, `h2` (and `none` for a request no origin saw). A status is
//! three digits, as the codecs accept no other, so at most 900 values and a dozen in practice;
//! anything else is counted as `other`. Anomaly ids, actions and sides come from the codec's
//! closed [`Deviation`](tollgate_codecs::Deviation), `Action` and `Side` enums, and budgets are
//! the 11 `h2.budget-*` deviations. Error kinds are `&'static str` so that only the stable
//! `kind()` names of the error types can become labels, never a formatted message. Cluster and
//! listener names come from the configuration.

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use prometheus::core::Collector;
use prometheus::{
    GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use tollgate_codecs::Anomaly;

/// The content type of [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// The prefix of the guard's budget deviations; what follows it names the budget.
const BUDGET_PREFIX: &str = "h2.budget-";

/// Buckets of `tollgate_request_duration_seconds`: from a cached or refused request answered
/// within a millisecond to long transfers; a minute is past any sensible request timeout, so
/// only `+Inf` lies beyond.
const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Buckets of `tollgate_upstream_first_byte_seconds`, 1 ms to 30 s: an origin on the same host
/// or network answers in about a millisecond, a busy one in tens to hundreds, and 30 s is the
/// usual upstream timeout, past which the request has failed anyway. Steps of about 2.5× keep
/// quantile estimates within that factor across the whole range with 14 buckets.
const FIRST_BYTE_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The protocol of a connection, as a label value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    /// HTTP/1.x.
    H1,
    /// HTTP/2.
    H2,
}

impl Proto {
    /// `"h1"` or `"h2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::H1 => "h1",
            Proto::H2 => "h2",
        }
    }

    fn index(self) -> usize {
        match self {
            Proto::H1 => 0,
            Proto::H2 => 1,
        }
    }
}

/// Who caused an error: the proxy's one notion of blame, used as a label value.
pub use crate::error::Blame;

/// The proxy's metrics. Share one behind an `Arc`; every method takes `&self`.
///
/// The methods are meant for hot paths: the series whose labels form a small fixed set are
/// resolved once, at construction; the others are looked up per call in the family's map.
pub struct Metrics {
    registry: Registry,
    /// The families, or why they could not be registered. Registration fails only when our own
    /// constant names clash or are invalid, which [`Metrics::new`]'s tests rule out; should it
    /// happen anyway, the proxy runs with inert metrics and `encode` says why, rather than
    /// refusing to start over its observability.
    families: Result<Families, String>,
}

/// Statuses 100–599 have their request counters cached (see `Families::request_counters`).
const CACHED_STATUSES: usize = 500;

struct Families {
    requests: IntCounterVec,
    /// `requests` resolved per (client, origin, status 100–599), filled as statuses occur:
    /// counting a request is then an index and an atomic add, not a hash of three labels.
    request_counters: Box<[OnceLock<IntCounter>]>,
    /// By client protocol, then origin protocol (`h1`, `h2`, none).
    request_duration: [[Histogram; 3]; 2],
    errors: IntCounterVec,
    anomalies: IntCounterVec,
    budgets_spent: IntCounterVec,
    upstream_connections: IntCounterVec,
    upstream_reuse_ratio: GaugeVec,
    /// Makes a connection's count and the ratio computed from it one step, so that the ratio
    /// left in the gauge is never computed from counts older than another caller's.
    upstream_reuse_lock: Mutex<()>,
    upstream_first_byte: HistogramVec,
    upstream_pool: IntGaugeVec,
    client_connections: IntGaugeVec,
    client_connections_total: IntCounterVec,
    /// `ok`, then `error`.
    config_reloads: [IntCounter; 2],
}

impl Metrics {
    /// Registers every family in a new registry. Never panics (see [`Metrics`]'s fields).
    pub fn new() -> Metrics {
        Metrics::with_registry(Registry::new())
    }

    fn with_registry(registry: Registry) -> Metrics {
        let families = Families::register(&registry).map_err(|error| {
            tracing::error!(%error, "metrics could not be registered; they stay empty");
            error.to_string()
        });
        Metrics { registry, families }
    }

    /// A request is answered: counts it and observes its duration (from the first byte of the
    /// request to the last byte of the response). `origin` is `None` when no origin was asked
    /// (the proxy answered itself: a refusal, an error, a local route).
    pub fn request_done(
        &self,
        client: Proto,
        origin: Option<Proto>,
        status: u16,
        duration: Duration,
    ) {
        let Ok(families) = &self.families else {
            return;
        };
        let (origin_label, origin_index) = match origin {
            Some(proto) => (proto.as_str(), proto.index()),
            None => ("none", 2),
        };
        let status_code = status;
        let status = StatusLabel::new(status);
        let cached = (100..=599).contains(&status_code).then(|| {
            let index = (client.index() * 3 + origin_index) * CACHED_STATUSES
                + usize::from(status_code - 100);
            families.request_counters.get(index)
        });
        match cached.flatten() {
            Some(slot) => {
                if let Some(counter) = slot.get() {
                    counter.inc();
                } else if let Ok(counter) = families.requests.get_metric_with_label_values(&[
                    client.as_str(),
                    origin_label,
                    status.as_str(),
                ]) {
                    counter.inc();
                    let _ = slot.set(counter);
                }
            }
            None => {
                if let Ok(counter) = families.requests.get_metric_with_label_values(&[
                    client.as_str(),
                    origin_label,
                    status.as_str(),
                ]) {
                    counter.inc();
                }
            }
        }
        families.request_duration[client.index()][origin_index].observe(duration.as_secs_f64());
    }

    /// An error ended a request or a connection. `kind` is the error's stable `kind()` name.
    pub fn error(&self, blame: Blame, kind: &'static str) {
        let Ok(families) = &self.families else {
            return;
        };
        if let Ok(counter) = families
            .errors
            .get_metric_with_label_values(&[blame.as_str(), kind])
        {
            counter.inc();
        }
    }

    /// Deviations met by a codec. Spent budgets also count in `tollgate_budgets_spent_total`.
    pub fn anomalies(&self, anomalies: &[Anomaly]) {
        let Ok(families) = &self.families else {
            return;
        };
        for anomaly in anomalies {
            let id = anomaly.id();
            if let Ok(counter) = families.anomalies.get_metric_with_label_values(&[
                id,
                anomaly.action.as_str(),
                anomaly.side.as_str(),
            ]) {
                counter.inc();
            }
            if let Some(budget) = id.strip_prefix(BUDGET_PREFIX)
                && let Ok(counter) = families
                    .budgets_spent
                    .get_metric_with_label_values(&[budget])
            {
                counter.inc();
            }
        }
    }

    /// A request to `cluster` got an upstream connection, a pooled one when `reused`. Keeps
    /// `tollgate_upstream_connection_reuse_ratio` at reused / all for the cluster.
    pub fn upstream_connection(&self, cluster: &str, reused: bool) {
        let Ok(families) = &self.families else {
            return;
        };
        let counters = (
            families
                .upstream_connections
                .get_metric_with_label_values(&[cluster, "true"]),
            families
                .upstream_connections
                .get_metric_with_label_values(&[cluster, "false"]),
            families
                .upstream_reuse_ratio
                .get_metric_with_label_values(&[cluster]),
        );
        let (Ok(reused_count), Ok(new_count), Ok(ratio)) = counters else {
            return;
        };
        // The data is `()`: a panic elsewhere while holding the lock leaves nothing broken.
        let _serial = families
            .upstream_reuse_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if reused {
            reused_count.inc();
        } else {
            new_count.inc();
        }
        ratio.set(reuse_ratio(reused_count.get(), new_count.get()));
    }

    /// The time from sending a request to `cluster` to its first response byte.
    pub fn upstream_latency(&self, cluster: &str, first_byte: Duration) {
        let Ok(families) = &self.families else {
            return;
        };
        if let Ok(histogram) = families
            .upstream_first_byte
            .get_metric_with_label_values(&[cluster])
        {
            histogram.observe(first_byte.as_secs_f64());
        }
    }

    /// The connections `cluster`'s pool holds now, idle and in use.
    pub fn upstream_pool(&self, cluster: &str, idle: i64, active: i64) {
        let Ok(families) = &self.families else {
            return;
        };
        for (state, value) in [("idle", idle), ("active", active)] {
            if let Ok(gauge) = families
                .upstream_pool
                .get_metric_with_label_values(&[cluster, state])
            {
                gauge.set(value);
            }
        }
    }

    /// A client connection was accepted on `listener`: counts it, and counts it as open until
    /// the returned guard is dropped.
    pub fn client_connection_opened(&self, listener: &str, proto: Proto) -> ConnectionGuard {
        let Ok(families) = &self.families else {
            return ConnectionGuard { open: None };
        };
        let labels = [listener, proto.as_str()];
        if let Ok(counter) = families
            .client_connections_total
            .get_metric_with_label_values(&labels)
        {
            counter.inc();
        }
        let open = families
            .client_connections
            .get_metric_with_label_values(&labels)
            .ok();
        if let Some(gauge) = &open {
            gauge.inc();
        }
        ConnectionGuard { open }
    }

    /// The configuration was reloaded (`ok`) or the new one refused.
    pub fn config_reload(&self, ok: bool) {
        if let Ok(families) = &self.families {
            families.config_reloads[usize::from(!ok)].inc();
        }
    }

    /// Every family in the Prometheus text format 0.0.4 ([`CONTENT_TYPE`]). When the families
    /// could not be registered, a comment saying why, which a scraper accepts as no samples.
    pub fn encode(&self) -> String {
        if let Err(error) = &self.families {
            return comment("tollgate metrics unavailable", error);
        }
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|error| comment("tollgate metrics not encoded", &error.to_string()))
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("live", &self.families.is_ok())
            .finish_non_exhaustive()
    }
}

impl Families {
    fn register(registry: &Registry) -> prometheus::Result<Families> {
        let build_info = register(
            registry,
            IntGaugeVec::new(
                Opts::new(
                    "tollgate_build_info",
                    "Always 1; the labels say which build is running.",
                ),
                &["version"],
            )?,
        )?;
        build_info
            .get_metric_with_label_values(&[env!("CARGO_PKG_VERSION")])?
            .set(1);

        let request_duration = register(
            registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "tollgate_request_duration_seconds",
                    "Time from a request's first byte to its response's last byte.",
                )
                .buckets(REQUEST_BUCKETS.to_vec()),
                &["client", "origin"],
            )?,
        )?;
        let duration = |client: Proto, origin: &str| {
            request_duration.get_metric_with_label_values(&[client.as_str(), origin])
        };
        let by_origin = |client: Proto| -> prometheus::Result<[Histogram; 3]> {
            Ok([
                duration(client, "h1")?,
                duration(client, "h2")?,
                duration(client, "none")?,
            ])
        };

        let config_reloads = register(
            registry,
            IntCounterVec::new(
                Opts::new(
                    "tollgate_config_reloads_total",
                    "Configuration reloads, applied (ok) or refused (error).",
                ),
                &["result"],
            )?,
        )?;

        Ok(Families {
            requests: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_requests_total",
                        "Requests answered, by client protocol, origin protocol and status.",
                    ),
                    &["client", "origin", "status"],
                )?,
            )?,
            request_counters: (0..2 * 3 * CACHED_STATUSES)
                .map(|_| OnceLock::new())
                .collect(),
            request_duration: [by_origin(Proto::H1)?, by_origin(Proto::H2)?],
            errors: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_errors_total",
                        "Errors that ended a request or connection, by who caused them and kind.",
                    ),
                    &["blame", "kind"],
                )?,
            )?,
            anomalies: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_anomalies_total",
                        "Protocol deviations met, by deviation id, action taken and sending side.",
                    ),
                    &["id", "action", "side"],
                )?,
            )?,
            budgets_spent: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_budgets_spent_total",
                        "HTTP/2 client connections closed for spending a budget.",
                    ),
                    &["budget"],
                )?,
            )?,
            upstream_connections: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_upstream_connections_total",
                        "Upstream connections handed to requests, new or reused from the pool.",
                    ),
                    &["cluster", "reused"],
                )?,
            )?,
            upstream_reuse_ratio: register(
                registry,
                GaugeVec::new(
                    Opts::new(
                        "tollgate_upstream_connection_reuse_ratio",
                        "Share of upstream connections handed out that were reused, since start.",
                    ),
                    &["cluster"],
                )?,
            )?,
            upstream_reuse_lock: Mutex::new(()),
            upstream_first_byte: register(
                registry,
                HistogramVec::new(
                    HistogramOpts::new(
                        "tollgate_upstream_first_byte_seconds",
                        "Time from sending a request upstream to the first response byte.",
                    )
                    .buckets(FIRST_BYTE_BUCKETS.to_vec()),
                    &["cluster"],
                )?,
            )?,
            upstream_pool: register(
                registry,
                IntGaugeVec::new(
                    Opts::new(
                        "tollgate_upstream_pool_connections",
                        "Connections in an upstream pool, idle or in use (active).",
                    ),
                    &["cluster", "state"],
                )?,
            )?,
            client_connections: register(
                registry,
                IntGaugeVec::new(
                    Opts::new(
                        "tollgate_client_connections",
                        "Client connections open now.",
                    ),
                    &["listener", "proto"],
                )?,
            )?,
            client_connections_total: register(
                registry,
                IntCounterVec::new(
                    Opts::new(
                        "tollgate_client_connections_total",
                        "Client connections accepted.",
                    ),
                    &["listener", "proto"],
                )?,
            )?,
            config_reloads: [
                config_reloads.get_metric_with_label_values(&["ok"])?,
                config_reloads.get_metric_with_label_values(&["error"])?,
            ],
        })
    }
}

/// Registers `collector` and hands it back (families are cheap handles to shared state).
fn register<C: Collector + Clone + 'static>(
    registry: &Registry,
    collector: C,
) -> prometheus::Result<C> {
    registry.register(Box::new(collector.clone()))?;
    Ok(collector)
}

/// Reused connections over all connections handed out; 0 before the first.
fn reuse_ratio(reused: u64, new: u64) -> f64 {
    let all = reused.saturating_add(new);
    if all == 0 {
        0.0
    } else {
        reused as f64 / all as f64
    }
}

/// A one-line exposition-format comment (newlines in `detail` would end it early).
fn comment(what: &str, detail: &str) -> String {
    format!("# {what}: {}\n", detail.replace(['\r', '\n'], " "))
}

/// A status as a label value, formatted without allocating: three digits, or `other`.
struct StatusLabel(Option<[u8; 3]>);

impl StatusLabel {
    fn new(status: u16) -> StatusLabel {
        let digit = |value: u16| b"0123456789"[usize::from(value % 10)];
        StatusLabel(
            (100..=999)
                .contains(&status)
                .then(|| [digit(status / 100), digit(status / 10), digit(status)]),
        )
    }

    fn as_str(&self) -> &str {
        self.0
            .as_ref()
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .unwrap_or("other")
    }
}

/// Counts a client connection as open until dropped.
#[must_use = "the connection counts as open only while the guard lives"]
#[derive(Debug)]
pub struct ConnectionGuard {
    open: Option<IntGauge>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        if let Some(gauge) = &self.open {
            gauge.dec();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tollgate_codecs::{Action, Deviation, Side};

    use super::*;

    /// One sample line of the text format.
    #[derive(Debug)]
    struct Sample {
        name: String,
        labels: BTreeMap<String, String>,
        value: f64,
    }

    /// Parses the sample lines of the text format (label values here have no escapes).
    fn samples(text: &str) -> Vec<Sample> {
        text.lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(|line| {
                let (series, value) = line.rsplit_once(' ').unwrap();
                let value = match value {
                    "+Inf" => f64::INFINITY,
                    other => other.parse().unwrap(),
                };
                let (name, labels) = match series.split_once('{') {
                    None => (series, BTreeMap::new()),
                    Some((name, rest)) => {
                        let inner = rest.strip_suffix('}').unwrap();
                        let labels = inner
                            .split("\",")
                            .filter(|pair| !pair.is_empty())
                            .map(|pair| {
                                let (key, value) = pair.split_once("=\"").unwrap();
                                (key.to_owned(), value.trim_end_matches('"').to_owned())
                            })
                            .collect();
                        (name, labels)
                    }
                };
                Sample {
                    name: name.to_owned(),
                    labels,
                    value,
                }
            })
            .collect()
    }

    /// The value of the one series named `name` with exactly `labels`.
    fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        let found: Vec<f64> = samples(text)
            .into_iter()
            .filter(|sample| sample.name == name && sample.labels == wanted)
            .map(|sample| sample.value)
            .collect();
        assert!(found.len() <= 1, "{name} {labels:?} appears twice");
        found.first().copied()
    }

    fn type_of(text: &str, name: &str) -> Option<String> {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("# TYPE {name} ")))
            .map(str::to_owned)
    }

    #[test]
    fn build_info_and_types_are_exported_from_the_start() {
        let text = Metrics::new().encode();
        assert_eq!(
            value(
                &text,
                "tollgate_build_info",
                &[("version", env!("CARGO_PKG_VERSION"))]
            ),
            Some(1.0)
        );
        // Families with series resolved at construction are visible before any traffic.
        assert_eq!(
            type_of(&text, "tollgate_request_duration_seconds").as_deref(),
            Some("histogram")
        );
        assert_eq!(
            value(
                &text,
                "tollgate_config_reloads_total",
                &[("result", "error")]
            ),
            Some(0.0)
        );
    }

    #[test]
    fn every_family_is_registered() {
        let metrics = Metrics::new();
        assert!(metrics.families.is_ok(), "{:?}", metrics.families.err());
        metrics.request_done(Proto::H1, None, 200, Duration::ZERO);
        metrics.error(Blame::Proxy, "io");
        metrics.anomalies(&[anomaly(Deviation::H2BudgetPings, Action::Reject)]);
        metrics.upstream_connection("a", false);
        metrics.upstream_latency("a", Duration::ZERO);
        metrics.upstream_pool("a", 0, 0);
        let _open = metrics.client_connection_opened("main", Proto::H2);
        metrics.config_reload(true);
        let text = metrics.encode();
        let expected = [
            ("tollgate_build_info", "gauge"),
            ("tollgate_requests_total", "counter"),
            ("tollgate_request_duration_seconds", "histogram"),
            ("tollgate_errors_total", "counter"),
            ("tollgate_anomalies_total", "counter"),
            ("tollgate_budgets_spent_total", "counter"),
            ("tollgate_upstream_connections_total", "counter"),
            ("tollgate_upstream_connection_reuse_ratio", "gauge"),
            ("tollgate_upstream_first_byte_seconds", "histogram"),
            ("tollgate_upstream_pool_connections", "gauge"),
            ("tollgate_client_connections", "gauge"),
            ("tollgate_client_connections_total", "counter"),
            ("tollgate_config_reloads_total", "counter"),
        ];
        for (name, kind) in expected {
            assert_eq!(type_of(&text, name).as_deref(), Some(kind), "{name}");
        }
        let families = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
        assert_eq!(families, expected.len(), "{text}");
    }

    #[test]
    fn requests_count_by_protocols_and_status_and_observe_duration() {
        let metrics = Metrics::new();
        metrics.request_done(Proto::H2, Some(Proto::H1), 200, Duration::from_millis(3));
        metrics.request_done(Proto::H2, Some(Proto::H1), 200, Duration::from_millis(40));
        metrics.request_done(Proto::H1, None, 431, Duration::from_micros(200));
        metrics.request_done(Proto::H1, None, 1000, Duration::ZERO);
        let text = metrics.encode();
        let requests = |client, origin, status| {
            value(
                &text,
                "tollgate_requests_total",
                &[("client", client), ("origin", origin), ("status", status)],
            )
        };
        assert_eq!(requests("h2", "h1", "200"), Some(2.0));
        assert_eq!(requests("h1", "none", "431"), Some(1.0));
        assert_eq!(requests("h1", "none", "other"), Some(1.0));
        assert_eq!(requests("h1", "h1", "200"), None);

        let h2_h1 = [("client", "h2"), ("origin", "h1")];
        assert_eq!(
            value(&text, "tollgate_request_duration_seconds_count", &h2_h1),
            Some(2.0)
        );
        let sum = value(&text, "tollgate_request_duration_seconds_sum", &h2_h1).unwrap();
        assert!((sum - 0.043).abs() < 1e-9, "{sum}");
        let bucket = |le| {
            value(
                &text,
                "tollgate_request_duration_seconds_bucket",
                &[("client", "h2"), ("origin", "h1"), ("le", le)],
            )
        };
        assert_eq!(bucket("0.0025"), Some(0.0));
        assert_eq!(bucket("0.005"), Some(1.0));
        assert_eq!(bucket("0.05"), Some(2.0));
        assert_eq!(bucket("+Inf"), Some(2.0));
    }

    #[test]
    fn status_labels_are_three_digits_or_other() {
        assert_eq!(StatusLabel::new(100).as_str(), "100");
        assert_eq!(StatusLabel::new(204).as_str(), "204");
        assert_eq!(StatusLabel::new(999).as_str(), "999");
        assert_eq!(StatusLabel::new(99).as_str(), "other");
        assert_eq!(StatusLabel::new(1000).as_str(), "other");
        assert_eq!(StatusLabel::new(0).as_str(), "other");
    }

    #[test]
    fn errors_count_by_blame_and_kind() {
        let metrics = Metrics::new();
        metrics.error(Blame::Client, "rejected");
        metrics.error(Blame::Client, "rejected");
        metrics.error(Blame::Origin, "connect");
        let text = metrics.encode();
        let errors = |blame, kind| {
            value(
                &text,
                "tollgate_errors_total",
                &[("blame", blame), ("kind", kind)],
            )
        };
        assert_eq!(errors("client", "rejected"), Some(2.0));
        assert_eq!(errors("origin", "connect"), Some(1.0));
        assert_eq!(errors("proxy", "connect"), None);
    }

    fn anomaly(deviation: Deviation, action: Action) -> Anomaly {
        Anomaly {
            deviation,
            action,
            side: Side::Client,
            offset: 0,
        }
    }

    #[test]
    fn anomalies_count_and_budgets_are_named_without_their_prefix() {
        let metrics = Metrics::new();
        let obs_fold = Deviation::ALL
            .iter()
            .copied()
            .find(|d| d.id() == "h1.obs-fold")
            .unwrap();
        metrics.anomalies(&[
            anomaly(obs_fold, Action::Reject),
            anomaly(Deviation::H2BudgetClientResets, Action::Reject),
            anomaly(Deviation::H2BudgetClientResets, Action::Reject),
        ]);
        metrics.anomalies(&[Anomaly {
            side: Side::Origin,
            ..anomaly(obs_fold, Action::Repair)
        }]);
        let text = metrics.encode();
        let anomalies = |id, action, side| {
            value(
                &text,
                "tollgate_anomalies_total",
                &[("id", id), ("action", action), ("side", side)],
            )
        };
        assert_eq!(anomalies("h1.obs-fold", "reject", "client"), Some(1.0));
        assert_eq!(anomalies("h1.obs-fold", "repair", "origin"), Some(1.0));
        assert_eq!(
            anomalies("h2.budget-client-resets", "reject", "client"),
            Some(2.0)
        );
        let budget = |name| value(&text, "tollgate_budgets_spent_total", &[("budget", name)]);
        assert_eq!(budget("client-resets"), Some(2.0));
        // Only budget deviations count as budgets.
        let budgets: Vec<Sample> = samples(&text)
            .into_iter()
            .filter(|s| s.name == "tollgate_budgets_spent_total")
            .collect();
        assert_eq!(budgets.len(), 1, "{budgets:?}");
    }

    #[test]
    fn every_budget_deviation_maps_to_a_budget() {
        let metrics = Metrics::new();
        let budgets: Vec<Anomaly> = Deviation::ALL
            .iter()
            .filter(|d| d.id().starts_with(BUDGET_PREFIX))
            .map(|d| anomaly(*d, Action::Reject))
            .collect();
        assert_eq!(budgets.len(), 11);
        metrics.anomalies(&budgets);
        let text = metrics.encode();
        for budget in &budgets {
            let name = &budget.id()[BUDGET_PREFIX.len()..];
            assert_eq!(
                value(&text, "tollgate_budgets_spent_total", &[("budget", name)]),
                Some(1.0),
                "{name}"
            );
        }
    }

    #[test]
    fn reuse_ratio_is_reused_over_all_per_cluster() {
        assert_eq!(reuse_ratio(0, 0), 0.0);
        assert_eq!(reuse_ratio(3, 1), 0.75);
        assert_eq!(reuse_ratio(u64::MAX, 0), 1.0);

        let metrics = Metrics::new();
        metrics.upstream_connection("api", false);
        let ratio = |metrics: &Metrics, cluster| {
            value(
                &metrics.encode(),
                "tollgate_upstream_connection_reuse_ratio",
                &[("cluster", cluster)],
            )
        };
        assert_eq!(ratio(&metrics, "api"), Some(0.0));
        for _ in 0..3 {
            metrics.upstream_connection("api", true);
        }
        metrics.upstream_connection("static", true);
        assert_eq!(ratio(&metrics, "api"), Some(0.75));
        assert_eq!(ratio(&metrics, "static"), Some(1.0));
        let text = metrics.encode();
        let count = |cluster, reused| {
            value(
                &text,
                "tollgate_upstream_connections_total",
                &[("cluster", cluster), ("reused", reused)],
            )
        };
        assert_eq!(count("api", "true"), Some(3.0));
        assert_eq!(count("api", "false"), Some(1.0));
        assert_eq!(count("static", "false"), Some(0.0));
    }

    #[test]
    fn upstream_latency_and_pool_are_per_cluster() {
        let metrics = Metrics::new();
        metrics.upstream_latency("api", Duration::from_micros(500));
        metrics.upstream_latency("api", Duration::from_secs(31));
        metrics.upstream_pool("api", 4, 2);
        metrics.upstream_pool("api", 3, 1);
        let text = metrics.encode();
        let bucket = |le| {
            value(
                &text,
                "tollgate_upstream_first_byte_seconds_bucket",
                &[("cluster", "api"), ("le", le)],
            )
        };
        assert_eq!(bucket("0.001"), Some(1.0));
        assert_eq!(bucket("30"), Some(1.0));
        assert_eq!(bucket("+Inf"), Some(2.0));
        let pool = |state| {
            value(
                &text,
                "tollgate_upstream_pool_connections",
                &[("cluster", "api"), ("state", state)],
            )
        };
        assert_eq!(pool("idle"), Some(3.0));
        assert_eq!(pool("active"), Some(1.0));
    }

    #[test]
    fn first_byte_buckets_run_from_a_millisecond_to_thirty_seconds() {
        assert_eq!(FIRST_BYTE_BUCKETS.first(), Some(&0.001));
        assert_eq!(FIRST_BYTE_BUCKETS.last(), Some(&30.0));
        assert!(FIRST_BYTE_BUCKETS.windows(2).all(|w| w[0] < w[1]));
        assert!(REQUEST_BUCKETS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn connection_guard_counts_open_connections_until_dropped() {
        let metrics = Metrics::new();
        let open = |metrics: &Metrics| {
            value(
                &metrics.encode(),
                "tollgate_client_connections",
                &[("listener", "main"), ("proto", "h1")],
            )
        };
        let first = metrics.client_connection_opened("main", Proto::H1);
        let second = metrics.client_connection_opened("main", Proto::H1);
        assert_eq!(open(&metrics), Some(2.0));
        drop(first);
        assert_eq!(open(&metrics), Some(1.0));
        drop(second);
        assert_eq!(open(&metrics), Some(0.0));
        assert_eq!(
            value(
                &metrics.encode(),
                "tollgate_client_connections_total",
                &[("listener", "main"), ("proto", "h1")]
            ),
            Some(2.0)
        );
    }

    #[test]
    fn config_reloads_count_by_result() {
        let metrics = Metrics::new();
        metrics.config_reload(true);
        metrics.config_reload(false);
        metrics.config_reload(false);
        let text = metrics.encode();
        let reloads = |result| {
            value(
                &text,
                "tollgate_config_reloads_total",
                &[("result", result)],
            )
        };
        assert_eq!(reloads("ok"), Some(1.0));
        assert_eq!(reloads("error"), Some(2.0));
    }

    #[test]
    fn two_instances_do_not_share_counts() {
        let first = Metrics::new();
        let second = Metrics::new();
        first.config_reload(true);
        let reloads = |metrics: &Metrics| {
            value(
                &metrics.encode(),
                "tollgate_config_reloads_total",
                &[("result", "ok")],
            )
        };
        assert_eq!(reloads(&first), Some(1.0));
        assert_eq!(reloads(&second), Some(0.0));
    }

    #[test]
    fn a_registration_clash_leaves_inert_metrics_that_say_why() {
        let registry = Registry::new();
        let clash =
            IntGaugeVec::new(Opts::new("tollgate_build_info", "taken"), &["version"]).unwrap();
        registry.register(Box::new(clash)).unwrap();
        let metrics = Metrics::with_registry(registry);
        metrics.request_done(Proto::H1, None, 200, Duration::ZERO);
        metrics.config_reload(true);
        drop(metrics.client_connection_opened("main", Proto::H1));
        let text = metrics.encode();
        assert!(
            text.starts_with("# tollgate metrics unavailable: "),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1, "{text}");
    }
}
