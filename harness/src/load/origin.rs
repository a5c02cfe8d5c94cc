//! A fast fixed-response HTTP/1.1 origin for benchmarks.
//!
//! Every request is answered `200` with a `content-length` and the same body, on keep-alive
//! connections, with requests parsed by tollgate's own [`RequestDecoder`] under the default
//! policy. Answers to pipelined requests are written together, so the origin costs one write
//! per read. It does as little as an origin can, so that what a benchmark measures is the
//! proxy in front of it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tollgate_codecs::h1::{
    Persistence, RequestDecoder, RequestEvent, RequestMethod, WireAnswer, canonical_reason,
};
use tollgate_codecs::{Policy, Side};

use crate::load::{LoadError, LoadErrorKind};

/// Room kept free in a connection's read buffer.
const READ_SPACE: usize = 8 * 1024;

/// How long accepting pauses after a failed accept (out of file descriptors, most likely),
/// instead of spinning on the error.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// A running origin on `127.0.0.1` and an OS-chosen port. Dropping it stops it: the listener
/// and every connection close.
#[derive(Debug)]
pub struct Origin {
    addr: SocketAddr,
    served: Arc<AtomicU64>,
    accept: JoinHandle<()>,
}

/// The answer, encoded once.
#[derive(Debug)]
struct Answer {
    keep_alive: Bytes,
    close: Bytes,
    body: Bytes,
}

impl Origin {
    /// Starts an origin whose responses carry `body_size` bytes of body. Must be called
    /// within a tokio runtime, which then runs it.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Bind`] when no loopback port can be bound.
    pub async fn start(body_size: usize) -> Result<Origin, LoadError> {
        let bind_error = |error: std::io::Error| {
            LoadError::new(
                LoadErrorKind::Bind,
                format!("the origin cannot listen on 127.0.0.1: {error}"),
            )
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let served = Arc::new(AtomicU64::new(0));
        let shared = Shared {
            answer: Arc::new(Answer::new(body_size)),
            policy: Arc::new(Policy::default()),
            served: Arc::clone(&served),
        };
        let accept = tokio::spawn(accept(listener, shared));
        Ok(Origin {
            addr,
            served,
            accept,
        })
    }

    /// Where the origin listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests answered so far (complete requests, answered with 200).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        // The connections live in the accept task's JoinSet, which aborts them when dropped.
        self.accept.abort();
    }
}

impl Answer {
    fn new(body_size: usize) -> Answer {
        let head = |connection: &str| {
            Bytes::from(format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {body_size}\r\n\
                 content-type: application/octet-stream\r\n{connection}\r\n"
            ))
        };
        Answer {
            keep_alive: head(""),
            close: head("connection: close\r\n"),
            body: Bytes::from(vec![b'x'; body_size]),
        }
    }
}

/// What every connection task shares.
#[derive(Clone)]
struct Shared {
    answer: Arc<Answer>,
    policy: Arc<Policy>,
    served: Arc<AtomicU64>,
}

async fn accept(listener: TcpListener, shared: Shared) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, shared.clone()));
                }
                Err(_) => tokio::time::sleep(ACCEPT_PAUSE).await,
            },
            // Reaps finished connections so the set does not grow with every one ever served.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Answers the requests of one connection until the client closes, asks to close, or sends
/// something the decoder refuses.
async fn serve(mut stream: TcpStream, shared: Shared) {
    let _ = stream.set_nodelay(true);
    let mut decoder = RequestDecoder::new(Arc::clone(&shared.policy), Side::Client);
    let mut input = BytesMut::with_capacity(READ_SPACE);
    let mut output = BytesMut::new();
    loop {
        let close = answer_buffered(&mut decoder, &mut input, &mut output, &shared);
        if !output.is_empty() {
            if stream.write_all(&output).await.is_err() {
                return;
            }
            output.clear();
        }
        if close {
            return;
        }
        if input.capacity() - input.len() < READ_SPACE / 4 {
            input.reserve(READ_SPACE);
        }
        match stream.read_buf(&mut input).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Answers every complete request in `input` into `output`; whether the connection closes
/// after writing them.
fn answer_buffered(
    decoder: &mut RequestDecoder,
    input: &mut BytesMut,
    output: &mut BytesMut,
    shared: &Shared,
) -> bool {
    let mut current = None;
    loop {
        match decoder.decode(input) {
            Ok(Some(RequestEvent::Head(request))) => {
                current = Some((
                    RequestMethod::of(request.head.method()),
                    request.persistence,
                ));
            }
            Ok(Some(RequestEvent::Data(_) | RequestEvent::Trailers(_))) => {}
            Ok(Some(RequestEvent::End)) => {
                let (method, persistence) = current
                    .take()
                    .unwrap_or((RequestMethod::Other, Persistence::Close));
                let answer = &shared.answer;
                let close = persistence == Persistence::Close;
                output.extend_from_slice(if close {
                    &answer.close
                } else {
                    &answer.keep_alive
                });
                if method != RequestMethod::Head {
                    output.extend_from_slice(&answer.body);
                }
                shared.served.fetch_add(1, Ordering::Relaxed);
                if close {
                    return true;
                }
                // An upgrade or CONNECT offer pauses the decoder; a 200 without `upgrade`
                // refuses it, so the connection stays HTTP.
                decoder.resume();
            }
            Ok(None) => return false,
            Err(error) => {
                if let WireAnswer::Status(status) = error.wire_answer() {
                    output.extend_from_slice(
                        format!(
                            "HTTP/1.1 {status} {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            canonical_reason(status)
                        )
                        .as_bytes(),
                    );
                }
                return true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(body_size: usize) -> Shared {
        Shared {
            answer: Arc::new(Answer::new(body_size)),
            policy: Arc::new(Policy::default()),
            served: Arc::new(AtomicU64::new(0)),
        }
    }

    fn answer(input: &[u8], shared: &Shared) -> (Vec<u8>, bool) {
        let mut decoder = RequestDecoder::new(Arc::clone(&shared.policy), Side::Client);
        let mut input = BytesMut::from(input);
        let mut output = BytesMut::new();
        let close = answer_buffered(&mut decoder, &mut input, &mut output, shared);
        (output.to_vec(), close)
    }

    #[test]
    fn pipelined_requests_are_answered_together() {
        let shared = shared(3);
        let (output, close) = answer(
            b"GET / HTTP/1.1\r\nhost: a\r\n\r\nHEAD / HTTP/1.1\r\nhost: a\r\n\r\nGET /x HTTP/1.1\r\nhost: a\r\n",
            &shared,
        );
        let expected = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-type: application/octet-stream\r\n\r\n";
        assert_eq!(
            String::from_utf8(output).unwrap(),
            format!("{expected}xxx{expected}")
        );
        assert!(!close);
        assert_eq!(shared.served.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_request_asking_to_close_is_answered_then_closed() {
        let shared = shared(0);
        let (output, close) = answer(
            b"GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n",
            &shared,
        );
        assert!(
            String::from_utf8(output)
                .unwrap()
                .contains("connection: close\r\n")
        );
        assert!(close);
    }

    #[test]
    fn a_refused_request_gets_its_wire_answer_and_a_close() {
        let shared = shared(0);
        let (output, close) = answer(b"GET / HTTP/1.1\r\n\r\n", &shared);
        assert!(
            String::from_utf8(output)
                .unwrap()
                .starts_with("HTTP/1.1 400 ")
        );
        assert!(close);
        assert_eq!(shared.served.load(Ordering::Relaxed), 0);
    }
}
