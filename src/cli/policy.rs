//! `tollgate policy list` and `tollgate policy show`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::ValueEnum;
use serde::Serialize;
use tollgate_codecs::deviation::{ActionDoc, catalogue, markdown_table};
use tollgate_codecs::{Deviation, DeviationInfo, Policy, Side};

use crate::cli::failure::Failure;
use crate::cli::output;
use crate::cli::policy_source::PolicyArg;
use crate::cli::wrap::wrap;

/// Output formats of `policy list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON object.
    Json,
    /// The Markdown table of `docs/deviations.md`.
    Markdown,
}

pub(crate) fn list(format: ListFormat) -> Result<ExitCode, Failure> {
    let text = match format {
        ListFormat::Table => table(catalogue(), terminal_width()),
        ListFormat::Json => output::json(&CatalogueJson::new())?,
        ListFormat::Markdown => markdown_table(),
    };
    output::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn show(policy: &PolicyArg, json: bool) -> Result<ExitCode, Failure> {
    let (policy, _) = policy.load()?;
    let text = if json {
        output::json(&PolicyJson::new(&policy))?
    } else {
        policy.to_toml()
    };
    output::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `COLUMNS` when the shell exports it, else a width most terminals have.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(60, 240)
}

/// One line of columns per deviation, then its RFC and summary indented and wrapped below it:
/// the summaries are too long to share a line with the rest at any usual width.
fn table(entries: &[DeviationInfo], width: usize) -> String {
    let supported: Vec<String> = entries.iter().map(supported).collect();
    let id_width = entries.iter().map(|info| info.id.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:<id_width$}  {:<10}  {:<6}  {:<6}  SUPPORTED\n",
        "ID", "APPLIES TO", "CLIENT", "ORIGIN"
    );
    for (info, supported) in entries.iter().zip(&supported) {
        let _ = writeln!(
            out,
            "{:<id_width$}  {:<10}  {:<6}  {:<6}  {supported}",
            info.id,
            info.applies_to.as_str(),
            info.defaults.client.as_str(),
            info.defaults.origin.as_str(),
        );
        let description = format!("{} [{}]", info.summary, info.rfc);
        for line in wrap(&description, width.saturating_sub(4)) {
            let _ = writeln!(out, "    {line}");
        }
    }
    let footer = format!(
        "{} deviations. CLIENT and ORIGIN are the default preset's actions toward clients \
         and origins. `--format markdown` adds what repair and accept do and why the \
         defaults are what they are; `tollgate policy show --policy lenient` shows the \
         lenient preset.",
        entries.len()
    );
    out.push('\n');
    for line in wrap(&footer, width) {
        let _ = writeln!(out, "{line}");
    }
    out
}

fn supported(info: &DeviationInfo) -> String {
    let names: Vec<&str> = info
        .supported_actions()
        .iter()
        .map(|action| action.as_str())
        .collect();
    names.join(", ")
}

/// `policy list --format json`.
#[derive(Serialize)]
struct CatalogueJson {
    count: usize,
    deviations: Vec<DeviationJson>,
}

impl CatalogueJson {
    fn new() -> CatalogueJson {
        let deviations: Vec<DeviationJson> = catalogue().iter().map(DeviationJson::new).collect();
        CatalogueJson {
            count: deviations.len(),
            deviations,
        }
    }
}

#[derive(Serialize)]
struct DeviationJson {
    id: &'static str,
    applies_to: &'static str,
    rfc: &'static str,
    summary: &'static str,
    /// Strictest first, as in the docs.
    supported: Vec<&'static str>,
    default: SidesJson,
    lenient: SidesJson,
    repair: Option<ActionJson>,
    accept: Option<ActionJson>,
    reject_status: u16,
    rationale: &'static str,
}

#[derive(Serialize)]
struct SidesJson {
    client: &'static str,
    origin: &'static str,
}

#[derive(Serialize)]
struct ActionJson {
    effect: &'static str,
    applies_to: &'static str,
}

impl DeviationJson {
    fn new(info: &DeviationInfo) -> DeviationJson {
        let action = |doc: Option<ActionDoc>| {
            doc.map(|doc| ActionJson {
                effect: doc.effect,
                applies_to: doc.applies_to.as_str(),
            })
        };
        DeviationJson {
            id: info.id,
            applies_to: info.applies_to.as_str(),
            rfc: info.rfc,
            summary: info.summary,
            supported: info
                .supported_actions()
                .iter()
                .map(|action| action.as_str())
                .collect(),
            default: SidesJson {
                client: info.defaults.client.as_str(),
                origin: info.defaults.origin.as_str(),
            },
            lenient: SidesJson {
                client: info.defaults.lenient_client.as_str(),
                origin: info.defaults.lenient_origin.as_str(),
            },
            repair: action(info.repair),
            accept: action(info.accept),
            reject_status: info.reject_status,
            rationale: info.rationale,
        }
    }
}

/// `policy show --json`.
#[derive(Serialize)]
struct PolicyJson {
    base: &'static str,
    client: BTreeMap<&'static str, &'static str>,
    origin: BTreeMap<&'static str, &'static str>,
    limits: BTreeMap<&'static str, usize>,
}

impl PolicyJson {
    fn new(policy: &Policy) -> PolicyJson {
        let side = |side: Side| {
            Deviation::ALL
                .iter()
                .map(|deviation| (deviation.id(), policy.action(side, *deviation).as_str()))
                .collect()
        };
        PolicyJson {
            base: policy.base().as_str(),
            client: side(Side::Client),
            origin: side(Side::Origin),
            limits: policy
                .h1_limits
                .entries()
                .iter()
                .map(|(name, value, _)| (*name, *value))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines_fit_the_width_and_columns_align() {
        let text = table(catalogue(), 72);
        let lines: Vec<&str> = text.lines().collect();
        let header = lines[0];
        let supported_at = header.find("SUPPORTED").unwrap();
        for info in catalogue() {
            let row = lines.iter().find(|line| line.starts_with(info.id)).unwrap();
            assert_eq!(
                row.chars().count() - supported(info).len(),
                supported_at,
                "{row}"
            );
        }
        for line in lines.iter().filter(|line| line.starts_with("    ")) {
            assert!(line.chars().count() <= 72, "{line}");
        }
    }
}
