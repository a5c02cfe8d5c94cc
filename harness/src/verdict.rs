//! Classing what happened in one case: the harness's own unsafe checks first, then the case's
//! expectations (docs/cases.md, "Classes"). Pure: the runner gathers an [`Observation`], this
//! module only reads it.

use std::sync::Arc;

use bytes::BytesMut;
use tollgate_codecs::h1::{
    ErrorKind as H1ErrorKind, RequestDecoder, RequestEvent, RequestMethod, ResponseDecoder,
    ResponseEvent,
};
use tollgate_codecs::{Policy, Preset, Side};
use tollgate_reports::Class;

use crate::case::{Case, Outcome};
use crate::origin::Record;

/// The client's final response, as parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Fields in order; names lowercase.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body as received (de-chunked).
    pub body: Vec<u8>,
    /// Whether the body ended as its framing says (not cut short by a close or reset).
    pub complete: bool,
}

/// How the follow-up request fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUp {
    /// Not sent: the case turns it off, or the connection was closed.
    NotSent,
    /// Sent, and the clean answer came back.
    Clean,
    /// Sent, and an answer that is not the clean one and not the subject's own error came
    /// back: the answer of another request.
    Wrong(String),
    /// Sent, and the subject answered it with an error of its own (5xx): not desync.
    Refused(u16),
    /// Bytes of another answer arrived before the follow-up was sent.
    Early,
}

/// Everything observed in one run of a case against one subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The client's final response, if one came.
    pub response: Option<Response>,
    /// Every byte the client received over HTTP/1 (empty over HTTP/2).
    pub client_received: Vec<u8>,
    /// The methods of the requests the client sent, in order, the follow-up's included (to read
    /// the responses, and to count the requests an origin should see).
    pub client_methods: Vec<String>,
    /// The client connection was closed after the response.
    pub closed: bool,
    /// The stream was reset (HTTP/2).
    pub reset: bool,
    /// The follow-up's fate.
    pub follow_up: FollowUp,
    /// What the origin received.
    pub origin: Record,
    /// Whether the origin spoke HTTP/2 (its bytes are frames, not HTTP/1 requests).
    pub origin_h2: bool,
    /// Deviation ids the subject recorded (tollgate only).
    pub anomalies: Vec<String>,
    /// Why the case could not complete: a timeout, an unreachable subject, a response that is
    /// not HTTP.
    pub failure: Option<String>,
    /// Why the case was not played (the harness cannot send its request yet).
    pub skipped: Option<String>,
}

/// The class of one case against one subject, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The class.
    pub class: Class,
    /// Why, in words.
    pub reason: String,
    /// The expectation that held: its index in `any_of` (or `deviant`) and its text.
    pub matched: Option<(u32, String)>,
}

impl Verdict {
    fn new(class: Class, reason: impl Into<String>) -> Verdict {
        Verdict {
            class,
            reason: reason.into(),
            matched: None,
        }
    }
}

/// Classes `seen` for `case`. `tollgate` says whether the subject is tollgate, whose
/// anomalies `anomaly` conditions can check (they hold for any other subject).
pub fn judge(case: &Case, seen: &Observation, tollgate: bool) -> Verdict {
    if let Some(reason) = &seen.skipped {
        return Verdict::new(Class::Skipped, reason.clone());
    }
    if let Some(failure) = &seen.failure {
        return Verdict::new(Class::Failure, failure.clone());
    }
    if let Some(reason) = unsafe_by_itself(seen) {
        return Verdict::new(Class::Unsafe, reason);
    }
    for (index, outcome) in case.expect.unsafe_if.iter().enumerate() {
        if holds(outcome, seen, tollgate).is_ok() {
            return Verdict {
                matched: Some((index_u32(index), describe(outcome))),
                ..Verdict::new(Class::Unsafe, format!("unsafe_if[{index}] holds"))
            };
        }
    }
    let mut misses = Vec::new();
    for (index, outcome) in case.expect.any_of.iter().enumerate() {
        match holds(outcome, seen, tollgate) {
            Ok(()) => {
                return Verdict {
                    matched: Some((index_u32(index), describe(outcome))),
                    ..Verdict::new(Class::Conformant, format!("any_of[{index}] holds"))
                };
            }
            Err(miss) => misses.push(format!("any_of[{index}]: {miss}")),
        }
    }
    for (index, outcome) in case.expect.deviant.iter().enumerate() {
        if holds(outcome, seen, tollgate).is_ok() {
            return Verdict {
                matched: Some((index_u32(index), describe(outcome))),
                ..Verdict::new(Class::Deviant, format!("deviant[{index}] holds"))
            };
        }
    }
    Verdict::new(
        Class::Deviant,
        format!(
            "safe, but no expected outcome holds ({})",
            misses.join("; ")
        ),
    )
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// The harness's own checks, whatever the case expects.
fn unsafe_by_itself(seen: &Observation) -> Option<String> {
    if let Some(response) = &seen.response {
        let has = |name: &str| response.headers.iter().any(|(field, _)| field == name);
        if has("content-length") && has("transfer-encoding") {
            return Some("the response carries both Content-Length and Transfer-Encoding".into());
        }
        let mut lengths = response
            .headers
            .iter()
            .filter(|(field, _)| field == "content-length")
            .map(|(_, value)| value);
        if let Some(first) = lengths.next()
            && lengths.any(|other| other != first)
        {
            return Some("the response carries two different Content-Lengths".into());
        }
    }
    if !seen.client_received.is_empty()
        && let Some(refusal) = refused_responses(&seen.client_received, &seen.client_methods)
    {
        return Some(format!("what the client received is ambiguous: {refusal}"));
    }
    match &seen.follow_up {
        FollowUp::Wrong(what) => return Some(format!("desync: the follow-up got {what}")),
        FollowUp::Early => {
            return Some("desync: another answer arrived before the follow-up was sent".into());
        }
        FollowUp::NotSent | FollowUp::Clean | FollowUp::Refused(_) => {}
    }
    for (index, bytes) in seen.origin.connections.iter().enumerate() {
        if seen.origin_h2 {
            break;
        }
        if let Some(refusal) = refused_requests(bytes) {
            return Some(format!(
                "what reached the origin (connection {index}) is ambiguous: {refusal}"
            ));
        }
    }
    let expected =
        seen.client_methods.len().max(1) + usize::from(seen.follow_up == FollowUp::Clean);
    if seen.origin.requests > expected {
        return Some(format!(
            "the origin received {} requests where the client sent {expected}: a smuggled request",
            seen.origin.requests
        ));
    }
    None
}

/// Deviations that make a message read differently by different parsers (framing, field
/// boundaries, look-alikes). A correct proxy never sends one on, whatever it accepted: met in
/// what a client or an origin received from the subject, they are unsafe.
const AMBIGUOUS: &[&str] = &[
    "h1.request.cl-te-conflict",
    "h1.response.cl-te-conflict",
    "h1.response.invalid-content-length",
    "h1.content-length-leading-zeros",
    "h1.te-not-chunked-last",
    "h1.te-identity",
    "h1.te-unknown-coding",
    "h1.duplicate-chunked",
    "h1.te-in-http10",
    "h1.te-invalid-syntax",
    "h1.chunk-size-overflow",
    "h1.chunk-missing-crlf",
    "h1.chunked-bare-lf",
    "h1.chunk-size-trailing-whitespace",
    "h1.bare-lf",
    "h1.bare-cr",
    "h1.obs-fold",
    "h1.space-before-colon",
    "h1.whitespace-before-first-header",
    "h1.missing-colon",
    "h1.nul-in-header",
    "h1.connection-lists-framing-header",
    "h1.response.extra-bytes-after-body",
];

/// Deviations that are ambiguous in requests only: origins route on Host, and CGI-style
/// back ends fold `_` into `-`; clients do neither with responses.
const AMBIGUOUS_IN_REQUESTS: &[&str] = &[
    "h1.multiple-host",
    "h1.request.absolute-form-host-mismatch",
    "h1.framing-header-lookalike",
    "h1.request.data-after-close",
];

fn ambiguous_anomaly(anomalies: &[tollgate_codecs::Anomaly]) -> Option<String> {
    anomalies
        .iter()
        .find(|anomaly| {
            AMBIGUOUS.contains(&anomaly.id())
                || (anomaly.side == Side::Client && AMBIGUOUS_IN_REQUESTS.contains(&anomaly.id()))
        })
        .map(|anomaly| format!("{} at byte {}", anomaly.id(), anomaly.offset))
}

/// Whether a client's received bytes hold an ambiguous response: one tollgate's default
/// origin policy refuses, or one that commits an [`AMBIGUOUS`] deviation. Bytes cut short
/// are not ambiguous (the subject closed).
fn refused_responses(bytes: &[u8], methods: &[String]) -> Option<String> {
    let mut decoder = ResponseDecoder::new(Arc::new(Policy::preset(Preset::Default)), Side::Origin);
    for method in methods {
        decoder.expect_response(RequestMethod::of(method.as_bytes()));
    }
    let mut buf = BytesMut::from(bytes);
    loop {
        match decoder.decode_eof(&mut buf) {
            Ok(Some(ResponseEvent::End)) if decoder.pending() == 0 => break,
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) if ambiguous(&error) => return Some(error.to_string()),
            Err(_) => break,
        }
    }
    ambiguous_anomaly(decoder.anomalies())
}

/// Whether what an origin received holds an ambiguous request: one tollgate's default client
/// policy (strict on anything that smuggles) refuses, or one that commits an [`AMBIGUOUS`]
/// deviation.
fn refused_requests(bytes: &[u8]) -> Option<String> {
    let mut decoder = RequestDecoder::new(Arc::new(Policy::preset(Preset::Default)), Side::Client);
    let mut buf = BytesMut::from(bytes);
    loop {
        match decoder.decode_eof(&mut buf) {
            Ok(Some(RequestEvent::End)) if decoder.is_paused() => decoder.resume(),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) if ambiguous(&error) => return Some(error.to_string()),
            Err(_) => break,
        }
    }
    ambiguous_anomaly(decoder.anomalies())
}

/// Errors that mean the message's framing or fields are ambiguous, not merely cut short,
/// odd or over a limit.
fn ambiguous(error: &tollgate_codecs::h1::Error) -> bool {
    match error.kind() {
        H1ErrorKind::Rejected(deviation) => {
            AMBIGUOUS.contains(&deviation.id())
                || (error.side() == Side::Client && AMBIGUOUS_IN_REQUESTS.contains(&deviation.id()))
        }
        H1ErrorKind::InvalidContentLength
        | H1ErrorKind::InvalidChunkSize
        | H1ErrorKind::InvalidChunkedFraming => true,
        _ => false,
    }
}

/// Whether every condition of `outcome` holds; the first that does not, otherwise.
pub fn holds(outcome: &Outcome, seen: &Observation, tollgate: bool) -> Result<(), String> {
    let response = seen.response.as_ref();
    let status = response.map(|response| response.status);
    if let Some(want) = outcome.status
        && status != Some(want)
    {
        return Err(format!(
            "status {want} wanted, got {}",
            shown_status(status)
        ));
    }
    if !outcome.status_in.is_empty() && !status.is_some_and(|s| outcome.status_in.contains(&s)) {
        return Err(format!(
            "status in {:?} wanted, got {}",
            outcome.status_in,
            shown_status(status)
        ));
    }
    let body = response.map_or(&[][..], |response| &response.body[..]);
    // A body cut short is visibly incomplete to the client: it matches no `body`.
    if let Some(want) = &outcome.body
        && (!response.is_some_and(|response| response.complete) || body != &want[..])
    {
        return Err("the body differs (or is incomplete)".into());
    }
    if let Some(want) = &outcome.body_contains
        && !contains(body, want)
    {
        return Err("the body lacks the expected text".into());
    }
    for (name, value) in &outcome.header {
        let found = response.is_some_and(|response| {
            response
                .headers
                .iter()
                .any(|(field, got)| field.eq_ignore_ascii_case(name) && got == value.as_bytes())
        });
        if !found {
            return Err(format!("no field {name}: {value}"));
        }
    }
    for name in &outcome.header_absent {
        if response.is_some_and(|response| {
            response
                .headers
                .iter()
                .any(|(field, _)| field.eq_ignore_ascii_case(name))
        }) {
            return Err(format!("field {name} present"));
        }
    }
    if let Some(want) = outcome.no_response
        && want != response.is_none()
    {
        return Err(if want {
            "a response came".into()
        } else {
            "no response came".into()
        });
    }
    if let Some(want) = outcome.closed
        && want != seen.closed
    {
        return Err(format!("connection closed: {} wanted", want));
    }
    if let Some(want) = outcome.reset
        && want != seen.reset
    {
        return Err(format!("stream reset: {} wanted", want));
    }
    if let Some(id) = &outcome.anomaly
        && tollgate
        && !seen.anomalies.iter().any(|seen| seen == id)
    {
        return Err(format!("anomaly {id} not recorded"));
    }
    if let Some(want) = outcome.origin_requests {
        let got = seen
            .origin
            .requests
            .saturating_sub(usize::from(seen.follow_up == FollowUp::Clean));
        if usize::try_from(want).ok() != Some(got) {
            return Err(format!("{want} requests at the origin wanted, got {got}"));
        }
    }
    let received = seen.origin.connections.concat();
    if let Some(want) = &outcome.origin_received_contains
        && !contains(&received, want)
    {
        return Err("the origin did not receive the expected bytes".into());
    }
    if let Some(want) = &outcome.origin_received_absent
        && contains(&received, want)
    {
        return Err("the origin received bytes it should not have".into());
    }
    Ok(())
}

fn shown_status(status: Option<u16>) -> String {
    status.map_or_else(|| "no response".to_owned(), |status| status.to_string())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// A short text for an outcome, for reports.
pub fn describe(outcome: &Outcome) -> String {
    let mut parts = Vec::new();
    if let Some(status) = outcome.status {
        parts.push(format!("status {status}"));
    }
    if !outcome.status_in.is_empty() {
        parts.push(format!("status in {:?}", outcome.status_in));
    }
    if let Some(body) = &outcome.body {
        parts.push(format!("body {:?}", String::from_utf8_lossy(body)));
    }
    if let Some(text) = &outcome.body_contains {
        parts.push(format!("body contains {:?}", String::from_utf8_lossy(text)));
    }
    for (name, value) in &outcome.header {
        parts.push(format!("{name}: {value}"));
    }
    for name in &outcome.header_absent {
        parts.push(format!("no {name}"));
    }
    if let Some(value) = outcome.no_response {
        parts.push(format!("no_response {value}"));
    }
    if let Some(value) = outcome.closed {
        parts.push(format!("closed {value}"));
    }
    if let Some(value) = outcome.reset {
        parts.push(format!("reset {value}"));
    }
    if let Some(id) = &outcome.anomaly {
        parts.push(format!("anomaly {id}"));
    }
    if let Some(count) = outcome.origin_requests {
        parts.push(format!("{count} requests at the origin"));
    }
    if let Some(text) = &outcome.origin_received_contains {
        parts.push(format!(
            "origin received {:?}",
            String::from_utf8_lossy(text)
        ));
    }
    if let Some(text) = &outcome.origin_received_absent {
        parts.push(format!(
            "origin did not receive {:?}",
            String::from_utf8_lossy(text)
        ));
    }
    parts.join(", ")
}
