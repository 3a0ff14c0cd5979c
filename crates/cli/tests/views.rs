//! The view commands end to end: diagram, tree, report, bom.

mod common;
use common::{repo, tw};
use predicates::prelude::*;

const RAG: &str = "examples/rag-support-assistant.yaml";

#[test]
fn diagram_writes_svg_dot_and_mermaid() {
    let out = tw()
        .args(["diagram", RAG, "--layout", "builtin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.contains("data-id=\"support-agent\""));
    tw().args(["diagram", RAG, "--format", "dot"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("digraph dfd {"))
        .stdout(predicate::str::contains("subgraph \"cluster_payments\""));
    tw().args(["diagram", RAG, "--format", "mermaid"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("flowchart LR"));
}

#[test]
fn diagram_lineage_of_one_asset_and_a_clear_error_for_an_unknown_one() {
    tw().args([
        "diagram",
        "examples/fraud-detection.yaml",
        "--lineage",
        "transactions",
        "--format",
        "mermaid",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("fraud-model"))
    .stdout(predicate::str::contains("derived"));
    tw().args(["diagram", RAG, "--lineage", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no data asset `nope`"))
        .stderr(predicate::str::contains("customer-messages"));
}

#[test]
fn tree_prints_outlines_and_each_format() {
    tw().args(["tree", RAG])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Exfiltrate confidential or restricted data [exfiltrate-data]",
        ))
        .stdout(predicate::str::contains("* AND Via"));
    let out = tw()
        .args(["tree", RAG, "--format", "json"])
        .output()
        .unwrap();
    let trees: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &trees[0];
    assert!(first["probability"].as_f64().unwrap() > 0.0);
    assert!(!first["cheapest_path"].as_array().unwrap().is_empty());
    for (fmt, start) in [
        ("mermaid", "flowchart TB"),
        ("dot", "digraph attack_tree {"),
        ("svg", "<svg"),
    ] {
        tw().args([
            "tree",
            RAG,
            "--goal",
            "agent-unauthorised-action",
            "--format",
            fmt,
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(start));
    }
    // The hand-written tree of the fraud model, by its id.
    tw().args([
        "tree",
        "examples/fraud-detection.yaml",
        "--goal",
        "get-fraud-approved",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("(written by hand)"));
}

#[test]
fn tree_errors_name_the_goals_there_are() {
    tw().args(["tree", RAG, "--goal", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown goal `nope`"))
        .stderr(predicate::str::contains("steal-model"));
    tw().args([
        "tree",
        "examples/fraud-detection.yaml",
        "--goal",
        "steal-model",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "no threat found in this model leads to it",
    ));
    tw().args(["tree", RAG, "--format", "svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("choose it with --goal"));
}

#[test]
fn report_formats_follow_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (file, needle) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.md", "# Threat model: Support Copilot"),
        ("r.csv", "id,rule,title,"),
    ] {
        let path = dir.path().join(file);
        tw().args(["report", RAG, "-o", path.to_str().unwrap()])
            .assert()
            .success();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(needle), "{file}: {}", &text[..60]);
    }
    tw().args([
        "report",
        RAG,
        "-o",
        dir.path().join("r.docx").to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "cannot tell the report format from `.docx`",
    ));
    tw().args(["report", RAG, "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a PDF needs a file"));
}

#[test]
fn report_of_an_invalid_model_shows_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "threatwright: 1\ncomponents:\n  - { id: a, kind: wizard }\n",
    )
    .unwrap();
    tw().args([
        "report",
        bad.to_str().unwrap(),
        "-o",
        dir.path().join("r.html").to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("wizard"));
    assert!(!dir.path().join("r.html").exists());
}

#[test]
fn bom_is_cyclonedx_json_linked_to_the_threat_model() {
    let out = tw()
        .args(["bom", "examples/fine-tuning-pipeline.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(b["bomFormat"], "CycloneDX");
    assert_eq!(b["specVersion"], "1.6");
    assert_eq!(
        b["externalReferences"][0]["url"],
        "examples/fine-tuning-pipeline.yaml"
    );
    assert!(
        b["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "machine-learning-model")
    );
    // Deterministic: the same model gives the same bytes.
    let again = tw()
        .args(["bom", "examples/fine-tuning-pipeline.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, again.stdout);
    let _ = repo();
}
