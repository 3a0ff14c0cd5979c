//! `threatwright bom`: the AI bill of materials as CycloneDX 1.6 JSON.

use super::Exit;
use super::views::{analyse, emit};
use crate::args::BomArgs;
use std::io::Write;

pub fn run(args: &BomArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(a) = analyse(&args.source, out)? else {
        return Ok(Exit::Findings);
    };
    let bom = threatwright_report::bom::render(a.model(), &a.assessment, &args.source.model);
    let text = serde_json::to_string_pretty(&bom)? + "\n";
    emit(args.output.as_deref(), text.as_bytes(), out)?;
    Ok(Exit::Clean)
}
