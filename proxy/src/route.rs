//! Which cluster serves a request, from its host and path.
//!
//! The most specific route wins: an exact host over a wildcard over any host; then the longer
//! path prefix; then the earlier route in the file. Hosts compare case-insensitively with the
//! port and a trailing dot ignored; path prefixes are plain byte prefixes (as nginx's
//! `location /prefix`), so `/v1` also matches `/v10` and `/v1/` is how to say "the segment".

use crate::config::{HostMatch, RouteConfig};

/// The routes of a configuration, ordered by precedence.
#[derive(Clone, Debug)]
pub struct Router {
    /// Most specific first; a request takes the first that matches.
    routes: Vec<RouteConfig>,
}

impl Router {
    /// Orders `routes` by precedence (a stable sort keeps file order among equals).
    pub fn new(routes: &[RouteConfig]) -> Router {
        let mut routes = routes.to_vec();
        routes.sort_by_key(|route| {
            let host_rank = match route.host {
                HostMatch::Exact(_) => 0,
                HostMatch::Wildcard(_) => 1,
                HostMatch::Any => 2,
            };
            (host_rank, std::cmp::Reverse(route.path_prefix.len()))
        });
        Router { routes }
    }

    /// The cluster for a request with this `Host` (or `:authority`, port allowed) and path,
    /// or `None` when no route matches (the proxy answers 404).
    pub fn route(&self, host: Option<&str>, path: &str) -> Option<&str> {
        let host = host.map(strip_port);
        self.routes
            .iter()
            .find(|route| {
                path.as_bytes().starts_with(route.path_prefix.as_bytes())
                    && host_matches(&route.host, host)
            })
            .map(|route| route.cluster.as_str())
    }
}

/// The host without its port, brackets of an IPv6 literal, or trailing dot.
fn strip_port(host: &str) -> &str {
    let host = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(ip, _)| ip),
        None => host.split_once(':').map_or(host, |(name, _)| name),
    };
    host.strip_suffix('.').unwrap_or(host)
}

fn host_matches(pattern: &HostMatch, host: Option<&str>) -> bool {
    match (pattern, host) {
        (HostMatch::Any, _) => true,
        (_, None) => false,
        (HostMatch::Exact(want), Some(host)) => host.eq_ignore_ascii_case(want),
        (HostMatch::Wildcard(suffix), Some(host)) => {
            // One label, then ".suffix": "a.example.com" for "*.example.com", not
            // "a.b.example.com" nor "example.com" (as TLS wildcard certificates match).
            host.len() > suffix.len() + 1
                && host
                    .get(host.len() - suffix.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
                && host
                    .get(..host.len() - suffix.len())
                    .and_then(|head| head.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: HostMatch, prefix: &str, cluster: &str) -> RouteConfig {
        RouteConfig {
            host,
            path_prefix: prefix.to_owned(),
            cluster: cluster.to_owned(),
        }
    }

    fn exact(host: &str) -> HostMatch {
        HostMatch::Exact(host.to_owned())
    }

    fn wildcard(suffix: &str) -> HostMatch {
        HostMatch::Wildcard(suffix.to_owned())
    }

    #[test]
    fn exact_host_over_wildcard_over_any_whatever_the_prefix() {
        let router = Router::new(&[
            route(HostMatch::Any, "/v1/users/", "any-long"),
            route(wildcard("example.com"), "/v1/", "wild"),
            route(exact("api.example.com"), "/", "exact"),
        ]);
        assert_eq!(
            router.route(Some("api.example.com"), "/v1/users/7"),
            Some("exact")
        );
        assert_eq!(
            router.route(Some("www.example.com"), "/v1/users/7"),
            Some("wild")
        );
        assert_eq!(router.route(Some("www.example.com"), "/v2"), None);
        assert_eq!(
            router.route(Some("other.org"), "/v1/users/7"),
            Some("any-long")
        );
        assert_eq!(router.route(None, "/v1/users/7"), Some("any-long"));
        assert_eq!(router.route(None, "/"), None);
    }

    #[test]
    fn longer_prefix_wins_then_file_order() {
        let router = Router::new(&[
            route(HostMatch::Any, "/", "root"),
            route(HostMatch::Any, "/api/", "api"),
            route(HostMatch::Any, "/api/v2/", "v2"),
            route(HostMatch::Any, "/b/", "first-b"),
            route(HostMatch::Any, "/c/", "c"),
        ]);
        assert_eq!(router.route(None, "/api/v2/x"), Some("v2"));
        assert_eq!(router.route(None, "/api/v1/x"), Some("api"));
        assert_eq!(
            router.route(None, "/api"),
            Some("root"),
            "byte prefix: /api/ needs the slash"
        );
        assert_eq!(router.route(None, "/static"), Some("root"));
        // Equal length and host: the earlier route comes first.
        assert_eq!(router.route(None, "/b/1"), Some("first-b"));
        assert_eq!(router.route(None, "/c/1"), Some("c"));

        let tie = Router::new(&[
            route(exact("a.example"), "/x", "one"),
            route(HostMatch::Any, "/x", "two"),
            route(exact("A.example"), "/x", "three"),
        ]);
        assert_eq!(tie.route(Some("a.example"), "/x"), Some("one"));
    }

    #[test]
    fn prefixes_are_plain_byte_prefixes() {
        let router = Router::new(&[route(HostMatch::Any, "/v1", "v1")]);
        assert_eq!(router.route(None, "/v1"), Some("v1"));
        assert_eq!(router.route(None, "/v10/x"), Some("v1"));
        assert_eq!(router.route(None, "/V1"), None, "paths are case-sensitive");
    }

    #[test]
    fn hosts_ignore_case_port_brackets_and_trailing_dot() {
        let router = Router::new(&[
            route(exact("api.example.com"), "/", "api"),
            route(exact("::1"), "/", "v6"),
            route(exact("10.0.0.1"), "/", "v4"),
        ]);
        for host in [
            "api.example.com",
            "API.Example.COM",
            "api.example.com:8443",
            "api.example.com.",
        ] {
            assert_eq!(router.route(Some(host), "/"), Some("api"), "{host}");
        }
        assert_eq!(router.route(Some("[::1]:8080"), "/"), Some("v6"));
        assert_eq!(router.route(Some("[::1]"), "/"), Some("v6"));
        assert_eq!(router.route(Some("10.0.0.1:80"), "/"), Some("v4"));
        assert_eq!(router.route(Some("api.example.co"), "/"), None);
        assert_eq!(router.route(Some("xapi.example.com"), "/"), None);
        assert_eq!(router.route(None, "/"), None, "an exact host needs a host");
    }

    #[test]
    fn wildcards_match_exactly_one_label() {
        let router = Router::new(&[route(wildcard("example.com"), "/", "wild")]);
        assert_eq!(router.route(Some("a.example.com"), "/"), Some("wild"));
        assert_eq!(router.route(Some("A.EXAMPLE.COM:443"), "/"), Some("wild"));
        assert_eq!(router.route(Some("a.b.example.com"), "/"), None);
        assert_eq!(router.route(Some("example.com"), "/"), None);
        assert_eq!(router.route(Some(".example.com"), "/"), None);
        assert_eq!(router.route(Some("aexample.com"), "/"), None);
        assert_eq!(router.route(None, "/"), None);
    }
}
