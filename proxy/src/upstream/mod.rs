//! Origins: clusters of them, their connection pools, and sending one request to one of them
//! (with retries when a connection fails before the request could have been processed).

mod connect;
mod h1;
mod h2;
mod pool;

pub use connect::OriginTls;
pub use pool::PoolLimits;

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;
use tollgate_codecs::Policy;
use tollgate_codecs::h1::RequestMethod;
use tollgate_translators::{self as translate, BodyLen};

use crate::balance::Balancer;
use crate::body::Body;
use crate::error::{Error, ErrorKind};
use crate::h2::Report;
use crate::metrics::Metrics;
use connect::Spoken;
use pool::{OriginPool, Place};

/// The protocol spoken to a cluster's origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginProtocol {
    /// HTTP/1.1, cleartext or TLS.
    H1,
    /// HTTP/2: prior knowledge in cleartext (h2c), or over TLS.
    H2,
    /// TLS with ALPN offering h2 and http/1.1; the origin picks.
    Auto,
}

/// A cluster's timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request until the response head arrives.
    pub first_byte: Duration,
    /// Longest gap while reading the response body.
    pub idle: Duration,
    /// The whole exchange, response body included.
    pub total: Duration,
}

/// Everything a cluster needs, resolved from the configuration.
pub struct ClusterSpec {
    /// The name routes use.
    pub name: String,
    /// `host:port` of each origin.
    pub origins: Vec<String>,
    /// What to speak to them.
    pub protocol: OriginProtocol,
    /// TLS settings when the origins are reached over TLS.
    pub tls: Option<OriginTls>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Extra attempts for idempotent requests whose connection failed first.
    pub retries: u32,
    /// Pool limits per origin.
    pub pool: PoolLimits,
    /// Which origin takes a request.
    pub balancer: Balancer,
    /// What requests are hashed by, when the cluster balances by consistent hashing.
    pub hash: Option<crate::config::HashKey>,
    /// The policy toward these origins' responses.
    pub policy: Arc<Policy>,
}

/// A request on its way to a cluster.
pub struct Outgoing {
    /// The request in the neutral form (see `tollgate-translators`).
    pub parts: http::request::Parts,
    /// Its body.
    pub body: Body,
    /// The consistent-hashing key, when the cluster hashes.
    pub hash_key: Option<Vec<u8>>,
    /// Where interim responses (102, 103) go.
    pub interim: Option<mpsc::Sender<http::response::Parts>>,
    /// Where anomalies met in the response go.
    pub report: Report,
}

/// The response, and where it came from.
pub struct Answered {
    /// The response head in the neutral form.
    pub parts: http::response::Parts,
    /// Its body, failing with [`ErrorKind::OriginTimeout`] when it stalls.
    pub body: Body,
    /// The origin that answered.
    pub origin: String,
    /// `h1` or `h2`.
    pub protocol: &'static str,
    /// Whether the connection had served an earlier request.
    pub reused: bool,
    /// Time from sending to the response head.
    pub first_byte: Duration,
}

/// A cluster of origins with their pools.
pub struct Cluster {
    spec: ClusterSpec,
    origins: Vec<Arc<OriginPool>>,
    metrics: Arc<Metrics>,
}

impl Cluster {
    /// Builds the cluster and starts its idle-connection sweeper, which ends with the cluster.
    pub fn new(spec: ClusterSpec, metrics: Arc<Metrics>) -> Arc<Cluster> {
        let origins = spec
            .origins
            .iter()
            .map(|addr| Arc::new(OriginPool::new(addr.clone(), spec.pool)))
            .collect();
        let cluster = Arc::new(Cluster {
            spec,
            origins,
            metrics,
        });
        let period = (cluster.spec.pool.idle_timeout / 2)
            .clamp(Duration::from_millis(100), Duration::from_secs(5));
        tokio::spawn(sweep(Arc::downgrade(&cluster), period));
        cluster
    }

    /// The cluster's settings.
    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// Closes every idle connection.
    pub fn close_idle(&self) {
        for origin in &self.origins {
            origin.clear();
        }
    }

    /// Sends a request to one of the origins and waits for the response head.
    ///
    /// An idempotent request without a body is sent again, to the next origin, when the
    /// connection failed before the origin could have processed it, up to `retries` times.
    ///
    /// # Errors
    ///
    /// The last attempt's error, blamed on the origin (connect, malformed, closed, timeout),
    /// the proxy (pool exhausted) or the client (a request that cannot be translated).
    pub async fn send(&self, outgoing: Outgoing) -> Result<Answered, Error> {
        let Outgoing {
            parts,
            body,
            hash_key,
            interim,
            report,
        } = outgoing;
        if self.origins.is_empty() {
            return Err(Error::new(
                ErrorKind::Internal,
                "the cluster has no origins",
            ));
        }
        let replayable = body.is_known_empty() && is_idempotent(&parts.method);
        let body_len = match body.exact_length() {
            Some(0) => BodyLen::Empty,
            Some(length) => BodyLen::Exact(length),
            None => BodyLen::Unknown,
        };
        let started = Instant::now();
        let deadline = started + self.spec.timeouts.total;
        let mut index = self.spec.balancer.pick(hash_key.as_deref()) % self.origins.len();
        let mut body = Some(body);
        let mut attempt = 0;
        loop {
            let this_body = body.take().unwrap_or_else(Body::empty);
            let result = self
                .attempt(
                    &self.origins[index],
                    &parts,
                    this_body,
                    body_len,
                    interim.clone(),
                    report.clone(),
                )
                .await;
            match result {
                Ok(mut answered) => {
                    answered.first_byte = started.elapsed();
                    self.metrics
                        .upstream_latency(&self.spec.name, answered.first_byte);
                    answered.body = answered.body.with_timeouts(
                        self.spec.timeouts.idle,
                        Some(deadline),
                        "the origin's response body",
                    );
                    return Ok(answered);
                }
                Err(error)
                    if error.is_retryable()
                        && replayable
                        && attempt < self.spec.retries
                        && Instant::now() < deadline =>
                {
                    tracing::debug!(
                        cluster = %self.spec.name,
                        origin = %self.origins[index].addr,
                        %error,
                        "retrying on another connection"
                    );
                    attempt += 1;
                    index = self.spec.balancer.next_after(index) % self.origins.len();
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        origin: &Arc<OriginPool>,
        parts: &http::request::Parts,
        body: Body,
        body_len: BodyLen,
        interim: Option<mpsc::Sender<http::response::Parts>>,
        report: Report,
    ) -> Result<Answered, Error> {
        // Waiting for a place in a full pool counts against the connect timeout: either way
        // the request is waiting for a connection.
        let deadline = Instant::now() + self.spec.timeouts.connect;
        let permit = loop {
            // Reuse first: a stream on a shared HTTP/2 connection, then an idle HTTP/1.1 one.
            if let Some(slot) = origin.claim_h2() {
                self.metrics.upstream_connection(&self.spec.name, true);
                return self
                    .send_h2(origin, slot, parts, body, body_len, true)
                    .await;
            }
            if let Some(conn) = origin.take_idle_h1() {
                self.metrics.upstream_connection(&self.spec.name, true);
                return self
                    .send_h1(origin, conn, parts, body, body_len, interim, report)
                    .await;
            }
            // A burst to a cold HTTP/2 origin would open a connection per request: while one
            // is being opened, wait for it (it carries up to max_concurrent_streams).
            if self.spec.protocol == OriginProtocol::H2 {
                let freed = origin.freed();
                let mut notified = std::pin::pin!(freed.notified());
                // Registered before looking, so an opening that ends in between is not missed.
                notified.as_mut().enable();
                if origin.h2_opening() {
                    if tokio::time::timeout_at(deadline, notified).await.is_err() {
                        return Err(Error::new(
                            ErrorKind::OriginTimeout,
                            format!(
                                "{}: the HTTP/2 connection being opened was not ready in time",
                                origin.addr
                            ),
                        ));
                    }
                    continue;
                }
            }
            match origin.permit(deadline).await? {
                Place::New(permit) => break permit,
                // A connection came back to the pool while we waited: look again.
                Place::Freed => {}
            }
        };
        let opening = (self.spec.protocol == OriginProtocol::H2).then(|| origin.opening_h2());
        // Opening is the rare path, and its futures (TCP, TLS, the HTTP/2 handshake) are
        // large: boxed, they do not weigh on every request's future.
        let opened = Box::pin(self.open(origin, permit)).await;
        drop(opening);
        match opened? {
            Opened::H1(conn) => {
                self.send_h1(origin, *conn, parts, body, body_len, interim, report)
                    .await
            }
            Opened::H2(slot) => {
                self.send_h2(origin, slot, parts, body, body_len, false)
                    .await
            }
        }
    }

    /// Opens a connection to `origin` within its limit: an HTTP/1.1 connection, or a stream
    /// on a new HTTP/2 connection added to the pool.
    async fn open(
        &self,
        origin: &Arc<OriginPool>,
        permit: OwnedSemaphorePermit,
    ) -> Result<Opened, Error> {
        let timeouts = self.spec.timeouts;
        let (io, spoken) = connect::connect(
            &origin.addr,
            self.spec.protocol,
            self.spec.tls.as_ref(),
            timeouts.connect,
        )
        .await?;
        self.metrics.upstream_connection(&self.spec.name, false);
        match spoken {
            Spoken::H1 => Ok(Opened::H1(Box::new(h1::H1Conn::new(
                io,
                self.spec.policy.clone(),
                permit,
            )))),
            Spoken::H2 => {
                let shim_report = self.connection_report(&origin.addr);
                let conn = tokio::time::timeout(
                    timeouts.connect,
                    h2::H2Conn::handshake(
                        io,
                        self.spec.policy.clone(),
                        shim_report,
                        self.spec.pool.max_concurrent_streams,
                        permit,
                        origin.freed(),
                        &origin.addr,
                    ),
                )
                .await
                .map_err(|_| {
                    Error::new(
                        ErrorKind::OriginTimeout,
                        format!("HTTP/2 handshake with {}: no answer", origin.addr),
                    )
                    .retryable()
                })??;
                let slot = origin.add_h2(conn).ok_or_else(|| {
                    Error::new(ErrorKind::OriginClosed, "the new HTTP/2 connection closed")
                        .retryable()
                })?;
                Ok(Opened::H2(slot))
            }
        }
    }

    /// Anomalies on a connection shared by many requests go to the metrics and the log with
    /// the origin named, since no single request owns them.
    fn connection_report(&self, addr: &str) -> Report {
        let metrics = self.metrics.clone();
        let cluster = self.spec.name.clone();
        let origin = addr.to_owned();
        Arc::new(move |anomalies| {
            metrics.anomalies(&anomalies);
            for anomaly in &anomalies {
                tracing::info!(cluster, origin, %anomaly, "origin anomaly");
            }
        })
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    async fn send_h1(
        &self,
        origin: &Arc<OriginPool>,
        conn: h1::H1Conn,
        parts: &http::request::Parts,
        body: Body,
        body_len: BodyLen,
        interim: Option<mpsc::Sender<http::response::Parts>>,
        report: Report,
    ) -> Result<Answered, Error> {
        let reused = conn.reused;
        let head = translate::request_to_h1(parts, body_len).map_err(|error| {
            Error::new(
                ErrorKind::ClientMalformed,
                format!("the request cannot be sent over HTTP/1.1: {error}"),
            )
        })?;
        let pool = origin.clone();
        let answer = h1::start(
            conn,
            h1::Exchange {
                head,
                method: RequestMethod::of(parts.method.as_str().as_bytes()),
                body,
                body_len,
                interim,
                report,
            },
            move |conn| pool.put_idle_h1(conn),
        );
        let first_byte = self.spec.timeouts.first_byte;
        let (parts, body) = match tokio::time::timeout(first_byte, answer).await {
            Ok(Ok(answer)) => answer?,
            Ok(Err(_)) => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "the origin exchange ended without an answer",
                ));
            }
            Err(_) => {
                return Err(no_head(origin, first_byte));
            }
        };
        Ok(Answered::new(origin, parts, body, "h1", reused))
    }

    async fn send_h2(
        &self,
        origin: &Arc<OriginPool>,
        slot: h2::StreamSlot,
        parts: &http::request::Parts,
        body: Body,
        body_len: BodyLen,
        reused: bool,
    ) -> Result<Answered, Error> {
        let request = translate::request_to_h2(parts, body_len).map_err(|error| {
            Error::new(
                ErrorKind::ClientMalformed,
                format!("the request cannot be sent over HTTP/2: {error}"),
            )
        })?;
        let first_byte = self.spec.timeouts.first_byte;
        let (parts, body) =
            match tokio::time::timeout(first_byte, h2::H2Conn::send(slot, request, body)).await {
                Ok(answer) => answer?,
                Err(_) => {
                    return Err(no_head(origin, first_byte));
                }
            };
        Ok(Answered::new(origin, parts, body, "h2", reused))
    }
}

/// The origin did not answer within the first-byte timeout.
fn no_head(origin: &OriginPool, first_byte: Duration) -> Error {
    Error::new(
        ErrorKind::OriginTimeout,
        format!("{}: no response head within {first_byte:?}", origin.addr),
    )
}

impl Answered {
    /// A response from `origin`; [`Cluster::send`] fills in the time to its head.
    fn new(
        origin: &OriginPool,
        parts: http::response::Parts,
        body: Body,
        protocol: &'static str,
        reused: bool,
    ) -> Answered {
        Answered {
            parts,
            body,
            origin: origin.addr.clone(),
            protocol,
            reused,
            first_byte: Duration::ZERO,
        }
    }
}

/// A connection just opened, ready for the request.
enum Opened {
    /// Boxed: a connection with its buffers is large, and opening is the rare path.
    H1(Box<h1::H1Conn>),
    H2(h2::StreamSlot),
}

/// Sweeps the cluster's pools until the cluster is dropped.
async fn sweep(cluster: Weak<Cluster>, period: Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(cluster) = cluster.upgrade() else {
            return;
        };
        let (mut idle, mut busy) = (0, 0);
        for origin in &cluster.origins {
            let (i, b) = origin.evict();
            idle += i;
            busy += b;
        }
        cluster.metrics.upstream_pool(
            &cluster.spec.name,
            i64::try_from(idle).unwrap_or(i64::MAX),
            i64::try_from(busy).unwrap_or(i64::MAX),
        );
    }
}

/// RFC 9110 §9.2.2: these may be sent again without changing the outcome.
fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::OPTIONS
            | http::Method::TRACE
            | http::Method::PUT
            | http::Method::DELETE
    )
}
