//! The CI integrations we ship (GitHub Actions, GitLab CI, pre-commit) run the same
//! `threatwright` commands this test runs, in a git repository holding a model, with the
//! CI variables replaced by the base revision.

mod common;
use common::{git, repo};

use assert_cmd::cargo::cargo_bin;
use std::path::Path;
use std::process::Command;

/// The `threatwright …` command lines in a CI file (in `run:`, `script:` or `entry:`).
fn commands(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim().trim_start_matches("- ").trim();
        let l = l
            .strip_prefix("run:")
            .or_else(|| l.strip_prefix("entry:"))
            .map_or(l, str::trim);
        if l.starts_with("threatwright ") {
            out.push(l.to_owned());
        }
    }
    assert!(!out.is_empty(), "no threatwright commands in {file}");
    out
}

/// Runs a command line through sh with `threatwright` being this build.
fn run(dir: &Path, line: &str) -> std::process::Output {
    let bin = cargo_bin("threatwright");
    let line = line
        .replace("${{ github.base_ref || 'main' }}", "main")
        .replace("origin/${{ github.base_ref }}", "main")
        .replace("origin/main", "main")
        .replace("$CI_MERGE_REQUEST_DIFF_BASE_SHA", "main");
    let line = format!(
        "{} {}",
        bin.display(),
        line.strip_prefix("threatwright ").unwrap()
    );
    Command::new("sh")
        .arg("-c")
        .arg(&line)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn git_repo_with_model() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git(d.path(), args);
    git(&["init", "-q", "-b", "main"]);
    std::fs::copy(
        repo().join("examples/threatwright.yaml"),
        d.path().join("threatwright.yaml"),
    )
    .unwrap();
    git(&["add", "threatwright.yaml"]);
    git(&["commit", "-qm", "model"]);
    d
}

#[test]
fn github_actions_commands_pass_on_our_own_model() {
    let d = git_repo_with_model();
    for c in commands("integrations/github-actions/threatwright.yml") {
        let out = run(d.path(), &c);
        assert!(
            out.status.success(),
            "`{c}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("threatwright.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(d.path().join("threatwright-diff.md"))
            .unwrap()
            .contains("Threat model changes")
    );
}

#[test]
fn gitlab_commands_pass_and_write_junit() {
    let d = git_repo_with_model();
    for c in commands("integrations/gitlab/threatwright.gitlab-ci.yml") {
        let out = run(d.path(), &c);
        assert!(
            out.status.success(),
            "`{c}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        std::fs::read_to_string(d.path().join("threatwright-junit.xml"))
            .unwrap()
            .contains("<testsuites")
    );
}

#[test]
fn pre_commit_hooks_pass_on_our_model_and_stop_a_broken_one() {
    let d = git_repo_with_model();
    let hooks = commands(".pre-commit-hooks.yaml");
    for c in &hooks {
        // pre-commit appends the matching file names when pass_filenames is on (validate).
        let line = if c.contains("validate") {
            format!("{c} threatwright.yaml")
        } else {
            c.clone()
        };
        let out = run(d.path(), &line);
        assert!(
            out.status.success(),
            "`{line}` failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    std::fs::write(
        d.path().join("threatwright.yaml"),
        "threatwright: 1\ncomponents:\n  - { id: x, kind: servce }\n",
    )
    .unwrap();
    let out = run(d.path(), &format!("{} threatwright.yaml", hooks[0]));
    assert_eq!(out.status.code(), Some(1));
}
