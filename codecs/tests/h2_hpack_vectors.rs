//! HPACK against the hpack-test-case corpus (`../shared/vectors/hpack-test-case`, MIT, from
//! github.com/http2jp/hpack-test-case):
//!
//! - every story of every implementation folder (go-hpack, nghttp2,
//!   nghttp2-change-table-size, python-hpack, swift-nio-hpack-huffman, …) decodes, case by case
//!   in one context, to exactly the header list recorded with it, honouring each case's
//!   `header_table_size` (our SETTINGS_HEADER_TABLE_SIZE, acknowledged just before the case);
//! - every story of `raw-data` encoded by our encoder decodes to the same lists with our
//!   decoder, and both sides' tables agree after every block, at the default table size (where
//!   the `hpack` crate's decoder checks the wire too), at a small one that evicts constantly,
//!   and at zero.
//!
//! Skipped with a printed reason when the shared folder is absent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions read the corpus; a failure is a failing test"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::BytesMut;
use serde::Deserialize;
use tollgate_codecs::h2::hpack::{Decoder, Encoder, HeaderBlock, HeaderField};

#[derive(Deserialize)]
struct Story {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(default)]
    header_table_size: Option<usize>,
    #[serde(default)]
    wire: Option<String>,
    headers: Vec<BTreeMap<String, String>>,
}

impl Case {
    fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.headers
            .iter()
            .flat_map(|field| {
                field
                    .iter()
                    .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
            })
            .collect()
    }
}

/// The corpus: `$TOLLGATE_SHARED_DIR/vectors/hpack-test-case`, or `../shared` beside the
/// checkout (as `support::shared_dir` finds the research data). `None`, with the reason
/// printed, when a clone has none.
fn corpus() -> Option<PathBuf> {
    let shared = std::env::var_os("TOLLGATE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("vectors/hpack-test-case");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: hpack-test-case not found at {} (set TOLLGATE_SHARED_DIR)",
            dir.display()
        );
        None
    }
}

/// The story files of one folder, in name order.
fn stories(dir: &Path) -> Vec<(String, Story)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let story = serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                story,
            )
        })
        .collect()
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

fn pairs(block: &HeaderBlock) -> Vec<(Vec<u8>, Vec<u8>)> {
    block
        .iter()
        .map(|field| (field.name().to_vec(), field.value().to_vec()))
        .collect()
}

fn list_size(list: &[(Vec<u8>, Vec<u8>)]) -> usize {
    list.iter()
        .map(|(name, value)| name.len() + value.len() + 32)
        .sum()
}

#[test]
fn every_implementation_story_decodes_exactly() {
    let Some(corpus) = corpus() else { return };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir() && !path.ends_with("raw-data"))
        .collect();
    folders.sort();
    let (mut total_stories, mut total_cases, mut size_changes) = (0, 0, 0);
    for folder in &folders {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let stories = stories(folder);
        assert!(!stories.is_empty(), "{name}: no story");
        let mut cases = 0;
        for (file, story) in &stories {
            let mut decoder = Decoder::new();
            for (seqno, case) in story.cases.iter().enumerate() {
                let context = format!("{name}/{file} case {seqno}");
                if let Some(size) = case.header_table_size {
                    if size != decoder.max_table_size() {
                        size_changes += 1;
                    }
                    decoder.set_max_table_size(size);
                }
                let wire = hex(case.wire.as_deref().expect(&context));
                let block = decoder
                    .decode(&wire)
                    .unwrap_or_else(|error| panic!("{context}: {error}"));
                let expected = case.pairs();
                assert_eq!(pairs(&block), expected, "{context}");
                assert_eq!(block.list_size(), list_size(&expected), "{context}");
                assert!(decoder.dynamic_table().size() <= decoder.max_table_size());
                cases += 1;
            }
        }
        println!("{name}: {} stories, {cases} cases decoded", stories.len());
        total_stories += stories.len();
        total_cases += cases;
    }
    println!(
        "hpack-test-case: {} implementations, {total_stories} stories, {total_cases} cases \
         decoded ({size_changes} table size changes)",
        folders.len()
    );
    assert!(folders.len() >= 5, "implementation folders missing");
}

/// Encodes every raw story with our encoder (the peer's table setting `size` from the start)
/// and checks it with our decoder (and the `hpack` crate's at the default size). Returns (stories, cases, raw bytes,
/// encoded bytes).
fn encode_raw_stories(corpus: &Path, size: usize) -> (usize, usize, usize, usize) {
    let stories = stories(&corpus.join("raw-data"));
    assert!(!stories.is_empty(), "raw-data: no story");
    let (mut cases, mut raw, mut encoded) = (0, 0, 0);
    for (file, story) in &stories {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new();
        // The `hpack` crate is slow in debug builds: it checks the default size only.
        let mut reference = (size == 4096).then(hpack::Decoder::new);
        encoder.set_max_table_size(size);
        decoder.set_max_table_size(size);
        for (seqno, case) in story.cases.iter().enumerate() {
            let context = format!("raw-data/{file} case {seqno} (table {size})");
            let expected = case.pairs();
            let mut wire = BytesMut::new();
            encoder.encode(
                expected
                    .iter()
                    .map(|(name, value)| HeaderField::new(name, value)),
                &mut wire,
            );
            let block = decoder
                .decode(&wire)
                .unwrap_or_else(|error| panic!("{context}: {error}"));
            assert_eq!(pairs(&block), expected, "{context}");
            assert_eq!(
                decoder.dynamic_table(),
                encoder.dynamic_table(),
                "{context}"
            );
            if let Some(reference) = &mut reference {
                let theirs = reference
                    .decode(&wire)
                    .unwrap_or_else(|error| panic!("{context}: hpack crate: {error:?}"));
                assert_eq!(theirs, expected, "{context}: hpack crate");
            }
            raw += list_size(&expected) - 32 * expected.len();
            encoded += wire.len();
            cases += 1;
        }
    }
    (stories.len(), cases, raw, encoded)
}

#[test]
fn every_raw_story_round_trips_through_the_encoder() {
    let Some(corpus) = corpus() else { return };
    for size in [4096, 256, 0] {
        let (stories, cases, raw, encoded) = encode_raw_stories(&corpus, size);
        println!(
            "raw-data, peer table {size}: {stories} stories, {cases} cases encoded and decoded; \
             {raw} bytes of names and values in {encoded} bytes ({:.1} %)",
            100.0 * encoded as f64 / raw as f64
        );
    }
}
