//! Request-target forms (RFC 9112 §3.2) and the deviations found in targets.

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::{Span, TargetForm};
use crate::h1::parse::Buf;
use crate::h1::syntax::{is_reg_name_byte, is_uri_byte};
use crate::policy::Action;

/// The form of `target` for `method`, or `None` when it has no valid form.
pub(crate) fn form_of(method: &[u8], target: &[u8]) -> Option<TargetForm> {
    if method == b"CONNECT" {
        // authority-form = uri-host ":" port, and CONNECT allows nothing else.
        return is_host_port(target, PortRule::Required).then_some(TargetForm::Authority);
    }
    if target == b"*" {
        return (method == b"OPTIONS").then_some(TargetForm::Asterisk);
    }
    if target.first() == Some(&b'/') {
        return Some(TargetForm::Origin);
    }
    let authority = absolute_authority(target)?;
    // `http:///x` has no host; userinfo is a deviation checked separately.
    let host_port = authority.rsplit(|b| *b == b'@').next().unwrap_or(authority);
    is_host_port(host_port, PortRule::Optional).then_some(TargetForm::Absolute)
}

/// The authority of an absolute-form or authority-form target.
pub(crate) fn authority_of(form: TargetForm, target: &[u8]) -> Option<&[u8]> {
    match form {
        TargetForm::Absolute => absolute_authority(target),
        TargetForm::Authority => Some(target),
        TargetForm::Origin | TargetForm::Asterisk => None,
    }
}

/// `scheme "://" authority`: the authority of an absolute URI with an authority component.
fn absolute_authority(target: &[u8]) -> Option<&[u8]> {
    let colon = target.iter().position(|b| *b == b':')?;
    let (scheme, rest) = target.split_at(colon);
    let valid_scheme = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let after = rest.strip_prefix(b"://")?;
    if !valid_scheme {
        return None;
    }
    let end = after
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    Some(&after[..end])
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortRule {
    Required,
    Optional,
}

/// `uri-host [ ":" port ]` (RFC 3986 §3.2.2, §3.2.3); an empty host is refused.
pub(crate) fn is_host_port(value: &[u8], port: PortRule) -> bool {
    let (host, rest) = if value.first() == Some(&b'[') {
        match value.iter().position(|b| *b == b']') {
            Some(close) => value.split_at(close + 1),
            None => return false,
        }
    } else {
        // Hosts are short: a plain loop beats memchr's setup.
        let colon = value
            .iter()
            .rposition(|b| *b == b':')
            .unwrap_or(value.len());
        value.split_at(colon)
    };
    let host_ok = if host.first() == Some(&b'[') {
        host.len() > 2
            && host[1..host.len() - 1]
                .iter()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
    } else {
        !host.is_empty() && host.iter().all(|b| is_reg_name_byte(*b))
    };
    let port_ok = match rest.split_first() {
        None => port == PortRule::Optional,
        Some((b':', digits)) => {
            digits.iter().all(u8::is_ascii_digit)
                && (port == PortRule::Optional || !digits.is_empty())
        }
        Some(_) => false,
    };
    host_ok && port_ok
}

/// Checks a request-target, applying the policy, and returns its (possibly rewritten) span
/// and form. `at` is the wire offset of the request line.
pub(crate) fn check(
    buf: &mut Buf<'_>,
    method: Span,
    mut target: Span,
    at: usize,
    ctx: &mut Ctx<'_>,
) -> Result<(Span, TargetForm), Error> {
    // One pass finds both what is not a URI byte and a fragment, the only two things a clean
    // target has to be checked for here.
    let (mut bad, mut hash) = (None, None);
    for (index, byte) in buf.get(target).iter().enumerate() {
        if !is_uri_byte(*byte) {
            bad.get_or_insert(index);
        } else if *byte == b'#' {
            hash.get_or_insert(index);
        }
    }
    if let Some(bad) = bad
        && ctx.deviate(Deviation::InvalidTargetByte, at + bad)? == Action::Repair
    {
        let encoded = percent_encode(buf.get(target));
        target = buf.append(&encoded);
        // Encoding moved the fragment, if any.
        hash = memchr::memchr(b'#', buf.get(target));
    }
    if let Some(hash) = hash
        && ctx.deviate(Deviation::FragmentInTarget, at + hash)? == Action::Repair
    {
        target = Span::new(target.start(), target.start() + hash);
    }
    let method_bytes = buf.get(method);
    let form = form_of(method_bytes, buf.get(target))
        .ok_or_else(|| ctx.error(ErrorKind::InvalidTarget, at))?;
    if form == TargetForm::Absolute {
        let bytes = buf.get(target);
        if let Some(authority) = absolute_authority(bytes)
            && let Some(userinfo_end) = memchr::memrchr(b'@', authority)
        {
            let authority_start = Span::of(bytes, authority).start();
            // The only non-reject action is removal.
            ctx.deviate(Deviation::UserinfoInTarget, at + authority_start)?;
            let mut rewritten = bytes[..authority_start].to_vec();
            rewritten.extend_from_slice(&bytes[authority_start + userinfo_end + 1..]);
            target = buf.append(&rewritten);
        }
    }
    Ok((target, form))
}

fn percent_encode(bytes: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(bytes.len() + 16);
    for byte in bytes {
        if is_uri_byte(*byte) {
            out.push(*byte);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_follow_the_method() {
        assert_eq!(form_of(b"GET", b"/a?b"), Some(TargetForm::Origin));
        assert_eq!(
            form_of(b"GET", b"http://h:8080/a"),
            Some(TargetForm::Absolute)
        );
        assert_eq!(form_of(b"GET", b"http://u@h/a"), Some(TargetForm::Absolute));
        assert_eq!(form_of(b"GET", b"http:///a"), None);
        assert_eq!(form_of(b"GET", b"h:80"), None);
        assert_eq!(form_of(b"CONNECT", b"h:443"), Some(TargetForm::Authority));
        assert_eq!(
            form_of(b"CONNECT", b"[::1]:443"),
            Some(TargetForm::Authority)
        );
        assert_eq!(form_of(b"CONNECT", b"h"), None);
        assert_eq!(form_of(b"CONNECT", b"/"), None);
        assert_eq!(form_of(b"OPTIONS", b"*"), Some(TargetForm::Asterisk));
        assert_eq!(form_of(b"GET", b"*"), None);
    }

    #[test]
    fn authorities_are_extracted() {
        assert_eq!(
            authority_of(TargetForm::Absolute, b"https://a.b:1/x?y"),
            Some(&b"a.b:1"[..])
        );
        assert_eq!(
            authority_of(TargetForm::Absolute, b"http://h?q"),
            Some(&b"h"[..])
        );
        assert_eq!(authority_of(TargetForm::Origin, b"/"), None);
    }

    #[test]
    fn host_values() {
        assert!(is_host_port(b"example.com", PortRule::Optional));
        assert!(is_host_port(b"example.com:8080", PortRule::Optional));
        assert!(is_host_port(b"[::1]:80", PortRule::Optional));
        assert!(!is_host_port(b"a b", PortRule::Optional));
        assert!(!is_host_port(b"a/b", PortRule::Optional));
        assert!(!is_host_port(b"a@b", PortRule::Optional));
        assert!(!is_host_port(b"a:b", PortRule::Optional));
        assert!(!is_host_port(b"", PortRule::Optional));
    }

    #[test]
    fn percent_encoding_keeps_uri_bytes() {
        assert_eq!(percent_encode("/a b\"|δ".as_bytes()), b"/a%20b%22%7C%CE%B4");
    }
}
