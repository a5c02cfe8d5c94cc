//! Helpers shared by the integration tests: run a decoder over a whole input and summarise
//! what came out in a form that is easy to assert on.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::sync::Arc;

use bytes::BytesMut;
use tollgate_codecs::h1::{
    Answering, BodyFraming, Collected, Error, Persistence, RequestMethod, collect_requests,
    collect_responses, encode_request_head, encode_response_head,
};
use tollgate_codecs::{Anomaly, Policy, Side};

/// What kind of message an input holds.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Requests,
    Responses(Answering),
}

impl Kind {
    pub(crate) fn responses() -> Kind {
        Kind::Responses(Answering::Every(RequestMethod::Other))
    }
}

/// A decoded input, flattened: heads re-encoded to text, bodies, trailers, the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) heads: Vec<String>,
    pub(crate) framings: Vec<BodyFraming>,
    pub(crate) persistence: Vec<Persistence>,
    pub(crate) bodies: Vec<Vec<u8>>,
    pub(crate) trailers: Vec<Option<Vec<(String, String)>>>,
    pub(crate) complete: Vec<bool>,
    pub(crate) expects_continue: Vec<bool>,
    pub(crate) offers_upgrade: Vec<bool>,
    pub(crate) informational: Vec<Vec<u16>>,
    pub(crate) error: Option<Error>,
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) consumed: u64,
}

fn text(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string().replace("\\r\\n", "\r\n")
}

fn flatten<M>(
    collected: Collected<M>,
    head: impl Fn(&M) -> (String, BodyFraming, Persistence, bool, bool),
) -> Seen {
    let anomalies = collected.anomalies().copied().collect();
    let mut seen = Seen {
        heads: Vec::new(),
        framings: Vec::new(),
        persistence: Vec::new(),
        bodies: Vec::new(),
        trailers: Vec::new(),
        complete: Vec::new(),
        expects_continue: Vec::new(),
        offers_upgrade: Vec::new(),
        informational: Vec::new(),
        error: collected.error,
        anomalies,
        consumed: collected.consumed,
    };
    for message in collected.messages {
        let (encoded, framing, persistence, expects, upgrade) = head(&message.message);
        seen.heads.push(encoded);
        seen.framings.push(framing);
        seen.persistence.push(persistence);
        seen.expects_continue.push(expects);
        seen.offers_upgrade.push(upgrade);
        seen.bodies.push(message.body);
        seen.complete.push(message.complete);
        seen.informational
            .push(message.informational.iter().map(|h| h.status()).collect());
        seen.trailers.push(message.trailers.map(|fields| {
            fields
                .iter()
                .map(|field| (text(field.name), text(field.value)))
                .collect()
        }));
    }
    seen
}

/// Decodes `input` (in reads of `reads` bytes, then the rest) and flattens the result.
pub(crate) fn run(kind: &Kind, input: &[u8], policy: &Policy, side: Side, reads: &[usize]) -> Seen {
    let policy = Arc::new(policy.clone());
    match kind {
        Kind::Requests => flatten(collect_requests(input, policy, side, reads), |request| {
            let mut out = BytesMut::new();
            encode_request_head(&request.head, &mut out);
            (
                text(&out),
                request.body,
                request.persistence,
                request.expects_continue,
                request.offers_upgrade,
            )
        }),
        Kind::Responses(answering) => flatten(
            collect_responses(input, policy, side, answering, reads),
            |response| {
                let mut out = BytesMut::new();
                encode_response_head(&response.head, &mut out);
                (
                    text(&out),
                    response.body,
                    response.persistence,
                    false,
                    false,
                )
            },
        ),
    }
}

/// Decodes `input` in one read.
pub(crate) fn run_whole(kind: &Kind, input: &[u8], policy: &Policy, side: Side) -> Seen {
    run(kind, input, policy, side, &[])
}

/// Where the shared research data lives: `$TOLLGATE_SHARED_DIR`, or `../shared` beside the
/// checkout. `None` (with the reason printed) when a clone has none.
pub(crate) fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("TOLLGATE_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    if dir.join("research/data").is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: shared research data not found at {} (set TOLLGATE_SHARED_DIR)",
            dir.display()
        );
        None
    }
}
