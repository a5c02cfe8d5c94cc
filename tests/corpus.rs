//! The example inputs under `corpora/inspect` keep the verdict their names promise under the
//! default policy: `.accept.<ext>` exits 0 and `.reject.<ext>` exits 1. The main job
//! (`scripts/main-job`) checks the same with a release build; this keeps `cargo test` from
//! passing while an example has drifted.
//!
//! Layout: `<h1-request|h1-response>/<side>/<name>.<verdict>.http` (escaped format),
//! `h2-frames/<side>/<name>.<verdict>.hex` and `hpack/<name>.<verdict>.hex`.

// Clippy allows unwrap and panic only in code it knows to be test code; helpers outside
// `#[test]` functions are that too.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// One example: its kind, its side (none for hpack) and its path.
struct Example {
    kind: &'static str,
    side: Option<&'static str>,
    path: PathBuf,
}

impl Example {
    /// The arguments the main job runs it with.
    fn args(&self) -> Vec<&str> {
        let mut args = vec!["inspect", self.kind];
        if let Some(side) = self.side {
            args.extend(["--side", side]);
        }
        match self.kind {
            "h2-frames" => args.push("--hex"),
            "hpack" => {}
            _ => args.push("--escaped"),
        }
        args.push("--json");
        args
    }

    fn extension(&self) -> &'static str {
        if self.kind.starts_with("h1-") {
            "http"
        } else {
            "hex"
        }
    }

    fn label(&self) -> String {
        let name = self.path.file_name().unwrap().to_str().unwrap();
        match self.side {
            Some(side) => format!("{}/{side}/{name}", self.kind),
            None => format!("{}/{name}", self.kind),
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries.map(|entry| entry.unwrap().path()).collect()
}

fn examples() -> Vec<Example> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/inspect");
    let mut found = Vec::new();
    for kind in ["h1-request", "h1-response", "h2-frames"] {
        for side in ["client", "origin"] {
            for path in files(&root.join(kind).join(side)) {
                found.push(Example {
                    kind,
                    side: Some(side),
                    path,
                });
            }
        }
    }
    for path in files(&root.join("hpack")) {
        found.push(Example {
            kind: "hpack",
            side: None,
            path,
        });
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

#[test]
fn every_example_gets_the_verdict_its_name_promises() {
    let examples = examples();
    assert!(examples.len() >= 40, "only {} examples", examples.len());
    let mut wrong = Vec::new();
    for example in &examples {
        let name = example.path.file_name().unwrap().to_str().unwrap();
        let extension = example.extension();
        let expected = if name.ends_with(&format!(".accept.{extension}")) {
            0
        } else if name.ends_with(&format!(".reject.{extension}")) {
            1
        } else {
            panic!(
                "{}: name must end in .accept.{extension} or .reject.{extension}",
                example.path.display()
            );
        };
        let output = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .args(example.args())
            .arg(&example.path)
            .output()
            .unwrap();
        let got = output.status.code().unwrap();
        if got != expected {
            wrong.push(format!(
                "{}: exit {got}, expected {expected}\n{}{}",
                example.label(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_kind_and_side_is_covered() {
    let examples = examples();
    for kind in ["h1-request", "h1-response", "h2-frames"] {
        for side in ["client", "origin"] {
            assert!(
                examples
                    .iter()
                    .any(|e| e.kind == kind && e.side == Some(side)),
                "no example for {kind}/{side}"
            );
        }
    }
    for verdict in ["accept", "reject"] {
        assert!(
            examples
                .iter()
                .any(|e| e.kind == "hpack"
                    && e.path.to_str().unwrap().contains(&format!(".{verdict}."))),
            "no hpack example that should {verdict}"
        );
    }
}
