//! Reading cases: one file ([`parse`], [`load_file`]) or a corpus directory ([`load_dir`]).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::raw::{
    Flags, NameOrNumber, RawCase, RawClient, RawFrame, RawOrigin, RawOutcome, RawStep,
};
use super::{
    Case, CaseError, CaseErrorKind, Client, ClientRequest, DEFAULT_TIMEOUT, Expect, FramePayload,
    FrameStep, Kind, MAX_TIMEOUT, Origin, Outcome, Protocol, Step,
};

/// Every case found under a directory, and the files that did not load.
#[derive(Debug, Default)]
pub struct Corpus {
    /// The cases, ordered by id.
    pub cases: Vec<Case>,
    /// One error per file that did not load, and per duplicate id.
    pub errors: Vec<CaseError>,
}

impl Corpus {
    /// How many cases of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.cases.iter().filter(|case| case.kind == kind).count()
    }
}

/// Loads every `*.toml` file under `dir`, recursively, in path order.
///
/// # Errors
///
/// [`CaseErrorKind::Io`] when `dir` or a directory under it cannot be listed; a file that
/// does not load is recorded in [`Corpus::errors`] and the others still load.
pub fn load_dir(dir: &Path) -> Result<Corpus, CaseError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut corpus = Corpus::default();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        match load_file(&file) {
            Ok(case) => {
                if let Some(first) = seen.get(&case.id) {
                    corpus.errors.push(CaseError::new(
                        CaseErrorKind::Duplicate,
                        &file,
                        None,
                        format!("id {:?} is also the id of {}", case.id, first.display()),
                    ));
                } else {
                    seen.insert(case.id.clone(), file.clone());
                    corpus.cases.push(case);
                }
            }
            Err(error) => corpus.errors.push(error),
        }
    }
    corpus.cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(corpus)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), CaseError> {
    let io = |error: std::io::Error| {
        CaseError::new(
            CaseErrorKind::Io,
            dir,
            None,
            format!("cannot list: {error}"),
        )
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// Loads one case file.
///
/// # Errors
///
/// A [`CaseError`] naming the file and, where it has one, the line and column.
pub fn load_file(path: &Path) -> Result<Case, CaseError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CaseError::new(
            CaseErrorKind::Io,
            path,
            None,
            format!("cannot read: {error}"),
        )
    })?;
    parse(&text, path)
}

/// Parses a case; `file` names it in errors, and its stem must be the id's last part.
///
/// # Errors
///
/// A [`CaseError`] for TOML that does not parse, keys the format does not have, and values it
/// refuses, with the line and column of the offending value.
pub fn parse(text: &str, file: &Path) -> Result<Case, CaseError> {
    let at = Place { text, file };
    let raw: RawCase = toml::from_str(text).map_err(|error| {
        let kind = if error.message().contains("unknown field")
            || error.message().contains("missing field")
            || error.message().contains("invalid type")
        {
            CaseErrorKind::Schema
        } else {
            CaseErrorKind::Syntax
        };
        let place = error.span().map(|span| line_column(text, span.start));
        CaseError::new(kind, file, place, error.message().trim().to_owned())
    })?;
    let kind = id_kind(&at, &raw.id)?;
    let title = raw.title.get_ref().trim();
    if title.is_empty() || title.contains('\n') {
        return Err(at.invalid(raw.title.span(), "title must be one non-empty line"));
    }
    if raw.tags.get_ref().is_empty() {
        return Err(at.invalid(raw.tags.span(), "at least one tag is needed"));
    }
    let mut tags = Vec::new();
    for tag in raw.tags.get_ref() {
        let ok = !tag.get_ref().is_empty()
            && tag
                .get_ref()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(at.invalid(tag.span(), "a tag is lowercase letters, digits and '-'"));
        }
        tags.push(tag.get_ref().clone());
    }
    let timeout = match &raw.timeout_ms {
        None => DEFAULT_TIMEOUT,
        Some(ms) => {
            let timeout = Duration::from_millis(*ms.get_ref());
            if timeout.is_zero() || timeout > MAX_TIMEOUT {
                return Err(at.invalid(
                    ms.span(),
                    format!("timeout_ms must be 1 to {}", MAX_TIMEOUT.as_millis()),
                ));
            }
            timeout
        }
    };
    let client = client(&at, &raw.client)?;
    let origin = origin(&at, &raw.origin)?;
    let expect = Expect {
        any_of: outcomes(&at, &raw.expect.get_ref().any_of)?,
        deviant: outcomes(&at, &raw.expect.get_ref().deviant)?,
        unsafe_if: outcomes(&at, &raw.expect.get_ref().unsafe_if)?,
    };
    if expect.any_of.is_empty() {
        return Err(at.invalid(
            raw.expect.span(),
            "expect.any_of needs at least one outcome: what the case prefers",
        ));
    }
    Ok(Case {
        id: raw.id.into_inner(),
        title: title.to_owned(),
        tags,
        refs: raw.refs,
        timeout,
        kind,
        client,
        origin,
        expect,
        file: file.to_path_buf(),
    })
}

/// The text and file a case is read from, for errors that point into it.
struct Place<'a> {
    text: &'a str,
    file: &'a Path,
}

impl Place<'_> {
    fn invalid(&self, span: Range<usize>, message: impl Into<String>) -> CaseError {
        CaseError::new(
            CaseErrorKind::Invalid,
            self.file,
            Some(line_column(self.text, span.start)),
            message,
        )
    }
}

fn id_kind(at: &Place<'_>, id: &Spanned<String>) -> Result<Kind, CaseError> {
    let value = id.get_ref();
    let parts_ok = value.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    if !parts_ok {
        return Err(at.invalid(
            id.span(),
            format!(
                "id {value:?}: parts separated by '.', each lowercase letters, digits, '-' and '_'"
            ),
        ));
    }
    let kind = match value.split('.').next() {
        Some("origin") => Kind::Origin,
        Some("smuggling") => Kind::Smuggling,
        _ => {
            return Err(at.invalid(
                id.span(),
                format!("id {value:?} must start with \"origin.\" or \"smuggling.\""),
            ));
        }
    };
    if !value.contains('.') {
        return Err(at.invalid(
            id.span(),
            format!("id {value:?} names no case after its corpus"),
        ));
    }
    let last = value.rsplit('.').next().unwrap_or_default();
    let stem = at.file.file_stem().and_then(|stem| stem.to_str());
    if stem != Some(last) {
        return Err(at.invalid(
            id.span(),
            format!("id {value:?} ends in {last:?}: the file must be named {last}.toml"),
        ));
    }
    Ok(kind)
}

fn protocol(at: &Place<'_>, value: Option<&Spanned<String>>) -> Result<Protocol, CaseError> {
    match value.map(|value| (value.get_ref().as_str(), value.span())) {
        None | Some(("h1", _)) => Ok(Protocol::H1),
        Some(("h2", _)) => Ok(Protocol::H2),
        Some((other, span)) => Err(at.invalid(
            span,
            format!("protocol {other:?}: expected \"h1\" or \"h2\""),
        )),
    }
}

fn client(at: &Place<'_>, raw: &Spanned<RawClient>) -> Result<Client, CaseError> {
    let span = raw.span();
    let raw = raw.get_ref();
    let protocol = protocol(at, raw.protocol.as_ref())?;
    let request = match (&raw.request, &raw.raw, &raw.raw_hex) {
        (Some(request), None, None) => {
            let span = request.span();
            let request = request.get_ref();
            let body = match (&request.body, &request.body_hex) {
                (Some(_), Some(_)) => {
                    return Err(at.invalid(span, "give body or body_hex, not both"));
                }
                (Some(text), None) => text.as_bytes().to_vec(),
                (None, Some(hex)) => from_hex(hex.get_ref())
                    .map_err(|why| at.invalid(hex.span(), format!("body_hex: {why}")))?,
                (None, None) => Vec::new(),
            };
            ClientRequest::Structured {
                method: request.method.clone(),
                path: request.path.clone(),
                headers: request.headers.clone(),
                body,
            }
        }
        (None, Some(text), None) => ClientRequest::Raw(text.as_bytes().to_vec()),
        (None, None, Some(hex)) => ClientRequest::Raw(
            from_hex(hex.get_ref())
                .map_err(|why| at.invalid(hex.span(), format!("raw_hex: {why}")))?,
        ),
        _ => {
            return Err(at.invalid(
                span,
                "[client] needs exactly one of request, raw and raw_hex",
            ));
        }
    };
    if protocol == Protocol::H2 && matches!(request, ClientRequest::Raw(_)) {
        return Err(at.invalid(
            span,
            "raw bytes are for HTTP/1 clients; an HTTP/2 client sends a structured request",
        ));
    }
    Ok(Client {
        protocol,
        tls: raw.tls,
        request,
        follow_up: raw.follow_up.unwrap_or(true),
    })
}

fn origin(at: &Place<'_>, raw: &Spanned<RawOrigin>) -> Result<Origin, CaseError> {
    let span = raw.span();
    let raw = raw.get_ref();
    let protocol = protocol(at, raw.protocol.as_ref())?;
    if raw.script.is_empty() {
        return Err(at.invalid(span, "origin.script needs at least one step"));
    }
    let mut script = Vec::new();
    for step in &raw.script {
        script.push(step_of(at, step, protocol)?);
    }
    Ok(Origin {
        protocol,
        tls: raw.tls,
        script,
    })
}

fn step_of(at: &Place<'_>, raw: &Spanned<RawStep>, protocol: Protocol) -> Result<Step, CaseError> {
    let span = raw.span();
    let step = raw.get_ref();
    let actions = [
        step.expect.is_some(),
        step.send.is_some(),
        step.send_hex.is_some(),
        step.frame.is_some(),
        step.sleep_ms.is_some(),
        step.shutdown_write.is_some(),
        step.close.is_some(),
        step.reset.is_some(),
    ];
    if actions.iter().filter(|action| **action).count() != 1 {
        return Err(at.invalid(
            span.clone(),
            "a step has exactly one of expect, send, send_hex, frame, sleep_ms, shutdown_write, close, reset",
        ));
    }
    if step.count.is_some() && step.expect.as_deref() != Some("bytes") {
        return Err(at.invalid(span, "count goes with expect = \"bytes\" only"));
    }
    let flag = |value: bool, name: &str| {
        if value {
            Ok(())
        } else {
            Err(at.invalid(
                span.clone(),
                format!("{name} = false does nothing: write {name} = true or leave the step out"),
            ))
        }
    };
    Ok(if let Some(expect) = &step.expect {
        match (expect.as_str(), step.count) {
            ("request", _) => Step::ExpectRequest,
            ("bytes", Some(count)) if count > 0 => {
                Step::ExpectBytes(usize::try_from(count).unwrap_or(usize::MAX))
            }
            ("bytes", _) => {
                return Err(at.invalid(span, "expect = \"bytes\" needs count = N (N > 0)"));
            }
            (other, _) => {
                return Err(at.invalid(
                    span,
                    format!("expect = {other:?}: expected \"request\" or \"bytes\""),
                ));
            }
        }
    } else if let Some(text) = &step.send {
        Step::Send(text.as_bytes().to_vec())
    } else if let Some(hex) = &step.send_hex {
        Step::Send(from_hex(hex).map_err(|why| at.invalid(span, format!("send_hex: {why}")))?)
    } else if let Some(frame) = &step.frame {
        if protocol != Protocol::H2 {
            return Err(at.invalid(
                span,
                "frame steps are for HTTP/2 origins (protocol = \"h2\")",
            ));
        }
        Step::Frame(frame_of(at, span, frame)?)
    } else if let Some(ms) = step.sleep_ms {
        let pause = Duration::from_millis(ms);
        if pause > MAX_TIMEOUT {
            return Err(at.invalid(span, "sleep_ms is longer than any case may run"));
        }
        Step::Sleep(pause)
    } else if let Some(value) = step.shutdown_write {
        flag(value, "shutdown_write")?;
        Step::ShutdownWrite
    } else if let Some(value) = step.close {
        flag(value, "close")?;
        Step::Close
    } else {
        flag(step.reset.unwrap_or(false), "reset")?;
        Step::Reset
    })
}

/// RFC 9113 §6 frame types by name.
const FRAME_TYPES: [(&str, u8); 10] = [
    ("DATA", 0x0),
    ("HEADERS", 0x1),
    ("PRIORITY", 0x2),
    ("RST_STREAM", 0x3),
    ("SETTINGS", 0x4),
    ("PUSH_PROMISE", 0x5),
    ("PING", 0x6),
    ("GOAWAY", 0x7),
    ("WINDOW_UPDATE", 0x8),
    ("CONTINUATION", 0x9),
];

/// RFC 9113 flag names (END_STREAM and ACK share a bit, on different frames).
const FLAGS: [(&str, u8); 5] = [
    ("END_STREAM", 0x1),
    ("ACK", 0x1),
    ("END_HEADERS", 0x4),
    ("PADDED", 0x8),
    ("PRIORITY", 0x20),
];

fn frame_of(at: &Place<'_>, span: Range<usize>, frame: &RawFrame) -> Result<FrameStep, CaseError> {
    let kind = match &frame.kind {
        NameOrNumber::Number(number) => *number,
        NameOrNumber::Name(name) => FRAME_TYPES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, code)| *code)
            .ok_or_else(|| at.invalid(span.clone(), format!("frame type {name:?} is not a frame type of RFC 9113 (give a number for others)")))?,
    };
    let flags = match &frame.flags {
        None => 0,
        Some(Flags::Bits(bits)) => *bits,
        Some(Flags::Names(names)) => {
            let mut bits = 0;
            for name in names {
                let bit = FLAGS
                    .iter()
                    .find(|(known, _)| known.eq_ignore_ascii_case(name))
                    .map(|(_, bit)| *bit)
                    .ok_or_else(|| at.invalid(span.clone(), format!("flag {name:?}: expected END_STREAM, ACK, END_HEADERS, PADDED or PRIORITY, or give the flags as a number")))?;
                bits |= bit;
            }
            bits
        }
    };
    let payload = match (&frame.headers, &frame.data, &frame.payload_hex) {
        (None, None, None) => FramePayload::Empty,
        (Some(headers), None, None) => FramePayload::Headers(headers.clone()),
        (None, Some(data), None) => FramePayload::Bytes(data.as_bytes().to_vec()),
        (None, None, Some(hex)) => FramePayload::Bytes(
            from_hex(hex).map_err(|why| at.invalid(span.clone(), format!("payload_hex: {why}")))?,
        ),
        _ => {
            return Err(at.invalid(
                span,
                "a frame has at most one of headers, data and payload_hex",
            ));
        }
    };
    Ok(FrameStep {
        kind,
        stream: frame.stream,
        flags,
        payload,
        length: frame.length,
    })
}

fn outcomes(at: &Place<'_>, raw: &[Spanned<RawOutcome>]) -> Result<Vec<Outcome>, CaseError> {
    raw.iter().map(|outcome| outcome_of(at, outcome)).collect()
}

fn outcome_of(at: &Place<'_>, raw: &Spanned<RawOutcome>) -> Result<Outcome, CaseError> {
    let span = raw.span();
    let raw = raw.get_ref();
    let body = match (&raw.body, &raw.body_hex) {
        (Some(_), Some(_)) => return Err(at.invalid(span, "give body or body_hex, not both")),
        (Some(text), None) => Some(text.as_bytes().to_vec()),
        (None, Some(hex)) => Some(
            from_hex(hex).map_err(|why| at.invalid(span.clone(), format!("body_hex: {why}")))?,
        ),
        (None, None) => None,
    };
    for status in raw.status.iter().chain(&raw.status_in) {
        if !(100..=999).contains(status) {
            return Err(at.invalid(span, format!("status {status} is not a three-digit status")));
        }
    }
    let outcome = Outcome {
        status: raw.status,
        status_in: raw.status_in.clone(),
        body,
        body_contains: raw
            .body_contains
            .as_ref()
            .map(|text| text.as_bytes().to_vec()),
        header: raw.header.clone(),
        header_absent: raw.header_absent.clone(),
        no_response: raw.no_response,
        closed: raw.closed,
        reset: raw.reset,
        anomaly: raw.anomaly.clone(),
        origin_requests: raw.origin_requests,
        origin_received_contains: raw
            .origin_received_contains
            .as_ref()
            .map(|text| text.as_bytes().to_vec()),
        origin_received_absent: raw
            .origin_received_absent
            .as_ref()
            .map(|text| text.as_bytes().to_vec()),
    };
    if outcome == Outcome::default() {
        return Err(at.invalid(
            span,
            "an outcome with no condition holds always: say what must hold",
        ));
    }
    Ok(outcome)
}

/// Bytes from hex: two digits per byte, spaces between bytes allowed.
fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err("an odd number of hex digits".to_owned());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let hex = std::str::from_utf8(pair).map_err(|_| "not hex".to_owned())?;
            u8::from_str_radix(hex, 16).map_err(|_| format!("{hex:?} is not a hex byte"))
        })
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}
