//! The report of `inspect h2-frames`, as data: `--json` serialises it as is and the text output
//! renders the same values (see `h2_text`). The layout is part of schema `tollgate.inspect/1`
//! and documented in `docs/cli.md`.

use serde::Serialize;
use tollgate_codecs::h2::frame::{Frame, FrameBody, Padding, Priority, flags};
use tollgate_codecs::h2::hpack::{DecodeError, Decoder, HeaderBlock};

use crate::cli::escape::escape;
use crate::cli::policy_source::PolicyName;
use crate::cli::report::AnomalyReport;

/// Bytes of DATA and of unknown payloads shown in a report.
pub(crate) const PREVIEW: usize = 32;

/// Everything `inspect h2-frames` found in one input.
#[derive(Debug, Serialize)]
pub(crate) struct FramesReport {
    pub(crate) schema: &'static str,
    /// `h2-frames`.
    pub(crate) kind: &'static str,
    /// `client` or `origin`.
    pub(crate) side: &'static str,
    /// Whether the input starts with the client connection preface.
    pub(crate) preface: bool,
    /// `detected` or `option` (`--preface`).
    pub(crate) preface_source: &'static str,
    pub(crate) policy: PolicyName,
    /// Bytes of input after decoding `--hex` or `--escaped`.
    pub(crate) input_length: u64,
    /// Bytes read before the connection ended (the rest was not decoded).
    pub(crate) consumed: u64,
    pub(crate) frames: Vec<FrameReport>,
    /// In the order of the input's bytes.
    pub(crate) anomalies: Vec<AnomalyReport>,
    /// Origin side: the frames the repair shim hands to `h2`; `null` on the client side.
    pub(crate) repaired: Option<Vec<ForwardedFrame>>,
    /// Origin side: the frames the shim writes to the origin; `null` on the client side.
    pub(crate) sent_to_origin: Option<Vec<ForwardedFrame>>,
    pub(crate) verdict: FramesVerdict,
}

/// One frame.
#[derive(Debug, Serialize)]
pub(crate) struct FrameReport {
    /// Offset of the frame header in its byte stream.
    pub(crate) offset: u64,
    /// `HEADERS`, …, or `UNKNOWN(0xNN)`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) type_code: u8,
    /// The flags set, by name for the type (`0xNN` for a bit the type does not define).
    pub(crate) flags: Vec<String>,
    pub(crate) flag_bits: u8,
    pub(crate) stream: u32,
    /// The payload length as the header gives it.
    pub(crate) length: u32,
    /// The reserved bit above the stream identifier.
    pub(crate) reserved: bool,
    pub(crate) payload: PayloadReport,
    /// On a frame with END_HEADERS: the header block it ends, decoded.
    pub(crate) header_block: Option<BlockReport>,
}

/// A frame the repair shim wrote, and the input frame that made it write it.
#[derive(Debug, Serialize)]
pub(crate) struct ForwardedFrame {
    /// Offset of the input frame it answers or passes on; `null` for what the shim wrote when
    /// the input ended.
    pub(crate) from_offset: Option<u64>,
    #[serde(flatten)]
    pub(crate) frame: FrameReport,
}

/// What the payload says, by frame type.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum PayloadReport {
    Data {
        data_length: usize,
        /// The first [`PREVIEW`] bytes, escaped.
        data_start: String,
        padding: Option<PaddingReport>,
    },
    Headers {
        fragment_length: usize,
        priority: Option<PriorityReport>,
        padding: Option<PaddingReport>,
    },
    Priority {
        priority: PriorityReport,
    },
    RstStream {
        error_code: String,
        error_code_value: u32,
    },
    Settings {
        settings: Vec<SettingReport>,
    },
    PushPromise {
        promised_stream: u32,
        fragment_length: usize,
        padding: Option<PaddingReport>,
    },
    Ping {
        /// The 8 opaque bytes in hex.
        opaque: String,
    },
    GoAway {
        last_stream: u32,
        error_code: String,
        error_code_value: u32,
        /// Escaped.
        debug_data: String,
    },
    WindowUpdate {
        increment: u32,
    },
    Continuation {
        fragment_length: usize,
    },
    Unknown {
        payload_length: usize,
        /// The first [`PREVIEW`] bytes in hex.
        payload_start: String,
    },
    Malformed {
        /// `bad_length`, `padding_exceeds_payload` or `truncated`.
        malformed: &'static str,
        payload_length: usize,
        /// The first [`PREVIEW`] bytes in hex.
        payload_start: String,
    },
}

/// Padding of DATA, HEADERS and PUSH_PROMISE.
#[derive(Debug, Serialize)]
pub(crate) struct PaddingReport {
    /// The pad length: bytes of padding.
    pub(crate) length: usize,
    /// Whether every padding byte is zero, as senders must make them.
    pub(crate) zero: bool,
}

/// Priority fields of HEADERS and PRIORITY.
#[derive(Debug, Serialize)]
pub(crate) struct PriorityReport {
    pub(crate) exclusive: bool,
    pub(crate) dependency: u32,
    /// The weight, 1 to 256 (the wire carries it minus one).
    pub(crate) weight: u16,
}

/// One SETTINGS parameter.
#[derive(Debug, Serialize)]
pub(crate) struct SettingReport {
    /// `MAX_CONCURRENT_STREAMS`, …, or `UNKNOWN(0xN)`.
    pub(crate) name: String,
    pub(crate) identifier: u16,
    pub(crate) value: u32,
}

/// A complete header block (HEADERS or PUSH_PROMISE and its CONTINUATION frames), decoded.
#[derive(Debug, Serialize)]
pub(crate) struct BlockReport {
    /// `request`, `response`, `informational` (a 1xx response), `trailers` or `push_promise`.
    pub(crate) role: &'static str,
    pub(crate) stream: u32,
    /// The promised stream of a PUSH_PROMISE, else `null`.
    pub(crate) promised_stream: Option<u32>,
    /// Offset of the block's first frame.
    pub(crate) offset: u64,
    /// Frames carrying the block.
    pub(crate) frames: usize,
    /// Bytes of the encoded block (all fragments).
    pub(crate) length: usize,
    pub(crate) end_stream: bool,
    /// The decoded fields in order; empty when the block does not decode.
    pub(crate) fields: Vec<BlockField>,
    /// Why the block does not decode, else `null`.
    pub(crate) error: Option<HpackErrorReport>,
    /// The dynamic table size updates the block starts with, in order.
    pub(crate) table_size_updates: Vec<u32>,
    /// Bytes in the HPACK dynamic table after this block.
    pub(crate) table_size: usize,
}

/// A decoded field, escaped, with how it was represented.
#[derive(Debug, Serialize)]
pub(crate) struct BlockField {
    pub(crate) name: String,
    pub(crate) value: String,
    /// `indexed`, `literal_incremental_indexing`, `literal_without_indexing` or
    /// `literal_never_indexed`.
    pub(crate) representation: &'static str,
}

/// An HPACK decoding error.
#[derive(Debug, Serialize)]
pub(crate) struct HpackErrorReport {
    /// `DecodeErrorKind::as_str`: `invalid_index`, `truncated`, `list_too_large`, …
    pub(crate) kind: &'static str,
    /// Offset in the block.
    pub(crate) offset: usize,
    pub(crate) message: String,
    /// Whether the compression context is lost (a connection error COMPRESSION_ERROR); false
    /// for the decoder's limits, which refuse only the message.
    pub(crate) connection_error: bool,
}

impl HpackErrorReport {
    pub(crate) fn of(error: &DecodeError) -> HpackErrorReport {
        // Display appends where and what it does to the connection, which are fields here.
        let full = error.to_string();
        let message = full
            .rsplit_once(" [hpack, byte ")
            .map_or(full.as_str(), |(message, _)| message)
            .to_owned();
        HpackErrorReport {
            kind: error.kind().as_str(),
            offset: error.offset(),
            message,
            connection_error: error.is_connection_error(),
        }
    }
}

/// Whether the connection was accepted as a whole.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub(crate) enum FramesVerdict {
    Accepted {
        frames: usize,
    },
    Rejected {
        frames: usize,
        /// The first refusal.
        #[serde(flatten)]
        first: Refusal,
        /// Every refusal in input order, the first included.
        refusals: Vec<Refusal>,
    },
}

impl FramesVerdict {
    /// The exit code: 0 accepted, 1 rejected.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            FramesVerdict::Accepted { .. } => 0,
            FramesVerdict::Rejected { .. } => 1,
        }
    }
}

/// A stream or the connection refused, and what goes on the wire for it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Refusal {
    /// What went wrong, in words.
    pub(crate) message: String,
    /// `rejected` (a deviation the policy rejects), `budget_spent`, `compression`,
    /// `bad_preface`, `frame_too_large` or `truncated`.
    pub(crate) error_kind: &'static str,
    /// The deviation id, for `rejected` and `budget_spent`.
    pub(crate) deviation: Option<&'static str>,
    /// The budget's setting (`max_continuations`, `settings`, …), for `budget_spent`.
    pub(crate) budget: Option<&'static str>,
    /// Offset of the offending frame (of a header block's first frame for its fields).
    pub(crate) offset: u64,
    /// `connection` or `stream`.
    pub(crate) scope: &'static str,
    /// The stream, for a stream error.
    pub(crate) stream: Option<u32>,
    /// `PROTOCOL_ERROR`, …
    pub(crate) error_code: String,
    /// `GOAWAY(PROTOCOL_ERROR)`, `RST_STREAM(PROTOCOL_ERROR) on stream 1`, …
    pub(crate) wire_answer: String,
}

impl FrameReport {
    /// The report of `frame`, which started at `offset`.
    pub(crate) fn of(frame: &Frame, offset: u64) -> FrameReport {
        let header = &frame.header;
        FrameReport {
            offset,
            kind: header.kind.name(),
            type_code: header.kind.0,
            flags: flags::names(header.kind, header.flags),
            flag_bits: header.flags,
            stream: header.stream,
            length: header.length,
            reserved: header.reserved,
            payload: payload(&frame.body),
            header_block: None,
        }
    }
}

fn payload(body: &FrameBody) -> PayloadReport {
    match body {
        FrameBody::Data { data, padding } => PayloadReport::Data {
            data_length: data.len(),
            data_start: escape(&data[..data.len().min(PREVIEW)]),
            padding: padding.as_ref().map(padding_report),
        },
        FrameBody::Headers {
            priority,
            fragment,
            padding,
        } => PayloadReport::Headers {
            fragment_length: fragment.len(),
            priority: priority.as_ref().map(priority_report),
            padding: padding.as_ref().map(padding_report),
        },
        FrameBody::Priority(priority) => PayloadReport::Priority {
            priority: priority_report(priority),
        },
        FrameBody::RstStream(code) => PayloadReport::RstStream {
            error_code: code.name(),
            error_code_value: code.0,
        },
        FrameBody::Settings(settings) => PayloadReport::Settings {
            settings: settings
                .iter()
                .map(|(id, value)| SettingReport {
                    name: id.name(),
                    identifier: id.0,
                    value: *value,
                })
                .collect(),
        },
        FrameBody::PushPromise {
            promised,
            fragment,
            padding,
        } => PayloadReport::PushPromise {
            promised_stream: *promised,
            fragment_length: fragment.len(),
            padding: padding.as_ref().map(padding_report),
        },
        FrameBody::Ping(opaque) => PayloadReport::Ping {
            opaque: hex(opaque),
        },
        FrameBody::GoAway {
            last_stream,
            code,
            debug,
        } => PayloadReport::GoAway {
            last_stream: *last_stream,
            error_code: code.name(),
            error_code_value: code.0,
            debug_data: escape(debug),
        },
        FrameBody::WindowUpdate { increment } => PayloadReport::WindowUpdate {
            increment: *increment,
        },
        FrameBody::Continuation { fragment } => PayloadReport::Continuation {
            fragment_length: fragment.len(),
        },
        FrameBody::Unknown(payload) => PayloadReport::Unknown {
            payload_length: payload.len(),
            payload_start: hex(&payload[..payload.len().min(PREVIEW)]),
        },
        FrameBody::Malformed { problem, payload } => PayloadReport::Malformed {
            malformed: problem.as_str(),
            payload_length: payload.len(),
            payload_start: hex(&payload[..payload.len().min(PREVIEW)]),
        },
    }
}

fn padding_report(padding: &Padding) -> PaddingReport {
    PaddingReport {
        length: padding.bytes.len(),
        zero: padding.is_zero(),
    }
}

fn priority_report(priority: &Priority) -> PriorityReport {
    PriorityReport {
        exclusive: priority.exclusive,
        dependency: priority.dependency,
        weight: u16::from(priority.weight) + 1,
    }
}

/// Lowercase hex, no separators.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A header block once its last frame came, decoded in its connection's HPACK context.
pub(crate) struct CompletedBlock {
    pub(crate) stream: u32,
    pub(crate) promised: Option<u32>,
    pub(crate) end_stream: bool,
    /// Offset of the first frame.
    pub(crate) offset: u64,
    pub(crate) frames: usize,
    pub(crate) length: usize,
    pub(crate) decoded: Result<HeaderBlock, DecodeError>,
    pub(crate) table_size: usize,
}

impl CompletedBlock {
    /// The block's report, under `role`.
    pub(crate) fn report(&self, role: &'static str) -> BlockReport {
        let (fields, updates, error) = match &self.decoded {
            Ok(block) => (
                block_fields(block),
                block.table_size_updates().to_vec(),
                None,
            ),
            Err(error) => (Vec::new(), Vec::new(), Some(HpackErrorReport::of(error))),
        };
        BlockReport {
            role,
            stream: self.stream,
            promised_stream: self.promised,
            offset: self.offset,
            frames: self.frames,
            length: self.length,
            end_stream: self.end_stream,
            fields,
            error,
            table_size_updates: updates,
            table_size: self.table_size,
        }
    }

    /// The `:status` of a response block, when it has one of three digits.
    pub(crate) fn status(&self) -> Option<u16> {
        let block = self.decoded.as_ref().ok()?;
        let field = block.iter().find(|field| field.name() == b":status")?;
        std::str::from_utf8(field.value())
            .ok()
            .filter(|digits| digits.len() == 3)?
            .parse()
            .ok()
    }
}

/// The fields of a decoded block, escaped.
pub(crate) fn block_fields(block: &HeaderBlock) -> Vec<BlockField> {
    block
        .iter()
        .map(|field| BlockField {
            name: escape(field.name()),
            value: escape(field.value()),
            representation: field.representation().as_str(),
        })
        .collect()
}

/// Joins the fragments of one direction's header blocks and decodes each complete block in
/// that direction's HPACK context.
pub(crate) struct Blocks {
    decoder: Decoder,
    open: Option<OpenBlock>,
}

struct OpenBlock {
    stream: u32,
    promised: Option<u32>,
    end_stream: bool,
    offset: u64,
    frames: usize,
    fragments: Vec<u8>,
}

impl Blocks {
    /// A context with a 4,096-byte table, as every HTTP/2 connection starts.
    pub(crate) fn new() -> Blocks {
        Blocks {
            decoder: Decoder::new(),
            open: None,
        }
    }

    /// Takes one frame that started at `offset`; the block it completes, if it does.
    pub(crate) fn frame(&mut self, frame: &Frame, offset: u64) -> Option<CompletedBlock> {
        match &frame.body {
            FrameBody::Headers { fragment, .. } | FrameBody::PushPromise { fragment, .. } => {
                let promised = match &frame.body {
                    FrameBody::PushPromise { promised, .. } => Some(*promised),
                    _ => None,
                };
                self.open = Some(OpenBlock {
                    stream: frame.stream(),
                    promised,
                    end_stream: promised.is_none() && frame.has(flags::END_STREAM),
                    offset,
                    frames: 1,
                    fragments: fragment.to_vec(),
                });
            }
            FrameBody::Continuation { fragment } => {
                let open = self.open.as_mut()?;
                open.frames += 1;
                open.fragments.extend_from_slice(fragment);
            }
            _ => return None,
        }
        if !frame.has(flags::END_HEADERS) {
            return None;
        }
        let open = self.open.take()?;
        let decoded = self.decoder.decode(&open.fragments);
        Some(CompletedBlock {
            stream: open.stream,
            promised: open.promised,
            end_stream: open.end_stream,
            offset: open.offset,
            frames: open.frames,
            length: open.fragments.len(),
            decoded,
            table_size: self.decoder.dynamic_table().size(),
        })
    }

    /// The block still waiting for its last frame: its stream and first frame's offset.
    pub(crate) fn unfinished(&self) -> Option<(u32, u64)> {
        self.open.as_ref().map(|open| (open.stream, open.offset))
    }
}
