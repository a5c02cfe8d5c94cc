//! The configuration layer's one error type.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of problem a [`ConfigError`] reports; stable, for programs to match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigErrorKind {
    /// A file could not be read: the configuration itself, or one it names (certificate,
    /// key, CA bundle, policy).
    Io,
    /// Not valid TOML.
    Syntax,
    /// A key the configuration does not know (often a typo).
    UnknownKey,
    /// A value of the wrong type or out of range.
    InvalidValue,
    /// A required key or table is absent.
    Missing,
    /// A name refers to nothing (a route's cluster).
    Reference,
    /// Two settings that cannot hold together (duplicate names or addresses, TLS on `h2c`,
    /// a route that can never match).
    Conflict,
}

impl ConfigErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigErrorKind::Io => "io",
            ConfigErrorKind::Syntax => "syntax",
            ConfigErrorKind::UnknownKey => "unknown_key",
            ConfigErrorKind::InvalidValue => "invalid_value",
            ConfigErrorKind::Missing => "missing",
            ConfigErrorKind::Reference => "reference",
            ConfigErrorKind::Conflict => "conflict",
        }
    }
}

impl fmt::Display for ConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The configuration could not be loaded.
///
/// Displays as `FILE:LINE:COLUMN: KEY: MESSAGE`, leaving out what is unknown; quick mode
/// (no file) names the command-line option as the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    file: PathBuf,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<String>,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            kind,
            file: file.to_path_buf(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub(crate) fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// What kind of problem.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// The file the problem is in; empty in quick mode, where there is none.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// 1-based line of the problem, when it is in a file.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// 1-based column (in characters) of the problem, when it is in a file.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// The dotted key path (`clusters.api.timeouts.connect`, `listeners[0].listen`), or the
    /// command-line option in quick mode.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// What is wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.as_os_str().is_empty() {
            write!(f, "{}:", self.file.display())?;
            if let Some(line) = self.line {
                write!(f, "{line}:")?;
                if let Some(column) = self.column {
                    write!(f, "{column}:")?;
                }
            }
            f.write_str(" ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_what_is_unknown() {
        let full = ConfigError::new(ConfigErrorKind::InvalidValue, Path::new("t.toml"), "bad")
            .at(3, 7)
            .with_key("a.b");
        assert_eq!(full.to_string(), "t.toml:3:7: a.b: bad");
        let io = ConfigError::new(ConfigErrorKind::Io, Path::new("t.toml"), "cannot read");
        assert_eq!(io.to_string(), "t.toml: cannot read");
        let quick = ConfigError::new(ConfigErrorKind::InvalidValue, Path::new(""), "no path")
            .with_key("--upstream");
        assert_eq!(quick.to_string(), "--upstream: no path");
    }
}
