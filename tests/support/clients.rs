//! Clients: real ones (curl, nghttp, h2load, wrk) run as commands with bounded work, and two
//! raw ones over std's blocking sockets for what a real client hides: a keep-alive connection
//! reused across a reload, and the frames (GOAWAY) of an HTTP/2 connection during a drain.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use tollgate_codecs::h2::hpack;

use super::TempDir;

/// Per-read limit of the raw clients: far above any answer in these tests, so only a hang
/// trips it.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// An answer as a client saw it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// Lowercase names; the last value of a repeated field.
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
    /// The HTTP version curl used ("1.1", "2"); empty for the raw clients.
    pub(crate) version: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// Runs `curl ARGS URL` with a 20 s cap and returns what it got; panics with curl's stderr
/// when it fails (connection refused, TLS error).
pub(crate) fn curl(args: &[&str], url: &str) -> Answer {
    let dir = TempDir::new();
    let body = dir.join("body");
    let headers = dir.join("headers");
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "20"])
        .arg("--output")
        .arg(&body)
        .arg("--dump-header")
        .arg(&headers)
        .args(["--write-out", "%{http_code} %{http_version}"])
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "curl {args:?} {url}: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8(output.stdout).unwrap();
    let (status, version) = out.split_once(' ').unwrap();
    let head = std::fs::read_to_string(&headers).unwrap();
    Answer {
        status: status.parse().unwrap(),
        headers: head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect(),
        body: std::fs::read(&body).unwrap_or_default(),
        version: version.to_owned(),
    }
}

/// One HTTP/1.1 connection, kept alive across requests.
pub(crate) struct H1Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl H1Conn {
    pub(crate) fn connect(addr: SocketAddr) -> H1Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        H1Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Sends `GET path` with `Host: host` and reads the answer.
    pub(crate) fn get(&mut self, host: &str, path: &str) -> Answer {
        self.send(host, path);
        self.read_answer()
    }

    /// Sends a request without waiting for its answer.
    pub(crate) fn send(&mut self, host: &str, path: &str) {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: e2e\r\n\r\n");
        self.stream.write_all(request.as_bytes()).unwrap();
    }

    /// Reads one answer (content-length, chunked, or until close).
    pub(crate) fn read_answer(&mut self) -> Answer {
        let end = loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                break end;
            }
            assert!(self.fill() > 0, "connection closed before a response head");
        };
        let head = String::from_utf8(self.buf[..end].to_vec()).unwrap();
        self.buf.drain(..end + 4);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let body = if let Some(len) = headers.get("content-length") {
            let len: usize = len.parse().unwrap();
            self.take(len)
        } else if headers
            .get("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
        {
            self.chunked()
        } else {
            while self.fill() > 0 {}
            std::mem::take(&mut self.buf)
        };
        Answer {
            status,
            headers,
            body,
            version: String::new(),
        }
    }

    /// Whether the peer closed the connection (reads EOF within `limit`).
    pub(crate) fn closed_within(&mut self, limit: Duration) -> bool {
        self.stream.set_read_timeout(Some(limit)).unwrap();
        let mut byte = [0u8; 1];
        let closed = matches!(self.stream.read(&mut byte), Ok(0) | Err(_))
            && !matches!(self.stream.read(&mut byte), Ok(n) if n > 0);
        self.stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        closed
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk).unwrap();
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    fn take(&mut self, len: usize) -> Vec<u8> {
        while self.buf.len() < len {
            assert!(self.fill() > 0, "connection closed inside a body");
        }
        self.buf.drain(..len).collect()
    }

    fn line(&mut self) -> String {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n") {
                let line = String::from_utf8(self.buf[..end].to_vec()).unwrap();
                self.buf.drain(..end + 2);
                return line;
            }
            assert!(self.fill() > 0, "connection closed inside chunked framing");
        }
    }

    fn chunked(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let size_line = self.line();
            let size =
                usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap();
            if size == 0 {
                // Trailers, up to the empty line.
                while !self.line().is_empty() {}
                return body;
            }
            body.extend(self.take(size));
            assert_eq!(self.line(), "", "chunk not followed by CRLF");
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// What a raw HTTP/2 connection saw of one stream and of the connection.
#[derive(Debug, Default)]
pub(crate) struct H2Seen {
    pub(crate) status: Option<u16>,
    pub(crate) body: Vec<u8>,
    /// The stream ended with END_STREAM (not reset, not cut).
    pub(crate) complete: bool,
    /// Every GOAWAY: (last stream id, error code).
    pub(crate) goaways: Vec<(u32, u32)>,
    /// RST_STREAM error code for the stream, if it was reset.
    pub(crate) reset: Option<u32>,
}

/// A minimal HTTP/2 client over a blocking socket: prior knowledge, one request, every frame
/// of the connection observed. Windows are opened wide at the start so it never has to
/// send WINDOW_UPDATE.
pub(crate) struct H2Raw {
    stream: TcpStream,
    buf: Vec<u8>,
    decoder: hpack::Decoder,
}

const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const ACK: u8 = 0x1;

impl H2Raw {
    pub(crate) fn connect(addr: SocketAddr) -> H2Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let mut raw = H2Raw {
            stream,
            buf: Vec::new(),
            decoder: hpack::Decoder::new(),
        };
        raw.stream
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .unwrap();
        // SETTINGS_INITIAL_WINDOW_SIZE = 2^31-1, then the connection window to the same.
        let mut settings = Vec::new();
        settings.extend_from_slice(&0x4u16.to_be_bytes());
        settings.extend_from_slice(&0x7fff_ffffu32.to_be_bytes());
        raw.frame(SETTINGS, 0, 0, &settings);
        raw.frame(0x8, 0, 0, &(0x7fff_ffffu32 - 65_535).to_be_bytes());
        raw
    }

    /// Sends `GET path` on stream `id` with END_STREAM.
    pub(crate) fn get(&mut self, id: u32, authority: &str, path: &str) {
        let mut block = Vec::new();
        for (name, value) in [
            (":method", "GET"),
            (":scheme", "http"),
            (":authority", authority),
            (":path", path),
        ] {
            // Literal without indexing, new name, no Huffman (RFC 7541 §6.2.2).
            block.push(0);
            for part in [name, value] {
                let len = u8::try_from(part.len()).unwrap();
                assert!(len < 127, "a field this long needs a multi-byte length");
                block.push(len);
                block.extend_from_slice(part.as_bytes());
            }
        }
        self.frame(HEADERS, END_STREAM | END_HEADERS, id, &block);
    }

    /// Reads frames until stream `id` ends (or is reset) and, when `until_goaway`, at least
    /// one GOAWAY was seen too; answers SETTINGS and PING as a client must.
    pub(crate) fn follow(&mut self, id: u32, until_goaway: bool) -> H2Seen {
        let mut seen = H2Seen::default();
        let mut block = Vec::new();
        while !(seen.complete || seen.reset.is_some()) || (until_goaway && seen.goaways.is_empty())
        {
            let Some((kind, flags, stream, payload)) = self.read_frame() else {
                break;
            };
            match kind {
                SETTINGS if flags & ACK == 0 => self.frame(SETTINGS, ACK, 0, &[]),
                PING if flags & ACK == 0 => self.frame(PING, ACK, 0, &payload),
                GOAWAY => {
                    let last = u32::from_be_bytes(payload[0..4].try_into().unwrap()) & 0x7fff_ffff;
                    let code = u32::from_be_bytes(payload[4..8].try_into().unwrap());
                    seen.goaways.push((last, code));
                }
                HEADERS | CONTINUATION if stream == id => {
                    let fragment = if kind == HEADERS {
                        strip_padding(flags, &payload, true)
                    } else {
                        payload.clone()
                    };
                    block.extend_from_slice(&fragment);
                    if flags & END_HEADERS != 0 {
                        let decoded = self.decoder.decode(&block).unwrap();
                        for field in decoded.iter() {
                            if field.name() == b":status" {
                                let text = std::str::from_utf8(field.value()).unwrap();
                                seen.status = Some(text.parse().unwrap());
                            }
                        }
                        block.clear();
                    }
                    if flags & END_STREAM != 0 {
                        seen.complete = true;
                    }
                }
                DATA if stream == id => {
                    seen.body
                        .extend_from_slice(&strip_padding(flags, &payload, false));
                    if flags & END_STREAM != 0 {
                        seen.complete = true;
                    }
                }
                RST_STREAM if stream == id => {
                    seen.reset = Some(u32::from_be_bytes(payload[0..4].try_into().unwrap()));
                }
                _ => {}
            }
        }
        seen
    }

    /// Whether the server closed the connection within `limit` (frames before EOF are read
    /// and dropped, PINGs answered).
    pub(crate) fn closed_within(&mut self, limit: Duration) -> bool {
        self.stream.set_read_timeout(Some(limit)).unwrap();
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            match self.read_frame() {
                None => return true,
                Some((PING, flags, _, payload)) if flags & ACK == 0 => {
                    self.frame(PING, ACK, 0, &payload);
                }
                Some(_) => {}
            }
        }
        false
    }

    fn frame(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let len = u32::try_from(payload.len()).unwrap();
        let mut frame = Vec::with_capacity(9 + payload.len());
        frame.extend_from_slice(&len.to_be_bytes()[1..]);
        frame.push(kind);
        frame.push(flags);
        frame.extend_from_slice(&stream.to_be_bytes());
        frame.extend_from_slice(payload);
        // The server may already have closed: the caller's assertions say what that means.
        let _ = self.stream.write_all(&frame);
    }

    /// The next frame, or `None` at EOF, on a read error or timeout.
    fn read_frame(&mut self) -> Option<(u8, u8, u32, Vec<u8>)> {
        while self.buf.len() < 9 || self.buf.len() < 9 + frame_len(&self.buf) {
            let mut chunk = [0u8; 64 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
        let len = frame_len(&self.buf);
        let kind = self.buf[3];
        let flags = self.buf[4];
        let stream = u32::from_be_bytes(self.buf[5..9].try_into().unwrap()) & 0x7fff_ffff;
        let payload = self.buf[9..9 + len].to_vec();
        self.buf.drain(..9 + len);
        Some((kind, flags, stream, payload))
    }
}

fn frame_len(buf: &[u8]) -> usize {
    usize::from(buf[0]) << 16 | usize::from(buf[1]) << 8 | usize::from(buf[2])
}

/// A DATA or HEADERS payload without its padding (and, for HEADERS, the priority fields).
fn strip_padding(flags: u8, payload: &[u8], headers: bool) -> Vec<u8> {
    let mut body = payload;
    let mut pad = 0;
    if flags & 0x8 != 0 {
        pad = usize::from(body[0]);
        body = &body[1..];
    }
    if headers && flags & 0x20 != 0 {
        body = &body[5..];
    }
    body[..body.len() - pad].to_vec()
}

/// A plain `GET` over a fresh connection (admin endpoints, spot checks).
pub(crate) fn get(addr: SocketAddr, path: &str) -> Answer {
    let mut conn = H1Conn::connect(addr);
    conn.get("localhost", path)
}

/// Tries to connect for up to `limit`; true once a connection is refused.
pub(crate) fn refused_within(addr: SocketAddr, limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => return true,
            _ if std::time::Instant::now() >= deadline => return false,
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
