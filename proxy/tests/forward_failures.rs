//! Failures end to end: origins down, slow, stalling or ambiguous; clients that go away or
//! send what must be refused; and which requests are retried on another origin.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use support::bodies::BIG;
use support::clients::{self, connect_h1, connect_h2, h2_exchange, h2_request};
use support::origins::{self, Origin, Speaks};
use support::proxy::TestProxy;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;

/// An address nothing listens on: bound by the OS, then released.
async fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

fn protocol(origin: Speaks) -> &'static str {
    match origin {
        Speaks::H1 => "h1",
        Speaks::H2 => "h2c",
    }
}

/// A raw HTTP/1.1 origin answering every request with `response`, then closing.
async fn raw_origin(response: &'static [u8]) -> Origin {
    origins::raw(move |mut tcp, _, _| async move {
        let mut buf = Vec::new();
        if origins::read_head(&mut tcp, &mut buf).await.is_some() {
            let _ = tcp.write_all(response).await;
            let _ = tcp.shutdown().await;
        }
    })
    .await
}

#[tokio::test]
async fn an_origin_that_refuses_connections_is_a_502_blamed_on_it() {
    let proxy = TestProxy::to(refused_addr().await, "h1").await;
    let response =
        clients::h1_exchange(proxy.addr, b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").await;
    assert_eq!(response.status(), 502);
    assert!(
        response
            .text()
            .starts_with("origin-connect (origin side): connect to 127.0.0.1:"),
        "{}",
        response.text()
    );
    let send = connect_h2(proxy.addr).await;
    let request = h2_request("GET", proxy.addr, "/").body(()).unwrap();
    let response = h2_exchange(&send, request, None, None).await;
    assert_eq!(response.status(), 502);
    assert!(response.text().starts_with("origin-connect (origin side)"));
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "origin"), ("kind", "origin-connect")]
        ),
        2.0
    );
    assert_eq!(
        proxy.metric("tollgate_requests_total", &[("status", "502")]),
        2.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn an_origin_without_a_head_within_first_byte_is_a_504() {
    for origin in [Speaks::H1, Speaks::H2] {
        let server = origins::hyper(origin).await;
        let proxy = TestProxy::start(&format!(
            "origins = [\"{}\"]\nprotocol = \"{}\"\n[clusters.app.timeouts]\nfirst_byte = \"200ms\"",
            server.addr,
            protocol(origin)
        ))
        .await;
        let started = std::time::Instant::now();
        let response = clients::h1_exchange(
            proxy.addr,
            b"GET /delay/3000 HTTP/1.1\r\nHost: app.test\r\n\r\n",
        )
        .await;
        assert_eq!(response.status(), 504, "{origin:?}");
        assert!(
            response.text().starts_with("origin-timeout (origin side)"),
            "{}",
            response.text()
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            proxy.metric(
                "tollgate_errors_total",
                &[("blame", "origin"), ("kind", "origin-timeout")]
            ),
            1.0
        );
        proxy.stop().await;
    }
}

#[tokio::test]
async fn an_origin_stalling_mid_body_leaves_the_client_an_incomplete_response() {
    for origin in [Speaks::H1, Speaks::H2] {
        let server = origins::hyper(origin).await;
        let proxy = TestProxy::start(&format!(
            "origins = [\"{}\"]\nprotocol = \"{}\"\n[clusters.app.timeouts]\nidle = \"300ms\"",
            server.addr,
            protocol(origin)
        ))
        .await;
        // HTTP/1.1: the head promised 1000 bytes; the connection closes after 100.
        let response =
            clients::h1_exchange(proxy.addr, b"GET /stall HTTP/1.1\r\nHost: app.test\r\n\r\n")
                .await;
        assert_eq!(response.status(), 200, "{origin:?}");
        assert_eq!(response.head.get("content-length"), Some("1000"));
        assert_eq!(response.body.len(), 100);
        assert!(!response.complete, "{origin:?}: the cut body looked whole");

        // HTTP/2: the stream is reset, never ended as if complete.
        let send = connect_h2(proxy.addr).await;
        let request = h2_request("GET", proxy.addr, "/stall").body(()).unwrap();
        let response = h2_exchange(&send, request, None, None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.body.len(), 100);
        let error = response.error.expect("the cut stream ended cleanly");
        assert_eq!(error.reason(), Some(h2::Reason::INTERNAL_ERROR), "{error}");
        assert_eq!(
            proxy.metric(
                "tollgate_errors_total",
                &[("blame", "origin"), ("kind", "origin-timeout")]
            ),
            2.0
        );
        proxy.stop().await;
    }
}

/// Sends a GET through a proxy in front of a raw origin writing `origin_bytes`; every byte
/// the client receives.
async fn client_bytes_for(origin_bytes: &'static [u8]) -> (String, TestProxy, Origin) {
    let origin = raw_origin(origin_bytes).await;
    let proxy = TestProxy::to(origin.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    wr.write_all(b"GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let bytes = reader.read_to_close().await;
    (String::from_utf8(bytes).unwrap(), proxy, origin)
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_reframed() {
    // The default origin policy repairs: chunked wins (RFC 9112 §6.3), Content-Length goes,
    // and the body is framed anew.
    let (bytes, proxy, _origin) = client_bytes_for(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n\
5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(
        bytes,
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n\
5\r\nhello\r\n0\r\n\r\n"
    );
    assert_eq!(
        proxy.metric(
            "tollgate_anomalies_total",
            &[("id", "h1.response.cl-te-conflict"), ("action", "repair")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn differing_content_lengths_are_a_502_and_none_of_the_response_passes() {
    let (bytes, proxy, _origin) = client_bytes_for(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    )
    .await;
    let (head, body) = bytes.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{bytes}");
    assert!(!head.contains("content-length: 6"), "{bytes}");
    assert!(
        body.starts_with("origin-malformed (origin side)"),
        "{bytes}"
    );
    assert!(!bytes.contains("hello"), "{bytes}");
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "origin"), ("kind", "origin-malformed")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn bare_lf_and_obs_fold_in_a_response_head_are_repaired() {
    let (bytes, proxy, _origin) =
        client_bytes_for(b"HTTP/1.1 200 OK\nContent-Length: 2\nX-Folded: a\r\n b\r\n\r\nok").await;
    assert_eq!(
        bytes,
        "HTTP/1.1 200 OK\r\nx-folded: a b\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
    );
    for id in ["h1.bare-lf", "h1.obs-fold"] {
        assert_eq!(
            proxy.metric(
                "tollgate_anomalies_total",
                &[("id", id), ("action", "repair"), ("side", "origin")]
            ),
            1.0,
            "{id}"
        );
    }
    proxy.stop().await;
}

#[tokio::test]
async fn a_client_that_closes_mid_response_ends_the_origin_exchange() {
    let server = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::to(server.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    wr.write_all(format!("GET /bytes/{BIG} HTTP/1.1\r\nHost: app.test\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let head = reader.head().await.unwrap();
    assert_eq!(head.status, 200);
    drop((reader, wr));
    assert!(
        server.stats.wait_for(|stats| stats.closed() == 1).await,
        "the origin's connection stayed open after the client left"
    );
    assert!(server.stats.generated.load(Ordering::SeqCst) < BIG);
    // The proxy keeps serving.
    let response =
        clients::h1_exchange(proxy.addr, b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "client"), ("kind", "client-gone")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn an_h2_client_resetting_its_stream_ends_the_origin_exchange() {
    for origin in [Speaks::H1, Speaks::H2] {
        let server = origins::hyper(origin).await;
        let proxy = TestProxy::to(server.addr, protocol(origin)).await;
        let send = connect_h2(proxy.addr).await;
        let mut ready = send.clone().ready().await.unwrap();
        let request = h2_request("GET", proxy.addr, &format!("/bytes/{BIG}"))
            .body(())
            .unwrap();
        let (response, mut stream) = ready.send_request(request, true).unwrap();
        let response = response.await.unwrap();
        assert_eq!(response.status(), 200);
        stream.send_reset(h2::Reason::CANCEL);
        drop(response);
        match origin {
            // One exchange per connection: the only way to stop it is to close it.
            Speaks::H1 => assert!(
                server.stats.wait_for(|stats| stats.closed() == 1).await,
                "the origin's connection stayed open after the client reset"
            ),
            // The origin's stream is reset instead: it stops producing.
            Speaks::H2 => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let before = server.stats.generated.load(Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                let after = server.stats.generated.load(Ordering::SeqCst);
                assert_eq!(before, after, "the origin kept sending");
                assert!(after < BIG);
            }
        }
        // The same client connection goes on.
        let request = h2_request("GET", proxy.addr, "/").body(()).unwrap();
        let response = h2_exchange(&send, request, None, None).await;
        assert_eq!(response.status(), 200, "{origin:?}");
        assert_eq!(response.text(), "ok");
        proxy.stop().await;
    }
}

#[tokio::test]
async fn a_malformed_request_is_a_400_and_the_connection_closes() {
    let server = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::to(server.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    wr.write_all(b"GET / HTTP/1.1\r\nHost: app.test\r\nBad Name: x\r\n\r\n")
        .await
        .unwrap();
    let response = reader.response(false).await;
    assert_eq!(response.status(), 400);
    assert_eq!(response.head.get("connection"), Some("close"));
    assert!(
        response
            .text()
            .starts_with("client-malformed (client side)"),
        "{}",
        response.text()
    );
    assert!(reader.closes_within(Duration::from_secs(2)).await);
    assert!(
        server.stats.seen().is_empty(),
        "the request reached the origin"
    );
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "client"), ("kind", "client-malformed")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn an_oversized_request_head_is_a_431_and_the_connection_closes() {
    let server = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::to(server.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    // 80 KiB of fields, each line under the line limit: only the head's total is too large.
    let mut request = b"GET / HTTP/1.1\r\nHost: app.test\r\n".to_vec();
    for i in 0..8 {
        request.extend_from_slice(format!("X-Big-{i}: {}\r\n", "b".repeat(10 * 1024)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    // The proxy may stop reading before the end; what it answers is what counts.
    let _ = wr.write_all(&request).await;
    let response = reader.response(false).await;
    assert_eq!(response.status(), 431);
    assert_eq!(response.head.get("connection"), Some("close"));
    assert!(reader.closes_within(Duration::from_secs(2)).await);
    assert!(
        server.stats.seen().is_empty(),
        "the request reached the origin"
    );
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "client"), ("kind", "client-head-too-large")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn an_idempotent_request_is_retried_on_the_next_origin() {
    let dead = refused_addr().await;
    let good = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::start(&format!(
        "origins = [\"{dead}\", \"{}\"]\nretries = 1",
        good.addr
    ))
    .await;
    for _ in 0..4 {
        let response =
            clients::h1_exchange(proxy.addr, b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "ok");
    }
    assert_eq!(good.stats.seen().len(), 4);
    // Round robin sent some of them to the dead origin first.
    assert!(
        proxy.metric(
            "tollgate_upstream_connections_total",
            &[("cluster", "app"), ("reused", "false")]
        ) >= 1.0
    );
    assert_eq!(
        proxy.metric("tollgate_errors_total", &[("kind", "origin-connect")]),
        0.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn a_post_with_a_body_is_not_retried() {
    let dead = refused_addr().await;
    let good = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::start(&format!(
        "origins = [\"{dead}\", \"{}\"]\nretries = 1",
        good.addr
    ))
    .await;
    let mut failed = 0;
    for _ in 0..4 {
        let response = clients::h1_exchange(
            proxy.addr,
            b"POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello",
        )
        .await;
        match response.status() {
            200 => assert_eq!(response.text(), "hello"),
            502 => {
                assert!(response.text().starts_with("origin-connect"));
                failed += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    // Round robin: every other POST meets the dead origin, and stays failed.
    assert_eq!(failed, 2);
    assert_eq!(good.stats.seen().len(), 2);
    let send = connect_h2(proxy.addr).await;
    let mut h2_failed = 0;
    for _ in 0..2 {
        let request = h2_request("POST", proxy.addr, "/echo").body(()).unwrap();
        let response = h2_exchange(&send, request, Some(Bytes::from_static(b"hi")), None).await;
        if response.status() == 502 {
            h2_failed += 1;
        }
    }
    assert_eq!(h2_failed, 1);
    proxy.stop().await;
}
