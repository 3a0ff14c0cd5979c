//! Running a rule's own test models: each rule alone over each of its tests, like
//! `ruff`'s per-rule fixtures, so a test cannot pass because of another rule.

use crate::analyze_with;
use std::path::Path;
use threatwright_catalog::{Catalog, CompiledRule};
use threatwright_model::{Limits, load_str};

/// The problems found in one rule's tests; empty when every test passes.
pub fn run_rule_tests(cat: &Catalog, r: &CompiledRule) -> Vec<String> {
    let mut problems = Vec::new();
    for t in &r.rule.tests {
        let (name, text) = match (&t.model, &t.file) {
            (Some(m), _) => (format!("{}#{}", r.path.display(), t.name), m.name.clone()),
            (None, Some(f)) => {
                let p = r.path.parent().unwrap_or(Path::new("")).join(&f.name);
                match std::fs::read_to_string(&p) {
                    Ok(text) => (p.display().to_string(), text),
                    Err(e) => {
                        problems.push(format!(
                            "test `{}`: cannot read {}: {e}",
                            t.name,
                            p.display()
                        ));
                        continue;
                    }
                }
            }
            _ => continue,
        };
        let loaded = load_str(&name, &text, &Limits::default());
        let Some(model) = &loaded.model else {
            let first = loaded.diagnostics.iter().find(|d| d.is_error()).map(|d| {
                let s = d.span.unwrap_or_default();
                format!("line {}:{}: {}", s.line, s.col, d.message)
            });
            problems.push(format!(
                "test `{}`: the test model is invalid: {}",
                t.name,
                first.unwrap_or_default()
            ));
            continue;
        };
        let a = analyze_with(model, cat, None, Some(r.id()));
        let found: Vec<&str> = a.threats.iter().map(|t| t.id.as_str()).collect();
        for e in &a.rule_errors {
            problems.push(format!(
                "test `{}`: evaluating on `{}` failed: {}",
                t.name, e.element, e.message
            ));
        }
        for want in &t.expect {
            if !found.contains(&want.as_str()) {
                problems.push(format!(
                    "test `{}`: expected `{want}`, found [{}]",
                    t.name,
                    found.join(", ")
                ));
            }
        }
        for el in &t.asks {
            if !a
                .questions
                .iter()
                .any(|q| q.element == el.as_str() && q.rule == r.id())
            {
                problems.push(format!(
                    "test `{}`: expected a question on `{el}`, asked on [{}]",
                    t.name,
                    a.questions
                        .iter()
                        .map(|q| q.element.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        for not in &t.absent {
            if found.contains(&not.as_str()) {
                problems.push(format!(
                    "test `{}`: `{not}` was found but must not be",
                    t.name
                ));
            }
        }
    }
    problems
}
