//! The scripted origin: the script on the first connection, the clean answer afterwards and
//! on other connections, every byte recorded.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tollgate_harness::case::{Case, parse};
use tollgate_harness::origin::{CLEAN_BODY, ScriptedOrigin};

fn case(origin: &str) -> Case {
    let text = format!(
        "id = \"origin.test.scripted\"\ntitle = \"t\"\ntags = [\"t\"]\n\
         [client]\nraw = \"GET / HTTP/1.1\\r\\nHost: o\\r\\n\\r\\n\"\n\
         {origin}\n[expect]\nany_of = [{{ status = 200 }}]\n"
    );
    parse(&text, Path::new("scripted.toml")).unwrap()
}

async fn start(origin: &str) -> ScriptedOrigin {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    ScriptedOrigin::start(&case(origin).origin, any)
        .await
        .unwrap()
}

/// Sends `request` and reads until `want` bytes came or the peer closed.
async fn exchange(stream: &mut TcpStream, request: &[u8], want: usize) -> Vec<u8> {
    stream.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < want {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    got
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: o\r\n\r\n";
const CLEAN: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nfollow-up";

#[tokio::test]
async fn h1_script_then_clean_answers_and_a_record_of_every_byte() {
    let origin = start(
        "[origin]\nscript = [{ expect = \"request\" }, \
         { send = \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\" }]",
    )
    .await;
    let mut first = TcpStream::connect(origin.addr()).await.unwrap();
    let scripted = exchange(&mut first, GET, 43).await;
    assert_eq!(
        scripted,
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    );
    // The script is over: the same connection gets the clean answer…
    assert_eq!(exchange(&mut first, GET, CLEAN.len()).await, CLEAN);
    // …and so does another connection, from its first request.
    let mut second = TcpStream::connect(origin.addr()).await.unwrap();
    assert_eq!(exchange(&mut second, GET, CLEAN.len()).await, CLEAN);
    let record = origin.record();
    assert_eq!(record.requests, 3);
    assert_eq!(record.connections.len(), 2);
    assert_eq!(record.connections[0], [GET, GET].concat());
    assert_eq!(record.connections[1], GET);
}

#[tokio::test]
async fn h1_a_request_hidden_in_a_body_is_seen_as_the_origin_would_see_it() {
    let origin = start(
        "[origin]\nscript = [{ expect = \"request\" }, { expect = \"request\" }, { close = true }]",
    )
    .await;
    let mut client = TcpStream::connect(origin.addr()).await.unwrap();
    let smuggled = b"POST / HTTP/1.1\r\nHost: o\r\nContent-Length: 4\r\n\r\nabcdGET /x HTTP/1.1\r\nHost: o\r\n\r\n";
    let got = exchange(&mut client, smuggled, 1).await;
    assert!(got.is_empty(), "the script closes without answering");
    let record = origin.record();
    assert_eq!(record.connections[0], smuggled);
    // The POST and the GET after its four body bytes: two requests, as a smuggled one is.
    assert_eq!(record.requests, 2);
}

#[tokio::test]
async fn h1_reset_and_half_close() {
    let origin = start("[origin]\nscript = [{ expect = \"request\" }, { reset = true }]").await;
    let mut client = TcpStream::connect(origin.addr()).await.unwrap();
    client.write_all(GET).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), client.read(&mut buf))
        .await
        .unwrap();
    assert_eq!(
        read.map_err(|error| error.kind()),
        Err(std::io::ErrorKind::ConnectionReset)
    );

    let origin = start(
        "[origin]\nscript = [{ expect = \"request\" }, { send = \"HTTP/1.0 200 OK\\r\\n\\r\\nuntil close\" }, \
         { shutdown_write = true }]",
    )
    .await;
    let mut client = TcpStream::connect(origin.addr()).await.unwrap();
    let got = exchange(&mut client, GET, usize::MAX).await;
    assert_eq!(got, b"HTTP/1.0 200 OK\r\n\r\nuntil close");
}

#[tokio::test]
async fn h2_frames_as_scripted_then_clean_streams() {
    let origin = start(
        "[origin]\nprotocol = \"h2\"\nscript = [{ expect = \"request\" }, \
         { frame = { type = \"HEADERS\", stream = 1, flags = [\"END_HEADERS\"], headers = [[\":status\", \"201\"], [\"x-scripted\", \"yes\"]] } }, \
         { frame = { type = \"DATA\", stream = 1, flags = [\"END_STREAM\"], data = \"hi\" } }]",
    )
    .await;
    let tcp = TcpStream::connect(origin.addr()).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let request = http::Request::get("http://o/").body(()).unwrap();
        let (response, _) = client.send_request(request, true).unwrap();
        let response = response.await.unwrap();
        let (parts, mut body) = response.into_parts();
        let mut data = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk: Bytes = chunk.unwrap();
            data.extend_from_slice(&chunk);
        }
        answers.push((
            parts.status.as_u16(),
            parts.headers.contains_key("x-scripted"),
            data,
        ));
        client = client.ready().await.unwrap();
    }
    assert_eq!(answers[0], (201, true, b"hi".to_vec()));
    assert_eq!(answers[1], (200, false, CLEAN_BODY.to_vec()));
    let record = origin.record();
    assert_eq!(record.requests, 2);
    assert!(record.connections[0].starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
}

#[tokio::test]
async fn tls_origins_are_refused_with_a_reason() {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let origin = case("[origin]\ntls = true\nscript = [{ close = true }]").origin;
    let Err(error) = ScriptedOrigin::start(&origin, any).await else {
        panic!("a TLS origin started");
    };
    assert_eq!(error.kind(), std::io::ErrorKind::Unsupported);
    assert!(error.to_string().contains("TLS"), "{error}");
}
