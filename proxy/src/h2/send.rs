//! Streaming a [`Body`] into an `h2` send stream within the peer's flow-control window.

use std::future::poll_fn;

use ::h2::{Reason, SendStream};
use bytes::Bytes;

use crate::body::Body;
use crate::error::{Error, ErrorKind};

/// Sends `body` on `stream` and returns the data bytes sent, ending the stream (with trailers when the body has them).
///
/// Waits for the peer's window before each piece, so a slow peer slows the body's producer.
/// `peer` names who is blamed when the peer resets the stream or goes away.
///
/// # Errors
///
/// The body's own error (the stream is then reset with `INTERNAL_ERROR` by the caller), or a
/// `peer` error when the peer stopped the stream.
pub(crate) async fn send_body(
    body: &mut Body,
    stream: &mut SendStream<Bytes>,
    peer: ErrorKind,
) -> Result<u64, Error> {
    let mut sent = 0u64;
    let gone = |error: ::h2::Error| Error::new(peer, format!("the stream ended: {error}"));
    loop {
        let frame = tokio::select! {
            // In order, without drawing a random start each time: the branches are few and
            // none can starve another for long.
            biased;
            frame = body.frame() => frame,
            reset = poll_fn(|cx| stream.poll_reset(cx)) => {
                let reason = reset.map_or(Reason::CANCEL, |reason| reason);
                return Err(Error::new(peer, format!("the peer reset the stream ({reason:?})")));
            }
        };
        let Some(frame) = frame else {
            stream.send_data(Bytes::new(), true).map_err(gone)?;
            return Ok(sent);
        };
        let frame = frame?;
        match frame.into_data() {
            Ok(mut data) => {
                while !data.is_empty() {
                    stream.reserve_capacity(data.len());
                    let granted = match poll_fn(|cx| stream.poll_capacity(cx)).await {
                        Some(Ok(granted)) => granted,
                        Some(Err(error)) => return Err(gone(error)),
                        None => {
                            return Err(Error::new(peer, "the stream closed while sending"));
                        }
                    };
                    if granted == 0 {
                        continue;
                    }
                    let piece = data.split_to(granted.min(data.len()));
                    sent += piece.len() as u64;
                    stream.send_data(piece, false).map_err(gone)?;
                }
            }
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    let trailers = tollgate_translators::trailers_for_h2(&trailers);
                    stream.send_trailers(trailers).map_err(gone)?;
                    return Ok(sent);
                }
            }
        }
    }
}
