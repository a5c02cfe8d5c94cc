//! HTTP/2 connection wrappers for the `h2` crate: [`Guarded`] in front of a server connection
//! (clients), [`Shimmed`] in front of a client connection (origins).

mod guarded;
mod send;
mod shimmed;

pub(crate) use send::send_body;

pub use guarded::Guarded;
pub use shimmed::Shimmed;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Buf;
use tokio::io::AsyncWrite;
use tollgate_codecs::Anomaly;

/// Where a wrapper reports what it saw: anomalies as they are met (deviations, spent budgets).
pub type Report = Arc<dyn Fn(Vec<Anomaly>) + Send + Sync>;

/// Writes all of `pending` to `inner`; ready once it is all written.
fn poll_write_all<S: AsyncWrite + Unpin>(
    inner: &mut S,
    cx: &mut Context<'_>,
    pending: &mut impl Buf,
) -> Poll<io::Result<()>> {
    while pending.has_remaining() {
        let written = ready!(Pin::new(&mut *inner).poll_write(cx, pending.chunk()))?;
        if written == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        pending.advance(written);
    }
    Poll::Ready(Ok(()))
}
