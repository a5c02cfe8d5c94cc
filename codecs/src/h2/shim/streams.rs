//! What the shim remembers per stream: where the response is, and the content-length account
//! `h2` would otherwise keep (and reject on) without telling anyone why.

use std::collections::{HashMap, HashSet, VecDeque};

/// How many streams the shim reset are remembered, so that the origin's frames still in flight
/// on them are dropped instead of reaching `h2` on a stream it believes the origin reset. Older
/// ones reach `h2`, which ignores frames on recently reset streams for a while itself.
const RESET_MEMORY: usize = 256;

/// Where a response stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// No final response yet (none at all, or only interim ones).
    AwaitingFinal,
    /// The final response came; DATA and trailers may follow.
    Body,
}

/// The method of the request, as far as the response's framing cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Method {
    /// HEAD: content-length describes a body that is not sent.
    Head,
    /// Any other method.
    Other,
    /// The request's header block could not be read back: content-length is left to `h2`.
    Unknown,
}

/// One stream `h2` opened and the origin has not finished.
#[derive(Clone, Copy, Debug)]
pub(super) struct Stream {
    pub(super) method: Method,
    pub(super) phase: Phase,
    /// The content-length the DATA frames must add up to, when the shim keeps the account.
    pub(super) expected: Option<u64>,
    /// DATA bytes received so far (padding excluded).
    pub(super) received: u64,
}

/// The streams in flight, and those the shim reset.
#[derive(Debug, Default)]
pub(super) struct Streams {
    open: HashMap<u32, Stream>,
    reset: HashSet<u32>,
    reset_order: VecDeque<u32>,
    /// The highest stream `h2` opened: the last stream of a GOAWAY toward it.
    highest: u32,
}

impl Streams {
    /// `h2` sent a request on `stream`.
    pub(super) fn open(&mut self, stream: u32, method: Method) {
        self.highest = self.highest.max(stream);
        self.open.insert(
            stream,
            Stream {
                method,
                phase: Phase::AwaitingFinal,
                expected: None,
                received: 0,
            },
        );
    }

    pub(super) fn is_open(&self, stream: u32) -> bool {
        self.open.contains_key(&stream)
    }

    pub(super) fn get_mut(&mut self, stream: u32) -> Option<&mut Stream> {
        self.open.get_mut(&stream)
    }

    /// The stream is over (END_STREAM from the origin, or a reset either way); whether it was
    /// open.
    pub(super) fn close(&mut self, stream: u32) -> bool {
        self.open.remove(&stream).is_some()
    }

    /// The shim reset `stream`; whether `h2` had it open (and must be told).
    pub(super) fn reset(&mut self, stream: u32) -> bool {
        if self.reset.insert(stream) {
            self.reset_order.push_back(stream);
            if self.reset_order.len() > RESET_MEMORY
                && let Some(oldest) = self.reset_order.pop_front()
            {
                self.reset.remove(&oldest);
            }
        }
        self.close(stream)
    }

    /// Whether the shim reset `stream` (recently).
    pub(super) fn was_reset(&self, stream: u32) -> bool {
        self.reset.contains(&stream)
    }

    pub(super) fn highest(&self) -> u32 {
        self.highest
    }

    /// Closes every stream in flight; their ids, lowest first.
    pub(super) fn drain_open(&mut self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.open.drain().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids
    }

    /// Streams in flight.
    pub(super) fn in_flight(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_memory_is_bounded_and_forgets_the_oldest() {
        let mut streams = Streams::default();
        streams.open(1, Method::Other);
        assert!(streams.reset(1), "h2 had stream 1 open");
        assert!(!streams.reset(1), "a second reset finds it closed");
        for stream in (3..).step_by(2).take(RESET_MEMORY) {
            streams.reset(stream);
        }
        assert!(!streams.was_reset(1), "the oldest reset is forgotten");
        assert!(streams.was_reset(3));
        assert_eq!(streams.reset.len(), RESET_MEMORY);
        assert_eq!(streams.reset_order.len(), RESET_MEMORY);
    }

    #[test]
    fn highest_stream_follows_requests() {
        let mut streams = Streams::default();
        streams.open(5, Method::Head);
        streams.open(3, Method::Other);
        assert_eq!(streams.highest(), 5);
        assert!(streams.close(5));
        assert_eq!(streams.in_flight(), 1);
    }
}
