//! The verdict on hand-made observations: the harness's own unsafe checks, then the case's
//! expectations.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::path::Path;

use tollgate_harness::case::{Case, parse};
use tollgate_harness::origin::Record;
use tollgate_harness::verdict::{FollowUp, Observation, Response, judge};
use tollgate_reports::Class;

fn case(expect: &str) -> Case {
    let text = format!(
        "id = \"origin.test.verdict\"\ntitle = \"t\"\ntags = [\"t\"]\n\
         [client]\nraw = \"GET / HTTP/1.1\\r\\nHost: o\\r\\n\\r\\n\"\n\
         [origin]\nscript = [{{ expect = \"request\" }}]\n[expect]\n{expect}\n"
    );
    parse(&text, Path::new("verdict.toml")).unwrap()
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: o\r\n\r\n";
const FOLLOW_UP: &[u8] = b"GET /follow-up HTTP/1.1\r\nHost: o\r\n\r\n";

/// A clean run: 200 "hello" to the client, the follow-up answered, the origin saw both.
fn clean() -> Observation {
    Observation {
        response: Some(Response {
            status: 200,
            headers: vec![("content-length".into(), b"5".to_vec())],
            body: b"hello".to_vec(),
            complete: true,
        }),
        client_received: b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello\
HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nfollow-up"
            .to_vec(),
        client_methods: vec!["GET".into(), "GET".into()],
        closed: false,
        reset: false,
        follow_up: FollowUp::Clean,
        origin: Record {
            connections: vec![[GET, FOLLOW_UP].concat()],
            requests: 2,
        },
        origin_h2: false,
        anomalies: vec!["h1.obs-fold".into()],
        failure: None,
        skipped: None,
    }
}

const EXPECT: &str = "any_of = [{ status = 200, body = \"hello\", origin_requests = 1 }, { status = 502 }]\n\
                      deviant = [{ status = 200 }]";

#[test]
fn expectations_class_a_safe_run() {
    let verdict = judge(&case(EXPECT), &clean(), false);
    assert_eq!(verdict.class, Class::Conformant, "{verdict:?}");
    assert_eq!(verdict.matched.unwrap().0, 0);

    let mut seen = clean();
    seen.response.as_mut().unwrap().body = b"other".to_vec();
    seen.client_received = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nother".to_vec();
    seen.client_methods = vec!["GET".into()];
    seen.follow_up = FollowUp::NotSent;
    seen.origin = Record {
        connections: vec![GET.to_vec()],
        requests: 1,
    };
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Deviant, "{verdict:?}");
    assert_eq!(verdict.reason, "deviant[0] holds");

    seen.response.as_mut().unwrap().status = 201;
    seen.client_received = b"HTTP/1.1 201 Created\r\ncontent-length: 5\r\n\r\nother".to_vec();
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Deviant);
    assert!(
        verdict.reason.contains("no expected outcome holds"),
        "{verdict:?}"
    );
    assert!(
        verdict.reason.contains("status 200 wanted, got 201"),
        "{verdict:?}"
    );
}

#[test]
fn a_failure_is_a_failure_whatever_else_happened() {
    let mut seen = clean();
    seen.failure = Some("no answer within 5 s".into());
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Failure);
    assert_eq!(verdict.reason, "no answer within 5 s");
}

#[test]
fn ambiguous_responses_are_unsafe() {
    let mut seen = clean();
    seen.response
        .as_mut()
        .unwrap()
        .headers
        .push(("transfer-encoding".into(), b"chunked".to_vec()));
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Unsafe);
    assert!(
        verdict
            .reason
            .contains("both Content-Length and Transfer-Encoding")
    );

    // On the wire only (the client's own parse kept one of the fields).
    let mut seen = clean();
    seen.client_received =
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello".to_vec();
    seen.client_methods = vec!["GET".into()];
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Unsafe, "{verdict:?}");
    assert!(
        verdict
            .reason
            .contains("what the client received is ambiguous"),
        "{verdict:?}"
    );
}

#[test]
fn desync_and_smuggling_at_the_origin_are_unsafe() {
    let mut seen = clean();
    seen.follow_up = FollowUp::Wrong("404 with body \"x\"".into());
    assert_eq!(judge(&case(EXPECT), &seen, false).class, Class::Unsafe);

    let mut seen = clean();
    seen.follow_up = FollowUp::Early;
    assert_eq!(judge(&case(EXPECT), &seen, false).class, Class::Unsafe);

    // A request hidden in a body reached the origin as a second request.
    let mut seen = clean();
    seen.follow_up = FollowUp::NotSent;
    seen.client_methods = vec!["POST".into()];
    seen.client_received.clear();
    seen.origin = Record {
        connections: vec![b"POST / HTTP/1.1\r\nHost: o\r\nContent-Length: 4\r\n\r\nabcdGET /admin HTTP/1.1\r\nHost: o\r\n\r\n".to_vec()],
        requests: 2,
    };
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Unsafe);
    assert!(verdict.reason.contains("smuggled"), "{verdict:?}");

    // A request forwarded with both framings.
    let mut seen = clean();
    seen.origin.connections = vec![b"POST / HTTP/1.1\r\nHost: o\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec()];
    seen.origin.requests = 1;
    seen.follow_up = FollowUp::NotSent;
    let verdict = judge(&case(EXPECT), &seen, false);
    assert_eq!(verdict.class, Class::Unsafe);
    assert!(
        verdict
            .reason
            .contains("what reached the origin (connection 0) is ambiguous"),
        "{verdict:?}"
    );
}

#[test]
fn unsafe_if_and_anomalies() {
    let expect = format!("{EXPECT}\nunsafe_if = [{{ origin_received_contains = \"Host: o\" }}]");
    let verdict = judge(&case(&expect), &clean(), false);
    assert_eq!(verdict.class, Class::Unsafe);
    assert_eq!(verdict.reason, "unsafe_if[0] holds");

    let expect = "any_of = [{ status = 200, anomaly = \"h1.response.cl-te-conflict\" }]";
    // Another subject: the anomaly cannot be seen and does not count.
    assert_eq!(
        judge(&case(expect), &clean(), false).class,
        Class::Conformant
    );
    // tollgate: it must have been recorded.
    let verdict = judge(&case(expect), &clean(), true);
    assert_eq!(verdict.class, Class::Deviant);
    assert!(
        verdict
            .reason
            .contains("anomaly h1.response.cl-te-conflict not recorded")
    );
    let expect = "any_of = [{ status = 200, anomaly = \"h1.obs-fold\" }]";
    assert_eq!(
        judge(&case(expect), &clean(), true).class,
        Class::Conformant
    );
}
