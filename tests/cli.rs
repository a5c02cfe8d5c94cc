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

// --- inspect h2-frames and inspect hpack ---------------------------------------------------

/// The bytes of a hex example: what `--hex` reads (comments and spaces dropped).
fn unhex(text: &str) -> Vec<u8> {
    let digits: String = text
        .lines()
        .map(|line| line.split('#').next().unwrap())
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

fn h2_example(path: &str) -> String {
    example(&format!("h2-frames/{path}"))
}

/// `inspect h2-frames --hex --json` of an example: exit code and report.
fn h2_json(path: &str, extra: &[&str]) -> (i32, Value) {
    let file = h2_example(path);
    let mut args = vec!["inspect", "h2-frames", "--hex", "--json"];
    args.extend_from_slice(extra);
    args.push(&file);
    let output = tollgate(&args, None);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    (code(&output), json(&output))
}

fn field_pairs(block: &Value) -> Vec<(String, String)> {
    block["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| {
            (
                field["name"].as_str().unwrap().to_owned(),
                field["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn types(frames: &Value) -> Vec<&str> {
    frames
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| frame["type"].as_str().unwrap())
        .collect()
}

/// RFC 7541 C.3: three requests in one context, without Huffman coding.
const C3_BLOCKS: &str = "\
8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d
8286 84be 5808 6e6f 2d63 6163 6865
8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65
";

#[test]
fn hpack_json_is_exactly_the_header_lists_of_rfc7541_c3() {
    let output = tollgate(&["inspect", "hpack", "--json"], Some(C3_BLOCKS.as_bytes()));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(output.stderr.is_empty());
    let common = [
        [":method", "GET"],
        [":scheme", "http"],
        [":path", "/"],
        [":authority", "www.example.com"],
    ];
    assert_eq!(
        json(&output),
        serde_json::json!([
            common,
            [
                common[0],
                common[1],
                common[2],
                common[3],
                ["cache-control", "no-cache"]
            ],
            [
                [":method", "GET"],
                [":scheme", "https"],
                [":path", "/index.html"],
                [":authority", "www.example.com"],
                ["custom-key", "custom-value"]
            ]
        ])
    );
    // The C.4 example encodes the same lists with Huffman-coded strings.
    let huffman = tollgate(
        &[
            "inspect",
            "hpack",
            "--json",
            &example("hpack/rfc7541-c4-huffman.accept.hex"),
        ],
        None,
    );
    assert_eq!(code(&huffman), 0, "{}", stderr(&huffman));
    assert_eq!(json(&huffman), json(&output));

    // Bytes outside printable ASCII are escaped as in every report; no input, no lists.
    let crlf = tollgate(
        &["inspect", "hpack", "--json"],
        Some(
            b"00 03 6b6579 02 0d0a
",
        ),
    );
    assert_eq!(json(&crlf), serde_json::json!([[["key", "\\r\\n"]]]));
    let empty = tollgate(&["inspect", "hpack", "--json"], Some(b"# nothing\n"));
    assert_eq!(code(&empty), 0);
    assert_eq!(stdout(&empty), "[]\n");
}

#[test]
fn hpack_text_shows_each_list_and_the_table() {
    let output = tollgate(&["inspect", "hpack"], Some(C3_BLOCKS.as_bytes()));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("hpack, dynamic table size 4096 bytes, 3 blocks\n"),
        "{text}"
    );
    // RFC 7541 C.3 gives the table size after each request: 57, 110, 164.
    assert!(
        text.contains(
            "block 1 (line 1): 4 fields, table 57 bytes in 1 entry after it\n    :method: GET\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("    :authority: www.example.com  [literal_incremental_indexing]\n"),
        "{text}"
    );
    assert!(
        text.contains("block 3 (line 3): 5 fields, table 164 bytes in 3 entries after it"),
        "{text}"
    );
    assert!(text.ends_with("verdict: accepted (3 blocks)\n"), "{text}");
}

#[test]
fn hpack_stops_at_the_first_block_that_fails_and_names_its_line() {
    // Line 3 refers to dynamic index 70; the table holds two entries after lines 1 and 2.
    let input = b"# two good blocks, then a bad index\n8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d\n\n8286 84be 5808 6e6f 2d63 6163 6865\nc6\n82\n";
    let output = tollgate(&["inspect", "hpack"], Some(input));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "verdict: rejected: line 5: the block does not decode: invalid table index 70"
        ),
        "{text}"
    );
    assert!(text.contains("error kind   invalid_index"), "{text}");
    assert!(
        text.contains("connection error COMPRESSION_ERROR"),
        "{text}"
    );
    assert!(text.contains("block 2 (line 4)"), "{text}");
    assert!(!text.contains("block 3"), "{text}");

    // With --json: the lists before the failure on stdout (still exactly an array), the
    // reason with its line on stderr.
    let output = tollgate(&["inspect", "hpack", "--json"], Some(input));
    assert_eq!(code(&output), 1);
    let lists = json(&output);
    assert_eq!(lists.as_array().unwrap().len(), 2);
    assert_eq!(
        lists[1][4],
        serde_json::json!(["cache-control", "no-cache"])
    );
    assert!(
        stderr(&output).starts_with("rejected: line 5: the block does not decode"),
        "{}",
        stderr(&output)
    );

    let file = example("hpack/bad-index.reject.hex");
    let output = tollgate(&["inspect", "hpack", &file], None);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("rejected: line 6:"));
}

#[test]
fn hpack_table_size_sets_the_context() {
    // With no dynamic table, C.3.1's :authority is not kept and C.3.2 cannot refer to it.
    let output = tollgate(
        &["inspect", "hpack", "--table-size", "0"],
        Some(C3_BLOCKS.as_bytes()),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("hpack, dynamic table size 0 bytes"),
        "{text}"
    );
    assert!(
        text.contains("block 1 (line 1): 4 fields, table 0 bytes in 0 entries after it"),
        "{text}"
    );
    assert!(
        text.contains("rejected: line 2: the block does not decode: invalid table index 62"),
        "{text}"
    );

    // A size update may not exceed the size the context starts with.
    let update = b"3fe11f 82\n"; // size update to 4096, then :method GET
    let small = tollgate(&["inspect", "hpack", "--table-size", "256"], Some(update));
    assert_eq!(code(&small), 1);
    assert!(
        stdout(&small).contains("dynamic table size update to 4096 exceeds the advertised 256"),
        "{}",
        stdout(&small)
    );
    let large = tollgate(
        &["inspect", "hpack", "--table-size", "8192", "--json"],
        Some(update),
    );
    assert_eq!(code(&large), 0, "{}", stderr(&large));
    assert_eq!(json(&large), serde_json::json!([[[":method", "GET"]]]));

    let bad = tollgate(&["inspect", "hpack", "--table-size", "big"], Some(update));
    assert_eq!(code(&bad), 2);
    assert!(bad.stdout.is_empty());
}

#[test]
fn hpack_bad_hex_is_a_usage_error_naming_the_line() {
    let output = tollgate(
        &["inspect", "hpack", "--json"],
        Some(b"8286\n# fine so far\n82 8\n"),
    );
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    assert_eq!(
        stderr(&output),
        "error: <stdin>: bad hex at line 3, column 4: `8` is half a byte: a byte is two \
         adjacent hex digits\n"
    );
    let output = tollgate(&["inspect", "hpack"], Some(b"82\nGET /\n"));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).starts_with("error: <stdin>: bad hex at line 2, column 1: `G`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn h2_client_connection_is_decoded_frame_by_frame() {
    let (exit, report) = h2_json("client/clean-get.accept.hex", &[]);
    assert_eq!(exit, 0);
    assert_eq!(report["schema"], "tollgate.inspect/1");
    assert_eq!(report["kind"], "h2-frames");
    // The preface makes it a client's bytes.
    assert_eq!(report["side"], "client");
    assert_eq!(report["preface"], true);
    assert_eq!(report["preface_source"], "detected");
    assert_eq!(report["policy"]["name"], "default");
    assert_eq!(report["input_length"], 103);
    assert_eq!(report["consumed"], 103);
    let frames = &report["frames"];
    assert_eq!(types(frames), ["SETTINGS", "WINDOW_UPDATE", "HEADERS"]);
    let settings = &frames[0];
    assert_eq!(settings["offset"], 24);
    assert_eq!(settings["length"], 12);
    assert_eq!(settings["flags"], serde_json::json!([]));
    assert_eq!(
        settings["payload"]["settings"],
        serde_json::json!([
            { "name": "ENABLE_PUSH", "identifier": 2, "value": 0 },
            { "name": "INITIAL_WINDOW_SIZE", "identifier": 4, "value": 65535 }
        ])
    );
    assert_eq!(frames[1]["payload"]["increment"], 983_041);
    let headers = &frames[2];
    assert_eq!(headers["offset"], 58);
    assert_eq!(headers["stream"], 1);
    assert_eq!(
        headers["flags"],
        serde_json::json!(["END_STREAM", "END_HEADERS"])
    );
    assert_eq!(headers["flag_bits"], 5);
    let block = &headers["header_block"];
    assert_eq!(block["role"], "request");
    assert_eq!(block["offset"], 58);
    assert_eq!(block["frames"], 1);
    assert_eq!(block["end_stream"], true);
    assert_eq!(block["error"], Value::Null);
    assert_eq!(
        field_pairs(block),
        [
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/"),
            (":authority", "example.com"),
            ("user-agent", "tollgate-example/1"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
    assert_eq!(block["fields"][0]["representation"], "indexed");
    assert_eq!(
        block["fields"][3]["representation"],
        "literal_incremental_indexing"
    );
    assert_eq!(report["anomalies"], serde_json::json!([]));
    assert_eq!(report["repaired"], Value::Null);
    assert_eq!(report["sent_to_origin"], Value::Null);
    assert_eq!(
        report["verdict"],
        serde_json::json!({ "result": "accepted", "frames": 3 })
    );

    let output = tollgate(
        &[
            "inspect",
            "h2-frames",
            "--hex",
            &h2_example("client/clean-get.accept.hex"),
        ],
        None,
    );
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(text.starts_with(
        "h2-frames from the client side, client preface present (detected), policy preset \
         `default` (base default), 103 bytes\n"
    ));
    for expected in [
        "bytes 0..24 client connection preface\n",
        "frame 1 at byte 24: SETTINGS on stream 0, length 12\n  setting      ENABLE_PUSH = 0\n",
        "frame 2 at byte 45: WINDOW_UPDATE on stream 0, length 4\n  increment    983041\n",
        "frame 3 at byte 58: HEADERS on stream 1, length 36, flags END_STREAM|END_HEADERS\n",
        "  header block request on stream 1, 1 frame from byte 58, 36 bytes, 5 fields, table",
        "    :method: GET\n",
        "    :authority: example.com  [literal_incremental_indexing]\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(text.ends_with("\nverdict: accepted (3 frames)\n"), "{text}");
}

#[test]
fn h2_client_header_errors_reset_the_stream_and_the_connection_goes_on() {
    let (exit, report) = h2_json("client/uppercase-header-name.reject.hex", &[]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&report["anomalies"]), ["h2.uppercase-header-name"]);
    assert_eq!(report["anomalies"][0]["action"], "reject");
    assert_eq!(report["anomalies"][0]["offset"], 45);
    let verdict = &report["verdict"];
    assert_eq!(verdict["result"], "rejected");
    assert_eq!(verdict["error_kind"], "rejected");
    assert_eq!(verdict["deviation"], "h2.uppercase-header-name");
    assert_eq!(verdict["budget"], Value::Null);
    assert_eq!(verdict["offset"], 45);
    assert_eq!(verdict["scope"], "stream");
    assert_eq!(verdict["stream"], 1);
    assert_eq!(verdict["error_code"], "PROTOCOL_ERROR");
    assert_eq!(
        verdict["wire_answer"],
        "RST_STREAM(PROTOCOL_ERROR) on stream 1"
    );
    assert_eq!(verdict["refusals"].as_array().unwrap().len(), 1);
    // Stream 3 still decodes in the same HPACK context: its :authority is dynamic entry 62,
    // added by stream 1's block.
    assert_eq!(verdict["frames"], 3);
    let second = &report["frames"][2]["header_block"];
    assert_eq!(second["stream"], 3);
    assert_eq!(second["fields"][3]["name"], ":authority");
    assert_eq!(second["fields"][3]["value"], "example.com");
    assert_eq!(second["fields"][3]["representation"], "indexed");
    // The uppercase name is shown as received.
    assert_eq!(
        report["frames"][1]["header_block"]["fields"][4]["name"],
        "User-Agent"
    );

    // A lenient policy lowercases it on the client side too.
    let lenient = TempFile::new(
        "h2-lenient.toml",
        b"base = \"default\"\n[client]\n\"h2.uppercase-header-name\" = \"repair\"\n",
    );
    let (exit, report) = h2_json(
        "client/uppercase-header-name.reject.hex",
        &["--policy", lenient.path()],
    );
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["anomalies"][0]["action"], "repair");
    assert_eq!(report["policy"]["source"], "file");

    let output = tollgate(
        &[
            "inspect",
            "h2-frames",
            "--hex",
            &h2_example("client/pseudo-in-trailers.reject.hex"),
        ],
        None,
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains("  header block trailers on stream 1, 1 frame from byte 84"),
        "{text}"
    );
    assert!(
        text.contains(
            "verdict: rejected: h2.pseudo-in-trailers rejected by policy: a pseudo-header field \
             in a trailer section (RFC 9113 §8.1)\n  error kind   rejected\n  deviation    \
             h2.pseudo-in-trailers\n  at           byte 84\n  wire answer  RST_STREAM(PROTOCOL_ERROR) on stream 1\n"
        ),
        "{text}"
    );
}

#[test]
fn h2_spent_budgets_end_the_connection_with_enhance_your_calm() {
    let (exit, report) = h2_json("client/continuation-flood.reject.hex", &[]);
    assert_eq!(exit, 1);
    // SETTINGS, HEADERS, then CONTINUATION frames up to the 17th, which spends the budget.
    let frames = report["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 19);
    assert_eq!(
        frames
            .iter()
            .filter(|f| f["type"] == "CONTINUATION")
            .count(),
        17
    );
    // The block never ended, so it was never decoded.
    assert!(frames.iter().all(|f| f["header_block"].is_null()));
    let last = frames.last().unwrap()["offset"].clone();
    let verdict = &report["verdict"];
    assert_eq!(verdict["error_kind"], "budget_spent");
    assert_eq!(verdict["budget"], "max_continuations");
    assert_eq!(verdict["deviation"], "h2.budget-continuations");
    assert_eq!(verdict["offset"], last);
    assert_eq!(verdict["scope"], "connection");
    assert_eq!(verdict["stream"], Value::Null);
    assert_eq!(verdict["wire_answer"], "GOAWAY(ENHANCE_YOUR_CALM)");
    assert_eq!(ids(&report["anomalies"]), ["h2.budget-continuations"]);

    let (exit, report) = h2_json("client/settings-flood.reject.hex", &[]);
    assert_eq!(exit, 1);
    assert_eq!(report["verdict"]["budget"], "settings");
    assert_eq!(report["verdict"]["frames"], 17);
    // 24 bytes of preface, then 15-byte SETTINGS frames: the 17th starts at 24 + 16 * 15.
    assert_eq!(report["verdict"]["offset"], 264);

    // A policy with a larger budget lets the same input through.
    let roomy = TempFile::new(
        "h2-budgets.toml",
        b"[h2.budgets]\nsettings = { max = 17, window_ms = 10000 }\n",
    );
    let (exit, report) = h2_json(
        "client/settings-flood.reject.hex",
        &["--policy", roomy.path()],
    );
    assert_eq!(exit, 0, "{report}");

    let output = tollgate(
        &[
            "inspect",
            "h2-frames",
            "--hex",
            &h2_example("client/ping-flood.reject.hex"),
        ],
        None,
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains(
            "verdict: rejected: budget `pings` spent: PING frames beyond budgets.pings\n  error \
             kind   budget_spent\n  deviation    h2.budget-pings\n  budget       pings\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  wire answer  GOAWAY(ENHANCE_YOUR_CALM)\n"),
        "{text}"
    );
    assert!(text.contains("  opaque data  0000000000000001\n"), "{text}");
}

#[test]
fn h2_origin_frames_go_through_the_repair_shim() {
    let (exit, report) = h2_json("origin/uppercase-connection-padding.accept.hex", &[]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["side"], "origin");
    assert_eq!(report["preface"], false);
    let anomalies = &report["anomalies"];
    assert_eq!(
        ids(anomalies),
        [
            "h2.padding-not-zero",
            "h2.uppercase-header-name",
            "h2.connection-specific-header"
        ]
    );
    assert!(
        anomalies
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["action"] == "repair" && a["side"] == "origin" && a["offset"] == 24)
    );
    // As received: padded, uppercase, with connection.
    let received = &report["frames"][2];
    assert_eq!(
        received["payload"]["padding"],
        serde_json::json!({ "length": 4, "zero": false })
    );
    assert_eq!(
        field_pairs(&received["header_block"]),
        [
            (":status", "200"),
            ("Content-Type", "text/html"),
            ("connection", "keep-alive")
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
    // What h2 receives: no padding, lowercase, no connection.
    let repaired = &report["repaired"];
    assert_eq!(types(repaired), ["SETTINGS", "SETTINGS", "HEADERS", "DATA"]);
    let headers = &repaired[2];
    assert_eq!(headers["from_offset"], 24);
    assert_eq!(headers["flags"], serde_json::json!(["END_HEADERS"]));
    assert_eq!(headers["payload"]["padding"], Value::Null);
    assert_eq!(headers["header_block"]["role"], "response");
    assert_eq!(
        field_pairs(&headers["header_block"]),
        [(":status", "200"), ("content-type", "text/html")]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
    assert_eq!(repaired[3]["payload"]["data_start"], "<p>hi</p>");
    assert_eq!(report["sent_to_origin"], serde_json::json!([]));
    assert_eq!(report["verdict"]["result"], "accepted");

    let text = stdout(&tollgate(
        &[
            "inspect",
            "h2-frames",
            "--hex",
            &h2_example("origin/uppercase-connection-padding.accept.hex"),
        ],
        None,
    ));
    assert!(
        text.contains("  padding      4 bytes, NOT zero\n"),
        "{text}"
    );
    assert!(
        text.contains("forwarded to h2 by the repair shim (what h2 receives)\n"),
        "{text}"
    );
    assert!(
        text.contains("h2 frame 3 at byte 24 (for the frame at byte 24): HEADERS on stream 1"),
        "{text}"
    );
    assert!(
        text.contains("    content-type: text/html  [literal_incremental_indexing]\n"),
        "{text}"
    );
    assert!(
        text.contains("sent to the origin by the repair shim\nnothing\n"),
        "{text}"
    );
}

#[test]
fn h2_origin_refusals_reset_streams_both_ways_or_end_the_connection() {
    let (exit, report) = h2_json("origin/bad-status.reject.hex", &[]);
    assert_eq!(exit, 1);
    let verdict = &report["verdict"];
    assert_eq!(verdict["deviation"], "h2.status-not-three-digits");
    assert_eq!(verdict["scope"], "stream");
    assert_eq!(verdict["stream"], 1);
    assert_eq!(verdict["offset"], 24);
    assert_eq!(
        verdict["wire_answer"],
        "RST_STREAM(PROTOCOL_ERROR) on stream 1"
    );
    // The shim resets the stream toward the origin and toward h2, drops the DATA that
    // follows, and gives the origin its flow-control credit back.
    let sent = &report["sent_to_origin"];
    assert_eq!(types(sent), ["RST_STREAM", "WINDOW_UPDATE"]);
    assert_eq!(sent[0]["payload"]["error_code"], "PROTOCOL_ERROR");
    assert_eq!(sent[0]["from_offset"], 24);
    assert_eq!(sent[1]["payload"]["increment"], 2);
    assert_eq!(sent[1]["from_offset"], 37);
    assert_eq!(
        types(&report["repaired"]),
        ["SETTINGS", "SETTINGS", "RST_STREAM"]
    );

    let (exit, report) = h2_json("origin/corrupt-hpack.reject.hex", &[]);
    assert_eq!(exit, 1);
    let verdict = &report["verdict"];
    assert_eq!(verdict["error_kind"], "compression");
    assert_eq!(verdict["deviation"], Value::Null);
    assert_eq!(verdict["scope"], "connection");
    assert_eq!(verdict["wire_answer"], "GOAWAY(COMPRESSION_ERROR)");
    assert_eq!(
        verdict["message"],
        "header block cannot be decompressed: invalid table index 70 at byte 1 of the block"
    );
    assert_eq!(ids(&report["anomalies"]), ["h2.hpack-invalid"]);
    let block = &report["frames"][2]["header_block"];
    assert_eq!(block["error"]["kind"], "invalid_index");
    assert_eq!(block["error"]["offset"], 1);
    assert_eq!(block["error"]["connection_error"], true);
    assert_eq!(types(&report["sent_to_origin"]), ["GOAWAY"]);
    let goaway = report["repaired"].as_array().unwrap().last().unwrap();
    assert_eq!(goaway["type"], "GOAWAY");
    assert_eq!(goaway["payload"]["error_code"], "COMPRESSION_ERROR");
    assert_eq!(goaway["payload"]["last_stream"], 1);

    let (exit, report) = h2_json("origin/content-length-mismatch.reject.hex", &[]);
    assert_eq!(exit, 1);
    assert_eq!(report["verdict"]["deviation"], "h2.content-length-mismatch");
    assert_eq!(report["verdict"]["stream"], 1);
}

#[test]
fn h2_several_refusals_are_all_listed() {
    // Two responses with a bad :status on streams 1 and 3.
    let bad = "000003 01 04 00000001 08 01 32\n000003 01 04 00000003 08 01 33\n";
    let output = tollgate(
        &["inspect", "h2-frames", "--hex", "--json"],
        Some(bad.as_bytes()),
    );
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let refusals = report["verdict"]["refusals"].as_array().unwrap();
    let answers: Vec<&str> = refusals
        .iter()
        .map(|r| r["wire_answer"].as_str().unwrap())
        .collect();
    assert_eq!(
        answers,
        [
            "RST_STREAM(PROTOCOL_ERROR) on stream 1",
            "RST_STREAM(PROTOCOL_ERROR) on stream 3"
        ]
    );
    assert_eq!(report["verdict"]["stream"], 1);
    let text = stdout(&tollgate(
        &["inspect", "h2-frames", "--hex"],
        Some(bad.as_bytes()),
    ));
    assert!(
        text.contains(
            "  also refused 1\n    RST_STREAM(PROTOCOL_ERROR) on stream 3 at byte 12: \
             h2.status-not-three-digits rejected by policy"
        ),
        "{text}"
    );
}

#[test]
fn h2_hex_raw_and_escaped_inputs_are_the_same_bytes() {
    let file = h2_example("client/uppercase-header-name.reject.hex");
    let bytes = unhex(&std::fs::read_to_string(&file).unwrap());
    let from_hex = tollgate(&["inspect", "h2-frames", "--hex", "--json", &file], None);
    let raw = tollgate(&["inspect", "h2-frames", "--json"], Some(&bytes));
    let raw_file = TempFile::new("frames.bin", &bytes);
    let raw_from_file = tollgate(&["inspect", "h2-frames", "--json", raw_file.path()], None);
    let escaped: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
    let from_escaped = tollgate(
        &["inspect", "h2-frames", "--escaped", "--json", "-"],
        Some(escaped.as_bytes()),
    );
    assert_eq!(code(&from_hex), 1);
    for other in [&raw, &raw_from_file, &from_escaped] {
        assert_eq!(code(other), 1, "{}", stderr(other));
        assert_eq!(json(other), json(&from_hex));
    }
    assert_eq!(json(&raw)["input_length"], bytes.len());
}

#[test]
fn h2_preface_detection_picks_the_side() {
    // A beginning of the preface is taken for one: a client that stopped early.
    let output = tollgate(
        &["inspect", "h2-frames", "--json"],
        Some(b"PRI * HTTP/2.0\r\n"),
    );
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["side"], "client");
    assert_eq!(report["preface"], true);
    assert_eq!(report["verdict"]["error_kind"], "truncated");
    assert_eq!(report["verdict"]["wire_answer"], "GOAWAY(PROTOCOL_ERROR)");

    // Frames without the preface: an origin's, unless told otherwise.
    let settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00";
    let report = json(&tollgate(
        &["inspect", "h2-frames", "--json"],
        Some(settings),
    ));
    assert_eq!(report["side"], "origin");
    assert_eq!(report["preface"], false);
    assert_eq!(report["preface_source"], "detected");
    assert_eq!(report["frames"][0]["offset"], 0);
    assert_eq!(report["verdict"]["result"], "accepted");
    // A client's frames after the preface, offsets counted from the input's start.
    let report = json(&tollgate(
        &["inspect", "h2-frames", "--json", "--side", "client"],
        Some(settings),
    ));
    assert_eq!(report["side"], "client");
    assert_eq!(report["preface"], false);
    assert_eq!(report["frames"][0]["offset"], 0);
    assert_eq!(report["verdict"]["result"], "accepted");
    // --preface yes insists on one: these bytes are not it.
    let output = tollgate(
        &["inspect", "h2-frames", "--preface", "yes", "--json"],
        Some(settings),
    );
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["preface_source"], "option");
    assert_eq!(report["side"], "client");
    assert_eq!(report["verdict"]["error_kind"], "bad_preface");
    assert_eq!(report["verdict"]["offset"], 0);
    assert_eq!(report["consumed"], 0);
    // --preface no reads the preface as a frame header: "PRI" is a 5 MiB length.
    let file = h2_example("client/clean-get.accept.hex");
    let output = tollgate(
        &[
            "inspect",
            "h2-frames",
            "--hex",
            "--preface",
            "no",
            "--side",
            "client",
            &file,
        ],
        None,
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("client preface absent (--preface)"), "{text}");
    assert!(text.contains("error kind   frame_too_large"), "{text}");
    assert!(text.contains("bytes 0..103 were not decoded"), "{text}");
    // An origin's bytes after a preface: the preface is skipped and offsets still count it.
    let (exit, report) = h2_json("client/clean-get.accept.hex", &["--side", "origin"]);
    assert_eq!(exit, 1);
    assert_eq!(report["preface"], true);
    assert_eq!(report["frames"][0]["offset"], 24);
    assert_eq!(report["verdict"]["deviation"], "h2.missing-pseudo");
    assert_eq!(report["verdict"]["offset"], 58);
}

#[test]
fn h2_input_ending_inside_a_frame_or_block_is_truncated() {
    // HEADERS without END_HEADERS, and nothing after it.
    let output = tollgate(
        &["inspect", "h2-frames", "--hex", "--side", "client"],
        Some(b"000001 01 01 00000001 82"),
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains(
            "verdict: rejected: the input ends inside the header block on stream 1 that \
             started at byte 0\n  error kind   truncated\n  at           byte 10\n"
        ),
        "{text}"
    );
    // Half a frame header.
    let output = tollgate(
        &["inspect", "h2-frames", "--hex", "--json"],
        Some(b"000004 08 00 00000000 0000ffff 0000"),
    );
    let report = json(&output);
    assert_eq!(report["frames"][0]["type"], "WINDOW_UPDATE");
    assert_eq!(report["consumed"], 13);
    assert_eq!(report["verdict"]["error_kind"], "truncated");
    assert_eq!(
        report["verdict"]["message"],
        "the stream ends inside a frame"
    );
    assert_eq!(report["verdict"]["offset"], 13);
}

#[test]
fn h2_frames_usage_errors_exit_2_with_nothing_on_stdout() {
    for (args, input, message) in [
        (
            &["inspect", "h2-frames", "--hex"][..],
            &b"000000 04 00 0000000\n"[..],
            "error: <stdin>: bad hex in --hex input at line 1, column 20: `0` is half a byte",
        ),
        (
            &["inspect", "h2-frames", "--hex", "--escaped"],
            b"",
            "error: the argument '--hex' cannot be used with '--escaped'",
        ),
        (
            &["inspect", "h2-frames", "--side", "server"],
            b"",
            "error: invalid value 'server' for '--side <SIDE>'",
        ),
        (
            &["inspect", "h2-frames", "--preface", "maybe"],
            b"",
            "error: invalid value 'maybe' for '--preface <yes|no>'",
        ),
        (
            &[
                "inspect",
                "h2-frames",
                "--policy",
                "/nonexistent/policy.toml",
            ],
            b"",
            "error: cannot read policy file /nonexistent/policy.toml",
        ),
    ] {
        let output = tollgate(args, Some(input));
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: {}", stdout(&output));
        assert!(
            stderr(&output).starts_with(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn h2_help_documents_the_hex_format_sides_and_exit_codes() {
    let help = stdout(&tollgate(&["inspect", "h2-frames", "--help"], None));
    for expected in [
        "Hex input (--hex):",
        "`#` starts a comment",
        "--side defaults to client when the input starts with the client connection preface",
        "the whole input counts\n          as arriving at one instant",
        "Literal line breaks in the file are ignored",
        "2  usage error",
    ] {
        assert!(help.contains(expected), "{expected:?} in\n{help}");
    }
    let help = stdout(&tollgate(&["inspect", "hpack", "--help"], None));
    for expected in [
        "--table-size <N>",
        "[default: 4096]",
        "exactly an array with one element per block",
        "1  the input was rejected",
    ] {
        assert!(help.contains(expected), "{expected:?} in\n{help}");
    }
}
