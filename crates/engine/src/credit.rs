//! Safeguards a model states in its own terms — a blocking guardrail on every path in,
//! `rate_limit: true`, per-call approval, a sandbox, a signed model — credited as the
//! catalog controls they are. Without this a team that describes its defences in the
//! model's vocabulary, rather than as `controls:` entries, would see them ignored: the
//! threats stay open at full residual risk and the rules that ask
//! `"rate-limiting" in c.controls` fire anyway.
//!
//! Each credit says why, in words, so a reviewer can disagree with it.

use crate::facts::ComponentFacts;
use serde_json::{Map, Value as Json};
use threatwright_model::types::{
    Approval, ComponentKind, CredentialScope, CredentialStorage, Egress, Isolation, Recipients,
};
use threatwright_model::types::{Component, Hosting};

/// A catalog control the model's own attributes put in place, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub control: &'static str,
    pub because: String,
}

/// Guardrail checks and the control each one is, on the input side.
const INPUT_CHECKS: &[(&str, &str)] = &[
    ("prompt-injection", "prompt-injection-detection"),
    ("jailbreak", "jailbreak-detection"),
    ("pii", "pii-redaction"),
    ("secrets", "secret-redaction"),
    ("toxicity", "content-moderation"),
    ("topic", "content-moderation"),
    ("schema", "input-validation"),
    ("unsafe-deserialization", "artifact-scanning"),
    ("malware", "artifact-scanning"),
];

/// Output guardrail checks and the control each one is.
const OUTPUT_CHECKS: &[(&str, &str)] = &[
    ("pii", "pii-redaction"),
    ("secrets", "secret-redaction"),
    ("toxicity", "content-moderation"),
    ("topic", "content-moderation"),
    ("groundedness", "groundedness-checking"),
    ("schema", "output-encoding"),
];

/// What the model says about one component beyond its facts: the checks of blocking
/// output guardrails on every path out of it, and the human review its results pass.
pub struct Context<'a> {
    pub output_blocking: &'a [&'static str],
    /// The human-review components every effect of its output passes, when all do.
    pub reviewed_by: &'a [String],
}

/// The controls `c` has by what the model states about it.
pub fn for_component(c: &Component, f: &ComponentFacts, cx: &Context) -> Vec<Credit> {
    let mut out: Vec<Credit> = Vec::new();
    let mut add = |control: &'static str, because: String| {
        if !out.iter().any(|x| x.control == control) {
            out.push(Credit { control, because });
        }
    };
    // Input guardrails: only when every untrusted path is blocked for the check.
    for (check, control) in INPUT_CHECKS {
        if f.input_checks.contains(check) {
            add(
                control,
                format!("a blocking guardrail checks {check} on every untrusted path into it"),
            );
        }
    }
    if !cx.output_blocking.is_empty() {
        for (check, control) in OUTPUT_CHECKS {
            if cx.output_blocking.contains(check) {
                add(
                    control,
                    format!("a blocking output guardrail checks {check} on everything it returns"),
                );
            }
        }
    }
    if !cx.reviewed_by.is_empty() {
        add(
            "human-oversight",
            format!(
                "every effect of its output passes human review ({})",
                cx.reviewed_by.join(", ")
            ),
        );
    }
    for control in &f.path_data_controls {
        add(
            control,
            "every untrusted path into it passes a component with this control".into(),
        );
    }
    if f.rate_limited_input {
        add(
            "rate-limiting",
            "every request from outside passes a rate limit on the way to it".into(),
        );
    }
    if let Some(s) = c.inference_service() {
        if s.rate_limit == Some(true) {
            add("rate-limiting", "rate_limit: true".into());
        }
        if s.query_logging == Some(true) {
            add("query-monitoring", "query_logging: true".into());
        }
    }
    if c.agent().and_then(|a| a.max_steps).is_some() {
        add("step-limits", "max_steps is set".into());
    }
    // A stated `autonomy: act-with-approval` is an intention; the tools' `approval`
    // says whether it holds, so only that is credited.
    let acting = |a: &&str| !matches!(*a, "read" | "browse");
    // Something must change state outside a sandbox, or the credit would be vacuous.
    if matches!(c.kind(), ComponentKind::Agent | ComponentKind::Llm)
        && f.changes_state
        && !f.unapproved_actions.iter().any(acting)
    {
        add(
            "human-approval",
            "every tool through which it changes anything needs a person's approval".into(),
        );
    }
    if let Some(t) = c.tool() {
        if t.approval == Some(Approval::PerCall) {
            add("human-approval", "approval: per-call".into());
        }
        if t.recipients == Some(Recipients::Allowlist) {
            add("egress-allowlist", "recipients: allowlist".into());
        }
        if t.pinned == Some(true) {
            add("tool-pinning", "pinned: true".into());
        }
    }
    if let Some(x) = &c.executes_code {
        if matches!(x.isolation, Some(Isolation::Container | Isolation::Vm)) {
            let how = x.isolation.map_or("", |i| i.as_str());
            add("sandboxing", format!("executes_code.isolation: {how}"));
        }
        if x.limits == Some(true) {
            add("resource-limits", "executes_code.limits: true".into());
        }
    }
    // Its own egress rule does not restrict the tools it drives.
    if matches!(c.egress, Some(Egress::Allowlist | Egress::None)) && !f.exfiltration {
        let how = c.egress.map_or("", |e| e.as_str());
        add("egress-allowlist", format!("egress: {how}"));
    }
    if let Some(cr) = &c.credentials {
        if cr.storage == Some(CredentialStorage::SecretStore) {
            add(
                "secrets-management",
                "credentials.storage: secret-store".into(),
            );
        }
        if cr.scope == Some(CredentialScope::Narrow) {
            add("credential-scoping", "credentials.scope: narrow".into());
        }
    }
    if c.billing.as_ref().and_then(|b| b.spend_limit) == Some(true) {
        add("spend-limit", "billing.spend_limit: true".into());
    }
    if let Some(l) = c.llm()
        && l.trains_on_prompts == Some(false)
        && l.hosting == Some(Hosting::VendorApi)
    {
        add(
            "vendor-no-training",
            "trains_on_prompts: false for a vendor-hosted model".into(),
        );
    }
    if c.data_pipeline().and_then(|p| p.validation) == Some(true)
        || c.data_source().and_then(|d| d.verified) == Some(true)
    {
        add(
            "data-validation",
            "its data is validated or verified".into(),
        );
    } else if f.validated_input {
        add(
            "data-validation",
            "every untrusted path into it passes validation".into(),
        );
    }
    match f.retrieval_access_control {
        "per-user" => add("per-user-retrieval-acl", "access_control: per-user".into()),
        "tenant" => add("tenant-isolation", "access_control: tenant".into()),
        _ => {}
    }
    model_credits(&f.model, &mut add);
    out
}

/// Credits from the facts of the weights behind a component.
fn model_credits(model: &Json, add: &mut impl FnMut(&'static str, String)) {
    let Json::Object(m) = model else { return };
    let yes = |k: &str| m.get(k).and_then(Json::as_bool) == Some(true);
    let id = m.get("id").and_then(Json::as_str).unwrap_or("its model");
    if yes("signed") {
        add("model-signing", format!("{id}: signed: true"));
    }
    if yes("pinned") {
        add("model-pinning", format!("{id}: pinned"));
    }
    if m.get("publisher").and_then(Json::as_str) == Some("verified") {
        add(
            "model-provenance-verification",
            format!("{id}: publisher: verified"),
        );
    }
    if yes("scan_blocks") {
        add(
            "artifact-scanning",
            format!("{id}: a blocking artifact guardrail scans it before it is loaded"),
        );
    }
    if let Some(fmt) = m.get("format").and_then(Json::as_str)
        && matches!(fmt, "safetensors" | "onnx" | "gguf")
    {
        add("safe-model-formats", format!("{id}: format: {fmt}"));
    }
}

/// The credits as facts: `[{control, because}]`, sorted by control.
pub fn to_json(credits: &[Credit]) -> Json {
    let mut sorted: Vec<&Credit> = credits.iter().collect();
    sorted.sort_by_key(|c| c.control);
    Json::Array(
        sorted
            .into_iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("control".into(), c.control.into());
                m.insert("because".into(), c.because.clone().into());
                Json::Object(m)
            })
            .collect(),
    )
}

/// Why `control` is credited on an element, if it is.
pub fn reason<'j>(credited: &'j Json, control: &str) -> Option<&'j str> {
    credited.as_array()?.iter().find_map(|c| {
        (c.get("control")?.as_str()? == control)
            .then(|| c.get("because")?.as_str())
            .flatten()
    })
}
