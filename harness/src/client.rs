//! The scripted client: sends a case's request through the subject, reads the answer, then
//! sends the follow-up on the same connection to detect desync.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tollgate_codecs::h1::{Persistence, RequestMethod, ResponseDecoder, ResponseEvent};
use tollgate_codecs::{Policy, Preset, Side};

use crate::case::{Client, ClientRequest, Protocol};
use crate::origin::CLEAN_BODY;
use crate::verdict::{FollowUp, Response};

/// How long the client waits for more once an answer is due to be complete: a closing
/// connection shows within it, on loopback.
const SETTLE: Duration = Duration::from_millis(200);

/// The path of the follow-up request.
pub const FOLLOW_UP_PATH: &str = "/follow-up";
/// The host of the follow-up request: always the same, so that a case's conditions on what
/// the origin received are not tripped by the harness's own request.
pub const FOLLOW_UP_HOST: &str = "origin.test";

/// What the client saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The final response to the case's request.
    pub response: Option<Response>,
    /// Every byte received (HTTP/1).
    pub received: Vec<u8>,
    /// Methods of the requests sent, the follow-up's included.
    pub methods: Vec<String>,
    /// The connection was closed after the answer.
    pub closed: bool,
    /// The stream was reset (HTTP/2).
    pub reset: bool,
    /// The follow-up's fate.
    pub follow_up: Option<FollowUp>,
}

/// Why a client could not play its part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The harness cannot send this request yet (an HTTP/2 request the `h2` crate refuses to
    /// write, such as a CR or LF in a field value): the case is skipped, not failed.
    Unsendable(String),
    /// The exchange failed: the subject cannot be reached, or answered something that is not
    /// HTTP at all.
    Failed(String),
}

/// Plays `client` against `addr`.
///
/// # Errors
///
/// A [`ClientError`] saying whether the harness or the subject stopped the exchange.
pub async fn play(client: &Client, addr: SocketAddr) -> Result<Seen, ClientError> {
    match client.protocol {
        Protocol::H1 => h1(client, addr).await.map_err(ClientError::Failed),
        Protocol::H2 => h2(client, addr).await,
    }
}

fn host_of(request: &ClientRequest) -> String {
    match request {
        ClientRequest::Structured { headers, .. } => headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("host") || name == ":authority")
            .map_or_else(|| "origin.test".to_owned(), |(_, value)| value.clone()),
        ClientRequest::Raw(bytes) => String::from_utf8_lossy(bytes)
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("host")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "origin.test".to_owned()),
    }
}

/// The bytes and method of an HTTP/1 request.
fn h1_bytes(request: &ClientRequest) -> (Vec<u8>, String) {
    match request {
        ClientRequest::Raw(bytes) => {
            let method = bytes
                .split(|b| *b == b' ')
                .next()
                .map(|method| String::from_utf8_lossy(method).into_owned())
                .unwrap_or_default();
            (bytes.clone(), method)
        }
        ClientRequest::Structured {
            method,
            path,
            headers,
            body,
        } => {
            let mut out = format!("{method} {path} HTTP/1.1\r\n").into_bytes();
            for (name, value) in headers {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            let framed = headers.iter().any(|(name, _)| {
                name.eq_ignore_ascii_case("content-length")
                    || name.eq_ignore_ascii_case("transfer-encoding")
            });
            if !body.is_empty() && !framed {
                out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(body);
            (out, method.clone())
        }
    }
}

/// Reads one response (after any 1xx) off an HTTP/1 connection.
struct H1Reader {
    stream: TcpStream,
    decoder: ResponseDecoder,
    buf: BytesMut,
    received: Vec<u8>,
    eof: bool,
    /// The last response's head said the connection closes after it.
    closing: bool,
}

enum Read {
    /// A whole response.
    Complete(Response),
    /// A head and part of the body, then the connection closed.
    Cut(Response),
    /// Nothing, and the connection closed.
    Closed,
}

impl H1Reader {
    async fn response(&mut self, method: &str) -> Result<Read, String> {
        self.decoder
            .expect_response(RequestMethod::of(method.as_bytes()));
        let mut response: Option<Response> = None;
        loop {
            let event = if self.eof {
                self.decoder.decode_eof(&mut self.buf)
            } else {
                self.decoder.decode(&mut self.buf)
            };
            match event {
                Ok(Some(ResponseEvent::Head(head))) => {
                    self.closing = head.persistence == Persistence::Close;
                    response = Some(Response {
                        status: head.head.status(),
                        headers: head
                            .head
                            .fields()
                            .iter()
                            .map(|field| {
                                (
                                    String::from_utf8_lossy(field.name).to_ascii_lowercase(),
                                    field.value.to_vec(),
                                )
                            })
                            .collect(),
                        body: Vec::new(),
                        complete: false,
                    });
                }
                Ok(Some(ResponseEvent::Data(data))) => {
                    if let Some(response) = &mut response {
                        response.body.extend_from_slice(&data);
                    }
                }
                Ok(Some(ResponseEvent::End)) => {
                    if let Some(response) = &mut response {
                        response.complete = true;
                    }
                    return Ok(response.map_or(Read::Closed, Read::Complete));
                }
                Ok(Some(_)) => {}
                Ok(None) if self.eof => return Ok(response.map_or(Read::Closed, Read::Cut)),
                Ok(None) => self.read().await?,
                Err(error) => {
                    return match response {
                        Some(response) => Ok(Read::Cut(response)),
                        None if self.received.is_empty() => Ok(Read::Closed),
                        None => Err(format!("the answer is not HTTP/1: {error}")),
                    };
                }
            }
        }
    }

    async fn read(&mut self) -> Result<(), String> {
        self.buf.reserve(16 * 1024);
        let before = self.buf.len();
        match self.stream.read_buf(&mut self.buf).await {
            Ok(0) | Err(_) => self.eof = true,
            Ok(_) => {
                if let Some(read) = self.buf.get(before..) {
                    self.received.extend_from_slice(read);
                }
            }
        }
        Ok(())
    }

    /// Waits up to [`SETTLE`] for the connection to close or for stray bytes.
    async fn settle(&mut self) -> Result<(), String> {
        if self.eof || !self.buf.is_empty() {
            return Ok(());
        }
        let _ = tokio::time::timeout(SETTLE, self.read()).await;
        Ok(())
    }
}

async fn h1(client: &Client, addr: SocketAddr) -> Result<Seen, String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|error| format!("cannot connect to the subject at {addr}: {error}"))?;
    let _ = stream.set_nodelay(true);
    let (bytes, method) = h1_bytes(&client.request);
    // A subject may close before reading it all (it refused the request): not an error.
    let _ = stream.write_all(&bytes).await;
    let mut reader = H1Reader {
        stream,
        decoder: ResponseDecoder::new(Arc::new(Policy::preset(Preset::Lenient)), Side::Origin),
        buf: BytesMut::new(),
        received: Vec::new(),
        eof: false,
        closing: false,
    };
    let mut seen = Seen {
        methods: vec![method.clone()],
        ..Seen::default()
    };
    let complete = match reader.response(&method).await? {
        Read::Complete(response) => {
            seen.response = Some(response);
            true
        }
        Read::Cut(response) => {
            seen.response = Some(response);
            false
        }
        Read::Closed => false,
    };
    reader.settle().await?;
    // After a response that ends its connection (Connection: close, HTTP/1.0, or framing
    // the decoder had to repair) no follow-up is due: the connection should close.
    if complete && client.follow_up && !reader.eof && !reader.closing {
        if !reader.buf.is_empty() {
            seen.follow_up = Some(FollowUp::Early);
        } else {
            let request =
                format!("GET {FOLLOW_UP_PATH} HTTP/1.1\r\nHost: {FOLLOW_UP_HOST}\r\n\r\n");
            if reader.stream.write_all(request.as_bytes()).await.is_ok() {
                seen.methods.push("GET".to_owned());
                seen.follow_up = Some(match reader.response("GET").await? {
                    Read::Complete(answer) if answer.status == 200 && answer.body == CLEAN_BODY => {
                        FollowUp::Clean
                    }
                    Read::Complete(answer) | Read::Cut(answer) if answer.status >= 500 => {
                        FollowUp::Refused(answer.status)
                    }
                    Read::Complete(answer) | Read::Cut(answer) => FollowUp::Wrong(format!(
                        "{} with a {}-byte body",
                        answer.status,
                        answer.body.len()
                    )),
                    // Closed after all: not a desync, the connection was not reusable.
                    Read::Closed => FollowUp::NotSent,
                });
            }
        }
    }
    reader.settle().await?;
    seen.closed = reader.eof;
    seen.received = reader.received;
    Ok(seen)
}

async fn h2(client: &Client, addr: SocketAddr) -> Result<Seen, ClientError> {
    let ClientRequest::Structured {
        method,
        path,
        headers,
        body,
    } = &client.request
    else {
        return Err(ClientError::Unsendable(
            "an HTTP/2 client sends structured requests only".to_owned(),
        ));
    };
    let tcp = TcpStream::connect(addr).await.map_err(|error| {
        ClientError::Failed(format!("cannot connect to the subject at {addr}: {error}"))
    })?;
    let (send, connection) = ::h2::client::handshake(tcp).await.map_err(|error| {
        ClientError::Failed(format!("HTTP/2 handshake with the subject failed: {error}"))
    })?;
    let driver = tokio::spawn(connection);
    let host = host_of(&client.request);
    let mut seen = Seen {
        methods: vec![method.clone()],
        ..Seen::default()
    };
    let mut builder = http::Request::builder()
        .method(method.as_str())
        .uri(format!("http://{host}{path}"));
    for (name, value) in headers {
        // Host and the pseudo-header fields are the URI's (h2 writes them from it).
        if !name.eq_ignore_ascii_case("host") && !name.starts_with(':') {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let request = builder.body(()).map_err(|error| {
        ClientError::Unsendable(format!(
            "the harness's HTTP/2 client cannot send this request ({error}); raw HTTP/2 \
             requests are not written yet"
        ))
    })?;
    match exchange_h2(&send, request, Bytes::from(body.clone())).await {
        Ok((response, reset)) => {
            seen.response = Some(response);
            seen.reset = reset;
        }
        Err(H2Fail::Reset) => seen.reset = true,
        Err(H2Fail::Connection) => {}
        Err(H2Fail::Refused(why)) => {
            return Err(ClientError::Unsendable(format!(
                "the harness's HTTP/2 client will not send this request ({why}); raw HTTP/2 \
                 requests are not written yet"
            )));
        }
    }
    if seen.response.is_some() && client.follow_up {
        let follow = http::Request::get(format!("http://{FOLLOW_UP_HOST}{FOLLOW_UP_PATH}"))
            .body(())
            .map_err(|error| ClientError::Failed(error.to_string()))?;
        seen.methods.push("GET".to_owned());
        seen.follow_up = Some(match exchange_h2(&send, follow, Bytes::new()).await {
            Ok((answer, _)) if answer.status == 200 && answer.body == CLEAN_BODY => FollowUp::Clean,
            Ok((answer, _)) if answer.status >= 500 => FollowUp::Refused(answer.status),
            Ok((answer, _)) => FollowUp::Wrong(format!(
                "{} with a {}-byte body",
                answer.status,
                answer.body.len()
            )),
            Err(_) => FollowUp::NotSent,
        });
    }
    drop(send);
    seen.closed = tokio::time::timeout(SETTLE, driver).await.is_ok();
    Ok(seen)
}

/// Why an HTTP/2 exchange produced no response.
enum H2Fail {
    /// The stream was reset.
    Reset,
    /// The connection failed.
    Connection,
    /// `h2` refused to send the request (a field it will not write).
    Refused(String),
}

/// One HTTP/2 request and its response.
async fn exchange_h2(
    send: &::h2::client::SendRequest<Bytes>,
    request: http::Request<()>,
    body: Bytes,
) -> Result<(Response, bool), H2Fail> {
    let reset = |error: ::h2::Error| {
        if error.is_reset() {
            H2Fail::Reset
        } else {
            H2Fail::Connection
        }
    };
    let mut send = send.clone().ready().await.map_err(|_| H2Fail::Connection)?;
    let end = body.is_empty();
    let (response, mut stream) = send.send_request(request, end).map_err(|error| {
        // A refusal of our own request (a field h2 will not write) carries no reason and no I/O.
        if error.reason().is_none() && !error.is_io() {
            H2Fail::Refused(error.to_string())
        } else {
            H2Fail::Connection
        }
    })?;
    if !end {
        stream.reserve_capacity(body.len());
        let _ = stream.send_data(body, true);
    }
    let response = response.await.map_err(reset)?;
    let (parts, mut recv) = response.into_parts();
    let mut out = Response {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
            .collect(),
        body: Vec::new(),
        complete: false,
    };
    while let Some(data) = recv.data().await {
        match data {
            Ok(data) => {
                let _ = recv.flow_control().release_capacity(data.len());
                out.body.extend_from_slice(&data);
            }
            // A reset (or a failed connection) mid-body: the response came, cut short.
            Err(error) => return Ok((out, error.is_reset())),
        }
    }
    out.complete = true;
    Ok((out, false))
}
