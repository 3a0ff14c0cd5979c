//! `threatwright rules`: the catalog, browsed and tested.

use super::Exit;
use crate::args::{Format, RulesCommand};
use crate::catalog_args::load_checked;
use std::io::Write;
use threatwright_catalog::{Catalog, CompiledRule, dir_sources};

pub fn run(cmd: &RulesCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    match cmd {
        RulesCommand::List { format, catalog } => {
            let Some(cat) = catalog.load(out)? else {
                return Ok(Exit::Failure);
            };
            list(&cat, *format, out)
        }
        RulesCommand::Show { id, catalog } => {
            let Some(cat) = catalog.load(out)? else {
                return Ok(Exit::Failure);
            };
            show(&cat, id, out)
        }
        RulesCommand::Test { paths, catalog } => {
            let mut sources = catalog.base_sources()?;
            let cat = if paths.is_empty() {
                for d in &catalog.rules {
                    sources.extend(dir_sources(d)?);
                }
                load_checked(sources, out)?
            } else {
                // The rules under test come from PATH; the base catalog contributes its controls and framework ids.
                sources.retain(|s| {
                    s.path
                        .components()
                        .any(|c| c.as_os_str() == "controls" || c.as_os_str() == "frameworks")
                });
                for p in paths {
                    if p.is_dir() {
                        sources.extend(dir_sources(p)?);
                    } else {
                        sources.push(threatwright_catalog::SourceText {
                            text: std::fs::read_to_string(p)?,
                            path: p.clone(),
                            builtin: false,
                        });
                    }
                }
                load_checked(sources, out)?
            };
            let Some(cat) = cat else {
                writeln!(out, "✗ the rules have errors (above); no tests were run")?;
                return Ok(Exit::Findings);
            };
            test(&cat, out)
        }
    }
}

fn list(cat: &Catalog, format: Format, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if format == Format::Json {
        let rows: Vec<_> = cat.rules.iter().map(|r| serde_json::json!({"id": r.id(), "title": r.rule.title, "family": r.rule.family, "applies_to": r.rule.applies_to, "lifecycle": r.rule.lifecycle.as_str(), "likelihood": r.rule.likelihood, "impact": r.rule.impact})).collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(Exit::Clean);
    }
    for r in &cat.rules {
        let targets: Vec<&str> = r.rule.applies_to.iter().map(|t| t.as_str()).collect();
        writeln!(
            out,
            "{:<44} {:<13} L{} I{}  {:<28} {}",
            r.id(),
            r.rule.lifecycle.as_str(),
            r.rule.likelihood,
            r.rule.impact,
            truncate(&targets.join(","), 28),
            r.rule.title
        )?;
    }
    writeln!(
        out,
        "\n{} rules, {} controls",
        cat.rules.len(),
        cat.controls.len()
    )?;
    Ok(Exit::Clean)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn show(cat: &Catalog, id: &str, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(r) = cat.rule(id) else {
        let help =
            threatwright_model::suggest::did_you_mean(id, cat.rules.iter().map(CompiledRule::id))
                .unwrap_or_else(|| "`threatwright rules list` shows every rule".into());
        anyhow::bail!("no rule `{id}`; {help}");
    };
    write!(out, "{}", threatwright_catalog::docs::rule_markdown(r, cat))?;
    Ok(Exit::Clean)
}

/// Runs every test of every rule, each rule alone over its test models.
fn test(cat: &Catalog, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut failures = 0;
    let mut tests = 0;
    for r in &cat.rules {
        let problems = threatwright_engine::ruletest::run_rule_tests(cat, r);
        tests += r.rule.tests.len();
        if problems.is_empty() {
            writeln!(out, "✓ {} ({} tests)", r.id(), r.rule.tests.len())?;
        } else {
            failures += 1;
            writeln!(out, "✗ {} ({})", r.id(), r.path.display())?;
            for p in problems {
                writeln!(out, "    {p}")?;
            }
        }
    }
    writeln!(
        out,
        "\n{} rules, {tests} tests: {} passed, {failures} failed",
        cat.rules.len(),
        cat.rules.len() - failures
    )?;
    Ok(if failures == 0 {
        Exit::Clean
    } else {
        Exit::Findings
    })
}
