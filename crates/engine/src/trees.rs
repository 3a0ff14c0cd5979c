//! Attack trees: for each attacker goal the model calls for, the ways in (entry points),
//! the paths through the flow graph to a target, and the threats an attacker must exploit
//! along them. Hand-written trees under `attack_trees:` are evaluated the same way.
//!
//! Numbers are deliberately coarse: a leaf's chance of success comes from its threat's
//! residual likelihood (so controls in place lower it) and its cost from the same scale,
//! in US dollars of attacker effort. An AND node needs every child (probabilities
//! multiply, costs add); at an OR node the attacker takes the option likeliest to work
//! (its probability is the highest child's) and can do it as cheaply as the cheapest
//! child. Taking the maximum rather than 1 − Π(1 − p) matters because the same threat
//! appears on many ways in: counting it once per way would add up chances that are
//! really one. The cheapest path is the set of leaves an attacker with the smallest
//! budget would take.

use crate::assessment::{Assessment, Severity, Threat};
use crate::graph::Graph;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use threatwright_model::Model;
use threatwright_model::types::{
    AttackNode, Auth, ComponentKind, Gate, GuardrailCheck, GuardrailMode, Population, Provenance,
    ToolSource, Trust,
};

/// Caps that keep generation linear in the model's size.
const MAX_TARGETS: usize = 4;
const MAX_CANDIDATES: usize = 32;
const MAX_ENTRY_CANDIDATES: usize = 12;
const MAX_ENTRIES: usize = 4;
const MAX_THREATS_PER_PATH: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeGate {
    And,
    Or,
    Leaf,
}

/// What a node stands for, so renderers can draw each kind its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Goal,
    Target,
    Path,
    Entry,
    Defense,
    Exploit,
    Threat,
    Step,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub id: String,
    pub title: String,
    pub kind: NodeKind,
    pub gate: NodeGate,
    /// Chance the attacker succeeds at this node, 0 to 1.
    pub probability: f64,
    /// Cheapest attacker cost in USD to succeed at this node.
    pub cost: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// Controls and guardrails that lower this node's chance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defenses: Vec<String>,
    /// The numbers are defaults: neither stated nor derived from a threat.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
    /// On the cheapest way to the goal.
    pub cheapest: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tree {
    pub id: String,
    pub goal: String,
    pub description: String,
    /// Generated from the graph and the threats, or written by hand in the model.
    pub generated: bool,
    pub probability: f64,
    pub cost: f64,
    /// Titles of the leaves on the cheapest way to the goal.
    pub cheapest_path: Vec<String>,
    pub warnings: Vec<String>,
    pub root: Node,
}

impl Node {
    fn leaf(title: String, kind: NodeKind, probability: f64, cost: f64) -> Node {
        Node {
            id: String::new(),
            title,
            kind,
            gate: NodeGate::Leaf,
            probability,
            cost,
            threat: None,
            severity: None,
            status: None,
            defenses: Vec::new(),
            estimated: false,
            cheapest: false,
            children: Vec::new(),
        }
    }

    fn gate(title: String, kind: NodeKind, gate: NodeGate, children: Vec<Node>) -> Node {
        Node {
            gate,
            children,
            ..Node::leaf(title, kind, 0.0, 0.0)
        }
    }

    /// Computes probability and cost bottom-up.
    fn evaluate(&mut self) {
        if self.gate == NodeGate::Leaf {
            return;
        }
        for c in &mut self.children {
            c.evaluate();
        }
        if self.children.is_empty() {
            self.probability = 0.0;
            self.cost = f64::INFINITY;
            return;
        }
        match self.gate {
            NodeGate::And => {
                self.probability = self.children.iter().map(|c| c.probability).product();
                self.cost = self.children.iter().map(|c| c.cost).sum();
            }
            _ => {
                self.probability = self
                    .children
                    .iter()
                    .map(|c| c.probability)
                    .fold(0.0, f64::max);
                self.cost = self
                    .children
                    .iter()
                    .map(|c| c.cost)
                    .fold(f64::INFINITY, f64::min);
            }
        }
    }

    /// Marks the cheapest way through: every child of an AND, the cheapest child of an OR
    /// (ties go to the likelier one, then to the first).
    fn mark_cheapest(&mut self, leaves: &mut Vec<String>) {
        self.cheapest = true;
        match self.gate {
            NodeGate::Leaf => leaves.push(self.title.clone()),
            NodeGate::And => {
                for c in &mut self.children {
                    c.mark_cheapest(leaves);
                }
            }
            NodeGate::Or => {
                let mut best: Option<usize> = None;
                for (i, c) in self.children.iter().enumerate() {
                    let better = match best {
                        None => true,
                        Some(b) => {
                            let o = &self.children[b];
                            c.cost < o.cost || (c.cost == o.cost && c.probability > o.probability)
                        }
                    };
                    if better {
                        best = Some(i);
                    }
                }
                if let Some(b) = best {
                    self.children[b].mark_cheapest(leaves);
                }
            }
        }
    }

    fn number(&mut self, prefix: &str, next: &mut usize) {
        self.id = format!("{prefix}-{next}");
        *next += 1;
        for c in &mut self.children {
            c.number(prefix, next);
        }
    }

    /// Every node, depth first.
    pub fn walk<'a>(&'a self, out: &mut Vec<&'a Node>) {
        out.push(self);
        for c in &self.children {
            c.walk(out);
        }
    }
}

fn finish(
    id: String,
    goal: String,
    description: String,
    generated: bool,
    mut root: Node,
    warnings: Vec<String>,
) -> Tree {
    root.evaluate();
    let mut leaves = Vec::new();
    if root.cost.is_finite() {
        root.mark_cheapest(&mut leaves);
    }
    let mut next = 0;
    root.number(&id, &mut next);
    Tree {
        id,
        goal,
        description,
        generated,
        probability: root.probability,
        cost: if root.cost.is_finite() {
            root.cost
        } else {
            0.0
        },
        cheapest_path: leaves,
        warnings,
        root,
    }
}

/// Chance of exploiting a threat of residual likelihood 1..=5.
pub fn probability_of(likelihood: u32) -> f64 {
    match likelihood {
        0 | 1 => 0.03,
        2 => 0.1,
        3 => 0.25,
        4 => 0.45,
        _ => 0.7,
    }
}

/// Attacker cost (USD) of exploiting a threat of residual likelihood 1..=5: the likelier
/// a threat, the less skill and time it takes.
pub fn cost_of(likelihood: u32) -> f64 {
    match likelihood {
        0 | 1 => 200_000.0,
        2 => 50_000.0,
        3 => 10_000.0,
        4 => 2_000.0,
        _ => 500.0,
    }
}

fn threat_leaf(t: &Threat) -> Node {
    let mut p = probability_of(t.residual.likelihood);
    if t.status == "mitigated" {
        p = p.min(0.03);
    }
    let mut n = Node::leaf(
        format!("{} ({})", t.title, t.elements[0]),
        NodeKind::Threat,
        p,
        cost_of(t.residual.likelihood),
    );
    n.threat = Some(t.id.clone());
    n.severity = Some(t.residual.severity);
    n.status = Some(t.status);
    n.defenses = t.mitigations.present.clone();
    n
}

/// An attacker goal the generator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    ExfiltrateData,
    AgentAction,
    CorruptModel,
    StealModel,
    DenyService,
    EvadeModel,
    ExecuteCode,
}

impl Goal {
    pub const ALL: [Goal; 7] = [
        Goal::ExfiltrateData,
        Goal::AgentAction,
        Goal::CorruptModel,
        Goal::StealModel,
        Goal::DenyService,
        Goal::EvadeModel,
        Goal::ExecuteCode,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Goal::ExfiltrateData => "exfiltrate-data",
            Goal::AgentAction => "agent-unauthorised-action",
            Goal::CorruptModel => "corrupt-model",
            Goal::StealModel => "steal-model",
            Goal::DenyService => "deny-ai-service",
            Goal::EvadeModel => "evade-model",
            Goal::ExecuteCode => "execute-code",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Goal::ExfiltrateData => "Exfiltrate confidential or restricted data",
            Goal::AgentAction => "Make an agent take an unauthorised action",
            Goal::CorruptModel => "Corrupt the model's behaviour",
            Goal::StealModel => "Steal the model",
            Goal::DenyService => "Deny or bankrupt the AI service",
            Goal::EvadeModel => "Evade the model's decisions",
            Goal::ExecuteCode => "Run attacker code on the system's infrastructure",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Goal::ExfiltrateData => {
                "The attacker reads data classified confidential or restricted, directly or through what an AI component repeats."
            }
            Goal::AgentAction => {
                "The attacker steers an agent into using its tools for something its owner never asked for."
            }
            Goal::CorruptModel => {
                "The attacker changes what a model learns or which weights run, so it misbehaves on their terms."
            }
            Goal::StealModel => {
                "The attacker obtains the model's weights or a working copy of its behaviour."
            }
            Goal::DenyService => {
                "The attacker makes the AI service unavailable or runs up its bill."
            }
            Goal::EvadeModel => {
                "The attacker crafts inputs the model gets wrong, so its decisions let them through."
            }
            Goal::ExecuteCode => {
                "The attacker gets code of their choosing run by a component, through model output, model files or code execution features."
            }
        }
    }

    pub fn parse(s: &str) -> Option<Goal> {
        Goal::ALL.into_iter().find(|g| g.id() == s)
    }

    /// Whether the threat helps reach this goal.
    fn serves(self, t: &Threat) -> bool {
        let has = |xs: &[String], id: &str| xs.iter().any(|x| x == id);
        let r = &t.references;
        let stride = |s: &str| t.stride.contains(&s);
        match self {
            // Injection hands the attacker an AI component that can read the data for them.
            Goal::ExfiltrateData => {
                (stride("information-disclosure") && !has(&r.owasp_ml, "ML05:2023"))
                    || has(&r.owasp_llm, "LLM01:2025")
            }
            Goal::AgentAction => {
                has(&r.owasp_llm, "LLM06:2025")
                    || (has(&r.owasp_llm, "LLM01:2025")
                        && (stride("elevation-of-privilege") || stride("tampering")))
            }
            Goal::CorruptModel => {
                ["LLM04:2025", "LLM03:2025"]
                    .iter()
                    .any(|x| has(&r.owasp_llm, x))
                    || [
                        "ML02:2023",
                        "ML06:2023",
                        "ML07:2023",
                        "ML08:2023",
                        "ML10:2023",
                    ]
                    .iter()
                    .any(|x| has(&r.owasp_ml, x))
            }
            Goal::StealModel => has(&r.owasp_ml, "ML05:2023"),
            Goal::DenyService => stride("denial-of-service") || has(&r.owasp_llm, "LLM10:2025"),
            Goal::EvadeModel => has(&r.owasp_ml, "ML01:2023") || has(&r.atlas, "AML.T0015"),
            Goal::ExecuteCode => {
                stride("elevation-of-privilege")
                    && [
                        "CWE-94", "CWE-95", "CWE-77", "CWE-78", "CWE-502", "CWE-829", "CWE-913",
                    ]
                    .iter()
                    .any(|x| has(&r.cwe, x))
            }
        }
    }

    /// Whether the attack succeeds at the target itself (code runs, the service falls
    /// over, the model is fooled or copied there), so that only the target's own threats
    /// are steps; for the other goals the weaknesses on the way count too.
    fn at_target(self) -> bool {
        matches!(
            self,
            Goal::ExecuteCode | Goal::DenyService | Goal::EvadeModel | Goal::StealModel
        )
    }

    /// Components the goal is about: the attacker's objective is reached there.
    fn is_target(self, g: &Graph, i: usize) -> bool {
        use ComponentKind::*;
        let c = g.component(i);
        let k = c.kind();
        match self {
            Goal::ExfiltrateData => c
                .stores
                .iter()
                .any(|d| g.classification_level(d.as_str()) >= 2),
            Goal::AgentAction => k == Agent,
            Goal::CorruptModel => matches!(
                k,
                Model
                    | Training
                    | ModelRegistry
                    | VectorStore
                    | EmbeddingModel
                    | Llm
                    | InferenceService
            ),
            Goal::StealModel => matches!(
                k,
                Model | ModelRegistry | InferenceService | Llm | EmbeddingModel
            ),
            Goal::DenyService => matches!(k, InferenceService | Llm | Agent | EmbeddingModel),
            Goal::EvadeModel => matches!(k, InferenceService | Model | Guardrail),
            Goal::ExecuteCode => true,
        }
    }

    /// Guardrail checks that stand in this goal's way.
    fn stopped_by(self, check: GuardrailCheck) -> bool {
        use GuardrailCheck::*;
        match self {
            Goal::ExfiltrateData => matches!(check, PromptInjection | Jailbreak | Pii | Secrets),
            Goal::AgentAction => matches!(check, PromptInjection | Jailbreak | Schema | Topic),
            Goal::CorruptModel => {
                matches!(check, UnsafeDeserialization | Malware | PromptInjection)
            }
            Goal::ExecuteCode => matches!(
                check,
                PromptInjection | UnsafeDeserialization | Malware | Schema
            ),
            Goal::StealModel | Goal::DenyService | Goal::EvadeModel => false,
        }
    }
}

/// Where an attacker can start, and what starting there takes.
struct Entry {
    index: usize,
    title: String,
    probability: f64,
    cost: f64,
    /// Someone who ships code, weights or data the system takes in: the only kind of
    /// entry that supply-chain threats are exploited from.
    supplier: bool,
    /// Someone typing into the system: the only kind of entry that direct prompt
    /// injection and jailbreaks (ATLAS AML.T0051.000, AML.T0054) come from.
    person: bool,
}

fn entry_of(g: &Graph, i: usize) -> Option<Entry> {
    use ComponentKind::*;
    let c = g.component(i);
    let name = display(c);
    let trust = g.trust_of(c);
    let (title, p, cost) = match c.kind() {
        User => match c.user().and_then(|u| u.population) {
            Some(Population::Public) => {
                (format!("Act as a member of the public at {name}"), 1.0, 0.0)
            }
            Some(Population::Customers) => (
                format!("Sign up or take over an account as {name}"),
                0.9,
                100.0,
            ),
            _ if trust == Some(Trust::Untrusted) => (format!("Act as {name}"), 1.0, 0.0),
            _ => return None,
        },
        DataSource => {
            let prov = c.data_source().and_then(|d| d.provenance);
            let verified = c.data_source().and_then(|d| d.verified) == Some(true);
            match prov {
                Some(Provenance::PublicWeb | Provenance::UserGenerated) => (
                    format!("Publish content that {name} takes in"),
                    if verified { 0.4 } else { 0.9 },
                    200.0,
                ),
                Some(Provenance::ThirdParty) => (
                    format!("Compromise the supplier behind {name}"),
                    if verified { 0.1 } else { 0.3 },
                    20_000.0,
                ),
                _ if trust == Some(Trust::Untrusted) => {
                    (format!("Feed data into {name}"), 0.8, 200.0)
                }
                _ => return None,
            }
        }
        Model => match c.model().and_then(|m| m.source) {
            Some(threatwright_model::types::ModelSource::OpenWeights) => (
                format!("Publish or tamper with the weights {name} is pulled from"),
                0.2,
                30_000.0,
            ),
            _ => return None,
        },
        Tool => match c.tool().and_then(|t| t.source) {
            Some(ToolSource::Community | ToolSource::ThirdParty) => {
                (format!("Ship a malicious update of {name}"), 0.15, 30_000.0)
            }
            _ => return None,
        },
        _ if trust == Some(Trust::Untrusted) => {
            (format!("Control {name} in an untrusted zone"), 0.8, 500.0)
        }
        // Exposed directly, unless people already reach it as entries of their own.
        _ if c.exposure == Some(threatwright_model::types::Exposure::Internet)
            && !g.inn[i]
                .iter()
                .any(|fi| g.ends[*fi].is_some_and(|(a, _)| crate::taint::is_principal(g, a))) =>
        {
            (format!("Connect to {name} from the internet"), 1.0, 0.0)
        }
        _ if trust == Some(Trust::Partner) => (
            format!("Compromise the partner running {name}"),
            0.15,
            40_000.0,
        ),
        _ => return None,
    };
    let supplier = match c.kind() {
        Model | Tool | ExternalService => true,
        User => false,
        DataSource => c.data_source().and_then(|d| d.provenance) == Some(Provenance::ThirdParty),
        _ => trust == Some(Trust::Partner),
    };
    let person =
        c.kind() == User || c.exposure == Some(threatwright_model::types::Exposure::Internet);
    Some(Entry {
        index: i,
        title,
        probability: p,
        cost,
        supplier,
        person,
    })
}

fn display(c: &threatwright_model::types::Component) -> String {
    c.name.clone().unwrap_or_else(|| c.id.name.clone())
}

/// Shortest paths from every component to `target` along which an attacker's influence
/// travels, as (next hop, flow) and distance. `into[u]` lists the (v, flow) whose
/// influence reaches u. People and the devices in their hands end a path; they do not
/// relay an attack onwards.
fn paths_to(
    g: &Graph,
    target: usize,
    into: &[Vec<(usize, usize)>],
) -> (Vec<Option<(usize, usize)>>, Vec<u32>) {
    let n = into.len();
    let mut prev: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut dist = vec![u32::MAX; n];
    seen[target] = true;
    dist[target] = 0;
    let mut queue = VecDeque::from([target]);
    while let Some(u) = queue.pop_front() {
        if u != target && !relays(g.component(u).kind()) {
            continue;
        }
        // A model endpoint answers each caller on its own: what one caller sends does not
        // reach another caller's answers.
        let called_by_next = prev[u].is_some_and(|(_, f)| g.ends[f].is_some_and(|(_, to)| to == u));
        let stateless = matches!(
            g.component(u).kind(),
            ComponentKind::Llm | ComponentKind::EmbeddingModel | ComponentKind::InferenceService
        );
        for &(v, fi) in &into[u] {
            let from_caller = g.ends[fi].is_some_and(|(_, to)| to == u);
            if stateless && called_by_next && from_caller {
                continue;
            }
            if !seen[v] {
                seen[v] = true;
                prev[v] = Some((u, fi));
                dist[v] = dist[u] + 1;
                queue.push_back(v);
            }
        }
    }
    (prev, dist)
}

fn relays(k: ComponentKind) -> bool {
    !matches!(k, ComponentKind::User | ComponentKind::MobileApp)
}

/// Edges of attacker influence, reversed (for each component, where influence on it
/// comes from). A request carries influence from initiator to target whatever it sends;
/// data coming back (`receives`) carries it the other way. With `data_only`, only flows
/// that move data count: poisoning needs something written, not just read.
fn influence_into(g: &Graph, data_only: bool) -> Vec<Vec<(usize, usize)>> {
    let mut into = vec![Vec::new(); g.model.components.len()];
    for (fi, e) in g.ends.iter().enumerate() {
        let Some((a, b)) = *e else { continue };
        let f = &g.model.flows[fi];
        let unstated = f.sends.is_empty() && f.receives.is_empty();
        // A vector store that names its writers is written by them only; the others'
        // requests are searches.
        let writer = g.component(b).vector_store().is_none_or(|v| {
            v.writers.is_empty()
                || v.writers
                    .iter()
                    .any(|w| w.as_str() == g.component(a).id.as_str())
        });
        if !data_only || ((!f.sends.is_empty() || unstated) && writer) {
            into[b].push((a, fi));
        }
        if !f.receives.is_empty() {
            into[a].push((b, fi));
        }
    }
    into
}

/// Whether a threat is something a person types into a prompt.
fn typed_in(t: &Threat) -> bool {
    let atlas = &t.references.atlas;
    let has = |id: &str| atlas.iter().any(|x| x == id);
    (has("AML.T0051.000") || has("AML.T0054")) && !has("AML.T0051.001")
}

fn auth_step(auth: Option<Auth>) -> (f64, f64) {
    match auth {
        None | Some(Auth::None) => (1.0, 0.0),
        Some(Auth::Session | Auth::Oauth) => (0.9, 100.0),
        Some(Auth::ApiKey) => (0.6, 1_000.0),
        Some(Auth::Mtls | Auth::Iam | Auth::Signed) => (0.2, 25_000.0),
    }
}

struct Generator<'a> {
    g: Graph<'a>,
    /// Influence along requests and responses, and along written data only.
    requests: Vec<Vec<(usize, usize)>>,
    writes: Vec<Vec<(usize, usize)>>,
    /// Threats by the element they are reported on.
    by_element: HashMap<&'a str, Vec<&'a Threat>>,
    entries: Vec<Entry>,
}

impl<'a> Generator<'a> {
    fn new(model: &'a Model, a: &'a Assessment) -> Self {
        let g = Graph::new(model);
        let requests = influence_into(&g, false);
        let writes = influence_into(&g, true);
        let mut by_element: HashMap<&str, Vec<&Threat>> = HashMap::new();
        for t in &a.threats {
            if t.status == "false-positive"
                || t.element_kind == "system"
                || t.lifecycle == "governance"
            {
                continue;
            }
            by_element
                .entry(t.elements[0].as_str())
                .or_default()
                .push(t);
        }
        let entries = (0..model.components.len())
            .filter_map(|i| entry_of(&g, i))
            .collect();
        Generator {
            g,
            requests,
            writes,
            by_element,
            entries,
        }
    }

    /// Threats on element `id` that serve `goal`, the riskiest first.
    fn threats_on(&self, id: &str, goal: Goal) -> Vec<&'a Threat> {
        let mut v: Vec<&Threat> = self
            .by_element
            .get(id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|t| goal.serves(t))
            .collect();
        v.sort_by(|a, b| {
            b.residual
                .score
                .cmp(&a.residual.score)
                .then(a.id.cmp(&b.id))
        });
        v
    }

    /// Elements the target brings along: an agent's LLM and tools are attacked through it.
    fn scope(&self, target: usize) -> Vec<usize> {
        let c = self.g.component(target);
        let mut out = vec![target];
        if let Some(a) = c.agent() {
            for r in a.llm.iter().chain(&a.tools) {
                if let Some(j) = self.g.index.get(r.as_str()) {
                    out.push(*j);
                }
            }
        }
        for m in c
            .llm()
            .and_then(|l| l.model.as_ref())
            .into_iter()
            .chain(c.inference_service().and_then(|s| s.model.as_ref()))
        {
            if let Some(j) = self.g.index.get(m.as_str()) {
                out.push(*j);
            }
        }
        out
    }

    fn goal_tree(&self, goal: Goal) -> Option<Tree> {
        // Each candidate costs a search of the whole graph, so on large models only the
        // candidates whose own threats are riskiest (then the most sensitive) are
        // examined.
        let mut candidates: Vec<(u32, i64, usize)> = (0..self.g.model.components.len())
            .filter(|t| goal.is_target(&self.g, *t))
            .map(|t| {
                let own = self
                    .scope(t)
                    .iter()
                    .flat_map(|i| self.threats_on(self.g.component(*i).id.as_str(), goal))
                    .map(|x| x.residual.score)
                    .max()
                    .unwrap_or(0);
                let sensitivity = self
                    .g
                    .component(t)
                    .stores
                    .iter()
                    .map(|d| self.g.classification_level(d.as_str()))
                    .max()
                    .unwrap_or(0);
                (own, sensitivity, t)
            })
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let unexamined = candidates.len().saturating_sub(MAX_CANDIDATES);
        candidates.truncate(MAX_CANDIDATES);
        let mut targets: Vec<(u32, usize, Node)> = Vec::new();
        for (_, _, t) in candidates {
            if let Some((score, node)) = self.target_node(goal, t) {
                targets.push((score, t, node));
            }
        }
        if targets.is_empty() {
            return None;
        }
        targets.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let omitted = targets.len().saturating_sub(MAX_TARGETS);
        targets.truncate(MAX_TARGETS);
        let mut warnings = Vec::new();
        if omitted > 0 {
            warnings.push(format!("{omitted} less risky targets left out"));
        }
        if unexamined > 0 {
            warnings.push(format!(
                "{unexamined} further possible targets not examined (only the {MAX_CANDIDATES} with the riskiest threats are)"
            ));
        }
        let root = Node::gate(
            goal.title().into(),
            NodeKind::Goal,
            NodeGate::Or,
            targets.into_iter().map(|x| x.2).collect(),
        );
        Some(finish(
            goal.id().into(),
            goal.title().into(),
            goal.description().into(),
            true,
            root,
            warnings,
        ))
    }

    /// The target's subtree (OR over ways in) and its riskiest threat's score, or `None`
    /// when no threat serving the goal lies on any way to it.
    fn target_node(&self, goal: Goal, target: usize) -> Option<(u32, Node)> {
        let scope = self.scope(target);
        let scope_threats: Vec<&Threat> = scope
            .iter()
            .flat_map(|i| self.threats_on(self.g.component(*i).id.as_str(), goal))
            .collect();
        let into = if goal == Goal::CorruptModel {
            &self.writes
        } else {
            &self.requests
        };
        let (prev, dist) = paths_to(&self.g, target, into);
        // The entries likeliest to give the cheapest ways: cheap to start from, close to
        // the target. Bounded so that models with thousands of entry points stay fast.
        let mut reachable: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.index == target || prev[e.index].is_some())
            .collect();
        reachable.sort_by(|a, b| {
            a.cost
                .total_cmp(&b.cost)
                .then(dist[a.index].cmp(&dist[b.index]))
                .then(a.index.cmp(&b.index))
        });
        reachable.truncate(MAX_ENTRY_CANDIDATES);
        let mut ways: Vec<(usize, Node)> = Vec::new();
        let mut best = 0u32;
        for e in reachable {
            // Walk from the entry to the target.
            let mut hops = Vec::new();
            let mut flows = Vec::new();
            let mut at = e.index;
            while at != target {
                let Some((next, fi)) = prev[at] else { break };
                flows.push(fi);
                at = next;
                if at != target {
                    hops.push(at);
                }
            }
            let mut threats: Vec<&Threat> = Vec::new();
            if !goal.at_target() {
                for &fi in &flows {
                    threats.extend(self.threats_on(&self.g.model.flows[fi].id(), goal));
                }
                for &h in std::iter::once(&e.index).chain(&hops) {
                    threats.extend(self.threats_on(self.g.component(h).id.as_str(), goal));
                }
            }
            threats.extend(scope_threats.iter().copied());
            let mut seen = std::collections::BTreeSet::new();
            threats.retain(|t| seen.insert(t.id.as_str()));
            if !e.supplier {
                threats.retain(|t| t.lifecycle != "supply-chain");
            }
            if !e.person {
                threats.retain(|t| !typed_in(t));
            }
            if threats.is_empty() {
                continue;
            }
            threats.sort_by(|a, b| {
                b.residual
                    .score
                    .cmp(&a.residual.score)
                    .then(a.id.cmp(&b.id))
            });
            threats.truncate(MAX_THREATS_PER_PATH);
            best = best.max(threats[0].residual.score);
            let mut steps = Vec::new();
            let (mut p, mut cost) = (e.probability, e.cost);
            // Only the first hop's authentication stands in the way: past it, the
            // attack rides the system's own requests, which carry the system's
            // credentials.
            let mut auth_note = Vec::new();
            if let Some(&fi) = flows.first() {
                let f = &self.g.model.flows[fi];
                let (ap, ac) = auth_step(f.auth);
                if ap < 1.0 {
                    auth_note.push(format!(
                        "{} auth on {}",
                        f.auth.map_or("?", |a| a.as_str()),
                        f.id()
                    ));
                }
                p *= ap;
                cost += ac;
            }
            let mut entry = Node::leaf(e.title.clone(), NodeKind::Entry, p, cost);
            entry.defenses = auth_note;
            steps.push(entry);
            for &h in &hops {
                let c = self.g.component(h);
                if let Some(gr) = c.guardrail() {
                    let relevant: Vec<&str> = gr
                        .checks
                        .iter()
                        .filter(|k| goal.stopped_by(**k))
                        .map(|k| k.as_str())
                        .collect();
                    if relevant.is_empty() {
                        continue;
                    }
                    let block = gr.mode != Some(GuardrailMode::Flag);
                    let mut d = Node::leaf(
                        format!(
                            "Get past guardrail {} ({})",
                            display(c),
                            relevant.join(", ")
                        ),
                        NodeKind::Defense,
                        if block { 0.4 } else { 0.75 },
                        1_000.0,
                    );
                    d.defenses = vec![c.id.name.clone()];
                    steps.push(d);
                } else if c.kind() == ComponentKind::HumanReview {
                    let mut d = Node::leaf(
                        format!("Get it approved by {}", display(c)),
                        NodeKind::Defense,
                        0.3,
                        5_000.0,
                    );
                    d.defenses = vec![c.id.name.clone()];
                    steps.push(d);
                }
            }
            let exploit = Node::gate(
                "Exploit a weakness on the way".into(),
                NodeKind::Exploit,
                NodeGate::Or,
                threats.iter().map(|t| threat_leaf(t)).collect(),
            );
            steps.push(exploit);
            let via: Vec<String> = std::iter::once(e.index)
                .chain(hops.iter().copied())
                .chain([target])
                .map(|i| display(self.g.component(i)))
                .collect();
            let title = if e.index == target {
                format!("Directly at {}", via[0])
            } else {
                format!("Via {}", via.join(" → "))
            };
            ways.push((
                hops.len(),
                Node::gate(title, NodeKind::Path, NodeGate::And, steps),
            ));
        }
        if ways.is_empty() {
            if scope_threats.is_empty() {
                return None;
            }
            // Nothing untrusted reaches it: only an insider or a compromised internal
            // component can try.
            let mut threats = scope_threats.clone();
            threats.truncate(MAX_THREATS_PER_PATH);
            best = threats[0].residual.score;
            let steps = vec![
                Node::leaf(
                    "Gain insider access (staff, contractor or compromised internal host)".into(),
                    NodeKind::Entry,
                    0.1,
                    50_000.0,
                ),
                Node::gate(
                    "Exploit a weakness on the way".into(),
                    NodeKind::Exploit,
                    NodeGate::Or,
                    threats.iter().map(|t| threat_leaf(t)).collect(),
                ),
            ];
            ways.push((
                0,
                Node::gate("From inside".into(), NodeKind::Path, NodeGate::And, steps),
            ));
        }
        // The cheapest ways first, then the shortest.
        for w in &mut ways {
            w.1.evaluate();
        }
        ways.sort_by(|a, b| a.1.cost.total_cmp(&b.1.cost).then(a.0.cmp(&b.0)));
        ways.truncate(MAX_ENTRIES);
        let c = self.g.component(target);
        let what = match goal {
            Goal::ExfiltrateData => {
                let names: Vec<String> = c
                    .stores
                    .iter()
                    .filter(|d| self.g.classification_level(d.as_str()) >= 2)
                    .map(|d| d.name.clone())
                    .collect();
                format!("{} from {}", names.join(", "), display(c))
            }
            _ => format!("at {}", display(c)),
        };
        Some((
            best,
            Node::gate(
                what,
                NodeKind::Target,
                NodeGate::Or,
                ways.into_iter().map(|w| w.1).collect(),
            ),
        ))
    }
}

/// The generated trees of `goals` (all when empty), then the hand-written ones.
pub fn build(model: &Model, a: &Assessment, goals: &[Goal]) -> Vec<Tree> {
    let generator = Generator::new(model, a);
    let mut out: Vec<Tree> = Goal::ALL
        .into_iter()
        .filter(|g| goals.is_empty() || goals.contains(g))
        .filter_map(|g| generator.goal_tree(g))
        .collect();
    if goals.is_empty() {
        out.extend(model.attack_trees.iter().map(|t| hand_written(t, a)));
    }
    out
}

/// The trees the model writes by hand, evaluated with the same rules.
pub fn hand_written(t: &threatwright_model::types::AttackTree, a: &Assessment) -> Tree {
    let by_id: BTreeMap<&str, &Threat> = a.threats.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut warnings = Vec::new();
    let root = convert(&t.root, a, &by_id, &mut warnings);
    finish(
        t.id.name.clone(),
        t.goal.clone(),
        t.description.clone().unwrap_or_default(),
        false,
        root,
        warnings,
    )
}

fn convert(
    n: &AttackNode,
    a: &Assessment,
    by_id: &BTreeMap<&str, &Threat>,
    warnings: &mut Vec<String>,
) -> Node {
    if !n.children.is_empty() {
        let gate = match n.gate {
            Some(Gate::And) => NodeGate::And,
            _ => NodeGate::Or,
        };
        let children = n
            .children
            .iter()
            .map(|c| convert(c, a, by_id, warnings))
            .collect();
        return Node::gate(n.title.clone(), NodeKind::Step, gate, children);
    }
    let matched: Vec<&Threat> = match &n.threat {
        Some(p) => match by_id.get(p.name.as_str()) {
            Some(t) => vec![*t],
            None => a.threats.iter().filter(|t| p.matches(&t.id)).collect(),
        },
        None => Vec::new(),
    };
    if let Some(p) = &n.threat
        && matched.is_empty()
    {
        warnings.push(format!(
            "leaf \"{}\" names threat {} which the analysis does not find",
            n.title, p.name
        ));
    }
    let from_threat = matched.iter().max_by_key(|t| t.residual.score);
    let probability = n
        .probability
        .map(|p| p.clamp(0.0, 1.0))
        .or(from_threat.map(|t| probability_of(t.residual.likelihood)));
    let cost = n
        .cost
        .map(|c| c.max(0.0))
        .or(from_threat.map(|t| cost_of(t.residual.likelihood)));
    let mut leaf = Node::leaf(
        n.title.clone(),
        if from_threat.is_some() {
            NodeKind::Threat
        } else {
            NodeKind::Step
        },
        probability.unwrap_or(0.5),
        cost.unwrap_or(10_000.0),
    );
    leaf.estimated = probability.is_none() || cost.is_none();
    if let Some(t) = from_threat {
        leaf.threat = Some(t.id.clone());
        leaf.severity = Some(t.residual.severity);
        leaf.status = Some(t.status);
        leaf.defenses = t.mitigations.present.clone();
        if t.status == "false-positive" {
            leaf.probability = 0.0;
        } else if t.status == "mitigated" {
            leaf.probability = leaf.probability.min(0.03);
        }
    }
    leaf
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatwright_catalog::{builtin_sources, load};
    use threatwright_model::{Limits, load_str};

    fn analysed(yaml: &str) -> (Model, Assessment) {
        let mut diags = Vec::new();
        let cat = load(builtin_sources(), &mut diags);
        let loaded = load_str("t.yaml", yaml, &Limits::default());
        let model = loaded
            .model
            .unwrap_or_else(|| panic!("{:#?}", loaded.diagnostics));
        let opts = crate::Options {
            today: (2026, 11, 29),
            ..Default::default()
        };
        let a = crate::analyze_opts(&model, &cat, None, &opts);
        (model, a)
    }

    const AGENT: &str = r#"
threatwright: 1
zones:
  - { id: internet, trust: untrusted }
  - { id: corp, trust: internal }
data:
  - { id: chat, classification: confidential, categories: [pii], provenance: user-generated }
components:
  - { id: visitor, kind: user, zone: internet, population: public }
  - { id: app, kind: web-app, zone: corp }
  - { id: bot, kind: agent, zone: corp, llm: gpt, tools: [pay], autonomy: autonomous }
  - { id: gpt, kind: llm, zone: corp, hosting: self-hosted }
  - { id: pay, kind: tool, zone: corp, actions: [financial], approval: none, identity: service }
flows:
  - { from: visitor, to: app, sends: [chat], auth: none }
  - { from: app, to: bot, sends: [chat] }
  - { from: bot, to: gpt, sends: [chat] }
  - { from: bot, to: pay, sends: [chat] }
attack_trees:
  - id: by-hand
    goal: Drain the account
    root:
      title: any way
      gate: or
      children:
        - title: both steps
          gate: and
          children:
            - { title: step one, probability: 0.5, cost: 100 }
            - { title: step two, probability: 0.4, cost: 200 }
        - { title: the cheap trick, probability: 0.1, cost: 50 }
        - { title: a named threat, threat: "nope@bot" }
"#;

    #[test]
    fn and_multiplies_or_takes_the_likeliest_and_the_cheapest() {
        let (m, a) = analysed(AGENT);
        let t = hand_written(&m.attack_trees[0], &a);
        let both = &t.root.children[0];
        assert!((both.probability - 0.2).abs() < 1e-9);
        assert_eq!(both.cost, 300.0);
        // The named threat is not found: default numbers, marked, and a note.
        let named = &t.root.children[2];
        assert!(named.estimated);
        assert_eq!(named.probability, 0.5);
        assert!(t.warnings[0].contains("nope@bot"), "{:?}", t.warnings);
        assert_eq!(t.probability, 0.5);
        assert_eq!(t.cost, 50.0);
        assert_eq!(t.cheapest_path, vec!["the cheap trick".to_owned()]);
        assert!(t.root.children[1].cheapest && !t.root.children[0].cheapest);
    }

    #[test]
    fn a_leaf_naming_a_found_threat_takes_its_numbers() {
        let (m, a) = analysed(AGENT);
        let found = a
            .threats
            .iter()
            .find(|t| {
                t.id.starts_with("excessive-agency@")
                    || t.id.starts_with("unapproved-financial-action@")
            })
            .expect("the agent's financial tool is a finding");
        let yaml = AGENT.replace("nope@bot", &found.id);
        let (m2, a2) = analysed(&yaml);
        let t = hand_written(&m2.attack_trees[0], &a2);
        let leaf = &t.root.children[2];
        assert_eq!(leaf.threat.as_deref(), Some(found.id.as_str()));
        assert_eq!(leaf.probability, probability_of(found.residual.likelihood));
        assert!(!leaf.estimated && t.warnings.is_empty());
        let _ = m;
    }

    #[test]
    fn an_agent_with_an_unapproved_payment_tool_gets_an_agent_action_tree_from_the_public() {
        let (m, a) = analysed(AGENT);
        let trees = build(&m, &a, &[Goal::AgentAction]);
        assert_eq!(trees.len(), 1, "{trees:#?}");
        let t = &trees[0];
        assert_eq!(t.root.children[0].title, "at bot");
        let way = &t.root.children[0].children[0];
        assert!(
            way.title.starts_with("Via visitor → app → bot"),
            "{}",
            way.title
        );
        assert_eq!(way.children[0].kind, NodeKind::Entry);
        assert_eq!(way.children[0].probability, 1.0);
        assert!(
            t.cheapest_path[0].contains("visitor"),
            "{:?}",
            t.cheapest_path
        );
        assert!(t.probability > 0.0 && t.probability <= 1.0);
    }

    #[test]
    fn no_agent_no_agent_tree_and_no_model_no_theft_tree() {
        let yaml = r#"
threatwright: 1
zones: [{ id: corp, trust: internal }]
components:
  - { id: staff, kind: user, zone: corp, population: employees }
  - { id: app, kind: web-app, zone: corp }
flows: [{ from: staff, to: app }]
"#;
        let (m, a) = analysed(yaml);
        assert!(build(&m, &a, &[Goal::AgentAction, Goal::StealModel]).is_empty());
    }

    #[test]
    fn a_guardrail_on_the_way_is_a_defence_to_get_past() {
        let yaml = AGENT.replace(
            "  - { from: visitor, to: app, sends: [chat], auth: none }\n  - { from: app, to: bot, sends: [chat] }",
            "  - { from: visitor, to: app, sends: [chat], auth: none }\n  - { from: app, to: filter, sends: [chat] }\n  - { from: filter, to: bot, sends: [chat] }",
        )
        .replace(
            "  - { id: gpt,",
            "  - { id: filter, kind: guardrail, zone: corp, position: input, checks: [prompt-injection], mode: block }\n  - { id: gpt,",
        );
        let (m, a) = analysed(&yaml);
        let trees = build(&m, &a, &[Goal::AgentAction]);
        let way = &trees[0].root.children[0].children[0];
        let defence = way
            .children
            .iter()
            .find(|n| n.kind == NodeKind::Defense)
            .expect("the guardrail is a step");
        assert_eq!(defence.probability, 0.4);
        assert_eq!(defence.defenses, vec!["filter".to_owned()]);
    }
}
