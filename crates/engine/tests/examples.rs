//! The findings on each example model, snapshotted. These snapshots were reviewed line by
//! line: a change in them is a change in what a security reviewer is told.

use std::path::Path;
use threatwright_catalog::{builtin_sources, load};
use threatwright_model::{Limits, load_path};

fn findings(name: &str) -> String {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    assert!(diags.iter().all(|d| !d.is_error()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.yaml"));
    let loaded = load_path(&path, &Limits::default()).unwrap();
    let model = loaded.model.expect("the example is valid");
    // A fixed day, so acceptance expiry does not change the snapshots over time.
    let opts = threatwright_engine::Options {
        today: (2026, 11, 29),
        ..Default::default()
    };
    let a = threatwright_engine::analyze_opts(&model, &cat, None, &opts);
    assert!(a.rule_errors.is_empty(), "{:#?}", a.rule_errors);
    let mut out = String::new();
    for t in &a.threats {
        let status = if t.is_open() {
            String::new()
        } else {
            format!("  [{}]", t.status)
        };
        out.push_str(&format!(
            "{:>2} {:<8} {}{status}\n",
            t.residual.score,
            t.residual.severity.as_str(),
            t.id
        ));
    }
    for w in &a.tracking_warnings {
        out.push_str(&format!("warning: {}\n", w.message));
    }
    out.push_str(&format!("questions: {}\n", a.questions.len()));
    for q in &a.questions {
        out.push_str(&format!("  ? {} [{}]: {}\n", q.element, q.rule, q.question));
    }
    out
}

/// Rules that must never fire on a system (no noise).
fn assert_absent(findings: &str, rules: &[&str]) {
    for r in rules {
        assert!(
            !findings.contains(&format!(" {r}@")),
            "{r} fired:\n{findings}"
        );
    }
}

#[test]
fn rag_support_assistant() {
    let f = findings("rag-support-assistant");
    for id in [
        "indirect-prompt-injection@support-agent",
        "direct-prompt-injection@support-agent",
        "vector-store-poisoning@kb-index",
        "llm-output-xss@gpt",
    ] {
        assert!(f.contains(id), "{id} missing:\n{f}");
    }
    insta::assert_snapshot!(f);
}

#[test]
fn fraud_detection_has_no_llm_threats() {
    let f = findings("fraud-detection");
    assert_absent(
        &f,
        &[
            "direct-prompt-injection",
            "indirect-prompt-injection",
            "llm-jailbreak",
            "system-prompt-leakage",
            "excessive-agency",
        ],
    );
    // The scoring service serves internal apps only: nothing outside can query it.
    assert_absent(
        &f,
        &[
            "model-extraction",
            "membership-inference",
            "model-inversion",
        ],
    );
    for id in [
        "unsafe-model-deserialization@fraud-model",
        "training-data-poisoning@training-job",
        "adversarial-evasion@scoring-service",
    ] {
        assert!(f.contains(id), "{id} missing:\n{f}");
    }
    insta::assert_snapshot!(f);
}

#[test]
fn fine_tuning_pipeline() {
    let f = findings("fine-tuning-pipeline");
    for id in [
        "model-supply-chain-compromise@base-model",
        "unpinned-model-revision@base-model",
        "transfer-learning-attack@finetune-job",
    ] {
        assert!(f.contains(id), "{id} missing:\n{f}");
    }
    insta::assert_snapshot!(f);
}

#[test]
fn coding_assistant_agent() {
    let f = findings("coding-assistant-agent");
    for id in [
        "lethal-trifecta@coding-agent",
        "unvetted-tool-source@issues-mcp",
        "indirect-prompt-injection@coding-agent",
    ] {
        assert!(f.contains(id), "{id} missing:\n{f}");
    }
    insta::assert_snapshot!(f);
}

#[test]
fn multi_agent_research() {
    let f = findings("multi-agent-research");
    for id in [
        "memory-poisoning@researcher-agent",
        "autonomous-web-browsing@researcher-agent",
        "lethal-trifecta@researcher-agent",
    ] {
        assert!(f.contains(id), "{id} missing:\n{f}");
    }
    insta::assert_snapshot!(f);
}

#[test]
fn threatwright_itself_has_no_ai_threats() {
    let f = findings("threatwright");
    assert_absent(
        &f,
        &[
            "direct-prompt-injection",
            "indirect-prompt-injection",
            "training-data-poisoning",
            "model-extraction",
            "unsafe-model-deserialization",
            "lethal-trifecta",
            "membership-inference",
        ],
    );
    insta::assert_snapshot!(f);
}
