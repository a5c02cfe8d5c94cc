//! Transfer-Encoding and Content-Length: the framing rules 3 to 8 of RFC 9112 §6.3, and the
//! deviations met on the way.

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::Version;
use crate::h1::semantics::draft::{Class, Draft, Known};
use crate::h1::syntax::{is_ows, is_tchar, parse_decimal, trim_ows};
use crate::policy::Action;

/// The framing Content-Length and Transfer-Encoding decide (RFC 9112 §6.3 rules 3 to 8).
pub(super) enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

pub(super) fn body_framing(
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
pub(super) fn transfer_encoding(
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
pub(super) fn content_length(
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

pub(super) fn invalid_content_length(
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

/// `transfer-coding = token *( OWS ";" OWS transfer-parameter )`; the coding name and whether
/// it had parameters.
pub(super) fn parse_coding(element: &[u8]) -> Option<(&[u8], bool)> {
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
pub(super) fn quoted_len(bytes: &[u8]) -> Option<usize> {
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

pub(super) fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !is_ows(*b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Splits a list on commas outside quoted strings; elements are trimmed and may be empty.
pub(super) fn split_list(value: &[u8]) -> Vec<&[u8]> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
