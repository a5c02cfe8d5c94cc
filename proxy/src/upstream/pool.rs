//! Connections to one origin, shared by every worker: idle HTTP/1.1 connections for reuse,
//! HTTP/2 connections shared up to their stream cap, and a cap on connections in all.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::{Error, ErrorKind};
use crate::upstream::h1::H1Conn;
use crate::upstream::h2::{H2Conn, StreamSlot};

/// Limits of one origin's pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolLimits {
    /// Connections open at once to one origin, idle or busy.
    pub max_connections: usize,
    /// Idle HTTP/1.1 connections kept for reuse.
    pub max_idle: usize,
    /// How long a connection may sit idle before it is closed.
    pub idle_timeout: Duration,
    /// Streams at once on one HTTP/2 connection (lowered by the origin's own setting).
    pub max_concurrent_streams: usize,
}

struct Idle {
    conn: H1Conn,
    since: Instant,
}

struct H2Entry {
    conn: Arc<H2Conn>,
    /// When the connection last had no stream in flight, if it has none now.
    idle_since: Option<Instant>,
}

/// The pool of one origin.
pub(crate) struct OriginPool {
    pub(crate) addr: String,
    limits: PoolLimits,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Idle>>,
    h2: Mutex<Vec<H2Entry>>,
    /// Signalled when a connection becomes free for another request (an HTTP/1.1 connection
    /// back in the pool, an HTTP/2 stream slot given back): a request waiting for a place in
    /// the connection limit can use it instead, since the idle connection holds the place.
    freed: Arc<Notify>,
    /// HTTP/2 connections being opened: requests wait for them rather than open their own.
    h2_opening: AtomicUsize,
}

/// What [`OriginPool::permit`] got.
pub(crate) enum Place {
    /// A place for a new connection.
    New(OwnedSemaphorePermit),
    /// A connection came free: look for it in the pool again.
    Freed,
}

/// An HTTP/2 connection being opened (see [`OriginPool::opening_h2`]).
pub(crate) struct OpeningH2(Arc<OriginPool>);

impl Drop for OpeningH2 {
    fn drop(&mut self) {
        self.0.h2_opening.fetch_sub(1, Ordering::AcqRel);
        self.0.freed.notify_waiters();
    }
}

/// Locks a pool list; a poisoned lock only means another task panicked while holding it, and
/// the lists stay consistent (every change is a single push, pop or retain).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl OriginPool {
    pub(crate) fn new(addr: String, limits: PoolLimits) -> OriginPool {
        OriginPool {
            addr,
            limits,
            permits: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            idle: Mutex::new(Vec::new()),
            h2: Mutex::new(Vec::new()),
            freed: Arc::new(Notify::new()),
            h2_opening: AtomicUsize::new(0),
        }
    }

    /// What HTTP/2 connections of this pool signal when a stream slot comes free.
    pub(crate) fn freed(&self) -> Arc<Notify> {
        self.freed.clone()
    }

    /// The most recently used idle HTTP/1.1 connection that is still usable.
    pub(crate) fn take_idle_h1(&self) -> Option<H1Conn> {
        let now = Instant::now();
        let mut idle = lock(&self.idle);
        while let Some(mut entry) = idle.pop() {
            if now.duration_since(entry.since) < self.limits.idle_timeout && entry.conn.is_usable()
            {
                return Some(entry.conn);
            }
        }
        None
    }

    /// Keeps `conn` for reuse, unless the pool already keeps enough.
    pub(crate) fn put_idle_h1(&self, conn: H1Conn) {
        let mut idle = lock(&self.idle);
        if idle.len() < self.limits.max_idle {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
            drop(idle);
            self.freed.notify_one();
        }
    }

    /// A stream on an open HTTP/2 connection with room for one more.
    pub(crate) fn claim_h2(&self) -> Option<StreamSlot> {
        let h2 = lock(&self.h2);
        h2.iter().find_map(|entry| entry.conn.claim())
    }

    /// Whether an HTTP/2 connection is being opened.
    pub(crate) fn h2_opening(&self) -> bool {
        self.h2_opening.load(Ordering::Acquire) > 0
    }

    /// Marks an HTTP/2 connection as being opened until the returned guard is dropped; then
    /// every request waiting for it looks in the pool again.
    pub(crate) fn opening_h2(self: &Arc<Self>) -> OpeningH2 {
        self.h2_opening.fetch_add(1, Ordering::AcqRel);
        OpeningH2(self.clone())
    }

    /// Adds a new HTTP/2 connection and claims a stream on it.
    pub(crate) fn add_h2(&self, conn: Arc<H2Conn>) -> Option<StreamSlot> {
        let slot = conn.claim();
        lock(&self.h2).push(H2Entry {
            conn,
            idle_since: None,
        });
        slot
    }

    /// A place in the origin's connection limit, waiting until `deadline` for one, or for a
    /// pooled connection to come free ([`Place::Freed`]: the caller looks in the pool again).
    ///
    /// An idle connection keeps its place in the limit, so a request that waited only for a
    /// place would time out while the connection it could use sat idle in the pool.
    pub(crate) async fn permit(&self, deadline: Instant) -> Result<Place, Error> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Place::New(permit));
        }
        // Idle connections hold places too: give one up for the new connection.
        if lock(&self.idle).pop().is_some()
            && let Ok(permit) = self.permits.clone().try_acquire_owned()
        {
            return Ok(Place::New(permit));
        }
        let acquire = tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned());
        tokio::select! {
            acquired = acquire => match acquired {
                Ok(Ok(permit)) => Ok(Place::New(permit)),
                Ok(Err(_)) => Err(Error::new(ErrorKind::Internal, "the pool was shut down")),
                Err(_) => Err(Error::new(
                    ErrorKind::PoolExhausted,
                    format!(
                        "all {} connections to {} stayed busy",
                        self.limits.max_connections, self.addr
                    ),
                )),
            },
            () = self.freed.notified() => Ok(Place::Freed),
        }
    }

    /// Closes connections idle longer than the idle timeout, and HTTP/2 connections that died.
    /// Returns (idle, busy) connection counts after the sweep.
    pub(crate) fn evict(&self) -> (usize, usize) {
        let now = Instant::now();
        let timeout = self.limits.idle_timeout;
        let mut idle = lock(&self.idle);
        idle.retain(|entry| now.duration_since(entry.since) < timeout);
        let mut idle_count = idle.len();
        drop(idle);
        let mut h2 = lock(&self.h2);
        h2.retain_mut(|entry| {
            if entry.conn.is_closed() {
                return false;
            }
            if entry.conn.active() > 0 {
                entry.idle_since = None;
                return true;
            }
            let since = *entry.idle_since.get_or_insert(now);
            now.duration_since(since) < timeout
        });
        let h2_idle = h2.iter().filter(|entry| entry.conn.active() == 0).count();
        idle_count += h2_idle;
        let in_use = self.limits.max_connections.max(1) - self.permits.available_permits();
        (idle_count, in_use.saturating_sub(idle_count))
    }

    /// Drops every idle connection (shutdown, or a reload that retired the cluster).
    pub(crate) fn clear(&self) {
        lock(&self.idle).clear();
        lock(&self.h2).retain(|entry| entry.conn.active() > 0);
    }
}
