//! Requests from the neutral form toward origins.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::request::Parts;
use http::uri::{Authority, PathAndQuery, Uri};
use http::{Method, Version};
use tollgate_codecs::h1::{self, RequestHead};

use crate::authority;
use crate::cookie;
use crate::error::{Error, ErrorKind, shown};
use crate::fields::check_h1_value;
use crate::hop::{Hop, te_trailers};
use crate::neutral::{BodyLen, is_asterisk};

/// A neutral request as an HTTP/1.1 head for an origin.
///
/// - the target is origin-form, from the URI's path and query, or `*` for [`AsteriskForm`]
///   (RFC 9112 §3.2.1, §3.2.4);
/// - Host comes first, from the URI's authority (RFC 9110 §7.2: "a user agent MUST generate
///   Host as the first field"); then the other fields in order, cookies joined into one field
///   where the first was (RFC 9113 §8.2.3);
/// - connection-specific fields are never copied (RFC 9110 §7.6.1); `te: trailers` is sent
///   with `connection: te`, as RFC 9110 §10.1.4 asks of a sender of TE;
/// - the framing comes from `body` alone (RFC 9112 §6.1, §6.2): `Exact(n)` sends
///   `content-length: n`, `Unknown` sends `transfer-encoding: chunked`, `Empty` sends nothing
///   except `content-length: 0` for POST, PUT and PATCH, whose content the origin expects
///   (RFC 9110 §8.6: a user agent SHOULD send it when the method defines content).
///
/// [`AsteriskForm`]: crate::AsteriskForm
///
/// # Errors
///
/// [`ErrorKind::UnsupportedMethod`] for CONNECT; [`ErrorKind::MissingAuthority`] for a URI
/// without authority; [`ErrorKind::InvalidTarget`] for a path HTTP/1.1 cannot carry or `*`
/// with a method other than OPTIONS; [`ErrorKind::InvalidHeader`] for a value with leading or
/// trailing whitespace. These are the HTTP/2 → HTTP/1 downgrade vectors: nothing is written
/// that would read back differently.
pub fn request_to_h1(parts: &Parts, body: BodyLen) -> Result<RequestHead, Error> {
    refuse_connect(&parts.method)?;
    let authority = authority_of(&parts.uri)?;
    let target = if is_asterisk(parts) {
        if parts.method != Method::OPTIONS {
            return Err(Error::new(
                ErrorKind::InvalidTarget,
                format!("asterisk-form with method {}", parts.method),
            ));
        }
        "*".to_owned()
    } else {
        match parts.uri.query() {
            Some(query) => format!("{}?{query}", parts.uri.path()),
            None => parts.uri.path().to_owned(),
        }
    };
    if !target.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Error::new(
            ErrorKind::InvalidTarget,
            format!("target {:?} is not visible ASCII", shown(target.as_bytes())),
        ));
    }
    let hop = Hop::of(&parts.headers);
    let cookie = cookie::joined(&parts.headers);
    let mut cookie_sent = false;
    let length;
    let mut pairs: Vec<(&str, &[u8])> = Vec::with_capacity(parts.headers.len() + 3);
    pairs.push(("host", authority.as_str().as_bytes()));
    for (name, value) in &parts.headers {
        if *name == header::COOKIE {
            if let Some(cookie) = cookie.as_ref().filter(|_| !cookie_sent) {
                pairs.push((name.as_str(), cookie.as_bytes()));
                cookie_sent = true;
            }
            continue;
        }
        if end_to_end(name, &hop) {
            check_h1_value(name, value)?;
            pairs.push((name.as_str(), value.as_bytes()));
        }
    }
    if te_trailers(&parts.headers) {
        pairs.push(("te", b"trailers"));
        pairs.push(("connection", b"te"));
    }
    match body {
        BodyLen::Exact(n) => {
            length = n.to_string();
            pairs.push(("content-length", length.as_bytes()));
        }
        BodyLen::Unknown => pairs.push(("transfer-encoding", b"chunked")),
        BodyLen::Empty => {
            if [Method::POST, Method::PUT, Method::PATCH].contains(&parts.method) {
                pairs.push(("content-length", b"0"));
            }
        }
    }
    RequestHead::new(
        parts.method.as_str().as_bytes(),
        target.as_bytes(),
        h1::Version::Http11,
        pairs,
    )
    .map_err(|error| Error::new(ErrorKind::InvalidHeader, error.to_string()))
}

/// A neutral request shaped for the `h2` crate's client.
///
/// The URI goes as it is (`:scheme`, `:authority`, `:path`; `*` for [`AsteriskForm`]); Host
/// and connection-specific fields are left out (RFC 9113 §8.2.2, §8.3.1), `te: trailers` is
/// kept, and cookies are split into one field per crumb (RFC 9113 §8.2.3). `content-length`
/// is `n` for `Exact(n)` and absent otherwise: END_STREAM frames the body, and a stated
/// length that the DATA frames did not match would make the request malformed
/// (RFC 9113 §8.1.1).
///
/// [`AsteriskForm`]: crate::AsteriskForm
///
/// # Errors
///
/// [`ErrorKind::UnsupportedMethod`] for CONNECT; [`ErrorKind::MissingAuthority`] or
/// [`ErrorKind::InvalidTarget`] for a URI that is not absolute.
pub fn request_to_h2(parts: &Parts, body: BodyLen) -> Result<http::Request<()>, Error> {
    refuse_connect(&parts.method)?;
    let authority = authority_of(&parts.uri)?;
    let scheme = parts
        .uri
        .scheme()
        .ok_or_else(|| Error::new(ErrorKind::InvalidTarget, "the URI has no scheme"))?;
    let uri = if is_asterisk(parts) {
        Uri::builder()
            .scheme(scheme.clone())
            .authority(authority)
            .path_and_query(PathAndQuery::from_static("*"))
            .build()
            .map_err(|error| Error::new(ErrorKind::InvalidTarget, error.to_string()))?
    } else {
        parts.uri.clone()
    };
    let hop = Hop::of(&parts.headers);
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        if *name != header::COOKIE && end_to_end(name, &hop) {
            headers.append(name.clone(), value.clone());
        }
    }
    for crumb in cookie::split(&parts.headers) {
        headers.append(header::COOKIE, crumb);
    }
    if te_trailers(&parts.headers) {
        headers.insert(header::TE, HeaderValue::from_static("trailers"));
    }
    if let BodyLen::Exact(n) = body {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    let mut request = http::Request::new(());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = uri;
    *request.version_mut() = Version::HTTP_2;
    *request.headers_mut() = headers;
    Ok(request)
}

/// Whether a field is copied as it is: not Host, not connection-specific, not `te` or
/// `content-length`, which the output side writes itself.
fn end_to_end(name: &HeaderName, hop: &Hop) -> bool {
    !(hop.drops(name)
        || *name == header::HOST
        || *name == header::TE
        || *name == header::CONTENT_LENGTH)
}

fn refuse_connect(method: &Method) -> Result<(), Error> {
    if *method == Method::CONNECT {
        return Err(Error::new(
            ErrorKind::UnsupportedMethod,
            "CONNECT tunnels are not translated",
        ));
    }
    Ok(())
}

fn authority_of(uri: &Uri) -> Result<Authority, Error> {
    let stated = uri.authority().ok_or_else(|| {
        Error::new(
            ErrorKind::MissingAuthority,
            format!("URI {uri} has no authority"),
        )
    })?;
    // The neutral form is built without userinfo, but a caller may have built its own.
    authority::parse(stated.as_str().as_bytes(), "URI authority")
}
