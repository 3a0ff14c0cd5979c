//! Data-flow diagrams and lineage views as one neutral structure, written out as DOT,
//! Mermaid or SVG by the modules below. Building the structure once keeps the three
//! formats showing the same thing.

pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod svg;

use std::collections::HashMap;
use threatwright_engine::Assessment;
use threatwright_engine::Severity;
use threatwright_engine::lineage::Lineage;
use threatwright_model::Model;
use threatwright_model::types::{ComponentKind, Trust};

/// How a component is drawn; one per family of kinds, so a reader tells a store from a
/// model from an agent at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Actor,
    External,
    Process,
    Store,
    Model,
    Llm,
    Inference,
    Agent,
    Tool,
    Guardrail,
    Review,
    Source,
    Training,
}

impl Shape {
    pub fn of(kind: ComponentKind) -> Shape {
        use ComponentKind::*;
        match kind {
            User => Shape::Actor,
            ExternalService => Shape::External,
            WebApp | MobileApp | Api | Service | Function | Gateway | IdentityProvider
            | Monitoring | Labeling | DataPipeline | Evaluation | Notebook | ExperimentTracker
            | Retriever => Shape::Process,
            Database | ObjectStore | Cache | SecretStore | FeatureStore | VectorStore | Queue
            | ModelRegistry => Shape::Store,
            Model => Shape::Model,
            Llm | EmbeddingModel => Shape::Llm,
            InferenceService => Shape::Inference,
            Agent => Shape::Agent,
            Tool => Shape::Tool,
            Guardrail => Shape::Guardrail,
            HumanReview => Shape::Review,
            DataSource => Shape::Source,
            Training => Shape::Training,
        }
    }

    /// Name in the legend.
    pub fn legend(self) -> &'static str {
        match self {
            Shape::Actor => "person",
            Shape::External => "external service",
            Shape::Process => "process (app, API, pipeline)",
            Shape::Store => "data store",
            Shape::Model => "model artifact",
            Shape::Llm => "LLM or embedding model",
            Shape::Inference => "inference service",
            Shape::Agent => "agent",
            Shape::Tool => "tool",
            Shape::Guardrail => "guardrail",
            Shape::Review => "human review",
            Shape::Source => "data source",
            Shape::Training => "training job",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ZoneBox {
    pub id: String,
    pub label: String,
    pub trust: Option<Trust>,
    pub parent: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct DNode {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub shape: Shape,
    pub zone: Option<usize>,
    /// Highest residual severity of the open threats on it.
    pub risk: Option<Severity>,
    pub open_threats: usize,
    /// A second line under the label (the kind, or the lineage stage).
    pub note: String,
    pub tooltip: String,
}

#[derive(Clone, Debug)]
pub struct DEdge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    /// Leaves one trust zone for another.
    pub crossing: bool,
    pub risk: Option<Severity>,
    /// Carries something derived from the data (lineage), drawn dashed.
    pub derived: bool,
    pub tooltip: String,
}

#[derive(Clone, Debug)]
pub struct Diagram {
    pub title: String,
    pub zones: Vec<ZoneBox>,
    pub nodes: Vec<DNode>,
    pub edges: Vec<DEdge>,
}

/// A step of writing a diagram as nested text: enter a zone, a node, leave a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Open(usize),
    Node(usize),
    Close(usize),
}

impl Diagram {
    /// The zones (nested as declared, empty ones left out) with the nodes inside each,
    /// then the nodes without a zone, in writing order, each with its depth (from 1).
    pub fn nesting(&self) -> Vec<(Nesting, usize)> {
        let used = self.used_zones();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.zones.len()];
        let mut loose = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            match n.zone {
                Some(z) => members[z].push(i),
                None => loose.push(i),
            }
        }
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); self.zones.len()];
        let mut roots = Vec::new();
        for z in (0..self.zones.len()).filter(|z| used[*z]) {
            match self.zones[z].parent {
                Some(p) if p != z && used[p] => kids[p].push(z),
                _ => roots.push(z),
            }
        }
        let mut out = Vec::new();
        let mut stack: Vec<(usize, usize, bool)> =
            roots.iter().rev().map(|z| (*z, 1, false)).collect();
        let mut entered = vec![false; self.zones.len()];
        while let Some((z, depth, closing)) = stack.pop() {
            if closing {
                out.push((Nesting::Close(z), depth));
                continue;
            }
            if entered[z] {
                continue; // a cycle of `inside` (validation reports it)
            }
            entered[z] = true;
            out.push((Nesting::Open(z), depth));
            out.extend(members[z].iter().map(|i| (Nesting::Node(*i), depth + 1)));
            stack.push((z, depth, true));
            stack.extend(kids[z].iter().rev().map(|k| (*k, depth + 1, false)));
        }
        out.extend(loose.into_iter().map(|i| (Nesting::Node(i), 1)));
        out
    }

    /// Zones that hold a node, directly or in a nested zone; the others are not drawn.
    pub fn used_zones(&self) -> Vec<bool> {
        let mut used = vec![false; self.zones.len()];
        for n in &self.nodes {
            let mut z = n.zone;
            let mut hops = 0;
            while let Some(i) = z {
                if used[i] || hops > self.zones.len() {
                    break;
                }
                used[i] = true;
                z = self.zones[i].parent;
                hops += 1;
            }
        }
        used
    }

    /// Shapes used, in legend order.
    pub fn shapes(&self) -> Vec<Shape> {
        let mut v: Vec<Shape> = Vec::new();
        for n in &self.nodes {
            if !v.contains(&n.shape) {
                v.push(n.shape);
            }
        }
        v
    }
}

/// The highest open residual severity and the count of open threats per element id.
fn risk_by_element(a: &Assessment) -> HashMap<&str, (Severity, usize)> {
    let mut m: HashMap<&str, (Severity, usize)> = HashMap::new();
    for t in a.threats.iter().filter(|t| t.is_open()) {
        let e = m
            .entry(t.elements[0].as_str())
            .or_insert((t.residual.severity, 0));
        e.0 = e.0.max(t.residual.severity);
        e.1 += 1;
    }
    m
}

fn zones(model: &Model) -> (Vec<ZoneBox>, HashMap<&str, usize>) {
    let index: HashMap<&str, usize> = model
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i))
        .collect();
    let boxes = model
        .zones
        .iter()
        .map(|z| {
            let name = z.name.clone().unwrap_or_else(|| z.id.name.clone());
            ZoneBox {
                id: z.id.name.clone(),
                label: match z.trust {
                    Some(t) => format!("{name} ({t})"),
                    None => name,
                },
                trust: z.trust,
                parent: z
                    .inside
                    .as_ref()
                    .and_then(|p| index.get(p.as_str()).copied()),
            }
        })
        .collect();
    (boxes, index)
}

fn data_label(model: &Model, ids: &[&str]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            model
                .data
                .iter()
                .find(|d| d.id.as_str() == *id)
                .and_then(|d| d.name.clone())
                .unwrap_or_else(|| (*id).to_owned())
        })
        .collect();
    names.join(", ")
}

fn node_for(
    model: &Model,
    c: &threatwright_model::types::Component,
    zone_index: &HashMap<&str, usize>,
    risk: &HashMap<&str, (Severity, usize)>,
) -> DNode {
    let kind = c.kind().as_str();
    let (sev, open) = risk
        .get(c.id.as_str())
        .map_or((None, 0), |(s, n)| (Some(*s), *n));
    let label = c.name.clone().unwrap_or_else(|| c.id.name.clone());
    let mut tooltip = format!("{} ({kind})", c.id.name);
    if let Some(z) = &c.zone {
        tooltip.push_str(&format!("\nzone: {}", z.name));
    }
    if !c.stores.is_empty() {
        let ids: Vec<&str> = c.stores.iter().map(|d| d.as_str()).collect();
        tooltip.push_str(&format!("\nstores: {}", data_label(model, &ids)));
    }
    if let Some(s) = sev {
        tooltip.push_str(&format!(
            "\n{open} open threat{}, highest {}",
            if open == 1 { "" } else { "s" },
            s.as_str()
        ));
    }
    DNode {
        id: c.id.name.clone(),
        label,
        kind,
        shape: Shape::of(c.kind()),
        zone: c
            .zone
            .as_ref()
            .and_then(|z| zone_index.get(z.as_str()).copied()),
        risk: sev,
        open_threats: open,
        note: kind.to_owned(),
        tooltip,
    }
}

/// The data-flow diagram of the whole model, coloured by the assessment's open risk.
pub fn dfd(model: &Model, a: &Assessment) -> Diagram {
    let risk = risk_by_element(a);
    let (zones, zone_index) = zones(model);
    let nodes: Vec<DNode> = model
        .components
        .iter()
        .map(|c| node_for(model, c, &zone_index, &risk))
        .collect();
    let index: HashMap<&str, usize> = model
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut edges = Vec::new();
    for f in &model.flows {
        let (Some(&a_), Some(&b)) = (index.get(f.from.as_str()), index.get(f.to.as_str())) else {
            continue;
        };
        let mut ids: Vec<&str> = f.sends.iter().map(|d| d.as_str()).collect();
        let back: Vec<&str> = f.receives.iter().map(|d| d.as_str()).collect();
        let mut label = data_label(model, &ids);
        if !back.is_empty() {
            if label.is_empty() {
                label = format!("← {}", data_label(model, &back));
            } else {
                label = format!("{label} ⇄ {}", data_label(model, &back));
            }
        }
        ids.extend(back);
        let id = f.id();
        let crossing = nodes[a_].zone != nodes[b].zone;
        let mut tooltip = format!("flow {id}");
        if let Some(p) = &f.protocol {
            tooltip.push_str(&format!("\nprotocol: {p}"));
        }
        if let Some(auth) = f.auth {
            tooltip.push_str(&format!("\nauth: {auth}"));
        }
        if let Some(e) = f.encrypted {
            tooltip.push_str(if e { "\nencrypted" } else { "\nNOT encrypted" });
        }
        if crossing {
            tooltip.push_str("\ncrosses a trust boundary");
        }
        if let Some(p) = &f.purpose {
            tooltip.push_str(&format!("\n{p}"));
        }
        edges.push(DEdge {
            from: a_,
            to: b,
            label,
            crossing,
            risk: risk.get(id.as_str()).map(|r| r.0),
            derived: false,
            tooltip,
        });
    }
    Diagram {
        title: model
            .system
            .as_ref()
            .map(|s| s.name.clone().unwrap_or_else(|| s.id.name.clone()))
            .unwrap_or_else(|| "Data flows".into()),
        zones,
        nodes,
        edges,
    }
}

/// The lineage of one data asset as a diagram: only the components and flows it (or what
/// is derived from it) passes through, each labelled with its lifecycle stage.
pub fn lineage(model: &Model, a: &Assessment, l: &Lineage) -> Diagram {
    let risk = risk_by_element(a);
    let (zones, zone_index) = zones(model);
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes = Vec::new();
    for n in &l.nodes {
        let Some(c) = model
            .components
            .iter()
            .find(|c| c.id.as_str() == n.component)
        else {
            continue;
        };
        let mut d = node_for(model, c, &zone_index, &risk);
        d.note = match (n.stores, n.derived) {
            (true, _) => format!("{} · stores it", n.stage.as_str()),
            (false, true) => format!("{} · derived", n.stage.as_str()),
            _ => n.stage.as_str().to_owned(),
        };
        index.insert(n.component.as_str(), nodes.len());
        nodes.push(d);
    }
    let name = model
        .data
        .iter()
        .find(|d| d.id.as_str() == l.data)
        .and_then(|d| d.name.clone())
        .unwrap_or_else(|| l.data.clone());
    let edges = l
        .edges
        .iter()
        .filter_map(|e| {
            let (a_, b) = (*index.get(e.from.as_str())?, *index.get(e.to.as_str())?);
            Some(DEdge {
                from: a_,
                to: b,
                label: if e.derived {
                    "derived".into()
                } else {
                    name.clone()
                },
                crossing: nodes[a_].zone != nodes[b].zone,
                risk: None,
                derived: e.derived,
                tooltip: format!("flow {}", e.flow),
            })
        })
        .collect();
    Diagram {
        title: format!("Lineage of {name}"),
        zones,
        nodes,
        edges,
    }
}

/// Fill and stroke colours for a severity (none: neutral).
pub fn colours(risk: Option<Severity>) -> (&'static str, &'static str) {
    match risk {
        Some(Severity::Critical) => ("#f6b3b3", "#9b1c1c"),
        Some(Severity::High) => ("#fbd2a5", "#b45309"),
        Some(Severity::Medium) => ("#fbefa0", "#8a6d00"),
        Some(Severity::Low) => ("#d4eecb", "#2f6b1f"),
        None => ("#ffffff", "#4b5563"),
    }
}

/// Colour of a zone's background by its trust.
pub fn zone_fill(trust: Option<Trust>) -> &'static str {
    match trust {
        Some(Trust::Untrusted) => "#fdf0f0",
        Some(Trust::Partner) => "#fdf6ea",
        Some(Trust::Internal) => "#eef4fb",
        Some(Trust::Restricted) => "#eef8f0",
        None => "#f5f5f5",
    }
}

/// Colour of flows that cross a trust boundary.
pub const CROSSING: &str = "#c2410c";
