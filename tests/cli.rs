//! Integration tests of the `tollgate` binary: exit codes, text and JSON reports of `inspect`,
//! and the `policy` commands, run as a user would run them.

// Clippy allows unwrap and panic only in code it knows to be test code; helpers outside
// `#[test]` functions are that too.
#![cfg(test)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/inspect");

/// Runs the binary with `args`, feeding `stdin` (or nothing) to it.
fn tollgate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        // A run that fails before reading (a bad policy file) closes its stdin early.
        let _ = pipe.write_all(bytes);
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{err}: {}", stdout(output)))
}

fn example(path: &str) -> String {
    format!("{CORPUS}/{path}")
}

/// A file under the temp dir with a unique name, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, contents: &[u8]) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "tollgate-cli-test-{}-{n}-{tag}",
            std::process::id()
        ));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ids(anomalies: &Value) -> Vec<&str> {
    anomalies
        .as_array()
        .unwrap()
        .iter()
        .map(|anomaly| anomaly["id"].as_str().unwrap())
        .collect()
}

#[test]
fn accepted_input_exits_0_and_shows_the_request() {
    let output = tollgate(
        &[
            "inspect",
            "h1-request",
            "--escaped",
            &example("h1-request/client/clean-get.accept.http"),
        ],
        None,
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("start line   GET /index.html?lang=en HTTP/1.1"),
        "{text}"
    );
    assert!(
        text.contains("    User-Agent: tollgate-example/1"),
        "{text}"
    );
    assert!(text.contains("framing      empty"), "{text}");
    assert!(text.ends_with("verdict: accepted (1 message)\n"), "{text}");
}

#[test]
fn rejected_input_exits_1_with_the_reason() {
    let file = example("h1-request/client/cl-te-conflict.reject.http");
    let output = tollgate(&["inspect", "h1-request", "--escaped", &file], None);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("verdict: rejected: h1.request.cl-te-conflict rejected by policy"),
        "{text}"
    );
    assert!(
        text.contains("deviation    h1.request.cl-te-conflict"),
        "{text}"
    );
    assert!(text.contains("at           byte 42 (head)"), "{text}");
    assert!(text.contains("wire answer  400 and close"), "{text}");

    let report = json(&tollgate(
        &["inspect", "h1-request", "--escaped", "--json", &file],
        None,
    ));
    let verdict = &report["verdict"];
    assert_eq!(verdict["result"], "rejected");
    assert_eq!(verdict["error_kind"], "rejected");
    assert_eq!(verdict["deviation"], "h1.request.cl-te-conflict");
    assert_eq!(verdict["phase"], "head");
    assert_eq!(verdict["offset"], 42);
    assert_eq!(verdict["wire_answer"], "400 and close");
    assert_eq!(verdict["wire_status"], 400);
    assert_eq!(verdict["messages"], 0);
    // The head never became a message, so its anomaly is reported outside any message.
    assert_eq!(report["messages"].as_array().unwrap().len(), 0);
    assert_eq!(
        ids(&report["trailing_anomalies"]),
        ["h1.request.cl-te-conflict"]
    );
    assert_eq!(report["trailing_anomalies"][0]["action"], "reject");
}

#[test]
fn the_origin_side_repairs_cl_te_and_frames_by_chunked() {
    let output = tollgate(
        &[
            "inspect",
            "h1-request",
            "--side",
            "origin",
            "--escaped",
            "--json",
            &example("h1-request/origin/cl-te-conflict.accept.http"),
        ],
        None,
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "tollgate.inspect/1");
    assert_eq!(report["kind"], "h1-request");
    assert_eq!(report["side"], "origin");
    assert_eq!(report["policy"]["name"], "default");
    assert_eq!(report["policy"]["source"], "preset");
    assert_eq!(report["input_length"], 106);
    assert_eq!(report["consumed"], 106);
    let message = &report["messages"][0];
    assert_eq!(message["method"], "POST");
    assert_eq!(message["target"], "/search");
    assert_eq!(message["target_form"], "origin-form");
    assert_eq!(message["framing"]["kind"], "chunked");
    assert_eq!(message["framing"]["length"], Value::Null);
    // Repairing drops Content-Length and closes after the message.
    assert_eq!(message["persistence"], "close");
    let names: Vec<&str> = message["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Host", "Transfer-Encoding"]);
    assert_eq!(message["body"]["length"], 5);
    assert_eq!(message["body"]["sha256"], hex(&Sha256::digest(b"hello")));
    assert_eq!(message["complete"], true);
    let anomaly = &message["anomalies"][0];
    assert_eq!(anomaly["id"], "h1.request.cl-te-conflict");
    assert_eq!(anomaly["action"], "repair");
    assert_eq!(anomaly["side"], "origin");
    assert_eq!(anomaly["offset"], 42);
    assert_eq!(
        anomaly["summary"],
        "a request with both Content-Length and Transfer-Encoding"
    );
    assert_eq!(report["verdict"]["result"], "accepted");
    assert_eq!(report["verdict"]["messages"], 1);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn every_pipelined_message_is_shown() {
    let file = example("h1-request/client/pipelined.accept.http");
    let report = json(&tollgate(
        &["inspect", "h1-request", "--escaped", "--json", &file],
        None,
    ));
    let messages = report["messages"].as_array().unwrap();
    let methods: Vec<&str> = messages
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["GET", "POST", "GET"]);
    // Spans follow each other without gaps and cover the whole input.
    assert_eq!(messages[0]["span"]["start"], 0);
    for pair in messages.windows(2) {
        assert_eq!(pair[0]["span"]["end"], pair[1]["span"]["start"]);
    }
    assert_eq!(messages[2]["span"]["end"], report["input_length"]);
    assert_eq!(messages[1]["framing"]["kind"], "content-length");
    assert_eq!(messages[1]["framing"]["length"], 11);
    assert_eq!(
        messages[1]["body"]["sha256"],
        hex(&Sha256::digest(b"hello world"))
    );
    assert_eq!(messages[2]["persistence"], "close");
    assert_eq!(report["verdict"]["messages"], 3);

    let text = stdout(&tollgate(
        &["inspect", "h1-request", "--escaped", &file],
        None,
    ));
    for heading in ["message 1 of 3", "message 2 of 3", "message 3 of 3"] {
        assert!(text.contains(heading), "{heading} missing in {text}");
    }
    assert!(text.contains("verdict: accepted (3 messages)"), "{text}");
}

#[test]
fn standard_input_is_read_without_a_file_or_with_dash() {
    let bytes = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    for args in [
        &["inspect", "h1-request", "--json"][..],
        &["inspect", "h1-request", "--json", "-"],
    ] {
        let output = tollgate(args, Some(bytes));
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let report = json(&output);
        assert_eq!(report["input_length"], bytes.len());
        assert_eq!(report["messages"][1]["target"], "/b");
    }
    let escaped = b"GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n";
    let report = json(&tollgate(
        &["inspect", "h1-request", "--escaped", "--json"],
        Some(escaped),
    ));
    assert_eq!(report["input_length"], 27);
    assert_eq!(report["verdict"]["result"], "accepted");
}

#[test]
fn non_printable_bytes_are_shown_escaped() {
    let bytes = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=\x01b\\\r\nContent-Length: 0\r\n\r\n";
    let output = tollgate(&["inspect", "h1-response"], Some(bytes));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("    Set-Cookie: a=\\x01b\\\\\n"), "{text}");
    assert!(
        text.contains("h1.invalid-header-byte accept from origin at byte 31"),
        "{text}"
    );
    let report = json(&tollgate(
        &["inspect", "h1-response", "--json"],
        Some(bytes),
    ));
    assert_eq!(report["messages"][0]["fields"][0]["value"], "a=\\x01b\\\\");
}

#[test]
fn an_unreadable_file_is_a_usage_error_naming_it() {
    let missing =
        std::env::temp_dir().join(format!("tollgate-cli-test-{}-missing", std::process::id()));
    let missing = missing.to_str().unwrap();
    let output = tollgate(&["inspect", "h1-request", missing], None);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: cannot read input file {missing}: ")),
        "{message}"
    );
}

#[test]
fn a_bad_policy_file_names_its_line_and_column() {
    let policy = TempFile::new(
        "bad-policy.toml",
        b"base = \"default\"\n[client]\n\"h1.no-such-thing\" = \"reject\"\n",
    );
    let output = tollgate(
        &["inspect", "h1-request", "--policy", policy.path()],
        Some(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
    );
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!(
            "error: {}:3:1: unknown deviation `h1.no-such-thing`",
            policy.path()
        )),
        "{message}"
    );

    let output = tollgate(
        &["policy", "show", "--policy", "no-such-preset-or-file"],
        None,
    );
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot read policy file no-such-preset-or-file"));
}

#[test]
fn a_policy_file_changes_the_verdict() {
    let policy = TempFile::new("fold.toml", b"[client]\n\"h1.obs-fold\" = \"repair\"\n");
    let file = example("h1-request/client/obs-fold.reject.http");
    let output = tollgate(
        &[
            "inspect",
            "h1-request",
            "--escaped",
            "--json",
            "--policy",
            policy.path(),
            &file,
        ],
        None,
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["policy"]["source"], "file");
    assert_eq!(report["policy"]["name"], policy.path());
    assert_eq!(report["policy"]["base"], "default");
    assert_eq!(
        report["messages"][0]["fields"][1]["value"],
        "first part second part"
    );
    assert_eq!(report["messages"][0]["anomalies"][0]["action"], "repair");

    let strict = tollgate(
        &[
            "inspect",
            "h1-request",
            "--escaped",
            "--policy",
            "strict",
            &example("h1-request/client/fragment-in-target.accept.http"),
        ],
        None,
    );
    assert_eq!(code(&strict), 1);
}

#[test]
fn a_bad_escape_is_a_usage_error_naming_the_position() {
    let input = TempFile::new(
        "bad-escape.http",
        b"GET / HTTP/1.1\\r\\n\nHost: a\\q\\r\\n\n",
    );
    let output = tollgate(&["inspect", "h1-request", "--escaped", input.path()], None);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!(
            "error: {}: bad escape in --escaped input at line 2, column 8: unknown escape `\\q`",
            input.path()
        )),
        "{message}"
    );
}

#[test]
fn usage_errors_exit_2() {
    // --request-method is for responses only.
    let output = tollgate(
        &["inspect", "h1-request", "--request-method", "HEAD"],
        Some(b""),
    );
    assert_eq!(code(&output), 2);
    let output = tollgate(
        &["inspect", "h1-response", "--request-method", "GE T"],
        Some(b""),
    );
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--request-method `GE T` is not a method"));
    let output = tollgate(&["policy", "list", "--json", "--format", "table"], None);
    assert_eq!(code(&output), 2);
    let output = tollgate(&["inspect", "h1-request", "--side", "proxy"], Some(b""));
    assert_eq!(code(&output), 2);
}

#[test]
fn request_method_head_turns_a_body_into_extra_bytes() {
    let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let output = tollgate(
        &[
            "inspect",
            "h1-response",
            "--json",
            "--request-method",
            "HEAD",
        ],
        Some(bytes),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["request_methods"], serde_json::json!(["HEAD"]));
    let message = &report["messages"][0];
    assert_eq!(message["framing"]["kind"], "empty");
    assert_eq!(message["body"]["length"], 0);
    assert_eq!(message["span"]["end"], 38);
    assert_eq!(
        ids(&report["trailing_anomalies"]),
        ["h1.response.extra-bytes-after-body"]
    );
    assert_eq!(report["trailing_anomalies"][0]["offset"], 38);
    assert_eq!(report["consumed"], 43);

    // Answering a GET, the same bytes are a body.
    let report = json(&tollgate(
        &["inspect", "h1-response", "--json"],
        Some(bytes),
    ));
    assert_eq!(report["request_methods"], Value::Null);
    assert_eq!(report["messages"][0]["framing"]["length"], 5);
    assert_eq!(report["messages"][0]["body"]["length"], 5);
    assert_eq!(report["trailing_anomalies"], serde_json::json!([]));

    // A strict policy refuses the extra bytes.
    let output = tollgate(
        &[
            "inspect",
            "h1-response",
            "--json",
            "--policy",
            "strict",
            "--request-method",
            "HEAD",
        ],
        Some(bytes),
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        json(&output)["verdict"]["deviation"],
        "h1.response.extra-bytes-after-body"
    );
}

#[test]
fn interim_responses_are_shown_with_the_final_one() {
    let file = example("h1-response/origin/103-early-hints-then-200.accept.http");
    let report = json(&tollgate(
        &["inspect", "h1-response", "--escaped", "--json", &file],
        None,
    ));
    let message = &report["messages"][0];
    assert_eq!(message["status"], 200);
    assert_eq!(message["reason"], "OK");
    assert_eq!(message["start_line"], "HTTP/1.1 200 OK");
    let interim = &message["informational"][0];
    assert_eq!(interim["status"], 103);
    assert_eq!(interim["start_line"], "HTTP/1.1 103 Early Hints");
    assert_eq!(interim["fields"][0]["name"], "Link");
    assert_eq!(message["span"]["start"], 0);
    assert_eq!(message["body"]["length"], 15);

    let text = stdout(&tollgate(
        &["inspect", "h1-response", "--escaped", &file],
        None,
    ));
    assert!(
        text.contains("  interim      HTTP/1.1 103 Early Hints\n    Link: </style.css>"),
        "{text}"
    );
}

#[test]
fn chunked_trailers_are_reported() {
    let file = example("h1-request/client/chunked-extensions-trailers.accept.http");
    let report = json(&tollgate(
        &["inspect", "h1-request", "--escaped", "--json", &file],
        None,
    ));
    let message = &report["messages"][0];
    assert_eq!(
        message["body"]["sha256"],
        hex(&Sha256::digest(b"hello world"))
    );
    assert_eq!(message["trailers"][0]["name"], "Checksum");
    let clean = json(&tollgate(
        &[
            "inspect",
            "h1-request",
            "--escaped",
            "--json",
            &example("h1-request/client/clean-get.accept.http"),
        ],
        None,
    ));
    assert_eq!(clean["messages"][0]["trailers"], Value::Null);
}

#[test]
fn policy_list_json_covers_the_catalogue() {
    for args in [
        &["policy", "list", "--json"][..],
        &["policy", "list", "--format", "json"],
    ] {
        let output = tollgate(args, None);
        assert_eq!(code(&output), 0);
        let list = json(&output);
        let deviations = list["deviations"].as_array().unwrap();
        assert!(deviations.len() >= 40, "{}", deviations.len());
        assert_eq!(list["count"], deviations.len());
        let fold = deviations
            .iter()
            .find(|d| d["id"] == "h1.obs-fold")
            .unwrap();
        assert_eq!(fold["applies_to"], "both");
        assert_eq!(fold["rfc"], "RFC 9112 §5.2");
        assert_eq!(fold["default"]["client"], "reject");
        assert_eq!(fold["default"]["origin"], "repair");
        assert_eq!(fold["supported"], serde_json::json!(["reject", "repair"]));
        assert_eq!(
            fold["summary"],
            "a field value continued on a following line (obs-fold)"
        );
    }
}

#[test]
fn policy_list_markdown_is_the_catalogue_table() {
    let output = tollgate(&["policy", "list", "--format", "markdown"], None);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        tollgate_codecs::deviation::markdown_table()
    );
}

#[test]
fn policy_list_table_has_a_row_per_deviation() {
    let output = tollgate(&["policy", "list"], None);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    for info in tollgate_codecs::deviation::catalogue() {
        let row = text
            .lines()
            .find(|line| line.split_whitespace().next() == Some(info.id))
            .unwrap_or_else(|| panic!("no row for {}", info.id));
        assert!(row.contains(info.defaults.client.as_str()), "{row}");
    }
    assert!(
        text.lines().all(|line| line.chars().count() <= 100),
        "{text}"
    );
}

#[test]
fn policy_show_output_loads_back_unchanged() {
    let custom = TempFile::new(
        "custom.toml",
        b"base = \"lenient\"\n[origin]\n\"h1.obs-fold\" = \"reject\"\n[h1.limits]\nmax_headers = 42\n",
    );
    let first = tollgate(&["policy", "show", "--policy", custom.path()], None);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let toml = stdout(&first);
    assert!(toml.contains("base = \"lenient\""), "{toml}");
    assert!(toml.contains("max_headers = 42"), "{toml}");

    let saved = TempFile::new("shown.toml", toml.as_bytes());
    let second = tollgate(&["policy", "show", "--policy", saved.path()], None);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert_eq!(stdout(&second), toml);

    let report = json(&tollgate(
        &["policy", "show", "--policy", saved.path(), "--json"],
        None,
    ));
    assert_eq!(report["base"], "lenient");
    assert_eq!(report["origin"]["h1.obs-fold"], "reject");
    assert_eq!(report["client"]["h1.obs-fold"], "repair");
    assert_eq!(report["limits"]["max_headers"], 42);
    assert_eq!(report["limits"]["max_head_bytes"], 65536);
    assert_eq!(
        report["client"].as_object().unwrap().len(),
        tollgate_codecs::deviation::catalogue().len()
    );
}

#[test]
fn policy_show_defaults_to_the_default_preset() {
    let output = tollgate(&["policy", "show", "--json"], None);
    assert_eq!(code(&output), 0);
    let report = json(&output);
    assert_eq!(report["base"], "default");
    assert_eq!(report["client"]["h1.obs-fold"], "reject");
    assert_eq!(report["origin"]["h1.obs-fold"], "repair");
    let toml = stdout(&tollgate(&["policy", "show"], None));
    assert_eq!(toml, tollgate_codecs::Policy::default().to_toml());
}

#[test]
fn help_documents_the_escaped_format_and_exit_codes() {
    for command in ["h1-request", "h1-response"] {
        let output = tollgate(&["inspect", command, "--help"], None);
        assert_eq!(code(&output), 0);
        let help = stdout(&output);
        assert!(
            help.contains("Literal line breaks in the file are ignored"),
            "{help}"
        );
        assert!(help.contains("2  usage error"), "{help}");
    }
}

#[test]
fn paths_in_reports_are_given_as_typed() {
    // The corpus path is relative to the manifest dir; a relative path must work from there.
    let output = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args([
            "inspect",
            "h1-request",
            "--escaped",
            "corpora/inspect/h1-request/client/clean-get.accept.http",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn bytes_outside_any_message_are_not_hidden() {
    // Interim responses promise a final one: an origin that closes instead is incomplete,
    // and the interim heads are still shown.
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n";
    let output = tollgate(&["inspect", "h1-response"], Some(input));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("\nno messages\n"), "{text}");
    assert!(
        text.contains("interim responses no final response followed: 100, 102"),
        "{text}"
    );
    assert!(text.contains("error kind   incomplete_head"), "{text}");
    let report = json(&tollgate(
        &["inspect", "h1-response", "--json"],
        Some(input),
    ));
    assert_eq!(report["unanswered_interim"][1]["status"], 102);
    assert_eq!(report["verdict"]["error_kind"], "incomplete_head");

    // After a request offering an upgrade, the rest is HTTP only if the upgrade is refused.
    let upgrade = b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
    let output = tollgate(&["inspect", "h1-request"], Some(upgrade));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("stopped after a request offering an upgrade"));
    let report = json(&tollgate(
        &["inspect", "h1-request", "--json"],
        Some(upgrade),
    ));
    assert_eq!(report["awaiting_upgrade"], true);
    assert_eq!(report["consumed"], upgrade.len() as u64 - 7);

    // After a rejection the rest of the input is not decoded.
    let bytes =
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n";
    let output = tollgate(&["inspect", "h1-request"], Some(bytes));
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("bytes 27..73 were not decoded"), "{text}");
    assert!(
        text.contains("error kind   invalid_content_length"),
        "{text}"
    );
}
