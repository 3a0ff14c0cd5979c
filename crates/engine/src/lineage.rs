//! Lineage of a data asset: where it enters, where it is stored and transformed, what is
//! trained on it, which models come out, where they serve, and who reads the output.
//!
//! Data moves along `sends` (initiator → target) and `receives` (target → initiator).
//! Components that transform data (pipelines, labeling, embedding, training) pass on
//! something derived from what they take in: features, labels, vectors, weights. From
//! there the trace follows whatever the AI lifecycle parts pass on (feature stores,
//! models, registries, serving), and stops at the first part outside it (an app, a
//! person, a database), which receives the output.

use crate::graph::Graph;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
use threatwright_model::Model;
use threatwright_model::types::ComponentKind;

/// Where in the AI lifecycle a component sits, as lineage shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Ingestion,
    Storage,
    Training,
    Model,
    Serving,
    Output,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ingestion => "ingestion",
            Stage::Storage => "storage",
            Stage::Training => "training",
            Stage::Model => "model",
            Stage::Serving => "serving",
            Stage::Output => "output",
        }
    }

    pub fn of(kind: ComponentKind) -> Stage {
        use ComponentKind::*;
        match kind {
            DataSource | Labeling | DataPipeline | ExternalService => Stage::Ingestion,
            Database | ObjectStore | Cache | SecretStore | FeatureStore | VectorStore | Queue
            | Monitoring | ExperimentTracker => Stage::Storage,
            Training | Evaluation | Notebook => Stage::Training,
            Model | ModelRegistry => Stage::Model,
            InferenceService | Llm | EmbeddingModel | Agent | Tool | Retriever | Guardrail
            | HumanReview | Api | Service | Function | Gateway | IdentityProvider => Stage::Serving,
            User | WebApp | MobileApp => Stage::Output,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LineageNode {
    pub component: String,
    pub stage: Stage,
    /// Holds the asset at rest.
    pub stores: bool,
    /// Holds something derived from the asset (after a pipeline, embedding or training).
    pub derived: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineageEdge {
    pub flow: String,
    /// Direction the asset (or what is derived from it) moves.
    pub from: String,
    pub to: String,
    pub derived: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Lineage {
    pub data: String,
    pub nodes: Vec<LineageNode>,
    pub edges: Vec<LineageEdge>,
    /// Whether a training job takes in the asset or something derived from it.
    pub trained_on: bool,
}

/// Kinds whose output is derived from their input.
fn transforms(k: ComponentKind) -> bool {
    use ComponentKind::*;
    matches!(k, DataPipeline | Labeling | Training | EmbeddingModel)
}

/// Kinds that read data sets in bulk from where they are kept.
fn consumes(k: ComponentKind) -> bool {
    use ComponentKind::*;
    matches!(
        k,
        DataPipeline | Labeling | Training | EmbeddingModel | Notebook
    )
}

/// Kinds that pass derived artifacts on: the AI lifecycle between data and answers.
/// Evaluation is not among them: its results inform people, they do not carry the
/// data on.
fn carries_derived(k: ComponentKind) -> bool {
    use ComponentKind::*;
    matches!(
        k,
        FeatureStore | Model | ModelRegistry | InferenceService | Llm | VectorStore | Retriever
    ) || transforms(k)
}

/// The lineage of data asset `data` (an id).
pub fn trace(model: &Model, data: &str) -> Lineage {
    trace_in(&Graph::new(model), data)
}

/// Traces many assets over one graph, built once.
pub struct Tracer<'m> {
    g: Graph<'m>,
}

impl<'m> Tracer<'m> {
    pub fn new(model: &'m Model) -> Self {
        Tracer {
            g: Graph::new(model),
        }
    }

    pub fn trace(&self, data: &str) -> Lineage {
        trace_in(&self.g, data)
    }
}

fn trace_in(g: &Graph, data: &str) -> Lineage {
    let model = g.model;
    let n = model.components.len();
    // Directed moves: (from, to, flow, carries the asset itself).
    let stores: Vec<bool> = model
        .components
        .iter()
        .map(|c| c.stores.iter().any(|d| d.as_str() == data))
        .collect();
    let mut moves: Vec<Vec<(usize, usize, bool)>> = vec![Vec::new(); n];
    for (fi, f) in model.flows.iter().enumerate() {
        let Some((a, b)) = g.ends[fi] else { continue };
        // A job that reads from a store holding the asset takes the asset in, whatever
        // the flow names: training sets are read from buckets under other names.
        let reads_store = stores[b]
            && consumes(g.component(a).kind())
            && (!f.receives.is_empty() || f.sends.is_empty());
        let sends = f.sends.iter().any(|d| d.as_str() == data);
        let receives = reads_store || f.receives.iter().any(|d| d.as_str() == data);
        // Any flow can carry derived artifacts in the direction its data moves.
        let forward = sends || !f.sends.is_empty() || f.receives.is_empty();
        let backward = receives || !f.receives.is_empty();
        if forward {
            moves[a].push((b, fi, sends));
        }
        if backward {
            moves[b].push((a, fi, receives));
        }
    }
    // State per component: 0 unseen, 1 has the asset, 2 has something derived from it.
    let mut state = vec![0u8; n];
    let mut source = stores.clone();
    for (fi, f) in model.flows.iter().enumerate() {
        if let Some((a, b)) = g.ends[fi] {
            source[a] |= f.sends.iter().any(|d| d.as_str() == data);
            source[b] |= f.receives.iter().any(|d| d.as_str() == data);
        }
    }
    let mut queue = VecDeque::new();
    for i in 0..n {
        if source[i] {
            state[i] = 1;
            queue.push_back(i);
        }
    }
    let mut edges: BTreeSet<(usize, usize, usize, bool)> = BTreeSet::new();
    while let Some(u) = queue.pop_front() {
        let kind = g.component(u).kind();
        let derived_here = transforms(kind) || (state[u] == 2 && carries_derived(kind));
        for &(v, fi, carries) in &moves[u] {
            if !(carries || derived_here) {
                continue;
            }
            let derived = !carries;
            edges.insert((fi, u, v, derived));
            let next = if carries && state[u] == 1 { 1 } else { 2 };
            let better = state[v] == 0 || (state[v] == 2 && next == 1);
            if better {
                state[v] = next;
                queue.push_back(v);
            }
        }
    }
    // A model served by an inference service or an LLM is used there even without a flow.
    for (i, c) in model.components.iter().enumerate() {
        let served = c
            .inference_service()
            .and_then(|s| s.model.as_ref())
            .or(c.llm().and_then(|l| l.model.as_ref()))
            .or(c.embedding_model().and_then(|l| l.model.as_ref()));
        if let Some(m) = served
            && let Some(&j) = g.index.get(m.as_str())
            && state[j] != 0
            && state[i] == 0
        {
            state[i] = 2;
        }
    }
    let trained_on = model
        .components
        .iter()
        .enumerate()
        .any(|(i, c)| state[i] != 0 && c.kind() == ComponentKind::Training);
    let nodes = (0..n)
        .filter(|i| state[*i] != 0)
        .map(|i| LineageNode {
            component: g.component(i).id.name.clone(),
            stage: Stage::of(g.component(i).kind()),
            stores: stores[i],
            derived: state[i] == 2,
        })
        .collect();
    let edges = edges
        .into_iter()
        .map(|(fi, a, b, derived)| LineageEdge {
            flow: model.flows[fi].id(),
            from: g.component(a).id.name.clone(),
            to: g.component(b).id.name.clone(),
            derived,
        })
        .collect();
    Lineage {
        data: data.to_owned(),
        nodes,
        edges,
        trained_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatwright_model::{Limits, load_str};

    #[test]
    fn training_data_flows_into_the_model_and_out_through_serving() {
        let yaml = r#"
threatwright: 1
zones: [{ id: corp, trust: internal }]
data:
  - { id: raw, classification: confidential }
  - { id: features, classification: confidential }
  - { id: weights, classification: internal, categories: [model-weights] }
  - { id: other, classification: internal }
components:
  - { id: feed, kind: data-source, zone: corp }
  - { id: etl, kind: data-pipeline, zone: corp }
  - { id: fs, kind: feature-store, zone: corp, stores: [features] }
  - { id: train, kind: training, zone: corp }
  - { id: m, kind: model, zone: corp }
  - { id: api, kind: inference-service, zone: corp, model: m }
  - { id: app, kind: web-app, zone: corp }
  - { id: crm, kind: database, zone: corp, stores: [other] }
flows:
  - { from: etl, to: feed, receives: [raw] }
  - { from: etl, to: fs, sends: [features] }
  - { from: train, to: fs, receives: [features] }
  - { from: train, to: m, sends: [weights] }
  - { from: app, to: api, sends: [other] }
  - { from: app, to: crm, sends: [other] }
"#;
        let model = load_str("t.yaml", yaml, &Limits::default()).model.unwrap();
        let l = trace(&model, "raw");
        let at = |id: &str| l.nodes.iter().find(|n| n.component == id);
        assert!(!at("feed").unwrap().derived);
        assert!(at("fs").unwrap().derived && at("train").unwrap().derived);
        assert!(at("m").unwrap().derived);
        assert_eq!(at("api").map(|n| n.stage), Some(Stage::Serving));
        assert!(l.trained_on);
        // The app sends other data to the service and the CRM: not part of this lineage.
        assert!(at("crm").is_none() && at("app").is_none(), "{l:#?}");
        // Data nobody trains on.
        let o = trace(&model, "other");
        assert!(!o.trained_on);
        assert!(o.nodes.iter().all(|n| !n.derived));
    }

    #[test]
    fn a_training_job_reading_a_bucket_takes_in_what_the_bucket_holds() {
        let yaml = r#"
threatwright: 1
zones: [{ id: corp, trust: internal }]
data:
  - { id: history, classification: confidential, categories: [training-data] }
  - { id: batch, classification: confidential }
components:
  - { id: bucket, kind: object-store, zone: corp, stores: [history] }
  - { id: train, kind: training, zone: corp }
  - { id: m, kind: model, zone: corp }
  - { id: eval, kind: evaluation, zone: corp }
  - { id: api, kind: inference-service, zone: corp, model: m }
flows:
  - { from: train, to: bucket, receives: [batch] }
  - { from: train, to: m, sends: [batch] }
  - { from: eval, to: bucket, receives: [batch] }
  - { from: eval, to: api, sends: [batch] }
"#;
        let model = load_str("t.yaml", yaml, &Limits::default()).model.unwrap();
        let l = trace(&model, "history");
        let at = |id: &str| l.nodes.iter().find(|n| n.component == id);
        assert!(at("train").is_some() && at("m").unwrap().derived, "{l:#?}");
        assert!(l.trained_on);
        // Evaluation reads the bucket, but its results do not carry the data on.
        assert!(
            at("eval").is_none() || !l.edges.iter().any(|e| e.from == "eval"),
            "{l:#?}"
        );
    }
}
