//! The slow path's line splitter and field-line parser, shared by heads and trailer sections.

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::Error;
use crate::h1::head::{FieldSpan, Span};
use crate::h1::syntax::{is_ows, is_tchar, is_value_ctl, trim_ows};
use crate::policy::Action;

/// One line without its line ending, bare CRs already replaced by SP.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Offset of the line's first byte in the section.
    pub(crate) at: usize,
    pub(crate) bytes: Vec<u8>,
}

impl Line {
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Which deviation a bare LF is in this section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineEndings {
    /// A message head: `h1.bare-lf`.
    Head,
    /// A trailer section, part of the chunked framing: `h1.chunked-bare-lf`.
    Chunked,
}

/// Splits a complete section (ending with its empty line) into lines, applying the policy to
/// bare LF line endings and bare CRs.
pub(crate) fn split(
    section: &[u8],
    endings: LineEndings,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<Line>, Error> {
    let bare_lf = match endings {
        LineEndings::Head => Deviation::BareLf,
        LineEndings::Chunked => Deviation::ChunkedBareLf,
    };
    let mut lines = Vec::new();
    let mut start = 0;
    for lf in memchr::memchr_iter(b'\n', section) {
        let content_end = if lf > start && section[lf - 1] == b'\r' {
            lf - 1
        } else {
            ctx.deviate(bare_lf, lf)?;
            lf
        };
        let mut bytes = section[start..content_end].to_vec();
        for (index, byte) in bytes.iter_mut().enumerate() {
            if *byte == b'\r' {
                // The only supported non-reject action for a bare CR is SP replacement.
                ctx.deviate(Deviation::BareCr, start + index)?;
                *byte = b' ';
            }
        }
        lines.push(Line { at: start, bytes });
        start = lf + 1;
    }
    Ok(lines)
}

/// Which kind of field section is being parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldSection {
    Head,
    Trailers,
}

/// Fields written into a buffer, with the offset of each one's line.
pub(crate) struct ParsedFields {
    pub(crate) spans: Vec<FieldSpan>,
    pub(crate) wire_at: Vec<u32>,
}

struct Pending {
    at: usize,
    name: Vec<u8>,
    value: Vec<u8>,
}

enum Previous {
    /// No field line yet.
    Nothing,
    /// The previous field line was dropped by a repair (its continuations go with it).
    Dropped,
    /// The previous field line is `pending[index]`.
    Field(usize),
}

/// Parses field lines (without the final empty line), applying the policy, and appends the
/// surviving names and values to `out`.
pub(crate) fn fields(
    lines: &[&Line],
    section: FieldSection,
    out: &mut Vec<u8>,
    ctx: &mut Ctx<'_>,
) -> Result<ParsedFields, Error> {
    let mut pending: Vec<Pending> = Vec::with_capacity(lines.len());
    let mut previous = Previous::Nothing;
    for line in lines {
        let bytes = &line.bytes[..];
        if bytes.first().copied().is_some_and(is_ows) {
            match previous {
                Previous::Nothing => {
                    let deviation = match section {
                        FieldSection::Head => Deviation::WhitespaceBeforeFirstHeader,
                        FieldSection::Trailers => Deviation::ObsFold,
                    };
                    // Repair drops the line.
                    ctx.deviate(deviation, line.at)?;
                }
                Previous::Dropped => {
                    ctx.deviate(Deviation::ObsFold, line.at)?;
                }
                Previous::Field(index) => {
                    ctx.deviate(Deviation::ObsFold, line.at)?;
                    let continuation = clean_value(bytes, line.at, ctx)?;
                    let value = &mut pending[index].value;
                    if !continuation.is_empty() {
                        if !value.is_empty() {
                            value.push(b' ');
                        }
                        value.extend_from_slice(&continuation);
                    }
                }
            }
            continue;
        }
        let Some(colon) = memchr::memchr(b':', bytes) else {
            ctx.deviate(Deviation::MissingColon, line.at)?;
            previous = Previous::Dropped;
            continue;
        };
        let mut name = &bytes[..colon];
        if name.last().copied().is_some_and(is_ows) {
            let trimmed_len = name.iter().rposition(|b| !is_ows(*b)).map_or(0, |i| i + 1);
            ctx.deviate(Deviation::SpaceBeforeColon, line.at + trimmed_len)?;
            name = &name[..trimmed_len];
        }
        if name.is_empty() || !name.iter().all(|b| is_tchar(*b)) {
            let bad = name.iter().position(|b| !is_tchar(*b)).unwrap_or(0);
            ctx.deviate(Deviation::InvalidHeaderName, line.at + bad)?;
            previous = Previous::Dropped;
            continue;
        }
        let value = clean_value(&bytes[colon + 1..], line.at + colon + 1, ctx)?;
        pending.push(Pending {
            at: line.at,
            name: name.to_vec(),
            value,
        });
        previous = Previous::Field(pending.len() - 1);
    }
    let mut spans = Vec::with_capacity(pending.len());
    let mut wire_at = Vec::with_capacity(pending.len());
    for field in pending {
        let name = append(out, &field.name);
        let value = append(out, &field.value);
        spans.push(FieldSpan { name, value });
        wire_at.push(u32::try_from(field.at).unwrap_or(u32::MAX));
    }
    Ok(ParsedFields { spans, wire_at })
}

/// Trims a raw value and applies the policy to NUL and control bytes in it. `at` is the
/// section offset of `raw[0]`.
fn clean_value(raw: &[u8], at: usize, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Error> {
    let lead = raw.iter().position(|b| !is_ows(*b)).unwrap_or(raw.len());
    let mut value = trim_ows(raw).to_vec();
    let mut replaced = false;
    for (index, byte) in value.iter_mut().enumerate() {
        if *byte == 0 {
            ctx.deviate(Deviation::NulInHeader, at + lead + index)?;
            *byte = b' ';
            replaced = true;
        } else if is_value_ctl(*byte)
            && ctx.deviate(Deviation::InvalidHeaderByte, at + lead + index)? == Action::Repair
        {
            *byte = b' ';
            replaced = true;
        }
    }
    if replaced {
        value = trim_ows(&value).to_vec();
    }
    Ok(value)
}

/// Appends `bytes` to `out` and returns where they went.
pub(crate) fn append(out: &mut Vec<u8>, bytes: &[u8]) -> Span {
    let start = out.len();
    out.extend_from_slice(bytes);
    Span::new(start, out.len())
}
