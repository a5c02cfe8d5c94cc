//! The guard: sits in front of an `h2` server connection, reads the client's frames in passing
//! and enforces the per-connection budgets `h2` does not (see [`crate::h2::budgets`]).
//!
//! It is sans-IO: the I/O layer hands it a copy of every byte read from the client
//! ([`Guard::client_bytes`]) and written by the server ([`Guard::server_bytes`]), with the
//! time, and forwards the bytes unchanged. When a budget is spent the verdict says to send
//! GOAWAY(ENHANCE_YOUR_CALM) and close; an anomaly names the budget. The guard also runs the
//! [`Checker`] over the client's frames to record which deviations the client commits; `h2`
//! itself answers them as RFC 9113 says.

use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::h2::budgets::{
    Budget, Budgets, WINDOW_UPDATES_EARNED_BASE, WINDOW_UPDATES_EARNED_PER_DATA,
    WINDOW_UPDATES_EARNED_PER_STREAM, Window,
};
use crate::h2::check::Checker;
use crate::h2::error::{Error, Refusals};
use crate::h2::frame::{
    ErrorCode, Frame, FrameBody, FrameDecoder, FrameType, HEADER_LEN, Preface, flags,
};
use crate::h2::hpack;
use crate::h2::script::Script;
use crate::policy::{Action, Policy, Side};

/// What the I/O layer must do after handing bytes to the guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go on.
    Continue,
    /// Send this GOAWAY to the client and close the connection.
    GoAway(GoAway),
}

/// The connection-ending answer to a spent budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoAway {
    /// The budget spent.
    pub budget: Budget,
    /// The highest stream the client opened (the GOAWAY's last stream).
    pub last_stream: u32,
}

impl GoAway {
    /// The GOAWAY frame's bytes: ENHANCE_YOUR_CALM, with the budget as debug data.
    pub fn frame(&self) -> Bytes {
        let mut script = Script::new();
        script.goaway(
            self.last_stream,
            ErrorCode::ENHANCE_YOUR_CALM,
            self.budget.debug_data().as_bytes(),
        );
        script.take()
    }
}

/// The header block being received.
#[derive(Clone, Debug, Default)]
struct Block {
    continuations: u32,
    bytes: u32,
    /// The fragments so far, kept (within `max_header_block_bytes`) to count the fields once
    /// the block ends: a representation may straddle two frames.
    fragments: BytesMut,
}

/// Watches one client connection.
#[derive(Debug)]
pub struct Guard {
    policy: Arc<Policy>,
    client: FrameDecoder,
    client_buf: BytesMut,
    server: FrameDecoder,
    server_buf: BytesMut,
    /// One sliding window per rate budget, indexed like [`Budget::ALL`].
    windows: [Window; 8],
    block: Option<Block>,
    highest_stream: u32,
    /// What earns WINDOW_UPDATE frames, and how many came (see
    /// [`WINDOW_UPDATES_EARNED_BASE`]).
    streams_opened: u64,
    server_data_frames: u64,
    window_updates: u64,
    checker: Checker,
    /// The checker's verdicts on the client's frames, which `h2` answers itself.
    refusals: Refusals,
    log: AnomalyLog,
    /// The budget spent, once one is: the verdict stays.
    spent: Option<GoAway>,
    /// The client's bytes stopped making frames (a preface or size error `h2` will answer).
    blind: bool,
}

impl Guard {
    /// A guard applying `policy` (its `h2_budgets` and its client column).
    pub fn new(policy: Arc<Policy>) -> Guard {
        let checker = Checker::new(policy.clone(), Side::Client);
        Guard {
            policy,
            client: FrameDecoder::new(Preface::Expected),
            client_buf: BytesMut::new(),
            server: FrameDecoder::new(Preface::None),
            server_buf: BytesMut::new(),
            windows: [Window::new(); 8],
            block: None,
            highest_stream: 0,
            streams_opened: 0,
            server_data_frames: 0,
            window_updates: 0,
            checker,
            refusals: Refusals::default(),
            log: AnomalyLog::default(),
            spent: None,
            blind: false,
        }
    }

    fn budgets(&self) -> &Budgets {
        &self.policy.h2_budgets
    }

    /// Takes the anomalies recorded so far: the deviations the client committed and the
    /// budget spent, if any.
    pub fn take_anomalies(&mut self) -> Vec<Anomaly> {
        let mut anomalies = self.checker.take_anomalies();
        anomalies.extend(self.log.take());
        anomalies
    }

    /// Takes the policy's rejections of the client's frames met since the last call (at most
    /// 64 wait): what `h2` will answer, with the scope and code RFC 9113 gives. A spent budget
    /// is the verdict, not one of these.
    pub fn take_refusals(&mut self) -> Vec<Error> {
        self.refusals.take()
    }

    /// The budget spent, if one is.
    pub fn spent(&self) -> Option<GoAway> {
        self.spent
    }

    /// Bytes read from the client, at `now`.
    pub fn client_bytes(&mut self, bytes: &[u8], now: Instant) -> Verdict {
        if let Some(goaway) = self.spent {
            return Verdict::GoAway(goaway);
        }
        if self.blind {
            return Verdict::Continue;
        }
        self.client_buf.extend_from_slice(bytes);
        loop {
            match self.client.decode(&mut self.client_buf) {
                Ok(Some(frame)) => {
                    // Where the frame starts: not the offset before the call, which is the
                    // preface's when the preface and the frame came in one read.
                    let offset =
                        self.client.offset() - HEADER_LEN as u64 - u64::from(frame.header.length);
                    if let Some(verdict) = self.client_frame(frame, offset, now) {
                        return verdict;
                    }
                }
                Ok(None) => return Verdict::Continue,
                Err(_) => {
                    self.blind = true;
                    self.client_buf = BytesMut::new();
                    return Verdict::Continue;
                }
            }
        }
    }

    /// Bytes the server wrote to the client, at `now`.
    pub fn server_bytes(&mut self, bytes: &[u8], now: Instant) -> Verdict {
        if let Some(goaway) = self.spent {
            return Verdict::GoAway(goaway);
        }
        self.server_buf.extend_from_slice(bytes);
        while let Ok(Some(frame)) = self.server.decode(&mut self.server_buf) {
            if frame.kind() == FrameType::DATA {
                self.server_data_frames += 1;
            }
            // Every stream the server resets is one the client made it reset (MadeYouReset)
            // or one the application gave up on; both cost the server.
            if frame.kind() == FrameType::RST_STREAM
                && let Some(verdict) = self.count(Budget::ServerResets, now, self.server.offset())
            {
                return verdict;
            }
        }
        Verdict::Continue
    }

    fn client_frame(&mut self, frame: Frame, offset: u64, now: Instant) -> Option<Verdict> {
        let event = match (&frame.body, frame.kind()) {
            (_, FrameType::RST_STREAM) => Some(Budget::ClientResets),
            (_, FrameType::SETTINGS) if !frame.has(flags::ACK) => Some(Budget::Settings),
            (_, FrameType::PING) if !frame.has(flags::ACK) => Some(Budget::Pings),
            (_, FrameType::PRIORITY) => Some(Budget::Priority),
            (_, FrameType::WINDOW_UPDATE) => {
                self.window_updates += 1;
                (self.window_updates > self.window_updates_earned())
                    .then_some(Budget::WindowUpdates)
            }
            (FrameBody::Data { data, .. }, _)
                if data.is_empty() && !frame.has(flags::END_STREAM) =>
            {
                Some(Budget::EmptyData)
            }
            _ => None,
        };
        if let Some(budget) = event
            && let Some(verdict) = self.count(budget, now, offset)
        {
            return Some(verdict);
        }
        if let Some(verdict) = self.header_block(&frame, now, offset) {
            return Some(verdict);
        }
        // Record which deviations the client commits; h2 answers them itself.
        if let Err(error) = self.checker.check(frame, offset) {
            self.refusals.push(error);
        }
        None
    }

    /// WINDOW_UPDATE frames the traffic so far justifies.
    fn window_updates_earned(&self) -> u64 {
        let per_stream = WINDOW_UPDATES_EARNED_PER_STREAM.saturating_mul(self.streams_opened);
        let per_data = WINDOW_UPDATES_EARNED_PER_DATA.saturating_mul(self.server_data_frames);
        WINDOW_UPDATES_EARNED_BASE
            .saturating_add(per_stream)
            .saturating_add(per_data)
    }

    /// Per-block caps (CONTINUATION frames, bytes, fields) and empty blocks.
    fn header_block(&mut self, frame: &Frame, now: Instant, offset: u64) -> Option<Verdict> {
        let fragment = frame.fragment()?;
        let length = u32::try_from(fragment.len()).unwrap_or(u32::MAX);
        let mut block = match frame.kind() {
            FrameType::HEADERS => {
                if frame.stream() > self.highest_stream {
                    self.streams_opened += 1;
                }
                self.highest_stream = self.highest_stream.max(frame.stream());
                Block {
                    bytes: length,
                    ..Block::default()
                }
            }
            FrameType::CONTINUATION => {
                let mut block = self.block.take().unwrap_or_default();
                block.continuations += 1;
                block.bytes = block.bytes.saturating_add(length);
                block
            }
            _ => return None,
        };
        let budgets = *self.budgets();
        if block.continuations > budgets.max_continuations {
            return Some(self.spend(Budget::Continuations, offset));
        }
        if block.bytes > budgets.max_header_block_bytes {
            return Some(self.spend(Budget::HeaderBlockBytes, offset));
        }
        if !frame.has(flags::END_HEADERS) {
            block.fragments.extend_from_slice(fragment);
            self.block = Some(block);
            return None;
        }
        if block.bytes == 0 {
            return self.count(Budget::EmptyHeaderBlocks, now, offset);
        }
        // A block in one frame (the usual case) is counted where it lies.
        let fields = if block.fragments.is_empty() {
            hpack::count_fields(fragment)
        } else {
            block.fragments.extend_from_slice(fragment);
            hpack::count_fields(&block.fragments)
        };
        // A block too broken to walk is h2's to refuse (COMPRESSION_ERROR).
        let over = fields.is_some_and(|fields| fields > budgets.max_header_fields as usize);
        over.then(|| self.spend(Budget::HeaderFields, offset))
    }

    /// Counts one event of a rate budget; the verdict when that spends it.
    fn count(&mut self, budget: Budget, now: Instant, offset: u64) -> Option<Verdict> {
        let rate = budget.rate(self.budgets())?;
        let index = Budget::ALL.iter().position(|b| *b == budget)?;
        let seen = self.windows.get_mut(index)?.record(now, rate.window);
        (seen > rate.max).then(|| self.spend(budget, offset))
    }

    fn spend(&mut self, budget: Budget, offset: u64) -> Verdict {
        self.log.record(Anomaly {
            deviation: budget.deviation(),
            action: Action::Reject,
            side: Side::Client,
            offset,
        });
        let goaway = GoAway {
            budget,
            last_stream: self.highest_stream,
        };
        self.spent = Some(goaway);
        Verdict::GoAway(goaway)
    }
}
