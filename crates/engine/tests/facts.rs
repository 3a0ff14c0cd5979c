//! Facts on small models: exposure, taint through guardrails and stores, sensitive data,
//! reachable actions, the trifecta, model provenance.

use threatwright_engine::facts::{ComponentFacts, Facts, compute};
use threatwright_model::{Limits, load_str};

fn facts(yaml: &str) -> Facts {
    let l = load_str("t.yaml", yaml, &Limits::default());
    let m = l.model.unwrap_or_else(|| panic!("{:#?}", l.diagnostics));
    compute(&m)
}

fn c<'a>(f: &'a Facts, id: &str) -> &'a ComponentFacts {
    f.components.iter().find(|c| c.id == id).unwrap()
}

const RAG: &str = r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: question, classification: internal }
  - { id: tickets, classification: restricted, categories: [pii], provenance: user-generated }
  - { id: articles, classification: public, provenance: internal }
components:
  - { id: customer, kind: user, zone: internet, population: public }
  - { id: ui, kind: web-app, zone: corp }
  - { id: filter, kind: guardrail, zone: corp, position: input, checks: [prompt-injection, pii], mode: block }
  - { id: agent, kind: agent, zone: corp, llm: gpt, tools: [email, kb] }
  - { id: gpt, kind: llm, zone: corp, output: { rendered_as: markdown, remote_content: false } }
  - { id: kb, kind: tool, zone: corp, actions: [read], approval: none }
  - { id: email, kind: tool, zone: corp, actions: [send-message], recipients: any, approval: none }
  - { id: index, kind: vector-store, zone: corp, stores: [tickets, articles] }
  - { id: weights, kind: model, zone: corp, source: open-weights, format: pickle, origin: "https://huggingface.co/x/y", pinned: false }
  - { id: scorer, kind: inference-service, zone: corp, model: weights, returns: [scores] }
flows:
  - { from: customer, to: ui, sends: [question] }
  - { from: ui, to: filter, sends: [question] }
  - { from: filter, to: agent, sends: [question] }
  - { from: agent, to: gpt, sends: [question] }
  - { from: agent, to: kb, sends: [question] }
  - { from: kb, to: index, receives: [tickets, articles] }
  - { from: agent, to: email, sends: [question] }
  - { from: ui, to: scorer, sends: [question] }
"#;

#[test]
fn exposure_and_direct_taint_through_a_guardrail() {
    let f = facts(RAG);
    assert!(c(&f, "ui").internet_facing);
    assert!(!c(&f, "agent").internet_facing);
    assert!(c(&f, "agent").exposed);
    assert_eq!(c(&f, "agent").reachable_from, vec!["customer"]);
    let agent = c(&f, "agent");
    assert!(agent.direct_untrusted);
    // Direct input passed the filter, but retrieved tickets (user-generated) did not.
    assert!(agent.indirect_untrusted);
    assert!(agent.input_checks.is_empty(), "{:?}", agent.input_checks);
    // The ui's input did not pass the filter.
    assert!(c(&f, "ui").input_checks.is_empty());
    assert!(
        c(&f, "customer").untrusted_sources.is_empty(),
        "a principal is a source, not a receiver"
    );
}

#[test]
fn guardrail_checks_hold_when_every_path_passes_them() {
    let yaml = RAG.replace("stores: [tickets, articles]", "stores: [articles]").replace("  - { id: kb, kind: tool, zone: corp, actions: [read], approval: none }\n", "").replace("tools: [email, kb]", "tools: [email]").replace("  - { from: agent, to: kb, sends: [question] }\n  - { from: kb, to: index, receives: [tickets, articles] }\n", "  - { from: index, to: ui, sends: [articles] }\n");
    let f = facts(&yaml);
    let agent = c(&f, "agent");
    assert!(
        agent.direct_untrusted && !agent.indirect_untrusted,
        "{agent:?}"
    );
    assert_eq!(agent.input_checks, vec!["prompt-injection", "pii"]);
}

#[test]
fn sensitive_data_actions_and_trifecta() {
    let f = facts(RAG);
    let agent = c(&f, "agent");
    assert_eq!(agent.actions, vec!["read", "send-message"]);
    assert_eq!(agent.unapproved_actions, vec!["read", "send-message"]);
    assert!(agent.exfiltration);
    // The agent itself sees only `question`; the tickets reach it through kb (a flow it
    // does not take part in), so private data is judged on kb, not the agent.
    assert_eq!(c(&f, "kb").sensitivity, 3);
    assert_eq!(c(&f, "index").stored_categories, vec!["pii"]);
    assert!(c(&f, "index").untrusted_writers || c(&f, "index").indirect_untrusted);
    let gpt = c(&f, "gpt");
    assert_eq!(
        gpt.actions,
        vec!["read", "send-message"],
        "an llm inherits the actions of agents using it"
    );
}

#[test]
fn trifecta_when_the_agent_sees_private_data() {
    let yaml = RAG.replace("  - { from: kb, to: index, receives: [tickets, articles] }", "  - { from: kb, to: index, receives: [tickets, articles] }\n  - { id: agent-reads, from: agent, to: index, receives: [tickets] }");
    let f = facts(&yaml);
    let agent = c(&f, "agent");
    assert!(agent.private_data && agent.untrusted_input && agent.exfiltration);
    assert!(agent.trifecta);
    assert_eq!(agent.rule_of_two, 3);
}

#[test]
fn model_provenance() {
    let f = facts(RAG);
    let m = &c(&f, "scorer").model;
    assert_eq!(m["id"], "weights");
    assert_eq!(m["unsafe_format"], true);
    assert_eq!(m["public_hub"], true);
    assert_eq!(m["pinned"], false);
    assert_eq!(m["scanned"], false);
    assert!(m.get("signed").is_none(), "unstated stays absent");
    assert!(c(&f, "scorer").returns_confidence);
    assert!(c(&f, "scorer").exposed);
}

#[test]
fn attrs_hold_only_what_was_stated() {
    let f = facts(RAG);
    let kb = &c(&f, "kb").attrs;
    assert_eq!(kb["approval"], "none");
    assert!(kb.get("identity").is_none());
    assert!(kb.get("zone").is_none());
    let flow = f.flows.iter().find(|x| x.id == "customer>ui").unwrap();
    assert!(flow.crosses_boundary && flow.inbound_from_untrusted);
    assert!(flow.attrs.get("encrypted").is_none());
}

#[test]
fn a_retrieval_query_is_a_read_not_a_write() {
    let yaml = r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: question, classification: internal }
  - { id: docs, classification: internal, provenance: internal }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: retriever, kind: retriever, zone: corp }
  - { id: index, kind: vector-store, zone: corp, stores: [docs] }
  - { id: ingest, kind: data-pipeline, zone: corp }
flows:
  - { from: visitor, to: retriever, sends: [question] }
  - { from: retriever, to: index, sends: [question], receives: [docs] }
  - { from: ingest, to: index, sends: [docs] }
"#;
    let f = facts(yaml);
    let index = c(&f, "index");
    assert_eq!(index.writer_kinds, vec!["data-pipeline"]);
    assert!(!index.untrusted_writers);
}
