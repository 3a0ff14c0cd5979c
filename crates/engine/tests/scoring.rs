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

const RANKER: &str = r#"
threatwright: 1
system: { id: hiring, name: Hiring, criticality: critical }
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: cv, classification: restricted, categories: [pii], provenance: user-generated }
  - { id: rationale, classification: restricted, categories: [pii] }
components:
  - { id: candidate, kind: user, zone: internet, population: public }
  - { id: ats, kind: web-app, zone: corp, stores: [cv] }
  - id: ranker
    kind: llm
    zone: corp
    hosting: self-hosted
    decisions_about_people: true
    output: { rendered_as: markdown, audience: internal }
flows:
  - { from: candidate, to: ats, sends: [cv] }
  - { from: ats, to: ranker, sends: [cv], receives: [rationale] }
controls:
  - { control: red-teaming, targets: [ranker], status: implemented }
incidents:
  - { id: rt-1, date: 2026-01-10, summary: Injected CV text changed a ranking., source: red-team, threats: ["indirect-prompt-injection@ranker"] }
  - { id: other, date: 2026-01-11, summary: Nothing found for this., threats: ["model-extraction@ranker"] }
"#;

#[test]
fn harm_to_the_viewer_and_decisions_are_scored_where_they_land() {
    let a = assess(RANKER);
    let find = |id: &str| a.threats.iter().find(|t| t.id == id).unwrap();
    // XSS harms the recruiter's session: neither the restricted CVs nor the ranking raise it.
    let xss = find("llm-output-xss@ranker");
    assert!(
        !xss.factors
            .iter()
            .any(|f| f.contains("restricted") || f.contains("decides about people")),
        "{:?}",
        xss.factors
    );
    // Criticality makes a moderate impact major, never a major one severe.
    assert!(!xss.factors.iter().any(|f| f.contains("criticality")));
    // Unreviewed decisions about people do get the decision factor.
    let dec = find("decisions-without-human-oversight@ranker");
    assert!(
        dec.factors
            .iter()
            .any(|f| f.contains("decides about people"))
    );
    assert!(dec.score > xss.score, "{} vs {}", dec.score, xss.score);
    // A red-team incident that shows the injection works voids the red-teaming credit.
    let ipi = find("indirect-prompt-injection@ranker");
    assert!(ipi.mitigations.present.contains(&"red-teaming".to_owned()));
    assert!(!ipi.residual.reduced_by.contains(&"red-teaming".to_owned()));
    assert_eq!(ipi.residual.score, ipi.score);
    // An incident naming a threat that was not found is reported.
    assert!(
        a.tracking_warnings
            .iter()
            .any(|w| w.kind == "orphan-incident" && w.entry == "model-extraction@ranker"),
        "{:?}",
        a.tracking_warnings
    );
}

const BILLED_AGENT: &str = r#"
threatwright: 1
zones:
  - { id: corp, trust: internal }
data:
  - { id: mail, classification: internal, provenance: user-generated }
  - { id: answer, classification: internal }
  - { id: chats, classification: confidential, categories: [prompts, pii] }
components:
  - { id: staff, kind: user, zone: corp, population: employees }
  - { id: inbox-agent, kind: agent, zone: corp, llm: bot, triggers: [inbound-message], description: "Reads the shared\n  inbox\n  and answers." }
  - { id: bot, kind: llm, zone: corp, hosting: vendor-api, billing: { pay_per_use: true, spend_limit: false } }
  - { id: chat-db, kind: database, zone: corp, stores: [chats] }
flows:
  - { from: staff, to: inbox-agent, sends: [mail], receives: [answer] }
  - { from: inbox-agent, to: bot, sends: [mail], receives: [answer] }
  - { from: inbox-agent, to: chat-db, sends: [chats] }
"#;

#[test]
fn questions_already_answered_in_the_model_are_not_asked() {
    let a = assess(BILLED_AGENT);
    let asked = |rule: &str, el: &str| {
        a.questions
            .iter()
            .any(|q| q.rule == rule && q.element == el)
    };
    // The agent's llm states its billing: the denial-of-wallet question is answered.
    assert!(
        a.threats
            .iter()
            .any(|t| t.id == "agent-denial-of-wallet@inbox-agent")
    );
    assert!(!asked("agent-denial-of-wallet", "inbox-agent"));
    // Logging conversations is not a flow that runs model-written SQL.
    assert!(!asked("model-output-sql-injection", "inbox-agent>chat-db"));
    // A folded description is one line in the business impact.
    let t = a
        .threats
        .iter()
        .find(|t| t.id == "agent-denial-of-wallet@inbox-agent")
        .unwrap();
    assert!(
        t.business_impact
            .contains("(Reads the shared inbox and answers)"),
        "{}",
        t.business_impact
    );
}

#[test]
fn a_transcription_service_is_not_asked_whether_it_decides_about_people() {
    let a = assess(
        r#"
threatwright: 1
zones:
  - { id: corp, trust: internal }
data:
  - { id: audio, classification: restricted, categories: [phi, biometric] }
  - { id: transcript, classification: restricted, categories: [phi] }
components:
  - { id: app, kind: service, zone: corp }
  - { id: stt, kind: inference-service, zone: corp, returns: [text] }
flows:
  - { from: app, to: stt, sends: [audio], receives: [transcript] }
"#,
    );
    assert!(
        !a.questions
            .iter()
            .any(|q| q.rule == "decisions-without-human-oversight" && q.element == "stt"),
        "{:?}",
        a.questions
    );
}
