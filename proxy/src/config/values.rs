//! Parsers for the configuration's string-typed values. Each returns the message a person
//! needs (what was wrong, what is expected); the caller adds where.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::model::{HostMatch, OriginAddr, OriginHost};

/// A positive duration in humantime's syntax (`250ms`, `5s`, `1m 30s`).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let expected = "expected e.g. \"250ms\", \"5s\"";
    // humantime also takes "5 sec"; a unit written apart from its number is refused so that
    // there is one spelling ("1m 30s": spaces only between number-unit groups).
    let detached_unit = text
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0].is_ascii_digit() && pair[1].is_ascii_whitespace());
    if detached_unit {
        return Err(format!("invalid duration {text:?}: {expected}"));
    }
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err(format!(
            "invalid duration {text:?}: must be greater than zero"
        )),
        Ok(duration) => Ok(duration),
        Err(_) => Err(format!("invalid duration {text:?}: {expected}")),
    }
}

/// An `IP:port` to bind.
pub(crate) fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        format!(
            "invalid address {text:?}: expected IP:port, e.g. \"0.0.0.0:8443\" or \"[::]:8443\""
        )
    })
}

/// An origin `host:port`: an IPv4 literal, `[IPv6]`, or a DNS name, and a port.
pub(crate) fn origin(text: &str) -> Result<OriginAddr, String> {
    let invalid = |why: &str| {
        format!(
            "invalid origin {text:?}: {why}; expected host:port, e.g. \"10.0.0.2:8080\", \"[::1]:8080\" or \"api.internal:443\""
        )
    };
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (ip, port) = rest
            .split_once("]:")
            .ok_or_else(|| invalid("an IPv6 address in brackets needs a port after `]:`"))?;
        let ip: std::net::Ipv6Addr = ip.parse().map_err(|_| invalid("not an IPv6 address"))?;
        (OriginHost::Ip(IpAddr::V6(ip)), port)
    } else {
        let (host, port) = text
            .rsplit_once(':')
            .ok_or_else(|| invalid("the port is missing"))?;
        if host.contains(':') {
            return Err(invalid("an IPv6 address must be in brackets"));
        }
        let host = match host.parse::<IpAddr>() {
            Ok(ip) => OriginHost::Ip(ip),
            Err(_) if is_dns_name(host) => OriginHost::Name(host.to_ascii_lowercase()),
            Err(_) => return Err(invalid("not an IP address or a DNS name")),
        };
        (host, port)
    };
    let port = match port.parse::<u16>() {
        Ok(0) | Err(_) => return Err(invalid("the port must be a number from 1 to 65535")),
        Ok(port) => port,
    };
    Ok(OriginAddr { host, port })
}

/// A route's `host`: `name`, `*.suffix` (one label), or an IP literal (`[::1]` or `::1`).
pub(crate) fn host_match(text: &str) -> Result<HostMatch, String> {
    let lower = text.to_ascii_lowercase();
    let lower = lower.strip_suffix('.').unwrap_or(&lower);
    if let Some(suffix) = lower.strip_prefix("*.") {
        if !is_dns_name(suffix) {
            return Err(format!(
                "invalid host {text:?}: a wildcard is \"*.\" and a DNS name, e.g. \"*.example.com\""
            ));
        }
        return Ok(HostMatch::Wildcard(suffix.to_owned()));
    }
    let unbracketed = lower
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(lower);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(HostMatch::Exact(ip.to_string()));
    }
    if lower.contains(':') {
        return Err(format!(
            "invalid host {text:?}: leave out the port (routes match any port)"
        ));
    }
    if !is_dns_name(lower) {
        return Err(format!(
            "invalid host {text:?}: expected a DNS name, \"*.\" and a DNS name, or an IP address"
        ));
    }
    Ok(HostMatch::Exact(lower.to_owned()))
}

/// A TLS server name for a certificate (`*.example.com` allowed) or an SNI to send.
pub(crate) fn server_name(text: &str, wildcard: bool) -> Result<String, String> {
    let lower = text.to_ascii_lowercase();
    let name = match lower.strip_prefix("*.") {
        Some(suffix) if wildcard => suffix,
        _ => &lower,
    };
    if is_dns_name(name) && name.parse::<IpAddr>().is_err() {
        Ok(lower)
    } else {
        Err(format!(
            "invalid server name {text:?}: expected a DNS name{}",
            if wildcard {
                " or \"*.\" and a DNS name"
            } else {
                ""
            }
        ))
    }
}

/// Letters, digits and hyphens in dot-separated labels of 1 to 63 bytes, 253 bytes at most
/// (RFC 1123 host names; underscores allowed, as service names in private zones use them).
pub(crate) fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert_eq!(
            duration("5 parsecs"),
            Err("invalid duration \"5 parsecs\": expected e.g. \"250ms\", \"5s\"".to_owned())
        );
        assert_eq!(
            duration("0s"),
            Err("invalid duration \"0s\": must be greater than zero".to_owned())
        );
        assert!(duration("").is_err());
        assert!(duration("5").is_err(), "a bare number has no unit");
        assert!(duration("5 sec").is_err(), "the unit goes with its number");
        assert!(duration("1m30s").is_ok());
    }

    #[test]
    fn origins() {
        let addr = origin("127.0.0.1:8080").unwrap();
        assert_eq!(addr.host, OriginHost::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(addr.port, 8080);
        assert_eq!(origin("[::1]:443").unwrap().to_string(), "[::1]:443");
        assert_eq!(
            origin("API.Internal:80").unwrap().host,
            OriginHost::Name("api.internal".to_owned())
        );
        for bad in [
            "127.0.0.1",
            "api.internal",
            "::1:80",
            "[::1]",
            "[::1]80",
            "[nope]:80",
            "host:0",
            "host:65536",
            "host:http",
            ":80",
            "a b:80",
            "-x:80",
        ] {
            assert!(origin(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(origin("host").unwrap_err().contains("the port is missing"));
    }

    #[test]
    fn host_matches() {
        assert_eq!(
            host_match("API.Example.com."),
            Ok(HostMatch::Exact("api.example.com".to_owned()))
        );
        assert_eq!(
            host_match("*.Example.com"),
            Ok(HostMatch::Wildcard("example.com".to_owned()))
        );
        assert_eq!(host_match("[::1]"), Ok(HostMatch::Exact("::1".to_owned())));
        assert_eq!(host_match("::1"), Ok(HostMatch::Exact("::1".to_owned())));
        assert!(
            host_match("a.example:8080")
                .unwrap_err()
                .contains("leave out the port")
        );
        for bad in ["", "*", "*.", "a.*.com", "**.a", "a..b", "a b"] {
            assert!(host_match(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn server_names() {
        assert_eq!(server_name("A.example", false), Ok("a.example".to_owned()));
        assert_eq!(server_name("*.example", true), Ok("*.example".to_owned()));
        assert!(server_name("*.example", false).is_err());
        assert!(server_name("10.0.0.1", false).is_err());
    }
}
