//! The report as Markdown (CommonMark with GitHub tables): run, summary, matrix, and every
//! result that is not conformant with its reason. Transcripts stay in the HTML and JSON: a
//! pull-request comment is no place for kilobytes of bytes.

use std::fmt::Write as _;

use crate::model::{Class, Report};
use crate::render::visible_controls;
use crate::summary::{case_order, subject_order, summarize};

/// `report` as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let run = &report.run;
    let _ = writeln!(out, "# tollgate report {}\n", code(&run.id));
    let _ = writeln!(out, "| | |\n| --- | --- |");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "| {name} | {value} |");
    };
    row("started", text(&run.started_at));
    row("duration", format!("{} ms", run.duration_ms));
    row("tollgate", text(&run.tollgate_version));
    row(
        "commit",
        run.git_commit
            .as_deref()
            .map_or_else(|| "unknown".into(), code),
    );
    row("command", code(&run.command_line.join(" ")));
    let env = &report.environment;
    let mut environment = format!("{} {}, {} cores", env.os, env.arch, env.cores);
    if let Some(kernel) = &env.kernel {
        let _ = write!(environment, ", kernel {kernel}");
    }
    row("environment", text(&environment));
    if let Some(policy) = &report.policy {
        row("policy", code(&policy.name));
    }
    for suite in &report.suites {
        row(
            "suite",
            format!("{} ({} cases)", code(&suite.name), suite.cases),
        );
    }

    out.push_str("\n## Summary\n\n| subject | version | cases | conformant | deviant | unsafe | failure | skipped |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for summary in summarize(report) {
        let subject = report.subjects.iter().find(|s| s.name == summary.subject);
        let version = match subject {
            Some(s) if s.skipped.is_some() => {
                format!(
                    "skipped: {}",
                    text(s.skipped.as_deref().unwrap_or_default())
                )
            }
            Some(s) => s.version.as_deref().map_or_else(String::new, text),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {version} | {} | {} | {} | {} | {} | {} |",
            code(&summary.subject),
            summary.cases,
            summary.conformant,
            summary.deviant,
            summary.unsafe_,
            summary.failure,
            summary.skipped
        );
    }

    let subjects = subject_order(report);
    out.push_str("\n## Matrix\n\n| case |");
    for subject in &subjects {
        let _ = write!(out, " {} |", code(subject));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(subjects.len()));
    out.push('\n');
    for case in case_order(report) {
        let _ = write!(out, "| {} |", code(case));
        for subject in &subjects {
            let class = report
                .results
                .iter()
                .find(|r| r.case == case && &r.subject == subject)
                .map_or("", |r| mark(r.class));
            let _ = write!(out, " {class} |");
        }
        out.push('\n');
    }

    let mut notable: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.class != Class::Conformant)
        .collect();
    // Worst first, so the top of a long comment is what needs attention.
    notable.sort_by_key(|result| std::cmp::Reverse(result.class));
    if !notable.is_empty() {
        out.push_str("\n## Not conformant\n\n");
        for result in notable {
            let _ = writeln!(
                out,
                "- **{}** {} on {}: {}",
                result.class.as_str(),
                code(&result.case),
                code(&result.subject),
                text(&result.reason)
            );
        }
    }
    out
}

/// The class as a matrix cell: unsafe and failure in bold so they stand out in a wide table.
fn mark(class: Class) -> &'static str {
    match class {
        Class::Unsafe => "**unsafe**",
        Class::Failure => "**failure**",
        other => other.as_str(),
    }
}

/// Free text in a table cell or list item: Markdown punctuation backslash-escaped (CommonMark
/// allows it before any ASCII punctuation), line breaks as spaces so a row stays one row.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in visible_controls(value).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// An identifier as a code span: fenced with more backticks than it holds in a row; pipes
/// escaped, which GitHub tables require even inside code spans.
fn code(value: &str) -> String {
    // An empty code span is not one: it would show as two literal backticks.
    if value.is_empty() {
        return String::new();
    }
    let value = visible_controls(value)
        .replace(['\r', '\n'], " ")
        .replace('|', "\\|");
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{value}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{code, render, text};
    use crate::model::tests::sample;

    #[test]
    fn matrix_has_one_row_per_case_and_a_column_per_subject() {
        let markdown = render(&sample());
        assert!(markdown.contains("| case | `tollgate` | `nginx` |\n| --- | --- | --- |\n"));
        assert!(markdown.contains("| `origin.h1.cl-te-conflict` | conformant | **unsafe** |\n"));
        assert!(markdown.contains("| `origin.h1.obs-fold` | deviant | conformant |\n"));
        assert!(markdown.contains("| `origin.h1.hang` | **failure** | skipped |\n"));
    }

    #[test]
    fn summary_rows_carry_the_counts() {
        let markdown = render(&sample());
        assert!(
            markdown.contains("| `tollgate` | 0.1.0 | 3 | 1 | 1 | 0 | 1 | 0 |\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| `nginx` | 1.22.1 | 3 | 1 | 0 | 1 | 0 | 1 |\n"),
            "{markdown}"
        );
    }

    #[test]
    fn non_conformant_results_are_listed_worst_first_and_escaped() {
        let markdown = render(&sample());
        let list = &markdown[markdown.find("## Not conformant").unwrap()..];
        let unsafe_at = list.find("**unsafe**").unwrap();
        let failure_at = list.find("**failure**").unwrap();
        let deviant_at = list.find("**deviant**").unwrap();
        assert!(unsafe_at < failure_at && failure_at < deviant_at, "{list}");
        assert!(list.contains("unsafe because \\<b\\>\\&\\</b\\>"), "{list}");
        assert!(!list.contains("**conformant**"));
    }

    #[test]
    fn escaping_keeps_cells_whole() {
        assert_eq!(text("a|b\nc*d"), "a\\|b c\\*d");
        assert_eq!(code("a`b|c"), "``a`b\\|c``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(""), "");
        assert_eq!(text("\u{1}"), "\\\\x01");
    }
}
