//! `tollgate bench proxy`: tollgate, nginx and haproxy behind the same origin, under the same
//! load generator, one after the other in one run, side by side.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Serialize;
use tollgate_harness::load::subjects::{self, SubjectKind, TollgateBinary};
use tollgate_harness::load::{self, LoadErrorKind, LoadProtocol, LoadReport, LoadSpec, Origin};

use crate::cli::failure::Failure;
use crate::cli::output;

/// Exit code when a subject could not be measured (it failed to start or its run failed).
const EXIT_SUBJECT_FAILED: u8 = 1;

/// The identifier of the JSON report's shape.
const SCHEMA: &str = "tollgate.bench.proxy/1";

pub(crate) const PROXY_DETAILS: &str = "\
What is measured:
  For each pair and subject: requests per second over the measured window and the
  latency percentiles (p50, p99) of the answered requests, from writing a request to
  reading the end of its response, by a closed-loop generator: each connection (HTTP/1)
  or stream (HTTP/2) sends its next request when the last one is answered. Requests
  started during the warm-up are sent but not counted. Errors are requests with no
  complete response; non-2xx answers are counted apart. Ratios compare tollgate with each
  other subject: req/s tollgate/other (above 1 is better) and p99 tollgate/other (below 1
  is better).

How:
  The origin runs in this process on 127.0.0.1 and answers every request 200 with a body
  of --body-size bytes. Each subject gets a generated configuration with one worker, a
  cleartext HTTP/1 listener and a cleartext HTTP/2 prior-knowledge listener on loopback,
  forwarding to the origin over HTTP/1.1 keep-alive; it is started, measured for every
  pair, and stopped before the next one starts. A subject that is not installed is
  skipped with the reason. scripts/bench-proxy installs nginx and haproxy and builds a
  release binary first; docs/bench.md explains the caveats.

Exit codes:
  0  every subject that was asked for was measured or skipped (whatever the numbers say)
  1  a subject could not be measured (it did not start, or its run failed); the table says which
  2  usage error, no origin, or a report file that cannot be written";

/// The arguments of `tollgate bench proxy`.
#[derive(Args, Debug)]
pub(crate) struct ProxyArgs {
    /// The proxies to measure, comma-separated, in the order they run:
    /// tollgate, nginx, haproxy.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = parse_subject,
        default_value = "tollgate,nginx,haproxy",
        verbatim_doc_comment
    )]
    subjects: Vec<SubjectKind>,
    /// The client→proxy and proxy→origin protocols to measure, comma-separated:
    /// h1-h1 (HTTP/1.1 to the proxy) and h2-h1 (HTTP/2 prior knowledge to the
    /// proxy); the origin always speaks HTTP/1.1.
    #[arg(
        long,
        value_delimiter = ',',
        value_enum,
        default_value = "h1-h1,h2-h1",
        verbatim_doc_comment
    )]
    pairs: Vec<Pair>,
    /// How long each subject and pair is measured, after the warm-up (`10s`, `1m`).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "10s")]
    duration: Duration,
    /// How long requests are sent but not measured first, for each subject and pair.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "2s")]
    warmup: Duration,
    /// Connections the generator keeps open to the proxy.
    #[arg(long, value_name = "N", default_value_t = 32)]
    connections: usize,
    /// Requests in flight on each HTTP/2 connection (HTTP/1 has one per connection).
    #[arg(long, value_name = "N", default_value_t = 10)]
    streams: usize,
    /// Bytes of body in every response of the origin.
    #[arg(long, value_name = "BYTES", default_value_t = 1024)]
    body_size: usize,
    /// Also write the results as a Markdown report to FILE.
    #[arg(long, value_name = "FILE.md")]
    out: Option<PathBuf>,
    /// Also write the results as JSON (schema `tollgate.bench.proxy/1`) to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn parse_subject(name: &str) -> Result<SubjectKind, String> {
    SubjectKind::from_name(name).ok_or_else(|| {
        format!("`{name}` is not a subject; the subjects are tollgate, nginx and haproxy")
    })
}

/// A client→proxy and proxy→origin protocol pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
enum Pair {
    /// HTTP/1.1 to the proxy, HTTP/1.1 to the origin.
    #[value(name = "h1-h1")]
    #[serde(rename = "h1-h1")]
    H1H1,
    /// HTTP/2 (prior knowledge) to the proxy, HTTP/1.1 to the origin.
    #[value(name = "h2-h1")]
    #[serde(rename = "h2-h1")]
    H2H1,
}

impl Pair {
    fn as_str(self) -> &'static str {
        match self {
            Pair::H1H1 => "h1-h1",
            Pair::H2H1 => "h2-h1",
        }
    }

    fn protocol(self) -> LoadProtocol {
        match self {
            Pair::H1H1 => LoadProtocol::H1,
            Pair::H2H1 => LoadProtocol::H2,
        }
    }
}

/// Everything a run found, rendered as text, Markdown or JSON.
#[derive(Debug, Serialize)]
struct Bench {
    schema: &'static str,
    machine: Machine,
    settings: Settings,
    subjects: Vec<SubjectOutcome>,
    results: Vec<Measurement>,
    ratios: Vec<Ratio>,
}

#[derive(Debug, Serialize)]
struct Machine {
    /// Cores this process may use: generator, origin and proxy share them.
    cores: usize,
    os: &'static str,
    arch: &'static str,
}

#[derive(Debug, Serialize)]
struct Settings {
    duration_secs: f64,
    warmup_secs: f64,
    connections: usize,
    streams_per_connection: usize,
    body_size: usize,
}

#[derive(Debug, Serialize)]
struct SubjectOutcome {
    subject: &'static str,
    version: Option<String>,
    /// `measured`, `skipped` or `failed`.
    status: &'static str,
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
struct Measurement {
    pair: Pair,
    subject: &'static str,
    requests: u64,
    errors: u64,
    non_success: u64,
    bytes: u64,
    elapsed_secs: f64,
    requests_per_sec: f64,
    latency_us: LatencyMicros,
    first_error: Option<String>,
}

#[derive(Debug, Serialize)]
struct LatencyMicros {
    p50: u128,
    p90: u128,
    p99: u128,
    max: u128,
}

/// tollgate against one other subject on one pair.
#[derive(Debug, Serialize)]
struct Ratio {
    pair: Pair,
    other: &'static str,
    /// tollgate's requests/s over the other's: above 1, tollgate is faster.
    requests_per_sec: Option<f64>,
    /// tollgate's p99 over the other's: below 1, tollgate's tail is shorter.
    p99: Option<f64>,
}

impl Measurement {
    fn new(pair: Pair, subject: SubjectKind, report: &LoadReport) -> Measurement {
        Measurement {
            pair,
            subject: subject.as_str(),
            requests: report.requests,
            errors: report.errors,
            non_success: report.non_success,
            bytes: report.bytes,
            elapsed_secs: report.elapsed.as_secs_f64(),
            requests_per_sec: report.requests_per_sec,
            latency_us: LatencyMicros {
                p50: report.latency.p50.as_micros(),
                p90: report.latency.p90.as_micros(),
                p99: report.latency.p99.as_micros(),
                max: report.latency.max.as_micros(),
            },
            first_error: report.first_error.clone(),
        }
    }
}

/// Runs `tollgate bench proxy`.
pub(crate) fn proxy(args: ProxyArgs) -> Result<ExitCode, Failure> {
    check(&args)?;
    // Two worker threads, the machine's usual two cores: the generator and the origin share
    // them with the proxy measured, which docs/bench.md names as the main caveat.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| Failure::new(format!("cannot start the async runtime: {error}")))?;
    let origin = runtime
        .block_on(Origin::start(args.body_size))
        .map_err(|error| Failure::new(format!("cannot start the origin: {error}")))?;
    let exe = std::env::current_exe().map_err(|error| {
        Failure::new(format!("cannot find this binary to run tollgate: {error}"))
    })?;
    let tollgate = TollgateBinary {
        exe,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut bench = Bench {
        schema: SCHEMA,
        machine: Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        },
        settings: Settings {
            duration_secs: args.duration.as_secs_f64(),
            warmup_secs: args.warmup.as_secs_f64(),
            connections: args.connections,
            streams_per_connection: args.streams,
            body_size: args.body_size,
        },
        subjects: Vec::new(),
        results: Vec::new(),
        ratios: Vec::new(),
    };
    for kind in unique(&args.subjects) {
        let (outcome, measurements) = measure(kind, &args, &origin, &tollgate, &runtime);
        bench.subjects.push(outcome);
        bench.results.extend(measurements);
    }
    bench.ratios = ratios(&bench.results);
    drop(origin);
    output::emit(&text(&bench))?;
    if let Some(path) = &args.out {
        write_file(path, &markdown(&bench))?;
    }
    if let Some(path) = &args.json {
        write_file(path, &output::json(&bench)?)?;
    }
    if bench
        .subjects
        .iter()
        .any(|subject| subject.status == "failed")
    {
        Ok(ExitCode::from(EXIT_SUBJECT_FAILED))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn check(args: &ProxyArgs) -> Result<(), Failure> {
    if args.connections == 0 || args.streams == 0 {
        return Err(Failure::new(
            "--connections and --streams must be at least 1",
        ));
    }
    if args.duration.is_zero() {
        return Err(Failure::new("--duration must be longer than 0s"));
    }
    Ok(())
}

/// Each subject once, in the order first asked for.
fn unique(subjects: &[SubjectKind]) -> Vec<SubjectKind> {
    let mut seen = Vec::new();
    for kind in subjects {
        if !seen.contains(kind) {
            seen.push(*kind);
        }
    }
    seen
}

/// Starts `kind`, measures every pair through it, stops it. Progress goes to stderr.
fn measure(
    kind: SubjectKind,
    args: &ProxyArgs,
    origin: &Origin,
    tollgate: &TollgateBinary,
    runtime: &tokio::runtime::Runtime,
) -> (SubjectOutcome, Vec<Measurement>) {
    let name = kind.as_str();
    let outcome = |version: Option<String>, status, reason: Option<String>| SubjectOutcome {
        subject: name,
        version,
        status,
        reason,
    };
    let plan = match subjects::plan(kind, origin.addr(), tollgate) {
        Ok(plan) => plan,
        Err(error) if error.kind() == LoadErrorKind::Missing => {
            eprintln!("bench: {name}: skipped: {}", error.detail());
            return (
                outcome(None, "skipped", Some(error.detail().to_owned())),
                Vec::new(),
            );
        }
        Err(error) => {
            eprintln!("bench: {name}: failed: {error}");
            return (outcome(None, "failed", Some(error.to_string())), Vec::new());
        }
    };
    let version = Some(plan.version().to_owned());
    eprintln!("bench: {name}: starting ({})", plan.version());
    let subject = match plan.start() {
        Ok(subject) => subject,
        Err(error) => {
            eprintln!("bench: {name}: failed: {error}");
            return (
                outcome(version, "failed", Some(error.to_string())),
                Vec::new(),
            );
        }
    };
    let mut measurements = Vec::new();
    for pair in &args.pairs {
        let config = subject.config();
        let target = match pair.protocol() {
            LoadProtocol::H1 => config.h1,
            LoadProtocol::H2 => config.h2,
        };
        let spec = LoadSpec {
            target,
            protocol: pair.protocol(),
            connections: args.connections,
            streams_per_connection: args.streams,
            duration: args.duration,
            warmup: args.warmup,
            host: "localhost".to_owned(),
            path: "/".to_owned(),
            max_requests: None,
        };
        eprintln!(
            "bench: {name} {}: {} warm-up, {} measured",
            pair.as_str(),
            humantime::format_duration(args.warmup),
            humantime::format_duration(args.duration)
        );
        match runtime.block_on(load::run(&spec)) {
            Ok(report) => {
                eprintln!(
                    "bench: {name} {}: {:.0} req/s, p99 {}, {} errors",
                    pair.as_str(),
                    report.requests_per_sec,
                    latency(report.latency.p99),
                    report.errors
                );
                measurements.push(Measurement::new(*pair, kind, &report));
            }
            Err(error) => {
                eprintln!("bench: {name} {}: failed: {error}", pair.as_str());
                let _ = subject.stop();
                return (
                    outcome(version, "failed", Some(error.to_string())),
                    measurements,
                );
            }
        }
    }
    if let Err(error) = subject.stop() {
        eprintln!("bench: {name}: failed: {error}");
        return (
            outcome(version, "failed", Some(error.to_string())),
            measurements,
        );
    }
    (outcome(version, "measured", None), measurements)
}

/// tollgate against every other measured subject, pair by pair.
fn ratios(results: &[Measurement]) -> Vec<Ratio> {
    let tollgate = SubjectKind::Tollgate.as_str();
    let mut ratios = Vec::new();
    for ours in results.iter().filter(|m| m.subject == tollgate) {
        for other in results
            .iter()
            .filter(|m| m.pair == ours.pair && m.subject != tollgate)
        {
            ratios.push(Ratio {
                pair: ours.pair,
                other: other.subject,
                requests_per_sec: quotient(ours.requests_per_sec, other.requests_per_sec),
                p99: quotient(ours.latency_us.p99 as f64, other.latency_us.p99 as f64),
            });
        }
    }
    ratios
}

/// `a / b`, or nothing when `b` measured nothing.
fn quotient(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

fn ratio_of<'a>(ratios: &'a [Ratio], m: &Measurement) -> Option<&'a Ratio> {
    ratios
        .iter()
        .find(|r| r.pair == m.pair && r.other == m.subject)
}

fn latency(duration: Duration) -> String {
    if duration < Duration::from_millis(1) {
        format!("{}µs", duration.as_micros())
    } else {
        format!("{:.2}ms", duration.as_secs_f64() * 1000.0)
    }
}

fn ratio_text(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

/// One row of the results table.
fn row(m: &Measurement, ratios: &[Ratio]) -> [String; 8] {
    let ratio = ratio_of(ratios, m);
    [
        m.pair.as_str().to_owned(),
        m.subject.to_owned(),
        format!("{:.0}", m.requests_per_sec),
        latency(Duration::from_micros(saturate(m.latency_us.p50))),
        latency(Duration::from_micros(saturate(m.latency_us.p99))),
        format!("{}/{}", m.errors, m.non_success),
        ratio_text(ratio.and_then(|r| r.requests_per_sec)),
        ratio_text(ratio.and_then(|r| r.p99)),
    ]
}

fn saturate(micros: u128) -> u64 {
    u64::try_from(micros).unwrap_or(u64::MAX)
}

const HEADER: [&str; 8] = [
    "pair",
    "subject",
    "req/s",
    "p50",
    "p99",
    "errors/non-2xx",
    "tollgate/this req/s",
    "tollgate/this p99",
];

/// The human-readable report: settings, versions, the table.
fn text(bench: &Bench) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", preamble(bench));
    for subject in &bench.subjects {
        let _ = writeln!(out, "  {:<9} {}", subject.subject, subject_line(subject));
    }
    out.push('\n');
    let rows: Vec<[String; 8]> = bench
        .results
        .iter()
        .map(|m| row(m, &bench.ratios))
        .collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            // Names left, numbers right, as a reader scans them.
            if i < 2 {
                let _ = write!(text, "{cell:<width$}  ");
            } else {
                let _ = write!(text, "{cell:>width$}  ");
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&HEADER.map(str::to_owned));
    for row in &rows {
        line(row);
    }
    out
}

fn preamble(bench: &Bench) -> String {
    let s = &bench.settings;
    format!(
        "machine: {} cores ({} {}), shared by the generator, the origin and the proxy\n\
         load: {} connections, {} streams per HTTP/2 connection, {}s after {}s of warm-up, \
         {}-byte responses\nsubjects:",
        bench.machine.cores,
        bench.machine.os,
        bench.machine.arch,
        s.connections,
        s.streams_per_connection,
        s.duration_secs,
        s.warmup_secs,
        s.body_size
    )
}

fn subject_line(subject: &SubjectOutcome) -> String {
    let version = subject.version.as_deref().unwrap_or("version unknown");
    match (subject.status, &subject.reason) {
        ("measured", _) | (_, None) => version.to_owned(),
        (status, Some(reason)) => format!("{status}: {reason}"),
    }
}

/// The Markdown report: the same content as the text, as tables.
fn markdown(bench: &Bench) -> String {
    let mut out = String::from("# tollgate bench proxy\n\n");
    let s = &bench.settings;
    let _ = writeln!(
        out,
        "Machine: {} cores ({} {}), shared by the generator, the origin and the proxy. \
         Load: {} connections, {} streams per HTTP/2 connection, {}s measured after {}s of \
         warm-up, {}-byte responses.\n",
        bench.machine.cores,
        bench.machine.os,
        bench.machine.arch,
        s.connections,
        s.streams_per_connection,
        s.duration_secs,
        s.warmup_secs,
        s.body_size
    );
    out.push_str("| subject | version or status |\n| --- | --- |\n");
    for subject in &bench.subjects {
        let _ = writeln!(
            out,
            "| {} | {} |",
            subject.subject,
            cell(&subject_line(subject))
        );
    }
    out.push('\n');
    let _ = writeln!(out, "| {} |", HEADER.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(2) + &" ---: |".repeat(6));
    for m in &bench.results {
        let row = row(m, &bench.ratios).map(|c| cell(&c));
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

/// A Markdown table cell: a pipe or a line break would end it early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|error| Failure::new(format!("cannot write {}: {error}", path.display())))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ProxyArgs,
    }

    fn measurement(pair: Pair, subject: SubjectKind, rps: f64, p99: u64) -> Measurement {
        let report = LoadReport {
            requests: 1000,
            errors: 2,
            non_success: 1,
            requests_per_sec: rps,
            latency: load::Latency {
                p50: Duration::from_micros(p99 / 2),
                p90: Duration::from_micros(p99 / 2),
                p99: Duration::from_micros(p99),
                max: Duration::from_micros(p99),
            },
            ..LoadReport::default()
        };
        Measurement::new(pair, subject, &report)
    }

    fn bench() -> Bench {
        let results = vec![
            measurement(Pair::H1H1, SubjectKind::Tollgate, 30_000.0, 2_000),
            measurement(Pair::H1H1, SubjectKind::Haproxy, 20_000.0, 4_000),
            measurement(Pair::H2H1, SubjectKind::Tollgate, 10_000.0, 900),
            measurement(Pair::H2H1, SubjectKind::Haproxy, 0.0, 0),
        ];
        Bench {
            schema: SCHEMA,
            machine: Machine {
                cores: 2,
                os: "linux",
                arch: "x86_64",
            },
            settings: Settings {
                duration_secs: 10.0,
                warmup_secs: 2.0,
                connections: 32,
                streams_per_connection: 10,
                body_size: 1024,
            },
            subjects: vec![
                SubjectOutcome {
                    subject: "tollgate",
                    version: Some("tollgate 0.1.0".to_owned()),
                    status: "measured",
                    reason: None,
                },
                SubjectOutcome {
                    subject: "nginx",
                    version: None,
                    status: "skipped",
                    reason: Some("nginx is not installed".to_owned()),
                },
            ],
            ratios: ratios(&results),
            results,
        }
    }

    #[test]
    fn defaults_and_lists_parse() {
        let cli = Cli::try_parse_from(["bench"]).unwrap();
        assert_eq!(cli.args.subjects, SubjectKind::ALL);
        assert_eq!(cli.args.pairs, [Pair::H1H1, Pair::H2H1]);
        assert_eq!(cli.args.duration, Duration::from_secs(10));
        assert_eq!(cli.args.warmup, Duration::from_secs(2));
        assert_eq!((cli.args.connections, cli.args.streams), (32, 10));
        let cli = Cli::try_parse_from([
            "bench",
            "--subjects",
            "haproxy,nginx",
            "--pairs",
            "h2-h1",
            "--duration",
            "3s",
            "--warmup",
            "500ms",
        ])
        .unwrap();
        assert_eq!(
            cli.args.subjects,
            [SubjectKind::Haproxy, SubjectKind::Nginx]
        );
        assert_eq!(cli.args.pairs, [Pair::H2H1]);
        assert_eq!(cli.args.warmup, Duration::from_millis(500));
    }

    #[test]
    fn unknown_subjects_and_zero_counts_are_usage_errors() {
        let error = Cli::try_parse_from(["bench", "--subjects", "envoy"])
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("`envoy` is not a subject"),
            "{error}"
        );
        let cli = Cli::try_parse_from(["bench", "--connections", "0"]).unwrap();
        assert!(check(&cli.args).is_err());
        let cli = Cli::try_parse_from(["bench", "--duration", "0s"]).unwrap();
        assert!(check(&cli.args).is_err());
    }

    #[test]
    fn subjects_run_once_in_the_order_asked() {
        use SubjectKind::{Haproxy, Nginx, Tollgate};
        assert_eq!(
            unique(&[Nginx, Tollgate, Nginx, Haproxy, Tollgate]),
            [Nginx, Tollgate, Haproxy]
        );
    }

    #[test]
    fn ratios_compare_tollgate_with_each_other_subject_per_pair() {
        let bench = bench();
        assert_eq!(bench.ratios.len(), 2);
        let h1 = &bench.ratios[0];
        assert_eq!((h1.pair, h1.other), (Pair::H1H1, "haproxy"));
        assert_eq!(h1.requests_per_sec, Some(1.5));
        assert_eq!(h1.p99, Some(0.5));
        // A subject that answered nothing gives no ratio rather than an infinite one.
        let h2 = &bench.ratios[1];
        assert_eq!((h2.requests_per_sec, h2.p99), (None, None));
    }

    #[test]
    fn text_table_has_every_row_aligned_with_ratios() {
        let text = text(&bench());
        assert!(
            text.starts_with("machine: 2 cores (linux x86_64)"),
            "{text}"
        );
        assert!(text.contains("  tollgate  tollgate 0.1.0\n"), "{text}");
        assert!(
            text.contains("  nginx     skipped: nginx is not installed\n"),
            "{text}"
        );
        let table: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("pair"))
            .collect();
        assert_eq!(table.len(), 5, "{text}");
        let haproxy: Vec<&str> = table[2].split_whitespace().collect();
        assert_eq!(
            haproxy,
            [
                "h1-h1", "haproxy", "20000", "2.00ms", "4.00ms", "2/1", "1.50", "0.50"
            ]
        );
        let tollgate: Vec<&str> = table[3].split_whitespace().collect();
        assert_eq!(
            tollgate,
            [
                "h2-h1", "tollgate", "10000", "450µs", "900µs", "2/1", "-", "-"
            ]
        );
        // Right-aligned numbers end in the same column.
        let end = |line: &str, cell: &str| line.find(cell).unwrap() + cell.len();
        assert_eq!(end(table[1], "30000"), end(table[2], "20000"));
    }

    #[test]
    fn markdown_is_a_table_with_the_same_rows() {
        let markdown = markdown(&bench());
        assert!(
            markdown.contains("| nginx | skipped: nginx is not installed |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| h1-h1 | haproxy | 20000 | 2.00ms | 4.00ms | 2/1 | 1.50 | 0.50 |"),
            "{markdown}"
        );
        let lines: Vec<&str> = markdown.lines().collect();
        let at = lines.iter().position(|l| l.starts_with("| pair")).unwrap();
        let (header, rule) = (lines[at], lines[at + 1]);
        assert!(rule.starts_with("| --- | --- | ---: |"), "{rule}");
        assert_eq!(header.matches('|').count(), rule.matches('|').count());
    }

    #[test]
    fn json_names_its_schema_and_ratios() {
        let json: serde_json::Value =
            serde_json::from_str(&output::json(&bench()).unwrap()).unwrap();
        assert_eq!(json["schema"], SCHEMA);
        assert_eq!(json["results"][1]["latency_us"]["p99"], 4000);
        assert_eq!(json["results"][0]["pair"], "h1-h1");
        assert_eq!(json["ratios"][0]["requests_per_sec"], 1.5);
        assert_eq!(json["subjects"][1]["status"], "skipped");
    }
}
