//! What `h2` sends toward the origin: passed on byte for byte, read along for what the shim
//! must know (the settings `h2` asked for, the requests' methods, which streams are open).

use std::collections::VecDeque;

use bytes::{Buf as _, BytesMut};

use crate::h2::frame::decode::{parse_body, parse_header};
use crate::h2::frame::{
    CLIENT_PREFACE, FrameBody, FrameHeader, FrameType, HEADER_LEN, SettingId, flags,
};
use crate::h2::hpack;
use crate::h2::shim::streams::{Method, Streams};

/// How many unacknowledged SETTINGS frames from `h2` are remembered. `h2` sends one at the
/// start and rarely another; a longer queue would mean the origin never acknowledges.
const MAX_UNACKED_SETTINGS: usize = 16;

/// Reads `h2`'s side of the connection in passing.
#[derive(Debug)]
pub(super) struct Outgoing {
    buf: BytesMut,
    preface_done: bool,
    /// `h2`'s HPACK context (its encoder, the origin's decoder), mirrored to read methods.
    requests: hpack::Decoder,
    /// The request block being received: stream and fragments so far.
    block: Option<(u32, BytesMut)>,
    /// The mirror lost the context (it cannot, unless `h2` is wrong): methods are unknown.
    lost: bool,
    /// SETTINGS `h2` sent that the origin has not acknowledged, oldest first.
    unacked: VecDeque<Vec<(SettingId, u32)>>,
}

impl Outgoing {
    pub(super) fn new() -> Outgoing {
        Outgoing {
            buf: BytesMut::new(),
            preface_done: false,
            requests: hpack::Decoder::new(),
            block: None,
            lost: false,
            unacked: VecDeque::new(),
        }
    }

    /// Whether the client connection preface has gone out: frames the shim writes to the
    /// origin must come after it.
    pub(super) fn preface_done(&self) -> bool {
        self.preface_done
    }

    /// Takes `bytes` from `h2`, appends every complete frame (and the preface) to `out`
    /// unchanged, and keeps a partial frame until the rest comes, so that `out` always ends
    /// on a frame boundary where the shim may insert its own frames.
    pub(super) fn bytes(&mut self, bytes: &[u8], streams: &mut Streams, out: &mut BytesMut) {
        self.buf.extend_from_slice(bytes);
        if !self.preface_done {
            if self.buf.len() < CLIENT_PREFACE.len() {
                return;
            }
            out.extend_from_slice(&self.buf.split_to(CLIENT_PREFACE.len()));
            self.preface_done = true;
        }
        while let Some(head) = self.buf.get(..HEADER_LEN) {
            let header = parse_header(head);
            let total = HEADER_LEN + header.length as usize;
            if self.buf.len() < total {
                return;
            }
            let raw = self.buf.split_to(total).freeze();
            out.extend_from_slice(&raw);
            match header.kind {
                FrameType::HEADERS | FrameType::CONTINUATION | FrameType::SETTINGS => {
                    let mut payload = raw;
                    payload.advance(HEADER_LEN);
                    let body = parse_body(&header, payload);
                    self.observe(header, body, streams);
                }
                FrameType::RST_STREAM => {
                    streams.close(header.stream);
                }
                _ => {}
            }
        }
    }

    fn observe(&mut self, header: FrameHeader, body: FrameBody, streams: &mut Streams) {
        let stream = header.stream;
        let end_headers = header.has(flags::END_HEADERS);
        match body {
            FrameBody::Settings(settings) if !header.has(flags::ACK) => {
                if self.unacked.len() == MAX_UNACKED_SETTINGS {
                    self.unacked.pop_front();
                }
                self.unacked.push_back(settings);
            }
            FrameBody::Headers { fragment, .. } => {
                self.block = Some((stream, BytesMut::from(&fragment[..])));
                if end_headers {
                    self.request(streams);
                }
            }
            FrameBody::Continuation { fragment } => {
                if let Some((_, block)) = &mut self.block {
                    block.extend_from_slice(&fragment);
                }
                if end_headers {
                    self.request(streams);
                }
            }
            _ => {}
        }
    }

    /// A complete block from `h2`: a request opens its stream; trailers only move the context.
    fn request(&mut self, streams: &mut Streams) {
        let Some((stream, block)) = self.block.take() else {
            return;
        };
        let decoded = self.requests.decode(&block);
        if self.lost {
            if !streams.is_open(stream) {
                streams.open(stream, Method::Unknown);
            }
            return;
        }
        let method = match decoded {
            Ok(fields) => {
                let method = fields
                    .iter()
                    .find(|field| field.name() == b":method")
                    .map(|field| field.value());
                match method {
                    Some(b"HEAD") => Method::Head,
                    Some(_) => Method::Other,
                    // Trailers: the stream is already open.
                    None => return,
                }
            }
            Err(error) => {
                self.lost = error.is_connection_error();
                Method::Unknown
            }
        };
        streams.open(stream, method);
    }

    /// The origin acknowledged `h2`'s oldest SETTINGS: they are in force now.
    pub(super) fn acknowledged(&mut self) -> Option<Vec<(SettingId, u32)>> {
        self.unacked.pop_front()
    }

    /// The origin announced its SETTINGS_HEADER_TABLE_SIZE: `h2`'s encoder may use that much.
    pub(super) fn origin_table_size(&mut self, size: u32) {
        self.requests.set_max_table_size(size as usize);
    }
}
