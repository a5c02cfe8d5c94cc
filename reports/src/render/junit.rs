//! The report as JUnit XML, the format CI systems show as test results: one `<testsuite>` per
//! subject, one `<testcase>` per case. Unsafe and failure outcomes are `<failure>`s (they should
//! turn a CI run red); skipped ones `<skipped/>`; deviant ones pass with a `<system-out>` note,
//! since a deviation is safe by definition but still worth reading.

use std::fmt::Write as _;

use crate::model::{CaseResult, Class, Report};
use crate::render::visible_controls;
use crate::summary::summarize;

/// `report` as JUnit XML.
pub fn render(report: &Report) -> String {
    let summaries = summarize(report);
    let total =
        |f: fn(&crate::summary::SubjectSummary) -> u64| summaries.iter().map(f).sum::<u64>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
        attr(&format!("tollgate {}", report.run.id)),
        total(|s| s.cases),
        total(|s| s.unsafe_ + s.failure),
        total(|s| s.skipped),
        seconds(report.run.duration_ms as f64),
    );
    for summary in &summaries {
        let results: Vec<&CaseResult> = report
            .results
            .iter()
            .filter(|r| r.subject == summary.subject)
            .collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" \
             time=\"{}\" timestamp=\"{}\">",
            attr(&summary.subject),
            summary.cases,
            summary.unsafe_ + summary.failure,
            summary.skipped,
            seconds(results.iter().map(|r| r.timings.total_ms).sum()),
            attr(&report.run.started_at),
        );
        if let Some(subject) = report.subjects.iter().find(|s| s.name == summary.subject) {
            out.push_str("    <properties>\n");
            let mut property = |name: &str, value: &str| {
                let _ = writeln!(
                    out,
                    "      <property name=\"{name}\" value=\"{}\"/>",
                    attr(value)
                );
            };
            property("kind", subject.kind.as_str());
            if let Some(version) = &subject.version {
                property("version", version);
            }
            if let Some(reason) = &subject.skipped {
                property("skipped", reason);
            }
            out.push_str("    </properties>\n");
        }
        for result in results {
            testcase(&mut out, result);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, result: &CaseResult) {
    let classname = if result.suite.is_empty() {
        result.subject.clone()
    } else {
        format!("{}.{}", result.subject, result.suite)
    };
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&result.case),
        attr(&classname),
        seconds(result.timings.total_ms)
    );
    match result.class {
        Class::Conformant => out.push_str("/>\n"),
        Class::Skipped => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&result.reason)
            );
        }
        Class::Deviant => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                text(&format!("deviant: {}\n{}", result.reason, details(result)))
            );
        }
        Class::Unsafe | Class::Failure => {
            let _ = writeln!(
                out,
                ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                result.class.as_str(),
                attr(&result.reason),
                text(&details(result))
            );
        }
    }
}

/// What a person needs to start investigating: the case, what was seen, and digests of what
/// crossed the wire (the transcripts themselves are in the JSON and HTML reports).
fn details(result: &CaseResult) -> String {
    let mut out = format!("case: {}\n", result.case);
    if !result.title.is_empty() {
        let _ = writeln!(out, "title: {}", result.title);
    }
    if !result.refs.is_empty() {
        let _ = writeln!(out, "refs: {}", result.refs.join(", "));
    }
    let observed = &result.observed;
    match observed.status {
        Some(status) => {
            let _ = writeln!(out, "status: {status}");
        }
        None => out.push_str("status: none\n"),
    }
    if let Some(body) = &observed.body {
        let _ = writeln!(out, "body: {} bytes, sha256 {}", body.length, body.sha256);
    }
    if !observed.anomalies.is_empty() {
        let _ = writeln!(out, "anomalies: {}", observed.anomalies.join(", "));
    }
    if let Some(received) = &observed.origin_received {
        let _ = writeln!(out, "origin received: {}", received.text);
    }
    for hop in &result.transcript.hops {
        let _ = writeln!(
            out,
            "{} -> {}: {} bytes, sha256 {}",
            hop.from, hop.to, hop.bytes.length, hop.bytes.sha256
        );
    }
    out
}

fn seconds(ms: f64) -> String {
    let ms = if ms.is_finite() && ms > 0.0 { ms } else { 0.0 };
    format!("{:.3}", ms / 1000.0)
}

/// Element text: markup characters as entities, carriage returns as `&#13;` (a parser would
/// turn a literal one into a line feed), other control characters as `\xHH` text since XML 1.0
/// cannot carry them at all.
fn text(value: &str) -> String {
    escape(value, false)
}

/// A double-quoted attribute value: as [`text`], and tabs and line breaks as character
/// references, which attribute-value normalisation would otherwise turn into spaces.
fn attr(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let value = visible_controls(value);
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{attr, render, text};
    use crate::model::tests::sample;
    use crate::model::{CaseResult, Class};

    /// An element of a tiny XML reader good enough to check structure: no DTD, no CDATA, no
    /// processing instructions but the declaration.
    #[derive(Debug)]
    struct Element {
        name: String,
        attrs: Vec<(String, String)>,
        children: Vec<Element>,
        text: String,
    }

    impl Element {
        fn attr(&self, name: &str) -> &str {
            &self.attrs.iter().find(|(n, _)| n == name).unwrap().1
        }

        fn all(&self, name: &str) -> Vec<&Element> {
            self.children.iter().filter(|c| c.name == name).collect()
        }
    }

    fn unescape(text: &str) -> String {
        assert!(!text.contains('<'), "raw < in {text:?}");
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(';').unwrap() + at;
            out.push(match &rest[at + 1..end] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "#13" => '\r',
                "#10" => '\n',
                "#9" => '\t',
                other => panic!("unknown entity {other}"),
            });
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn parse(xml: &str) -> Element {
        for c in xml.chars() {
            let allowed =
                matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}');
            assert!(allowed, "XML 1.0 forbids {c:?}");
        }
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .unwrap();
        let mut stack = vec![Element {
            name: String::new(),
            attrs: vec![],
            children: vec![],
            text: String::new(),
        }];
        let mut rest = body;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            let content = unescape(&rest[..lt]);
            stack.last_mut().unwrap().text.push_str(&content);
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            let gt = rest.find('>').unwrap();
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let element = stack.pop().unwrap();
                assert_eq!(element.name, name, "mismatched close tag");
                stack.last_mut().unwrap().children.push(element);
                continue;
            }
            let (tag, empty) = match tag.strip_suffix('/') {
                Some(tag) => (tag, true),
                None => (tag, false),
            };
            let (name, mut attrs_text) = tag.split_once(' ').unwrap_or((tag, ""));
            let mut attrs = Vec::new();
            while let Some((key, value)) = attrs_text.trim_start().split_once("=\"") {
                let end = value.find('"').unwrap();
                attrs.push((key.to_owned(), unescape(&value[..end])));
                attrs_text = &value[end + 1..];
            }
            assert!(attrs_text.trim().is_empty(), "stray text in tag {tag:?}");
            let element = Element {
                name: name.to_owned(),
                attrs,
                children: vec![],
                text: String::new(),
            };
            if empty {
                stack.last_mut().unwrap().children.push(element);
            } else {
                stack.push(element);
            }
        }
        let mut root = stack.pop().unwrap();
        assert!(stack.is_empty(), "unclosed elements");
        assert_eq!(root.children.len(), 1);
        root.children.pop().unwrap()
    }

    #[test]
    fn one_suite_per_subject_and_one_case_per_result() {
        let xml = render(&sample());
        let root = parse(&xml);
        assert_eq!(root.name, "testsuites");
        assert_eq!(
            (
                root.attr("tests"),
                root.attr("failures"),
                root.attr("skipped")
            ),
            ("6", "2", "1")
        );
        let suites = root.all("testsuite");
        assert_eq!(
            suites.iter().map(|s| s.attr("name")).collect::<Vec<_>>(),
            ["tollgate", "nginx"]
        );
        let nginx = suites[1];
        assert_eq!(
            (
                nginx.attr("tests"),
                nginx.attr("failures"),
                nginx.attr("skipped")
            ),
            ("3", "1", "1")
        );
        let cases = nginx.all("testcase");
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].attr("name"), "origin.h1.cl-te-conflict");
        assert_eq!(cases[0].attr("classname"), "nginx.origin");
        assert_eq!(cases[0].attr("time"), "0.002");
        let failure = &cases[0].children[0];
        assert_eq!(
            (failure.name.as_str(), failure.attr("type")),
            ("failure", "unsafe")
        );
        assert_eq!(failure.attr("message"), "unsafe because <b>&</b>");
        assert!(
            failure
                .text
                .contains("anomalies: h1.response.cl-te-conflict\n")
        );
        assert!(cases[1].children.is_empty(), "conformant passes");
        assert_eq!(cases[2].children[0].name, "skipped");
        let tollgate = suites[0].all("testcase");
        assert_eq!(tollgate[1].children[0].name, "system-out");
        assert!(
            tollgate[1].children[0]
                .text
                .starts_with("deviant: deviant because <b>&</b>\n")
        );
        assert_eq!(tollgate[2].children[0].attr("type"), "failure");
        assert_eq!(
            suites[0].all("properties")[0].all("property")[0].attr("value"),
            "tollgate"
        );
    }

    #[test]
    fn control_bytes_and_markup_survive_as_text() {
        let mut report = sample();
        report.push_result(
            CaseResult::new("c<&>\"'", "s", Class::Unsafe, "bad \u{1}\u{0}\r\nbyte\t!")
                .title("t\u{1b}"),
        );
        let root = parse(&render(&report));
        let suite = root.all("testsuite")[2];
        let case = suite.all("testcase")[0];
        assert_eq!(case.attr("name"), "c<&>\"'");
        assert_eq!(
            case.children[0].attr("message"),
            "bad \\x01\\x00\r\nbyte\t!"
        );
        assert!(case.children[0].text.contains("title: t\\x1b\n"));
        assert_eq!(attr("\n"), "&#10;");
        assert_eq!(text("\n\r"), "\n&#13;");
    }
}
