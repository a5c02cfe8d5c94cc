//! The 147 server-mode cases of h2spec, one builder each, written from h2spec's sources
//! (`generic/`, `http2/`, `hpack/`): the same frames, in the same order, with the same
//! expectation. Where h2spec's source differs from its description, the source wins and a
//! comment says so.

mod generic;
mod hpack;
mod http2;

use bytes::{Bytes, BytesMut};
use tollgate_codecs::h2::frame::{
    ErrorCode, FrameType, MAX_WINDOW_SIZE, Priority, SettingId, flags,
};
use tollgate_codecs::h2::script::FrameSpec;

use crate::h2spec::case::{Case, Plan, Precondition, field, table_size_update};
use crate::h2spec::conn::DEFAULT_WINDOW;
use crate::h2spec::expect::Expectation;

const EH: u8 = flags::END_HEADERS;
const ES: u8 = flags::END_STREAM;
/// The PING payload h2spec uses to check that a connection is alive.
const ZERO: [u8; 8] = [0; 8];
/// The PING payload of the PING cases.
const H2SPEC: [u8; 8] = *b"h2spec\0\0";

/// Every case, in h2spec's order: `generic`, then `http2`, then `hpack`.
pub fn all() -> Vec<Case> {
    let mut cases = generic::cases();
    cases.extend(http2::cases());
    cases.extend(hpack::cases());
    cases
}

/// The case with this id.
pub fn find(id: &str) -> Option<Case> {
    all().into_iter().find(|case| case.id == id)
}

/// Priority fields with the weight as on the wire.
fn prio(dependency: u32, exclusive: bool, weight: u8) -> Priority {
    Priority {
        exclusive,
        dependency,
        weight,
    }
}

/// A PING, then the wait for its ACK: the connection is alive and the frames before it were
/// accepted.
fn accept_ping(p: &mut Plan<'_>, data: [u8; 8]) {
    p.script().ping(data, false);
    p.expect(Expectation::PingAck(data));
}

/// The common request with `POST`, in one HEADERS frame with `flags`.
fn post(p: &mut Plan<'_>, stream: u32, flags: u8) {
    let fields = p.common_with_method("POST");
    p.headers(stream, &fields, flags);
}

/// A CONTINUATION frame carrying one dummy header (h2spec's `DummyHeaders(c, 1)`).
fn continuation_dummy(p: &mut Plan<'_>, stream: u32, flags: u8) {
    let fields = p.dummy(1);
    let block = p.encode(&fields);
    p.script().continuation(stream, &block, flags);
}

/// The common request on stream 1 with raw HPACK bytes before and after its block.
fn block_with(p: &mut Plan<'_>, before: &[u8], after: &[u8], flags: u8) {
    let fields = p.common();
    let encoded = p.encode(&fields);
    let mut block = BytesMut::from(before);
    block.extend_from_slice(&encoded);
    block.extend_from_slice(after);
    p.script().headers(1, &block, flags);
}

/// `length` bytes of `x` (h2spec's `DummyBytes`).
fn dummy_bytes(length: u32) -> Bytes {
    Bytes::from(vec![b'x'; usize::try_from(length).unwrap_or(usize::MAX)])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::h2spec::case::{Context, Step};

    /// The case list shared with the research notes: id, description, requirement.
    const CASE_LIST: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/research/data/h2spec-cases.txt"
    );

    #[test]
    fn the_cases_are_exactly_h2specs_server_cases() {
        let text = match std::fs::read_to_string(CASE_LIST) {
            Ok(text) => text,
            Err(error) => {
                println!("skipped: the case list {CASE_LIST} cannot be read: {error}");
                return;
            }
        };
        let listed: BTreeMap<&str, (&str, &str)> = text
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let mut columns = line.split('\t');
                Some((columns.next()?, (columns.next()?, columns.next()?)))
            })
            .filter(|(id, _)| !id.starts_with("client/"))
            .collect();
        let cases = all();
        let ours: BTreeMap<&str, &Case> = cases.iter().map(|case| (case.id, case)).collect();
        assert_eq!(ours.len(), cases.len(), "duplicate ids");
        let missing: Vec<_> = listed.keys().filter(|id| !ours.contains_key(*id)).collect();
        let extra: Vec<_> = ours.keys().filter(|id| !listed.contains_key(*id)).collect();
        assert!(missing.is_empty(), "cases missing: {missing:?}");
        assert!(extra.is_empty(), "cases not in the list: {extra:?}");
        for (id, (description, requirement)) in &listed {
            let case = ours[id];
            assert_eq!(case.description, *description, "{id}");
            assert_eq!(case.requirement, *requirement, "{id}");
            assert_eq!(case.strict, requirement.starts_with("[STRICT]"), "{id}");
        }
        assert_eq!(cases.len(), 147);
    }

    #[test]
    fn every_case_plans_at_least_one_expectation_and_ends_with_one() {
        let context = Context {
            authority: "127.0.0.1:8080".to_owned(),
            path: "/".to_owned(),
            server_settings: vec![(SettingId::MAX_CONCURRENT_STREAMS, 100)],
            max_header_len: 4000,
        };
        for case in all() {
            let steps = case.plan(&context);
            assert!(
                matches!(steps.last(), Some(Step::Expect(_))),
                "{}: {steps:?}",
                case.id
            );
            assert!(matches!(steps.first(), Some(Step::Send(_))), "{}", case.id);
        }
    }

    #[test]
    fn a_case_without_max_concurrent_streams_is_skipped() {
        let context = Context::default();
        let case = find("http2/5.1.2/1").unwrap();
        assert!(matches!(case.plan(&context).last(), Some(Step::Skip(_))));
    }

    #[test]
    fn raw_frames_are_those_h2spec_writes() {
        let context = Context {
            authority: "127.0.0.1:8080".to_owned(),
            path: "/".to_owned(),
            ..Context::default()
        };
        let plan = find("http2/5.4.1/1").unwrap().plan(&context);
        let Step::Send(bytes) = &plan[0] else {
            panic!("{plan:?}")
        };
        assert_eq!(
            &bytes[..],
            b"\x00\x00\x08\x06\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"
        );
        let plan = find("http2/4.1/3").unwrap().plan(&context);
        let Step::Send(bytes) = &plan[0] else {
            panic!("{plan:?}")
        };
        assert_eq!(&bytes[..9], b"\x00\x00\x08\x06\x16\x80\x00\x00\x00");
        let plan = find("http2/6.1/3").unwrap().plan(&context);
        let Step::Send(bytes) = &plan[0] else {
            panic!("{plan:?}")
        };
        assert!(bytes.ends_with(b"\x00\x00\x05\x00\x09\x00\x00\x00\x01\x06Test"));
    }
}
