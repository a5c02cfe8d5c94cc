//! Requests from clients into the neutral form.

use http::header::{self, HeaderMap};
use http::request::Parts;
use http::uri::{Authority, PathAndQuery, Uri};
use http::{Method, Version};
use tollgate_codecs::h1::{self, RequestHead, TargetForm};

use crate::authority;
use crate::cookie;
use crate::error::{Error, ErrorKind, shown};
use crate::fields;
use crate::hop::strip_connection_specific;
use crate::neutral::{AsteriskForm, Scheme};

/// An HTTP/1 request head in the neutral form (see the crate documentation).
///
/// The authority comes from the target when it is in absolute-form — Host is then ignored
/// (RFC 9112 §3.2.2) — and from Host otherwise (RFC 9112 §3.3); the scheme from an
/// absolute-form target, otherwise from the listener. `OPTIONS *`, and `OPTIONS` in
/// absolute-form with an empty path (RFC 9112 §3.2.4), become [`AsteriskForm`].
///
/// # Errors
///
/// - [`ErrorKind::UnsupportedMethod`] for CONNECT;
/// - [`ErrorKind::MissingAuthority`] without a usable Host (an HTTP/1.0 request may omit it;
///   the codec already refuses an HTTP/1.1 one);
/// - [`ErrorKind::ConflictingAuthority`] for several differing Host values (the codec
///   refuses them for HTTP/1.1 requests, RFC 9112 §3.2);
/// - [`ErrorKind::InvalidAuthority`], [`ErrorKind::InvalidTarget`],
///   [`ErrorKind::InvalidMethod`], [`ErrorKind::InvalidHeader`] for parts `http` cannot hold.
pub fn request_from_h1(head: &RequestHead, scheme: Scheme) -> Result<Parts, Error> {
    if head.method_is("CONNECT") {
        return Err(connect());
    }
    let method = Method::from_bytes(head.method()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidMethod,
            format!("method {:?} is not a token", shown(head.method())),
        )
    })?;
    let (uri, asterisk) = match head.target_form() {
        TargetForm::Origin => (
            uri(scheme.to_http(), host_authority(head)?, head.target())?,
            false,
        ),
        TargetForm::Asterisk => (uri(scheme.to_http(), host_authority(head)?, b"/")?, true),
        TargetForm::Absolute => absolute(head.target(), &method)?,
        TargetForm::Authority => {
            return Err(Error::new(
                ErrorKind::InvalidTarget,
                "authority-form is for CONNECT only",
            ));
        }
    };
    let mut headers = fields::from_h1(head.fields(), |field| field.is("host"))?;
    normalise(&mut headers);
    let version = match head.version() {
        h1::Version::Http10 => Version::HTTP_10,
        h1::Version::Http11 => Version::HTTP_11,
    };
    Ok(parts(method, uri, version, headers, asterisk))
}

/// A request from the `h2` crate's server in the neutral form.
///
/// `:authority` is the authority; a Host field may stand in for it when it is absent, and
/// must equal it when both are present (RFC 9113 §8.3.1). Host is then removed, cookie
/// crumbs joined (RFC 9113 §8.2.3) and connection-specific fields stripped (`h2` refuses
/// them already; this is defence in depth).
///
/// # Errors
///
/// - [`ErrorKind::UnsupportedMethod`] for CONNECT (extended CONNECT included);
/// - [`ErrorKind::MissingAuthority`] with neither `:authority` nor Host;
/// - [`ErrorKind::ConflictingAuthority`] when Host and `:authority` (or two Hosts) differ;
/// - [`ErrorKind::InvalidAuthority`] for userinfo or a malformed authority;
/// - [`ErrorKind::InvalidTarget`] for a scheme other than `http`/`https`, a `:path` that is
///   neither origin-form nor `*` (RFC 9113 §8.3.1), or `*` for a method other than OPTIONS.
pub fn request_from_h2(mut parts: Parts) -> Result<Parts, Error> {
    if parts.method == Method::CONNECT {
        return Err(connect());
    }
    let scheme = match parts.uri.scheme() {
        Some(scheme) if is_http(scheme) => scheme.clone(),
        Some(scheme) => {
            return Err(Error::new(
                ErrorKind::InvalidTarget,
                format!("scheme {scheme:?} is not http or https"),
            ));
        }
        None => return Err(Error::new(ErrorKind::InvalidTarget, "no :scheme")),
    };
    let host = hosts_agreeing(
        parts
            .headers
            .get_all(header::HOST)
            .iter()
            .map(|v| v.as_bytes()),
    )?;
    let authority = match (parts.uri.authority(), host) {
        (Some(stated), host) => {
            let stated = authority::parse(stated.as_str().as_bytes(), ":authority")?;
            if let Some(host) = host
                && !authority::same(&stated, &host)
            {
                return Err(Error::new(
                    ErrorKind::ConflictingAuthority,
                    format!("Host {host} differs from :authority {stated}"),
                ));
            }
            stated
        }
        (None, Some(host)) => host,
        (None, None) => {
            return Err(Error::new(
                ErrorKind::MissingAuthority,
                "neither :authority nor Host",
            ));
        }
    };
    let path = parts.uri.path_and_query().map_or("/", PathAndQuery::as_str);
    let asterisk = path == "*";
    if asterisk && parts.method != Method::OPTIONS {
        return Err(Error::new(
            ErrorKind::InvalidTarget,
            format!(":path * with method {}", parts.method),
        ));
    }
    if !asterisk && !path.starts_with('/') {
        return Err(Error::new(
            ErrorKind::InvalidTarget,
            format!(":path {:?} is not origin-form", shown(path.as_bytes())),
        ));
    }
    let path = if asterisk { "/" } else { path };
    parts.uri = uri(scheme, authority, path.as_bytes())?;
    parts.headers.remove(header::HOST);
    normalise(&mut parts.headers);
    if asterisk {
        parts.extensions.insert(AsteriskForm);
    }
    Ok(parts)
}

fn connect() -> Error {
    Error::new(
        ErrorKind::UnsupportedMethod,
        "CONNECT tunnels are not translated",
    )
}

fn is_http(scheme: &http::uri::Scheme) -> bool {
    *scheme == http::uri::Scheme::HTTP || *scheme == http::uri::Scheme::HTTPS
}

/// The neutral form's header rules, shared by both inbound directions.
fn normalise(headers: &mut HeaderMap) {
    strip_connection_specific(headers);
    cookie::join(headers);
}

/// The authority of Host fields, which must all agree; `None` without Host.
fn hosts_agreeing<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Option<Authority>, Error> {
    let mut found: Option<Authority> = None;
    for value in values {
        let host = authority::parse(value, "Host")?;
        match &found {
            Some(first) if !authority::same(first, &host) => {
                return Err(Error::new(
                    ErrorKind::ConflictingAuthority,
                    format!("Host {first} and Host {host} differ"),
                ));
            }
            Some(_) => {}
            None => found = Some(host),
        }
    }
    Ok(found)
}

/// The authority an origin-form or asterisk-form HTTP/1 request names in Host.
fn host_authority(head: &RequestHead) -> Result<Authority, Error> {
    hosts_agreeing(head.fields().get_all("host"))?.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingAuthority,
            format!(
                "{} request in {} without Host",
                head.version().as_str(),
                head.target_form().as_str()
            ),
        )
    })
}

/// An absolute-form target as the neutral URI, and whether it means `*`.
fn absolute(target: &[u8], method: &Method) -> Result<(Uri, bool), Error> {
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidTarget,
            format!("target {:?} {why}", shown(target)),
        )
    };
    let parsed = Uri::try_from(target).map_err(|_| invalid("is not a URI"))?;
    let scheme = parsed
        .scheme()
        .filter(|scheme| is_http(scheme))
        .ok_or_else(|| invalid("is not an http or https URI"))?
        .clone();
    let stated = parsed
        .authority()
        .ok_or_else(|| invalid("has no authority"))?;
    let authority = authority::parse(stated.as_str().as_bytes(), "target authority")?;
    // What follows the authority: `http` shows an empty path as "/", which would hide the
    // OPTIONS case of RFC 9112 §3.2.4.
    let after_scheme = target
        .windows(3)
        .position(|w| w == b"://")
        .map_or(target, |at| &target[at + 3..]);
    let rest = after_scheme
        .iter()
        .position(|b| matches!(b, b'/' | b'?'))
        .map_or(&b""[..], |at| &after_scheme[at..]);
    if rest.is_empty() && *method == Method::OPTIONS {
        return Ok((uri(scheme, authority, b"/")?, true));
    }
    let path = if rest.first() == Some(&b'/') {
        rest.to_vec()
    } else {
        // An empty path is "/" (RFC 9110 §4.2.3).
        [&b"/"[..], rest].concat()
    };
    Ok((uri(scheme, authority, &path)?, false))
}

fn uri(scheme: http::uri::Scheme, authority: Authority, path: &[u8]) -> Result<Uri, Error> {
    let path_and_query = PathAndQuery::try_from(path).map_err(|_| {
        Error::new(
            ErrorKind::InvalidTarget,
            format!("path {:?} is not a URI path and query", shown(path)),
        )
    })?;
    Uri::builder()
        .scheme(scheme)
        .authority(authority)
        .path_and_query(path_and_query)
        .build()
        .map_err(|error| Error::new(ErrorKind::InvalidTarget, error.to_string()))
}

fn parts(method: Method, uri: Uri, version: Version, headers: HeaderMap, asterisk: bool) -> Parts {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = method;
    parts.uri = uri;
    parts.version = version;
    parts.headers = headers;
    if asterisk {
        parts.extensions.insert(AsteriskForm);
    }
    parts
}
