//! Why a case does not load: the file, where in it, and what to fix.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of problem a case has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseErrorKind {
    /// The file cannot be read.
    Io,
    /// Not valid TOML.
    Syntax,
    /// A key the format does not have, a missing key, or a value of the wrong type.
    Schema,
    /// A value the format refuses (an id that does not match its file, a bad hex string,
    /// two actions in one step …).
    Invalid,
    /// Two cases with one id.
    Duplicate,
}

impl CaseErrorKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseErrorKind::Io => "io",
            CaseErrorKind::Syntax => "syntax",
            CaseErrorKind::Schema => "schema",
            CaseErrorKind::Invalid => "invalid",
            CaseErrorKind::Duplicate => "duplicate",
        }
    }
}

/// A case that does not load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    kind: CaseErrorKind,
    file: PathBuf,
    /// 1-based line and column, when the problem has a place.
    place: Option<(usize, usize)>,
    message: String,
}

impl CaseError {
    pub(crate) fn new(
        kind: CaseErrorKind,
        file: &Path,
        place: Option<(usize, usize)>,
        message: impl Into<String>,
    ) -> CaseError {
        CaseError {
            kind,
            file: file.to_path_buf(),
            place,
            message: message.into(),
        }
    }

    /// What kind of problem.
    pub fn kind(&self) -> CaseErrorKind {
        self.kind
    }

    /// The file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.place.map(|(line, _)| line)
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.place {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CaseError {}
