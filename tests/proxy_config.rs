//! `tollgate proxy` configuration handling, end to end: `--check` verdicts and their
//! `FILE:LINE:COL: key: message` locations, start failures and their exit codes, quick-mode
//! option conflicts, `--help`, and examples/tollgate.toml run as is.

#![cfg(test)]

mod support;

use std::net::{SocketAddr, TcpListener};

use support::clients::{H1Conn, curl, get};
use support::origin::{Origin, Speaks};
use support::tollgate::{Tollgate, run};
use support::{TempDir, have, root, sha256_hex};

/// A valid configuration with one listener on an OS-chosen port, for the broken variants
/// below to start from.
const BASE: &str = r#"[[listeners]]
name = "main"
listen = "127.0.0.1:0"

[[routes]]
cluster = "web"

[clusters.web]
origins = ["127.0.0.1:9"]
"#;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn check_accepts_the_example_and_the_base() {
    let example = root().join("examples/tollgate.toml");
    let output = run([
        "proxy".as_ref(),
        "--check".as_ref(),
        "-c".as_ref(),
        example.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("tollgate.toml: valid"), "{out}");
    assert!(out.contains("(2 listeners, 3 routes, 2 clusters)"), "{out}");

    let dir = TempDir::new();
    let base = dir.write("base.toml", BASE);
    let output = run([
        "proxy".as_ref(),
        "--check".as_ref(),
        "-c".as_ref(),
        base.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("valid (1 listeners, 1 routes, 1 clusters)"));
}

#[test]
fn check_names_file_line_column_and_key_of_each_problem() {
    let dir = TempDir::new();
    // (file name, contents, expected "LINE:COL: key: " and a phrase of the message)
    let cases = [
        (
            "unknown-key.toml",
            BASE.replace(
                "name = \"main\"",
                "name = \"main\"\nlisen = \"127.0.0.1:1\"",
            ),
            "3:1: listeners[0].lisen: ",
            "unknown field `lisen`",
        ),
        (
            "bad-duration.toml",
            format!("{BASE}\n[shutdown]\ndrain_timeout = \"5 sec\"\n"),
            "12:17: shutdown.drain_timeout: ",
            "invalid duration \"5 sec\"",
        ),
        (
            "missing-cluster.toml",
            BASE.replace("cluster = \"web\"", "cluster = \"api\""),
            "6:11: routes[0].cluster: ",
            "\"api\"",
        ),
    ];
    for (name, contents, place, phrase) in cases {
        let path = dir.write(name, &contents);
        let output = run([
            "proxy".as_ref(),
            "--check".as_ref(),
            "-c".as_ref(),
            path.as_os_str(),
        ]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {err}");
        assert!(stdout(&output).is_empty(), "{name}: nothing on stdout");
        let expected = format!("{}:{place}", path.display());
        assert!(
            err.contains(&expected),
            "{name}: wanted {expected:?} in {err}"
        );
        assert!(err.contains(phrase), "{name}: wanted {phrase:?} in {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{name}: one line per problem: {err}"
        );

        // Starting with the same file fails the same way, before anything is bound.
        let started = Tollgate::try_start(&["-c".as_ref(), path.as_os_str()], 1, false);
        let failed = started.err().unwrap();
        assert_eq!(failed.status.and_then(|s| s.code()), Some(2), "{name}");
        assert!(
            failed.stderr.contains(&expected),
            "{name}: {}",
            failed.stderr
        );
    }
}

#[test]
fn a_certificate_that_does_not_parse_fails_the_start_with_exit_1() {
    let dir = TempDir::new();
    let cert = dir.write("broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
    let key = dir.write("broken.key", "no key here\n");

    let quick = Tollgate::try_start(
        &[
            "--listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--upstream".as_ref(),
            "http://127.0.0.1:9".as_ref(),
            "--tls-cert".as_ref(),
            cert.as_os_str(),
            "--tls-key".as_ref(),
            key.as_os_str(),
        ],
        1,
        false,
    );
    let failed = quick.err().unwrap();
    assert_eq!(
        failed.status.and_then(|s| s.code()),
        Some(1),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("broken.pem"), "{}", failed.stderr);
    assert!(!failed.stderr.contains("listening on"), "{}", failed.stderr);

    // `--check` reads certificates too: the same file is an invalid configuration there.
    let config = dir.write(
        "tls.toml",
        BASE.replace(
            "listen = \"127.0.0.1:0\"",
            "listen = \"127.0.0.1:0\"\n[listeners.tls]\ncertificates = [{ cert = \"broken.pem\", key = \"broken.key\" }]",
        ),
    );
    let output = run([
        "proxy".as_ref(),
        "--check".as_ref(),
        "-c".as_ref(),
        config.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("broken.pem"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_taken_port_fails_the_start_with_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let started = Tollgate::try_start(
        &["--listen", &addr, "--upstream", "http://127.0.0.1:9"],
        1,
        false,
    );
    let failed = started.err().unwrap();
    assert_eq!(
        failed.status.and_then(|s| s.code()),
        Some(1),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains(&addr), "{}", failed.stderr);
}

#[test]
fn quick_mode_refuses_an_upstream_ca_for_a_cleartext_upstream() {
    let dir = TempDir::new();
    let ca = dir.write("ca.pem", "x");
    let output = run([
        "proxy".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--upstream".as_ref(),
        "http://127.0.0.1:9".as_ref(),
        "--upstream-ca".as_ref(),
        ca.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--upstream-ca: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_names_signals_readiness_and_exit_codes() {
    let output = run(["proxy", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for needle in [
        "SIGTERM",
        "SIGHUP",
        "drain_timeout",
        "listening on ADDR",
        "Exit codes:",
        "--upstream-ca <FILE>",
        "--check",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

/// Whether every one of `ports` on 127.0.0.1 can be bound now.
fn free(ports: &[u16]) -> Result<(), String> {
    for port in ports {
        if let Err(error) = TcpListener::bind(("127.0.0.1", *port)) {
            return Err(format!("127.0.0.1:{port} is taken ({error})"));
        }
    }
    Ok(())
}

#[test]
fn the_example_config_runs_as_is() {
    // Fixed ports, as the example names them: skipped rather than failed on a machine where
    // something else holds them.
    if let Err(reason) = free(&[8000, 8001, 9901]) {
        eprintln!("skipping the_example_config_runs_as_is: {reason}");
        return;
    }
    let origin_addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let origin = match Origin::start_at("example-origin", Speaks::H1, origin_addr) {
        Ok(origin) => origin,
        Err(error) => {
            eprintln!("skipping the_example_config_runs_as_is: 127.0.0.1:8080 is taken ({error})");
            return;
        }
    };
    let example = root().join("examples/tollgate.toml");
    let tollgate = Tollgate::start(&["-c".as_ref(), example.as_os_str()], 2, true);
    let public: SocketAddr = "127.0.0.1:8000".parse().unwrap();
    let internal: SocketAddr = "127.0.0.1:8001".parse().unwrap();
    assert_eq!(tollgate.listeners, vec![public, internal]);
    assert_eq!(tollgate.admin, Some("127.0.0.1:9901".parse().unwrap()));

    // One request per route: /api/ prefix, the api.localhost host, and the catch-all.
    let mut conn = H1Conn::connect(public);
    for (host, path) in [
        ("localhost", "/api/users"),
        ("api.localhost", "/v2/items"),
        ("localhost", "/index.html"),
    ] {
        let answer = conn.get(host, path);
        assert_eq!(answer.status, 200, "{host}{path}");
        assert_eq!(answer.header("x-origin"), "example-origin");
        assert_eq!(
            answer.body,
            format!("example-origin GET {path}\n").as_bytes()
        );
    }
    // The internal listener speaks HTTP/2 only.
    let curl_here = have("curl", "the example's h2-only listener");
    if curl_here {
        let answer = curl(
            &["--http2-prior-knowledge"],
            "http://127.0.0.1:8001/bytes/70000",
        );
        assert_eq!((answer.status, answer.version.as_str()), (200, "2"));
        assert_eq!(sha256_hex(&answer.body), answer.header("x-body-sha256"));
        assert_eq!(answer.body.len(), 70_000);
    }
    assert_eq!(origin.served(), if curl_here { 4 } else { 3 });
    let health = get("127.0.0.1:9901".parse().unwrap(), "/healthz");
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok\n"[..]));
}
