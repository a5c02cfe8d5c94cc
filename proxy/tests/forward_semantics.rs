//! HTTP semantics across the proxy: chunked uploads, trailers both ways, `Expect:
//! 100-continue`, 103 Early Hints, HEAD, 204 and 304, header translation (connection-specific
//! fields, Host and `:authority`, cookies, Via), and connection reuse toward origins.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

mod support;

use std::future::poll_fn;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use support::clients::{self, connect_h1, connect_h2, h2_exchange, h2_request};
use support::origins::{self, Origin, Speaks};
use support::proxy::TestProxy;
use tokio::io::AsyncWriteExt as _;

async fn setup(origin: Speaks) -> (Origin, TestProxy) {
    let server = origins::hyper(origin).await;
    let protocol = match origin {
        Speaks::H1 => "h1",
        Speaks::H2 => "h2c",
    };
    let proxy = TestProxy::to(server.addr, protocol).await;
    (server, proxy)
}

/// A raw HTTP/1.1 origin answering every request on a connection with `response`.
async fn raw_origin(response: &'static [u8]) -> Origin {
    origins::raw(move |mut tcp, _, _| async move {
        let mut buf = Vec::new();
        while origins::read_head(&mut tcp, &mut buf).await.is_some() {
            if tcp.write_all(response).await.is_err() {
                return;
            }
        }
    })
    .await
}

const CHUNKED_UPLOAD: &[u8] =
    b"POST /echo HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n\
5\r\nhello\r\n7\r\n, world\r\n0\r\nX-Sum: 42\r\n\r\n";

async fn chunked_upload_with_trailers(origin: Speaks) {
    let (server, proxy) = setup(origin).await;
    let response = clients::h1_exchange(proxy.addr, CHUNKED_UPLOAD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "hello, world");
    let seen = server.stats.last();
    match origin {
        // No length was known: the body goes on chunked.
        Speaks::H1 => assert_eq!(
            seen.headers.get("transfer-encoding").unwrap(),
            "chunked",
            "{:?}",
            seen.headers
        ),
        // HTTP/2 frames the body itself; Transfer-Encoding is forbidden there.
        Speaks::H2 => assert!(!seen.headers.contains_key("transfer-encoding")),
    }
    let trailers = server.stats.trailers.lock().unwrap().clone();
    assert_eq!(trailers.len(), 1, "the origin got no request trailers");
    assert_eq!(trailers[0].get("x-sum").unwrap(), "42");
    proxy.stop().await;
}

#[tokio::test]
async fn chunked_upload_with_trailers_from_h1_to_h1() {
    chunked_upload_with_trailers(Speaks::H1).await;
}

#[tokio::test]
async fn chunked_upload_with_trailers_from_h1_to_h2() {
    chunked_upload_with_trailers(Speaks::H2).await;
}

#[tokio::test]
async fn request_trailers_from_h2_reach_an_h1_origin_as_chunked_trailers() {
    let (server, proxy) = setup(Speaks::H1).await;
    let send = connect_h2(proxy.addr).await;
    let mut trailers = HeaderMap::new();
    trailers.insert("x-sum", "42".parse().unwrap());
    let request = h2_request("POST", proxy.addr, "/echo")
        .header("te", "trailers")
        .body(())
        .unwrap();
    let response = h2_exchange(
        &send,
        request,
        Some(Bytes::from_static(b"hello")),
        Some(trailers),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "hello");
    let seen = server.stats.last();
    assert_eq!(seen.headers.get("transfer-encoding").unwrap(), "chunked");
    let got = server.stats.trailers.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].get("x-sum").unwrap(), "42");
    proxy.stop().await;
}

#[tokio::test]
async fn response_trailers_from_h2_reach_an_h1_client_that_accepts_them() {
    let (_server, proxy) = setup(Speaks::H2).await;
    let response = clients::h1_exchange(
        proxy.addr,
        b"GET /trailers HTTP/1.1\r\nHost: app.test\r\nTE: trailers\r\n\r\n",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.head.get("transfer-encoding"), Some("chunked"));
    assert_eq!(response.text(), "hello");
    assert_eq!(
        response.trailers,
        vec![("x-checksum".to_owned(), "5d41402a".to_owned())]
    );
    proxy.stop().await;
}

#[tokio::test]
async fn response_trailers_from_h1_reach_an_h2_client() {
    let origin = raw_origin(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n\
5\r\nhello\r\n0\r\nX-Checksum: 5d41402a\r\n\r\n",
    )
    .await;
    let proxy = TestProxy::to(origin.addr, "h1").await;
    let send = connect_h2(proxy.addr).await;
    let request = h2_request("GET", proxy.addr, "/")
        .header("te", "trailers")
        .body(())
        .unwrap();
    let response = h2_exchange(&send, request, None, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "hello");
    let trailers = response.trailers.expect("no trailers reached the client");
    assert_eq!(trailers.get("x-checksum").unwrap(), "5d41402a");
    proxy.stop().await;
}

#[tokio::test]
async fn expect_100_continue_from_h1_is_answered_before_the_body_is_sent() {
    for origin in [Speaks::H1, Speaks::H2] {
        let (server, proxy) = setup(origin).await;
        let (mut reader, mut wr) = connect_h1(proxy.addr).await;
        wr.write_all(
            b"POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
        // Nothing of the body has been sent: the 100 must come first.
        let interim = reader.response(false).await;
        assert_eq!(interim.status(), 100, "{origin:?}: {:?}", interim.head);
        wr.write_all(b"hello").await.unwrap();
        let response = reader.response(false).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "hello");
        // The expectation is answered hop by hop: the origin is not asked to.
        assert!(!server.stats.last().headers.contains_key("expect"));
        proxy.stop().await;
    }
}

#[tokio::test]
async fn expect_100_continue_from_h2_is_answered_before_the_body_is_sent() {
    let (_server, proxy) = setup(Speaks::H1).await;
    let send = connect_h2(proxy.addr).await;
    let mut send = send.ready().await.unwrap();
    let request = h2_request("POST", proxy.addr, "/echo")
        .header("expect", "100-continue")
        .header("content-length", "5")
        .body(())
        .unwrap();
    let (mut response, mut stream) = send.send_request(request, false).unwrap();
    let interim = tokio::time::timeout(
        Duration::from_secs(5),
        poll_fn(|cx| response.poll_informational(cx)),
    )
    .await
    .expect("no 100 within 5 s")
    .expect("the stream ended without a 100")
    .unwrap();
    assert_eq!(interim.status(), 100);
    stream
        .send_data(Bytes::from_static(b"hello"), true)
        .unwrap();
    let response = clients::read_h2(response.await.unwrap()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "hello");
    proxy.stop().await;
}

const EARLY_HINTS: &[u8] = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

#[tokio::test]
async fn early_hints_from_an_h1_origin_reach_h1_1_clients() {
    let origin = raw_origin(EARLY_HINTS).await;
    let proxy = TestProxy::to(origin.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    wr.write_all(b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n")
        .await
        .unwrap();
    let (interim, response) = reader.final_response(false).await;
    assert_eq!(interim.len(), 1, "{interim:?}");
    assert_eq!(interim[0].status, 103);
    assert_eq!(interim[0].get("link"), Some("</style.css>; rel=preload"));
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "ok");
    proxy.stop().await;
}

#[tokio::test]
async fn early_hints_are_not_sent_to_h1_0_clients() {
    let origin = raw_origin(EARLY_HINTS).await;
    let proxy = TestProxy::to(origin.addr, "h1").await;
    let (mut reader, mut wr) = connect_h1(proxy.addr).await;
    wr.write_all(b"GET / HTTP/1.0\r\nHost: app.test\r\n\r\n")
        .await
        .unwrap();
    // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
    let response = reader.response(false).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "ok");
    proxy.stop().await;
}

#[tokio::test]
async fn early_hints_from_an_h1_origin_reach_h2_clients() {
    let origin = raw_origin(EARLY_HINTS).await;
    let proxy = TestProxy::to(origin.addr, "h1").await;
    let send = connect_h2(proxy.addr).await;
    let mut send = send.ready().await.unwrap();
    let request = h2_request("GET", proxy.addr, "/").body(()).unwrap();
    let (mut response, _) = send.send_request(request, true).unwrap();
    let interim = tokio::time::timeout(
        Duration::from_secs(5),
        poll_fn(|cx| response.poll_informational(cx)),
    )
    .await
    .expect("no interim response within 5 s")
    .expect("no 103 before the final response")
    .unwrap();
    assert_eq!(interim.status(), 103);
    assert_eq!(
        interim.headers().get("link").unwrap(),
        "</style.css>; rel=preload"
    );
    let response = clients::read_h2(response.await.unwrap()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "ok");
    proxy.stop().await;
}

#[tokio::test]
async fn head_keeps_content_length_and_sends_no_body() {
    for origin in [Speaks::H1, Speaks::H2] {
        let (_server, proxy) = setup(origin).await;
        let (mut reader, mut wr) = connect_h1(proxy.addr).await;
        // A body after the HEAD answer would be read as the start of the next response.
        wr.write_all(
            b"HEAD /bytes/1000 HTTP/1.1\r\nHost: app.test\r\n\r\nGET / HTTP/1.1\r\nHost: app.test\r\n\r\n",
        )
        .await
        .unwrap();
        let head = reader.response(true).await;
        assert_eq!(head.status(), 200, "{origin:?}");
        assert_eq!(head.head.get("content-length"), Some("1000"), "{origin:?}");
        let next = reader.response(false).await;
        assert_eq!(next.status(), 200, "{origin:?}: {:?}", next.head);
        assert_eq!(next.text(), "ok");

        let send = connect_h2(proxy.addr).await;
        let request = h2_request("HEAD", proxy.addr, "/bytes/1000")
            .body(())
            .unwrap();
        let response = h2_exchange(&send, request, None, None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.parts.headers.get("content-length").unwrap(),
            "1000"
        );
        assert!(response.body.is_empty());
        proxy.stop().await;
    }
}

#[tokio::test]
async fn no_content_and_not_modified_carry_no_body_and_keep_the_connection() {
    for origin in [Speaks::H1, Speaks::H2] {
        let (_server, proxy) = setup(origin).await;
        let (mut reader, mut wr) = connect_h1(proxy.addr).await;
        for status in [204u16, 304] {
            wr.write_all(
                format!("GET /status/{status} HTTP/1.1\r\nHost: app.test\r\n\r\n").as_bytes(),
            )
            .await
            .unwrap();
            let response = reader.response(false).await;
            assert_eq!(response.status(), status, "{origin:?}");
            assert!(
                !response.head.has("transfer-encoding"),
                "{:?}",
                response.head
            );
            if status == 204 {
                assert!(!response.head.has("content-length"), "{:?}", response.head);
            }
        }
        // Still in step: the next response is the one asked for.
        wr.write_all(b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n")
            .await
            .unwrap();
        let response = reader.response(false).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "ok");

        let send = connect_h2(proxy.addr).await;
        for status in [204u16, 304] {
            let request = h2_request("GET", proxy.addr, &format!("/status/{status}"))
                .body(())
                .unwrap();
            let response = h2_exchange(&send, request, None, None).await;
            assert_eq!(response.status(), status);
            assert!(response.body.is_empty());
        }
        proxy.stop().await;
    }
}

#[tokio::test]
async fn connection_specific_fields_are_stripped_before_the_origin() {
    for origin in [Speaks::H1, Speaks::H2] {
        let (server, proxy) = setup(origin).await;
        let response = clients::h1_exchange(
            proxy.addr,
            b"GET / HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, X-Hop\r\n\
X-Hop: secret\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n\
TE: trailers, deflate\r\nX-End: kept\r\n\r\n",
        )
        .await;
        assert_eq!(response.status(), 200);
        let seen = server.stats.last();
        for gone in ["x-hop", "keep-alive", "proxy-connection"] {
            assert!(
                !seen.headers.contains_key(gone),
                "{origin:?}: {gone} reached the origin: {:?}",
                seen.headers
            );
        }
        // `te` is reduced to the one member every hop may pass on; HTTP/1.1 senders name it
        // in Connection (RFC 9110 §10.1.4), which is then all Connection says.
        assert_eq!(seen.headers.get("te").unwrap(), "trailers");
        let connection: Vec<_> = seen.headers.get_all("connection").iter().collect();
        match origin {
            Speaks::H1 => assert_eq!(connection, ["te"], "{:?}", seen.headers),
            Speaks::H2 => assert!(connection.is_empty(), "{:?}", seen.headers),
        }
        assert_eq!(seen.headers.get("x-end").unwrap(), "kept");
        proxy.stop().await;
    }
}

#[tokio::test]
async fn host_becomes_authority_and_back() {
    // HTTP/1.1 client, HTTP/2 origin: Host becomes :authority.
    let (server, proxy) = setup(Speaks::H2).await;
    let response = clients::h1_exchange(
        proxy.addr,
        b"GET /x?y=1 HTTP/1.1\r\nHost: app.test:8080\r\n\r\n",
    )
    .await;
    assert_eq!(response.status(), 200);
    let seen = server.stats.last();
    assert_eq!(
        seen.uri.authority().map(|a| a.as_str()),
        Some("app.test:8080")
    );
    assert_eq!(seen.uri.path_and_query().unwrap(), "/x?y=1");
    assert!(
        !seen.headers.contains_key("host"),
        "Host duplicated next to :authority: {:?}",
        seen.headers
    );
    proxy.stop().await;

    // HTTP/2 client, HTTP/1.1 origin: :authority becomes Host.
    let (server, proxy) = setup(Speaks::H1).await;
    let send = connect_h2(proxy.addr).await;
    let request = http::Request::builder()
        .uri("http://app.test:8080/x?y=1")
        .body(())
        .unwrap();
    let response = h2_exchange(&send, request, None, None).await;
    assert_eq!(response.status(), 200);
    let seen = server.stats.last();
    assert_eq!(seen.headers.get("host").unwrap(), "app.test:8080");
    assert_eq!(seen.uri.to_string(), "/x?y=1");
    proxy.stop().await;
}

#[tokio::test]
async fn cookies_are_joined_for_h1_origins_and_kept_whole_across() {
    // RFC 9113 §8.2.3: crumbs in separate fields are joined with "; " for HTTP/1.1.
    let (server, proxy) = setup(Speaks::H1).await;
    let send = connect_h2(proxy.addr).await;
    let request = h2_request("GET", proxy.addr, "/")
        .header("cookie", "a=1")
        .header("cookie", "b=2")
        .body(())
        .unwrap();
    let response = h2_exchange(&send, request, None, None).await;
    assert_eq!(response.status(), 200);
    let seen = server.stats.last();
    let cookies: Vec<_> = seen.headers.get_all("cookie").iter().collect();
    assert_eq!(cookies, ["a=1; b=2"]);
    // Set-Cookie is never joined (RFC 9110 §5.3): two fields stay two fields.
    let set: Vec<_> = response
        .parts
        .headers
        .get_all("set-cookie")
        .iter()
        .collect();
    assert_eq!(set, ["a=1", "b=2"]);
    proxy.stop().await;

    // HTTP/1.1 client, HTTP/2 origin: the crumbs, however split, say the same.
    let (server, proxy) = setup(Speaks::H2).await;
    let response = clients::h1_exchange(
        proxy.addr,
        b"GET / HTTP/1.1\r\nHost: app.test\r\nCookie: a=1; b=2\r\n\r\n",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.head.all("set-cookie"), ["a=1", "b=2"]);
    let seen = server.stats.last();
    let crumbs: Vec<String> = seen
        .headers
        .get_all("cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(crumbs.join("; "), "a=1; b=2");
    proxy.stop().await;
}

#[tokio::test]
async fn via_names_this_hop_with_the_client_protocol() {
    let (server, proxy) = setup(Speaks::H1).await;
    let response = clients::h1_exchange(
        proxy.addr,
        b"GET / HTTP/1.1\r\nHost: app.test\r\nVia: 1.0 edge\r\n\r\n",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        server.stats.last().headers.get("via").unwrap(),
        "1.0 edge, 1.1 tollgate"
    );
    let send = connect_h2(proxy.addr).await;
    let request = h2_request("GET", proxy.addr, "/").body(()).unwrap();
    assert_eq!(h2_exchange(&send, request, None, None).await.status(), 200);
    assert_eq!(
        server.stats.last().headers.get("via").unwrap(),
        "2 tollgate"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn sequential_requests_reuse_one_origin_connection() {
    const N: usize = 5;
    let (server, proxy) = setup(Speaks::H1).await;
    // From separate client connections: reuse is the pool's doing, not the client's.
    for _ in 0..N {
        let response =
            clients::h1_exchange(proxy.addr, b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        server.stats.accepted(),
        1,
        "the origin saw several connections"
    );
    assert!(server.stats.seen().iter().all(|seen| seen.conn == 0));
    assert_eq!(
        proxy.metric(
            "tollgate_upstream_connections_total",
            &[("cluster", "app"), ("reused", "true")]
        ),
        (N - 1) as f64
    );
    assert_eq!(
        proxy.metric(
            "tollgate_upstream_connections_total",
            &[("cluster", "app"), ("reused", "false")]
        ),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn concurrent_requests_wait_for_the_one_connection_allowed() {
    let server = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::start(&format!(
        "origins = [\"{}\"]\n[clusters.app.pool]\nmax_connections_per_origin = 1",
        server.addr
    ))
    .await;
    let addr = proxy.addr;
    let requests: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(async move {
                clients::h1_exchange(addr, b"GET /delay/100 HTTP/1.1\r\nHost: app.test\r\n\r\n")
                    .await
            })
        })
        .collect();
    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "delayed");
    }
    assert_eq!(server.stats.accepted(), 1);
    assert_eq!(
        server
            .stats
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    proxy.stop().await;
}

#[tokio::test]
async fn a_busy_pool_answers_503_blamed_on_the_proxy() {
    let server = origins::hyper(Speaks::H1).await;
    let proxy = TestProxy::start(&format!(
        "origins = [\"{}\"]\n[clusters.app.timeouts]\nconnect = \"100ms\"\n\
[clusters.app.pool]\nmax_connections_per_origin = 1",
        server.addr
    ))
    .await;
    let addr = proxy.addr;
    let busy = tokio::spawn(async move {
        clients::h1_exchange(addr, b"GET /delay/1000 HTTP/1.1\r\nHost: app.test\r\n\r\n").await
    });
    assert!(
        server
            .stats
            .wait_for(|stats| !stats.seen().is_empty())
            .await,
        "the first request never reached the origin"
    );
    let response = clients::h1_exchange(addr, b"GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").await;
    assert_eq!(response.status(), 503);
    assert!(
        response.text().starts_with("pool-exhausted (proxy side)"),
        "{}",
        response.text()
    );
    assert_eq!(busy.await.unwrap().status(), 200);
    assert_eq!(
        proxy.metric(
            "tollgate_errors_total",
            &[("blame", "proxy"), ("kind", "pool-exhausted")]
        ),
        1.0
    );
    assert_eq!(server.stats.accepted(), 1);
    proxy.stop().await;
}

#[tokio::test]
async fn concurrent_requests_share_one_h2_origin_connection() {
    const N: usize = 20;
    let (server, proxy) = setup(Speaks::H2).await;
    let send = connect_h2(proxy.addr).await;
    // One request first: the connection is open before the burst.
    let warm = h2_request("GET", proxy.addr, "/").body(()).unwrap();
    assert_eq!(h2_exchange(&send, warm, None, None).await.status(), 200);
    let addr = proxy.addr;
    let requests: Vec<_> = (0..N)
        .map(|_| {
            let send = send.clone();
            tokio::spawn(async move {
                let request = h2_request("GET", addr, "/delay/300").body(()).unwrap();
                h2_exchange(&send, request, None, None).await
            })
        })
        .collect();
    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "delayed");
    }
    assert_eq!(
        server.stats.accepted(),
        1,
        "more than one origin connection"
    );
    assert_eq!(
        server
            .stats
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        N,
        "the requests were not in flight together"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn a_burst_to_a_cold_h2_origin_opens_one_connection() {
    const N: usize = 20;
    let (server, proxy) = setup(Speaks::H2).await;
    let send = connect_h2(proxy.addr).await;
    let addr = proxy.addr;
    // No request first: all of them find the pool empty at once.
    let requests: Vec<_> = (0..N)
        .map(|_| {
            let send = send.clone();
            tokio::spawn(async move {
                let request = h2_request("GET", addr, "/delay/200").body(()).unwrap();
                h2_exchange(&send, request, None, None).await
            })
        })
        .collect();
    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "delayed");
    }
    assert_eq!(
        server.stats.accepted(),
        1,
        "the burst opened more than one origin connection"
    );
    proxy.stop().await;
}
