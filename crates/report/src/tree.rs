//! Attack trees as an indented outline (terminal, Markdown), Mermaid, DOT and SVG.
//! Every form shows the gate, the chance of success, the attacker's cost and the
//! cheapest way to the goal.

use crate::diagram::colours;
use crate::svgkit::{esc, num, wrap};
use std::fmt::Write;
use threatwright_engine::trees::{Node, NodeGate, NodeKind, Tree};

/// A probability as a percentage, e.g. `35%`, `0.4%`.
pub fn pct(p: f64) -> String {
    let v = p * 100.0;
    if v == 0.0 {
        "0%".into()
    } else if v < 1.0 {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}%")
    }
}

/// A cost in US dollars, e.g. `$500`, `$12k`, `$1.2M`.
pub fn usd(c: f64) -> String {
    if c >= 1_000_000.0 {
        format!("${:.1}M", c / 1_000_000.0)
    } else if c >= 10_000.0 {
        format!("${:.0}k", c / 1_000.0)
    } else if c >= 1_000.0 {
        format!("${:.1}k", c / 1_000.0)
    } else {
        format!("${c:.0}")
    }
}

fn gate_word(n: &Node) -> &'static str {
    match n.gate {
        NodeGate::And => "AND",
        NodeGate::Or => "OR",
        NodeGate::Leaf => "",
    }
}

/// The tree as an indented outline; `*` marks the cheapest way.
pub fn outline(t: &Tree) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} [{}]: {} to succeed, cheapest {}{}",
        t.goal,
        t.id,
        pct(t.probability),
        usd(t.cost),
        if t.generated {
            ""
        } else {
            " (written by hand)"
        }
    );
    fn walk(n: &Node, depth: usize, out: &mut String) {
        let mark = if n.cheapest { "*" } else { " " };
        let gate = gate_word(n);
        let mut line = format!(
            "{}{mark} {}{}  ({}, {})",
            "  ".repeat(depth),
            if gate.is_empty() {
                String::new()
            } else {
                format!("{gate} ")
            },
            n.title,
            pct(n.probability),
            usd(n.cost)
        );
        if let Some(t) = &n.threat {
            let _ = write!(line, " [{t}, {}]", n.status.unwrap_or("open"));
        }
        if !n.defenses.is_empty() {
            let _ = write!(line, " defences: {}", n.defenses.join(", "));
        }
        if n.estimated {
            line.push_str(" (estimated)");
        }
        let _ = writeln!(out, "{line}");
        for c in &n.children {
            walk(c, depth + 1, out);
        }
    }
    walk(&t.root, 1, &mut out);
    for w in &t.warnings {
        let _ = writeln!(out, "  note: {w}");
    }
    out
}

fn node_text(n: &Node) -> String {
    let gate = gate_word(n);
    let mut s = String::new();
    if !gate.is_empty() {
        let _ = write!(s, "{gate}: ");
    }
    s.push_str(&n.title);
    let _ = write!(s, "\np={} · {}", pct(n.probability), usd(n.cost));
    if let Some(t) = &n.threat {
        let _ = write!(s, "\n{t}");
    }
    s
}

pub fn mermaid(t: &Tree) -> String {
    let mut out = String::from("flowchart TB\n");
    let mut cheap = Vec::new();
    let mut edge = 0usize;
    fn walk(n: &Node, out: &mut String, cheap: &mut Vec<String>, edge: &mut usize) {
        let text = crate::diagram::mermaid::label(&node_text(n));
        let id = n.id.replace('-', "_");
        let (open, close) = match (n.kind, n.gate) {
            (NodeKind::Goal, _) => ("[[", "]]"),
            (NodeKind::Defense, _) => ("{{", "}}"),
            (_, NodeGate::Leaf) => ("(", ")"),
            _ => ("[", "]"),
        };
        let _ = writeln!(out, "  {id}{open}\"{text}\"{close}");
        for c in &n.children {
            walk(c, out, cheap, edge);
            let _ = writeln!(out, "  {id} --> {}", c.id.replace('-', "_"));
            if c.cheapest && n.cheapest {
                cheap.push(edge.to_string());
            }
            *edge += 1;
        }
    }
    walk(&t.root, &mut out, &mut cheap, &mut edge);
    let mut by_sev: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut all = Vec::new();
    t.root.walk(&mut all);
    for n in all {
        if let Some(s) = n.severity {
            by_sev
                .entry(s.as_str())
                .or_default()
                .push(n.id.replace('-', "_"));
        }
    }
    for (sev, ids) in by_sev {
        let (fill, stroke) = colours(threatwright_engine::Severity::parse(sev));
        let _ = writeln!(out, "  classDef {sev} fill:{fill},stroke:{stroke}");
        let _ = writeln!(out, "  class {} {sev}", ids.join(","));
    }
    if !cheap.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#b91c1c,stroke-width:3px",
            cheap.join(",")
        );
    }
    out
}

pub fn dot(t: &Tree) -> String {
    use crate::diagram::dot::quote;
    let mut out = String::from(
        "digraph attack_tree {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#ffffff\"];\n",
    );
    let _ = writeln!(
        out,
        "  label={}; labelloc=t;",
        quote(&format!(
            "{} — {} to succeed, cheapest {}",
            t.goal,
            pct(t.probability),
            usd(t.cost)
        ))
    );
    fn walk(n: &Node, out: &mut String) {
        let (fill, stroke) = colours(n.severity);
        let shape = match (n.kind, n.gate) {
            (NodeKind::Goal, _) => "doubleoctagon",
            (NodeKind::Defense, _) => "hexagon",
            (_, NodeGate::Leaf) => "box, style=\"rounded,filled\"",
            _ => "box",
        };
        let _ = writeln!(
            out,
            "  {} [label={}, shape={shape}, fillcolor={}, color={}{}];",
            quote(&n.id),
            quote(&node_text(n)),
            quote(fill),
            quote(stroke),
            if n.cheapest { ", penwidth=2.5" } else { "" }
        );
        for c in &n.children {
            walk(c, out);
            let _ = writeln!(
                out,
                "  {} -> {}{};",
                quote(&n.id),
                quote(&c.id),
                if c.cheapest && n.cheapest {
                    " [color=\"#b91c1c\", penwidth=2.5]"
                } else {
                    ""
                }
            );
        }
    }
    walk(&t.root, &mut out);
    out.push_str("}\n");
    out
}

const BOX_W: f64 = 250.0;
const LEVEL_W: f64 = 300.0;
const LINE_H: f64 = 13.0;
const GAP: f64 = 12.0;

struct Placed {
    x: f64,
    y: f64,
    h: f64,
    lines: Vec<String>,
    /// Lines of the title; the rest are numbers in a smaller font.
    title_lines: usize,
}

/// Left-to-right tree: depth sets the column, leaves stack down the page, a parent sits
/// level with the middle of its children.
fn place(n: &Node, depth: usize, y: &mut f64, out: &mut Vec<Placed>) -> (usize, f64) {
    let mut lines = wrap(
        &format!(
            "{}{}",
            match n.gate {
                NodeGate::And => "AND · ",
                NodeGate::Or => "OR · ",
                NodeGate::Leaf => "",
            },
            n.title
        ),
        // Gate titles are bold, and bold runs wider than the measure assumes.
        if n.gate == NodeGate::Leaf {
            BOX_W - 16.0
        } else {
            (BOX_W - 16.0) / 1.12
        },
        11.0,
        3,
    );
    let title_lines = lines.len();
    lines.push(format!(
        "p = {} · cost {}{}",
        pct(n.probability),
        usd(n.cost),
        if n.estimated { " (estimated)" } else { "" }
    ));
    if let Some(t) = &n.threat {
        lines.push(crate::svgkit::fit(
            &format!("{t} ({})", n.status.unwrap_or("open")),
            BOX_W - 16.0,
            10.0,
        ));
    }
    let h = lines.len() as f64 * LINE_H + 12.0;
    let slot = out.len();
    out.push(Placed {
        x: 16.0 + depth as f64 * LEVEL_W,
        y: 0.0,
        h,
        lines,
        title_lines,
    });
    if n.children.is_empty() {
        out[slot].y = *y;
        *y += h + GAP;
    } else {
        let mut first = f64::MAX;
        let mut last: f64 = 0.0;
        for c in &n.children {
            let (ci, cy) = place(c, depth + 1, y, out);
            let centre = cy + out[ci].h / 2.0;
            first = first.min(centre);
            last = last.max(centre);
        }
        out[slot].y = ((first + last) / 2.0 - h / 2.0).max(0.0);
    }
    (slot, out[slot].y)
}

/// The tree as a standalone SVG document.
pub fn svg(t: &Tree) -> String {
    let mut placed = Vec::new();
    let mut y = 44.0;
    place(&t.root, 0, &mut y, &mut placed);
    let mut nodes = Vec::new();
    t.root.walk(&mut nodes);
    let depth_max = placed.iter().map(|p| p.x).fold(0.0, f64::max);
    let width = (depth_max + BOX_W + 24.0).max(600.0);
    let height = y + 16.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tw-tree\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"{t}\"><title>{t}</title><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        w = num(width),
        h = num(height),
        t = esc(&t.goal)
    );
    let _ = write!(
        s,
        "<text x=\"16\" y=\"22\" font-size=\"14\" font-weight=\"bold\" fill=\"#111827\">{}</text><text x=\"16\" y=\"37\" font-size=\"11\" fill=\"#374151\">{} to succeed · cheapest way {} · red: the cheapest way</text>",
        esc(&t.goal),
        pct(t.probability),
        usd(t.cost)
    );
    // Parent → child connectors, from the index order of the depth-first walk.
    let index: std::collections::HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for (i, n) in nodes.iter().enumerate() {
        let p = &placed[i];
        for c in &n.children {
            let q = &placed[index[c.id.as_str()]];
            let (x0, y0) = (p.x + BOX_W, p.y + p.h / 2.0);
            let (x1, y1) = (q.x, q.y + q.h / 2.0);
            let hot = n.cheapest && c.cheapest;
            let _ = write!(
                s,
                "<path d=\"M{},{} C{},{} {},{} {},{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>",
                num(x0),
                num(y0),
                num((x0 + x1) / 2.0),
                num(y0),
                num((x0 + x1) / 2.0),
                num(y1),
                num(x1),
                num(y1),
                if hot { "#b91c1c" } else { "#9ca3af" },
                if hot { "2.6" } else { "1.2" }
            );
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        let p = &placed[i];
        let (fill, stroke) = match n.kind {
            NodeKind::Defense => ("#e0ecff", "#1d4ed8"),
            NodeKind::Entry => ("#f3f4f6", "#374151"),
            _ => colours(n.severity),
        };
        let rx = if n.gate == NodeGate::Leaf { 10.0 } else { 3.0 };
        let mut tip = n.title.clone();
        if !n.defenses.is_empty() {
            let _ = write!(tip, "\ndefences: {}", n.defenses.join(", "));
        }
        if n.estimated {
            tip.push_str("\n(estimated numbers)");
        }
        let _ = write!(
            s,
            "<g class=\"tw-tree-node{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
            if n.cheapest { " tw-cheapest" } else { "" },
            esc(&tip),
            num(p.x),
            num(p.y),
            num(BOX_W),
            num(p.h),
            if n.cheapest { "#b91c1c" } else { stroke },
            if n.cheapest { "2.4" } else { "1.2" },
            if n.kind == NodeKind::Defense {
                " stroke-dasharray=\"4 3\""
            } else {
                ""
            }
        );
        for (k, line) in p.lines.iter().enumerate() {
            let bold = k == 0 && n.gate != NodeGate::Leaf;
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{} fill=\"#111827\">{}</text>",
                num(p.x + 8.0),
                num(p.y + 16.0 + k as f64 * LINE_H),
                if k >= p.title_lines { "10" } else { "11" },
                if bold { " font-weight=\"bold\"" } else { "" },
                esc(line)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}
