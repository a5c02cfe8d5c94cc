//! HPACK decode throughput: tollgate's decoder against the `hpack` and `fluke-hpack` crates on
//! the same header blocks, with a pass-through baseline (copying the blocks) so that the
//! absolute cost is visible.
//!
//! The blocks are hpack-test-case stories (`../shared/vectors/hpack-test-case`): `nghttp2`
//! (indexed fields and the dynamic table, as browsers and servers encode) and `go-hpack`
//! (every field a Huffman-coded literal, no table: Huffman decoding alone). Each story is
//! decoded in order in a fresh context, as a connection would, and every decoder's output is
//! checked against the others' before anything is timed. Without the shared folder, RFC 7541
//! Appendix C's examples stand in.
//!
//! Every decoder returns an owned list: tollgate a `HeaderBlock` (one buffer per block), the
//! others a `Vec` of `(Vec<u8>, Vec<u8>)`; each list is dropped inside the timed loop.
//!
//! ```text
//! cargo bench -p tollgate-codecs --bench hpack
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "the corpus is read and checked before timing; a failure there is a broken bench"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;
use tollgate_codecs::h2::hpack::Decoder;

#[derive(Deserialize)]
struct Story {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    wire: String,
}

/// Stories as lists of blocks, each story to be decoded in a fresh context.
type Stories = Vec<Vec<Vec<u8>>>;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

fn shared_corpus() -> Option<PathBuf> {
    let shared = std::env::var_os("TOLLGATE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("vectors/hpack-test-case");
    dir.is_dir().then_some(dir)
}

fn load(dir: &Path) -> Stories {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let story: Story =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            story.cases.iter().map(|case| hex(&case.wire)).collect()
        })
        .collect()
}

/// RFC 7541 C.4 (requests) and C.6 (responses, which evict at 4,096 bytes too).
fn appendix_c() -> Stories {
    let story = |wires: &[&str]| wires.iter().map(|wire| hex(wire)).collect();
    vec![
        story(&[
            "828684418cf1e3c2e5f23a6ba0ab90f4ff",
            "828684be5886a8eb10649cbf",
            "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
        ]),
        story(&[
            "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
            "4883640effc1c0bf",
            "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
        ]),
    ]
}

fn corpora() -> Vec<(&'static str, Stories)> {
    match shared_corpus() {
        Some(dir) => vec![
            ("nghttp2", load(&dir.join("nghttp2"))),
            ("go-hpack", load(&dir.join("go-hpack"))),
        ],
        None => {
            println!(
                "hpack-test-case not found (set TOLLGATE_SHARED_DIR): RFC 7541 Appendix C only"
            );
            vec![("rfc7541-appendix-c", appendix_c())]
        }
    }
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn with_tollgate(stories: &Stories) -> Vec<Pairs> {
    let mut lists = Vec::new();
    for story in stories {
        let mut decoder = Decoder::new();
        for block in story {
            let decoded = decoder.decode(block).unwrap();
            lists.push(
                decoded
                    .iter()
                    .map(|field| (field.name().to_vec(), field.value().to_vec()))
                    .collect(),
            );
        }
    }
    lists
}

fn with_hpack(stories: &Stories) -> Vec<Pairs> {
    let mut lists = Vec::new();
    for story in stories {
        let mut decoder = hpack::Decoder::new();
        for block in story {
            lists.push(decoder.decode(block).unwrap());
        }
    }
    lists
}

fn with_fluke(stories: &Stories) -> Vec<Pairs> {
    let mut lists = Vec::new();
    for story in stories {
        let mut decoder = fluke_hpack::Decoder::new();
        for block in story {
            lists.push(decoder.decode(block).unwrap());
        }
    }
    lists
}

fn decode(c: &mut Criterion) {
    for (name, stories) in corpora() {
        let reference = with_tollgate(&stories);
        assert_eq!(with_hpack(&stories), reference, "hpack disagrees on {name}");
        assert_eq!(
            with_fluke(&stories),
            reference,
            "fluke-hpack disagrees on {name}"
        );
        let bytes: usize = stories.iter().flatten().map(Vec::len).sum();

        let mut group = c.benchmark_group(format!("hpack_decode/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("copy", |b| {
            let mut buf = Vec::new();
            b.iter(|| {
                for block in stories.iter().flatten() {
                    buf.clear();
                    buf.extend_from_slice(black_box(block));
                    black_box(&buf);
                }
            });
        });
        group.bench_function("tollgate", |b| {
            b.iter(|| {
                for story in &stories {
                    let mut decoder = Decoder::new();
                    for block in story {
                        black_box(decoder.decode(black_box(block)).ok());
                    }
                }
            });
        });
        group.bench_function("hpack", |b| {
            b.iter(|| {
                for story in &stories {
                    let mut decoder = hpack::Decoder::new();
                    for block in story {
                        black_box(decoder.decode(black_box(block)).ok());
                    }
                }
            });
        });
        group.bench_function("fluke-hpack", |b| {
            b.iter(|| {
                for story in &stories {
                    let mut decoder = fluke_hpack::Decoder::new();
                    for block in story {
                        black_box(decoder.decode(black_box(block)).ok());
                    }
                }
            });
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
