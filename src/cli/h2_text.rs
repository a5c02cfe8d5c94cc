//! The human-readable text of `inspect h2-frames` and `inspect hpack`, rendered from the same
//! report the JSON output serialises.

use std::fmt::Write as _;

use crate::cli::h2_report::{
    BlockField, BlockReport, FrameReport, FramesReport, FramesVerdict, PREVIEW, PaddingReport,
    PayloadReport, PriorityReport, Refusal,
};
use crate::cli::output::{anomaly_lines, line};

/// The report as text: a header line, the frames, anomalies, what the shim wrote, the verdict.
pub(crate) fn frames(report: &FramesReport) -> String {
    let mut out = String::new();
    let policy = &report.policy;
    let preface = if report.preface { "present" } else { "absent" };
    let how = if report.preface_source == "option" {
        "--preface"
    } else {
        "detected"
    };
    let _ = writeln!(
        out,
        "{} from the {} side, client preface {preface} ({how}), policy {} `{}` (base {}), {} bytes",
        report.kind, report.side, policy.source, policy.name, policy.base, report.input_length
    );
    out.push('\n');
    if report.preface && report.consumed >= 24 {
        out.push_str("bytes 0..24 client connection preface\n");
    }
    if report.frames.is_empty() {
        out.push_str("no frames\n");
    }
    for (index, frame) in report.frames.iter().enumerate() {
        let title = format!("frame {} at byte {}", index + 1, frame.offset);
        frame_block(&mut out, &title, frame);
    }
    if !report.anomalies.is_empty() {
        out.push_str("\nanomalies\n");
        anomaly_lines(&mut out, &report.anomalies);
    }
    if let Some(repaired) = &report.repaired {
        out.push_str("\nforwarded to h2 by the repair shim (what h2 receives)\n");
        if repaired.is_empty() {
            out.push_str("nothing\n");
        }
        for (index, forwarded) in repaired.iter().enumerate() {
            let title = format!(
                "h2 frame {} at byte {} ({})",
                index + 1,
                forwarded.frame.offset,
                from(forwarded.from_offset)
            );
            frame_block(&mut out, &title, &forwarded.frame);
        }
    }
    if let Some(sent) = &report.sent_to_origin {
        out.push_str("\nsent to the origin by the repair shim\n");
        if sent.is_empty() {
            out.push_str("nothing\n");
        }
        for (index, forwarded) in sent.iter().enumerate() {
            let title = format!(
                "origin frame {} ({})",
                index + 1,
                from(forwarded.from_offset)
            );
            frame_block(&mut out, &title, &forwarded.frame);
        }
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

/// `1 byte`, `2 bytes`.
fn bytes(count: usize) -> String {
    if count == 1 {
        "1 byte".to_owned()
    } else {
        format!("{count} bytes")
    }
}

fn from(offset: Option<u64>) -> String {
    match offset {
        Some(offset) => format!("for the frame at byte {offset}"),
        None => "at the end of the input".to_owned(),
    }
}

/// `title: TYPE on stream N, length L, flags A|B`, then the payload, one fact per line.
fn frame_block(out: &mut String, title: &str, frame: &FrameReport) {
    let _ = write!(
        out,
        "{title}: {} on stream {}, length {}",
        frame.kind, frame.stream, frame.length
    );
    if !frame.flags.is_empty() {
        let _ = write!(out, ", flags {}", frame.flags.join("|"));
    }
    out.push('\n');
    if frame.reserved {
        line(out, "reserved bit", "set");
    }
    payload_lines(out, &frame.payload);
    if let Some(block) = &frame.header_block {
        block_lines(out, block);
    }
}

fn payload_lines(out: &mut String, payload: &PayloadReport) {
    match payload {
        PayloadReport::Data {
            data_length,
            data_start,
            padding,
        } => {
            let more = if *data_length > PREVIEW { "..." } else { "" };
            line(
                out,
                "data",
                format!("{}: {data_start}{more}", bytes(*data_length)),
            );
            padding_line(out, padding.as_ref());
        }
        PayloadReport::Headers {
            fragment_length,
            priority,
            padding,
        } => {
            if let Some(priority) = priority {
                priority_line(out, priority);
            }
            line(out, "fragment", bytes(*fragment_length));
            padding_line(out, padding.as_ref());
        }
        PayloadReport::Priority { priority } => priority_line(out, priority),
        PayloadReport::RstStream {
            error_code,
            error_code_value,
        } => line(
            out,
            "error code",
            format!("{error_code} (0x{error_code_value:x})"),
        ),
        PayloadReport::Settings { settings } => {
            for setting in settings {
                line(
                    out,
                    "setting",
                    format!("{} = {}", setting.name, setting.value),
                );
            }
        }
        PayloadReport::PushPromise {
            promised_stream,
            fragment_length,
            padding,
        } => {
            line(out, "promised", format!("stream {promised_stream}"));
            line(out, "fragment", bytes(*fragment_length));
            padding_line(out, padding.as_ref());
        }
        PayloadReport::Ping { opaque } => line(out, "opaque data", opaque),
        PayloadReport::GoAway {
            last_stream,
            error_code,
            error_code_value,
            debug_data,
        } => {
            line(out, "last stream", last_stream);
            line(
                out,
                "error code",
                format!("{error_code} (0x{error_code_value:x})"),
            );
            if !debug_data.is_empty() {
                line(out, "debug data", debug_data);
            }
        }
        PayloadReport::WindowUpdate { increment } => line(out, "increment", increment),
        PayloadReport::Continuation { fragment_length } => {
            line(out, "fragment", bytes(*fragment_length));
        }
        PayloadReport::Unknown {
            payload_length,
            payload_start,
        } => hex_line(out, "payload", *payload_length, payload_start),
        PayloadReport::Malformed {
            malformed,
            payload_length,
            payload_start,
        } => {
            line(out, "malformed", malformed);
            hex_line(out, "payload", *payload_length, payload_start);
        }
    }
}

fn hex_line(out: &mut String, label: &str, length: usize, start: &str) {
    let more = if length > PREVIEW { "..." } else { "" };
    if length == 0 {
        line(out, label, "0 bytes");
    } else {
        line(
            out,
            label,
            format!("{}: {start}{more} (hex)", bytes(length)),
        );
    }
}

fn padding_line(out: &mut String, padding: Option<&PaddingReport>) {
    if let Some(padding) = padding {
        let zero = if padding.zero { "zero" } else { "NOT zero" };
        line(out, "padding", format!("{}, {zero}", bytes(padding.length)));
    }
}

fn priority_line(out: &mut String, priority: &PriorityReport) {
    let exclusive = if priority.exclusive {
        ", exclusive"
    } else {
        ""
    };
    line(
        out,
        "priority",
        format!(
            "depends on stream {}, weight {}{exclusive}",
            priority.dependency, priority.weight
        ),
    );
}

fn block_lines(out: &mut String, block: &BlockReport) {
    let frames = if block.frames == 1 { "frame" } else { "frames" };
    let mut summary = format!("{} on stream {}", block.role, block.stream);
    if let Some(promised) = block.promised_stream {
        let _ = write!(summary, " promising stream {promised}");
    }
    let _ = write!(
        summary,
        ", {} {frames} from byte {}, {}",
        block.frames,
        block.offset,
        bytes(block.length)
    );
    match &block.error {
        Some(error) => {
            let effect = if error.connection_error {
                "connection error COMPRESSION_ERROR"
            } else {
                "message refused, context intact"
            };
            let _ = write!(
                summary,
                ": does not decode: {} at byte {} of the block ({effect})",
                error.message, error.offset
            );
            line(out, "header block", summary);
        }
        None => {
            let count = block.fields.len();
            let fields = if count == 1 { "field" } else { "fields" };
            let _ = write!(
                summary,
                ", {count} {fields}, table {} bytes",
                block.table_size
            );
            line(out, "header block", summary);
            size_updates(out, &block.table_size_updates);
            field_lines(out, &block.fields);
        }
    }
}

/// The dynamic table size updates a block starts with, if any.
pub(crate) fn size_updates(out: &mut String, updates: &[u32]) {
    if !updates.is_empty() {
        let sizes: Vec<String> = updates.iter().map(u32::to_string).collect();
        let _ = writeln!(
            out,
            "    (dynamic table size update to {})",
            sizes.join(", then ")
        );
    }
}

/// One field per line; the representation is named unless it is a plain table reference.
pub(crate) fn field_lines(out: &mut String, fields: &[BlockField]) {
    for field in fields {
        let _ = write!(out, "    {}: {}", field.name, field.value);
        if field.representation != "indexed" {
            let _ = write!(out, "  [{}]", field.representation);
        }
        out.push('\n');
    }
}

fn verdict_block(out: &mut String, verdict: &FramesVerdict) {
    match verdict {
        FramesVerdict::Accepted { frames } => {
            let plural = if *frames == 1 { "" } else { "s" };
            let _ = writeln!(out, "verdict: accepted ({frames} frame{plural})");
        }
        FramesVerdict::Rejected {
            first, refusals, ..
        } => {
            let _ = writeln!(out, "verdict: rejected: {}", first.message);
            line(out, "error kind", first.error_kind);
            if let Some(deviation) = first.deviation {
                line(out, "deviation", deviation);
            }
            if let Some(budget) = first.budget {
                line(out, "budget", budget);
            }
            line(out, "at", format!("byte {}", first.offset));
            line(out, "wire answer", &first.wire_answer);
            let others: Vec<&Refusal> = refusals.iter().skip(1).collect();
            if !others.is_empty() {
                line(out, "also refused", others.len());
                for refusal in others {
                    let _ = writeln!(
                        out,
                        "    {} at byte {}: {}",
                        refusal.wire_answer, refusal.offset, refusal.message
                    );
                }
            }
        }
    }
}
