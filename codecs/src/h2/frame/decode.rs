//! The frame decoder: bytes in, [`Frame`]s out, the result independent of read sizes.

use std::fmt;

use bytes::{Buf as _, Bytes, BytesMut};

use super::{
    CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, ErrorCode, Frame, FrameBody, FrameHeader, FrameType,
    HEADER_LEN, Malformation, Padding, Priority, SettingId, flags,
};

/// Whether the byte stream starts with the client connection preface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preface {
    /// The stream comes from a client: the 24-byte preface comes first.
    Expected,
    /// The stream comes from a server, or the preface was already consumed.
    None,
}

/// What stops the frame layer itself (everything above it is the policy's call).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameErrorKind {
    /// The stream does not start with the client connection preface.
    BadPreface,
    /// A frame is longer than the SETTINGS_MAX_FRAME_SIZE in force.
    FrameTooLarge {
        /// The length the header announced.
        length: u32,
        /// The limit.
        max: u32,
    },
    /// The peer closed in the middle of a frame (or of the preface).
    Truncated,
}

impl FrameErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameErrorKind::BadPreface => "bad_preface",
            FrameErrorKind::FrameTooLarge { .. } => "frame_too_large",
            FrameErrorKind::Truncated => "truncated",
        }
    }

    /// The connection error RFC 9113 asks for.
    pub fn code(self) -> ErrorCode {
        match self {
            FrameErrorKind::BadPreface | FrameErrorKind::Truncated => ErrorCode::PROTOCOL_ERROR,
            FrameErrorKind::FrameTooLarge { .. } => ErrorCode::FRAME_SIZE_ERROR,
        }
    }
}

/// A frame-layer error: always a connection error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameError {
    /// What went wrong.
    pub kind: FrameErrorKind,
    /// Stream offset of the frame (or preface) at fault.
    pub offset: u64,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FrameErrorKind::BadPreface => f.write_str("the client connection preface is wrong")?,
            FrameErrorKind::FrameTooLarge { length, max } => write!(
                f,
                "a {length}-byte frame exceeds SETTINGS_MAX_FRAME_SIZE {max}"
            )?,
            FrameErrorKind::Truncated => f.write_str("the stream ends inside a frame")?,
        }
        write!(
            f,
            " at byte {} (connection error {})",
            self.offset,
            self.kind.code()
        )
    }
}

impl std::error::Error for FrameError {}

/// Decodes frames from a byte stream.
#[derive(Clone, Debug)]
pub struct FrameDecoder {
    max_frame_size: u32,
    preface: Preface,
    offset: u64,
}

impl FrameDecoder {
    /// A decoder for a stream that starts with `preface` or not, accepting frames up to the
    /// default SETTINGS_MAX_FRAME_SIZE (16 KiB).
    pub fn new(preface: Preface) -> FrameDecoder {
        FrameDecoder {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            preface,
            offset: 0,
        }
    }

    /// Changes the largest frame accepted (our SETTINGS_MAX_FRAME_SIZE, once acknowledged).
    pub fn set_max_frame_size(&mut self, max: u32) {
        self.max_frame_size = max;
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next frame from `src`, consuming exactly its bytes; `Ok(None)` when more are needed.
    ///
    /// # Errors
    ///
    /// A [`FrameError`]: a bad preface or a frame over the size limit. Both are connection
    /// errors; the decoder should not be used afterwards.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        if self.preface == Preface::Expected {
            let seen = src.len().min(CLIENT_PREFACE.len());
            if src[..seen] != CLIENT_PREFACE[..seen] {
                return Err(self.error(FrameErrorKind::BadPreface));
            }
            if seen < CLIENT_PREFACE.len() {
                return Ok(None);
            }
            src.advance(CLIENT_PREFACE.len());
            self.offset += CLIENT_PREFACE.len() as u64;
            self.preface = Preface::None;
        }
        let Some(head) = src.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let header = parse_header(head);
        if header.length > self.max_frame_size {
            return Err(self.error(FrameErrorKind::FrameTooLarge {
                length: header.length,
                max: self.max_frame_size,
            }));
        }
        let total = HEADER_LEN + header.length as usize;
        if src.len() < total {
            return Ok(None);
        }
        src.advance(HEADER_LEN);
        let payload = src.split_to(header.length as usize).freeze();
        self.offset += total as u64;
        Ok(Some(Frame {
            header,
            body: parse_body(&header, payload),
        }))
    }

    /// Like [`FrameDecoder::decode`] when the peer has closed: leftover bytes are an error.
    ///
    /// # Errors
    ///
    /// As [`FrameDecoder::decode`], and [`FrameErrorKind::Truncated`] for a partial frame.
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() => Ok(None),
            None => Err(self.error(FrameErrorKind::Truncated)),
        }
    }

    fn error(&self, kind: FrameErrorKind) -> FrameError {
        FrameError {
            kind,
            offset: self.offset,
        }
    }
}

/// Parses the 9-byte header (RFC 9113 §4.1).
pub(crate) fn parse_header(head: &[u8]) -> FrameHeader {
    let length = u32::from_be_bytes([0, head[0], head[1], head[2]]);
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]);
    FrameHeader {
        length,
        kind: FrameType(head[3]),
        flags: head[4],
        stream: stream & 0x7fff_ffff,
        reserved: stream & 0x8000_0000 != 0,
    }
}

fn malformed(problem: Malformation, payload: Bytes) -> FrameBody {
    FrameBody::Malformed { problem, payload }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .and_then(|word| word.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

/// Splits off the pad length and padding of a PADDED frame: `(content, padding)`.
fn unpad(header: &FrameHeader, payload: &Bytes) -> Result<(Bytes, Option<Padding>), Malformation> {
    if !header.has(flags::PADDED) {
        return Ok((payload.clone(), None));
    }
    let Some(&pad_length) = payload.first() else {
        return Err(Malformation::PaddingExceedsPayload);
    };
    let pad_length = usize::from(pad_length);
    // RFC 9113 §6.1: padding as long as the payload or longer is a connection error.
    if pad_length >= payload.len() {
        return Err(Malformation::PaddingExceedsPayload);
    }
    let content_end = payload.len() - pad_length;
    Ok((
        payload.slice(1..content_end),
        Some(Padding {
            bytes: payload.slice(content_end..),
        }),
    ))
}

fn parse_priority(bytes: &[u8]) -> Priority {
    let dependency = u32_at(bytes, 0);
    Priority {
        exclusive: dependency & 0x8000_0000 != 0,
        dependency: dependency & 0x7fff_ffff,
        weight: bytes.get(4).copied().unwrap_or(0),
    }
}

pub(crate) fn parse_body(header: &FrameHeader, payload: Bytes) -> FrameBody {
    match header.kind {
        FrameType::DATA => match unpad(header, &payload) {
            Ok((data, padding)) => FrameBody::Data { data, padding },
            Err(problem) => malformed(problem, payload),
        },
        FrameType::HEADERS => match unpad(header, &payload) {
            Ok((mut content, padding)) => {
                let priority = if header.has(flags::PRIORITY) {
                    if content.len() < 5 {
                        return malformed(Malformation::Truncated, payload);
                    }
                    let priority = parse_priority(&content);
                    content.advance(5);
                    Some(priority)
                } else {
                    None
                };
                FrameBody::Headers {
                    priority,
                    fragment: content,
                    padding,
                }
            }
            Err(problem) => malformed(problem, payload),
        },
        FrameType::PRIORITY if payload.len() == 5 => FrameBody::Priority(parse_priority(&payload)),
        FrameType::RST_STREAM if payload.len() == 4 => {
            FrameBody::RstStream(ErrorCode(u32_at(&payload, 0)))
        }
        FrameType::SETTINGS if payload.len().is_multiple_of(6) => FrameBody::Settings(
            payload
                .chunks_exact(6)
                .map(|entry| {
                    (
                        SettingId(u16::from_be_bytes([entry[0], entry[1]])),
                        u32_at(entry, 2),
                    )
                })
                .collect(),
        ),
        FrameType::PUSH_PROMISE => match unpad(header, &payload) {
            Ok((mut content, padding)) => {
                if content.len() < 4 {
                    return malformed(Malformation::Truncated, payload);
                }
                let promised = u32_at(&content, 0) & 0x7fff_ffff;
                content.advance(4);
                FrameBody::PushPromise {
                    promised,
                    fragment: content,
                    padding,
                }
            }
            Err(problem) => malformed(problem, payload),
        },
        FrameType::PING => match <[u8; 8]>::try_from(&payload[..]) {
            Ok(opaque) => FrameBody::Ping(opaque),
            Err(_) => malformed(Malformation::BadLength, payload),
        },
        FrameType::GOAWAY if payload.len() >= 8 => FrameBody::GoAway {
            last_stream: u32_at(&payload, 0) & 0x7fff_ffff,
            code: ErrorCode(u32_at(&payload, 4)),
            debug: payload.slice(8..),
        },
        FrameType::WINDOW_UPDATE if payload.len() == 4 => FrameBody::WindowUpdate {
            increment: u32_at(&payload, 0) & 0x7fff_ffff,
        },
        FrameType::CONTINUATION => FrameBody::Continuation { fragment: payload },
        FrameType::PRIORITY
        | FrameType::RST_STREAM
        | FrameType::SETTINGS
        | FrameType::GOAWAY
        | FrameType::WINDOW_UPDATE => malformed(Malformation::BadLength, payload),
        _ => FrameBody::Unknown(payload),
    }
}
