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

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The case file whose origin to play.
    #[arg(value_name = "CASE")]
    case: PathBuf,
    /// Where to listen (port 0: the OS chooses; the line on stderr names it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
}

pub(crate) const SERVE_DETAILS: &str = "\
The case's origin script plays on the first connection; every request after it, on that
connection or another, gets the clean answer (200, body `follow-up`), as in a harness run.
Point curl or a proxy at it:

  tollgate origin serve corpora/origin/h1/framing/cl-te-conflict.toml --listen 127.0.0.1:9000
  curl -v http://127.0.0.1:9000/

When it accepts, one line `listening on ADDR (case ID, PROTOCOL origin)` goes to stderr.
SIGINT or SIGTERM stops it, after a summary of what it received.

Exit codes:
  0  stopped by a signal
  2  the case does not load, or the address cannot be bound";

/// Runs `tollgate origin serve`.
pub(crate) fn serve(args: ServeArgs) -> Result<ExitCode, Failure> {
    let case = tollgate_harness::case::load_file(&args.case)
        .map_err(|error| Failure::new(error.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::new(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut terminate), Ok(mut interrupt)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return Err(Failure::new("cannot install signal handlers"));
        };
        let origin = tollgate_harness::origin::ScriptedOrigin::start(&case.origin, args.listen)
            .await
            .map_err(|error| Failure::new(format!("{}: {error}", args.listen)))?;
        let protocol = match case.origin.protocol {
            tollgate_harness::case::Protocol::H1 => "HTTP/1.1",
            tollgate_harness::case::Protocol::H2 => "HTTP/2",
        };
        eprintln!(
            "listening on {} (case {}, {protocol} origin)",
            origin.addr(),
            case.id
        );
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        let record = origin.record();
        let bytes: usize = record.connections.iter().map(Vec::len).sum();
        eprintln!(
            "received {} connections, {} requests, {bytes} bytes",
            record.connections.len(),
            record.requests
        );
        Ok(ExitCode::SUCCESS)
    })
}
