//! `tollgate`: the command-line front end of the tollgate toolkit.
//!
//! `tollgate inspect` shows what the HTTP/1 codec makes of a byte string (messages, framing,
//! anomalies, verdict) and `tollgate policy` lists the deviation catalogue and prints policies.
//! Exit codes are part of the interface: 0 accepted, 1 rejected, 2 usage or I/O error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
