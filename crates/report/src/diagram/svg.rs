//! SVG of a diagram, drawn from the swimlane layout without any external program; or,
//! on request, laid out by Graphviz `dot` when it is installed.

use super::layout::{self, COL_W, LANE_HEADER, Layout, NODE_H, NODE_W};
use super::{CROSSING, Diagram, Shape, colours, zone_fill};
use crate::svgkit::{esc, fit, num};
use std::fmt::Write;
use threatwright_engine::Severity;

/// The outline of a node of `shape` at (x, y) with the layout's node size.
fn outline(shape: Shape, x: f64, y: f64, fill: &str, stroke: &str) -> String {
    outline_sized(shape, x, y, NODE_W, NODE_H, fill, stroke)
}

fn outline_sized(shape: Shape, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: &str) -> String {
    // Corner cuts shrink with small (legend) drawings.
    let k = (h / NODE_H).min(1.0);
    let (r, b) = (x + w, y + h);
    let cy = y + h / 2.0;
    let style = format!("fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.6\"");
    let poly = |pts: &[(f64, f64)]| {
        let p: Vec<String> = pts
            .iter()
            .map(|(a, b)| format!("{},{}", num(*a), num(*b)))
            .collect();
        format!("<polygon points=\"{}\" {style}/>", p.join(" "))
    };
    match shape {
        Shape::Actor => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {style}/>",
            num(x),
            num(y),
            num(w),
            num(h),
            num(h / 2.0)
        ),
        Shape::External => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {style}/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{stroke}\"/>",
            num(x),
            num(y),
            num(w),
            num(h),
            num(x + 3.0 * k),
            num(y + 3.0 * k),
            num(w - 6.0 * k),
            num(h - 6.0 * k)
        ),
        Shape::Process => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" {style}/>",
            num(x),
            num(y),
            num(w),
            num(h)
        ),
        Shape::Store => {
            let e = 6.0 * k;
            format!(
                "<path d=\"M{x0},{y1} A{rx},{e} 0 0 1 {x1},{y1} V{y2} A{rx},{e} 0 0 1 {x0},{y2} Z\" {style}/><path d=\"M{x0},{y1} A{rx},{e} 0 0 0 {x1},{y1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
                x0 = num(x),
                x1 = num(r),
                y1 = num(y + e),
                y2 = num(b - e),
                rx = num(w / 2.0)
            )
        }
        Shape::Model => poly(&[(x, y), (r - 14.0 * k, y), (r, y + 14.0 * k), (r, b), (x, b)]),
        Shape::Llm | Shape::Agent => {
            let mut s = poly(&[
                (x + 14.0 * k, y),
                (r - 14.0 * k, y),
                (r, cy),
                (r - 14.0 * k, b),
                (x + 14.0 * k, b),
                (x, cy),
            ]);
            if shape == Shape::Agent {
                let _ = write!(
                    s,
                    "<polygon points=\"{},{} {},{} {},{} {},{} {},{} {},{}\" fill=\"none\" stroke=\"{stroke}\"/>",
                    num(x + 17.0 * k),
                    num(y + 4.0 * k),
                    num(r - 17.0 * k),
                    num(y + 4.0 * k),
                    num(r - 4.0 * k),
                    num(cy),
                    num(r - 17.0 * k),
                    num(b - 4.0 * k),
                    num(x + 17.0 * k),
                    num(b - 4.0 * k),
                    num(x + 4.0 * k),
                    num(cy)
                );
            }
            s
        }
        Shape::Inference => poly(&[
            (x + 10.0 * k, y),
            (r - 10.0 * k, y),
            (r, y + 10.0 * k),
            (r, b - 10.0 * k),
            (r - 10.0 * k, b),
            (x + 10.0 * k, b),
            (x, b - 10.0 * k),
            (x, y + 10.0 * k),
        ]),
        Shape::Tool => poly(&[
            (x, y),
            (r - 14.0 * k, y),
            (r, cy),
            (r - 14.0 * k, b),
            (x, b),
        ]),
        Shape::Guardrail => poly(&[(x, y), (r, y), (r - 16.0 * k, b), (x + 16.0 * k, b)]),
        Shape::Review => poly(&[
            (x, y + 12.0 * k),
            (x + w / 2.0, y),
            (r, y + 12.0 * k),
            (r, b),
            (x, b),
        ]),
        Shape::Source => poly(&[(x + 14.0 * k, y), (r, y), (r - 14.0 * k, b), (x, b)]),
        Shape::Training => {
            let d = 5.0 * k;
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {style}/>{}{}",
                num(x),
                num(y + d),
                num(w - d),
                num(h - d),
                poly(&[(x, y + d), (x + d, y), (r, y), (r - d, y + d)]),
                poly(&[(r - d, y + d), (r, y), (r, b - d), (r - d, b)])
            )
        }
    }
}

type Pt = (f64, f64);

/// A point of the cubic Bézier `c` at `t`.
fn at(c: &[Pt; 4], t: f64) -> Pt {
    let u = 1.0 - t;
    let (a, b, d, e) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + d * c[2].0 + e * c[3].0,
        a * c[0].1 + b * c[1].1 + d * c[2].1 + e * c[3].1,
    )
}

/// Rectangles already drawn, bucketed on a coarse grid so checking a label is cheap
/// even on large drawings.
#[derive(Default)]
struct Occupied {
    cells: std::collections::HashMap<(i64, i64), Vec<[f64; 4]>>,
}

impl Occupied {
    const CELL: f64 = 120.0;

    fn keys(r: &[f64; 4]) -> impl Iterator<Item = (i64, i64)> {
        let (x0, y0) = (
            (r[0] / Self::CELL).floor() as i64,
            (r[1] / Self::CELL).floor() as i64,
        );
        let (x1, y1) = (
            ((r[0] + r[2]) / Self::CELL).floor() as i64,
            ((r[1] + r[3]) / Self::CELL).floor() as i64,
        );
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    fn add(&mut self, r: [f64; 4]) {
        for k in Self::keys(&r) {
            self.cells.entry(k).or_default().push(r);
        }
    }

    fn hits(&self, r: &[f64; 4]) -> bool {
        Self::keys(r).any(|k| {
            self.cells.get(&k).is_some_and(|v| {
                v.iter().any(|o| {
                    r[0] < o[0] + o[2]
                        && o[0] < r[0] + r[2]
                        && r[1] < o[1] + o[3]
                        && o[1] < r[1] + r[3]
                })
            })
        })
    }
}

/// A cubic curve from `a` to `b` (centres of the node sides it leaves and enters), as
/// SVG path data and control points.
fn route(l: &Layout, from: usize, to: usize) -> (String, [Pt; 4]) {
    let (ax, ay) = l.pos[from];
    let (bx, by) = l.pos[to];
    let (ca, cb) = (l.column[from], l.column[to]);
    let (p0, c1, c2, p3);
    if cb > ca {
        p0 = (ax + NODE_W, ay + NODE_H / 2.0);
        p3 = (bx, by + NODE_H / 2.0);
        let dx = (p3.0 - p0.0) / 2.0;
        c1 = (p0.0 + dx, p0.1);
        c2 = (p3.0 - dx, p3.1);
    } else if cb == ca && (ay - by).abs() > 1.0 {
        let down = by > ay;
        p0 = (
            ax + NODE_W / 2.0 + 12.0,
            if down { ay + NODE_H } else { ay },
        );
        p3 = (
            bx + NODE_W / 2.0 + 12.0,
            if down { by } else { by + NODE_H },
        );
        let dy = (p3.1 - p0.1) / 2.0;
        c1 = (p0.0 + 30.0, p0.1 + dy);
        c2 = (p3.0 + 30.0, p3.1 - dy);
    } else {
        // Back edge: leave from the bottom, loop below, enter from the bottom.
        p0 = (ax + NODE_W / 2.0 - 20.0, ay + NODE_H);
        p3 = (bx + NODE_W / 2.0 + 20.0, by + NODE_H);
        let drop = 34.0 + (ca.abs_diff(cb) as f64) * 6.0;
        c1 = (p0.0, p0.1.max(p3.1) + drop);
        c2 = (p3.0, p0.1.max(p3.1) + drop);
    }
    (
        format!(
            "M{},{} C{},{} {},{} {},{}",
            num(p0.0),
            num(p0.1),
            num(c1.0),
            num(c1.1),
            num(c2.0),
            num(c2.1),
            num(p3.0),
            num(p3.1)
        ),
        [p0, c1, c2, p3],
    )
}

/// The diagram as a standalone SVG document (it also embeds as is in HTML).
pub fn render(d: &Diagram) -> String {
    let l = layout::layout(d);
    let legend_h = 58.0;
    let width = l.width.max(720.0);
    let height = l.height + legend_h;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tw-diagram\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"{t}\">",
        w = num(width),
        h = num(height),
        t = esc(&d.title)
    );
    let _ = write!(s, "<title>{}</title>", esc(&d.title));
    let _ = write!(
        s,
        "<defs><marker id=\"tw-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#4b5563\"/></marker><marker id=\"tw-arrow-x\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{CROSSING}\"/></marker></defs>"
    );
    let _ = write!(s, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    for lane in &l.lanes {
        let (label, trust) = match lane.zone {
            Some(z) => (d.zones[z].label.as_str(), d.zones[z].trust),
            None => ("(no zone)", None),
        };
        let _ = write!(
            s,
            "<g class=\"tw-zone\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"#6b7280\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"bold\" fill=\"#374151\">{}</text></g>",
            num(lane.x),
            num(lane.y),
            num(lane.w),
            num(lane.h),
            zone_fill(trust),
            num(lane.x + 8.0),
            num(lane.y + LANE_HEADER - 8.0),
            esc(label)
        );
    }
    // Edges under nodes; labels on top of everything.
    let mut labels = String::new();
    let mut taken = Occupied::default();
    for (x, y) in &l.pos {
        taken.add([*x - 4.0, *y - 10.0, NODE_W + 8.0, NODE_H + 14.0]);
    }
    for lane in &l.lanes {
        let label = lane.zone.map_or("(no zone)", |z| d.zones[z].label.as_str());
        taken.add([
            lane.x,
            lane.y,
            crate::svgkit::text_width(label, 12.0) * 1.15 + 16.0,
            LANE_HEADER,
        ]);
    }
    for e in &d.edges {
        if e.from == e.to {
            continue;
        }
        let (path, curve) = route(&l, e.from, e.to);
        let (colour, width, marker) = if e.crossing {
            (CROSSING, 2.4, "tw-arrow-x")
        } else {
            ("#4b5563", 1.3, "tw-arrow")
        };
        let dash = if e.derived {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<g class=\"tw-flow{}\"><title>{}</title><path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash} marker-end=\"url(#{marker})\"/></g>",
            if e.crossing { " tw-crossing" } else { "" },
            esc(&e.tooltip)
        );
        if !e.label.is_empty() {
            let text = fit(&e.label, COL_W - NODE_W + 70.0, 10.0);
            let tw = crate::svgkit::text_width(&text, 10.0) + 8.0;
            // The first spot along the curve that covers no node and no other label;
            // failing that, the middle nudged down until free.
            let rect = |p: Pt| [p.0 - tw / 2.0, p.1 - 7.0, tw, 14.0];
            let spot = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]
                .iter()
                .map(|t| at(&curve, *t))
                .find(|p| !taken.hits(&rect(*p)));
            // No free spot: stay on the edge (an overlap misleads less than a label
            // drifting next to another flow).
            let mid = spot.unwrap_or_else(|| at(&curve, 0.5));
            taken.add(rect(mid));
            let _ = write!(
                labels,
                "<g class=\"tw-flow-label\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"{}\" stroke-width=\"0.6\"/><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#111827\">{}</text></g>",
                esc(&e.tooltip),
                num(mid.0 - tw / 2.0),
                num(mid.1 - 7.0),
                num(tw),
                if e.crossing { CROSSING } else { "#9ca3af" },
                num(mid.0),
                num(mid.1 + 3.5),
                esc(&text)
            );
        }
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let (x, y) = l.pos[i];
        let (fill, stroke) = colours(n.risk);
        let _ = write!(
            s,
            "<g class=\"tw-node\" data-id=\"{}\" data-kind=\"{}\"><title>{}</title>{}<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#111827\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#4b5563\">{}</text>",
            esc(&n.id),
            n.kind,
            esc(&n.tooltip),
            outline(n.shape, x, y, fill, stroke),
            num(x + NODE_W / 2.0),
            num(y + 22.0),
            esc(&fit(&n.label, (NODE_W - 30.0) / 1.12, 12.0)),
            num(x + NODE_W / 2.0),
            num(y + 37.0),
            esc(&fit(&format!("«{}»", n.note), NODE_W - 24.0, 10.0))
        );
        if n.open_threats > 0 {
            let _ = write!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"{stroke}\"/><text x=\"{}\" y=\"{}\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\">{}</text>",
                num(x + NODE_W - 4.0),
                num(y + 2.0),
                num(x + NODE_W - 4.0),
                num(y + 5.5),
                n.open_threats
            );
        }
        s.push_str("</g>");
    }
    s.push_str(&labels);
    legend(&mut s, d, l.height, width);
    s.push_str("</svg>");
    s
}

fn legend(s: &mut String, d: &Diagram, top: f64, width: f64) {
    let _ = write!(
        s,
        "<g class=\"tw-legend\" font-size=\"10\" fill=\"#374151\">"
    );
    let mut x = 16.0;
    let y = top + 6.0;
    for (sev, name) in [
        (Some(Severity::Critical), "critical"),
        (Some(Severity::High), "high"),
        (Some(Severity::Medium), "medium"),
        (Some(Severity::Low), "low"),
        (None, "no open threat"),
    ] {
        let (fill, stroke) = colours(sev);
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"{}\">{name}</text>",
            num(x),
            num(y),
            num(x + 18.0),
            num(y + 9.0)
        );
        x += 30.0 + crate::svgkit::text_width(name, 10.0) * 1.1;
    }
    let _ = write!(
        s,
        "<path d=\"M{},{} h26\" stroke=\"{CROSSING}\" stroke-width=\"2.4\"/><text x=\"{}\" y=\"{}\">crosses a trust boundary</text>",
        num(x),
        num(y + 5.0),
        num(x + 30.0),
        num(y + 9.0)
    );
    x += 170.0;
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\">fill: highest open residual risk · badge: open threats</text>",
        num(x),
        num(y + 9.0)
    );
    // Shapes used, on a second line.
    let mut x = 16.0;
    let y2 = y + 24.0;
    let (mw, mh) = (34.0, 14.0);
    for shape in d.shapes() {
        if x > width - 120.0 {
            break;
        }
        let mini = outline_sized(shape, x, y2 - 2.0, mw, mh, "#ffffff", "#4b5563");
        let _ = write!(
            s,
            "{mini}<text x=\"{}\" y=\"{}\">{}</text>",
            num(x + mw + 5.0),
            num(y2 + 8.0),
            esc(shape.legend())
        );
        x += mw + 22.0 + crate::svgkit::text_width(shape.legend(), 10.0) * 1.1;
    }
    s.push_str("</g>");
}

/// Lays the diagram out with Graphviz `dot` when it is installed (`None` when not),
/// giving up after `timeout`: `dot` can take many minutes and gigabytes on a few thousand
/// clustered nodes, and a report must never hang on it.
pub fn via_graphviz(d: &Diagram, timeout: std::time::Duration) -> Option<Result<String, String>> {
    use std::io::{Read as _, Write as _};
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let text = super::dot::render(d);
    let mut stdin = child.stdin.take()?;
    let mut stdout = child.stdout.take()?;
    let mut stderr = child.stderr.take()?;
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stderr.read_to_string(&mut out);
        out
    });
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Some(Err(format!(
                    "Graphviz dot took longer than {} s on {} components and was stopped",
                    timeout.as_secs(),
                    d.nodes.len()
                )));
            }
            Err(e) => return Some(Err(format!("running Graphviz dot: {e}"))),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() {
        return Some(Err(format!("Graphviz dot failed: {}", err.trim())));
    }
    let svg = String::from_utf8_lossy(&out);
    // Drop the XML prolog and doctype so the SVG embeds in HTML.
    let start = svg.find("<svg").unwrap_or(0);
    Some(Ok(svg[start..].to_owned()))
}
