//! Facts: what the analysis knows about each element, derived once from the graph and
//! shown in the output. Rule conditions read them (see docs/catalog-format.md, the
//! contract for every name here).

use crate::credit;
use crate::graph::{Graph, level, trust_name};
use crate::taint::{self, Token, checks_of};
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;
use threatwright_model::Model;
use threatwright_model::types::*;

/// Lists shown to rules are capped at this length, which bounds the cost of any
/// comprehension in a condition.
pub const MAX_LIST: usize = 256;

#[derive(Clone, Debug, Serialize)]
pub struct ComponentFacts {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub zone: String,
    pub trust: &'static str,
    pub attrs: Json,
    pub ai: bool,
    pub internet_facing: bool,
    pub exposed: bool,
    pub reachable_from: Vec<String>,
    pub direct_untrusted: bool,
    pub indirect_untrusted: bool,
    pub untrusted_input: bool,
    pub untrusted_sources: Vec<String>,
    pub input_checks: Vec<&'static str>,
    pub direct_input_checks: Vec<&'static str>,
    pub flagged_checks: Vec<&'static str>,
    pub output_checks: Vec<&'static str>,
    pub human_review: bool,
    pub validated_input: bool,
    pub rate_limited_input: bool,
    pub path_data_controls: Vec<&'static str>,
    pub sees: Vec<String>,
    pub sensitivity: i64,
    pub data_categories: Vec<&'static str>,
    pub stored_categories: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    pub unapproved_actions: Vec<&'static str>,
    pub tools: Vec<String>,
    pub exfiltration: bool,
    pub private_data: bool,
    pub trifecta: bool,
    pub rule_of_two: i64,
    pub changes_state: bool,
    pub model: Json,
    pub learns_from_users: bool,
    pub training_sources: Vec<&'static str>,
    pub trains: bool,
    pub federated_role: &'static str,
    pub returns_confidence: bool,
    pub returns_embeddings: bool,
    pub answers_outside: bool,
    /// Data ids it hands back to its callers (the `receives` of flows into it).
    pub returns_data: Vec<String>,
    /// Highest classification among `returns_data` (0–3).
    pub returns_sensitivity: i64,
    pub controls: Vec<String>,
    pub credited_controls: Json,
    pub planned_controls: Vec<String>,
    pub inbound: i64,
    pub outbound: i64,
    pub writer_kinds: Vec<&'static str>,
    pub untrusted_writers: bool,
    pub delegates: Vec<String>,
    pub own_tools: Vec<String>,
    pub own_actions: Vec<&'static str>,
    pub exfiltration_channels: Vec<String>,
    pub stored_sensitivity: i64,
    pub used_by_agents: Vec<String>,
    pub llm: Json,
    pub retrieval_access_control: &'static str,
    pub unauthenticated_from_untrusted: bool,
    pub decisions_about_people: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct FlowFacts {
    pub id: String,
    pub from: String,
    pub to: String,
    pub from_kind: &'static str,
    pub to_kind: &'static str,
    pub from_trust: &'static str,
    pub to_trust: &'static str,
    pub crosses_boundary: bool,
    pub inbound_from_untrusted: bool,
    pub attrs: Json,
    pub sends: Vec<String>,
    pub receives: Vec<String>,
    pub data: Vec<String>,
    pub sensitivity: i64,
    pub data_categories: Vec<&'static str>,
    pub controls: Vec<String>,
    /// Data ids it sends that a model writes (an llm returns or sends them elsewhere).
    pub model_written: Vec<String>,
    /// The `controls` of the component it starts at (stated and credited).
    pub from_controls: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataFacts {
    pub id: String,
    pub classification: &'static str,
    pub provenance: &'static str,
    pub categories: Vec<&'static str>,
    pub sensitivity: i64,
    pub stored_in: Vec<String>,
    pub stored_kinds: Vec<&'static str>,
    pub seen_by_kinds: Vec<&'static str>,
    pub reaches_training: bool,
    pub reaches_partner: bool,
    pub controls: Vec<String>,
    pub attrs: Json,
}

#[derive(Clone, Debug, Serialize)]
pub struct SystemFacts {
    pub id: String,
    pub criticality: &'static str,
    pub lifecycle: &'static str,
    pub regulations: Vec<String>,
    pub kinds: Vec<&'static str>,
    pub has_ai: bool,
    pub owners: Vec<&'static str>,
    pub incidents: i64,
    pub decisions: i64,
    pub assumptions: i64,
    pub risks: i64,
    pub monitored: bool,
    pub controls: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Facts {
    pub system: SystemFacts,
    pub components: Vec<ComponentFacts>,
    pub flows: Vec<FlowFacts>,
    pub data: Vec<DataFacts>,
}

/// Stated attributes only: nulls and empty lists dropped, so `has()` means "stated".
pub fn stated(v: Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .filter_map(|(k, v)| keep(stated(v)).map(|v| (k, v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.into_iter().map(stated).collect()),
        other => other,
    }
}

fn keep(v: Json) -> Option<Json> {
    match &v {
        Json::Null => None,
        Json::Array(a) if a.is_empty() => None,
        Json::Object(m) if m.is_empty() => None,
        _ => Some(v),
    }
}

fn cap<T>(mut v: Vec<T>) -> Vec<T> {
    v.truncate(MAX_LIST);
    v
}

fn sorted_names<I: IntoIterator<Item = &'static str>>(it: I) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = it.into_iter().collect();
    cap(set.into_iter().collect())
}

/// Controls per element id: (implemented or verified, planned). A control that
/// targets a zone applies to every component in it and in the zones inside it; one
/// that targets data assets applies to a component when it targets every asset the
/// component stores (encryption of one table does not protect the rest of the database).
/// Controls in place and planned, by the id of the element they cover.
type ControlsByTarget<'m> = HashMap<&'m str, (Vec<String>, Vec<String>)>;

fn controls_by_target<'m>(model: &'m Model) -> ControlsByTarget<'m> {
    let mut m: HashMap<&'m str, (Vec<String>, Vec<String>)> = HashMap::new();
    let parent: HashMap<&str, &str> = model
        .zones
        .iter()
        .filter_map(|z| z.inside.as_ref().map(|p| (z.id.as_str(), p.as_str())))
        .collect();
    let data: std::collections::HashSet<&str> = model.data.iter().map(|d| d.id.as_str()).collect();
    // Zone → components inside it, directly or through nested zones (cycles are
    // rejected by validation; the walk is bounded anyway).
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &model.components {
        let mut z = c.zone.as_ref().map(|z| z.as_str());
        let mut hops = 0;
        while let Some(zone) = z
            && hops <= model.zones.len()
        {
            members.entry(zone).or_default().push(c.id.as_str());
            z = parent.get(zone).copied();
            hops += 1;
        }
    }
    for c in &model.controls {
        let Some(status) = c.status else { continue };
        let planned = status == ControlStatus::Planned;
        let add = |key: &'m str, m: &mut HashMap<&'m str, (Vec<String>, Vec<String>)>| {
            let e = m.entry(key).or_default();
            let list = if planned { &mut e.1 } else { &mut e.0 };
            if !list.contains(&c.control.name) {
                list.push(c.control.name.clone());
            }
        };
        for t in &c.targets {
            add(t.as_str(), &mut m);
            for member in members.get(t.as_str()).into_iter().flatten() {
                add(member, &mut m);
            }
        }
        let targeted: std::collections::HashSet<&str> = c
            .targets
            .iter()
            .map(|t| t.as_str())
            .filter(|t| data.contains(t))
            .collect();
        if !targeted.is_empty() {
            for comp in &model.components {
                if !comp.stores.is_empty()
                    && comp.stores.iter().all(|d| targeted.contains(d.as_str()))
                {
                    add(comp.id.as_str(), &mut m);
                }
            }
        }
    }
    for v in m.values_mut() {
        v.0.sort();
        v.1.sort();
        let implemented = v.0.clone();
        v.1.retain(|p| !implemented.contains(p));
    }
    m
}

fn unsafe_format(f: ModelFormat) -> bool {
    matches!(
        f,
        ModelFormat::Pickle | ModelFormat::Pytorch | ModelFormat::Keras
    )
}

const PUBLIC_HUBS: &[&str] = &[
    "huggingface.co",
    "hf.co",
    "civitai.com",
    "kaggle.com",
    "modelscope.cn",
    "ollama.com",
    "github.com",
    "pytorch.org/hub",
    "tfhub.dev",
];

pub fn compute(model: &Model) -> Facts {
    let g = Graph::new(model);
    let n = model.components.len();
    let ctl = controls_by_target(model);
    let implemented: Vec<Vec<&str>> = model
        .components
        .iter()
        .map(|c| {
            ctl.get(c.id.as_str())
                .map(|x| x.0.iter().map(String::as_str).collect())
                .unwrap_or_default()
        })
        .collect();
    let pass_controls: Vec<taint::PassControls> = implemented
        .iter()
        .map(|c| {
            let bit = |control: &str, check: GuardrailCheck| {
                if c.contains(&control) {
                    taint::check_bit(check)
                } else {
                    0
                }
            };
            taint::PassControls {
                cleaned: taint::PATH_DATA_CONTROLS
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| c.contains(x))
                    .fold(0u8, |m, (k, _)| m | (1 << k)),
                validated: c.contains(&"data-validation"),
                limited: c.contains(&"rate-limiting"),
                checks: bit(
                    "prompt-injection-detection",
                    GuardrailCheck::PromptInjection,
                ) | bit("jailbreak-detection", GuardrailCheck::Jailbreak)
                    | bit("input-validation", GuardrailCheck::Schema),
            }
        })
        .collect();
    // Taint and exposure are independent: taint on another core meanwhile.
    crate::timing::mark("graph");
    // Taint is the longest step and runs on its own: exposure, what each component
    // sees, and the flow and data facts (which need neither) go beside it.
    let (taint, (reach, sees, flows, data)) = join(
        n,
        || taint::compute(&g, &pass_controls),
        || {
            let reach = exposure(&g);
            let sees = sees_of(model, &g);
            let flows = flow_facts(model, &g, &ctl);
            let data = data_facts(model, &g, &sees, &ctl);
            (reach, sees, flows, data)
        },
    );

    // Agents: tools (listed or reached through pass-through components), delegates.
    let tools_of = |i: usize| -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let c = g.component(i);
        if let Some(a) = c.agent() {
            out.extend(
                a.tools
                    .iter()
                    .filter_map(|t| g.index.get(t.as_str()).copied()),
            );
        }
        let mut seen = BTreeSet::from([i]);
        let mut st = vec![i];
        while let Some(u) = st.pop() {
            for &fi in &g.out[u] {
                let Some((_, v)) = g.ends[fi] else { continue };
                if !seen.insert(v) {
                    continue;
                }
                match g.component(v).kind() {
                    ComponentKind::Tool => {
                        out.insert(v);
                    }
                    ComponentKind::Guardrail
                    | ComponentKind::HumanReview
                    | ComponentKind::Gateway => st.push(v),
                    _ => {}
                }
            }
        }
        out
    };
    let delegates_of = |i: usize| -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut st = vec![i];
        while let Some(u) = st.pop() {
            if let Some(a) = g.component(u).agent() {
                for d in &a.delegates_to {
                    if let Some(&v) = g.index.get(d.as_str())
                        && v != i
                        && seen.insert(v)
                    {
                        st.push(v);
                    }
                }
            }
        }
        seen.into_iter().collect()
    };
    let reviewed_tool = |t: usize| {
        g.inn[t].iter().any(|fi| {
            g.ends[*fi].is_some_and(|(a, _)| g.component(a).kind() == ComponentKind::HumanReview)
        })
    };
    // Agents using each llm, for the llm's reachable actions.
    let mut agents_of_llm: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, c) in model.components.iter().enumerate() {
        if let Some(l) = c
            .agent()
            .and_then(|a| a.llm.as_ref())
            .and_then(|l| g.index.get(l.as_str()))
        {
            agents_of_llm.entry(*l).or_default().push(i);
        }
    }

    let model_facts = |c: &Component| -> Json {
        let target = match c.kind() {
            ComponentKind::Model => Some(c),
            _ => c
                .llm()
                .and_then(|a| a.model.as_ref())
                .or(c.embedding_model().and_then(|a| a.model.as_ref()))
                .or(c.inference_service().and_then(|a| a.model.as_ref()))
                .and_then(|r| g.index.get(r.as_str()))
                .map(|i| g.component(*i)),
        };
        let Some(m) = target else {
            return Json::Object(Map::new());
        };
        let Some(a) = m.model() else {
            return Json::Object(Map::new());
        };
        let mut o = Map::new();
        o.insert("id".into(), Json::String(m.id.name.clone()));
        if let Some(s) = a.source {
            o.insert("source".into(), s.as_str().into());
        }
        if let Some(f) = a.format {
            o.insert("format".into(), f.as_str().into());
            o.insert("unsafe_format".into(), unsafe_format(f).into());
        }
        if let Some(p) = a.publisher {
            o.insert("publisher".into(), p.as_str().into());
        }
        if let Some(p) = &a.pinned {
            o.insert("pinned".into(), p.is_pinned().into());
        }
        if let Some(s) = a.signed {
            o.insert("signed".into(), s.into());
        }
        if let Some(origin) = &a.origin {
            o.insert("origin".into(), origin.clone().into());
        }
        let public_hub = a
            .origin
            .as_deref()
            .map_or(a.source == Some(ModelSource::OpenWeights), |o| {
                PUBLIC_HUBS.iter().any(|h| o.contains(h))
            });
        o.insert("public_hub".into(), public_hub.into());
        let mi = g.index[m.id.as_str()];
        let scan_bits = taint::check_bit(GuardrailCheck::UnsafeDeserialization)
            | taint::check_bit(GuardrailCheck::Malware);
        let scanned = implemented[mi].contains(&"artifact-scanning")
            || upstream_guardrail(&g, mi, scan_bits, false);
        o.insert("scanned".into(), scanned.into());
        o.insert(
            "scan_blocks".into(),
            upstream_guardrail(&g, mi, scan_bits, true).into(),
        );
        Json::Object(o)
    };

    // Data that parties outside the organisation (untrusted principals, partner zones)
    // get to see: what an endpoint returns reaches them only if it is among it.
    let outsider = |o: usize| {
        taint::is_principal(&g, o) || matches!(g.trust[o], Some(Trust::Partner | Trust::Untrusted))
    };
    let seen_outside: std::collections::HashSet<&str> = (0..n)
        .filter(|o| outsider(*o))
        .flat_map(|o| sees[o].iter().copied())
        .collect();
    // Whether what `i` answers its callers reaches outsiders; when no flow into it says
    // what comes back, whether outsiders reach it at all.
    let answers_outside = |i: usize| -> bool {
        let mut stated = false;
        for &fi in &g.inn[i] {
            let f = &model.flows[fi];
            if !f.receives.is_empty() {
                stated = true;
                if f.receives.iter().any(|d| seen_outside.contains(d.as_str())) {
                    return true;
                }
            } else if f.sends.is_empty() && g.ends[fi].is_some_and(|(a, _)| outsider(a)) {
                return true;
            }
        }
        !stated && (!reach[i].is_empty() || outsider(i))
    };
    let returns_data = |i: usize| -> Vec<String> {
        let set: BTreeSet<&str> = g.inn[i]
            .iter()
            .flat_map(|&fi| model.flows[fi].receives.iter().map(|d| d.name.as_str()))
            .collect();
        set.into_iter().map(str::to_owned).collect()
    };
    let ranks = Ranks::new(model);
    let build = |i: usize| -> ComponentFacts {
        let c = g.component(i);
        let t = &taint[i];
        let arrived: &[Token] = &t.arrived;
        let untrusted = !arrived.is_empty();
        let all = |f: &dyn Fn(&Token) -> bool| untrusted && arrived.iter().all(f);
        let block = if untrusted {
            arrived.iter().fold(u16::MAX, |m, t| m & t.block)
        } else {
            0
        };
        let any = if untrusted {
            arrived.iter().fold(u16::MAX, |m, t| m & t.any)
        } else {
            0
        };
        let cleaned = if untrusted {
            arrived.iter().fold(u8::MAX, |m, t| m & t.cleaned)
        } else {
            0
        };
        let path_data_controls: Vec<&'static str> = taint::PATH_DATA_CONTROLS
            .iter()
            .enumerate()
            .filter(|(k, _)| cleaned & (1 << k) != 0)
            .map(|(_, x)| *x)
            .collect();
        let direct_limited = arrived.iter().any(|t| !t.indirect)
            && arrived.iter().filter(|t| !t.indirect).all(|t| t.limited);
        let direct_block = arrived
            .iter()
            .filter(|t| !t.indirect)
            .fold(None, |m: Option<u16>, t| {
                Some(m.unwrap_or(u16::MAX) & t.block)
            })
            .unwrap_or(0);
        // Sorted by name and each once: by rank, then named.
        let sources: Vec<String> = if untrusted {
            // Itself only when nothing else is: "reaches it from itself" says nothing.
            let others = t.sources.iter().any(|s| *s != i) || !t.data_sources.is_empty();
            let mut ranked: Vec<(u32, &str)> = t
                .sources
                .iter()
                .filter(|s| **s != i || !others)
                .map(|s| (ranks.component[*s], g.component(*s).id.as_str()))
                .chain(
                    t.data_sources
                        .iter()
                        .map(|x| (ranks.data[*x], model.data[*x].id.as_str())),
                )
                .collect();
            ranked.sort_unstable_by_key(|r| r.0);
            ranked.dedup_by_key(|r| r.0);
            ranked.into_iter().map(|r| r.1.to_owned()).collect()
        } else {
            Vec::new() // a principal is a source, not a receiver
        };
        let seen: Vec<&str> = sees[i].iter().copied().collect();
        // The data assets seen, looked up once.
        let seen_data: Vec<&DataAsset> = seen
            .iter()
            .filter_map(|d| g.data_index.get(d).map(|x| &model.data[*x]))
            .collect();
        let sensitivity = seen_data
            .iter()
            .map(|d| d.classification.map_or(0, level))
            .max()
            .unwrap_or(0);
        let cats_of = |ids: &mut dyn Iterator<Item = &str>| {
            sorted_names(
                ids.filter_map(|d| g.data_index.get(d))
                    .flat_map(|x| model.data[*x].categories.iter().map(|c| c.as_str())),
            )
        };
        let data_categories = sorted_names(
            seen_data
                .iter()
                .flat_map(|d| d.categories.iter().map(|c| c.as_str())),
        );
        let stored_categories = cats_of(&mut c.stores.iter().map(|d| d.as_str()));

        // Tools and actions.
        let mut tool_set: BTreeSet<usize> = BTreeSet::new();
        let own_tools: BTreeSet<usize> = match c.kind() {
            ComponentKind::Agent => tools_of(i),
            _ => BTreeSet::new(),
        };
        let delegates = if c.kind() == ComponentKind::Agent {
            delegates_of(i)
        } else {
            Vec::new()
        };
        match c.kind() {
            ComponentKind::Agent => {
                tool_set.extend(tools_of(i));
                for d in &delegates {
                    tool_set.extend(tools_of(*d));
                }
            }
            ComponentKind::Llm => {
                for a in agents_of_llm.get(&i).into_iter().flatten() {
                    tool_set.extend(tools_of(*a));
                    for d in delegates_of(*a) {
                        tool_set.extend(tools_of(d));
                    }
                }
            }
            ComponentKind::Tool => {
                tool_set.insert(i);
            }
            _ => {}
        }
        let mut actions = BTreeSet::new();
        let mut unapproved = BTreeSet::new();
        // Actions that can change something outside a sandbox.
        let mut loose = BTreeSet::new();
        let mut exfiltration = c.egress == Some(Egress::Open);
        let mut channels: BTreeSet<String> = BTreeSet::new();
        if exfiltration {
            channels.insert("egress".into());
        }
        let mut own_actions = BTreeSet::new();
        for &ti in &own_tools {
            if let Some(ta) = g.component(ti).tool() {
                own_actions.extend(ta.actions.iter().map(|a| a.as_str()));
            }
        }
        for &ti in &tool_set {
            let tl = g.component(ti);
            let Some(ta) = tl.tool() else { continue };
            // Each call confirmed by a person: per-call approval, a human-review in front
            // of the tool, or the human-approval control on it — unless the tool states
            // `approval: none`, the more specific fact (the control may cover only some
            // calls, such as refunds above a threshold).
            let per_call = ta.approval == Some(Approval::PerCall)
                || reviewed_tool(ti)
                || (ta.approval.is_none() && implemented[ti].contains(&"human-approval"));
            let approved = per_call || ta.approval == Some(Approval::PerSession);
            // Code run in a container or VM with limits and no network changes nothing
            // outside its sandbox: not a state change that needs approval.
            let contained = tl.egress == Some(Egress::None)
                && tl.executes_code.as_ref().is_some_and(|x| {
                    matches!(x.isolation, Some(Isolation::Container | Isolation::Vm))
                        && x.limits == Some(true)
                });
            for a in &ta.actions {
                actions.insert(a.as_str());
                if *a == Action::ExecuteCode && contained {
                    continue;
                }
                loose.insert(a.as_str());
                if !approved {
                    unapproved.insert(a.as_str());
                }
                if matches!(
                    a,
                    Action::SendMessage | Action::HttpRequest | Action::Browse
                ) && ta.recipients != Some(Recipients::Allowlist)
                    && !per_call
                {
                    exfiltration = true;
                    channels.insert(tl.id.name.clone());
                }
            }
        }
        if llm_behind(&g, c)
            .and_then(|l| l.llm())
            .and_then(|l| l.output.as_ref())
            .and_then(|o| o.remote_content)
            == Some(true)
        {
            exfiltration = true;
            if let Some(l) = llm_behind(&g, c) {
                channels.insert(l.id.name.clone());
            }
        }
        let changes_state = loose.iter().any(|a| {
            matches!(
                *a,
                "write"
                    | "delete"
                    | "execute-code"
                    | "financial"
                    | "send-message"
                    | "file-system"
                    | "http-request"
            )
        });
        let private_data = sensitivity >= 2;
        let is_llm_app = matches!(c.kind(), ComponentKind::Agent | ComponentKind::Llm);
        let rule_of_two = [untrusted, private_data, changes_state || exfiltration]
            .iter()
            .filter(|b| **b)
            .count() as i64;

        // Training and provenance.
        let mut prov: BTreeSet<&'static str> = seen_data
            .iter()
            .filter_map(|d| d.provenance)
            .map(|p| p.as_str())
            .collect();
        for &fi in &g.inn[i] {
            if let Some((a, _)) = g.ends[fi]
                && let Some(p) = g.component(a).data_source().and_then(|d| d.provenance)
            {
                prov.insert(p.as_str());
            }
        }
        let trains = c.kind() == ComponentKind::Training
            || c.llm().and_then(|l| l.trains_on_prompts) == Some(true);
        let learns_from_users = c.training().and_then(|t| t.learns_from_users) == Some(true)
            || c.llm().and_then(|l| l.trains_on_prompts) == Some(true)
            || (matches!(
                c.kind(),
                ComponentKind::Training | ComponentKind::DataPipeline
            ) && prov.contains("user-generated"));
        let returns: &[Returns] = c.inference_service().map_or(&[], |s| &s.returns);

        // Writers of stores.
        let mut writer_kinds = BTreeSet::new();
        let mut untrusted_writers = false;
        if matches!(
            c.kind(),
            ComponentKind::VectorStore
                | ComponentKind::Database
                | ComponentKind::ObjectStore
                | ComponentKind::Cache
                | ComponentKind::FeatureStore
        ) {
            let mut writers: Vec<usize> = c
                .vector_store()
                .map(|v| {
                    v.writers
                        .iter()
                        .filter_map(|w| g.index.get(w.as_str()).copied())
                        .collect()
                })
                .unwrap_or_default();
            // A flow writes when it sends without reading anything back; a query that
            // sends a question and receives results (retrieval) is a read.
            for &fi in &g.inn[i] {
                let f = &model.flows[fi];
                if let Some((a, _)) = g.ends[fi]
                    && !f.sends.is_empty()
                    && f.receives.is_empty()
                {
                    writers.push(a);
                }
            }
            // A writer that validates what it writes, or whose input was validated.
            let validates = |w: usize| {
                pass_controls[w].validated
                    || g.component(w).data_pipeline().and_then(|p| p.validation) == Some(true)
                    || taint[w].arrived.iter().all(|t| t.validated)
            };
            let validated_writers = !writers.is_empty() && writers.iter().all(|w| validates(*w));
            for w in writers {
                writer_kinds.insert(g.component(w).kind().as_str());
                // Exposed or untrusted itself, or it passes on untrusted content (a sync
                // job copying customer-shared channels) that nothing validated.
                if !reach[w].is_empty()
                    || taint::is_principal(&g, w)
                    || (taint[w].arrived.iter().any(|t| t.indirect) && !validates(w))
                {
                    untrusted_writers = true;
                }
            }
            // Untrusted-provenance data at rest, unless every writer is known and
            // validates what it writes.
            if t.arrived.iter().any(|t| t.indirect)
                && !validated_writers
                && c.stores.iter().any(|d| {
                    g.data_index
                        .get(d.as_str())
                        .and_then(|x| model.data[*x].provenance)
                        .is_some_and(taint::untrusted_provenance)
                })
            {
                untrusted_writers = true;
            }
        }
        let decisions_about_people = c.decisions_about_people == Some(true)
            || llm_behind(&g, c).is_some_and(|l| l.decisions_about_people == Some(true))
            || c.inference_service()
                .and_then(|s| s.model.as_ref())
                .and_then(|m| g.index.get(m.as_str()))
                .is_some_and(|j| g.component(*j).decisions_about_people == Some(true));
        let output_checks = output_checks(&g, i, false);
        let stored_sensitivity = c
            .stores
            .iter()
            .map(|d| g.classification_level(d))
            .max()
            .unwrap_or(0);
        let used_by_agents: Vec<String> = agents_of_llm
            .get(&i)
            .into_iter()
            .flatten()
            .map(|a| g.component(*a).id.name.clone())
            .collect();
        let llm_json = match llm_behind(&g, c) {
            Some(l) => {
                let mut v = stated(serde_json::to_value(l).unwrap_or(Json::Null));
                if let Json::Object(m) = &mut v {
                    m.insert("id".into(), l.id.name.clone().into());
                }
                v
            }
            None => Json::Object(Map::new()),
        };
        let retrieval_access_control = retrieval_acl(&g, i);
        let attrs = component_attrs(c);
        let ctl_here = ctl.get(c.id.as_str());
        let returned = returns_data(i);
        ComponentFacts {
            id: c.id.name.clone(),
            kind: c.kind().as_str(),
            name: c.name.clone().unwrap_or_else(|| c.id.name.clone()),
            zone: c.zone.as_ref().map(|z| z.name.clone()).unwrap_or_default(),
            trust: trust_name(g.trust[i]),
            attrs,
            ai: c.kind().is_ai(),
            internet_facing: c.exposure == Some(Exposure::Internet)
                || g.inn[i]
                    .iter()
                    .any(|fi| g.ends[*fi].is_some_and(|(a, _)| taint::is_principal(&g, a))),
            exposed: !reach[i].is_empty(),
            reachable_from: cap(ranks.names_of(&reach[i], |s| g.component(s).id.as_str())),
            direct_untrusted: arrived.iter().any(|t| !t.indirect),
            indirect_untrusted: arrived.iter().any(|t| t.indirect),
            untrusted_input: untrusted,
            untrusted_sources: cap(sources),
            input_checks: checks_of(block),
            direct_input_checks: checks_of(direct_block),
            flagged_checks: checks_of(any),
            output_checks,
            human_review: all(&|t| t.reviewed),
            validated_input: all(&|t| t.validated),
            rate_limited_input: direct_limited,
            path_data_controls,
            sees: cap(seen.iter().map(|s| s.to_string()).collect()),
            sensitivity,
            data_categories,
            stored_categories,
            actions: cap(actions.into_iter().collect()),
            unapproved_actions: cap(unapproved.into_iter().collect()),
            tools: cap(tool_set
                .iter()
                .filter(|t| **t != i)
                .map(|t| g.component(*t).id.name.clone())
                .collect()),
            exfiltration,
            private_data,
            trifecta: is_llm_app && private_data && untrusted && exfiltration,
            rule_of_two,
            changes_state,
            model: model_facts(c),
            learns_from_users,
            training_sources: cap(prov.into_iter().collect()),
            trains,
            federated_role: federated_role(&g, i),
            returns_confidence: returns
                .iter()
                .any(|r| matches!(r, Returns::Scores | Returns::Probabilities)),
            returns_embeddings: returns.contains(&Returns::Embeddings),
            answers_outside: answers_outside(i),
            returns_sensitivity: returned
                .iter()
                .map(|d| g.classification_level(d))
                .max()
                .unwrap_or(0),
            returns_data: returned,
            controls: ctl_here.map(|x| x.0.clone()).unwrap_or_default(),
            credited_controls: Json::Array(Vec::new()),
            planned_controls: ctl_here.map(|x| x.1.clone()).unwrap_or_default(),
            inbound: g.inn[i].len() as i64,
            outbound: g.out[i].len() as i64,
            writer_kinds: writer_kinds.into_iter().collect(),
            untrusted_writers,
            delegates: delegates
                .iter()
                .map(|d| g.component(*d).id.name.clone())
                .collect(),
            own_tools: own_tools
                .iter()
                .map(|t| g.component(*t).id.name.clone())
                .collect(),
            own_actions: own_actions.into_iter().collect(),
            exfiltration_channels: channels.into_iter().collect(),
            stored_sensitivity,
            used_by_agents,
            llm: llm_json,
            retrieval_access_control,
            unauthenticated_from_untrusted: g.inn[i].iter().any(|fi| {
                g.ends[*fi].is_some_and(|(a, _)| taint::is_principal(&g, a))
                    && model.flows[*fi].auth == Some(Auth::None)
            }),
            decisions_about_people,
        }
    };
    let with_credits = |i: usize| -> ComponentFacts {
        let mut f = build(i);
        let c = g.component(i);
        let output_blocking = output_checks(&g, i, true);
        let reviewed_by = if f.decisions_about_people || c.kind() == ComponentKind::Agent {
            reviewed_by(&g, i)
        } else {
            Vec::new()
        };
        let cx = credit::Context {
            output_blocking: &output_blocking,
            reviewed_by: &reviewed_by,
        };
        let credits = credit::for_component(c, &f, &cx);
        if !credits.is_empty() {
            for cr in &credits {
                if !f.controls.iter().any(|x| x == cr.control) {
                    f.controls.push(cr.control.to_owned());
                }
            }
            f.controls.sort();
            f.planned_controls.retain(|p| !f.controls.contains(p));
            f.credited_controls = credit::to_json(&credits);
        }
        f
    };
    crate::timing::mark("taint, exposure");
    let components = parallel_map(n, &with_credits);
    crate::timing::mark("component facts");
    let mut flows = flows;
    for (f, e) in flows.iter_mut().zip(&g.ends) {
        if let Some((a, _)) = e {
            f.from_controls = components[*a].controls.clone();
        }
    }

    let sys = model.system.as_ref();
    // Stated on any element, or credited on a component from its attributes.
    let mut all_controls: Vec<String> = ctl
        .values()
        .flat_map(|v| v.0.iter().cloned())
        .chain(components.iter().flat_map(|c| c.controls.iter().cloned()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    all_controls.truncate(MAX_LIST);
    let system = SystemFacts {
        id: sys.map(|s| s.id.name.clone()).unwrap_or_default(),
        criticality: sys.and_then(|s| s.criticality).map_or("", |c| c.as_str()),
        lifecycle: sys.and_then(|s| s.lifecycle).map_or("", |c| c.as_str()),
        regulations: sys.map(|s| s.regulations.clone()).unwrap_or_default(),
        kinds: sorted_names(model.components.iter().map(|c| c.kind().as_str())),
        has_ai: model.components.iter().any(|c| c.kind().is_ai()),
        owners: sys
            .and_then(|s| s.owners.as_ref())
            .map(|o| sorted_names(o.0.iter().map(|(r, _)| r.as_str())))
            .unwrap_or_default(),
        incidents: model.incidents.len() as i64,
        decisions: model.decisions.len() as i64,
        assumptions: model.assumptions.len() as i64,
        risks: model.risks.len() as i64,
        monitored: model
            .components
            .iter()
            .any(|c| c.kind() == ComponentKind::Monitoring),
        controls: all_controls,
    };
    Facts {
        system,
        components,
        flows,
        data,
    }
}

/// Facts per flow: its ends, trust, boundary crossing, data and controls. Independent of
/// taint, so it runs beside it.
fn flow_facts(model: &Model, g: &Graph, ctl: &ControlsByTarget) -> Vec<FlowFacts> {
    let controls_of = |id: &str| ctl.get(id).map(|c| c.0.clone()).unwrap_or_default();
    // What models write: data an llm hands back to its caller or sends on.
    let is_llm = |i: Option<usize>| i.is_some_and(|i| g.component(i).kind() == ComponentKind::Llm);
    let model_out: BTreeSet<&str> = model
        .flows
        .iter()
        .zip(&g.ends)
        .flat_map(|(f, e)| {
            let (a, b) = e.map_or((None, None), |(a, b)| (Some(a), Some(b)));
            let back = if is_llm(b) { &f.receives[..] } else { &[] };
            let on = if is_llm(a) { &f.sends[..] } else { &[] };
            back.iter().chain(on).map(|d| d.name.as_str())
        })
        .collect();
    let flow = |fi: usize| {
        let f = &model.flows[fi];
        let (a, b) = g.ends[fi].map_or((None, None), |(a, b)| {
            (Some(g.component(a)), Some(g.component(b)))
        });
        let ft = g.ends[fi].and_then(|(a, _)| g.trust[a]);
        let tt = g.ends[fi].and_then(|(_, b)| g.trust[b]);
        let mut ids: Vec<String> = f
            .sends
            .iter()
            .chain(&f.receives)
            .map(|d| d.name.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let principal_start = g.ends[fi].is_some_and(|(a, _)| taint::is_principal(g, a));
        let mut attrs = Map::new();
        if let Some(p) = &f.protocol {
            attrs.insert("protocol".into(), p.clone().into());
        }
        if let Some(e) = f.encrypted {
            attrs.insert("encrypted".into(), e.into());
        }
        if let Some(a) = f.auth {
            attrs.insert("auth".into(), a.as_str().into());
        }
        if let Some(p) = &f.purpose {
            attrs.insert("purpose".into(), p.clone().into());
        }
        if let Some(d) = &f.description {
            attrs.insert("description".into(), d.clone().into());
        }
        if !f.tags.is_empty() {
            attrs.insert("tags".into(), f.tags.clone().into());
        }
        let attrs = Json::Object(attrs);
        let id = f.id();
        FlowFacts {
            from: f.from.name.clone(),
            to: f.to.name.clone(),
            from_kind: a.map_or("", |c| c.kind().as_str()),
            to_kind: b.map_or("", |c| c.kind().as_str()),
            from_trust: trust_name(ft),
            to_trust: trust_name(tt),
            crosses_boundary: a.zip(b).is_some_and(|(a, b)| {
                a.zone.as_ref().map(|z| &z.name) != b.zone.as_ref().map(|z| &z.name)
            }),
            inbound_from_untrusted: principal_start && tt != Some(Trust::Untrusted),
            attrs,
            sensitivity: ids
                .iter()
                .map(|d| g.classification_level(d))
                .max()
                .unwrap_or(0),
            data_categories: sorted_names(
                ids.iter()
                    .filter_map(|d| g.data_index.get(d.as_str()))
                    .flat_map(|x| model.data[*x].categories.iter().map(|c| c.as_str())),
            ),
            data: cap(ids),
            controls: controls_of(&id),
            sends: f.sends.iter().map(|d| d.name.clone()).collect(),
            receives: f.receives.iter().map(|d| d.name.clone()).collect(),
            model_written: f
                .sends
                .iter()
                .filter(|d| model_out.contains(d.name.as_str()))
                .map(|d| d.name.clone())
                .collect(),
            from_controls: Vec::new(),
            id,
        }
    };
    let flows = parallel_map(model.flows.len(), &flow);
    crate::timing::mark("flow facts");
    flows
}

/// Facts per data asset: who stores and sees it, where it reaches.
fn data_facts<'m>(
    model: &'m Model,
    g: &Graph,
    sees: &[BTreeSet<&'m str>],
    ctl: &ControlsByTarget,
) -> Vec<DataFacts> {
    let controls_of = |id: &str| ctl.get(id).map(|c| c.0.clone()).unwrap_or_default();
    let mut seen_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in sees.iter().enumerate() {
        for d in s {
            seen_by.entry(d).or_default().push(i);
        }
    }
    // The components storing each data id, in order (each once).
    let mut stored_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in model.components.iter().enumerate() {
        for d in &c.stores {
            let list = stored_by.entry(d.as_str()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    model
        .data
        .iter()
        .map(|d| {
            let viewers = seen_by.get(d.id.as_str()).cloned().unwrap_or_default();
            let stored: Vec<usize> = stored_by.get(d.id.as_str()).cloned().unwrap_or_default();
            let mut attrs = stated(serde_json::to_value(d).unwrap_or(Json::Null));
            if let Json::Object(m) = &mut attrs {
                m.remove("id");
            }
            DataFacts {
                id: d.id.name.clone(),
                classification: d.classification.map_or("", |c| c.as_str()),
                provenance: d.provenance.map_or("", |p| p.as_str()),
                categories: d.categories.iter().map(|c| c.as_str()).collect(),
                sensitivity: d.classification.map_or(0, level),
                stored_in: stored
                    .iter()
                    .map(|i| g.component(*i).id.name.clone())
                    .collect(),
                stored_kinds: sorted_names(stored.iter().map(|i| g.component(*i).kind().as_str())),
                seen_by_kinds: sorted_names(
                    viewers.iter().map(|i| g.component(*i).kind().as_str()),
                ),
                reaches_training: viewers
                    .iter()
                    .any(|i| g.component(*i).kind() == ComponentKind::Training),
                reaches_partner: viewers
                    .iter()
                    .any(|i| matches!(g.trust[*i], Some(Trust::Partner | Trust::Untrusted))),
                controls: controls_of(d.id.as_str()),
                attrs,
            }
        })
        .collect()
}

/// Every component and data id in one order by name (equal names, equal rank), so that
/// lists of ids are sorted by name by sorting integers.
struct Ranks {
    component: Vec<u32>,
    data: Vec<u32>,
}

impl Ranks {
    fn new(model: &Model) -> Ranks {
        let mut names: Vec<(&str, bool, usize)> = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), false, i))
            .chain(
                model
                    .data
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (d.id.as_str(), true, i)),
            )
            .collect();
        names.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut ranks = Ranks {
            component: vec![0; model.components.len()],
            data: vec![0; model.data.len()],
        };
        let mut rank = 0u32;
        for (k, &(name, is_data, i)) in names.iter().enumerate() {
            if k > 0 && names[k - 1].0 != name {
                rank += 1;
            }
            if is_data {
                ranks.data[i] = rank;
            } else {
                ranks.component[i] = rank;
            }
        }
        ranks
    }

    /// The names of components `ids`, sorted, each once.
    fn names_of<'m>(&self, ids: &[usize], name: impl Fn(usize) -> &'m str) -> Vec<String> {
        let mut ranked: Vec<(u32, usize)> = ids.iter().map(|&i| (self.component[i], i)).collect();
        ranked.sort_unstable_by_key(|r| r.0);
        ranked.dedup_by_key(|r| r.0);
        ranked.into_iter().map(|r| name(r.1).to_owned()).collect()
    }
}

/// Exposure: for each component, the untrusted principals and internet-exposed
/// components it is reachable from (at most [`taint::MAX_SOURCES`]).
fn exposure(g: &Graph) -> Vec<Vec<usize>> {
    let n = g.model.components.len();
    let mut reach: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut stack: Vec<usize> = Vec::new();
    for (i, r) in reach.iter_mut().enumerate() {
        if taint::is_principal(g, i) || g.component(i).exposure == Some(Exposure::Internet) {
            r.push(i);
            stack.push(i);
        }
    }
    // Only what reached `u` since it last passed sources on is new to its successors:
    // the rest was offered before, and lists only grow, so offering it again changes
    // nothing (it is there already, or the list is full).
    let mut passed: Vec<usize> = vec![0; n];
    while let Some(u) = stack.pop() {
        let from = reach[u][passed[u]..].to_vec();
        passed[u] = reach[u].len();
        for &fi in &g.out[u] {
            let Some((_, v)) = g.ends[fi] else { continue };
            let mut changed = false;
            for s in &from {
                if reach[v].len() < taint::MAX_SOURCES && !reach[v].contains(s) {
                    reach[v].push(*s);
                    changed = true;
                }
            }
            if changed || (reach[v].is_empty() && !from.is_empty()) {
                stack.push(v);
            }
        }
    }
    reach
}

/// What each component can see: the data it stores and the data on its flows.
fn sees_of<'m>(model: &'m Model, g: &Graph) -> Vec<BTreeSet<&'m str>> {
    let mut sees: Vec<BTreeSet<&'m str>> = model
        .components
        .iter()
        .map(|c| c.stores.iter().map(|d| d.as_str()).collect())
        .collect();
    for (fi, f) in model.flows.iter().enumerate() {
        if let Some((a, b)) = g.ends[fi] {
            for d in f.sends.iter().chain(&f.receives) {
                sees[a].insert(d.as_str());
                sees[b].insert(d.as_str());
            }
        }
    }
    sees
}

/// `(a(), b())`, with `a` on another core when there are `n` (many) elements to work on.
fn join<A: Send, B>(n: usize, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if n < 2048 || threads() == 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), b)
    })
}

/// The cores to use (at most 8).
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, 8)
}

/// `f(0..n)` in order, computed on all cores (the per-element facts are independent).
fn parallel_map<T: Send>(n: usize, f: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    let threads = threads();
    if n < 2048 || threads == 1 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(f)
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        // Sized once: the facts are large, and growing by doubling copies them again.
        let mut out = Vec::with_capacity(n);
        for h in handles {
            out.extend(h.join().unwrap_or_default());
        }
        out
    })
}

/// A component's stated attributes (without its identity), as rules see them in `attrs`.
fn component_attrs(c: &Component) -> Json {
    let mut attrs = stated(serde_json::to_value(c).unwrap_or(Json::Null));
    if let Json::Object(m) = &mut attrs {
        for k in ["id", "kind", "zone", "name"] {
            m.remove(k);
        }
    }
    attrs
}

/// The access control that binds retrieval through component `i`: for a retriever the
/// stricter of its own and its sources' setting; for a vector store its own.
fn retrieval_acl(g: &Graph, i: usize) -> &'static str {
    let c = g.component(i);
    let rank = |a: Option<AccessControl>| match a {
        Some(AccessControl::PerUser) => 3,
        Some(AccessControl::Tenant) => 2,
        Some(AccessControl::None) => 1,
        None => 0,
    };
    let own = c
        .retriever()
        .and_then(|r| r.access_control)
        .or(c.vector_store().and_then(|v| v.access_control));
    let mut best = own;
    if let Some(r) = c.retriever() {
        for s in &r.sources {
            let theirs = g
                .index
                .get(s.as_str())
                .and_then(|j| g.component(*j).vector_store())
                .and_then(|v| v.access_control);
            if rank(theirs) > rank(best) {
                best = theirs;
            }
        }
    }
    best.map_or("", |a| a.as_str())
}

/// The llm component itself, or the one an agent uses.
fn llm_behind<'m>(g: &Graph<'m>, x: &'m Component) -> Option<&'m Component> {
    match x.kind() {
        ComponentKind::Llm => Some(x),
        _ => x
            .agent()
            .and_then(|a| a.llm.as_ref())
            .and_then(|l| g.index.get(l.as_str()))
            .map(|j| g.component(*j)),
    }
}

/// Checks of output guardrails on every path from `i` towards a user: the guardrails
/// its outgoing flows (and responses) pass first; with `block_only`, only those that
/// block.
fn output_checks(g: &Graph, i: usize, block_only: bool) -> Vec<&'static str> {
    let mut masks = Vec::new();
    for &fi in g.out[i].iter().chain(&g.inn[i]) {
        let Some((a, b)) = g.ends[fi] else { continue };
        let other = if a == i { b } else { a };
        let c = g.component(other);
        match c.guardrail() {
            Some(gr)
                if gr.position == Some(GuardrailPosition::Output)
                    && (!block_only || gr.mode == Some(GuardrailMode::Block)) =>
            {
                masks.push(
                    gr.checks
                        .iter()
                        .fold(0u16, |m, ch| m | taint::check_bit(*ch)),
                )
            }
            _ => {}
        }
    }
    if masks.is_empty() {
        return Vec::new();
    }
    checks_of(masks.iter().fold(u16::MAX, |m, x| m & x))
}

/// In federated learning, whether a training component aggregates the others' updates
/// or is a client that sends its own: the side a flow carries updates to is the
/// aggregator. `""` when not federated or not told by the flows.
fn federated_role(g: &Graph, i: usize) -> &'static str {
    let federated = |x: usize| {
        g.component(x).training().and_then(|t| t.method) == Some(TrainingMethod::Federated)
    };
    if !federated(i) {
        return "";
    }
    let mut sends_to_peer = false;
    let mut receives_from_peer = false;
    for &fi in g.out[i].iter().chain(&g.inn[i]) {
        let Some((a, b)) = g.ends[fi] else { continue };
        let f = &g.model.flows[fi];
        let (other, i_is_from) = if a == i { (b, true) } else { (a, false) };
        if other == i || !federated(other) {
            continue;
        }
        // Updates travel along `sends` from → to, or along `receives` to → from.
        let i_gives = (i_is_from && !f.sends.is_empty()) || (!i_is_from && !f.receives.is_empty());
        let i_gets = (i_is_from && !f.receives.is_empty()) || (!i_is_from && !f.sends.is_empty());
        // A client sends updates and gets the global model back; the aggregator the
        // reverse. The initiator of the flow is taken to be the client when both move.
        if i_gives && (!i_gets || i_is_from) {
            sends_to_peer = true;
        } else if i_gets {
            receives_from_peer = true;
        }
    }
    match (sends_to_peer, receives_from_peer) {
        (false, true) => "aggregator",
        (true, false) => "client",
        _ => "",
    }
}

/// Most components one oversight walk visits; beyond it the walk gives up and nothing
/// is credited, which keeps the cost linear on huge models.
const MAX_OVERSIGHT_VISITS: usize = 4096;

/// The `human-review` components that every effect of `i`'s output passes, or nothing
/// when some effect does not pass one (or none is found). The output travels where its
/// data goes: forward along flows that send, back to callers along flows that return.
/// An effect is a person outside the organisation, an external service, or a tool
/// that changes state without anyone approving the call; employees who merely read
/// the output are neither an effect nor a review.
fn reviewed_by(g: &Graph, i: usize) -> Vec<String> {
    let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::from([i]);
    let mut stack = vec![i];
    let mut reviews: BTreeSet<usize> = BTreeSet::new();
    while let Some(u) = stack.pop() {
        let outs = g.out[u].iter().filter_map(|&fi| {
            let f = &g.model.flows[fi];
            let forward = !f.sends.is_empty() || f.receives.is_empty();
            g.ends[fi].filter(|_| forward).map(|(_, v)| v)
        });
        let backs = g.inn[u].iter().filter_map(|&fi| {
            let f = &g.model.flows[fi];
            let back = !f.receives.is_empty() || f.sends.is_empty();
            g.ends[fi].filter(|_| back).map(|(a, _)| a)
        });
        for v in outs.chain(backs) {
            if !seen.insert(v) {
                continue;
            }
            if seen.len() > MAX_OVERSIGHT_VISITS {
                return Vec::new();
            }
            let c = g.component(v);
            match c.kind() {
                ComponentKind::HumanReview => {
                    reviews.insert(v);
                }
                ComponentKind::User if taint::is_principal(g, v) => return Vec::new(),
                ComponentKind::User => {}
                ComponentKind::ExternalService => return Vec::new(),
                ComponentKind::Tool => {
                    let t = c.tool();
                    let approved = t
                        .and_then(|t| t.approval)
                        .is_some_and(|a| a != Approval::None);
                    let acts = t.is_some_and(|t| {
                        t.actions
                            .iter()
                            .any(|a| !matches!(a, Action::Read | Action::Browse))
                    });
                    if acts && !approved {
                        return Vec::new();
                    }
                    if !approved {
                        stack.push(v);
                    }
                }
                _ => stack.push(v),
            }
        }
    }
    if reviews.is_empty() {
        return Vec::new();
    }
    reviews
        .into_iter()
        .map(|r| g.component(r).id.name.clone())
        .collect()
}

/// Whether a guardrail with any of `bits` (in block mode, with `block_only`) sits on a
/// flow that reaches component `i`.
fn upstream_guardrail(g: &Graph, i: usize, bits: u16, block_only: bool) -> bool {
    g.inn[i].iter().chain(&g.out[i]).any(|fi| {
        g.ends[*fi].is_some_and(|(a, b)| {
            let other = if a == i { b } else { a };
            g.component(other).guardrail().is_some_and(|gr| {
                (!block_only || gr.mode == Some(GuardrailMode::Block))
                    && gr.checks.iter().any(|c| taint::check_bit(*c) & bits != 0)
            })
        })
    })
}
