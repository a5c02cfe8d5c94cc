//! The corpora in this repository load: a case that does not is caught here, not when a run
//! reaches it.

use std::path::Path;

use tollgate_harness::case::{Kind, load_dir};

#[test]
fn every_case_in_the_repository_loads() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora");
    let corpus = match load_dir(&corpora) {
        Ok(corpus) => corpus,
        Err(error) => panic!("{error}"),
    };
    let errors: Vec<String> = corpus.errors.iter().map(ToString::to_string).collect();
    assert!(
        errors.is_empty(),
        "cases that do not load:\n{}",
        errors.join("\n")
    );
    eprintln!(
        "corpora: {} origin cases, {} smuggling cases",
        corpus.count(Kind::Origin),
        corpus.count(Kind::Smuggling)
    );
}
