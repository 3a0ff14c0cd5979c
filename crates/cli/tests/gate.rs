//! Risk tracking and the CI gate end to end: `check` exit codes with open, accepted,
//! expired and mitigated threats, baselines (files and git revisions), `diff`, SARIF
//! validated against the official schema, and JUnit.

mod common;
use common::{git, repo, tw, tw_in};

use predicates::prelude::*;

fn base() -> String {
    std::fs::read_to_string(repo().join("crates/cli/tests/fixtures/gate/model.yaml")).unwrap()
}

/// Writes `text` as a model in a fresh directory; returns the directory and the path.
fn model(text: &str) -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("model.yaml");
    std::fs::write(&p, text).unwrap();
    (d, p.to_str().unwrap().to_owned())
}

const TRACKED: &str = "risks:
  - { threat: \"*@assistant\", status: accepted, owner: product, rationale: Answers are reviewed weekly., expires: 2027-06-30, ticket: SEC-12 }
  - { threat: \"*@chat\", status: mitigated }
  - { threat: \"*@gpt\", status: false-positive, rationale: The vendor filters these. }
  - { threat: \"*@shop\", status: transferred }
  - { threat: \"*@orders-db\", status: accepted, owner: security, rationale: Encrypted volume., expires: 2027-01-01 }
";

fn json(args: &[&str]) -> serde_json::Value {
    let out = tw().args(args).output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn unmitigated_threats_fail_the_gate_and_say_how_to_resolve() {
    let (_d, p) = model(&base());
    tw().args(["check", &p, "--fail-on", "high", "--today", "2026-11-29"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("✗ failed")
                .and(predicate::str::contains(
                    "sensitive-data-disclosure@assistant",
                ))
                .and(predicate::str::contains("accept: add to `risks:`"))
                .and(predicate::str::contains("mitigate: implement")),
        );
    tw().args([
        "check",
        &p,
        "--fail-on",
        "critical",
        "--today",
        "2026-11-29",
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains("✓ passed"));
}

#[test]
fn accepted_mitigated_and_false_positive_threats_pass() {
    let (_d, p) = model(&format!("{}{TRACKED}", base()));
    tw().args(["check", &p, "--fail-on", "low", "--today", "2026-11-29"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ passed"));
    let a = json(&["analyze", &p, "--format", "json", "--today", "2026-11-29"]);
    let t = a["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "sensitive-data-disclosure@assistant")
        .unwrap();
    assert_eq!(t["status"], "accepted");
    assert_eq!(t["owner_role"], "product");
    assert_eq!(t["tracking"]["ticket"], "SEC-12");
    assert_eq!(a["summary"]["open"], 0);
}

#[test]
fn an_expired_acceptance_is_open_again_with_a_warning() {
    let (_d, p) = model(&format!("{}{TRACKED}", base()));
    tw().args(["check", &p, "--fail-on", "high", "--today", "2027-02-01"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("expired on 2027-01-01").and(predicate::str::contains(
                "sensitive-data-unencrypted-at-rest@orders-db",
            )),
        );
}

#[test]
fn orphan_entries_are_reported() {
    let (_d, p) = model(&format!(
        "{}{TRACKED}  - {{ threat: model-extraction@chat, status: accepted }}\n",
        base()
    ));
    tw().args(["check", &p, "--today", "2026-11-29"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "`model-extraction@chat` matches no threat",
        ));
}

#[test]
fn incidents_raise_likelihood_and_controls_lower_residual_risk() {
    let plain = json(&["analyze", &model(&base()).1, "--format", "json"]);
    let with = format!(
        "{}incidents:\n  - {{ id: leak-1, date: 2026-10-01, summary: A customer saw another customer's order., source: user-report, threats: [\"sensitive-data-disclosure@*\"] }}\ncontrols:\n  - {{ control: data-minimization, targets: [assistant], status: implemented }}\n",
        base()
    );
    let (_d, p) = model(&with);
    let a = json(&["analyze", &p, "--format", "json"]);
    let find = |a: &serde_json::Value| {
        a["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "sensitive-data-disclosure@assistant")
            .unwrap()
            .clone()
    };
    let (before, after) = (find(&plain), find(&a));
    assert_eq!(
        after["likelihood"].as_u64().unwrap(),
        before["likelihood"].as_u64().unwrap() + 1,
        "{after}"
    );
    assert!(
        after["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().contains("1 recorded incident"))
    );
    assert_eq!(after["incidents"], serde_json::json!(["leak-1"]));
    assert_eq!(
        after["residual"]["reduced_by"],
        serde_json::json!(["data-minimization"])
    );
    assert!(after["residual"]["score"].as_u64() < after["score"].as_u64());
    assert!(!a["plan"]["controls"].as_array().unwrap().is_empty());
    assert!(
        a["plan"]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["role"] == "security")
    );
}

#[test]
fn a_policy_file_changes_the_bands() {
    let (d, p) = model(&base());
    let row = |cells: [&str; 5]| format!("[{}]", cells.map(|c| format!("\"{c}\"")).join(", "));
    let low = row(["low"; 5]);
    std::fs::write(
        d.path().join("threatwright.toml"),
        format!("[risk]\nmatrix = [{low}, {low}, {low}, {low}, {low}]\n"),
    )
    .unwrap();
    tw().args(["check", &p, "--fail-on", "medium"])
        .assert()
        .code(0);
    std::fs::write(d.path().join("threatwright.toml"), "[risk]\nmatrix = 3\n").unwrap();
    tw().args(["check", &p])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("threatwright.toml"));
}

fn with_new_threat() -> String {
    base()
        .replace(
            "hosting: vendor-api,",
            "hosting: vendor-api, trains_on_prompts: true,",
        )
        .replace(
            "{ id: question, classification: internal,",
            "{ id: question, classification: confidential,",
        )
}

#[test]
fn a_baseline_hides_old_threats_and_catches_new_ones() {
    let (_d1, old) = model(&base());
    let (_d2, new) = model(&with_new_threat());
    tw().args(["check", &old, "--baseline", &old, "--fail-on", "low"])
        .assert()
        .code(0);
    tw().args(["check", &new, "--baseline", &old, "--fail-on", "low"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("vendor-trains-on-prompts@gpt  (new)")
                .and(predicate::str::contains("sensitive-data-disclosure@assistant").not()),
        );
}

#[test]
fn a_git_revision_can_be_the_baseline() {
    let d = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git(d.path(), args);
    git(&["init", "-q"]);
    std::fs::write(d.path().join("model.yaml"), base()).unwrap();
    git(&["add", "model.yaml"]);
    git(&["commit", "-qm", "model"]);
    std::fs::write(d.path().join("model.yaml"), with_new_threat()).unwrap();
    tw_in(d.path())
        .args([
            "check",
            "model.yaml",
            "--baseline",
            "git:HEAD:model.yaml",
            "--fail-on",
            "low",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "vendor-trains-on-prompts@gpt  (new)",
        ));
    tw_in(d.path())
        .args([
            "diff",
            "git:HEAD:model.yaml",
            "model.yaml",
            "--format",
            "markdown",
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("### New threats")
                .and(predicate::str::contains("vendor-trains-on-prompts@gpt"))
                .and(predicate::str::contains("changed: `gpt`")),
        );
    tw_in(d.path())
        .args([
            "check",
            "model.yaml",
            "--baseline",
            "git:nosuchrev:model.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "git show nosuchrev:model.yaml failed",
        ));
}

#[test]
fn diff_reports_threats_elements_and_new_cross_zone_flows() {
    let (_d1, old) = model(&base());
    let new_text = format!(
        "{}  - {{ from: shopper, to: gpt, sends: [question] }}\n",
        with_new_threat()
    );
    let (_d2, new) = model(&new_text);
    let d = json(&["diff", &old, &new, "--format", "json"]);
    assert!(
        d["threats_added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "vendor-trains-on-prompts@gpt"),
        "{d}"
    );
    assert_eq!(d["components"]["changed"], serde_json::json!(["gpt"]));
    assert_eq!(d["flows"]["added"], serde_json::json!(["shopper>gpt"]));
    assert!(
        d["new_cross_zone_flows"][0]
            .as_str()
            .unwrap()
            .starts_with("shopper>gpt")
    );
    assert!(d["open_risk_after"].as_u64() > d["open_risk_before"].as_u64());
}

#[test]
fn sarif_validates_against_the_official_schema_with_element_lines() {
    let (_d, p) = model(&format!("{}{TRACKED}", base()));
    let sarif = json(&["check", &p, "--format", "sarif", "--today", "2026-11-29"]);
    let schema_path = repo().join("../shared/data/sarif/sarif-schema-2.1.0.json");
    if !schema_path.exists() {
        assert!(
            std::env::var_os("THREATWRIGHT_REQUIRE_SHARED").is_none(),
            "../shared/data is missing but THREATWRIGHT_REQUIRE_SHARED is set"
        );
        eprintln!(
            "SKIPPED: ../shared/data/sarif is not present; the SARIF schema check did not run"
        );
        return;
    }
    // The official schema has an invalid regex (an unbalanced `]`); patch it to compile.
    let text = std::fs::read_to_string(schema_path).unwrap().replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$",
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| {
            r["partialFingerprints"]["threatwright/v1"] == "endpoint-without-rate-limiting@chat"
        })
        .unwrap();
    let text = base();
    let line = text.lines().position(|l| l.contains("id: chat,")).unwrap() + 1;
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        line as u64
    );
    assert!(
        r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 0.0
    );
    assert_eq!(
        r["suppressions"][0]["status"], "accepted",
        "a mitigated threat is suppressed"
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() >= 120 && rules.iter().all(|r| r["help"]["markdown"].is_string()));
}

#[test]
fn junit_marks_failures_and_skips() {
    let (_d, p) = model(&base());
    let out = tw()
        .args(["check", &p, "--format", "junit", "--fail-on", "high"])
        .output()
        .unwrap();
    let x = String::from_utf8(out.stdout).unwrap();
    assert!(x.starts_with("<?xml"));
    assert!(x.contains("<failure type=\"high\""));
    assert!(x.contains("name=\"sensitive-data-disclosure@assistant\""));
    assert_eq!(
        x.matches("<testcase").count(),
        x.matches("</testcase>").count()
    );
    let (_d, p) = model(&format!("{}{TRACKED}", base()));
    let out = tw()
        .args(["check", &p, "--format", "junit", "--today", "2026-11-29"])
        .output()
        .unwrap();
    let x = String::from_utf8(out.stdout).unwrap();
    assert!(
        x.contains("failures=\"0\"") && x.contains("<skipped message=\"tracked as accepted\"/>")
    );
}

const TRIFECTA: &str = r#"threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: mail, classification: restricted, categories: [pii], provenance: user-generated }
  - { id: out, classification: internal }
components:
  - { id: sender, kind: user, zone: internet, population: public }
  - { id: assistant, kind: agent, zone: corp, llm: gpt, tools: [inbox, mailer] }
  - { id: gpt, kind: llm, zone: corp }
  - { id: inbox, kind: tool, zone: corp, actions: [read], stores: [mail] }
  - { id: mailer, kind: tool, zone: corp, actions: [send-message], recipients: any, approval: none }
flows:
  - { from: sender, to: inbox, sends: [mail] }
  - { from: assistant, to: inbox, receives: [mail] }
  - { from: assistant, to: gpt, sends: [mail], receives: [out] }
  - { from: assistant, to: mailer, sends: [out] }
"#;

#[test]
fn the_gate_fails_once_per_cause() {
    let (_d, p) = model(TRIFECTA);
    let v = json(&["check", &p, "--fail-on", "medium", "--format", "json"]);
    let failing: Vec<&str> = v["failing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        failing.contains(&"lethal-trifecta@assistant"),
        "{failing:?}"
    );
    assert!(
        !failing.contains(&"agent-data-exfiltration@assistant"),
        "{failing:?}"
    );
    tw().args(["check", &p, "--fail-on", "medium"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "includes: agent-data-exfiltration@assistant",
        ));
    // Once the broader threat is accepted, the part is gated on its own.
    let accepted = format!(
        "{TRIFECTA}risks:\n  - {{ threat: lethal-trifecta@assistant, status: accepted, owner: security, rationale: Reviewed., expires: 2099-01-01 }}\n"
    );
    let (_d2, p2) = model(&accepted);
    let v = json(&["check", &p2, "--fail-on", "medium", "--format", "json"]);
    assert!(
        v["failing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "agent-data-exfiltration@assistant"),
        "{v}"
    );
}
