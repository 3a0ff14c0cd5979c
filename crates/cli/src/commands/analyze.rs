//! `threatwright analyze`: the threats of a model, ranked, with why.

use super::Exit;
use crate::args::{AnalyzeArgs, Format};
use crate::render::HumanRenderer;
use std::io::Write;
use threatwright_engine::{Assessment, Severity, analyze};
use threatwright_model::load_path;

pub fn run(args: &AnalyzeArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let loaded = load_path(&args.model, &args.limits.limits())?;
    let Some(model) = &loaded.model else {
        let r = HumanRenderer::new(&loaded.sources, false);
        for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
            writeln!(out, "{}", r.render(&loaded.sources, d))?;
        }
        writeln!(
            out,
            "✗ {}: the model has errors; fix them to analyze it (see `threatwright validate`)",
            args.model.display()
        )?;
        return Ok(Exit::Findings);
    };
    let Some(catalog) = args.catalog.load(out)? else {
        writeln!(out, "✗ the rule catalog has errors")?;
        return Ok(Exit::Failure);
    };
    let assessment = analyze(model, &catalog, Some(&loaded.sources));
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &assessment)?;
            writeln!(out)?;
        }
        Format::Human => human(&assessment, args.top, out)?,
    }
    Ok(Exit::Clean)
}

fn human(a: &Assessment, top: usize, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = a.system.as_deref().unwrap_or("model");
    writeln!(
        out,
        "Threat model of {name}: {} threats, {} open questions, {} rules evaluated\n",
        a.summary.threats, a.summary.questions, a.summary.rules_evaluated
    )?;
    let sev = |s: &str| a.summary.by_severity.get(s).copied().unwrap_or(0);
    writeln!(
        out,
        "  severity   critical {}  high {}  medium {}  low {}",
        sev("critical"),
        sev("high"),
        sev("medium"),
        sev("low")
    )?;
    let stride: Vec<String> = a
        .summary
        .by_stride
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(out, "  STRIDE     {}", stride.join("  "))?;
    let life: Vec<String> = a
        .summary
        .by_lifecycle
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(out, "  lifecycle  {}\n", life.join("  "))?;
    let shown = a.threats.len().min(top);
    if shown > 0 {
        writeln!(out, "Top threats:")?;
    }
    for t in a.threats.iter().take(shown) {
        let badge = match t.severity {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH    ",
            Severity::Medium => "MEDIUM  ",
            Severity::Low => "LOW     ",
        };
        let at = t
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
            .unwrap_or_default();
        writeln!(out, "  {badge} {:>2}  {}  ({})", t.score, t.id, at)?;
        writeln!(out, "           {}", t.title)?;
        for e in &t.evidence {
            writeln!(out, "           · {e}")?;
        }
        let mut refs: Vec<&str> = t
            .references
            .atlas
            .iter()
            .chain(&t.references.owasp_llm)
            .chain(&t.references.owasp_ml)
            .map(String::as_str)
            .collect();
        refs.truncate(6);
        if !refs.is_empty() {
            writeln!(out, "           refs: {}", refs.join(", "))?;
        }
        if !t.mitigations.missing.is_empty() {
            writeln!(
                out,
                "           missing: {}  (owner: {})",
                t.mitigations.missing.join(", "),
                t.owner_role
            )?;
        }
    }
    if a.threats.len() > shown {
        writeln!(
            out,
            "  … and {} more (--top N, or --format json for all)",
            a.threats.len() - shown
        )?;
    }
    if !a.questions.is_empty() {
        writeln!(
            out,
            "\nOpen questions (unknown is not false — state these in the model):"
        )?;
        for q in a.questions.iter().take(top) {
            writeln!(out, "  ? {}: {}", q.element, q.question)?;
        }
        if a.questions.len() > top {
            writeln!(out, "  … and {} more", a.questions.len() - top)?;
        }
    }
    if !a.rule_errors.is_empty() {
        writeln!(
            out,
            "\nRules that failed to evaluate (their findings are missing):"
        )?;
        for e in &a.rule_errors {
            writeln!(out, "  ! {} on {}: {}", e.rule, e.element, e.message)?;
        }
    }
    Ok(())
}
