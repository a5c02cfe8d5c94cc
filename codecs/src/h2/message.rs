//! Message-level checks (RFC 9113 §8) on a decoded header list: field names and values,
//! connection-specific fields, pseudo-header fields, content-length.
//!
//! The list comes from HPACK; what is in it is the peer's business until this module applies
//! the policy: each malformation is a named [`Deviation`], rejected as the stream error RFC
//! 9113 §8.1.1 asks for, or repaired in place (names lowercased, invalid fields dropped,
//! values cleaned, pseudo-header fields moved first).

use bytes::Bytes;

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::deviation::{Deviation, MessageKind};
use crate::h1::is_value_ctl;
use crate::h2::error::{Error, ErrorKind, Scope};
use crate::h2::frame::ErrorCode;
use crate::policy::{Action, Policy, Side};

/// One field of a header list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeaderField {
    /// The name (lowercase in a well-formed message).
    pub name: Bytes,
    /// The value.
    pub value: Bytes,
    /// Whether the sender asked that it never be compressed by indexing (RFC 7541 §7.1.3);
    /// a re-encoder keeps the request.
    pub sensitive: bool,
}

impl HeaderField {
    /// A field from name and value.
    pub fn new(name: impl Into<Bytes>, value: impl Into<Bytes>) -> HeaderField {
        HeaderField {
            name: name.into(),
            value: value.into(),
            sensitive: false,
        }
    }

    /// The field as the HPACK encoder takes it.
    pub fn to_hpack(&self) -> crate::h2::hpack::HeaderField<'_> {
        if self.sensitive {
            crate::h2::hpack::HeaderField::sensitive(&self.name, &self.value)
        } else {
            crate::h2::hpack::HeaderField::new(&self.name, &self.value)
        }
    }

    fn is_pseudo(&self) -> bool {
        self.name.first() == Some(&b':')
    }
}

impl From<crate::h2::hpack::DecodedField<'_>> for HeaderField {
    fn from(field: crate::h2::hpack::DecodedField<'_>) -> HeaderField {
        HeaderField {
            name: field.name_bytes(),
            value: field.value_bytes(),
            sensitive: field.is_sensitive(),
        }
    }
}

/// What a header block is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockRole {
    /// The header section of a request.
    Request,
    /// The header section of a response (interim or final).
    Response,
    /// A trailer section.
    Trailers,
}

/// What the checked list says, for the caller's framing and routing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// `:method`, for requests.
    pub method: Option<Bytes>,
    /// `:status`, for responses.
    pub status: Option<u16>,
    /// The content-length, when one valid value was given.
    pub content_length: Option<u64>,
}

/// Request pseudo-header fields (RFC 9113 §8.3.1, RFC 8441 §4).
const REQUEST_PSEUDO: [&[u8]; 5] = [
    b":method",
    b":scheme",
    b":authority",
    b":path",
    b":protocol",
];

/// Connection-specific fields (RFC 9113 §8.2.2).
const CONNECTION_SPECIFIC: [&[u8]; 5] = [
    b"connection",
    b"proxy-connection",
    b"keep-alive",
    b"transfer-encoding",
    b"upgrade",
];

/// Applies the policy to one header list, in place.
pub(crate) struct MessageCheck<'a> {
    policy: &'a Policy,
    side: Side,
    log: &'a mut AnomalyLog,
    stream: u32,
    offset: u64,
}

impl<'a> MessageCheck<'a> {
    /// A check of the block that opened at stream offset `offset` on `stream`, sent by the
    /// peer on `side`.
    pub(crate) fn new(
        policy: &'a Policy,
        side: Side,
        log: &'a mut AnomalyLog,
        stream: u32,
        offset: u64,
    ) -> MessageCheck<'a> {
        MessageCheck {
            policy,
            side,
            log,
            stream,
            offset,
        }
    }

    fn deviate(&mut self, deviation: Deviation) -> Result<Action, Error> {
        let kind = match self.side {
            Side::Client => MessageKind::Request,
            Side::Origin => MessageKind::Response,
        };
        let action = self.policy.effective_action(self.side, deviation, kind);
        self.log.record(Anomaly {
            deviation,
            action,
            side: self.side,
            offset: self.offset,
        });
        match action {
            Action::Reject => Err(self.malformed(deviation)),
            action => Ok(action),
        }
    }

    /// RFC 9113 §8.1.1: a malformed message is a stream error of type PROTOCOL_ERROR.
    fn malformed(&mut self, deviation: Deviation) -> Error {
        Error::new(
            ErrorKind::Rejected(deviation),
            Scope::Stream(self.stream),
            ErrorCode::PROTOCOL_ERROR,
            self.side,
            self.offset,
        )
    }

    /// Records a rejection although the configured repair exists, because it cannot apply
    /// to this input (differing duplicate pseudo-header fields).
    fn refuse(&mut self, deviation: Deviation) -> Error {
        self.log.record(Anomaly {
            deviation,
            action: Action::Reject,
            side: self.side,
            offset: self.offset,
        });
        self.malformed(deviation)
    }

    /// Checks `fields` as a block of `role`; `end_stream` tells whether the block ends the
    /// stream (an interim response must not).
    ///
    /// # Errors
    ///
    /// A rejected deviation, as a stream error of type PROTOCOL_ERROR.
    pub(crate) fn check(
        mut self,
        fields: &mut Vec<HeaderField>,
        role: BlockRole,
        end_stream: bool,
    ) -> Result<Checked, Error> {
        let mut pseudo: Vec<HeaderField> = Vec::new();
        let mut regular: Vec<HeaderField> = Vec::with_capacity(fields.len());
        let mut reordered = false;
        for mut field in fields.drain(..) {
            if !self.clean_name(&mut field)? || !self.clean_value(&mut field)? {
                continue;
            }
            if field.is_pseudo() {
                if !regular.is_empty() && !reordered {
                    // The only non-reject action moves pseudo-header fields first.
                    self.deviate(Deviation::H2PseudoAfterRegular)?;
                    reordered = true;
                }
                if self.keep_pseudo(&field, role, &pseudo)? {
                    pseudo.push(field);
                }
            } else if self.keep_regular(&field)? {
                regular.push(field);
            }
        }
        let mut checked = match role {
            BlockRole::Request => self.request(&pseudo)?,
            BlockRole::Response => self.response(&pseudo, end_stream)?,
            BlockRole::Trailers => Checked::default(),
        };
        if role == BlockRole::Request {
            self.host(&pseudo, &mut regular)?;
        }
        checked.content_length = self.content_length(&mut regular)?;
        fields.extend(pseudo);
        fields.extend(regular);
        Ok(checked)
    }

    /// Whether the field stays; lowercases names when repairing.
    fn clean_name(&mut self, field: &mut HeaderField) -> Result<bool, Error> {
        let name = &field.name[..];
        let body = name.strip_prefix(b":").unwrap_or(name);
        let invalid = body.is_empty()
            || !body
                .iter()
                .all(|b| crate::h1::is_tchar(*b) || b.is_ascii_uppercase());
        if invalid {
            // The only non-reject action drops the field.
            self.deviate(Deviation::H2InvalidHeaderName)?;
            return Ok(false);
        }
        if body.iter().any(u8::is_ascii_uppercase) {
            // The only non-reject action lowercases the name.
            self.deviate(Deviation::H2UppercaseHeaderName)?;
            field.name = Bytes::from(name.to_ascii_lowercase());
        }
        Ok(true)
    }

    /// Whether the field stays; cleans values when repairing.
    fn clean_value(&mut self, field: &mut HeaderField) -> Result<bool, Error> {
        let value = &field.value[..];
        // Any control but HTAB (RFC 9110 §5.5): RFC 9113 §8.2.1 makes NUL, CR and LF
        // malformed and leaves the others to the recipient; `h2` refuses them all, and ends
        // the whole connection when it meets one.
        if value.iter().copied().any(is_value_ctl) {
            // The only non-reject action replaces them with SP.
            self.deviate(Deviation::H2InvalidHeaderValue)?;
            let cleaned: Vec<u8> = value
                .iter()
                .map(|&b| if is_value_ctl(b) { b' ' } else { b })
                .collect();
            field.value = Bytes::from(cleaned);
        }
        let value = &field.value[..];
        let ows = |b: &u8| *b == b' ' || *b == b'\t';
        if value.first().is_some_and(ows) || value.last().is_some_and(ows) {
            // The only non-reject action trims the value.
            self.deviate(Deviation::H2HeaderValueWhitespace)?;
            let start = value.iter().position(|b| !ows(b)).unwrap_or(value.len());
            let end = value.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
            field.value = field.value.slice(start..end);
        }
        Ok(true)
    }

    fn keep_pseudo(
        &mut self,
        field: &HeaderField,
        role: BlockRole,
        seen: &[HeaderField],
    ) -> Result<bool, Error> {
        let name = &field.name[..];
        let defined = match role {
            BlockRole::Request => REQUEST_PSEUDO.contains(&name),
            BlockRole::Response => name == b":status",
            BlockRole::Trailers => {
                // The only non-reject action drops the field.
                self.deviate(Deviation::H2PseudoInTrailers)?;
                return Ok(false);
            }
        };
        if !defined {
            self.deviate(Deviation::H2UnknownPseudo)?;
            return Ok(false);
        }
        if let Some(earlier) = seen.iter().find(|earlier| earlier.name == field.name) {
            if earlier.value != field.value {
                return Err(self.refuse(Deviation::H2DuplicatePseudo));
            }
            self.deviate(Deviation::H2DuplicatePseudo)?;
            return Ok(false);
        }
        Ok(true)
    }

    fn keep_regular(&mut self, field: &HeaderField) -> Result<bool, Error> {
        let name = &field.name[..];
        if CONNECTION_SPECIFIC.contains(&name) {
            // The only non-reject action drops the field.
            self.deviate(Deviation::H2ConnectionSpecificHeader)?;
            return Ok(false);
        }
        if name == b"te" && !field.value.eq_ignore_ascii_case(b"trailers") {
            self.deviate(Deviation::H2TeNotTrailers)?;
            return Ok(false);
        }
        Ok(true)
    }

    fn request(&mut self, pseudo: &[HeaderField]) -> Result<Checked, Error> {
        let get = |name: &[u8]| {
            pseudo
                .iter()
                .find(|f| &f.name[..] == name)
                .map(|f| &f.value)
        };
        let Some(method) = get(b":method") else {
            return Err(self.refuse(Deviation::H2MissingPseudo));
        };
        if &method[..] == b"CONNECT" && get(b":protocol").is_none() {
            if get(b":scheme").is_some() || get(b":path").is_some() {
                return Err(self.refuse(Deviation::H2ConnectWithPath));
            }
            if get(b":authority").is_none() {
                return Err(self.refuse(Deviation::H2MissingPseudo));
            }
        } else {
            match (get(b":scheme"), get(b":path")) {
                (Some(_), Some(path)) if path.is_empty() => {
                    return Err(self.refuse(Deviation::H2EmptyPath));
                }
                (Some(_), Some(_)) => {}
                _ => return Err(self.refuse(Deviation::H2MissingPseudo)),
            }
        }
        Ok(Checked {
            method: Some(method.clone()),
            ..Checked::default()
        })
    }

    fn response(&mut self, pseudo: &[HeaderField], end_stream: bool) -> Result<Checked, Error> {
        let Some(status) = pseudo.iter().find(|f| &f.name[..] == b":status") else {
            return Err(self.refuse(Deviation::H2MissingPseudo));
        };
        let digits = &status.value[..];
        // RFC 9110 §15: valid codes are 100 to 599; `h2` takes up to 999, but nothing below 100.
        if digits.len() != 3
            || !digits.iter().all(u8::is_ascii_digit)
            || !(b'1'..=b'5').contains(&digits[0])
        {
            return Err(self.refuse(Deviation::H2StatusNotThreeDigits));
        }
        let status = digits
            .iter()
            .fold(0u16, |acc, digit| acc * 10 + u16::from(digit - b'0'));
        if (100..200).contains(&status) && end_stream {
            return Err(self.refuse(Deviation::H2InterimWithEndStream));
        }
        Ok(Checked {
            status: Some(status),
            ..Checked::default()
        })
    }

    fn host(
        &mut self,
        pseudo: &[HeaderField],
        regular: &mut Vec<HeaderField>,
    ) -> Result<(), Error> {
        let Some(authority) = pseudo.iter().find(|f| &f.name[..] == b":authority") else {
            return Ok(());
        };
        let mismatch = regular
            .iter()
            .any(|f| &f.name[..] == b"host" && !f.value.eq_ignore_ascii_case(&authority.value));
        if mismatch {
            // The only non-reject action drops Host: :authority wins.
            self.deviate(Deviation::H2HostAuthorityMismatch)?;
            regular.retain(|f| &f.name[..] != b"host");
        }
        Ok(())
    }

    fn content_length(&mut self, regular: &mut Vec<HeaderField>) -> Result<Option<u64>, Error> {
        let mut length: Option<u64> = None;
        let mut valid = true;
        for field in regular.iter().filter(|f| &f.name[..] == b"content-length") {
            for element in field.value.split(|b| *b == b',') {
                let element = crate::h1::trim_ows(element);
                match crate::h1::parse_decimal(element) {
                    Some(value) if length.is_none_or(|first| first == value) => {
                        length = Some(value);
                    }
                    _ => valid = false,
                }
            }
        }
        if valid {
            return Ok(length);
        }
        // The only non-reject action drops the field: DATA frames delimit the body.
        self.deviate(Deviation::H2ContentLengthInvalid)?;
        regular.retain(|f| &f.name[..] != b"content-length");
        Ok(None)
    }
}
