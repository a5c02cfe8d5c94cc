//! The scripted origin over HTTP/1.1.

use std::io;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tollgate_codecs::h1::{RequestDecoder, RequestEvent};
use tollgate_codecs::{Policy, Preset, Side};

use super::{CLEAN_BODY, Conn, Protocol, play};
use crate::case::{FrameStep, Step};

/// Reads requests off one connection, leniently: the origin must see what a proxy forwards,
/// however odd, and count it; judging it is the harness's job, on the recorded bytes.
struct Requests {
    decoder: RequestDecoder,
    buf: BytesMut,
    /// The decoder gave up: the rest of the stream is only recorded.
    lost: bool,
}

impl Requests {
    fn new() -> Requests {
        Requests {
            decoder: RequestDecoder::new(Arc::new(Policy::preset(Preset::Lenient)), Side::Client),
            buf: BytesMut::new(),
            lost: false,
        }
    }

    /// Waits for one whole request; `false` at end of stream.
    async fn next(&mut self, conn: &mut Conn) -> io::Result<bool> {
        loop {
            if !self.lost {
                match self.decoder.decode(&mut self.buf) {
                    Ok(Some(RequestEvent::End)) => {
                        conn.shared.request();
                        if self.decoder.is_paused() {
                            // An upgrade or CONNECT: the origin answers it as plain HTTP.
                            self.decoder.resume();
                        }
                        return Ok(true);
                    }
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(_) => self.lost = true,
                }
            }
            if self.lost {
                self.buf.clear();
            }
            if conn.read(&mut self.buf).await? == 0 {
                return Ok(false);
            }
        }
    }
}

impl Protocol for Requests {
    async fn request(&mut self, conn: &mut Conn) -> io::Result<bool> {
        self.next(conn).await
    }

    fn buffer(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    fn frame(&mut self, _frame: &FrameStep) -> io::Result<Bytes> {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an HTTP/2 frame step in an HTTP/1 script",
        ))
    }
}

/// Plays `script`, then answers every request with the clean answer until the peer closes.
pub(super) async fn serve(mut conn: Conn, script: &[Step]) -> io::Result<()> {
    let mut requests = Requests::new();
    if !play(&mut conn, script, &mut requests).await? {
        return Ok(());
    }
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
        CLEAN_BODY.len()
    )
    .into_bytes();
    answer.extend_from_slice(CLEAN_BODY);
    while requests.next(&mut conn).await? {
        conn.write(&answer).await?;
    }
    Ok(())
}
