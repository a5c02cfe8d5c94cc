//! Authorities: from Host, from `:authority`, and whether two of them are the same.

use http::uri::Authority;

use crate::error::{Error, ErrorKind, shown};

/// `bytes` as an authority, `where_from` naming it in errors.
///
/// # Errors
///
/// [`ErrorKind::MissingAuthority`] when empty (RFC 9112 §3.2: an empty Host means there is
/// none); [`ErrorKind::InvalidAuthority`] when it has userinfo, which `http` and `https` URIs
/// must not carry on the wire (RFC 9110 §4.2.4), or is not `host[:port]`.
pub(crate) fn parse(bytes: &[u8], where_from: &str) -> Result<Authority, Error> {
    if bytes.is_empty() {
        return Err(Error::new(
            ErrorKind::MissingAuthority,
            format!("{where_from} is empty"),
        ));
    }
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidAuthority,
            format!("{where_from} {:?} {why}", shown(bytes)),
        )
    };
    if bytes.contains(&b'@') {
        return Err(invalid("has userinfo"));
    }
    let authority = Authority::try_from(bytes).map_err(|_| invalid("is not host[:port]"))?;
    // `http` accepts any bytes after the last colon; RFC 3986 §3.2.3 allows digits only.
    let after_host = match bytes.iter().rposition(|b| *b == b']') {
        Some(close) => &bytes[close + 1..],
        None => bytes,
    };
    if let Some(colon) = after_host.iter().rposition(|b| *b == b':')
        && !after_host[colon + 1..].iter().all(u8::is_ascii_digit)
    {
        return Err(invalid("has a port that is not a number"));
    }
    if authority.host().is_empty() {
        return Err(invalid("has no host"));
    }
    Ok(authority)
}

/// Whether two authorities name the same host and port: hosts compare without ASCII case
/// (RFC 3986 §3.2.2); the text is otherwise compared as it is, since RFC 9113 §8.3.1 asks
/// that Host and `:authority` not differ at all.
pub(crate) fn same(a: &Authority, b: &Authority) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_parse() {
        for good in [
            "example.com",
            "example.com:8080",
            "[::1]:443",
            "10.0.0.1",
            "h:",
        ] {
            assert_eq!(parse(good.as_bytes(), "Host").unwrap().as_str(), good);
        }
    }

    #[test]
    fn rfc9112_3_2_empty_host_is_no_authority() {
        assert_eq!(
            parse(b"", "Host").unwrap_err().kind(),
            ErrorKind::MissingAuthority
        );
    }

    #[test]
    fn rfc9110_4_2_4_userinfo_and_garbage_are_invalid() {
        for bad in [
            "user@example.com",
            "u:p@example.com",
            "example.com:http",
            "exa mple.com",
            ":80",
            "a/b",
        ] {
            let error = parse(bad.as_bytes(), "Host").unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidAuthority, "{bad}");
            assert!(error.detail().starts_with("Host "), "{error}");
        }
    }

    #[test]
    fn rfc3986_3_2_2_hosts_compare_without_case() {
        let a = parse(b"Example.COM:81", "a").unwrap();
        assert!(same(&a, &parse(b"example.com:81", "b").unwrap()));
        assert!(!same(&a, &parse(b"example.com", "b").unwrap()));
        assert!(!same(&a, &parse(b"example.org:81", "b").unwrap()));
    }
}
