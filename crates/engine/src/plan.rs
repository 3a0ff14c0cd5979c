//! The mitigation plan: which controls remove the most risk across the system, who owns
//! what, and which safeguards each AI capability lacks.

use crate::assessment::Threat;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use threatwright_catalog::Catalog;
use threatwright_model::Model;

#[derive(Clone, Debug, Serialize, Default)]
pub struct Plan {
    /// Missing controls, the most risk removed first.
    pub controls: Vec<PlannedControl>,
    pub roles: Vec<RoleSummary>,
    pub capabilities: Vec<CapabilityGap>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlannedControl {
    pub control: String,
    pub title: String,
    pub owner: &'static str,
    /// Sum over the open threats it addresses of the score it would remove.
    pub risk_removed: u32,
    pub threats: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoleSummary {
    pub role: &'static str,
    pub open_threats: Vec<String>,
    pub controls: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CapabilityGap {
    pub element: String,
    pub capabilities: Vec<String>,
    pub open_threats: Vec<String>,
    pub missing_controls: Vec<String>,
}

fn effect(cat: &Catalog, control: &str) -> (u32, u32) {
    cat.controls
        .get(control)
        .and_then(|c| c.effect.as_ref())
        .map_or((0, 0), |e| {
            (e.likelihood.unwrap_or(0), e.impact.unwrap_or(0))
        })
}

/// The score left when `(dl, di)` levels are removed.
pub fn reduced(l: u32, i: u32, dl: u32, di: u32) -> (u32, u32) {
    (l.saturating_sub(dl).max(1), i.saturating_sub(di).max(1))
}

/// A control's effect (likelihood, impact), the risk it removes and its threats.
type ControlTally = ((u32, u32), u32, Vec<String>);

pub fn build(threats: &[Threat], model: &Model, cat: &Catalog) -> Plan {
    let open: Vec<&Threat> = threats.iter().filter(|t| t.is_open()).collect();
    // Per control: its effect (looked up once), the risk it removes, its threats.
    // Hashed: the order comes from the sort below, which ends on the control id.
    let mut by_control: foldhash::HashMap<&str, ControlTally> = foldhash::HashMap::default();
    for t in &open {
        for m in &t.mitigations.missing {
            let e = by_control
                .entry(m.as_str())
                .or_insert_with(|| (effect(cat, m), 0, Vec::new()));
            let (dl, di) = e.0;
            let (l, i) = reduced(t.residual.likelihood, t.residual.impact, dl, di);
            e.1 += t.residual.score - l * i;
            e.2.push(t.id.clone());
        }
    }
    let mut controls: Vec<PlannedControl> = by_control
        .into_iter()
        .map(|(c, (_, removed, threats))| PlannedControl {
            control: c.to_owned(),
            title: cat
                .controls
                .get(c)
                .map_or_else(String::new, |x| x.title.clone()),
            owner: cat
                .controls
                .get(c)
                .and_then(|x| x.owner)
                .map_or("security", |o| o.as_str()),
            risk_removed: removed,
            threats,
        })
        .collect();
    controls.sort_by(|a, b| {
        b.risk_removed
            .cmp(&a.risk_removed)
            .then_with(|| b.threats.len().cmp(&a.threats.len()))
            .then_with(|| a.control.cmp(&b.control))
    });

    // Per role, its open threats and controls as sorted sets.
    let mut roles: BTreeMap<&'static str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for t in &open {
        let owner = t
            .tracking
            .as_ref()
            .and_then(|x| x.owner)
            .unwrap_or(t.owner_role);
        roles.entry(owner).or_default().0.push(&t.id);
    }
    for c in &controls {
        roles.entry(c.owner).or_default().1.push(&c.control);
    }
    let set = |mut v: Vec<&str>| -> Vec<String> {
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(str::to_owned).collect()
    };
    let roles = roles
        .into_iter()
        .map(|(role, (t, c))| RoleSummary {
            role,
            open_threats: set(t),
            controls: set(c),
        })
        .collect();

    // Open threats by the element they are reported on, in rank order.
    let mut open_on: foldhash::HashMap<&str, Vec<&Threat>> = foldhash::HashMap::default();
    if model.components.iter().any(|c| !c.capabilities.is_empty()) {
        for t in &open {
            if let Some(e) = t.elements.first() {
                open_on.entry(e.as_str()).or_default().push(t);
            }
        }
    }
    let mut capabilities = Vec::new();
    for c in &model.components {
        if c.capabilities.is_empty() {
            continue;
        }
        let on: &[&Threat] = open_on.get(c.id.as_str()).map_or(&[], Vec::as_slice);
        let missing: BTreeSet<String> = on
            .iter()
            .flat_map(|t| t.mitigations.missing.iter().cloned())
            .collect();
        capabilities.push(CapabilityGap {
            element: c.id.name.clone(),
            capabilities: c
                .capabilities
                .iter()
                .map(|x| x.as_str().to_owned())
                .collect(),
            open_threats: on.iter().map(|t| t.id.clone()).collect(),
            missing_controls: missing.into_iter().collect(),
        });
    }
    Plan {
        controls,
        roles,
        capabilities,
    }
}
