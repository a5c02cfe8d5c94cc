//! The h2spec server suite against an `h2` server behind tollgate's guard, on loopback: all
//! 147 cases, the strict one included, each on its own connection, 32 at a time; and the
//! runner itself against servers that never answer or close at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::TcpListener;
use tollgate_codecs::Policy;
use tollgate_codecs::h2::frame::SettingId;
use tollgate_codecs::h2::guard::Guard;
use tollgate_harness::h2spec::{self, Context, Expectation, Options, Outcome, Step, Verdict};
use tollgate_proxy::h2::Guarded;

/// The body of every response: long enough for the flow-control cases (h2spec skips them
/// below 5 bytes).
const BODY: &[u8] = b"hello from h2 behind the guard\n";

/// A guarded `h2` server that reads each request body to its end (giving the flow-control
/// capacity back as it goes), then answers `200` with [`BODY`].
struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let policy = Arc::new(Policy::default());
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let report: tollgate_proxy::h2::Report = Arc::new(|_| {});
            let io = Guarded::new(tcp, Guard::new(policy.clone()), report);
            tokio::spawn(async move {
                // A limit on concurrent streams, as a proxy sets one: h2spec skips
                // http2/5.1.2/1 without it.
                let Ok(mut connection) = h2::server::Builder::new()
                    .max_concurrent_streams(100)
                    .handshake::<_, Bytes>(io)
                    .await
                else {
                    return;
                };
                while let Some(Ok((request, respond))) = connection.accept().await {
                    tokio::spawn(answer(request, respond));
                }
            });
        }
    });
    Server { addr, task }
}

async fn answer(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
) {
    let mut body = request.into_body();
    while let Some(chunk) = body.data().await {
        let Ok(chunk) = chunk else {
            return;
        };
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    if body.trailers().await.is_err() {
        return;
    }
    let response = http::Response::builder().status(200).body(()).unwrap();
    if let Ok(mut send) = respond.send_response(response, false) {
        let _ = send.send_data(Bytes::from_static(BODY), true);
    }
}

/// Whether the case's last expectation names error codes (a connection or stream error).
fn names_codes(id: &str) -> bool {
    let case = h2spec::cases::find(id).unwrap();
    let context = Context {
        authority: "127.0.0.1:1".to_owned(),
        path: "/".to_owned(),
        server_settings: vec![(SettingId::MAX_CONCURRENT_STREAMS, 100)],
        max_header_len: 4000,
    };
    matches!(
        case.plan(&context).last(),
        Some(Step::Expect(
            Expectation::ConnectionError(_) | Expectation::StreamError(_)
        ))
    )
}

fn table(outcomes: &[Outcome]) -> String {
    let cases = h2spec::cases::all();
    let mut out = String::new();
    for outcome in outcomes {
        let case = cases.iter().find(|case| case.id == outcome.id).unwrap();
        let mark = match &outcome.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail { .. } => "FAIL",
            Verdict::Skipped { .. } => "skip",
            Verdict::Error(_) => "ERROR",
        };
        let _ = writeln!(
            out,
            "{mark:5} {:16} {:>6.0?}  {}",
            outcome.id, outcome.elapsed, case.description
        );
        match &outcome.verdict {
            Verdict::Fail { expected, got } => {
                let _ = writeln!(out, "        -> {}", case.requirement);
                let _ = writeln!(out, "           expected: {expected}");
                let _ = writeln!(out, "           got:      {got}");
            }
            Verdict::Skipped { reason } => {
                let _ = writeln!(out, "           skipped: {reason}");
            }
            Verdict::Error(error) => {
                let _ = writeln!(out, "           error: {error}");
            }
            Verdict::Pass => {
                if let Some(evidence) = &outcome.evidence {
                    let _ = writeln!(out, "           on: {evidence}");
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn h2_behind_the_guard_against_the_h2spec_server_suite() {
    let server = server().await;
    let options = Options {
        timeout: Duration::from_secs(1),
        strict: true,
        concurrency: 32,
        ..Options::default()
    };
    let start = Instant::now();
    let outcomes = h2spec::run(server.addr, &options).await;
    let elapsed = start.elapsed();
    println!("{}", table(&outcomes));
    let count = |f: fn(&Verdict) -> bool| outcomes.iter().filter(|o| f(&o.verdict)).count();
    println!(
        "{} cases in {elapsed:.1?}: {} passed, {} failed, {} skipped, {} errors",
        outcomes.len(),
        count(|v| v.is_pass()),
        count(|v| matches!(v, Verdict::Fail { .. })),
        count(|v| matches!(v, Verdict::Skipped { .. })),
        count(|v| matches!(v, Verdict::Error(_))),
    );
    // Passes by h2spec's rule that a closed connection is a connection (or stream) error,
    // after a GOAWAY whose code is not one the requirement names: listed, not failed.
    let by_close: Vec<String> = outcomes
        .iter()
        .filter(|outcome| names_codes(outcome.id))
        .filter_map(|outcome| {
            let evidence = outcome.evidence.as_deref()?;
            evidence
                .starts_with("connection closed (after GOAWAY")
                .then(|| format!("  {:16} {evidence}", outcome.id))
        })
        .collect();
    println!(
        "{} passes on a close after a GOAWAY with another code:\n{}",
        by_close.len(),
        by_close.join("\n")
    );
    assert_eq!(outcomes.len(), 147);
    let failing: Vec<String> = outcomes
        .iter()
        .filter(|outcome| outcome.verdict.is_failure())
        .map(|outcome| match &outcome.verdict {
            Verdict::Fail { expected, got } => {
                format!("{}: expected {expected}; got {got}", outcome.id)
            }
            other => format!("{}: {other:?}", outcome.id),
        })
        .collect();
    assert!(
        failing.is_empty(),
        "{} h2spec cases fail:\n{}",
        failing.len(),
        failing.join("\n")
    );
}

/// A listener whose connections do what `serve` does with them; dropped with the test.
async fn raw_server(serve: fn(tokio::net::TcpStream)) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            serve(tcp);
        }
    });
    Server { addr, task }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_that_never_answers_fails_every_case() {
    let server = raw_server(|mut tcp| {
        tokio::spawn(async move {
            let _ = tokio::io::copy(&mut tcp, &mut tokio::io::sink()).await;
        });
    })
    .await;
    let options = Options {
        timeout: Duration::from_millis(200),
        strict: true,
        concurrency: 64,
        ..Options::default()
    };
    let outcomes = h2spec::run(server.addr, &options).await;
    assert_eq!(outcomes.len(), 147);
    for outcome in &outcomes {
        assert!(outcome.verdict.is_failure(), "{outcome:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_that_closes_at_once_passes_only_the_invalid_preface_case() {
    let server = raw_server(drop).await;
    let options = Options {
        timeout: Duration::from_millis(500),
        concurrency: 32,
        ..Options::default()
    };
    let outcomes = h2spec::run(server.addr, &options).await;
    for outcome in &outcomes {
        match outcome.id {
            // h2spec counts a closed connection as the connection error it asks for.
            "http2/3.5/2" => assert!(outcome.verdict.is_pass(), "{outcome:?}"),
            "http2/5.4.1/2" => {
                assert!(
                    matches!(outcome.verdict, Verdict::Skipped { .. }),
                    "strict cases are skipped without Options::strict: {outcome:?}"
                );
            }
            _ => assert!(outcome.verdict.is_failure(), "{outcome:?}"),
        }
    }
}
