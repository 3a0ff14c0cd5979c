//! The views of the example models: diagrams, lineage, attack trees, the BOM, CSV and
//! the documents. Text formats are snapshotted (reviewed: they are what people read);
//! SVG is checked for being well-formed and for showing every component and flow.

use std::path::{Path, PathBuf};
use threatwright_catalog::{Catalog, builtin_sources, load};
use threatwright_engine::{Assessment, lineage, trees};
use threatwright_model::{Limits, Model, load_path};
use threatwright_report::content::Content;
use threatwright_report::{bom, csv, diagram, html, markdown, tree};

fn catalog() -> Catalog {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    assert!(diags.iter().all(|d| !d.is_error()));
    cat
}

fn example(name: &str) -> (Model, Assessment, Catalog) {
    let cat = catalog();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.yaml"));
    let model = load_path(&path, &Limits::default())
        .unwrap()
        .model
        .expect("the example is valid");
    let opts = threatwright_engine::Options {
        today: (2026, 11, 29),
        ..Default::default()
    };
    let a = threatwright_engine::analyze_opts(&model, &cat, None, &opts);
    (model, a, cat)
}

const EXAMPLES: [&str; 6] = [
    "rag-support-assistant",
    "coding-assistant-agent",
    "fine-tuning-pipeline",
    "fraud-detection",
    "multi-agent-research",
    "threatwright",
];

/// Parses SVG as XML and returns the values of `attr` on elements with `class` `class`.
fn svg_attrs(svg: &str, class: &str, attr: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|x| x == class))
        })
        .filter_map(|n| n.attribute(attr).map(str::to_owned))
        .collect()
}

#[test]
fn dfd_svg_shows_every_component_and_flow_of_every_example() {
    for name in EXAMPLES {
        let (m, a, _) = example(name);
        let d = diagram::dfd(&m, &a);
        let svg = diagram::svg::render(&d);
        let mut ids = svg_attrs(&svg, "tw-node", "data-id");
        ids.sort();
        let mut want: Vec<String> = m.components.iter().map(|c| c.id.name.clone()).collect();
        want.sort();
        assert_eq!(ids, want, "{name}");
        let flows = svg_attrs(&svg, "tw-flow", "class").len();
        let loops = m.flows.iter().filter(|f| f.from.name == f.to.name).count();
        assert_eq!(flows, m.flows.len() - loops, "{name}");
        // Flows across zones are drawn as such, and there are some in every example.
        let crossing = svg_attrs(&svg, "tw-crossing", "class").len();
        assert_eq!(crossing, d.edges.iter().filter(|e| e.crossing).count());
        assert!(crossing > 0, "{name}");
    }
}

#[test]
fn every_node_sits_inside_its_zone_lane() {
    for name in EXAMPLES {
        let (m, a, _) = example(name);
        let d = diagram::dfd(&m, &a);
        let l = diagram::layout::layout(&d);
        for (i, n) in d.nodes.iter().enumerate() {
            let lane = l
                .lanes
                .iter()
                .find(|lane| lane.zone == n.zone)
                .unwrap_or_else(|| panic!("{name}: no lane for {}", n.id));
            let (x, y) = l.pos[i];
            assert!(
                x >= lane.x
                    && y >= lane.y
                    && x + diagram::layout::NODE_W <= lane.x + lane.w
                    && y + diagram::layout::NODE_H <= lane.y + lane.h,
                "{name}: {} at ({x},{y}) outside its lane {:?}",
                n.id,
                lane
            );
        }
        // No two nodes overlap.
        for i in 0..l.pos.len() {
            for j in i + 1..l.pos.len() {
                let (a, b) = (l.pos[i], l.pos[j]);
                assert!(
                    (a.0 - b.0).abs() >= diagram::layout::NODE_W
                        || (a.1 - b.1).abs() >= diagram::layout::NODE_H,
                    "{name}: {} and {} overlap",
                    d.nodes[i].id,
                    d.nodes[j].id
                );
            }
        }
    }
}

#[test]
fn dot_and_mermaid_of_the_rag_assistant() {
    let (m, a, _) = example("rag-support-assistant");
    let d = diagram::dfd(&m, &a);
    insta::assert_snapshot!("rag_dfd_dot", diagram::dot::render(&d));
    insta::assert_snapshot!("rag_dfd_mermaid", diagram::mermaid::render(&d));
}

#[test]
fn graphviz_accepts_our_dot_when_installed() {
    let (m, a, _) = example("fraud-detection");
    let d = diagram::dfd(&m, &a);
    match diagram::svg::via_graphviz(&d, std::time::Duration::from_secs(60)) {
        None => eprintln!(
            "SKIPPED: Graphviz `dot` is not installed; the builtin layout is tested above"
        ),
        Some(r) => {
            let svg = r.expect("dot lays out our DOT");
            roxmltree::Document::parse(&svg).expect("dot's SVG parses");
            for c in &m.components {
                // dot writes `-` in titles as a character reference.
                let title = c.id.name.replace('-', "&#45;");
                assert!(
                    svg.contains(&format!("<title>{title}</title>")),
                    "{}",
                    c.id.name
                );
            }
        }
    }
}

#[test]
fn lineage_follows_training_data_into_the_model_and_its_service() {
    let (m, a, _) = example("fraud-detection");
    let l = lineage::trace(&m, "transactions");
    assert!(l.trained_on);
    let at = |id: &str| l.nodes.iter().find(|n| n.component == id);
    assert!(at("transaction-lake").unwrap().stores);
    assert!(at("fraud-model").unwrap().derived, "{l:#?}");
    assert!(at("scoring-service").is_some(), "{l:#?}");
    let d = diagram::lineage(&m, &a, &l);
    insta::assert_snapshot!("fraud_lineage_transactions", diagram::mermaid::render(&d));
}

#[test]
fn attack_trees_of_the_examples() {
    let mut out = String::new();
    for name in EXAMPLES {
        let (m, a, _) = example(name);
        let ts = trees::build(&m, &a, &[]);
        out.push_str(&format!("=== {name}\n"));
        for t in &ts {
            assert!((0.0..=1.0).contains(&t.probability), "{}", t.id);
            out.push_str(&format!(
                "{} [{}]: {} cheapest {} via {}\n",
                t.goal,
                if t.generated {
                    "generated"
                } else {
                    "hand-written"
                },
                tree::pct(t.probability),
                tree::usd(t.cost),
                t.cheapest_path.join(" + ")
            ));
            for w in &t.warnings {
                out.push_str(&format!("  note: {w}\n"));
            }
            let svg = tree::svg(t);
            roxmltree::Document::parse(&svg).expect("tree SVG parses");
        }
    }
    insta::assert_snapshot!("attack_tree_summaries", out);
}

#[test]
fn the_rag_assistants_exfiltration_tree_in_full() {
    let (m, a, _) = example("rag-support-assistant");
    let ts = trees::build(&m, &a, &[trees::Goal::ExfiltrateData]);
    assert_eq!(ts.len(), 1);
    insta::assert_snapshot!("rag_exfiltration_tree", tree::outline(&ts[0]));
    insta::assert_snapshot!("rag_exfiltration_tree_mermaid", tree::mermaid(&ts[0]));
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("THREATWRIGHT_REQUIRE_SHARED").is_none(),
        "../shared/data is missing but THREATWRIGHT_REQUIRE_SHARED is set"
    );
    eprintln!("SKIPPED: ../shared/data/{rel} is not present; this check did not run");
    None
}

#[test]
fn bom_of_every_example_validates_against_cyclonedx_1_6() {
    let Some(dir) = shared("cyclonedx") else {
        return;
    };
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            read("spdx.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            read("jsf-0.82.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let schema = read("bom-1.6.schema.json");
    let v = jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .expect("the CycloneDX schema compiles");
    for name in EXAMPLES {
        let (m, a, _) = example(name);
        let b = bom::render(&m, &a, &format!("examples/{name}.yaml"));
        let errors: Vec<String> = v
            .iter_errors(&b)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // What the BOM says about the fine-tuning pipeline's model.
    let (m, a, _) = example("fine-tuning-pipeline");
    let b = bom::render(&m, &a, "examples/fine-tuning-pipeline.yaml");
    let models: Vec<&serde_json::Value> = b["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "machine-learning-model")
        .collect();
    assert!(!models.is_empty());
    assert!(b["externalReferences"][0]["type"] == "threat-model");
    insta::assert_json_snapshot!("fine_tuning_bom", b);
}

#[test]
fn csv_register_has_one_row_per_threat() {
    let (_, a, _) = example("rag-support-assistant");
    let text = csv::render(&a);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), a.threats.len() + 1);
    assert!(lines[0].starts_with("id,rule,title,"));
    for t in &a.threats {
        assert!(text.contains(&format!("\r\n{},", t.id)), "{}", t.id);
    }
}

#[test]
fn documents_carry_every_section_and_every_threat() {
    let (m, a, cat) = example("rag-support-assistant");
    let mut steps = Vec::new();
    let c = Content::build(&m, &a, &cat, &diagram::svg::render, &mut |s: &str| {
        steps.push(s.to_owned())
    });
    assert_eq!(steps.len() as u64, threatwright_report::content::STEPS);
    let page = html::render(&c, "examples/rag-support-assistant.yaml");
    for id in [
        "summary",
        "system",
        "dfd",
        "lineage",
        "capabilities",
        "threats",
        "trees",
        "plan",
        "compliance",
        "knowledge",
        "questions",
        "bom",
    ] {
        assert!(page.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    for t in &a.threats {
        assert!(page.contains(&format!("id=\"t-{}\"", t.id)), "{}", t.id);
    }
    // Self-contained: nothing is fetched.
    for needle in ["<link ", "src=\"http", "@import", "url(http"] {
        assert!(!page.contains(needle), "{needle}");
    }
    assert!(page.contains("https://atlas.mitre.org/techniques/AML.T0051"));
    assert!(page.contains("https://genai.owasp.org/llmrisk/llm012025-prompt-injection/"));
    assert!(page.contains("Article 15"));
    let md = markdown::render(&c, "examples/rag-support-assistant.yaml");
    assert!(md.contains("```mermaid\nflowchart LR"));
    for t in &a.threats {
        assert!(md.contains(&format!("`{}`", t.id)), "{}", t.id);
    }
}

#[test]
fn compliance_views_cover_the_eu_ai_act_articles_and_owasp_llm() {
    let (m, a, cat) = example("rag-support-assistant");
    let views = threatwright_report::compliance::views(&a, &m, &cat);
    let eu = views.iter().find(|f| f.id == "eu-ai-act").unwrap();
    assert_eq!(eu.items.len(), 7);
    let art15 = eu.items.iter().find(|i| i.id == "art-15").unwrap();
    assert_eq!(art15.status, "gaps");
    assert!(
        art15
            .missing
            .iter()
            .any(|c| c == "prompt-injection-detection"),
        "{art15:?}"
    );
    let llm = views.iter().find(|f| f.id == "owasp-llm").unwrap();
    assert_eq!(llm.items.len(), 10);
    let llm01 = llm.items.iter().find(|i| i.id == "LLM01:2025").unwrap();
    assert!(!llm01.open_threats.is_empty());
}
