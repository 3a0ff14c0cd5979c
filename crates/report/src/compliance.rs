//! Compliance views: the same findings seen through NIST AI RMF functions, ISO/IEC 42001
//! Annex A groups, EU AI Act Articles 9–15 and the OWASP Top 10 lists, so a compliance
//! officer sees which obligations the system's safeguards support and where gaps are.
//!
//! A control counts for an item through the catalog's mappings. It is *in place* when the
//! model states it implemented or verified on some element, *planned* when only planned,
//! and *missing* when an open threat recommends it and nothing states it.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use threatwright_catalog::Catalog;
use threatwright_catalog::types::EuAiActArticle;
use threatwright_engine::Assessment;
use threatwright_model::Model;
use threatwright_model::types::ControlStatus;

#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub in_place: Vec<String>,
    pub planned: Vec<String>,
    pub missing: Vec<String>,
    /// Open threats that a missing control of this item would address (for the OWASP
    /// lists: open threats citing the item).
    pub open_threats: Vec<String>,
    /// Threats citing the item that are mitigated, accepted or otherwise handled.
    pub handled_threats: Vec<String>,
    /// gaps (something missing), partial (only planned), supported (controls in place, none
    /// missing), not-assessed (nothing in the model or findings touches it); for the OWASP
    /// lists: gaps (open findings), handled (findings all mitigated, accepted or
    /// transferred), no-finding.
    pub status: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Framework {
    pub id: &'static str,
    pub title: &'static str,
    pub note: &'static str,
    pub items: Vec<Item>,
}

const NIST_FUNCTIONS: [(&str, &str); 4] = [
    (
        "GOVERN",
        "GOVERN — policies, roles and accountability for AI risk",
    ),
    (
        "MAP",
        "MAP — context, purpose and the risks of the system identified",
    ),
    ("MEASURE", "MEASURE — risks analysed, tested and tracked"),
    (
        "MANAGE",
        "MANAGE — risks prioritised, treated and monitored",
    ),
];

const ISO_GROUPS: [(&str, &str); 9] = [
    ("A.2", "A.2 Policies related to AI"),
    ("A.3", "A.3 Internal organization"),
    ("A.4", "A.4 Resources for AI systems"),
    ("A.5", "A.5 Assessing impacts of AI systems"),
    ("A.6", "A.6 AI system life cycle"),
    ("A.7", "A.7 Data for AI systems"),
    (
        "A.8",
        "A.8 Information for interested parties of AI systems",
    ),
    ("A.9", "A.9 Use of AI systems"),
    ("A.10", "A.10 Third-party and customer relationships"),
];

/// Controls by state across the model: (in place, planned).
fn stated(model: &Model) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let (mut done, mut planned) = (BTreeSet::new(), BTreeSet::new());
    for c in &model.controls {
        match c.status {
            Some(ControlStatus::Planned) => {
                planned.insert(c.control.as_str());
            }
            _ => {
                done.insert(c.control.as_str());
            }
        }
    }
    let planned = planned.difference(&done).copied().collect();
    (done, planned)
}

impl Item {
    fn new(id: &str, title: &str) -> Item {
        Item {
            id: id.to_owned(),
            title: title.to_owned(),
            in_place: Vec::new(),
            planned: Vec::new(),
            missing: Vec::new(),
            open_threats: Vec::new(),
            handled_threats: Vec::new(),
            status: "not-assessed",
        }
    }
}

fn item_status(i: &Item, touched: bool) -> &'static str {
    if !i.missing.is_empty() {
        "gaps"
    } else if !i.planned.is_empty() {
        "partial"
    } else if !i.in_place.is_empty() || touched {
        "supported"
    } else {
        "not-assessed"
    }
}

/// Builds one framework view from a mapping of control → item keys.
fn by_controls(
    a: &Assessment,
    model: &Model,
    cat: &Catalog,
    items: &[(String, String)],
    keys_of: &dyn Fn(&threatwright_catalog::types::Mappings) -> Vec<String>,
) -> Vec<Item> {
    let (done, planned) = stated(model);
    // Missing: recommended by an open threat and not stated anywhere.
    let mut missing_for: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in a.threats.iter().filter(|t| t.is_open()) {
        for c in &t.mitigations.missing {
            if !done.contains(c.as_str()) && !planned.contains(c.as_str()) {
                missing_for
                    .entry(c.as_str())
                    .or_default()
                    .push(t.id.as_str());
            }
        }
    }
    let mut out: Vec<Item> = items
        .iter()
        .map(|(id, title)| Item::new(id, title))
        .collect();
    for (cid, control) in &cat.controls {
        let Some(m) = &control.mappings else { continue };
        let mut keys = keys_of(m);
        keys.sort();
        keys.dedup();
        for key in keys {
            let Some(item) = out.iter_mut().find(|i| i.id == key) else {
                continue;
            };
            if done.contains(cid.as_str()) {
                item.in_place.push(cid.clone());
            } else if planned.contains(cid.as_str()) {
                item.planned.push(cid.clone());
            } else if let Some(ts) = missing_for.get(cid.as_str()) {
                item.missing.push(cid.clone());
                item.open_threats.extend(ts.iter().map(|t| t.to_string()));
            }
        }
    }
    for i in &mut out {
        i.open_threats.sort();
        i.open_threats.dedup();
        i.status = item_status(i, false);
    }
    out
}

fn by_references(
    a: &Assessment,
    items: &[(String, String)],
    pick: &dyn Fn(&threatwright_engine::Threat) -> &Vec<String>,
) -> Vec<Item> {
    items
        .iter()
        .map(|(id, title)| {
            let mut i = Item::new(id, title);
            let mut present = BTreeSet::new();
            let mut missing = BTreeSet::new();
            for t in a.threats.iter().filter(|t| pick(t).contains(id)) {
                if t.is_open() {
                    i.open_threats.push(t.id.clone());
                    missing.extend(t.mitigations.missing.iter().cloned());
                } else {
                    i.handled_threats.push(t.id.clone());
                }
                present.extend(t.mitigations.present.iter().cloned());
            }
            i.in_place = present.into_iter().collect();
            i.missing = missing.into_iter().collect();
            i.status = if !i.open_threats.is_empty() {
                "gaps"
            } else if !i.handled_threats.is_empty() {
                "handled"
            } else {
                "no-finding"
            };
            i
        })
        .collect()
}

/// Every compliance view of the assessment.
pub fn views(a: &Assessment, model: &Model, cat: &Catalog) -> Vec<Framework> {
    let nist: Vec<(String, String)> = NIST_FUNCTIONS
        .iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .collect();
    let iso: Vec<(String, String)> = ISO_GROUPS
        .iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .collect();
    let eu: Vec<(String, String)> = EuAiActArticle::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), a.title().to_owned()))
        .collect();
    let owasp_llm: Vec<(String, String)> = cat
        .frameworks
        .owasp_llm
        .values()
        .map(|i| (i.id.clone(), format!("{} {}", i.id, i.name)))
        .collect();
    let owasp_ml: Vec<(String, String)> = cat
        .frameworks
        .owasp_ml
        .values()
        .map(|i| (i.id.clone(), format!("{} {}", i.id, i.name)))
        .collect();
    vec![
        Framework {
            id: "nist-ai-rmf",
            title: "NIST AI RMF 1.0 functions",
            note: "Controls grouped by the function of the subcategories they support.",
            items: by_controls(a, model, cat, &nist, &|m| {
                m.nist_ai_rmf
                    .iter()
                    .filter_map(|s| s.split_whitespace().next().map(str::to_owned))
                    .collect()
            }),
        },
        Framework {
            id: "iso-42001",
            title: "ISO/IEC 42001:2023 Annex A",
            note: "Controls grouped by the Annex A control group they implement.",
            items: by_controls(a, model, cat, &iso, &|m| m.iso_42001.clone()),
        },
        Framework {
            id: "eu-ai-act",
            title: "EU AI Act, requirements for high-risk AI systems (Articles 9–15)",
            note: "Which articles the safeguards in place support. Whether the system is high-risk under Article 6 is a legal assessment this tool does not make.",
            items: by_controls(a, model, cat, &eu, &|m| {
                m.eu_ai_act.iter().map(|x| x.as_str().to_owned()).collect()
            }),
        },
        Framework {
            id: "owasp-llm",
            title: "OWASP Top 10 for LLM Applications 2025",
            note: "Findings citing each item; no finding means no rule for it fired on this model.",
            items: by_references(a, &owasp_llm, &|t| &t.references.owasp_llm),
        },
        Framework {
            id: "owasp-ml",
            title: "OWASP Machine Learning Security Top 10",
            note: "Findings citing each item; no finding means no rule for it fired on this model.",
            items: by_references(a, &owasp_ml, &|t| &t.references.owasp_ml),
        },
    ]
}
