//! Test origins on 127.0.0.1 with OS-chosen ports: a hyper server (HTTP/1.1, or HTTP/2 with
//! prior knowledge) serving a small fixed application, and raw TCP origins that write exact
//! bytes. Both count the connections they accept and see close, and stop when dropped.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::bodies;

/// What an origin speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Speaks {
    H1,
    H2,
}

/// One request as the origin received it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    /// Which accepted connection (0, 1, ...) carried it.
    pub(crate) conn: usize,
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) version: http::Version,
    pub(crate) headers: HeaderMap,
}

/// What an origin observed.
#[derive(Default)]
pub(crate) struct Stats {
    /// Connections accepted.
    pub(crate) accepted: AtomicUsize,
    /// Connections that ended (closed by either side).
    pub(crate) closed: AtomicUsize,
    /// Bytes of generated bodies handed to the server to write.
    pub(crate) generated: AtomicU64,
    /// Requests being handled now, and the most at once.
    in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
    /// Every request head, in arrival order.
    pub(crate) seen: Mutex<Vec<Seen>>,
    /// Request trailers received by `/echo`.
    pub(crate) trailers: Mutex<Vec<HeaderMap>>,
}

impl Stats {
    pub(crate) fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub(crate) fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub(crate) fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().unwrap()
    }

    /// Waits (at most 5 s) until `cond` holds; whether it did.
    pub(crate) async fn wait_for(&self, cond: impl Fn(&Stats) -> bool) -> bool {
        for _ in 0..500 {
            if cond(self) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cond(self)
    }
}

/// A running origin; stops (and drops every connection) when dropped.
pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    pub(crate) stats: Arc<Stats>,
    task: JoinHandle<()>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Origin {
    /// `host:port` for a cluster's `origins`.
    pub(crate) fn authority(&self) -> String {
        self.addr.to_string()
    }
}

/// The body type of the application.
pub(crate) type AppBody = BoxBody<Bytes, io::Error>;

/// A hyper origin serving [`app`].
pub(crate) async fn hyper(speaks: Speaks) -> Origin {
    accept_loop(move |tcp, stats, conn| async move {
        let service = service_fn(move |request| {
            let stats = stats.clone();
            async move { Ok::<_, Infallible>(app(request, stats, conn).await) }
        });
        let io = TokioIo::new(tcp);
        // A connection ending in an error (the proxy went away mid-body) is what some tests
        // provoke; the count of closed connections is what they look at.
        let _ = match speaks {
            Speaks::H1 => http1::Builder::new().serve_connection(io, service).await,
            Speaks::H2 => {
                http2::Builder::new(TokioExecutor::new())
                    .serve_connection(io, service)
                    .await
            }
        };
    })
    .await
}

/// A raw origin: `handler` gets each accepted connection.
pub(crate) async fn raw<F, Fut>(handler: F) -> Origin
where
    F: Fn(TcpStream, Arc<Stats>, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    accept_loop(handler).await
}

async fn accept_loop<F, Fut>(handler: F) -> Origin
where
    F: Fn(TcpStream, Arc<Stats>, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let task_stats = stats.clone();
    let task = tokio::spawn(async move {
        // Owned by this task: aborting it drops the set, which aborts every connection.
        let mut connections = JoinSet::new();
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let _ = tcp.set_nodelay(true);
            let conn = task_stats.accepted.fetch_add(1, Ordering::SeqCst);
            let stats = task_stats.clone();
            let serve = handler(tcp, stats.clone(), conn);
            connections.spawn(async move {
                serve.await;
                stats.closed.fetch_add(1, Ordering::SeqCst);
            });
            // Reap finished connections so the set does not grow without bound.
            while connections.try_join_next().is_some() {}
        }
    });
    Origin { addr, stats, task }
}

/// Counts a request as in flight while alive.
struct InFlight(Arc<Stats>);

impl InFlight {
    fn new(stats: &Arc<Stats>) -> InFlight {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The application every hyper origin serves:
///
/// - `/echo`: the request body streamed back as it arrives (trailers included);
/// - `/bytes/N`: N bytes of the test pattern, produced only as fast as the server writes;
/// - `/delay/MS`: `delayed` after MS milliseconds;
/// - `/status/CODE`: an empty answer with that status;
/// - `/trailers`: `hello` then the trailer `x-checksum: 5d41402a`;
/// - `/stall`: announces 1000 bytes, sends 100, then nothing;
/// - anything else: `ok`.
///
/// Every answer carries `x-origin-conn` (the connection's number) and two `set-cookie`s.
async fn app(request: Request<Incoming>, stats: Arc<Stats>, conn: usize) -> Response<AppBody> {
    let (parts, body) = request.into_parts();
    stats.seen.lock().unwrap().push(Seen {
        conn,
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        version: parts.version,
        headers: parts.headers.clone(),
    });
    let path = parts.uri.path().to_owned();
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let first = segments.next().unwrap_or_default();
    let arg = segments.next().unwrap_or_default();
    let (status, body): (StatusCode, AppBody) = match first {
        "echo" => (
            StatusCode::OK,
            Echo {
                inner: body,
                stats: stats.clone(),
            }
            .boxed(),
        ),
        "bytes" => {
            let total = arg.parse().unwrap();
            let generated = Generated {
                total,
                offset: 0,
                stats: stats.clone(),
            };
            (StatusCode::OK, generated.boxed())
        }
        "delay" => {
            let _flight = InFlight::new(&stats);
            tokio::time::sleep(Duration::from_millis(arg.parse().unwrap())).await;
            (StatusCode::OK, full("delayed"))
        }
        "status" => (
            StatusCode::from_u16(arg.parse().unwrap()).unwrap(),
            http_body_util::Empty::new().map_err(never).boxed(),
        ),
        "trailers" => {
            let mut trailers = HeaderMap::new();
            trailers.insert("x-checksum", HeaderValue::from_static("5d41402a"));
            let frames = [
                Frame::data(Bytes::from_static(b"hello")),
                Frame::trailers(trailers),
            ];
            (StatusCode::OK, Frames(frames.into()).boxed())
        }
        "stall" => (StatusCode::OK, Stall { sent: false }.boxed()),
        _ => (StatusCode::OK, full("ok")),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert("x-origin-conn", HeaderValue::from(conn));
    headers.append("set-cookie", HeaderValue::from_static("a=1"));
    headers.append("set-cookie", HeaderValue::from_static("b=2"));
    if first == "stall" {
        headers.insert("content-length", HeaderValue::from_static("1000"));
    }
    response
}

fn never(never: Infallible) -> io::Error {
    match never {}
}

fn full(text: &'static str) -> AppBody {
    http_body_util::Full::new(Bytes::from_static(text.as_bytes()))
        .map_err(never)
        .boxed()
}

/// Frames handed out in order, one per poll.
struct Frames(std::collections::VecDeque<Frame<Bytes>>);

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(self.get_mut().0.pop_front().map(Ok))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }
}

/// The request body streamed back; trailers are recorded and passed on.
struct Echo {
    inner: Incoming,
    stats: Arc<Stats>,
}

impl http_body::Body for Echo {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(trailers) = frame.trailers_ref() {
                    this.stats.trailers.lock().unwrap().push(trailers.clone());
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(error)) => Poll::Ready(Some(Err(io::Error::other(error)))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The test pattern, one piece per poll: the server polls only when it can write, so
/// `Stats::generated` says how far the reader downstream let it get.
struct Generated {
    total: u64,
    offset: u64,
    stats: Arc<Stats>,
}

impl http_body::Body for Generated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.offset >= this.total {
            return Poll::Ready(None);
        }
        let len = usize::try_from((this.total - this.offset).min(bodies::PIECE as u64)).unwrap();
        let data = bodies::piece(this.offset, len);
        this.offset += len as u64;
        this.stats.generated.fetch_add(len as u64, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.offset >= self.total
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.total - self.offset)
    }
}

/// 100 bytes, then silence.
struct Stall {
    sent: bool,
}

impl http_body::Body for Stall {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.sent {
            return Poll::Pending;
        }
        this.sent = true;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b's'; 100])))))
    }
}

/// Reads one request head (through the blank line) from a raw origin's connection; `None` at
/// a clean close. Bodies are not read: raw origins are sent bodiless requests.
pub(crate) async fn read_head(tcp: &mut TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = buf.windows(4).position(|window| window == b"\r\n\r\n") {
            let head: Vec<u8> = buf.drain(..end + 4).collect();
            return Some(String::from_utf8(head).unwrap());
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
