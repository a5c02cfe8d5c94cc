//! The repair shim, sans-IO: an origin's frames written with the frame script writer and our
//! HPACK encoder go in; what `h2` would read, and what the origin would receive back, come out
//! and are decoded again. Each repair must give `h2` a canonical message and record its
//! anomaly; each refusal must reach both sides; flow control must stay whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions: a failed unwrap is a failed test"
)]

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use tollgate_codecs::h2::frame::{
    CLIENT_PREFACE, ErrorCode, Frame, FrameBody, FrameDecoder, FrameType, Preface, SettingId, flags,
};
use tollgate_codecs::h2::hpack::{Decoder, Encoder, HeaderField};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::h2::shim::Shim;
use tollgate_codecs::h2::{ErrorKind, Scope};
use tollgate_codecs::{Action, Anomaly, Deviation, Policy, Preset, Side};

/// What `h2` reads from the shim, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Headers {
        stream: u32,
        fields: Vec<(String, String)>,
        end_stream: bool,
        /// HEADERS plus CONTINUATION frames.
        frames: usize,
    },
    Data {
        stream: u32,
        data: Vec<u8>,
        end_stream: bool,
        padded: bool,
    },
    Reset {
        stream: u32,
        code: ErrorCode,
    },
    GoAway {
        last_stream: u32,
        code: ErrorCode,
    },
    Settings {
        ack: bool,
        settings: Vec<(SettingId, u32)>,
    },
    Other(FrameType),
}

/// Decodes `h2`'s view with a real decoder, as `h2` would.
struct H2View {
    frames: FrameDecoder,
    buf: BytesMut,
    hpack: Decoder,
    block: Option<(u32, bool, usize, Vec<u8>)>,
    seen: Vec<Seen>,
}

impl H2View {
    fn new() -> H2View {
        H2View {
            frames: FrameDecoder::new(Preface::None),
            buf: BytesMut::new(),
            hpack: Decoder::new(),
            block: None,
            seen: Vec::new(),
        }
    }

    fn read(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        while let Some(frame) = self.frames.decode(&mut self.buf).unwrap() {
            self.frame(frame);
        }
    }

    fn frame(&mut self, frame: Frame) {
        let stream = frame.stream();
        match frame.body {
            FrameBody::Headers { fragment, .. } => {
                assert!(self.block.is_none(), "a block interrupted");
                self.block = Some((
                    stream,
                    frame.header.flags & flags::END_STREAM != 0,
                    1,
                    fragment.to_vec(),
                ));
                if frame.header.flags & flags::END_HEADERS != 0 {
                    self.finish();
                }
            }
            FrameBody::Continuation { fragment } => {
                let block = self.block.as_mut().expect("CONTINUATION outside a block");
                block.2 += 1;
                block.3.extend_from_slice(&fragment);
                if frame.header.flags & flags::END_HEADERS != 0 {
                    self.finish();
                }
            }
            FrameBody::Data { data, padding } => self.seen.push(Seen::Data {
                stream,
                data: data.to_vec(),
                end_stream: frame.header.flags & flags::END_STREAM != 0,
                padded: padding.is_some(),
            }),
            FrameBody::RstStream(code) => self.seen.push(Seen::Reset { stream, code }),
            FrameBody::GoAway {
                last_stream, code, ..
            } => self.seen.push(Seen::GoAway { last_stream, code }),
            FrameBody::Settings(settings) => self.seen.push(Seen::Settings {
                ack: frame.header.flags & flags::ACK != 0,
                settings,
            }),
            _ => self.seen.push(Seen::Other(frame.header.kind)),
        }
    }

    fn finish(&mut self) {
        let (stream, end_stream, frames, block) = self.block.take().unwrap();
        let list = self.hpack.decode(&block).expect("the shim's HPACK decodes");
        let fields = list
            .iter()
            .map(|field| {
                (
                    String::from_utf8_lossy(field.name()).into_owned(),
                    String::from_utf8_lossy(field.value()).into_owned(),
                )
            })
            .collect();
        self.seen.push(Seen::Headers {
            stream,
            fields,
            end_stream,
            frames,
        });
    }
}

/// The frames the origin receives (after `h2`'s preface).
fn origin_frames(bytes: &[u8]) -> Vec<Frame> {
    let mut decoder = FrameDecoder::new(Preface::Expected);
    let mut buf = BytesMut::from(bytes);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.decode(&mut buf).unwrap() {
        frames.push(frame);
    }
    assert!(buf.is_empty(), "the origin receives whole frames");
    frames
}

/// One connection: `h2` on one side (its preface, settings and requests written here), the
/// origin on the other (its frames written with its own HPACK encoder).
struct Connection {
    shim: Shim,
    h2_hpack: Encoder,
    origin_hpack: Encoder,
    h2: H2View,
    to_origin: Vec<u8>,
}

impl Connection {
    fn new(policy: Policy) -> Connection {
        let mut connection = Connection {
            shim: Shim::new(Arc::new(policy)),
            h2_hpack: Encoder::new(),
            origin_hpack: Encoder::new(),
            h2: H2View::new(),
            to_origin: Vec::new(),
        };
        let mut start = Script::new();
        start.preface().settings(&[
            (SettingId::ENABLE_PUSH, 0),
            (SettingId::MAX_FRAME_SIZE, 16_384),
        ]);
        connection.h2_bytes(&start.bytes());
        // The origin's settings, and its acknowledgement of h2's.
        let mut settings = Script::new();
        settings
            .settings(&[(SettingId::MAX_CONCURRENT_STREAMS, 100)])
            .settings_ack();
        connection.origin_bytes(&settings.bytes());
        connection
    }

    fn h2_bytes(&mut self, bytes: &[u8]) {
        self.shim.h2_bytes(bytes);
        self.to_origin
            .extend_from_slice(&self.shim.take_to_origin());
    }

    fn origin_bytes(&mut self, bytes: &[u8]) {
        self.shim.origin_bytes(bytes);
        let out = self.shim.take_to_h2();
        self.h2.read(&out);
        self.to_origin
            .extend_from_slice(&self.shim.take_to_origin());
    }

    /// `h2` sends a request on `stream`.
    fn request(&mut self, stream: u32, method: &str) {
        let mut block = BytesMut::new();
        self.h2_hpack.encode(
            [
                HeaderField::new(b":method", method.as_bytes()),
                HeaderField::new(b":scheme", b"http"),
                HeaderField::new(b":path", b"/"),
                HeaderField::new(b":authority", b"origin.test"),
            ],
            &mut block,
        );
        let mut script = Script::new();
        script.headers(stream, &block, flags::END_HEADERS | flags::END_STREAM);
        self.h2_bytes(&script.bytes());
    }

    /// The origin's header block for `fields`, encoded by its own encoder.
    fn block(&mut self, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut block = BytesMut::new();
        self.origin_hpack.encode(
            fields
                .iter()
                .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
            &mut block,
        );
        block.to_vec()
    }

    fn respond(&mut self, stream: u32, fields: &[(&str, &str)], end_stream: bool) {
        let block = self.block(fields);
        let end = if end_stream { flags::END_STREAM } else { 0 };
        let mut script = Script::new();
        script.headers(stream, &block, flags::END_HEADERS | end);
        self.origin_bytes(&script.bytes());
    }

    fn data(&mut self, stream: u32, data: &[u8], end_stream: bool) {
        let end = if end_stream { flags::END_STREAM } else { 0 };
        let mut script = Script::new();
        script.data(stream, data, end, None);
        self.origin_bytes(&script.bytes());
    }

    /// What the shim itself sent the origin (h2's settings and requests are skipped).
    fn origin_received(&self) -> Vec<Frame> {
        origin_frames(&self.to_origin)
            .into_iter()
            .filter(|frame| !matches!(frame.kind(), FrameType::SETTINGS | FrameType::HEADERS))
            .collect()
    }

    fn anomalies(&mut self) -> Vec<(Deviation, Action)> {
        self.shim
            .take_anomalies()
            .into_iter()
            .map(|anomaly: Anomaly| {
                assert_eq!(anomaly.side, Side::Origin);
                (anomaly.deviation, anomaly.action)
            })
            .collect()
    }

    /// The header sections `h2` read, with the frames after the connection start.
    fn seen(&self) -> Vec<Seen> {
        self.h2
            .seen
            .iter()
            .filter(|seen| !matches!(seen, Seen::Settings { .. }))
            .cloned()
            .collect()
    }
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn headers(stream: u32, fields: &[(&str, &str)], end_stream: bool) -> Seen {
    Seen::Headers {
        stream,
        fields: pairs(fields),
        end_stream,
        frames: 1,
    }
}

fn data(stream: u32, data: &[u8], end_stream: bool) -> Seen {
    Seen::Data {
        stream,
        data: data.to_vec(),
        end_stream,
        padded: false,
    }
}

fn window_updates(frames: &[Frame]) -> Vec<(u32, u32)> {
    frames
        .iter()
        .filter_map(|frame| match frame.body {
            FrameBody::WindowUpdate { increment } => Some((frame.stream(), increment)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_connection_start_passes_both_ways_unchanged() {
    let connection = Connection::new(Policy::default());
    let mut expected = Script::new();
    expected.preface().settings(&[
        (SettingId::ENABLE_PUSH, 0),
        (SettingId::MAX_FRAME_SIZE, 16_384),
    ]);
    assert_eq!(connection.to_origin, expected.bytes().to_vec());
    assert_eq!(
        connection.h2.seen,
        vec![
            Seen::Settings {
                ack: false,
                settings: vec![(SettingId::MAX_CONCURRENT_STREAMS, 100)]
            },
            Seen::Settings {
                ack: true,
                settings: vec![]
            },
        ]
    );
}

#[test]
fn a_clean_response_reaches_h2_as_sent() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    let fields = [
        (":status", "200"),
        ("content-type", "text/plain"),
        ("content-length", "5"),
    ];
    connection.respond(1, &fields, false);
    connection.data(1, b"hello", true);
    assert_eq!(
        connection.seen(),
        vec![headers(1, &fields, false), data(1, b"hello", true)]
    );
    assert_eq!(connection.anomalies(), vec![]);
    assert_eq!(connection.shim.streams_in_flight(), 0);
    assert!(connection.origin_received().is_empty());
}

/// Each repairable header-list deviation an origin commits: what the origin sends, and what
/// `h2` must read instead.
#[test]
fn header_list_repairs_give_h2_a_canonical_response() {
    type Case<'a> = (
        Deviation,
        &'a [(&'a str, &'a str)],
        &'a [(&'a str, &'a str)],
    );
    let cases: &[Case<'_>] = &[
        (
            Deviation::H2UppercaseHeaderName,
            &[(":status", "200"), ("Content-Type", "text/plain")],
            &[(":status", "200"), ("content-type", "text/plain")],
        ),
        (
            Deviation::H2ConnectionSpecificHeader,
            &[
                (":status", "200"),
                ("connection", "keep-alive"),
                ("x-a", "1"),
            ],
            &[(":status", "200"), ("x-a", "1")],
        ),
        (
            Deviation::H2HeaderValueWhitespace,
            &[(":status", "200"), ("x-a", " padded\t")],
            &[(":status", "200"), ("x-a", "padded")],
        ),
        (
            Deviation::H2InvalidHeaderValue,
            &[(":status", "200"), ("x-a", "a\r\nb")],
            &[(":status", "200"), ("x-a", "a  b")],
        ),
        (
            Deviation::H2InvalidHeaderName,
            &[(":status", "200"), ("x a", "1"), ("x-b", "2")],
            &[(":status", "200"), ("x-b", "2")],
        ),
        (
            Deviation::H2PseudoAfterRegular,
            &[("x-a", "1"), (":status", "200")],
            &[(":status", "200"), ("x-a", "1")],
        ),
        (
            Deviation::H2DuplicatePseudo,
            &[(":status", "200"), (":status", "200")],
            &[(":status", "200")],
        ),
        (
            Deviation::H2UnknownPseudo,
            &[(":status", "200"), (":path", "/")],
            &[(":status", "200")],
        ),
        (
            Deviation::H2ContentLengthInvalid,
            &[(":status", "200"), ("content-length", "five")],
            &[(":status", "200")],
        ),
        (
            Deviation::H2TeNotTrailers,
            &[(":status", "200"), ("te", "gzip")],
            &[(":status", "200")],
        ),
    ];
    for (deviation, sent, repaired) in cases {
        let mut connection = Connection::new(Policy::default());
        connection.request(1, "GET");
        connection.respond(1, sent, true);
        assert_eq!(
            connection.seen(),
            vec![headers(1, repaired, true)],
            "{deviation}"
        );
        assert_eq!(
            connection.anomalies(),
            vec![(*deviation, Action::Repair)],
            "{deviation}"
        );
        assert!(connection.origin_received().is_empty(), "{deviation}");
    }
}

#[test]
fn a_refused_response_resets_the_stream_both_ways_and_later_frames_are_dropped() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.request(3, "GET");
    connection.respond(1, &[(":status", "2000")], false);
    connection.data(1, b"late", true);
    connection.respond(3, &[(":status", "204")], true);
    assert_eq!(
        connection.seen(),
        vec![
            Seen::Reset {
                stream: 1,
                code: ErrorCode::PROTOCOL_ERROR
            },
            headers(3, &[(":status", "204")], true),
        ]
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2StatusNotThreeDigits, Action::Reject)]
    );
    let refusals = connection.shim.take_refusals();
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].scope(), Scope::Stream(1));
    assert_eq!(
        refusals[0].deviation(),
        Some(Deviation::H2StatusNotThreeDigits)
    );
    assert!(connection.shim.take_refusals().is_empty(), "taken once");
    let received = connection.origin_received();
    assert_eq!(received[0].kind(), FrameType::RST_STREAM);
    assert_eq!(received[0].stream(), 1);
    // The dropped DATA frame's bytes come back to the origin's connection window.
    assert_eq!(window_updates(&received), vec![(0, 4)]);
}

#[test]
fn nonzero_padding_is_stripped_and_its_flow_control_credit_returned() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.respond(1, &[(":status", "200")], false);
    let mut script = Script::new();
    script.frame(
        tollgate_codecs::h2::script::FrameSpec::new(FrameType::DATA, 1)
            .flags(flags::PADDED)
            .payload(b"\x03abc\x01\x02\x03"),
    );
    connection.origin_bytes(&script.bytes());
    connection.data(1, b"", true);
    assert_eq!(
        connection.seen(),
        vec![
            headers(1, &[(":status", "200")], false),
            data(1, b"abc", false),
            data(1, b"", true),
        ]
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2PaddingNotZero, Action::Repair)]
    );
    // Pad length byte and three padding bytes: counted by the origin, never seen by h2.
    assert_eq!(
        window_updates(&connection.origin_received()),
        vec![(1, 4), (0, 4)]
    );
}

#[test]
fn zero_padding_passes_as_sent() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.respond(1, &[(":status", "200")], false);
    let mut script = Script::new();
    script.data(1, b"abc", flags::END_STREAM, Some(2));
    connection.origin_bytes(&script.bytes());
    assert_eq!(
        connection.seen()[1],
        Seen::Data {
            stream: 1,
            data: b"abc".to_vec(),
            end_stream: true,
            padded: true
        }
    );
    assert!(connection.origin_received().is_empty());
}

#[test]
fn frame_level_repairs_reach_h2_cleaned() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    let mut script = Script::new();
    script
        .window_update(0, 0)
        .settings(&[
            (SettingId::ENABLE_PUSH, 7),
            (SettingId::INITIAL_WINDOW_SIZE, 1000),
        ])
        .raw(&[0, 0, 1, 0xbb, 0, 0, 0, 0, 0, 0]);
    connection.origin_bytes(&script.bytes());
    connection.respond(1, &[(":status", "200")], true);
    let seen = connection.seen();
    assert_eq!(
        seen,
        vec![headers(1, &[(":status", "200")], true)],
        "the zero WINDOW_UPDATE and the unknown frame are dropped"
    );
    assert_eq!(
        connection.h2.seen.last_chunk::<2>().unwrap()[0],
        Seen::Settings {
            ack: false,
            settings: vec![(SettingId::INITIAL_WINDOW_SIZE, 1000)]
        },
        "the invalid SETTINGS parameter is dropped, the valid one kept"
    );
    assert_eq!(
        connection.anomalies(),
        vec![
            (Deviation::H2WindowUpdateZero, Action::Repair),
            (Deviation::H2SettingsInvalidValue, Action::Repair),
            (Deviation::H2UnknownFrameType, Action::Repair),
        ]
    );
}

#[test]
fn a_content_length_mismatch_is_refused_by_default() {
    for (sent, rests) in [(&b"hello world"[..], 0), (&b"hi"[..], 0)] {
        let mut connection = Connection::new(Policy::default());
        connection.request(1, "GET");
        connection.respond(1, &[(":status", "200"), ("content-length", "5")], false);
        connection.data(1, sent, true);
        let seen = connection.seen();
        assert_eq!(
            seen.last(),
            Some(&Seen::Reset {
                stream: 1,
                code: ErrorCode::PROTOCOL_ERROR
            }),
            "{sent:?}"
        );
        assert_eq!(
            connection.anomalies(),
            vec![(Deviation::H2ContentLengthMismatch, Action::Reject)]
        );
        assert_eq!(
            window_updates(&connection.origin_received()),
            vec![(0, u32::try_from(sent.len()).unwrap() + rests)]
        );
    }
}

#[test]
fn a_content_length_mismatch_is_delivered_as_framed_when_repaired() {
    let mut connection = Connection::new(Policy::preset(Preset::Lenient));
    connection.request(1, "GET");
    connection.respond(1, &[(":status", "200"), ("content-length", "5")], false);
    connection.data(1, b"hello world", true);
    assert_eq!(
        connection.seen(),
        vec![
            headers(1, &[(":status", "200")], false),
            data(1, b"hello world", true)
        ],
        "content-length is withheld so that h2 does not count"
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2ContentLengthMismatch, Action::Repair)]
    );
}

#[test]
fn head_and_not_modified_responses_keep_their_content_length_uncounted() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "HEAD");
    connection.request(3, "GET");
    let head = [(":status", "200"), ("content-length", "1234")];
    let not_modified = [(":status", "304"), ("content-length", "99")];
    connection.respond(1, &head, true);
    connection.respond(3, &not_modified, true);
    assert_eq!(
        connection.seen(),
        vec![headers(1, &head, true), headers(3, &not_modified, true)]
    );
    assert_eq!(connection.anomalies(), vec![]);
}

#[test]
fn a_list_of_equal_content_lengths_becomes_one_value() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.respond(
        1,
        &[
            (":status", "200"),
            ("content-length", "5, 5"),
            ("content-length", "5"),
        ],
        false,
    );
    connection.data(1, b"hello", true);
    assert_eq!(
        connection.seen(),
        vec![
            headers(1, &[(":status", "200"), ("content-length", "5")], false),
            data(1, b"hello", true)
        ]
    );
    assert_eq!(connection.anomalies(), vec![]);
}

#[test]
fn trailers_are_checked_as_trailers() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.respond(1, &[(":status", "200"), ("content-length", "2")], false);
    connection.data(1, b"ok", false);
    connection.respond(1, &[(":status", "200"), ("grpc-status", "0")], true);
    assert_eq!(
        connection.seen()[2],
        headers(1, &[("grpc-status", "0")], true)
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2PseudoInTrailers, Action::Repair)]
    );
    assert_eq!(connection.shim.streams_in_flight(), 0);
}

#[test]
fn corrupt_hpack_ends_the_connection_both_ways() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.request(3, "GET");
    let mut script = Script::new();
    // Index 70 does not exist in an empty dynamic table.
    script.headers(1, &[0x80 | 70], flags::END_HEADERS);
    connection.origin_bytes(&script.bytes());
    connection.respond(3, &[(":status", "200")], true);
    assert_eq!(
        connection.seen(),
        vec![
            Seen::Reset {
                stream: 1,
                code: ErrorCode::COMPRESSION_ERROR
            },
            Seen::Reset {
                stream: 3,
                code: ErrorCode::COMPRESSION_ERROR
            },
            Seen::GoAway {
                last_stream: 3,
                code: ErrorCode::COMPRESSION_ERROR
            }
        ],
        "each open stream learns why, and no stream is retry-safe"
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2HpackInvalid, Action::Reject)]
    );
    let refusals = connection.shim.take_refusals();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].scope(), Scope::Connection);
    assert_eq!(refusals[0].kind(), ErrorKind::Compression);
    let received = connection.origin_received();
    assert_eq!(received.len(), 1);
    assert!(matches!(
        received[0].body,
        FrameBody::GoAway {
            last_stream: 0,
            code: ErrorCode::COMPRESSION_ERROR,
            ..
        }
    ));
    assert!(connection.shim.error().is_some());
}

#[test]
fn an_hpack_bomb_refuses_one_response_and_the_next_decodes() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    connection.request(3, "GET");
    // One 4,000-byte entry inserted (literal with incremental indexing, new name), then
    // referenced 40 times: 160 KB decoded from 4 KB.
    let value = "x".repeat(4000);
    let mut bomb = vec![0x88, 0x40, 6];
    bomb.extend_from_slice(b"x-bomb");
    // 4000 as an HPACK integer with a 7-bit prefix: 127, then 3873 = 30 * 128 + 33.
    bomb.extend_from_slice(&[0x7f, 0x80 | 33, 30]);
    bomb.extend_from_slice(value.as_bytes());
    bomb.extend(std::iter::repeat_n(0x80 | 62, 40));
    // The next response refers to the entry the refused block inserted.
    let mut script = Script::new();
    script
        .headers(1, &bomb, flags::END_HEADERS | flags::END_STREAM)
        .headers(
            3,
            &[0x88, 0x80 | 62],
            flags::END_HEADERS | flags::END_STREAM,
        );
    connection.origin_bytes(&script.bytes());
    let seen = connection.seen();
    assert_eq!(
        seen[0],
        Seen::Reset {
            stream: 1,
            code: ErrorCode::PROTOCOL_ERROR
        }
    );
    assert!(
        matches!(&seen[1], Seen::Headers { stream: 3, fields, .. } if fields[1].1 == value),
        "the context survived the refusal: {seen:?}"
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2HeaderListTooLarge, Action::Reject)]
    );
}

#[test]
fn a_large_header_block_is_split_to_h2s_frame_size() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    let big = "v".repeat(15_000);
    let fields = [
        (":status", "200"),
        ("x-a", big.as_str()),
        ("x-b", big.as_str()),
    ];
    // The origin sends it in 5,000-byte fragments.
    let block = connection.block(&fields);
    let cuts = vec![5_000; block.len() / 5_000];
    let mut script = Script::new();
    script.headers_split(1, &block, flags::END_STREAM, &cuts);
    connection.origin_bytes(&script.bytes());
    let seen = connection.seen();
    let Seen::Headers {
        frames,
        fields: got,
        end_stream,
        ..
    } = &seen[0]
    else {
        panic!("{seen:?}");
    };
    assert_eq!(got, &pairs(&fields));
    assert!(*end_stream);
    // About 30 KB in 16 KB frames: HEADERS and one CONTINUATION, whatever the origin did.
    assert_eq!(*frames, 2, "re-framed to h2's SETTINGS_MAX_FRAME_SIZE");
}

#[test]
fn frames_for_the_origin_wait_for_h2s_preface() {
    let mut shim = Shim::new(Arc::new(Policy::default()));
    // The origin speaks first (servers send SETTINGS at once), and gets it wrong.
    let mut script = Script::new();
    script.window_update(0, 0).data(0, b"stray", 0, None);
    shim.origin_bytes(&script.bytes());
    assert_eq!(shim.to_origin_len(), 0, "nothing before the preface");
    shim.h2_bytes(&CLIENT_PREFACE[..10]);
    assert_eq!(shim.to_origin_len(), 0);
    shim.h2_bytes(&CLIENT_PREFACE[10..]);
    let out = shim.take_to_origin();
    assert_eq!(&out[..24], CLIENT_PREFACE);
    let frames = origin_frames(&out);
    assert_eq!(window_updates(&frames), vec![(0, 5)]);
}

#[test]
fn push_promise_is_refused_unless_h2_enabled_push() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    let block = connection.block(&[(":method", "GET"), (":path", "/p"), (":scheme", "http")]);
    let mut script = Script::new();
    script.push_promise(1, 2, &block, flags::END_HEADERS);
    connection.origin_bytes(&script.bytes());
    assert_eq!(
        connection.seen(),
        vec![
            Seen::Reset {
                stream: 1,
                code: ErrorCode::PROTOCOL_ERROR
            },
            Seen::GoAway {
                last_stream: 1,
                code: ErrorCode::PROTOCOL_ERROR
            }
        ]
    );
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2PushPromiseUnwanted, Action::Reject)]
    );
}

/// An origin's whole conversation (with repairs), as bytes.
fn conversation(connection: &mut Connection) -> Bytes {
    let mut out = Script::new();
    let ok = connection.block(&[(":status", "200"), ("X-Up", " v ")]);
    let trailers = connection.block(&[("x-t", "1")]);
    let refused = connection.block(&[(":status", "99")]);
    out.settings(&[(SettingId::MAX_CONCURRENT_STREAMS, 100)])
        .settings_ack()
        .headers_split(1, &ok, 0, &[3])
        .data(1, b"body", 0, Some(3))
        .window_update(0, 0)
        .headers(1, &trailers, flags::END_HEADERS | flags::END_STREAM)
        .headers(3, &refused, flags::END_HEADERS)
        .data(3, b"dropped", flags::END_STREAM, None);
    out.bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    /// The same bytes out, whatever the reads the origin's bytes arrive in.
    #[test]
    fn output_is_independent_of_read_splits(cuts in proptest::collection::vec(0usize..400, 0..12)) {
        let mut whole = Connection::new(Policy::default());
        whole.to_origin.clear();
        let mut split = Connection::new(Policy::default());
        split.to_origin.clear();
        whole.request(1, "GET");
        whole.request(3, "GET");
        split.request(1, "GET");
        split.request(3, "GET");
        let bytes = conversation(&mut whole);
        let same = conversation(&mut split);
        prop_assert_eq!(&bytes, &same);
        whole.origin_bytes(&bytes);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut start = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            split.origin_bytes(&bytes[start..cut]);
            start = cut;
        }
        prop_assert_eq!(&whole.h2.seen, &split.h2.seen);
        prop_assert_eq!(&whole.to_origin, &split.to_origin);
        prop_assert_eq!(whole.anomalies(), split.anomalies());
    }
}

/// Found by the h2_shim fuzz target: a value holding controls other than NUL, CR and LF (here
/// 0x0f, 0x7f and 0x01) passed the shim, and `h2`'s HPACK decoder, which cannot make an
/// `http::HeaderValue` of it, ends the whole connection with GOAWAY(PROTOCOL_ERROR). They are
/// invalid values too now, repaired as NUL, CR and LF are.
#[test]
fn fuzz_regression_control_bytes_in_values_never_reach_h2() {
    let mut connection = Connection::new(Policy::default());
    connection.request(1, "GET");
    let sent = [
        (":status", "200"),
        ("content-language", "en\x0fus\x7fx\x01y\tz"),
    ];
    connection.respond(1, &sent, true);
    let repaired = [(":status", "200"), ("content-language", "en us x y\tz")];
    assert_eq!(connection.seen(), vec![headers(1, &repaired, true)]);
    assert_eq!(
        connection.anomalies(),
        vec![(Deviation::H2InvalidHeaderValue, Action::Repair)]
    );

    let mut strict = Connection::new(Policy::preset(Preset::Strict));
    strict.request(1, "GET");
    strict.respond(1, &[(":status", "200"), ("x", "a\x1bb")], true);
    assert_eq!(
        strict.anomalies(),
        vec![(Deviation::H2InvalidHeaderValue, Action::Reject)]
    );
    assert!(
        !strict
            .seen()
            .iter()
            .any(|seen| matches!(seen, Seen::Headers { .. })),
        "{:?}",
        strict.seen()
    );
}

/// Found by the h2_shim fuzz target: `:status: 025` is three digits and passed the shim, but
/// no status is below 100 (RFC 9110 §15) and `h2`, which cannot make an `http::StatusCode`
/// of it, ends the whole connection. It is refused as a stream error now, like `2000`.
#[test]
fn fuzz_regression_a_status_below_100_is_refused() {
    for status in ["025", "000", "099"] {
        let mut connection = Connection::new(Policy::preset(Preset::Lenient));
        connection.request(1, "GET");
        connection.request(3, "GET");
        connection.respond(1, &[(":status", status)], true);
        connection.respond(3, &[(":status", "100")], false);
        connection.respond(3, &[(":status", "599")], true);
        assert_eq!(
            connection.seen(),
            vec![
                Seen::Reset {
                    stream: 1,
                    code: ErrorCode::PROTOCOL_ERROR
                },
                headers(3, &[(":status", "100")], false),
                headers(3, &[(":status", "599")], true),
            ],
            "{status}"
        );
        assert_eq!(
            connection.anomalies(),
            vec![(Deviation::H2StatusNotThreeDigits, Action::Reject)],
            "{status}"
        );
    }
}
