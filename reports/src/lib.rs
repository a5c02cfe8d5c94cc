//! tollgate's conformance reports.
//!
//! A harness run is one [`Report`]: who ran what, where, under which policy, and for every case
//! and subject (a proxy under test) a [`CaseResult`] classed by [`Class`]. The report is plain
//! data: it serialises to a versioned JSON document (schema [`SCHEMA`], loaded back with
//! [`Report::from_json`]) and renders to Markdown, a self-contained HTML page and JUnit XML
//! ([`render`]). [`summary`] counts outcomes per subject and [`diff`] compares two runs.
//!
//! The crate does no I/O: callers read and write the files.

pub mod diff;
mod digest;
mod error;
mod escape;
pub mod model;
pub mod render;
pub mod summary;

pub use crate::diff::{Change, ChangeKind, Diff};
pub use crate::error::{Error, ErrorKind};
pub use crate::escape::escape_bytes;
pub use crate::model::{
    BodyDigest, Capture, CaseResult, Class, Environment, Hop, Matched, Observed, PolicyInForce,
    Report, Run, SCHEMA, Subject, SubjectKind, Suite, Timings, Transcript,
};
pub use crate::summary::{SubjectSummary, summarize};
