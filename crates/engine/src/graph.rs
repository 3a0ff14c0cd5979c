//! The flow graph, built once per analysis: components as nodes, flows as edges, plus
//! the lookups every fact needs.

use foldhash::HashMap;
use threatwright_model::Model;
use threatwright_model::types::{Classification, Component, Trust};

pub struct Graph<'m> {
    pub model: &'m Model,
    pub index: HashMap<&'m str, usize>,
    /// Flow indices leaving / entering each component.
    pub out: Vec<Vec<usize>>,
    pub inn: Vec<Vec<usize>>,
    /// Flow ends as component indices (`None` when a reference did not resolve).
    pub ends: Vec<Option<(usize, usize)>>,
    pub zone_trust: HashMap<&'m str, Trust>,
    /// The trust of each component's zone.
    pub trust: Vec<Option<Trust>>,
    pub data_index: HashMap<&'m str, usize>,
}

impl<'m> Graph<'m> {
    pub fn new(model: &'m Model) -> Self {
        let index: HashMap<&str, usize> = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut out = vec![Vec::new(); model.components.len()];
        let mut inn = vec![Vec::new(); model.components.len()];
        let mut ends = Vec::with_capacity(model.flows.len());
        for (fi, f) in model.flows.iter().enumerate() {
            let e = index
                .get(f.from.as_str())
                .zip(index.get(f.to.as_str()))
                .map(|(a, b)| (*a, *b));
            if let Some((a, b)) = e {
                out[a].push(fi);
                inn[b].push(fi);
            }
            ends.push(e);
        }
        let zone_trust: HashMap<&str, Trust> = model
            .zones
            .iter()
            .filter_map(|z| z.trust.map(|t| (z.id.as_str(), t)))
            .collect();
        let trust = model
            .components
            .iter()
            .map(|c| {
                c.zone
                    .as_ref()
                    .and_then(|z| zone_trust.get(z.as_str()).copied())
            })
            .collect();
        let data_index = model
            .data
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        Graph {
            model,
            index,
            out,
            inn,
            ends,
            zone_trust,
            trust,
            data_index,
        }
    }

    pub fn component(&self, i: usize) -> &'m Component {
        &self.model.components[i]
    }

    pub fn trust_of(&self, c: &Component) -> Option<Trust> {
        c.zone
            .as_ref()
            .and_then(|z| self.zone_trust.get(z.as_str()).copied())
    }

    pub fn classification_level(&self, data_id: &str) -> i64 {
        self.data_index
            .get(data_id)
            .and_then(|i| self.model.data[*i].classification)
            .map_or(0, level)
    }
}

pub fn level(c: Classification) -> i64 {
    match c {
        Classification::Public => 0,
        Classification::Internal => 1,
        Classification::Confidential => 2,
        Classification::Restricted => 3,
    }
}

pub fn trust_name(t: Option<Trust>) -> &'static str {
    t.map_or("unknown", |t| t.as_str())
}
