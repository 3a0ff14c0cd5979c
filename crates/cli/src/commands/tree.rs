//! `threatwright tree`: attack trees, generated and hand-written, evaluated.

use super::Exit;
use super::views::{analyse, emit};
use crate::args::{TreeArgs, TreeFormat};
use anyhow::bail;
use std::io::Write;
use threatwright_engine::trees::{self, Goal};
use threatwright_report::tree;

pub fn run(args: &TreeArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(a) = analyse(&args.source, out)? else {
        return Ok(Exit::Findings);
    };
    let model = a.model();
    let mut all = trees::build(model, &a.assessment, &[]);
    if let Some(goal) = &args.goal {
        all.retain(|t| &t.id == goal);
        if all.is_empty() {
            let generated: Vec<&str> = Goal::ALL.iter().map(|g| g.id()).collect();
            let written: Vec<&str> = model.attack_trees.iter().map(|t| t.id.as_str()).collect();
            if Goal::parse(goal).is_some() {
                bail!(
                    "no attack tree for goal `{goal}`: no threat found in this model leads to it"
                );
            }
            bail!(
                "unknown goal `{goal}`; generated goals: {}; hand-written trees: {}",
                generated.join(", "),
                if written.is_empty() {
                    "none".to_owned()
                } else {
                    written.join(", ")
                }
            );
        }
    }
    let text = match args.format {
        TreeFormat::Json => serde_json::to_string_pretty(&all)? + "\n",
        TreeFormat::Human => {
            if all.is_empty() {
                "No attack tree: no threat found in this model leads to a known attacker goal.\n"
                    .to_owned()
            } else {
                all.iter().map(tree::outline).collect::<Vec<_>>().join("\n")
            }
        }
        TreeFormat::Mermaid => all.iter().map(tree::mermaid).collect::<Vec<_>>().join("\n"),
        TreeFormat::Dot => all.iter().map(tree::dot).collect::<Vec<_>>().join("\n"),
        TreeFormat::Svg => {
            if all.len() > 1 {
                bail!(
                    "SVG holds one tree; choose it with --goal ({})",
                    all.iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            all.first().map(tree::svg).unwrap_or_default() + "\n"
        }
    };
    emit(args.output.as_deref(), text.as_bytes(), out)?;
    Ok(Exit::Clean)
}
