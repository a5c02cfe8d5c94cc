//! End-to-end tests of `tollgate report render` and `tollgate report diff`, on report files
//! written by the test as a harness would write them.

// Clippy allows unwrap and panic only in code it knows to be test code; helpers outside
// `#[test]` functions are that too.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

/// A directory under the temp dir with a unique name, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tollgate-report-cli-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, value: &Value) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tollgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .output()
        .unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn result(case: &str, subject: &str, class: &str) -> Value {
    json!({
        "case": case,
        "title": format!("title of {case}"),
        "tags": ["h1", "smuggling"],
        "refs": ["RFC 9112 §6.3"],
        "suite": "origin",
        "subject": subject,
        "class": class,
        "reason": format!("{class} because the status was 502"),
        "matched": {"index": 1, "expectation": "status = 502"},
        "observed": {"status": 502, "body": null, "anomalies": [], "origin_received": null},
        "timings": {"total_ms": 2.0, "first_byte_ms": 1.0},
        "transcript": {"hops": [{"from": "origin", "to": "subject", "bytes": {
            "length": 38, "sha256": "00", "truncated": false,
            "text": "HTTP/1.1 200 OK\\r\\n\\r\\n</script><img onerror=x>"
        }}]}
    })
}

/// A report with two subjects and two cases; `nginx_first` is nginx's class on the first.
fn report(id: &str, nginx_first: &str) -> Value {
    json!({
        "schema": "tollgate.report/1",
        "run": {
            "id": id, "started_at": "2026-11-22T05:00:00Z", "duration_ms": 1500,
            "tollgate_version": "0.1.0", "git_commit": "55a0df8",
            "command_line": ["tollgate", "harness", "--out", "out"]
        },
        "environment": {"os": "linux", "arch": "x86_64", "cores": 2, "kernel": "6.1.0"},
        "subjects": [
            {"name": "tollgate", "kind": "tollgate", "version": "0.1.0"},
            {"name": "nginx", "kind": "external", "version": "1.22.1", "config": "worker_processes 1;"}
        ],
        "policy": {"name": "default", "toml": "base = \"default\"\n"},
        "suites": [{"name": "origin", "path": "corpora/origin", "cases": 2}],
        "results": [
            result("origin.h1.cl-te-conflict", "tollgate", "conformant"),
            result("origin.h1.cl-te-conflict", "nginx", nginx_first),
            result("origin.h1.obs-fold", "tollgate", "deviant"),
            result("origin.h1.obs-fold", "nginx", "skipped"),
        ]
    })
}

#[test]
fn render_writes_html_markdown_and_junit_next_to_the_report() {
    let dir = TempDir::new();
    let input = dir.write("run-1.json", &report("run-1", "unsafe"));
    let output = tollgate(&["report", "render", arg(&input)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected: Vec<PathBuf> = ["run-1.html", "run-1.md", "run-1.junit.xml"]
        .iter()
        .map(|name| dir.0.join(name))
        .collect();
    let printed: Vec<PathBuf> = stdout(&output).lines().map(PathBuf::from).collect();
    assert_eq!(printed, expected);

    let html = std::fs::read_to_string(&expected[0]).unwrap();
    assert_eq!(html.matches("<td class=\"cell ").count(), 4);
    assert!(html.contains("<td class=\"cell unsafe\" data-class=\"unsafe\" data-result=\"r1\">"));
    assert!(html.contains("&lt;/script&gt;&lt;img onerror=x&gt;"));
    assert_eq!(html.matches("<script").count(), 1);

    let markdown = std::fs::read_to_string(&expected[1]).unwrap();
    assert!(markdown.contains("| `origin.h1.cl-te-conflict` | conformant | **unsafe** |\n"));
    assert!(markdown.contains("| `nginx` | 1.22.1 | 2 | 0 | 0 | 1 | 0 | 1 |\n"));

    let junit = std::fs::read_to_string(&expected[2]).unwrap();
    assert!(junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(
        junit.contains("<failure type=\"unsafe\" message=\"unsafe because the status was 502\">")
    );
    assert!(junit.contains("<skipped message=\"skipped because the status was 502\"/>"));
    assert_eq!(junit.matches("<testsuite ").count(), 2);
}

#[test]
fn render_into_a_new_directory_only_the_formats_asked_for() {
    let dir = TempDir::new();
    let input = dir.write("run-1.json", &report("run-1", "deviant"));
    let out = dir.0.join("out/nested");
    let output = tollgate(&[
        "report",
        "render",
        arg(&input),
        "--out",
        arg(&out),
        "--format",
        "json,md",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["run-1.json", "run-1.md"]);
    let rendered: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run-1.json")).unwrap()).unwrap();
    let input = report("run-1", "deviant");
    for key in ["schema", "run", "environment", "policy", "results"] {
        assert_eq!(rendered[key], input[key], "{key}");
    }
    // Optional fields the input left out are written as null.
    assert_eq!(rendered["subjects"][0]["config"], Value::Null);
    assert_eq!(rendered["subjects"][1]["config"], "worker_processes 1;");
}

#[test]
fn render_refuses_to_overwrite_its_input_and_bad_formats() {
    let dir = TempDir::new();
    let input = dir.write("run-1.json", &report("run-1", "unsafe"));
    let before = std::fs::read(&input).unwrap();
    let output = tollgate(&["report", "render", arg(&input), "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("would overwrite the input"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);

    let output = tollgate(&["report", "render", arg(&input), "--format", "pdf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`pdf` is not a format"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_newer_major_version_is_refused_and_nothing_written() {
    let dir = TempDir::new();
    let mut newer = report("run-9", "unsafe");
    newer["schema"] = "tollgate.report/2".into();
    let input = dir.write("run-9.json", &newer);
    let output = tollgate(&["report", "render", arg(&input)]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("newer than this tollgate reads"),
        "{message}"
    );
    assert!(message.contains("[unsupported-version]"), "{message}");
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
}

#[test]
fn diff_exits_1_on_a_new_unsafe_outcome_and_lists_it_first() {
    let dir = TempDir::new();
    let a = dir.write("a.json", &report("run-1", "deviant"));
    let mut later = report("run-2", "unsafe");
    later["results"][2]["class"] = "conformant".into();
    let b = dir.write("b.json", &later);

    let output = tollgate(&["report", "diff", arg(&a), arg(&b)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with(
            "run-1 -> run-2\n1 new unsafe, 0 new failure, 0 other regression, 1 improvement, \
             0 now skipped, 0 no longer skipped, 0 added, 0 removed\n\nnew unsafe:\n  \
             origin.h1.cl-te-conflict on nginx: deviant -> unsafe (unsafe because the status \
             was 502)\n\nimprovement:\n  origin.h1.obs-fold on tollgate: deviant -> conformant"
        ),
        "{text}"
    );

    let output = tollgate(&["report", "diff", arg(&a), arg(&b), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["schema"], "tollgate.report-diff/1");
    assert_eq!(value["changes"][0]["kind"], "new-unsafe");
    assert_eq!(value["changes"][1]["kind"], "improvement");

    let output = tollgate(&["report", "diff", arg(&b), arg(&a)]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "conformant -> deviant regresses"
    );
    let output = tollgate(&["report", "diff", arg(&a), arg(&a)]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn diff_of_an_unreadable_report_is_a_usage_error() {
    let dir = TempDir::new();
    let a = dir.write("a.json", &report("run-1", "deviant"));
    let missing = dir.0.join("missing.json");
    let output = tollgate(&["report", "diff", arg(&a), arg(&missing)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read report"),
        "{}",
        stderr(&output)
    );
    let not_json = dir.0.join("x.json");
    std::fs::write(&not_json, "{").unwrap();
    let output = tollgate(&["report", "diff", arg(&not_json), arg(&a)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("[malformed]"),
        "{}",
        stderr(&output)
    );
}
