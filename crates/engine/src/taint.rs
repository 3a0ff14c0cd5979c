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
    /// Passed a component that limits request rates (`rate-limiting`, `rate_limit`).
    pub limited: bool,
    /// Data controls passed (bit per entry of [`PATH_DATA_CONTROLS`]).
    pub cleaned: u8,
    /// Passed a store, tool or retriever, or started as untrusted content.
    pub indirect: bool,
}

impl Token {
    /// Every field in one integer: equal tokens, equal keys.
    fn key(&self) -> u64 {
        u64::from(self.block)
            | u64::from(self.any) << 16
            | u64::from(self.cleaned) << 32
            | u64::from(self.reviewed) << 40
            | u64::from(self.validated) << 41
            | u64::from(self.limited) << 42
            | u64::from(self.indirect) << 43
    }
}

/// Where `x` is in `list`: eight entries at a time without a branch between them, which
/// the compiler turns into vector compares (the lists are searched millions of times on
/// a large model).
fn position<T: Copy + PartialEq>(list: &[T], x: T) -> Option<usize> {
    let mut chunks = list.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        if c.iter().fold(false, |found, y| found | (*y == x)) {
            return c.iter().position(|y| *y == x).map(|k| base + k);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|y| *y == x)
        .map(|k| base + k)
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
    /// `arrived` packed into integers, searched on every arrival (8% fewer instructions
    /// in taint than comparing tokens field by field).
    keys: Vec<u64>,
    ways: Vec<Ways>,
    /// Per arrived token: it started here or came back as a result (not only as a
    /// caller's request), so a stateless service may hand it to its other callers.
    returnable: Vec<bool>,
    /// Only a stateless node tells returnable from not; elsewhere the flag is moot.
    stateless: bool,
    /// Indices into `arrived` not yet passed on.
    pending: Vec<usize>,
    pub sources: Vec<usize>,
    /// Per source, as `returnable` is per token.
    source_returnable: Vec<bool>,
    pending_sources: Vec<usize>,
    /// Sources that are data assets (untrusted-provenance data carried in), as the
    /// index in `model.data` of the first asset with that id.
    pub data_sources: Vec<usize>,
    data_returnable: Vec<bool>,
    pending_data: Vec<usize>,
}

impl NodeTaint {
    /// Records that `t` arrived by `via`; true when that is news to pass on.
    fn arrive(&mut self, t: Token, via: Via) -> bool {
        let returnable = !matches!(via, Some((_, true)));
        let key = t.key();
        match position(&self.keys, key) {
            None => {
                self.arrived.push(t);
                self.keys.push(key);
                self.ways.push(Ways::One(via));
                self.returnable.push(returnable);
                self.pending.push(self.arrived.len() - 1);
                true
            }
            Some(i) => {
                let newly_returnable = returnable && !self.returnable[i];
                self.returnable[i] |= returnable;
                match self.ways[i] {
                    Ways::One(v) if v != via => {
                        self.ways[i] = Ways::Many;
                        self.pending.push(i);
                        true
                    }
                    _ if newly_returnable && self.stateless => {
                        self.pending.push(i);
                        true
                    }
                    _ => false,
                }
            }
        }
    }

    fn add_source(&mut self, s: usize, returnable: bool) -> bool {
        add_listed(
            &mut self.sources,
            &mut self.source_returnable,
            &mut self.pending_sources,
            s,
            returnable,
            self.stateless,
        )
    }

    fn add_data_source(&mut self, s: usize, returnable: bool) -> bool {
        add_listed(
            &mut self.data_sources,
            &mut self.data_returnable,
            &mut self.pending_data,
            s,
            returnable,
            self.stateless,
        )
    }
}

/// Adds `s` to a capped source list, or marks it returnable; true when that is news.
fn add_listed(
    list: &mut Vec<usize>,
    returnable: &mut Vec<bool>,
    pending: &mut Vec<usize>,
    s: usize,
    ret: bool,
    stateless: bool,
) -> bool {
    // Only a stateless node cares whether a listed source became returnable; elsewhere a
    // full list takes nothing more, without a search.
    if !stateless && list.len() >= MAX_SOURCES {
        return false;
    }
    match position(list, s) {
        Some(k) if ret && !returnable[k] => {
            returnable[k] = true;
            if stateless {
                pending.push(s);
            }
            stateless
        }
        Some(_) => false,
        None if list.len() < MAX_SOURCES => {
            if list.is_empty() {
                // Most lists of a large model fill up: grow once.
                list.reserve_exact(MAX_SOURCES);
                returnable.reserve_exact(MAX_SOURCES);
            }
            list.push(s);
            returnable.push(ret);
            pending.push(s);
            true
        }
        None => false,
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

pub fn untrusted_provenance(p: Provenance) -> bool {
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
            | FeatureStore
            | ModelRegistry
            | Tool
            | Retriever
            | DataSource
    )
}

/// Safeguards stated as controls on a component that act on whatever passes it, as a
/// guardrail on the path would.
#[derive(Clone, Copy, Debug, Default)]
pub struct PassControls {
    /// `data-validation`.
    pub validated: bool,
    /// `rate-limiting`.
    pub limited: bool,
    /// Guardrail check bits of detection controls (`prompt-injection-detection` acts as
    /// a blocking `prompt-injection` check, …).
    pub checks: u16,
    /// Bits of the [`PATH_DATA_CONTROLS`] it has.
    pub cleaned: u8,
}

/// Controls on data that hold for everything downstream once it has passed them:
/// redaction before labelling protects the training job too.
pub const PATH_DATA_CONTROLS: &[&str] = &[
    "pii-redaction",
    "label-quality-review",
    "data-provenance-tracking",
];

/// `stated[i]`: the pass-through safeguards component `i` has as controls.
pub fn compute(g: &Graph, stated: &[PassControls]) -> Vec<NodeTaint> {
    let n = g.model.components.len();
    let mut taint = vec![NodeTaint::default(); n];
    for (i, t) in taint.iter_mut().enumerate() {
        t.stateless = stateless(g, i);
    }
    let mut seeds: Vec<Vec<Token>> = vec![Vec::new(); n];
    let direct = Token {
        block: 0,
        any: 0,
        reviewed: false,
        validated: false,
        limited: false,
        cleaned: 0,
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
            // What a tool or store in an untrusted zone hands back is content it holds
            // or produced (test output, a fetched page), not a principal's own request.
            seeds[i].push(if passes_indirect(c.kind()) {
                indirect
            } else {
                direct
            });
            t.add_source(i, true);
        } else if c.exposure == Some(threatwright_model::types::Exposure::Internet) {
            t.arrive(direct, None);
            t.add_source(i, true);
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
            t.add_source(i, true);
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
            taint[o].add_data_source(first_of[d.id.as_str()], true);
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
        let mut emitted: Vec<(Token, Ways, bool)> = pending
            .iter()
            .map(|&i| {
                (
                    transform(g, u, node.arrived[i], stated),
                    node.ways[i],
                    node.returnable[i],
                )
            })
            .collect();
        emitted.extend(
            std::mem::take(&mut seeds[u])
                .into_iter()
                .map(|t| (t, Ways::Many, true)),
        );
        let stateless = node.stateless;
        let returnable_of = |list: &[usize], flags: &[bool], s: usize| {
            !stateless || list.iter().position(|x| *x == s).is_some_and(|k| flags[k])
        };
        let sources: Vec<(usize, bool)> = std::mem::take(&mut node.pending_sources)
            .into_iter()
            .map(|s| (s, returnable_of(&node.sources, &node.source_returnable, s)))
            .collect();
        let data_sources: Vec<(usize, bool)> = std::mem::take(&mut node.pending_data)
            .into_iter()
            .map(|s| {
                (
                    s,
                    returnable_of(&node.data_sources, &node.data_returnable, s),
                )
            })
            .collect();
        // A stateless service (a model endpoint answering each request on its own)
        // hands back to a caller only what arose on its side of the call, never another
        // caller's request.
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
            let keep = |ret: bool| dir || !stateless || ret;
            let node = &mut taint[to];
            let mut changed = false;
            for (t, ways, ret) in &emitted {
                if *ways != back && keep(*ret) {
                    changed |= node.arrive(*t, Some((fi, dir)));
                }
            }
            // A full list takes nothing more (a stateless node may still learn that a
            // listed source is returnable).
            if node.stateless || node.sources.len() < MAX_SOURCES {
                for &(s, ret) in &sources {
                    if keep(ret) {
                        changed |= node.add_source(s, !dir);
                    }
                }
            }
            if node.stateless || node.data_sources.len() < MAX_SOURCES {
                for &(d, ret) in &data_sources {
                    if keep(ret) {
                        changed |= node.add_data_source(d, !dir);
                    }
                }
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
    crate::timing::mark("taint");
    taint
}

/// A model endpoint that answers each request on its own: an llm that does not train
/// on prompts, an embedding model, an inference service.
fn stateless(g: &Graph, u: usize) -> bool {
    let c = g.component(u);
    match c.kind() {
        ComponentKind::Llm => c.llm().and_then(|l| l.trains_on_prompts) != Some(true),
        ComponentKind::EmbeddingModel | ComponentKind::InferenceService => true,
        _ => false,
    }
}

/// What passing through component `u` does to a path.
fn transform(g: &Graph, u: usize, mut t: Token, stated: &[PassControls]) -> Token {
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
        || stated[u].validated
    {
        t.validated = true;
    }
    if stated[u].limited || c.inference_service().and_then(|s| s.rate_limit) == Some(true) {
        t.limited = true;
    }
    t.block |= stated[u].checks;
    t.cleaned |= stated[u].cleaned;
    t.any |= stated[u].checks;
    if passes_indirect(c.kind()) {
        t.indirect = true;
    }
    t
}
