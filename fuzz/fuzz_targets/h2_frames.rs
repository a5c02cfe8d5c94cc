//! HTTP/2 frames: arbitrary bytes through `FrameDecoder`, in one read and in the reads the
//! input asks for, then every frame through the `Checker`. Checks that the frames and the
//! error do not depend on the reads, that `decode_eof` leaves nothing behind, that every
//! frame re-encodes to the bytes it came from (but for the payload reserved bits the frame
//! types have no field for), and that the checker's verdicts hold together: a rejection is
//! the error returned, a frame changed or dropped was repaired, and a repaired frame, written
//! and read again, needs no repair and meets no deviation it did not meet the first time.
//!
//! # Input layout
//!
//! | byte | bits | meaning |
//! |------|------|---------|
//! | 0    | 0    | 1: the stream starts with the client preface (`Preface::Expected`) |
//! | 0    | 1    | the checker's side: 0 client, 1 origin |
//! | 0    | 2–4  | policy (see `tollgate_fuzz::h2::policy`) |
//! | 0    | 5–6  | SETTINGS_MAX_FRAME_SIZE: 16 KiB, 64, 2^24-1, 16 KiB |
//! | 1    |      | read pattern (see `tollgate_fuzz::reads`) |
//! | then |      | the stream |

#![no_main]

use std::sync::Arc;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tollgate_codecs::h2::Checker;
use tollgate_codecs::h2::frame::{
    DEFAULT_MAX_FRAME_SIZE, Frame, FrameDecoder, MAX_MAX_FRAME_SIZE, Preface,
};
use tollgate_codecs::{Action, Anomaly, Deviation, Side};
use tollgate_fuzz::h2::{check_lossless, decode_frames, policy};
use tollgate_fuzz::reads;

fuzz_target!(|data: &[u8]| {
    let Some(([config, split], payload)) = data.split_first_chunk::<2>() else {
        return;
    };
    let preface = if config & 1 == 0 {
        Preface::None
    } else {
        Preface::Expected
    };
    let side = if config & 2 == 0 {
        Side::Client
    } else {
        Side::Origin
    };
    let policy = Arc::new(policy(config >> 2));
    let max_frame_size = [
        DEFAULT_MAX_FRAME_SIZE,
        64,
        MAX_MAX_FRAME_SIZE,
        DEFAULT_MAX_FRAME_SIZE,
    ][usize::from((config >> 5) & 3)];

    let whole = decode_frames(payload, preface, max_frame_size, &[]);
    let split = decode_frames(
        payload,
        preface,
        max_frame_size,
        &reads(*split, payload.len()),
    );
    assert_eq!(whole, split, "the frames depend on the reads");
    if whole.error.is_none() {
        assert_eq!(whole.consumed, payload.len() as u64);
    }

    let mut checker = Checker::new(policy, side);
    for located in &whole.frames {
        let (start, end) = (located.start as usize, located.end as usize);
        let frame = &located.frame;
        check_lossless(frame, &payload[start..end]);
        check_frame(&mut checker, frame, located.start, side);
    }
});

/// Checks one frame as the guard does (going on after an error), and the verdict's coherence.
fn check_frame(checker: &mut Checker, frame: &Frame, offset: u64, side: Side) {
    let before = checker.clone();
    let result = checker.check(frame.clone(), offset);
    let first = checker.take_anomalies();
    for anomaly in &first {
        assert_eq!(anomaly.offset, offset, "{anomaly}");
        assert_eq!(anomaly.side, side, "{anomaly}");
    }
    let rejected: Vec<&Anomaly> = first
        .iter()
        .filter(|anomaly| anomaly.action == Action::Reject)
        .collect();
    let repaired: Vec<Deviation> = first
        .iter()
        .filter(|anomaly| anomaly.action == Action::Repair)
        .map(|anomaly| anomaly.deviation)
        .collect();
    let kept = match result {
        Err(error) => {
            let [rejection] = rejected[..] else {
                panic!("{error} after {first:?}: {frame:?}");
            };
            assert_eq!(error.deviation(), Some(rejection.deviation), "{frame:?}");
            assert_eq!(error.offset(), offset);
            return;
        }
        Ok(kept) => kept,
    };
    assert!(rejected.is_empty(), "{first:?} but no error: {frame:?}");
    let Some(kept) = kept else {
        assert!(!repaired.is_empty(), "dropped with {first:?}: {frame:?}");
        return;
    };
    if kept == *frame {
        return;
    }
    assert!(
        !repaired.is_empty(),
        "changed with {first:?}: {frame:?} to {kept:?}"
    );

    // What the proxy forwards is the repaired frame's bytes: read them back and check again
    // from where the checker stood.
    let mut wire = BytesMut::new();
    kept.encode(&mut wire);
    let encoded = wire.clone();
    let mut decoder = FrameDecoder::new(Preface::None);
    decoder.set_max_frame_size(MAX_MAX_FRAME_SIZE);
    let again = match decoder.decode(&mut wire) {
        Ok(Some(again)) if wire.is_empty() => again,
        other => panic!("repaired {kept:?} encodes to {encoded:02x?}, which decodes to {other:?}"),
    };
    let mut checker = before;
    let second = checker.check(again.clone(), offset);
    let anomalies = checker.take_anomalies();
    for anomaly in &anomalies {
        assert!(
            !repaired.contains(&anomaly.deviation),
            "repairing {frame:?} to {again:?} left {anomaly} (first: {first:?})"
        );
        assert!(
            first.iter().any(|seen| seen.deviation == anomaly.deviation),
            "repairing {frame:?} to {again:?} led to {anomaly} (first: {first:?})"
        );
    }
    match second {
        Ok(Some(twice)) => assert_eq!(twice, again, "the repair of {frame:?} is not final"),
        other => panic!("repaired {again:?} of {frame:?} checks to {other:?} ({anomalies:?})"),
    }
}
