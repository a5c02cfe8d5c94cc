//! An HTTP/2 client connection: `h2`'s server behind the guard, one task per stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ::h2::server::SendResponse;
use ::h2::{Reason, RecvStream};
use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tollgate_codecs::h2::guard::Guard;
use tollgate_codecs::h2::hpack;
use tollgate_translators::{self as translate, BodyLen};

use crate::body::Body;
use crate::error::{Blame, Error, ErrorKind};
use crate::forward::Client;
use crate::h2::{Guarded, Report, send_body};
use crate::io::BoxIo;
use crate::metrics::Proto;
use crate::server::h1::{error_body, fired};
use crate::server::{Conn, Exchange};

/// Streams a client may open at once. RFC 9113 §6.5.2 advises at least 100.
const MAX_CONCURRENT_STREAMS: u32 = 100;
/// Per-stream receive window offered to clients (uploads): 1 MiB lets one stream fill a fast
/// link while bounding what a stalled origin leaves buffered per stream.
const STREAM_WINDOW: u32 = 1024 * 1024;
/// Connection receive window: several uploads at full speed.
const CONNECTION_WINDOW: u32 = 4 * 1024 * 1024;

/// Serves one HTTP/2 connection until it closes.
pub(crate) async fn serve(io: BoxIo, conn: Arc<Conn>) {
    let metrics = conn.shared.metrics.clone();
    let listener = conn.listener.clone();
    let peer = conn.peer;
    let report: Report = Arc::new(move |anomalies| {
        metrics.anomalies(&anomalies);
        for anomaly in &anomalies {
            tracing::info!(listener = %listener, client = %peer, %anomaly, "client anomaly");
        }
    });
    let guarded = Guarded::new(io, Guard::new(conn.shared.client_policy.clone()), report);
    let handshake = ::h2::server::Builder::new()
        .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
        // The same limit our HPACK decoder applies toward origins, so what a client may send
        // can always be forwarded.
        .max_header_list_size(u32::try_from(hpack::DEFAULT_MAX_LIST_SIZE).unwrap_or(u32::MAX))
        .initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .handshake::<_, Bytes>(guarded);
    let mut connection =
        match tokio::time::timeout(conn.limits.header_read_timeout, handshake).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => {
                tracing::debug!(client = %conn.peer, %error, "HTTP/2 handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(client = %conn.peer, "HTTP/2 handshake timed out");
                return;
            }
        };
    let active = Arc::new(AtomicUsize::new(0));
    let mut shutdown = conn.shared.shutdown.clone();
    let mut draining = *shutdown.borrow();
    if draining {
        connection.graceful_shutdown();
    }
    loop {
        let accepted = tokio::select! {
            accepted = connection.accept() => accepted,
            _ = shutdown.changed(), if !draining => {
                // GOAWAY: streams already open finish, no new ones are taken.
                draining = true;
                connection.graceful_shutdown();
                continue;
            }
            // A connection with no stream open for the idle timeout is closed.
            () = tokio::time::sleep(conn.limits.idle_timeout), if !draining => {
                if active.load(Ordering::Acquire) == 0 {
                    draining = true;
                    connection.graceful_shutdown();
                }
                continue;
            }
        };
        match accepted {
            Some(Ok((request, respond))) => {
                let conn = conn.clone();
                let open = StreamOpen::new(&active);
                conn.shared.tracker.clone().spawn(async move {
                    serve_stream(request, respond, conn).await;
                    drop(open);
                });
            }
            Some(Err(error)) => {
                tracing::debug!(client = %conn.peer, %error, "HTTP/2 connection ended with an error");
                break;
            }
            None => break,
        }
    }
}

/// Counts a stream as open until dropped.
struct StreamOpen(Arc<AtomicUsize>);

impl StreamOpen {
    fn new(active: &Arc<AtomicUsize>) -> StreamOpen {
        active.fetch_add(1, Ordering::AcqRel);
        StreamOpen(active.clone())
    }
}

impl Drop for StreamOpen {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn serve_stream(
    request: http::Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
    conn: Arc<Conn>,
) {
    let started = Instant::now();
    let mut exchange = Exchange::new(Proto::H2, started);
    let (parts, recv) = request.into_parts();
    let method_is_head = parts.method == http::Method::HEAD;
    let expects_continue = parts
        .headers
        .get(http::header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let length = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok());
    let mut body = Body::h2(recv, length, ErrorKind::ClientGone);
    let mut demand = (expects_continue && !body.is_known_empty()).then(|| body.on_demand());
    exchange.describe(&parts);
    let parts = match translate::request_from_h2(parts, conn.scheme) {
        Ok(parts) => parts,
        Err(error) => {
            let kind = match error.kind() {
                translate::ErrorKind::UnsupportedMethod
                | translate::ErrorKind::UnsupportedUpgrade => ErrorKind::Unsupported,
                _ => ErrorKind::ClientMalformed,
            };
            let error = Error::new(kind, error.to_string());
            respond_error(&mut respond, &error);
            exchange.finish_error(&conn, &error);
            return;
        }
    };
    exchange.describe(&parts);
    let (interim_tx, mut interim_rx) = mpsc::channel(4);
    let client = Client { addr: conn.peer };
    let report = exchange.reporter(&conn);
    let forward = conn
        .shared
        .forwarder
        .forward(parts, body, &client, Some(interim_tx), report);
    tokio::pin!(forward);
    let forwarded = loop {
        tokio::select! {
            // In order, without drawing a random start each time: the branches are few and
            // none can starve another for long.
            biased;
            demanded = fired(&mut demand), if demand.is_some() => {
                demand = None;
                if demanded {
                    let proceed = http::Response::builder()
                        .status(http::StatusCode::CONTINUE)
                        .body(());
                    if let Ok(proceed) = proceed {
                        let _ = respond.send_informational(proceed);
                    }
                }
            }
            Some(parts) = interim_rx.recv() => {
                let response = http::Response::from_parts(parts, ());
                let _ = respond.send_informational(response);
            }
            reset = std::future::poll_fn(|cx| respond.poll_reset(cx)) => {
                let reason = reset.map_or(Reason::CANCEL, |reason| reason);
                let error = Error::new(ErrorKind::ClientGone, format!("the client reset the stream ({reason:?})"));
                exchange.finish_error(&conn, &error);
                return;
            }
            forwarded = &mut forward => break forwarded,
        }
    };
    // The final head may win the select while 1xx responses sent before it are still queued.
    while let Ok(parts) = interim_rx.try_recv() {
        let _ = respond.send_informational(http::Response::from_parts(parts, ()));
    }
    let answered = match forwarded {
        Ok(answered) => answered,
        Err(error) => {
            respond_error(&mut respond, &error);
            exchange.finish_error(&conn, &error);
            return;
        }
    };
    exchange.upstream(&answered);
    let mut body = answered.body;
    let body_len = match body.exact_length() {
        Some(0) => BodyLen::Empty,
        Some(length) => BodyLen::Exact(length),
        None => BodyLen::Unknown,
    };
    let response = translate::response_to_h2(&answered.parts, body_len);
    exchange.status(response.status().as_u16());
    // A HEAD response has no content whatever the origin sends after its head (RFC 9110
    // §9.3.2): the h1 side never reads it, and neither does this one. An HTTP/2 origin that
    // sends DATA anyway has its stream reset by h2 on our side, which must not reach the
    // client as a failure of a response that is already complete.
    let end_of_stream = method_is_head || body.is_known_empty();
    let mut stream = match respond.send_response(response, end_of_stream) {
        Ok(stream) => stream,
        Err(error) => {
            let error = Error::new(
                ErrorKind::ClientGone,
                format!("sending the response: {error}"),
            );
            exchange.finish_error(&conn, &error);
            return;
        }
    };
    if end_of_stream {
        exchange.finish_ok(&conn);
        return;
    }
    match send_body(&mut body, &mut stream, ErrorKind::ClientGone).await {
        Ok(bytes) => {
            exchange.bytes_out(bytes);
            exchange.finish_ok(&conn);
        }
        Err(error) => {
            if error.blame() != Blame::Client {
                // The client must not take a cut-short body for a whole one.
                stream.send_reset(Reason::INTERNAL_ERROR);
            }
            exchange.finish_error(&conn, &error);
        }
    }
}

/// Answers a failed request with its status and a short text body, or resets the stream
/// when nobody is left to answer.
fn respond_error(respond: &mut SendResponse<Bytes>, error: &Error) {
    let Some(status) = error.status() else {
        respond.send_reset(Reason::CANCEL);
        return;
    };
    let body = error_body(error);
    let response = http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(http::header::CONTENT_LENGTH, body.len())
        .body(());
    let Ok(response) = response else {
        respond.send_reset(Reason::INTERNAL_ERROR);
        return;
    };
    match respond.send_response(response, false) {
        Ok(mut stream) => {
            let _ = stream.send_data(body, true);
        }
        Err(error) => tracing::debug!(%error, "could not answer the stream"),
    }
}
