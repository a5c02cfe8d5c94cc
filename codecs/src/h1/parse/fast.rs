//! The fast path: httparse on a head the scanner found regular.
//!
//! Returns `None` whenever httparse refuses the head, so that the slow path can decide (and
//! name) what is wrong with it.

use std::mem::MaybeUninit;

use crate::h1::head::{FieldSpan, Span, Version};
use crate::h1::parse::{Buf, RawHead, StartLine};

/// Heads with at most this many fields are parsed without a heap allocation for httparse.
const STACK_HEADERS: usize = 64;

pub(super) fn request(head: &[u8], field_lines: usize) -> Option<RawHead<'_>> {
    with_header_slots(field_lines, |slots| {
        let mut request = httparse::Request::new(&mut []);
        let parsed = request.parse_with_uninit_headers(head, slots).ok()?;
        if parsed != httparse::Status::Complete(head.len()) {
            return None;
        }
        let version = match request.version? {
            0 => Version::Http10,
            _ => Version::Http11,
        };
        let start = StartLine::Request {
            method: Span::of(head, request.method?.as_bytes()),
            target: Span::of(head, request.path?.as_bytes()),
            version,
        };
        Some(raw(head, start, request.headers))
    })
}

pub(super) fn response(head: &[u8], field_lines: usize) -> Option<RawHead<'_>> {
    with_header_slots(field_lines, |slots| {
        let mut response = httparse::Response::new(&mut []);
        let parsed = httparse::ParserConfig::default()
            .parse_response_with_uninit_headers(&mut response, head, slots)
            .ok()?;
        if parsed != httparse::Status::Complete(head.len()) {
            return None;
        }
        let version = match response.version? {
            0 => Version::Http10,
            _ => Version::Http11,
        };
        // httparse hides reasons with obs-text and does not tell "200" from "200 ": read the
        // status line again. It is "HTTP/1.x NNN" then optionally " reason", ending in CRLF.
        let line_end = memchr::memchr(b'\r', head)?;
        let reason_missing = line_end == 12;
        let reason = if reason_missing {
            Span::new(12, 12)
        } else {
            Span::new(13, line_end)
        };
        let start = StartLine::Response {
            version,
            status: response.code?,
            reason,
            reason_missing,
        };
        Some(raw(head, start, response.headers))
    })
}

fn raw<'w>(head: &'w [u8], start: StartLine, headers: &[httparse::Header<'_>]) -> RawHead<'w> {
    let mut fields = Vec::with_capacity(headers.len());
    let mut field_at = Vec::with_capacity(headers.len());
    for header in headers {
        let name = Span::of(head, header.name.as_bytes());
        // httparse gives an empty value as a slice that may not point into the head.
        let value = if header.value.is_empty() {
            Span::new(name.end(), name.end())
        } else {
            Span::of(head, header.value)
        };
        fields.push(FieldSpan { name, value });
        field_at.push(name.start);
    }
    RawHead {
        buf: Buf::wire(head),
        start,
        fields,
        field_at,
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
