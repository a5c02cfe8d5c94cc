//! The fast path: httparse on clean heads.
//!
//! Returns `None` whenever httparse refuses the head (or the head is irregular in a way
//! httparse would silently accept), so that the scanner and the slow path can decide, and
//! name, what is wrong with it.

use std::mem::MaybeUninit;

use crate::deviation::MessageKind;
use crate::h1::head::{FieldSpan, Span, Version};
use crate::h1::limits::Limits;
use crate::h1::parse::{Buf, RawHead, StartLine};

/// Heads with at most this many fields are parsed without a heap allocation for httparse.
const STACK_HEADERS: usize = 64;

/// Parses a head the scanner found complete and regular; `slots` is its exact field count.
pub(super) fn scanned(head: &[u8], kind: MessageKind, slots: usize) -> Option<RawHead<'_>> {
    let (raw, len) = parse(head, kind, slots)?;
    (len == head.len()).then_some(raw)
}

/// Tries a buffer that may already hold a whole head, before any scanning: the common case of
/// a head arriving in one read costs one pass of httparse and one of memchr. The head must be
/// within every limit and end its lines with CRLF; anything else is left to the scanner, so
/// the outcome is the same as the scanned path's.
pub(crate) fn direct<'w>(
    buf: &'w [u8],
    kind: MessageKind,
    limits: &Limits,
) -> Option<(RawHead<'w>, usize)> {
    if matches!(buf.first(), None | Some(b'\r' | b'\n')) {
        return None;
    }
    let (raw, len) = parse(buf, kind, limits.max_headers)?;
    (len <= limits.max_head_bytes && lines_are_regular(&buf[..len], &raw, limits.max_line_bytes))
        .then_some((raw, len))
}

/// Every line of a head httparse accepted ends with CRLF and holds at most `max_line` bytes.
///
/// httparse refuses LF anywhere but at a line end, so the line ends are exactly the two bytes
/// before each field name and the four at the end of the head: checking those is enough, and
/// cheaper than scanning the head again.
fn lines_are_regular(head: &[u8], raw: &RawHead<'_>, max_line: usize) -> bool {
    if !head.ends_with(b"\r\n\r\n") {
        return false;
    }
    let mut line_start = 0;
    let next_starts = raw
        .fields
        .iter()
        .map(|field| field.name.start())
        .chain(std::iter::once(head.len() - 2));
    for next in next_starts {
        let Some(ending) = next.checked_sub(2).and_then(|at| head.get(at..next)) else {
            return false;
        };
        if ending != b"\r\n" || next - 2 - line_start > max_line {
            return false;
        }
        line_start = next;
    }
    true
}

/// httparse with room for `slots` fields; the head and its length.
fn parse(buf: &[u8], kind: MessageKind, slots: usize) -> Option<(RawHead<'_>, usize)> {
    match kind {
        MessageKind::Request => with_header_slots(slots, |slots| {
            let mut request = httparse::Request::new(&mut []);
            let httparse::Status::Complete(len) =
                request.parse_with_uninit_headers(buf, slots).ok()?
            else {
                return None;
            };
            let version = version(request.version?);
            let start = StartLine::Request {
                method: Span::of(buf, request.method?.as_bytes()),
                target: Span::of(buf, request.path?.as_bytes()),
                version,
            };
            Some((raw(buf, start, request.headers), len))
        }),
        MessageKind::Response => with_header_slots(slots, |slots| {
            let mut response = httparse::Response::new(&mut []);
            let httparse::Status::Complete(len) = httparse::ParserConfig::default()
                .parse_response_with_uninit_headers(&mut response, buf, slots)
                .ok()?
            else {
                return None;
            };
            // httparse hides reasons with obs-text and does not tell "200" from "200 ": read
            // the status line again. It is "HTTP/1.x NNN" then optionally " reason", then CRLF.
            let line_end = memchr::memchr(b'\r', buf)?;
            let reason_missing = line_end == 12;
            let reason = if reason_missing {
                Span::new(12, 12)
            } else {
                Span::new(13, line_end)
            };
            let start = StartLine::Response {
                version: version(response.version?),
                status: response.code?,
                reason,
                reason_missing,
            };
            Some((raw(buf, start, response.headers), len))
        }),
    }
}

fn version(minor: u8) -> Version {
    match minor {
        0 => Version::Http10,
        _ => Version::Http11,
    }
}

fn raw<'w>(head: &'w [u8], start: StartLine, headers: &[httparse::Header<'_>]) -> RawHead<'w> {
    let mut fields = Vec::with_capacity(headers.len());
    for header in headers {
        let name = Span::of(head, header.name.as_bytes());
        // httparse gives an empty value as a slice that may not point into the head.
        let value = if header.value.is_empty() {
            Span::new(name.end(), name.end())
        } else {
            Span::of(head, header.value)
        };
        fields.push(FieldSpan { name, value });
    }
    RawHead {
        buf: Buf::wire(head),
        start,
        fields,
        field_at: None,
        start_at: 0,
    }
}

fn with_header_slots<'h, T>(
    count: usize,
    parse: impl FnOnce(&mut [MaybeUninit<httparse::Header<'h>>]) -> Option<T>,
) -> Option<T> {
    if count <= STACK_HEADERS {
        let mut slots = [MaybeUninit::<httparse::Header<'h>>::uninit(); STACK_HEADERS];
        parse(&mut slots[..count])
    } else {
        let mut slots = vec![MaybeUninit::<httparse::Header<'h>>::uninit(); count];
        parse(&mut slots)
    }
}
