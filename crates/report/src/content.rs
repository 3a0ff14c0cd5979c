//! What a report shows, computed once for every document format (HTML, Markdown): the
//! diagrams, lineages, attack trees, compliance views and the AI bill of materials,
//! plus the links to framework pages.

use crate::compliance::{self, Framework};
use crate::diagram::{self, Diagram};
use std::collections::BTreeMap;
use threatwright_catalog::Catalog;
use threatwright_engine::lineage::{self, Lineage};
use threatwright_engine::trees::{self, Tree};
use threatwright_engine::{Assessment, Severity, Threat};
use threatwright_model::Model;
use threatwright_model::types::ComponentKind;

pub struct LineageView {
    pub data: String,
    pub name: String,
    pub lineage: Lineage,
    /// The drawings; `None` when the lineage is too large to read as a picture.
    pub svg: Option<String>,
    pub mermaid: Option<String>,
}

/// Lineages through more components than this are listed, not drawn: such a picture is
/// unreadable, and a report with hundreds of them would weigh hundreds of megabytes.
pub const MAX_LINEAGE_DRAWN: usize = 120;

/// Data assets whose lineage a report shows.
pub const MAX_LINEAGES: usize = 100;

/// One line of the AI bill of materials.
pub struct BomRow {
    pub id: String,
    pub name: String,
    pub what: &'static str,
    pub kind: String,
    pub provenance: String,
    pub open_threats: usize,
    pub highest: Option<Severity>,
}

pub struct Content<'a> {
    pub model: &'a Model,
    pub a: &'a Assessment,
    pub cat: &'a Catalog,
    pub dfd: Diagram,
    pub dfd_svg: String,
    pub dfd_mermaid: String,
    /// The first [`MAX_LINEAGES`] data assets that move, with their lineage.
    pub lineages: Vec<LineageView>,
    /// How many more data assets move but are not in `lineages`.
    pub more_lineages: usize,
    pub trees: Vec<Tree>,
    pub tree_svgs: Vec<String>,
    pub compliance: Vec<Framework>,
    pub bom: Vec<BomRow>,
}

/// Above this many components a report does not embed the data-flow diagram: nobody
/// reads such a picture, and it would weigh tens of megabytes. `threatwright diagram`
/// still draws it.
pub const MAX_DRAWN_NODES: usize = 1500;

/// Steps of building a report, for a progress display.
pub const STEPS: u64 = 5;

impl<'a> Content<'a> {
    /// Builds everything; `svg` draws a diagram (builtin or Graphviz, as the caller
    /// chooses) and `step` is told each time a part is done.
    pub fn build(
        model: &'a Model,
        a: &'a Assessment,
        cat: &'a Catalog,
        svg: &dyn Fn(&Diagram) -> String,
        step: &mut dyn FnMut(&str),
    ) -> Content<'a> {
        let dfd = diagram::dfd(model, a);
        let (dfd_svg, dfd_mermaid) = if dfd.nodes.len() <= MAX_DRAWN_NODES {
            (svg(&dfd), diagram::mermaid::render(&dfd))
        } else {
            (String::new(), String::new())
        };
        step("data-flow diagram");
        // One asset at a time: a large model's lineages, all kept, would take gigabytes.
        let tracer = lineage::Tracer::new(model);
        let mut lineages = Vec::new();
        let mut trained = Vec::with_capacity(model.data.len());
        let mut more_lineages = 0;
        for d in &model.data {
            let l = tracer.trace(d.id.as_str());
            trained.push(l.trained_on);
            if lineages.len() >= MAX_LINEAGES {
                more_lineages += usize::from(l.nodes.len() >= 2);
                continue;
            }
            // A lineage of one component says nothing a table would not.
            if l.nodes.len() < 2 {
                continue;
            }
            let (svg, mermaid) = if l.nodes.len() <= MAX_LINEAGE_DRAWN {
                let dg = diagram::lineage(model, a, &l);
                (Some(svg(&dg)), Some(diagram::mermaid::render(&dg)))
            } else {
                (None, None)
            };
            lineages.push(LineageView {
                data: d.id.name.clone(),
                name: d.name.clone().unwrap_or_else(|| d.id.name.clone()),
                svg,
                mermaid,
                lineage: l,
            });
        }
        step("lineage");
        let trees = trees::build(model, a, &[]);
        let tree_svgs = trees.iter().map(crate::tree::svg).collect();
        step("attack trees");
        let compliance = compliance::views(a, model, cat);
        step("compliance views");
        let bom = bom_rows(model, a, &trained);
        step("bill of materials");
        Content {
            model,
            a,
            cat,
            dfd,
            dfd_svg,
            dfd_mermaid,
            lineages,
            more_lineages,
            trees,
            tree_svgs,
            compliance,
            bom,
        }
    }

    pub fn system_name(&self) -> String {
        self.model
            .system
            .as_ref()
            .map(|s| s.name.clone().unwrap_or_else(|| s.id.name.clone()))
            .unwrap_or_else(|| "AI system".into())
    }

    /// Open threats, the highest residual risk first.
    pub fn open_threats(&self) -> Vec<&'a Threat> {
        let mut v: Vec<&Threat> = self.a.threats.iter().filter(|t| t.is_open()).collect();
        v.sort_by(|x, y| {
            y.residual
                .score
                .cmp(&x.residual.score)
                .then(y.score.cmp(&x.score))
                .then(x.id.cmp(&y.id))
        });
        v
    }

    /// Every threat in register order: open ones first, then by residual risk, then id.
    pub fn register(&self) -> Vec<&'a Threat> {
        let mut all: Vec<&Threat> = self.a.threats.iter().collect();
        all.sort_by(|x, y| {
            y.is_open()
                .cmp(&x.is_open())
                .then(y.residual.score.cmp(&x.residual.score))
                .then(x.id.cmp(&y.id))
        });
        all
    }

    /// Open threats per residual (likelihood, impact) cell.
    pub fn heatmap(&self) -> BTreeMap<(u32, u32), usize> {
        let mut m = BTreeMap::new();
        for t in self.a.threats.iter().filter(|t| t.is_open()) {
            *m.entry((t.residual.likelihood, t.residual.impact))
                .or_insert(0) += 1;
        }
        m
    }

    /// Open threats by residual severity, most severe first.
    pub fn open_by_severity(&self) -> Vec<(Severity, usize)> {
        [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .into_iter()
        .map(|s| {
            (
                s,
                self.a
                    .threats
                    .iter()
                    .filter(|t| t.is_open() && t.residual.severity == s)
                    .count(),
            )
        })
        .collect()
    }

    pub fn control_title(&self, id: &str) -> String {
        self.cat
            .controls
            .get(id)
            .map_or_else(|| id.to_owned(), |c| c.title.clone())
    }

    /// Attack steps of a rule, from the catalog.
    pub fn attack_steps(&self, rule: &str) -> Vec<String> {
        self.cat
            .rule(rule)
            .map(|r| r.rule.attack.clone())
            .unwrap_or_default()
    }
}

/// Open threats per element id: how many, and the highest residual severity.
pub fn open_by_element(a: &Assessment) -> std::collections::HashMap<&str, (usize, Severity)> {
    let mut m = std::collections::HashMap::new();
    for t in a.threats.iter().filter(|t| t.is_open()) {
        let e = m
            .entry(t.elements[0].as_str())
            .or_insert((0, t.residual.severity));
        e.0 += 1;
        e.1 = e.1.max(t.residual.severity);
    }
    m
}

fn bom_rows(model: &Model, a: &Assessment, trained: &[bool]) -> Vec<BomRow> {
    let open = open_by_element(a);
    let row = |id: &str, name: Option<&str>, what: &'static str, kind: &str, provenance: String| {
        let (n, highest) = open.get(id).map_or((0, None), |(n, s)| (*n, Some(*s)));
        BomRow {
            id: id.to_owned(),
            name: name.unwrap_or(id).to_owned(),
            what,
            kind: kind.to_owned(),
            provenance,
            open_threats: n,
            highest,
        }
    };
    let mut rows = Vec::new();
    for c in &model.components {
        let (what, provenance) = match c.kind() {
            ComponentKind::Model => {
                let m = c.model();
                let mut p: Vec<String> = Vec::new();
                if let Some(s) = m.and_then(|m| m.source) {
                    p.push(s.as_str().into());
                }
                if let Some(f) = m.and_then(|m| m.format) {
                    p.push(format!("format {f}"));
                }
                if let Some(o) = m.and_then(|m| m.origin.clone()) {
                    p.push(format!("from {o}"));
                }
                match m.and_then(|m| m.pinned.clone()) {
                    Some(threatwright_model::types::Pinned::Flag(true)) => p.push("pinned".into()),
                    Some(threatwright_model::types::Pinned::Hash(h)) => {
                        p.push(format!("pinned {h}"))
                    }
                    Some(_) => p.push("not pinned".into()),
                    None => {}
                }
                if let Some(s) = m.and_then(|m| m.signed) {
                    p.push(if s { "signed" } else { "unsigned" }.into());
                }
                ("model", p.join(", "))
            }
            ComponentKind::Llm => {
                let l = c.llm();
                let mut p = Vec::new();
                if let Some(n) = l.and_then(|l| l.model_name.clone()) {
                    p.push(n);
                }
                if let Some(h) = l.and_then(|l| l.hosting) {
                    p.push(h.as_str().into());
                }
                if let Some(v) = l.and_then(|l| l.provider.clone()) {
                    p.push(format!("provider {v}"));
                }
                let vendor = l.and_then(|l| l.hosting)
                    == Some(threatwright_model::types::Hosting::VendorApi);
                (if vendor { "AI service" } else { "model" }, p.join(", "))
            }
            ComponentKind::EmbeddingModel => {
                let e = c.embedding_model();
                let mut p = Vec::new();
                if let Some(n) = e.and_then(|l| l.model_name.clone()) {
                    p.push(n);
                }
                if let Some(h) = e.and_then(|l| l.hosting) {
                    p.push(h.as_str().into());
                }
                let vendor = e.and_then(|l| l.hosting)
                    == Some(threatwright_model::types::Hosting::VendorApi);
                (if vendor { "AI service" } else { "model" }, p.join(", "))
            }
            ComponentKind::InferenceService => (
                "AI service",
                c.inference_service()
                    .and_then(|s| s.model.as_ref())
                    .map_or_else(String::new, |m| format!("serves {}", m.name)),
            ),
            ComponentKind::Agent => (
                "agent",
                c.agent()
                    .map(|g| {
                        let mut p = Vec::new();
                        if let Some(x) = g.autonomy {
                            p.push(x.as_str().to_owned());
                        }
                        if !g.tools.is_empty() {
                            p.push(format!("{} tools", g.tools.len()));
                        }
                        p.join(", ")
                    })
                    .unwrap_or_default(),
            ),
            ComponentKind::Tool => (
                "tool",
                c.tool()
                    .map(|t| {
                        let mut p = Vec::new();
                        if let Some(s) = t.source {
                            p.push(s.as_str().to_owned());
                        }
                        if let Some(s) = t.protocol {
                            p.push(s.as_str().to_owned());
                        }
                        if let Some(s) = t.pinned {
                            p.push(if s { "pinned" } else { "not pinned" }.to_owned());
                        }
                        p.join(", ")
                    })
                    .unwrap_or_default(),
            ),
            _ => continue,
        };
        rows.push(row(
            &c.id.name,
            c.name.as_deref(),
            what,
            c.kind().as_str(),
            provenance,
        ));
    }
    for (d, trained_on) in model.data.iter().zip(trained.iter().copied()) {
        let training = d
            .categories
            .iter()
            .any(|c| matches!(c, threatwright_model::types::DataCategory::TrainingData));
        let weights = d
            .categories
            .iter()
            .any(|c| matches!(c, threatwright_model::types::DataCategory::ModelWeights));
        if !(trained_on || training) || weights {
            continue;
        }
        let mut p = Vec::new();
        if let Some(x) = d.provenance {
            p.push(x.as_str().to_owned());
        }
        if let Some(x) = d.classification {
            p.push(x.as_str().to_owned());
        }
        rows.push(row(
            &d.id.name,
            d.name.as_deref(),
            "dataset",
            "data",
            p.join(", "),
        ));
    }
    rows
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// A reference's public page, when it has one.
pub fn reference_url(cat: &Catalog, framework: &str, id: &str) -> Option<String> {
    match framework {
        "atlas" => Some(format!("https://atlas.mitre.org/techniques/{id}")),
        "owasp_llm" => {
            let name = &cat.frameworks.owasp_llm.get(id)?.name;
            let (n, year) = id.strip_prefix("LLM")?.split_once(':')?;
            Some(format!(
                "https://genai.owasp.org/llmrisk/llm{n}{year}-{}/",
                slug(name)
            ))
        }
        "owasp_ml" => {
            let name = &cat.frameworks.owasp_ml.get(id)?.name;
            Some(format!(
                "https://owasp.org/www-project-machine-learning-security-top-10/docs/{}-{}",
                id.replace(':', "_"),
                name.replace(' ', "_")
            ))
        }
        "cwe" => Some(format!(
            "https://cwe.mitre.org/data/definitions/{}.html",
            id.strip_prefix("CWE-")?
        )),
        _ => None,
    }
}

/// A reference's display name, when the catalog knows it.
pub fn reference_name(cat: &Catalog, framework: &str, id: &str) -> Option<String> {
    let f = &cat.frameworks;
    match framework {
        "atlas" => f.atlas.get(id).map(|i| i.name.clone()),
        "owasp_llm" => f.owasp_llm.get(id).map(|i| i.name.clone()),
        "owasp_ml" => f.owasp_ml.get(id).map(|i| i.name.clone()),
        "cosai" => f.cosai.get(id).map(|i| i.name.clone()),
        _ => None,
    }
}

/// The references of a threat, framework by framework: (label, framework key, ids).
pub fn references(t: &Threat) -> Vec<(&'static str, &'static str, &Vec<String>)> {
    let r = &t.references;
    vec![
        ("MITRE ATLAS", "atlas", &r.atlas),
        ("OWASP LLM Top 10", "owasp_llm", &r.owasp_llm),
        ("OWASP ML Top 10", "owasp_ml", &r.owasp_ml),
        ("NIST AI 100-2", "nist", &r.nist_ai_100_2),
        ("CWE", "cwe", &r.cwe),
        ("CoSAI", "cosai", &r.cosai),
    ]
    .into_iter()
    .filter(|x| !x.2.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_follow_owasp_page_names() {
        assert_eq!(slug("Prompt Injection"), "prompt-injection");
        assert_eq!(
            slug("Vector and Embedding Weaknesses"),
            "vector-and-embedding-weaknesses"
        );
    }
}
