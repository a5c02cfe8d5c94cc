//! `tollgate harness`: the conformance harness. Today `check`, which validates corpora.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tollgate_harness::case::{Kind, load_dir};

use crate::cli::failure::Failure;

/// Exit code when a corpus holds cases that do not load.
const EXIT_INVALID: u8 = 1;

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// Corpus directories, searched recursively for *.toml cases (default: corpora).
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

pub(crate) const CHECK_DETAILS: &str = "\
Every case is read as the harness would read it (format v1, docs/cases.md): TOML syntax,
known keys, ids that match their files and are unique, one action per script step, frames
only for HTTP/2 origins, hex that decodes, at least one preferred outcome. Each problem is
printed on stderr as FILE:LINE:COLUMN: message; the last line on stdout counts the cases.

Exit codes:
  0  every case loads
  1  some cases do not load (each is named)
  2  usage error, or a directory that cannot be read";

/// Runs `tollgate harness check`.
pub(crate) fn check(args: CheckArgs) -> Result<ExitCode, Failure> {
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from("corpora")]
    } else {
        args.dirs
    };
    let mut invalid = 0usize;
    let mut ids = std::collections::HashMap::new();
    let (mut origin, mut smuggling) = (0usize, 0usize);
    for dir in &dirs {
        let corpus = load_dir(dir).map_err(|error| Failure::new(error.to_string()))?;
        for error in &corpus.errors {
            eprintln!("{error}");
        }
        invalid += corpus.errors.len();
        for case in &corpus.cases {
            // The same id in two of the directories given is a duplicate too.
            if let Some(first) = ids.insert(case.id.clone(), case.file.clone()) {
                eprintln!(
                    "{}: id {:?} is also the id of {}",
                    case.file.display(),
                    case.id,
                    first.display()
                );
                invalid += 1;
            }
        }
        origin += corpus.count(Kind::Origin);
        smuggling += corpus.count(Kind::Smuggling);
    }
    let shown: Vec<String> = dirs.iter().map(|dir| dir.display().to_string()).collect();
    println!(
        "{}: {} cases ({origin} origin, {smuggling} smuggling), {invalid} invalid",
        shown.join(", "),
        origin + smuggling
    );
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    })
}
