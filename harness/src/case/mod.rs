//! Corpus cases (format v1, `docs/cases.md`): the model the harness plays, and the loader that
//! reads it from TOML with errors naming the file, line and column.

mod error;
mod load;
mod raw;

pub use error::{CaseError, CaseErrorKind};
pub use load::{Corpus, load_dir, load_file, parse};

use std::path::PathBuf;
use std::time::Duration;

/// Default bound on a whole case.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest bound a case may ask for: a corpus must run in minutes, not hours.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// Which corpus a case belongs to, from its id's first part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `origin.…`: a broken origin.
    Origin,
    /// `smuggling.…`: a client-side smuggling or desync input.
    Smuggling,
}

impl Kind {
    /// `origin` or `smuggling`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Origin => "origin",
            Kind::Smuggling => "smuggling",
        }
    }
}

/// The protocol a side speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// HTTP/1.1.
    H1,
    /// HTTP/2.
    H2,
}

/// One case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Unique id, e.g. `origin.h1.cl-te-conflict`.
    pub id: String,
    /// What the case does, in one line.
    pub title: String,
    /// For filtering and reports.
    pub tags: Vec<String>,
    /// Where the case comes from.
    pub refs: Vec<String>,
    /// Bound on the whole case.
    pub timeout: Duration,
    /// Its corpus.
    pub kind: Kind,
    /// What the client does.
    pub client: Client,
    /// What the scripted origin does.
    pub origin: Origin,
    /// The outcomes and their classes.
    pub expect: Expect,
    /// The file it was read from.
    pub file: PathBuf,
}

/// The client's side of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// HTTP/1.1 or HTTP/2.
    pub protocol: Protocol,
    /// Over TLS.
    pub tls: bool,
    /// What it sends.
    pub request: ClientRequest,
    /// Whether a clean request follows on the same connection, to detect desync.
    pub follow_up: bool,
}

/// What the client sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientRequest {
    /// A well-formed request from its parts.
    Structured {
        /// The method.
        method: String,
        /// The request target or `:path`.
        path: String,
        /// Fields in order, as given.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// Exact bytes (HTTP/1 only).
    Raw(Vec<u8>),
}

/// The origin's side of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// HTTP/1.1 or HTTP/2.
    pub protocol: Protocol,
    /// Over TLS.
    pub tls: bool,
    /// Played on the first connection.
    pub script: Vec<Step>,
}

/// One step of an origin script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Wait for one whole request.
    ExpectRequest,
    /// Wait for this many more bytes.
    ExpectBytes(usize),
    /// Write these bytes.
    Send(Vec<u8>),
    /// Write one HTTP/2 frame.
    Frame(FrameStep),
    /// Pause.
    Sleep(Duration),
    /// Half-close.
    ShutdownWrite,
    /// Close.
    Close,
    /// Close with a TCP reset.
    Reset,
}

/// An HTTP/2 frame written by a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameStep {
    /// The frame type.
    pub kind: u8,
    /// The stream id.
    pub stream: u32,
    /// The flags.
    pub flags: u8,
    /// The payload.
    pub payload: FramePayload,
    /// A length field that lies, when given.
    pub length: Option<u32>,
}

/// What a scripted frame carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FramePayload {
    /// Nothing.
    Empty,
    /// A header list, HPACK-encoded when the frame is written.
    Headers(Vec<(String, String)>),
    /// Bytes as given.
    Bytes(Vec<u8>),
}

/// The expected outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// Conformant outcomes (at least one).
    pub any_of: Vec<Outcome>,
    /// Safe outcomes the case does not prefer.
    pub deviant: Vec<Outcome>,
    /// Outcomes that are unsafe for this case.
    pub unsafe_if: Vec<Outcome>,
}

/// Conditions on what happened, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The final status.
    pub status: Option<u16>,
    /// One of these final statuses.
    pub status_in: Vec<u16>,
    /// Exactly this body.
    pub body: Option<Vec<u8>>,
    /// A body containing this.
    pub body_contains: Option<Vec<u8>>,
    /// These fields, name case-insensitive, value exact.
    pub header: Vec<(String, String)>,
    /// None of these fields.
    pub header_absent: Vec<String>,
    /// No response at all.
    pub no_response: Option<bool>,
    /// The client connection was closed after the response.
    pub closed: Option<bool>,
    /// The stream was reset.
    pub reset: Option<bool>,
    /// The subject recorded this deviation (tollgate only).
    pub anomaly: Option<String>,
    /// The origin received exactly this many requests (the follow-up's not counted).
    pub origin_requests: Option<u32>,
    /// The origin's received bytes contain this.
    pub origin_received_contains: Option<Vec<u8>>,
    /// The origin's received bytes do not contain this.
    pub origin_received_absent: Option<Vec<u8>>,
}
