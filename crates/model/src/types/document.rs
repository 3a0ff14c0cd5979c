//! One model file as written, and the merged model.

use super::component::Component;
use super::elements::*;
use super::scalars::Text;
use super::tracking::*;
use crate::record;
use serde::Serialize;

record! {
    /// One model file. The root file states the format version; included files may omit it.
    pub struct Document as "model file" {
        opt threatwright: u32 = "Format version; `1`. Required in the root file.",
        list include: Text = "Other model files merged into this one, relative to this file.",
        opt system: System = "The system as a whole (in one file only).",
        list zones: Zone = "Trust boundaries.",
        list data: DataAsset = "Data assets.",
        list components: Component = "The parts of the system.",
        list flows: Flow = "Connections between components.",
        list controls: ControlUse = "Safeguards in place or planned.",
        list risks: RiskEntry = "Tracking of identified threats.",
        list assumptions: Assumption = "What the analysis takes as true.",
        list decisions: Decision = "Decisions taken.",
        list incidents: Incident = "What happened.",
        list attack_trees: AttackTree = "Hand-written attack trees.",
    }
}

/// A whole model: the root file and everything it includes, merged in reading order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub version: u32,
    pub system: Option<System>,
    pub zones: Vec<Zone>,
    pub data: Vec<DataAsset>,
    pub components: Vec<Component>,
    pub flows: Vec<Flow>,
    pub controls: Vec<ControlUse>,
    pub risks: Vec<RiskEntry>,
    pub assumptions: Vec<Assumption>,
    pub decisions: Vec<Decision>,
    pub incidents: Vec<Incident>,
    pub attack_trees: Vec<AttackTree>,
}

impl Model {
    /// Appends one file's content.
    pub fn absorb(&mut self, doc: Document) {
        if self.system.is_none() {
            self.system = doc.system;
        }
        self.zones.extend(doc.zones);
        self.data.extend(doc.data);
        self.components.extend(doc.components);
        self.flows.extend(doc.flows);
        self.controls.extend(doc.controls);
        self.risks.extend(doc.risks);
        self.assumptions.extend(doc.assumptions);
        self.decisions.extend(doc.decisions);
        self.incidents.extend(doc.incidents);
        self.attack_trees.extend(doc.attack_trees);
    }
}
