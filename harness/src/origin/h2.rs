//! The scripted origin over HTTP/2 (prior knowledge): frames written through the codec's
//! frame script writer, so a script can send anything, malformed included.

use std::io;

use bytes::{Bytes, BytesMut};
use tollgate_codecs::h2::frame::{FrameBody, FrameDecoder, FrameType, Preface, flags};
use tollgate_codecs::h2::hpack::{Encoder, HeaderField};
use tollgate_codecs::h2::script::{FrameSpec, Script};

use super::{CLEAN_BODY, Conn, Protocol, play};
use crate::case::{FramePayload, FrameStep, Step};

/// Reads the subject's frames, keeping the connection alive on its own: SETTINGS and PING
/// are acknowledged, and DATA credit given back, so scripts say only what is odd.
struct Frames {
    decoder: FrameDecoder,
    buf: BytesMut,
    /// The frames stopped making sense: the rest is only recorded.
    lost: bool,
}

impl Frames {
    fn new() -> Frames {
        Frames {
            decoder: FrameDecoder::new(Preface::Expected),
            buf: BytesMut::new(),
            lost: false,
        }
    }

    /// Waits for a stream the subject ends (HEADERS or DATA with END_STREAM): its id, or
    /// `None` at end of stream.
    async fn next_request(&mut self, conn: &mut Conn) -> io::Result<Option<u32>> {
        loop {
            while !self.lost {
                let frame = match self.decoder.decode(&mut self.buf) {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(_) => {
                        self.lost = true;
                        break;
                    }
                };
                let mut answer = Script::new();
                match (&frame.body, frame.kind()) {
                    (FrameBody::Settings(_), _) if !frame.has(flags::ACK) => {
                        answer.settings_ack();
                    }
                    (FrameBody::Ping(opaque), _) if !frame.has(flags::ACK) => {
                        answer.ping(*opaque, true);
                    }
                    (FrameBody::Data { data, .. }, _) if !data.is_empty() => {
                        let credit = frame.header.length;
                        answer
                            .window_update(0, credit)
                            .window_update(frame.stream(), credit);
                    }
                    _ => {}
                }
                let answer = answer.take();
                if !answer.is_empty() {
                    conn.write(&answer).await?;
                }
                let ends = matches!(frame.kind(), FrameType::HEADERS | FrameType::DATA)
                    && frame.has(flags::END_STREAM);
                if ends {
                    conn.shared.request();
                    return Ok(Some(frame.stream()));
                }
            }
            if self.lost {
                self.buf.clear();
            }
            if conn.read(&mut self.buf).await? == 0 {
                return Ok(None);
            }
        }
    }
}

/// The HTTP/2 side of the script player: the frame reader and the connection's HPACK encoder.
struct H2 {
    frames: Frames,
    encoder: Encoder,
}

impl Protocol for H2 {
    async fn request(&mut self, conn: &mut Conn) -> io::Result<bool> {
        Ok(self.frames.next_request(conn).await?.is_some())
    }

    fn buffer(&mut self) -> &mut BytesMut {
        &mut self.frames.buf
    }

    fn frame(&mut self, frame: &FrameStep) -> io::Result<Bytes> {
        Ok(encode(frame, &mut self.encoder))
    }
}

/// Sends SETTINGS, plays `script`, then answers every stream with the clean answer.
pub(super) async fn serve(mut conn: Conn, script: &[Step]) -> io::Result<()> {
    let mut h2 = H2 {
        frames: Frames::new(),
        encoder: Encoder::new(),
    };
    conn.write(&Script::new().settings(&[]).take()).await?;
    if !play(&mut conn, script, &mut h2).await? {
        return Ok(());
    }
    let H2 {
        mut frames,
        mut encoder,
    } = h2;
    while let Some(stream) = frames.next_request(&mut conn).await? {
        let length = CLEAN_BODY.len().to_string();
        let mut block = BytesMut::new();
        encoder.encode(
            [
                HeaderField::new(b":status", b"200"),
                HeaderField::new(b"content-length", length.as_bytes()),
            ],
            &mut block,
        );
        let mut answer = Script::new();
        answer.headers(stream, &block, flags::END_HEADERS).data(
            stream,
            CLEAN_BODY,
            flags::END_STREAM,
            None,
        );
        conn.write(&answer.take()).await?;
    }
    Ok(())
}

/// One scripted frame as bytes; a header list is HPACK-encoded with the connection's encoder.
fn encode(step: &FrameStep, encoder: &mut Encoder) -> Bytes {
    let payload = match &step.payload {
        FramePayload::Empty => Vec::new(),
        FramePayload::Bytes(bytes) => bytes.clone(),
        FramePayload::Headers(headers) => {
            let mut block = BytesMut::new();
            encoder.encode(
                headers
                    .iter()
                    .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
                &mut block,
            );
            block.to_vec()
        }
    };
    let mut spec = FrameSpec::new(FrameType(step.kind), step.stream)
        .flags(step.flags)
        .payload(&payload);
    if let Some(length) = step.length {
        spec = spec.length(length);
    }
    let mut script = Script::new();
    script.frame(spec);
    script.take()
}
