//! What a parsed head means: body framing (RFC 9112 §6.3), persistence, Host, Expect and
//! Upgrade — with the deviations found on the way and their repairs.

use bytes::Bytes;

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::{FieldSpan, Fields, RequestHead, ResponseHead, Span, TargetForm, Version};
use crate::h1::parse::{Buf, RawHead, StartLine};
use crate::h1::syntax::{is_ows, is_tchar, list_elements, trim_ows};
use crate::h1::target::{self, PortRule};
use crate::policy::Action;

/// How the body of a message is delimited, as decided from its head.
///
/// One variant per rule of RFC 9112 §6.3: a message can never be framed by Content-Length and
/// chunked at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyFraming {
    /// No body: a request without Content-Length or Transfer-Encoding, or a response to HEAD,
    /// a 1xx, 204 or 304.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// The chunked transfer coding.
    Chunked,
    /// Everything until the peer closes (responses only).
    UntilClose,
    /// The connection becomes a tunnel (2xx to CONNECT, 101 Switching Protocols).
    Tunnel,
}

impl BodyFraming {
    /// A short name: `empty`, `content-length`, `chunked`, `until-close`, `tunnel`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFraming::Empty => "empty",
            BodyFraming::Length(_) => "content-length",
            BodyFraming::Chunked => "chunked",
            BodyFraming::UntilClose => "until-close",
            BodyFraming::Tunnel => "tunnel",
        }
    }
}

/// Whether the connection may carry another message after this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Persistence {
    /// It may.
    KeepAlive,
    /// It must close after this message.
    Close,
}

impl Persistence {
    /// `keep-alive` or `close`.
    pub fn as_str(self) -> &'static str {
        match self {
            Persistence::KeepAlive => "keep-alive",
            Persistence::Close => "close",
        }
    }
}

/// A request head and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The head, repaired where the policy said so.
    pub head: RequestHead,
    /// How the body is delimited.
    pub body: BodyFraming,
    /// Whether the connection stays open afterwards.
    pub persistence: Persistence,
    /// The client waits for `100 Continue` before sending the body.
    pub expects_continue: bool,
    /// The client offers a protocol upgrade (`Connection: upgrade` with `Upgrade`).
    pub offers_upgrade: bool,
}

/// A response head and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The head, repaired where the policy said so.
    pub head: ResponseHead,
    /// How the body is delimited.
    pub body: BodyFraming,
    /// Whether the connection stays open afterwards.
    pub persistence: Persistence,
}

/// What a response answers, which decides whether it has a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestMethod {
    /// `HEAD`: no body whatever the head says.
    Head,
    /// `CONNECT`: a 2xx makes a tunnel.
    Connect,
    /// Anything else.
    Other,
}

impl RequestMethod {
    /// Classifies a method.
    pub fn of(method: &[u8]) -> RequestMethod {
        match method {
            b"HEAD" => RequestMethod::Head,
            b"CONNECT" => RequestMethod::Connect,
            _ => RequestMethod::Other,
        }
    }
}

/// The fields that matter to framing and routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    ContentLength,
    TransferEncoding,
    Host,
    Connection,
    Expect,
    Upgrade,
    Http2Settings,
}

impl Class {
    /// The class of a field name. Length and first letter pick the one candidate to compare:
    /// this runs for every field of every head.
    #[inline]
    fn of(name: &[u8]) -> Option<Class> {
        let first = name.first().map_or(0, u8::to_ascii_lowercase);
        let (class, expected): (Class, &[u8]) = match (name.len(), first) {
            (4, b'h') => (Class::Host, b"host"),
            (6, b'e') => (Class::Expect, b"expect"),
            (7, b'u') => (Class::Upgrade, b"upgrade"),
            (10, b'c') => (Class::Connection, b"connection"),
            (14, b'c') => (Class::ContentLength, b"content-length"),
            (14, b'h') => (Class::Http2Settings, b"http2-settings"),
            (17, b't') => (Class::TransferEncoding, b"transfer-encoding"),
            _ => return None,
        };
        eq_lowercase(name, expected).then_some(class)
    }
}

/// `name.eq_ignore_ascii_case(lower)` for a token `name` and a lowercase literal of the same
/// length, a word at a time. Setting bit 5 lowercases letters and leaves `-` and digits alone,
/// and no other token byte becomes a lowercase letter, `-` or a digit that way.
#[inline]
fn eq_lowercase(name: &[u8], lower: &[u8]) -> bool {
    fn word8(bytes: &[u8], at: usize) -> u64 {
        bytes
            .get(at..at + 8)
            .and_then(|chunk| chunk.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    }
    fn word4(bytes: &[u8], at: usize) -> u32 {
        bytes
            .get(at..at + 4)
            .and_then(|chunk| chunk.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }
    const CASE8: u64 = 0x2020_2020_2020_2020;
    const CASE4: u32 = 0x2020_2020;
    let len = lower.len();
    if name.len() != len {
        return false;
    }
    match len {
        0..4 => name.eq_ignore_ascii_case(lower),
        4..8 => {
            word4(name, 0) | CASE4 == word4(lower, 0)
                && word4(name, len - 4) | CASE4 == word4(lower, len - 4)
        }
        _ => {
            let mut at = 0;
            while at + 8 <= len {
                if word8(name, at) | CASE8 != word8(lower, at) {
                    return false;
                }
                at += 8;
            }
            at == len || word8(name, len - 8) | CASE8 == word8(lower, len - 8)
        }
    }
}

/// Where the fields of each class are: the first index, and whether there are more. Heads
/// rarely repeat these fields, so the common path neither allocates nor copies lists.
#[derive(Clone, Copy, Debug)]
struct Known {
    first: [u32; 7],
    repeated: u8,
}

const ABSENT: u32 = u32::MAX;

/// The indices of one class's fields.
enum Found {
    None,
    One([usize; 1]),
    Many(Vec<usize>),
}

impl std::ops::Deref for Found {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        match self {
            Found::None => &[],
            Found::One(one) => one,
            Found::Many(many) => many,
        }
    }
}

impl Known {
    fn get(&self, class: Class, draft: &Draft<'_>) -> Found {
        let first = self.first[class as usize];
        if first == ABSENT {
            Found::None
        } else if self.repeated & (1 << class as u8) == 0 {
            Found::One([first as usize])
        } else {
            Found::Many(
                (0..draft.fields.len())
                    .filter(|index| Class::of(draft.name(*index)) == Some(class))
                    .collect(),
            )
        }
    }
}

/// A head being checked and repaired. Removed fields are only marked, so indices stay valid.
struct Draft<'w> {
    buf: Buf<'w>,
    fields: Vec<FieldSpan>,
    field_at: Option<Vec<u32>>,
    /// Empty until the first removal: most heads lose nothing.
    removed: Vec<bool>,
}

impl<'w> Draft<'w> {
    fn new(raw: RawHead<'w>) -> Draft<'w> {
        Draft {
            buf: raw.buf,
            fields: raw.fields,
            field_at: raw.field_at,
            removed: Vec::new(),
        }
    }

    fn is_removed(&self, index: usize) -> bool {
        self.removed.get(index).copied().unwrap_or(false)
    }

    /// The buffer and the fields left.
    fn into_parts(self) -> (Buf<'w>, Vec<FieldSpan>) {
        if self.removed.is_empty() {
            return (self.buf, self.fields);
        }
        let fields = self
            .fields
            .iter()
            .zip(&self.removed)
            .filter(|(_, removed)| !**removed)
            .map(|(span, _)| *span)
            .collect();
        (self.buf, fields)
    }

    fn name(&self, index: usize) -> &[u8] {
        self.buf.get(self.fields[index].name)
    }

    fn value(&self, index: usize) -> &[u8] {
        self.buf.get(self.fields[index].value)
    }

    fn at(&self, index: usize) -> usize {
        match &self.field_at {
            Some(field_at) => field_at[index] as usize,
            // Fast-path heads: spans are wire offsets.
            None => self.fields[index].name.start(),
        }
    }

    fn remove(&mut self, index: usize) {
        if self.removed.is_empty() {
            self.removed = vec![false; self.fields.len()];
        }
        self.removed[index] = true;
    }

    fn set_value(&mut self, index: usize, value: &[u8]) {
        self.fields[index].value = self.buf.append(value);
    }

    /// Replaces fields `indices` by one field (the first) holding `value`, or removes them all
    /// when `value` is `None`.
    fn collapse(&mut self, indices: &[usize], value: Option<&[u8]>) {
        for (position, index) in indices.iter().enumerate() {
            match value {
                Some(value) if position == 0 => self.set_value(*index, value),
                _ => self.remove(*index),
            }
        }
    }

    /// The indices not removed, borrowed when nothing was removed (the common case).
    fn live_slice<'a>(&self, indices: &'a [usize]) -> std::borrow::Cow<'a, [usize]> {
        if self.removed.is_empty() {
            std::borrow::Cow::Borrowed(indices)
        } else {
            std::borrow::Cow::Owned(self.live(indices).collect())
        }
    }

    fn live<'a>(&'a self, indices: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        indices
            .iter()
            .copied()
            .filter(|index| !self.is_removed(*index))
    }

    /// Finds the fields that matter, applying the policy to look-alike names.
    fn classify(&mut self, ctx: &mut Ctx<'_>) -> Result<Known, Error> {
        let mut known = Known {
            first: [ABSENT; 7],
            repeated: 0,
        };
        let mut lookalike = false;
        let bytes = self.buf.bytes();
        for (index, field) in self.fields.iter().enumerate() {
            let name = field.name.get(bytes);
            match Class::of(name) {
                Some(class) => {
                    let slot = &mut known.first[class as usize];
                    if *slot == ABSENT {
                        *slot = u32::try_from(index).unwrap_or(ABSENT - 1);
                    } else {
                        known.repeated |= 1 << class as u8;
                    }
                }
                None => lookalike |= is_lookalike(name),
            }
        }
        // Look-alikes are rare: find them again rather than keep a list on the common path.
        if lookalike {
            for index in 0..self.fields.len() {
                if Class::of(self.name(index)).is_none()
                    && is_lookalike(self.name(index))
                    && ctx.deviate(Deviation::FramingHeaderLookalike, self.at(index))?
                        == Action::Repair
                {
                    self.remove(index);
                }
            }
        }
        Ok(known)
    }
}

/// `Transfer_Encoding`, `Content_Length`, `Transfer-%45ncoding`: names that become framing or
/// routing fields when `_` is read as `-` (CGI) or percent-escapes are decoded.
#[inline]
fn is_lookalike(name: &[u8]) -> bool {
    // Cheap pre-checks first: this runs for every field that is not a known one.
    (4..=17 * 3).contains(&name.len())
        && matches!(name[0] | 0x20, b'h' | b'c' | b't' | b'%')
        // Names are short: a plain loop beats memchr's setup.
        && name.iter().any(|b| *b == b'_' || *b == b'%')
        && normalises_to_framing_name(name)
}

#[cold]
fn normalises_to_framing_name(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 3] = [b"host", b"content-length", b"transfer-encoding"];
    let mut normal = Vec::with_capacity(name.len());
    let mut index = 0;
    while index < name.len() {
        let byte = match name[index] {
            b'%' => match name.get(index + 1..index + 3).and_then(hex_pair) {
                Some(decoded) => {
                    index += 2;
                    decoded
                }
                None => b'%',
            },
            b'_' => b'-',
            other => other,
        };
        normal.push(byte.to_ascii_lowercase());
        index += 1;
    }
    NAMES.contains(&&normal[..])
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(text, 16).ok()
}

/// The parts of a request decided here, waiting for their buffer.
pub(crate) struct RequestDraft {
    method: Span,
    target: Span,
    version: Version,
    form: TargetForm,
    fields: Vec<FieldSpan>,
    body: BodyFraming,
    persistence: Persistence,
    expects_continue: bool,
    offers_upgrade: bool,
}

/// A decided head waiting for its buffer.
pub(crate) trait Finish {
    type Message;
    fn finish_with(self, buf: Bytes) -> Self::Message;
}

impl Finish for RequestDraft {
    type Message = Request;

    fn finish_with(self, buf: Bytes) -> Request {
        Request {
            head: RequestHead {
                fields: Fields::new(buf, self.fields),
                method: self.method,
                target: self.target,
                version: self.version,
                form: self.form,
            },
            body: self.body,
            persistence: self.persistence,
            expects_continue: self.expects_continue,
            offers_upgrade: self.offers_upgrade,
        }
    }
}

/// The parts of a response decided here, waiting for their buffer.
pub(crate) struct ResponseDraft {
    version: Version,
    status: u16,
    reason: Span,
    fields: Vec<FieldSpan>,
    body: BodyFraming,
    persistence: Persistence,
}

impl Finish for ResponseDraft {
    type Message = Response;

    fn finish_with(self, buf: Bytes) -> Response {
        Response {
            head: ResponseHead {
                fields: Fields::new(buf, self.fields),
                status: self.status,
                reason: self.reason,
                version: self.version,
            },
            body: self.body,
            persistence: self.persistence,
        }
    }
}

/// Decides what a request means.
pub(crate) fn request<'w>(
    raw: RawHead<'w>,
    ctx: &mut Ctx<'_>,
) -> Result<(Buf<'w>, RequestDraft), Error> {
    let start_at = raw.start_at;
    let StartLine::Request {
        method,
        target,
        version,
    } = raw.start
    else {
        return Err(ctx.error(ErrorKind::InvalidRequestLine, start_at));
    };
    let mut draft = Draft::new(raw);
    let target_at = start_at + method.len() + 1;
    let (target, form) = target::check(&mut draft.buf, method, target, target_at, ctx)?;
    let known = draft.classify(ctx)?;
    let mut connection = Connection::read(&draft, &known.get(Class::Connection, &draft), ctx)?;
    let mut close_after = false;
    let framing = body_framing(&mut draft, &known, version, &mut close_after, ctx)?;
    let body = match framing {
        Framing::Chunked => BodyFraming::Chunked,
        Framing::Length(length) => BodyFraming::Length(length),
        Framing::None => BodyFraming::Empty,
        // Requests are never read until close: body_framing rejects them first.
        Framing::UntilClose => return Err(ctx.error(ErrorKind::InvalidRequestLine, start_at)),
    };
    let host = known.get(Class::Host, &draft);
    check_host(&mut draft, &host, version, form, target, ctx)?;
    let expectations = known.get(Class::Expect, &draft);
    let expects_continue = check_expect(&mut draft, &expectations, version, ctx)?;
    check_h2c(&mut draft, &known, &mut connection, ctx)?;
    let connection_fields = known.get(Class::Connection, &draft);
    connection.rewrite(&mut draft, &connection_fields);
    let offers_upgrade = connection.upgrade
        && draft
            .live(&known.get(Class::Upgrade, &draft))
            .next()
            .is_some();
    let persistence = connection.persistence(version, close_after);
    let (buf, fields) = draft.into_parts();
    Ok((
        buf,
        RequestDraft {
            method,
            target,
            version,
            form,
            fields,
            body,
            persistence,
            expects_continue,
            offers_upgrade,
        },
    ))
}

/// Decides what a response to a request of `method` means.
pub(crate) fn response<'w>(
    raw: RawHead<'w>,
    method: RequestMethod,
    ctx: &mut Ctx<'_>,
) -> Result<(Buf<'w>, ResponseDraft), Error> {
    let start_at = raw.start_at;
    let StartLine::Response {
        version,
        status,
        mut reason,
        reason_missing,
    } = raw.start
    else {
        return Err(ctx.error(ErrorKind::InvalidStatusLine, start_at));
    };
    let mut draft = Draft::new(raw);
    if !(100..=599).contains(&status) {
        // The only non-reject action is to forward it.
        ctx.deviate(Deviation::StatusOutOfRange, start_at + 9)?;
    }
    if reason_missing
        && ctx.deviate(Deviation::StatusReasonMissing, start_at + 12)? == Action::Repair
    {
        reason = draft.buf.append(canonical_reason(status).as_bytes());
    }
    let known = draft.classify(ctx)?;
    let connection = Connection::read(&draft, &known.get(Class::Connection, &draft), ctx)?;
    let connection_fields = known.get(Class::Connection, &draft);
    connection.rewrite(&mut draft, &connection_fields);
    let informational = (100..200).contains(&status);
    let mut close_after = false;
    let body = if status == 101
        || (method == RequestMethod::Connect && (200..300).contains(&status))
    {
        // The connection stops carrying HTTP: no further message on it.
        close_after = true;
        BodyFraming::Tunnel
    } else if informational || status == 204 {
        let framing_fields: Vec<usize> = known
            .get(Class::ContentLength, &draft)
            .iter()
            .chain(known.get(Class::TransferEncoding, &draft).iter())
            .copied()
            .collect();
        if let Some(first) = framing_fields.iter().min()
            && ctx.deviate(Deviation::FramingHeaderOn1xxOr204, draft.at(*first))? == Action::Repair
        {
            draft.collapse(&framing_fields, None);
        }
        BodyFraming::Empty
    } else if method == RequestMethod::Head || status == 304 {
        // Content-Length still tells the size of the representation: keep it only when valid.
        let lengths = known.get(Class::ContentLength, &draft);
        content_length(&mut draft, &lengths, ctx)?;
        BodyFraming::Empty
    } else {
        match body_framing(&mut draft, &known, version, &mut close_after, ctx)? {
            Framing::Chunked => BodyFraming::Chunked,
            Framing::Length(length) => BodyFraming::Length(length),
            Framing::None | Framing::UntilClose => {
                close_after = true;
                BodyFraming::UntilClose
            }
        }
    };
    let persistence = connection.persistence(version, close_after);
    let (buf, fields) = draft.into_parts();
    Ok((
        buf,
        ResponseDraft {
            version,
            status,
            reason,
            fields,
            body,
            persistence,
        },
    ))
}

/// The reason phrase RFC 9110 §15 gives a status, or empty for unregistered ones.
pub fn canonical_reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The framing Content-Length and Transfer-Encoding decide (RFC 9112 §6.3 rules 3 to 8).
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

fn body_framing(
    draft: &mut Draft<'_>,
    known: &Known,
    version: Version,
    close_after: &mut bool,
    ctx: &mut Ctx<'_>,
) -> Result<Framing, Error> {
    let codings = known.get(Class::TransferEncoding, draft);
    let lengths = known.get(Class::ContentLength, draft);
    let te = transfer_encoding(draft, &codings, version, close_after, ctx)?;
    let Some(te) = te else {
        return Ok(match content_length(draft, &lengths, ctx)? {
            Some(length) => Framing::Length(length),
            None => Framing::None,
        });
    };
    let first_length = draft.live(&lengths).next();
    if let Some(first) = first_length {
        let deviation = match ctx.kind {
            crate::MessageKind::Request => Deviation::RequestClTeConflict,
            crate::MessageKind::Response => Deviation::ResponseClTeConflict,
        };
        // The only non-reject action drops Content-Length and closes afterwards.
        ctx.deviate(deviation, draft.at(first))?;
        draft.collapse(&lengths, None);
        *close_after = true;
    }
    Ok(te)
}

/// Applies the policy to Transfer-Encoding. `None` when the message has none (left).
fn transfer_encoding(
    draft: &mut Draft<'_>,
    indices: &[usize],
    version: Version,
    close_after: &mut bool,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Framing>, Error> {
    let Some(first) = draft.live(indices).next() else {
        return Ok(None);
    };
    // The common case, decided without building the coding list.
    if indices.len() == 1
        && version == Version::Http11
        && draft.value(first).eq_ignore_ascii_case(b"chunked")
    {
        return Ok(Some(Framing::Chunked));
    }
    let at = draft.at(first);
    let mut codings: Vec<Vec<u8>> = Vec::new();
    let mut valid = true;
    for index in draft.live(indices) {
        let value = draft.value(index);
        let elements = split_list(value);
        if elements.iter().all(|element| element.is_empty()) {
            valid = false;
        }
        for element in elements.into_iter().filter(|element| !element.is_empty()) {
            match parse_coding(element) {
                Some((name, params)) if !(params && name.eq_ignore_ascii_case(b"chunked")) => {
                    codings.push(name.to_ascii_lowercase());
                }
                _ => valid = false,
            }
        }
    }
    if !valid {
        // Repair (responses only) reads the body until close; requests are rejected.
        ctx.deviate(Deviation::TeInvalidSyntax, at)?;
        *close_after = true;
        return Ok(Some(Framing::UntilClose));
    }
    if version == Version::Http10 {
        ctx.deviate(Deviation::TeInHttp10, at)?;
        *close_after = true;
    }
    let mut rewritten = false;
    if codings.iter().any(|coding| coding == b"identity") {
        // Removing `identity` must never change whether chunked is the final coding: in
        // `chunked, identity` it is not, for every parser that reads the list as written, so
        // that list is left to `h1.te-not-chunked-last` rather than repaired here.
        let last_chunked = codings.iter().rposition(|coding| coding == b"chunked");
        let last_identity = codings.iter().rposition(|coding| coding == b"identity");
        let changes_final = matches!((last_chunked, last_identity), (Some(c), Some(i)) if i > c);
        if !changes_final {
            ctx.deviate(Deviation::TeIdentity, at)?;
            codings.retain(|coding| coding != b"identity");
            rewritten = true;
        }
    }
    let chunked = codings
        .iter()
        .filter(|coding| *coding == b"chunked")
        .count();
    if chunked > 1 {
        let trailing = codings
            .iter()
            .rev()
            .take_while(|coding| *coding == b"chunked")
            .count();
        if trailing != chunked {
            // Chunked applied, then another coding, then chunked again: no repair exists.
            return Err(ctx.refuse(Deviation::DuplicateChunked, at));
        }
        ctx.deviate(Deviation::DuplicateChunked, at)?;
        codings.truncate(codings.len() - (chunked - 1));
        rewritten = true;
    }
    if codings.is_empty() {
        // Only `identity` was listed: the message has no transfer coding at all.
        draft.collapse(indices, None);
        return Ok(None);
    }
    if codings.iter().any(|coding| coding != b"chunked")
        && codings.last().is_some_and(|c| c == b"chunked")
    {
        ctx.deviate(Deviation::TeUnknownCoding, at)?;
    }
    if rewritten {
        let value = codings.join(&b", "[..]);
        let live = draft.live_slice(indices);
        draft.collapse(&live, Some(&value));
    }
    if codings.last().is_some_and(|coding| coding == b"chunked") {
        Ok(Some(Framing::Chunked))
    } else {
        // Repair (responses only) reads the body until close, as RFC 9112 §6.3 ¶4 says.
        ctx.deviate(Deviation::TeNotChunkedLast, at)?;
        *close_after = true;
        Ok(Some(Framing::UntilClose))
    }
}

/// Applies the policy to Content-Length; the length when one is left.
fn content_length(
    draft: &mut Draft<'_>,
    indices: &[usize],
    ctx: &mut Ctx<'_>,
) -> Result<Option<u64>, Error> {
    let live = draft.live_slice(indices);
    let Some(&first) = live.first() else {
        return Ok(None);
    };
    let at = draft.at(first);
    let mut length: Option<u64> = None;
    let (mut count, mut valid, mut padded) = (0, true, false);
    for index in live.iter() {
        for element in draft.value(*index).split(|b| *b == b',') {
            let element = trim_ows(element);
            count += 1;
            match parse_decimal(element) {
                Some(value) if length.is_none_or(|first| first == value) => {
                    length = Some(value);
                    padded |= element.len() > 1 && element[0] == b'0';
                }
                // Not a number, too large, or differing from the first value.
                _ => valid = false,
            }
        }
    }
    let Some(length) = length.filter(|_| valid) else {
        return invalid_content_length(draft, &live, at, ctx);
    };
    let mut rewrite = false;
    if count > 1 {
        let deviation = match ctx.kind {
            crate::MessageKind::Request => Deviation::RequestDuplicateContentLengthSame,
            crate::MessageKind::Response => Deviation::ResponseDuplicateContentLengthSame,
        };
        ctx.deviate(deviation, at)?;
        rewrite = true;
    }
    if padded && ctx.deviate(Deviation::ContentLengthLeadingZeros, at)? == Action::Repair {
        rewrite = true;
    }
    if rewrite {
        draft.collapse(&live, Some(length.to_string().as_bytes()));
    }
    Ok(Some(length))
}

fn invalid_content_length(
    draft: &mut Draft<'_>,
    live: &[usize],
    at: usize,
    ctx: &mut Ctx<'_>,
) -> Result<Option<u64>, Error> {
    match ctx.kind {
        crate::MessageKind::Request => Err(ctx.error(ErrorKind::InvalidContentLength, at)),
        crate::MessageKind::Response => {
            // Repair drops the field; the caller then reads until close.
            ctx.deviate(Deviation::ResponseInvalidContentLength, at)?;
            draft.collapse(live, None);
            Ok(None)
        }
    }
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// `transfer-coding = token *( OWS ";" OWS transfer-parameter )`; the coding name and whether
/// it had parameters.
fn parse_coding(element: &[u8]) -> Option<(&[u8], bool)> {
    let name_end = element
        .iter()
        .position(|b| !is_tchar(*b))
        .unwrap_or(element.len());
    if name_end == 0 {
        return None;
    }
    let (name, mut rest) = element.split_at(name_end);
    let mut params = false;
    loop {
        rest = trim_start(rest);
        if rest.is_empty() {
            return Some((name, params));
        }
        rest = trim_start(rest.strip_prefix(b";")?);
        let key_end = rest
            .iter()
            .position(|b| !is_tchar(*b))
            .unwrap_or(rest.len());
        if key_end == 0 {
            return None;
        }
        rest = rest[key_end..].strip_prefix(b"=")?;
        rest = if rest.first() == Some(&b'"') {
            &rest[quoted_len(rest)?..]
        } else {
            let value_end = rest
                .iter()
                .position(|b| !is_tchar(*b))
                .unwrap_or(rest.len());
            if value_end == 0 {
                return None;
            }
            &rest[value_end..]
        };
        params = true;
    }
}

/// Length of the quoted-string at the start of `bytes` (RFC 9110 §5.6.4).
fn quoted_len(bytes: &[u8]) -> Option<usize> {
    let mut escaped = false;
    for (index, byte) in bytes.iter().enumerate().skip(1) {
        match (escaped, byte) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return Some(index + 1),
            (false, byte) if *byte < 0x20 && *byte != b'\t' => return None,
            (false, 0x7f) => return None,
            _ => {}
        }
    }
    None
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !is_ows(*b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Splits a list on commas outside quoted strings; elements are trimmed and may be empty.
fn split_list(value: &[u8]) -> Vec<&[u8]> {
    let mut elements = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < value.len() {
        match value[index] {
            b',' => {
                elements.push(trim_ows(&value[start..index]));
                start = index + 1;
            }
            b'"' => match quoted_len(&value[index..]) {
                Some(len) => index += len - 1,
                None => index = value.len() - 1,
            },
            _ => {}
        }
        index += 1;
    }
    elements.push(trim_ows(&value[start..]));
    elements
}

/// The Connection tokens that matter.
struct Connection {
    close: bool,
    keep_alive: bool,
    upgrade: bool,
    /// Tokens to drop when the field is rewritten (lowercase).
    drop: Vec<&'static [u8]>,
}

impl Connection {
    /// Reads the tokens that matter, applying the policy to framing and routing fields listed
    /// as hop-by-hop, in one pass.
    fn read(draft: &Draft<'_>, indices: &[usize], ctx: &mut Ctx<'_>) -> Result<Connection, Error> {
        const FRAMING: [&[u8]; 3] = [b"content-length", b"transfer-encoding", b"host"];
        let mut connection = Connection {
            close: false,
            keep_alive: false,
            upgrade: false,
            drop: Vec::new(),
        };
        for index in draft.live(indices) {
            for token in list_elements(draft.value(index)) {
                if token.eq_ignore_ascii_case(b"close") {
                    connection.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    connection.keep_alive = true;
                } else if token.eq_ignore_ascii_case(b"upgrade") {
                    connection.upgrade = true;
                } else if let Some(name) =
                    FRAMING.iter().find(|name| token.eq_ignore_ascii_case(name))
                {
                    // The only non-reject action removes the token.
                    ctx.deviate(Deviation::ConnectionListsFramingHeader, draft.at(index))?;
                    if !connection.drop.contains(name) {
                        connection.drop.push(name);
                    }
                }
            }
        }
        Ok(connection)
    }

    /// Rewrites the Connection field without the tokens to drop.
    fn rewrite(&self, draft: &mut Draft<'_>, indices: &[usize]) {
        if self.drop.is_empty() {
            return;
        }
        let live = draft.live_slice(indices);
        let kept: Vec<Vec<u8>> = live
            .iter()
            .flat_map(|index| list_elements(draft.value(*index)))
            .filter(|token| {
                !self
                    .drop
                    .iter()
                    .any(|drop| token.eq_ignore_ascii_case(drop))
            })
            .map(<[u8]>::to_vec)
            .collect();
        let value = kept.join(&b", "[..]);
        draft.collapse(&live, (!value.is_empty()).then_some(&value[..]));
    }

    fn persistence(&self, version: Version, close_after: bool) -> Persistence {
        let keep = match version {
            Version::Http11 => !self.close,
            Version::Http10 => self.keep_alive && !self.close,
        };
        if keep && !close_after {
            Persistence::KeepAlive
        } else {
            Persistence::Close
        }
    }
}

fn check_host(
    draft: &mut Draft<'_>,
    indices: &[usize],
    version: Version,
    form: TargetForm,
    target: Span,
    ctx: &mut Ctx<'_>,
) -> Result<(), Error> {
    let live = draft.live_slice(indices);
    let Some(&first) = live.first() else {
        if version == Version::Http11 {
            // The only non-reject action forwards the request without Host.
            ctx.deviate(Deviation::MissingHost, 0)?;
        }
        return Ok(());
    };
    if live.len() > 1 {
        let same = live
            .iter()
            .all(|index| draft.value(*index) == draft.value(first));
        if !same {
            return Err(ctx.refuse(Deviation::MultipleHost, draft.at(live[1])));
        }
        ctx.deviate(Deviation::MultipleHost, draft.at(live[1]))?;
        for index in &live[1..] {
            draft.remove(*index);
        }
    }
    let host = draft.value(first);
    if !host.is_empty() && !target::is_host_port(host, PortRule::Optional) {
        // The only non-reject action forwards the value as received.
        ctx.deviate(Deviation::InvalidHost, draft.at(first))?;
    }
    if form == TargetForm::Absolute {
        let target_bytes = draft.buf.get(target);
        let authority = target::authority_of(form, target_bytes).unwrap_or_default();
        let authority = authority
            .rsplit(|b| *b == b'@')
            .next()
            .unwrap_or(authority)
            .to_vec();
        if !draft.value(first).eq_ignore_ascii_case(&authority)
            && ctx.deviate(Deviation::AbsoluteFormHostMismatch, draft.at(first))? == Action::Repair
        {
            draft.set_value(first, &authority);
        }
    }
    Ok(())
}

fn check_expect(
    draft: &mut Draft<'_>,
    indices: &[usize],
    version: Version,
    ctx: &mut Ctx<'_>,
) -> Result<bool, Error> {
    let live = draft.live_slice(indices);
    let Some(&first) = live.first() else {
        return Ok(false);
    };
    let mut continue_asked = false;
    let mut unknown = false;
    for index in live.iter() {
        let elements = split_list(draft.value(*index));
        if elements.iter().all(|element| element.is_empty()) {
            unknown = true;
        }
        for element in elements.into_iter().filter(|element| !element.is_empty()) {
            if element.eq_ignore_ascii_case(b"100-continue") {
                continue_asked = true;
            } else {
                unknown = true;
            }
        }
    }
    if unknown {
        match ctx.deviate(Deviation::ExpectUnknown, draft.at(first))? {
            Action::Repair => {
                draft.collapse(&live, None);
                return Ok(false);
            }
            // Accepted: forwarded as received, and only a clean 100-continue makes us wait.
            _ => return Ok(false),
        }
    }
    if continue_asked && version == Version::Http10 {
        // The only non-reject action drops the field.
        ctx.deviate(Deviation::ExpectHttp10, draft.at(first))?;
        draft.collapse(&live, None);
        return Ok(false);
    }
    Ok(continue_asked)
}

fn check_h2c(
    draft: &mut Draft<'_>,
    known: &Known,
    connection: &mut Connection,
    ctx: &mut Ctx<'_>,
) -> Result<(), Error> {
    let upgrades = known.get(Class::Upgrade, draft);
    let live = draft.live_slice(&upgrades);
    let offers_h2c = live.iter().any(|index| {
        list_elements(draft.value(*index)).any(|protocol| protocol.eq_ignore_ascii_case(b"h2c"))
    });
    if !offers_h2c || ctx.deviate(Deviation::UpgradeH2c, draft.at(live[0]))? != Action::Repair {
        return Ok(());
    }
    let others: Vec<Vec<u8>> = live
        .iter()
        .flat_map(|index| list_elements(draft.value(*index)))
        .filter(|protocol| !protocol.eq_ignore_ascii_case(b"h2c"))
        .map(<[u8]>::to_vec)
        .collect();
    let value = others.join(&b", "[..]);
    draft.collapse(&live, (!value.is_empty()).then_some(&value[..]));
    let settings = known.get(Class::Http2Settings, draft);
    draft.collapse(&settings, None);
    connection.drop.push(b"http2-settings");
    if others.is_empty() {
        connection.drop.push(b"upgrade");
        connection.upgrade = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_are_exactly_underscored_framing_names() {
        assert!(is_lookalike(b"Transfer_Encoding"));
        assert!(is_lookalike(b"content_length"));
        assert!(!is_lookalike(b"Content-Length"));
        assert!(!is_lookalike(b"X_Forwarded_"));
        assert!(!is_lookalike(b"Transfer_Encodinx"));
        assert!(is_lookalike(b"Transfer-%45ncoding"));
        assert!(is_lookalike(b"%48ost"));
        assert!(!is_lookalike(b"Transfer-%4"));
    }

    #[test]
    fn codings_parse_with_parameters_and_reject_junk() {
        assert_eq!(parse_coding(b"chunked"), Some((&b"chunked"[..], false)));
        assert_eq!(parse_coding(b"gzip;q=1"), Some((&b"gzip"[..], true)));
        assert_eq!(parse_coding(b"x ; a=\"b,c\""), Some((&b"x"[..], true)));
        assert_eq!(parse_coding(b"\"chunked\""), None);
        assert_eq!(parse_coding(b"chunked\x0b"), None);
        assert_eq!(parse_coding(b"chunked x"), None);
        assert_eq!(split_list(b"a, \"b,c\" ,d"), [&b"a"[..], b"\"b,c\"", b"d"]);
    }

    #[test]
    fn decimals_refuse_overflow_and_signs() {
        assert_eq!(parse_decimal(b"0042"), Some(42));
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
        assert_eq!(parse_decimal(b"+1"), None);
        assert_eq!(parse_decimal(b""), None);
    }
}
