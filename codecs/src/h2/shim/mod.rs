//! The repair shim: sits between an origin and the `h2` client connection that talks to it.
//!
//! Origins send HTTP/2 that `h2` rightly refuses: uppercase or padded field names, connection
//! headers, nonzero padding, zero WINDOW_UPDATEs, invalid SETTINGS, stray frames. `h2` would
//! end the stream or the connection and say little about why. The shim decodes every frame
//! and header block the origin sends, applies the origin-side policy through the [`Checker`]
//! (repair what is unambiguous, refuse what is not, record an anomaly either way), and hands
//! `h2` canonical frames: header blocks re-encoded with our own HPACK encoder, split to the
//! frame size `h2` asked for. What `h2` sends passes to the origin byte for byte; the shim only
//! reads it along (settings, request methods, open streams) and adds frames of its own at frame
//! boundaries.
//!
//! # What the shim adds on the wire
//!
//! - **Flow control stays whole.** A DATA frame the shim drops, or shortens by removing its
//!   padding, was counted by the origin against the windows; `h2` never sees those bytes and
//!   would never return them. The shim sends the origin the WINDOW_UPDATEs `h2` cannot.
//! - **Refusals reach both sides.** A stream error (a response the policy refuses, a header
//!   list over the HPACK limits, a content-length the DATA frames contradict) sends
//!   RST_STREAM to the origin and to `h2`; later frames on that stream are dropped. A
//!   connection error sends GOAWAY to both (toward `h2`, after resetting each open stream
//!   with the reason, and naming every stream as possibly processed, so that nothing is
//!   retried as if it had not reached the origin), and the shim reads nothing more.
//!
//! # Content-length
//!
//! `h2` checks DATA against content-length itself, and resets the stream without a word. The
//! shim keeps the same account so that the mismatch is a named anomaly: rejected by default (a
//! stream error, as `h2` would), or, when the policy repairs `h2.content-length-mismatch`,
//! content-length is withheld from `h2` on every response that has one, so that the body is
//! delivered as the DATA frames delimit it, whatever the origin claimed. A list of equal
//! values (`5, 5`, allowed by RFC 9110 §8.6) is passed on as the one value, because `h2`
//! reads a single decimal. Responses to HEAD and 204/304 responses are not counted.
//!
//! It is sans-IO: the I/O layer hands it what each side sent ([`Shim::origin_bytes`],
//! [`Shim::h2_bytes`]) and writes what it returns ([`Shim::take_to_h2`],
//! [`Shim::take_to_origin`]).

mod outgoing;
mod streams;

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::deviation::{Deviation, MessageKind};
use crate::h2::check::Checker;
use crate::h2::error::{Error, ErrorKind, Refusals, Scope};
use crate::h2::frame::{
    DEFAULT_MAX_FRAME_SIZE, ErrorCode, Frame, FrameBody, FrameDecoder, FrameHeader, FrameType,
    Preface, SettingId, flags,
};
use crate::h2::hpack;
use crate::h2::message::{BlockRole, Checked, HeaderField};
use crate::policy::{Action, Policy, Side};

use outgoing::Outgoing;
use streams::{Method, Phase, Streams};

/// The largest header block (encoded, all fragments) accepted from an origin. Four times the
/// decoded-list limit: an encoding larger than that is padding or an attack, and the block
/// must be held whole before HPACK can read it.
pub const MAX_ORIGIN_BLOCK_BYTES: usize = 4 * hpack::DEFAULT_MAX_LIST_SIZE;

/// A header block being received from the origin.
#[derive(Debug)]
struct OpenBlock {
    stream: u32,
    /// The promised stream, for PUSH_PROMISE.
    promised: Option<u32>,
    end_stream: bool,
    /// Stream offset of the first frame.
    offset: u64,
    fragments: BytesMut,
}

/// The shim of one origin connection.
#[derive(Debug)]
pub struct Shim {
    policy: Arc<Policy>,
    checker: Checker,
    origin: FrameDecoder,
    origin_buf: BytesMut,
    /// The origin's HPACK context.
    responses: hpack::Decoder,
    /// Our HPACK context toward `h2`.
    encoder: hpack::Encoder,
    block: Option<OpenBlock>,
    /// The largest frame `h2` accepts (its SETTINGS_MAX_FRAME_SIZE, once acknowledged).
    h2_max_frame_size: u32,
    outgoing: Outgoing,
    streams: Streams,
    to_h2: BytesMut,
    to_origin: BytesMut,
    /// Frames for the origin written before `h2`'s preface went out.
    held_for_origin: BytesMut,
    /// Flow-control credit owed to the origin on the connection.
    connection_credit: u64,
    /// Flow-control credit owed to the origin on streams still open.
    stream_credit: Vec<(u32, u32)>,
    log: AnomalyLog,
    /// Refusals not yet taken: stream errors and the connection error, in order.
    refusals: Refusals,
    failed: Option<Error>,
}

impl Shim {
    /// A shim applying the origin-side rules of `policy`.
    pub fn new(policy: Arc<Policy>) -> Shim {
        Shim {
            checker: Checker::new(policy.clone(), Side::Origin),
            policy,
            origin: FrameDecoder::new(Preface::None),
            origin_buf: BytesMut::new(),
            responses: hpack::Decoder::new(),
            encoder: hpack::Encoder::new(),
            block: None,
            h2_max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            outgoing: Outgoing::new(),
            streams: Streams::default(),
            to_h2: BytesMut::new(),
            to_origin: BytesMut::new(),
            held_for_origin: BytesMut::new(),
            connection_credit: 0,
            stream_credit: Vec::new(),
            log: AnomalyLog::default(),
            refusals: Refusals::default(),
            failed: None,
        }
    }

    /// Takes bytes `h2` wrote toward the origin.
    pub fn h2_bytes(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let before = self.outgoing.preface_done();
        self.outgoing
            .bytes(bytes, &mut self.streams, &mut self.to_origin);
        if !before && self.outgoing.preface_done() {
            self.to_origin
                .extend_from_slice(&self.held_for_origin.split());
        }
    }

    /// Takes bytes the origin sent.
    pub fn origin_bytes(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        self.origin_buf.extend_from_slice(bytes);
        loop {
            let offset = self.origin.offset();
            match self.origin.decode(&mut self.origin_buf) {
                Ok(Some(frame)) => {
                    if let Err(error) = self.origin_frame(frame, offset) {
                        self.refuse(error);
                    }
                    // Per frame, so that what the origin gets does not depend on read sizes.
                    self.pay_credit();
                    if self.failed.is_some() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    self.fail(Error::new(
                        ErrorKind::Frame(error.kind),
                        Scope::Connection,
                        error.kind.code(),
                        Side::Origin,
                        error.offset,
                    ));
                    break;
                }
            }
        }
    }

    /// The origin closed its side: a frame cut short is a connection error.
    pub fn origin_closed(&mut self) {
        if self.failed.is_some() {
            return;
        }
        if !self.origin_buf.is_empty() || self.block.is_some() {
            self.fail(Error::new(
                ErrorKind::Frame(crate::h2::frame::FrameErrorKind::Truncated),
                Scope::Connection,
                ErrorCode::PROTOCOL_ERROR,
                Side::Origin,
                self.origin.offset(),
            ));
        }
    }

    /// Bytes to hand to `h2`, as if the origin had sent them.
    pub fn take_to_h2(&mut self) -> BytesMut {
        self.to_h2.split()
    }

    /// Bytes to write to the origin: `h2`'s frames and the shim's.
    pub fn take_to_origin(&mut self) -> BytesMut {
        self.to_origin.split()
    }

    /// How many bytes wait for [`Shim::take_to_origin`].
    pub fn to_origin_len(&self) -> usize {
        self.to_origin.len()
    }

    /// How many bytes wait for [`Shim::take_to_h2`].
    pub fn to_h2_len(&self) -> usize {
        self.to_h2.len()
    }

    /// The connection error that ended the shim, if any: after it, GOAWAY went both ways, the
    /// shim reads nothing more, and the I/O layer closes both sides once the bytes are out.
    pub fn error(&self) -> Option<&Error> {
        self.failed.as_ref()
    }

    /// Takes the refusals answered since the last call, in order: each stream the shim reset
    /// (both ways) and the connection error, if one ended the shim. Every one also has its
    /// rejected anomaly; at most 64 wait to be taken.
    pub fn take_refusals(&mut self) -> Vec<Error> {
        self.refusals.take()
    }

    /// Takes the anomalies recorded so far, in the order of the origin's bytes.
    pub fn take_anomalies(&mut self) -> Vec<Anomaly> {
        let mut anomalies = self.checker.take_anomalies();
        anomalies.extend(self.log.take());
        anomalies.sort_by_key(|anomaly| anomaly.offset);
        anomalies
    }

    /// Streams `h2` opened that the origin has not finished.
    pub fn streams_in_flight(&self) -> usize {
        self.streams.in_flight()
    }

    fn origin_frame(&mut self, frame: Frame, offset: u64) -> Result<(), Error> {
        let received = frame.header.length;
        let kind = frame.kind();
        let stream = frame.stream();
        let frame = match self.checker.check(frame, offset) {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                if kind == FrameType::DATA {
                    self.connection_credit += u64::from(received);
                }
                return Ok(());
            }
            // A header block's fragment cannot be dropped without losing the HPACK context.
            Err(error) if carries_fragment(kind) => return Err(connection_wide(error)),
            Err(error) => return Err(error),
        };
        match frame.kind() {
            FrameType::HEADERS | FrameType::PUSH_PROMISE | FrameType::CONTINUATION => {
                self.fragment(frame, offset)
            }
            FrameType::DATA => self.data(frame, received, offset),
            FrameType::SETTINGS => {
                self.settings(&frame);
                self.forward(&frame);
                Ok(())
            }
            FrameType::RST_STREAM => {
                if !self.streams.was_reset(stream) {
                    self.streams.close(stream);
                    self.forward(&frame);
                }
                Ok(())
            }
            FrameType::WINDOW_UPDATE | FrameType::PRIORITY if self.streams.was_reset(stream) => {
                Ok(())
            }
            _ => {
                self.forward(&frame);
                Ok(())
            }
        }
    }

    fn forward(&mut self, frame: &Frame) {
        frame.encode(&mut self.to_h2);
    }

    fn settings(&mut self, frame: &Frame) {
        let FrameBody::Settings(settings) = &frame.body else {
            return;
        };
        if !frame.has(flags::ACK) {
            for (id, value) in settings {
                if *id == SettingId::HEADER_TABLE_SIZE {
                    self.outgoing.origin_table_size(*value);
                }
            }
            return;
        }
        // The origin acknowledged h2's settings: from here on they bind both directions.
        let Some(settings) = self.outgoing.acknowledged() else {
            return;
        };
        for (id, value) in settings {
            match id {
                SettingId::HEADER_TABLE_SIZE => {
                    self.responses.set_max_table_size(value as usize);
                    self.encoder.set_max_table_size(value as usize);
                }
                SettingId::MAX_FRAME_SIZE if id.accepts(value) => {
                    self.origin.set_max_frame_size(value);
                    self.h2_max_frame_size = value;
                }
                SettingId::ENABLE_PUSH if value == 1 => self.checker.enable_push(),
                _ => {}
            }
        }
    }

    fn fragment(&mut self, frame: Frame, offset: u64) -> Result<(), Error> {
        let end_headers = frame.has(flags::END_HEADERS);
        let stream = frame.stream();
        match frame.body {
            FrameBody::Headers { fragment, .. } => {
                self.open_block(stream, None, frame.header.flags, offset, &fragment)?;
            }
            FrameBody::PushPromise {
                promised, fragment, ..
            } => {
                self.open_block(
                    stream,
                    Some(promised),
                    frame.header.flags,
                    offset,
                    &fragment,
                )?;
            }
            FrameBody::Continuation { fragment } => {
                let Some(block) = &mut self.block else {
                    // The checker refuses a CONTINUATION outside a block.
                    return Ok(());
                };
                block.fragments.extend_from_slice(&fragment);
                self.bound_block(offset)?;
            }
            _ => return Ok(()),
        }
        if end_headers {
            self.finish_block()?;
        }
        Ok(())
    }

    fn open_block(
        &mut self,
        stream: u32,
        promised: Option<u32>,
        frame_flags: u8,
        offset: u64,
        fragment: &[u8],
    ) -> Result<(), Error> {
        self.block = Some(OpenBlock {
            stream,
            promised,
            end_stream: promised.is_none() && frame_flags & flags::END_STREAM != 0,
            offset,
            fragments: BytesMut::from(fragment),
        });
        self.bound_block(offset)
    }

    fn bound_block(&mut self, offset: u64) -> Result<(), Error> {
        let size = self.block.as_ref().map_or(0, |block| block.fragments.len());
        if size <= MAX_ORIGIN_BLOCK_BYTES {
            return Ok(());
        }
        self.record(Deviation::H2HeaderListTooLarge, Action::Reject, offset);
        Err(Error::new(
            ErrorKind::Rejected(Deviation::H2HeaderListTooLarge),
            Scope::Connection,
            ErrorCode::ENHANCE_YOUR_CALM,
            Side::Origin,
            offset,
        ))
    }

    /// A complete header block: decode, check, re-encode.
    fn finish_block(&mut self) -> Result<(), Error> {
        let Some(block) = self.block.take() else {
            return Ok(());
        };
        let OpenBlock {
            stream,
            promised,
            end_stream,
            offset,
            fragments,
        } = block;
        let decoded = self.responses.decode(&fragments);
        let mut fields: Vec<HeaderField> = match decoded {
            Ok(list) => list.iter().map(HeaderField::from).collect(),
            Err(error) if error.is_connection_error() => {
                self.record(Deviation::H2HpackInvalid, Action::Reject, offset);
                return Err(Error::new(
                    ErrorKind::Compression,
                    Scope::Connection,
                    ErrorCode::COMPRESSION_ERROR,
                    Side::Origin,
                    offset,
                ));
            }
            Err(_) => {
                self.record(Deviation::H2HeaderListTooLarge, Action::Reject, offset);
                return Err(Error::new(
                    ErrorKind::Rejected(Deviation::H2HeaderListTooLarge),
                    Scope::Stream(stream),
                    ErrorCode::PROTOCOL_ERROR,
                    Side::Origin,
                    offset,
                ));
            }
        };
        if self.streams.was_reset(stream) {
            // Read for the compression context; the stream is gone.
            return Ok(());
        }
        let role = match (promised, self.streams.get_mut(stream)) {
            (Some(_), _) => BlockRole::Request,
            (None, Some(state)) if state.phase == Phase::Body => BlockRole::Trailers,
            (None, _) => BlockRole::Response,
        };
        let checked = self
            .checker
            .check_fields(&mut fields, role, stream, end_stream, offset)?;
        if role == BlockRole::Response {
            self.response_framing(stream, &checked, &mut fields, end_stream, offset)?;
        }
        self.write_block(stream, promised, end_stream, &fields);
        if end_stream {
            if role == BlockRole::Trailers {
                self.body_complete(stream, offset)?;
            }
            self.streams.close(stream);
        }
        Ok(())
    }

    /// The content-length account of a response (see the module documentation).
    fn response_framing(
        &mut self,
        stream: u32,
        checked: &Checked,
        fields: &mut Vec<HeaderField>,
        end_stream: bool,
        offset: u64,
    ) -> Result<(), Error> {
        let status = checked.status.unwrap_or(0);
        if (100..200).contains(&status) {
            return Ok(());
        }
        let repair = self.mismatch_action() == Action::Repair;
        let Some(state) = self.streams.get_mut(stream) else {
            return Ok(());
        };
        state.phase = Phase::Body;
        let Some(length) = checked.content_length else {
            return Ok(());
        };
        let counted = state.method == Method::Other && status != 204 && status != 304;
        if counted && repair {
            fields.retain(|field| &field.name[..] != b"content-length");
        } else {
            canonical_content_length(fields, length);
        }
        if !counted {
            return Ok(());
        }
        state.expected = Some(length);
        if end_stream {
            return self.body_complete(stream, offset);
        }
        Ok(())
    }

    fn mismatch_action(&self) -> Action {
        self.policy.effective_action(
            Side::Origin,
            Deviation::H2ContentLengthMismatch,
            MessageKind::Response,
        )
    }

    /// The stream ends: the DATA received must add up to the content-length.
    fn body_complete(&mut self, stream: u32, offset: u64) -> Result<(), Error> {
        let Some(state) = self.streams.get_mut(stream) else {
            return Ok(());
        };
        match state.expected {
            Some(expected) if expected != state.received => self.mismatch(stream, offset),
            _ => Ok(()),
        }
    }

    fn mismatch(&mut self, stream: u32, offset: u64) -> Result<(), Error> {
        let action = self.mismatch_action();
        self.record(Deviation::H2ContentLengthMismatch, action, offset);
        if let Some(state) = self.streams.get_mut(stream) {
            state.expected = None;
        }
        if action == Action::Reject {
            return Err(Error::new(
                ErrorKind::Rejected(Deviation::H2ContentLengthMismatch),
                Scope::Stream(stream),
                ErrorCode::PROTOCOL_ERROR,
                Side::Origin,
                offset,
            ));
        }
        Ok(())
    }

    fn data(&mut self, frame: Frame, received: u32, offset: u64) -> Result<(), Error> {
        let stream = frame.stream();
        let end_stream = frame.has(flags::END_STREAM);
        let FrameBody::Data { data, .. } = &frame.body else {
            // A malformed DATA frame the policy accepted: h2 decides.
            self.forward(&frame);
            return Ok(());
        };
        if self.streams.was_reset(stream) {
            self.connection_credit += u64::from(received);
            return Ok(());
        }
        let over = match self.streams.get_mut(stream) {
            Some(state) => {
                state.received = state.received.saturating_add(data.len() as u64);
                state
                    .expected
                    .is_some_and(|expected| state.received > expected)
            }
            None => false,
        };
        if over || end_stream {
            let checked = if over {
                self.mismatch(stream, offset)
            } else {
                self.body_complete(stream, offset)
            };
            if let Err(error) = checked {
                self.connection_credit += u64::from(received);
                return Err(error);
            }
        }
        let sent = frame.payload_len();
        if let Some(shortfall) = received.checked_sub(sent).filter(|&short| short > 0) {
            self.connection_credit += u64::from(shortfall);
            if !end_stream {
                self.stream_credit.push((stream, shortfall));
            }
        }
        self.forward(&frame);
        if end_stream {
            self.streams.close(stream);
        }
        Ok(())
    }

    /// Writes a header block to `h2`: HEADERS (or PUSH_PROMISE) and CONTINUATION frames no
    /// larger than its SETTINGS_MAX_FRAME_SIZE.
    fn write_block(
        &mut self,
        stream: u32,
        promised: Option<u32>,
        end_stream: bool,
        fields: &[HeaderField],
    ) {
        let mut block = BytesMut::new();
        self.encoder
            .encode(fields.iter().map(HeaderField::to_hpack), &mut block);
        let mut block = block.freeze();
        let max = self.h2_max_frame_size as usize;
        // The promised stream id takes four bytes of the first frame.
        let first_room = if promised.is_some() { max - 4 } else { max };
        let first = block.split_to(block.len().min(first_room));
        let last = block.is_empty();
        let end_headers = if last { flags::END_HEADERS } else { 0 };
        let (kind, body, frame_flags) = match promised {
            Some(promised) => (
                FrameType::PUSH_PROMISE,
                FrameBody::PushPromise {
                    promised,
                    fragment: first,
                    padding: None,
                },
                end_headers,
            ),
            None => (
                FrameType::HEADERS,
                FrameBody::Headers {
                    priority: None,
                    fragment: first,
                    padding: None,
                },
                end_headers | if end_stream { flags::END_STREAM } else { 0 },
            ),
        };
        frame(kind, frame_flags, stream, body).encode(&mut self.to_h2);
        while !block.is_empty() {
            let fragment = block.split_to(block.len().min(max));
            let end_headers = if block.is_empty() {
                flags::END_HEADERS
            } else {
                0
            };
            frame(
                FrameType::CONTINUATION,
                end_headers,
                stream,
                FrameBody::Continuation { fragment },
            )
            .encode(&mut self.to_h2);
        }
    }

    /// Answers an error: a stream error resets the stream both ways; a connection error ends
    /// the connection both ways.
    fn refuse(&mut self, error: Error) {
        if self.failed.is_some() {
            return;
        }
        self.refusals.push(error);
        match error.scope() {
            Scope::Connection => self.fail(error),
            Scope::Stream(stream) => {
                let reset = frame(
                    FrameType::RST_STREAM,
                    0,
                    stream,
                    FrameBody::RstStream(error.code()),
                );
                self.send_origin(&reset);
                if self.streams.reset(stream) {
                    reset.encode(&mut self.to_h2);
                }
            }
        }
    }

    fn fail(&mut self, error: Error) {
        if self.failed.is_some() {
            return;
        }
        if self.refusals.last() != Some(&error) {
            self.refusals.push(error);
        }
        let debug = Bytes::from_static(match error.deviation() {
            Some(deviation) => deviation.id().as_bytes(),
            None => error.kind().as_str().as_bytes(),
        });
        // Toward the origin we are the client: we accepted no stream of its.
        let to_origin = goaway(0, error.code(), debug.clone());
        self.send_origin(&to_origin);
        // Toward h2, the streams it opened may have been processed: no retry is safe, so
        // the GOAWAY covers them all, and each open one is reset with the reason, which h2
        // hands to its caller (end of stream alone would read as a broken pipe).
        for stream in self.streams.drain_open() {
            frame(
                FrameType::RST_STREAM,
                0,
                stream,
                FrameBody::RstStream(error.code()),
            )
            .encode(&mut self.to_h2);
        }
        goaway(self.streams.highest(), error.code(), debug).encode(&mut self.to_h2);
        self.origin_buf.clear();
        self.block = None;
        self.failed = Some(error);
    }

    fn send_origin(&mut self, frame: &Frame) {
        if self.outgoing.preface_done() {
            frame.encode(&mut self.to_origin);
        } else {
            frame.encode(&mut self.held_for_origin);
        }
    }

    /// Returns the flow-control credit `h2` cannot (see the module documentation).
    fn pay_credit(&mut self) {
        let mut credit = std::mem::take(&mut self.stream_credit);
        for (stream, increment) in credit.drain(..) {
            if self.streams.is_open(stream) {
                self.send_origin(&window_update(stream, increment));
            }
        }
        self.stream_credit = credit;
        while self.connection_credit > 0 {
            let increment = u32::try_from(self.connection_credit)
                .unwrap_or(u32::MAX)
                .min(crate::h2::frame::MAX_WINDOW_SIZE);
            self.connection_credit -= u64::from(increment);
            self.send_origin(&window_update(0, increment));
        }
    }

    fn record(&mut self, deviation: Deviation, action: Action, offset: u64) {
        self.log.new_message();
        self.log.record(Anomaly {
            deviation,
            action,
            side: Side::Origin,
            offset,
        });
    }
}

fn carries_fragment(kind: FrameType) -> bool {
    matches!(
        kind,
        FrameType::HEADERS | FrameType::PUSH_PROMISE | FrameType::CONTINUATION
    )
}

/// A stream error on a frame whose header block fragment must not be lost becomes a
/// connection error of the same code.
fn connection_wide(error: Error) -> Error {
    Error::new(
        error.kind(),
        Scope::Connection,
        error.code(),
        error.side(),
        error.offset(),
    )
}

/// Rewrites the content-length fields as one field holding `length`: `h2` reads one decimal.
fn canonical_content_length(fields: &mut Vec<HeaderField>, length: u64) {
    let canonical = length.to_string();
    let mut first = true;
    fields.retain_mut(|field| {
        if &field.name[..] != b"content-length" {
            return true;
        }
        if !std::mem::take(&mut first) {
            return false;
        }
        if field.value != canonical.as_bytes() {
            field.value = Bytes::from(canonical.clone());
        }
        true
    });
}

fn frame(kind: FrameType, frame_flags: u8, stream: u32, body: FrameBody) -> Frame {
    Frame {
        header: FrameHeader {
            // The encoder writes the payload's own length.
            length: 0,
            kind,
            flags: frame_flags,
            stream,
            reserved: false,
        },
        body,
    }
}

fn goaway(last_stream: u32, code: ErrorCode, debug: Bytes) -> Frame {
    frame(
        FrameType::GOAWAY,
        0,
        0,
        FrameBody::GoAway {
            last_stream,
            code,
            debug,
        },
    )
}

fn window_update(stream: u32, increment: u32) -> Frame {
    frame(
        FrameType::WINDOW_UPDATE,
        0,
        stream,
        FrameBody::WindowUpdate { increment },
    )
}
