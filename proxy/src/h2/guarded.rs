//! [`Guarded`]: a client connection with the guard reading along.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tollgate_codecs::h2::guard::{Guard, Verdict};

use crate::h2::Report;

/// A client connection whose bytes the guard sees both ways, to hand to
/// `h2::server::handshake`.
///
/// What the client sends reaches `h2` unchanged until a budget is spent; then the read that
/// spent it is withheld, GOAWAY(ENHANCE_YOUR_CALM) is written to the client, `h2` reads end of
/// stream, and whatever it still writes is discarded.
pub struct Guarded<S> {
    inner: S,
    guard: Guard,
    report: Report,
    /// What is left to write of the GOAWAY, once a budget is spent.
    goaway: Option<Bytes>,
    /// The GOAWAY is written: the connection is over.
    over: bool,
}

impl<S> Guarded<S> {
    /// Wraps `inner`, reporting anomalies to `report`.
    pub fn new(inner: S, guard: Guard, report: Report) -> Guarded<S> {
        Guarded {
            inner,
            guard,
            report,
            goaway: None,
            over: false,
        }
    }

    fn verdict(&mut self, verdict: Verdict) {
        let anomalies = self.guard.take_anomalies();
        if !anomalies.is_empty() {
            (self.report)(anomalies);
        }
        // h2 answers these itself; each is also a rejected anomaly, reported above.
        drop(self.guard.take_refusals());
        if let Verdict::GoAway(goaway) = verdict
            && self.goaway.is_none()
            && !self.over
        {
            self.goaway = Some(goaway.frame());
        }
    }
}

impl<S: AsyncWrite + Unpin> Guarded<S> {
    /// Writes what is left of the GOAWAY; ready once it is all written (or there is none).
    fn flush_goaway(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(goaway) = &mut self.goaway {
            ready!(crate::h2::poll_write_all(&mut self.inner, cx, goaway))?;
            self.goaway = None;
            self.over = true;
            ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.flush_goaway(cx))?;
        if this.over {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let verdict = this
            .guard
            .client_bytes(&buf.filled()[before..], Instant::now());
        this.verdict(verdict);
        if this.goaway.is_some() {
            // The read that spent the budget never reaches h2.
            buf.set_filled(before);
            ready!(this.flush_goaway(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.flush_goaway(cx))?;
        if this.over {
            // h2 winds down after the end of stream; the client is gone for it.
            return Poll::Ready(Ok(buf.len()));
        }
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        let verdict = this.guard.server_bytes(&buf[..written], Instant::now());
        this.verdict(verdict);
        // A spent budget is answered as soon as possible; a pending GOAWAY write is resumed
        // by the next read or write.
        let _ = this.flush_goaway(cx)?;
        Poll::Ready(Ok(written))
    }

    /// h2 writes a frame's head and a large payload as two buffers: with vectored writes
    /// they leave in one system call instead of two.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.flush_goaway(cx))?;
        if this.over {
            return Poll::Ready(Ok(bufs.iter().map(|buf| buf.len()).sum()));
        }
        let written = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs))?;
        let now = Instant::now();
        let mut left = written;
        for buf in bufs {
            if left == 0 {
                break;
            }
            let part = left.min(buf.len());
            let verdict = this.guard.server_bytes(&buf[..part], now);
            this.verdict(verdict);
            left -= part;
        }
        let _ = this.flush_goaway(cx)?;
        Poll::Ready(Ok(written))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.flush_goaway(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.flush_goaway(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
