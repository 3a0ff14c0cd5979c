//! The `threatwright` binary end to end: exit codes, outputs, and files it writes.

mod common;
use common::{repo, tw};

use predicates::prelude::*;

fn examples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.strip_prefix(repo()).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn validate_examples_exits_0() {
    tw().arg("validate")
        .args(examples())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "✓ examples/threatwright.yaml: valid",
        ));
}

#[test]
fn validate_invalid_model_exits_1_with_snippet_and_caret() {
    let out = tw()
        .args([
            "validate",
            "crates/model/tests/fixtures/invalid/dangling-references.yaml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("human-dangling-references", text);
}

#[test]
fn human_output_of_kind_errors() {
    let out = tw()
        .args([
            "validate",
            "crates/model/tests/fixtures/invalid/kind-attributes.yaml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("human-kind-attributes", String::from_utf8(out).unwrap());
}

#[test]
fn validate_json_gives_machine_readable_diagnostics() {
    let out = tw()
        .args([
            "validate",
            "--format",
            "json",
            "crates/model/tests/fixtures/invalid/bad-enums.yaml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["valid"], false);
    let d = &v["diagnostics"][0];
    for key in [
        "file", "line", "column", "severity", "code", "message", "hint",
    ] {
        assert!(!d[key].is_null(), "missing {key} in {d}");
    }
    assert_eq!(d["code"], "bad-value");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(34))
    );
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `high`?")
    );
}

#[test]
fn unreadable_file_exits_2() {
    tw().args(["validate", "no/such/model.yaml"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("cannot read no/such/model.yaml"));
    tw().args(["validate", "--format", "json", "no/such/model.yaml"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("\"code\": \"io\""));
}

#[test]
fn usage_errors_exit_2() {
    tw().arg("validate").assert().code(2);
    tw().args(["validate", "--format", "xml", "examples/threatwright.yaml"])
        .assert()
        .code(2);
}

#[test]
fn one_invalid_model_among_valid_ones_exits_1() {
    tw().args([
        "validate",
        "examples/threatwright.yaml",
        "crates/model/tests/fixtures/invalid/structure.yaml",
    ])
    .assert()
    .code(1);
}

#[test]
fn warnings_pass_unless_denied() {
    let f = "crates/model/tests/fixtures/invalid/warnings.yaml";
    tw().args(["validate", f])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("3 warnings"));
    tw().args(["validate", "--deny-warnings", f])
        .assert()
        .code(1);
}

#[test]
fn validate_reads_standard_input() {
    let text = std::fs::read_to_string(repo().join("examples/fraud-detection.yaml")).unwrap();
    tw().args(["validate", "-"])
        .write_stdin(text)
        .assert()
        .code(0);
    tw().args(["validate", "-"])
        .write_stdin("threatwright: 1\nzones: [{ id: x, trust: ful }]\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("`ful` is not a valid trust level"));
}

#[test]
fn limits_are_raisable_from_the_cli() {
    let deep = format!(
        "threatwright: 1\nx: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    tw().args(["validate", "-"])
        .write_stdin(deep.clone())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("nesting-too-deep"));
    tw().args(["validate", "--max-depth", "200", "-"])
        .write_stdin(deep)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unknown key `x`"));
}

#[test]
fn schema_is_json_and_can_be_written_to_a_file() {
    let out = tw()
        .arg("schema")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["title"], "Threatwright model, format v1");
    jsonschema::meta::validate(&v).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    tw().args(["schema", "-o", path.to_str().unwrap()])
        .assert()
        .code(0);
    assert_eq!(std::fs::read(&path).unwrap(), out);
}

#[test]
fn init_writes_every_template_and_each_validates_cleanly() {
    for t in [
        "rag-assistant",
        "tool-agent",
        "predictive-service",
        "fine-tuning-pipeline",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.yaml");
        tw().args([
            "init",
            path.to_str().unwrap(),
            "--template",
            t,
            "--name",
            "Acme \"Help\" Desk: v2",
        ])
        .assert()
        .code(0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("id: \"acme-help-desk-v2\"") || text.contains("id: acme-help-desk-v2"),
            "{t}"
        );
        assert!(
            text.starts_with("# yaml-language-server: $schema=threatwright.schema.json"),
            "{t}"
        );
        assert!(dir.path().join("threatwright.schema.json").exists());
        let out = tw()
            .args([
                "validate",
                "--deny-warnings",
                "--format",
                "json",
                path.to_str().unwrap(),
            ])
            .assert()
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["diagnostics"], serde_json::json!([]), "template {t}");
    }
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threatwright.yaml");
    std::fs::write(&path, "keep me").unwrap();
    tw().args(["init", path.to_str().unwrap(), "-t", "tool-agent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists; pass --force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    tw().args([
        "init",
        path.to_str().unwrap(),
        "-t",
        "tool-agent",
        "--force",
    ])
    .assert()
    .code(0);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("threatwright: 1")
    );
}

#[test]
fn init_asks_when_interactive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    tw().args(["init", path.to_str().unwrap(), "--interactive"])
        .write_stdin("9\n3\nFraud Scoring\n")
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("Which kind of AI system")
                .and(predicate::str::contains("Please answer with a number")),
        );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("fraud-scoring") && text.contains("Fraud Scoring"));
    assert!(
        text.contains("kind: inference-service"),
        "the predictive-service template was chosen"
    );
}

#[test]
fn init_without_template_off_a_terminal_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    tw().args([
        "init",
        dir.path().join("m.yaml").to_str().unwrap(),
        "--no-interactive",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "choose a template with --template",
    ));
}

#[test]
fn analyze_prints_a_summary_and_exits_0() {
    tw().args(["analyze", "examples/rag-support-assistant.yaml"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("Top threats:").and(predicate::str::contains(
                "indirect-prompt-injection@support-agent",
            )),
        );
}

#[test]
fn analyze_json_is_complete_and_byte_identical_between_runs() {
    let run = || {
        tw().args([
            "analyze",
            "--format",
            "json",
            "examples/multi-agent-research.yaml",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone()
    };
    let first = run();
    assert_eq!(first, run(), "two runs differ");
    let v: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["format_version"], 1);
    let t = &v["threats"][0];
    for key in [
        "id",
        "rule",
        "title",
        "elements",
        "stride",
        "lifecycle",
        "references",
        "evidence",
        "mitigations",
        "owner_role",
        "severity",
        "location",
    ] {
        assert!(!t[key].is_null(), "threat lacks {key}: {t}");
    }
    for key in [
        "atlas",
        "owasp_llm",
        "owasp_ml",
        "cwe",
        "cosai",
        "nist_ai_100_2",
    ] {
        assert!(t["references"][key].is_array(), "references lack {key}");
    }
    assert!(v["questions"].is_array());
    assert!(
        v["facts"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "researcher-agent" && c["trifecta"] == true)
    );
    assert!(t["location"]["line"].as_u64().unwrap() > 0);
}

#[test]
fn analyze_refuses_an_invalid_model() {
    tw().args([
        "analyze",
        "crates/model/tests/fixtures/invalid/bad-enums.yaml",
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("fix them to analyze it"));
}

#[test]
fn user_rules_are_loaded_tested_and_applied() {
    let good = "crates/cli/tests/fixtures/rules/good";
    tw().args(["rules", "test", good])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "1 rules, 2 tests: 1 passed, 0 failed",
        ));
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(&model, "threatwright: 1\nzones:\n  - { id: internet, trust: untrusted }\n  - { id: corp, trust: internal }\ncomponents:\n  - { id: visitor, kind: user, zone: internet, population: public }\n  - { id: debug-api, kind: api, zone: corp, tags: [debug] }\nflows:\n  - { from: visitor, to: debug-api }\n").unwrap();
    tw().args(["analyze", "--rules", good, model.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("public-debug-endpoint@debug-api"));
    tw().args(["rules", "list", "--rules", good])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("public-debug-endpoint"));
    tw().args(["rules", "show", "indirect-prompt-injection"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Attack steps"));
    tw().args(["rules", "show", "indirect-prompt-injektion"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `indirect-prompt-injection`?",
        ));
}

#[test]
fn a_broken_rule_gets_precise_errors() {
    let out = tw()
        .args(["rules", "test", "crates/cli/tests/fixtures/rules/broken"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("broken-rule", String::from_utf8(out).unwrap());
}

#[test]
fn a_failing_rule_test_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        repo().join("crates/cli/tests/fixtures/rules/good/public-debug-endpoint.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("public-debug-endpoint.yaml"),
        text.replace("c.exposed", "c.exposed && c.kind == \"service\""),
    )
    .unwrap();
    tw().args(["rules", "test", dir.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "expected `public-debug-endpoint@debug-api`, found []",
        ));
}

#[test]
fn the_builtin_catalog_passes_its_own_tests() {
    tw().args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn gen_writes_models_that_validate() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.yaml");
    tw().args([
        "gen",
        "--components",
        "300",
        "--flows",
        "1200",
        "-o",
        p.to_str().unwrap(),
    ])
    .assert()
    .code(0);
    tw().args(["validate", p.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("300 components, 1200 flows"));
    tw().args([
        "gen",
        "--components",
        "5",
        "--flows",
        "5",
        "--format",
        "pytm",
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains("from pytm import"));
}
