//! The deviation table in `docs/deviations.md` is generated from the catalogue in the code;
//! this test fails when they differ. Regenerate with
//! `TOLLGATE_UPDATE_DOCS=1 cargo test -p tollgate-codecs --test docs`
//! (or `tollgate policy list --format markdown > docs/deviations.md`).

use std::path::Path;

#[test]
fn deviation_table_in_docs_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deviations.md");
    let generated = tollgate_codecs::deviation::markdown_table();
    if std::env::var_os("TOLLGATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is out of date: run `TOLLGATE_UPDATE_DOCS=1 cargo test -p tollgate-codecs --test docs`",
        path.display()
    );
}
