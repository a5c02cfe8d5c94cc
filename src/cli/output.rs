//! Rendering reports: JSON, the human-readable text of `inspect`, and writing to stdout.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

use crate::cli::failure::Failure;
use crate::cli::report::{AnomalyReport, FieldReport, HeadReport, MessageReport, Report, Verdict};

/// Pretty-printed JSON with a final newline.
pub(crate) fn json(value: &impl Serialize) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|err| Failure::new(format!("cannot render JSON: {err}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an error worth a
/// message: the exit code still tells the verdict.
pub(crate) fn emit(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(Failure::new(format!(
            "cannot write to standard output: {err}"
        ))),
    }
}

/// Width of the label column in message blocks.
const LABEL: usize = 13;

/// The report as text: a header line, one block per message, trailing anomalies, the verdict.
pub(crate) fn text(report: &Report) -> String {
    let mut out = String::new();
    let policy = &report.policy;
    let _ = write!(
        out,
        "{} from the {} side, policy {} `{}` (base {}), {} bytes",
        report.kind, report.side, policy.source, policy.name, policy.base, report.input_length
    );
    if let Some(methods) = &report.request_methods {
        let _ = write!(out, ", answering {}", methods.join(" "));
    }
    out.push('\n');
    let count = report.messages.len();
    if count == 0 {
        out.push_str("\nno messages\n");
    }
    for (index, message) in report.messages.iter().enumerate() {
        out.push('\n');
        message_block(&mut out, index + 1, count, message);
    }
    if !report.trailing_anomalies.is_empty() {
        out.push_str(
            "\nanomalies outside any message (after the last one, or in a rejected head)\n",
        );
        anomaly_lines(&mut out, &report.trailing_anomalies);
    }
    if !report.unanswered_interim.is_empty() {
        let statuses: Vec<String> = report
            .unanswered_interim
            .iter()
            .map(|interim| interim.status.to_string())
            .collect();
        let _ = writeln!(
            out,
            "\ninterim responses no final response followed: {}",
            statuses.join(", ")
        );
    }
    if report.awaiting_upgrade {
        out.push_str(
            "\nstopped after a request offering an upgrade or a CONNECT: the bytes after it are \
             HTTP only if the upgrade is refused, so they were not decoded\n",
        );
    }
    let last_end = report.messages.last().map_or(0, |message| message.span.end);
    if last_end < report.consumed {
        // The collector drops what belongs to no message: line breaks after the last one,
        // discarded extra bytes, interim responses never followed by a final response.
        let _ = write!(
            out,
            "\nbytes {last_end}..{} were read outside any message\n",
            report.consumed
        );
    }
    if report.consumed < report.input_length {
        let _ = write!(
            out,
            "\nbytes {}..{} were not decoded\n",
            report.consumed, report.input_length
        );
    }
    out.push('\n');
    verdict_block(&mut out, &report.verdict);
    out
}

pub(crate) fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "  {label:<LABEL$}{value}");
}

fn message_block(out: &mut String, number: usize, count: usize, message: &MessageReport) {
    let _ = writeln!(
        out,
        "message {number} of {count}, bytes {}..{}",
        message.span.start, message.span.end
    );
    if let HeadReport::Response { informational, .. } = &message.head {
        for interim in informational {
            line(out, "interim", &interim.start_line);
            field_lines(out, &interim.fields);
        }
    }
    line(out, "start line", &message.start_line);
    match &message.head {
        HeadReport::Request {
            method,
            target,
            target_form,
            ..
        } => line(
            out,
            "request",
            format!(
                "method {method}, target {target} ({target_form}), {}",
                message.version
            ),
        ),
        HeadReport::Response { status, reason, .. } => line(
            out,
            "response",
            format!(
                "{}, status {status:03}, reason \"{reason}\"",
                message.version
            ),
        ),
    }
    line(out, "fields", message.fields.len());
    field_lines(out, &message.fields);
    let framing = match message.framing.length {
        Some(length) => format!("{} {length}", message.framing.kind),
        None => message.framing.kind.to_owned(),
    };
    line(out, "framing", framing);
    line(out, "persistence", message.persistence);
    if let HeadReport::Request {
        expects_continue,
        offers_upgrade,
        ..
    } = &message.head
    {
        let continues = if *expects_continue {
            "expected"
        } else {
            "not expected"
        };
        line(out, "100-continue", continues);
        let upgrade = if *offers_upgrade {
            "offered"
        } else {
            "not offered"
        };
        line(out, "upgrade", upgrade);
    }
    line(
        out,
        "body",
        format!(
            "{} bytes, sha256 {}",
            message.body.length, message.body.sha256
        ),
    );
    match &message.trailers {
        None => line(out, "trailers", "none"),
        Some(trailers) => {
            line(out, "trailers", trailers.len());
            field_lines(out, trailers);
        }
    }
    line(out, "complete", yes_no(message.complete));
    line(out, "anomalies", message.anomalies.len());
    anomaly_lines(out, &message.anomalies);
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn field_lines(out: &mut String, fields: &[FieldReport]) {
    for field in fields {
        let _ = writeln!(out, "    {}: {}", field.name, field.value);
    }
}

pub(crate) fn anomaly_lines(out: &mut String, anomalies: &[AnomalyReport]) {
    for anomaly in anomalies {
        let _ = writeln!(
            out,
            "    {} {} from {} at byte {}: {}",
            anomaly.id, anomaly.action, anomaly.side, anomaly.offset, anomaly.summary
        );
    }
}

fn verdict_block(out: &mut String, verdict: &Verdict) {
    match verdict {
        Verdict::Accepted { messages } => {
            let plural = if *messages == 1 { "" } else { "s" };
            let _ = writeln!(out, "verdict: accepted ({messages} message{plural})");
        }
        Verdict::Rejected {
            message,
            error_kind,
            deviation,
            phase,
            offset,
            wire_answer,
            ..
        } => {
            let _ = writeln!(out, "verdict: rejected: {message}");
            line(out, "error kind", error_kind);
            if let Some(deviation) = deviation {
                line(out, "deviation", deviation);
            }
            line(out, "at", format!("byte {offset} ({phase})"));
            line(out, "wire answer", wire_answer);
        }
    }
}
