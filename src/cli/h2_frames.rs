//! `tollgate inspect h2-frames`: decodes one direction of an HTTP/2 connection frame by frame
//! and runs it through what tollgate puts in front of `h2` on that side: the guard (budgets and
//! the frame checks) for a client's bytes, the repair shim for an origin's.
//!
//! Every frame is handed over on its own, so that each anomaly, refusal and repaired frame is
//! attributed to the frame that caused it. The whole input is taken to arrive at one instant:
//! rate budgets count every frame of the input.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use tollgate_codecs::h2::budgets::Budget;
use tollgate_codecs::h2::frame::{
    CLIENT_PREFACE, ErrorCode, Frame, FrameDecoder, FrameError, FrameErrorKind, FrameType,
    HEADER_LEN, MAX_MAX_FRAME_SIZE, Preface, SettingId, flags,
};
use tollgate_codecs::h2::guard::{Guard, Verdict};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::h2::shim::Shim;
use tollgate_codecs::h2::{BlockRole, Checker, Error, ErrorKind, HeaderField, Scope};
use tollgate_codecs::{Action, Anomaly, Deviation, Policy, Side};

use crate::cli::failure::Failure;
use crate::cli::h2_report::{
    Blocks, CompletedBlock, ForwardedFrame, FrameReport, FramesReport, FramesVerdict,
    HpackErrorReport, PayloadReport, Refusal,
};
use crate::cli::h2_text;
use crate::cli::input::{Format, Source};
use crate::cli::inspect::anomalies;
use crate::cli::output;
use crate::cli::policy_source::PolicyName;
use crate::cli::report::SCHEMA;

/// Everything one `inspect h2-frames` run needs, once the arguments are checked.
pub(crate) struct FramesInspection {
    pub(crate) source: Source,
    pub(crate) format: Format,
    pub(crate) json: bool,
    /// `--side`; `None` picks by the preface.
    pub(crate) side: Option<Side>,
    /// `--preface yes|no`; `None` detects it.
    pub(crate) preface: Option<bool>,
    pub(crate) policy: Policy,
    pub(crate) policy_name: PolicyName,
}

impl FramesInspection {
    pub(crate) fn run(self) -> Result<ExitCode, Failure> {
        let input = self.source.read_as(self.format)?;
        let json = self.json;
        let report = self.report(&input);
        let text = if json {
            output::json(&report)?
        } else {
            h2_text::frames(&report)
        };
        output::emit(&text)?;
        Ok(ExitCode::from(report.verdict.exit_code()))
    }

    fn report(self, input: &[u8]) -> FramesReport {
        let (preface, preface_source) = match self.preface {
            Some(given) => (given, "option"),
            None => (starts_with_preface(input), "detected"),
        };
        let side = self
            .side
            .unwrap_or(if preface { Side::Client } else { Side::Origin });
        let split = Split::of(input, preface);
        let policy = Arc::new(self.policy);
        let outcome = match side {
            Side::Client => client(input, &split, policy),
            Side::Origin => origin(input, &split, policy),
        };
        let mut anomaly_list = outcome.anomalies;
        anomaly_list.sort_by_key(|anomaly| anomaly.offset);
        let frames = outcome.frames.len();
        let verdict = match outcome.refusals.first() {
            None => FramesVerdict::Accepted { frames },
            Some(first) => FramesVerdict::Rejected {
                frames,
                first: first.clone(),
                refusals: outcome.refusals,
            },
        };
        FramesReport {
            schema: SCHEMA,
            kind: "h2-frames",
            side: side.as_str(),
            preface,
            preface_source,
            policy: self.policy_name,
            input_length: input.len() as u64,
            consumed: outcome.consumed,
            frames: outcome.frames,
            anomalies: anomalies(&anomaly_list),
            repaired: outcome.repaired,
            sent_to_origin: outcome.sent_to_origin,
            verdict,
        }
    }
}

/// Whether the input starts with the client connection preface, or is a beginning of it.
fn starts_with_preface(input: &[u8]) -> bool {
    let seen = input.len().min(CLIENT_PREFACE.len());
    seen > 0 && input[..seen] == CLIENT_PREFACE[..seen]
}

/// The input cut into frames, before anything checks them.
struct Split {
    /// Bytes of the preface at the start of the input (0 or 24).
    preface_end: u64,
    frames: Vec<Framed>,
    /// What stopped the frame layer: a bad preface, a frame over 16 KiB (the default
    /// SETTINGS_MAX_FRAME_SIZE), or bytes left over at the end.
    error: Option<FrameError>,
}

struct Framed {
    offset: u64,
    end: u64,
    frame: Frame,
}

impl Split {
    fn of(input: &[u8], preface: bool) -> Split {
        let mut decoder = FrameDecoder::new(if preface {
            Preface::Expected
        } else {
            Preface::None
        });
        let preface_end = if preface && input.starts_with(CLIENT_PREFACE) {
            CLIENT_PREFACE.len() as u64
        } else {
            0
        };
        let mut buf = BytesMut::from(input);
        let mut frames = Vec::new();
        let error = loop {
            match decoder.decode_eof(&mut buf) {
                Ok(Some(frame)) => {
                    let end = decoder.offset();
                    let offset = end - HEADER_LEN as u64 - u64::from(frame.header.length);
                    frames.push(Framed { offset, end, frame });
                }
                Ok(None) => break None,
                Err(error) => break Some(error),
            }
        };
        Split {
            preface_end,
            frames,
            error,
        }
    }

    fn bytes<'a>(&self, input: &'a [u8], framed: &Framed) -> &'a [u8] {
        let range = usize::try_from(framed.offset).unwrap_or(usize::MAX)
            ..usize::try_from(framed.end).unwrap_or(usize::MAX);
        input.get(range).unwrap_or_default()
    }
}

/// What one side's run found.
struct Outcome {
    frames: Vec<FrameReport>,
    anomalies: Vec<Anomaly>,
    refusals: Vec<Refusal>,
    consumed: u64,
    repaired: Option<Vec<ForwardedFrame>>,
    sent_to_origin: Option<Vec<ForwardedFrame>>,
}

impl Outcome {
    fn new(consumed: u64) -> Outcome {
        Outcome {
            frames: Vec::new(),
            anomalies: Vec::new(),
            refusals: Vec::new(),
            consumed,
            repaired: None,
            sent_to_origin: None,
        }
    }
}

impl Refusal {
    /// The refusal behind an HTTP/2 error, whose offending frame is at `offset` in the input.
    fn of_error(error: &Error, offset: u64) -> Refusal {
        let answer = error.wire_answer();
        // Display appends who sent it, where and what to answer, which are fields here.
        let full = error.to_string();
        let suffix = format!(
            " [{} frame at byte {}; answer: {answer}]",
            error.side(),
            error.offset()
        );
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        let (scope, stream) = match error.scope() {
            Scope::Connection => ("connection", None),
            Scope::Stream(stream) => ("stream", Some(stream)),
        };
        Refusal {
            message,
            error_kind: error.kind().as_str(),
            deviation: error.deviation().map(|deviation| deviation.id()),
            budget: None,
            offset,
            scope,
            stream,
            error_code: error.code().name(),
            wire_answer: answer.to_string(),
        }
    }

    /// A connection error of the frame layer.
    fn of_frame_error(error: &FrameError) -> Refusal {
        let code = error.kind.code();
        let full = error.to_string();
        let suffix = format!(" at byte {} (connection error {code})", error.offset);
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        Refusal::connection(message, error.kind.as_str(), error.offset, code)
    }

    fn connection(
        message: String,
        error_kind: &'static str,
        offset: u64,
        code: ErrorCode,
    ) -> Refusal {
        Refusal {
            message,
            error_kind,
            deviation: None,
            budget: None,
            offset,
            scope: "connection",
            stream: None,
            error_code: code.name(),
            wire_answer: format!("GOAWAY({code})"),
        }
    }

    fn stream(
        message: String,
        deviation: Option<Deviation>,
        offset: u64,
        stream: u32,
        code: ErrorCode,
    ) -> Refusal {
        Refusal {
            message,
            error_kind: "rejected",
            deviation: deviation.map(|deviation| deviation.id()),
            budget: None,
            offset,
            scope: "stream",
            stream: Some(stream),
            error_code: code.name(),
            wire_answer: format!("RST_STREAM({code}) on stream {stream}"),
        }
    }

    /// A budget the guard found spent at the frame at `offset`.
    fn budget(budget: Budget, offset: u64) -> Refusal {
        let info = budget.deviation().info();
        let code = ErrorCode::ENHANCE_YOUR_CALM;
        Refusal {
            message: format!("budget `{}` spent: {}", budget.setting(), info.summary),
            error_kind: "budget_spent",
            deviation: Some(info.id),
            budget: Some(budget.setting()),
            offset,
            scope: "connection",
            stream: None,
            error_code: code.name(),
            wire_answer: format!("GOAWAY({code})"),
        }
    }
}

/// "rejected by policy" text for a deviation, as `h2::Error` words it.
fn rejected_message(deviation: Deviation) -> String {
    let info = deviation.info();
    format!(
        "{} rejected by policy: {} ({})",
        info.id, info.summary, info.rfc
    )
}

/// A client's bytes, through the guard.
///
/// The guard keeps the budgets and runs the frame checks, recording the anomalies and the
/// refusals (which `h2` would answer). Header blocks are decoded here and their fields checked
/// as a server does with a request.
fn client(input: &[u8], split: &Split, policy: Arc<Policy>) -> Outcome {
    let now = Instant::now();
    let mut guard = Guard::new(policy.clone());
    let mut messages = Checker::new(policy, Side::Client);
    let mut blocks = Blocks::new();
    let mut outcome = Outcome::new(split.preface_end);
    // The guard reads a client connection from its first byte, the preface: without one in
    // the input it is given one, and its offsets are that much ahead.
    let _ = guard.client_bytes(CLIENT_PREFACE, now);
    let ahead = CLIENT_PREFACE.len() as u64 - split.preface_end;
    let mut requested: HashSet<u32> = HashSet::new();
    let mut refused: HashSet<u32> = HashSet::new();
    let mut ended = false;
    for framed in &split.frames {
        outcome.consumed = framed.end;
        let mut report = FrameReport::of(&framed.frame, framed.offset);
        let verdict = guard.client_bytes(split.bytes(input, framed), now);
        outcome
            .anomalies
            .extend(guard.take_anomalies().into_iter().map(|mut anomaly| {
                anomaly.offset = anomaly.offset.saturating_sub(ahead);
                anomaly
            }));
        if let Verdict::GoAway(goaway) = verdict {
            outcome
                .refusals
                .push(Refusal::budget(goaway.budget, framed.offset));
            outcome.frames.push(report);
            ended = true;
            break;
        }
        if let Some(error) = guard.take_refusals().into_iter().next() {
            outcome.refusals.push(Refusal::of_error(
                &error,
                error.offset().saturating_sub(ahead),
            ));
            match error.scope() {
                Scope::Connection => {
                    outcome.frames.push(report);
                    ended = true;
                    break;
                }
                Scope::Stream(stream) => {
                    refused.insert(stream);
                }
            }
        }
        if let Some(block) = blocks.frame(&framed.frame, framed.offset) {
            let (name, role) = if block.promised.is_some() {
                ("push_promise", None)
            } else if requested.insert(block.stream) {
                ("request", Some(BlockRole::Request))
            } else {
                ("trailers", Some(BlockRole::Trailers))
            };
            report.header_block = Some(block.report(name));
            let refusal = request_block(&block, role, &refused, &mut messages, &mut outcome);
            if let Some(refusal) = refusal {
                let connection = refusal.scope == "connection";
                if let Some(stream) = refusal.stream {
                    refused.insert(stream);
                }
                outcome.refusals.push(refusal);
                if connection {
                    outcome.frames.push(report);
                    ended = true;
                    break;
                }
            }
        }
        outcome.frames.push(report);
    }
    if !ended {
        if let Some(error) = &split.error {
            outcome.consumed = error.offset;
        }
        outcome.refusals.extend(end_of_input(input, split, &blocks));
    }
    outcome
}

/// The connection error the end of the input makes: a frame-layer error, or the peer closing
/// inside a header block.
fn end_of_input(input: &[u8], split: &Split, blocks: &Blocks) -> Option<Refusal> {
    if let Some(error) = &split.error {
        return Some(Refusal::of_frame_error(error));
    }
    let (stream, offset) = blocks.unfinished()?;
    let kind = FrameErrorKind::Truncated;
    Some(Refusal::connection(
        format!(
            "the input ends inside the header block on stream {stream} that started at byte \
             {offset}"
        ),
        kind.as_str(),
        input.len() as u64,
        kind.code(),
    ))
}

/// Checks a client's decoded header block of `role` (`None` for a PUSH_PROMISE) as a server
/// does; the refusal it earns, if any.
fn request_block(
    block: &CompletedBlock,
    role: Option<BlockRole>,
    refused: &HashSet<u32>,
    messages: &mut Checker,
    outcome: &mut Outcome,
) -> Option<Refusal> {
    let list = match &block.decoded {
        Ok(list) => list,
        Err(error) => {
            let hpack = HpackErrorReport::of(error);
            let (deviation, refusal) = if error.is_connection_error() {
                let refusal = Refusal::connection(
                    format!(
                        "header block cannot be decompressed: {} at byte {} of the block",
                        hpack.message, hpack.offset
                    ),
                    "compression",
                    block.offset,
                    ErrorCode::COMPRESSION_ERROR,
                );
                (Deviation::H2HpackInvalid, refusal)
            } else {
                let deviation = Deviation::H2HeaderListTooLarge;
                let refusal = Refusal::stream(
                    format!("{}: {}", rejected_message(deviation), hpack.message),
                    Some(deviation),
                    block.offset,
                    block.stream,
                    ErrorCode::PROTOCOL_ERROR,
                );
                (deviation, refusal)
            };
            outcome.anomalies.push(Anomaly {
                deviation,
                action: Action::Reject,
                side: Side::Client,
                offset: block.offset,
            });
            return Some(refusal);
        }
    };
    // A PUSH_PROMISE from a client was refused as a frame; a refused stream is gone.
    let role = role.filter(|_| !refused.contains(&block.stream))?;
    let mut fields: Vec<HeaderField> = list.iter().map(HeaderField::from).collect();
    let checked = messages.check_fields(
        &mut fields,
        role,
        block.stream,
        block.end_stream,
        block.offset,
    );
    outcome.anomalies.extend(messages.take_anomalies());
    checked
        .err()
        .map(|error| Refusal::of_error(&error, error.offset()))
}

/// The request block the synthetic client sends on each stream the origin answers: GET
/// https://example.com/ (static-table references and a literal never added to the table).
const REQUEST_BLOCK: &[u8] = b"\x82\x87\x84\x01\x0bexample.com";

/// An origin's bytes, through the repair shim.
///
/// The shim is first shown what `h2` would have sent: the preface, SETTINGS with push
/// disabled, and a GET for every odd stream the origin sends HEADERS on. Then the origin's
/// frames, one at a time; after each, what the shim hands to `h2` and what it writes to the
/// origin are read back and attributed to that frame.
fn origin(input: &[u8], split: &Split, policy: Arc<Policy>) -> Outcome {
    let mut shim = Shim::new(policy);
    let mut start = Script::new();
    start.preface().settings(&[(SettingId::ENABLE_PUSH, 0)]);
    let mut streams: Vec<u32> = split
        .frames
        .iter()
        .filter(|framed| framed.frame.kind() == FrameType::HEADERS)
        .map(|framed| framed.frame.stream())
        .filter(|stream| stream % 2 == 1)
        .collect();
    streams.sort_unstable();
    streams.dedup();
    for stream in streams {
        start.headers(
            stream,
            REQUEST_BLOCK,
            flags::END_HEADERS | flags::END_STREAM,
        );
    }
    shim.h2_bytes(&start.bytes());
    // The shim passes our own start on to the origin: not something it adds.
    let _ = shim.take_to_origin();

    let mut outcome = Outcome::new(split.preface_end);
    let mut to_h2 = Tap::new();
    let mut to_origin = Tap::new();
    to_h2.read(&shim.take_to_h2(), None);
    let mut blocks = Blocks::new();
    let mut roles = ResponseRoles::default();
    // The shim reads an origin's frames; a preface in the input is not given to it.
    let behind = split.preface_end;
    let mut ended = false;
    for framed in &split.frames {
        outcome.consumed = framed.end;
        let mut report = FrameReport::of(&framed.frame, framed.offset);
        shim.origin_bytes(split.bytes(input, framed));
        let found: Vec<Anomaly> = shim
            .take_anomalies()
            .into_iter()
            .map(|mut anomaly| {
                anomaly.offset += behind;
                anomaly
            })
            .collect();
        let sent = to_origin.read(&shim.take_to_origin(), Some(framed.offset));
        to_h2.read(&shim.take_to_h2(), Some(framed.offset));
        // A stream error is answered with RST_STREAM to the origin (and to h2); the rejected
        // anomaly of this frame says why.
        let reason = found
            .iter()
            .find(|anomaly| anomaly.action == Action::Reject)
            .copied();
        for reset in &to_origin.frames[sent] {
            let frame = &reset.frame;
            let PayloadReport::RstStream {
                error_code_value, ..
            } = frame.payload
            else {
                continue;
            };
            let code = ErrorCode(error_code_value);
            let (message, deviation, offset) = match reason {
                Some(anomaly) => (
                    rejected_message(anomaly.deviation),
                    Some(anomaly.deviation),
                    anomaly.offset,
                ),
                None => ("the shim reset the stream".to_owned(), None, framed.offset),
            };
            outcome.refusals.push(Refusal::stream(
                message,
                deviation,
                offset,
                frame.stream,
                code,
            ));
        }
        outcome.anomalies.extend(found);
        if let Some(block) = blocks.frame(&framed.frame, framed.offset) {
            report.header_block = Some(block.report(roles.role(&block)));
        }
        if let Some(error) = shim.error() {
            let mut refusal = Refusal::of_error(error, error.offset() + behind);
            // The shim says the block does not decompress; the block's report says why.
            let hpack = report
                .header_block
                .as_ref()
                .and_then(|block| block.error.as_ref());
            if let (ErrorKind::Compression, Some(hpack)) = (error.kind(), hpack) {
                refusal.message = format!(
                    "{}: {} at byte {} of the block",
                    refusal.message, hpack.message, hpack.offset
                );
            }
            outcome.refusals.push(refusal);
            outcome.frames.push(report);
            ended = true;
            break;
        }
        outcome.frames.push(report);
    }
    if !ended {
        if let Some(error) = &split.error {
            // The shim meets the same frame-layer error and answers it.
            let at = usize::try_from(error.offset).unwrap_or(usize::MAX);
            shim.origin_bytes(input.get(at..).unwrap_or_default());
            outcome.consumed = error.offset;
        } else {
            outcome.consumed = input.len() as u64;
        }
        shim.origin_closed();
        outcome
            .anomalies
            .extend(shim.take_anomalies().into_iter().map(|mut anomaly| {
                anomaly.offset += behind;
                anomaly
            }));
        to_origin.read(&shim.take_to_origin(), None);
        to_h2.read(&shim.take_to_h2(), None);
        if let Some(error) = shim.error() {
            // The shim names the frame layer's error only by its kind; the same error, met
            // here first, says more.
            let refusal = match error.kind() {
                ErrorKind::Frame(_) => end_of_input(input, split, &blocks),
                _ => None,
            };
            outcome
                .refusals
                .push(refusal.unwrap_or_else(|| Refusal::of_error(error, error.offset() + behind)));
        }
    }
    outcome.repaired = Some(to_h2.frames);
    outcome.sent_to_origin = Some(to_origin.frames);
    outcome
}

/// Roles of the header blocks an origin sends: the first final response on a stream, then
/// trailers; 1xx responses before it.
#[derive(Default)]
struct ResponseRoles {
    answered: HashSet<u32>,
}

impl ResponseRoles {
    fn role(&mut self, block: &CompletedBlock) -> &'static str {
        if block.promised.is_some() {
            "push_promise"
        } else if self.answered.contains(&block.stream) {
            "trailers"
        } else if block.status().is_some_and(|status| status < 200) {
            "informational"
        } else {
            self.answered.insert(block.stream);
            "response"
        }
    }
}

/// Reads back a byte stream the shim writes (toward `h2` or toward the origin), frame by frame.
struct Tap {
    decoder: FrameDecoder,
    buf: BytesMut,
    blocks: Blocks,
    roles: ResponseRoles,
    frames: Vec<ForwardedFrame>,
}

impl Tap {
    fn new() -> Tap {
        let mut decoder = FrameDecoder::new(Preface::None);
        // What the shim writes is framed correctly; a size limit would only hide frames.
        decoder.set_max_frame_size(MAX_MAX_FRAME_SIZE);
        Tap {
            decoder,
            buf: BytesMut::new(),
            blocks: Blocks::new(),
            roles: ResponseRoles::default(),
            frames: Vec::new(),
        }
    }

    /// Decodes the frames in `bytes`, attributed to the input frame at `from`; the range of
    /// `frames` they were added at.
    fn read(&mut self, bytes: &[u8], from: Option<u64>) -> std::ops::Range<usize> {
        let start = self.frames.len();
        self.buf.extend_from_slice(bytes);
        while let Ok(Some(frame)) = self.decoder.decode(&mut self.buf) {
            let end = self.decoder.offset();
            let offset = end - HEADER_LEN as u64 - u64::from(frame.header.length);
            let mut report = FrameReport::of(&frame, offset);
            if let Some(block) = self.blocks.frame(&frame, offset) {
                report.header_block = Some(block.report(self.roles.role(&block)));
            }
            self.frames.push(ForwardedFrame {
                from_offset: from,
                frame: report,
            });
        }
        start..self.frames.len()
    }
}
