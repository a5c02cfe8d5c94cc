//! The admin listener: a small HTTP/1.1 server for scrapers and orchestrators.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /metrics` | 200, [`Metrics::encode`] as `text/plain; version=0.0.4` |
//! | `GET /healthz` | 200 `ok` when ready and not draining; 503 `starting` or `draining` |
//! | `HEAD` on either | the same head, no body |
//! | another path | 404 |
//! | another method on a known path | 405 with `Allow: GET, HEAD` |
//!
//! It speaks through our own codec, with the strict policy toward clients: a request the
//! proxy would refuse is refused here too, with the status the codec's error names, and the
//! connection closed. Connections are kept alive between requests. Each request must arrive
//! whole within [`REQUEST_TIMEOUT`] of the previous answer (or of the connection's start), and
//! at most [`MAX_CONNECTIONS`] connections are served at once; more wait in the kernel's
//! accept queue, so a stuck scraper cannot take the admin port away from the orchestrator.
//!
//! When the shutdown signal flips to true, [`serve`] stops accepting, closes connections that
//! wait between requests, lets requests under way finish (answered with `Connection: close`),
//! and returns once every connection is done.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout, timeout_at};
use tollgate_codecs::h1::{
    BodyFraming, Persistence, RequestDecoder, RequestEvent, RequestHead, ResponseHead, TargetForm,
    Version, WireAnswer, canonical_reason, encode_response_head,
};
use tollgate_codecs::{Policy, Preset, Side};

use crate::metrics::{CONTENT_TYPE, Metrics};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;

/// How long a request may take to arrive, counted from the previous answer: long enough for a
/// scraper on a loaded host, short enough that idle or trickling connections free their slot.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an answer may take to be written before the connection is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request body read (and thrown away): no route takes one, but a client may send
/// one, and answering before reading it would make its unread bytes reset the connection.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// How long to keep reading after a closing answer so that the client's unread bytes do not
/// turn the close into a reset that destroys the answer; bounded in time and bytes.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 64 * 1024;

/// The pause after an accept error that is not the peer's doing (out of file descriptors,
/// memory): retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the admin listener reports on.
#[derive(Debug)]
pub struct AdminState {
    /// The metrics `GET /metrics` renders.
    pub metrics: Arc<Metrics>,
    ready: AtomicBool,
    draining: AtomicBool,
}

/// The answer of `/healthz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Health {
    /// Not every listener is bound yet.
    Starting,
    /// Serving.
    Ready,
    /// Shutting down: finishing what is under way, taking nothing new.
    Draining,
}

impl Health {
    /// `"starting"`, `"ok"` or `"draining"`: the body of `/healthz`, without its newline.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Starting => "starting",
            Health::Ready => "ok",
            Health::Draining => "draining",
        }
    }
}

impl AdminState {
    /// Starting: neither ready nor draining.
    pub fn new(metrics: Arc<Metrics>) -> Arc<AdminState> {
        Arc::new(AdminState {
            metrics,
            ready: AtomicBool::new(false),
            draining: AtomicBool::new(false),
        })
    }

    /// Every listener is bound: `/healthz` answers 200 (unless draining).
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Shutting down: `/healthz` answers 503 from now on, so load balancers stop sending.
    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    /// What `/healthz` answers now. Draining wins over ready.
    pub fn health(&self) -> Health {
        if self.draining.load(Ordering::Acquire) {
            Health::Draining
        } else if self.ready.load(Ordering::Acquire) {
            Health::Ready
        } else {
            Health::Starting
        }
    }
}

/// Serves the admin routes on `listener` until `shutdown` is true (or its sender is dropped:
/// nobody is left to ask), then waits for the requests under way.
///
/// # Errors
///
/// When the listener itself is unusable (accept reports `InvalidInput`: the socket does not
/// listen). Errors of single connections, and resource shortages, are logged and survived.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AdminState>,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let policy = Arc::new(Policy::preset(Preset::Strict));
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    let result = loop {
        let permit = tokio::select! {
            biased;
            () = shutdown_requested(&mut shutdown) => break Ok(()),
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed; should it be, nothing more can be served.
                Err(_) => break Ok(()),
            },
        };
        let accepted = tokio::select! {
            biased;
            () = shutdown_requested(&mut shutdown) => break Ok(()),
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let connection = Connection {
                    stream,
                    peer,
                    state: Arc::clone(&state),
                    decoder: RequestDecoder::new(Arc::clone(&policy), Side::Client),
                    buf: BytesMut::with_capacity(1024),
                    shutdown: shutdown.clone(),
                    _permit: permit,
                };
                connections.spawn(connection.run());
            }
            Err(error) if is_peer_error(&error) => {
                tracing::debug!(%error, "admin: accept failed for one connection");
            }
            Err(error) if error.kind() == io::ErrorKind::InvalidInput => break Err(error),
            Err(error) => {
                tracing::warn!(%error, "admin: accept failed; retrying shortly");
                tokio::select! {
                    biased;
                    () = shutdown_requested(&mut shutdown) => break Ok(()),
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                }
            }
        }
        // Reaps finished connections so the set holds only live ones.
        while connections.try_join_next().is_some() {}
    };
    drop(listener);
    while let Some(joined) = connections.join_next().await {
        if let Err(error) = joined {
            tracing::error!(%error, "admin: a connection task failed");
        }
    }
    result
}

/// Returns once shutdown is asked for, or can no longer be (the sender is gone).
async fn shutdown_requested(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns holds the channel's lock: drop it at once.
    drop(shutdown.wait_for(|stop| *stop).await);
}

/// Accept errors caused by one peer (it reset before we took the connection).
fn is_peer_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// One admin connection.
struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    state: Arc<AdminState>,
    decoder: RequestDecoder,
    buf: BytesMut,
    shutdown: watch::Receiver<bool>,
    /// Held for the connection's life: its slot among [`MAX_CONNECTIONS`].
    _permit: OwnedSemaphorePermit,
}

/// What came of waiting for a request.
enum Received {
    /// A whole request, its body read and thrown away (or, when `body_unread`, left unread).
    Request {
        head: RequestHead,
        keep_alive: bool,
        body_unread: bool,
    },
    /// Answer this status and close.
    Refused(u16),
    /// Close without an answer: the peer left, was idle too long, or we are shutting down.
    Close,
}

impl Connection {
    async fn run(mut self) {
        loop {
            let deadline = Instant::now() + REQUEST_TIMEOUT;
            let (reply, head_only, close, http10) = match self.receive(deadline).await {
                Received::Request {
                    head,
                    keep_alive,
                    body_unread,
                } => {
                    let reply = route(&self.state, &head);
                    let stopping = *self.shutdown.borrow();
                    let close = !keep_alive || body_unread || stopping;
                    let http10 = head.version() == Version::Http10;
                    (reply, head.method_is("HEAD"), close, http10)
                }
                Received::Refused(status) => {
                    let reason = canonical_reason(status).to_ascii_lowercase();
                    (
                        Reply::text(status, &format!("{reason}\n")),
                        false,
                        true,
                        false,
                    )
                }
                Received::Close => return,
            };
            let Some(bytes) = reply.encode(head_only, close, http10) else {
                return;
            };
            let written = timeout(WRITE_TIMEOUT, self.stream.write_all(&bytes)).await;
            match written {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::debug!(peer = %self.peer, %error, "admin: write failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(peer = %self.peer, "admin: write timed out");
                    return;
                }
            }
            if close {
                self.linger().await;
                return;
            }
            // An upgrade offer was not taken: go on reading requests.
            self.decoder.resume();
        }
    }

    /// Reads the next request and its body, within `deadline`.
    async fn receive(&mut self, deadline: Instant) -> Received {
        let request = loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(RequestEvent::Head(request))) => break request,
                // Only heads come between messages.
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => return refused(error.wire_answer()),
            }
            // Between requests (nothing of the next one arrived), a shutdown closes at once.
            let idle = self.buf.is_empty();
            match self.read(deadline, idle).await {
                Read::Data => {}
                Read::Eof => {
                    return match self.decoder.decode_eof(&mut self.buf) {
                        // A whole head was already handed out by `decode`; what is left at
                        // the close is nothing or stray line endings.
                        Ok(_) => Received::Close,
                        Err(error) => refused(error.wire_answer()),
                    };
                }
                Read::TimedOut if !idle => return Received::Refused(408),
                Read::TimedOut | Read::Failed | Read::Shutdown => return Received::Close,
            }
        };
        let keep_alive = request.persistence == Persistence::KeepAlive;
        let has_body = request.body != BodyFraming::Empty && request.body != BodyFraming::Length(0);
        // Answering first saves a client that waits for 100-continue from sending the body;
        // the connection closes since its framing is then unknown.
        let too_large = matches!(request.body, BodyFraming::Length(n) if n > MAX_BODY_BYTES);
        if has_body && (request.expects_continue || too_large) {
            if too_large {
                return Received::Refused(413);
            }
            return Received::Request {
                head: request.head,
                keep_alive,
                body_unread: true,
            };
        }
        match self.discard_body(deadline).await {
            Ok(()) => Received::Request {
                head: request.head,
                keep_alive,
                body_unread: false,
            },
            Err(received) => received,
        }
    }

    /// Reads the body to its end and throws it away, up to [`MAX_BODY_BYTES`].
    async fn discard_body(&mut self, deadline: Instant) -> Result<(), Received> {
        let mut seen: u64 = 0;
        loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(RequestEvent::End)) => return Ok(()),
                Ok(Some(RequestEvent::Data(data))) => {
                    seen = seen.saturating_add(data.len() as u64);
                    if seen > MAX_BODY_BYTES {
                        return Err(Received::Refused(413));
                    }
                    continue;
                }
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => return Err(refused(error.wire_answer())),
            }
            match self.read(deadline, false).await {
                Read::Data => {}
                Read::Eof => {
                    // The body ended with the connection: nobody is left to answer.
                    return Err(match self.decoder.decode_eof(&mut self.buf) {
                        Err(error) => refused(error.wire_answer()),
                        Ok(_) => Received::Close,
                    });
                }
                Read::TimedOut => return Err(Received::Refused(408)),
                Read::Failed | Read::Shutdown => return Err(Received::Close),
            }
        }
    }

    /// One read into the buffer, before `deadline`; while `idle`, a shutdown ends the wait.
    async fn read(&mut self, deadline: Instant, idle: bool) -> Read {
        let read = tokio::select! {
            biased;
            () = shutdown_requested(&mut self.shutdown), if idle => return Read::Shutdown,
            read = timeout_at(deadline, self.stream.read_buf(&mut self.buf)) => read,
        };
        match read {
            Err(_) => Read::TimedOut,
            Ok(Ok(0)) => Read::Eof,
            Ok(Ok(_)) => Read::Data,
            Ok(Err(error)) => {
                tracing::debug!(peer = %self.peer, %error, "admin: read failed");
                Read::Failed
            }
        }
    }

    /// After a closing answer: half-close, then drain what the client still sends for a
    /// moment, so that our close is a FIN it reads after the answer rather than a reset.
    async fn linger(&mut self) {
        if self.stream.shutdown().await.is_err() {
            return;
        }
        let deadline = Instant::now() + LINGER;
        let mut drained = 0;
        let mut scratch = [0u8; 4096];
        while drained < LINGER_BYTES {
            match timeout_at(deadline, self.stream.read(&mut scratch)).await {
                Ok(Ok(n)) if n > 0 => drained += n,
                _ => return,
            }
        }
    }
}

/// What one read gave.
enum Read {
    Data,
    Eof,
    TimedOut,
    Failed,
    Shutdown,
}

fn refused(answer: WireAnswer) -> Received {
    match answer {
        WireAnswer::Status(status) => Received::Refused(status),
        WireAnswer::Close => Received::Close,
    }
}

/// An answer, before encoding.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    /// Whether to send `Allow` (on 405).
    allow: bool,
}

const TEXT: &str = "text/plain; charset=utf-8";

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: TEXT,
            body: body.to_owned(),
            allow: false,
        }
    }

    /// The answer's bytes: head (and body unless `head_only`). `close` adds
    /// `Connection: close`; a kept-alive HTTP/1.0 client is told `Connection: keep-alive`.
    /// `None` when the head cannot be built, which closes the connection unanswered.
    fn encode(&self, head_only: bool, close: bool, http10: bool) -> Option<BytesMut> {
        let length = self.body.len().to_string();
        let mut fields: Vec<(&str, &str)> = vec![
            ("content-type", self.content_type),
            ("content-length", &length),
            ("cache-control", "no-store"),
        ];
        if self.allow {
            fields.push(("allow", "GET, HEAD"));
        }
        if close {
            fields.push(("connection", "close"));
        } else if http10 {
            fields.push(("connection", "keep-alive"));
        }
        let reason = canonical_reason(self.status);
        let mut out = BytesMut::with_capacity(128 + self.body.len());
        match ResponseHead::new(Version::Http11, self.status, reason.as_bytes(), fields) {
            Ok(head) => encode_response_head(&head, &mut out),
            // Every part is a constant or digits: a refusal here is our bug, and closing
            // beats sending a broken head.
            Err(error) => {
                tracing::error!(%error, status = self.status, "admin: answer not encodable");
                return None;
            }
        }
        if !head_only {
            out.extend_from_slice(self.body.as_bytes());
        }
        Some(out)
    }
}

/// The answer to `head`.
fn route(state: &AdminState, head: &RequestHead) -> Reply {
    let path = path_of(head);
    let resource = match path {
        b"/metrics" => Resource::Metrics,
        b"/healthz" => Resource::Health,
        _ => return Reply::text(404, "not found\n"),
    };
    if !(head.method_is("GET") || head.method_is("HEAD")) {
        return Reply {
            allow: true,
            ..Reply::text(405, "method not allowed\n")
        };
    }
    match resource {
        Resource::Metrics => Reply {
            status: 200,
            content_type: CONTENT_TYPE,
            body: state.metrics.encode(),
            allow: false,
        },
        Resource::Health => {
            let health = state.health();
            let status = if health == Health::Ready { 200 } else { 503 };
            Reply::text(status, &format!("{}\n", health.as_str()))
        }
    }
}

enum Resource {
    Metrics,
    Health,
}

/// The path of the request target, without its query; empty for targets without one
/// (authority and asterisk forms), which no route matches.
fn path_of(head: &RequestHead) -> &[u8] {
    let target = head.target();
    let path_and_query = match head.target_form() {
        TargetForm::Origin => target,
        TargetForm::Absolute => {
            let after_scheme = target
                .windows(3)
                .position(|w| w == b"://")
                .map_or(target, |at| &target[at + 3..]);
            match after_scheme.iter().position(|b| *b == b'/') {
                Some(at) => &after_scheme[at..],
                None => b"/",
            }
        }
        TargetForm::Authority | TargetForm::Asterisk => return b"",
    };
    match path_and_query.iter().position(|b| *b == b'?') {
        Some(at) => &path_and_query[..at],
        None => path_and_query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: &str, target: &str) -> RequestHead {
        RequestHead::new(
            method.as_bytes(),
            target.as_bytes(),
            Version::Http11,
            [("host", "admin")],
        )
        .unwrap()
    }

    #[test]
    fn paths_lose_their_query_and_absolute_form_its_authority() {
        assert_eq!(path_of(&head("GET", "/metrics?x=1")), b"/metrics");
        assert_eq!(
            path_of(&head("GET", "http://admin:9000/healthz")),
            b"/healthz"
        );
        assert_eq!(path_of(&head("GET", "http://admin:9000")), b"/");
        assert_eq!(path_of(&head("OPTIONS", "*")), b"");
    }

    #[test]
    fn health_follows_ready_then_draining() {
        let state = AdminState::new(Arc::new(Metrics::new()));
        assert_eq!(state.health(), Health::Starting);
        state.set_ready();
        assert_eq!(state.health(), Health::Ready);
        state.set_draining();
        assert_eq!(state.health(), Health::Draining);
    }

    #[test]
    fn routes_answer_by_path_then_method() {
        let state = AdminState::new(Arc::new(Metrics::new()));
        assert_eq!(route(&state, &head("GET", "/nope")).status, 404);
        assert_eq!(route(&state, &head("POST", "/nope")).status, 404);
        let post = route(&state, &head("POST", "/healthz"));
        assert_eq!((post.status, post.allow), (405, true));
        assert_eq!(route(&state, &head("GET", "/healthz")).body, "starting\n");
        let metrics = route(&state, &head("GET", "/metrics"));
        assert_eq!(metrics.content_type, "text/plain; version=0.0.4");
        assert!(metrics.body.contains("# TYPE tollgate_build_info gauge\n"));
    }

    #[test]
    fn a_head_answer_keeps_the_length_and_drops_the_body() {
        let reply = Reply::text(200, "ok\n");
        let full = reply.encode(false, false, false).unwrap();
        let head_only = reply.encode(true, true, false).unwrap();
        assert!(full.ends_with(b"\r\n\r\nok\n"));
        assert!(head_only.ends_with(
            b"content-length: 3\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
        ));
        let http10 = reply.encode(false, false, true).unwrap();
        assert!(
            http10
                .windows(24)
                .any(|w| w == b"connection: keep-alive\r\n")
        );
    }

    #[test]
    fn an_answer_the_codec_cannot_encode_is_not_sent() {
        assert_eq!(Reply::text(1000, "x\n").encode(false, true, false), None);
    }
}
