//! `tollgate inspect`: decodes a whole input with the codec's collectors and builds the report.

use std::process::ExitCode;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use tollgate_codecs::h1::{
    Answering, BodyFraming, Collected, Error, Fields, Message, Phase, Request, RequestMethod,
    Response, ResponseHead, WireAnswer, collect_requests, collect_responses,
};
use tollgate_codecs::{Anomaly, Policy, Side};

use crate::cli::escape::escape;
use crate::cli::failure::Failure;
use crate::cli::input::Source;
use crate::cli::output;
use crate::cli::policy_source::PolicyName;
use crate::cli::report::{
    AnomalyReport, Body, FieldReport, Framing, HeadReport, InterimReport, MessageReport, Report,
    SCHEMA, Span, Verdict,
};

/// Which messages the input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Requests,
    Responses,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Requests => "h1-request",
            Kind::Responses => "h1-response",
        }
    }
}

/// Everything one `inspect` run needs, once the arguments are checked.
pub(crate) struct Inspection {
    pub(crate) kind: Kind,
    pub(crate) side: Side,
    pub(crate) source: Source,
    pub(crate) escaped: bool,
    pub(crate) json: bool,
    pub(crate) policy: Policy,
    pub(crate) policy_name: PolicyName,
    /// `--request-method` values; empty means every response answers a GET.
    pub(crate) request_methods: Vec<String>,
}

impl Inspection {
    pub(crate) fn run(self) -> Result<ExitCode, Failure> {
        let input = self.source.read(self.escaped)?;
        let json = self.json;
        let report = self.report(&input);
        let text = if json {
            output::json(&report)?
        } else {
            output::text(&report)
        };
        output::emit(&text)?;
        Ok(ExitCode::from(report.verdict.exit_code()))
    }

    fn report(self, input: &[u8]) -> Report {
        let policy = Arc::new(self.policy);
        let (messages, tail): (Vec<MessageReport>, Tail) = match self.kind {
            Kind::Requests => {
                let collected = collect_requests(input, policy, self.side, &[]);
                let messages = collected.messages.iter().map(request_message).collect();
                (messages, Tail::of(&collected))
            }
            Kind::Responses => {
                let answering = if self.request_methods.is_empty() {
                    Answering::Every(RequestMethod::Other)
                } else {
                    Answering::Listed(
                        self.request_methods
                            .iter()
                            .map(|method| RequestMethod::of(method.as_bytes()))
                            .collect(),
                    )
                };
                let collected = collect_responses(input, policy, self.side, &answering, &[]);
                let messages = collected.messages.iter().map(response_message).collect();
                (messages, Tail::of(&collected))
            }
        };
        let verdict = verdict(tail.error, messages.len());
        Report {
            schema: SCHEMA,
            kind: self.kind.as_str(),
            side: self.side.as_str(),
            policy: self.policy_name,
            request_methods: match self.kind {
                Kind::Responses if !self.request_methods.is_empty() => Some(self.request_methods),
                _ => None,
            },
            input_length: input.len() as u64,
            consumed: tail.consumed,
            messages,
            trailing_anomalies: tail.anomalies,
            awaiting_upgrade: tail.awaiting_upgrade,
            unanswered_interim: tail.unanswered_interim,
            verdict,
        }
    }
}

/// What a collection says beyond its messages.
struct Tail {
    error: Option<Error>,
    anomalies: Vec<AnomalyReport>,
    consumed: u64,
    awaiting_upgrade: bool,
    unanswered_interim: Vec<InterimReport>,
}

impl Tail {
    fn of<M>(collected: &Collected<M>) -> Tail {
        Tail {
            error: collected.error,
            anomalies: anomalies(&collected.trailing_anomalies),
            consumed: collected.consumed,
            awaiting_upgrade: collected.awaiting_upgrade,
            unanswered_interim: collected.unanswered_interim.iter().map(interim).collect(),
        }
    }
}

fn request_message(message: &Message<Request>) -> MessageReport {
    let request = &message.message;
    let head = &request.head;
    let start_line = format!(
        "{} {} {}",
        escape(head.method()),
        escape(head.target()),
        head.version().as_str()
    );
    let kind = HeadReport::Request {
        method: escape(head.method()),
        target: escape(head.target()),
        target_form: head.target_form().as_str(),
        expects_continue: request.expects_continue,
        offers_upgrade: request.offers_upgrade,
    };
    common(
        message,
        start_line,
        kind,
        head.version().as_str(),
        head.fields(),
        request.body,
        request.persistence.as_str(),
    )
}

fn response_message(message: &Message<Response>) -> MessageReport {
    let response = &message.message;
    let head = &response.head;
    let kind = HeadReport::Response {
        status: head.status(),
        reason: escape(head.reason()),
        informational: message.informational.iter().map(interim).collect(),
    };
    common(
        message,
        status_line(head),
        kind,
        head.version().as_str(),
        head.fields(),
        response.body,
        response.persistence.as_str(),
    )
}

fn interim(head: &ResponseHead) -> InterimReport {
    InterimReport {
        start_line: status_line(head),
        version: head.version().as_str(),
        status: head.status(),
        reason: escape(head.reason()),
        fields: fields(head.fields()),
    }
}

/// `HTTP/1.1 200 OK`; without the trailing space when the reason is empty.
fn status_line(head: &ResponseHead) -> String {
    let mut line = format!("{} {:03}", head.version().as_str(), head.status());
    if !head.reason().is_empty() {
        line.push(' ');
        line.push_str(&escape(head.reason()));
    }
    line
}

fn common<M>(
    message: &Message<M>,
    start_line: String,
    head: HeadReport,
    version: &'static str,
    head_fields: &Fields,
    framing: BodyFraming,
    persistence: &'static str,
) -> MessageReport {
    MessageReport {
        span: Span {
            start: message.span.0,
            end: message.span.1,
        },
        start_line,
        head,
        version,
        fields: fields(head_fields),
        framing: Framing {
            kind: framing.as_str(),
            length: match framing {
                BodyFraming::Length(length) => Some(length),
                _ => None,
            },
        },
        persistence,
        body: Body {
            length: message.body.len() as u64,
            sha256: sha256_hex(&message.body),
        },
        trailers: message.trailers.as_ref().map(fields),
        complete: message.complete,
        anomalies: anomalies(&message.anomalies),
    }
}

fn fields(fields: &Fields) -> Vec<FieldReport> {
    fields
        .iter()
        .map(|field| FieldReport {
            name: escape(field.name),
            value: escape(field.value),
        })
        .collect()
}

pub(crate) fn anomalies(anomalies: &[Anomaly]) -> Vec<AnomalyReport> {
    anomalies
        .iter()
        .map(|anomaly| AnomalyReport {
            id: anomaly.id(),
            action: anomaly.action.as_str(),
            side: anomaly.side.as_str(),
            offset: anomaly.offset,
            summary: anomaly.deviation.info().summary,
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn verdict(error: Option<Error>, messages: usize) -> Verdict {
    let Some(error) = error else {
        return Verdict::Accepted { messages };
    };
    let phase = match error.phase() {
        Phase::Head => "head",
        Phase::Body => "body",
    };
    let answer = error.wire_answer();
    // Display appends where and what to answer, which the verdict carries as fields of its own.
    let full = error.to_string();
    let suffix = format!(
        " [{} {phase}, byte {}; answer: {answer}]",
        error.side(),
        error.offset()
    );
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    Verdict::Rejected {
        messages,
        message,
        error_kind: error.kind().as_str(),
        deviation: error.deviation().map(|deviation| deviation.id()),
        phase,
        offset: error.offset(),
        wire_answer: answer.to_string(),
        wire_status: match answer {
            WireAnswer::Status(status) => Some(status),
            WireAnswer::Close => None,
        },
    }
}
