//! Counts of outcomes per subject, and the one-line summary a run ends with.

use std::fmt;

use crate::model::{Class, Report};

/// How many results of one subject fell in each class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectSummary {
    /// The subject's name.
    pub subject: String,
    /// Results of every class, skipped included.
    pub cases: u64,
    /// Conformant results.
    pub conformant: u64,
    /// Deviant results.
    pub deviant: u64,
    /// Unsafe results.
    pub unsafe_: u64,
    /// Failures.
    pub failure: u64,
    /// Skipped cases.
    pub skipped: u64,
}

impl SubjectSummary {
    /// How many results of `class` there are.
    pub fn count(&self, class: Class) -> u64 {
        match class {
            Class::Conformant => self.conformant,
            Class::Deviant => self.deviant,
            Class::Unsafe => self.unsafe_,
            Class::Failure => self.failure,
            Class::Skipped => self.skipped,
        }
    }

    fn add(&mut self, class: Class) {
        self.cases += 1;
        let count = match class {
            Class::Conformant => &mut self.conformant,
            Class::Deviant => &mut self.deviant,
            Class::Unsafe => &mut self.unsafe_,
            Class::Failure => &mut self.failure,
            Class::Skipped => &mut self.skipped,
        };
        *count += 1;
    }
}

/// `SUBJECT: N cases, C conformant, D deviant, U unsafe, F failure, S skipped`, exactly (the
/// harness's last lines, which scripts grep).
impl fmt::Display for SubjectSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} cases, {} conformant, {} deviant, {} unsafe, {} failure, {} skipped",
            self.subject,
            self.cases,
            self.conformant,
            self.deviant,
            self.unsafe_,
            self.failure,
            self.skipped
        )
    }
}

/// The subjects of `report` in its order, then any subject only results name (in the order
/// they first appear), each with its counts.
pub fn summarize(report: &Report) -> Vec<SubjectSummary> {
    let mut summaries: Vec<SubjectSummary> = report
        .subjects
        .iter()
        .map(|subject| SubjectSummary {
            subject: subject.name.clone(),
            ..SubjectSummary::default()
        })
        .collect();
    for result in &report.results {
        let index = match summaries.iter().position(|s| s.subject == result.subject) {
            Some(index) => index,
            None => {
                summaries.push(SubjectSummary {
                    subject: result.subject.clone(),
                    ..SubjectSummary::default()
                });
                summaries.len() - 1
            }
        };
        if let Some(summary) = summaries.get_mut(index) {
            summary.add(result.class);
        }
    }
    summaries
}

/// The subject names in summary order.
pub(crate) fn subject_order(report: &Report) -> Vec<String> {
    summarize(report).into_iter().map(|s| s.subject).collect()
}

/// The case ids in the order they first appear in the results.
pub(crate) fn case_order(report: &Report) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    report
        .results
        .iter()
        .map(|result| result.case.as_str())
        .filter(|case| seen.insert(*case))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::summarize;
    use crate::model::tests::sample;
    use crate::model::{CaseResult, Class};

    #[test]
    fn summary_lines_are_exact_and_in_report_order() {
        let mut report = sample();
        report.push_result(CaseResult::new("extra", "h2o", Class::Unsafe, "desync"));
        let lines: Vec<String> = summarize(&report).iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "tollgate: 3 cases, 1 conformant, 1 deviant, 0 unsafe, 1 failure, 0 skipped",
                "nginx: 3 cases, 1 conformant, 0 deviant, 1 unsafe, 0 failure, 1 skipped",
                "h2o: 1 cases, 0 conformant, 0 deviant, 1 unsafe, 0 failure, 0 skipped",
            ]
        );
    }

    #[test]
    fn a_subject_without_results_counts_zero() {
        let mut report = sample();
        report.results.retain(|result| result.subject != "nginx");
        let summaries = summarize(&report);
        assert_eq!(
            summaries[1].to_string(),
            "nginx: 0 cases, 0 conformant, 0 deviant, 0 unsafe, 0 failure, 0 skipped"
        );
        assert_eq!(summaries[0].count(Class::Failure), 1);
    }
}
