//! The guard: arbitrary bytes as what a client sends (after the client preface half the time),
//! in reads, at times the input sets, with a fixed server sequence (SETTINGS, SETTINGS ACK,
//! HEADERS, DATA, RST_STREAM) fed in between, over and over. Checks that nothing panics, that
//! a GOAWAY verdict stays the same for every later byte from either side, that a spent budget
//! is named by exactly one anomaly and its GOAWAY frame reads back as ENHANCE_YOUR_CALM with
//! the budget, that the anomalies stay within a few per client frame, and that, when time
//! stands still and the server says nothing, the outcome does not depend on the reads.
//!
//! # Input layout
//!
//! | byte | bits | meaning |
//! |------|------|---------|
//! | 0    | 0    | 1: the client preface is prepended to the payload |
//! | 0    | 1–3  | policy (see `tollgate_fuzz::h2::policy`) |
//! | 0    | 4    | 1: tight budgets (a handful of events per second, small block caps) |
//! | 1    |      | read pattern of the client bytes (see `tollgate_fuzz::reads`) |
//! | 2    | 0–1  | time step per read, times the read's first byte: 0, 1 ms, 50 ms, 1 s |
//! | 2    | 2–3  | server bytes: none, all before the client's, a piece after each read, after every other read |
//! | 2    | 4–7  | size of a server piece: 3n + 1 bytes |
//! | then |      | the client's bytes |

#![no_main]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h2::budgets::{Budget, Budgets, Rate};
use tollgate_codecs::h2::frame::{
    CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, ErrorCode, FrameBody, FrameDecoder, Preface, SettingId,
    flags,
};
use tollgate_codecs::h2::guard::{GoAway, Guard, Verdict};
use tollgate_codecs::h2::hpack::{Encoder, HeaderField};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::{Action, Anomaly, Side};
use tollgate_fuzz::h2::{decode_frames, pieces, policy};
use tollgate_fuzz::reads;

/// At most this many anomalies per client frame: the deviations one frame can commit.
const ANOMALIES_PER_FRAME: usize = 8;

fn server_sequence() -> Bytes {
    let mut block = BytesMut::new();
    Encoder::new().encode(
        [
            HeaderField::new(b":status", b"200"),
            HeaderField::new(b"content-type", b"text/plain"),
        ],
        &mut block,
    );
    let mut script = Script::new();
    script
        .settings(&[
            (SettingId::MAX_CONCURRENT_STREAMS, 100),
            (SettingId::INITIAL_WINDOW_SIZE, 65_535),
        ])
        .settings_ack()
        .headers(1, &block, flags::END_HEADERS)
        .data(1, b"hello", flags::END_STREAM, None)
        .rst_stream(3, ErrorCode::CANCEL);
    script.take()
}

fn tight(budgets: &mut Budgets) {
    let rate = |max| Rate {
        max,
        window: Duration::from_secs(1),
    };
    budgets.client_resets = rate(4);
    budgets.server_resets = rate(2);
    budgets.settings = rate(2);
    budgets.pings = rate(3);
    budgets.priority = rate(4);
    budgets.window_updates = rate(5);
    budgets.empty_data = rate(2);
    budgets.empty_header_blocks = rate(1);
    budgets.max_continuations = 2;
    budgets.max_header_block_bytes = 64;
    budgets.max_header_fields = 4;
}

/// What one run of the guard came to.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    spent: Option<GoAway>,
    anomalies: Vec<Anomaly>,
}

/// Keeps every verdict consistent with the first GOAWAY.
fn verdict(verdict: Verdict, spent: &mut Option<GoAway>, guard: &Guard) {
    match (*spent, verdict) {
        (Some(goaway), verdict) => {
            assert_eq!(verdict, Verdict::GoAway(goaway), "the verdict changed")
        }
        (None, Verdict::GoAway(goaway)) => *spent = Some(goaway),
        (None, Verdict::Continue) => {}
    }
    assert_eq!(guard.spent(), *spent);
}

fuzz_target!(|data: &[u8]| {
    let Some(([config, split, timing], payload)) = data.split_first_chunk::<3>() else {
        return;
    };
    let mut policy = policy(config >> 1);
    if config & 0x10 != 0 {
        tight(&mut policy.h2_budgets);
    }
    let policy = Arc::new(policy);
    let mut client = Vec::with_capacity(CLIENT_PREFACE.len() + payload.len());
    if config & 1 != 0 {
        client.extend_from_slice(CLIENT_PREFACE);
    }
    client.extend_from_slice(payload);
    let step = [
        Duration::ZERO,
        Duration::from_millis(1),
        Duration::from_millis(50),
        Duration::from_secs(1),
    ][usize::from(timing & 3)];
    let server_mode = (timing >> 2) & 3;
    let server_piece = usize::from(timing >> 4) * 3 + 1;
    let server = server_sequence();
    let mut server_at = 0;

    let start = Instant::now();
    let mut now = start;
    let mut guard = Guard::new(policy.clone());
    let mut spent = None;
    let mut anomalies = Vec::new();
    let mut feed_server = |guard: &mut Guard, now: Instant, spent: &mut Option<GoAway>| {
        let end = (server_at + server_piece).min(server.len());
        let got = guard.server_bytes(&server[server_at..end], now);
        verdict(got, spent, guard);
        server_at = if end == server.len() { 0 } else { end };
    };
    if server_mode == 1 {
        for _ in 0..server.len().div_ceil(server_piece) {
            feed_server(&mut guard, now, &mut spent);
        }
    }
    let reads = reads(*split, client.len());
    for (index, piece) in pieces(&client, &reads).into_iter().enumerate() {
        now += step * u32::from(piece[0]);
        let got = guard.client_bytes(piece, now);
        verdict(got, &mut spent, &guard);
        anomalies.extend(guard.take_anomalies());
        if server_mode == 2 || (server_mode == 3 && index % 2 == 1) {
            feed_server(&mut guard, now, &mut spent);
            anomalies.extend(guard.take_anomalies());
        }
    }
    // A spent guard stays spent whatever comes next.
    if let Some(goaway) = spent {
        assert_eq!(
            guard.client_bytes(b"\0\0\0\x04\0\0\0\0\0", now),
            Verdict::GoAway(goaway)
        );
        assert_eq!(guard.server_bytes(&server, now), Verdict::GoAway(goaway));
        assert!(guard.take_anomalies().is_empty());
        check_goaway_frame(goaway);
    }

    for anomaly in &anomalies {
        assert_eq!(anomaly.side, Side::Client, "{anomaly}");
        // Server resets are placed in the server's stream.
        if anomaly.deviation != Budget::ServerResets.deviation() {
            assert!(anomaly.offset < client.len() as u64, "{anomaly}");
        }
    }
    let budget_anomalies: Vec<&Anomaly> = anomalies
        .iter()
        .filter(|anomaly| anomaly.id().starts_with("h2.budget-"))
        .collect();
    match spent {
        Some(goaway) => {
            let [anomaly] = budget_anomalies[..] else {
                panic!("{goaway:?} with {budget_anomalies:?}");
            };
            assert_eq!(anomaly.deviation, goaway.budget.deviation());
            assert_eq!(anomaly.action, Action::Reject);
        }
        None => assert!(budget_anomalies.is_empty(), "{budget_anomalies:?}"),
    }
    let frames = decode_frames(&client, Preface::Expected, DEFAULT_MAX_FRAME_SIZE, &[])
        .frames
        .len();
    assert!(
        anomalies.len() <= ANOMALIES_PER_FRAME * frames + 1,
        "{} anomalies for {frames} frames: {anomalies:?}",
        anomalies.len()
    );

    if step == Duration::ZERO && server_mode == 0 {
        let mut once = Guard::new(policy);
        let mut whole_spent = None;
        verdict(once.client_bytes(&client, start), &mut whole_spent, &once);
        let whole = Outcome {
            spent: whole_spent,
            anomalies: once.take_anomalies(),
        };
        assert_eq!(
            Outcome { spent, anomalies },
            whole,
            "the outcome depends on the reads"
        );
    }
});

fn check_goaway_frame(goaway: GoAway) {
    let mut wire = BytesMut::from(&goaway.frame()[..]);
    let frame = FrameDecoder::new(Preface::None)
        .decode(&mut wire)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{goaway:?} writes no frame"));
    assert!(wire.is_empty());
    let FrameBody::GoAway {
        last_stream,
        code,
        debug,
    } = frame.body
    else {
        panic!("{goaway:?} writes {frame:?}");
    };
    assert_eq!(last_stream, goaway.last_stream);
    assert_eq!(code, ErrorCode::ENHANCE_YOUR_CALM);
    assert_eq!(&debug[..], goaway.budget.debug_data().as_bytes());
}
