//! The one error type of the CLI: something the user has to fix (a bad argument, an unreadable
//! file, a policy file that does not load). Rejected input is not a failure but a verdict.

use std::fmt;

/// Exit code for usage and I/O errors, the same clap uses for its own usage errors.
pub(crate) const EXIT_USAGE: u8 = 2;

/// A message saying what went wrong and what to fix; printed as `error: …`, exit code 2.
#[derive(Debug)]
pub(crate) struct Failure(String);

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        Failure(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
