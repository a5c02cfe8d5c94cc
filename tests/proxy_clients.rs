//! Real clients through `tollgate proxy` (the binary): curl over HTTP/1.1, h2c and TLS with
//! ALPN, nghttp, h2load and wrk; origins over HTTP/1.1, h2c and TLS. Every body is checked
//! against the SHA-256 the origin computed, and every load run's counts are read back.

#![cfg(test)]

mod support;

use std::process::Command;

use support::certs::TestPki;
use support::clients::curl;
use support::origin::{Origin, Speaks, tls_config};
use support::tollgate::Tollgate;
use support::{have, pattern, sha256_hex};

/// Quick mode in front of `upstream`, with `extra` options.
fn quick(upstream: &str, extra: &[&std::ffi::OsStr]) -> Tollgate {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--upstream".as_ref(),
        upstream.as_ref(),
        "--workers".as_ref(),
        "2".as_ref(),
    ];
    args.extend_from_slice(extra);
    Tollgate::start(&args, 1, false)
}

/// Asserts a `/bytes/N` answer arrived whole.
fn assert_body(answer: &support::clients::Answer, len: usize, what: &str) {
    assert_eq!(answer.status, 200, "{what}");
    assert_eq!(answer.body.len(), len, "{what}");
    assert_eq!(
        sha256_hex(&answer.body),
        sha256_hex(&pattern(len)),
        "{what}"
    );
    assert_eq!(
        sha256_hex(&answer.body),
        answer.header("x-body-sha256"),
        "{what}"
    );
}

#[test]
fn curl_over_http1_and_h2c_to_an_http1_origin() {
    if !have("curl", "curl_over_http1_and_h2c_to_an_http1_origin") {
        return;
    }
    let origin = Origin::start("h1-origin", Speaks::H1);
    let tollgate = quick(&format!("http://{}", origin.addr), &[]);
    let base = format!("http://{}", tollgate.addr());
    let mut count = 0;
    for len in [0, 1, 16_385, 1 << 20, 8 << 20] {
        for (flag, version) in [("--http1.1", "1.1"), ("--http2-prior-knowledge", "2")] {
            let answer = curl(&[flag], &format!("{base}/bytes/{len}"));
            assert_body(&answer, len, &format!("{flag} {len}"));
            assert_eq!(answer.version, version, "{flag}");
            assert_eq!(answer.header("x-origin"), "h1-origin");
            // The origin is always reached over HTTP/1.1, whatever the client spoke.
            assert_eq!(answer.header("x-origin-version"), "HTTP/1.1");
            count += 1;
        }
    }
    assert_eq!(origin.served(), count);
}

#[test]
fn curl_over_tls_negotiates_h2_and_http11_by_alpn() {
    if !have("curl", "curl_over_tls_negotiates_h2_and_http11_by_alpn") {
        return;
    }
    let pki = TestPki::new();
    let (cert, key) = pki.issue(&["localhost"]);
    let origin = Origin::start("h1-origin", Speaks::H1);
    let tollgate = quick(
        &format!("http://{}", origin.addr),
        &[
            "--tls-cert".as_ref(),
            cert.as_os_str(),
            "--tls-key".as_ref(),
            key.as_os_str(),
        ],
    );
    let port = tollgate.addr().port();
    let resolve = format!("localhost:{port}:127.0.0.1");
    let ca = pki.ca_pem.to_str().unwrap();
    for (flag, version) in [("--http2", "2"), ("--http1.1", "1.1")] {
        let answer = curl(
            &[flag, "--cacert", ca, "--resolve", &resolve],
            &format!("https://localhost:{port}/bytes/300000"),
        );
        assert_body(&answer, 300_000, flag);
        assert_eq!(
            answer.version, version,
            "{flag}: ALPN chose the other protocol"
        );
    }
    // The certificate is the one given, issued by the test CA: a client trusting only the
    // system's roots refuses it (60: the peer's certificate cannot be authenticated).
    let refused = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "--resolve",
            &resolve,
        ])
        .arg(format!("https://localhost:{port}/"))
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(60),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(origin.served(), 2);
}

#[test]
fn nghttp_over_h2c() {
    if !have("nghttp", "nghttp_over_h2c") {
        return;
    }
    let origin = Origin::start("h1-origin", Speaks::H1);
    let tollgate = quick(&format!("http://{}", origin.addr), &[]);
    // One stream per run: nghttp writes the DATA of concurrent streams as they come,
    // interleaved, so two URLs in one run would not give two bodies in a row.
    for len in [1 << 20, 70_000] {
        let output = Command::new("nghttp")
            .args(["--timeout=20"])
            .arg(format!("http://{}/bytes/{len}", tollgate.addr()))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.stdout.len(), len);
        assert_eq!(sha256_hex(&output.stdout), sha256_hex(&pattern(len)));
    }
    assert_eq!(origin.served(), 2);
}

/// The number before `label` in h2load's summary line starting with `line` ("requests:").
fn h2load_count(summary: &str, line: &str, label: &str) -> u64 {
    let row = summary
        .lines()
        .find(|row| row.trim_start().starts_with(line))
        .unwrap_or_else(|| panic!("no {line:?} line in:\n{summary}"));
    let fields: Vec<&str> = row.split([',', ':']).map(str::trim).collect();
    fields
        .iter()
        .find_map(|field| field.strip_suffix(label)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in {row:?}"))
}

#[test]
fn h2load_2000_requests_all_succeed() {
    if !have("h2load", "h2load_2000_requests_all_succeed") {
        return;
    }
    let origin = Origin::start("h1-origin", Speaks::H1);
    let tollgate = quick(&format!("http://{}", origin.addr), &[]);
    let started = std::time::Instant::now();
    let output = Command::new("h2load")
        .args(["-n", "2000", "-c", "10", "-m", "10", "-T", "20"])
        .arg(format!("http://{}/bytes/1024", tollgate.addr()))
        .output()
        .unwrap();
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{summary}");
    eprintln!("h2load: 2000 requests in {:?}", started.elapsed());
    assert_eq!(
        h2load_count(&summary, "requests:", "succeeded"),
        2000,
        "{summary}"
    );
    assert_eq!(
        h2load_count(&summary, "requests:", "failed"),
        0,
        "{summary}"
    );
    assert_eq!(
        h2load_count(&summary, "requests:", "errored"),
        0,
        "{summary}"
    );
    assert_eq!(
        h2load_count(&summary, "requests:", "timeout"),
        0,
        "{summary}"
    );
    assert_eq!(
        h2load_count(&summary, "status codes:", "2xx"),
        2000,
        "{summary}"
    );
    assert_eq!(origin.served(), 2000);
}

/// The number after `label` in wrk's output, or `None` when the line is absent (wrk prints
/// error lines only when there were errors).
fn wrk_line<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    output
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label))
        .map(str::trim)
}

#[test]
fn wrk_keep_alive_load_has_no_errors() {
    if !have("wrk", "wrk_keep_alive_load_has_no_errors") {
        return;
    }
    let origin = Origin::start("h1-origin", Speaks::H1);
    let tollgate = quick(&format!("http://{}", origin.addr), &[]);
    let output = Command::new("wrk")
        .args(["-t1", "-c10", "-d1s", "--timeout", "5s"])
        .arg(format!("http://{}/bytes/1024", tollgate.addr()))
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{report}");
    assert_eq!(
        wrk_line(&report, "Non-2xx or 3xx responses:"),
        None,
        "{report}"
    );
    assert_eq!(wrk_line(&report, "Socket errors:"), None, "{report}");
    // "  12345 requests in 1.00s, 1.23MB read"
    let requests: u64 = report
        .lines()
        .find(|line| line.contains(" requests in "))
        .and_then(|line| line.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no request count in:\n{report}"));
    eprintln!("wrk: {requests} requests in 1 s over 10 connections");
    assert!(requests > 0, "{report}");
    // wrk counts only completed answers; the origin may have served a few more when the
    // clock stopped.
    assert!(
        origin.served() >= requests,
        "{} < {requests}",
        origin.served()
    );
}

#[test]
fn an_origin_over_h2c() {
    if !have("curl", "an_origin_over_h2c") {
        return;
    }
    let origin = Origin::start("h2c-origin", Speaks::H2c);
    let tollgate = quick(&format!("h2c://{}", origin.addr), &[]);
    let base = format!("http://{}", tollgate.addr());
    for flag in ["--http1.1", "--http2-prior-knowledge"] {
        for len in [0, 100_000, 1 << 20] {
            let answer = curl(&[flag], &format!("{base}/bytes/{len}"));
            assert_body(&answer, len, flag);
            assert_eq!(answer.header("x-origin"), "h2c-origin");
            assert_eq!(answer.header("x-origin-version"), "HTTP/2.0");
        }
    }
    assert_eq!(origin.served(), 6);
}

#[test]
fn an_origin_over_https_trusted_with_upstream_ca() {
    if !have("curl", "an_origin_over_https_trusted_with_upstream_ca") {
        return;
    }
    let pki = TestPki::new();
    // An IP-literal origin: no SNI is sent, so the certificate must name the address.
    let (cert, key) = pki.issue(&["127.0.0.1"]);
    let origin = Origin::start("tls-origin", Speaks::Tls(tls_config(&cert, &key)));
    let upstream = format!("https://{}", origin.addr);
    let tollgate = quick(
        &upstream,
        &["--upstream-ca".as_ref(), pki.ca_pem.as_os_str()],
    );
    let base = format!("http://{}", tollgate.addr());
    for flag in ["--http1.1", "--http2-prior-knowledge"] {
        let answer = curl(&[flag], &format!("{base}/bytes/500000"));
        assert_body(&answer, 500_000, flag);
        assert_eq!(answer.header("x-origin"), "tls-origin");
        // ALPN offered h2 and http/1.1; the origin prefers h2.
        assert_eq!(answer.header("x-origin-version"), "HTTP/2.0");
    }
    assert_eq!(origin.served(), 2);
    drop(tollgate);

    // Without the CA the origin's certificate is not trusted: verification is really on.
    let untrusting = quick(&upstream, &[]);
    let answer = curl(&[], &format!("http://{}/bytes/10", untrusting.addr()));
    assert_eq!(
        answer.status,
        502,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(origin.served(), 2);
}
