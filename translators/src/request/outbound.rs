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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neutral::AsteriskForm;

    fn neutral(method: Method, uri: &str, fields: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder().method(method).uri(uri);
        for (name, value) in fields {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn pairs(head: &RequestHead) -> Vec<(String, String)> {
        crate::test_support::pairs(head.fields())
    }

    use crate::test_support::owned;

    #[test]
    fn rfc9110_7_2_host_first_then_fields_in_order_and_cookies_joined() {
        let parts = neutral(
            Method::GET,
            "https://h.example:8443/a/b?c=d",
            &[
                ("accept", "*/*"),
                ("cookie", "a=1"),
                ("x-one", "1"),
                ("cookie", "b=2"),
            ],
        );
        let head = request_to_h1(&parts, BodyLen::Empty).unwrap();
        assert_eq!(head.method(), b"GET");
        assert_eq!(head.target(), b"/a/b?c=d");
        assert_eq!(head.version(), h1::Version::Http11);
        assert_eq!(
            pairs(&head),
            owned(&[
                ("host", "h.example:8443"),
                ("accept", "*/*"),
                ("cookie", "a=1; b=2"),
                ("x-one", "1"),
            ])
        );
    }

    #[test]
    fn rfc9112_6_framing_comes_from_the_body_length_only() {
        let stale = [("content-length", "99"), ("transfer-encoding", "gzip")];
        let cases = [
            (
                Method::POST,
                BodyLen::Exact(5),
                &[("content-length", "5")][..],
            ),
            (
                Method::POST,
                BodyLen::Unknown,
                &[("transfer-encoding", "chunked")][..],
            ),
            (Method::POST, BodyLen::Empty, &[("content-length", "0")][..]),
            (Method::PUT, BodyLen::Empty, &[("content-length", "0")][..]),
            (
                Method::PATCH,
                BodyLen::Empty,
                &[("content-length", "0")][..],
            ),
            (Method::GET, BodyLen::Empty, &[][..]),
            (Method::DELETE, BodyLen::Empty, &[][..]),
        ];
        for (method, body, framing) in cases {
            let parts = neutral(method.clone(), "http://h/", &stale);
            let head = request_to_h1(&parts, body).unwrap();
            let mut expected = owned(&[("host", "h")]);
            expected.extend(owned(framing));
            assert_eq!(pairs(&head), expected, "{method} {body:?}");
        }
    }

    #[test]
    fn rfc9110_10_1_4_te_trailers_goes_with_connection_te() {
        let parts = neutral(Method::GET, "http://h/", &[("te", "trailers")]);
        let head = request_to_h1(&parts, BodyLen::Empty).unwrap();
        assert_eq!(
            pairs(&head),
            owned(&[("host", "h"), ("te", "trailers"), ("connection", "te")])
        );
    }

    #[test]
    fn rfc9110_7_6_1_connection_specific_fields_are_never_copied() {
        let parts = neutral(
            Method::GET,
            "http://h/",
            &[
                ("connection", "x-hop"),
                ("x-hop", "1"),
                ("keep-alive", "5"),
                ("upgrade", "websocket"),
                ("host", "stale"),
                ("te", "gzip"),
            ],
        );
        let head = request_to_h1(&parts, BodyLen::Empty).unwrap();
        assert_eq!(pairs(&head), owned(&[("host", "h")]));
    }

    #[test]
    fn rfc9112_3_2_4_asterisk_form_is_written_back() {
        let mut parts = neutral(Method::OPTIONS, "http://h/", &[]);
        parts.extensions.insert(AsteriskForm);
        let head = request_to_h1(&parts, BodyLen::Empty).unwrap();
        assert_eq!(head.target(), b"*");
        let h2 = request_to_h2(&parts, BodyLen::Empty).unwrap();
        assert_eq!(h2.uri().path(), "*");
        assert_eq!(h2.uri().authority().unwrap(), "h");

        let mut get = neutral(Method::GET, "http://h/", &[]);
        get.extensions.insert(AsteriskForm);
        assert_eq!(
            request_to_h1(&get, BodyLen::Empty).unwrap_err().kind(),
            ErrorKind::InvalidTarget
        );
    }

    #[test]
    fn rfc9113_8_2_1_values_a_field_line_would_change_are_refused() {
        let parts = neutral(Method::GET, "http://h/", &[("x", " padded")]);
        let error = request_to_h1(&parts, BodyLen::Empty).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidHeader);
        assert!(error.detail().contains("field x"), "{error}");
    }

    #[test]
    fn connect_and_relative_uris_are_refused() {
        let connect = neutral(Method::CONNECT, "h:443", &[]);
        assert_eq!(
            request_to_h1(&connect, BodyLen::Empty).unwrap_err().kind(),
            ErrorKind::UnsupportedMethod
        );
        assert_eq!(
            request_to_h2(&connect, BodyLen::Empty).unwrap_err().kind(),
            ErrorKind::UnsupportedMethod
        );
        let relative = neutral(Method::GET, "/p", &[]);
        assert_eq!(
            request_to_h1(&relative, BodyLen::Empty).unwrap_err().kind(),
            ErrorKind::MissingAuthority
        );
    }

    #[test]
    fn rfc9113_8_2_h2_request_has_no_host_no_hop_fields_and_cookie_crumbs() {
        let parts = neutral(
            Method::POST,
            "https://h/p?q",
            &[
                ("host", "h"),
                ("cookie", "a=1; b=2"),
                ("connection", "x-hop"),
                ("x-hop", "1"),
                ("transfer-encoding", "chunked"),
                ("te", "trailers"),
                ("content-length", "7"),
                ("x-end", "e"),
            ],
        );
        let request = request_to_h2(&parts, BodyLen::Unknown).unwrap();
        assert_eq!(request.uri(), &parts.uri);
        assert_eq!(request.version(), Version::HTTP_2);
        let headers = request.headers();
        let crumbs: Vec<_> = headers.get_all(header::COOKIE).iter().collect();
        assert_eq!(crumbs, ["a=1", "b=2"]);
        assert_eq!(headers["te"], "trailers");
        assert_eq!(headers["x-end"], "e");
        assert_eq!(headers.len(), 4, "{headers:?}");
    }

    #[test]
    fn rfc9113_8_1_1_h2_content_length_only_for_an_exact_body() {
        let parts = neutral(Method::POST, "https://h/", &[("content-length", "7")]);
        for (body, expected) in [
            (BodyLen::Exact(3), Some("3")),
            (BodyLen::Empty, None),
            (BodyLen::Unknown, None),
        ] {
            let request = request_to_h2(&parts, body).unwrap();
            assert_eq!(
                request
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .map(|v| v.to_str().unwrap()),
                expected,
                "{body:?}"
            );
        }
    }
}
