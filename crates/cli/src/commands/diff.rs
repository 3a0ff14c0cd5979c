//! `threatwright diff OLD NEW`: threats added, removed and changed, risk deltas, changed
//! elements and new flows across trust boundaries.

use super::Exit;
use super::analyze::load_and_analyze;
use crate::args::{DiffArgs, DiffFormat};
use std::io::Write;
use threatwright_report::diff::{diff, markdown};

pub fn run(args: &DiffArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let limits = args.limits.limits();
    let Some(catalog) = args.catalog.load(out)? else {
        writeln!(out, "✗ the rule catalog has errors")?;
        return Ok(Exit::Failure);
    };
    let opts = args.policy.options(&args.new)?;
    let Some((old_loaded, old)) = load_and_analyze(&args.old, &limits, &catalog, &opts, out)?
    else {
        return Ok(Exit::Findings);
    };
    let Some((new_loaded, new)) = load_and_analyze(&args.new, &limits, &catalog, &opts, out)?
    else {
        return Ok(Exit::Findings);
    };
    let (Some(om), Some(nm)) = (&old_loaded.model, &new_loaded.model) else {
        return Ok(Exit::Findings);
    };
    let d = diff(om, &old, nm, &new);
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &d)?;
            writeln!(out)?;
        }
        DiffFormat::Markdown | DiffFormat::Human => {
            write!(out, "{}", markdown(&d, &args.old, &args.new))?
        }
    }
    Ok(Exit::Clean)
}
