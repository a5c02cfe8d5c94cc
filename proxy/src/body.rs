//! [`Body`]: a message body streamed between the two sides of the proxy, as `http-body` frames
//! (data and trailers), never buffered whole.
//!
//! A body comes from a client or an origin connection and is pulled by the other side as fast
//! as that side can write, so a slow reader slows the writer down (backpressure): an HTTP/1
//! connection's reader pushes into a small bounded channel, an HTTP/2 stream gives its
//! flow-control credit back only as frames are pulled.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep};

use crate::error::{Error, ErrorKind};

/// How many frames an HTTP/1 reader may run ahead of the side that writes them. Each frame is
/// at most one read (16 KiB), so a body holds at most 64 KiB in the proxy per direction.
const CHANNEL_FRAMES: usize = 4;

/// A body in flight. Implements [`http_body::Body`].
pub struct Body {
    kind: Kind,
    /// The exact length, when the sender announced one.
    length: Option<u64>,
    /// Fired the first time the body is pulled: an `Expect: 100-continue` is answered then.
    demand: Option<oneshot::Sender<()>>,
    timer: Option<Timer>,
    /// Kept alive as long as the body: e.g. the HTTP/2 stream slot it occupies in a pool.
    _hold: Option<Box<dyn Send + Sync>>,
}

enum Kind {
    Empty,
    Full(Option<Bytes>),
    Channel {
        frames: mpsc::Receiver<Result<Frame<Bytes>, Error>>,
        finished: Arc<AtomicBool>,
        /// Who is to blame when the producer vanishes mid-body.
        producer: ErrorKind,
    },
    H2 {
        stream: ::h2::RecvStream,
        data_done: bool,
        /// Who is to blame for a stream error.
        peer: ErrorKind,
    },
    Done,
}

/// Idle and total deadlines on a body read from an origin. The timers are armed the first
/// time the body has to wait: a body whose frames are all there already (most small ones)
/// never touches the timer wheel.
struct Timer {
    idle: Duration,
    idle_sleep: Option<Pin<Box<Sleep>>>,
    deadline_at: Option<Instant>,
    deadline: Option<Pin<Box<Sleep>>>,
    what: &'static str,
}

/// The producing end of [`Body::channel`].
pub struct BodySender {
    frames: mpsc::Sender<Result<Frame<Bytes>, Error>>,
    finished: Arc<AtomicBool>,
}

impl BodySender {
    /// Sends a data frame; waits while the reader is behind. `false` when the body was dropped
    /// (the other side is gone).
    pub async fn data(&self, data: Bytes) -> bool {
        self.frames.send(Ok(Frame::data(data))).await.is_ok()
    }

    /// Sends the trailers; see [`BodySender::data`].
    pub async fn trailers(&self, trailers: HeaderMap) -> bool {
        self.frames
            .send(Ok(Frame::trailers(trailers)))
            .await
            .is_ok()
    }

    /// Ends the body with an error the reader will see.
    pub async fn fail(self, error: Error) {
        // The reader may be gone already, and then nobody needs the error.
        let _ = self.frames.send(Err(error)).await;
    }

    /// Ends the body cleanly.
    pub fn finish(self) {
        self.finished.store(true, Ordering::Release);
    }

    /// Waits until the reader has dropped the body.
    pub async fn closed(&self) {
        self.frames.closed().await;
    }
}

impl Body {
    fn with(kind: Kind, length: Option<u64>) -> Body {
        Body {
            kind,
            length,
            demand: None,
            timer: None,
            _hold: None,
        }
    }

    /// No body at all.
    pub fn empty() -> Body {
        Body::with(Kind::Empty, Some(0))
    }

    /// A body already in memory (error pages, admin answers).
    pub fn full(data: impl Into<Bytes>) -> Body {
        let data = data.into();
        let length = data.len() as u64;
        Body::with(Kind::Full(Some(data)), Some(length))
    }

    /// A body fed by a [`BodySender`], of `length` bytes when known. `producer` says who is
    /// blamed if the sender is dropped without finishing.
    pub fn channel(length: Option<u64>, producer: ErrorKind) -> (BodySender, Body) {
        let (tx, rx) = mpsc::channel(CHANNEL_FRAMES);
        let finished = Arc::new(AtomicBool::new(false));
        let body = Body::with(
            Kind::Channel {
                frames: rx,
                finished: finished.clone(),
                producer,
            },
            length,
        );
        (
            BodySender {
                frames: tx,
                finished,
            },
            body,
        )
    }

    /// The body of an HTTP/2 stream; `peer` says who is blamed for a stream error, and
    /// `length` is the content-length the peer announced (h2 enforces it).
    pub fn h2(stream: ::h2::RecvStream, length: Option<u64>, peer: ErrorKind) -> Body {
        if stream.is_end_stream() {
            return Body::empty();
        }
        Body::with(
            Kind::H2 {
                stream,
                data_done: false,
                peer,
            },
            length,
        )
    }

    /// Returns a receiver fired the first time the body is pulled.
    pub fn on_demand(&mut self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.demand = Some(tx);
        rx
    }

    /// Fails the body with [`ErrorKind::OriginTimeout`] when no frame comes for `idle`, or the
    /// body is not complete by `deadline`.
    pub fn with_timeouts(
        mut self,
        idle: Duration,
        deadline: Option<Instant>,
        what: &'static str,
    ) -> Body {
        self.timer = Some(Timer {
            idle,
            idle_sleep: None,
            deadline_at: deadline,
            deadline: None,
            what,
        });
        self
    }

    /// Keeps `hold` alive until the body is dropped.
    pub fn holding(mut self, hold: impl Send + Sync + 'static) -> Body {
        self._hold = Some(Box::new(hold));
        self
    }

    /// The exact length when known.
    pub fn exact_length(&self) -> Option<u64> {
        if matches!(self.kind, Kind::Empty | Kind::Done) {
            return Some(0);
        }
        self.length
    }

    /// Whether the body is known to be empty without pulling it.
    pub fn is_known_empty(&self) -> bool {
        self.exact_length() == Some(0)
    }

    /// The next frame if one is ready now: `Some(None)` at the end, `None` when the caller
    /// would have to wait (it then awaits [`Body::frame`], which registers its waker).
    pub fn try_frame(&mut self) -> Option<Option<Result<Frame<Bytes>, Error>>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match self.poll_next(&mut cx) {
            Poll::Ready(frame) => Some(frame),
            Poll::Pending => None,
        }
    }

    /// The next frame; `None` at the end.
    pub async fn frame(&mut self) -> Option<Result<Frame<Bytes>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if let Some(demand) = self.demand.take() {
            let _ = demand.send(());
        }
        let polled = self.poll_kind(cx);
        let Some(timer) = self.timer.as_mut() else {
            return polled;
        };
        match polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(sleep) = timer.idle_sleep.as_mut() {
                    sleep.as_mut().reset(Instant::now() + timer.idle);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => {
                let idle = timer.idle;
                let idle_sleep = timer
                    .idle_sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                let expired = if idle_sleep.as_mut().poll(cx).is_ready() {
                    Some(format!("{} stalled for {:?}", timer.what, timer.idle))
                } else if let Some(at) = timer.deadline_at
                    && timer
                        .deadline
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)))
                        .as_mut()
                        .poll(cx)
                        .is_ready()
                {
                    Some(format!(
                        "{} not complete within the total timeout",
                        timer.what
                    ))
                } else {
                    None
                };
                match expired {
                    Some(reason) => {
                        self.kind = Kind::Done;
                        Poll::Ready(Some(Err(Error::new(ErrorKind::OriginTimeout, reason))))
                    }
                    None => Poll::Pending,
                }
            }
        }
    }

    fn poll_kind(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match &mut self.kind {
            Kind::Empty | Kind::Done => Poll::Ready(None),
            Kind::Full(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            Kind::Channel {
                frames,
                finished,
                producer,
            } => match ready!(frames.poll_recv(cx)) {
                Some(frame) => Poll::Ready(Some(frame)),
                None if finished.load(Ordering::Acquire) => Poll::Ready(None),
                None => {
                    let kind = *producer;
                    self.kind = Kind::Done;
                    Poll::Ready(Some(Err(Error::new(kind, "the body ended before its end"))))
                }
            },
            Kind::H2 {
                stream,
                data_done,
                peer,
            } => {
                let peer = *peer;
                if !*data_done {
                    match ready!(stream.poll_data(cx)) {
                        Some(Ok(data)) => {
                            // Credit goes back as the data is pulled, so the peer can send no
                            // further ahead than the reader allows.
                            let _ = stream.flow_control().release_capacity(data.len());
                            return Poll::Ready(Some(Ok(Frame::data(data))));
                        }
                        Some(Err(error)) => {
                            self.kind = Kind::Done;
                            return Poll::Ready(Some(Err(h2_body_error(peer, &error))));
                        }
                        None => *data_done = true,
                    }
                }
                let trailers = ready!(stream.poll_trailers(cx));
                self.kind = Kind::Done;
                match trailers {
                    Ok(Some(trailers)) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
                    Ok(None) => Poll::Ready(None),
                    Err(error) => Poll::Ready(Some(Err(h2_body_error(peer, &error)))),
                }
            }
        }
    }
}

/// Names an HTTP/2 stream failure of the peer `peer`.
fn h2_body_error(peer: ErrorKind, error: &::h2::Error) -> Error {
    let what = match error.reason() {
        Some(reason) if error.is_remote() => format!("the peer reset the stream ({reason:?})"),
        Some(reason) => format!("the stream was reset ({reason:?})"),
        None => format!("the stream failed: {error}"),
    };
    Error::new(peer, what)
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        self.get_mut().poll_next(cx)
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.kind, Kind::Empty | Kind::Done | Kind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact_length() {
            Some(length) => SizeHint::with_exact(length),
            None => SizeHint::default(),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Empty => "empty",
            Kind::Full(_) => "full",
            Kind::Channel { .. } => "channel",
            Kind::H2 { .. } => "h2",
            Kind::Done => "done",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("length", &self.length)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn channel_delivers_frames_then_ends_when_finished() {
        let (tx, mut body) = Body::channel(Some(5), ErrorKind::ClientGone);
        let demanded = body.on_demand();
        let producer = tokio::spawn(async move {
            assert!(tx.data(Bytes::from_static(b"hel")).await);
            assert!(tx.data(Bytes::from_static(b"lo")).await);
            tx.finish();
        });
        let mut got = Vec::new();
        while let Some(frame) = body.frame().await {
            got.extend_from_slice(&frame.unwrap().into_data().unwrap());
        }
        producer.await.unwrap();
        assert_eq!(got, b"hello");
        assert!(
            demanded.await.is_ok(),
            "pulling the body fires the demand signal"
        );
        assert_eq!(body.exact_length(), Some(5));
    }

    #[tokio::test]
    async fn a_producer_dropped_mid_body_is_an_error_blamed_on_it() {
        let (tx, mut body) = Body::channel(None, ErrorKind::OriginClosed);
        tokio::spawn(async move {
            tx.data(Bytes::from_static(b"x")).await;
        });
        assert!(body.frame().await.unwrap().is_ok());
        let error = body.frame().await.unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::OriginClosed);
        assert!(body.frame().await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_times_out() {
        let (tx, body) = Body::channel(None, ErrorKind::OriginClosed);
        let mut body = body.with_timeouts(Duration::from_secs(5), None, "the origin's body");
        let error = body.frame().await.unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::OriginTimeout);
        assert!(error.reason().contains("stalled"), "{error}");
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn the_total_deadline_holds_even_while_data_flows() {
        let (tx, body) = Body::channel(None, ErrorKind::OriginClosed);
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut body = body.with_timeouts(Duration::from_secs(2), Some(deadline), "the body");
        tokio::spawn(async move {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if !tx.data(Bytes::from_static(b".")).await {
                    return;
                }
            }
        });
        let mut frames = 0;
        let error = loop {
            match body.frame().await {
                Some(Ok(_)) => frames += 1,
                Some(Err(error)) => break error,
                None => panic!("ended without the deadline"),
            }
        };
        assert_eq!(error.kind(), ErrorKind::OriginTimeout);
        assert!(
            (2..=3).contains(&frames),
            "{frames} frames before the deadline"
        );
    }

    #[tokio::test]
    async fn full_and_empty_bodies() {
        let mut body = Body::full("abc");
        assert_eq!(body.exact_length(), Some(3));
        assert_eq!(
            body.frame().await.unwrap().unwrap().into_data().unwrap(),
            "abc"
        );
        assert!(body.frame().await.is_none());
        assert!(Body::empty().is_known_empty());
    }
}
