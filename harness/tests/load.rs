//! The load generator end to end: against the in-process origin (HTTP/1), an in-test `h2`
//! server (HTTP/2), and a port that refuses connections.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::TcpListener;
use tollgate_harness::load::{self, LoadProtocol, LoadReport, LoadSpec, Origin};

fn spec(target: SocketAddr, protocol: LoadProtocol) -> LoadSpec {
    let mut spec = LoadSpec::new(target, protocol);
    spec.warmup = Duration::ZERO;
    // A ceiling that a broken generator hits instead of hanging the suite; the runs below end
    // on max_requests long before it.
    spec.duration = Duration::from_secs(4);
    spec
}

fn assert_latency_recorded(report: &LoadReport) {
    let latency = report.latency;
    assert!(latency.p50 > Duration::ZERO, "{report:?}");
    assert!(
        latency.p50 <= latency.p90 && latency.p90 <= latency.p99,
        "{report:?}"
    );
    assert!(latency.p99 <= latency.max, "{report:?}");
    assert!(
        report.elapsed > Duration::ZERO && report.requests_per_sec > 0.0,
        "{report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h1_against_the_origin_counts_exactly_max_requests() {
    let origin = Origin::start(1024).await.unwrap();
    let mut spec = spec(origin.addr(), LoadProtocol::H1);
    spec.connections = 4;
    spec.max_requests = Some(500);
    let started = Instant::now();
    let report = load::run(&spec).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{report:?}");
    assert_eq!(report.requests, 500, "{report:?}");
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!(report.non_success, 0, "{report:?}");
    assert_eq!(report.bytes, 500 * 1024, "{report:?}");
    assert_eq!(report.first_error, None);
    assert_eq!(origin.served(), 500);
    assert!(report.elapsed < spec.duration, "{report:?}");
    assert_latency_recorded(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h1_warmup_requests_are_sent_but_not_counted() {
    let origin = Origin::start(16).await.unwrap();
    let mut spec = spec(origin.addr(), LoadProtocol::H1);
    spec.warmup = Duration::from_millis(200);
    spec.max_requests = Some(50);
    let report = load::run(&spec).await.unwrap();
    assert_eq!(report.requests, 50, "{report:?}");
    assert!(
        origin.served() > 50,
        "warm-up sent nothing: {}",
        origin.served()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h1_non_success_statuses_are_counted_apart() {
    let target =
        fixed_h1_server(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\nno").await;
    let mut spec = spec(target, LoadProtocol::H1);
    spec.max_requests = Some(20);
    let report = load::run(&spec).await.unwrap();
    assert_eq!(
        (report.requests, report.non_success, report.errors),
        (20, 20, 0),
        "{report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h1_unparsable_responses_are_errors_and_connections_reopen() {
    let target = fixed_h1_server(b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n").await;
    let mut spec = spec(target, LoadProtocol::H1);
    spec.max_requests = Some(10);
    let report = load::run(&spec).await.unwrap();
    assert_eq!((report.requests, report.errors), (0, 10), "{report:?}");
    assert!(report.first_error.unwrap().starts_with("response: "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_counts_every_stream_of_every_connection() {
    let target = h2_server().await;
    let mut spec = spec(target, LoadProtocol::H2);
    spec.connections = 2;
    spec.streams_per_connection = 5;
    spec.max_requests = Some(300);
    let report = load::run(&spec).await.unwrap();
    assert_eq!(report.requests, 300, "{report:?}");
    assert_eq!((report.errors, report.non_success), (0, 0), "{report:?}");
    assert_eq!(report.bytes, 300 * 5, "{report:?}");
    assert_latency_recorded(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_are_counted_as_errors_within_the_duration() {
    // A port that was just free: nothing listens on it.
    let target = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    for protocol in [LoadProtocol::H1, LoadProtocol::H2] {
        let mut spec = spec(target, protocol);
        spec.connections = 2;
        spec.duration = Duration::from_millis(300);
        let started = Instant::now();
        let report = load::run(&spec).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "{report:?}");
        assert_eq!(report.requests, 0, "{report:?}");
        assert!(report.errors > 0, "{report:?}");
        // The pauses between attempts keep a dead target from becoming a busy loop.
        assert!(report.errors < 100, "{report:?}");
        assert!(report.first_error.unwrap().starts_with("connect: "));
        assert_eq!(report.requests_per_sec, 0.0);
    }
}

/// A server answering every read with `response`, until the client closes.
async fn fixed_h1_server(response: &'static [u8]) -> SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(1..) = stream.read(&mut buf).await {
                    if stream.write_all(response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// An h2 server (prior knowledge) answering every request 200 with `hello`.
async fn h2_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let Ok(mut connection) = h2::server::handshake(stream).await else {
                    return;
                };
                while let Some(Ok((_request, mut respond))) = connection.accept().await {
                    let response = http::Response::new(());
                    let Ok(mut body) = respond.send_response(response, false) else {
                        continue;
                    };
                    let _ = body.send_data(Bytes::from_static(b"hello"), true);
                }
            });
        }
    });
    addr
}

mod subjects {
    use std::path::PathBuf;

    use tollgate_harness::load::subjects::{self, Plan, SubjectKind, TollgateBinary};
    use tollgate_harness::load::{LoadErrorKind, LoadProtocol, Origin};

    use super::spec;

    fn tollgate() -> TollgateBinary {
        TollgateBinary {
            exe: PathBuf::from("/nonexistent/tollgate"),
            version: "0".to_owned(),
        }
    }

    /// The plan for `kind`, or `None` (with the reason printed) when it is not installed.
    fn plan_or_skip(kind: SubjectKind, origin: &Origin) -> Option<Plan> {
        match subjects::plan(kind, origin.addr(), &tollgate()) {
            Ok(plan) => Some(plan),
            Err(error) if error.kind() == LoadErrorKind::Missing => {
                eprintln!("skipped: {error}");
                None
            }
            Err(error) => panic!("{error}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn installed_subjects_accept_their_generated_configs() {
        let origin = Origin::start(0).await.unwrap();
        for kind in [SubjectKind::Nginx, SubjectKind::Haproxy] {
            let Some(plan) = plan_or_skip(kind, &origin) else {
                continue;
            };
            plan.check().unwrap_or_else(|error| panic!("{error}"));
            assert!(!plan.version().is_empty());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn installed_subjects_forward_h1_and_h2_to_the_origin() {
        let origin = Origin::start(64).await.unwrap();
        for kind in [SubjectKind::Nginx, SubjectKind::Haproxy] {
            let Some(plan) = plan_or_skip(kind, &origin) else {
                continue;
            };
            let dir = plan.dir().to_owned();
            let subject = plan.start().unwrap_or_else(|error| panic!("{error}"));
            let config = subject.config().clone();
            let before = origin.served();
            for (protocol, target) in [(LoadProtocol::H1, config.h1), (LoadProtocol::H2, config.h2)]
            {
                let mut spec = spec(target, protocol);
                spec.connections = 2;
                spec.streams_per_connection = 4;
                spec.max_requests = Some(100);
                let report = tollgate_harness::load::run(&spec).await.unwrap();
                assert_eq!(
                    (report.requests, report.errors, report.non_success),
                    (100, 0, 0),
                    "{kind:?} {protocol:?}: {report:?}"
                );
                assert_eq!(report.bytes, 100 * 64, "{kind:?} {protocol:?}");
            }
            assert_eq!(origin.served() - before, 200, "{kind:?}");
            subject.stop().unwrap();
            // Stopped means the ports are free again and the scratch directory is gone.
            assert!(std::net::TcpStream::connect(config.h1).is_err(), "{kind:?}");
            assert!(!dir.exists(), "{kind:?}");
        }
    }
}
