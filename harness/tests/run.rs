//! Cases played end to end: tollgate in-process in front of the scripted origin, and a
//! deliberately broken subject (a byte relay that passes anything through) that the verdicts
//! must class unsafe.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;

use tokio::net::{TcpListener, TcpStream};
use tollgate_harness::case::{Case, Protocol, parse};
use tollgate_harness::run::{BoxFuture, Running, StartError, Subject, Tollgate, play};
use tollgate_harness::verdict::FollowUp;
use tollgate_reports::Class;

fn case(id: &str, body: &str) -> Case {
    let name = id.rsplit('.').next().unwrap();
    let text = format!("id = \"{id}\"\ntitle = \"t\"\ntags = [\"t\"]\n{body}");
    parse(&text, Path::new(&format!("{name}.toml"))).unwrap()
}

const CLEAN: &str = r#"
[client]
request = { method = "GET", path = "/", headers = [["host", "origin.test"]] }
[origin]
script = [{ expect = "request" }, { send = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" }]
[expect]
any_of = [{ status = 200, body = "hello", origin_requests = 1 }]
"#;

const CL_TE_RESPONSE: &str = r#"
[client]
request = { method = "GET", path = "/", headers = [["host", "origin.test"]] }
[origin]
script = [
  { expect = "request" },
  { send = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
]
[expect]
any_of = [{ status = 200, body = "hello", header_absent = ["content-length"] }, { status = 502 }]
"#;

const CL_TE_REQUEST: &str = r#"
[client]
raw = "POST / HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"
follow_up = false
[origin]
script = [{ expect = "request" }, { send = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" }]
[expect]
any_of = [{ status = 400, origin_requests = 0 }]
"#;

const STALLED: &str = r#"
timeout_ms = 5000
[client]
request = { method = "GET", path = "/", headers = [["host", "origin.test"]] }
[origin]
script = [{ expect = "request" }, { sleep_ms = 2500 }, { send = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }]
[expect]
any_of = [{ status = 504 }]
"#;

#[tokio::test]
async fn tollgate_passes_a_clean_case_and_the_follow_up() {
    let played = play(&case("origin.test.clean", CLEAN), &Tollgate).await;
    assert_eq!(played.verdict.class, Class::Conformant, "{played:?}");
    assert_eq!(played.seen.follow_up, FollowUp::Clean);
    assert_eq!(played.seen.origin.requests, 2);
}

#[tokio::test]
async fn tollgate_never_passes_cl_te_on_either_side() {
    let played = play(&case("origin.test.cl-te", CL_TE_RESPONSE), &Tollgate).await;
    assert_eq!(played.verdict.class, Class::Conformant, "{played:?}");
    assert!(
        played.seen.anomalies.iter().any(|id| id.contains("cl-te")),
        "{:?}",
        played.seen.anomalies
    );

    let played = play(&case("smuggling.test.cl-te", CL_TE_REQUEST), &Tollgate).await;
    assert_eq!(played.verdict.class, Class::Conformant, "{played:?}");
}

#[tokio::test]
async fn a_stalled_origin_is_tollgates_504() {
    let played = play(&case("origin.test.stalled", STALLED), &Tollgate).await;
    assert_eq!(played.verdict.class, Class::Conformant, "{played:?}");
}

/// A "proxy" that relays bytes both ways unchanged: what any smuggling-prone proxy does with
/// what it does not understand.
struct Relay;

struct RunningRelay {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Subject for Relay {
    fn name(&self) -> &str {
        "relay"
    }

    fn is_tollgate(&self) -> bool {
        false
    }

    fn start(
        &self,
        origin: SocketAddr,
        _protocol: Protocol,
    ) -> BoxFuture<'_, Result<Box<dyn Running>, StartError>> {
        Box::pin(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let task = tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let mut upstream = TcpStream::connect(origin).await.unwrap();
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    });
                }
            });
            Ok(Box::new(RunningRelay { addr, task }) as Box<dyn Running>)
        })
    }
}

impl Running for RunningRelay {
    fn addr(&self, _protocol: Protocol) -> SocketAddr {
        self.addr
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, Vec<String>> {
        self.task.abort();
        Box::pin(async { Vec::new() })
    }
}

#[tokio::test]
async fn a_relay_that_passes_cl_te_is_unsafe() {
    let played = play(&case("origin.test.cl-te", CL_TE_RESPONSE), &Relay).await;
    assert_eq!(played.verdict.class, Class::Unsafe, "{played:?}");
    assert_eq!(
        played.verdict.reason,
        "what the client received is ambiguous: h1.response.cl-te-conflict at byte 17"
    );

    let played = play(&case("smuggling.test.cl-te", CL_TE_REQUEST), &Relay).await;
    assert_eq!(played.verdict.class, Class::Unsafe, "{played:?}");

    // The same relay is fine on a clean exchange: only the ambiguity is unsafe.
    let played = play(&case("origin.test.clean", CLEAN), &Relay).await;
    assert_eq!(played.verdict.class, Class::Conformant, "{played:?}");
}
