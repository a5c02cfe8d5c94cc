//! One request and its response on an HTTP/1.1 origin connection.
//!
//! The exchange runs as its own task: it writes the request head, then writes the request body
//! and reads the response at the same time (an origin may answer before it has read the whole
//! upload, or stream its answer while reading), hands the response head back as soon as it is
//! decoded, and streams the response body through a [`Body`] channel. When both directions end
//! cleanly on a connection that stays open, the connection goes back to its pool.

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use tokio::io::{
    AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf, ReadHalf, WriteHalf,
};
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot};
use tollgate_codecs::h1::{
    self, BodyFraming, ChunkedEncoder, Persistence, RequestHead, RequestMethod, ResponseDecoder,
    ResponseEvent,
};
use tollgate_codecs::{Policy, Side};
use tollgate_translators::{self as translate, BodyLen};

use crate::body::{Body, BodySender};
use crate::error::{Error, ErrorKind};
use crate::h2::Report;
use crate::io::BoxIo;

/// Bytes read from an origin at a time.
const READ_CHUNK: usize = 16 * 1024;

/// An open HTTP/1.1 connection to an origin, idle or in use.
pub(crate) struct H1Conn {
    /// Split once, when the connection opens: each exchange reads and writes at the same time.
    rd: ReadHalf<BoxIo>,
    wr: WriteHalf<BoxIo>,
    buf: BytesMut,
    decoder: ResponseDecoder,
    /// Whether the connection served a request before this one.
    pub(crate) reused: bool,
    /// The connection's place in its origin's connection limit.
    _permit: OwnedSemaphorePermit,
}

impl H1Conn {
    /// A fresh connection decoding responses under `policy`.
    pub(crate) fn new(io: BoxIo, policy: Arc<Policy>, permit: OwnedSemaphorePermit) -> H1Conn {
        let (rd, wr) = tokio::io::split(io);
        H1Conn {
            rd,
            wr,
            buf: BytesMut::with_capacity(READ_CHUNK),
            decoder: ResponseDecoder::new(policy, Side::Origin),
            reused: false,
            _permit: permit,
        }
    }

    /// Whether an idle connection is still usable: not closed by the origin, and nothing
    /// unsolicited arrived on it (an origin talking out of turn cannot be trusted with the
    /// next request).
    pub(crate) fn is_usable(&mut self) -> bool {
        let mut scratch = [0u8; 1];
        let mut buf = ReadBuf::new(&mut scratch);
        let mut cx = Context::from_waker(Waker::noop());
        matches!(
            std::pin::Pin::new(&mut self.rd).poll_read(&mut cx, &mut buf),
            Poll::Pending
        )
    }
}

/// What one exchange sends.
pub(crate) struct Exchange {
    pub(crate) head: RequestHead,
    pub(crate) method: RequestMethod,
    pub(crate) body: Body,
    pub(crate) body_len: BodyLen,
    /// Where interim (1xx) responses go, other than `100 Continue`.
    pub(crate) interim: Option<mpsc::Sender<http::response::Parts>>,
    pub(crate) report: Report,
}

/// The response head and body, or why there is none.
pub(crate) type Answer = Result<(http::response::Parts, Body), Error>;

/// Starts the exchange; the answer comes on the returned receiver. `give_back` receives the
/// connection when it can serve another request.
pub(crate) fn start(
    conn: H1Conn,
    exchange: Exchange,
    give_back: impl FnOnce(H1Conn) + Send + 'static,
) -> oneshot::Receiver<Answer> {
    let (answer, receiver) = oneshot::channel();
    tokio::spawn(run(conn, exchange, answer, give_back));
    receiver
}

/// Where the response stands.
enum Reading {
    /// Nothing handed over yet; the caller waits for the head.
    Head(oneshot::Sender<Answer>),
    /// The head went out; the body streams through `sender`.
    Body(BodySender),
    /// The head went out with an empty body; only the end of the message is left.
    Handed,
}

impl Reading {
    /// Tells the waiting side that the exchange failed.
    async fn fail(self, error: Error) {
        match self {
            Reading::Head(answer) => {
                let _ = answer.send(Err(error));
            }
            Reading::Body(sender) => sender.fail(error).await,
            Reading::Handed => {}
        }
    }

    /// Resolves when nobody waits for the response any more.
    async fn abandoned(&mut self) {
        match self {
            Reading::Head(answer) => answer.closed().await,
            Reading::Body(sender) => sender.closed().await,
            Reading::Handed => std::future::pending().await,
        }
    }
}

/// One turn of the exchange loop.
enum Step {
    Written(WriteHalf<BoxIo>, Result<(), Error>),
    Read(std::io::Result<usize>),
    Abandoned,
}

async fn run(
    conn: H1Conn,
    exchange: Exchange,
    answer: oneshot::Sender<Answer>,
    give_back: impl FnOnce(H1Conn) + Send + 'static,
) {
    let H1Conn {
        mut rd,
        mut wr,
        mut buf,
        mut decoder,
        reused,
        _permit: permit,
    } = conn;
    let mut reading = Reading::Head(answer);

    let mut head = BytesMut::new();
    h1::encode_request_head(&exchange.head, &mut head);
    decoder.expect_response(exchange.method);
    if let Err(error) = write_flush(&mut wr, &head).await {
        let error = Error::new(
            ErrorKind::OriginClosed,
            format!("writing the request head: {error}"),
        );
        // A connection that was idle may have been closed by the origin in the meantime:
        // the request never reached it.
        reading
            .fail(if reused { error.retryable() } else { error })
            .await;
        return;
    }

    let body = exchange.body;
    let body_len = exchange.body_len;
    let mut writer = pin!(async move {
        let result = write_body(&mut wr, body, body_len).await;
        (wr, result)
    });
    let mut written: Option<(WriteHalf<BoxIo>, Result<(), Error>)> = None;
    let mut persistence = Persistence::Close;
    let mut eof = false;
    let mut received = 0u64;

    loop {
        let event = if eof {
            decoder.decode_eof(&mut buf)
        } else {
            decoder.decode(&mut buf)
        };
        let anomalies = decoder.take_anomalies();
        if !anomalies.is_empty() {
            (exchange.report)(anomalies);
        }
        match event {
            Err(error) => {
                let mut error = Error::from_origin_h1(&error);
                if reused && received == 0 && error.kind() == ErrorKind::OriginClosed {
                    error = error.retryable();
                }
                reading.fail(error).await;
                return;
            }
            Ok(Some(event)) => {
                // A response whose body is already in the buffer (most small ones) is handed
                // over whole: no channel, no task switch per piece.
                let buffered = match &event {
                    ResponseEvent::Head(response)
                        if matches!(response.body,
                            BodyFraming::Length(length) if buf.len() as u64 >= length) =>
                    {
                        let buffered = read_buffered(&mut decoder, &mut buf);
                        let anomalies = decoder.take_anomalies();
                        if !anomalies.is_empty() {
                            (exchange.report)(anomalies);
                        }
                        match buffered {
                            Ok(buffered) => Some(buffered),
                            Err(error) => {
                                reading.fail(error).await;
                                return;
                            }
                        }
                    }
                    _ => None,
                };
                match handle(
                    event,
                    buffered,
                    reading,
                    &exchange.interim,
                    &mut persistence,
                )
                .await
                {
                    Handled::Continue(next) => reading = next,
                    Handled::Stop => return,
                    Handled::End => break,
                }
                continue;
            }
            Ok(None) if eof => {
                // The origin closed without a response.
                let error = Error::new(
                    ErrorKind::OriginClosed,
                    "the origin closed the connection without a response",
                );
                let error = if reused && received == 0 {
                    error.retryable()
                } else {
                    error
                };
                reading.fail(error).await;
                return;
            }
            Ok(None) => {}
        }

        buf.reserve(READ_CHUNK);
        let step = tokio::select! {
            // In order, without drawing a random start each time: the branches are few and
            // none can starve another for long.
            biased;
            done = &mut writer, if written.is_none() => Step::Written(done.0, done.1),
            read = rd.read_buf(&mut buf) => Step::Read(read),
            () = reading.abandoned() => Step::Abandoned,
        };
        match step {
            Step::Written(wr, result) => {
                if let Err(error) = &result
                    && error.blame() == crate::error::Blame::Client
                {
                    // The client's body failed: the origin got half a request, so the
                    // connection is finished and so is the exchange.
                    reading.fail(error.clone()).await;
                    return;
                }
                // A write error toward the origin is not the end yet: it may have answered
                // early (413, say) and closed its reading side. The response decides.
                written = Some((wr, result));
            }
            Step::Read(Ok(0)) => eof = true,
            Step::Read(Ok(n)) => received += n as u64,
            Step::Read(Err(error)) => {
                reading
                    .fail(Error::new(
                        ErrorKind::OriginClosed,
                        format!("reading the response: {error}"),
                    ))
                    .await;
                return;
            }
            Step::Abandoned => return,
        }
    }

    // The response is complete. The connection serves again only when the request went out
    // whole, the origin keeps it open, and nothing stray follows.
    if let Some((wr, Ok(()))) = written
        && persistence == Persistence::KeepAlive
        && buf.is_empty()
        && !eof
    {
        give_back(H1Conn {
            rd,
            wr,
            buf,
            decoder,
            reused: true,
            _permit: permit,
        });
    }
}

/// What [`handle`] leaves behind.
enum Handled {
    Continue(Reading),
    /// Nobody wants the rest: drop the connection.
    Stop,
    /// The response is complete.
    End,
}

/// The body bytes decoded from what is already buffered, and whether they are all of it.
struct Buffered {
    data: Bytes,
    complete: bool,
}

/// Decodes the body that follows a head from the buffer alone, without reading.
fn read_buffered(decoder: &mut ResponseDecoder, buf: &mut BytesMut) -> Result<Buffered, Error> {
    let mut pieces: Vec<Bytes> = Vec::new();
    let complete = loop {
        match decoder
            .decode(buf)
            .map_err(|error| Error::from_origin_h1(&error))?
        {
            Some(ResponseEvent::Data(data)) => pieces.push(data),
            Some(ResponseEvent::End) => break true,
            None => break false,
            // A body framed by length has no trailers, and nothing else comes before its end.
            Some(other) => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!("the response decoder produced {other:?} inside a body"),
                ));
            }
        }
    };
    let data = match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.pop().unwrap_or_default(),
        _ => {
            let mut joined = BytesMut::with_capacity(pieces.iter().map(Bytes::len).sum());
            for piece in &pieces {
                joined.extend_from_slice(piece);
            }
            joined.freeze()
        }
    };
    Ok(Buffered { data, complete })
}

async fn handle(
    event: ResponseEvent,
    buffered: Option<Buffered>,
    reading: Reading,
    interim: &Option<mpsc::Sender<http::response::Parts>>,
    persistence: &mut Persistence,
) -> Handled {
    match (event, reading) {
        (ResponseEvent::Informational(head), reading) => {
            // `100 Continue` is answered hop by hop (the proxy sends its own when it starts
            // reading the client's body); the others (102, 103) are passed on.
            if head.status() != 100
                && let Some(interim) = interim
                && let Ok(parts) = translate::response_from_h1(&head)
            {
                let _ = interim.try_send(parts);
            }
            Handled::Continue(reading)
        }
        (ResponseEvent::Head(response), Reading::Head(answer)) => {
            *persistence = response.persistence;
            let parts = match translate::response_from_h1(&response.head) {
                Ok(parts) => parts,
                Err(error) => {
                    let _ = answer.send(Err(Error::new(
                        ErrorKind::OriginMalformed,
                        format!("the response cannot be translated: {error}"),
                    )));
                    return Handled::Stop;
                }
            };
            let (sender, body) = match response.body {
                BodyFraming::Empty => {
                    return if answer.send(Ok((parts, Body::empty()))).is_ok() {
                        Handled::Continue(Reading::Handed)
                    } else {
                        Handled::Stop
                    };
                }
                BodyFraming::Length(length) => match buffered {
                    Some(Buffered {
                        data,
                        complete: true,
                    }) => {
                        return if answer.send(Ok((parts, Body::full(data)))).is_ok() {
                            Handled::End
                        } else {
                            Handled::Stop
                        };
                    }
                    Some(Buffered { data, .. }) => {
                        let (sender, body) = Body::channel(Some(length), ErrorKind::OriginClosed);
                        if answer.send(Ok((parts, body))).is_err() || !sender.data(data).await {
                            return Handled::Stop;
                        }
                        return Handled::Continue(Reading::Body(sender));
                    }
                    None => Body::channel(Some(length), ErrorKind::OriginClosed),
                },
                BodyFraming::Chunked | BodyFraming::UntilClose => {
                    Body::channel(None, ErrorKind::OriginClosed)
                }
                BodyFraming::Tunnel => {
                    let _ = answer.send(Err(Error::new(
                        ErrorKind::OriginMalformed,
                        format!(
                            "the origin switched protocols ({}) although no upgrade was asked for",
                            response.head.status()
                        ),
                    )));
                    return Handled::Stop;
                }
            };
            if answer.send(Ok((parts, body))).is_err() {
                return Handled::Stop;
            }
            Handled::Continue(Reading::Body(sender))
        }
        (ResponseEvent::Data(data), Reading::Body(sender)) => {
            if sender.data(data).await {
                Handled::Continue(Reading::Body(sender))
            } else {
                Handled::Stop
            }
        }
        (ResponseEvent::Trailers(fields), Reading::Body(sender)) => {
            if sender.trailers(translate::trailers_from_h1(&fields)).await {
                Handled::Continue(Reading::Body(sender))
            } else {
                Handled::Stop
            }
        }
        (ResponseEvent::End, Reading::Body(sender)) => {
            sender.finish();
            Handled::End
        }
        (ResponseEvent::End, Reading::Handed) => Handled::End,
        (_, reading) => {
            reading
                .fail(Error::new(
                    ErrorKind::Internal,
                    "the response decoder produced events out of order",
                ))
                .await;
            Handled::Stop
        }
    }
}

/// Writes the request body, framed as the head announced.
async fn write_body(
    wr: &mut WriteHalf<BoxIo>,
    mut body: Body,
    body_len: BodyLen,
) -> Result<(), Error> {
    let chunked = match body_len {
        BodyLen::Empty => return Ok(()),
        BodyLen::Exact(_) => false,
        BodyLen::Unknown => true,
    };
    let mut encoder = ChunkedEncoder::new();
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame?;
        match frame.into_data() {
            Ok(data) if chunked => {
                encoder.encode_chunk(&data, &mut out);
                write_flush(wr, &out).await.map_err(origin_write)?;
                out.clear();
            }
            Ok(data) => write_flush(wr, &data).await.map_err(origin_write)?,
            Err(frame) => {
                // Trailers have no place in a body framed by Content-Length: dropped.
                if let Ok(trailers) = frame.into_trailers()
                    && chunked
                {
                    let fields = translate::trailers_to_h1(&trailers).map_err(|error| {
                        Error::new(
                            ErrorKind::ClientMalformed,
                            format!("request trailers: {error}"),
                        )
                    })?;
                    encoder.encode_end(Some(&fields), &mut out);
                }
            }
        }
    }
    if chunked {
        encoder.encode_end(None, &mut out);
        write_flush(wr, &out).await.map_err(origin_write)?;
    }
    Ok(())
}

fn origin_write(error: std::io::Error) -> Error {
    Error::new(
        ErrorKind::OriginClosed,
        format!("writing the request body: {error}"),
    )
}

async fn write_flush<W: AsyncWrite + Unpin>(wr: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    wr.write_all(bytes).await?;
    wr.flush().await
}
