//! Hop identity: the `Via` field every forwarded message gets (RFC 9110 §7.6.3).

use std::fmt;

use http::HeaderMap;
use http::header::{self, Entry, HeaderValue};

use crate::error::{Error, ErrorKind, shown};

/// The name this proxy gives itself in `Via`: `received-by = pseudonym [ ":" port ]`
/// (RFC 9110 §7.6.3), checked once when configured rather than on every message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pseudonym {
    name: String,
    /// `"1.0 NAME"`, `"1.1 NAME"`, `"2 NAME"`, `"3 NAME"`, built once: every forwarded
    /// message gets one, and a clone shares the bytes.
    members: [HeaderValue; 4],
}

impl Pseudonym {
    /// Checks `name`: a token, optionally followed by `:` and a port number.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPseudonym`] otherwise.
    pub fn new(name: &str) -> Result<Pseudonym, Error> {
        let (token, port) = match name.split_once(':') {
            Some((token, port)) => (token, Some(port)),
            None => (name, None),
        };
        let token_ok = !token.is_empty() && token.bytes().all(is_tchar);
        let port_ok = port.is_none_or(|port| {
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
        });
        let member = |version: &str| {
            // A token, a space, digits and dots: a valid value, checked anyway.
            HeaderValue::try_from(format!("{version} {name}")).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidPseudonym,
                    format!(
                        "Via pseudonym {:?} makes no field value",
                        shown(name.as_bytes())
                    ),
                )
            })
        };
        if token_ok && port_ok {
            Ok(Pseudonym {
                name: name.to_owned(),
                members: [member("1.0")?, member("1.1")?, member("2")?, member("3")?],
            })
        } else {
            Err(Error::new(
                ErrorKind::InvalidPseudonym,
                format!(
                    "Via pseudonym {:?} is not a token with an optional :port",
                    shown(name.as_bytes())
                ),
            ))
        }
    }

    /// The name as configured.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The `Via` member for a message received over `version`.
    fn member(&self, version: http::Version) -> Option<HeaderValue> {
        let index = match version {
            http::Version::HTTP_10 => 0,
            http::Version::HTTP_11 => 1,
            http::Version::HTTP_2 => 2,
            http::Version::HTTP_3 => 3,
            other => {
                return HeaderValue::try_from(format!("{} {}", protocol_version(other), self)).ok();
            }
        };
        self.members.get(index).cloned()
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Appends this hop to `Via`: `"1.1 tollgate"` for a message received over HTTP/1.1, `"2
/// tollgate"` over HTTP/2 (the protocol name is omitted for HTTP, RFC 9110 §7.6.3). An
/// existing `Via` gets it as a new member at the end of its last field line, so the order
/// of hops stays readable on every version.
pub fn add_via(headers: &mut HeaderMap, received: http::Version, pseudonym: &Pseudonym) {
    let Some(member) = pseudonym.member(received) else {
        return;
    };
    match headers.entry(header::VIA) {
        Entry::Vacant(entry) => {
            entry.insert(member);
        }
        Entry::Occupied(mut entry) => {
            let Some(last) = entry.iter_mut().last() else {
                return;
            };
            let mut joined = last.as_bytes().to_vec();
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(member.as_bytes());
            match HeaderValue::from_bytes(&joined) {
                Ok(value) => *last = value,
                // Unreachable with a valid last value; a field line of its own is the same
                // list (RFC 9110 §5.3).
                Err(_) => entry.append(member),
            }
        }
    }
}

fn protocol_version(version: http::Version) -> String {
    match version {
        http::Version::HTTP_09 => "0.9".to_owned(),
        http::Version::HTTP_10 => "1.0".to_owned(),
        http::Version::HTTP_11 => "1.1".to_owned(),
        http::Version::HTTP_2 => "2".to_owned(),
        http::Version::HTTP_3 => "3".to_owned(),
        // `http` may add versions; its Debug form is "HTTP/x.y".
        other => {
            let shown = format!("{other:?}");
            shown
                .strip_prefix("HTTP/")
                .map_or(shown.clone(), str::to_owned)
        }
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via(headers: &HeaderMap) -> Vec<&str> {
        headers
            .get_all(header::VIA)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect()
    }

    #[test]
    fn rfc9110_7_6_3_via_names_the_received_protocol_version() {
        let pseudonym = Pseudonym::new("tollgate").unwrap();
        for (version, expected) in [
            (http::Version::HTTP_10, "1.0 tollgate"),
            (http::Version::HTTP_11, "1.1 tollgate"),
            (http::Version::HTTP_2, "2 tollgate"),
            (http::Version::HTTP_3, "3 tollgate"),
        ] {
            let mut headers = HeaderMap::new();
            add_via(&mut headers, version, &pseudonym);
            assert_eq!(via(&headers), [expected]);
        }
    }

    #[test]
    fn rfc9110_7_6_3_via_is_appended_as_the_last_member() {
        let mut headers = HeaderMap::new();
        headers.append(header::VIA, HeaderValue::from_static("1.0 fred"));
        headers.append(header::VIA, HeaderValue::from_static("1.1 p.example.net"));
        add_via(
            &mut headers,
            http::Version::HTTP_2,
            &Pseudonym::new("gw:8443").unwrap(),
        );
        assert_eq!(via(&headers), ["1.0 fred", "1.1 p.example.net, 2 gw:8443"]);
    }

    #[test]
    fn pseudonyms_are_tokens_with_an_optional_port() {
        for good in ["tollgate", "edge-1.example", "t:80"] {
            assert_eq!(Pseudonym::new(good).unwrap().as_str(), good);
        }
        for bad in ["", "two words", "a,b", "x:", "x:http", "x:123456", "ü"] {
            assert_eq!(
                Pseudonym::new(bad).unwrap_err().kind(),
                ErrorKind::InvalidPseudonym,
                "{bad:?}"
            );
        }
    }
}
