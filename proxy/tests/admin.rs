//! The admin listener on loopback, driven with raw bytes: routes, health, keep-alive, refusals,
//! the connection bound and shutdown.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tollgate_proxy::admin::{self, AdminState, MAX_CONNECTIONS};
use tollgate_proxy::metrics::Metrics;

/// Bound on every wait of a test: far above loopback latencies, far below a hung test.
const WAIT: Duration = Duration::from_secs(5);

struct Admin {
    addr: SocketAddr,
    state: Arc<AdminState>,
    stop: watch::Sender<bool>,
    served: JoinHandle<io::Result<()>>,
}

async fn start() -> Admin {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AdminState::new(Arc::new(Metrics::new()));
    let (stop, shutdown) = watch::channel(false);
    let served = tokio::spawn(admin::serve(listener, Arc::clone(&state), shutdown));
    Admin {
        addr,
        state,
        stop,
        served,
    }
}

impl Admin {
    async fn client(&self) -> Client {
        Client {
            stream: TcpStream::connect(self.addr).await.unwrap(),
            buf: Vec::new(),
        }
    }

    /// Flips shutdown and waits for `serve` to return.
    async fn stop(self) {
        self.stop.send(true).unwrap();
        let served = timeout(WAIT, self.served)
            .await
            .expect("serve did not return");
        served.unwrap().unwrap();
    }
}

#[derive(Debug)]
struct Response {
    status_line: String,
    fields: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn status(&self) -> u16 {
        self.status_line[9..12].parse().unwrap()
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

struct Client {
    stream: TcpStream,
    /// Bytes read past the last response.
    buf: Vec<u8>,
}

impl Client {
    async fn send(&mut self, bytes: &[u8]) {
        timeout(WAIT, self.stream.write_all(bytes))
            .await
            .unwrap()
            .unwrap();
    }

    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 8192];
        let n = timeout(WAIT, self.stream.read(&mut chunk))
            .await
            .expect("no answer in time")
            .unwrap();
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// Reads one response; `head_only` for an answer to HEAD (its length has no body).
    async fn response(&mut self, head_only: bool) -> Response {
        let end = loop {
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            assert!(self.fill().await > 0, "closed before a whole head");
        };
        let head = String::from_utf8(self.buf.drain(..end).collect()).unwrap();
        let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
        let status_line = lines.next().unwrap().to_owned();
        let fields: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(": ").unwrap();
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let mut response = Response {
            status_line,
            fields,
            body: Vec::new(),
        };
        let length: usize = response.field("content-length").unwrap().parse().unwrap();
        if !head_only {
            while self.buf.len() < length {
                assert!(self.fill().await > 0, "closed before the whole body");
            }
            response.body = self.buf.drain(..length).collect();
        }
        response
    }

    async fn get(&mut self, method: &str, path: &str) -> Response {
        let request = format!("{method} {path} HTTP/1.1\r\nHost: admin\r\n\r\n");
        self.send(request.as_bytes()).await;
        self.response(method == "HEAD").await
    }

    /// Reads until the server closes; what arrived meanwhile.
    async fn until_closed(&mut self) -> Vec<u8> {
        while self.fill().await > 0 {}
        std::mem::take(&mut self.buf)
    }
}

/// The value of the sample line `series` (name and labels exactly as exposed).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn metrics_are_served_in_the_text_format() {
    let admin = start().await;
    admin.state.metrics.config_reload(true);
    admin.state.metrics.config_reload(true);
    let mut client = admin.client().await;
    let response = client.get("GET", "/metrics").await;
    assert_eq!(response.status_line, "HTTP/1.1 200 OK");
    assert_eq!(
        response.field("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let text = response.text();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        sample(
            text,
            &format!("tollgate_build_info{{version=\"{version}\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(text, "tollgate_config_reloads_total{result=\"ok\"}"),
        Some(2.0)
    );
    // The body is what `encode` gives at that moment.
    assert_eq!(text, admin.state.metrics.encode());
    admin.stop().await;
}

#[tokio::test]
async fn healthz_goes_from_starting_to_ok_to_draining_on_one_connection() {
    let admin = start().await;
    let mut client = admin.client().await;

    let starting = client.get("GET", "/healthz").await;
    assert_eq!(starting.status_line, "HTTP/1.1 503 Service Unavailable");
    assert_eq!(starting.text(), "starting\n");

    admin.state.set_ready();
    let ok = client.get("GET", "/healthz").await;
    assert_eq!(ok.status_line, "HTTP/1.1 200 OK");
    assert_eq!(ok.text(), "ok\n");
    assert_eq!(ok.field("connection"), None);

    admin.state.set_draining();
    let draining = client.get("GET", "/healthz").await;
    assert_eq!(draining.status(), 503);
    assert_eq!(draining.text(), "draining\n");
    admin.stop().await;
}

#[tokio::test]
async fn head_answers_with_the_length_and_no_body() {
    let admin = start().await;
    admin.state.set_ready();
    let mut client = admin.client().await;
    let head = client.get("HEAD", "/healthz").await;
    assert_eq!(head.status_line, "HTTP/1.1 200 OK");
    assert_eq!(head.field("content-length"), Some("3"));
    let head = client.get("HEAD", "/metrics").await;
    assert_eq!(head.status(), 200);
    let length: usize = head.field("content-length").unwrap().parse().unwrap();
    assert!(length > 0);
    // Had a body followed either head, this response would not start where it is read.
    let next = client.get("GET", "/healthz").await;
    assert_eq!(next.text(), "ok\n");
    admin.stop().await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405_with_allow() {
    let admin = start().await;
    let mut client = admin.client().await;
    let missing = client.get("GET", "/nope").await;
    assert_eq!(missing.status_line, "HTTP/1.1 404 Not Found");

    // A body is read and thrown away; the connection stays usable.
    client
        .send(b"POST /metrics HTTP/1.1\r\nHost: admin\r\nContent-Length: 5\r\n\r\nhello")
        .await;
    let post = client.response(false).await;
    assert_eq!(post.status_line, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(post.field("allow"), Some("GET, HEAD"));
    assert_eq!(post.field("connection"), None);

    client
        .send(b"DELETE /healthz HTTP/1.1\r\nHost: admin\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        .await;
    assert_eq!(client.response(false).await.status(), 405);

    let after = client.get("GET", "/metrics?name=x").await;
    assert_eq!(after.status(), 200);
    admin.stop().await;
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let admin = start().await;
    admin.state.set_ready();
    let mut client = admin.client().await;
    client
        .send(b"GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\nGET /nope HTTP/1.1\r\nHost: admin\r\n\r\n")
        .await;
    assert_eq!(client.response(false).await.text(), "ok\n");
    assert_eq!(client.response(false).await.status(), 404);
    admin.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_the_codecs_status_and_a_close() {
    let admin = start().await;
    let cases: [(&[u8], &str); 4] = [
        (b"GET /metrics HTTP/1.1\r\nHost: admin\r\nno colon here\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        // Folded lines are rejected by the strict policy.
        (b"GET /metrics HTTP/1.1\r\nHost: admin\r\nX-A: 1\r\n folded\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"GET /metrics HTTP/1.1\r\nHost: admin\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"GET /metrics HTTP/3.0\r\nHost: admin\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"),
    ];
    for (request, status_line) in cases {
        let mut client = admin.client().await;
        client.send(request).await;
        let response = client.response(false).await;
        assert_eq!(response.status_line, status_line, "{request:?}");
        assert_eq!(response.field("connection"), Some("close"));
        assert!(client.until_closed().await.is_empty());
    }

    // A request line past the limit: 414, and the bytes the server never read do not turn the
    // close into a reset that would lose the answer.
    let mut client = admin.client().await;
    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: admin\r\n\r\n",
        "a".repeat(40_000)
    );
    client.send(long.as_bytes()).await;
    let response = client.response(false).await;
    assert_eq!(response.status_line, "HTTP/1.1 414 URI Too Long");
    admin.stop().await;
}

#[tokio::test]
async fn http10_closes_unless_kept_alive() {
    let admin = start().await;
    admin.state.set_ready();
    let mut client = admin.client().await;
    client.send(b"GET /healthz HTTP/1.0\r\n\r\n").await;
    let response = client.response(false).await;
    assert_eq!(response.field("connection"), Some("close"));
    assert!(client.until_closed().await.is_empty());

    let mut client = admin.client().await;
    client
        .send(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .await;
    let response = client.response(false).await;
    assert_eq!(response.field("connection"), Some("keep-alive"));
    client.send(b"GET /nope HTTP/1.0\r\n\r\n").await;
    assert_eq!(client.response(false).await.status(), 404);
    admin.stop().await;
}

#[tokio::test]
async fn connections_past_the_bound_wait_for_a_free_slot() {
    let admin = start().await;
    admin.state.set_ready();
    let mut held = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        let mut client = admin.client().await;
        assert_eq!(client.get("GET", "/healthz").await.status(), 200);
        held.push(client);
    }
    let mut waiting = admin.client().await;
    waiting
        .send(b"GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\n")
        .await;
    let mut byte = [0u8; 1];
    let early = timeout(Duration::from_millis(300), waiting.stream.read(&mut byte)).await;
    assert!(early.is_err(), "answered past the bound: {early:?}");

    drop(held.pop());
    assert_eq!(waiting.response(false).await.text(), "ok\n");
    admin.stop().await;
}

#[tokio::test]
async fn shutdown_closes_idle_connections_finishes_requests_under_way_and_returns() {
    let admin = start().await;
    admin.state.set_ready();
    let mut idle = admin.client().await;
    assert_eq!(idle.get("GET", "/healthz").await.status(), 200);
    let mut busy = admin.client().await;
    assert_eq!(busy.get("GET", "/healthz").await.status(), 200);
    // Half a request: it is under way when shutdown comes.
    busy.send(b"GET /healthz HTTP/1.1\r\nHost: ad").await;
    // Time for the server to read it (it cannot be observed from here).
    tokio::time::sleep(Duration::from_millis(300)).await;

    admin.stop.send(true).unwrap();
    assert!(idle.until_closed().await.is_empty());
    busy.send(b"min\r\n\r\n").await;
    let response = busy.response(false).await;
    assert_eq!(response.text(), "ok\n");
    assert_eq!(response.field("connection"), Some("close"));
    assert!(busy.until_closed().await.is_empty());

    timeout(WAIT, admin.served)
        .await
        .expect("serve did not return")
        .unwrap()
        .unwrap();
    // The listener is gone.
    assert!(TcpStream::connect(admin.addr).await.is_err());
}

#[tokio::test]
async fn a_dropped_shutdown_sender_stops_serve() {
    let admin = start().await;
    drop(admin.stop);
    timeout(WAIT, admin.served)
        .await
        .expect("serve did not return")
        .unwrap()
        .unwrap();
}
