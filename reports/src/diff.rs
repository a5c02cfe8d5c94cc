//! What changed between two runs: results compared by case id and subject name.
//!
//! A change is classed by what it means for whoever gates on it, worst first: a new unsafe
//! outcome, a new failure, another move to a more severe class (conformant → deviant), a move
//! to a less severe one, a result now or no longer skipped, a result added or removed. Results
//! of a subject that only one run has are not listed one by one: the subject is listed as added
//! or removed instead. Only the first three kinds are regressions ([`Diff::has_regressions`]);
//! skipping is not, since a subject missing from one machine says nothing about its behaviour.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::model::{CaseResult, Class, Report};
use crate::render::visible_controls;
use crate::summary::{case_order, subject_order};

/// Names the version of the diff's JSON layout.
pub const DIFF_SCHEMA: &str = "tollgate.report-diff/1";

/// What a change means, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Now unsafe, and was not (or did not exist).
    NewUnsafe,
    /// Now a failure, and was neither that nor unsafe (or did not exist).
    NewFailure,
    /// Now in a more severe class, neither unsafe nor failure (conformant → deviant).
    Regression,
    /// Now in a less severe class.
    Improvement,
    /// Ran before, skipped now.
    NowSkipped,
    /// Skipped before, ran now (and is neither unsafe nor a failure).
    NoLongerSkipped,
    /// A result only the second run has (and is neither unsafe nor a failure).
    Added,
    /// A result only the first run has.
    Removed,
}

impl ChangeKind {
    /// Every kind, worst first.
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::NewUnsafe,
        ChangeKind::NewFailure,
        ChangeKind::Regression,
        ChangeKind::Improvement,
        ChangeKind::NowSkipped,
        ChangeKind::NoLongerSkipped,
        ChangeKind::Added,
        ChangeKind::Removed,
    ];

    /// Whether a change of this kind should fail a CI gate.
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            ChangeKind::NewUnsafe | ChangeKind::NewFailure | ChangeKind::Regression
        )
    }

    /// A heading for the text rendering.
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::NewUnsafe => "new unsafe",
            ChangeKind::NewFailure => "new failure",
            ChangeKind::Regression => "other regression",
            ChangeKind::Improvement => "improvement",
            ChangeKind::NowSkipped => "now skipped",
            ChangeKind::NoLongerSkipped => "no longer skipped",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
        }
    }

    fn of(before: Option<Class>, after: Option<Class>) -> Option<ChangeKind> {
        let kind = match (before, after) {
            (before, after) if before == after => return None,
            (_, Some(Class::Unsafe)) => ChangeKind::NewUnsafe,
            (before, Some(Class::Failure)) if before.is_none_or(|b| b < Class::Failure) => {
                ChangeKind::NewFailure
            }
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            (_, Some(Class::Skipped)) => ChangeKind::NowSkipped,
            (Some(Class::Skipped), _) => ChangeKind::NoLongerSkipped,
            (Some(before), Some(after)) if after > before => ChangeKind::Regression,
            _ => ChangeKind::Improvement,
        };
        Some(kind)
    }
}

/// One case on one subject whose class changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What the change means.
    pub kind: ChangeKind,
    /// The case id.
    pub case: String,
    /// The subject name.
    pub subject: String,
    /// The class in the first run; `null` when it had no such result.
    pub before: Option<Class>,
    /// The class in the second run; `null` when it has no such result.
    pub after: Option<Class>,
    /// Why the latest run that has the result classed it so.
    pub reason: String,
}

/// The differences between two reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Always [`DIFF_SCHEMA`].
    pub schema: &'static str,
    /// The first run's id.
    pub before: String,
    /// The second run's id.
    pub after: String,
    /// Subjects only the second run has.
    pub subjects_added: Vec<String>,
    /// Subjects only the first run has.
    pub subjects_removed: Vec<String>,
    /// Cases only the second run has.
    pub cases_added: Vec<String>,
    /// Cases only the first run has.
    pub cases_removed: Vec<String>,
    /// Changed results, worst kind first, then by case id and subject.
    pub changes: Vec<Change>,
}

impl Diff {
    /// Compares `before` with `after`.
    pub fn new(before: &Report, after: &Report) -> Diff {
        let before_subjects = subject_order(before);
        let after_subjects = subject_order(after);
        let subjects_added = missing_from(&after_subjects, &before_subjects);
        let subjects_removed = missing_from(&before_subjects, &after_subjects);
        let before_cases: Vec<String> = case_order(before).into_iter().map(str::to_owned).collect();
        let after_cases: Vec<String> = case_order(after).into_iter().map(str::to_owned).collect();
        let cases_added = missing_from(&after_cases, &before_cases);
        let cases_removed = missing_from(&before_cases, &after_cases);

        let mut pairs: BTreeMap<(&str, &str), Pair<'_>> = BTreeMap::new();
        for result in &before.results {
            pairs.entry((&result.case, &result.subject)).or_default().0 = Some(result);
        }
        for result in &after.results {
            pairs.entry((&result.case, &result.subject)).or_default().1 = Some(result);
        }
        let one_sided: HashSet<&str> = subjects_added
            .iter()
            .chain(&subjects_removed)
            .map(String::as_str)
            .collect();
        let mut changes: Vec<Change> = pairs
            .into_iter()
            .filter(|((_, subject), _)| !one_sided.contains(subject))
            .filter_map(|((case, subject), (old, new))| {
                let kind = ChangeKind::of(old.map(|r| r.class), new.map(|r| r.class))?;
                Some(Change {
                    kind,
                    case: case.to_owned(),
                    subject: subject.to_owned(),
                    before: old.map(|r| r.class),
                    after: new.map(|r| r.class),
                    reason: new.or(old).map(|r| r.reason.clone()).unwrap_or_default(),
                })
            })
            .collect();
        // The map already ordered pairs by case and subject; a stable sort keeps that in a kind.
        changes.sort_by_key(|change| change.kind);
        Diff {
            schema: DIFF_SCHEMA,
            before: before.run.id.clone(),
            after: after.run.id.clone(),
            subjects_added,
            subjects_removed,
            cases_added,
            cases_removed,
            changes,
        }
    }

    /// Whether any change is a regression: new unsafe, new failure, or a move to a more severe
    /// class.
    pub fn has_regressions(&self) -> bool {
        self.changes
            .iter()
            .any(|change| change.kind.is_regression())
    }

    /// How many changes are of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes
            .iter()
            .filter(|change| change.kind == kind)
            .count()
    }

    /// The diff for a person: a count line, then the changes grouped by kind, worst first.
    pub fn to_text(&self) -> String {
        let mut out = format!("{} -> {}\n", clean(&self.before), clean(&self.after));
        let counts: Vec<String> = ChangeKind::ALL
            .iter()
            .map(|&kind| format!("{} {}", self.count(kind), kind.title()))
            .collect();
        let _ = writeln!(out, "{}", counts.join(", "));
        for (title, names) in [
            ("subjects added", &self.subjects_added),
            ("subjects removed", &self.subjects_removed),
            ("cases added", &self.cases_added),
            ("cases removed", &self.cases_removed),
        ] {
            if !names.is_empty() {
                let names: Vec<String> = names.iter().map(|name| clean(name)).collect();
                let _ = writeln!(out, "{title}: {}", names.join(", "));
            }
        }
        for kind in ChangeKind::ALL {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.kind == kind).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{}:", kind.title());
            for change in changes {
                let class = |class: Option<Class>| class.map_or("none", Class::as_str);
                let _ = writeln!(
                    out,
                    "  {} on {}: {} -> {} ({})",
                    clean(&change.case),
                    clean(&change.subject),
                    class(change.before),
                    class(change.after),
                    clean(&change.reason)
                );
            }
        }
        out
    }

    /// The diff as pretty JSON (schema [`DIFF_SCHEMA`]), ending with a line break.
    pub fn to_json(&self) -> Result<String, Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(|err| {
            Error::new(
                ErrorKind::Serialize,
                format!("the diff cannot be written as JSON: {err}"),
            )
        })?;
        text.push('\n');
        Ok(text)
    }
}

/// A result in the first and in the second run, either possibly absent.
type Pair<'a> = (Option<&'a CaseResult>, Option<&'a CaseResult>);

fn missing_from(names: &[String], other: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|name| !other.contains(name))
        .cloned()
        .collect()
}

/// One line of terminal-safe text: a report's strings must not move the cursor or recolour
/// the terminal of whoever reads the diff.
fn clean(text: &str) -> String {
    visible_controls(text).replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::{ChangeKind, Diff};
    use crate::model::tests::sample;
    use crate::model::{CaseResult, Class, Report, Subject, SubjectKind};

    fn set(report: &mut Report, case: &str, subject: &str, class: Class) {
        let result = report
            .results
            .iter_mut()
            .find(|r| r.case == case && r.subject == subject)
            .unwrap();
        result.class = class;
        result.reason = format!("now {}", class.as_str());
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let diff = Diff::new(&sample(), &sample());
        assert!(diff.changes.is_empty());
        assert!(!diff.has_regressions());
    }

    #[test]
    fn changes_are_ordered_worst_first() {
        let before = sample();
        let mut after = sample();
        after.run.id = "run-2".into();
        set(&mut after, "origin.h1.obs-fold", "nginx", Class::Deviant); // regression
        set(
            &mut after,
            "origin.h1.cl-te-conflict",
            "nginx",
            Class::Conformant,
        ); // improvement
        set(&mut after, "origin.h1.obs-fold", "tollgate", Class::Unsafe); // new unsafe
        set(
            &mut after,
            "origin.h1.cl-te-conflict",
            "tollgate",
            Class::Failure,
        ); // new failure
        set(&mut after, "origin.h1.hang", "nginx", Class::Conformant); // no longer skipped
        after.push_result(CaseResult::new(
            "new.case",
            "tollgate",
            Class::Unsafe,
            "desync",
        ));
        after.push_result(CaseResult::new(
            "new.case",
            "nginx",
            Class::Conformant,
            "ok",
        ));
        after
            .results
            .retain(|r| !(r.case == "origin.h1.hang" && r.subject == "tollgate"));
        let diff = Diff::new(&before, &after);
        let got: Vec<(ChangeKind, &str, &str)> = diff
            .changes
            .iter()
            .map(|c| (c.kind, c.case.as_str(), c.subject.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (ChangeKind::NewUnsafe, "new.case", "tollgate"),
                (ChangeKind::NewUnsafe, "origin.h1.obs-fold", "tollgate"),
                (
                    ChangeKind::NewFailure,
                    "origin.h1.cl-te-conflict",
                    "tollgate"
                ),
                (ChangeKind::Regression, "origin.h1.obs-fold", "nginx"),
                (ChangeKind::Improvement, "origin.h1.cl-te-conflict", "nginx"),
                (ChangeKind::NoLongerSkipped, "origin.h1.hang", "nginx"),
                (ChangeKind::Added, "new.case", "nginx"),
                (ChangeKind::Removed, "origin.h1.hang", "tollgate"),
            ]
        );
        assert!(diff.has_regressions());
        assert_eq!(diff.cases_added, ["new.case"]);
        assert!(diff.cases_removed.is_empty());
        let text = diff.to_text();
        assert!(
            text.starts_with(
                "run-1 -> run-2\n2 new unsafe, 1 new failure, 1 other regression, 1 improvement, \
             0 now skipped, 1 no longer skipped, 1 added, 1 removed\ncases added: new.case\n\n\
             new unsafe:\n  new.case on tollgate: none -> unsafe (desync)\n  \
             origin.h1.obs-fold on tollgate: deviant -> unsafe (now unsafe)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn only_improvements_and_skips_are_not_regressions() {
        let before = sample();
        let mut after = sample();
        set(
            &mut after,
            "origin.h1.cl-te-conflict",
            "nginx",
            Class::Deviant,
        );
        set(
            &mut after,
            "origin.h1.cl-te-conflict",
            "tollgate",
            Class::Skipped,
        );
        let diff = Diff::new(&before, &after);
        let kinds: Vec<ChangeKind> = diff.changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChangeKind::Improvement, ChangeKind::NowSkipped]);
        assert!(!diff.has_regressions());
    }

    #[test]
    fn a_subject_in_one_run_only_is_listed_once_not_per_case() {
        let before = sample();
        let mut after = sample();
        after.push_subject(Subject::new("h2o", SubjectKind::External));
        after.push_result(CaseResult::new(
            "origin.h1.hang",
            "h2o",
            Class::Unsafe,
            "desync",
        ));
        after.subjects.retain(|s| s.name != "nginx");
        after.results.retain(|r| r.subject != "nginx");
        let diff = Diff::new(&before, &after);
        assert_eq!(diff.subjects_added, ["h2o"]);
        assert_eq!(diff.subjects_removed, ["nginx"]);
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
    }

    #[test]
    fn json_names_kinds_and_classes_and_text_is_terminal_safe() {
        let before = sample();
        let mut after = sample();
        set(&mut after, "origin.h1.obs-fold", "nginx", Class::Unsafe);
        after.results[3].reason = "\u{1b}[31mred\nline".into();
        let diff = Diff::new(&before, &after);
        let value: serde_json::Value = serde_json::from_str(&diff.to_json().unwrap()).unwrap();
        assert_eq!(value["schema"], "tollgate.report-diff/1");
        assert_eq!(value["changes"][0]["kind"], "new-unsafe");
        assert_eq!(value["changes"][0]["before"], "conformant");
        assert_eq!(value["changes"][0]["after"], "unsafe");
        assert!(
            diff.to_text().contains("(\\x1b[31mred line)"),
            "{}",
            diff.to_text()
        );
    }
}
