//! `threatwright check`: the CI gate. Fails on open threats at or above a level, or —
//! with a baseline — only on those that are new or worse, and says how to resolve each.

use super::Exit;
use super::analyze::{leave, load_and_analyze, load_both_and_analyze};
use crate::args::{CheckArgs, ReportFormat};
use std::collections::HashMap;
use std::io::Write;
use threatwright_engine::Threat;

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let opts = args.policy.options(&args.model)?;
    let limits = args.limits.limits();
    let (catalog, loaded, a) =
        match load_both_and_analyze(&args.catalog, &args.model, &limits, &opts, out)? {
            Ok(done) => done,
            Err(exit) => return Ok(exit),
        };
    let baseline: Option<HashMap<String, u32>> = match &args.baseline {
        None => None,
        Some(spec) => {
            let mut sink = Vec::new();
            match load_and_analyze(spec, &limits, &catalog, &opts, &mut sink)? {
                Some((_, b)) => Some(
                    b.threats
                        .iter()
                        .filter(|t| t.is_open())
                        .map(|t| (t.id.clone(), t.residual.score))
                        .collect(),
                ),
                None => {
                    out.write_all(&sink)?;
                    anyhow::bail!("the baseline {spec} has errors; fix it or drop --baseline");
                }
            }
        }
    };
    let level = args.fail_on.severity();
    let gated = |t: &Threat| -> bool {
        t.is_open()
            && t.residual.severity >= level
            && baseline
                .as_ref()
                .is_none_or(|b| b.get(&t.id).is_none_or(|old| t.residual.score > *old))
    };
    let gated_list: Vec<&Threat> = a.threats.iter().filter(|t| gated(t)).collect();
    let gated_ids: std::collections::HashSet<&str> =
        gated_list.iter().map(|t| t.id.as_str()).collect();
    // One failure per cause: a threat that is part of another failing one is reported
    // under it.
    let failing: Vec<&Threat> = gated_list
        .iter()
        .copied()
        .filter(|t| {
            t.part_of
                .as_deref()
                .is_none_or(|head| !gated_ids.contains(head))
        })
        .collect();
    match args.format {
        ReportFormat::Json => {
            let v = serde_json::json!({
                "format_version": 1,
                "passed": failing.is_empty(),
                "fail_on": level.as_str(),
                "baseline": args.baseline,
                "failing": failing.iter().map(|t| serde_json::json!({"id": t.id, "severity": t.residual.severity.as_str(), "risk": t.residual.score, "status": t.status, "new": baseline.as_ref().is_some_and(|b| !b.contains_key(&t.id)), "location": t.location})).collect::<Vec<_>>(),
                "tracking_warnings": a.tracking_warnings,
            });
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
        ReportFormat::Sarif | ReportFormat::Junit => {
            super::analyze::write_report(args.format, &a, &catalog, level, out)?
        }
        ReportFormat::Human => human(
            &a,
            &failing,
            level.as_str(),
            args.baseline.as_deref(),
            baseline.as_ref(),
            out,
        )?,
    }
    let exit = if failing.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    };
    drop(failing);
    leave((catalog, loaded, a));
    Ok(exit)
}

fn human(
    a: &threatwright_engine::Assessment,
    failing: &[&Threat],
    level: &str,
    base_name: Option<&str>,
    baseline: Option<&HashMap<String, u32>>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    super::analyze::tracking_warnings(a, out)?;
    let scope = base_name.map_or(String::new(), |b| format!(" new or worse than in {b}"));
    if failing.is_empty() {
        writeln!(
            out,
            "✓ passed: no open threat{scope} at or above {level} ({} threats, {} open)",
            a.summary.threats, a.summary.open
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "✗ failed: {} open threat(s){scope} at or above {level}\n",
        failing.len()
    )?;
    for t in failing {
        let at = t
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
            .unwrap_or_default();
        let why = match baseline.and_then(|b| b.get(&t.id)) {
            Some(old) => format!("risk rose from {old} to {}", t.residual.score),
            None if baseline.is_some() => "new".to_owned(),
            None => format!("{} risk {}", t.residual.severity.as_str(), t.residual.score),
        };
        writeln!(out, "  {}  ({why})  {at}", t.id)?;
        writeln!(out, "    {}", t.title)?;
        let parts: Vec<&str> = a
            .threats
            .iter()
            .filter(|p| p.part_of.as_deref() == Some(t.id.as_str()) && p.is_open())
            .map(|p| p.id.as_str())
            .collect();
        if !parts.is_empty() {
            writeln!(out, "    includes: {}", parts.join(", "))?;
        }
        for e in t.evidence.iter().take(3) {
            writeln!(out, "    · {e}")?;
        }
        writeln!(out, "    to resolve, one of:")?;
        if !t.mitigations.missing.is_empty() {
            writeln!(
                out,
                "      - mitigate: implement {} and record it under `controls:` with status implemented (owner: {})",
                t.mitigations.missing.join(" or "),
                t.owner_role
            )?;
        }
        writeln!(
            out,
            "      - accept: add to `risks:`  - {{ threat: {}, status: accepted, owner: {}, rationale: \"…\", expires: YYYY-MM-DD }}",
            t.id, t.owner_role
        )?;
        writeln!(
            out,
            "      - fix the model if the evidence above is not how the system works"
        )?;
    }
    Ok(())
}
