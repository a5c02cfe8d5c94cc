//! Per-connection budgets of the guard: rates over a sliding window, and per-block caps.
//!
//! Each default is a named constant with the reason for its value; the figures come from the
//! implementations `../shared/research/dos.md` §3 compares. A budget is spent when its count
//! goes over its maximum within its window; the guard then ends the connection with
//! GOAWAY(ENHANCE_YOUR_CALM).

use std::time::{Duration, Instant};

use crate::deviation::Deviation;

/// At most `max` events in any `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Events allowed in one window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Rate {
    const fn per(max: u32, seconds: u64) -> Rate {
        Rate {
            max,
            window: Duration::from_secs(seconds),
        }
    }
}

/// Default for [`Budgets::client_resets`]: 200 in 10 s.
///
/// Browsers cancel a few streams per navigation and gRPC clients cancel calls, so a few per
/// second is normal; Rapid Reset sends thousands per second. nghttp2 allows bursts of 1000
/// refilled at 33/s; this is stricter on bursts (a proxy pays an upstream request per reset).
pub const DEFAULT_CLIENT_RESETS: Rate = Rate::per(200, 10);

/// Default for [`Budgets::server_resets`]: 100 in 10 s.
///
/// A well-behaved client almost never makes the server reset a stream; MadeYouReset does it
/// on every stream. Apache allows 8 stream errors, h2 1024 per connection lifetime (a lifetime
/// count that long-lived gRPC connections trip over, tonic #2421): a rate is kinder and safer.
pub const DEFAULT_SERVER_RESETS: Rate = Rate::per(100, 10);

/// Default for [`Budgets::settings`]: 16 in 10 s.
///
/// A client sends SETTINGS once or twice per connection; Apache Traffic Server allows 14 per
/// minute (CVE-2019-9515 floods send thousands).
pub const DEFAULT_SETTINGS: Rate = Rate::per(16, 10);

/// Default for [`Budgets::pings`]: 30 in 10 s.
///
/// Keep-alive and RTT probes are a few per second at most; Traffic Server allows 60 per minute.
pub const DEFAULT_PINGS: Rate = Rate::per(30, 10);

/// Default for [`Budgets::priority`]: 200 in 10 s.
///
/// RFC 9218 clients send none; RFC 7540 browsers send one per stream. Envoy allows 100 per
/// opened stream, Traffic Server 120 per minute.
pub const DEFAULT_PRIORITY: Rate = Rate::per(200, 10);

/// Default for [`Budgets::window_updates`]: 2000 in 10 s, counting only the WINDOW_UPDATE
/// frames beyond what the connection's traffic earns (see [`WINDOW_UPDATES_EARNED_BASE`]).
///
/// Receivers send one per consumed half-window, and clients that release credit as they read
/// (the `h2` crate) about two per DATA frame: a fast download sends thousands per second, so
/// a plain rate would cut it off after some megabytes. Floods send them with no DATA at all.
pub const DEFAULT_WINDOW_UPDATES: Rate = Rate::per(2000, 10);

/// WINDOW_UPDATE frames a client may send without spending [`Budgets::window_updates`]:
/// `5 + 2 × (streams opened + 10 × DATA frames the server sent)`, over the connection's life.
/// Envoy's formula: a receiver updates at most the stream's and the connection's window per
/// DATA frame it gets, so traffic earns its updates and only the excess is rate-limited.
pub const WINDOW_UPDATES_EARNED_BASE: u64 = 5;
/// See [`WINDOW_UPDATES_EARNED_BASE`]: earned per stream the client opens.
pub const WINDOW_UPDATES_EARNED_PER_STREAM: u64 = 2;
/// See [`WINDOW_UPDATES_EARNED_BASE`]: earned per DATA frame the server sends.
pub const WINDOW_UPDATES_EARNED_PER_DATA: u64 = 20;

/// Default for [`Budgets::empty_data`]: 100 in 10 s.
///
/// h2 (0.4.16+) closes after 100 empty non-final DATA frames per connection; there is no
/// reason to send even one.
pub const DEFAULT_EMPTY_DATA: Rate = Rate::per(100, 10);

/// Default for [`Budgets::empty_header_blocks`]: 16 in 10 s.
///
/// An empty header block is never a valid request or trailer section.
pub const DEFAULT_EMPTY_HEADER_BLOCKS: Rate = Rate::per(16, 10);

/// Default for [`Budgets::max_continuations`]: 16 CONTINUATION frames per header block.
///
/// A 64 KiB block in 16 KiB frames needs 3; nghttp2 allows 8, h2 with a 16 KiB list 5. The
/// CONTINUATION flood needs thousands.
pub const DEFAULT_MAX_CONTINUATIONS: u32 = 16;

/// Default for [`Budgets::max_header_block_bytes`]: 64 KiB per (encoded) header block.
///
/// Matches the HPACK decoder's decoded-list limit: an encoded block is never larger than what
/// it decodes to, plus Huffman slack.
pub const DEFAULT_MAX_HEADER_BLOCK_BYTES: u32 = 64 * 1024;

/// Default for [`Budgets::max_header_fields`]: 200 fields per header list.
///
/// dos.md §7 suggests 100 soft and 1000 hard, cookie crumbs counted; 200 leaves room for
/// crumbs while stopping the HTTP/2 Bomb's tens of thousands of tiny fields.
pub const DEFAULT_MAX_HEADER_FIELDS: u32 = 200;

/// The guard's budgets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// RST_STREAM frames from the client (Rapid Reset).
    pub client_resets: Rate,
    /// RST_STREAM frames the server sends (MadeYouReset).
    pub server_resets: Rate,
    /// SETTINGS frames (acknowledgements excluded).
    pub settings: Rate,
    /// PING frames (acknowledgements excluded).
    pub pings: Rate,
    /// PRIORITY frames.
    pub priority: Rate,
    /// WINDOW_UPDATE frames.
    pub window_updates: Rate,
    /// Empty DATA frames without END_STREAM.
    pub empty_data: Rate,
    /// Header blocks with no bytes at all.
    pub empty_header_blocks: Rate,
    /// CONTINUATION frames in one header block.
    pub max_continuations: u32,
    /// Bytes of one encoded header block.
    pub max_header_block_bytes: u32,
    /// Fields of one decoded header list.
    pub max_header_fields: u32,
}

impl Default for Budgets {
    fn default() -> Budgets {
        Budgets {
            client_resets: DEFAULT_CLIENT_RESETS,
            server_resets: DEFAULT_SERVER_RESETS,
            settings: DEFAULT_SETTINGS,
            pings: DEFAULT_PINGS,
            priority: DEFAULT_PRIORITY,
            window_updates: DEFAULT_WINDOW_UPDATES,
            empty_data: DEFAULT_EMPTY_DATA,
            empty_header_blocks: DEFAULT_EMPTY_HEADER_BLOCKS,
            max_continuations: DEFAULT_MAX_CONTINUATIONS,
            max_header_block_bytes: DEFAULT_MAX_HEADER_BLOCK_BYTES,
            max_header_fields: DEFAULT_MAX_HEADER_FIELDS,
        }
    }
}

/// Names one budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Budget {
    /// [`Budgets::client_resets`].
    ClientResets,
    /// [`Budgets::server_resets`].
    ServerResets,
    /// [`Budgets::settings`].
    Settings,
    /// [`Budgets::pings`].
    Pings,
    /// [`Budgets::priority`].
    Priority,
    /// [`Budgets::window_updates`].
    WindowUpdates,
    /// [`Budgets::empty_data`].
    EmptyData,
    /// [`Budgets::empty_header_blocks`].
    EmptyHeaderBlocks,
    /// [`Budgets::max_continuations`].
    Continuations,
    /// [`Budgets::max_header_block_bytes`].
    HeaderBlockBytes,
    /// [`Budgets::max_header_fields`].
    HeaderFields,
}

impl Budget {
    /// Every budget, in a stable order.
    pub const ALL: [Budget; 11] = [
        Budget::ClientResets,
        Budget::ServerResets,
        Budget::Settings,
        Budget::Pings,
        Budget::Priority,
        Budget::WindowUpdates,
        Budget::EmptyData,
        Budget::EmptyHeaderBlocks,
        Budget::Continuations,
        Budget::HeaderBlockBytes,
        Budget::HeaderFields,
    ];

    /// The setting's name in the policy file.
    pub fn setting(self) -> &'static str {
        match self {
            Budget::ClientResets => "client_resets",
            Budget::ServerResets => "server_resets",
            Budget::Settings => "settings",
            Budget::Pings => "pings",
            Budget::Priority => "priority",
            Budget::WindowUpdates => "window_updates",
            Budget::EmptyData => "empty_data",
            Budget::EmptyHeaderBlocks => "empty_header_blocks",
            Budget::Continuations => "max_continuations",
            Budget::HeaderBlockBytes => "max_header_block_bytes",
            Budget::HeaderFields => "max_header_fields",
        }
    }

    /// The catalogue entry an anomaly for this budget carries.
    pub fn deviation(self) -> Deviation {
        match self {
            Budget::ClientResets => Deviation::H2BudgetClientResets,
            Budget::ServerResets => Deviation::H2BudgetServerResets,
            Budget::Settings => Deviation::H2BudgetSettings,
            Budget::Pings => Deviation::H2BudgetPings,
            Budget::Priority => Deviation::H2BudgetPriority,
            Budget::WindowUpdates => Deviation::H2BudgetWindowUpdates,
            Budget::EmptyData => Deviation::H2BudgetEmptyData,
            Budget::EmptyHeaderBlocks => Deviation::H2BudgetEmptyHeaderBlocks,
            Budget::Continuations => Deviation::H2BudgetContinuations,
            Budget::HeaderBlockBytes => Deviation::H2BudgetHeaderBlockBytes,
            Budget::HeaderFields => Deviation::H2BudgetHeaderFields,
        }
    }

    /// The debug data of the GOAWAY sent when this budget is spent: `budget:` and the setting,
    /// distinct from what `h2` sends for its own limits.
    pub fn debug_data(self) -> &'static str {
        match self {
            Budget::ClientResets => "budget:client_resets",
            Budget::ServerResets => "budget:server_resets",
            Budget::Settings => "budget:settings",
            Budget::Pings => "budget:pings",
            Budget::Priority => "budget:priority",
            Budget::WindowUpdates => "budget:window_updates",
            Budget::EmptyData => "budget:empty_data",
            Budget::EmptyHeaderBlocks => "budget:empty_header_blocks",
            Budget::Continuations => "budget:max_continuations",
            Budget::HeaderBlockBytes => "budget:max_header_block_bytes",
            Budget::HeaderFields => "budget:max_header_fields",
        }
    }

    /// The rate of a rate budget, or `None` for a per-block cap.
    pub fn rate(self, budgets: &Budgets) -> Option<Rate> {
        Some(match self {
            Budget::ClientResets => budgets.client_resets,
            Budget::ServerResets => budgets.server_resets,
            Budget::Settings => budgets.settings,
            Budget::Pings => budgets.pings,
            Budget::Priority => budgets.priority,
            Budget::WindowUpdates => budgets.window_updates,
            Budget::EmptyData => budgets.empty_data,
            Budget::EmptyHeaderBlocks => budgets.empty_header_blocks,
            Budget::Continuations | Budget::HeaderBlockBytes | Budget::HeaderFields => {
                return None;
            }
        })
    }

    /// The cap of a per-block budget, or `None` for a rate.
    pub fn cap(self, budgets: &Budgets) -> Option<u32> {
        match self {
            Budget::Continuations => Some(budgets.max_continuations),
            Budget::HeaderBlockBytes => Some(budgets.max_header_block_bytes),
            Budget::HeaderFields => Some(budgets.max_header_fields),
            _ => None,
        }
    }

    /// Sets a rate budget (ignored for per-block caps).
    pub fn set_rate(self, budgets: &mut Budgets, rate: Rate) {
        let slot = match self {
            Budget::ClientResets => &mut budgets.client_resets,
            Budget::ServerResets => &mut budgets.server_resets,
            Budget::Settings => &mut budgets.settings,
            Budget::Pings => &mut budgets.pings,
            Budget::Priority => &mut budgets.priority,
            Budget::WindowUpdates => &mut budgets.window_updates,
            Budget::EmptyData => &mut budgets.empty_data,
            Budget::EmptyHeaderBlocks => &mut budgets.empty_header_blocks,
            Budget::Continuations | Budget::HeaderBlockBytes | Budget::HeaderFields => return,
        };
        *slot = rate;
    }

    /// Sets a per-block cap (ignored for rates).
    pub fn set_cap(self, budgets: &mut Budgets, cap: u32) {
        match self {
            Budget::Continuations => budgets.max_continuations = cap,
            Budget::HeaderBlockBytes => budgets.max_header_block_bytes = cap,
            Budget::HeaderFields => budgets.max_header_fields = cap,
            _ => {}
        }
    }
}

/// Buckets per window: the sliding window moves in steps of a quarter of its length.
const BUCKETS: usize = 4;
const BUCKETS_U32: u32 = 4;

/// Counts events over a sliding window in constant memory: a ring of buckets, each a quarter
/// of the window, the oldest cleared as time moves on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    buckets: [u32; BUCKETS],
    /// Start of the newest bucket.
    newest_start: Option<Instant>,
    newest: usize,
}

impl Window {
    pub(crate) fn new() -> Window {
        Window {
            buckets: [0; BUCKETS],
            newest_start: None,
            newest: 0,
        }
    }

    /// Records one event at `now` and returns the count over the last window.
    pub(crate) fn record(&mut self, now: Instant, window: Duration) -> u32 {
        let step = (window / BUCKETS_U32).max(Duration::from_millis(1));
        let start = *self.newest_start.get_or_insert(now);
        let elapsed = now.saturating_duration_since(start);
        let steps = (elapsed.as_nanos() / step.as_nanos()).min(BUCKETS as u128);
        for _ in 0..steps {
            self.newest = (self.newest + 1) % BUCKETS;
            self.buckets[self.newest] = 0;
        }
        if steps > 0 {
            // Keep bucket starts on the original grid, or far-apart events would drift it.
            let moved = elapsed.as_nanos() / step.as_nanos();
            self.newest_start = Some(start + step * u32::try_from(moved).unwrap_or(u32::MAX));
        }
        self.buckets[self.newest] = self.buckets[self.newest].saturating_add(1);
        self.buckets
            .iter()
            .fold(0u32, |sum, count| sum.saturating_add(*count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_forgets_what_is_older_than_itself() {
        let start = Instant::now();
        let window = Duration::from_secs(10);
        let mut counter = Window::new();
        for i in 0..5u32 {
            assert_eq!(
                counter.record(start + Duration::from_millis(u64::from(i) * 10), window),
                i + 1
            );
        }
        // Two and a half seconds later the first bucket is still in the window.
        assert_eq!(
            counter.record(start + Duration::from_millis(2_600), window),
            6
        );
        // Eleven seconds later everything before has expired.
        assert_eq!(counter.record(start + Duration::from_secs(21), window), 1);
    }

    #[test]
    fn every_budget_names_its_catalogue_entry() {
        for budget in Budget::ALL {
            let info = budget.deviation().info();
            assert!(info.id.starts_with("h2.budget-"), "{}", info.id);
            assert_eq!(budget.debug_data(), format!("budget:{}", budget.setting()));
            assert!(
                budget.rate(&Budgets::default()).is_some()
                    != budget.cap(&Budgets::default()).is_some()
            );
        }
    }
}
