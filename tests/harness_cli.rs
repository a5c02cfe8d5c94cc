//! `tollgate harness check` as a user runs it: a corpus with good and bad cases, exit codes.

#![expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = r#"id = "smuggling.h1.cl-cl"
title = "Two different Content-Length fields"
tags = ["h1", "cl-cl"]

[client]
raw = "POST / HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"

[origin]
script = [{ expect = "request" }, { send = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }]

[expect]
any_of = [{ status = 400, origin_requests = 0 }]
"#;

fn tollgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .output()
        .expect("tollgate runs")
}

fn corpus(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tollgate-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn a_valid_corpus_exits_0_and_counts_its_cases() {
    let dir = corpus("good", &[("smuggling/h1/cl-cl.toml", GOOD)]);
    let output = tollgate(&["harness", "check", dir.to_str().expect("utf-8")]);
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with(": 1 cases (0 origin, 1 smuggling), 0 invalid\n"),
        "{stdout}"
    );
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[test]
fn bad_cases_are_named_with_file_line_and_column_and_exit_1() {
    let bad = GOOD.replace("tags = [\"h1\", \"cl-cl\"]", "tags = [\"h1\", \"CL-CL\"]");
    let dir = corpus(
        "bad",
        &[
            ("smuggling/h1/cl-cl.toml", GOOD),
            ("smuggling/h1/again/cl-cl.toml", GOOD),
            ("smuggling/h1/bad-tag/cl-cl.toml", &bad),
        ],
    );
    let output = tollgate(&["harness", "check", dir.to_str().expect("utf-8")]);
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("bad-tag/cl-cl.toml:3:15: a tag is lowercase")),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|line| line.contains("is also the id of")),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with(": 1 cases (0 origin, 1 smuggling), 2 invalid\n"),
        "{stdout}"
    );
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    let output = tollgate(&["harness", "check", "/nonexistent/corpora"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: /nonexistent/corpora: cannot list"),
        "{stderr}"
    );
}

#[test]
fn origin_serve_plays_the_case_for_any_client_and_stops_on_sigterm() {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::net::TcpStream;
    use std::process::Stdio;

    let case = GOOD
        .replace(
            "{ send = \"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n\" }",
            "{ send = \"HTTP/1.1 200 OK\\r\\nContent-Length: 7\\r\\n\\r\\nscripts\" }, { close = true }",
        );
    let dir = corpus("serve", &[("cl-cl.toml", &case)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args([
            "origin",
            "serve",
            dir.join("cl-cl.toml").to_str().expect("utf-8"),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("tollgate starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("a line");
    let addr = line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    assert!(
        line.contains("case smuggling.h1.cl-cl, HTTP/1.1 origin"),
        "{line}"
    );

    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: o\r\n\r\n")
        .expect("send");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("read until the script closes");
    assert_eq!(
        answer,
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nscripts"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("exit");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("the summary");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest, "received 1 connections, 1 requests, 27 bytes\n");
}

const CLEAN_CASE: &str = r#"id = "origin.cli.clean"
title = "A clean answer"
tags = ["cli"]

[client]
request = { method = "GET", path = "/", headers = [["host", "origin.test"]] }

[origin]
script = [{ expect = "request" }, { send = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" }]

[expect]
any_of = [{ status = 200, body = "hello" }]
"#;

#[test]
fn harness_run_plays_cases_against_tollgate_and_writes_every_report() {
    let other = CLEAN_CASE
        .replace("origin.cli.clean", "origin.cli.other")
        .replace("status = 200", "status = 201")
        .replace("tags = [\"cli\"]", "tags = [\"other\"]");
    let dir = corpus(
        "run",
        &[
            ("origin/clean.toml", CLEAN_CASE),
            ("origin/other.toml", &other),
        ],
    );
    let out = dir.join("out");
    let path = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let output = tollgate(&["harness", "run", &path(&dir), "--out", &path(&out)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("tollgate: 2 cases, 1 conformant, 1 deviant, 0 unsafe, 0 failure, 0 skipped")
    );
    let reports: Vec<&str> = lines
        .filter_map(|line| line.strip_prefix("report: "))
        .collect();
    assert_eq!(reports.len(), 4, "{stdout}");
    let json = reports
        .iter()
        .find(|path| path.ends_with(".json"))
        .expect("json");
    let report = tollgate_reports::Report::from_json(&std::fs::read_to_string(json).expect("read"))
        .expect("a report");
    assert_eq!(report.results.len(), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("origin.cli.other: deviant"), "{stderr}");

    // Deviant outcomes fail the run when asked; --filter narrows it to the clean case.
    let output = tollgate(&[
        "harness",
        "run",
        &path(&dir),
        "--out",
        &path(&out),
        "--fail-on",
        "deviant",
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let output = tollgate(&[
        "harness",
        "run",
        &path(&dir),
        "--out",
        &path(&out),
        "--fail-on",
        "deviant",
        "--filter",
        "cli",
    ]);
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("tollgate: 1 cases, 1 conformant"));
}
