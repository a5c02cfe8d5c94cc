//! What a parsed head means: body framing (RFC 9112 §6.3), persistence, Host, Expect and
//! Upgrade — with the deviations found on the way and their repairs.
//!
//! - [`draft`]: the head being checked and repaired, and where its framing and routing
//!   fields are;
//! - [`framing`]: Transfer-Encoding and Content-Length, RFC 9112 §6.3 rules 3 to 8;
//! - [`control`]: Connection, Host, Expect and the h2c upgrade offer.

mod control;
mod draft;
mod framing;

use bytes::Bytes;

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::{FieldSpan, Fields, RequestHead, ResponseHead, Span, TargetForm, Version};
use crate::h1::parse::{Buf, RawHead, StartLine};
use crate::h1::target;
use crate::policy::Action;

use control::{Connection, check_expect, check_h2c, check_host};
use draft::{Class, Draft};
use framing::{Framing, body_framing, content_length};

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
