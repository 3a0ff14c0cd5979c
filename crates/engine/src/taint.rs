//! Where untrusted input can reach: taint propagated along flows from untrusted
//! principals and untrusted content, remembering which guardrails, validations and human
//! reviews each path passed, so rules can ask "is every path checked for X?".

use crate::graph::Graph;
use std::collections::HashSet;
use threatwright_model::types::{
    Action, ComponentKind, GuardrailCheck, GuardrailMode, Population, Provenance, Trust,
};

/// Most distinct path summaries kept per component, and most source ids listed. The
/// booleans stay exact; only the lists shown to people are capped.
const MAX_TOKENS: usize = 64;
pub const MAX_SOURCES: usize = 32;

/// What a path from an untrusted source has been through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// Guardrail checks passed in block mode (bit per [`GuardrailCheck`]).
    pub block: u16,
    /// Checks passed in block or flag mode.
    pub any: u16,
    pub reviewed: bool,
    pub validated: bool,
    /// Passed a store, tool or retriever, or started as untrusted content.
    pub indirect: bool,
}

pub fn check_bit(c: GuardrailCheck) -> u16 {
    1 << GuardrailCheck::ALL
        .iter()
        .position(|x| *x == c)
        .unwrap_or(0)
}

pub fn checks_of(mask: u16) -> Vec<&'static str> {
    GuardrailCheck::ALL
        .iter()
        .filter(|c| mask & check_bit(**c) != 0)
        .map(|c| c.as_str())
        .collect()
}

/// How a token arrived: along which flow, and in which direction (true: from → to).
pub type Via = Option<(usize, bool)>;

#[derive(Default, Clone)]
pub struct NodeTaint {
    pub arrived: Vec<Token>,
    /// The flow each arrival came by, parallel to `arrived`; a token is not sent back
    /// the way it came, so a tool that merely receives an agent's input does not echo it
    /// back as "indirect" content.
    pub via: Vec<Via>,
    pub sources: Vec<usize>,
    /// Source ids that are data assets (untrusted-provenance data carried in).
    pub data_sources: Vec<String>,
}

/// Whether a component is an untrusted principal: it sits in an untrusted zone, or is a
/// public or customer user.
pub fn is_principal(g: &Graph, i: usize) -> bool {
    let c = g.component(i);
    g.trust_of(c) == Some(Trust::Untrusted)
        || c.user()
            .and_then(|u| u.population)
            .is_some_and(|p| matches!(p, Population::Public | Population::Customers))
}

fn untrusted_provenance(p: Provenance) -> bool {
    matches!(
        p,
        Provenance::UserGenerated | Provenance::PublicWeb | Provenance::ThirdParty
    )
}

fn passes_indirect(kind: ComponentKind) -> bool {
    use ComponentKind::*;
    matches!(
        kind,
        Database
            | ObjectStore
            | Cache
            | VectorStore
            | Queue
            | FeatureStore
            | ModelRegistry
            | Tool
            | Retriever
            | DataSource
    )
}

/// `validated[i]`: component `i` has the data-validation control in place.
pub fn compute(g: &Graph, validated: &[bool]) -> Vec<NodeTaint> {
    let n = g.model.components.len();
    let mut taint = vec![NodeTaint::default(); n];
    let mut emit_seed: Vec<Vec<Token>> = vec![Vec::new(); n];
    let direct = Token {
        block: 0,
        any: 0,
        reviewed: false,
        validated: false,
        indirect: false,
    };
    let indirect = Token {
        indirect: true,
        ..direct
    };
    for (i, t) in taint.iter_mut().enumerate() {
        let c = g.component(i);
        if is_principal(g, i) {
            emit_seed[i].push(direct);
            t.sources.push(i);
        }
        if c.exposure == Some(threatwright_model::types::Exposure::Internet) && !is_principal(g, i)
        {
            t.arrived.push(direct);
            t.sources.push(i);
        }
        let untrusted_content = c
            .data_source()
            .and_then(|d| d.provenance)
            .is_some_and(untrusted_provenance)
            || c.tool().is_some_and(|tl| {
                tl.actions
                    .iter()
                    .any(|a| matches!(a, Action::Browse | Action::HttpRequest))
            })
            || c.stores.iter().any(|d| {
                g.data_index
                    .get(d.as_str())
                    .and_then(|x| g.model.data[*x].provenance)
                    .is_some_and(untrusted_provenance)
            });
        if untrusted_content {
            t.arrived.push(indirect);
            t.via.push(None);
            if !t.sources.contains(&i) {
                t.sources.push(i);
            }
        }
    }
    // Untrusted-provenance data carried by a flow arrives as content at the receiving end.
    for (fi, f) in g.model.flows.iter().enumerate() {
        let Some((a, b)) = g.ends[fi] else { continue };
        for (list, at) in [(&f.sends, b), (&f.receives, a)] {
            for d in list {
                let untrusted = g
                    .data_index
                    .get(d.as_str())
                    .and_then(|x| g.model.data[*x].provenance)
                    .is_some_and(untrusted_provenance);
                if untrusted {
                    if !taint[at].arrived.contains(&indirect) {
                        taint[at].arrived.push(indirect);
                        taint[at].via.push(None);
                    }
                    if !taint[at].data_sources.contains(&d.name) {
                        taint[at].data_sources.push(d.name.clone());
                    }
                }
            }
        }
    }
    let mut work: Vec<usize> = (0..n)
        .filter(|i| !taint[*i].arrived.is_empty() || !emit_seed[*i].is_empty())
        .collect();
    let mut queued: Vec<bool> = vec![false; n];
    for &i in &work {
        queued[i] = true;
    }
    while let Some(u) = work.pop() {
        queued[u] = false;
        let node = &taint[u];
        // Tokens u emits, with the way each came in (to avoid echoing it back).
        let emitted: Vec<(Token, Via)> = {
            let mut seen = HashSet::new();
            node.arrived
                .iter()
                .zip(&node.via)
                .map(|(t, v)| (transform(g, u, *t, validated), *v))
                .chain(emit_seed[u].iter().map(|t| (*t, None)))
                .filter(|x| seen.insert(*x))
                .collect()
        };
        if emitted.is_empty() {
            continue;
        }
        let sources = node.sources.clone();
        let data_sources = node.data_sources.clone();
        for &fi in g.out[u].iter() {
            let f = &g.model.flows[fi];
            if f.sends.is_empty() && !f.receives.is_empty() {
                continue; // a pure read: nothing of u's travels to the other end
            }
            let Some((_, v)) = g.ends[fi] else { continue };
            let tokens: Vec<Token> = emitted
                .iter()
                .filter(|(_, via)| *via != Some((fi, false)))
                .map(|(t, _)| *t)
                .collect();
            if spread(
                &mut taint[v],
                &tokens,
                Some((fi, true)),
                &sources,
                &data_sources,
            ) && !queued[v]
            {
                queued[v] = true;
                work.push(v);
            }
        }
        for &fi in g.inn[u].iter() {
            let f = &g.model.flows[fi];
            let Some((a, _)) = g.ends[fi] else { continue };
            // Results come back to callers that consume them (an agent's tool call, a
            // retrieval) even when the model lists only what is sent.
            let consumer = matches!(
                g.component(a).kind(),
                ComponentKind::Agent | ComponentKind::Llm | ComponentKind::Retriever
            );
            if f.receives.is_empty() && !f.sends.is_empty() && !consumer {
                continue; // nothing comes back to the initiator
            }
            let tokens: Vec<Token> = emitted
                .iter()
                .filter(|(_, via)| *via != Some((fi, true)))
                .map(|(t, _)| *t)
                .collect();
            if spread(
                &mut taint[a],
                &tokens,
                Some((fi, false)),
                &sources,
                &data_sources,
            ) && !queued[a]
            {
                queued[a] = true;
                work.push(a);
            }
        }
    }
    taint
}

fn spread(
    to: &mut NodeTaint,
    tokens: &[Token],
    via: Via,
    sources: &[usize],
    data_sources: &[String],
) -> bool {
    if tokens.is_empty() {
        return false;
    }
    let mut changed = false;
    for t in tokens {
        let known = to
            .arrived
            .iter()
            .zip(&to.via)
            .any(|(a, v)| a == t && *v == via);
        if to.arrived.len() < MAX_TOKENS && !known {
            to.arrived.push(*t);
            to.via.push(via);
            changed = true;
        }
    }
    for s in sources {
        if to.sources.len() < MAX_SOURCES && !to.sources.contains(s) {
            to.sources.push(*s);
            changed = true;
        }
    }
    for s in data_sources {
        if to.data_sources.len() < MAX_SOURCES && !to.data_sources.contains(s) {
            to.data_sources.push(s.clone());
            changed = true;
        }
    }
    changed
}

/// What passing through component `u` does to a path.
fn transform(g: &Graph, u: usize, mut t: Token, validated: &[bool]) -> Token {
    let c = g.component(u);
    if let Some(gr) = c.guardrail() {
        let mask = gr.checks.iter().fold(0u16, |m, ch| m | check_bit(*ch));
        t.any |= mask;
        if gr.mode == Some(GuardrailMode::Block) {
            t.block |= mask;
        }
    }
    if c.kind() == ComponentKind::HumanReview {
        t.reviewed = true;
    }
    if c.data_pipeline().and_then(|p| p.validation) == Some(true)
        || c.data_source().and_then(|d| d.verified) == Some(true)
        || validated[u]
    {
        t.validated = true;
    }
    if passes_indirect(c.kind()) {
        t.indirect = true;
    }
    t
}
