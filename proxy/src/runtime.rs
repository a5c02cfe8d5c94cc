//! The running proxy: listeners bound, clusters built, and the operations on a running
//! process (reload routes, drain and stop).

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::task::TaskTracker;
use tollgate_codecs::Policy;
use tollgate_translators::Pseudonym;

use crate::admin::{self, AdminState};
use crate::balance::Balancer;
use crate::config::{self, BalanceConfig, ClusterConfig, Config, ListenerConfig};
use crate::forward::{Forwarder, Routing, VIA_PSEUDONYM};
use crate::metrics::Metrics;
use crate::route::Router;
use crate::server::{self, ClientLimits, ListenerSpec, Shared};
use crate::tls::{self, Alpn};
use crate::upstream::{Cluster, ClusterSpec, OriginProtocol, OriginTls, PoolLimits, Timeouts};

/// Why the proxy could not start or reload.
#[derive(Debug)]
pub struct StartError {
    kind: StartErrorKind,
    message: String,
}

/// What kind of start failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartErrorKind {
    /// A listening address could not be bound.
    Bind,
    /// A certificate, key or CA file could not be used.
    Tls,
    /// A built-in setting was refused: a bug.
    Internal,
}

impl StartError {
    fn new(kind: StartErrorKind, message: String) -> StartError {
        StartError { kind, message }
    }

    /// What failed.
    pub fn kind(&self) -> StartErrorKind {
        self.kind
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StartError {}

/// A bound listener.
#[derive(Clone, Debug)]
pub struct BoundListener {
    /// Its configured name.
    pub name: String,
    /// The address it accepts on (the port the OS chose when the config said 0).
    pub addr: SocketAddr,
    /// Whether it speaks TLS.
    pub tls: bool,
}

/// What a reload changed.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Clusters whose pools were kept because their settings did not change.
    pub kept: Vec<String>,
    /// Clusters built anew.
    pub rebuilt: Vec<String>,
    /// Settings that need a restart and were not applied.
    pub ignored: Vec<String>,
}

/// How a drain ended.
#[derive(Debug)]
pub struct Drained {
    /// Connections and streams still running at the deadline (0: everything finished).
    pub cut: usize,
}

/// A running proxy.
pub struct Proxy {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    listeners: Vec<BoundListener>,
    admin: Option<(SocketAddr, Arc<AdminState>)>,
    clusters: Mutex<HashMap<String, (ClusterConfig, Arc<Cluster>)>>,
    /// What a reload may not change: listeners, admin, policies, workers.
    fixed: Mutex<Fixed>,
}

#[derive(PartialEq)]
struct Fixed {
    listeners: Vec<ListenerConfig>,
    admin: Option<SocketAddr>,
    origin_policy: Arc<Policy>,
    client_policy: Arc<Policy>,
}

impl Proxy {
    /// Builds the clusters, binds every listener (and the admin listener), and starts
    /// accepting. Must run inside a tokio runtime.
    ///
    /// # Errors
    ///
    /// A listener that cannot be bound, or TLS files that cannot be used, named.
    pub async fn start(config: &Config) -> Result<Proxy, StartError> {
        let metrics = Arc::new(Metrics::new());
        let origin_policy = Arc::new(config.policy.origin.policy.clone());
        let client_policy = Arc::new(config.policy.client.policy.clone());
        let mut clusters = HashMap::new();
        for (name, cluster) in &config.clusters {
            let spec = cluster_spec(name, cluster, origin_policy.clone())?;
            clusters.insert(
                name.clone(),
                (cluster.clone(), Cluster::new(spec, metrics.clone())),
            );
        }
        let routing = routing(config, &clusters);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            forwarder: Forwarder::new(routing, via()?),
            metrics: metrics.clone(),
            client_policy: client_policy.clone(),
            shutdown: shutdown_rx.clone(),
            tracker: TaskTracker::new(),
        });

        let mut specs = Vec::new();
        for listener in &config.listeners {
            specs.push(listener_spec(listener)?);
        }
        let mut bound = Vec::new();
        for spec in specs {
            let tcp = TcpListener::bind(spec.addr).await.map_err(|error| {
                StartError::new(
                    StartErrorKind::Bind,
                    format!(
                        "listener {:?}: cannot listen on {}: {error}",
                        spec.name, spec.addr
                    ),
                )
            })?;
            let addr = tcp.local_addr().unwrap_or(spec.addr);
            bound.push(BoundListener {
                name: spec.name.clone(),
                addr,
                tls: spec.tls.is_some(),
            });
            tokio::spawn(server::accept_loop(tcp, Arc::new(spec), shared.clone()));
        }

        let admin = match &config.admin {
            Some(admin_config) => {
                let tcp = TcpListener::bind(admin_config.listen)
                    .await
                    .map_err(|error| {
                        StartError::new(
                            StartErrorKind::Bind,
                            format!("admin: cannot listen on {}: {error}", admin_config.listen),
                        )
                    })?;
                let addr = tcp.local_addr().unwrap_or(admin_config.listen);
                let state = AdminState::new(metrics.clone());
                let serve_state = state.clone();
                let admin_shutdown = shutdown_rx.clone();
                tokio::spawn(async move {
                    if let Err(error) = admin::serve(tcp, serve_state, admin_shutdown).await {
                        tracing::error!(%error, "the admin listener stopped");
                    }
                });
                state.set_ready();
                Some((addr, state))
            }
            None => None,
        };

        Ok(Proxy {
            shared,
            shutdown,
            listeners: bound,
            admin,
            clusters: Mutex::new(clusters),
            fixed: Mutex::new(Fixed {
                listeners: config.listeners.clone(),
                admin: config.admin.as_ref().map(|admin| admin.listen),
                origin_policy,
                client_policy,
            }),
        })
    }

    /// The listeners, with the addresses they are bound to.
    pub fn listeners(&self) -> &[BoundListener] {
        &self.listeners
    }

    /// The admin listener's address, when there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().map(|(addr, _)| *addr)
    }

    /// The proxy's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.shared.metrics
    }

    /// Applies the routes and clusters of `config`. Connections stay open: clusters whose
    /// settings did not change keep their pools, requests in flight finish on the routing
    /// they started with. Listener, admin and policy changes need a restart and are reported
    /// as ignored.
    ///
    /// # Errors
    ///
    /// TLS files of a changed cluster that cannot be used; nothing is changed then.
    pub fn reload(&self, config: &Config) -> Result<ReloadReport, StartError> {
        let result = self.apply(config);
        self.shared.metrics.config_reload(result.is_ok());
        result
    }

    fn apply(&self, config: &Config) -> Result<ReloadReport, StartError> {
        let mut report = ReloadReport::default();
        let fixed = self.fixed.lock().unwrap_or_else(PoisonError::into_inner);
        if fixed.listeners != config.listeners {
            report.ignored.push("listeners".to_owned());
        }
        if fixed.admin != config.admin.as_ref().map(|admin| admin.listen) {
            report.ignored.push("admin".to_owned());
        }
        if *fixed.client_policy != config.policy.client.policy
            || *fixed.origin_policy != config.policy.origin.policy
        {
            report.ignored.push("policy".to_owned());
        }
        let origin_policy = fixed.origin_policy.clone();
        drop(fixed);
        let mut current = self.clusters.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next = HashMap::new();
        for (name, cluster) in &config.clusters {
            match current.get(name) {
                Some((old, built)) if old == cluster => {
                    report.kept.push(name.clone());
                    next.insert(name.clone(), (old.clone(), built.clone()));
                }
                _ => {
                    let spec = cluster_spec(name, cluster, origin_policy.clone())?;
                    report.rebuilt.push(name.clone());
                    next.insert(
                        name.clone(),
                        (
                            cluster.clone(),
                            Cluster::new(spec, self.shared.metrics.clone()),
                        ),
                    );
                }
            }
        }
        self.shared.forwarder.replace(routing(config, &next));
        for (name, (_, retired)) in current.iter() {
            if !next.contains_key(name) {
                retired.close_idle();
            }
        }
        *current = next;
        Ok(report)
    }

    /// Stops accepting, lets requests in flight finish for up to `drain`, and says how many
    /// were still running at the deadline. HTTP/2 clients get GOAWAY; idle HTTP/1.1
    /// connections are closed, busy ones after their current response.
    pub async fn shutdown(self, drain: Duration) -> Drained {
        if let Some((_, state)) = &self.admin {
            state.set_draining();
        }
        let _ = self.shutdown.send(true);
        self.shared.tracker.close();
        let cut = match tokio::time::timeout(drain, self.shared.tracker.wait()).await {
            Ok(()) => 0,
            Err(_) => self.shared.tracker.len(),
        };
        let clusters = self.clusters.lock().unwrap_or_else(PoisonError::into_inner);
        for (_, cluster) in clusters.values() {
            cluster.close_idle();
        }
        Drained { cut }
    }
}

/// The name in `Via`; a constant, checked like any configured one.
fn via() -> Result<Pseudonym, StartError> {
    Pseudonym::new(VIA_PSEUDONYM).map_err(|error| {
        StartError::new(
            StartErrorKind::Internal,
            format!("pseudonym {VIA_PSEUDONYM:?}: {error}"),
        )
    })
}

fn routing(config: &Config, clusters: &HashMap<String, (ClusterConfig, Arc<Cluster>)>) -> Routing {
    Routing {
        router: Router::new(&config.routes),
        clusters: clusters
            .iter()
            .map(|(name, (_, cluster))| (name.clone(), cluster.clone()))
            .collect(),
    }
}

fn listener_spec(listener: &ListenerConfig) -> Result<ListenerSpec, StartError> {
    let tls = match &listener.tls {
        Some(tls) => {
            let certs: Vec<tls::CertSource> = tls
                .certificates
                .iter()
                .map(|cert| tls::CertSource {
                    cert: cert.cert.clone(),
                    key: cert.key.clone(),
                    server_names: cert.server_names.clone(),
                })
                .collect();
            let mut alpn = Vec::new();
            if listener.protocols.h2 {
                alpn.push(Alpn::H2);
            }
            if listener.protocols.h1 {
                alpn.push(Alpn::Http11);
            }
            let config = tls::server_config(&certs, &alpn).map_err(|error| {
                StartError::new(
                    StartErrorKind::Tls,
                    format!("listener {:?}: {error}", listener.name),
                )
            })?;
            Some(config)
        }
        None => None,
    };
    Ok(ListenerSpec {
        name: listener.name.clone(),
        addr: listener.listen,
        tls,
        h1: listener.protocols.h1,
        h2: listener.protocols.h2,
        limits: ClientLimits {
            max_connections: listener.limits.max_connections,
            header_read_timeout: listener.limits.header_read_timeout,
            idle_timeout: listener.limits.idle_timeout,
        },
    })
}

fn cluster_spec(
    name: &str,
    cluster: &ClusterConfig,
    policy: Arc<Policy>,
) -> Result<ClusterSpec, StartError> {
    let origins: Vec<String> = cluster.origins.iter().map(ToString::to_string).collect();
    let (protocol, alpn) = match cluster.protocol {
        config::OriginProtocol::H1 => (OriginProtocol::H1, vec![Alpn::Http11]),
        config::OriginProtocol::H2 | config::OriginProtocol::H2c => {
            (OriginProtocol::H2, vec![Alpn::H2])
        }
        config::OriginProtocol::Auto => (OriginProtocol::Auto, vec![Alpn::H2, Alpn::Http11]),
    };
    let tls = match &cluster.tls {
        Some(origin_tls) => {
            let config = tls::client_config(&tls::OriginTls {
                verify: origin_tls.verify,
                ca_file: origin_tls.ca_file.clone(),
                alpn,
            })
            .map_err(|error| {
                StartError::new(StartErrorKind::Tls, format!("cluster {name:?}: {error}"))
            })?;
            Some(OriginTls {
                config,
                sni: origin_tls.sni.clone(),
            })
        }
        None => None,
    };
    let hash = match &cluster.balance {
        BalanceConfig::RoundRobin => None,
        BalanceConfig::ConsistentHash(key) => Some(key.clone()),
    };
    Ok(ClusterSpec {
        name: name.to_owned(),
        balancer: Balancer::with_names(&cluster.balance, &origins),
        hash,
        origins,
        protocol,
        tls,
        timeouts: Timeouts {
            connect: cluster.timeouts.connect,
            first_byte: cluster.timeouts.first_byte,
            idle: cluster.timeouts.idle,
            total: cluster.timeouts.total,
        },
        retries: cluster.retries,
        pool: PoolLimits {
            max_connections: cluster.pool.max_connections_per_origin,
            max_idle: cluster.pool.max_idle_per_origin,
            idle_timeout: cluster.pool.idle_timeout,
            max_concurrent_streams: usize::try_from(cluster.pool.max_concurrent_streams)
                .unwrap_or(usize::MAX),
        },
        policy,
    })
}

/// Checks what [`Proxy::start`] would do short of binding: certificates, keys and CA files
/// load, and every cluster can be built.
///
/// # Errors
///
/// The first listener or cluster whose TLS files cannot be used.
pub fn check(config: &Config) -> Result<(), StartError> {
    for listener in &config.listeners {
        listener_spec(listener)?;
    }
    let policy = Arc::new(config.policy.origin.policy.clone());
    for (name, cluster) in &config.clusters {
        cluster_spec(name, cluster, policy.clone())?;
    }
    Ok(())
}
