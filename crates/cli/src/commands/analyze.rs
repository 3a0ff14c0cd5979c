//! `threatwright analyze`: the threats of a model, ranked, with why.

use super::Exit;
use crate::analysis_args::load_model;
use crate::args::{AnalyzeArgs, ReportFormat};
use crate::render::HumanRenderer;
use std::io::Write;
use threatwright_catalog::Catalog;
use threatwright_engine::{Assessment, Options, Severity, analyze_opts};

/// Loads `spec` and analyses it; prints the model's errors and returns `None` when it has any.
pub fn load_and_analyze(
    spec: &str,
    limits: &threatwright_model::Limits,
    catalog: &Catalog,
    opts: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<Option<(threatwright_model::Loaded, Assessment)>> {
    let loaded = load_model(spec, limits)?;
    analyze_loaded(spec, loaded, catalog, opts, out)
}

/// Analyses a loaded model; prints its errors and returns `None` when it has any.
fn analyze_loaded(
    spec: &str,
    loaded: threatwright_model::Loaded,
    catalog: &Catalog,
    opts: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<Option<(threatwright_model::Loaded, Assessment)>> {
    let Some(model) = &loaded.model else {
        let r = HumanRenderer::new(&loaded.sources, false);
        for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
            writeln!(out, "{}", r.render(&loaded.sources, d))?;
        }
        writeln!(
            out,
            "✗ {spec}: the model has errors; fix them to analyze it (see `threatwright validate`)"
        )?;
        return Ok(None);
    };
    let a = analyze_opts(model, catalog, Some(&loaded.sources), opts);
    Ok(Some((loaded, a)))
}

/// Loads the catalog and the model `spec` at the same time (compiling the catalog's
/// expressions takes as long as parsing a large model), then analyses the model. The
/// outcome is as if the catalog were loaded first: its errors come first and stop.
#[allow(clippy::type_complexity)]
pub fn load_both_and_analyze(
    catalog_args: &crate::catalog_args::CatalogArgs,
    spec: &str,
    limits: &threatwright_model::Limits,
    opts: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<Result<(Catalog, threatwright_model::Loaded, Assessment), Exit>> {
    let ((catalog, printed), loaded) = std::thread::scope(|scope| {
        let catalog = scope.spawn(|| {
            let mut printed = Vec::new();
            (catalog_args.load(&mut printed), printed)
        });
        let loaded = load_model(spec, limits);
        threatwright_engine::timing::mark("model loaded");
        let catalog = catalog
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (catalog, loaded)
    });
    out.write_all(&printed)?;
    let Some(catalog) = catalog? else {
        writeln!(out, "✗ the rule catalog has errors")?;
        return Ok(Err(Exit::Failure));
    };
    match analyze_loaded(spec, loaded?, &catalog, opts, out)? {
        Some((loaded, a)) => Ok(Ok((catalog, loaded, a))),
        None => Ok(Err(Exit::Findings)),
    }
}

/// Leaves a large value for the process's exit to reclaim: freeing the hundreds of
/// thousands of allocations of a large analysis one by one only delays the exit.
pub fn leave<T>(value: T) {
    std::mem::forget(value);
}

/// The machine formats shared by `analyze` and `check`; `fail_on` sets JUnit failures.
pub fn write_report(
    format: ReportFormat,
    a: &Assessment,
    catalog: &Catalog,
    fail_on: threatwright_engine::Severity,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        ReportFormat::Json => serde_json::to_writer_pretty(&mut *out, a)?,
        ReportFormat::Sarif => serde_json::to_writer_pretty(
            &mut *out,
            &threatwright_report::sarif::render(a, catalog),
        )?,
        ReportFormat::Junit => {
            return Ok(write!(
                out,
                "{}",
                threatwright_report::junit::render(a, fail_on)
            )?);
        }
        ReportFormat::Human => return Ok(()),
    }
    writeln!(out)?;
    Ok(())
}

/// `risks:` entries that match nothing or have expired, one line each.
pub fn tracking_warnings(a: &Assessment, out: &mut dyn Write) -> anyhow::Result<()> {
    for w in &a.tracking_warnings {
        writeln!(
            out,
            "warning: risks entry at line {}: {}",
            w.line, w.message
        )?;
    }
    Ok(())
}

pub fn run(args: &AnalyzeArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let opts = args.policy.options(&args.model)?;
    let (catalog, loaded, assessment) = match load_both_and_analyze(
        &args.catalog,
        &args.model,
        &args.limits.limits(),
        &opts,
        out,
    )? {
        Ok(done) => done,
        Err(exit) => return Ok(exit),
    };
    match args.format {
        ReportFormat::Human => human(&assessment, args.top, out)?,
        other => write_report(
            other,
            &assessment,
            &catalog,
            threatwright_engine::Severity::High,
            out,
        )?,
    }
    leave((catalog, loaded, assessment));
    Ok(Exit::Clean)
}

fn human(a: &Assessment, top: usize, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = a.system.as_deref().unwrap_or("model");
    writeln!(
        out,
        "Threat model of {name}: {} threats, {} open questions, {} rules evaluated\n",
        a.summary.threats, a.summary.questions, a.summary.rules_evaluated
    )?;
    writeln!(
        out,
        "  open       {} of {} (the rest are mitigated, accepted, transferred or false positives)",
        a.summary.open, a.summary.threats
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
        // The list is ranked by residual risk: the badge is the residual band, so the
        // label and the number next to it always agree.
        let badge = match t.residual.severity {
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
        let status = if t.is_open() {
            String::new()
        } else {
            format!("  [{}]", t.status)
        };
        writeln!(
            out,
            "  {badge} {:>2}  {}  ({}){status}",
            t.residual.score, t.id, at
        )?;
        writeln!(out, "           {}", t.title)?;
        if let Some(head) = &t.part_of {
            writeln!(out, "           part of {head} (same cause and fix)")?;
        }
        let factors = t
            .factors
            .iter()
            .skip(1)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        writeln!(
            out,
            "           risk {}×{}={} ({}){}{}{}",
            t.likelihood,
            t.impact,
            t.score,
            t.severity.as_str(),
            if t.residual.reduced_by.is_empty() {
                String::new()
            } else {
                format!(
                    " → residual {} ({}) after {}",
                    t.residual.score,
                    t.residual.severity.as_str(),
                    t.residual.reduced_by.join(", ")
                )
            },
            if factors.is_empty() { "" } else { ": " },
            factors
        )?;
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
        if !t.mitigations.present.is_empty() {
            let present: Vec<String> = t
                .mitigations
                .present
                .iter()
                .map(
                    |p| match t.mitigations.credited.iter().find(|c| &c.control == p) {
                        Some(c) => format!("{p} ({})", c.because),
                        None => p.clone(),
                    },
                )
                .collect();
            writeln!(out, "           in place: {}", present.join("; "))?;
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
    if !a.plan.controls.is_empty() {
        writeln!(out, "\nControls that remove the most risk:")?;
        for c in a.plan.controls.iter().take(5) {
            writeln!(
                out,
                "  {:<32} -{:<4} {} threats  (owner: {})",
                c.control,
                c.risk_removed,
                c.threats.len(),
                c.owner
            )?;
        }
    }
    if !a.plan.roles.is_empty() {
        writeln!(out, "\nBy role (open threats · controls to put in place):")?;
        for r in &a.plan.roles {
            writeln!(
                out,
                "  {:<16} {:>3} · {}",
                r.role,
                r.open_threats.len(),
                r.controls
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
    }
    for c in &a.plan.capabilities {
        if !c.missing_controls.is_empty() {
            writeln!(
                out,
                "\n{} ({}): missing safeguards {}",
                c.element,
                c.capabilities.join(", "),
                c.missing_controls.join(", ")
            )?;
        }
    }
    if !a.tracking_warnings.is_empty() {
        writeln!(out)?;
        tracking_warnings(a, out)?;
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
