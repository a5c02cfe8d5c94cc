//! The inspection report: what `inspect` prints, as data. `--json` serialises it as is and the
//! text output renders the same values, so the two cannot disagree. The JSON schema is
//! documented in `docs/cli.md`; changing a field's name or meaning changes [`SCHEMA`].

use serde::Serialize;

use crate::cli::policy_source::PolicyName;

/// Names the version of the JSON layout.
pub(crate) const SCHEMA: &str = "tollgate.inspect/1";

/// Everything `inspect` found in one input.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) schema: &'static str,
    /// `h1-request` or `h1-response`.
    pub(crate) kind: &'static str,
    /// `client` or `origin`.
    pub(crate) side: &'static str,
    pub(crate) policy: PolicyName,
    /// The `--request-method` list for responses; `null` when every response answers a GET
    /// (and always for requests).
    pub(crate) request_methods: Option<Vec<String>>,
    /// Bytes of input after unescaping.
    pub(crate) input_length: u64,
    /// Bytes the decoder consumed (discarded extra bytes included).
    pub(crate) consumed: u64,
    pub(crate) messages: Vec<MessageReport>,
    /// Anomalies outside any message: bytes after the last one, or a head that was rejected
    /// before it became a message.
    pub(crate) trailing_anomalies: Vec<AnomalyReport>,
    /// Requests only: decoding stopped after a request offering an upgrade or a CONNECT,
    /// because what follows is HTTP only if the upgrade is refused.
    pub(crate) awaiting_upgrade: bool,
    /// Responses only: interim (1xx) responses that no final response followed.
    pub(crate) unanswered_interim: Vec<InterimReport>,
    pub(crate) verdict: Verdict,
}

/// One decoded message.
#[derive(Debug, Serialize)]
pub(crate) struct MessageReport {
    pub(crate) span: Span,
    /// The start line as decoded (after repairs).
    pub(crate) start_line: String,
    #[serde(flatten)]
    pub(crate) head: HeadReport,
    pub(crate) version: &'static str,
    pub(crate) fields: Vec<FieldReport>,
    pub(crate) framing: Framing,
    /// `keep-alive` or `close`.
    pub(crate) persistence: &'static str,
    pub(crate) body: Body,
    /// `null` when the body had no trailer section.
    pub(crate) trailers: Option<Vec<FieldReport>>,
    /// Whether the message ended (false when decoding stopped inside it, or in a tunnel).
    pub(crate) complete: bool,
    pub(crate) anomalies: Vec<AnomalyReport>,
}

/// Stream offsets: the first byte and the byte after the end.
#[derive(Debug, Serialize)]
pub(crate) struct Span {
    pub(crate) start: u64,
    pub(crate) end: u64,
}

/// What only requests or only responses have.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum HeadReport {
    Request {
        method: String,
        target: String,
        /// `origin-form`, `absolute-form`, `authority-form` or `asterisk-form`.
        target_form: &'static str,
        expects_continue: bool,
        offers_upgrade: bool,
    },
    Response {
        status: u16,
        reason: String,
        /// Interim (1xx) responses received before this one.
        informational: Vec<InterimReport>,
    },
}

/// An interim (1xx) response.
#[derive(Debug, Serialize)]
pub(crate) struct InterimReport {
    pub(crate) start_line: String,
    pub(crate) version: &'static str,
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) fields: Vec<FieldReport>,
}

/// A field line; both parts escaped (see `escape::escape`).
#[derive(Debug, Serialize)]
pub(crate) struct FieldReport {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// How the body is delimited.
#[derive(Debug, Serialize)]
pub(crate) struct Framing {
    /// `empty`, `content-length`, `chunked`, `until-close` or `tunnel`.
    pub(crate) kind: &'static str,
    /// The Content-Length, for `content-length` only.
    pub(crate) length: Option<u64>,
}

/// The decoded body.
#[derive(Debug, Serialize)]
pub(crate) struct Body {
    pub(crate) length: u64,
    /// Lowercase hex SHA-256 of the decoded body.
    pub(crate) sha256: String,
}

/// One deviation met.
#[derive(Debug, Serialize)]
pub(crate) struct AnomalyReport {
    pub(crate) id: &'static str,
    /// `accept`, `repair` or `reject`.
    pub(crate) action: &'static str,
    pub(crate) side: &'static str,
    /// Stream offset of the offending byte or line.
    pub(crate) offset: u64,
    pub(crate) summary: &'static str,
}

/// Whether the input was accepted as a whole.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub(crate) enum Verdict {
    Accepted {
        messages: usize,
    },
    Rejected {
        messages: usize,
        /// What went wrong, in words.
        message: String,
        /// `ErrorKind::as_str`: `rejected`, `limit_exceeded`, `invalid_request_line`, …
        error_kind: &'static str,
        /// The deviation id when the policy rejected a deviation.
        deviation: Option<&'static str>,
        /// `head` or `body`.
        phase: &'static str,
        offset: u64,
        /// `400 and close`, `502 and close`, `close`, …
        wire_answer: String,
        /// The status of the wire answer; `null` when the answer is to close.
        wire_status: Option<u16>,
    },
}

impl Verdict {
    /// The exit code: 0 accepted, 1 rejected.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Verdict::Accepted { .. } => 0,
            Verdict::Rejected { .. } => 1,
        }
    }
}
