//! What tollgate's fuzz targets share: the decoding configuration read off the front of each
//! input, and the properties every decoded head must have.
//!
//! # Input layout
//!
//! The head targets read two bytes before the payload, so that one corpus explores every
//! policy, side and way of splitting the input into reads:
//!
//! | byte | bits | meaning |
//! |------|------|---------|
//! | 0    | 0    | side: 0 client, 1 origin |
//! | 0    | 1–2  | preset: 0 strict, 1 default, 2 and 3 lenient |
//! | 0    | 3–7  | left to the target (e.g. which request a response answers) |
//! | 1    | 0–1  | read pattern: 0 byte by byte, 1 fixed size, 2 varying sizes, 3 one cut |
//! | 1    | 2–7  | the pattern's argument |
//!
//! `fuzz/seeds/generate.sh` writes the hand-made seeds in this layout. The HTTP/2 targets use
//! the same read pattern byte after a configuration byte of their own (see [`h2`]).

pub mod h2;

use std::fmt::Debug;
use std::sync::Arc;

use tollgate_codecs::h1::{BodyFraming, Fields};
use tollgate_codecs::{Action, Anomaly, Deviation, Policy, Preset, Side};

/// How one fuzz input is to be decoded.
#[derive(Debug)]
pub struct Setup<'a> {
    /// The peer the bytes come from.
    pub side: Side,
    /// The policy's preset.
    pub preset: Preset,
    /// The policy built from the preset.
    pub policy: Arc<Policy>,
    /// Bits 3–7 of the first byte, for the target to use.
    pub extra: u8,
    /// Read sizes for the split decode (the rest of the input goes in one last read).
    pub reads: Vec<usize>,
    /// The bytes to decode.
    pub payload: &'a [u8],
}

impl Setup<'_> {
    /// Reads the configuration off the front of `data`; `None` when it is too short to hold one.
    pub fn read(data: &[u8]) -> Option<Setup<'_>> {
        let ([config, split], payload) = data.split_first_chunk::<2>()?;
        let side = if config & 1 == 0 {
            Side::Client
        } else {
            Side::Origin
        };
        let preset = match (config >> 1) & 3 {
            0 => Preset::Strict,
            1 => Preset::Default,
            _ => Preset::Lenient,
        };
        Some(Setup {
            side,
            preset,
            policy: Arc::new(Policy::preset(preset)),
            extra: config >> 3,
            reads: reads(*split, payload.len()),
            payload,
        })
    }
}

/// Read sizes covering `len` bytes for a split pattern byte.
pub fn reads(split: u8, len: usize) -> Vec<usize> {
    let arg = usize::from(split >> 2);
    match split & 3 {
        // Every position is a read boundary: the harshest case for incremental scanning.
        0 => vec![1; len],
        1 => {
            let size = arg + 1;
            vec![size; len.div_ceil(size)]
        }
        2 => {
            // A small LCG so that the sizes vary within one input without needing more bytes.
            let mut state = u32::from(split) | 0x100;
            let mut sizes = Vec::new();
            let mut total = 0;
            while total < len {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let size = usize::try_from((state >> 16) % 24).unwrap_or(0) + 1;
                sizes.push(size);
                total += size;
            }
            sizes
        }
        // One cut somewhere in the input, at a fraction arg/64 of its length.
        _ => vec![len * arg / 64],
    }
}

/// RFC 9112 §6.3: a message framed by one of Content-Length and chunked must not carry the
/// other field, or a hop that reads the other one would see a different message boundary.
pub fn check_framing_fields(framing: BodyFraming, fields: &Fields, context: &dyn Debug) {
    match framing {
        BodyFraming::Chunked => assert!(
            !fields.contains("content-length"),
            "chunked message keeps Content-Length: {context:?}"
        ),
        BodyFraming::Length(_) => assert!(
            !fields.contains("transfer-encoding"),
            "Content-Length message keeps Transfer-Encoding: {context:?}"
        ),
        BodyFraming::Empty | BodyFraming::UntilClose | BodyFraming::Tunnel => {}
    }
}

/// Whether `deviation`, repaired in the first decode (`first`), may be met again in the
/// re-encoded head. Most repairs rewrite the bytes and must not be; these change how the
/// message is read (until close, closing afterwards) and leave the head as it was.
fn repair_stays(deviation: Deviation, first: &[Anomaly]) -> bool {
    let repaired = |deviation: Deviation| {
        first
            .iter()
            .any(|seen| seen.deviation == deviation && seen.action == Action::Repair)
    };
    match deviation {
        Deviation::TeInHttp10 | Deviation::TeNotChunkedLast | Deviation::TeInvalidSyntax => {
            repaired(deviation)
        }
        _ => false,
    }
}

/// A re-encoded message must decode without anything left to repair or reject: a repaired
/// head that needs repairing again would mean the proxy forwards bytes its own codec flags.
/// Accepted deviations stay, since accepting means forwarding the bytes as received.
pub fn check_reencoded_anomalies(again: &[Anomaly], first: &[Anomaly], context: &dyn Debug) {
    for anomaly in again {
        let allowed = match anomaly.action {
            Action::Accept => true,
            Action::Repair => repair_stays(anomaly.deviation, first),
            Action::Reject => false,
        };
        assert!(
            allowed,
            "re-encoded message still has {anomaly} (first decode: {first:?}): {context:?}"
        );
    }
}
