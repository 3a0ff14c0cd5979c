//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use threatwright_model::{Loaded, SourceMap};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// One line per diagnostic plus its label, help and related places: what a snapshot of
/// the loader's judgement should show, independent of the terminal renderer.
pub fn plain(loaded: &Loaded) -> String {
    let mut out = String::new();
    for d in &loaded.diagnostics {
        let at = match d.span {
            Some(s) => format!("{}:{}:{}", name(&loaded.sources, s.file), s.line, s.col),
            None => "-".into(),
        };
        let sev = if d.is_error() { "error" } else { "warning" };
        out.push_str(&format!("{at}: {sev}[{}]: {}\n", d.code.name(), d.message));
        if let Some(l) = &d.label {
            out.push_str(&format!("    label: {l}\n"));
        }
        for r in &d.related {
            out.push_str(&format!(
                "    related: {}:{}:{}: {}\n",
                name(&loaded.sources, r.span.file),
                r.span.line,
                r.span.col,
                r.message
            ));
        }
        if let Some(h) = &d.help {
            out.push_str(&format!("    help: {h}\n"));
        }
    }
    out
}

fn name(sources: &SourceMap, f: threatwright_model::FileId) -> String {
    sources
        .path(f)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Whether the third-party data in `../shared/data` is present. Where it is not (a user's
/// fresh clone) the tests that need it skip and say so; CI sets
/// `THREATWRIGHT_REQUIRE_SHARED=1`, which turns the absence into a failure.
pub fn shared_data() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("THREATWRIGHT_REQUIRE_SHARED").is_some() {
        panic!("../shared/data is missing but THREATWRIGHT_REQUIRE_SHARED is set");
    }
    eprintln!(
        "SKIPPED: ../shared/data is not present next to the repository; tests that read it did not run"
    );
    None
}
