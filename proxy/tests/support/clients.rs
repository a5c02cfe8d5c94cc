//! Test clients: a byte-exact HTTP/1.1 response reader over raw TCP (independent of the
//! proxy's codec, so it checks the codec rather than agreeing with it), and HTTP/2 helpers over
//! the `h2` crate's client.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// How long any single read may take before the test fails instead of hanging.
pub(crate) const READ_WAIT: Duration = Duration::from_secs(10);

/// A raw HTTP/1.1 connection to `addr`.
pub(crate) async fn connect_h1(addr: SocketAddr) -> (H1Reader<OwnedReadHalf>, OwnedWriteHalf) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (rd, wr) = tcp.into_split();
    (H1Reader::new(rd), wr)
}

/// Sends `request` on a fresh connection and reads the final response (interim ones skipped).
pub(crate) async fn h1_exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let (mut reader, mut wr) = connect_h1(addr).await;
    wr.write_all(request).await.unwrap();
    reader.final_response(request.starts_with(b"HEAD ")).await.1
}

/// A response head.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub(crate) version: String,
    pub(crate) status: u16,
    pub(crate) fields: Vec<(String, String)>,
}

impl Head {
    /// The first value of `name` (case-insensitive).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) head: Head,
    pub(crate) body: Vec<u8>,
    pub(crate) trailers: Vec<(String, String)>,
    /// Whether the body ended as its framing says (not cut by a close).
    pub(crate) complete: bool,
    /// Every byte of the response as received.
    pub(crate) raw: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn status(&self) -> u16 {
        self.head.status
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How a body ended.
#[derive(Debug)]
pub(crate) struct BodyEnd {
    pub(crate) complete: bool,
    pub(crate) trailers: Vec<(String, String)>,
}

/// Reads HTTP/1.1 responses from `rd`.
pub(crate) struct H1Reader<R> {
    rd: R,
    buf: Vec<u8>,
    /// Bytes consumed since the last [`H1Reader::take_raw`].
    raw: Vec<u8>,
    /// Whether `raw` keeps body bytes (not for large bodies).
    keep_body: bool,
}

impl<R: AsyncRead + Unpin> H1Reader<R> {
    pub(crate) fn new(rd: R) -> H1Reader<R> {
        H1Reader {
            rd,
            buf: Vec::new(),
            raw: Vec::new(),
            keep_body: true,
        }
    }

    /// Reads more; `false` at end of stream.
    async fn fill(&mut self) -> bool {
        let mut chunk = vec![0u8; 64 * 1024];
        let n = tokio::time::timeout(READ_WAIT, self.rd.read(&mut chunk))
            .await
            .expect("the proxy sent nothing for 10 s")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    fn consume(&mut self, n: usize, body: bool) -> Vec<u8> {
        let taken: Vec<u8> = self.buf.drain(..n).collect();
        if !body || self.keep_body {
            self.raw.extend_from_slice(&taken);
        }
        taken
    }

    /// One line without its CRLF; `None` at end of stream first.
    async fn line(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line = self.consume(end + 1, false);
                let text = String::from_utf8_lossy(&line).into_owned();
                return Some(
                    text.trim_end_matches('\n')
                        .trim_end_matches('\r')
                        .to_owned(),
                );
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// A response head; `None` when the connection ends first.
    pub(crate) async fn head(&mut self) -> Option<Head> {
        let status_line = self.line().await?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default().to_owned();
        let status = parts
            .next()
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let mut fields = Vec::new();
        loop {
            let line = self.line().await?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("not a field line: {line:?}"));
            fields.push((name.to_owned(), value.trim().to_owned()));
        }
        Some(Head {
            version,
            status,
            fields,
        })
    }

    /// The body of `head` into `sink`.
    pub(crate) async fn body(
        &mut self,
        head: &Head,
        head_request: bool,
        sink: &mut impl FnMut(&[u8]),
    ) -> BodyEnd {
        let done = BodyEnd {
            complete: true,
            trailers: Vec::new(),
        };
        if head_request || head.status < 200 || head.status == 204 || head.status == 304 {
            return done;
        }
        let cut = BodyEnd {
            complete: false,
            trailers: Vec::new(),
        };
        let chunked = head
            .get("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().ends_with("chunked"));
        if chunked {
            loop {
                let Some(size_line) = self.line().await else {
                    return cut;
                };
                let size = size_line.split(';').next().unwrap_or_default().trim();
                let size = usize::from_str_radix(size, 16)
                    .unwrap_or_else(|_| panic!("bad chunk size line {size_line:?}"));
                if size == 0 {
                    let mut trailers = Vec::new();
                    loop {
                        let Some(line) = self.line().await else {
                            return cut;
                        };
                        if line.is_empty() {
                            return BodyEnd {
                                complete: true,
                                trailers,
                            };
                        }
                        let (name, value) = line.split_once(':').unwrap();
                        trailers.push((name.to_owned(), value.trim().to_owned()));
                    }
                }
                if !self.exactly(size, sink).await {
                    return cut;
                }
                match self.line().await {
                    Some(line) if line.is_empty() => {}
                    Some(line) => panic!("chunk data not followed by CRLF: {line:?}"),
                    None => return cut,
                }
            }
        }
        if let Some(length) = head.get("content-length") {
            let length: usize = length.parse().unwrap();
            return if self.exactly(length, sink).await {
                done
            } else {
                cut
            };
        }
        // Delimited by the close.
        loop {
            if !self.buf.is_empty() {
                let n = self.buf.len();
                let data = self.consume(n, true);
                sink(&data);
            }
            if !self.fill().await {
                return done;
            }
        }
    }

    /// Exactly `n` bytes into `sink`; `false` when the stream ends first.
    async fn exactly(&mut self, mut n: usize, sink: &mut impl FnMut(&[u8])) -> bool {
        while n > 0 {
            if self.buf.is_empty() && !self.fill().await {
                return false;
            }
            let take = n.min(self.buf.len());
            let data = self.consume(take, true);
            sink(&data);
            n -= take;
        }
        true
    }

    /// The next response, interim or final, read whole. Panics when the connection ends before
    /// a head.
    pub(crate) async fn response(&mut self, head_request: bool) -> RawResponse {
        self.raw.clear();
        let head = self
            .head()
            .await
            .expect("the connection closed before a response");
        let mut body = Vec::new();
        let end = self
            .body(&head, head_request, &mut |data| {
                body.extend_from_slice(data)
            })
            .await;
        RawResponse {
            head,
            body,
            trailers: end.trailers,
            complete: end.complete,
            raw: std::mem::take(&mut self.raw),
        }
    }

    /// The interim heads, then the final response.
    pub(crate) async fn final_response(&mut self, head_request: bool) -> (Vec<Head>, RawResponse) {
        let mut interim = Vec::new();
        loop {
            let response = self.response(head_request).await;
            if (100..200).contains(&response.head.status) {
                interim.push(response.head);
            } else {
                return (interim, response);
            }
        }
    }

    /// Large bodies: stop keeping body bytes in `raw`.
    pub(crate) fn discard_body_bytes(&mut self) {
        self.keep_body = false;
    }

    /// Whether the peer closes within `wait` without sending anything more.
    pub(crate) async fn closes_within(&mut self, wait: Duration) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        let mut chunk = [0u8; 1024];
        match tokio::time::timeout(wait, self.rd.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(_)) | Err(_) => false,
        }
    }

    /// Every byte until the peer closes (at most `READ_WAIT` per read).
    pub(crate) async fn read_to_close(&mut self) -> Vec<u8> {
        while self.fill().await {}
        std::mem::take(&mut self.buf)
    }
}

/// Writes `pieces` and counts the bytes in `sent` as they go.
pub(crate) async fn write_counted(
    wr: &mut OwnedWriteHalf,
    pieces: impl Iterator<Item = Bytes>,
    chunked: bool,
    sent: &AtomicU64,
) {
    for data in pieces {
        if chunked {
            wr.write_all(format!("{:x}\r\n", data.len()).as_bytes())
                .await
                .unwrap();
        }
        wr.write_all(&data).await.unwrap();
        if chunked {
            wr.write_all(b"\r\n").await.unwrap();
        }
        sent.fetch_add(data.len() as u64, Ordering::SeqCst);
    }
    if chunked {
        wr.write_all(b"0\r\n\r\n").await.unwrap();
    }
}

/// An HTTP/2 (prior knowledge) connection to `addr`; its driver runs until the last handle
/// is dropped.
pub(crate) async fn connect_h2(addr: SocketAddr) -> h2::client::SendRequest<Bytes> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(1024 * 1024)
        .initial_connection_window_size(4 * 1024 * 1024)
        .handshake::<_, Bytes>(tcp)
        .await
        .unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    send
}

/// A request for `path` on the proxy at `addr`, for the `h2` client.
pub(crate) fn h2_request(method: &str, addr: SocketAddr, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
}

/// An HTTP/2 response read whole, or how its stream failed.
#[derive(Debug)]
pub(crate) struct H2Response {
    pub(crate) parts: http::response::Parts,
    pub(crate) body: Vec<u8>,
    pub(crate) trailers: Option<HeaderMap>,
    /// The stream's error when the body did not end cleanly.
    pub(crate) error: Option<h2::Error>,
}

impl H2Response {
    pub(crate) fn status(&self) -> u16 {
        self.parts.status.as_u16()
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` with `body` (and `trailers`) and reads the whole response.
pub(crate) async fn h2_exchange(
    send: &h2::client::SendRequest<Bytes>,
    request: Request<()>,
    body: Option<Bytes>,
    trailers: Option<HeaderMap>,
) -> H2Response {
    let mut send = send.clone().ready().await.unwrap();
    let end = body.is_none() && trailers.is_none();
    let (response, mut stream) = send.send_request(request, end).unwrap();
    if let Some(body) = body {
        send_all(&mut stream, std::iter::once(body), None).await;
    }
    match trailers {
        Some(trailers) => stream.send_trailers(trailers).unwrap(),
        None if !end => stream.send_data(Bytes::new(), true).unwrap(),
        None => {}
    }
    let response = tokio::time::timeout(READ_WAIT, response)
        .await
        .expect("no response head within 10 s")
        .unwrap();
    read_h2(response).await
}

/// Reads a response's body and trailers whole.
pub(crate) async fn read_h2(response: http::Response<h2::RecvStream>) -> H2Response {
    let (parts, mut recv) = response.into_parts();
    let mut body = Vec::new();
    let end = read_h2_body(&mut recv, &mut |data| body.extend_from_slice(data)).await;
    let (trailers, error) = match end {
        Ok(trailers) => (trailers, None),
        Err(error) => (None, Some(error)),
    };
    H2Response {
        parts,
        body,
        trailers,
        error,
    }
}

/// Streams a body into `sink`, giving flow-control credit back per DATA frame as the `h2`
/// crate's users do (about two WINDOW_UPDATE frames per frame once the window is drained,
/// which the proxy's guard must let through); the trailers.
pub(crate) async fn read_h2_body(
    recv: &mut h2::RecvStream,
    sink: &mut impl FnMut(&[u8]),
) -> Result<Option<HeaderMap>, h2::Error> {
    loop {
        let next = tokio::time::timeout(READ_WAIT, recv.data())
            .await
            .expect("no body data within 10 s");
        match next {
            Some(Ok(data)) => {
                sink(&data);
                let _ = recv.flow_control().release_capacity(data.len());
            }
            Some(Err(error)) => return Err(error),
            None => break,
        }
    }
    tokio::time::timeout(READ_WAIT, recv.trailers())
        .await
        .expect("no trailers or end within 10 s")
}

/// Sends `pieces` within the peer's window (not ending the stream), counting into `sent`.
pub(crate) async fn send_all(
    stream: &mut h2::SendStream<Bytes>,
    pieces: impl Iterator<Item = Bytes>,
    sent: Option<&AtomicU64>,
) {
    for mut data in pieces {
        while !data.is_empty() {
            stream.reserve_capacity(data.len());
            let granted = tokio::time::timeout(READ_WAIT, poll_fn(|cx| stream.poll_capacity(cx)))
                .await
                .expect("no window from the proxy within 10 s")
                .expect("the stream closed while sending")
                .unwrap();
            if granted == 0 {
                continue;
            }
            let piece = data.split_to(granted.min(data.len()));
            let len = piece.len() as u64;
            stream.send_data(piece, false).unwrap();
            if let Some(sent) = sent {
                sent.fetch_add(len, Ordering::SeqCst);
            }
        }
    }
}
