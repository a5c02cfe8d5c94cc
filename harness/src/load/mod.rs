//! A closed-loop HTTP load generator, a fast fixed-response origin, and the benchmark subjects
//! (tollgate, nginx, haproxy) they measure.
//!
//! The generator is closed-loop: every connection (HTTP/1) or stream lane (HTTP/2) sends its
//! next request only when the previous one has been answered, so the rate measured is the rate
//! the target sustains, and latency is the time from writing a request to reading the end of
//! its response. HTTP/1 responses are read with tollgate's own [`ResponseDecoder`]; HTTP/2 uses
//! the `h2` crate's client with prior knowledge (h2c).
//!
//! Failed requests (refused connections, resets, responses that do not parse, a peer that
//! closes mid-response) are counted in the [`LoadReport`], never fatal: a connection that dies
//! is reopened, with a growing pause while attempts keep failing, so a dead target costs a
//! bounded number of attempts. A [`LoadError`] means the run itself could not be made.
//!
//! [`ResponseDecoder`]: tollgate_codecs::h1::ResponseDecoder

mod backoff;
mod budget;
mod error;
mod h1;
mod h2;
pub mod origin;
pub mod subjects;
mod tally;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::task::JoinSet;
use tollgate_codecs::Policy;
use tollgate_codecs::h1::{RequestHead, Version, encode_request_head};

use crate::load::budget::Budget;
use crate::load::tally::Tally;

pub use error::{LoadError, LoadErrorKind};
pub use origin::Origin;

/// How the generator speaks to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadProtocol {
    /// HTTP/1.1 with keep-alive, one request in flight per connection.
    H1,
    /// HTTP/2 over cleartext with prior knowledge, several streams in flight per connection.
    H2,
}

impl LoadProtocol {
    /// `h1` or `h2`.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadProtocol::H1 => "h1",
            LoadProtocol::H2 => "h2",
        }
    }
}

/// What to load, how hard and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadSpec {
    /// Where to connect.
    pub target: SocketAddr,
    /// HTTP/1.1 or HTTP/2 (prior knowledge).
    pub protocol: LoadProtocol,
    /// TCP connections kept open at once.
    pub connections: usize,
    /// Requests in flight at once on each HTTP/2 connection; HTTP/1 always has one.
    pub streams_per_connection: usize,
    /// How long requests are measured, after the warm-up.
    pub duration: Duration,
    /// How long requests are sent but not measured first (connections opened, caches warm).
    pub warmup: Duration,
    /// The Host field (HTTP/1) or `:authority` (HTTP/2) sent.
    pub host: String,
    /// The request target, in origin-form (`/`, `/index.html?x=1`).
    pub path: String,
    /// At most this many measured requests (answered or failed); the run ends earlier when
    /// they are done.
    pub max_requests: Option<u64>,
}

impl LoadSpec {
    /// A spec with the usual defaults: 1 connection, 1 stream, 10 s measured after 2 s of
    /// warm-up, Host `localhost`, path `/`, no request cap.
    pub fn new(target: SocketAddr, protocol: LoadProtocol) -> LoadSpec {
        LoadSpec {
            target,
            protocol,
            connections: 1,
            streams_per_connection: 1,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(2),
            host: "localhost".to_owned(),
            path: "/".to_owned(),
            max_requests: None,
        }
    }
}

/// Latency percentiles of the answered requests of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    /// The median.
    pub p50: Duration,
    /// The 90th percentile.
    pub p90: Duration,
    /// The 99th percentile.
    pub p99: Duration,
    /// The slowest request.
    pub max: Duration,
}

/// What a run measured. Only requests started after the warm-up count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadReport {
    /// Requests answered with a complete response, whatever its status.
    pub requests: u64,
    /// Requests that got no complete response: connection refused or lost, reset stream,
    /// response that does not parse. A failed connection attempt counts as one.
    pub errors: u64,
    /// Answered requests whose final status was not 2xx (included in `requests`).
    pub non_success: u64,
    /// Response body bytes received with the answered requests.
    pub bytes: u64,
    /// The measured window: from the end of the warm-up to the last measured request's end
    /// (at most the spec's duration).
    pub elapsed: Duration,
    /// `requests` per second of `elapsed`.
    pub requests_per_sec: f64,
    /// Latency of the answered requests (microsecond resolution).
    pub latency: Latency,
    /// Why the first failed request failed, when one did: the usual first clue.
    pub first_error: Option<String>,
}

/// Runs the load described by `spec` and reports what it measured.
///
/// Needs a tokio runtime with the time and net drivers. Returns after `warmup + duration` at
/// the latest (requests still in flight then are abandoned and not counted), earlier when
/// `max_requests` measured requests are done.
///
/// # Errors
///
/// [`LoadErrorKind::InvalidSpec`] when the spec has no connections or streams, or a host or
/// path that cannot be sent; [`LoadErrorKind::Task`] when a worker task panicked.
pub async fn run(spec: &LoadSpec) -> Result<LoadReport, LoadError> {
    validate(spec)?;
    let template = tally::histogram()?;
    let budget = Arc::new(Budget::new(Instant::now(), spec));
    let mut workers = JoinSet::new();
    match spec.protocol {
        LoadProtocol::H1 => {
            let request = h1_request(spec)?;
            let policy = Arc::new(Policy::default());
            for _ in 0..spec.connections {
                let worker = h1::Worker {
                    target: spec.target,
                    request: request.clone(),
                    policy: Arc::clone(&policy),
                    budget: Arc::clone(&budget),
                    tally: Tally::new(template.clone()),
                };
                workers.spawn(worker.run());
            }
        }
        LoadProtocol::H2 => {
            let request = h2::RequestTemplate::new(spec)?;
            for _ in 0..spec.connections {
                let worker = h2::Worker {
                    target: spec.target,
                    request: request.clone(),
                    streams: spec.streams_per_connection,
                    budget: Arc::clone(&budget),
                    template: template.clone(),
                };
                workers.spawn(worker.run());
            }
        }
    }
    let mut total = Tally::new(template);
    while let Some(joined) = workers.join_next().await {
        let tally = joined.map_err(|error| {
            LoadError::new(
                LoadErrorKind::Task,
                format!("a load worker failed: {error}"),
            )
        })??;
        total.merge(&tally)?;
    }
    Ok(total.report(&budget))
}

fn validate(spec: &LoadSpec) -> Result<(), LoadError> {
    let invalid = |detail: &str| Err(LoadError::new(LoadErrorKind::InvalidSpec, detail));
    if spec.connections == 0 {
        return invalid("connections must be at least 1");
    }
    if spec.streams_per_connection == 0 {
        return invalid("streams per connection must be at least 1");
    }
    if spec.max_requests == Some(0) {
        return invalid("max requests must be at least 1 when given");
    }
    if !spec.path.starts_with('/') {
        return invalid("the path must be in origin-form, starting with `/`");
    }
    if spec.host.is_empty() {
        return invalid("the host must not be empty");
    }
    Ok(())
}

/// The one request every HTTP/1 connection sends, encoded once: the generator must cost the
/// machine as little as possible, since it shares it with the target.
fn h1_request(spec: &LoadSpec) -> Result<Bytes, LoadError> {
    let head = RequestHead::new(
        b"GET",
        spec.path.as_bytes(),
        Version::Http11,
        [("host", spec.host.as_bytes())],
    )
    .map_err(|error| {
        LoadError::new(
            LoadErrorKind::InvalidSpec,
            format!("the request cannot be sent: {error}"),
        )
    })?;
    let mut buf = BytesMut::new();
    encode_request_head(&head, &mut buf);
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LoadSpec {
        LoadSpec::new(SocketAddr::from(([127, 0, 0, 1], 1)), LoadProtocol::H1)
    }

    #[test]
    fn h1_request_is_encoded_once_with_host() {
        let mut spec = spec();
        spec.host = "example.test".to_owned();
        spec.path = "/a?b=c".to_owned();
        let bytes = h1_request(&spec).unwrap();
        assert_eq!(
            &bytes[..],
            b"GET /a?b=c HTTP/1.1\r\nhost: example.test\r\n\r\n"
        );
    }

    #[test]
    fn invalid_specs_are_refused_with_their_kind() {
        let cases: [fn(&mut LoadSpec); 5] = [
            |s| s.connections = 0,
            |s| s.streams_per_connection = 0,
            |s| s.max_requests = Some(0),
            |s| s.path = "index.html".to_owned(),
            |s| s.host = String::new(),
        ];
        for change in cases {
            let mut spec = spec();
            change(&mut spec);
            assert_eq!(
                validate(&spec).unwrap_err().kind(),
                LoadErrorKind::InvalidSpec
            );
        }
        assert!(validate(&spec()).is_ok());
    }

    #[test]
    fn a_host_with_a_line_break_is_refused() {
        let mut spec = spec();
        spec.host = "a\r\nx: y".to_owned();
        assert_eq!(
            h1_request(&spec).unwrap_err().kind(),
            LoadErrorKind::InvalidSpec
        );
    }
}
