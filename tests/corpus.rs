//! The example inputs under `corpora/inspect` keep the verdict their names promise under the
//! default policy: `<kind>/<side>/<name>.accept.http` exits 0 and `.reject.http` exits 1. The
//! main job (`scripts/main-job`) checks the same with a release build; this keeps `cargo test`
//! from passing while an example has drifted.

// Clippy allows unwrap and panic only in code it knows to be test code; helpers outside
// `#[test]` functions are that too.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> Vec<(String, String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/inspect");
    let mut found = Vec::new();
    for kind in ["h1-request", "h1-response"] {
        for side in ["client", "origin"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(side)) else {
                continue;
            };
            for entry in entries {
                found.push((kind.to_owned(), side.to_owned(), entry.unwrap().path()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_example_gets_the_verdict_its_name_promises() {
    let examples = examples();
    assert!(examples.len() >= 25, "only {} examples", examples.len());
    let mut wrong = Vec::new();
    for (kind, side, path) in &examples {
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = if name.ends_with(".accept.http") {
            0
        } else if name.ends_with(".reject.http") {
            1
        } else {
            panic!(
                "{}: name must end in .accept.http or .reject.http",
                path.display()
            );
        };
        let output = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .args(["inspect", kind, "--side", side, "--escaped", "--json"])
            .arg(path)
            .output()
            .unwrap();
        let got = output.status.code().unwrap();
        if got != expected {
            wrong.push(format!(
                "{kind}/{side}/{name}: exit {got}, expected {expected}\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn both_kinds_and_both_sides_are_covered() {
    let examples = examples();
    for kind in ["h1-request", "h1-response"] {
        for side in ["client", "origin"] {
            assert!(
                examples.iter().any(|(k, s, _)| k == kind && s == side),
                "no example for {kind}/{side}"
            );
        }
    }
}
