//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The binary, run from the repository root without colours.
pub fn tw() -> Command {
    let mut c = Command::cargo_bin("threatwright").unwrap();
    c.current_dir(repo()).env("NO_COLOR", "1");
    c
}

/// The binary, run in `dir`.
pub fn tw_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("threatwright").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// Runs git in `dir` with a fixed identity, failing the test on error.
pub fn git(dir: &Path, args: &[&str]) {
    let s = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@e")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@e")
        .output()
        .unwrap();
    assert!(
        s.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&s.stderr)
    );
}
