//! Mermaid `flowchart` text of a diagram, for wikis and pull requests that render it:
//! one subgraph per trust zone, a shape per kind, a class per risk level.

use super::{CROSSING, Diagram, Nesting, Shape, colours};
use std::fmt::Write;
use threatwright_engine::Severity;

/// Text inside a quoted Mermaid label: quotes and markup-breaking characters escaped.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push_str("<br/>"),
            '`' => out.push('\''),
            '|' => out.push_str("#124;"),
            c => out.push(c),
        }
    }
    out
}

/// Opening and closing brackets of each shape.
fn brackets(s: Shape) -> (&'static str, &'static str) {
    match s {
        Shape::Actor => ("([", "])"),
        Shape::External => ("[[", "]]"),
        Shape::Process => ("(", ")"),
        Shape::Store => ("[(", ")]"),
        Shape::Model => ("[\\", "\\]"),
        Shape::Llm => ("{{", "}}"),
        Shape::Inference => ("[", "]"),
        Shape::Agent => ("{{", "}}"),
        Shape::Tool => (">", "]"),
        Shape::Guardrail => ("[\\", "/]"),
        Shape::Review => ("[/", "\\]"),
        Shape::Source => ("[/", "/]"),
        Shape::Training => ("[[", "]]"),
    }
}

pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flowchart LR");
    for (step, depth) in d.nesting() {
        let pad = "  ".repeat(depth);
        match step {
            Nesting::Open(z) => {
                let _ = writeln!(out, "{pad}subgraph z{z}[\"{}\"]", label(&d.zones[z].label));
            }
            Nesting::Node(i) => {
                let n = &d.nodes[i];
                let (open, close) = brackets(n.shape);
                let _ = writeln!(
                    out,
                    "{pad}n{i}{open}\"{}<br/><small>«{}»</small>\"{close}",
                    label(&n.label),
                    label(&n.note)
                );
            }
            Nesting::Close(_) => {
                let _ = writeln!(out, "{pad}end");
            }
        }
    }
    let mut crossing = Vec::new();
    for (k, e) in d.edges.iter().enumerate() {
        let arrow = if e.derived { "-.->" } else { "-->" };
        if e.label.is_empty() {
            let _ = writeln!(out, "  n{} {arrow} n{}", e.from, e.to);
        } else {
            let _ = writeln!(
                out,
                "  n{} {arrow}|\"{}\"| n{}",
                e.from,
                label(&e.label),
                e.to
            );
        }
        if e.crossing {
            crossing.push(k.to_string());
        }
    }
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        let members: Vec<String> = d
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.risk == Some(sev))
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if members.is_empty() {
            continue;
        }
        let (fill, stroke) = colours(Some(sev));
        let _ = writeln!(
            out,
            "  classDef {} fill:{fill},stroke:{stroke},stroke-width:2px",
            sev.as_str()
        );
        let _ = writeln!(out, "  class {} {}", members.join(","), sev.as_str());
    }
    if !crossing.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{CROSSING},stroke-width:2.5px",
            crossing.join(",")
        );
    }
    out
}
