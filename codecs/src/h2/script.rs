//! The frame script writer: any sequence of frames, malformed ones included, for the harness,
//! the conformance checks and tests.
//!
//! ```
//! use tollgate_codecs::h2::frame::{flags, ErrorCode, FrameType, SettingId};
//! use tollgate_codecs::h2::script::{FrameSpec, Script};
//!
//! let mut script = Script::new();
//! script
//!     .preface()
//!     .settings(&[(SettingId::MAX_CONCURRENT_STREAMS, 100)])
//!     // A PING one byte short: the peer must answer FRAME_SIZE_ERROR.
//!     .frame(FrameSpec::new(FrameType::PING, 0).payload(&[0; 7]))
//!     // A HEADERS frame that lies about its length.
//!     .frame(FrameSpec::new(FrameType::HEADERS, 1).flags(flags::END_HEADERS).payload(&[0x82]).length(5))
//!     .rst_stream(1, ErrorCode::CANCEL);
//! assert_eq!(&script.bytes()[..24], b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::h2::frame::{
    CLIENT_PREFACE, ErrorCode, Frame, FrameBody, FrameHeader, FrameType, Padding, Priority,
    SettingId, flags,
};

/// One frame as bytes: every field settable, nothing checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSpec {
    kind: FrameType,
    flags: u8,
    stream: u32,
    reserved: bool,
    payload: Bytes,
    length: Option<u32>,
}

impl FrameSpec {
    /// A frame of `kind` on `stream` with no flags and an empty payload.
    pub fn new(kind: FrameType, stream: u32) -> FrameSpec {
        FrameSpec {
            kind,
            flags: 0,
            stream,
            reserved: false,
            payload: Bytes::new(),
            length: None,
        }
    }

    /// Sets the flag byte (any bits, defined for the type or not).
    pub fn flags(mut self, flags: u8) -> FrameSpec {
        self.flags = flags;
        self
    }

    /// Sets the payload bytes.
    pub fn payload(mut self, payload: &[u8]) -> FrameSpec {
        self.payload = Bytes::copy_from_slice(payload);
        self
    }

    /// Writes `length` in the header instead of the payload's length (24 bits kept).
    pub fn length(mut self, length: u32) -> FrameSpec {
        self.length = Some(length);
        self
    }

    /// Sets the reserved bit above the stream identifier.
    pub fn reserved(mut self) -> FrameSpec {
        self.reserved = true;
        self
    }

    /// Appends the frame's bytes to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        let length = self
            .length
            .unwrap_or(u32::try_from(self.payload.len()).unwrap_or(u32::MAX));
        dst.put_slice(&(length & 0x00ff_ffff).to_be_bytes()[1..]);
        dst.put_u8(self.kind.0);
        dst.put_u8(self.flags);
        let reserved = if self.reserved { 0x8000_0000 } else { 0 };
        dst.put_u32(reserved | (self.stream & 0x7fff_ffff));
        dst.put_slice(&self.payload);
    }
}

/// A sequence of bytes to send: the preface, frames, anything.
#[derive(Clone, Debug, Default)]
pub struct Script {
    bytes: BytesMut,
}

impl Script {
    /// An empty script.
    pub fn new() -> Script {
        Script::default()
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone().freeze()
    }

    /// Takes the bytes written so far, leaving the script empty.
    pub fn take(&mut self) -> Bytes {
        self.bytes.split().freeze()
    }

    /// The client connection preface.
    pub fn preface(&mut self) -> &mut Script {
        self.raw(CLIENT_PREFACE)
    }

    /// Raw bytes, as they are.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Script {
        self.bytes.put_slice(bytes);
        self
    }

    /// A frame from a spec.
    pub fn frame(&mut self, spec: FrameSpec) -> &mut Script {
        spec.encode(&mut self.bytes);
        self
    }

    /// A typed frame, encoded as [`Frame::encode`] does.
    pub fn typed(&mut self, frame: &Frame) -> &mut Script {
        frame.encode(&mut self.bytes);
        self
    }

    fn body(&mut self, kind: FrameType, flags: u8, stream: u32, body: FrameBody) -> &mut Script {
        self.typed(&Frame {
            header: FrameHeader {
                length: 0,
                kind,
                flags,
                stream,
                reserved: false,
            },
            body,
        })
    }

    /// SETTINGS with these parameters.
    pub fn settings(&mut self, parameters: &[(SettingId, u32)]) -> &mut Script {
        self.body(
            FrameType::SETTINGS,
            0,
            0,
            FrameBody::Settings(parameters.to_vec()),
        )
    }

    /// An empty SETTINGS with ACK.
    pub fn settings_ack(&mut self) -> &mut Script {
        self.body(
            FrameType::SETTINGS,
            flags::ACK,
            0,
            FrameBody::Settings(Vec::new()),
        )
    }

    /// HEADERS carrying a ready-made HPACK block, with `flags` as given (END_HEADERS,
    /// END_STREAM…).
    pub fn headers(&mut self, stream: u32, block: &[u8], flags: u8) -> &mut Script {
        let body = FrameBody::Headers {
            priority: None,
            fragment: Bytes::copy_from_slice(block),
            padding: None,
        };
        self.body(FrameType::HEADERS, flags, stream, body)
    }

    /// HEADERS with priority fields and `pad` bytes of zero padding, when given; PRIORITY and
    /// PADDED are added to `flags` as needed.
    pub fn headers_with(
        &mut self,
        stream: u32,
        block: &[u8],
        flags: u8,
        priority: Option<Priority>,
        pad: Option<u8>,
    ) -> &mut Script {
        let mut all = flags;
        if priority.is_some() {
            all |= flags::PRIORITY;
        }
        if pad.is_some() {
            all |= flags::PADDED;
        }
        let body = FrameBody::Headers {
            priority,
            fragment: Bytes::copy_from_slice(block),
            padding: zero_padding(pad),
        };
        self.body(FrameType::HEADERS, all, stream, body)
    }

    /// PUSH_PROMISE on `stream` promising `promised`, carrying a ready-made HPACK block.
    pub fn push_promise(
        &mut self,
        stream: u32,
        promised: u32,
        block: &[u8],
        flags: u8,
    ) -> &mut Script {
        let body = FrameBody::PushPromise {
            promised,
            fragment: Bytes::copy_from_slice(block),
            padding: None,
        };
        self.body(FrameType::PUSH_PROMISE, flags, stream, body)
    }

    /// HEADERS then CONTINUATION frames carrying `block` in pieces: `cuts` are the lengths of
    /// the leading pieces (`&[5, 5]` sends `[..5]`, `[5..10]`, then the rest), END_HEADERS on
    /// the last frame only, `flags` on the HEADERS frame (minus END_HEADERS).
    pub fn headers_split(
        &mut self,
        stream: u32,
        block: &[u8],
        flags: u8,
        cuts: &[usize],
    ) -> &mut Script {
        let mut pieces = Vec::new();
        let mut rest = block;
        for cut in cuts {
            let (piece, tail) = rest.split_at((*cut).min(rest.len()));
            pieces.push(piece);
            rest = tail;
        }
        pieces.push(rest);
        let last = pieces.len() - 1;
        for (index, piece) in pieces.iter().enumerate() {
            let end = if index == last { flags::END_HEADERS } else { 0 };
            if index == 0 {
                self.headers(stream, piece, (flags & !flags::END_HEADERS) | end);
            } else {
                self.continuation(stream, piece, end);
            }
        }
        self
    }

    /// CONTINUATION with a fragment.
    pub fn continuation(&mut self, stream: u32, fragment: &[u8], flags: u8) -> &mut Script {
        let body = FrameBody::Continuation {
            fragment: Bytes::copy_from_slice(fragment),
        };
        self.body(FrameType::CONTINUATION, flags, stream, body)
    }

    /// DATA, with `pad` bytes of zero padding when given.
    pub fn data(&mut self, stream: u32, data: &[u8], flags: u8, pad: Option<u8>) -> &mut Script {
        let padding = zero_padding(pad);
        let flags = if padding.is_some() {
            flags | flags::PADDED
        } else {
            flags
        };
        let body = FrameBody::Data {
            data: Bytes::copy_from_slice(data),
            padding,
        };
        self.body(FrameType::DATA, flags, stream, body)
    }

    /// PRIORITY.
    pub fn priority(&mut self, stream: u32, priority: Priority) -> &mut Script {
        self.body(
            FrameType::PRIORITY,
            0,
            stream,
            FrameBody::Priority(priority),
        )
    }

    /// RST_STREAM.
    pub fn rst_stream(&mut self, stream: u32, code: ErrorCode) -> &mut Script {
        self.body(FrameType::RST_STREAM, 0, stream, FrameBody::RstStream(code))
    }

    /// PING (with ACK when `ack`).
    pub fn ping(&mut self, opaque: [u8; 8], ack: bool) -> &mut Script {
        let flags = if ack { flags::ACK } else { 0 };
        self.body(FrameType::PING, flags, 0, FrameBody::Ping(opaque))
    }

    /// GOAWAY.
    pub fn goaway(&mut self, last_stream: u32, code: ErrorCode, debug: &[u8]) -> &mut Script {
        let body = FrameBody::GoAway {
            last_stream,
            code,
            debug: Bytes::copy_from_slice(debug),
        };
        self.body(FrameType::GOAWAY, 0, 0, body)
    }

    /// WINDOW_UPDATE.
    pub fn window_update(&mut self, stream: u32, increment: u32) -> &mut Script {
        let body = FrameBody::WindowUpdate { increment };
        self.body(FrameType::WINDOW_UPDATE, 0, stream, body)
    }
}

/// `length` bytes of zero padding, when given.
fn zero_padding(length: Option<u8>) -> Option<Padding> {
    length.map(|length| Padding {
        bytes: Bytes::from(vec![0; usize::from(length)]),
    })
}
