//! The client side: listeners, connections, and one module per protocol spoken to clients.

mod h1;
mod h2;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_util::task::TaskTracker;
use tollgate_codecs::{Anomaly, Policy};
use tollgate_translators::Scheme;

use crate::error::{Error, ErrorKind};
use crate::forward::Forwarder;
use crate::h2::Report;
use crate::io::{BoxIo, Prefixed};
use crate::metrics::{Metrics, Proto};
use crate::upstream::Answered;

/// The HTTP/2 connection preface (RFC 9113 §3.4), which tells prior-knowledge HTTP/2 apart
/// from an HTTP/1 request on a cleartext listener.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Limits toward a listener's clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimits {
    /// Connections open at once; further clients wait in the accept backlog.
    pub max_connections: usize,
    /// To complete the TLS handshake and the first request head.
    pub header_read_timeout: Duration,
    /// Longest quiet time on a connection between requests or within a body.
    pub idle_timeout: Duration,
}

/// One listener, resolved from the configuration.
pub struct ListenerSpec {
    /// Its name, in logs and metrics.
    pub name: String,
    /// Where it listens.
    pub addr: SocketAddr,
    /// TLS, with ALPN offering the enabled protocols.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// HTTP/1.1 is served.
    pub h1: bool,
    /// HTTP/2 is served (ALPN `h2` on TLS, the preface on cleartext).
    pub h2: bool,
    /// Limits toward clients.
    pub limits: ClientLimits,
}

/// What every connection of the process shares.
pub(crate) struct Shared {
    pub(crate) forwarder: Forwarder,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) client_policy: Arc<Policy>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) tracker: TaskTracker,
}

/// One client connection's context.
pub(crate) struct Conn {
    pub(crate) shared: Arc<Shared>,
    pub(crate) listener: Arc<str>,
    pub(crate) peer: SocketAddr,
    pub(crate) scheme: Scheme,
    pub(crate) limits: ClientLimits,
}

/// Accepts connections on `listener` until shutdown.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    spec: Arc<ListenerSpec>,
    shared: Arc<Shared>,
) {
    let slots = Arc::new(Semaphore::new(spec.limits.max_connections.max(1)));
    let acceptor = spec.tls.clone().map(TlsAcceptor::from);
    let name: Arc<str> = Arc::from(spec.name.as_str());
    let mut shutdown = shared.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = shutdown.changed() => return,
        };
        let Ok(slot) = slot else { return };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!(listener = %name, %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let conn = Arc::new(Conn {
            shared: shared.clone(),
            listener: name.clone(),
            peer,
            scheme: if acceptor.is_some() {
                Scheme::Https
            } else {
                Scheme::Http
            },
            limits: spec.limits,
        });
        let acceptor = acceptor.clone();
        let spec = spec.clone();
        shared.tracker.spawn(async move {
            serve_connection(tcp, acceptor, &spec, conn).await;
            drop(slot);
        });
    }
}

/// Picks the protocol (ALPN, or the preface on cleartext) and serves the connection.
async fn serve_connection(
    tcp: TcpStream,
    acceptor: Option<TlsAcceptor>,
    spec: &ListenerSpec,
    conn: Arc<Conn>,
) {
    let wait = conn.limits.header_read_timeout;
    if let Some(acceptor) = acceptor {
        let tls = match tokio::time::timeout(wait, acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(error)) => {
                tracing::debug!(listener = %conn.listener, peer = %conn.peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(listener = %conn.listener, peer = %conn.peer, "TLS handshake timed out");
                return;
            }
        };
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        if h2 && spec.h2 {
            serve_h2(Box::new(tls), conn).await;
        } else if spec.h1 {
            serve_h1(Box::new(tls), BytesMut::new(), conn).await;
        }
        return;
    }
    let mut tcp = tcp;
    let mut buf = BytesMut::with_capacity(16 * 1024);
    if spec.h2 {
        // Read until the bytes can no longer be the preface, or are all of it.
        while buf.len() < PREFACE.len() && PREFACE.starts_with(&buf) {
            match tokio::time::timeout(wait, tcp.read_buf(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => {
                    if buf.is_empty() {
                        return;
                    }
                    break;
                }
                Ok(Ok(_)) => {}
            }
        }
        if buf.starts_with(PREFACE) {
            serve_h2(Box::new(Prefixed::new(buf.freeze(), tcp)), conn).await;
            return;
        }
    }
    if spec.h1 {
        serve_h1(Box::new(tcp), buf, conn).await;
    }
}

async fn serve_h1(io: BoxIo, buf: BytesMut, conn: Arc<Conn>) {
    let _open = conn
        .shared
        .metrics
        .client_connection_opened(&conn.listener, Proto::H1);
    h1::serve(io, buf, conn).await;
}

async fn serve_h2(io: BoxIo, conn: Arc<Conn>) {
    let _open = conn
        .shared
        .metrics
        .client_connection_opened(&conn.listener, Proto::H2);
    h2::serve(io, conn).await;
}

/// One request's record, for the access log and the metrics.
pub(crate) struct Exchange {
    started: Instant,
    client: Proto,
    /// Whether the access log is on: the request's description is kept only for it.
    logged: bool,
    method: String,
    authority: String,
    path: String,
    status: Option<u16>,
    bytes_out: u64,
    upstream: Option<(String, Proto)>,
    /// Anomaly ids for the access log, from both sides (the origin side reports from its own
    /// task).
    anomalies: Option<Arc<Mutex<Vec<&'static str>>>>,
}

impl Exchange {
    pub(crate) fn new(client: Proto, started: Instant) -> Exchange {
        let logged = tracing::enabled!(target: crate::log::ACCESS_TARGET, tracing::Level::INFO);
        Exchange {
            started,
            client,
            logged,
            method: String::new(),
            authority: String::new(),
            path: String::new(),
            status: None,
            bytes_out: 0,
            upstream: None,
            anomalies: logged.then(|| Arc::new(Mutex::new(Vec::new()))),
        }
    }

    /// Records the request line of an HTTP/1 request.
    pub(crate) fn describe_h1(&mut self, head: &tollgate_codecs::h1::RequestHead) {
        if !self.logged {
            return;
        }
        self.method = String::from_utf8_lossy(head.method()).into_owned();
        self.path = String::from_utf8_lossy(head.target()).into_owned();
        self.authority = head
            .fields()
            .get("host")
            .map(|host| String::from_utf8_lossy(host).into_owned())
            .unwrap_or_default();
    }

    /// Records the request of the neutral form.
    pub(crate) fn describe(&mut self, parts: &http::request::Parts) {
        if !self.logged {
            return;
        }
        self.method = parts.method.to_string();
        self.authority = parts
            .uri
            .authority()
            .map(ToString::to_string)
            .unwrap_or_default();
        self.path = parts
            .uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default();
    }

    /// Counts and records anomalies met on the client side.
    pub(crate) fn anomalies(&mut self, conn: &Conn, anomalies: Vec<Anomaly>) {
        if anomalies.is_empty() {
            return;
        }
        conn.shared.metrics.anomalies(&anomalies);
        if let Some(list) = &self.anomalies {
            let mut list = list.lock().unwrap_or_else(PoisonError::into_inner);
            list.extend(anomalies.iter().map(Anomaly::id));
        }
    }

    /// Where the origin side reports anomalies of this request.
    pub(crate) fn reporter(&self, conn: &Conn) -> Report {
        let metrics = conn.shared.metrics.clone();
        let list = self.anomalies.clone();
        Arc::new(move |anomalies: Vec<Anomaly>| {
            metrics.anomalies(&anomalies);
            if let Some(list) = &list {
                list.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(anomalies.iter().map(Anomaly::id));
            }
        })
    }

    pub(crate) fn upstream(&mut self, answered: &Answered) {
        let proto = if answered.protocol == "h2" {
            Proto::H2
        } else {
            Proto::H1
        };
        let origin = if self.logged {
            answered.origin.clone()
        } else {
            String::new()
        };
        self.upstream = Some((origin, proto));
    }

    pub(crate) fn status(&mut self, status: u16) {
        self.status = Some(status);
    }

    pub(crate) fn bytes_out(&mut self, bytes: u64) {
        self.bytes_out = bytes;
    }

    /// The client went away while its answer was being written.
    pub(crate) fn client_gone(self, conn: &Conn) {
        let error = Error::new(ErrorKind::ClientGone, "the client closed the connection");
        self.finish_error(conn, &error);
    }

    /// The request was answered in full.
    pub(crate) fn finish_ok(self, conn: &Conn) {
        self.log(conn, None);
    }

    /// The request failed; `error` says why and whose fault it was.
    pub(crate) fn finish_error(mut self, conn: &Conn, error: &Error) {
        if self.status.is_none() {
            self.status = error.status().map(|status| status.as_u16());
        }
        conn.shared
            .metrics
            .error(error.blame(), error.kind().as_str());
        self.log(conn, Some(error));
    }

    fn log(self, conn: &Conn, error: Option<&Error>) {
        let duration = self.started.elapsed();
        let status = self.status.unwrap_or(0);
        conn.shared.metrics.request_done(
            self.client,
            self.upstream.as_ref().map(|(_, proto)| *proto),
            status,
            duration,
        );
        if !self.logged {
            return;
        }
        let proto = format!(
            "{}>{}",
            self.client.as_str(),
            self.upstream
                .as_ref()
                .map_or("-", |(_, proto)| proto.as_str())
        );
        let anomalies = self.anomalies.as_ref().map_or_else(String::new, |list| {
            list.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .join(",")
        });
        tracing::info!(
            target: crate::log::ACCESS_TARGET,
            listener = %conn.listener,
            client = %conn.peer,
            proto,
            method = self.method,
            authority = self.authority,
            path = self.path,
            status,
            bytes_out = self.bytes_out,
            duration_ms = duration.as_secs_f64() * 1000.0,
            upstream = self.upstream.as_ref().map_or("-", |(origin, _)| origin.as_str()),
            blame = error.map_or("-", |error| error.blame().as_str()),
            reason = error.map_or_else(String::new, |error| error.to_string()),
            anomalies,
        );
    }
}
