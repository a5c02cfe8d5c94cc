//! One HTTP/2 connection of the generator: prior knowledge (h2c), several stream lanes, each
//! with one request in flight.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use h2::client::SendRequest;
use hdrhistogram::Histogram;
use http::{Request, Uri};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::timeout_at;

use crate::load::backoff::Backoff;
use crate::load::budget::Budget;
use crate::load::tally::Tally;
use crate::load::{LoadError, LoadErrorKind, LoadSpec};

/// The stream window the generator grants: large enough that its own flow control never paces
/// the target, whatever the body size.
const STREAM_WINDOW: u32 = 1 << 20;
/// The connection window, for all lanes together.
const CONNECTION_WINDOW: u32 = 1 << 24;

/// The request every stream sends.
#[derive(Clone, Debug)]
pub(crate) struct RequestTemplate {
    uri: Uri,
}

impl RequestTemplate {
    pub(crate) fn new(spec: &LoadSpec) -> Result<RequestTemplate, LoadError> {
        let uri = format!("http://{}{}", spec.host, spec.path)
            .parse::<Uri>()
            .map_err(|error| {
                LoadError::new(
                    LoadErrorKind::InvalidSpec,
                    format!("host and path do not make a URI: {error}"),
                )
            })?;
        Ok(RequestTemplate { uri })
    }

    fn request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.uri_mut() = self.uri.clone();
        request
    }
}

/// A connection slot: opens an HTTP/2 connection, runs its lanes until the run ends, and
/// opens another when the connection dies.
pub(crate) struct Worker {
    pub(crate) target: SocketAddr,
    pub(crate) request: RequestTemplate,
    pub(crate) streams: usize,
    pub(crate) budget: Arc<Budget>,
    pub(crate) template: Histogram<u64>,
}

impl Worker {
    pub(crate) async fn run(self) -> Result<Tally, LoadError> {
        let mut total = Tally::new(self.template.clone());
        let mut backoff = Backoff::default();
        let end = tokio::time::Instant::from_std(self.budget.end());
        while !self.budget.is_over() {
            let send = match timeout_at(end, connect(self.target)).await {
                Err(_) => break,
                Ok(Ok(send)) => send,
                Ok(Err(reason)) => {
                    if let Some(ticket) = self.budget.take() {
                        total.failed(ticket, || reason);
                    }
                    backoff.pause(&self.budget).await;
                    continue;
                }
            };
            let mut lanes = JoinSet::new();
            for _ in 0..self.streams {
                let lane = Lane {
                    send: send.clone(),
                    request: self.request.clone(),
                    budget: Arc::clone(&self.budget),
                    tally: Tally::new(self.template.clone()),
                };
                lanes.spawn(lane.run());
            }
            drop(send);
            let mut answered = 0;
            while let Some(joined) = lanes.join_next().await {
                let (tally, lane_answered) = joined.map_err(|error| {
                    LoadError::new(
                        LoadErrorKind::Task,
                        format!("an h2 stream lane failed: {error}"),
                    )
                })?;
                answered += lane_answered;
                total.merge(&tally)?;
            }
            if answered > 0 {
                backoff.reset();
            } else {
                backoff.pause(&self.budget).await;
            }
        }
        Ok(total)
    }
}

/// Opens the TCP connection, sends the preface and spawns the task that drives the
/// connection; it ends when every handle to the connection is dropped or the connection dies.
async fn connect(target: SocketAddr) -> Result<SendRequest<Bytes>, String> {
    let stream = TcpStream::connect(target)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    let _ = stream.set_nodelay(true);
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .handshake::<_, Bytes>(stream)
        .await
        .map_err(|error| format!("h2 handshake: {error}"))?;
    tokio::spawn(async move {
        // How the connection ended is seen by the lanes, in their requests' errors.
        let _ = connection.await;
    });
    Ok(send)
}

/// One request in flight at a time on a shared connection.
struct Lane {
    send: SendRequest<Bytes>,
    request: RequestTemplate,
    budget: Arc<Budget>,
    tally: Tally,
}

impl Lane {
    /// Runs until the run ends or the connection is gone; the tally and how many requests were
    /// answered.
    async fn run(mut self) -> (Tally, u64) {
        let end = tokio::time::Instant::from_std(self.budget.end());
        let mut answered = 0;
        loop {
            // A connection that is gone refuses here, before a ticket is spent on it: its loss
            // was counted with the request that saw it.
            match timeout_at(end, poll_fn(|cx| self.send.poll_ready(cx))).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => break,
            }
            let Some(ticket) = self.budget.take() else {
                break;
            };
            let started = Instant::now();
            match timeout_at(end, exchange(&mut self.send, &self.request)).await {
                Err(_) => break,
                Ok(Ok((status, bytes))) => {
                    self.tally.answered(ticket, started, status, bytes);
                    answered += 1;
                }
                Ok(Err(error)) => self.tally.failed(ticket, || format!("h2: {error}")),
            }
        }
        (self.tally, answered)
    }
}

/// Sends the request (no body) and reads its response to the end; the status and body length.
async fn exchange(
    send: &mut SendRequest<Bytes>,
    request: &RequestTemplate,
) -> Result<(u16, u64), h2::Error> {
    let (response, _) = send.send_request(request.request(), true)?;
    let response = response.await?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut bytes = 0u64;
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        bytes += chunk.len() as u64;
        // Credit goes back at once: the generator reads as fast as it can.
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    Ok((status, bytes))
}
