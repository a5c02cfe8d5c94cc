//! The repair shim: a synthetic `h2` client start (preface, SETTINGS, requests on streams 1, 3
//! and 5), then arbitrary bytes as what the origin sends, in one read and in the reads the
//! input asks for. Checks that nothing panics; that what the shim hands `h2` is whole frames
//! within `h2`'s frame size, header blocks contiguous and each decoding in one HPACK context
//! (the shim's re-encoding must always be valid HTTP/2: this is the point of the shim) to no
//! less than its own size; that what it sends the origin is `h2`'s bytes, then whole frames;
//! that once the shim resets a stream toward `h2`, nothing more reaches `h2` on it; that
//! neither output nor the anomalies depend on the reads; and that the output is bounded
//! by the input (apart from the header lists the origin's HPACK context expands, which are
//! bounded per block by the decoder's list size limit).
//!
//! # Input layout
//!
//! | byte | bits | meaning |
//! |------|------|---------|
//! | 0    | 0–2  | policy (see `tollgate_fuzz::h2::policy`) |
//! | 0    | 3–4  | `h2`'s SETTINGS: push off; push off and a table of 0; push off, a table of 256 and 64 KiB frames; push on |
//! | 0    | 5    | 1: the origin closes its side after the last byte |
//! | 1    |      | read pattern of the origin's bytes (see `tollgate_fuzz::reads`) |
//! | then |      | the origin's bytes |

#![no_main]

use std::collections::HashSet;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h2::Error;
use tollgate_codecs::h2::frame::{FrameType, MAX_MAX_FRAME_SIZE, Preface, SettingId, flags};
use tollgate_codecs::h2::hpack::{self, Encoder, HeaderField};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::h2::shim::Shim;
use tollgate_codecs::{Anomaly, Policy};
use tollgate_fuzz::h2::{
    H2View, check_client_stream, check_h2_stream, decode_frames, pieces, policy,
};
use tollgate_fuzz::reads;

/// `h2`'s settings for configuration bits 3–4.
fn h2_settings(choice: u8) -> Vec<(SettingId, u32)> {
    match choice & 3 {
        0 => vec![(SettingId::ENABLE_PUSH, 0)],
        1 => vec![
            (SettingId::ENABLE_PUSH, 0),
            (SettingId::HEADER_TABLE_SIZE, 0),
        ],
        2 => vec![
            (SettingId::ENABLE_PUSH, 0),
            (SettingId::HEADER_TABLE_SIZE, 256),
            (SettingId::MAX_FRAME_SIZE, 1 << 16),
        ],
        _ => vec![(SettingId::ENABLE_PUSH, 1)],
    }
}

/// What `h2` writes first: the preface, its SETTINGS and three requests (GET, HEAD with the
/// stream ended, POST with its body to come), in one HPACK context.
fn h2_start(settings: &[(SettingId, u32)]) -> Bytes {
    let mut encoder = Encoder::new();
    let mut script = Script::new();
    script.preface().settings(settings);
    let requests: [(u32, &[u8], &[u8], u8); 3] = [
        (1, b"GET", b"/", flags::END_STREAM),
        (3, b"HEAD", b"/head", flags::END_STREAM),
        (5, b"POST", b"/upload", 0),
    ];
    for (stream, method, path, end_stream) in requests {
        let mut block = BytesMut::new();
        encoder.encode(
            [
                HeaderField::new(b":method", method),
                HeaderField::new(b":scheme", b"https"),
                HeaderField::new(b":authority", b"origin.example"),
                HeaderField::new(b":path", path),
                HeaderField::new(b"user-agent", b"tollgate-fuzz"),
            ],
            &mut block,
        );
        script.headers(stream, &block, flags::END_HEADERS | end_stream);
    }
    script.data(5, b"body", flags::END_STREAM, None);
    script.take()
}

/// Everything one run of the shim produced.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    to_h2: Vec<u8>,
    to_origin: Vec<u8>,
    anomalies: Vec<Anomaly>,
    error: Option<Error>,
}

fn run(
    policy: &Arc<Policy>,
    start: &[u8],
    start_reads: &[usize],
    origin: &[u8],
    reads: &[usize],
    close: bool,
) -> Run {
    let mut shim = Shim::new(policy.clone());
    let mut to_h2 = Vec::new();
    let mut to_origin = Vec::new();
    let mut take = |shim: &mut Shim| {
        let (h2_len, origin_len) = (shim.to_h2_len(), shim.to_origin_len());
        let (h2, origin) = (shim.take_to_h2(), shim.take_to_origin());
        assert_eq!((h2.len(), origin.len()), (h2_len, origin_len));
        to_h2.extend_from_slice(&h2);
        to_origin.extend_from_slice(&origin);
    };
    for piece in pieces(start, start_reads) {
        shim.h2_bytes(piece);
    }
    take(&mut shim);
    for piece in pieces(origin, reads) {
        shim.origin_bytes(piece);
        take(&mut shim);
    }
    if close {
        shim.origin_closed();
        take(&mut shim);
    }
    Run {
        to_h2,
        to_origin,
        anomalies: shim.take_anomalies(),
        error: shim.error().copied(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(([config, split], origin)) = data.split_first_chunk::<2>() else {
        return;
    };
    let policy = Arc::new(policy(*config));
    let settings = h2_settings(config >> 3);
    let start = h2_start(&settings);
    let close = config & 0x20 != 0;

    let whole = run(&policy, &start, &[], origin, &[], close);
    // h2's bytes in 7-byte reads too: the shim must find its frames whatever the cuts.
    let split = run(
        &policy,
        &start,
        &[7; 64],
        origin,
        &reads(*split, origin.len()),
        close,
    );
    assert_eq!(whole, split, "the shim's output depends on the reads");

    let view = check_h2_stream(&whole.to_h2, &[settings]);
    check_resets_stick(&view, origin);
    assert!(
        whole.to_origin.starts_with(&start),
        "h2's bytes must go first"
    );
    check_client_stream(&whole.to_origin);

    // Bounds: the origin's frames are at least 9 bytes each; each one costs at most a
    // forwarded (never longer) frame and a RST_STREAM toward h2, and two WINDOW_UPDATEs or a
    // RST_STREAM toward the origin; the end costs a RST_STREAM per request and two GOAWAYs.
    // A header block the origin's HPACK context expands is bounded by the list size limit.
    let input = origin.len();
    let end = 3 * 13 + 2 * (17 + 64);
    assert!(view.blocks <= input / 9, "{view:?}");
    assert!(
        view.other_bytes <= 3 * input + end,
        "{view:?} for {input} bytes"
    );
    let per_block = hpack::DEFAULT_MAX_LIST_SIZE + 16 + 9 * 8;
    assert!(
        view.block_frame_bytes <= view.blocks * per_block,
        "{view:?} for {input} bytes"
    );
    assert!(
        whole.to_origin.len() <= start.len() + 3 * input + end,
        "{} bytes to the origin for {input}",
        whole.to_origin.len()
    );
});

/// Once the shim resets a stream toward `h2`, nothing more reaches `h2` on it (extension
/// frames aside): the origin's frames still in flight on it are dropped. Streams the origin
/// reset itself are left out (its later frames on them go to `h2`, which answers them), and
/// so are inputs long enough to make the shim forget a reset (it remembers 256).
fn check_resets_stick(view: &H2View, origin: &[u8]) {
    let decoded = decode_frames(origin, Preface::None, MAX_MAX_FRAME_SIZE, &[]);
    if decoded.frames.len() >= 256 {
        return;
    }
    let origin_resets: HashSet<u32> = decoded
        .frames
        .iter()
        .filter(|located| located.frame.kind() == FrameType::RST_STREAM)
        .map(|located| located.frame.stream())
        .collect();
    let mut reset = HashSet::new();
    for &(kind, stream) in &view.sequence {
        if stream == 0 || origin_resets.contains(&stream) || kind.0 > FrameType::CONTINUATION.0 {
            continue;
        }
        assert!(
            !reset.contains(&stream),
            "{kind} on stream {stream} after the shim reset it: {:?}",
            view.sequence
        );
        if kind == FrameType::RST_STREAM {
            reset.insert(stream);
        }
    }
}
