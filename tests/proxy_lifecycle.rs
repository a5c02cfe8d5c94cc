//! `tollgate proxy` over its life, end to end: SIGTERM drains requests in flight (HTTP/1.1
//! and HTTP/2 with GOAWAY) and exits 0; SIGHUP reloads routes without dropping connections
//! and keeps the old configuration when the new one is invalid; the admin endpoint reports
//! health and counts requests.

#![cfg(test)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use support::clients::{H1Conn, H2Raw, curl, get, refused_within};
use support::origin::{Origin, Speaks};
use support::tollgate::Tollgate;
use support::{TempDir, have, pattern, sha256_hex};

/// How long the origin holds the slow requests: long enough to signal while they are in
/// flight, short enough for a quick test.
const SLOW_MS: u64 = 1000;

/// A configuration with one cleartext listener and an admin listener on OS-chosen ports, a
/// 10 s drain, and a catch-all route to `route_to`; clusters `a` and `b` for `a` and `b`.
fn config(route_to: &str, a: SocketAddr, b: SocketAddr) -> String {
    format!(
        r#"workers = 2

[log]
level = "info"

[admin]
listen = "127.0.0.1:0"

[shutdown]
drain_timeout = "10s"

[[listeners]]
name = "main"
listen = "127.0.0.1:0"

[[routes]]
cluster = "{route_to}"

[clusters.a]
origins = ["{a}"]

[clusters.b]
origins = ["{b}"]
"#
    )
}

fn start(path: &Path) -> Tollgate {
    Tollgate::start(&["-c".as_ref(), path.as_os_str()], 1, true)
}

/// `tollgate_requests_total` samples keyed by their labels (`client=h1,origin=h1,status=200`).
fn requests_total(admin: SocketAddr) -> BTreeMap<String, u64> {
    let metrics = get(admin, "/metrics");
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8(metrics.body).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("tollgate_requests_total{"))
        .map(|rest| {
            let (labels, value) = rest.split_once("} ").unwrap();
            let mut labels: Vec<String> = labels.split(',').map(|l| l.replace('"', "")).collect();
            labels.sort();
            (labels.join(","), value.trim().parse().unwrap())
        })
        .collect()
}

/// The value of the sample `series` (name and labels as printed), 0 when absent.
fn sample(admin: SocketAddr, series: &str) -> u64 {
    let metrics = get(admin, "/metrics");
    let text = String::from_utf8(metrics.body).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn sigterm_lets_http1_requests_in_flight_finish_then_exits_0() {
    let origin = Origin::start("a", Speaks::H1);
    let dir = TempDir::new();
    let path = dir.write("tollgate.toml", config("a", origin.addr, origin.addr));
    let mut tollgate = start(&path);
    let addr = tollgate.addr();

    // An idle keep-alive connection: the drain closes it rather than waiting for it.
    let mut idle = H1Conn::connect(addr);
    assert_eq!(idle.get("localhost", "/bytes/10").status, 200);

    let lens = [0usize, 1, 300_000, 2 << 20];
    let clients: Vec<_> = lens
        .iter()
        .map(|&len| {
            std::thread::spawn(move || {
                let mut conn = H1Conn::connect(addr);
                let answer = conn.get("localhost", &format!("/slow/{SLOW_MS}/{len}"));
                (len, answer, conn)
            })
        })
        .collect();
    // Let the requests reach the origin, which holds them for SLOW_MS.
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    tollgate.signal("TERM");

    assert!(
        refused_within(addr, Duration::from_secs(2)),
        "the listener still accepts after SIGTERM"
    );
    let refused_after = signalled.elapsed();
    assert!(
        idle.closed_within(Duration::from_secs(2)),
        "an idle keep-alive connection stays open during the drain"
    );
    for client in clients {
        let (len, answer, mut conn) = client.join().unwrap();
        assert_eq!(answer.status, 200, "{len}");
        assert_eq!(answer.body.len(), len);
        assert_eq!(sha256_hex(&answer.body), sha256_hex(&pattern(len)), "{len}");
        // The answer says the connection closes (RFC 9112 §9.6), so that the client does
        // not send another request into the closing socket, and it is closed.
        assert_eq!(answer.header("connection"), "close", "{len}");
        assert!(
            conn.closed_within(Duration::from_secs(2)),
            "{len}: left open"
        );
    }
    let status = tollgate.wait_exit(Duration::from_secs(9));
    let exited_after = signalled.elapsed();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{}",
        tollgate.stderr()
    );
    eprintln!(
        "drain: refused new connections after {refused_after:?}, exited after {exited_after:?}"
    );
    // It waited for the slow answers (~0.7 s left of SLOW_MS), and not for the deadline.
    assert!(
        exited_after >= Duration::from_millis(500),
        "{exited_after:?}"
    );
    assert!(exited_after < Duration::from_secs(5), "{exited_after:?}");
    assert!(
        tollgate
            .wait_log(&["drained: every request finished"], Duration::ZERO)
            .is_some(),
        "{}",
        tollgate.stderr()
    );
    assert_eq!(origin.served(), 1 + lens.len() as u64);
}

#[test]
fn sigterm_sends_goaway_and_the_http2_stream_in_flight_completes() {
    let origin = Origin::start("a", Speaks::H1);
    let dir = TempDir::new();
    let path = dir.write("tollgate.toml", config("a", origin.addr, origin.addr));
    let mut tollgate = start(&path);
    let addr = tollgate.addr();

    let len = 500_000;
    let mut h2 = H2Raw::connect(addr);
    h2.get(1, "localhost", &format!("/slow/{SLOW_MS}/{len}"));
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    tollgate.signal("TERM");

    let seen = h2.follow(1, true);
    assert!(!seen.goaways.is_empty(), "no GOAWAY: {seen:?}");
    let (last, code) = *seen.goaways.last().unwrap();
    assert_eq!(code, 0, "GOAWAY must be NO_ERROR in a drain");
    assert!(
        last >= 1,
        "GOAWAY's last stream id {last} drops the stream in flight"
    );
    assert_eq!(seen.reset, None);
    assert!(seen.complete, "the stream did not end");
    assert_eq!(seen.status, Some(200));
    assert_eq!(seen.body.len(), len);
    assert_eq!(sha256_hex(&seen.body), sha256_hex(&pattern(len)));
    // With its only stream done, the connection closes and the process exits.
    assert!(
        h2.closed_within(Duration::from_secs(5)),
        "connection left open"
    );
    let status = tollgate.wait_exit(Duration::from_secs(9));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{}",
        tollgate.stderr()
    );
    assert!(signalled.elapsed() < Duration::from_secs(5));
    assert_eq!(origin.served(), 1);
}

#[test]
fn sighup_switches_the_route_and_keeps_connections_an_invalid_file_keeps_the_old_config() {
    let a = Origin::start("a", Speaks::H1);
    let b = Origin::start("b", Speaks::H1);
    let dir = TempDir::new();
    let path = dir.write("tollgate.toml", config("a", a.addr, b.addr));
    let tollgate = start(&path);
    let addr = tollgate.addr();
    let admin = tollgate.admin.unwrap();

    let mut kept = H1Conn::connect(addr);
    let before = kept.get("localhost", "/x");
    assert_eq!((before.status, before.header("x-origin")), (200, "a"));

    std::fs::write(&path, config("b", a.addr, b.addr)).unwrap();
    tollgate.signal("HUP");
    let line = tollgate.wait_log(&["config reloaded"], Duration::from_secs(5));
    let line = line.unwrap_or_else(|| panic!("no reload logged:\n{}", tollgate.stderr()));
    // Cluster settings did not change: both pools are kept.
    assert!(line.contains("kept=[\"a\", \"b\"]"), "{line}");
    assert_eq!(
        sample(admin, "tollgate_config_reloads_total{result=\"ok\"}"),
        1
    );

    let fresh = get(addr, "/y");
    assert_eq!((fresh.status, fresh.header("x-origin")), (200, "b"));
    // The connection opened before the reload is still open and follows the new routes.
    let after = kept.get("localhost", "/z");
    assert_eq!((after.status, after.header("x-origin")), (200, "b"));
    assert_eq!(after.body, b"b GET /z\n");

    // A broken file: refused, logged with its place, the routes stay as they were.
    std::fs::write(
        &path,
        config("a", a.addr, b.addr).replace("[[routes]]", "[[routes]]\nhots = \"x\""),
    )
    .unwrap();
    tollgate.signal("HUP");
    let refused = tollgate.wait_log(&["reload refused"], Duration::from_secs(5));
    let refused = refused.unwrap_or_else(|| panic!("no refusal logged:\n{}", tollgate.stderr()));
    assert!(refused.contains("ERROR"), "{refused}");
    assert!(
        refused.contains("tollgate.toml:17:1: routes[0].hots"),
        "{refused}"
    );
    assert_eq!(
        sample(admin, "tollgate_config_reloads_total{result=\"error\"}"),
        1
    );
    assert_eq!(
        sample(admin, "tollgate_config_reloads_total{result=\"ok\"}"),
        1
    );
    let still = kept.get("localhost", "/w");
    assert_eq!((still.status, still.header("x-origin")), (200, "b"));
    assert_eq!(get(addr, "/v").header("x-origin"), "b");
    assert_eq!((a.served(), b.served()), (1, 4));
}

#[test]
fn admin_reports_health_and_counts_requests_by_protocol_and_status() {
    let origin = Origin::start("a", Speaks::H1);
    let dir = TempDir::new();
    // Only /bytes/ is routed: anything else is answered 404 by the proxy itself.
    let text = config("a", origin.addr, origin.addr)
        .replace("[[routes]]\n", "[[routes]]\npath_prefix = \"/bytes/\"\n");
    let path = dir.write("tollgate.toml", text);
    let tollgate = start(&path);
    let addr = tollgate.addr();
    let admin = tollgate.admin.unwrap();

    let health = get(admin, "/healthz");
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok\n"[..]));

    let mut conn = H1Conn::connect(addr);
    for _ in 0..3 {
        assert_eq!(conn.get("localhost", "/bytes/100").status, 200);
    }
    assert_eq!(conn.get("localhost", "/nowhere").status, 404);
    let mut h2_count = 0;
    if have("curl", "the HTTP/2 half of the admin test") {
        for _ in 0..2 {
            let answer = curl(
                &["--http2-prior-knowledge"],
                &format!("http://{addr}/bytes/100"),
            );
            assert_eq!((answer.status, answer.version.as_str()), (200, "2"));
            h2_count += 1;
        }
    }
    let counted = requests_total(admin);
    let mut expected = BTreeMap::from([
        ("client=h1,origin=h1,status=200".to_owned(), 3),
        ("client=h1,origin=none,status=404".to_owned(), 1),
    ]);
    if h2_count > 0 {
        expected.insert("client=h2,origin=h1,status=200".to_owned(), h2_count);
    }
    assert_eq!(counted, expected);
    assert_eq!(origin.served(), 3 + h2_count);
}
