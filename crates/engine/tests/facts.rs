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

fn credited(f: &ComponentFacts) -> Vec<&str> {
    f.credited_controls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect()
}

#[test]
fn safeguards_stated_as_attributes_are_credited_with_a_reason() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: guard, kind: guardrail, zone: corp, position: input, checks: [prompt-injection, jailbreak], mode: block }
  - { id: flagger, kind: guardrail, zone: corp, position: output, checks: [toxicity], mode: flag }
  - { id: bot, kind: agent, zone: corp, llm: gpt, tools: [pay], max_steps: 5, credentials: { storage: secret-store, scope: narrow } }
  - { id: gpt, kind: llm, zone: corp, hosting: vendor-api, trains_on_prompts: false }
  - { id: pay, kind: tool, zone: corp, actions: [financial], approval: per-call }
  - { id: scorer, kind: inference-service, zone: corp, rate_limit: true, query_logging: false }
flows:
  - { from: visitor, to: guard }
  - { from: guard, to: bot }
  - { from: bot, to: flagger }
  - { from: bot, to: pay }
  - { from: bot, to: scorer }
"#,
    );
    let bot = c(&f, "bot");
    assert_eq!(
        credited(bot),
        [
            "credential-scoping",
            "human-approval",
            "jailbreak-detection",
            "prompt-injection-detection",
            "secrets-management",
            "step-limits"
        ],
        "a flagging output guardrail is not credited"
    );
    assert!(bot.controls.contains(&"human-approval".to_string()));
    assert_eq!(
        credited(c(&f, "gpt")),
        ["human-approval", "vendor-no-training"],
        "the llm's actions are its agent's, all approved"
    );
    assert_eq!(
        credited(c(&f, "scorer")),
        [
            "jailbreak-detection",
            "prompt-injection-detection",
            "rate-limiting"
        ],
        "what reaches it passed the guardrail"
    );
    assert!(credited(c(&f, "pay")).contains(&"human-approval"));
}

#[test]
fn controls_on_zones_apply_inside_and_on_data_to_stores_holding_only_that_data() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: corp, trust: internal }
  - { id: vault-zone, trust: restricted, inside: corp }
data:
  - { id: a, classification: restricted }
  - { id: b, classification: restricted }
components:
  - { id: svc, kind: service, zone: corp }
  - { id: inner, kind: database, zone: vault-zone, stores: [a] }
  - { id: both, kind: database, zone: corp, stores: [a, b] }
flows:
  - { from: svc, to: inner, sends: [a] }
  - { from: svc, to: both, sends: [a, b] }
controls:
  - { control: network-segmentation, targets: [corp], status: implemented }
  - { control: encryption-at-rest, targets: [a], status: implemented }
"#,
    );
    assert!(
        c(&f, "inner")
            .controls
            .contains(&"network-segmentation".to_string())
    );
    assert!(
        c(&f, "svc")
            .controls
            .contains(&"network-segmentation".to_string())
    );
    assert!(
        c(&f, "inner")
            .controls
            .contains(&"encryption-at-rest".to_string())
    );
    assert!(
        !c(&f, "both")
            .controls
            .contains(&"encryption-at-rest".to_string()),
        "b is not encrypted"
    );
}

#[test]
fn rate_limits_and_detection_controls_in_front_count_along_the_path() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: gateway, kind: gateway, zone: corp }
  - { id: gpt, kind: llm, zone: corp }
flows:
  - { from: visitor, to: gateway }
  - { from: gateway, to: gpt }
controls:
  - { control: rate-limiting, targets: [gateway], status: implemented }
  - { control: prompt-injection-detection, targets: [gateway], status: implemented }
"#,
    );
    let gpt = c(&f, "gpt");
    assert!(gpt.rate_limited_input);
    assert!(gpt.input_checks.contains(&"prompt-injection"));
    assert_eq!(
        credited(gpt),
        ["prompt-injection-detection", "rate-limiting"]
    );
}

#[test]
fn direct_checks_ignore_indirect_paths() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: pages, classification: public, provenance: public-web }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: guard, kind: guardrail, zone: corp, position: input, checks: [prompt-injection], mode: block }
  - { id: gpt, kind: llm, zone: corp }
  - { id: index, kind: vector-store, zone: corp, stores: [pages] }
flows:
  - { from: visitor, to: guard }
  - { from: guard, to: gpt }
  - { from: gpt, to: index, receives: [pages] }
"#,
    );
    let gpt = c(&f, "gpt");
    assert!(gpt.input_checks.is_empty());
    assert_eq!(gpt.direct_input_checks, ["prompt-injection"]);
}

#[test]
fn a_stateless_model_endpoint_does_not_pass_one_callers_input_to_another() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: question, classification: internal }
  - { id: vectors, classification: internal, categories: [embeddings] }
  - { id: docs, classification: internal }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: retriever, kind: retriever, zone: corp }
  - { id: embedder, kind: embedding-model, zone: corp }
  - { id: ingest, kind: data-pipeline, zone: corp }
flows:
  - { from: visitor, to: retriever, sends: [question] }
  - { from: retriever, to: embedder, sends: [question], receives: [vectors] }
  - { from: ingest, to: embedder, sends: [docs], receives: [vectors] }
"#,
    );
    assert!(c(&f, "embedder").untrusted_input);
    assert!(
        !c(&f, "ingest").untrusted_input,
        "{:?}",
        c(&f, "ingest").untrusted_sources
    );
}

#[test]
fn answers_reach_outsiders_only_when_their_data_does() {
    let yaml = |back: &str| {
        format!(
            r#"
threatwright: 1
zones:
  - {{ id: internet, trust: untrusted }}
  - {{ id: corp, trust: internal }}
data:
  - {{ id: upload, classification: internal }}
  - {{ id: verdict, classification: internal }}
components:
  - {{ id: visitor, kind: user, zone: internet, population: public }}
  - {{ id: api, kind: api, zone: corp }}
  - {{ id: scorer, kind: inference-service, zone: corp, returns: [scores] }}
  - {{ id: moderator, kind: user, zone: corp, population: employees }}
flows:
  - {{ from: visitor, to: api, sends: [upload]{back} }}
  - {{ from: api, to: scorer, sends: [upload], receives: [verdict] }}
  - {{ from: moderator, to: api, receives: [verdict] }}
"#
        )
    };
    assert!(!c(&facts(&yaml("")), "scorer").answers_outside);
    assert!(c(&facts(&yaml(", receives: [verdict]")), "scorer").answers_outside);
}

#[test]
fn oversight_needs_every_effect_behind_a_review() {
    let yaml = |extra: &str| {
        format!(
            r#"
threatwright: 1
zones:
  - {{ id: internet, trust: untrusted }}
  - {{ id: corp, trust: internal }}
data:
  - {{ id: application, classification: confidential }}
  - {{ id: proposal, classification: confidential }}
  - {{ id: decision, classification: confidential }}
components:
  - {{ id: applicant, kind: user, zone: internet, population: public }}
  - {{ id: backend, kind: service, zone: corp }}
  - {{ id: scorer, kind: inference-service, zone: corp, returns: [label], decisions_about_people: true }}
  - {{ id: review, kind: human-review, zone: corp }}
flows:
  - {{ from: applicant, to: backend, sends: [application] }}
  - {{ from: backend, to: scorer, sends: [application], receives: [proposal] }}
  - {{ from: backend, to: review, sends: [proposal] }}
  - {{ from: review, to: applicant, sends: [decision] }}
{extra}"#
        )
    };
    assert!(credited(c(&facts(&yaml("")), "scorer")).contains(&"human-oversight"));
    let bypass = "  - { from: backend, to: applicant, sends: [proposal] }\n";
    assert!(!credited(c(&facts(&yaml(bypass)), "scorer")).contains(&"human-oversight"));
}

#[test]
fn writers_that_validate_make_third_party_content_trusted_enough() {
    let yaml = |validation: bool| {
        format!(
            r#"
threatwright: 1
zones:
  - {{ id: publisher, trust: partner }}
  - {{ id: corp, trust: internal }}
data:
  - {{ id: guidelines, classification: internal, provenance: third-party }}
components:
  - {{ id: feed, kind: data-source, zone: publisher, provenance: third-party }}
  - {{ id: ingest, kind: data-pipeline, zone: corp, validation: {validation} }}
  - {{ id: index, kind: vector-store, zone: corp, stores: [guidelines], writers: [ingest] }}
flows:
  - {{ from: ingest, to: feed, receives: [guidelines] }}
  - {{ from: ingest, to: index, sends: [guidelines] }}
"#
        )
    };
    assert!(c(&facts(&yaml(false)), "index").untrusted_writers);
    assert!(!c(&facts(&yaml(true)), "index").untrusted_writers);
}

#[test]
fn data_controls_upstream_hold_for_what_comes_after() {
    let f = facts(
        r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: calls, classification: confidential, categories: [pii], provenance: user-generated }
components:
  - { id: caller, kind: user, zone: internet, population: public }
  - { id: labeling, kind: labeling, zone: corp, workforce: vendor }
  - { id: trainer, kind: training, zone: corp, method: fine-tuning }
flows:
  - { from: caller, to: labeling, sends: [calls] }
  - { from: labeling, to: trainer, sends: [calls] }
controls:
  - { control: pii-redaction, targets: [labeling], status: implemented }
  - { control: label-quality-review, targets: [labeling], status: implemented }
"#,
    );
    let t = c(&f, "trainer");
    assert_eq!(
        t.path_data_controls,
        ["pii-redaction", "label-quality-review"]
    );
    assert!(credited(t).contains(&"label-quality-review"));
    assert!(t.controls.contains(&"pii-redaction".to_string()));
    assert!(
        c(&f, "labeling").path_data_controls.is_empty(),
        "its own are not on its input path"
    );
}
