//! The report as one self-contained HTML page: inline CSS and a little vanilla JavaScript, no
//! request to anywhere, so it can be attached to a CI run or mailed and still work.
//!
//! Safety: every value from the report (case ids, reasons, transcripts: bytes an origin chose)
//! is HTML-escaped, and only as element text or double-quoted attribute values. Result details
//! are HTML, not data inside the script, so no value ever needs escaping for JavaScript. As a
//! second line, a Content-Security-Policy admits exactly the page's own script and style (by
//! hash) and nothing else: no other script, no images, no network.

use std::fmt::Write as _;

use crate::digest::sha256_base64;
use crate::model::{CaseResult, Class, Report};
use crate::render::visible_controls;
use crate::summary::{case_order, subject_order, summarize};

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
pre { background: #f5f5f5; padding: .5em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; }
.filters { display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .8em; }
#matrix td.cell { padding: 0; }
#matrix td.cell button { border: 0; width: 100%; padding: .25em .6em; font: inherit; cursor: pointer; background: inherit; color: inherit; }
#matrix td.cell.selected { outline: 3px solid #0a58ca; }
#matrix td.cell.dim { opacity: .25; }
.conformant { background: #d1f2d9; }
.deviant { background: #fff1c2; }
.unsafe { background: #d7263d; color: #fff; font-weight: 600; }
.failure { background: #6f42c1; color: #fff; font-weight: 600; }
.skipped { background: #e9ecef; color: #6c757d; }
.class { padding: 0 .4em; border-radius: 3px; }
section.result { border-top: 2px solid #ccc; margin-top: 1em; }
"#;

const SCRIPT: &str = r#"
(() => {
  const tag = document.getElementById('tag');
  const boxes = [...document.querySelectorAll('#classes input')];
  const rows = [...document.querySelectorAll('#matrix tbody tr')];
  const apply = () => {
    const classes = boxes.filter((box) => box.checked).map((box) => box.value);
    for (const row of rows) {
      const tags = row.getAttribute('data-tags').split('\n');
      const cells = [...row.querySelectorAll('td.cell')];
      const matching = cells.filter((cell) => classes.includes(cell.getAttribute('data-class')));
      for (const cell of cells) cell.classList.toggle('dim', !matching.includes(cell));
      row.hidden = !((tag.value === '' || tags.includes(tag.value)) && matching.length > 0);
    }
  };
  tag.addEventListener('change', apply);
  for (const box of boxes) box.addEventListener('change', apply);
  let selected = null;
  document.getElementById('matrix').addEventListener('click', (event) => {
    const cell = event.target.closest('td.cell');
    if (!cell) return;
    if (selected) {
      selected.classList.remove('selected');
      document.getElementById(selected.getAttribute('data-result')).hidden = true;
    }
    selected = cell;
    cell.classList.add('selected');
    const details = document.getElementById(cell.getAttribute('data-result'));
    details.hidden = false;
    document.getElementById('hint').hidden = true;
    details.scrollIntoView({ block: 'nearest' });
  });
  apply();
})();
"#;

/// `report` as a self-contained HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024 + report.results.len() * 2048);
    let run = &report.run;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'sha256-{}'; script-src 'sha256-{}'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>tollgate report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>tollgate report <code>{}</code></h1>\n",
        sha256_base64(STYLE.as_bytes()),
        sha256_base64(SCRIPT.as_bytes()),
        esc(&run.id),
        esc(&run.id),
    );
    run_section(&mut out, report);
    summary_section(&mut out, report);
    matrix_section(&mut out, report);
    out.push_str("<h2>Details</h2>\n<p id=\"hint\">Click a cell of the matrix to see its result and transcript.</p>\n");
    for (index, result) in report.results.iter().enumerate() {
        result_section(&mut out, index, result);
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn run_section(out: &mut String, report: &Report) {
    let run = &report.run;
    let env = &report.environment;
    out.push_str("<dl class=\"run\">\n");
    let mut item = |name: &str, value: &str| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", esc(value));
    };
    item("started", &run.started_at);
    item("duration", &format!("{} ms", run.duration_ms));
    item("tollgate", &run.tollgate_version);
    item("commit", run.git_commit.as_deref().unwrap_or("unknown"));
    item("command", &run.command_line.join(" "));
    let mut environment = format!("{} {}, {} cores", env.os, env.arch, env.cores);
    if let Some(kernel) = &env.kernel {
        let _ = write!(environment, ", kernel {kernel}");
    }
    item("environment", &environment);
    for suite in &report.suites {
        let mut text = format!("{} ({} cases", suite.name, suite.cases);
        if let Some(path) = &suite.path {
            let _ = write!(text, ", {path}");
        }
        if let Some(sha256) = &suite.sha256 {
            let _ = write!(text, ", sha256 {sha256}");
        }
        text.push(')');
        item("suite", &text);
    }
    out.push_str("</dl>\n");
    if let Some(policy) = &report.policy {
        let _ = writeln!(
            out,
            "<details><summary>policy <code>{}</code></summary><pre>{}</pre></details>",
            esc(&policy.name),
            esc(&policy.toml)
        );
    }
}

fn summary_section(out: &mut String, report: &Report) {
    out.push_str(
        "<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th>subject</th><th>kind</th>\
         <th>version</th><th>cases</th>",
    );
    for class in Class::ALL {
        let _ = write!(out, "<th class=\"{0}\">{0}</th>", class.as_str());
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for summary in summarize(report) {
        let subject = report.subjects.iter().find(|s| s.name == summary.subject);
        let kind = subject.map_or("", |s| s.kind.as_str());
        let version = match subject {
            Some(s) => match &s.skipped {
                Some(reason) => format!("skipped: {reason}"),
                None => s.version.clone().unwrap_or_default(),
            },
            None => String::new(),
        };
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{kind}</td><td>{}</td><td class=\"n\">{}</td>",
            esc(&summary.subject),
            esc(&version),
            summary.cases
        );
        for class in Class::ALL {
            let _ = write!(out, "<td class=\"n\">{}</td>", summary.count(class));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    for subject in &report.subjects {
        if let Some(config) = &subject.config {
            let _ = writeln!(
                out,
                "<details><summary>configuration of <code>{}</code></summary><pre>{}</pre></details>",
                esc(&subject.name),
                esc(config)
            );
        }
    }
}

fn matrix_section(out: &mut String, report: &Report) {
    let mut tags: Vec<&str> = report
        .results
        .iter()
        .flat_map(|r| r.tags.iter().map(String::as_str))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    out.push_str(
        "<h2>Matrix</h2>\n<div class=\"filters\">\n<label>tag <select id=\"tag\">\
         <option value=\"\">all</option>",
    );
    for tag in tags {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(tag));
    }
    out.push_str("</select></label>\n<fieldset id=\"classes\"><legend>class</legend>");
    for class in Class::ALL {
        let _ = write!(
            out,
            "<label class=\"class {0}\"><input type=\"checkbox\" value=\"{0}\" checked> {0}</label>",
            class.as_str()
        );
    }
    out.push_str("</fieldset>\n</div>\n<table id=\"matrix\">\n<thead><tr><th>case</th>");
    let subjects = subject_order(report);
    for subject in &subjects {
        let _ = write!(out, "<th>{}</th>", esc(subject));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for case in case_order(report) {
        let first = report.results.iter().find(|r| r.case == case);
        let tags = first.map(|r| r.tags.join("\n")).unwrap_or_default();
        let title = first.map_or("", |r| r.title.as_str());
        let _ = write!(
            out,
            "<tr data-tags=\"{}\"><th title=\"{}\">{}</th>",
            esc(&tags),
            esc(title),
            esc(case)
        );
        for subject in &subjects {
            let found = report
                .results
                .iter()
                .enumerate()
                .find(|(_, r)| r.case == case && &r.subject == subject);
            match found {
                Some((index, result)) => {
                    let _ = write!(
                        out,
                        "<td class=\"cell {0}\" data-class=\"{0}\" data-result=\"r{index}\">\
                         <button type=\"button\">{0}</button></td>",
                        result.class.as_str()
                    );
                }
                None => out.push_str("<td class=\"none\"></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn result_section(out: &mut String, index: usize, result: &CaseResult) {
    let _ = write!(
        out,
        "<section class=\"result\" id=\"r{index}\" hidden>\n<h3><code>{}</code> on <code>{}</code> \
         <span class=\"class {2}\">{2}</span></h3>\n",
        esc(&result.case),
        esc(&result.subject),
        result.class.as_str(),
    );
    out.push_str("<dl class=\"run\">\n");
    let mut item = |name: &str, value: &str| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", esc(value));
    };
    item("subject", &result.subject);
    item("title", &result.title);
    item("suite", &result.suite);
    item("tags", &result.tags.join(", "));
    item("refs", &result.refs.join(", "));
    item("reason", &result.reason);
    if let Some(matched) = &result.matched {
        item(
            "matched",
            &format!("any_of[{}]: {}", matched.index, matched.expectation),
        );
    }
    let observed = &result.observed;
    item(
        "status",
        &observed
            .status
            .map_or_else(|| "none".into(), |status| status.to_string()),
    );
    if let Some(body) = &observed.body {
        item(
            "body",
            &format!("{} bytes, sha256 {}", body.length, body.sha256),
        );
    }
    if !observed.anomalies.is_empty() {
        item("anomalies", &observed.anomalies.join(", "));
    }
    let mut timing = format!("{} ms total", result.timings.total_ms);
    if let Some(first) = result.timings.first_byte_ms {
        let _ = write!(timing, ", first byte after {first} ms");
    }
    item("timings", &timing);
    out.push_str("</dl>\n");
    if let Some(received) = &observed.origin_received {
        let _ = writeln!(
            out,
            "<h4>origin received ({})</h4>\n<pre>{}</pre>",
            esc(&capture_note(received)),
            esc(&break_lines(&received.text))
        );
    }
    for hop in &result.transcript.hops {
        let _ = writeln!(
            out,
            "<h4>{} → {} ({})</h4>\n<pre>{}</pre>",
            esc(&hop.from),
            esc(&hop.to),
            esc(&capture_note(&hop.bytes)),
            esc(&break_lines(&hop.bytes.text))
        );
    }
    out.push_str("</section>\n");
}

fn capture_note(capture: &crate::model::Capture) -> String {
    let mut note = format!("{} bytes, sha256 {}", capture.length, capture.sha256);
    if capture.truncated {
        note.push_str(", truncated: the text shows the first bytes only");
    }
    note
}

/// Escaped wire text with a real line break after each `\n` escape, so a message reads as
/// lines; the escapes themselves stay, so the text still says exactly which bytes were sent.
fn break_lines(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len() + escaped.len() / 16);
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\'
            && let Some(next) = chars.next()
        {
            out.push(next);
            if next == 'n' {
                out.push('\n');
            }
        }
    }
    out
}

/// HTML-escapes text for element content and double-quoted attribute values alike.
fn esc(value: &str) -> String {
    let value = visible_controls(value);
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{SCRIPT, STYLE, break_lines, esc, render};
    use crate::digest::sha256_base64;
    use crate::model::tests::sample;
    use crate::model::{CaseResult, Class, Transcript};

    #[test]
    fn one_matrix_cell_per_case_and_subject_with_its_class() {
        let report = sample();
        let html = render(&report);
        assert_eq!(
            html.matches("<td class=\"cell ").count(),
            report.results.len()
        );
        for (index, result) in report.results.iter().enumerate() {
            let cell = format!(
                "<td class=\"cell {0}\" data-class=\"{0}\" data-result=\"r{index}\">",
                result.class.as_str()
            );
            assert_eq!(html.matches(&cell).count(), 1, "{cell}");
            assert_eq!(html.matches(&format!("id=\"r{index}\" hidden")).count(), 1);
        }
        let matrix = &html[html.find("<table id=\"matrix\">").unwrap()..];
        let row = &matrix[matrix
            .find("<th title=\"Title of origin.h1.hang | with pipe\">")
            .unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("cell failure") && row.contains("cell skipped"),
            "{row}"
        );
    }

    #[test]
    fn a_hostile_transcript_is_inert() {
        let html = render(&sample());
        assert_eq!(html.matches("<script").count(), 1);
        assert_eq!(html.matches("</script>").count(), 1);
        assert!(!html.contains("<img"));
        assert!(!html.contains("onerror=alert(1)>"));
        assert!(html.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;\\x01"));
    }

    #[test]
    fn hostile_names_cannot_leave_their_attribute_or_element() {
        let mut report = sample();
        let mut transcript = Transcript::default();
        transcript.push("client", "subject", b"<!--");
        report.push_result(
            CaseResult::new(
                "\"><script>alert(1)</script>",
                "x' onclick='y",
                Class::Unsafe,
                "<svg onload=z>",
            )
            .tags(["\"><b>", "a b"])
            .title("\u{1}<i>")
            .transcript(transcript),
        );
        let html = render(&report);
        assert_eq!(html.matches("<script").count(), 1);
        for tag in ["<svg", "<b>", "<i>", "<!--", "onclick='"] {
            assert!(!html.contains(tag), "{tag}");
        }
        assert!(html.contains("<option value=\"&quot;&gt;&lt;b&gt;\">"));
        assert!(html.contains("title=\"\\x01&lt;i&gt;\""));
    }

    #[test]
    fn the_security_policy_admits_exactly_the_inline_script_and_style() {
        let html = render(&sample());
        let script = &html[html.find("<script>").unwrap() + 8..html.find("</script>").unwrap()];
        let style = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
        assert_eq!((script, style), (SCRIPT, STYLE));
        let policy = format!(
            "content=\"default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'\"",
            sha256_base64(style.as_bytes()),
            sha256_base64(script.as_bytes())
        );
        assert!(html.contains(&policy));
    }

    #[test]
    fn filters_list_every_tag_once_and_every_class() {
        let html = render(&sample());
        for tag in ["framing", "h1", "timeout"] {
            assert_eq!(
                html.matches(&format!("<option value=\"{tag}\">")).count(),
                1,
                "{tag}"
            );
        }
        for class in Class::ALL {
            assert!(html.contains(&format!(
                "<input type=\"checkbox\" value=\"{}\" checked>",
                class.as_str()
            )));
        }
        assert!(
            html.contains("<tr data-tags=\"h1&#10;framing\">")
                || html.contains("<tr data-tags=\"h1\nframing\">")
        );
    }

    #[test]
    fn transcripts_break_after_line_feeds_only() {
        assert_eq!(break_lines("a\\r\\nb\\\\nc"), "a\\r\\n\nb\\\\nc");
        assert_eq!(esc("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}
