//! Scoring on small models: which factors move a threat's impact and likelihood, and
//! what the credited safeguards take off.

use threatwright_catalog::{builtin_sources, load};
use threatwright_engine::{Assessment, analyze};
use threatwright_model::{Limits, load_str};

fn assess(yaml: &str) -> Assessment {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    let l = load_str("t.yaml", yaml, &Limits::default());
    let m = l.model.unwrap_or_else(|| panic!("{:#?}", l.diagnostics));
    analyze(&m, &cat, None)
}

const SCORING_API: &str = r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: application, classification: restricted, categories: [pii, financial] }
  - { id: score, classification: restricted, categories: [pii] }
components:
  - { id: applicant, kind: user, zone: internet, population: public }
  - { id: model, kind: model, zone: corp, source: self-trained, format: onnx }
  - { id: scorer, kind: inference-service, zone: corp, model: model, returns: [probabilities], rate_limit: true, query_logging: false }
flows:
  - { from: applicant, to: scorer, sends: [application], receives: [score] }
"#;

#[test]
fn stealing_the_model_is_not_scored_as_leaking_the_personal_data_it_sees() {
    let a = assess(SCORING_API);
    let find = |id: &str| a.threats.iter().find(|t| t.id == id).unwrap();
    let extraction = find("model-extraction@scorer");
    assert_eq!(extraction.asset, "model");
    assert!(
        !extraction
            .factors
            .iter()
            .any(|f| f.contains("personal data")),
        "{:?}",
        extraction.factors
    );
    let membership = find("membership-inference@scorer");
    assert!(
        membership
            .factors
            .iter()
            .any(|f| f.contains("personal data")),
        "{:?}",
        membership.factors
    );
}

#[test]
fn a_stated_rate_limit_is_credited_and_lowers_the_residual_risk() {
    let a = assess(SCORING_API);
    let t = a
        .threats
        .iter()
        .find(|t| t.id == "model-extraction@scorer")
        .unwrap();
    assert!(t.mitigations.present.contains(&"rate-limiting".to_string()));
    let credit = t
        .mitigations
        .credited
        .iter()
        .find(|c| c.control == "rate-limiting")
        .unwrap();
    assert_eq!(credit.because, "rate_limit: true");
    assert!(t.residual.score < t.score);
    assert!(t.residual.reduced_by.contains(&"rate-limiting".to_string()));
}

#[test]
fn a_narrower_threat_on_the_same_element_is_part_of_the_broader_one() {
    let a = assess(
        r#"
threatwright: 1
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
"#,
    );
    let find = |id: &str| a.threats.iter().find(|t| t.id == id);
    assert!(find("lethal-trifecta@assistant").is_some());
    let part = find("agent-data-exfiltration@assistant").expect("still reported");
    assert_eq!(part.part_of.as_deref(), Some("lethal-trifecta@assistant"));
    assert!(find("lethal-trifecta@assistant").unwrap().part_of.is_none());
}
