//! HTTP/2 frames and the repair shim against pass-through baselines, in one run.
//!
//! - `frames/decode`: a 1 MiB byte stream of mixed frames (HEADERS, 16 KiB DATA, control
//!   frames) decoded by [`FrameDecoder`] into typed frames, against a walk over the 9-byte
//!   frame headers that skips payloads: what a proxy that only splits frames would do.
//! - `shim/exchange`: 100 request/response exchanges on one connection (`h2`'s request
//!   HEADERS read along, the origin's HEADERS decoded, checked and re-encoded, 1 KiB DATA
//!   passed on), against copying the same bytes through buffers as a plain relay would. The
//!   difference per element is the CPU the shim adds to one exchange.
//!
//! ```text
//! cargo bench -p tollgate-codecs --bench h2
//! ```

use std::hint::black_box;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tollgate_codecs::Policy;
use tollgate_codecs::h2::frame::{ErrorCode, FrameDecoder, HEADER_LEN, Preface, SettingId, flags};
use tollgate_codecs::h2::hpack::{Encoder, HeaderField};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::h2::shim::Shim;

const EXCHANGES: u32 = 100;

fn encode(encoder: &mut Encoder, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut block = BytesMut::new();
    encoder.encode(
        fields
            .iter()
            .map(|(name, value)| HeaderField::new(name.as_bytes(), value.as_bytes())),
        &mut block,
    );
    block.to_vec()
}

const RESPONSE: &[(&str, &str)] = &[
    (":status", "200"),
    ("content-type", "text/html; charset=utf-8"),
    ("content-length", "1024"),
    ("cache-control", "private, max-age=0"),
    ("date", "Tue, 03 Jun 2025 10:15:42 GMT"),
    ("server", "origin"),
    ("x-request-id", "7f3c9a1e5b2d4c6f8a0b"),
];

/// A server's byte stream of about 1 MiB: responses with 48 KiB bodies and control frames.
fn mixed_stream() -> Bytes {
    let mut encoder = Encoder::new();
    let mut script = Script::new();
    script.settings(&[(SettingId::MAX_CONCURRENT_STREAMS, 100)]);
    let chunk = vec![b'x'; 16_384];
    for index in 0..21u32 {
        let stream = 1 + 2 * index;
        script
            .headers(stream, &encode(&mut encoder, RESPONSE), flags::END_HEADERS)
            .data(stream, &chunk, 0, None)
            .data(stream, &chunk, 0, None)
            .data(stream, &chunk, flags::END_STREAM, None)
            .window_update(0, 65_535)
            .ping(*b"tollgate", true);
    }
    script.goaway(41, ErrorCode::NO_ERROR, b"");
    script.bytes()
}

fn frames(c: &mut Criterion) {
    let stream = mixed_stream();
    let mut group = c.benchmark_group("frames/decode");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("tollgate", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&stream[..]),
            |buf| {
                let mut decoder = FrameDecoder::new(Preface::None);
                let mut count = 0usize;
                while let Ok(Some(frame)) = decoder.decode(buf) {
                    count += black_box(&frame).header.length as usize;
                }
                count
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("header_walk", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&stream[..]),
            |buf| {
                let mut count = 0usize;
                while buf.len() >= HEADER_LEN {
                    let length =
                        usize::from(buf[0]) << 16 | usize::from(buf[1]) << 8 | usize::from(buf[2]);
                    let frame = buf.split_to(HEADER_LEN + length).freeze();
                    count += black_box(&frame).len();
                }
                count
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// `h2`'s bytes and the origin's for [`EXCHANGES`] exchanges on one connection.
fn exchanges() -> (Bytes, Bytes) {
    let mut requests = Encoder::new();
    let mut client = Script::new();
    client.preface().settings(&[
        (SettingId::ENABLE_PUSH, 0),
        (SettingId::MAX_FRAME_SIZE, 16_384),
    ]);
    let mut responses = Encoder::new();
    let mut origin = Script::new();
    origin
        .settings(&[(SettingId::MAX_CONCURRENT_STREAMS, 1000)])
        .settings_ack();
    let body = vec![b'x'; 1024];
    for index in 0..EXCHANGES {
        let stream = 1 + 2 * index;
        let request = encode(
            &mut requests,
            &[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "www.example.com"),
                (":path", "/assets/app.js"),
                ("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
                ("accept", "*/*"),
                ("accept-encoding", "gzip, br"),
            ],
        );
        client.headers(stream, &request, flags::END_HEADERS | flags::END_STREAM);
        origin
            .headers(
                stream,
                &encode(&mut responses, RESPONSE),
                flags::END_HEADERS,
            )
            .data(stream, &body, flags::END_STREAM, None);
    }
    (client.bytes(), origin.bytes())
}

fn shim(c: &mut Criterion) {
    let (client, origin) = exchanges();
    let policy = Arc::new(Policy::default());
    let mut group = c.benchmark_group("shim/exchange");
    group.throughput(Throughput::Elements(u64::from(EXCHANGES)));
    group.bench_function("shim", |b| {
        b.iter_batched_ref(
            || Shim::new(policy.clone()),
            |shim| {
                shim.h2_bytes(&client);
                let to_origin = shim.take_to_origin();
                shim.origin_bytes(&origin);
                let to_h2 = shim.take_to_h2();
                assert!(shim.error().is_none());
                (to_origin.len(), to_h2.len())
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("relay", |b| {
        b.iter_batched_ref(
            || (BytesMut::new(), BytesMut::new()),
            |(up, down)| {
                up.extend_from_slice(&client);
                let to_origin = up.split();
                down.extend_from_slice(&origin);
                let to_h2 = down.split();
                (black_box(to_origin).len(), black_box(to_h2).len())
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, frames, shim);
criterion_main!(benches);
