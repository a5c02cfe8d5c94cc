//! Reading the bytes to inspect: a file or standard input, raw, in the escaped format or in hex.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::cli::escape;
use crate::cli::failure::Failure;
use crate::cli::hex;

/// How the input file writes its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The bytes themselves.
    Raw,
    /// The escaped format (`--escaped`, see [`escape::unescape`]).
    Escaped,
    /// Hex digits (`--hex`, see [`hex::decode`]).
    Hex,
}

/// Where the input comes from.
pub(crate) enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// `None` and `-` mean standard input.
    pub(crate) fn from_arg(file: Option<&Path>) -> Source {
        match file {
            None => Source::Stdin,
            Some(path) if path == Path::new("-") => Source::Stdin,
            Some(path) => Source::File(path.to_path_buf()),
        }
    }

    /// How errors name the input.
    pub(crate) fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_owned(),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// The input's bytes, unescaped when `escaped` is set.
    pub(crate) fn read(&self, escaped: bool) -> Result<Vec<u8>, Failure> {
        self.read_as(if escaped {
            Format::Escaped
        } else {
            Format::Raw
        })
    }

    /// The input's bytes, decoded from `format`.
    pub(crate) fn read_as(&self, format: Format) -> Result<Vec<u8>, Failure> {
        let raw = self.read_raw()?;
        match format {
            Format::Raw => Ok(raw),
            Format::Escaped => escape::unescape(&raw).map_err(|err| {
                Failure::new(format!(
                    "{}: bad escape in --escaped input at {err}",
                    self.name()
                ))
            }),
            Format::Hex => hex::decode(&raw).map_err(|err| {
                Failure::new(format!("{}: bad hex in --hex input at {err}", self.name()))
            }),
        }
    }

    /// The file's or standard input's bytes, as they are.
    pub(crate) fn read_raw(&self) -> Result<Vec<u8>, Failure> {
        let raw = match self {
            Source::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut bytes)
                    .map_err(|err| Failure::new(format!("cannot read standard input: {err}")))?;
                bytes
            }
            Source::File(path) => std::fs::read(path).map_err(|err| {
                Failure::new(format!("cannot read input file {}: {err}", path.display()))
            })?,
        };
        Ok(raw)
    }
}
