//! One HTTP/1.1 connection slot of the generator: keep-alive, one request in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use tollgate_codecs::h1::{Persistence, RequestMethod, ResponseDecoder, ResponseEvent};
use tollgate_codecs::{Policy, Side};

use crate::load::LoadError;
use crate::load::backoff::Backoff;
use crate::load::budget::Budget;
use crate::load::tally::Tally;

/// Room kept free in the read buffer, so a read never has to grow it by a few bytes at a time.
const READ_SPACE: usize = 16 * 1024;

/// A connection slot: opens a connection, sends requests on it until the run ends, and opens
/// another when it dies.
pub(crate) struct Worker {
    pub(crate) target: SocketAddr,
    pub(crate) request: Bytes,
    pub(crate) policy: Arc<Policy>,
    pub(crate) budget: Arc<Budget>,
    pub(crate) tally: Tally,
}

/// A complete response.
struct Answer {
    status: u16,
    bytes: u64,
    persistence: Persistence,
}

impl Worker {
    pub(crate) async fn run(mut self) -> Result<Tally, LoadError> {
        let mut backoff = Backoff::default();
        let end = tokio::time::Instant::from_std(self.budget.end());
        while !self.budget.is_over() {
            let stream = match timeout_at(end, TcpStream::connect(self.target)).await {
                Err(_) => break,
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    if let Some(ticket) = self.budget.take() {
                        self.tally.failed(ticket, || format!("connect: {error}"));
                    }
                    backoff.pause(&self.budget).await;
                    continue;
                }
            };
            // Small requests and responses: Nagle's delay would be most of the latency.
            let _ = stream.set_nodelay(true);
            if self.connection(stream).await > 0 {
                backoff.reset();
            } else {
                backoff.pause(&self.budget).await;
            }
        }
        Ok(self.tally)
    }

    /// Sends requests on one connection until it fails, closes or the run ends; how many were
    /// answered.
    async fn connection(&mut self, mut stream: TcpStream) -> u64 {
        let end = tokio::time::Instant::from_std(self.budget.end());
        let mut decoder = ResponseDecoder::new(Arc::clone(&self.policy), Side::Origin);
        let mut buf = BytesMut::with_capacity(READ_SPACE);
        let mut answered = 0;
        while let Some(ticket) = self.budget.take() {
            let started = Instant::now();
            let exchange = exchange(&mut stream, &self.request, &mut decoder, &mut buf);
            match timeout_at(end, exchange).await {
                // The run is over: the request in flight is abandoned, not counted.
                Err(_) => break,
                Ok(Ok(answer)) => {
                    self.tally
                        .answered(ticket, started, answer.status, answer.bytes);
                    answered += 1;
                    if answer.persistence == Persistence::Close {
                        break;
                    }
                }
                Ok(Err(reason)) => {
                    self.tally.failed(ticket, || reason);
                    break;
                }
            }
        }
        answered
    }
}

/// Writes the request and reads its response to the end.
async fn exchange(
    stream: &mut TcpStream,
    request: &[u8],
    decoder: &mut ResponseDecoder,
    buf: &mut BytesMut,
) -> Result<Answer, String> {
    stream
        .write_all(request)
        .await
        .map_err(|error| format!("write: {error}"))?;
    decoder.expect_response(RequestMethod::Other);
    let mut head = None;
    let mut bytes = 0u64;
    let mut eof = false;
    loop {
        let event = if eof {
            decoder.decode_eof(buf)
        } else {
            decoder.decode(buf)
        };
        match event.map_err(|error| format!("response: {error}"))? {
            Some(ResponseEvent::Head(response)) => {
                head = Some((response.head.status(), response.persistence));
            }
            Some(ResponseEvent::Data(data)) => bytes += data.len() as u64,
            Some(ResponseEvent::Informational(_) | ResponseEvent::Trailers(_)) => {}
            Some(ResponseEvent::End) => {
                let (status, persistence) =
                    head.ok_or_else(|| "response ended before its head".to_owned())?;
                return Ok(Answer {
                    status,
                    bytes,
                    persistence,
                });
            }
            None if eof => return Err("connection closed mid-response".to_owned()),
            None => {
                if buf.capacity() - buf.len() < READ_SPACE / 4 {
                    buf.reserve(READ_SPACE);
                }
                let read = stream
                    .read_buf(buf)
                    .await
                    .map_err(|error| format!("read: {error}"))?;
                eof = read == 0;
            }
        }
    }
}
