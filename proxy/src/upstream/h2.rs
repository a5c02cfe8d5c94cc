//! HTTP/2 origin connections: `h2`'s client behind the repair shim, shared by many requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ::h2::client::SendRequest;
use bytes::Bytes;
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tollgate_codecs::Policy;
use tollgate_codecs::h2::hpack;
use tollgate_codecs::h2::shim::Shim;

use crate::body::Body;
use crate::error::{Error, ErrorKind};
use crate::h2::{Report, Shimmed, send_body};
use crate::io::BoxIo;

/// Per-stream receive window offered to origins: large enough that one stream fills a
/// loopback or LAN link, small enough that a stalled client pins at most this much per stream.
const STREAM_WINDOW: u32 = 1024 * 1024;
/// Connection receive window: several streams at full speed.
const CONNECTION_WINDOW: u32 = 4 * 1024 * 1024;

/// One HTTP/2 connection to an origin.
pub(crate) struct H2Conn {
    send: SendRequest<Bytes>,
    active: AtomicUsize,
    max_streams: usize,
    closed: Arc<AtomicBool>,
    /// The pool's signal that a request waiting for a connection can look again.
    freed: Arc<Notify>,
    _permit: OwnedSemaphorePermit,
}

/// A stream's place on a connection, given back when the exchange ends (on drop).
pub(crate) struct StreamSlot {
    conn: Arc<H2Conn>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.conn.active.fetch_sub(1, Ordering::AcqRel);
        self.conn.freed.notify_one();
    }
}

impl H2Conn {
    /// Runs the HTTP/2 handshake on `io` through the shim (origin policy `policy`) and starts
    /// the connection's driver task.
    pub(crate) async fn handshake(
        io: BoxIo,
        policy: Arc<Policy>,
        report: Report,
        max_streams: usize,
        permit: OwnedSemaphorePermit,
        freed: Arc<Notify>,
        addr: &str,
    ) -> Result<Arc<H2Conn>, Error> {
        let shimmed = Shimmed::new(io, Shim::new(policy), report);
        let (send, connection) = ::h2::client::Builder::new()
            .enable_push(false)
            .initial_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .max_header_list_size(u32::try_from(hpack::DEFAULT_MAX_LIST_SIZE).unwrap_or(u32::MAX))
            .handshake::<_, Bytes>(shimmed)
            .await
            .map_err(|error| {
                Error::new(
                    ErrorKind::OriginConnect,
                    format!("HTTP/2 handshake with {addr}: {error}"),
                )
                .retryable()
            })?;
        let closed = Arc::new(AtomicBool::new(false));
        let driver_closed = closed.clone();
        let origin = addr.to_owned();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(origin, %error, "origin HTTP/2 connection ended");
            }
            driver_closed.store(true, Ordering::Release);
        });
        Ok(Arc::new(H2Conn {
            send,
            active: AtomicUsize::new(0),
            max_streams: max_streams.max(1),
            closed,
            freed,
            _permit: permit,
        }))
    }

    /// Whether the connection can take no more requests.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Streams in flight.
    pub(crate) fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// Claims a stream slot when the connection is open and under its stream cap.
    pub(crate) fn claim(self: &Arc<Self>) -> Option<StreamSlot> {
        if self.is_closed() {
            return None;
        }
        let mut active = self.active.load(Ordering::Acquire);
        loop {
            if active >= self.max_streams {
                return None;
            }
            match self.active.compare_exchange_weak(
                active,
                active + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(StreamSlot { conn: self.clone() }),
                Err(now) => active = now,
            }
        }
    }

    /// Sends `request` with `body` on the slot's connection; the response head and a body that
    /// holds the slot until it is dropped.
    pub(crate) async fn send(
        slot: StreamSlot,
        request: http::Request<()>,
        mut body: Body,
    ) -> Result<(http::response::Parts, Body), Error> {
        // The request was not sent when these fail: safe to send again elsewhere.
        let closed = |error: ::h2::Error| {
            Error::new(
                ErrorKind::OriginClosed,
                format!("the origin's HTTP/2 connection is gone: {error}"),
            )
            .retryable()
        };
        let mut sender = slot.conn.send.clone().ready().await.map_err(&closed)?;
        let end_of_stream = body.is_known_empty();
        let (response, mut stream) = sender
            .send_request(request, end_of_stream)
            .map_err(&closed)?;
        if !end_of_stream {
            tokio::spawn(async move {
                if let Err(error) = send_body(&mut body, &mut stream, ErrorKind::OriginClosed).await
                {
                    tracing::debug!(%error, "request body to the origin stopped");
                    stream.send_reset(::h2::Reason::CANCEL);
                }
            });
        }
        let response = response.await.map_err(|error| {
            let kind = if error.is_go_away() || error.is_io() || error.is_remote() {
                ErrorKind::OriginClosed
            } else {
                ErrorKind::OriginMalformed
            };
            // REFUSED_STREAM promises the origin did not process the request (RFC 9113 §8.7).
            let retry = error.reason() == Some(::h2::Reason::REFUSED_STREAM);
            let error = Error::new(
                kind,
                format!("the origin's HTTP/2 response failed: {error}"),
            );
            if retry { error.retryable() } else { error }
        })?;
        let (parts, recv) = response.into_parts();
        let length = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok());
        let parts = tollgate_translators::response_from_h2(parts);
        let body = Body::h2(recv, length, ErrorKind::OriginClosed).holding(slot);
        Ok((parts, body))
    }
}
