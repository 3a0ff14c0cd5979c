//! `threatwright diagram`: the data-flow diagram or a data asset's lineage.

use super::Exit;
use super::views::{analyse, emit};
use crate::args::{DiagramArgs, DiagramFormat, Layout};
use anyhow::bail;
use std::io::Write;
use threatwright_engine::lineage;
use threatwright_report::diagram::{self, Diagram};

/// Above this many components the builtin layout gets wide; Graphviz packs tighter.
const GRAPHVIZ_ABOVE: usize = 150;

/// SVG of `d`, laid out as `layout` asks.
pub fn svg(d: &Diagram, layout: Layout) -> anyhow::Result<String> {
    let graphviz = match layout {
        Layout::Builtin => false,
        Layout::Graphviz => true,
        Layout::Auto => d.nodes.len() > GRAPHVIZ_ABOVE,
    };
    if graphviz {
        match diagram::svg::via_graphviz(d) {
            Some(Ok(s)) => return Ok(s),
            Some(Err(e)) => bail!("{e}"),
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
