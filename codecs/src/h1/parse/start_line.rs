//! The slow path's start-line parsers (RFC 9112 §3 and §4).

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::Version;
use crate::h1::parse::StartLine;
use crate::h1::parse::lines::{Line, append};
use crate::h1::syntax::{is_reason_byte, is_tchar};

/// `request-line = method SP request-target SP HTTP-version`.
pub(super) fn request(
    line: &Line,
    out: &mut Vec<u8>,
    ctx: &mut Ctx<'_>,
) -> Result<StartLine, Error> {
    let bytes = &line.bytes[..];
    let parts: Vec<(usize, &[u8])> = split_on_sp(bytes);
    let irregular = bytes.first() == Some(&b' ')
        || bytes.last() == Some(&b' ')
        || bytes.windows(2).any(|pair| pair == b"  ");
    if irregular {
        let at = bytes.windows(2).position(|pair| pair == b"  ").unwrap_or(0);
        ctx.deviate(Deviation::RequestExtraSpaces, line.at + at)?;
    }
    let [
        (method_at, method),
        (target_at, target),
        (version_at, version),
    ] = parts[..]
    else {
        return Err(ctx.error(ErrorKind::InvalidRequestLine, line.at));
    };
    if let Some(bad) = method.iter().position(|b| !is_tchar(*b)) {
        return Err(ctx.error(ErrorKind::InvalidMethod, line.at + method_at + bad));
    }
    if let Some(bad) = target.iter().position(|b| *b <= b' ' || *b == 0x7f) {
        return Err(ctx.error(ErrorKind::InvalidTarget, line.at + target_at + bad));
    }
    if method == b"PRI" && target == b"*" && version == b"HTTP/2.0" {
        return Err(ctx.error(ErrorKind::Http2Preface, line.at));
    }
    let version = parse_version(version, line.at + version_at, ctx)?;
    let method = append(out, method);
    let target = append(out, target);
    Ok(StartLine::Request {
        method,
        target,
        version,
    })
}

/// `status-line = HTTP-version SP status-code SP [ reason-phrase ]`.
pub(super) fn response(
    line: &Line,
    out: &mut Vec<u8>,
    ctx: &mut Ctx<'_>,
) -> Result<StartLine, Error> {
    let bytes = &line.bytes[..];
    let (Some(version), Some(rest)) = (bytes.get(..8), bytes.get(8..)) else {
        return Err(ctx.error(ErrorKind::InvalidStatusLine, line.at));
    };
    let version = parse_version(version, line.at, ctx)?;
    let spaces = rest.iter().take_while(|b| **b == b' ').count();
    match spaces {
        0 => return Err(ctx.error(ErrorKind::InvalidStatusLine, line.at + 8)),
        1 => {}
        _ => {
            ctx.deviate(Deviation::ResponseExtraSpaces, line.at + 9)?;
        }
    }
    let code_at = 8 + spaces;
    let code = bytes.get(code_at..code_at + 3).unwrap_or_default();
    if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
        return Err(ctx.error(ErrorKind::InvalidStatusLine, line.at + code_at));
    }
    let status = code
        .iter()
        .fold(0u16, |acc, digit| acc * 10 + u16::from(digit - b'0'));
    let after = &bytes[code_at + 3..];
    let (reason, reason_missing) = match after.split_first() {
        None => (&after[..0], true),
        Some((b' ', reason)) => (reason, false),
        Some(_) => return Err(ctx.error(ErrorKind::InvalidStatusLine, line.at + code_at + 3)),
    };
    if let Some(bad) = reason.iter().position(|b| !is_reason_byte(*b)) {
        return Err(ctx.error(ErrorKind::InvalidStatusLine, line.at + code_at + 4 + bad));
    }
    Ok(StartLine::Response {
        version,
        status,
        reason: append(out, reason),
        reason_missing,
    })
}

/// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3).
fn parse_version(bytes: &[u8], at: usize, ctx: &mut Ctx<'_>) -> Result<Version, Error> {
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = *bytes else {
        return Err(ctx.error(ErrorKind::InvalidVersion, at));
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return Err(ctx.error(ErrorKind::InvalidVersion, at));
    }
    match (major, minor) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', b'1') => Ok(Version::Http11),
        (b'1', _) => {
            // The only supported non-reject action is to read it as HTTP/1.1.
            ctx.deviate(Deviation::UnknownMinorVersion, at + 7)?;
            Ok(Version::Http11)
        }
        (b'0', b'9') | (b'2'..=b'9', _) => Err(ctx.error(ErrorKind::UnsupportedVersion, at)),
        _ => Err(ctx.error(ErrorKind::InvalidVersion, at)),
    }
}

fn split_on_sp(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    let mut parts = Vec::with_capacity(3);
    let mut start = None;
    for (index, byte) in bytes.iter().enumerate() {
        match (byte, start) {
            (b' ', Some(from)) => {
                parts.push((from, &bytes[from..index]));
                start = None;
            }
            (b' ', None) => {}
            (_, None) => start = Some(index),
            (_, Some(_)) => {}
        }
    }
    if let Some(from) = start {
        parts.push((from, &bytes[from..]));
    }
    parts
}
