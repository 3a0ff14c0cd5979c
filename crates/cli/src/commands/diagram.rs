//! `threatwright diagram`: the data-flow diagram or a data asset's lineage.

use super::Exit;
use super::views::{analyse, emit};
use crate::args::{DiagramArgs, DiagramFormat, Layout};
use anyhow::bail;
use std::io::Write;
use threatwright_engine::lineage;
use threatwright_report::diagram::{self, Diagram};

/// Between these sizes `auto` prefers Graphviz, which packs medium models tighter than
/// the builtin lanes. Above them `dot` slows down steeply (minutes and gigabytes at two
/// thousand clustered components), so the builtin layout, linear in the model, takes
/// over.
const GRAPHVIZ_FROM: usize = 150;
const GRAPHVIZ_UP_TO: usize = 600;

/// SVG of `d`, laid out as `layout` asks. `auto` falls back to the builtin layout when
/// Graphviz is missing, fails or runs out of time (saying so on standard error).
pub fn svg(d: &Diagram, layout: Layout) -> anyhow::Result<String> {
    let n = d.nodes.len();
    let (graphviz, timeout) = match layout {
        Layout::Builtin => (false, 0),
        Layout::Graphviz => (true, 300),
        Layout::Auto => ((GRAPHVIZ_FROM..=GRAPHVIZ_UP_TO).contains(&n), 30),
    };
    if graphviz {
        match diagram::svg::via_graphviz(d, std::time::Duration::from_secs(timeout)) {
            Some(Ok(s)) => return Ok(s),
            Some(Err(e)) if layout == Layout::Graphviz => bail!("{e}"),
            Some(Err(e)) => eprintln!("note: {e}; drawing with the builtin layout instead"),
            None if layout == Layout::Graphviz => {
                bail!("Graphviz `dot` is not installed; install graphviz or use --layout builtin")
            }
            None => {}
        }
    }
    Ok(diagram::svg::render(d))
}

pub fn run(args: &DiagramArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(a) = analyse(&args.source, out)? else {
        return Ok(Exit::Findings);
    };
    let model = a.model();
    let d = match &args.lineage {
        Some(data) => {
            if !model.data.iter().any(|d| d.id.as_str() == data) {
                let known: Vec<&str> = model.data.iter().map(|d| d.id.as_str()).collect();
                bail!(
                    "no data asset `{data}` in the model; its data ids are: {}",
                    known.join(", ")
                );
            }
            diagram::lineage(model, &a.assessment, &lineage::trace(model, data))
        }
        None => diagram::dfd(model, &a.assessment),
    };
    let text = match args.format {
        DiagramFormat::Dot => diagram::dot::render(&d),
        DiagramFormat::Mermaid => diagram::mermaid::render(&d),
        DiagramFormat::Svg => svg(&d, args.layout)? + "\n",
    };
    emit(args.output.as_deref(), text.as_bytes(), out)?;
    Ok(Exit::Clean)
}
