//! The report: what one harness run did and found, as serde data.
//!
//! Versioning: [`SCHEMA`] is `tollgate.report/MAJOR`. Within a major version, fields are only
//! added, and only as optional ones (an absent field reads as empty or `null`); a reader skips
//! fields it does not know, so a report written by a newer minor release loads in an older one.
//! Renaming or removing a field, changing its meaning, or adding a [`Class`] or [`SubjectKind`]
//! bumps the major, and a reader refuses a major newer than its own.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;
use crate::error::{Error, ErrorKind};
use crate::escape::escape_bytes;

/// The name and major version of the JSON layout this build writes and reads.
pub const SCHEMA: &str = "tollgate.report/1";
const SCHEMA_NAME: &str = "tollgate.report";
const SCHEMA_MAJOR: u64 = 1;

/// One harness run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`] when written by this build.
    pub schema: String,
    /// Who ran what, and when.
    pub run: Run,
    /// The machine it ran on.
    pub environment: Environment,
    /// The subjects in the order the run visited them, which is the order renderings use.
    #[serde(default)]
    pub subjects: Vec<Subject>,
    /// The policy tollgate ran under; `null` when no subject was tollgate.
    #[serde(default)]
    pub policy: Option<PolicyInForce>,
    /// The corpora the cases came from.
    #[serde(default)]
    pub suites: Vec<Suite>,
    /// One result per case and subject, in the order they ran.
    #[serde(default)]
    pub results: Vec<CaseResult>,
}

impl Report {
    /// An empty report of the current schema.
    pub fn new(run: Run, environment: Environment) -> Report {
        Report {
            schema: SCHEMA.to_owned(),
            run,
            environment,
            subjects: Vec::new(),
            policy: None,
            suites: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Adds a subject (in run order).
    pub fn push_subject(&mut self, subject: Subject) {
        self.subjects.push(subject);
    }

    /// Adds a suite.
    pub fn push_suite(&mut self, suite: Suite) {
        self.suites.push(suite);
    }

    /// Adds a result (in run order).
    pub fn push_result(&mut self, result: CaseResult) {
        self.results.push(result);
    }

    /// Sets the policy in force.
    pub fn set_policy(&mut self, policy: PolicyInForce) {
        self.policy = Some(policy);
    }

    /// Loads a report from JSON text: checks the schema name and major version first (so a
    /// newer report is refused as such rather than as malformed), then the fields, then that no
    /// case and subject pair has two results.
    pub fn from_json(text: &str) -> Result<Report, Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
            Error::new(
                ErrorKind::Malformed,
                format!("the report is not JSON: {err}"),
            )
        })?;
        check_schema(value.get("schema"))?;
        let report: Report = serde_json::from_value(value).map_err(|err| {
            Error::new(
                ErrorKind::Malformed,
                format!("the report does not match schema {SCHEMA}: {err}"),
            )
        })?;
        report.check_unique_results()?;
        Ok(report)
    }

    fn check_unique_results(&self) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for result in &self.results {
            if !seen.insert((result.case.as_str(), result.subject.as_str())) {
                return Err(Error::new(
                    ErrorKind::Inconsistent,
                    format!(
                        "the report has two results for case `{}` on subject `{}`; \
                         each case and subject pair must appear once",
                        result.case, result.subject
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_schema(schema: Option<&serde_json::Value>) -> Result<(), Error> {
    let Some(schema) = schema else {
        return Err(Error::new(
            ErrorKind::NotAReport,
            format!("the document has no `schema` field: it is not a tollgate report ({SCHEMA})"),
        ));
    };
    let Some(text) = schema.as_str() else {
        return Err(Error::new(
            ErrorKind::NotAReport,
            format!("the `schema` field is {schema}, not a string such as \"{SCHEMA}\""),
        ));
    };
    let major = text
        .strip_prefix(SCHEMA_NAME)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(|major| major.split_once('.').map_or(major, |(major, _)| major));
    let Some(major) = major else {
        return Err(Error::new(
            ErrorKind::NotAReport,
            format!("the document's schema is `{text}`, not a tollgate report ({SCHEMA})"),
        ));
    };
    match major.parse::<u64>() {
        Ok(SCHEMA_MAJOR) => Ok(()),
        Ok(newer) if newer > SCHEMA_MAJOR => Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!(
                "the report is schema `{text}`, newer than this tollgate reads ({SCHEMA}); \
                 use a tollgate release that writes major version {newer}"
            ),
        )),
        _ => Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!(
                "the report's schema version `{text}` is not one this tollgate reads ({SCHEMA})"
            ),
        )),
    }
}

/// Who ran what, and when: enough to run it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// A name unique to the run, chosen by the caller.
    pub id: String,
    /// When the run started, RFC 3339 text supplied by the caller.
    pub started_at: String,
    /// How long the run took, in milliseconds.
    pub duration_ms: u64,
    /// The tollgate version that ran it.
    pub tollgate_version: String,
    /// The git commit tollgate was built from, when known.
    #[serde(default)]
    pub git_commit: Option<String>,
    /// The command line, one argument per element.
    #[serde(default)]
    pub command_line: Vec<String>,
}

impl Run {
    /// A run with no git commit and an empty command line.
    pub fn new(
        id: impl Into<String>,
        started_at: impl Into<String>,
        duration_ms: u64,
        tollgate_version: impl Into<String>,
    ) -> Run {
        Run {
            id: id.into(),
            started_at: started_at.into(),
            duration_ms,
            tollgate_version: tollgate_version.into(),
            git_commit: None,
            command_line: Vec::new(),
        }
    }

    /// Sets the git commit.
    #[must_use]
    pub fn git_commit(mut self, commit: impl Into<String>) -> Run {
        self.git_commit = Some(commit.into());
        self
    }

    /// Sets the command line.
    #[must_use]
    pub fn command_line<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Run {
        self.command_line = args.into_iter().map(Into::into).collect();
        self
    }
}

/// The machine a run ran on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// Operating system, as Rust names it (`linux`, `macos`).
    pub os: String,
    /// CPU architecture, as Rust names it (`x86_64`, `aarch64`).
    pub arch: String,
    /// CPUs available to the run.
    pub cores: u32,
    /// The kernel release, when the caller found it.
    #[serde(default)]
    pub kernel: Option<String>,
}

impl Environment {
    /// The OS and architecture this program was built for, with `cores` supplied by the caller
    /// (finding them is the caller's I/O).
    pub fn this_build(cores: u32) -> Environment {
        Environment {
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cores,
            kernel: None,
        }
    }

    /// Sets the kernel release.
    #[must_use]
    pub fn kernel(mut self, kernel: impl Into<String>) -> Environment {
        self.kernel = Some(kernel.into());
        self
    }
}

/// What a subject is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// tollgate itself, run in process.
    Tollgate,
    /// Another proxy, run as a child process (nginx, haproxy, …).
    External,
    /// No proxy: the client talks to the origin, as a baseline.
    Direct,
}

impl SubjectKind {
    /// `tollgate`, `external` or `direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Tollgate => "tollgate",
            SubjectKind::External => "external",
            SubjectKind::Direct => "direct",
        }
    }
}

/// A proxy under test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// Its name in the report (`tollgate`, `nginx`, …); results refer to it by this name.
    pub name: String,
    /// What it is.
    pub kind: SubjectKind,
    /// Its version as it reports it, when known.
    #[serde(default)]
    pub version: Option<String>,
    /// The configuration it ran with, as text, so the run can be repeated.
    #[serde(default)]
    pub config: Option<String>,
    /// Why the whole subject was skipped (not installed, …); `null` when it ran.
    #[serde(default)]
    pub skipped: Option<String>,
}

impl Subject {
    /// A subject that ran, version and config unknown.
    pub fn new(name: impl Into<String>, kind: SubjectKind) -> Subject {
        Subject {
            name: name.into(),
            kind,
            version: None,
            config: None,
            skipped: None,
        }
    }

    /// Sets the version.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Subject {
        self.version = Some(version.into());
        self
    }

    /// Sets the effective configuration text.
    #[must_use]
    pub fn config(mut self, config: impl Into<String>) -> Subject {
        self.config = Some(config.into());
        self
    }

    /// Marks the subject skipped, saying why.
    #[must_use]
    pub fn skipped(mut self, reason: impl Into<String>) -> Subject {
        self.skipped = Some(reason.into());
        self
    }
}

/// The deviation policy tollgate ran under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyInForce {
    /// A preset name or the policy file's path.
    pub name: String,
    /// The effective policy as `tollgate policy show` prints it (TOML).
    pub toml: String,
}

/// A corpus the cases came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    /// Its name (`origin`, `smuggling`).
    pub name: String,
    /// Where its cases were read from, when from files.
    #[serde(default)]
    pub path: Option<String>,
    /// How many cases it holds.
    pub cases: u64,
    /// SHA-256 over its case files, when the caller computed one: tells two runs of the same
    /// suite name on different corpora apart.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// How an outcome is classed. Ordered by severity: `Unsafe > Failure > Deviant > Conformant >
/// Skipped`, so `max()` over results gives the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Not run: the subject is not installed, or the case does not apply to it.
    Skipped,
    /// What the case prefers.
    Conformant,
    /// Safe, but not what the case prefers.
    Deviant,
    /// The subject crashed, hung or timed out.
    Failure,
    /// An ambiguous message was passed on, or the connection desynchronised.
    Unsafe,
}

impl Class {
    /// Every class in the order summaries list them.
    pub const ALL: [Class; 5] = [
        Class::Conformant,
        Class::Deviant,
        Class::Unsafe,
        Class::Failure,
        Class::Skipped,
    ];

    /// `conformant`, `deviant`, `unsafe`, `failure` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Skipped => "skipped",
            Class::Conformant => "conformant",
            Class::Deviant => "deviant",
            Class::Failure => "failure",
            Class::Unsafe => "unsafe",
        }
    }
}

/// Which of the case's expectations the outcome matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matched {
    /// Its index in the case's `expect.any_of` list.
    pub index: u32,
    /// The expectation as the case writes it (`status = 502`).
    pub expectation: String,
}

/// Length and SHA-256 of some bytes, without the bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyDigest {
    /// Length in bytes.
    pub length: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

impl BodyDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> BodyDigest {
        BodyDigest {
            length: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// Some bytes as escaped text, cut to a bound, with the length and digest of all of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// Length of all the bytes.
    pub length: u64,
    /// Lower-case hex SHA-256 of all the bytes.
    pub sha256: String,
    /// The first bytes, escaped as `tollgate inspect --escaped` reads them.
    pub text: String,
    /// Whether `text` holds only the first bytes; `length` says how many there were.
    pub truncated: bool,
}

impl Capture {
    /// Captures `bytes`, keeping at most `limit` of them as text.
    pub fn of(bytes: &[u8], limit: usize) -> Capture {
        let kept = bytes.get(..limit).unwrap_or(bytes);
        Capture {
            length: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            text: escape_bytes(kept),
            truncated: kept.len() < bytes.len(),
        }
    }
}

/// What the harness saw of an outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// The status the client received; `null` when none arrived.
    #[serde(default)]
    pub status: Option<u16>,
    /// The body the client received.
    #[serde(default)]
    pub body: Option<BodyDigest>,
    /// Ids of the anomalies tollgate emitted (empty for other subjects).
    #[serde(default)]
    pub anomalies: Vec<String>,
    /// What the origin received from the subject.
    #[serde(default)]
    pub origin_received: Option<Capture>,
}

/// How long the case took, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// From the first byte sent to the verdict.
    pub total_ms: f64,
    /// From the first byte sent to the first byte of the response, when one came.
    #[serde(default)]
    pub first_byte_ms: Option<f64>,
}

/// The bytes of one hop in one direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// Who sent them (`client`, `subject`, `origin`).
    pub from: String,
    /// Who received them.
    pub to: String,
    /// The bytes.
    pub bytes: Capture,
}

/// Everything that crossed the wire in a case, hop by hop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The hops in the order their first byte was sent.
    #[serde(default)]
    pub hops: Vec<Hop>,
}

impl Transcript {
    /// How many bytes of each hop a transcript keeps as text by default: enough for any case of
    /// the corpora, small enough that a report of thousands of cases stays readable.
    pub const LIMIT: usize = 16 * 1024;

    /// Adds a hop, keeping at most [`Transcript::LIMIT`] bytes of it as text.
    pub fn push(&mut self, from: impl Into<String>, to: impl Into<String>, bytes: &[u8]) {
        self.hops.push(Hop {
            from: from.into(),
            to: to.into(),
            bytes: Capture::of(bytes, Transcript::LIMIT),
        });
    }
}

/// The outcome of one case on one subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case's id (`origin.h1.cl-te-conflict`).
    pub case: String,
    /// The case's title.
    #[serde(default)]
    pub title: String,
    /// The case's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The case's references (`RFC 9112 §6.3`).
    #[serde(default)]
    pub refs: Vec<String>,
    /// The suite the case belongs to.
    #[serde(default)]
    pub suite: String,
    /// The subject's name.
    pub subject: String,
    /// How the outcome is classed.
    pub class: Class,
    /// Why it is classed so, for a person.
    pub reason: String,
    /// The expectation the outcome matched; `null` when none did.
    #[serde(default)]
    pub matched: Option<Matched>,
    /// What the harness saw.
    #[serde(default)]
    pub observed: Observed,
    /// How long it took.
    #[serde(default)]
    pub timings: Timings,
    /// The bytes on the wire.
    #[serde(default)]
    pub transcript: Transcript,
}

impl CaseResult {
    /// A result with no case metadata, observations, timings or transcript yet.
    pub fn new(
        case: impl Into<String>,
        subject: impl Into<String>,
        class: Class,
        reason: impl Into<String>,
    ) -> CaseResult {
        CaseResult {
            case: case.into(),
            title: String::new(),
            tags: Vec::new(),
            refs: Vec::new(),
            suite: String::new(),
            subject: subject.into(),
            class,
            reason: reason.into(),
            matched: None,
            observed: Observed::default(),
            timings: Timings::default(),
            transcript: Transcript::default(),
        }
    }

    /// Sets the case's title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> CaseResult {
        self.title = title.into();
        self
    }

    /// Sets the case's tags.
    #[must_use]
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> CaseResult {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the case's references.
    #[must_use]
    pub fn refs<I: IntoIterator<Item = S>, S: Into<String>>(mut self, refs: I) -> CaseResult {
        self.refs = refs.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the case's suite.
    #[must_use]
    pub fn suite(mut self, suite: impl Into<String>) -> CaseResult {
        self.suite = suite.into();
        self
    }

    /// Sets the expectation that matched.
    #[must_use]
    pub fn matched(mut self, index: u32, expectation: impl Into<String>) -> CaseResult {
        self.matched = Some(Matched {
            index,
            expectation: expectation.into(),
        });
        self
    }

    /// Sets what was observed.
    #[must_use]
    pub fn observed(mut self, observed: Observed) -> CaseResult {
        self.observed = observed;
        self
    }

    /// Sets the timings.
    #[must_use]
    pub fn timings(mut self, timings: Timings) -> CaseResult {
        self.timings = timings;
        self
    }

    /// Sets the transcript.
    #[must_use]
    pub fn transcript(mut self, transcript: Transcript) -> CaseResult {
        self.transcript = transcript;
        self
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small report with every class, two subjects and a hostile transcript.
    pub(crate) fn sample() -> Report {
        let run = Run::new("run-1", "2026-11-22T05:00:00Z", 1234, "0.1.0")
            .git_commit("55a0df8")
            .command_line(["tollgate", "harness", "--out", "reports"]);
        let mut report = Report::new(run, Environment::this_build(2).kernel("6.1.0"));
        report.push_subject(Subject::new("tollgate", SubjectKind::Tollgate).version("0.1.0"));
        report.push_subject(
            Subject::new("nginx", SubjectKind::External)
                .version("1.22.1")
                .config("worker_processes 1;"),
        );
        report.set_policy(PolicyInForce {
            name: "default".into(),
            toml: "base = \"default\"\n".into(),
        });
        report.push_suite(Suite {
            name: "origin".into(),
            path: Some("corpora/origin".into()),
            cases: 3,
            sha256: None,
        });
        let mut transcript = Transcript::default();
        transcript.push("client", "subject", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        transcript.push(
            "origin",
            "subject",
            b"HTTP/1.1 200 OK\r\n\r\n</script><img src=x onerror=alert(1)>\x01",
        );
        let observed = Observed {
            status: Some(200),
            body: Some(BodyDigest::of(b"hello")),
            anomalies: vec!["h1.response.cl-te-conflict".into()],
            origin_received: Some(Capture::of(b"GET / HTTP/1.1\r\n\r\n", 256)),
        };
        let cases = [
            ("origin.h1.cl-te-conflict", Class::Conformant, Class::Unsafe),
            ("origin.h1.obs-fold", Class::Deviant, Class::Conformant),
            ("origin.h1.hang", Class::Failure, Class::Skipped),
        ];
        for (case, tollgate, nginx) in cases {
            for (subject, class) in [("tollgate", tollgate), ("nginx", nginx)] {
                report.push_result(
                    CaseResult::new(
                        case,
                        subject,
                        class,
                        format!("{} because <b>&</b>", class.as_str()),
                    )
                    .title(format!("Title of {case} | with pipe"))
                    .tags([
                        "h1",
                        if case.ends_with("hang") {
                            "timeout"
                        } else {
                            "framing"
                        },
                    ])
                    .refs(["RFC 9112 §6.3"])
                    .suite("origin")
                    .matched(1, "status = 502")
                    .observed(observed.clone())
                    .timings(Timings {
                        total_ms: 1.5,
                        first_byte_ms: Some(0.5),
                    })
                    .transcript(transcript.clone()),
                );
            }
        }
        report
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let report = sample();
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(Report::from_json(&text).unwrap(), report);
    }

    #[test]
    fn unknown_fields_and_minor_versions_are_read() {
        let mut value = serde_json::to_value(sample()).unwrap();
        value["schema"] = "tollgate.report/1.3".into();
        value["added_later"] = serde_json::json!({"x": 1});
        value["results"][0]["new_field"] = true.into();
        let report = Report::from_json(&value.to_string()).unwrap();
        assert_eq!(report.results.len(), 6);
    }

    #[test]
    fn optional_fields_may_be_absent() {
        let text = r#"{"schema":"tollgate.report/1",
            "run":{"id":"r","started_at":"2026-01-01T00:00:00Z","duration_ms":1,"tollgate_version":"0.1.0"},
            "environment":{"os":"linux","arch":"x86_64","cores":2},
            "results":[{"case":"c","subject":"s","class":"unsafe","reason":"desync"}]}"#;
        let report = Report::from_json(text).unwrap();
        assert_eq!(report.results[0].class, Class::Unsafe);
        assert!(report.subjects.is_empty());
    }

    #[test]
    fn newer_major_is_refused_with_its_own_kind() {
        let mut value = serde_json::to_value(sample()).unwrap();
        value["schema"] = "tollgate.report/2".into();
        // A newer major may change anything; refusing must not depend on the rest parsing.
        value["run"] = "changed".into();
        let err = Report::from_json(&value.to_string()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
        assert!(err.to_string().contains("tollgate.report/2"), "{err}");
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn other_documents_are_refused() {
        for (text, kind) in [
            ("not json", ErrorKind::Malformed),
            ("{}", ErrorKind::NotAReport),
            (r#"{"schema":"tollgate.inspect/1"}"#, ErrorKind::NotAReport),
            (r#"{"schema":1}"#, ErrorKind::NotAReport),
            (
                r#"{"schema":"tollgate.report/0"}"#,
                ErrorKind::UnsupportedVersion,
            ),
            (
                r#"{"schema":"tollgate.report/x"}"#,
                ErrorKind::UnsupportedVersion,
            ),
            (r#"{"schema":"tollgate.report/1"}"#, ErrorKind::Malformed),
        ] {
            assert_eq!(Report::from_json(text).unwrap_err().kind(), kind, "{text}");
        }
    }

    #[test]
    fn duplicate_results_are_refused() {
        let mut report = sample();
        report.results.push(report.results[0].clone());
        let text = serde_json::to_string(&report).unwrap();
        let err = Report::from_json(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Inconsistent);
        assert!(
            err.to_string().contains("origin.h1.cl-te-conflict"),
            "{err}"
        );
    }

    #[test]
    fn class_order_is_severity() {
        let mut classes = Class::ALL;
        classes.sort();
        assert_eq!(
            classes,
            [
                Class::Skipped,
                Class::Conformant,
                Class::Deviant,
                Class::Failure,
                Class::Unsafe
            ]
        );
        assert_eq!(serde_json::to_string(&Class::Unsafe).unwrap(), "\"unsafe\"");
    }

    #[test]
    fn capture_says_when_it_truncates_and_digests_everything() {
        let bytes = b"abc\r\ndef";
        let short = Capture::of(bytes, 4);
        assert_eq!(short.text, "abc\\r");
        assert!(short.truncated);
        assert_eq!(short.length, 8);
        assert_eq!(short.sha256, Capture::of(bytes, 100).sha256);
        assert!(!Capture::of(bytes, 8).truncated);
    }
}
