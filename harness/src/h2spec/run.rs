//! The runner: one TCP connection per case, h2spec's handshake, the plan's steps, a verdict.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tollgate_codecs::h2::frame::{FrameType, flags};

use crate::h2spec::case::{Case, Context, Plan, Precondition, Step};
use crate::h2spec::cases;
use crate::h2spec::conn::Conn;
use crate::h2spec::error::{RunError, RunErrorKind};
use crate::h2spec::expect::{Event, Expectation, Matcher, Progress};

/// How the suite runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How long each read waits for the server (h2spec's `--timeout`, 2 s by default). A
    /// case that passes returns as soon as the frame it waits for arrives; one that fails
    /// waits this long once.
    pub timeout: Duration,
    /// How long a TCP connect may take. Kept apart from [`Options::timeout`]: a SYN lost in a
    /// burst of connections is sent again after 1 s on Linux.
    pub connect_timeout: Duration,
    /// Whether to run the strict cases (h2spec's `--strict`); otherwise they are skipped.
    pub strict: bool,
    /// The length of the dummy header values (h2spec's `--max-header-length`, 4000).
    pub max_header_len: usize,
    /// The path requested (h2spec's `--path`, `/`).
    pub path: String,
    /// How many cases run at once, each on its own connection (1: one after another, as
    /// h2spec does).
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(5),
            strict: false,
            max_header_len: 4000,
            path: "/".to_owned(),
            concurrency: 1,
        }
    }
}

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The server did what the case requires.
    Pass,
    /// It did not.
    Fail {
        /// What the case waited for.
        expected: String,
        /// What came instead.
        got: String,
    },
    /// The case does not apply (a strict case without [`Options::strict`], or a server
    /// without what the case needs).
    Skipped {
        /// Why.
        reason: String,
    },
    /// The case could not be run to a verdict (connection, handshake or precondition
    /// failed).
    Error(RunError),
}

impl Verdict {
    /// Whether the verdict is [`Verdict::Pass`].
    pub fn is_pass(&self) -> bool {
        *self == Verdict::Pass
    }

    /// Whether the case failed or could not be run.
    pub fn is_failure(&self) -> bool {
        matches!(self, Verdict::Fail { .. } | Verdict::Error(_))
    }
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The case's id.
    pub id: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// What the server did that met the last expectation, when the case passed (the frame,
    /// or `connection closed`): a connection error can pass on its GOAWAY or on a bare close.
    pub evidence: Option<String>,
    /// How long the case took, precondition and connection included.
    pub elapsed: Duration,
}

/// Runs every case ([`cases::all`]) against the server at `addr`; the outcomes come in the
/// order of the cases.
pub async fn run(addr: SocketAddr, options: &Options) -> Vec<Outcome> {
    run_cases(addr, &cases::all(), options).await
}

/// Runs `cases` against the server at `addr`, [`Options::concurrency`] at a time; the
/// outcomes come in the order of `cases`.
pub async fn run_cases(addr: SocketAddr, cases: &[Case], options: &Options) -> Vec<Outcome> {
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let options = Arc::new(options.clone());
    let handles: Vec<_> = cases
        .iter()
        .map(|case| {
            let case = *case;
            let permits = permits.clone();
            let options = options.clone();
            let handle = tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                run_case(addr, &case, &options).await
            });
            (case.id, handle)
        })
        .collect();
    let mut outcomes = Vec::with_capacity(handles.len());
    for (id, handle) in handles {
        outcomes.push(match handle.await {
            Ok(outcome) => outcome,
            Err(error) => Outcome {
                id,
                verdict: Verdict::Error(RunError::new(
                    RunErrorKind::Io,
                    format!("the case's task ended: {error}"),
                )),
                evidence: None,
                elapsed: Duration::ZERO,
            },
        });
    }
    outcomes
}

/// Runs one case against the server at `addr`.
pub async fn run_case(addr: SocketAddr, case: &Case, options: &Options) -> Outcome {
    let start = Instant::now();
    let (verdict, evidence) = match verdict(addr, case, options).await {
        Ok(evidence) => (Verdict::Pass, evidence),
        Err(verdict) => (verdict, None),
    };
    Outcome {
        id: case.id,
        verdict,
        evidence,
        elapsed: start.elapsed(),
    }
}

/// Runs the case: `Ok` with the evidence of the last expectation when it passes, the
/// verdict otherwise.
async fn verdict(
    addr: SocketAddr,
    case: &Case,
    options: &Options,
) -> Result<Option<String>, Verdict> {
    if case.strict && !options.strict {
        return Err(Verdict::Skipped {
            reason: "a strict case (a SHOULD): runs with Options::strict".to_owned(),
        });
    }
    if let Some(Precondition::ServerData(min)) = case.precondition {
        match server_data_length(addr, options).await {
            Ok(length) if length < min => {
                return Err(Verdict::Skipped {
                    reason: format!(
                        "needs a response body of at least {min} bytes on GET {}, got {length}",
                        options.path
                    ),
                });
            }
            Ok(_) => {}
            Err(error) => return Err(Verdict::Error(error)),
        }
    }
    let mut conn = match Conn::connect(addr, options.connect_timeout, options.timeout).await {
        Ok(conn) => conn,
        Err(error) => return Err(Verdict::Error(error)),
    };
    if case.handshake
        && let Err(error) = conn.handshake().await
    {
        return Err(Verdict::Error(error));
    }
    let context = Context {
        authority: addr.to_string(),
        path: options.path.clone(),
        server_settings: conn.settings().to_vec(),
        max_header_len: options.max_header_len,
    };
    let mut evidence = None;
    for step in case.plan(&context) {
        match step {
            // Like h2spec, a failed write is not a verdict: what the server did shows up on
            // the next read.
            Step::Send(bytes) => {
                let _ = conn.send(&bytes).await;
            }
            Step::Skip(reason) => return Err(Verdict::Skipped { reason }),
            Step::Expect(expectation) => evidence = Some(wait(&mut conn, expectation).await?),
        }
    }
    Ok(evidence)
}

/// The most frames one wait reads before it gives up (a server that never stops talking).
const MAX_FRAMES_PER_WAIT: usize = 10_000;

/// Reads events until the expectation is met (`Ok` with the event that met it) or fails.
async fn wait(conn: &mut Conn, expectation: Expectation) -> Result<String, Verdict> {
    let expected = expectation.to_string();
    if conn.is_closed() {
        return Err(Verdict::Fail {
            expected,
            got: "the connection was already closed".to_owned(),
        });
    }
    let mut matcher = Matcher::new(expectation);
    for _ in 0..MAX_FRAMES_PER_WAIT {
        let event = conn.next_event().await;
        match matcher.observe(&event) {
            Progress::Pass => return Ok(matcher.evidence(&event)),
            Progress::Fail { got } => return Err(Verdict::Fail { expected, got }),
            Progress::Continue => {}
        }
    }
    Err(Verdict::Fail {
        expected,
        got: format!("{MAX_FRAMES_PER_WAIT} frames without a verdict"),
    })
}

/// h2spec's `ServerDataLength`: the body length of `GET <path>` on a connection of its own.
async fn server_data_length(addr: SocketAddr, options: &Options) -> Result<usize, RunError> {
    let mut conn = Conn::connect(addr, options.connect_timeout, options.timeout).await?;
    conn.handshake().await?;
    let context = Context {
        authority: addr.to_string(),
        path: options.path.clone(),
        server_settings: conn.settings().to_vec(),
        max_header_len: options.max_header_len,
    };
    let mut plan = Plan::new(&context);
    plan.request(1, flags::END_STREAM | flags::END_HEADERS);
    for step in plan.into_steps() {
        if let Step::Send(bytes) = step {
            conn.send(&bytes).await?;
        }
    }
    let mut length = 0;
    loop {
        match conn.next_event().await {
            Event::Frame(frame) => {
                if frame.kind() == FrameType::DATA {
                    length += frame.header.length as usize;
                }
                let ends = matches!(frame.kind(), FrameType::DATA | FrameType::HEADERS)
                    && frame.has(flags::END_STREAM);
                if ends {
                    return Ok(length);
                }
            }
            other => {
                return Err(RunError::new(
                    RunErrorKind::Precondition,
                    format!("unable to get the server's data length: {other}"),
                ));
            }
        }
    }
}
