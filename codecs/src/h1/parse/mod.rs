//! Head parsing: a fast path on httparse for clean heads, and our own lenient line parser for
//! everything else.
//!
//! The scanner ([`crate::h1::scan`]) has already found the end of the head and noted irregular
//! line endings. A head with none goes to httparse first; if httparse accepts it, the result
//! is spans into the wire bytes (nothing copied). A head httparse refuses, or one with bare
//! CR/LF or leading empty lines (which httparse would silently accept), goes to the slow path,
//! which applies the policy line by line and writes a canonical copy of the head. The slow path
//! is authoritative: every error comes from it, and a property test checks that both paths
//! agree wherever httparse succeeds.

pub(crate) mod fast;
pub(crate) mod lines;
mod start_line;

use crate::deviation::MessageKind;
use crate::h1::ctx::Ctx;
use crate::h1::error::Error;
use crate::h1::head::{FieldSpan, Span, Version};
use crate::h1::scan::HeadScanner;

/// The bytes a head's spans point into while it is being parsed and repaired: the wire bytes
/// until something has to be rewritten, then a private copy.
pub(crate) struct Buf<'w> {
    wire: &'w [u8],
    owned: Option<Vec<u8>>,
}

impl<'w> Buf<'w> {
    pub(crate) fn wire(wire: &'w [u8]) -> Buf<'w> {
        Buf { wire, owned: None }
    }

    pub(crate) fn owned(bytes: Vec<u8>) -> Buf<'static> {
        Buf {
            wire: &[],
            owned: Some(bytes),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.owned.as_deref().unwrap_or(self.wire)
    }

    pub(crate) fn get(&self, span: Span) -> &[u8] {
        span.get(self.bytes())
    }

    /// Appends bytes (copying the wire bytes first if needed) and returns their span. Existing
    /// spans stay valid: the copy has the same layout.
    pub(crate) fn append(&mut self, data: &[u8]) -> Span {
        let wire = self.wire;
        let owned = self.owned.get_or_insert_with(|| wire.to_vec());
        let start = owned.len();
        owned.extend_from_slice(data);
        Span::new(start, owned.len())
    }

    /// The rewritten bytes, or `None` when the spans point into the wire bytes.
    pub(crate) fn into_owned(self) -> Option<Vec<u8>> {
        self.owned
    }
}

/// The start line, before semantics are applied.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StartLine {
    Request {
        method: Span,
        target: Span,
        version: Version,
    },
    Response {
        version: Version,
        status: u16,
        reason: Span,
        /// The status line ended right after the code, without SP.
        reason_missing: bool,
    },
}

/// A parsed head: start line and fields, spans into `buf`.
pub(crate) struct RawHead<'w> {
    pub(crate) buf: Buf<'w>,
    pub(crate) start: StartLine,
    pub(crate) fields: Vec<FieldSpan>,
    /// Offset in the wire head of each field's line, for anomaly offsets; `None` when the
    /// spans point into the wire head, whose name offsets serve.
    pub(crate) field_at: Option<Vec<u32>>,
    /// Offset in the wire head of the start line.
    pub(crate) start_at: usize,
}

/// What the scanner learnt about a complete head.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeadShape {
    /// No bare CR or LF and no empty lines before the start line.
    pub(crate) regular: bool,
    pub(crate) field_lines: usize,
}

impl HeadShape {
    pub(crate) fn of(scanner: &HeadScanner) -> HeadShape {
        HeadShape {
            regular: scanner.is_regular(),
            field_lines: scanner.field_lines(),
        }
    }
}

/// Parses a complete head (`head` ends with its empty line).
pub(crate) fn parse_head<'w>(
    head: &'w [u8],
    shape: HeadShape,
    ctx: &mut Ctx<'_>,
) -> Result<RawHead<'w>, Error> {
    if shape.regular
        && let Some(raw) = fast::scanned(head, ctx.kind, shape.field_lines)
    {
        return Ok(raw);
    }
    slow(head, ctx)
}

/// The lenient path: lines, then the start line, then the field lines, into a canonical copy.
fn slow(head: &[u8], ctx: &mut Ctx<'_>) -> Result<RawHead<'static>, Error> {
    let lines = lines::split(head, lines::LineEndings::Head, ctx)?;
    let mut iter = lines.iter().peekable();
    if iter.peek().is_some_and(|line| line.is_empty()) {
        ctx.deviate(crate::Deviation::LeadingEmptyLines, 0)?;
        while iter.next_if(|line| line.is_empty()).is_some() {}
    }
    let Some(first) = iter.next() else {
        // The scanner only completes a head that has a start line.
        return Err(ctx.error(crate::h1::ErrorKind::IncompleteHead, head.len()));
    };
    let mut out = Vec::with_capacity(head.len());
    let start = match ctx.kind {
        MessageKind::Request => start_line::request(first, &mut out, ctx)?,
        MessageKind::Response => start_line::response(first, &mut out, ctx)?,
    };
    let field_lines: Vec<&lines::Line> = iter.take_while(|line| !line.is_empty()).collect();
    let parsed = lines::fields(&field_lines, lines::FieldSection::Head, &mut out, ctx)?;
    Ok(RawHead {
        buf: Buf::owned(out),
        start,
        fields: parsed.spans,
        field_at: Some(parsed.wire_at),
        start_at: first.at,
    })
}
