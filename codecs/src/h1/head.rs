//! Parsed message heads and field blocks.
//!
//! A head keeps its bytes in one [`Bytes`] buffer and refers to the method, target, reason and
//! fields by offsets into it, so that parsing a clean head copies nothing: the buffer is the
//! wire bytes themselves. A repaired head refers to a rewritten, canonical buffer instead.
//! Field names keep their original case and fields their order, for H1→H1 forwarding.

use std::fmt;

use bytes::Bytes;

use crate::h1::syntax;

/// A byte range inside a head buffer. Heads are bounded by
/// [`crate::h1::Limits::MAX_CONFIGURABLE`], so 32 bits are enough.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn start(self) -> usize {
        self.start as usize
    }

    pub(crate) fn end(self) -> usize {
        self.end as usize
    }

    pub(crate) fn len(self) -> usize {
        self.end() - self.start()
    }

    /// The bytes of the span; empty when it does not lie inside `buf` (never by construction).
    pub(crate) fn get(self, buf: &[u8]) -> &[u8] {
        buf.get(self.start()..self.end()).unwrap_or_default()
    }

    /// The span of `part`, a sub-slice of `whole`.
    pub(crate) fn of(whole: &[u8], part: &[u8]) -> Span {
        let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
        Span::new(start, start + part.len())
    }
}

/// Name and value of one field, as spans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// Bytes reserved for the fields of a head built from parts: browsers send 500–900 bytes of
/// fields, API clients and origins a few hundred.
const TYPICAL_FIELDS_BYTES: usize = 1024;

/// One field line: name (original case) and value (without surrounding whitespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name as received.
    pub name: &'a [u8],
    /// The field value, leading and trailing whitespace removed.
    pub value: &'a [u8],
}

impl Field<'_> {
    /// Whether the name equals `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// A block of fields: a head's header section or a body's trailer section.
#[derive(Clone, Default)]
pub struct Fields {
    pub(crate) buf: Bytes,
    pub(crate) spans: Vec<FieldSpan>,
}

impl Fields {
    pub(crate) fn new(buf: Bytes, spans: Vec<FieldSpan>) -> Fields {
        Fields { buf, spans }
    }

    /// Builds a block from name/value pairs.
    ///
    /// # Errors
    ///
    /// When a name is not a token or a value contains CR, LF or NUL or starts or ends with
    /// whitespace: such a block could not be encoded without changing its meaning.
    pub fn from_pairs<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Result<Fields, BuildError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut buf = Vec::new();
        let mut spans = Vec::new();
        for (name, value) in pairs {
            spans.push(push_field(&mut buf, name.as_ref(), value.as_ref())?);
        }
        Ok(Fields::new(Bytes::from(buf), spans))
    }

    /// Number of field lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Field<'_>> + '_ {
        self.spans.iter().map(|span| Field {
            name: span.name.get(&self.buf),
            value: span.value.get(&self.buf),
        })
    }

    /// The fields in order, each value also as a [`Bytes`] sharing this block's buffer, so
    /// that a caller can keep values without copying them.
    pub fn iter_shared(&self) -> impl ExactSizeIterator<Item = (Field<'_>, Bytes)> + '_ {
        self.spans.iter().map(|span| {
            let field = Field {
                name: span.name.get(&self.buf),
                value: span.value.get(&self.buf),
            };
            (field, self.buf.slice(span.value.start()..span.value.end()))
        })
    }

    /// The first value of `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|field| field.is(name))
            .map(|field| field.value)
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |field| field.is(name))
            .map(|field| field.value)
    }

    /// Whether a field called `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|field| field.is(name))
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Fields {}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|field| {
                (
                    field.name.escape_ascii().to_string(),
                    field.value.escape_ascii().to_string(),
                )
            }))
            .finish()
    }
}

/// The HTTP version of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0 (and status-line-less HTTP/0.9 responses, once repaired).
    Http10,
    /// HTTP/1.1 (and unknown 1.x minors, once repaired).
    Http11,
}

impl Version {
    /// `"HTTP/1.1"` and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// The form of a request-target (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetForm {
    /// `/path?query`.
    Origin,
    /// `http://authority/path?query`, sent to proxies.
    Absolute,
    /// `host:port`, CONNECT only.
    Authority,
    /// `*`, OPTIONS only.
    Asterisk,
}

impl TargetForm {
    /// `"origin-form"` and so on, as the RFC names them.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetForm::Origin => "origin-form",
            TargetForm::Absolute => "absolute-form",
            TargetForm::Authority => "authority-form",
            TargetForm::Asterisk => "asterisk-form",
        }
    }
}

/// A request head: request line and fields.
#[derive(Clone)]
pub struct RequestHead {
    pub(crate) fields: Fields,
    pub(crate) method: Span,
    pub(crate) target: Span,
    pub(crate) version: Version,
    pub(crate) form: TargetForm,
}

impl RequestHead {
    /// Builds a request head from parts.
    ///
    /// # Errors
    ///
    /// When the method is not a token, the target is empty or contains bytes outside visible
    /// ASCII or has no valid form for the method, or a field is invalid (see
    /// [`Fields::from_pairs`]).
    pub fn new<N, V>(
        method: &[u8],
        target: &[u8],
        version: Version,
        fields: impl IntoIterator<Item = (N, V)>,
    ) -> Result<RequestHead, BuildError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        if method.is_empty() || !method.iter().all(|b| syntax::is_tchar(*b)) {
            return Err(BuildError("method is not a token"));
        }
        if target.is_empty() || !target.iter().all(|b| (0x21..0x7f).contains(b)) {
            return Err(BuildError("target is empty or not visible ASCII"));
        }
        let form = crate::h1::target::form_of(method, target)
            .ok_or(BuildError("target has no valid form for this method"))?;
        // Room for a typical header section, so the fields do not grow the buffer a few
        // times over (each growth a copy).
        let mut buf = Vec::with_capacity(method.len() + target.len() + TYPICAL_FIELDS_BYTES);
        buf.extend_from_slice(method);
        let method_span = Span::new(0, method.len());
        buf.push(b' ');
        let target_span = Span::new(buf.len(), buf.len() + target.len());
        buf.extend_from_slice(target);
        let mut spans = Vec::new();
        for (name, value) in fields {
            spans.push(push_field(&mut buf, name.as_ref(), value.as_ref())?);
        }
        Ok(RequestHead {
            fields: Fields::new(Bytes::from(buf), spans),
            method: method_span,
            target: target_span,
            version,
            form,
        })
    }

    /// The method, e.g. `GET`.
    pub fn method(&self) -> &[u8] {
        self.method.get(&self.fields.buf)
    }

    /// The request-target as it will be forwarded.
    pub fn target(&self) -> &[u8] {
        self.target.get(&self.fields.buf)
    }

    /// The form of the target.
    pub fn target_form(&self) -> TargetForm {
        self.form
    }

    /// The authority of an absolute-form or authority-form target.
    pub fn target_authority(&self) -> Option<&[u8]> {
        crate::h1::target::authority_of(self.form, self.target())
    }

    /// The version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The header fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Whether the method is `name` (methods are case-sensitive).
    pub fn method_is(&self, name: &str) -> bool {
        self.method() == name.as_bytes()
    }
}

impl PartialEq for RequestHead {
    fn eq(&self, other: &RequestHead) -> bool {
        self.method() == other.method()
            && self.target() == other.target()
            && self.version == other.version
            && self.form == other.form
            && self.fields == other.fields
    }
}

impl Eq for RequestHead {}

impl fmt::Debug for RequestHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHead")
            .field("method", &self.method().escape_ascii().to_string())
            .field("target", &self.target().escape_ascii().to_string())
            .field("form", &self.form)
            .field("version", &self.version)
            .field("fields", &self.fields)
            .finish()
    }
}

/// A response head: status line and fields.
#[derive(Clone)]
pub struct ResponseHead {
    pub(crate) fields: Fields,
    pub(crate) status: u16,
    pub(crate) reason: Span,
    pub(crate) version: Version,
}

impl ResponseHead {
    /// Builds a response head from parts.
    ///
    /// # Errors
    ///
    /// When the status is not three digits, the reason contains bytes a reason-phrase may not,
    /// or a field is invalid (see [`Fields::from_pairs`]).
    pub fn new<N, V>(
        version: Version,
        status: u16,
        reason: &[u8],
        fields: impl IntoIterator<Item = (N, V)>,
    ) -> Result<ResponseHead, BuildError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        if status > 999 {
            return Err(BuildError("status is not three digits"));
        }
        if !reason.iter().all(|b| syntax::is_reason_byte(*b)) {
            return Err(BuildError("reason contains a control byte"));
        }
        let mut buf = Vec::with_capacity(reason.len() + TYPICAL_FIELDS_BYTES);
        buf.extend_from_slice(reason);
        let reason_span = Span::new(0, reason.len());
        let mut spans = Vec::new();
        for (name, value) in fields {
            spans.push(push_field(&mut buf, name.as_ref(), value.as_ref())?);
        }
        Ok(ResponseHead {
            fields: Fields::new(Bytes::from(buf), spans),
            status,
            reason: reason_span,
            version,
        })
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase (may be empty).
    pub fn reason(&self) -> &[u8] {
        self.reason.get(&self.fields.buf)
    }

    /// The version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The header fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Whether this is an interim (1xx) response.
    pub fn is_informational(&self) -> bool {
        (100..200).contains(&self.status)
    }
}

impl PartialEq for ResponseHead {
    fn eq(&self, other: &ResponseHead) -> bool {
        self.status == other.status
            && self.reason() == other.reason()
            && self.version == other.version
            && self.fields == other.fields
    }
}

impl Eq for ResponseHead {}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("version", &self.version)
            .field("status", &self.status)
            .field("reason", &self.reason().escape_ascii().to_string())
            .field("fields", &self.fields)
            .finish()
    }
}

/// A head or field block could not be built from the parts given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildError(&'static str);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BuildError {}

fn push_field(buf: &mut Vec<u8>, name: &[u8], value: &[u8]) -> Result<FieldSpan, BuildError> {
    if name.is_empty() || !name.iter().all(|b| syntax::is_tchar(*b)) {
        return Err(BuildError("field name is not a token"));
    }
    if value.iter().any(|b| matches!(b, b'\r' | b'\n' | b'\0')) {
        return Err(BuildError("field value contains CR, LF or NUL"));
    }
    if value.first().is_some_and(|b| syntax::is_ows(*b))
        || value.last().is_some_and(|b| syntax::is_ows(*b))
    {
        return Err(BuildError("field value starts or ends with whitespace"));
    }
    let name_span = Span::new(buf.len(), buf.len() + name.len());
    buf.extend_from_slice(name);
    let value_span = Span::new(buf.len(), buf.len() + value.len());
    buf.extend_from_slice(value);
    Ok(FieldSpan {
        name: name_span,
        value: value_span,
    })
}
