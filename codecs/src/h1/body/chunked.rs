//! The chunked transfer coding (RFC 9112 §7.1), decoded a byte at a time so that the result
//! cannot depend on how the input was split.
//!
//! ```text
//! chunked-body   = *chunk last-chunk trailer-section CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-size     = 1*HEXDIG
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-val  = token / quoted-string
//! ```

use bytes::BytesMut;

use crate::deviation::Deviation;
use crate::h1::body::{BodyEvent, advance, split};
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::Fields;
use crate::h1::limits::Limit;
use crate::h1::parse::lines::{self, FieldSection, LineEndings};
use crate::h1::scan::{HeadScanner, ScanLimits, Section};
use crate::h1::syntax::{is_ows, is_tchar};
use bytes::Bytes;

/// Where the decoder is inside a chunk extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ext {
    /// After `;`, before the name.
    BeforeName,
    Name,
    /// Whitespace after the name.
    AfterName,
    /// After `=`, before the value.
    BeforeValue,
    TokenValue,
    QuotedValue {
        escaped: bool,
    },
    /// Whitespace after the value.
    AfterValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the hex digits of a chunk size.
    Size { value: u64, digits: bool },
    /// Whitespace after the size.
    SizeWhitespace { value: u64 },
    /// Inside the extensions of a chunk-size line.
    Extension { value: u64, at: Ext },
    /// Skipping the rest of a chunk-size line whose extensions were repaired away.
    SkipLine { value: u64 },
    /// Saw the CR ending a chunk-size line.
    SizeLf { value: u64 },
    /// Inside chunk data.
    Data { remaining: u64 },
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// Reading the trailer section.
    Trailers,
    /// The body is complete (trailers, if any, were handed out).
    Done,
}

#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    state: State,
    ext_bytes: usize,
    trailers: HeadScanner,
}

impl Default for Chunked {
    fn default() -> Chunked {
        Chunked {
            state: State::Size {
                value: 0,
                digits: false,
            },
            ext_bytes: 0,
            trailers: HeadScanner::new(Section::Trailers),
        }
    }
}

/// Whether a byte was used up by a step, or must be looked at again in the new state.
enum Step {
    Consumed,
    Again,
}

impl Chunked {
    pub(crate) fn decode(
        &mut self,
        src: &mut BytesMut,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<BodyEvent>, Error> {
        loop {
            match self.state {
                State::Data { remaining } => {
                    if src.is_empty() {
                        return Ok(None);
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(src.len());
                    let left = remaining - take as u64;
                    self.state = if left == 0 {
                        State::DataCr
                    } else {
                        State::Data { remaining: left }
                    };
                    return Ok(Some(BodyEvent::Data(split(src, take, ctx))));
                }
                State::Trailers => return self.trailers(src, ctx),
                State::Done => return Ok(Some(BodyEvent::End)),
                _ => {
                    let mut index = 0;
                    while index < src.len() && self.in_framing() {
                        match self.step(src[index], index, ctx) {
                            Ok(Step::Consumed) => index += 1,
                            Ok(Step::Again) => {}
                            Err(error) => {
                                // Bytes before the bad one were consumed, however they arrived.
                                advance(src, index, ctx);
                                return Err(error);
                            }
                        }
                    }
                    advance(src, index, ctx);
                    if self.in_framing() {
                        return Ok(None);
                    }
                }
            }
        }
    }

    fn in_framing(&self) -> bool {
        !matches!(
            self.state,
            State::Data { .. } | State::Trailers | State::Done
        )
    }

    /// One byte of framing at `index` of the unconsumed input.
    fn step(&mut self, byte: u8, index: usize, ctx: &mut Ctx<'_>) -> Result<Step, Error> {
        self.count_extension_byte(byte, index, ctx)?;
        match self.state {
            State::Size { value, digits } => {
                if let Some(digit) = hex_value(byte) {
                    if value > u64::MAX >> 4 {
                        // Reject-only: no hop can be trusted to read the same length.
                        ctx.deviate(Deviation::ChunkSizeOverflow, index)?;
                    }
                    self.state = State::Size {
                        value: (value << 4) | digit,
                        digits: true,
                    };
                    return Ok(Step::Consumed);
                }
                if !digits {
                    return Err(ctx.error(ErrorKind::InvalidChunkSize, index));
                }
                match byte {
                    b';' => {
                        self.state = State::Extension {
                            value,
                            at: Ext::BeforeName,
                        }
                    }
                    b' ' | b'\t' => self.state = State::SizeWhitespace { value },
                    b'\r' | b'\n' => return self.line_end(byte, value, index, ctx),
                    // `0x5`, `5g`: the size token itself is malformed, not an extension (one
                    // starts with `;`). Read as a size and an ignored extension, `0x5` would
                    // end the body at once and present it, truncated, as complete.
                    _ => return Err(ctx.error(ErrorKind::InvalidChunkSize, index)),
                }
            }
            State::SizeWhitespace { value } => match byte {
                b' ' | b'\t' => {}
                b';' => {
                    self.state = State::Extension {
                        value,
                        at: Ext::BeforeName,
                    }
                }
                b'\r' | b'\n' => {
                    ctx.deviate(Deviation::ChunkSizeTrailingWhitespace, index)?;
                    return self.line_end(byte, value, index, ctx);
                }
                _ => return self.invalid_extension(byte, value, index, ctx),
            },
            State::Extension { value, at } => return self.extension(byte, value, at, index, ctx),
            State::SkipLine { value } => {
                if byte == b'\r' || byte == b'\n' {
                    return self.line_end(byte, value, index, ctx);
                }
            }
            State::SizeLf { value } => {
                if byte != b'\n' {
                    return Err(ctx.error(ErrorKind::InvalidChunkedFraming, index));
                }
                self.state = if value == 0 {
                    State::Trailers
                } else {
                    State::Data { remaining: value }
                };
            }
            State::DataCr => match byte {
                b'\r' => self.state = State::DataLf,
                b'\n' => {
                    ctx.deviate(Deviation::ChunkedBareLf, index)?;
                    self.state = State::Size {
                        value: 0,
                        digits: false,
                    };
                }
                _ => {
                    // Repair goes on as if the CRLF were there: this byte starts the next size.
                    ctx.deviate(Deviation::ChunkMissingCrlf, index)?;
                    self.state = State::Size {
                        value: 0,
                        digits: false,
                    };
                    return Ok(Step::Again);
                }
            },
            State::DataLf => {
                if byte != b'\n' {
                    return Err(ctx.error(ErrorKind::InvalidChunkedFraming, index));
                }
                self.state = State::Size {
                    value: 0,
                    digits: false,
                };
            }
            State::Data { .. } | State::Trailers | State::Done => return Ok(Step::Again),
        }
        Ok(Step::Consumed)
    }

    /// Extension bytes (and whitespace after sizes) count against a per-body budget.
    fn count_extension_byte(
        &mut self,
        byte: u8,
        index: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), Error> {
        let counted = match self.state {
            State::SizeWhitespace { .. } | State::Extension { .. } | State::SkipLine { .. } => {
                byte != b'\r' && byte != b'\n'
            }
            State::Size { digits: true, .. } => {
                hex_value(byte).is_none() && byte != b'\r' && byte != b'\n'
            }
            _ => false,
        };
        if counted {
            self.ext_bytes += 1;
            if self.ext_bytes > ctx.limits().max_chunk_ext_bytes {
                // Reject-only.
                ctx.deviate(Deviation::ChunkExtTooLong, index)?;
            }
        }
        Ok(())
    }

    fn extension(
        &mut self,
        byte: u8,
        value: u64,
        at: Ext,
        index: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<Step, Error> {
        let line_end = byte == b'\r' || byte == b'\n';
        let next = match (at, byte) {
            (Ext::BeforeName, b) if is_ows(b) => Some(Ext::BeforeName),
            (Ext::BeforeName, b) if is_tchar(b) => Some(Ext::Name),
            (Ext::Name, b) if is_tchar(b) => Some(Ext::Name),
            (Ext::Name | Ext::AfterName, b) if is_ows(b) => Some(Ext::AfterName),
            (Ext::Name | Ext::AfterName, b'=') => Some(Ext::BeforeValue),
            (Ext::Name | Ext::AfterName | Ext::TokenValue | Ext::AfterValue, b';') => {
                Some(Ext::BeforeName)
            }
            (Ext::Name | Ext::AfterName | Ext::TokenValue | Ext::AfterValue, _) if line_end => {
                return self.line_end(byte, value, index, ctx);
            }
            (Ext::BeforeValue, b) if is_ows(b) => Some(Ext::BeforeValue),
            (Ext::BeforeValue, b'"') => Some(Ext::QuotedValue { escaped: false }),
            (Ext::BeforeValue | Ext::TokenValue, b) if is_tchar(b) => Some(Ext::TokenValue),
            (Ext::TokenValue | Ext::AfterValue, b) if is_ows(b) => Some(Ext::AfterValue),
            (Ext::QuotedValue { escaped: true }, b) if is_quoted_pair_byte(b) => {
                Some(Ext::QuotedValue { escaped: false })
            }
            (Ext::QuotedValue { escaped: false }, b'\\') => {
                Some(Ext::QuotedValue { escaped: true })
            }
            (Ext::QuotedValue { escaped: false }, b'"') => Some(Ext::AfterValue),
            (Ext::QuotedValue { escaped: false }, b) if is_qdtext(b) => {
                Some(Ext::QuotedValue { escaped: false })
            }
            _ => None,
        };
        match next {
            Some(at) => {
                self.state = State::Extension { value, at };
                Ok(Step::Consumed)
            }
            None => self.invalid_extension(byte, value, index, ctx),
        }
    }

    /// Repair ignores the rest of the line; a CR or LF here still ends it.
    fn invalid_extension(
        &mut self,
        byte: u8,
        value: u64,
        index: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<Step, Error> {
        ctx.deviate(Deviation::ChunkExtInvalid, index)?;
        if byte == b'\r' || byte == b'\n' {
            return self.line_end(byte, value, index, ctx);
        }
        self.state = State::SkipLine { value };
        Ok(Step::Consumed)
    }

    /// A CR or LF ending a chunk-size line.
    fn line_end(
        &mut self,
        byte: u8,
        value: u64,
        index: usize,
        ctx: &mut Ctx<'_>,
    ) -> Result<Step, Error> {
        if byte == b'\r' {
            self.state = State::SizeLf { value };
            return Ok(Step::Consumed);
        }
        ctx.deviate(Deviation::ChunkedBareLf, index)?;
        self.state = if value == 0 {
            State::Trailers
        } else {
            State::Data { remaining: value }
        };
        Ok(Step::Consumed)
    }

    fn trailers(
        &mut self,
        src: &mut BytesMut,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<BodyEvent>, Error> {
        let limits = ctx.limits();
        let scan_limits = ScanLimits {
            total: limits.max_trailer_bytes,
            total_limit: Limit::TrailerBytes,
            line: limits.max_line_bytes,
            first_line_limit: Limit::LineBytes,
            fields: limits.max_headers,
        };
        let len = match self.trailers.scan(src, &scan_limits) {
            Ok(Some(len)) => len,
            Ok(None) => return Ok(None),
            Err(exceeded) => {
                let value = exceeded.limit.value(ctx.limits());
                return Err(ctx.error(
                    ErrorKind::LimitExceeded {
                        limit: exceeded.limit,
                        value,
                    },
                    exceeded.at,
                ));
            }
        };
        let fields = parse_trailers(&src[..len], ctx)?;
        advance(src, len, ctx);
        self.state = State::Done;
        if fields.is_empty() {
            Ok(Some(BodyEvent::End))
        } else {
            Ok(Some(BodyEvent::Trailers(fields)))
        }
    }
}

/// Fields that must not arrive as trailers (RFC 9110 §6.5.1): framing, routing, connection
/// management, and how the content is to be processed.
const FORBIDDEN_TRAILERS: [&str; 16] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "content-encoding",
    "content-type",
    "content-range",
    "authorization",
    "proxy-authorization",
    "cookie",
    "expect",
];

fn parse_trailers(section: &[u8], ctx: &mut Ctx<'_>) -> Result<Fields, Error> {
    let lines = lines::split(section, LineEndings::Chunked, ctx)?;
    let field_lines: Vec<&lines::Line> = lines.iter().take_while(|line| !line.is_empty()).collect();
    let mut out = Vec::with_capacity(section.len());
    let parsed = lines::fields(&field_lines, FieldSection::Trailers, &mut out, ctx)?;
    let mut spans = Vec::with_capacity(parsed.spans.len());
    for (span, at) in parsed.spans.into_iter().zip(parsed.wire_at) {
        let name = span.name.get(&out);
        if FORBIDDEN_TRAILERS
            .iter()
            .any(|forbidden| name.eq_ignore_ascii_case(forbidden.as_bytes()))
        {
            // The only non-reject action drops the field.
            ctx.deviate(Deviation::TrailerForbiddenField, at as usize)?;
            continue;
        }
        spans.push(span);
    }
    Ok(Fields::new(Bytes::from(out), spans))
}

fn hex_value(byte: u8) -> Option<u64> {
    match byte {
        b'0'..=b'9' => Some(u64::from(byte - b'0')),
        b'a'..=b'f' => Some(u64::from(byte - b'a' + 10)),
        b'A'..=b'F' => Some(u64::from(byte - b'A' + 10)),
        _ => None,
    }
}

/// `qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text`.
fn is_qdtext(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff)
}

/// `quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )`.
fn is_quoted_pair_byte(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff)
}
