//! An HTTP/1.1 client connection: requests read with our codec under the client policy,
//! forwarded one at a time, responses written as the client's version allows.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tollgate_codecs::Side;
use tollgate_codecs::h1::{
    self, BodyFraming, ChunkedEncoder, Persistence, RequestDecoder, RequestEvent, Version,
};
use tollgate_translators::{self as translate, BodyLen, ResponseFraming};

use crate::body::{Body, BodySender};
use crate::error::{Error, ErrorKind};
use crate::forward::Client;
use crate::io::BoxIo;
use crate::metrics::Proto;
use crate::server::{Conn, Exchange};

/// Bytes read from a client at a time.
const READ_CHUNK: usize = 16 * 1024;

/// The reading side of the connection.
struct Reader {
    rd: ReadHalf<BoxIo>,
    buf: BytesMut,
    decoder: RequestDecoder,
    eof: bool,
}

impl Reader {
    /// The next event; `None` when the client closed cleanly between requests. `wait` bounds
    /// each read.
    async fn next(&mut self, wait: Duration) -> Result<Option<RequestEvent>, ReadError> {
        loop {
            let event = if self.eof {
                self.decoder.decode_eof(&mut self.buf)
            } else {
                self.decoder.decode(&mut self.buf)
            };
            match event {
                Ok(Some(event)) => return Ok(Some(event)),
                Ok(None) if self.eof => return Ok(None),
                Ok(None) => {}
                Err(error) => return Err(ReadError::Codec(error)),
            }
            self.buf.reserve(READ_CHUNK);
            match tokio::time::timeout(wait, self.rd.read_buf(&mut self.buf)).await {
                Ok(Ok(0)) => self.eof = true,
                Ok(Ok(_)) => {}
                Ok(Err(error)) => return Err(ReadError::Io(error)),
                Err(_) => return Err(ReadError::Timeout),
            }
        }
    }
}

enum ReadError {
    Codec(h1::Error),
    Io(std::io::Error),
    Timeout,
}

impl ReadError {
    fn into_error(self, waiting_for: &str) -> Error {
        match self {
            ReadError::Codec(error) => Error::from_client_h1(&error),
            ReadError::Io(error) => Error::new(
                ErrorKind::ClientGone,
                format!("reading {waiting_for}: {error}"),
            ),
            ReadError::Timeout => Error::new(
                ErrorKind::ClientTimeout,
                format!("the client sent no {waiting_for} in time"),
            ),
        }
    }
}

/// Serves one HTTP/1 connection until it closes. `buf` holds bytes already read.
pub(crate) async fn serve(io: BoxIo, buf: BytesMut, conn: Arc<Conn>) {
    let (rd, mut wr) = tokio::io::split(io);
    let mut reader = Reader {
        rd,
        buf,
        decoder: RequestDecoder::new(conn.shared.client_policy.clone(), Side::Client),
        eof: false,
    };
    let mut shutdown = conn.shared.shutdown.clone();
    let mut first = true;
    loop {
        // Between requests: a draining proxy closes here, an idle client is let go.
        let wait = if first {
            conn.limits.header_read_timeout
        } else {
            conn.limits.idle_timeout
        };
        first = false;
        if reader.buf.is_empty() && *shutdown.borrow() {
            break;
        }
        let started = Instant::now();
        let next = tokio::select! {
            next = reader.next(wait) => next,
            _ = shutdown.changed(), if reader.buf.is_empty() => break,
        };
        let request = match next {
            Ok(Some(RequestEvent::Head(request))) => request,
            Ok(None) => break,
            Ok(Some(_)) => {
                tracing::error!("request decoder produced body events before a head");
                break;
            }
            // Idle keep-alive connections that go quiet or close are not errors.
            Err(ReadError::Timeout | ReadError::Io(_)) if reader.buf.is_empty() => break,
            Err(error) => {
                let error = error.into_error("request head");
                let anomalies = reader.decoder.take_anomalies();
                let mut exchange = Exchange::new(Proto::H1, started);
                exchange.anomalies(&conn, anomalies);
                let _ = write_error(&mut wr, &error, Version::Http11).await;
                exchange.finish_error(&conn, &error);
                break;
            }
        };
        let keep_going = serve_request(&mut reader, &mut wr, &conn, request, started).await;
        if !keep_going || *shutdown.borrow() {
            break;
        }
    }
    let _ = wr.shutdown().await;
}

/// Serves one request; whether the connection can take another.
async fn serve_request(
    reader: &mut Reader,
    wr: &mut WriteHalf<BoxIo>,
    conn: &Arc<Conn>,
    request: h1::Request,
    started: Instant,
) -> bool {
    let mut exchange = Exchange::new(Proto::H1, started);
    exchange.anomalies(conn, reader.decoder.take_anomalies());
    let version = request.head.version();
    let method_is_head = request.head.method_is("HEAD");
    if request.head.method_is("CONNECT") {
        let error = Error::new(ErrorKind::Unsupported, "CONNECT is not proxied");
        exchange.describe_h1(&request.head);
        let _ = write_error(wr, &error, version).await;
        exchange.finish_error(conn, &error);
        return false;
    }
    if reader.decoder.is_paused() {
        // An upgrade was offered; the translators drop `Upgrade`, so the origin answers the
        // request as plain HTTP and the connection stays HTTP.
        reader.decoder.resume();
    }
    exchange.describe_h1(&request.head);
    let parts = match translate::request_from_h1(&request.head, conn.scheme) {
        Ok(parts) => parts,
        Err(error) => {
            let kind = match error.kind() {
                translate::ErrorKind::UnsupportedMethod
                | translate::ErrorKind::UnsupportedUpgrade => ErrorKind::Unsupported,
                _ => ErrorKind::ClientMalformed,
            };
            let error = Error::new(kind, error.to_string());
            let _ = write_error(wr, &error, version).await;
            exchange.finish_error(conn, &error);
            return false;
        }
    };

    let (sender, mut body) = match request.body {
        BodyFraming::Empty => (None, Body::empty()),
        BodyFraming::Length(length) => {
            let (sender, body) = Body::channel(Some(length), ErrorKind::ClientGone);
            (Some(sender), body)
        }
        _ => {
            let (sender, body) = Body::channel(None, ErrorKind::ClientGone);
            (Some(sender), body)
        }
    };
    let mut demand = if request.expects_continue && sender.is_some() {
        Some(body.on_demand())
    } else {
        None
    };
    let (interim_tx, mut interim_rx) = mpsc::channel(4);
    let interim = (version == Version::Http11).then_some(interim_tx);

    let report = exchange.reporter(conn);
    let client = Client { addr: conn.peer };
    let body_wait = conn.limits.idle_timeout;
    let mut pump = pin!(pump_body(reader, sender, body_wait));
    let mut pump_done: Option<Result<(), Error>> = None;
    let mut forward = pin!(
        conn.shared
            .forwarder
            .forward(parts, body, &client, interim, report)
    );
    let forwarded = loop {
        tokio::select! {
            // In order, without drawing a random start each time: the branches are few and
            // none can starve another for long.
            biased;
            result = &mut pump, if pump_done.is_none() => pump_done = Some(result),
            demanded = fired(&mut demand), if demand.is_some() => {
                demand = None;
                if demanded && wr.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err() {
                    exchange.client_gone(conn);
                    return false;
                }
            }
            Some(parts) = interim_rx.recv() => {
                if write_interim(wr, &parts).await.is_err() {
                    exchange.client_gone(conn);
                    return false;
                }
            }
            forwarded = &mut forward => break forwarded,
        }
    };
    // An origin often writes its 1xx and the final head in one packet: both are ready at once
    // and the select above may take the final one first. The 1xx still queued go out before it.
    while let Ok(parts) = interim_rx.try_recv() {
        if write_interim(wr, &parts).await.is_err() {
            exchange.client_gone(conn);
            return false;
        }
    }
    let answered = match forwarded {
        Ok(answered) => answered,
        Err(error) => {
            // A client error in the body (malformed chunk, too large) shows here too.
            let error = match pump_done {
                Some(Err(client_error)) => client_error,
                _ => error,
            };
            if error.kind() != ErrorKind::ClientGone {
                let _ = write_error(wr, &error, version).await;
            }
            exchange.finish_error(conn, &error);
            return false;
        }
    };
    exchange.upstream(&answered);

    // A draining proxy closes the connection after this response: say so (RFC 9112 §9.6),
    // so the client does not send its next request into a closing socket.
    let keep_alive =
        request.persistence == Persistence::KeepAlive && !*conn.shared.shutdown.borrow();
    let mut response_body = answered.body;
    let body_len = match response_body.exact_length() {
        Some(0) => BodyLen::Empty,
        Some(length) => BodyLen::Exact(length),
        None => BodyLen::Unknown,
    };
    let info = translate::RequestInfo {
        method_is_head,
        client_version: version,
        keep_alive,
    };
    let (head, framing) = match translate::response_to_h1(&answered.parts, body_len, info) {
        Ok(translated) => translated,
        Err(error) => {
            let error = Error::new(
                ErrorKind::OriginMalformed,
                format!("the response cannot be written as HTTP/1.1: {error}"),
            );
            let _ = write_error(wr, &error, version).await;
            exchange.finish_error(conn, &error);
            return false;
        }
    };
    exchange.status(head.status());
    // The head and a small body leave together (see `write_response`): room for both.
    let body_room = match framing {
        ResponseFraming::Length(length) => usize::try_from(length).unwrap_or(usize::MAX),
        _ => 0,
    };
    let mut out = BytesMut::with_capacity(1024 + body_room.min(COALESCE_BYTES));
    h1::encode_response_head(&head, &mut out);
    let write = write_response(wr, out, &mut response_body, framing);
    let (written, pumped) = if pump_done.is_some() {
        (write.await, pump_done.take())
    } else {
        // The upload may still be going on (an origin can answer before reading it all).
        let (written, pumped) = tokio::join!(write, pump);
        (written, Some(pumped))
    };
    let _ = wr.flush().await;
    match written {
        Ok(bytes) => exchange.bytes_out(bytes),
        Err(error) => {
            exchange.finish_error(conn, &error);
            return false;
        }
    }
    let request_read = matches!(pumped, Some(Ok(())));
    exchange.finish_ok(conn);
    request_read
        && keep_alive
        && framing != ResponseFraming::UntilClose
        && !head
            .fields()
            .get_all("connection")
            .any(|value| value.eq_ignore_ascii_case(b"close"))
}

/// Writes an interim (1xx) response; one that cannot be written as HTTP/1.1 is left out, as
/// interim responses are advisory.
async fn write_interim(
    wr: &mut WriteHalf<BoxIo>,
    parts: &http::response::Parts,
) -> std::io::Result<()> {
    let Ok(head) = translate::interim_to_h1(parts) else {
        return Ok(());
    };
    let mut out = BytesMut::new();
    h1::encode_response_head(&head, &mut out);
    wr.write_all(&out).await
}

/// Resolves when the body is first pulled (`true`), or was dropped unpulled (`false`).
pub(crate) async fn fired(demand: &mut Option<tokio::sync::oneshot::Receiver<()>>) -> bool {
    match demand {
        Some(receiver) => receiver.await.is_ok(),
        None => std::future::pending().await,
    }
}

/// Reads the request body from the client into `sender`.
async fn pump_body(
    reader: &mut Reader,
    sender: Option<BodySender>,
    wait: Duration,
) -> Result<(), Error> {
    let Some(sender) = sender else {
        // A request without a body still ends with an `End` event, due at once.
        return match reader.next(wait).await {
            Ok(Some(RequestEvent::End)) => Ok(()),
            Ok(_) => Err(Error::new(
                ErrorKind::Internal,
                "the request decoder did not end a bodiless request",
            )),
            Err(error) => Err(error.into_error("request")),
        };
    };
    loop {
        match reader.next(wait).await {
            Ok(Some(RequestEvent::Data(data))) => {
                if !sender.data(data).await {
                    // Nobody reads the rest (the origin answered already): the connection
                    // cannot be reused, as the rest of the body is still on it.
                    return Err(Error::new(ErrorKind::ClientGone, "request body not read"));
                }
            }
            Ok(Some(RequestEvent::Trailers(fields))) => {
                if !sender.trailers(translate::trailers_from_h1(&fields)).await {
                    return Err(Error::new(ErrorKind::ClientGone, "request body not read"));
                }
            }
            Ok(Some(RequestEvent::End)) => {
                sender.finish();
                return Ok(());
            }
            Ok(Some(RequestEvent::Head(_))) | Ok(None) => {
                let error = Error::new(ErrorKind::ClientGone, "the client closed mid-body");
                sender.fail(error.clone()).await;
                return Err(error);
            }
            Err(error) => {
                let error = error.into_error("request body");
                sender.fail(error.clone()).await;
                return Err(error);
            }
        }
    }
}

/// Gathered response bytes are written once they reach this size even if more frames are
/// ready: bounds the copy, and large bodies go out as they come.
const COALESCE_BYTES: usize = 64 * 1024;

/// Writes the head (already in `out`) and the body as framed; the body bytes written.
///
/// Bytes gather in `out` while the body has frames ready and go out in one write when it has
/// none: a small response is one write (one segment, one wakeup of the client) rather than
/// one for the head and one per frame.
async fn write_response(
    wr: &mut WriteHalf<BoxIo>,
    mut out: BytesMut,
    body: &mut Body,
    framing: ResponseFraming,
) -> Result<u64, Error> {
    let mut written = 0u64;
    let mut encoder = ChunkedEncoder::new();
    if framing != ResponseFraming::None {
        loop {
            let frame = match body.try_frame() {
                Some(frame) => frame,
                None => {
                    flush(wr, &mut out).await?;
                    body.frame().await
                }
            };
            let Some(frame) = frame else { break };
            match frame?.into_data() {
                Ok(data) => {
                    written += data.len() as u64;
                    if let ResponseFraming::Length(length) = framing
                        && written > length
                    {
                        return Err(Error::new(
                            ErrorKind::OriginMalformed,
                            "the origin sent more than its content-length",
                        ));
                    }
                    if framing == ResponseFraming::Chunked {
                        encoder.encode_chunk(&data, &mut out);
                    } else if out.len() + data.len() <= COALESCE_BYTES {
                        out.extend_from_slice(&data);
                    } else {
                        flush(wr, &mut out).await?;
                        wr.write_all(&data).await.map_err(client_write)?;
                    }
                }
                Err(frame) => {
                    // Trailers: only a chunked body can carry them to an HTTP/1 client.
                    if let Ok(trailers) = frame.into_trailers()
                        && framing == ResponseFraming::Chunked
                    {
                        let fields = translate::trailers_to_h1(&trailers).map_err(|error| {
                            Error::new(ErrorKind::OriginMalformed, format!("trailers: {error}"))
                        })?;
                        encoder.encode_end(Some(&fields), &mut out);
                    }
                }
            }
            if out.len() >= COALESCE_BYTES {
                flush(wr, &mut out).await?;
            }
        }
    }
    match framing {
        ResponseFraming::Chunked => encoder.encode_end(None, &mut out),
        ResponseFraming::Length(length) if written < length => {
            // What was sent goes out; the client sees the response end short of its length.
            flush(wr, &mut out).await?;
            return Err(Error::new(
                ErrorKind::OriginClosed,
                format!("the body ended after {written} of {length} bytes"),
            ));
        }
        _ => {}
    }
    flush(wr, &mut out).await?;
    Ok(written)
}

/// Writes what `out` holds and empties it.
async fn flush(wr: &mut WriteHalf<BoxIo>, out: &mut BytesMut) -> Result<(), Error> {
    if !out.is_empty() {
        wr.write_all(out).await.map_err(client_write)?;
        out.clear();
    }
    Ok(())
}

fn client_write(error: std::io::Error) -> Error {
    Error::new(
        ErrorKind::ClientGone,
        format!("writing the response: {error}"),
    )
}

/// Answers an error with its status, a short text body and `Connection: close`.
async fn write_error(
    wr: &mut WriteHalf<BoxIo>,
    error: &Error,
    version: Version,
) -> std::io::Result<()> {
    let Some(status) = error.status() else {
        return Ok(());
    };
    let body = error_body(error);
    let head = h1::ResponseHead::new(
        version,
        status.as_u16(),
        h1::canonical_reason(status.as_u16()).as_bytes(),
        [
            (
                "content-type",
                Bytes::from_static(b"text/plain; charset=utf-8"),
            ),
            ("content-length", Bytes::from(body.len().to_string())),
            ("connection", Bytes::from_static(b"close")),
        ],
    );
    let Ok(head) = head else {
        return Ok(());
    };
    let mut out = BytesMut::new();
    h1::encode_response_head(&head, &mut out);
    out.extend_from_slice(&body);
    wr.write_all(&out).await?;
    wr.flush().await
}

/// The text an error page carries: the status and whose side failed, not internal detail
/// beyond the reason's first line.
pub(crate) fn error_body(error: &Error) -> Bytes {
    Bytes::from(format!(
        "{} ({} side): {}\n",
        error.kind(),
        error.blame(),
        error.reason().lines().next().unwrap_or_default()
    ))
}
