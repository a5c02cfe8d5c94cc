//! Every default and bound of the configuration, each with the reason for its value.
//! `docs/config.md` quotes these; keep the two in step.

use std::time::Duration;

/// `shutdown.drain_timeout`: long enough for ordinary requests in flight to finish, short
/// enough that a rolling restart is not held up by one slow download (Kubernetes gives a pod
/// 30 s between SIGTERM and SIGKILL by default; draining must fit in that).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// `log.level`: requests are logged at `info`, per-frame detail at `debug` and below.
pub const LOG_LEVEL: &str = "info";

/// `policy.client` and `policy.origin`: the `default` preset, strict toward clients (nothing
/// that can smuggle or desync passes) and forgiving but never ambiguous toward origins.
pub const POLICY: &str = "default";

/// `workers` upper bound: more threads than this is a typo (`workers = 20000`), not a machine.
pub const MAX_WORKERS: usize = 1024;

/// `listeners.limits.max_connections`: about 10,000 connections fit in the default 64 MiB
/// of buffers per side with room to spare; beyond it the process should be scaled out
/// rather than run out of file descriptors (a common `ulimit -n` is 65,536).
pub const MAX_CONNECTIONS: usize = 10_000;

/// `listeners.limits.header_read_timeout`: a client that has not sent a complete request
/// head in 10 s is a Slowloris or a dead peer (nginx's `client_header_timeout` is 60 s,
/// Apache's `RequestReadTimeout` starts at 20 s; heads arrive in one round trip in practice).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// `listeners.limits.idle_timeout`: how long a client connection may sit without a request.
/// Browsers keep connections 60 s or more, so closing earlier costs them a handshake.
pub const CLIENT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// `clusters.*.retries`: one extra attempt rides out a single bad connection (a pooled
/// connection the origin just closed) without tripling the load of a failing origin.
pub const RETRIES: u32 = 1;

/// `clusters.*.retries` upper bound: every retry multiplies the load a failing cluster gets;
/// more than this turns an outage into a retry storm.
pub const MAX_RETRIES: u32 = 10;

/// `clusters.*.timeouts.connect`: a TCP + TLS handshake inside a data centre takes
/// milliseconds; 2 s means the origin is down or unreachable and the next one should be tried.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// `clusters.*.timeouts.first_byte`: how long an origin may think before the response head
/// (nginx's `proxy_read_timeout` is 60 s; 30 s is past what an interactive client waits).
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// `clusters.*.timeouts.idle`: the longest silence inside a response body once it started.
pub const ORIGIN_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// `clusters.*.timeouts.total`: an upper bound on one exchange, so that no request holds a
/// connection forever; 5 minutes covers large downloads on slow links.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(300);

/// `clusters.*.pool.max_connections_per_origin`: bounds what one proxy can open to one origin
/// (a thundering herd after a restart must not exhaust the origin's accept queue). Each
/// in-flight request to an HTTP/1 origin holds a connection, so this is also the request
/// concurrency toward one HTTP/1 origin; 1024 is Envoy's default circuit-breaker limit. A
/// request waits for a place up to the connect timeout, then gets 503.
pub const MAX_CONNECTIONS_PER_ORIGIN: usize = 1024;

/// `clusters.*.pool.max_idle_per_origin`: idle connections kept warm. By default every
/// connection may stay idle until `idle_timeout` (as hyper's and Envoy's pools do): the
/// connection limit already bounds the sockets, and closing idle connections under steady
/// load only makes the proxy reconnect (measured: 320 concurrent requests over 64 kept
/// connections opened about 500 connections a second). Lower it for origins that keep a
/// worker per socket.
pub const MAX_IDLE_PER_ORIGIN: usize = MAX_CONNECTIONS_PER_ORIGIN;

/// `clusters.*.pool.idle_timeout`: shorter than the keep-alive timeout of common origins would
/// be ideal, but those vary (nginx 75 s, Node.js 5 s); 90 s with retry-on-stale-connection
/// (see `retries`) is the usual compromise (Envoy's default idle timeout is 1 h, Go's 90 s).
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// `clusters.*.pool.max_concurrent_streams`: the value RFC 9113 §6.5.2 recommends as a
/// minimum for `SETTINGS_MAX_CONCURRENT_STREAMS`, and what most servers announce.
pub const MAX_CONCURRENT_STREAMS: u32 = 100;

/// `clusters.*.pool.max_concurrent_streams` upper bound: stream ids are 31 bits.
pub const MAX_CONCURRENT_STREAMS_LIMIT: u32 = (1 << 31) - 1;

/// `routes.path_prefix`: every path starts with `/`, so this route matches every request.
pub const PATH_PREFIX: &str = "/";
