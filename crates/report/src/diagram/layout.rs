//! A swimlane layout in pure Rust: each trust zone is a horizontal lane (nested zones
//! inside their parent's lane, least trusted at the top), and components stand in
//! columns by how far along the flows they are, so data reads left to right and every
//! flow that crosses a lane line crosses a trust boundary.
//!
//! It runs in time linear in nodes and edges (plus a sort per lane), so it also draws
//! large models; Graphviz gives tighter pictures there when it is installed.

use super::Diagram;
use std::collections::VecDeque;
use threatwright_model::types::Trust;

pub const NODE_W: f64 = 156.0;
pub const NODE_H: f64 = 50.0;
pub const COL_W: f64 = 270.0;
pub const ROW_H: f64 = 84.0;
pub const LANE_HEADER: f64 = 24.0;
pub const LANE_PAD: f64 = 10.0;
pub const MARGIN: f64 = 24.0;

#[derive(Clone, Debug)]
pub struct Lane {
    /// Index into the diagram's zones; `None` for components without a zone.
    pub zone: Option<usize>,
    pub depth: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

#[derive(Clone, Debug)]
pub struct Layout {
    /// Top-left corner of each node.
    pub pos: Vec<(f64, f64)>,
    pub column: Vec<usize>,
    pub lanes: Vec<Lane>,
    pub width: f64,
    pub height: f64,
}

/// Columns: longest path from the sources over the flows, with cycles broken where a
/// depth-first search finds a back edge.
fn columns(d: &Diagram) -> Vec<usize> {
    let n = d.nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &d.edges {
        if e.from != e.to {
            out[e.from].push(e.to);
        }
    }
    // Iterative DFS marking back edges.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut keep: Vec<Vec<usize>> = vec![Vec::new(); n];
    for s in 0..n {
        if state[s] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
        state[s] = 1;
        while let Some(&mut (u, ref mut k)) = stack.last_mut() {
            if *k < out[u].len() {
                let v = out[u][*k];
                *k += 1;
                match state[v] {
                    0 => {
                        keep[u].push(v);
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => {} // back edge: dropped for ranking
                    _ => keep[u].push(v),
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    let mut indeg = vec![0usize; n];
    for vs in &keep {
        for &v in vs {
            indeg[v] += 1;
        }
    }
    let mut col = vec![0usize; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|i| indeg[*i] == 0).collect();
    while let Some(u) = queue.pop_front() {
        for &v in &keep[u] {
            col[v] = col[v].max(col[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    // Pull sources right next to the first thing they talk to, so a lone user does not
    // sit columns away from its app.
    let mut has_in = vec![false; n];
    for e in &d.edges {
        if e.from != e.to {
            has_in[e.to] = true;
        }
    }
    for u in 0..n {
        if !has_in[u]
            && let Some(m) = keep[u].iter().map(|v| col[*v]).min()
        {
            col[u] = m.saturating_sub(1);
        }
    }
    col
}

fn trust_order(t: Option<Trust>) -> usize {
    match t {
        Some(Trust::Untrusted) => 0,
        Some(Trust::Partner) => 1,
        Some(Trust::Internal) => 2,
        Some(Trust::Restricted) => 3,
        None => 4,
    }
}

pub fn layout(d: &Diagram) -> Layout {
    let col = columns(d);
    let max_col = col.iter().copied().max().unwrap_or(0);
    let width = MARGIN * 2.0 + (max_col as f64 + 1.0) * COL_W - (COL_W - NODE_W);
    // Zone tree, ordered by trust then by model order.
    let zcount = d.zones.len();
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); zcount];
    let mut roots: Vec<usize> = Vec::new();
    for z in 0..zcount {
        match d.zones[z].parent {
            Some(p) if p != z => kids[p].push(z),
            _ => roots.push(z),
        }
    }
    let key = |z: &usize| (trust_order(d.zones[*z].trust), *z);
    roots.sort_by_key(key);
    for k in &mut kids {
        k.sort_by_key(key);
    }
    // Members per lane, ordered within each column by the average column of their
    // neighbours, then by model order.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); zcount + 1];
    for (i, n) in d.nodes.iter().enumerate() {
        members[n.zone.unwrap_or(zcount)].push(i);
    }
    let mut pos = vec![(0.0, 0.0); d.nodes.len()];
    let mut lanes = Vec::new();
    struct Cx<'a> {
        neighbours: &'a [Vec<usize>],
        col: &'a [usize],
        kids: &'a [Vec<usize>],
        members: &'a [Vec<usize>],
        /// Zones with a member in their subtree; empty zones are not drawn.
        used: &'a [bool],
        pos: &'a mut Vec<(f64, f64)>,
        lanes: &'a mut Vec<Lane>,
        width: f64,
        visiting: Vec<bool>,
    }
    /// Places zone `z` (or the zoneless lane) at `y`; returns its height.
    fn place(cx: &mut Cx, z: Option<usize>, depth: usize, y: f64) -> f64 {
        let zcount = cx.kids.len();
        let idx = z.unwrap_or(zcount);
        if let Some(z) = z {
            if cx.visiting[z] {
                return 0.0;
            }
            cx.visiting[z] = true;
        }
        let inset = depth as f64 * 8.0;
        let lane_slot = cx.lanes.len();
        cx.lanes.push(Lane {
            zone: z,
            depth,
            x: MARGIN / 2.0 + inset,
            y,
            w: cx.width - MARGIN - 2.0 * inset,
            h: 0.0,
        });
        // Stack members per column.
        let mut by_col: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for &i in &cx.members[idx] {
            by_col.entry(cx.col[i]).or_default().push(i);
        }
        let mut rows = 0usize;
        for (c, list) in by_col.iter_mut() {
            let bary = |i: usize| -> f64 {
                let ns = &cx.neighbours[i];
                if ns.is_empty() {
                    return f64::MAX;
                }
                ns.iter().map(|n| cx.pos[*n].1).sum::<f64>() / ns.len() as f64
            };
            if list.len() > 1 {
                let mut keyed: Vec<(f64, usize)> = list.iter().map(|i| (bary(*i), *i)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                *list = keyed.into_iter().map(|k| k.1).collect();
            }
            for (r, &i) in list.iter().enumerate() {
                cx.pos[i] = (
                    MARGIN + *c as f64 * COL_W,
                    y + LANE_HEADER + LANE_PAD + r as f64 * ROW_H,
                );
            }
            rows = rows.max(list.len());
        }
        let mut h = LANE_HEADER + LANE_PAD + rows as f64 * ROW_H;
        if rows > 0 {
            h -= ROW_H - NODE_H - LANE_PAD;
        }
        if let Some(z) = z {
            for k in cx.kids[z].clone() {
                if cx.used[k] {
                    h += place(cx, Some(k), depth + 1, y + h) + LANE_PAD;
                }
            }
            cx.visiting[z] = false;
        }
        cx.lanes[lane_slot].h = h;
        h
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); d.nodes.len()];
    for e in &d.edges {
        neighbours[e.from].push(e.to);
        neighbours[e.to].push(e.from);
    }
    let used = d.used_zones();
    let mut cx = Cx {
        neighbours: &neighbours,
        col: &col,
        kids: &kids,
        members: &members,
        used: &used,
        pos: &mut pos,
        lanes: &mut lanes,
        width,
        visiting: vec![false; zcount],
    };
    let mut y = MARGIN;
    for z in roots {
        if used[z] {
            y += place(&mut cx, Some(z), 0, y) + LANE_PAD * 1.5;
        }
    }
    if !members[zcount].is_empty() {
        y += place(&mut cx, None, 0, y) + LANE_PAD * 1.5;
    }
    Layout {
        pos,
        column: col,
        lanes,
        width,
        height: y + MARGIN,
    }
}
