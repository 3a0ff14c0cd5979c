//! Where untrusted input can reach: taint propagated along flows from untrusted
//! principals and untrusted content, remembering which guardrails, validations and human
//! reviews each path passed, so rules can ask "is every path checked for X?".

use crate::graph::Graph;
use foldhash::{HashMap, HashMapExt};
use threatwright_model::types::{
    Action, ComponentKind, GuardrailCheck, GuardrailMode, Population, Provenance, Trust,
};
use threatwright_model::types::{DataCategory, GuardrailPosition};

/// Most source ids listed per component; the booleans stay exact, only the lists shown
/// to people are capped.
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

/// The ways one kind of path reached a component. A token that came by one flow only is
/// not sent back along it, so a tool that merely receives an agent's input does not echo
/// it back as "indirect" content; one that came by several ways may go anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ways {
    One(Via),
    Many,
}

#[derive(Default, Clone)]
pub struct NodeTaint {
    /// Distinct path summaries that reach the component.
    pub arrived: Vec<Token>,
    ways: Vec<Ways>,
    /// Indices into `arrived` not yet passed on.
    pending: Vec<usize>,
    pub sources: Vec<usize>,
    pending_sources: Vec<usize>,
    /// Sources that are data assets (untrusted-provenance data carried in), as the
    /// index in `model.data` of the first asset with that id.
    pub data_sources: Vec<usize>,
    pending_data: Vec<usize>,
}

impl NodeTaint {
    /// Records that `t` arrived by `via`; true when that is news to pass on.
    fn arrive(&mut self, t: Token, via: Via) -> bool {
        match self.arrived.iter().position(|a| *a == t) {
            None => {
                self.arrived.push(t);
                self.ways.push(Ways::One(via));
                self.pending.push(self.arrived.len() - 1);
                true
            }
            Some(i) => match self.ways[i] {
                Ways::One(v) if v != via => {
                    self.ways[i] = Ways::Many;
                    self.pending.push(i);
                    true
                }
                _ => false,
            },
        }
    }

    fn add_source(&mut self, s: usize) -> bool {
        if self.sources.len() < MAX_SOURCES && !self.sources.contains(&s) {
            self.sources.push(s);
            self.pending_sources.push(s);
            return true;
        }
        false
    }

    fn add_data_source(&mut self, s: usize) -> bool {
        if self.data_sources.len() < MAX_SOURCES && !self.data_sources.contains(&s) {
            self.data_sources.push(s);
            self.pending_data.push(s);
            return true;
        }
        false
    }
}

/// Whether a component is an untrusted principal: it sits in an untrusted zone, or is a
/// public or customer user.
pub fn is_principal(g: &Graph, i: usize) -> bool {
    let c = g.component(i);
    g.trust[i] == Some(Trust::Untrusted)
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
    let mut seeds: Vec<Vec<Token>> = vec![Vec::new(); n];
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
        let principal = is_principal(g, i);
        if principal {
            seeds[i].push(direct);
            t.add_source(i);
        } else if c.exposure == Some(threatwright_model::types::Exposure::Internet) {
            t.arrive(direct, None);
            t.add_source(i);
        }
        let untrusted_content = g.trust[i] == Some(Trust::Untrusted) && !principal
            || c.data_source()
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
            t.arrive(indirect, None);
            t.add_source(i);
        }
    }
    // Untrusted-provenance data enters where it originates: at the components that hold
    // or send it without receiving it by any flow. From there it travels like any other
    // taint, through the guardrails on its way.
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); g.model.data.len()];
    let mut receivers: Vec<Vec<usize>> = vec![Vec::new(); g.model.data.len()];
    for (fi, f) in g.model.flows.iter().enumerate() {
        let Some((a, b)) = g.ends[fi] else { continue };
        for (list, from, to) in [(&f.sends, a, b), (&f.receives, b, a)] {
            for d in list {
                if let Some(&x) = g.data_index.get(d.as_str()) {
                    holders[x].push(from);
                    receivers[x].push(to);
                }
            }
        }
    }
    // Ids name assets: one index per id, so equal ids stay one source.
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (x, d) in g.model.data.iter().enumerate() {
        first_of.entry(d.id.as_str()).or_insert(x);
    }
    for (x, d) in g.model.data.iter().enumerate() {
        if !d.provenance.is_some_and(untrusted_provenance) {
            continue;
        }
        let mut origins: Vec<usize> = holders[x]
            .iter()
            .copied()
            .filter(|h| !receivers[x].contains(h))
            .collect();
        if origins.is_empty() {
            origins = holders[x].clone(); // data going round in a cycle: every sender
        }
        origins.sort_unstable();
        origins.dedup();
        for o in origins {
            if is_principal(g, o) {
                continue; // a principal's own input is already direct taint
            }
            taint[o].arrive(indirect, None);
            taint[o].add_data_source(first_of[d.id.as_str()]);
        }
    }
    // Model weights are not instructions: a flow that carries only weights carries no
    // prompt taint (their supply-chain risk is judged from the model's provenance).
    let weights_only: Vec<bool> = g
        .model
        .flows
        .iter()
        .map(|f| {
            let mut data = f.sends.iter().chain(&f.receives).peekable();
            data.peek().is_some()
                && data.all(|d| {
                    g.data_index.get(d.as_str()).is_some_and(|x| {
                        g.model.data[*x]
                            .categories
                            .contains(&DataCategory::ModelWeights)
                    })
                })
        })
        .collect();
    // Whether each flow carries taint forward (from → to) and backward (to → from).
    let forward: Vec<bool> = g
        .model
        .flows
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            // Not on a pure read: nothing of the sender's travels to the other end.
            let pure_read = f.sends.is_empty() && !f.receives.is_empty();
            !weights_only[fi] && !pure_read
        })
        .collect();
    let backward: Vec<bool> = g
        .model
        .flows
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let Some((a, _)) = g.ends[fi] else {
                return false;
            };
            // Results come back to callers that consume them (an agent's tool call, a
            // retrieval) even when the model lists only what is sent.
            let consumer = matches!(
                g.component(a).kind(),
                ComponentKind::Agent | ComponentKind::Llm | ComponentKind::Retriever
            );
            // Otherwise nothing comes back to the initiator of a send-only flow.
            let send_only = f.receives.is_empty() && !f.sends.is_empty();
            !weights_only[fi] && (consumer || !send_only)
        })
        .collect();
    let mut work: Vec<usize> = (0..n)
        .filter(|i| !taint[*i].pending.is_empty() || !seeds[*i].is_empty())
        .collect();
    let mut queued: Vec<bool> = vec![false; n];
    for &i in &work {
        queued[i] = true;
    }
    while let Some(u) = work.pop() {
        queued[u] = false;
        let node = &mut taint[u];
        let pending = std::mem::take(&mut node.pending);
        // Tokens u passes on, each with the ways it came (so it is not echoed back).
        let mut emitted: Vec<(Token, Ways)> = pending
            .iter()
            .map(|&i| (transform(g, u, node.arrived[i], validated), node.ways[i]))
            .collect();
        emitted.extend(
            std::mem::take(&mut seeds[u])
                .into_iter()
                .map(|t| (t, Ways::Many)),
        );
        let sources = std::mem::take(&mut node.pending_sources);
        let data_sources = std::mem::take(&mut node.pending_data);
        if emitted.is_empty() && sources.is_empty() && data_sources.is_empty() {
            continue;
        }
        let pass = |to: usize,
                    fi: usize,
                    dir: bool,
                    taint: &mut Vec<NodeTaint>,
                    work: &mut Vec<usize>,
                    queued: &mut Vec<bool>| {
            let back = Ways::One(Some((fi, !dir)));
            let node = &mut taint[to];
            let mut changed = false;
            for (t, ways) in &emitted {
                if *ways != back {
                    changed |= node.arrive(*t, Some((fi, dir)));
                }
            }
            for s in &sources {
                changed |= node.add_source(*s);
            }
            for &d in &data_sources {
                changed |= node.add_data_source(d);
            }
            if changed && !queued[to] {
                queued[to] = true;
                work.push(to);
            }
        };
        for &fi in g.out[u].iter() {
            if !forward[fi] {
                continue;
            }
            let Some((_, v)) = g.ends[fi] else { continue };
            pass(v, fi, true, &mut taint, &mut work, &mut queued);
        }
        for &fi in g.inn[u].iter() {
            if !backward[fi] {
                continue;
            }
            let Some((a, _)) = g.ends[fi] else { continue };
            pass(a, fi, false, &mut taint, &mut work, &mut queued);
        }
    }
    taint
}

/// What passing through component `u` does to a path.
fn transform(g: &Graph, u: usize, mut t: Token, validated: &[bool]) -> Token {
    let c = g.component(u);
    if let Some(gr) = c
        .guardrail()
        .filter(|gr| gr.position != Some(GuardrailPosition::Output))
    {
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
