//! Command-line parsing and dispatch.

mod escape;
mod failure;
mod input;
mod inspect;
mod output;
mod policy;
mod policy_source;
mod report;
mod wrap;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tollgate_codecs::Side;

use crate::cli::failure::{EXIT_USAGE, Failure};
use crate::cli::input::Source;
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

/// HTTP protocol translation and conformance testing.
///
/// `tollgate inspect` shows what the HTTP/1 codec makes of some bytes:
/// messages, framing, anomalies and the verdict under a policy.
/// `tollgate policy` lists the deviation catalogue and prints policies.
#[derive(Parser, Debug)]
#[command(name = "tollgate", version, verbatim_doc_comment, after_long_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode HTTP messages and show what the codec makes of them.
    ///
    /// Every message in the input is shown (pipelined inputs have several):
    /// its byte span, start line, fields, body framing, persistence, decoded
    /// body length and SHA-256, trailers and anomalies. Then the verdict:
    /// accepted, or rejected with the error, the deviation behind it, its
    /// byte offset and what would be answered on the wire.
    #[command(subcommand, verbatim_doc_comment)]
    Inspect(InspectCommand),
    /// List the deviation catalogue or print a policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
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
}

fn inspect_help() -> String {
    format!("{ESCAPED_FORMAT}\n\n{EXIT_CODES}")
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
        Command::Policy(PolicyCommand::List { format, json }) => {
            policy::list(if json { ListFormat::Json } else { format })
        }
        Command::Policy(PolicyCommand::Show { policy, json }) => policy::show(&policy, json),
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
