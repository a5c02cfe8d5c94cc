//! The HTTP/2 frame layer: frames round-trip, decoding does not depend on read sizes, and
//! every HTTP/2 deviation (frame-level and message-level) behaves as the catalogue says on
//! both sides and under each action it supports.

#![allow(
    clippy::unwrap_used,
    reason = "helpers outside #[test] functions: a failed unwrap is a failed test"
)]

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use tollgate_codecs::h2::frame::{
    ErrorCode, Frame, FrameBody, FrameDecoder, FrameErrorKind, FrameHeader, FrameType, Padding,
    Preface, Priority, SettingId, flags,
};
use tollgate_codecs::h2::script::{FrameSpec, Script};
use tollgate_codecs::h2::{BlockRole, Checker, HeaderField, Scope, WireAnswer};
use tollgate_codecs::{Action, Anomaly, Deviation, Policy, Preset, Side};

// ---------------------------------------------------------------------------------------------
// round trips and read splits

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn padding() -> impl Strategy<Value = Option<Padding>> {
    proptest::option::of(bytes(20).prop_map(|bytes| Padding { bytes }))
}

fn priority() -> impl Strategy<Value = Priority> {
    (any::<bool>(), 0u32..0x8000_0000, any::<u8>()).prop_map(|(exclusive, dependency, weight)| {
        Priority {
            exclusive,
            dependency,
            weight,
        }
    })
}

/// Frames whose payload has its type's shape, with the flags that shape implies.
fn frame() -> impl Strategy<Value = Frame> {
    let body = prop_oneof![
        (bytes(40), padding())
            .prop_map(|(data, padding)| (FrameType::DATA, FrameBody::Data { data, padding })),
        (proptest::option::of(priority()), bytes(40), padding()).prop_map(
            |(priority, fragment, padding)| (
                FrameType::HEADERS,
                FrameBody::Headers {
                    priority,
                    fragment,
                    padding
                }
            )
        ),
        priority().prop_map(|p| (FrameType::PRIORITY, FrameBody::Priority(p))),
        any::<u32>().prop_map(|c| (FrameType::RST_STREAM, FrameBody::RstStream(ErrorCode(c)))),
        proptest::collection::vec((any::<u16>(), any::<u32>()), 0..6).prop_map(|s| (
            FrameType::SETTINGS,
            FrameBody::Settings(s.into_iter().map(|(id, v)| (SettingId(id), v)).collect())
        )),
        (0u32..0x8000_0000, bytes(30), padding()).prop_map(|(promised, fragment, padding)| (
            FrameType::PUSH_PROMISE,
            FrameBody::PushPromise {
                promised,
                fragment,
                padding
            }
        )),
        any::<[u8; 8]>().prop_map(|o| (FrameType::PING, FrameBody::Ping(o))),
        (0u32..0x8000_0000, any::<u32>(), bytes(20)).prop_map(|(last_stream, c, debug)| (
            FrameType::GOAWAY,
            FrameBody::GoAway {
                last_stream,
                code: ErrorCode(c),
                debug
            }
        )),
        (0u32..0x8000_0000).prop_map(|increment| (
            FrameType::WINDOW_UPDATE,
            FrameBody::WindowUpdate { increment }
        )),
        bytes(40).prop_map(|fragment| (
            FrameType::CONTINUATION,
            FrameBody::Continuation { fragment }
        )),
        (10u8..=255, bytes(40))
            .prop_map(|(kind, payload)| (FrameType(kind), FrameBody::Unknown(payload))),
    ];
    (body, any::<u8>(), 0u32..0x8000_0000, any::<bool>()).prop_map(
        |((kind, body), flags_bits, stream, reserved)| {
            // The flags that say which optional parts are present must match the body.
            let mut flag_bits = flags_bits & !(flags::PADDED | flags::PRIORITY);
            if let FrameBody::Data { padding, .. }
            | FrameBody::Headers { padding, .. }
            | FrameBody::PushPromise { padding, .. } = &body
                && padding.is_some()
            {
                flag_bits |= flags::PADDED;
            }
            if let FrameBody::Headers {
                priority: Some(_), ..
            } = &body
            {
                flag_bits |= flags::PRIORITY;
            }
            if kind == FrameType::SETTINGS {
                flag_bits &= !flags::ACK;
            }
            let mut frame = Frame {
                header: FrameHeader {
                    length: 0,
                    kind,
                    flags: flag_bits,
                    stream,
                    reserved,
                },
                body,
            };
            frame.header.length = u32::try_from(frame.encoded_len() - 9).unwrap();
            frame
        },
    )
}

fn decode_all(input: &[u8], reads: &[usize]) -> (Vec<Frame>, Option<FrameErrorKind>) {
    let mut decoder = FrameDecoder::new(Preface::None);
    decoder.set_max_frame_size(1 << 20);
    let mut buf = BytesMut::new();
    let mut fed = 0;
    let mut reads = reads.iter();
    let mut frames = Vec::new();
    loop {
        match decoder.decode(&mut buf) {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) if fed < input.len() => {
                let size = reads.next().copied().unwrap_or(input.len()).max(1);
                let end = (fed + size).min(input.len());
                buf.extend_from_slice(&input[fed..end]);
                fed = end;
            }
            Ok(None) => {
                let error = decoder.decode_eof(&mut buf).err().map(|e| e.kind);
                return (frames, error);
            }
            Err(error) => return (frames, Some(error.kind)),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(500)
    ))]

    #[test]
    fn frames_round_trip(frames in proptest::collection::vec(frame(), 1..6)) {
        let mut wire = BytesMut::new();
        for frame in &frames {
            frame.encode(&mut wire);
        }
        let (decoded, error) = decode_all(&wire, &[]);
        prop_assert_eq!(error, None);
        prop_assert_eq!(decoded, frames);
    }

    #[test]
    fn decoding_does_not_depend_on_read_sizes(
        frames in proptest::collection::vec(frame(), 0..5),
        tail in proptest::collection::vec(any::<u8>(), 0..40),
        reads in proptest::collection::vec(1usize..30, 0..12),
    ) {
        let mut wire = BytesMut::new();
        for frame in &frames {
            frame.encode(&mut wire);
        }
        wire.extend_from_slice(&tail);
        prop_assert_eq!(decode_all(&wire, &reads), decode_all(&wire, &[]));
        prop_assert_eq!(decode_all(&wire, &vec![1; wire.len()]), decode_all(&wire, &[]));
    }

    #[test]
    fn decoded_frames_re_encode_to_their_bytes(input in proptest::collection::vec(any::<u8>(), 0..200)) {
        let (frames, _) = decode_all(&input, &[]);
        let mut wire = BytesMut::new();
        for frame in &frames {
            frame.encode(&mut wire);
        }
        // Only reserved bits inside payloads (stream dependencies, promised and last stream
        // ids, increments) are not kept; everything else comes back byte for byte.
        let (again, _) = decode_all(&wire, &[]);
        prop_assert_eq!(again.len(), frames.len());
        for (a, b) in again.iter().zip(&frames) {
            prop_assert_eq!(a.header, b.header);
        }
    }
}

#[test]
fn the_preface_is_checked_byte_by_byte_and_oversized_frames_refused() {
    let mut decoder = FrameDecoder::new(Preface::Expected);
    let mut buf = BytesMut::from(&b"PRI * HTTP/2.0\r\n"[..]);
    assert_eq!(decoder.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\r\nSN");
    assert_eq!(
        decoder.decode(&mut buf).unwrap_err().kind,
        FrameErrorKind::BadPreface
    );

    let mut decoder = FrameDecoder::new(Preface::None);
    let mut buf = BytesMut::new();
    FrameSpec::new(FrameType::DATA, 1)
        .length(16_385)
        .encode(&mut buf);
    let error = decoder.decode(&mut buf).unwrap_err();
    assert_eq!(
        error.kind,
        FrameErrorKind::FrameTooLarge {
            length: 16_385,
            max: 16_384
        }
    );
    assert_eq!(error.kind.code(), ErrorCode::FRAME_SIZE_ERROR);
}

// ---------------------------------------------------------------------------------------------
// frame-level deviations

/// What the checker made of a script.
#[derive(Debug)]
struct Run {
    passed: Vec<Option<Frame>>,
    error: Option<tollgate_codecs::h2::Error>,
    anomalies: Vec<Anomaly>,
}

fn run(script: &Script, policy: &Policy, side: Side) -> Run {
    let mut decoder = FrameDecoder::new(Preface::None);
    let mut checker = Checker::new(Arc::new(policy.clone()), side);
    let mut buf = BytesMut::from(&script.bytes()[..]);
    let mut passed = Vec::new();
    let mut error = None;
    let mut offset = 0;
    while let Some(frame) = decoder.decode(&mut buf).unwrap() {
        match checker.check(frame, offset) {
            Ok(frame) => passed.push(frame),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        offset = decoder.offset();
    }
    Run {
        passed,
        error,
        anomalies: checker.take_anomalies(),
    }
}

type Check = fn(&Run);

struct Case {
    deviation: Deviation,
    script: fn() -> Script,
    /// The scope and code of the rejection.
    scope: Scope,
    code: ErrorCode,
    repaired: Option<Check>,
    accepted: Option<Check>,
}

fn script(build: impl FnOnce(&mut Script)) -> Script {
    let mut script = Script::new();
    build(&mut script);
    script
}

fn last(run: &Run) -> &Option<Frame> {
    run.passed.last().unwrap()
}

fn dropped(run: &Run) {
    assert_eq!(last(run), &None, "{run:#?}");
}

fn frame_cases() -> Vec<Case> {
    use Deviation as D;
    let conn = |code| (Scope::Connection, code);
    let case = |deviation, script: fn() -> Script, (scope, code): (Scope, ErrorCode)| Case {
        deviation,
        script,
        scope,
        code,
        repaired: None,
        accepted: None,
    };
    vec![
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2DataOnStreamZero,
                || {
                    script(|s| {
                        s.data(0, b"x", 0, None);
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2HeadersOnStreamZero,
            || {
                script(|s| {
                    s.headers(0, &[0x82], flags::END_HEADERS);
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2PaddingExceedsPayload,
            || {
                script(|s| {
                    s.frame(
                        FrameSpec::new(FrameType::DATA, 1)
                            .flags(flags::PADDED)
                            .payload(&[5, 1, 2]),
                    );
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        Case {
            repaired: Some(|run| {
                let frame = last(run).as_ref().unwrap();
                assert!(!frame.has(flags::PADDED));
                assert_eq!(
                    frame.body,
                    FrameBody::Data {
                        data: Bytes::from_static(b"ab"),
                        padding: None
                    }
                );
            }),
            accepted: Some(|run| {
                let frame = last(run).as_ref().unwrap();
                assert!(frame.has(flags::PADDED));
            }),
            ..case(
                D::H2PaddingNotZero,
                || {
                    script(|s| {
                        s.frame(
                            FrameSpec::new(FrameType::DATA, 1)
                                .flags(flags::PADDED)
                                .payload(&[2, b'a', b'b', 7, 7]),
                        );
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2PriorityBadLength,
                || {
                    script(|s| {
                        s.frame(FrameSpec::new(FrameType::PRIORITY, 3).payload(&[0, 0, 0, 1]));
                    })
                },
                (Scope::Stream(3), ErrorCode::FRAME_SIZE_ERROR),
            )
        },
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2PrioritySelfDependency,
                || {
                    script(|s| {
                        s.priority(
                            5,
                            Priority {
                                exclusive: false,
                                dependency: 5,
                                weight: 15,
                            },
                        );
                    })
                },
                (Scope::Stream(5), ErrorCode::PROTOCOL_ERROR),
            )
        },
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2PriorityOnStreamZero,
                || {
                    script(|s| {
                        s.priority(
                            0,
                            Priority {
                                exclusive: false,
                                dependency: 1,
                                weight: 15,
                            },
                        );
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2RstStreamBadLength,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::RST_STREAM, 1).payload(&[0, 0, 8]));
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2RstStreamOnStreamZero,
                || {
                    script(|s| {
                        s.rst_stream(0, ErrorCode::CANCEL);
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2SettingsOnStream,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::SETTINGS, 1));
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2SettingsBadLength,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::SETTINGS, 0).payload(&[0, 3, 0, 0, 0]));
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
        Case {
            repaired: Some(|run| {
                let frame = last(run).as_ref().unwrap();
                assert_eq!(frame.body, FrameBody::Settings(Vec::new()));
                assert!(frame.has(flags::ACK));
            }),
            ..case(
                D::H2SettingsAckWithPayload,
                || {
                    script(|s| {
                        s.frame(
                            FrameSpec::new(FrameType::SETTINGS, 0)
                                .flags(flags::ACK)
                                .payload(&[0, 3, 0, 0, 0, 100]),
                        );
                    })
                },
                conn(ErrorCode::FRAME_SIZE_ERROR),
            )
        },
        Case {
            repaired: Some(|run| {
                let frame = last(run).as_ref().unwrap();
                assert_eq!(
                    frame.body,
                    FrameBody::Settings(vec![(SettingId::MAX_CONCURRENT_STREAMS, 10)])
                );
            }),
            ..case(
                D::H2SettingsInvalidValue,
                || {
                    script(|s| {
                        s.settings(&[
                            (SettingId::ENABLE_PUSH, 2),
                            (SettingId::MAX_CONCURRENT_STREAMS, 10),
                        ]);
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2PushPromiseFromClient,
            || {
                script(|s| {
                    s.frame(
                        FrameSpec::new(FrameType::PUSH_PROMISE, 1)
                            .flags(flags::END_HEADERS)
                            .payload(&[0, 0, 0, 2, 0x82]),
                    );
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2PushPromiseUnwanted,
            || {
                script(|s| {
                    s.frame(
                        FrameSpec::new(FrameType::PUSH_PROMISE, 1)
                            .flags(flags::END_HEADERS)
                            .payload(&[0, 0, 0, 2, 0x82]),
                    );
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2PingBadLength,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::PING, 0).payload(&[0; 7]));
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
        case(
            D::H2PingOnStream,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::PING, 1).payload(&[0; 8]));
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2GoAwayOnStream,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::GOAWAY, 1).payload(&[0; 8]));
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2GoAwayBadLength,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::GOAWAY, 0).payload(&[0; 7]));
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
        Case {
            repaired: Some(dropped),
            ..case(
                D::H2WindowUpdateZero,
                || {
                    script(|s| {
                        s.window_update(7, 0);
                    })
                },
                (Scope::Stream(7), ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2WindowUpdateBadLength,
            || {
                script(|s| {
                    s.frame(FrameSpec::new(FrameType::WINDOW_UPDATE, 0).payload(&[0, 0, 1]));
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
        case(
            D::H2ContinuationUnexpected,
            || {
                script(|s| {
                    s.continuation(1, &[0x82], flags::END_HEADERS);
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2HeaderBlockInterrupted,
            || {
                script(|s| {
                    s.headers(1, &[0x82], 0).ping([0; 8], false);
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        Case {
            repaired: Some(|run| assert!(!last(run).as_ref().unwrap().header.reserved)),
            accepted: Some(|run| assert!(last(run).as_ref().unwrap().header.reserved)),
            ..case(
                D::H2ReservedBitSet,
                || {
                    script(|s| {
                        s.frame(
                            FrameSpec::new(FrameType::PING, 0)
                                .payload(&[0; 8])
                                .reserved(),
                        );
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        Case {
            repaired: Some(dropped),
            accepted: Some(|run| {
                assert_eq!(last(run).as_ref().unwrap().kind(), FrameType(0x42));
            }),
            ..case(
                D::H2UnknownFrameType,
                || {
                    script(|s| {
                        s.frame(FrameSpec::new(FrameType(0x42), 0).payload(b"ext"));
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        Case {
            repaired: Some(|run| assert_eq!(last(run).as_ref().unwrap().header.flags, 0)),
            accepted: Some(|run| assert_eq!(last(run).as_ref().unwrap().header.flags, 0x30)),
            ..case(
                D::H2UndefinedFlags,
                || {
                    script(|s| {
                        s.frame(
                            FrameSpec::new(FrameType::PING, 0)
                                .flags(0x30)
                                .payload(&[0; 8]),
                        );
                    })
                },
                conn(ErrorCode::PROTOCOL_ERROR),
            )
        },
        case(
            D::H2EvenStreamFromClient,
            || {
                script(|s| {
                    s.headers(2, &[0x82], flags::END_HEADERS);
                })
            },
            conn(ErrorCode::PROTOCOL_ERROR),
        ),
        case(
            D::H2FrameTruncated,
            || {
                script(|s| {
                    s.frame(
                        FrameSpec::new(FrameType::HEADERS, 1)
                            .flags(flags::END_HEADERS | flags::PRIORITY)
                            .payload(&[0, 0, 1]),
                    );
                })
            },
            conn(ErrorCode::FRAME_SIZE_ERROR),
        ),
    ]
}

fn applies(deviation: Deviation, side: Side) -> bool {
    use tollgate_codecs::AppliesTo;
    match deviation.info().applies_to {
        AppliesTo::Both => true,
        AppliesTo::Requests => side == Side::Client,
        AppliesTo::Responses => side == Side::Origin,
    }
}

#[test]
fn every_frame_deviation_under_every_action_on_both_sides() {
    for case in frame_cases() {
        let info = case.deviation.info();
        assert_eq!(
            case.repaired.is_some(),
            info.repair.is_some(),
            "{}",
            info.id
        );
        assert_eq!(
            case.accepted.is_some(),
            info.accept.is_some(),
            "{}",
            info.id
        );
        for side in [Side::Client, Side::Origin] {
            if !applies(case.deviation, side) {
                continue;
            }
            for action in info.supported_actions() {
                let mut policy = Policy::preset(Preset::Lenient);
                policy.set(side, case.deviation, action).unwrap();
                let run = run(&(case.script)(), &policy, side);
                let context = format!("{} {side} {action}: {run:#?}", info.id);
                assert!(
                    run.anomalies.iter().any(|a| a.deviation == case.deviation
                        && a.action == action
                        && a.side == side),
                    "{context}"
                );
                assert!(
                    run.anomalies.iter().all(|a| a.deviation == case.deviation),
                    "only its own deviation: {context}"
                );
                match action {
                    Action::Reject => {
                        let error = run.error.unwrap_or_else(|| panic!("no error: {context}"));
                        assert_eq!(error.deviation(), Some(case.deviation), "{context}");
                        assert_eq!(error.scope(), case.scope, "{context}");
                        assert_eq!(error.code(), case.code, "{context}");
                        let answer = match case.scope {
                            Scope::Connection => WireAnswer::GoAway(case.code),
                            Scope::Stream(stream) => WireAnswer::RstStream {
                                stream,
                                code: case.code,
                            },
                        };
                        assert_eq!(error.wire_answer(), answer);
                    }
                    Action::Repair => {
                        assert!(run.error.is_none(), "{context}");
                        (case.repaired.unwrap())(&run);
                    }
                    Action::Accept => {
                        assert!(run.error.is_none(), "{context}");
                        (case.accepted.unwrap())(&run);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// message-level deviations

struct FieldCase {
    deviation: Deviation,
    role: BlockRole,
    fields: &'static [(&'static str, &'static str)],
    end_stream: bool,
    /// The fields after repair.
    repaired: Option<&'static [(&'static str, &'static str)]>,
}

const REQUEST: [(&str, &str); 4] = [
    (":method", "GET"),
    (":scheme", "https"),
    (":authority", "a.test"),
    (":path", "/"),
];

fn field_cases() -> Vec<FieldCase> {
    use Deviation as D;
    let request = |deviation, fields, repaired| FieldCase {
        deviation,
        role: BlockRole::Request,
        fields,
        end_stream: true,
        repaired,
    };
    let response = |deviation, fields, end_stream, repaired| FieldCase {
        deviation,
        role: BlockRole::Response,
        fields,
        end_stream,
        repaired,
    };
    vec![
        request(
            D::H2UppercaseHeaderName,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("X-Up", "1"),
            ],
            Some(&[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("x-up", "1"),
            ]),
        ),
        request(
            D::H2InvalidHeaderName,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("x y", "1"),
            ],
            Some(&REQUEST),
        ),
        response(
            D::H2InvalidHeaderValue,
            &[(":status", "200"), ("x", "a\r\nb")],
            true,
            Some(&[(":status", "200"), ("x", "a  b")]),
        ),
        response(
            D::H2HeaderValueWhitespace,
            &[(":status", "200"), ("x", " a ")],
            true,
            Some(&[(":status", "200"), ("x", "a")]),
        ),
        response(
            D::H2ConnectionSpecificHeader,
            &[(":status", "200"), ("transfer-encoding", "chunked")],
            true,
            Some(&[(":status", "200")]),
        ),
        request(
            D::H2TeNotTrailers,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("te", "gzip"),
            ],
            Some(&REQUEST),
        ),
        response(
            D::H2PseudoAfterRegular,
            &[("x", "1"), (":status", "200")],
            true,
            Some(&[(":status", "200"), ("x", "1")]),
        ),
        response(
            D::H2DuplicatePseudo,
            &[(":status", "200"), (":status", "200")],
            true,
            Some(&[(":status", "200")]),
        ),
        request(
            D::H2MissingPseudo,
            &[(":method", "GET"), (":authority", "a.test"), (":path", "/")],
            None,
        ),
        request(
            D::H2UnknownPseudo,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                (":status", "200"),
            ],
            Some(&REQUEST),
        ),
        FieldCase {
            deviation: D::H2PseudoInTrailers,
            role: BlockRole::Trailers,
            fields: &[(":status", "200"), ("grpc-status", "0")],
            end_stream: true,
            repaired: Some(&[("grpc-status", "0")]),
        },
        request(
            D::H2EmptyPath,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", ""),
            ],
            None,
        ),
        request(
            D::H2ConnectWithPath,
            &[
                (":method", "CONNECT"),
                (":authority", "a.test:443"),
                (":path", "/"),
            ],
            None,
        ),
        response(D::H2StatusNotThreeDigits, &[(":status", "20")], true, None),
        // Three digits, but past 599 (RFC 9110 §15).
        response(D::H2StatusNotThreeDigits, &[(":status", "600")], true, None),
        request(
            D::H2ContentLengthInvalid,
            &[
                (":method", "POST"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("content-length", "5, 6"),
            ],
            Some(&[
                (":method", "POST"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
            ]),
        ),
        request(
            D::H2HostAuthorityMismatch,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "a.test"),
                (":path", "/"),
                ("host", "b.test"),
            ],
            Some(&REQUEST),
        ),
        response(D::H2InterimWithEndStream, &[(":status", "103")], true, None),
    ]
}

fn to_fields(pairs: &[(&str, &str)]) -> Vec<HeaderField> {
    pairs
        .iter()
        .map(|(n, v)| HeaderField::new(n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn every_message_deviation_under_every_action_on_both_sides() {
    for case in field_cases() {
        let info = case.deviation.info();
        assert_eq!(
            case.repaired.is_some(),
            info.repair.is_some(),
            "{}",
            info.id
        );
        for side in [Side::Client, Side::Origin] {
            if !applies(case.deviation, side) {
                continue;
            }
            for action in info.supported_actions() {
                let mut policy = Policy::preset(Preset::Lenient);
                policy.set(side, case.deviation, action).unwrap();
                let mut checker = Checker::new(Arc::new(policy), side);
                let mut fields = to_fields(case.fields);
                let result = checker.check_fields(&mut fields, case.role, 1, case.end_stream, 42);
                let anomalies = checker.take_anomalies();
                let context = format!("{} {side} {action}: {result:?} {anomalies:?}", info.id);
                assert!(
                    anomalies
                        .iter()
                        .any(|a| a.deviation == case.deviation && a.offset == 42),
                    "{context}"
                );
                assert!(
                    anomalies.iter().all(|a| a.deviation == case.deviation),
                    "{context}"
                );
                match action {
                    Action::Reject => {
                        let error = result.unwrap_err();
                        assert_eq!(error.scope(), Scope::Stream(1), "{context}");
                        assert_eq!(error.code(), ErrorCode::PROTOCOL_ERROR);
                    }
                    _ => {
                        result.unwrap();
                        assert_eq!(fields, to_fields(case.repaired.unwrap()), "{context}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_h2_deviation_has_a_case() {
    let frames: Vec<Deviation> = frame_cases().iter().map(|c| c.deviation).collect();
    let fields: Vec<Deviation> = field_cases().iter().map(|c| c.deviation).collect();
    // Checked where the body is counted and the block decoded (the repair shim,
    // tests/h2_shim.rs), not in a single frame or list; the budgets are the guard's
    // (tests/h2_guard.rs).
    let elsewhere = [
        Deviation::H2ContentLengthMismatch,
        Deviation::H2HpackInvalid,
        Deviation::H2HeaderListTooLarge,
    ];
    let checked = Deviation::ALL
        .iter()
        .filter(|d| d.info().protocol() == "h2" && !d.info().id.starts_with("h2.budget-"));
    for deviation in checked {
        let count = frames
            .iter()
            .chain(&fields)
            .filter(|d| *d == deviation)
            .count();
        assert!(
            count >= 1 || elsewhere.contains(deviation),
            "{deviation} needs a case"
        );
    }
    assert!(frames.len() + fields.len() + elsewhere.len() >= 30);
}

#[test]
fn clean_requests_and_responses_meet_no_deviation() {
    let mut checker = Checker::new(Arc::new(Policy::preset(Preset::Strict)), Side::Client);
    let mut fields = to_fields(&[
        (":method", "POST"),
        (":scheme", "https"),
        (":authority", "a.test"),
        (":path", "/upload"),
        ("content-length", "5"),
        ("te", "trailers"),
        ("cookie", "a=1"),
    ]);
    let checked = checker
        .check_fields(&mut fields, BlockRole::Request, 1, false, 0)
        .unwrap();
    assert_eq!(checked.content_length, Some(5));
    assert_eq!(checked.method.as_deref(), Some(&b"POST"[..]));
    assert!(checker.anomalies().is_empty());
    let mut checker = Checker::new(Arc::new(Policy::preset(Preset::Strict)), Side::Origin);
    let mut fields = to_fields(&[(":status", "204"), ("server", "x")]);
    let checked = checker
        .check_fields(&mut fields, BlockRole::Response, 1, true, 0)
        .unwrap();
    assert_eq!(checked.status, Some(204));
    let mut script = Script::new();
    script
        .settings(&[(SettingId::INITIAL_WINDOW_SIZE, 65_535)])
        .headers_split(
            1,
            &[0x82, 0x86, 0x84, 0x41, 0x01, b'a'],
            flags::END_STREAM,
            &[2, 2],
        )
        .data(1, b"body", flags::END_STREAM, Some(3))
        .window_update(0, 1000)
        .ping([1; 8], false)
        .goaway(1, ErrorCode::NO_ERROR, b"bye");
    let run = run(&script, &Policy::preset(Preset::Strict), Side::Client);
    assert!(run.error.is_none(), "{run:#?}");
    assert!(run.anomalies.is_empty(), "{run:#?}");
    assert_eq!(run.passed.iter().flatten().count(), 8);
}

#[test]
fn error_codes_are_read_from_rst_stream_and_goaway_only() {
    let mut script = Script::new();
    script
        .rst_stream(1, ErrorCode::CANCEL)
        .goaway(7, ErrorCode::ENHANCE_YOUR_CALM, b"calm")
        .ping(*b"12345678", false);
    let mut buf = BytesMut::from(&script.bytes()[..]);
    let mut decoder = FrameDecoder::new(Preface::None);
    let mut codes = Vec::new();
    while let Some(frame) = decoder.decode(&mut buf).unwrap() {
        codes.push(frame.error_code());
    }
    assert_eq!(
        codes,
        vec![
            Some(ErrorCode::CANCEL),
            Some(ErrorCode::ENHANCE_YOUR_CALM),
            None
        ]
    );
}
