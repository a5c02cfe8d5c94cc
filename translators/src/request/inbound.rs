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

/// A request from the `h2` crate's server in the neutral form; `listener` is the scheme of
/// the connection, used only when `h2` could not keep `:scheme` (see below).
///
/// `:authority` is the authority; a Host field may stand in for it when it is absent, and
/// must equal it when both are present (RFC 9113 §8.3.1); `h2` then gives a URI without
/// scheme, and the listener's stands in. Host is then removed, cookie
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
pub fn request_from_h2(mut parts: Parts, listener: Scheme) -> Result<Parts, Error> {
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
        // `h2` drops `:scheme` when `:authority` is absent (a URI cannot have one without
        // the other); it checked that there was one.
        None => listener.to_http(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn h1(
        method: &str,
        target: &str,
        version: h1::Version,
        fields: &[(&str, &str)],
    ) -> RequestHead {
        RequestHead::new(
            method.as_bytes(),
            target.as_bytes(),
            version,
            fields.iter().copied(),
        )
        .unwrap()
    }

    fn h11(method: &str, target: &str, fields: &[(&str, &str)]) -> RequestHead {
        h1(method, target, h1::Version::Http11, fields)
    }

    fn h2(method: Method, uri: &str, fields: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder()
            .method(method)
            .uri(uri)
            .version(Version::HTTP_2);
        for (name, value) in fields {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn kind(result: Result<Parts, Error>) -> ErrorKind {
        result.unwrap_err().kind()
    }

    #[test]
    fn rfc9112_3_3_origin_form_takes_host_and_the_listener_scheme() {
        let head = h11(
            "GET",
            "/a?b=1",
            &[("Host", "Example.com:8443"), ("Accept", "*/*")],
        );
        let parts = request_from_h1(&head, Scheme::Https).unwrap();
        assert_eq!(parts.method, Method::GET);
        assert_eq!(parts.uri.to_string(), "https://Example.com:8443/a?b=1");
        assert_eq!(parts.version, Version::HTTP_11);
        assert!(!parts.headers.contains_key(header::HOST));
        assert_eq!(parts.headers["accept"], "*/*");
        assert!(!is_asterisk_parts(&parts));
    }

    #[test]
    fn rfc9112_3_2_2_absolute_form_wins_over_host() {
        let head = h11("GET", "http://a.example/x?y", &[("Host", "b.example")]);
        let parts = request_from_h1(&head, Scheme::Https).unwrap();
        assert_eq!(parts.uri.to_string(), "http://a.example/x?y");
        assert!(parts.headers.is_empty());
    }

    #[test]
    fn rfc9110_4_2_3_absolute_form_empty_path_is_slash() {
        for (target, expected) in [
            ("http://a.example", "http://a.example/"),
            ("HTTPS://a.example?q", "https://a.example/?q"),
        ] {
            let parts = request_from_h1(&h11("GET", target, &[]), Scheme::Http).unwrap();
            assert_eq!(parts.uri.to_string(), expected);
            assert!(!is_asterisk_parts(&parts));
        }
    }

    #[test]
    fn rfc9112_3_2_4_options_asterisk_round_trips_as_a_marker() {
        let parts = request_from_h1(&h11("OPTIONS", "*", &[("Host", "h")]), Scheme::Http).unwrap();
        assert_eq!(parts.uri.to_string(), "http://h/");
        assert!(is_asterisk_parts(&parts));
        // An absolute-form OPTIONS with an empty path means `*` as well.
        let parts = request_from_h1(&h11("OPTIONS", "http://h:8001", &[]), Scheme::Http).unwrap();
        assert_eq!(parts.uri.to_string(), "http://h:8001/");
        assert!(is_asterisk_parts(&parts));
        let parts = request_from_h1(&h11("OPTIONS", "http://h:8001/", &[]), Scheme::Http).unwrap();
        assert!(!is_asterisk_parts(&parts));
    }

    #[test]
    fn rfc9112_3_2_http10_without_host_has_no_authority() {
        let head = h1("GET", "/", h1::Version::Http10, &[]);
        let error = request_from_h1(&head, Scheme::Http).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::MissingAuthority);
        assert!(error.detail().contains("HTTP/1.0"), "{error}");
        let head = h1("GET", "/", h1::Version::Http10, &[("Host", "h")]);
        assert_eq!(
            request_from_h1(&head, Scheme::Http).unwrap().version,
            Version::HTTP_10
        );
    }

    #[test]
    fn rfc9112_3_2_empty_or_differing_hosts_are_refused() {
        let empty = h11("GET", "/", &[("Host", "")]);
        assert_eq!(
            kind(request_from_h1(&empty, Scheme::Http)),
            ErrorKind::MissingAuthority
        );
        let two = h1(
            "GET",
            "/",
            h1::Version::Http10,
            &[("Host", "a"), ("Host", "b")],
        );
        assert_eq!(
            kind(request_from_h1(&two, Scheme::Http)),
            ErrorKind::ConflictingAuthority
        );
        let same = h1(
            "GET",
            "/",
            h1::Version::Http10,
            &[("Host", "a"), ("host", "A")],
        );
        assert!(request_from_h1(&same, Scheme::Http).is_ok());
        let userinfo = h11("GET", "/", &[("Host", "u@a")]);
        assert_eq!(
            kind(request_from_h1(&userinfo, Scheme::Http)),
            ErrorKind::InvalidAuthority
        );
    }

    #[test]
    fn rfc9110_9_3_6_connect_is_refused() {
        let head = h11("CONNECT", "example.com:443", &[("Host", "example.com:443")]);
        assert_eq!(
            kind(request_from_h1(&head, Scheme::Http)),
            ErrorKind::UnsupportedMethod
        );
        let parts = h2(Method::CONNECT, "example.com:443", &[]);
        assert_eq!(
            kind(request_from_h2(parts, Scheme::Https)),
            ErrorKind::UnsupportedMethod
        );
    }

    #[test]
    fn absolute_form_schemes_other_than_http_are_refused() {
        let head = h11("GET", "ftp://a.example/x", &[]);
        assert_eq!(
            kind(request_from_h1(&head, Scheme::Http)),
            ErrorKind::InvalidTarget
        );
    }

    #[test]
    fn rfc9110_7_6_1_and_9113_8_2_3_h1_fields_are_normalised() {
        let head = h11(
            "POST",
            "/",
            &[
                ("Host", "h"),
                ("Connection", "keep-alive, Upgrade, X-Hop"),
                ("Upgrade", "h2c"),
                ("HTTP2-Settings", "AAMAAABkAAQAAP__"),
                ("X-Hop", "1"),
                ("Cookie", "a=1"),
                ("TE", "trailers, deflate"),
                ("Cookie", "b=2; c=3"),
                ("Content-Length", "5"),
                ("X-End", "e"),
            ],
        );
        let parts = request_from_h1(&head, Scheme::Http).unwrap();
        let mut fields: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                ("content-length", "5"),
                ("cookie", "a=1; b=2; c=3"),
                ("te", "trailers"),
                ("x-end", "e"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn rfc9113_8_3_1_authority_and_host_must_agree() {
        let parts = h2(Method::GET, "https://h.example/p", &[("host", "H.example")]);
        let neutral = request_from_h2(parts, Scheme::Https).unwrap();
        assert!(!neutral.headers.contains_key(header::HOST));
        assert_eq!(neutral.uri.to_string(), "https://h.example/p");

        let parts = h2(
            Method::GET,
            "https://h.example/p",
            &[("host", "other.example")],
        );
        let error = request_from_h2(parts, Scheme::Https).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConflictingAuthority);
        assert!(error.detail().contains("other.example"), "{error}");
    }

    #[test]
    fn rfc9113_8_3_1_host_stands_in_for_a_missing_authority() {
        // What `h2` gives without `:authority`: no scheme either.
        let parts = h2(Method::GET, "/p?q", &[("host", "h.example")]);
        let neutral = request_from_h2(parts, Scheme::Http).unwrap();
        assert_eq!(neutral.uri.to_string(), "http://h.example/p?q");
        assert!(neutral.headers.is_empty());

        let parts = h2(Method::GET, "/p", &[]);
        assert_eq!(
            kind(request_from_h2(parts, Scheme::Http)),
            ErrorKind::MissingAuthority
        );
    }

    #[test]
    fn rfc9113_8_3_1_path_is_origin_form_or_asterisk_for_options() {
        // `:path *` as `h2` gives it: a URI whose path and query is "*".
        let mut options = http::uri::Parts::from(Uri::from_static("http://h/"));
        options.path_and_query = Some(PathAndQuery::from_static("*"));
        let uri = Uri::from_parts(options).unwrap();
        let mut parts = h2(Method::OPTIONS, "http://h/", &[]);
        parts.uri = uri.clone();
        let neutral = request_from_h2(parts, Scheme::Http).unwrap();
        assert!(is_asterisk_parts(&neutral));
        assert_eq!(neutral.uri.to_string(), "http://h/");

        let mut get = h2(Method::GET, "http://h/", &[]);
        get.uri = uri;
        assert_eq!(
            kind(request_from_h2(get, Scheme::Http)),
            ErrorKind::InvalidTarget
        );
    }

    #[test]
    fn rfc9113_8_2_3_h2_cookie_crumbs_are_joined_and_hop_fields_stripped() {
        let parts = h2(
            Method::GET,
            "http://h/",
            &[
                ("cookie", "a=1"),
                ("cookie", "b=2"),
                ("te", "trailers"),
                ("connection", "x"),
                ("x", "1"),
            ],
        );
        let neutral = request_from_h2(parts, Scheme::Http).unwrap();
        assert_eq!(neutral.headers["cookie"], "a=1; b=2");
        assert_eq!(neutral.headers["te"], "trailers");
        assert_eq!(neutral.headers.len(), 2);
    }

    #[test]
    fn rfc9110_4_2_4_h2_userinfo_is_refused() {
        let parts = h2(Method::GET, "http://u@h/", &[]);
        assert_eq!(
            kind(request_from_h2(parts, Scheme::Http)),
            ErrorKind::InvalidAuthority
        );
    }

    fn is_asterisk_parts(parts: &Parts) -> bool {
        parts.extensions.get::<AsteriskForm>().is_some()
    }
}
