//! An `h2` client reaching a broken origin through the repair shim, on loopback: for every
//! deviation the default policy repairs in a response, a test origin commits it, and the client
//! must get the response the origin meant, while the anomaly is recorded. The same origins
//! reached without the shim show what `h2` alone does with them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions: a failure is a failed test"
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tollgate_codecs::h2::frame::{
    ErrorCode, FrameBody, FrameDecoder, FrameType, Preface, Priority, SettingId, flags,
};
use tollgate_codecs::h2::hpack::{Encoder, HeaderField};
use tollgate_codecs::h2::script::{FrameSpec, Script};
use tollgate_codecs::h2::shim::Shim;
use tollgate_codecs::{Action, Anomaly, Deviation, MessageKind, Policy, Preset, Side};
use tollgate_proxy::h2::{Report, Shimmed};

/// Writes the origin's answer to the request on stream 1: everything after its SETTINGS.
type Answer = fn(&mut Encoder) -> Bytes;

/// One broken origin.
struct Case {
    deviation: Deviation,
    /// The origin's first SETTINGS frame, when the case is in it.
    settings: Option<fn() -> Bytes>,
    /// The acknowledgement of the client's SETTINGS, when the case is in it.
    ack: Option<fn() -> Bytes>,
    answer: Answer,
    /// The header fields the client must get (beyond :status 200).
    headers: &'static [(&'static str, &'static str)],
    trailers: &'static [(&'static str, &'static str)],
}

fn block(encoder: &mut Encoder, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut block = BytesMut::new();
    encoder.encode(
        fields
            .iter()
            .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
        &mut block,
    );
    block.to_vec()
}

/// A response with `fields`, then `hello` ending the stream.
fn respond(encoder: &mut Encoder, fields: &[(&str, &str)]) -> Script {
    let mut script = Script::new();
    script
        .headers(1, &block(encoder, fields), flags::END_HEADERS)
        .data(1, b"hello", flags::END_STREAM, None);
    script
}

fn ok(encoder: &mut Encoder) -> Script {
    respond(encoder, &[(":status", "200")])
}

/// `frames`, then a plain response.
fn before(frames: &mut Script, encoder: &mut Encoder) -> Bytes {
    frames.raw(&ok(encoder).bytes());
    frames.bytes()
}

fn frame_cases() -> Vec<Case> {
    fn case(deviation: Deviation, answer: Answer) -> Case {
        Case {
            deviation,
            settings: None,
            ack: None,
            answer,
            headers: &[],
            trailers: &[],
        }
    }
    vec![
        case(Deviation::H2DataOnStreamZero, |e| {
            before(Script::new().data(0, b"stray", 0, None), e)
        }),
        case(Deviation::H2PaddingNotZero, |e| {
            let mut script = Script::new();
            script
                .headers(1, &block(e, &[(":status", "200")]), flags::END_HEADERS)
                .frame(
                    FrameSpec::new(FrameType::DATA, 1)
                        .flags(flags::PADDED | flags::END_STREAM)
                        .payload(b"\x02hello\xff\xff"),
                );
            script.bytes()
        }),
        case(Deviation::H2PriorityBadLength, |e| {
            before(
                Script::new().frame(FrameSpec::new(FrameType::PRIORITY, 1).payload(&[0; 4])),
                e,
            )
        }),
        case(Deviation::H2PrioritySelfDependency, |e| {
            let priority = Priority {
                exclusive: false,
                dependency: 1,
                weight: 16,
            };
            before(Script::new().priority(1, priority), e)
        }),
        case(Deviation::H2PriorityOnStreamZero, |e| {
            let priority = Priority {
                exclusive: false,
                dependency: 1,
                weight: 16,
            };
            before(Script::new().priority(0, priority), e)
        }),
        case(Deviation::H2RstStreamOnStreamZero, |e| {
            before(Script::new().rst_stream(0, ErrorCode::CANCEL), e)
        }),
        case(Deviation::H2WindowUpdateZero, |e| {
            before(Script::new().window_update(1, 0), e)
        }),
        case(Deviation::H2ReservedBitSet, |e| {
            before(
                Script::new().frame(
                    FrameSpec::new(FrameType::WINDOW_UPDATE, 0)
                        .reserved()
                        .payload(&1000u32.to_be_bytes()),
                ),
                e,
            )
        }),
        case(Deviation::H2UnknownFrameType, |e| {
            before(
                Script::new().frame(FrameSpec::new(FrameType(0xbb), 1).payload(b"ext")),
                e,
            )
        }),
        case(Deviation::H2UndefinedFlags, |e| {
            let mut script = Script::new();
            script
                .headers(1, &block(e, &[(":status", "200")]), flags::END_HEADERS)
                .data(1, b"hello", flags::END_STREAM | 0x2, None);
            script.bytes()
        }),
        Case {
            settings: Some(|| {
                Script::new()
                    .settings(&[
                        (SettingId::ENABLE_PUSH, 2),
                        (SettingId::MAX_CONCURRENT_STREAMS, 100),
                    ])
                    .bytes()
            }),
            ..case(Deviation::H2SettingsInvalidValue, |e| ok(e).bytes())
        },
        Case {
            ack: Some(|| {
                Script::new()
                    .frame(
                        FrameSpec::new(FrameType::SETTINGS, 0)
                            .flags(flags::ACK)
                            .payload(&[0, 3, 0, 0, 0, 100]),
                    )
                    .bytes()
            }),
            ..case(Deviation::H2SettingsAckWithPayload, |e| ok(e).bytes())
        },
    ]
}

fn header_cases() -> Vec<Case> {
    fn case(
        deviation: Deviation,
        answer: Answer,
        headers: &'static [(&'static str, &'static str)],
    ) -> Case {
        Case {
            deviation,
            settings: None,
            ack: None,
            answer,
            headers,
            trailers: &[],
        }
    }
    vec![
        case(
            Deviation::H2UppercaseHeaderName,
            |e| respond(e, &[(":status", "200"), ("Content-Type", "text/plain")]).bytes(),
            &[("content-type", "text/plain")],
        ),
        case(
            Deviation::H2InvalidHeaderName,
            |e| respond(e, &[(":status", "200"), ("bad name", "1"), ("x-ok", "2")]).bytes(),
            &[("x-ok", "2")],
        ),
        case(
            Deviation::H2InvalidHeaderValue,
            |e| respond(e, &[(":status", "200"), ("x-a", "a\nb")]).bytes(),
            &[("x-a", "a b")],
        ),
        case(
            Deviation::H2HeaderValueWhitespace,
            |e| respond(e, &[(":status", "200"), ("x-a", " v ")]).bytes(),
            &[("x-a", "v")],
        ),
        case(
            Deviation::H2ConnectionSpecificHeader,
            |e| {
                respond(
                    e,
                    &[
                        (":status", "200"),
                        ("connection", "close"),
                        ("transfer-encoding", "chunked"),
                        ("x-ok", "1"),
                    ],
                )
                .bytes()
            },
            &[("x-ok", "1")],
        ),
        case(
            Deviation::H2TeNotTrailers,
            |e| respond(e, &[(":status", "200"), ("te", "gzip")]).bytes(),
            &[],
        ),
        case(
            Deviation::H2PseudoAfterRegular,
            |e| respond(e, &[("x-a", "1"), (":status", "200")]).bytes(),
            &[("x-a", "1")],
        ),
        case(
            Deviation::H2DuplicatePseudo,
            |e| respond(e, &[(":status", "200"), (":status", "200")]).bytes(),
            &[],
        ),
        case(
            Deviation::H2UnknownPseudo,
            |e| respond(e, &[(":status", "200"), (":version", "2")]).bytes(),
            &[],
        ),
        case(
            Deviation::H2ContentLengthInvalid,
            |e| respond(e, &[(":status", "200"), ("content-length", "5 bytes")]).bytes(),
            &[],
        ),
        Case {
            trailers: &[("grpc-status", "0")],
            ..case(
                Deviation::H2PseudoInTrailers,
                |e| {
                    let head = block(e, &[(":status", "200")]);
                    let trailers = block(e, &[(":status", "200"), ("grpc-status", "0")]);
                    Script::new()
                        .headers(1, &head, flags::END_HEADERS)
                        .data(1, b"hello", 0, None)
                        .headers(1, &trailers, flags::END_HEADERS | flags::END_STREAM)
                        .bytes()
                },
                &[],
            )
        },
    ]
}

/// A test origin serving one case per connection; frames the client sends after its request
/// are kept (the shim's own among them).
struct Origin {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<(FrameType, u32, FrameBody)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn origin(
    settings: Option<fn() -> Bytes>,
    ack: Option<fn() -> Bytes>,
    answer: Answer,
) -> Origin {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp, settings, ack, answer, sink.clone()));
        }
    });
    Origin {
        addr,
        received,
        task,
    }
}

async fn serve(
    mut tcp: TcpStream,
    settings: Option<fn() -> Bytes>,
    ack: Option<fn() -> Bytes>,
    answer: Answer,
    sink: Arc<Mutex<Vec<(FrameType, u32, FrameBody)>>>,
) {
    let first = settings.map_or_else(|| Script::new().settings(&[]).bytes(), |make| make());
    if tcp.write_all(&first).await.is_err() {
        return;
    }
    let mut decoder = FrameDecoder::new(Preface::Expected);
    let mut buf = BytesMut::new();
    let mut answered = false;
    let mut encoder = Encoder::new();
    loop {
        while let Ok(Some(frame)) = decoder.decode(&mut buf) {
            match (frame.kind(), answered) {
                (FrameType::SETTINGS, _) if !frame.has(flags::ACK) => {
                    let ack = ack.map_or_else(|| Script::new().settings_ack().bytes(), |m| m());
                    if tcp.write_all(&ack).await.is_err() {
                        return;
                    }
                }
                (FrameType::HEADERS, false) => {
                    answered = true;
                    if tcp.write_all(&answer(&mut encoder)).await.is_err() {
                        return;
                    }
                }
                (kind, true) => {
                    sink.lock()
                        .unwrap()
                        .push((kind, frame.stream(), frame.body));
                }
                _ => {}
            }
        }
        match tcp.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// What the client got.
#[derive(Debug)]
struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
}

fn pairs(map: &http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// One GET through an `h2` client over `io`.
async fn get<T>(io: T) -> Result<Got, h2::Error>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut client, connection) = h2::client::handshake(io).await?;
    let driver = tokio::spawn(connection);
    let request = http::Request::get("http://origin.test/").body(()).unwrap();
    let (response, _) = client.send_request(request, true)?;
    let response = response.await?;
    let status = response.status().as_u16();
    let headers = pairs(response.headers());
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    let trailers = body
        .trailers()
        .await?
        .map(|t| pairs(&t))
        .unwrap_or_default();
    drop(client);
    driver.abort();
    Ok(Got {
        status,
        headers,
        body: bytes,
        trailers,
    })
}

async fn through_shim(addr: SocketAddr, policy: Policy) -> (Result<Got, h2::Error>, Vec<Anomaly>) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let anomalies = Arc::new(Mutex::new(Vec::new()));
    let sink = anomalies.clone();
    let report: Report = Arc::new(move |found: Vec<Anomaly>| sink.lock().unwrap().extend(found));
    let io = Shimmed::new(tcp, Shim::new(Arc::new(policy)), report);
    let got = tokio::time::timeout(Duration::from_secs(10), get(io))
        .await
        .expect("the exchange finishes");
    let anomalies = anomalies.lock().unwrap().clone();
    (got, anomalies)
}

async fn direct(addr: SocketAddr) -> Result<Got, h2::Error> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), get(tcp))
        .await
        .expect("the exchange finishes")
}

#[tokio::test]
async fn every_response_repair_recovers_the_response_through_the_shim() {
    let cases: Vec<Case> = frame_cases().into_iter().chain(header_cases()).collect();
    // Every deviation the default policy repairs in a response has a case here.
    let policy = Policy::default();
    let repaired: Vec<Deviation> = Deviation::ALL
        .iter()
        .copied()
        .filter(|d| d.info().protocol() == "h2")
        .filter(|d| {
            policy.effective_action(Side::Origin, *d, MessageKind::Response) == Action::Repair
                && d.info().applies_to.includes(MessageKind::Response)
        })
        .collect();
    for deviation in &repaired {
        assert!(
            cases.iter().any(|case| case.deviation == *deviation),
            "{deviation} has no origin case"
        );
    }
    let mut h2_alone_failed = Vec::new();
    for case in &cases {
        let origin = origin(case.settings, case.ack, case.answer).await;
        let (got, anomalies) = through_shim(origin.addr, Policy::default()).await;
        let got = got.unwrap_or_else(|error| panic!("{}: {error}", case.deviation));
        assert_eq!(got.status, 200, "{}", case.deviation);
        assert_eq!(got.body, b"hello", "{}", case.deviation);
        let expected: Vec<(String, String)> = case
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(got.headers, expected, "{}", case.deviation);
        let trailers: Vec<(String, String)> = case
            .trailers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(got.trailers, trailers, "{}", case.deviation);
        let found: Vec<(Deviation, Action)> =
            anomalies.iter().map(|a| (a.deviation, a.action)).collect();
        assert_eq!(
            found,
            vec![(case.deviation, Action::Repair)],
            "{}",
            case.deviation
        );
        let alone = direct(origin.addr).await;
        let recovered = alone
            .as_ref()
            .is_ok_and(|got| got.status == 200 && got.body == b"hello" && got.headers == expected);
        if !recovered {
            h2_alone_failed.push(case.deviation);
        }
    }
    println!(
        "h2 without the shim fails or alters {} of {} cases: {:?}",
        h2_alone_failed.len(),
        cases.len(),
        h2_alone_failed
    );
    // The shim earns its place: most of these break h2 on its own.
    assert!(h2_alone_failed.len() * 2 > cases.len());
}

#[tokio::test]
async fn flow_control_credit_for_stripped_padding_reaches_the_origin() {
    let case = &frame_cases()[1];
    assert_eq!(case.deviation, Deviation::H2PaddingNotZero);
    let origin = origin(case.settings, case.ack, case.answer).await;
    let (got, _) = through_shim(origin.addr, Policy::default()).await;
    assert_eq!(got.unwrap().body, b"hello");
    // The shim's WINDOW_UPDATE for the pad length byte and two padding bytes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let credited = origin
            .received
            .lock()
            .unwrap()
            .iter()
            .any(|(kind, stream, body)| {
                *kind == FrameType::WINDOW_UPDATE
                    && *stream == 0
                    && *body == FrameBody::WindowUpdate { increment: 3 }
            });
        if credited {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no credit returned");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_content_length_mismatch_is_refused_by_default_and_delivered_when_lenient() {
    let answer: Answer = |e| respond(e, &[(":status", "200"), ("content-length", "3")]).bytes();
    let origin = origin(None, None, answer).await;
    let (got, anomalies) = through_shim(origin.addr, Policy::default()).await;
    let error = got.expect_err("refused");
    assert_eq!(error.reason(), Some(h2::Reason::PROTOCOL_ERROR));
    assert_eq!(
        anomalies
            .iter()
            .map(|a| (a.deviation, a.action))
            .collect::<Vec<_>>(),
        vec![(Deviation::H2ContentLengthMismatch, Action::Reject)]
    );
    let (got, anomalies) = through_shim(origin.addr, Policy::preset(Preset::Lenient)).await;
    let got = got.unwrap();
    assert_eq!(got.body, b"hello");
    assert!(got.headers.is_empty(), "content-length withheld: {got:?}");
    assert_eq!(
        anomalies
            .iter()
            .map(|a| (a.deviation, a.action))
            .collect::<Vec<_>>(),
        vec![(Deviation::H2ContentLengthMismatch, Action::Repair)]
    );
}

#[tokio::test]
async fn corrupt_hpack_fails_the_request_with_compression_error() {
    let answer: Answer = |_| {
        Script::new()
            .headers(1, &[0x80 | 99], flags::END_HEADERS | flags::END_STREAM)
            .bytes()
    };
    let origin = origin(None, None, answer).await;
    let (got, anomalies) = through_shim(origin.addr, Policy::default()).await;
    let error = got.expect_err("refused");
    assert_eq!(
        error.reason(),
        Some(h2::Reason::COMPRESSION_ERROR),
        "{error}"
    );
    assert_eq!(anomalies[0].deviation, Deviation::H2HpackInvalid);
    // The origin was told why.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let told = origin.received.lock().unwrap().iter().any(|(kind, _, body)| {
            *kind == FrameType::GOAWAY
                && matches!(body, FrameBody::GoAway { code, .. } if *code == ErrorCode::COMPRESSION_ERROR)
        });
        if told {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no GOAWAY to the origin"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// An origin answering every request on its connection with fields that churn its HPACK
/// table, using the table size the client announced.
async fn churning_origin() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let Ok((mut tcp, _)) = listener.accept().await else {
            return;
        };
        let mut decoder = FrameDecoder::new(Preface::Expected);
        let mut buf = BytesMut::new();
        let mut encoder = Encoder::new();
        let mut out = Script::new();
        out.settings(&[(SettingId::HEADER_TABLE_SIZE, 512)]);
        if tcp.write_all(&out.take()).await.is_err() {
            return;
        }
        loop {
            while let Ok(Some(frame)) = decoder.decode(&mut buf) {
                match &frame.body {
                    FrameBody::Settings(settings) if !frame.has(flags::ACK) => {
                        for (id, value) in settings {
                            if *id == SettingId::HEADER_TABLE_SIZE {
                                encoder.set_max_table_size(*value as usize);
                            }
                        }
                        out.settings_ack();
                    }
                    FrameBody::Headers { .. } => {
                        let stream = frame.stream();
                        let tag = format!("value-for-stream-{stream}-{}", "x".repeat(40));
                        let block = block(
                            &mut encoder,
                            &[
                                (":status", "200"),
                                ("x-stream", &stream.to_string()),
                                ("x-churn", &tag),
                                ("X-Upper", "repaired"),
                            ],
                        );
                        out.headers(stream, &block, flags::END_HEADERS).data(
                            stream,
                            tag.as_bytes(),
                            flags::END_STREAM,
                            None,
                        );
                    }
                    _ => {}
                }
            }
            if tcp.write_all(&out.take()).await.is_err() {
                return;
            }
            match tcp.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    });
    (addr, task)
}

#[tokio::test]
async fn many_exchanges_on_one_connection_keep_both_hpack_contexts_in_step() {
    let (addr, origin) = churning_origin().await;
    let tcp = TcpStream::connect(addr).await.unwrap();
    let anomalies = Arc::new(Mutex::new(Vec::new()));
    let sink = anomalies.clone();
    let report: Report = Arc::new(move |found: Vec<Anomaly>| sink.lock().unwrap().extend(found));
    let io = Shimmed::new(tcp, Shim::new(Arc::new(Policy::default())), report);
    // h2 asks for a small table: the shim's encoder must follow it once the origin acknowledges.
    let (client, connection) = h2::client::Builder::new()
        .header_table_size(256)
        .handshake::<_, Bytes>(io)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    for round in 0..40u32 {
        let request = http::Request::get(format!("http://origin.test/{round}"))
            .header("x-round", round.to_string())
            .body(())
            .unwrap();
        let (response, _) = client.send_request(request, true).unwrap();
        let response = tokio::time::timeout(Duration::from_secs(5), response)
            .await
            .expect("answered")
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        let stream = 1 + 2 * round;
        assert_eq!(response.headers()["x-stream"], stream.to_string().as_str());
        assert_eq!(response.headers()["x-upper"], "repaired");
        let tag = response.headers()["x-churn"].to_str().unwrap().to_owned();
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            let _ = body.flow_control().release_capacity(chunk.len());
            bytes.extend_from_slice(&chunk);
        }
        assert_eq!(bytes, tag.as_bytes(), "round {round}");
        client = client.ready().await.unwrap();
    }
    let found = anomalies.lock().unwrap().clone();
    assert_eq!(found.len(), 40, "one repair per response: {found:?}");
    assert!(
        found
            .iter()
            .all(|a| a.deviation == Deviation::H2UppercaseHeaderName && a.action == Action::Repair)
    );
    driver.abort();
    origin.abort();
}
