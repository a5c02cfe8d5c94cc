//! The guard's budgets, driven with the frame script writer: each attack ends the connection
//! with GOAWAY(ENHANCE_YOUR_CALM) once its budget is spent, and no sooner; the same traffic
//! spread over time passes.

#![allow(
    clippy::unwrap_used,
    reason = "helpers outside #[test] functions: a failed unwrap is a failed test"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tollgate_codecs::h2::budgets::{self, Budget, DEFAULT_CLIENT_RESETS, Rate};
use tollgate_codecs::h2::frame::{
    ErrorCode, FrameBody, FrameDecoder, FrameType, Preface, SettingId, flags,
};
use tollgate_codecs::h2::guard::{Guard, Verdict};
use tollgate_codecs::h2::script::Script;
use tollgate_codecs::{Deviation, Policy};

fn guard() -> Guard {
    Guard::new(Arc::new(Policy::default()))
}

fn opened() -> Script {
    let mut script = Script::new();
    script.preface().settings(&[(SettingId::ENABLE_PUSH, 0)]);
    script
}

/// Feeds `frames` scripts one after the other at `now + i * spacing`: the index of the first
/// script that spent a budget, and the budget.
fn feed(
    guard: &mut Guard,
    frames: &[Script],
    start: Instant,
    spacing: Duration,
) -> Option<(usize, Budget)> {
    for (index, script) in frames.iter().enumerate() {
        let now = start + spacing * u32::try_from(index).unwrap();
        if let Verdict::GoAway(goaway) = guard.client_bytes(&script.bytes(), now) {
            return Some((index, goaway.budget));
        }
    }
    None
}

fn rapid_reset(pairs: u32) -> Vec<Script> {
    (0..pairs)
        .map(|i| {
            let stream = 1 + 2 * i;
            let mut script = Script::new();
            // An indexed GET / https, then cancelled at once.
            script
                .headers(
                    stream,
                    &[0x82, 0x87, 0x84, 0x41, 0x01, b'a'],
                    flags::END_HEADERS | flags::END_STREAM,
                )
                .rst_stream(stream, ErrorCode::CANCEL);
            script
        })
        .collect()
}

#[test]
fn rapid_reset_spends_the_client_reset_budget_exactly_past_its_maximum() {
    let mut guard = guard();
    let start = Instant::now();
    assert_eq!(
        guard.client_bytes(&opened().bytes(), start),
        Verdict::Continue
    );
    let max = DEFAULT_CLIENT_RESETS.max;
    let spent = feed(
        &mut guard,
        &rapid_reset(max + 50),
        start,
        Duration::from_millis(1),
    );
    assert_eq!(spent, Some((max as usize, Budget::ClientResets)));
    let goaway = guard.spent().unwrap();
    assert_eq!(goaway.last_stream, 1 + 2 * max);
    // The GOAWAY says ENHANCE_YOUR_CALM and names the budget.
    let mut decoder = FrameDecoder::new(Preface::None);
    let mut bytes = bytes::BytesMut::from(&goaway.frame()[..]);
    let frame = decoder.decode(&mut bytes).unwrap().unwrap();
    assert_eq!(frame.kind(), FrameType::GOAWAY);
    let FrameBody::GoAway { code, debug, .. } = frame.body else {
        panic!("not a GOAWAY");
    };
    assert_eq!(code, ErrorCode::ENHANCE_YOUR_CALM);
    assert_eq!(&debug[..], b"budget:client_resets");
    let anomalies = guard.take_anomalies();
    assert!(
        anomalies
            .iter()
            .any(|a| a.deviation == Deviation::H2BudgetClientResets)
    );
    // Sticky: every later read gets the same verdict.
    assert!(matches!(guard.client_bytes(b"", start), Verdict::GoAway(_)));
}

#[test]
fn the_same_resets_spread_over_time_pass() {
    let mut guard = guard();
    let start = Instant::now();
    guard.client_bytes(&opened().bytes(), start);
    // 400 resets, one every 100 ms: 100 per 10 s, half the budget.
    let spent = feed(
        &mut guard,
        &rapid_reset(400),
        start,
        Duration::from_millis(100),
    );
    assert_eq!(spent, None);
}

#[test]
fn made_you_reset_spends_the_server_reset_budget() {
    let policy = Policy::default();
    let max = policy.h2_budgets.server_resets.max;
    let mut guard = Guard::new(Arc::new(policy));
    let start = Instant::now();
    guard.client_bytes(&opened().bytes(), start);
    let mut verdict = Verdict::Continue;
    for i in 0..=max {
        let stream = 1 + 2 * i;
        // The client sends a valid request then WINDOW_UPDATE(0); the server resets.
        let mut client = Script::new();
        client
            .headers(
                stream,
                &[0x82, 0x87, 0x84, 0x41, 0x01, b'a'],
                flags::END_HEADERS | flags::END_STREAM,
            )
            .window_update(stream, 0);
        assert_eq!(
            guard.client_bytes(&client.bytes(), start),
            Verdict::Continue
        );
        let mut server = Script::new();
        server.rst_stream(stream, ErrorCode::PROTOCOL_ERROR);
        verdict = guard.server_bytes(&server.bytes(), start);
        if i < max {
            assert_eq!(verdict, Verdict::Continue, "spent early at {i}");
        }
    }
    assert!(matches!(verdict, Verdict::GoAway(g) if g.budget == Budget::ServerResets));
    let anomalies = guard.take_anomalies();
    // The client's zero increments were recorded as the deviation they are.
    assert!(
        anomalies
            .iter()
            .any(|a| a.deviation == Deviation::H2WindowUpdateZero)
    );
    assert!(
        anomalies
            .iter()
            .any(|a| a.deviation == Deviation::H2BudgetServerResets)
    );
}

#[test]
fn continuation_flood_is_stopped_at_the_per_block_cap() {
    let mut guard = guard();
    let start = Instant::now();
    let mut script = opened();
    script.headers(1, &[0x82], 0);
    for _ in 0..20 {
        script.continuation(1, &[0x40, 0x01, b'x', 0x01, b'y'], 0);
    }
    match guard.client_bytes(&script.bytes(), start) {
        Verdict::GoAway(goaway) => assert_eq!(goaway.budget, Budget::Continuations),
        Verdict::Continue => panic!("a block of 20 CONTINUATION frames passed"),
    }
}

#[test]
fn a_block_of_16_continuations_is_allowed() {
    let mut guard = guard();
    let mut script = opened();
    script.headers_split(1, &[0x82; 17], flags::END_STREAM, &[1; 16]);
    assert_eq!(
        guard.client_bytes(&script.bytes(), Instant::now()),
        Verdict::Continue
    );
}

/// An HTTP/2 Bomb in miniature: `fields` one-byte indexed references in a block, in one frame
/// or with a literal straddling a CONTINUATION boundary.
fn many_fields(fields: usize, split: bool) -> Script {
    let mut block = vec![0x82; fields - 1];
    // A literal (new name `x`, value `y`) last, to be cut in the middle when split.
    block.extend_from_slice(&[0x40, 0x01, b'x', 0x01, b'y']);
    let mut script = opened();
    if split {
        script.headers_split(1, &block, flags::END_STREAM, &[fields + 1]);
    } else {
        script.headers(1, &block, flags::END_HEADERS | flags::END_STREAM);
    }
    script
}

#[test]
fn a_header_list_over_the_field_budget_is_stopped_however_it_is_framed() {
    let max = budgets::DEFAULT_MAX_HEADER_FIELDS as usize;
    for split in [false, true] {
        assert_eq!(
            guard().client_bytes(&many_fields(max, split).bytes(), Instant::now()),
            Verdict::Continue,
            "{max} fields are allowed (split: {split})"
        );
        let mut guard = guard();
        match guard.client_bytes(&many_fields(max + 1, split).bytes(), Instant::now()) {
            Verdict::GoAway(goaway) => assert_eq!(goaway.budget, Budget::HeaderFields),
            Verdict::Continue => panic!("{} fields passed (split: {split})", max + 1),
        }
        assert!(
            guard
                .take_anomalies()
                .iter()
                .any(|a| a.deviation == Deviation::H2BudgetHeaderFields)
        );
    }
}

#[test]
fn control_frame_floods_spend_their_budgets() {
    for (budget, build) in [
        (
            Budget::Settings,
            (|s: &mut Script| {
                s.settings(&[]);
            }) as fn(&mut Script),
        ),
        (Budget::Pings, |s: &mut Script| {
            s.ping([7; 8], false);
        }),
        (Budget::Priority, |s: &mut Script| {
            s.priority(
                3,
                tollgate_codecs::h2::frame::Priority {
                    exclusive: true,
                    dependency: 1,
                    weight: 200,
                },
            );
        }),
        (Budget::WindowUpdates, |s: &mut Script| {
            s.window_update(0, 1);
        }),
        (Budget::EmptyData, |s: &mut Script| {
            s.data(1, b"", 0, None);
        }),
        (Budget::EmptyHeaderBlocks, |s: &mut Script| {
            s.headers(1, b"", flags::END_HEADERS);
        }),
    ] {
        let policy = Policy::default();
        let max = budget.rate(&policy.h2_budgets).unwrap().max;
        let mut guard = Guard::new(Arc::new(policy));
        let start = Instant::now();
        guard.client_bytes(&opened().bytes(), start);
        let floods: Vec<Script> = (0..max + 10)
            .map(|_| {
                let mut script = Script::new();
                build(&mut script);
                script
            })
            .collect();
        let spent = feed(&mut guard, &floods, start, Duration::from_micros(10));
        // The connection's own SETTINGS counted once already; WINDOW_UPDATE frames count
        // only beyond what the traffic earned (no stream, no DATA: the base).
        let expected = match budget {
            Budget::Settings => max - 1,
            Budget::WindowUpdates => {
                max + u32::try_from(budgets::WINDOW_UPDATES_EARNED_BASE).unwrap()
            }
            _ => max,
        };
        assert_eq!(spent, Some((expected as usize, budget)), "{budget:?}");
    }
}

#[test]
fn window_updates_earned_by_a_download_spend_nothing() {
    // A client that gives credit back as it reads sends a stream and a connection
    // WINDOW_UPDATE per DATA frame: far over the plain rate on a fast download, and free.
    let policy = Policy::default();
    let max = u64::from(policy.h2_budgets.window_updates.max);
    let mut guard = Guard::new(Arc::new(policy));
    let start = Instant::now();
    let mut request = opened();
    // GET / on stream 1: :method GET, :path /, :scheme http, :authority h.
    request.headers(1, &[0x82, 0x84, 0x86, 0x41, 0x01, b'h'], flags::END_HEADERS);
    assert_eq!(
        guard.client_bytes(&request.bytes(), start),
        Verdict::Continue
    );
    let mut data = Script::new();
    data.data(1, &[b'x'; 16], 0, None);
    let data = data.bytes();
    let mut credit = Script::new();
    credit.window_update(1, 16).window_update(0, 16);
    let credit = credit.bytes();
    let frames = 4 * max;
    for i in 0..frames {
        let now = start + Duration::from_micros(i);
        assert_eq!(guard.server_bytes(&data, now), Verdict::Continue);
        assert_eq!(
            guard.client_bytes(&credit, now),
            Verdict::Continue,
            "frame {i}"
        );
    }
    assert!(guard.take_anomalies().is_empty());

    // Updates nothing earned are counted: a flood spends the budget after the credit left.
    let earned = budgets::WINDOW_UPDATES_EARNED_BASE
        + budgets::WINDOW_UPDATES_EARNED_PER_STREAM
        + budgets::WINDOW_UPDATES_EARNED_PER_DATA * frames;
    let unused = earned - 2 * frames;
    let mut flood = Script::new();
    flood.window_update(0, 1);
    let flood = flood.bytes();
    let later = start + Duration::from_secs(60);
    let spent = (0..unused + max + 1)
        .position(|i| {
            guard.client_bytes(&flood, later + Duration::from_micros(i)) != Verdict::Continue
        })
        .map(|i| i as u64);
    assert_eq!(spent, Some(unused + max));
}

#[test]
fn budgets_come_from_the_policy_file() {
    let policy = Policy::from_toml(
        "[h2.budgets]\nclient_resets = { max = 3, window_ms = 1000 }\nmax_continuations = 2\n",
    )
    .unwrap();
    assert_eq!(
        policy.h2_budgets.client_resets,
        Rate {
            max: 3,
            window: Duration::from_secs(1)
        }
    );
    let mut guard = Guard::new(Arc::new(policy));
    let start = Instant::now();
    guard.client_bytes(&opened().bytes(), start);
    let spent = feed(
        &mut guard,
        &rapid_reset(10),
        start,
        Duration::from_millis(1),
    );
    assert_eq!(spent, Some((3, Budget::ClientResets)));
}

/// Found by the h2_guard fuzz target: with the preface and the first frame in one read, the
/// frame's anomalies were placed at byte 0 (where the decoder stood before the preface), and
/// at byte 24 when the preface came in a read of its own.
#[test]
fn fuzz_regression_anomaly_offsets_do_not_depend_on_the_preface_read() {
    let mut script = Script::new();
    // DATA on stream 0, flags 0x1a: PADDED without a pad length, and undefined bits 0x12.
    script
        .preface()
        .raw(&[0, 0, 0, 0, 0x1a, 0, 0, 0, 0])
        .settings(&[]);
    let bytes = script.bytes();
    let start = Instant::now();
    let offsets = |reads: &[&[u8]]| {
        let mut guard = guard();
        for read in reads {
            assert_eq!(guard.client_bytes(read, start), Verdict::Continue);
        }
        guard
            .take_anomalies()
            .iter()
            .map(|anomaly| (anomaly.deviation, anomaly.offset))
            .collect::<Vec<_>>()
    };
    let whole = offsets(&[&bytes]);
    assert_eq!(
        whole.first(),
        Some(&(Deviation::H2UndefinedFlags, 24)),
        "{whole:?}"
    );
    assert_eq!(offsets(&[&bytes[..24], &bytes[24..]]), whole);
    assert_eq!(offsets(&[&bytes[..13], &bytes[13..]]), whole);
}
