//! Rule reference pages, shared by `rules show` and the generated `docs/rules/`.

use std::fmt::Write;
use threatwright_catalog::{Catalog, CompiledRule};

/// The reference page of one rule, in Markdown.
pub fn rule_markdown(r: &CompiledRule, cat: &Catalog) -> String {
    let rule = &r.rule;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n\n**{}**\n", rule.id, rule.title);
    let targets: Vec<&str> = rule.applies_to.iter().map(|t| t.as_str()).collect();
    let stride: Vec<&str> = rule.stride.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| status | {} (since {}) |",
        rule.status.map_or("stable", |x| x.as_str()),
        rule.since.as_deref().unwrap_or("0.1.0")
    );
    let _ = writeln!(s, "| applies to | {} |", targets.join(", "));
    let _ = writeln!(s, "| STRIDE | {} |", stride.join(", "));
    let _ = writeln!(s, "| lifecycle | {} |", rule.lifecycle.as_str());
    let _ = writeln!(
        s,
        "| base likelihood × impact | {} × {} |",
        rule.likelihood, rule.impact
    );
    let _ = writeln!(
        s,
        "| confidence | {} |",
        rule.confidence.map_or("medium", |c| c.as_str())
    );
    let _ = writeln!(
        s,
        "| owner | {} |",
        rule.owner.map_or("security", |o| o.as_str())
    );
    let _ = writeln!(
        s,
        "\n## What happens\n\n{}\n\n## Why it matters\n\n{}\n",
        rule.what.trim(),
        rule.why.trim()
    );
    if let Some(e) = &rule.example {
        let _ = writeln!(s, "## Example\n\n{}\n", e.trim());
    }
    let _ = writeln!(
        s,
        "## When it applies\n\n```cel\n{}\n```\n",
        rule.condition.name.trim()
    );
    if !rule.attack.is_empty() {
        let _ = writeln!(s, "## Attack steps\n");
        for (i, a) in rule.attack.iter().enumerate() {
            let _ = writeln!(s, "{}. {}", i + 1, a.trim());
        }
        s.push('\n');
    }
    if !rule.mitigations.is_empty() {
        let _ = writeln!(s, "## Mitigations\n");
        for m in &rule.mitigations {
            let title = cat
                .controls
                .get(m.as_str())
                .map_or("", |c| c.title.as_str());
            let _ = writeln!(s, "- `{m}` — {title}");
        }
        s.push('\n');
    }
    if !rule.questions.is_empty() {
        let _ = writeln!(s, "## Questions it raises\n");
        for q in &rule.questions {
            let _ = writeln!(s, "- {}", q.ask.trim());
        }
        s.push('\n');
    }
    if let Some(refs) = &rule.references {
        let _ = writeln!(s, "## References\n");
        let line = |name: &str, list: &[threatwright_model::types::Text], s: &mut String| {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(|t| link(name, &t.name)).collect();
                let _ = writeln!(s, "- {name}: {}", items.join(", "));
            }
        };
        line("MITRE ATLAS", &refs.atlas, &mut s);
        line("OWASP LLM Top 10", &refs.owasp_llm, &mut s);
        line("OWASP ML Top 10", &refs.owasp_ml, &mut s);
        line("NIST AI 100-2", &refs.nist_ai_100_2, &mut s);
        line("CWE", &refs.cwe, &mut s);
        line("CoSAI", &refs.cosai, &mut s);
        s.push('\n');
    }
    let _ = writeln!(s, "## Tests\n");
    for t in &rule.tests {
        let kind = if !t.expect.is_empty() {
            "fires"
        } else {
            "stays quiet"
        };
        let _ = writeln!(s, "- {} — {kind}", t.name);
    }
    s
}

/// A link to a framework item's public page where one exists.
pub fn link(framework: &str, id: &str) -> String {
    match framework {
        "MITRE ATLAS" => format!("[{id}](https://atlas.mitre.org/techniques/{id})"),
        "CWE" => format!(
            "[{id}](https://cwe.mitre.org/data/definitions/{}.html)",
            id.trim_start_matches("CWE-")
        ),
        _ => format!("`{id}`"),
    }
}
