//! What changed between two versions of a model: threats added, removed and changed
//! (with risk deltas), elements added, removed and changed, and new flows that cross a
//! trust boundary — the review a pull request or a model update needs.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use threatwright_engine::{Assessment, Threat};
use threatwright_model::Model;

#[derive(Debug, Serialize)]
pub struct ThreatRow {
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub score: u32,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ThreatChange {
    pub id: String,
    pub title: String,
    pub before: ThreatRow,
    pub after: ThreatRow,
    /// Residual score after minus before.
    pub risk_delta: i64,
}

#[derive(Debug, Serialize, Default)]
pub struct ElementChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Diff {
    pub format_version: u32,
    pub threats_added: Vec<ThreatRow>,
    pub threats_removed: Vec<ThreatRow>,
    pub threats_changed: Vec<ThreatChange>,
    /// Sum of residual scores of open threats, before and after.
    pub open_risk_before: u32,
    pub open_risk_after: u32,
    pub components: ElementChanges,
    pub flows: ElementChanges,
    pub data: ElementChanges,
    /// Added flows whose ends are in different zones.
    pub new_cross_zone_flows: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.threats_added.is_empty()
            && self.threats_removed.is_empty()
            && self.threats_changed.is_empty()
            && self.components.added.is_empty()
            && self.components.removed.is_empty()
            && self.components.changed.is_empty()
            && self.flows.added.is_empty()
            && self.flows.removed.is_empty()
            && self.flows.changed.is_empty()
            && self.data.added.is_empty()
            && self.data.removed.is_empty()
            && self.data.changed.is_empty()
    }
}

fn row(t: &Threat) -> ThreatRow {
    ThreatRow {
        id: t.id.clone(),
        title: t.title.clone(),
        severity: t.residual.severity.as_str(),
        score: t.residual.score,
        status: t.status,
    }
}

fn elements<T: Serialize>(
    items: impl Iterator<Item = (String, T)>,
) -> BTreeMap<String, serde_json::Value> {
    items
        .map(|(id, v)| (id, serde_json::to_value(v).unwrap_or_default()))
        .collect()
}

fn compare(
    old: &BTreeMap<String, serde_json::Value>,
    new: &BTreeMap<String, serde_json::Value>,
) -> ElementChanges {
    let mut c = ElementChanges::default();
    for (id, v) in new {
        match old.get(id) {
            None => c.added.push(id.clone()),
            Some(o) if o != v => c.changed.push(id.clone()),
            _ => {}
        }
    }
    c.removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    c
}

pub fn diff(old_model: &Model, old: &Assessment, new_model: &Model, new: &Assessment) -> Diff {
    let before: BTreeMap<&str, &Threat> = old.threats.iter().map(|t| (t.id.as_str(), t)).collect();
    let after: BTreeMap<&str, &Threat> = new.threats.iter().map(|t| (t.id.as_str(), t)).collect();
    let threats_added = new
        .threats
        .iter()
        .filter(|t| !before.contains_key(t.id.as_str()))
        .map(row)
        .collect();
    let threats_removed = old
        .threats
        .iter()
        .filter(|t| !after.contains_key(t.id.as_str()))
        .map(row)
        .collect();
    let mut threats_changed = Vec::new();
    for t in &new.threats {
        if let Some(o) = before.get(t.id.as_str())
            && (o.residual.score != t.residual.score
                || o.status != t.status
                || o.residual.severity != t.residual.severity)
        {
            threats_changed.push(ThreatChange {
                id: t.id.clone(),
                title: t.title.clone(),
                before: row(o),
                after: row(t),
                risk_delta: t.residual.score as i64 - o.residual.score as i64,
            });
        }
    }
    let open_risk = |a: &Assessment| {
        a.threats
            .iter()
            .filter(|t| t.is_open())
            .map(|t| t.residual.score)
            .sum()
    };
    let comps = |m: &Model| elements(m.components.iter().map(|c| (c.id.name.clone(), c)));
    let flows = |m: &Model| elements(m.flows.iter().map(|f| (f.id(), f)));
    let data = |m: &Model| elements(m.data.iter().map(|d| (d.id.name.clone(), d)));
    let flow_changes = compare(&flows(old_model), &flows(new_model));
    let added: BTreeSet<&String> = flow_changes.added.iter().collect();
    let new_cross_zone_flows = new
        .facts
        .flows
        .iter()
        .filter(|f| f.crosses_boundary && added.contains(&f.id))
        .map(|f| format!("{} ({} → {})", f.id, f.from_trust, f.to_trust))
        .collect();
    Diff {
        format_version: 1,
        threats_added,
        threats_removed,
        threats_changed,
        open_risk_before: open_risk(old),
        open_risk_after: open_risk(new),
        components: compare(&comps(old_model), &comps(new_model)),
        flows: flow_changes,
        data: compare(&data(old_model), &data(new_model)),
        new_cross_zone_flows,
    }
}

/// Markdown fit for a pull-request comment.
pub fn markdown(d: &Diff, old_name: &str, new_name: &str) -> String {
    let mut s = format!("## Threat model changes: `{old_name}` → `{new_name}`\n\n");
    let delta = d.open_risk_after as i64 - d.open_risk_before as i64;
    s.push_str(&format!(
        "Open risk: **{} → {}** ({delta:+}) · {} new, {} resolved, {} changed threats\n\n",
        d.open_risk_before,
        d.open_risk_after,
        d.threats_added.len(),
        d.threats_removed.len(),
        d.threats_changed.len()
    ));
    if !d.threats_added.is_empty() {
        s.push_str("### New threats\n\n| severity | risk | threat | status |\n|---|---|---|---|\n");
        for t in &d.threats_added {
            s.push_str(&format!(
                "| {} | {} | `{}` {} | {} |\n",
                t.severity, t.score, t.id, t.title, t.status
            ));
        }
        s.push('\n');
    }
    if !d.threats_changed.is_empty() {
        s.push_str(
            "### Changed threats\n\n| threat | before | after | Δ risk |\n|---|---|---|---|\n",
        );
        for c in &d.threats_changed {
            s.push_str(&format!(
                "| `{}` | {} {} ({}) | {} {} ({}) | {:+} |\n",
                c.id,
                c.before.severity,
                c.before.score,
                c.before.status,
                c.after.severity,
                c.after.score,
                c.after.status,
                c.risk_delta
            ));
        }
        s.push('\n');
    }
    if !d.threats_removed.is_empty() {
        s.push_str("### Threats no longer found\n\n");
        for t in &d.threats_removed {
            s.push_str(&format!(
                "- `{}` {} (was {} {})\n",
                t.id, t.title, t.severity, t.score
            ));
        }
        s.push('\n');
    }
    let section = |s: &mut String, name: &str, c: &ElementChanges| {
        if c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty() {
            return;
        }
        s.push_str(&format!("### {name}\n\n"));
        for (what, list) in [
            ("added", &c.added),
            ("removed", &c.removed),
            ("changed", &c.changed),
        ] {
            if !list.is_empty() {
                s.push_str(&format!(
                    "- {what}: {}\n",
                    list.iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        s.push('\n');
    };
    section(&mut s, "Components", &d.components);
    section(&mut s, "Flows", &d.flows);
    section(&mut s, "Data", &d.data);
    if !d.new_cross_zone_flows.is_empty() {
        s.push_str("### New flows across trust boundaries\n\n");
        for f in &d.new_cross_zone_flows {
            s.push_str(&format!("- `{f}`\n"));
        }
        s.push('\n');
    }
    if d.is_empty() {
        s.push_str("No change in elements or threats.\n");
    }
    s
}
