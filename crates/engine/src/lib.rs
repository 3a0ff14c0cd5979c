//! The analysis engine: from a loaded [`Model`] and a [`Catalog`] to an [`Assessment`].
//!
//! [`graph`] indexes the flow graph once; [`facts`] derives what is known about each
//! element (exposure, taint from untrusted sources with the guardrails on the way,
//! sensitive data, reachable actions, model provenance, the agent trifecta); [`evaluate`]
//! runs each catalog rule whose targets match over those facts; the findings, with
//! evidence, mitigations and questions, make the [`Assessment`] every output renders.

pub mod assessment;
pub mod evaluate;
pub mod facts;
pub mod graph;
pub mod ruletest;
pub mod synth;
pub mod taint;

pub use assessment::{Assessment, Question, Severity, Threat};

use assessment::*;
use evaluate::{RuleError, evaluate, root_context, rules_for, to_cel};
use std::collections::{BTreeMap, BTreeSet};
use threatwright_catalog::{Catalog, CompiledRule, Target};
use threatwright_model::types::{ComponentKind, Role};
use threatwright_model::{Model, SourceMap, Span};

struct Element<'a> {
    id: String,
    kind: String,
    target: Target,
    var: &'static str,
    facts: serde_json::Value,
    controls: Vec<String>,
    planned: Vec<String>,
    span: Option<Span>,
    _life: std::marker::PhantomData<&'a ()>,
}

/// Analyses `model` with `catalog`. `sources` (from loading) gives findings their
/// `file:line:col`.
pub fn analyze(model: &Model, catalog: &Catalog, sources: Option<&SourceMap>) -> Assessment {
    analyze_with(model, catalog, sources, None)
}

/// As [`analyze`], evaluating only the rule `only` when given (rule tests run each rule
/// alone, so one rule's test model cannot pass because of another rule).
pub fn analyze_with(
    model: &Model,
    catalog: &Catalog,
    sources: Option<&SourceMap>,
    only: Option<&str>,
) -> Assessment {
    let t0 = std::time::Instant::now();
    let facts = facts::compute(model);
    let timing = std::env::var_os("THREATWRIGHT_TIMING").is_some();
    if timing {
        eprintln!("facts: {:?}", t0.elapsed());
    }
    let system_json = serde_json::to_value(&facts.system).unwrap_or_default();
    let root = root_context(&system_json);
    let mut elements: Vec<Element> = Vec::new();
    for (c, f) in model.components.iter().zip(&facts.components) {
        elements.push(Element {
            id: f.id.clone(),
            kind: f.kind.to_owned(),
            target: Target::Component(c.kind()),
            var: "c",
            facts: serde_json::to_value(f).unwrap_or_default(),
            controls: f.controls.clone(),
            planned: f.planned_controls.clone(),
            span: Some(c.id.span),
            _life: Default::default(),
        });
    }
    for (fl, f) in model.flows.iter().zip(&facts.flows) {
        elements.push(Element {
            id: f.id.clone(),
            kind: "flow".into(),
            target: Target::Flow,
            var: "f",
            facts: serde_json::to_value(f).unwrap_or_default(),
            controls: f.controls.clone(),
            planned: Vec::new(),
            span: Some(fl.span),
            _life: Default::default(),
        });
    }
    for (d, f) in model.data.iter().zip(&facts.data) {
        elements.push(Element {
            id: f.id.clone(),
            kind: "data".into(),
            target: Target::Data,
            var: "d",
            facts: serde_json::to_value(f).unwrap_or_default(),
            controls: Vec::new(),
            planned: Vec::new(),
            span: Some(d.id.span),
            _life: Default::default(),
        });
    }
    if let Some(sys) = &model.system {
        elements.push(Element {
            id: sys.id.name.clone(),
            kind: "system".into(),
            target: Target::System,
            var: "s",
            facts: system_json.clone(),
            controls: facts.system.controls.clone(),
            planned: Vec::new(),
            span: Some(sys.id.span),
            _life: Default::default(),
        });
    }

    let mut rule_cache: BTreeMap<Target, Vec<&CompiledRule>> = BTreeMap::new();
    let mut threats = Vec::new();
    let mut questions = BTreeSet::new();
    let mut errors = BTreeSet::new();
    let mut evaluated = BTreeSet::new();
    for el in &elements {
        let rules = rule_cache.entry(el.target).or_insert_with(|| {
            rules_for(catalog, el.target)
                .into_iter()
                .filter(|r| only.is_none_or(|o| r.id() == o))
                .collect()
        });
        if rules.is_empty() {
            continue;
        }
        let mut ctx = root.new_inner_scope();
        if el.var != "s" {
            ctx.add_variable_from_value(el.var, to_cel(&el.facts));
        }
        for rule in rules.iter() {
            evaluated.insert(rule.id());
            match evaluate(rule, &ctx) {
                Err(message) => {
                    errors.insert(RuleError {
                        rule: rule.id().to_owned(),
                        element: el.id.clone(),
                        message,
                    });
                }
                Ok(out) => {
                    for q in &out.questions {
                        questions.insert(Question {
                            element: el.id.clone(),
                            rule: rule.id().to_owned(),
                            question: q.clone(),
                        });
                    }
                    if out.fired {
                        threats.push(make_threat(rule, el, out.evidence, out.questions, sources));
                    }
                }
            }
        }
    }
    if timing {
        eprintln!("evaluate: {:?}", t0.elapsed());
    }
    threats.sort_by(|a: &Threat, b: &Threat| b.score.cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    threats.dedup_by(|a, b| a.id == b.id);
    let mut summary = Summary {
        threats: threats.len(),
        by_severity: BTreeMap::new(),
        by_stride: BTreeMap::new(),
        by_lifecycle: BTreeMap::new(),
        questions: questions.len(),
        rules_evaluated: evaluated.len(),
    };
    for s in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        summary.by_severity.insert(
            s.as_str(),
            threats.iter().filter(|t| t.severity == s).count(),
        );
    }
    for t in &threats {
        for s in &t.stride {
            *summary.by_stride.entry(s).or_default() += 1;
        }
        *summary.by_lifecycle.entry(t.lifecycle).or_default() += 1;
    }
    Assessment {
        format_version: FORMAT_VERSION,
        tool: format!("threatwright {}", env!("CARGO_PKG_VERSION")),
        system: model.system.as_ref().map(|s| s.id.name.clone()),
        summary,
        threats,
        questions: questions.into_iter().collect(),
        rule_errors: errors.into_iter().collect(),
        facts,
    }
}

fn make_threat(
    rule: &CompiledRule,
    el: &Element,
    evidence: Vec<String>,
    questions: Vec<String>,
    sources: Option<&SourceMap>,
) -> Threat {
    let r = &rule.rule;
    let refs = r.references.as_ref();
    let ids = |f: fn(
        &threatwright_catalog::types::References,
    ) -> &Vec<threatwright_model::types::Text>| {
        refs.map(|x| f(x).iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default()
    };
    let mut present = Vec::new();
    let mut planned = Vec::new();
    let mut missing = Vec::new();
    for m in &r.mitigations {
        let m = m.name.clone();
        if el.controls.contains(&m) {
            present.push(m);
        } else if el.planned.contains(&m) {
            planned.push(m);
        } else {
            missing.push(m);
        }
    }
    let score = r.likelihood * r.impact;
    Threat {
        id: format!("{}@{}", r.id, el.id),
        rule: r.id.name.clone(),
        title: r.title.clone(),
        elements: vec![el.id.clone()],
        element_kind: el.kind.clone(),
        stride: r.stride.iter().map(|s| s.as_str()).collect(),
        lifecycle: r.lifecycle.as_str(),
        likelihood: r.likelihood,
        impact: r.impact,
        score,
        severity: Severity::from_score(score),
        confidence: r.confidence.map_or("medium", |c| c.as_str()),
        references: ReferenceIds {
            atlas: ids(|x| &x.atlas),
            owasp_llm: ids(|x| &x.owasp_llm),
            owasp_ml: ids(|x| &x.owasp_ml),
            nist_ai_100_2: ids(|x| &x.nist_ai_100_2),
            cwe: ids(|x| &x.cwe),
            cosai: ids(|x| &x.cosai),
        },
        evidence,
        mitigations: Mitigations {
            present,
            planned,
            missing,
        },
        owner_role: r.owner.unwrap_or(Role::Security).as_str(),
        questions,
        location: el.span.zip(sources).map(|(s, src)| Location {
            file: src.path(s.file).display().to_string(),
            line: s.line,
            column: s.col,
        }),
    }
}

/// Kinds of component that the AI-specific analysis treats as AI.
pub fn is_ai_kind(k: ComponentKind) -> bool {
    k.is_ai()
}
