//! Every protocol pair through the running proxy (H1→H1, H1→H2, H2→H1, H2→H2): a small
//! exchange, a 64 MiB upload echoed back while it is still being sent, and a 64 MiB download
//! that the proxy must pace to its reader instead of buffering it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use support::bodies::{BIG, Received, digest_of, pieces};
use support::clients::{self, H1Reader, connect_h1, connect_h2, h2_request, write_counted};
use support::origins::{self, Origin, Speaks};
use support::proxy::TestProxy;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpSocket;

async fn setup(origin: Speaks) -> (Origin, TestProxy) {
    let origin_server = origins::hyper(origin).await;
    let protocol = match origin {
        Speaks::H1 => "h1",
        Speaks::H2 => "h2c",
    };
    let proxy = TestProxy::to(origin_server.addr, protocol).await;
    (origin_server, proxy)
}

fn origin_version(origin: Speaks) -> http::Version {
    match origin {
        Speaks::H1 => http::Version::HTTP_11,
        Speaks::H2 => http::Version::HTTP_2,
    }
}

/// A 1000-byte upload echoed back, and what the origin saw of the request.
async fn small(client: Speaks, origin: Speaks) {
    let (origin_server, proxy) = setup(origin).await;
    let body: Vec<u8> = pieces(1000).flat_map(|piece| piece.to_vec()).collect();
    let (status, echoed, version_seen_by_client) = match client {
        Speaks::H1 => {
            let mut request = format!(
                "POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            request.extend_from_slice(&body);
            let response = clients::h1_exchange(proxy.addr, &request).await;
            assert!(response.complete);
            assert_eq!(response.head.version, "HTTP/1.1");
            (response.status(), response.body, http::Version::HTTP_11)
        }
        Speaks::H2 => {
            let send = connect_h2(proxy.addr).await;
            let request = h2_request("POST", proxy.addr, "/echo").body(()).unwrap();
            let response =
                clients::h2_exchange(&send, request, Some(Bytes::from(body.clone())), None).await;
            assert!(response.error.is_none(), "{:?}", response.error);
            (response.status(), response.body, response.parts.version)
        }
    };
    assert_eq!(status, 200);
    assert_eq!(echoed, body, "the echo differs from the upload");
    assert_eq!(
        version_seen_by_client,
        match client {
            Speaks::H1 => http::Version::HTTP_11,
            Speaks::H2 => http::Version::HTTP_2,
        }
    );
    let seen = origin_server.stats.last();
    assert_eq!(seen.method, http::Method::POST);
    assert_eq!(seen.uri.path(), "/echo");
    assert_eq!(seen.version, origin_version(origin));
    let via = seen.headers.get("via").expect("no Via toward the origin");
    assert!(
        via.to_str().unwrap().ends_with(" tollgate"),
        "Via {via:?} does not name this hop"
    );
    assert_eq!(
        proxy.metric(
            "tollgate_requests_total",
            &[
                ("client", if client == Speaks::H1 { "h1" } else { "h2" }),
                ("origin", if origin == Speaks::H1 { "h1" } else { "h2" }),
                ("status", "200"),
            ],
        ),
        1.0
    );
    proxy.stop().await;
}

/// 64 MiB sent to `/echo` while the echo is read: the digest and length must match, and the
/// first echoed bytes must come back while the upload is still under way, which no proxy that
/// buffers either direction whole could do.
async fn big_echo(client: Speaks, origin: Speaks) {
    let (_origin_server, proxy) = setup(origin).await;
    let started = Instant::now();
    let sent = Arc::new(AtomicU64::new(0));
    let mut received = Received::default();
    let mut sent_at_first: Option<u64> = None;
    match client {
        Speaks::H1 => {
            let (mut reader, mut wr) = connect_h1(proxy.addr).await;
            reader.discard_body_bytes();
            let writer_sent = sent.clone();
            let writer = tokio::spawn(async move {
                let head = format!(
                    "POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: {BIG}\r\n\r\n"
                );
                wr.write_all(head.as_bytes()).await.unwrap();
                write_counted(&mut wr, pieces(BIG), false, &writer_sent).await;
                wr
            });
            let head = reader.head().await.unwrap();
            assert_eq!(head.status, 200);
            let end = reader
                .body(&head, false, &mut |data| {
                    sent_at_first.get_or_insert_with(|| sent.load(Ordering::SeqCst));
                    received.update(data);
                })
                .await;
            assert!(end.complete);
            writer.await.unwrap();
        }
        Speaks::H2 => {
            let send = connect_h2(proxy.addr).await;
            let mut send = send.ready().await.unwrap();
            let request = h2_request("POST", proxy.addr, "/echo")
                .header("content-length", BIG)
                .body(())
                .unwrap();
            let (response, mut stream) = send.send_request(request, false).unwrap();
            let writer_sent = sent.clone();
            let writer = tokio::spawn(async move {
                clients::send_all(&mut stream, pieces(BIG), Some(&writer_sent)).await;
                stream.send_data(Bytes::new(), true).unwrap();
            });
            let response = response.await.unwrap();
            assert_eq!(response.status(), 200);
            let mut recv = response.into_body();
            clients::read_h2_body(&mut recv, &mut |data| {
                sent_at_first.get_or_insert_with(|| sent.load(Ordering::SeqCst));
                received.update(data);
            })
            .await
            .unwrap();
            writer.await.unwrap();
        }
    }
    let (digest, len) = received.finish();
    assert_eq!(len, BIG);
    assert_eq!(digest, digest_of(BIG), "the echo's SHA-256 differs");
    let sent_at_first = sent_at_first.unwrap();
    assert!(
        sent_at_first < BIG,
        "the first echoed byte came back only after all {sent_at_first} bytes were sent"
    );
    eprintln!(
        "{client:?}->{origin:?}: 64 MiB echoed in {:?}; first bytes back after {} MiB sent",
        started.elapsed(),
        sent_at_first >> 20
    );
    proxy.stop().await;
}

/// 64 MiB from `/bytes/N`, which produces only as fast as the server can write. The client
/// reads the head, then nothing for a while: the origin must be held back by then (the proxy
/// keeps a bounded amount per direction, so the origin's writes block) rather than having sent
/// the whole body into the proxy. Then the rest is read and checked.
async fn big_download(client: Speaks, origin: Speaks) {
    let (origin_server, proxy) = setup(origin).await;
    let started = Instant::now();
    let path = format!("/bytes/{BIG}");
    let stats = origin_server.stats.clone();
    let mut received = Received::default();
    let mut generated_at_first: Option<u64> = None;
    // Bounded by the proxy's windows and channels plus the kernel's socket buffers on two
    // loopback connections; far below the body.
    const HELD_BACK: u64 = BIG / 4;
    let pause = Duration::from_millis(300);
    match client {
        Speaks::H1 => {
            // A small receive buffer: the kernel must not soak up what the proxy holds back.
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_recv_buffer_size(64 * 1024).unwrap();
            let tcp = socket.connect(proxy.addr).await.unwrap();
            let (rd, mut wr) = tcp.into_split();
            let mut reader = H1Reader::new(rd);
            reader.discard_body_bytes();
            wr.write_all(format!("GET {path} HTTP/1.1\r\nHost: app.test\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let head = reader.head().await.unwrap();
            assert_eq!(head.status, 200);
            assert_eq!(head.get("content-length"), Some(BIG.to_string().as_str()));
            tokio::time::sleep(pause).await;
            let generated = stats.generated.load(Ordering::SeqCst);
            assert!(
                generated < HELD_BACK,
                "the origin wrote {generated} bytes to a client that read none"
            );
            eprintln!(
                "{client:?}<-{origin:?}: origin held at {} KiB",
                generated >> 10
            );
            let end = reader
                .body(&head, false, &mut |data| {
                    generated_at_first
                        .get_or_insert_with(|| stats.generated.load(Ordering::SeqCst));
                    received.update(data);
                })
                .await;
            assert!(end.complete);
        }
        Speaks::H2 => {
            let send = connect_h2(proxy.addr).await;
            let mut send = send.ready().await.unwrap();
            let request = h2_request("GET", proxy.addr, &path).body(()).unwrap();
            let (response, _) = send.send_request(request, true).unwrap();
            let response = response.await.unwrap();
            assert_eq!(response.status(), 200);
            tokio::time::sleep(pause).await;
            let generated = stats.generated.load(Ordering::SeqCst);
            assert!(
                generated < HELD_BACK,
                "the origin wrote {generated} bytes to a client that read none"
            );
            eprintln!(
                "{client:?}<-{origin:?}: origin held at {} KiB",
                generated >> 10
            );
            let mut recv = response.into_body();
            clients::read_h2_body(&mut recv, &mut |data| {
                generated_at_first.get_or_insert_with(|| stats.generated.load(Ordering::SeqCst));
                received.update(data);
            })
            .await
            .unwrap();
        }
    }
    let (digest, len) = received.finish();
    assert_eq!(len, BIG);
    assert_eq!(digest, digest_of(BIG), "the download's SHA-256 differs");
    assert!(generated_at_first.unwrap() < BIG);
    eprintln!(
        "{client:?}<-{origin:?}: 64 MiB downloaded in {:?}",
        started.elapsed()
    );
    proxy.stop().await;
}

macro_rules! pair_tests {
    ($($name:ident: $client:ident -> $origin:ident;)*) => {
        $(
            mod $name {
                use super::*;

                #[tokio::test]
                async fn small_body_echoed() {
                    small(Speaks::$client, Speaks::$origin).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn upload_of_64_mib_echoed_while_streaming() {
                    big_echo(Speaks::$client, Speaks::$origin).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn download_of_64_mib_paced_by_the_client() {
                    big_download(Speaks::$client, Speaks::$origin).await;
                }
            }
        )*
    };
}

pair_tests! {
    h1_to_h1: H1 -> H1;
    h1_to_h2: H1 -> H2;
    h2_to_h1: H2 -> H1;
    h2_to_h2: H2 -> H2;
}
