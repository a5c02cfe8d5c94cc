//! Command-line parsing and dispatch.

mod bench;
mod escape;
mod failure;
mod h2_frames;
mod h2_report;
mod h2_text;
mod harness;
mod hex;
mod hpack;
mod input;
mod inspect;
mod output;
mod policy;
mod policy_source;
mod proxy;
mod report;
mod reports;
mod wrap;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tollgate_codecs::Side;

use crate::cli::failure::{EXIT_USAGE, Failure};
use crate::cli::h2_frames::FramesInspection;
use crate::cli::hpack::HpackInspection;
use crate::cli::input::{Format, Source};
use crate::cli::inspect::{Inspection, Kind};
use crate::cli::policy::ListFormat;
use crate::cli::policy_source::PolicyArg;

const EXIT_CODES: &str = "\
Exit codes:
  0  the input was accepted (inspect), or the command succeeded
  1  the input was rejected; the report says why, where, and what would be answered
  2  usage error, unreadable file, bad escape or policy file that does not load";

const ESCAPED_FORMAT: &str = "\
Escaped input (--escaped):
  \\r \\n \\t \\\\ \\0 and \\xHH stand for their bytes; every other byte stands for itself.
  Literal line breaks in the file are ignored, so an example can be written one header
  per line while saying exactly which line endings it sends:

    POST /upload HTTP/1.1\\r\\n
    Host: example.com\\r\\n
    Content-Length: 5\\r\\n
    \\r\\n
    hello

  A bad escape is a usage error naming its line and column (exit 2).";

const HEX_FORMAT: &str = "\
Hex input (--hex):
  A byte is two adjacent hex digits, in either case. Spaces, tabs and line breaks may
  separate bytes and are otherwise ignored; `#` starts a comment that runs to the end
  of the line. So an example can say what each frame is:

    # SETTINGS, stream 0: MAX_CONCURRENT_STREAMS = 100
    000006 04 00 00000000  0003 00000064

  A stray character or half a byte is a usage error naming its line and column (exit 2).";

const H2_FRAMES_DETAILS: &str = "\
Sides:
  client  the bytes come from a client: they go through the guard, as in front of an h2
          server. It keeps the budgets ([h2.budgets] of the policy; the whole input counts
          as arriving at one instant) and checks every frame; request header blocks are
          decoded and their fields checked. Frame errors and budgets end the connection
          (GOAWAY); a malformed request resets its stream (RST_STREAM).
  origin  the bytes come from an origin: they go through the repair shim, as behind an h2
          client. The shim is first shown the client's start: the preface, SETTINGS with
          ENABLE_PUSH 0, and a GET request on every odd stream the origin answers. The
          report then adds what the shim forwards to h2 after repair and what it sends the
          origin (RST_STREAM, WINDOW_UPDATE, GOAWAY).

  --side defaults to client when the input starts with the client connection preface
  (PRI * HTTP/2.0...), or with a beginning of it, and to origin otherwise; --preface yes|no
  says whether the preface is there instead of looking. A preface on the origin side is
  skipped: the shim never sees it.

The verdict is rejected (exit 1) when the connection or any stream was refused: it names
the first refusal (its error kind, deviation or budget, byte offset and wire answer) and
lists the others. After a connection error nothing more is decoded.";

const HPACK_DETAILS: &str = "\
Input:
  One header block per line, in hex: two adjacent hex digits per byte, spaces allowed
  between bytes, `#` starts a comment. Lines blank after removing comments hold no block
  and are skipped; blocks keep their line numbers in messages. A line that is not hex is a
  usage error naming its line and column (exit 2), and nothing is decoded.

Output:
  Text: every header list, one field per line, with its representation unless it is an
  indexed field, and the dynamic table's size after each block.
  JSON (--json): exactly an array with one element per block, each an array of
  [name, value] string pairs, bytes outside printable ASCII escaped (\\r \\n \\t \\\\ \\0 \\xHH).

The first block that does not decode stops the run with exit 1: the text verdict names its
line; with --json the blocks before it are printed and the reason goes to stderr.";

/// HTTP protocol translation and conformance testing.
///
/// `tollgate inspect` shows what the codecs make of some bytes: HTTP/1
/// messages, HTTP/2 frames and HPACK header blocks, with the anomalies and
/// the verdict under a policy.
/// `tollgate policy` lists the deviation catalogue and prints policies.
/// `tollgate proxy` runs the translating proxy.
/// `tollgate bench proxy` compares tollgate, nginx and haproxy under load.
/// `tollgate report` renders and compares harness reports.
#[derive(Parser, Debug)]
#[command(name = "tollgate", version, verbatim_doc_comment, after_long_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode HTTP messages, HTTP/2 frames or HPACK blocks and show what the
    /// codecs make of them.
    ///
    /// h1-request and h1-response show every message in the input (pipelined
    /// inputs have several): its byte span, start line, fields, body framing,
    /// persistence, decoded body length and SHA-256, trailers and anomalies.
    /// h2-frames shows every frame and decoded header block; hpack every
    /// header list. Then the verdict: accepted, or rejected with the error, the
    /// deviation behind it, its byte offset and what would be answered on the
    /// wire.
    #[command(subcommand, verbatim_doc_comment)]
    Inspect(InspectCommand),
    /// List the deviation catalogue or print a policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the translating proxy.
    ///
    /// With -c FILE: listeners, routes and clusters from a TOML file (see
    /// docs/config.md; examples/tollgate.toml runs as is). With --listen and
    /// --upstream: one listener, every request to one origin. Clients speak
    /// HTTP/1.1 or HTTP/2 (TLS with ALPN, or cleartext with the preface);
    /// origins HTTP/1.1 or HTTP/2 as the cluster says. Client input is held
    /// to the client policy (strict on smuggling), origin responses are
    /// repaired or refused under the origin policy and never passed on
    /// ambiguous: a broken origin yields 502 and an anomaly.
    #[command(verbatim_doc_comment, after_long_help = proxy::PROXY_DETAILS)]
    Proxy(proxy::ProxyArgs),
    /// Measure proxies under load.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Render harness reports again, or compare two runs.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The conformance harness: corpora of broken origins and smuggling inputs.
    #[command(subcommand)]
    Harness(HarnessCommand),
    /// Play a case's broken origin on its own.
    #[command(subcommand)]
    Origin(OriginCommand),
}

#[derive(Subcommand, Debug)]
enum OriginCommand {
    /// Serve a case's scripted origin until stopped, for curl or any proxy.
    #[command(verbatim_doc_comment, after_long_help = harness::SERVE_DETAILS)]
    Serve(harness::ServeArgs),
}

#[derive(Subcommand, Debug)]
enum HarnessCommand {
    /// Validate corpus cases without running them.
    #[command(verbatim_doc_comment, after_long_help = harness::CHECK_DETAILS)]
    Check(harness::CheckArgs),
    /// Play corpus cases against tollgate and write reports.
    #[command(verbatim_doc_comment, after_long_help = harness::RUN_DETAILS)]
    Run(harness::RunArgs),
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// Write the HTML, Markdown and JUnit renderings (or those --format names)
    /// of a harness report.
    ///
    /// The report is the JSON file a harness run wrote (schema tollgate.report/1,
    /// docs/reports.md). A report of a newer major version is refused; fields
    /// this version does not know are ignored.
    #[command(verbatim_doc_comment, after_long_help = reports::RENDER_DETAILS)]
    Render(reports::RenderArgs),
    /// Show what changed between two harness runs, new unsafe outcomes first.
    ///
    /// Exit 1 when B regressed against A, so a CI job can gate on it.
    #[command(verbatim_doc_comment, after_long_help = reports::DIFF_DETAILS)]
    Diff(reports::DiffArgs),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Compare tollgate, nginx and haproxy as proxies: requests/s and p50/p99
    /// latency, for HTTP/1 and HTTP/2 clients in front of one HTTP/1 origin.
    ///
    /// Every subject runs with one worker, behind the same in-process origin,
    /// under the same load generator, one after the other. Progress goes to
    /// stderr, the table to stdout.
    #[command(verbatim_doc_comment, after_long_help = bench::PROXY_DETAILS)]
    Proxy(bench::ProxyArgs),
}

#[derive(Subcommand, Debug)]
enum InspectCommand {
    /// Decode HTTP/1 requests (as a server reads them from a client).
    ///
    /// The input is one connection's bytes; every request in it is decoded,
    /// one after the other, under the policy's column for --side (client by
    /// default). Exit 0 when the input was accepted, 1 when it was rejected.
    #[command(name = "h1-request", verbatim_doc_comment, after_long_help = inspect_help())]
    H1Request(RequestArgs),
    /// Decode HTTP/1 responses (as a proxy reads them from an origin).
    ///
    /// The input is one connection's bytes; every response in it is decoded,
    /// interim (1xx) responses included, under the policy's column for --side
    /// (origin by default). Whether a response has a body depends on the
    /// request it answers: by default each answers a GET; --request-method
    /// lists the requests sent instead.
    /// Exit 0 when the input was accepted, 1 when it was rejected.
    #[command(name = "h1-response", verbatim_doc_comment, after_long_help = inspect_help())]
    H1Response(ResponseArgs),
    /// Decode HTTP/2 frames (one direction of a connection) and check them.
    ///
    /// Every frame is shown: offset, type, flags, stream, length and what its
    /// payload says; header blocks are decoded (HPACK) where their last frame
    /// ends them. Then the anomalies, and the verdict under the policy's
    /// column for --side. The input is raw bytes, or --hex or --escaped text.
    /// Exit 0 when the input was accepted, 1 when it was rejected.
    #[command(name = "h2-frames", verbatim_doc_comment, after_long_help = h2_frames_help())]
    H2Frames(FramesArgs),
    /// Decode HPACK header blocks, one hex-encoded block per line.
    ///
    /// All blocks are decoded in one compression context, in order, as the
    /// header blocks of one direction of an HTTP/2 connection are, and each
    /// header list is printed. Exit 0 when every block decodes, 1 at the first
    /// one that does not (its line is named).
    #[command(name = "hpack", verbatim_doc_comment, after_long_help = hpack_help())]
    Hpack(HpackArgs),
}

fn inspect_help() -> String {
    format!("{ESCAPED_FORMAT}\n\n{EXIT_CODES}")
}

fn h2_frames_help() -> String {
    format!("{H2_FRAMES_DETAILS}\n\n{HEX_FORMAT}\n\n{ESCAPED_FORMAT}\n\n{EXIT_CODES}")
}

fn hpack_help() -> String {
    format!("{HPACK_DETAILS}\n\n{EXIT_CODES}")
}

#[derive(Args, Debug)]
struct InspectArgs {
    /// The input file; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// The input is in the escaped format: \r \n \t \\ \0 \xHH are escapes
    /// and literal line breaks in the file are ignored (see --help).
    #[arg(long, verbatim_doc_comment)]
    escaped: bool,
    /// Print one JSON object instead of text
    /// (schema `tollgate.inspect/1`, documented in docs/cli.md).
    #[arg(long, verbatim_doc_comment)]
    json: bool,
    #[command(flatten)]
    policy: PolicyArg,
}

#[derive(Args, Debug)]
struct RequestArgs {
    #[command(flatten)]
    common: InspectArgs,
    /// The peer the bytes come from, which picks the policy's column.
    #[arg(long, value_enum, default_value_t = SideArg::Client)]
    side: SideArg,
}

#[derive(Args, Debug)]
struct ResponseArgs {
    #[command(flatten)]
    common: InspectArgs,
    /// The peer the bytes come from, which picks the policy's column.
    #[arg(long, value_enum, default_value_t = SideArg::Origin)]
    side: SideArg,
    /// A request the responses answer, in order; repeat for each request.
    /// When given, exactly these requests are outstanding and bytes after
    /// their responses are extra bytes; when absent, every response answers
    /// a GET. Only HEAD and CONNECT change framing (methods are case-sensitive).
    #[arg(long = "request-method", value_name = "METHOD", verbatim_doc_comment)]
    request_methods: Vec<String>,
}

#[derive(Args, Debug)]
struct FramesArgs {
    #[command(flatten)]
    common: InspectArgs,
    /// The input is hex: pairs of hex digits, spaces and line breaks ignored,
    /// `#` comments to the end of the line (see --help).
    #[arg(long, conflicts_with = "escaped", verbatim_doc_comment)]
    hex: bool,
    /// The peer the bytes come from: client (through the guard) or origin
    /// (through the repair shim). Default: client when the input starts with
    /// the client connection preface, origin otherwise.
    #[arg(long, value_enum, verbatim_doc_comment)]
    side: Option<SideArg>,
    /// Whether the input starts with the client connection preface.
    /// Default: detected (the input starts with it, or with a beginning of it).
    #[arg(long, value_enum, value_name = "yes|no", verbatim_doc_comment)]
    preface: Option<YesNo>,
}

#[derive(Args, Debug)]
struct HpackArgs {
    /// The input file, one hex-encoded header block per line; `-` or nothing
    /// reads standard input.
    #[arg(value_name = "FILE", verbatim_doc_comment)]
    file: Option<PathBuf>,
    /// The dynamic table size the context starts with (what SETTINGS_HEADER_TABLE_SIZE
    /// allows); size updates in the blocks may not exceed it.
    #[arg(long, value_name = "N", default_value_t = 4096, verbatim_doc_comment)]
    table_size: usize,
    /// Print exactly a JSON array: one element per block, each an array of
    /// [name, value] string pairs.
    #[arg(long, verbatim_doc_comment)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum YesNo {
    /// The input starts with the preface.
    Yes,
    /// It does not.
    No,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SideArg {
    /// A client we serve.
    Client,
    /// An origin we forward to.
    Origin,
}

impl SideArg {
    fn side(self) -> Side {
        match self {
            SideArg::Client => Side::Client,
            SideArg::Origin => Side::Origin,
        }
    }
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// List every deviation the codecs know.
    ///
    /// For each: id, the messages it applies to, the default preset's action
    /// toward clients and toward origins, the supported actions, the RFC
    /// reference and a one-line summary. `--format markdown` prints the table
    /// of docs/deviations.md, which adds what each action does and why the
    /// defaults are what they are.
    #[command(verbatim_doc_comment, after_long_help = EXIT_CODES)]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Shorthand for `--format json`.
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Print the effective policy: every deviation's action on both sides.
    ///
    /// The default output is the policy file format (TOML), which --policy FILE
    /// loads back: a starting point for a policy of your own. Keys: `base` (a
    /// preset the file starts from), `[client]` and `[origin]` (deviation id =
    /// "accept" | "repair" | "reject"; unlisted ids keep the base's action)
    /// and `[h1.limits]` (size limits). `--json` prints the same as JSON.
    #[command(verbatim_doc_comment, after_long_help = EXIT_CODES)]
    Show {
        #[command(flatten)]
        policy: PolicyArg,
        /// Print JSON (base, client, origin, limits) instead of TOML.
        #[arg(long)]
        json: bool,
    },
}

/// Parses the command line, runs the command and turns the outcome into an exit code.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Inspect(InspectCommand::H1Request(args)) => {
            inspection(Kind::Requests, args.common, args.side, Vec::new())?.run()
        }
        Command::Inspect(InspectCommand::H1Response(args)) => {
            for method in &args.request_methods {
                check_method(method)?;
            }
            inspection(
                Kind::Responses,
                args.common,
                args.side,
                args.request_methods,
            )?
            .run()
        }
        Command::Inspect(InspectCommand::H2Frames(args)) => {
            let (policy, policy_name) = args.common.policy.load()?;
            let format = if args.hex {
                Format::Hex
            } else if args.common.escaped {
                Format::Escaped
            } else {
                Format::Raw
            };
            FramesInspection {
                source: Source::from_arg(args.common.file.as_deref()),
                format,
                json: args.common.json,
                side: args.side.map(SideArg::side),
                preface: args.preface.map(|preface| preface == YesNo::Yes),
                policy,
                policy_name,
            }
            .run()
        }
        Command::Inspect(InspectCommand::Hpack(args)) => HpackInspection {
            source: Source::from_arg(args.file.as_deref()),
            table_size: args.table_size,
            json: args.json,
        }
        .run(),
        Command::Policy(PolicyCommand::List { format, json }) => {
            policy::list(if json { ListFormat::Json } else { format })
        }
        Command::Policy(PolicyCommand::Show { policy, json }) => policy::show(&policy, json),
        Command::Proxy(args) => proxy::run(args),
        Command::Bench(BenchCommand::Proxy(args)) => bench::proxy(args),
        Command::Report(ReportCommand::Render(args)) => reports::render(args),
        Command::Report(ReportCommand::Diff(args)) => reports::diff(args),
        Command::Harness(HarnessCommand::Check(args)) => harness::check(args),
        Command::Harness(HarnessCommand::Run(args)) => harness::run(args),
        Command::Origin(OriginCommand::Serve(args)) => harness::serve(args),
    }
}

fn inspection(
    kind: Kind,
    args: InspectArgs,
    side: SideArg,
    request_methods: Vec<String>,
) -> Result<Inspection, Failure> {
    let (policy, policy_name) = args.policy.load()?;
    Ok(Inspection {
        kind,
        side: side.side(),
        source: Source::from_arg(args.file.as_deref()),
        escaped: args.escaped,
        json: args.json,
        policy,
        policy_name,
        request_methods,
    })
}

/// A method is a token (RFC 9110 §9.1); anything else is a typo worth reporting.
fn check_method(method: &str) -> Result<(), Failure> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !method.is_empty() && method.bytes().all(is_tchar) {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "--request-method `{}` is not a method (a token such as GET, HEAD or CONNECT)",
            escape::escape(method.as_bytes())
        )))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
