//! [`Shimmed`]: an origin connection with the repair shim in between, for `h2::client`.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf as _, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tollgate_codecs::h2::shim::Shim;

use crate::h2::Report;

/// Bytes read from the origin at a time.
const READ_CHUNK: usize = 16 * 1024;

/// How much may wait for the origin before a write from `h2` waits too (backpressure).
const ORIGIN_BACKLOG: usize = 64 * 1024;

/// An origin connection seen through the shim, to hand to `h2::client::handshake`.
///
/// `h2` reads the origin's frames as the shim repaired them and writes its own unchanged; the
/// shim's own frames (RST_STREAM, GOAWAY, WINDOW_UPDATE) go to the origin between `h2`'s.
/// After a connection error `h2` reads the GOAWAY the shim wrote for it and then end of
/// stream, and whatever it still writes is discarded.
pub struct Shimmed<S> {
    inner: S,
    shim: Shim,
    report: Report,
    scratch: Box<[u8]>,
    to_h2: BytesMut,
    to_origin: BytesMut,
    origin_closed: bool,
}

impl<S> Shimmed<S> {
    /// Wraps the origin connection `inner`, reporting anomalies to `report`.
    pub fn new(inner: S, shim: Shim, report: Report) -> Shimmed<S> {
        Shimmed {
            inner,
            shim,
            report,
            scratch: vec![0; READ_CHUNK].into_boxed_slice(),
            to_h2: BytesMut::new(),
            to_origin: BytesMut::new(),
            origin_closed: false,
        }
    }

    /// The shim, for its error and counters.
    pub fn shim(&self) -> &Shim {
        &self.shim
    }

    /// Collects what the shim produced after it was handed bytes.
    fn drain_shim(&mut self) {
        let anomalies = self.shim.take_anomalies();
        if !anomalies.is_empty() {
            (self.report)(anomalies);
        }
        // Each refusal is also a rejected anomaly, reported above.
        drop(self.shim.take_refusals());
        // No copy when our buffer is empty or continues the shim's (the usual cases).
        self.to_h2.unsplit(self.shim.take_to_h2());
        self.to_origin.unsplit(self.shim.take_to_origin());
    }
}

impl<S: AsyncWrite + Unpin> Shimmed<S> {
    /// Writes what waits for the origin; ready once all of it is written.
    fn flush_origin(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        crate::h2::poll_write_all(&mut self.inner, cx, &mut self.to_origin)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Shimmed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            // The shim's answers to the origin go out even when h2 has nothing to write.
            if let Poll::Ready(Err(error)) = this.flush_origin(cx) {
                return Poll::Ready(Err(error));
            }
            if !this.to_h2.is_empty() {
                let n = this.to_h2.len().min(buf.remaining());
                buf.put_slice(&this.to_h2[..n]);
                this.to_h2.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.origin_closed || this.shim.error().is_some() {
                return Poll::Ready(Ok(()));
            }
            let mut read = ReadBuf::new(&mut this.scratch);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            let n = read.filled().len();
            if n == 0 {
                this.origin_closed = true;
                this.shim.origin_closed();
            } else {
                this.shim.origin_bytes(&this.scratch[..n]);
            }
            this.drain_shim();
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Shimmed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.to_origin.len() >= ORIGIN_BACKLOG {
            ready!(this.flush_origin(cx))?;
        }
        if this.shim.error().is_some() {
            // The connection is over; h2 winds down after reading the GOAWAY.
            return Poll::Ready(Ok(buf.len()));
        }
        this.shim.h2_bytes(buf);
        this.drain_shim();
        if let Poll::Ready(Err(error)) = this.flush_origin(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(buf.len()))
    }

    /// The shim reads every buffer h2 hands it into its own output, so a frame's head and
    /// payload given separately cost no extra write toward the origin.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.to_origin.len() >= ORIGIN_BACKLOG {
            ready!(this.flush_origin(cx))?;
        }
        let total = bufs.iter().map(|buf| buf.len()).sum();
        if this.shim.error().is_some() {
            return Poll::Ready(Ok(total));
        }
        for buf in bufs {
            this.shim.h2_bytes(buf);
        }
        this.drain_shim();
        if let Poll::Ready(Err(error)) = this.flush_origin(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(total))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.flush_origin(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.flush_origin(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
