//! HTTP/2 frames (RFC 9113 §4, §6): a lossless decoder, an encoder, and the types between.
//!
//! Decoding is total above the framing layer: any frame whose 9-byte header is intact and
//! whose length is within the limit decodes, and a payload that does not have the shape its
//! type requires (a PING of 7 bytes, padding longer than the payload) is kept as
//! [`FrameBody::Malformed`] with the [`Malformation`] named. Whether that is an error, and of
//! which scope, is the policy's call ([`crate::h2::check`]). Unknown frame types are kept as
//! they came ([`FrameBody::Unknown`]), so that every decoded frame re-encodes to its bytes,
//! but for three reserved bits inside payloads that [`FrameBody`] has no field for and the
//! encoder writes as zero, as senders must: above a PUSH_PROMISE's promised stream, a
//! GOAWAY's last stream and a WINDOW_UPDATE's increment.

pub(crate) mod decode;
mod encode;

use std::fmt;

use bytes::Bytes;

pub use decode::{FrameDecoder, FrameError, FrameErrorKind, Preface};

/// Bytes of a frame header.
pub const HEADER_LEN: usize = 9;

/// The client connection preface (RFC 9113 §3.4).
pub const CLIENT_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// SETTINGS_MAX_FRAME_SIZE before the peer says otherwise, and its minimum (RFC 9113 §6.5.2).
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1 << 14;

/// The largest SETTINGS_MAX_FRAME_SIZE allowed (RFC 9113 §6.5.2).
pub const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;

/// The largest flow-control window (RFC 9113 §6.9.1).
pub const MAX_WINDOW_SIZE: u32 = (1 << 31) - 1;

/// A frame type. Open: values other than the ten RFC 9113 types are extension frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FrameType(pub u8);

impl FrameType {
    /// DATA (0x0).
    pub const DATA: FrameType = FrameType(0x0);
    /// HEADERS (0x1).
    pub const HEADERS: FrameType = FrameType(0x1);
    /// PRIORITY (0x2).
    pub const PRIORITY: FrameType = FrameType(0x2);
    /// RST_STREAM (0x3).
    pub const RST_STREAM: FrameType = FrameType(0x3);
    /// SETTINGS (0x4).
    pub const SETTINGS: FrameType = FrameType(0x4);
    /// PUSH_PROMISE (0x5).
    pub const PUSH_PROMISE: FrameType = FrameType(0x5);
    /// PING (0x6).
    pub const PING: FrameType = FrameType(0x6);
    /// GOAWAY (0x7).
    pub const GOAWAY: FrameType = FrameType(0x7);
    /// WINDOW_UPDATE (0x8).
    pub const WINDOW_UPDATE: FrameType = FrameType(0x8);
    /// CONTINUATION (0x9).
    pub const CONTINUATION: FrameType = FrameType(0x9);

    /// The RFC name, or `UNKNOWN(0xNN)`.
    pub fn name(self) -> String {
        match self.known_name() {
            Some(name) => name.to_owned(),
            None => format!("UNKNOWN(0x{:02x})", self.0),
        }
    }

    fn known_name(self) -> Option<&'static str> {
        Some(match self {
            FrameType::DATA => "DATA",
            FrameType::HEADERS => "HEADERS",
            FrameType::PRIORITY => "PRIORITY",
            FrameType::RST_STREAM => "RST_STREAM",
            FrameType::SETTINGS => "SETTINGS",
            FrameType::PUSH_PROMISE => "PUSH_PROMISE",
            FrameType::PING => "PING",
            FrameType::GOAWAY => "GOAWAY",
            FrameType::WINDOW_UPDATE => "WINDOW_UPDATE",
            FrameType::CONTINUATION => "CONTINUATION",
            _ => return None,
        })
    }

    /// Parses an RFC name (`HEADERS`) or a number (`0x1`, `12`).
    pub fn from_name(name: &str) -> Option<FrameType> {
        let upper = name.to_ascii_uppercase();
        (0..=9u8)
            .map(FrameType)
            .find(|kind| kind.known_name() == Some(upper.as_str()))
            .or_else(|| match name.strip_prefix("0x") {
                Some(hex) => u8::from_str_radix(hex, 16).ok().map(FrameType),
                None => name.parse().ok().map(FrameType),
            })
    }

    /// The flag bits RFC 9113 defines for this type; others MUST be ignored on receipt.
    pub fn defined_flags(self) -> u8 {
        match self {
            FrameType::DATA => flags::END_STREAM | flags::PADDED,
            FrameType::HEADERS => {
                flags::END_STREAM | flags::END_HEADERS | flags::PADDED | flags::PRIORITY
            }
            FrameType::SETTINGS | FrameType::PING => flags::ACK,
            FrameType::PUSH_PROMISE => flags::END_HEADERS | flags::PADDED,
            FrameType::CONTINUATION => flags::END_HEADERS,
            _ => 0,
        }
    }
}

impl fmt::Display for FrameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Frame flag bits (RFC 9113 §6). Their meaning depends on the frame type.
pub mod flags {
    /// DATA, HEADERS: the last frame of the stream from this peer.
    pub const END_STREAM: u8 = 0x1;
    /// SETTINGS, PING: an acknowledgement.
    pub const ACK: u8 = 0x1;
    /// HEADERS, PUSH_PROMISE, CONTINUATION: the header block ends here.
    pub const END_HEADERS: u8 = 0x4;
    /// DATA, HEADERS, PUSH_PROMISE: a pad length and padding are present.
    pub const PADDED: u8 = 0x8;
    /// HEADERS: priority fields are present.
    pub const PRIORITY: u8 = 0x20;

    /// The names of the flags set in `bits` for a frame of type `kind`, for display.
    pub fn names(kind: super::FrameType, bits: u8) -> Vec<String> {
        use super::FrameType as T;
        let mut names = Vec::new();
        for bit in 0..8 {
            let flag = 1u8 << bit;
            if bits & flag == 0 {
                continue;
            }
            let name = match (kind, flag) {
                (T::DATA | T::HEADERS, END_STREAM) => "END_STREAM".to_owned(),
                (T::SETTINGS | T::PING, ACK) => "ACK".to_owned(),
                (T::HEADERS | T::PUSH_PROMISE | T::CONTINUATION, END_HEADERS) => {
                    "END_HEADERS".to_owned()
                }
                (T::DATA | T::HEADERS | T::PUSH_PROMISE, PADDED) => "PADDED".to_owned(),
                (T::HEADERS, PRIORITY) => "PRIORITY".to_owned(),
                _ => format!("0x{flag:02x}"),
            };
            names.push(name);
        }
        names
    }
}

/// An HTTP/2 error code (RFC 9113 §7). Open: unknown codes are kept as they came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(pub u32);

impl ErrorCode {
    /// NO_ERROR (0x0).
    pub const NO_ERROR: ErrorCode = ErrorCode(0x0);
    /// PROTOCOL_ERROR (0x1).
    pub const PROTOCOL_ERROR: ErrorCode = ErrorCode(0x1);
    /// INTERNAL_ERROR (0x2).
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(0x2);
    /// FLOW_CONTROL_ERROR (0x3).
    pub const FLOW_CONTROL_ERROR: ErrorCode = ErrorCode(0x3);
    /// SETTINGS_TIMEOUT (0x4).
    pub const SETTINGS_TIMEOUT: ErrorCode = ErrorCode(0x4);
    /// STREAM_CLOSED (0x5).
    pub const STREAM_CLOSED: ErrorCode = ErrorCode(0x5);
    /// FRAME_SIZE_ERROR (0x6).
    pub const FRAME_SIZE_ERROR: ErrorCode = ErrorCode(0x6);
    /// REFUSED_STREAM (0x7).
    pub const REFUSED_STREAM: ErrorCode = ErrorCode(0x7);
    /// CANCEL (0x8).
    pub const CANCEL: ErrorCode = ErrorCode(0x8);
    /// COMPRESSION_ERROR (0x9).
    pub const COMPRESSION_ERROR: ErrorCode = ErrorCode(0x9);
    /// CONNECT_ERROR (0xa).
    pub const CONNECT_ERROR: ErrorCode = ErrorCode(0xa);
    /// ENHANCE_YOUR_CALM (0xb).
    pub const ENHANCE_YOUR_CALM: ErrorCode = ErrorCode(0xb);
    /// INADEQUATE_SECURITY (0xc).
    pub const INADEQUATE_SECURITY: ErrorCode = ErrorCode(0xc);
    /// HTTP_1_1_REQUIRED (0xd).
    pub const HTTP_1_1_REQUIRED: ErrorCode = ErrorCode(0xd);

    /// The RFC name, or `UNKNOWN(0xNN)`.
    pub fn name(self) -> String {
        const NAMES: [&str; 14] = [
            "NO_ERROR",
            "PROTOCOL_ERROR",
            "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR",
            "SETTINGS_TIMEOUT",
            "STREAM_CLOSED",
            "FRAME_SIZE_ERROR",
            "REFUSED_STREAM",
            "CANCEL",
            "COMPRESSION_ERROR",
            "CONNECT_ERROR",
            "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ];
        match NAMES.get(self.0 as usize) {
            Some(name) => (*name).to_owned(),
            None => format!("UNKNOWN(0x{:x})", self.0),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A SETTINGS parameter identifier (RFC 9113 §6.5.2). Open: unknown ones MUST be ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SettingId(pub u16);

impl SettingId {
    /// SETTINGS_HEADER_TABLE_SIZE (0x1).
    pub const HEADER_TABLE_SIZE: SettingId = SettingId(0x1);
    /// SETTINGS_ENABLE_PUSH (0x2).
    pub const ENABLE_PUSH: SettingId = SettingId(0x2);
    /// SETTINGS_MAX_CONCURRENT_STREAMS (0x3).
    pub const MAX_CONCURRENT_STREAMS: SettingId = SettingId(0x3);
    /// SETTINGS_INITIAL_WINDOW_SIZE (0x4).
    pub const INITIAL_WINDOW_SIZE: SettingId = SettingId(0x4);
    /// SETTINGS_MAX_FRAME_SIZE (0x5).
    pub const MAX_FRAME_SIZE: SettingId = SettingId(0x5);
    /// SETTINGS_MAX_HEADER_LIST_SIZE (0x6).
    pub const MAX_HEADER_LIST_SIZE: SettingId = SettingId(0x6);
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8, RFC 8441).
    pub const ENABLE_CONNECT_PROTOCOL: SettingId = SettingId(0x8);

    /// The RFC name, or `UNKNOWN(0xNN)`.
    pub fn name(self) -> String {
        match self {
            SettingId::HEADER_TABLE_SIZE => "HEADER_TABLE_SIZE".to_owned(),
            SettingId::ENABLE_PUSH => "ENABLE_PUSH".to_owned(),
            SettingId::MAX_CONCURRENT_STREAMS => "MAX_CONCURRENT_STREAMS".to_owned(),
            SettingId::INITIAL_WINDOW_SIZE => "INITIAL_WINDOW_SIZE".to_owned(),
            SettingId::MAX_FRAME_SIZE => "MAX_FRAME_SIZE".to_owned(),
            SettingId::MAX_HEADER_LIST_SIZE => "MAX_HEADER_LIST_SIZE".to_owned(),
            SettingId::ENABLE_CONNECT_PROTOCOL => "ENABLE_CONNECT_PROTOCOL".to_owned(),
            SettingId(other) => format!("UNKNOWN(0x{other:x})"),
        }
    }

    /// Whether `value` is allowed for this setting (RFC 9113 §6.5.2, RFC 8441 §3).
    pub fn accepts(self, value: u32) -> bool {
        match self {
            SettingId::ENABLE_PUSH | SettingId::ENABLE_CONNECT_PROTOCOL => value <= 1,
            SettingId::INITIAL_WINDOW_SIZE => value <= MAX_WINDOW_SIZE,
            SettingId::MAX_FRAME_SIZE => {
                (DEFAULT_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value)
            }
            _ => true,
        }
    }
}

/// The 9-byte frame header (RFC 9113 §4.1), as received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// Payload length.
    pub length: u32,
    /// Frame type.
    pub kind: FrameType,
    /// Flag bits, all of them (undefined ones included).
    pub flags: u8,
    /// Stream identifier (31 bits).
    pub stream: u32,
    /// The reserved bit above the stream identifier (MUST be ignored on receipt).
    pub reserved: bool,
}

impl FrameHeader {
    /// Whether `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Priority fields of HEADERS and PRIORITY (RFC 9113 §5.3.2, deprecated but still parsed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Priority {
    /// Exclusive dependency flag.
    pub exclusive: bool,
    /// The stream depended on.
    pub dependency: u32,
    /// Weight minus one, as on the wire.
    pub weight: u8,
}

/// Padding of DATA, HEADERS and PUSH_PROMISE (RFC 9113 §6.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Padding {
    /// The padding bytes (the pad length is their count).
    pub bytes: Bytes,
}

impl Padding {
    /// Whether every padding byte is zero, as senders MUST make them.
    pub fn is_zero(&self) -> bool {
        self.bytes.iter().all(|byte| *byte == 0)
    }
}

/// Why a payload does not have the shape its frame type requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Malformation {
    /// The payload length is not the one the type requires (PRIORITY 5, RST_STREAM 4,
    /// PING 8, WINDOW_UPDATE 4, SETTINGS a multiple of 6, GOAWAY at least 8).
    BadLength,
    /// The pad length leaves no room (or less than none) for the payload.
    PaddingExceedsPayload,
    /// The priority fields or promised stream id do not fit in the payload.
    Truncated,
}

impl Malformation {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Malformation::BadLength => "bad_length",
            Malformation::PaddingExceedsPayload => "padding_exceeds_payload",
            Malformation::Truncated => "truncated",
        }
    }
}

/// The payload of a frame, parsed by its type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FrameBody {
    /// DATA.
    Data {
        /// The data (padding removed).
        data: Bytes,
        /// Padding, when PADDED.
        padding: Option<Padding>,
    },
    /// HEADERS: a header block fragment.
    Headers {
        /// Priority fields, when PRIORITY is set.
        priority: Option<Priority>,
        /// The HPACK block fragment.
        fragment: Bytes,
        /// Padding, when PADDED.
        padding: Option<Padding>,
    },
    /// PRIORITY.
    Priority(Priority),
    /// RST_STREAM.
    RstStream(ErrorCode),
    /// SETTINGS: the parameters in order (an ACK has none).
    Settings(Vec<(SettingId, u32)>),
    /// PUSH_PROMISE.
    PushPromise {
        /// The promised stream (reserved bit dropped).
        promised: u32,
        /// The HPACK block fragment.
        fragment: Bytes,
        /// Padding, when PADDED.
        padding: Option<Padding>,
    },
    /// PING.
    Ping([u8; 8]),
    /// GOAWAY.
    GoAway {
        /// The last stream the sender processed (reserved bit dropped).
        last_stream: u32,
        /// Why.
        code: ErrorCode,
        /// Opaque debug data.
        debug: Bytes,
    },
    /// WINDOW_UPDATE.
    WindowUpdate {
        /// The increment (reserved bit dropped).
        increment: u32,
    },
    /// CONTINUATION.
    Continuation {
        /// The HPACK block fragment.
        fragment: Bytes,
    },
    /// An extension frame type, kept as it came.
    Unknown(Bytes),
    /// A payload that does not have its type's shape, kept as it came.
    Malformed {
        /// What is wrong.
        problem: Malformation,
        /// The payload.
        payload: Bytes,
    },
}

/// One frame: its header as received and its payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The header; `header.length` is the payload length as received.
    pub header: FrameHeader,
    /// The payload.
    pub body: FrameBody,
}

impl Frame {
    /// The frame type.
    pub fn kind(&self) -> FrameType {
        self.header.kind
    }

    /// The stream identifier.
    pub fn stream(&self) -> u32 {
        self.header.stream
    }

    /// Whether `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.header.has(flag)
    }

    /// The error code of a RST_STREAM or GOAWAY frame.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match &self.body {
            FrameBody::RstStream(code) | FrameBody::GoAway { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HPACK fragment of a HEADERS, PUSH_PROMISE or CONTINUATION frame.
    pub fn fragment(&self) -> Option<&Bytes> {
        match &self.body {
            FrameBody::Headers { fragment, .. }
            | FrameBody::PushPromise { fragment, .. }
            | FrameBody::Continuation { fragment } => Some(fragment),
            _ => None,
        }
    }
}
