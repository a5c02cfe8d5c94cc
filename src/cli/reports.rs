//! `tollgate report render` and `tollgate report diff`: harness reports (schema
//! `tollgate.report/1`, see docs/reports.md) rendered again, and two runs compared.
//!
//! (`report.rs` beside this file is `inspect`'s own report; this module is the command.)

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use tollgate_reports::Report;
use tollgate_reports::diff::Diff;
use tollgate_reports::render::Format;

use crate::cli::failure::Failure;
use crate::cli::output;

/// Exit code of `diff` when the second run regressed.
const EXIT_REGRESSED: u8 = 1;

pub(crate) const RENDER_DETAILS: &str = "\
Files:
  For REPORT.json, the formats are written as REPORT.html (a self-contained page: summary,
  cases x subjects matrix, filters by tag and class, a case's transcript on click),
  REPORT.md (summary, matrix, the results that are not conformant), REPORT.junit.xml
  (one testsuite per subject; unsafe and failure outcomes fail) and, when asked for,
  REPORT.json (the report pretty-printed, fields in schema order). Existing files are
  replaced. Each path written is printed on its own line.

  json is not written over the input itself: fields a newer tollgate added would be lost.

Exit codes:
  0  every file was written
  2  usage error, a report that does not load (not JSON, another schema, a newer major
     version), or a file that cannot be written";

pub(crate) const DIFF_DETAILS: &str = "\
Output:
  A line with the two run ids, a line of counts, the subjects and cases only one run has,
  then the changed results grouped worst first: new unsafe, new failure, other regressions
  (a move to a more severe class: conformant -> deviant), improvements, now skipped, no
  longer skipped, added, removed. Results are matched by case id and subject name;
  results of a subject only one run has are summed up by the subject's line.
  --json prints the same as one object (schema tollgate.report-diff/1, docs/reports.md).

Exit codes:
  0  no regression (improvements, skips and removals are not regressions)
  1  a regression: a new unsafe outcome, a new failure, or a move to a more severe class
  2  usage error, or a report that cannot be read or does not load";

/// The arguments of `tollgate report render`.
#[derive(Args, Debug)]
pub(crate) struct RenderArgs {
    /// The report to render: a JSON file written by the harness.
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,
    /// The directory to write into (created if missing); default: the report's own.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The renderings to write, comma-separated: html, md, junit, json.
    #[arg(
        long,
        value_name = "FORMATS",
        value_delimiter = ',',
        value_parser = parse_format,
        default_value = "html,md,junit"
    )]
    format: Vec<Format>,
}

/// The arguments of `tollgate report diff`.
#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The earlier run's report.
    #[arg(value_name = "A.json")]
    before: PathBuf,
    /// The later run's report.
    #[arg(value_name = "B.json")]
    after: PathBuf,
    /// Print the diff as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name)
        .ok_or_else(|| format!("`{name}` is not a format: html, md, junit, json"))
}

/// Writes the renderings of one report and prints their paths.
pub(crate) fn render(args: RenderArgs) -> Result<ExitCode, Failure> {
    let report = load(&args.report)?;
    let stem = args
        .report
        .file_stem()
        .ok_or_else(|| Failure::new(format!("`{}` names no file", args.report.display())))?;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|err| {
                Failure::new(format!(
                    "cannot create --out directory {}: {err}",
                    dir.display()
                ))
            })?;
            dir.clone()
        }
        None => args
            .report
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf),
    };
    let mut formats = args.format;
    formats.dedup();
    let mut written = String::new();
    for format in Format::ALL.into_iter().filter(|f| formats.contains(f)) {
        let mut name = stem.to_os_string();
        name.push(format.extension());
        let path = dir.join(name);
        if is_same_file(&path, &args.report) {
            return Err(Failure::new(format!(
                "--format json would overwrite the input {}; pass --out DIR to write elsewhere",
                args.report.display()
            )));
        }
        let text = format
            .render(&report)
            .map_err(|err| Failure::new(err.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|err| Failure::new(format!("cannot write {}: {err}", path.display())))?;
        written.push_str(&format!("{}\n", path.display()));
    }
    output::emit(&written)?;
    Ok(ExitCode::SUCCESS)
}

/// Compares two reports; exit 1 when the second regressed.
pub(crate) fn diff(args: DiffArgs) -> Result<ExitCode, Failure> {
    let before = load(&args.before)?;
    let after = load(&args.after)?;
    let diff = Diff::new(&before, &after);
    let text = if args.json {
        diff.to_json()
            .map_err(|err| Failure::new(err.to_string()))?
    } else {
        diff.to_text()
    };
    output::emit(&text)?;
    Ok(if diff.has_regressions() {
        ExitCode::from(EXIT_REGRESSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(path: &Path) -> Result<Report, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| Failure::new(format!("cannot read report {}: {err}", path.display())))?;
    Report::from_json(&text).map_err(|err| {
        Failure::new(format!(
            "{}: {err} [{}]",
            path.display(),
            err.kind().as_str()
        ))
    })
}

/// Whether `a` and `b` name one file; a path that does not exist yet is no existing file.
fn is_same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
