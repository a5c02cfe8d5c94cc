//! The `--policy strict|default|lenient|FILE` argument: a built-in preset or a TOML file.

use std::path::Path;

use clap::Args;
use serde::Serialize;
use tollgate_codecs::{Policy, Preset};

use crate::cli::failure::Failure;

/// The `--policy` option, shared by `inspect` and `policy show`.
#[derive(Args, Debug)]
pub(crate) struct PolicyArg {
    /// The policy: a preset (strict, default, lenient) or a TOML policy file
    /// (`tollgate policy show` prints one). A preset name wins over a file of
    /// the same name; write ./strict to load such a file.
    #[arg(
        long,
        value_name = "strict|default|lenient|FILE",
        default_value = "default",
        verbatim_doc_comment
    )]
    pub(crate) policy: String,
}

/// How reports name the policy in force.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PolicyName {
    /// `preset` or `file`.
    pub(crate) source: &'static str,
    /// The preset's name or the file's path as given.
    pub(crate) name: String,
    /// The preset the policy starts from.
    pub(crate) base: &'static str,
}

impl PolicyArg {
    /// The policy, and how to name it.
    pub(crate) fn load(&self) -> Result<(Policy, PolicyName), Failure> {
        if let Some(preset) = Preset::from_name(&self.policy) {
            let name = PolicyName {
                source: "preset",
                name: preset.as_str().to_owned(),
                base: preset.as_str(),
            };
            return Ok((Policy::preset(preset), name));
        }
        let policy = load_file(Path::new(&self.policy))?;
        let name = PolicyName {
            source: "file",
            name: self.policy.clone(),
            base: policy.base().as_str(),
        };
        Ok((policy, name))
    }
}

fn load_file(path: &Path) -> Result<Policy, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|err| {
        let hint = if err.kind() == std::io::ErrorKind::NotFound {
            " (--policy takes `strict`, `default`, `lenient` or the path of a TOML policy file)"
        } else {
            ""
        };
        Failure::new(format!("cannot read policy file {shown}: {err}{hint}"))
    })?;
    Policy::from_toml(&text).map_err(|err| {
        Failure::new(format!(
            "{shown}:{}:{}: {}",
            err.line, err.column, err.message
        ))
    })
}
