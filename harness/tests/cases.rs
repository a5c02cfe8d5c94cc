//! The case loader: the format of docs/cases.md, and errors that say where and what.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use tollgate_harness::case::{
    CaseErrorKind, ClientRequest, FramePayload, Kind, Protocol, Step, load_dir, parse,
};

const EXAMPLE: &str = r#"id    = "origin.h1.cl-te-conflict"
title = "Response carries both Content-Length and Transfer-Encoding: chunked"
tags  = ["h1", "framing", "smuggling"]
refs  = ["RFC 9112 §6.3"]

[client]
protocol = "h1"
request  = { method = "GET", path = "/", headers = [["host", "origin.test"]] }

[origin]
protocol = "h1"
script = [
  { expect = "request" },
  { send = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
  { close = true },
]

[expect]
any_of = [
  { status = 200, body = "hello", anomaly = "h1.response.cl-te-conflict" },
  { status = 502 },
]
"#;

fn file(name: &str) -> PathBuf {
    PathBuf::from(format!("corpora/origin/{name}.toml"))
}

#[test]
fn the_design_example_loads() {
    let case = parse(EXAMPLE, &file("cl-te-conflict")).unwrap();
    assert_eq!(case.id, "origin.h1.cl-te-conflict");
    assert_eq!(case.kind, Kind::Origin);
    assert_eq!(case.tags, ["h1", "framing", "smuggling"]);
    assert_eq!(case.timeout, Duration::from_secs(5));
    assert_eq!(case.client.protocol, Protocol::H1);
    assert!(case.client.follow_up);
    assert_eq!(
        case.client.request,
        ClientRequest::Structured {
            method: "GET".into(),
            path: "/".into(),
            headers: vec![("host".into(), "origin.test".into())],
            body: Vec::new(),
        }
    );
    assert_eq!(case.origin.script.len(), 3);
    assert_eq!(case.origin.script[0], Step::ExpectRequest);
    let Step::Send(bytes) = &case.origin.script[1] else {
        panic!("{:?}", case.origin.script[1]);
    };
    assert!(bytes.starts_with(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"));
    assert_eq!(case.origin.script[2], Step::Close);
    assert_eq!(case.expect.any_of.len(), 2);
    assert_eq!(case.expect.any_of[0].body.as_deref(), Some(&b"hello"[..]));
    assert_eq!(case.expect.any_of[1].status, Some(502));
}

fn error_of(text: &str, name: &str) -> (CaseErrorKind, String) {
    let error = parse(text, &file(name)).unwrap_err();
    (error.kind(), error.to_string())
}

#[test]
fn unknown_keys_name_their_line() {
    let text = EXAMPLE.replace("protocol = \"h1\"\nrequest", "protocl = \"h1\"\nrequest");
    let (kind, message) = error_of(&text, "cl-te-conflict");
    assert_eq!(kind, CaseErrorKind::Schema);
    assert!(
        message.starts_with("corpora/origin/cl-te-conflict.toml:7:"),
        "{message}"
    );
    assert!(message.contains("protocl"), "{message}");
}

#[test]
fn the_id_must_match_the_file_and_a_corpus() {
    let (kind, message) = error_of(EXAMPLE, "other-name");
    assert_eq!(kind, CaseErrorKind::Invalid);
    assert!(message.contains(":1:"), "{message}");
    assert!(message.contains("cl-te-conflict.toml"), "{message}");

    let text = EXAMPLE.replace("origin.h1.cl-te-conflict", "proxy.cl-te-conflict");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("must start with"), "{message}");

    let text = EXAMPLE.replace("origin.h1.cl-te-conflict", "origin.H1.cl-te-conflict");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("lowercase"), "{message}");
}

#[test]
fn a_step_has_one_action() {
    let text = EXAMPLE.replace("{ close = true }", "{ close = true, sleep_ms = 5 }");
    let (kind, message) = error_of(&text, "cl-te-conflict");
    assert_eq!(kind, CaseErrorKind::Invalid);
    assert!(message.contains(":15:"), "{message}");
    assert!(message.contains("exactly one of"), "{message}");

    let text = EXAMPLE.replace("{ close = true }", "{ close = false }");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("close = false does nothing"), "{message}");

    let text = EXAMPLE.replace("{ close = true }", "{ expect = \"bytes\" }");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("needs count"), "{message}");
}

#[test]
fn frames_are_for_http2_origins() {
    let text = EXAMPLE.replace(
        "{ close = true }",
        "{ frame = { type = \"HEADERS\", stream = 1, flags = [\"END_HEADERS\"], headers = [[\":status\", \"200\"]] } }",
    );
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("HTTP/2 origins"), "{message}");

    let text = text.replace("[origin]\nprotocol = \"h1\"", "[origin]\nprotocol = \"h2\"");
    let case = parse(&text, &file("cl-te-conflict")).unwrap();
    let Step::Frame(frame) = &case.origin.script[2] else {
        panic!("{:?}", case.origin.script[2]);
    };
    assert_eq!((frame.kind, frame.stream, frame.flags), (1, 1, 0x4));
    assert_eq!(
        frame.payload,
        FramePayload::Headers(vec![(":status".into(), "200".into())])
    );

    let text = text.replace("\"END_HEADERS\"", "\"END_HEADER\"");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("flag \"END_HEADER\""), "{message}");
}

#[test]
fn hex_and_client_rules() {
    let text = EXAMPLE.replace(
        "request  = { method = \"GET\", path = \"/\", headers = [[\"host\", \"origin.test\"]] }",
        "raw_hex = \"47 45 54 2\"",
    );
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("raw_hex: an odd number"), "{message}");

    let text = EXAMPLE.replace(
        "request  = { method = \"GET\", path = \"/\", headers = [[\"host\", \"origin.test\"]] }",
        "raw_hex = \"ff 00\"",
    );
    let case = parse(&text, &file("cl-te-conflict")).unwrap();
    assert_eq!(case.client.request, ClientRequest::Raw(vec![0xff, 0x00]));

    let text = EXAMPLE.replace(
        "request  = { method",
        "raw = \"GET / HTTP/1.1\\r\\n\\r\\n\"\nrequest  = { method",
    );
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(
        message.contains("exactly one of request, raw and raw_hex"),
        "{message}"
    );

    let text = EXAMPLE
        .replace(
            "request  = { method = \"GET\", path = \"/\", headers = [[\"host\", \"origin.test\"]] }",
            "raw = \"GET / HTTP/1.1\\r\\n\\r\\n\"",
        )
        .replace("[client]\nprotocol = \"h1\"", "[client]\nprotocol = \"h2\"");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(
        message.contains("raw bytes are for HTTP/1 clients"),
        "{message}"
    );
}

#[test]
fn expectations_must_say_something() {
    let text = EXAMPLE.replace("  { status = 502 },\n", "  { },\n");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("no condition"), "{message}");

    let text = EXAMPLE.replace("  { status = 502 },\n", "  { status = 5020 },\n");
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("three-digit"), "{message}");

    let start = EXAMPLE.find("any_of").unwrap();
    let text = format!("{}deviant = [{{ status = 502 }}]\n", &EXAMPLE[..start]);
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(message.contains("any_of needs at least one"), "{message}");

    let text = EXAMPLE.replace(
        "refs  = [\"RFC 9112 §6.3\"]",
        "refs  = [\"RFC 9112 §6.3\"]\ntimeout_ms = 0",
    );
    let (_, message) = error_of(&text, "cl-te-conflict");
    assert!(
        message.contains(":5:") && message.contains("timeout_ms"),
        "{message}"
    );
}

#[test]
fn a_directory_loads_every_case_and_reports_each_bad_one() {
    let dir = std::env::temp_dir().join(format!("tollgate-cases-{}", std::process::id()));
    let nested = dir.join("origin/h1");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("cl-te-conflict.toml"), EXAMPLE).unwrap();
    std::fs::create_dir_all(dir.join("other")).unwrap();
    // The same id again: a duplicate.
    std::fs::write(dir.join("other/cl-te-conflict.toml"), EXAMPLE).unwrap();
    std::fs::write(dir.join("broken.toml"), "id = ").unwrap();
    std::fs::write(dir.join("notes.md"), "not a case").unwrap();
    let corpus = load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(corpus.cases.len(), 1);
    assert_eq!(corpus.count(Kind::Origin), 1);
    let kinds: Vec<_> = corpus.errors.iter().map(|error| error.kind()).collect();
    assert_eq!(kinds, [CaseErrorKind::Syntax, CaseErrorKind::Duplicate]);
    assert!(corpus.errors[0].to_string().contains("broken.toml:1:"));

    let missing = load_dir(Path::new("/nonexistent/corpora")).unwrap_err();
    assert_eq!(missing.kind(), CaseErrorKind::Io);
}
