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

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Corpus directories (default: corpora).
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Run only cases with this tag, or whose id starts with this (repeatable).
    #[arg(long, value_name = "TAG|ID")]
    filter: Vec<String>,
    /// Cases played at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    jobs: usize,
    /// Where the reports go: one JSON, HTML, Markdown and JUnit file per run.
    #[arg(long, value_name = "DIR", default_value = "reports/out")]
    out: PathBuf,
    /// Classes that make the run exit 1: a comma list of unsafe, failure, deviant, or none.
    #[arg(long, value_name = "CLASSES", default_value = "unsafe,failure")]
    fail_on: String,
    /// Subjects, comma-separated: tollgate (in-process), nginx, haproxy. A proxy that is not
    /// installed is reported skipped. --fail-on judges tollgate's outcomes only.
    #[arg(long, value_name = "LIST", default_value = "tollgate")]
    subject: String,
}

pub(crate) const RUN_DETAILS: &str = "\
Each case is played against each subject, started for it in front of the case's scripted
origin: tollgate in-process, nginx and haproxy from generated one-worker configurations (with
the same 1 s timeouts; they reach HTTP/1 origins only, so HTTP/2-origin cases are skipped for
them). Each outcome is classed conformant, deviant, unsafe or failure (docs/cases.md). A line per case goes to stderr as it finishes; then one summary line
per subject, exactly `SUBJECT: N cases, C conformant, D deviant, U unsafe, F failure, S
skipped`, and the paths of the reports written.

Exit codes:
  0  no case in a --fail-on class
  1  some case is in a --fail-on class (default: unsafe or failure)
  2  usage error, a corpus that does not load, or reports that cannot be written";

/// A subject asked for: ready to play, or why it cannot (reported skipped).
type Found = Result<std::sync::Arc<dyn tollgate_harness::run::Subject>, String>;

/// Runs `tollgate harness run`.
pub(crate) fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    use std::sync::Arc;
    use tollgate_harness::case::Case;
    use tollgate_harness::external;
    use tollgate_harness::run::{Subject as HarnessSubject, Tollgate, play, result_of};
    use tollgate_reports::{
        Class, Environment, Report, Run, Subject, SubjectKind, Suite, render::Format, summarize,
    };

    let fail_on: Vec<Class> = if args.fail_on == "none" {
        Vec::new()
    } else {
        args.fail_on
            .split(',')
            .map(|name| match name.trim() {
                "unsafe" => Ok(Class::Unsafe),
                "failure" => Ok(Class::Failure),
                "deviant" => Ok(Class::Deviant),
                other => Err(Failure::new(format!(
                    "--fail-on {other:?}: expected unsafe, failure, deviant or none"
                ))),
            })
            .collect::<Result<_, _>>()?
    };
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from("corpora")]
    } else {
        args.dirs
    };
    let mut cases: Vec<Case> = Vec::new();
    for dir in &dirs {
        let corpus = load_dir(dir).map_err(|error| Failure::new(error.to_string()))?;
        if let Some(error) = corpus.errors.first() {
            return Err(Failure::new(format!(
                "{error} (and {} more; see `tollgate harness check`)",
                corpus.errors.len() - 1
            )));
        }
        cases.extend(corpus.cases);
    }
    if !args.filter.is_empty() {
        cases.retain(|case| {
            args.filter
                .iter()
                .any(|filter| case.tags.contains(filter) || case.id.starts_with(filter.as_str()))
        });
    }
    let total = cases.len();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores.max(2))
        .enable_all()
        .build()
        .map_err(|error| Failure::new(format!("cannot start the runtime: {error}")))?;
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    let cases = Arc::new(cases);
    // The subjects asked for: tollgate, or an external proxy found on this machine (a missing
    // one is kept with its reason and every case skipped for it).
    let mut subjects: Vec<(String, Found, String)> = Vec::new();
    for name in args.subject.split(',').map(str::trim) {
        let entry: (Result<Arc<dyn HarnessSubject>, String>, String) = match name {
            "tollgate" => (Ok(Arc::new(Tollgate)), env!("CARGO_PKG_VERSION").to_owned()),
            "nginx" | "haproxy" => {
                let kind = if name == "nginx" {
                    external::Kind::Nginx
                } else {
                    external::Kind::Haproxy
                };
                match external::External::find(kind) {
                    Ok(found) => {
                        let version = found.version().to_owned();
                        (Ok(Arc::new(found) as Arc<dyn HarnessSubject>), version)
                    }
                    Err(reason) => (Err(reason), String::new()),
                }
            }
            other => {
                return Err(Failure::new(format!(
                    "--subject {other:?}: expected tollgate, nginx or haproxy"
                )));
            }
        };
        subjects.push((name.to_owned(), entry.0, entry.1));
    }
    let runnable: Vec<(usize, Arc<dyn HarnessSubject>)> = subjects
        .iter()
        .enumerate()
        .filter_map(|(index, (_, subject, _))| subject.as_ref().ok().map(|s| (index, s.clone())))
        .collect();
    let runs = total * runnable.len();
    let results = runtime.block_on(async {
        let slots = Arc::new(tokio::sync::Semaphore::new(args.jobs.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for index in 0..total {
            for (which, subject) in &runnable {
                let cases = cases.clone();
                let slots = slots.clone();
                let subject = subject.clone();
                let which = *which;
                tasks.spawn(async move {
                    let _slot = slots.acquire_owned().await;
                    let case = &cases[index];
                    (index, which, play(case, subject.as_ref()).await)
                });
            }
        }
        let mut results = Vec::with_capacity(runs);
        let mut done = 0;
        while let Some(joined) = tasks.join_next().await {
            let Ok((index, which, played)) = joined else {
                continue;
            };
            done += 1;
            let case = &cases[index];
            eprintln!(
                "[{done}/{runs}] {} {}: {} ({})",
                subjects[which].0,
                case.id,
                played.verdict.class.as_str(),
                played.verdict.reason
            );
            results.push((index, which, played));
        }
        results.sort_by_key(|(index, which, _)| (*which, *index));
        results
    });
    let since_epoch = started
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let run_id = format!("run-{}", since_epoch.as_secs());
    let mut report = Report::new(
        Run::new(
            run_id.clone(),
            rfc3339(since_epoch.as_secs()),
            u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            env!("CARGO_PKG_VERSION"),
        )
        .command_line(std::env::args())
        .git_commit(git_commit()),
        Environment::this_build(u32::try_from(cores).unwrap_or(u32::MAX)),
    );
    for (name, subject, version) in &subjects {
        let kind = if name == "tollgate" {
            SubjectKind::Tollgate
        } else {
            SubjectKind::External
        };
        let mut entry = Subject::new(name.clone(), kind);
        match subject {
            Ok(_) => {
                entry = entry.version(version.clone());
                if name == "tollgate" {
                    entry = entry.config(tollgate_harness::run::tollgate_config(
                        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                        tollgate_harness::case::Protocol::H1,
                    ));
                }
            }
            Err(reason) => entry = entry.skipped(reason.clone()),
        }
        report.push_subject(entry);
    }
    for kind in [Kind::Origin, Kind::Smuggling] {
        let count = cases.iter().filter(|case| case.kind == kind).count();
        if count > 0 {
            report.push_suite(Suite {
                name: kind.as_str().to_owned(),
                path: None,
                cases: count as u64,
                sha256: None,
            });
        }
    }
    let mut failing = false;
    for (index, which, played) in &results {
        let name = &subjects[*which].0;
        failing |= name == "tollgate" && fail_on.contains(&played.verdict.class);
        report.push_result(result_of(&cases[*index], name, played));
    }
    for (name, subject, _) in &subjects {
        if let Err(reason) = subject {
            for case in cases.iter() {
                let skipped = tollgate_reports::CaseResult::new(
                    case.id.clone(),
                    name.clone(),
                    Class::Skipped,
                    reason.clone(),
                )
                .title(case.title.clone())
                .tags(case.tags.clone())
                .suite(case.kind.as_str());
                report.push_result(skipped);
            }
        }
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|error| Failure::new(format!("{}: {error}", args.out.display())))?;
    let mut written = Vec::new();
    for format in Format::ALL {
        let text = format
            .render(&report)
            .map_err(|error| Failure::new(error.to_string()))?;
        let path = args.out.join(format!("{run_id}{}", format.extension()));
        std::fs::write(&path, text)
            .map_err(|error| Failure::new(format!("{}: {error}", path.display())))?;
        written.push(path);
    }
    for summary in summarize(&report) {
        println!("{summary}");
    }
    for path in written {
        println!("report: {}", path.display());
    }
    Ok(if failing {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

/// The commit of the working directory's repository, or `unknown` outside one.
fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |commit| commit.trim().to_owned())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (UTC; days to civil date by
/// Howard Hinnant's algorithm), so that reports need no date crate.
fn rfc3339(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_305_600 + 3661), "2026-11-22T01:01:01Z");
    }
}
