//! The analysis engine: from a loaded [`Model`] and a [`Catalog`] to an [`Assessment`].
//!
//! [`graph`] indexes the flow graph once; [`facts`] derives what is known about each
//! element (exposure, taint from untrusted sources with the guardrails on the way,
//! sensitive data, reachable actions, model provenance, the agent trifecta); [`evaluate`]
//! runs each catalog rule whose targets match over those facts; the findings, with
//! evidence, mitigations and questions, make the [`Assessment`] every output renders.

pub mod assessment;
pub mod credit;
pub mod evaluate;
pub mod facts;
pub mod graph;
pub mod lineage;
pub mod native;
pub mod plan;
pub mod prefilter;
pub mod ruletest;
pub mod score;
pub mod synth;
pub mod taint;
pub mod timing;
pub mod tracking;
pub mod trees;

pub use assessment::{Assessment, Question, Severity, Threat};

use assessment::*;
use evaluate::{RuleError, evaluate, root_context, rules_for, to_cel};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use threatwright_catalog::{Catalog, CompiledRule, Target};
use threatwright_model::types::Role;
use threatwright_model::{Model, SourceMap, Span};

/// An element's facts, converted to JSON in the worker that evaluates it.
#[derive(Clone, Copy)]
enum FactsRef<'a> {
    Component(&'a facts::ComponentFacts),
    Flow(&'a facts::FlowFacts),
    Data(&'a facts::DataFacts),
    System(&'a facts::SystemFacts),
}

impl<'a> FactsRef<'a> {
    fn view(self) -> native::View<'a> {
        match self {
            FactsRef::Component(f) => native::View::Component(f),
            FactsRef::Flow(f) => native::View::Flow(f),
            FactsRef::Data(f) => native::View::Data(f),
            FactsRef::System(f) => native::View::System(f),
        }
    }

    fn to_json(self) -> serde_json::Value {
        match self {
            FactsRef::Component(f) => serde_json::to_value(f),
            FactsRef::Flow(f) => serde_json::to_value(f),
            FactsRef::Data(f) => serde_json::to_value(f),
            FactsRef::System(f) => serde_json::to_value(f),
        }
        .unwrap_or_default()
    }
}

struct Element<'a> {
    id: &'a str,
    kind: &'static str,
    target: Target,
    var: &'static str,
    facts: FactsRef<'a>,
    controls: &'a [String],
    /// Why controls were credited from the model's attributes (`[{control, because}]`).
    credited: Option<&'a serde_json::Value>,
    planned: &'a [String],
    span: Option<Span>,
}

/// Analyses `model` with `catalog`. `sources` (from loading) gives findings their
/// `file:line:col`.
pub fn analyze(model: &Model, catalog: &Catalog, sources: Option<&SourceMap>) -> Assessment {
    analyze_opts(model, catalog, sources, &Options::default())
}

/// As [`analyze`], evaluating only the rule `only` when given (rule tests run each rule
/// alone, so one rule's test model cannot pass because of another rule).
pub fn analyze_with(
    model: &Model,
    catalog: &Catalog,
    sources: Option<&SourceMap>,
    only: Option<&str>,
) -> Assessment {
    analyze_opts(
        model,
        catalog,
        sources,
        &Options {
            only: only.map(str::to_owned),
            ..Options::default()
        },
    )
}

/// How to analyse: the risk policy, the day acceptances expire against, and an optional
/// single rule.
#[derive(Clone, Debug)]
pub struct Options {
    pub policy: score::Policy,
    pub today: tracking::Day,
    pub only: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: score::Policy::default(),
            today: tracking::today(),
            only: None,
        }
    }
}

/// The full analysis with explicit [`Options`].
pub fn analyze_opts(
    model: &Model,
    catalog: &Catalog,
    sources: Option<&SourceMap>,
    opts: &Options,
) -> Assessment {
    let only = opts.only.as_deref();
    timing::mark("analysis starts");
    let facts = facts::compute(model);
    timing::mark("facts");
    let timed = timing::enabled();
    let system_json = serde_json::to_value(&facts.system).unwrap_or_default();
    let mut elements: Vec<Element> = Vec::new();
    for (c, f) in model.components.iter().zip(&facts.components) {
        elements.push(Element {
            id: &f.id,
            kind: f.kind,
            target: Target::Component(c.kind()),
            var: "c",
            facts: FactsRef::Component(f),
            controls: &f.controls,
            credited: Some(&f.credited_controls),
            planned: &f.planned_controls,
            span: Some(c.id.span),
        });
    }
    for (fl, f) in model.flows.iter().zip(&facts.flows) {
        elements.push(Element {
            id: &f.id,
            kind: "flow",
            target: Target::Flow,
            var: "f",
            facts: FactsRef::Flow(f),
            controls: &f.controls,
            credited: None,
            planned: &[],
            span: Some(fl.span),
        });
    }
    for (d, f) in model.data.iter().zip(&facts.data) {
        elements.push(Element {
            id: &f.id,
            kind: "data",
            target: Target::Data,
            var: "d",
            facts: FactsRef::Data(f),
            controls: &[],
            credited: None,
            planned: &[],
            span: Some(d.id.span),
        });
    }
    // Controls planned for the system as a whole (an incident response plan) and not in
    // place anywhere yet.
    let system_planned: Vec<String> = model
        .system
        .as_ref()
        .map(|sys| {
            let mut v: Vec<String> = model
                .controls
                .iter()
                .filter(|c| {
                    c.status == Some(threatwright_model::types::ControlStatus::Planned)
                        && c.targets.iter().any(|t| t.as_str() == sys.id.as_str())
                        && !facts.system.controls.contains(&c.control.name)
                })
                .map(|c| c.control.name.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        })
        .unwrap_or_default();
    // A system-wide threat is lowered only by controls the model states (anywhere), not by
    // those credited from one component's attributes: a narrow credential on one tool
    // says nothing about whether every agent in the organisation is inventoried.
    let system_stated: Vec<String> = {
        let mut v: Vec<String> = model
            .controls
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    Some(
                        threatwright_model::types::ControlStatus::Implemented
                            | threatwright_model::types::ControlStatus::Verified
                    )
                )
            })
            .map(|c| c.control.name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if let Some(sys) = &model.system {
        elements.push(Element {
            id: &sys.id.name,
            kind: "system",
            target: Target::System,
            var: "s",
            facts: FactsRef::System(&facts.system),
            controls: &system_stated,
            credited: None,
            planned: &system_planned,
            span: Some(sys.id.span),
        });
    }

    // Rules per target, computed once; each rule compiled natively once per variable.
    let mut targets: BTreeMap<Target, &'static str> = BTreeMap::new();
    for el in &elements {
        targets.entry(el.target).or_insert(el.var);
    }
    let selected = |t: Target| {
        rules_for(catalog, t)
            .into_iter()
            .filter(|r| only.is_none_or(|o| r.id() == o))
    };
    // Keyed by address: rule ids need not be unique across catalogs.
    let key = |r: &CompiledRule| r as *const CompiledRule as usize;
    let mut natives: BTreeMap<(usize, &str), native::NativeRule> = BTreeMap::new();
    for (&t, &var) in &targets {
        for rule in selected(t) {
            natives
                .entry((key(rule), var))
                .or_insert_with(|| native::NativeRule::new(rule, var));
        }
    }
    let rule_cache: BTreeMap<Target, Vec<Prepared>> = targets
        .iter()
        .map(|(&t, &var)| {
            let prepared = selected(t)
                .map(|rule| Prepared {
                    rule,
                    native: &natives[&(key(rule), var)],
                    condition: prefilter::Prefilter::new(&rule.condition, var),
                    questions: rule
                        .questions
                        .iter()
                        .map(|(w, _)| w.as_ref().map(|w| prefilter::Prefilter::new(w, var)))
                        .collect(),
                    references: std::sync::Arc::new(reference_ids(rule)),
                })
                .collect();
            (t, prepared)
        })
        .collect();
    // Each source file's name once, shared by the findings in it.
    let files: Option<Vec<std::sync::Arc<str>>> = sources.map(|src| {
        src.files()
            .map(|(id, _)| std::sync::Arc::from(src.path(id).display().to_string()))
            .collect()
    });
    let files = files.as_deref();
    // Elements are independent: evaluate them on every core, then merge in order.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let threads = if elements.len() < 512 { 1 } else { threads };
    // Deal elements out in turn, so every thread gets its share of each kind.
    let mut shares: Vec<Vec<&Element>> = vec![Vec::new(); threads];
    for (i, el) in elements.iter().enumerate() {
        shares[i % threads].push(el);
    }
    let parts: Vec<Partial> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|els| {
                scope.spawn(|| evaluate_chunk(els, &rule_cache, &facts.system, &system_json, files))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // Threats stay where their thread put them until their final place is known, then
    // move once (a Threat is large).
    let mut found: Vec<Vec<Option<Threat>>> = Vec::new();
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    // Every rule of every target some element has is evaluated on it.
    let evaluated: BTreeSet<&str> = rule_cache.values().flatten().map(|p| p.rule.id()).collect();
    let mut fallbacks: BTreeMap<&str, usize> = BTreeMap::new();
    for p in parts {
        for r in p.fallbacks {
            *fallbacks.entry(r).or_default() += 1;
        }
        found.push(p.threats);
        questions.extend(p.questions);
        errors.extend(p.errors);
    }
    // As sets: sorted, each once.
    questions.sort_unstable();
    questions.dedup();
    errors.sort_unstable();
    errors.dedup();
    if timed {
        timing::mark("evaluate");
        let mut f: Vec<_> = fallbacks.into_iter().collect();
        f.sort_by_key(|x| std::cmp::Reverse(x.1));
        eprintln!(
            "CEL fallbacks: {} ({:?})",
            f.iter().map(|x| x.1).sum::<usize>(),
            &f[..f.len().min(8)]
        );
    }
    // Each id once, keeping the first found (a set, rather than sorting by id: the
    // order that matters comes from ranking below).
    let total: usize = found.iter().map(Vec::len).sum();
    let mut repeated = Vec::new();
    {
        let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
        seen.reserve(total);
        for (p, v) in found.iter().enumerate() {
            for (i, t) in v.iter().enumerate() {
                if let Some(t) = t
                    && !seen.insert(t.id.as_str())
                {
                    repeated.push((p, i));
                }
            }
        }
    }
    let repeated_count = repeated.len();
    for (p, i) in repeated {
        found[p][i] = None;
    }
    score_threats(&mut found, model, &facts, catalog, opts);
    timing::mark("score");
    let mut threats: Vec<Threat> = ranked(&mut found, total - repeated_count);
    timing::mark("sorted");
    // The plan reads the ranked threats and nothing that follows: it is built on another
    // core while the parts, tracking warnings and summary are worked out here.
    let (plan, links, tracking_warnings, summary) = std::thread::scope(|scope| {
        let threats = &threats;
        let plan = scope.spawn(|| plan::build(threats, model, catalog));
        let links = part_links(threats, catalog);
        let tracking_warnings = tracking::warnings(model, threats, opts.today);
        let summary = summarize(threats, questions.len(), evaluated.len());
        let plan = plan.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (plan, links, tracking_warnings, summary)
    });
    for (j, head) in links {
        threats[j].part_of = Some(head);
    }
    timing::mark("plan");
    Assessment {
        format_version: FORMAT_VERSION,
        tool: format!("threatwright {}", env!("CARGO_PKG_VERSION")),
        system: model.system.as_ref().map(|s| s.id.name.clone()),
        summary,
        threats,
        questions,
        rule_errors: errors,
        tracking_warnings,
        plan,
        policy: opts.policy.clone(),
        facts,
    }
}

/// Counts by severity, status, STRIDE and lifecycle.
fn summarize(threats: &[Threat], questions: usize, rules_evaluated: usize) -> Summary {
    let mut summary = Summary {
        threats: threats.len(),
        open: threats.iter().filter(|t| t.is_open()).count(),
        by_status: BTreeMap::new(),
        by_severity: BTreeMap::new(),
        by_stride: BTreeMap::new(),
        by_lifecycle: BTreeMap::new(),
        questions,
        rules_evaluated,
    };
    for s in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        summary.by_severity.insert(s.as_str(), 0);
    }
    for t in threats {
        *summary.by_severity.entry(t.severity.as_str()).or_default() += 1;
        *summary.by_status.entry(t.status).or_default() += 1;
        for s in &t.stride {
            *summary.by_stride.entry(s).or_default() += 1;
        }
        *summary.by_lifecycle.entry(t.lifecycle).or_default() += 1;
    }
    summary
}

/// For threats whose rule another rule `subsumes` on the same element, the threat they
/// are part of (the first such, in rank order): `(index, head id)`.
fn part_links(threats: &[Threat], catalog: &Catalog) -> Vec<(usize, String)> {
    // The few rules that subsume others, looked up once rather than per threat.
    let subsuming: Vec<(&str, &[threatwright_model::types::Id])> = catalog
        .rules
        .iter()
        .filter(|r| !r.rule.subsumes.is_empty())
        .map(|r| (r.id(), r.rule.subsumes.as_slice()))
        .collect();
    if subsuming.is_empty() {
        return Vec::new();
    }
    let heads: Vec<(usize, &[threatwright_model::types::Id])> = threats
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            // Rule ids are unique in a loaded catalog.
            let (_, subsumes) = subsuming.iter().find(|(id, _)| *id == t.rule)?;
            Some((i, *subsumes))
        })
        .collect();
    if heads.is_empty() {
        return Vec::new();
    }
    let mut by_element: HashMap<&str, Vec<(usize, &[threatwright_model::types::Id])>> =
        HashMap::new();
    for (i, s) in heads {
        by_element
            .entry(threats[i].elements[0].as_str())
            .or_default()
            .push((i, s));
    }
    threats
        .iter()
        .enumerate()
        .filter_map(|(j, t)| {
            let head = by_element
                .get(t.elements[0].as_str())?
                .iter()
                .find(|(i, s)| *i != j && s.iter().any(|x| x.as_str() == t.rule))?;
            Some((j, threats[head.0].id.clone()))
        })
        .collect()
}

/// The threats found, in rank order: highest residual risk first, then highest risk,
/// then by id (ids are unique, so the order is total). Small keys are sorted, then each
/// threat (which is large) moves once, straight to its place.
fn ranked(found: &mut [Vec<Option<Threat>>], count: usize) -> Vec<Threat> {
    let order: Vec<(u32, u32)> = {
        // Residual and inherent risk (highest first), id, and where the threat is.
        type Key<'t> = (std::cmp::Reverse<(u32, u32)>, &'t str, u32, u32);
        let mut keys: Vec<Key> = Vec::with_capacity(count);
        for (p, part) in found.iter().enumerate() {
            for (i, t) in part.iter().enumerate() {
                if let Some(t) = t {
                    keys.push((
                        std::cmp::Reverse((t.residual.score, t.score)),
                        t.id.as_str(),
                        p as u32,
                        i as u32,
                    ));
                }
            }
        }
        keys.sort_unstable();
        keys.into_iter().map(|k| (k.2, k.3)).collect()
    };
    // Sized once: collecting from `filter_map` would grow it by doubling, copying every
    // threat again each time.
    let mut threats = Vec::with_capacity(order.len());
    threats.extend(
        order
            .into_iter()
            .filter_map(|(p, i)| found[p as usize][i as usize].take()),
    );
    threats
}

/// Scores every threat: modifiers with their factors, the band on the policy's matrix,
/// residual risk after the controls in place, and the status and links from tracking.
fn score_threats(
    parts: &mut [Vec<Option<Threat>>],
    model: &Model,
    facts: &facts::Facts,
    catalog: &Catalog,
    opts: &Options,
) {
    let components: foldhash::HashMap<&str, &threatwright_model::types::Component> = model
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let comp: foldhash::HashMap<&str, &facts::ComponentFacts> = facts
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let flow: foldhash::HashMap<&str, &facts::FlowFacts> =
        facts.flows.iter().map(|f| (f.id.as_str(), f)).collect();
    let system_name = model
        .system
        .as_ref()
        .map(|s| s.name.clone().unwrap_or_else(|| s.id.name.clone()))
        .unwrap_or_default();
    let score = |t: &mut Threat| {
        let el = t.elements[0].as_str();
        let bearing: Vec<&threatwright_model::types::Incident> = model
            .incidents
            .iter()
            .filter(|i| {
                i.threats
                    .iter()
                    .any(|p| tracking::bears_on(p, &t.id, &t.elements))
            })
            .collect();
        let incidents: Vec<String> = bearing.iter().map(|i| i.id.name.clone()).collect();
        let entry = tracking::entry_for(model, &t.id);
        let scored = score::modifiers(
            t.base_likelihood,
            t.base_impact,
            comp.get(el).copied(),
            flow.get(el).copied(),
            &t.stride,
            t.asset,
            t.decision_harm,
            t.lifecycle,
            facts.system.criticality,
            incidents.len(),
        );
        t.likelihood = scored.likelihood;
        t.impact = scored.impact;
        t.score = t.likelihood * t.impact;
        t.severity = opts.policy.band(t.likelihood, t.impact);
        t.factors = scored.factors;
        t.incidents = incidents;
        let description = components.get(el).and_then(|c| c.description.as_deref());
        let name = components
            .get(el)
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| el.to_owned());
        t.business_impact = score::business_impact(
            &t.stride,
            t.asset,
            t.lifecycle,
            &name,
            description,
            &system_name,
        );
        // A red-team exercise that found this threat working, and nobody has marked it
        // mitigated since, is evidence against the defence, not for it: red-teaming does
        // not lower such a threat's residual risk.
        let red_team_open = bearing
            .iter()
            .any(|i| i.source == Some(threatwright_model::types::IncidentSource::RedTeam))
            && entry.is_none_or(|e| e.status != threatwright_model::types::RiskStatus::Mitigated);
        let reducing: Vec<String> = t
            .mitigations
            .present
            .iter()
            .filter(|c| !(red_team_open && c.as_str() == "red-teaming"))
            .cloned()
            .collect();
        if reducing.len() < t.mitigations.present.len() {
            t.factors.push(
                "an open red-team incident shows the attack works: red-teaming does not lower the residual"
                    .into(),
            );
        }
        let (mut dl, mut di) = (0, 0);
        for c in &reducing {
            if let Some(e) = catalog
                .controls
                .get(c.as_str())
                .and_then(|c| c.effect.as_ref())
            {
                dl += e.likelihood.unwrap_or(0);
                di += e.impact.unwrap_or(0);
            }
        }
        let (rl, ri) = plan::reduced(t.likelihood, t.impact, dl.min(3), di.min(3));
        t.residual = Residual {
            likelihood: rl,
            impact: ri,
            score: rl * ri,
            severity: opts.policy.band(rl, ri),
            reduced_by: reducing,
        };
        if let Some(entry) = entry {
            let tr = tracking::tracking_of(entry, opts.today);
            t.status = if tr.expired {
                "open"
            } else {
                entry.status.as_str()
            };
            if let Some(o) = tr.owner {
                t.owner_role = o;
            }
            t.tracking = Some(tr);
        }
        t.assumptions = model
            .assumptions
            .iter()
            .filter(|a| {
                a.affects
                    .iter()
                    .any(|p| tracking::bears_on(p, &t.id, &t.elements))
            })
            .map(|a| a.id.name.clone())
            .collect();
        t.decisions = model
            .decisions
            .iter()
            .filter(|d| {
                d.addresses
                    .iter()
                    .any(|p| tracking::bears_on(p, &t.id, &t.elements))
            })
            .map(|d| d.id.name.clone())
            .collect();
    };
    // Threats are scored independently: each thread's finds on its own core.
    let total: usize = parts.iter().map(Vec::len).sum();
    if total < 2048 || parts.len() < 2 {
        parts.iter_mut().flatten().flatten().for_each(score);
    } else {
        let score = &score;
        std::thread::scope(|scope| {
            for part in parts.iter_mut() {
                scope.spawn(move || part.iter_mut().flatten().for_each(score));
            }
        });
    }
}

/// A rule with its native prefilters for one kind of element.
struct Prepared<'c> {
    rule: &'c CompiledRule,
    /// The rule compiled natively, tried before CEL.
    native: &'c native::NativeRule,
    condition: prefilter::Prefilter,
    /// One per question; `None` for a question without `when` (asked when the rule fires).
    questions: Vec<Option<prefilter::Prefilter>>,
    /// The rule's framework references, shared by its findings.
    references: std::sync::Arc<ReferenceIds>,
}

impl Prepared<'_> {
    /// Whether anything of the rule (condition or a question) may hold on these facts.
    fn may_matter(&self, facts: &serde_json::Value) -> bool {
        let fires = self.condition.may_hold(facts);
        fires
            || self
                .questions
                .iter()
                .any(|q| q.as_ref().is_some_and(|q| q.may_hold(facts)))
    }
}

#[derive(Default)]
struct Partial<'c> {
    threats: Vec<Option<Threat>>,
    questions: Vec<Question>,
    errors: Vec<RuleError>,
    /// Rules CEL evaluated because the native run gave up, once per element.
    fallbacks: Vec<&'c str>,
}

fn evaluate_chunk<'c>(
    elements: &[&Element],
    rule_cache: &BTreeMap<Target, Vec<Prepared<'c>>>,
    system: &facts::SystemFacts,
    system_json: &serde_json::Value,
    files: Option<&[std::sync::Arc<str>]>,
) -> Partial<'c> {
    // The CEL context is only built when some rule needs CEL.
    let root = std::cell::OnceCell::new();
    let mut out = Partial::default();
    // About one finding per element on large models: growing by doubling would copy
    // every (large) threat found so far several times.
    out.threats.reserve(elements.len());
    let use_prefilter = std::env::var_os("THREATWRIGHT_NO_PREFILTER").is_none();
    let mode = native::mode();

    for el in elements {
        let Some(rules) = rule_cache.get(&el.target).filter(|r| !r.is_empty()) else {
            continue;
        };
        let mut json = None;
        let mut ctx = None;
        for prepared in rules {
            let rule = prepared.rule;
            let fast = match mode {
                native::Mode::Off => Err(native::Fail),
                _ => prepared.native.run(rule, el.facts.view(), system),
            };
            if fast.is_err() {
                out.fallbacks.push(rule.id());
            }
            let outcome = match fast {
                Ok(o) if mode != native::Mode::Check => Ok(o),
                fast => {
                    let json = json.get_or_insert_with(|| el.facts.to_json());
                    let slow = if use_prefilter && !prepared.may_matter(json) {
                        // Cannot fire, and asks nothing.
                        Ok(evaluate::Outcome::default())
                    } else {
                        let root = root.get_or_init(|| root_context(system_json));
                        let ctx = ctx.get_or_insert_with(|| {
                            let mut c = root.new_inner_scope();
                            if el.var != "s" {
                                c.add_variable_from_value(el.var, to_cel(json));
                            }
                            c
                        });
                        evaluate(rule, ctx)
                    };
                    if let Ok(f) = &fast {
                        assert_eq!(
                            Ok(f),
                            slow.as_ref(),
                            "native and CEL evaluation differ: rule {} on {}",
                            rule.id(),
                            el.id
                        );
                    }
                    slow
                }
            };

            match outcome {
                Err(message) => out.errors.push(RuleError {
                    rule: rule.id().to_owned(),
                    element: el.id.to_owned(),
                    message,
                }),
                Ok(res) => {
                    for q in &res.questions {
                        out.questions.push(Question {
                            element: el.id.to_owned(),
                            rule: rule.id().to_owned(),
                            question: q.clone(),
                        });
                    }
                    if res.fired {
                        out.threats.push(Some(make_threat(
                            prepared,
                            el,
                            res.evidence,
                            res.questions,
                            files,
                        )));
                    }
                }
            }
        }
    }
    out
}

/// A rule's framework references, as its findings list them.
fn reference_ids(rule: &CompiledRule) -> ReferenceIds {
    let refs = rule.rule.references.as_ref();
    let ids = |f: fn(
        &threatwright_catalog::types::References,
    ) -> &Vec<threatwright_model::types::Text>| {
        refs.map(|x| f(x).iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default()
    };
    ReferenceIds {
        atlas: ids(|x| &x.atlas),
        owasp_llm: ids(|x| &x.owasp_llm),
        owasp_ml: ids(|x| &x.owasp_ml),
        nist_ai_100_2: ids(|x| &x.nist_ai_100_2),
        cwe: ids(|x| &x.cwe),
        cosai: ids(|x| &x.cosai),
    }
}

fn make_threat(
    prepared: &Prepared,
    el: &Element,
    evidence: Vec<String>,
    questions: Vec<String>,
    files: Option<&[std::sync::Arc<str>]>,
) -> Threat {
    let r = &prepared.rule.rule;
    let mut present = Vec::new();
    let mut planned = Vec::new();
    let mut missing = Vec::new();
    let mut credited = Vec::new();
    for m in &r.mitigations {
        let m = m.name.clone();
        if el.controls.contains(&m) {
            if let Some(why) = el.credited.and_then(|c| credit::reason(c, &m)) {
                credited.push(assessment::CreditedControl {
                    control: m.clone(),
                    because: why.to_owned(),
                });
            }
            present.push(m);
        } else if el.planned.contains(&m) {
            planned.push(m);
        } else {
            missing.push(m);
        }
    }
    let score = r.likelihood * r.impact;
    Threat {
        id: [r.id.as_str(), "@", el.id].concat(),
        rule: r.id.name.clone(),
        title: r.title.clone(),
        elements: vec![el.id.to_owned()],
        element_kind: el.kind,
        stride: r.stride.iter().map(|s| s.as_str()).collect(),
        lifecycle: r.lifecycle.as_str(),
        base_likelihood: r.likelihood,
        base_impact: r.impact,
        likelihood: r.likelihood,
        impact: r.impact,
        score,
        severity: Severity::from_score(score),
        factors: Vec::new(),
        business_impact: String::new(),
        residual: Residual {
            likelihood: r.likelihood,
            impact: r.impact,
            score,
            severity: Severity::from_score(score),
            reduced_by: Vec::new(),
        },
        status: "open",
        tracking: None,
        incidents: Vec::new(),
        part_of: None,
        assumptions: Vec::new(),
        decisions: Vec::new(),
        confidence: r.confidence.map_or("medium", |c| c.as_str()),
        asset: r.asset.map_or("data", |a| a.as_str()),
        decision_harm: r.decision_harm.unwrap_or(false),
        references: prepared.references.clone(),
        evidence,
        mitigations: Mitigations {
            present,
            planned,
            missing,
            credited,
        },
        owner_role: r.owner.unwrap_or(Role::Security).as_str(),
        questions,
        location: el.span.zip(files).map(|(s, files)| Location {
            file: files[s.file.0 as usize].clone(),
            line: s.line,
            column: s.col,
        }),
    }
}
