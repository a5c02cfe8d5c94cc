//! Choosing an origin within a cluster.
//!
//! Round robin is one atomic counter shared by every worker thread. Consistent hashing is a
//! ring of virtual nodes, as ketama: each origin is hashed onto the ring at
//! [`VNODES_PER_ORIGIN`] points, and a key goes to the first point at or after its own hash.
//! Adding or removing one of n origins moves only the keys of its arcs, about 1/n of them.
//!
//! The hash is FNV-1a (64 bits) followed by murmur3's 64-bit finaliser: FNV-1a is tiny and its
//! output is fixed by its definition (std's `DefaultHasher` promises no stable output), and
//! the finaliser spreads the nearly-equal hashes FNV-1a gives to nearly-equal inputs
//! (`origin#1`, `origin#2`) over the whole ring.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::HeaderMap;

use crate::config::{BalanceConfig, HashKey};

/// Points per origin on the ring: ketama's 160 keeps the load within a few percent of even
/// for a handful of origins, at 160 × 12 bytes per origin.
pub const VNODES_PER_ORIGIN: usize = 160;

/// Chooses among the `n` origins of a cluster; shared across threads (`&self` everywhere).
#[derive(Debug)]
pub struct Balancer {
    origins: usize,
    /// The round-robin position, also used for hashed clusters when a request has no key.
    next: AtomicUsize,
    /// `(point, origin)` sorted by point; empty for round robin.
    ring: Vec<(u64, u32)>,
}

impl Balancer {
    /// A balancer over `origins` origins named by their index. Consistent hashing then places
    /// an origin by its position in the list, so removing one from the middle renumbers those
    /// after it and moves their keys too; [`Balancer::with_names`] avoids that. A count of 0
    /// is taken as 1 (configurations always have an origin).
    pub fn new(kind: &BalanceConfig, origins: usize) -> Balancer {
        let names: Vec<String> = (0..origins.max(1)).map(|i| i.to_string()).collect();
        Balancer::with_names(kind, &names)
    }

    /// A balancer whose ring places each origin by its name (e.g. its `host:port`), so that a
    /// changed origin list moves only the keys of the origins added or removed. An empty list
    /// is taken as one origin.
    pub fn with_names<S: AsRef<str>>(kind: &BalanceConfig, names: &[S]) -> Balancer {
        let origins = names.len().max(1);
        let ring = match kind {
            BalanceConfig::RoundRobin => Vec::new(),
            BalanceConfig::ConsistentHash(_) => ring(names),
        };
        Balancer {
            origins,
            next: AtomicUsize::new(0),
            ring,
        }
    }

    /// The number of origins chosen among.
    pub fn len(&self) -> usize {
        self.origins
    }

    /// Always false: a balancer has at least one origin.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The origin for a request: by `key` on a consistent-hash ring; in turn for round robin
    /// and for requests without a key (see [`hash_key`]).
    pub fn pick(&self, key: Option<&[u8]>) -> usize {
        match key {
            Some(key) if !self.ring.is_empty() => {
                let hash = hash64(key);
                let at = self.ring.partition_point(|&(point, _)| point < hash);
                let (_, origin) = self.ring.get(at).or(self.ring.first()).unwrap_or(&(0, 0));
                usize::try_from(*origin).unwrap_or(0)
            }
            _ => self.next.fetch_add(1, Ordering::Relaxed) % self.origins,
        }
    }

    /// The origin to retry on after `previous` failed: the next one in list order, so that
    /// successive retries visit every origin before coming back.
    pub fn next_after(&self, previous: usize) -> usize {
        (previous % self.origins + 1) % self.origins
    }
}

/// The ring for `names` (index by position), sorted by point.
fn ring<S: AsRef<str>>(names: &[S]) -> Vec<(u64, u32)> {
    let mut ring = Vec::with_capacity(names.len() * VNODES_PER_ORIGIN);
    let mut point_name = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let Ok(index) = u32::try_from(index) else {
            break;
        };
        for vnode in 0..VNODES_PER_ORIGIN {
            point_name.clear();
            point_name.extend_from_slice(name.as_ref().as_bytes());
            point_name.push(b'#');
            point_name.extend_from_slice(vnode.to_string().as_bytes());
            ring.push((hash64(&point_name), index));
        }
    }
    // Ties (vanishingly rare) break by origin index, so the ring is the same on every run.
    ring.sort_unstable();
    ring
}

/// FNV-1a 64 then murmur3's fmix64: stable across runs, platforms and releases.
pub fn hash64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// The bytes a request is hashed by, borrowed from the request where possible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashInput<'a> {
    /// An IP address's octets: 4 for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6.
    Ip {
        /// The octets, left-aligned.
        octets: [u8; 16],
        /// How many of them count.
        len: u8,
    },
    /// A path or a header value.
    Bytes(&'a [u8]),
}

impl HashInput<'_> {
    /// The bytes to pass to [`Balancer::pick`].
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            HashInput::Ip { octets, len } => octets.get(..usize::from(*len)).unwrap_or(octets),
            HashInput::Bytes(bytes) => bytes,
        }
    }
}

/// What a request is hashed by for `kind`: the client's address, the path (the caller passes
/// it without the query), or the first value of a header (`None` when the request has none:
/// it is then balanced round robin).
pub fn hash_key<'a>(
    kind: &HashKey,
    client_ip: IpAddr,
    path: &'a str,
    headers: &'a HeaderMap,
) -> Option<HashInput<'a>> {
    match kind {
        HashKey::ClientIp => {
            let mut octets = [0; 16];
            let len = match client_ip.to_canonical() {
                IpAddr::V4(ip) => {
                    octets[..4].copy_from_slice(&ip.octets());
                    4
                }
                IpAddr::V6(ip) => {
                    octets = ip.octets();
                    16
                }
            };
            Some(HashInput::Ip { octets, len })
        }
        HashKey::Path => Some(HashInput::Bytes(path.as_bytes())),
        HashKey::Header(name) => headers
            .get(name)
            .map(|value| HashInput::Bytes(value.as_bytes())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue};

    fn hashed() -> BalanceConfig {
        BalanceConfig::ConsistentHash(HashKey::Path)
    }

    fn keys() -> impl Iterator<Item = String> {
        (0..10_000).map(|i| format!("/users/{i}"))
    }

    #[test]
    fn fnv1a_core_matches_the_reference_vectors() {
        // The finaliser is a bijection, so checking hash64 against fmix64(FNV-1a reference)
        // checks the FNV part: FNV-1a 64 of "" is cbf29ce484222325, of "a" af63dc4c8601ec8c.
        fn fmix(mut h: u64) -> u64 {
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
            h ^ (h >> 33)
        }
        assert_eq!(hash64(b""), fmix(0xcbf2_9ce4_8422_2325));
        assert_eq!(hash64(b"a"), fmix(0xaf63_dc4c_8601_ec8c));
        assert_eq!(hash64(b"foobar"), fmix(0x8594_4171_f739_67e8));
    }

    #[test]
    fn round_robin_is_exact() {
        let balancer = Balancer::new(&BalanceConfig::RoundRobin, 3);
        let picks: Vec<usize> = (0..9).map(|_| balancer.pick(Some(b"ignored"))).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn round_robin_is_exact_across_threads() {
        let balancer = Balancer::new(&BalanceConfig::RoundRobin, 4);
        let counts = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let mut counts = [0usize; 4];
                        for _ in 0..1_000 {
                            counts[balancer.pick(None)] += 1;
                        }
                        counts
                    })
                })
                .collect();
            handles.into_iter().fold([0usize; 4], |mut total, handle| {
                for (t, c) in total.iter_mut().zip(handle.join().unwrap()) {
                    *t += c;
                }
                total
            })
        });
        assert_eq!(counts, [1_000; 4]);
    }

    #[test]
    fn consistent_hash_is_stable() {
        let names = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];
        let a = Balancer::with_names(&hashed(), &names);
        let b = Balancer::with_names(&hashed(), &names);
        for key in keys().take(1_000) {
            let first = a.pick(Some(key.as_bytes()));
            assert_eq!(a.pick(Some(key.as_bytes())), first);
            assert_eq!(b.pick(Some(key.as_bytes())), first);
        }
    }

    #[test]
    fn consistent_hash_spreads_evenly() {
        let balancer = Balancer::new(&hashed(), 4);
        let mut counts = [0usize; 4];
        for key in keys() {
            counts[balancer.pick(Some(key.as_bytes()))] += 1;
        }
        for count in counts {
            assert!(
                (1_875..=3_125).contains(&count),
                "{counts:?} is not within ±25% of 2,500"
            );
        }
    }

    #[test]
    fn removing_one_of_five_origins_moves_about_a_fifth() {
        let five = ["a:80", "b:80", "c:80", "d:80", "e:80"];
        let four = ["a:80", "b:80", "d:80", "e:80"];
        let before = Balancer::with_names(&hashed(), &five);
        let after = Balancer::with_names(&hashed(), &four);
        let mut moved = 0;
        for key in keys() {
            let old = five[before.pick(Some(key.as_bytes()))];
            let new = four[after.pick(Some(key.as_bytes()))];
            if old != "c:80" {
                assert_eq!(old, new, "{key} moved although its origin stayed");
            }
            if old != new {
                moved += 1;
            }
        }
        assert!(
            (1_000..=3_000).contains(&moved),
            "{moved} of 10,000 keys moved"
        );
    }

    #[test]
    fn missing_key_falls_back_to_round_robin() {
        let balancer = Balancer::new(&hashed(), 2);
        let picks: Vec<usize> = (0..4).map(|_| balancer.pick(None)).collect();
        assert_eq!(picks, [0, 1, 0, 1]);
    }

    #[test]
    fn retries_visit_every_origin() {
        let balancer = Balancer::new(&BalanceConfig::RoundRobin, 3);
        assert_eq!(balancer.next_after(0), 1);
        assert_eq!(balancer.next_after(2), 0);
        assert_eq!(
            balancer.next_after(7),
            2,
            "out-of-range input stays in range"
        );
        let single = Balancer::new(&hashed(), 0);
        assert_eq!(single.len(), 1);
        assert_eq!(single.pick(Some(b"k")), 0);
        assert_eq!(single.next_after(0), 0);
    }

    #[test]
    fn hash_keys() {
        let mut headers = HeaderMap::new();
        let user = HeaderName::from_static("x-user");
        headers.append(&user, HeaderValue::from_static("alice"));
        headers.append(&user, HeaderValue::from_static("bob"));
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let ip = |addr| hash_key(&HashKey::ClientIp, addr, "/", &headers).unwrap();
        assert_eq!(ip(v4).as_bytes(), [192, 0, 2, 1]);
        assert_eq!(ip(mapped).as_bytes(), [192, 0, 2, 1]);
        assert_eq!(ip(v6).as_bytes().len(), 16);
        assert_eq!(
            hash_key(&HashKey::Path, v4, "/a/b", &headers)
                .unwrap()
                .as_bytes(),
            b"/a/b"
        );
        assert_eq!(
            hash_key(&HashKey::Header(user), v4, "/", &headers)
                .unwrap()
                .as_bytes(),
            b"alice"
        );
        let other = HashKey::Header(HeaderName::from_static("x-other"));
        assert_eq!(hash_key(&other, v4, "/", &headers), None);
    }
}
