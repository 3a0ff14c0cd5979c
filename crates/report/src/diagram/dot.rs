//! Graphviz DOT text of a diagram: one cluster per trust zone (nested as the zones are),
//! a shape per kind, flows across zones drawn thick in the boundary colour.

use super::{CROSSING, Diagram, Nesting, Shape, colours, zone_fill};
use std::fmt::Write;

/// A DOT string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn shape_attrs(s: Shape) -> &'static str {
    match s {
        Shape::Actor => "shape=ellipse",
        Shape::External => "shape=box, peripheries=2",
        Shape::Process => "shape=box, style=\"rounded,filled\"",
        Shape::Store => "shape=cylinder",
        Shape::Model => "shape=note",
        Shape::Llm => "shape=hexagon",
        Shape::Inference => "shape=octagon",
        Shape::Agent => "shape=doubleoctagon",
        Shape::Tool => "shape=cds",
        Shape::Guardrail => "shape=invtrapezium",
        Shape::Review => "shape=house",
        Shape::Source => "shape=parallelogram",
        Shape::Training => "shape=box3d",
    }
}

/// The diagram as a `digraph`, laid out left to right.
pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph dfd {{");
    let _ = writeln!(out, "  label={};", quote(&d.title));
    let _ = writeln!(
        out,
        "  labelloc=t; rankdir=LR; newrank=true; compound=true;"
    );
    let _ = writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=11, style=filled];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    // Zones as nested clusters; components without a zone at top level.
    for (step, depth) in d.nesting() {
        let pad = "  ".repeat(depth);
        match step {
            Nesting::Open(z) => {
                let zone = &d.zones[z];
                let _ = writeln!(
                    out,
                    "{pad}subgraph {} {{",
                    quote(&format!("cluster_{}", zone.id))
                );
                let _ = writeln!(
                    out,
                    "{pad}  label={}; style=\"filled,dashed\"; color=\"#6b7280\"; fillcolor={};",
                    quote(&zone.label),
                    quote(zone_fill(zone.trust))
                );
            }
            Nesting::Node(i) => {
                let n = &d.nodes[i];
                let (fill, stroke) = colours(n.risk);
                let _ = writeln!(
                    out,
                    "{pad}{} [label={}, {}, fillcolor={}, color={}, tooltip={}];",
                    quote(&n.id),
                    quote(&format!("{}\n«{}»", n.label, n.note)),
                    shape_attrs(n.shape),
                    quote(fill),
                    quote(stroke),
                    quote(&n.tooltip)
                );
            }
            Nesting::Close(_) => {
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
    for e in &d.edges {
        let mut attrs = vec![
            format!("label={}", quote(&e.label)),
            format!("tooltip={}", quote(&e.tooltip)),
        ];
        if e.crossing {
            attrs.push(format!("color={}, penwidth=2.2", quote(CROSSING)));
        }
        if e.derived {
            attrs.push("style=dashed".into());
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            quote(&d.nodes[e.from].id),
            quote(&d.nodes[e.to].id),
            attrs.join(", ")
        );
    }
    let _ = writeln!(out, "}}");
    out
}
