//! The generated docs (`docs/rules/`, `docs/controls.md`, `docs/coverage.md`) match the
//! catalog. `THREATWRIGHT_BLESS=1` rewrites them.

use std::path::Path;
use threatwright_catalog::{builtin_sources, docs::generated_docs, load};

#[test]
fn generated_docs_are_current() {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "the built-in catalog has errors: {diags:#?}"
    );
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let bless = std::env::var_os("THREATWRIGHT_BLESS").is_some();
    let files = generated_docs(&cat);
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = docs.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(rel.clone());
            }
        }
    }
    for e in std::fs::read_dir(docs.join("rules"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let rel = format!("rules/{}", e.file_name().to_string_lossy());
        if !files.contains_key(&rel) {
            if bless {
                std::fs::remove_file(e.path()).unwrap();
            } else {
                stale.push(format!("{rel} (no such rule)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated docs are stale: {stale:?}\nrun `THREATWRIGHT_BLESS=1 cargo test -p threatwright-catalog --test docs` and commit the result"
    );
}
