//! The scripted origin over HTTP/1.1.

use std::io;
use std::sync::Arc;

use bytes::BytesMut;
use tollgate_codecs::h1::{RequestDecoder, RequestEvent};
use tollgate_codecs::{Policy, Preset, Side};

use super::{CLEAN_BODY, Conn};
use crate::case::Step;

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

    /// Waits until `count` more bytes have arrived (they stay for the request reader).
    async fn bytes(&mut self, conn: &mut Conn, count: usize) -> io::Result<bool> {
        let mut seen = 0;
        while seen < count {
            let n = conn.read(&mut self.buf).await?;
            if n == 0 {
                return Ok(false);
            }
            seen += n;
        }
        Ok(true)
    }
}

/// Plays `script`, then answers every request with the clean answer until the peer closes.
pub(super) async fn serve(mut conn: Conn, script: &[Step]) -> io::Result<()> {
    let mut requests = Requests::new();
    for step in script {
        match step {
            Step::ExpectRequest => {
                if !requests.next(&mut conn).await? {
                    return Ok(());
                }
            }
            Step::ExpectBytes(count) => {
                if !requests.bytes(&mut conn, *count).await? {
                    return Ok(());
                }
            }
            Step::Send(bytes) => conn.write(bytes).await?,
            Step::Frame(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "an HTTP/2 frame step in an HTTP/1 script",
                ));
            }
            Step::Sleep(pause) => tokio::time::sleep(*pause).await,
            Step::ShutdownWrite => conn.shutdown_write().await?,
            Step::Close => return Ok(()),
            Step::Reset => {
                conn.reset();
                return Ok(());
            }
        }
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
