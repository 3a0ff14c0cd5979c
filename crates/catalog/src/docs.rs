//! Rule reference pages, shared by `rules show` and the generated `docs/rules/`.

use crate::{Catalog, CompiledRule};
use std::fmt::Write;

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

/// The index of all rules, by family.
pub fn index_markdown(cat: &Catalog) -> String {
    let mut s = String::from(
        "# Rule reference\n\nGenerated from `catalog/threats/` — do not edit; run `THREATWRIGHT_BLESS=1 cargo test -p threatwright-catalog --test docs`.\n\n",
    );
    let _ = writeln!(
        s,
        "{} rules, {} controls ([controls](../controls.md), [framework coverage](../coverage.md)).\n",
        cat.rules.len(),
        cat.controls.len()
    );
    let mut families: std::collections::BTreeMap<&str, Vec<&CompiledRule>> = Default::default();
    for r in &cat.rules {
        families
            .entry(r.rule.family.as_deref().unwrap_or("other"))
            .or_default()
            .push(r);
    }
    for (fam, rules) in families {
        let _ = writeln!(
            s,
            "## {fam}\n\n| rule | applies to | L × I | title |\n|---|---|---|---|"
        );
        for r in rules {
            let targets: Vec<&str> = r.rule.applies_to.iter().map(|t| t.as_str()).collect();
            let _ = writeln!(
                s,
                "| [{0}]({0}.md) | {1} | {2} × {3} | {4} |",
                r.id(),
                targets.join(", "),
                r.rule.likelihood,
                r.rule.impact,
                r.rule.title
            );
        }
        s.push('\n');
    }
    s
}

/// Controls with the threats each addresses (derived from the rules' `mitigations`).
pub fn controls_markdown(cat: &Catalog) -> String {
    let mut s = String::from(
        "# Controls\n\nGenerated from `catalog/controls/` — do not edit. A control addresses every rule that lists it under `mitigations:`.\n\n",
    );
    for c in cat.controls.values() {
        let _ = writeln!(
            s,
            "## {}\n\n**{}**\n\n{}\n",
            c.id,
            c.title,
            c.description.trim()
        );
        let eff = c.effect.as_ref();
        let _ = writeln!(
            s,
            "- lifecycle: {} · owner: {} · lowers likelihood by {}, impact by {}",
            c.lifecycle.map_or("—", |l| l.as_str()),
            c.owner.map_or("—", |o| o.as_str()),
            eff.and_then(|e| e.likelihood).unwrap_or(0),
            eff.and_then(|e| e.impact).unwrap_or(0)
        );
        if let Some(m) = &c.mappings {
            let _ = writeln!(
                s,
                "- NIST AI RMF: {} · ISO/IEC 42001: {} · OWASP AI Exchange: {} · EU AI Act: {}",
                m.nist_ai_rmf.join(", "),
                m.iso_42001.join(", "),
                m.owasp_ai_exchange.join(", "),
                m.eu_ai_act
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let rules = cat.rules_mitigated_by(c.id.as_str());
        let links: Vec<String> = rules
            .iter()
            .map(|r| format!("[{r}](rules/{r}.md)"))
            .collect();
        let _ = writeln!(
            s,
            "- addresses: {}\n",
            if links.is_empty() {
                "—".to_owned()
            } else {
                links.join(", ")
            }
        );
    }
    s
}

/// Which framework items each rule covers, and which rules cover each item.
pub fn coverage_markdown(cat: &Catalog) -> String {
    let fw = &cat.frameworks;
    let mut s = String::from(
        "# Framework coverage\n\nGenerated from the catalog — do not edit; a test fails when it is stale.\n\n",
    );
    let refs_of = |r: &CompiledRule,
                   f: fn(&crate::types::References) -> &Vec<threatwright_model::types::Text>|
     -> Vec<String> {
        r.rule
            .references
            .as_ref()
            .map(|x| f(x).iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default()
    };
    let mut atlas_ids = std::collections::BTreeSet::new();
    for r in &cat.rules {
        atlas_ids.extend(
            refs_of(r, |x| &x.atlas)
                .into_iter()
                .filter(|a| fw.atlas_counts(a)),
        );
    }
    let _ = writeln!(
        s,
        "- rules: {}; controls: {}",
        cat.rules.len(),
        cat.controls.len()
    );
    let _ = writeln!(
        s,
        "- distinct MITRE ATLAS techniques cited beyond reconnaissance and resource development: {}",
        atlas_ids.len()
    );
    let section =
        |s: &mut String,
         title: &str,
         items: &std::collections::BTreeMap<String, crate::frameworks::Item>,
         f: fn(&crate::types::References) -> &Vec<threatwright_model::types::Text>| {
            let covered = items
                .keys()
                .filter(|k| cat.rules.iter().any(|r| refs_of(r, f).contains(k)))
                .count();
            let _ = writeln!(
                s,
                "\n## {title}\n\n{covered} of {} covered.\n\n| id | name | rules |\n|---|---|---|",
                items.len()
            );
            for (id, item) in items {
                let rules: Vec<String> = cat
                    .rules
                    .iter()
                    .filter(|r| refs_of(r, f).contains(id))
                    .map(|r| format!("[{0}](rules/{0}.md)", r.id()))
                    .collect();
                let _ = writeln!(
                    s,
                    "| {id} | {} | {} |",
                    item.name,
                    if rules.is_empty() {
                        "—".to_owned()
                    } else {
                        rules.join(", ")
                    }
                );
            }
        };
    section(
        &mut s,
        "OWASP Top 10 for LLM Applications 2025",
        &fw.owasp_llm,
        |x| &x.owasp_llm,
    );
    section(
        &mut s,
        "OWASP Machine Learning Security Top 10 (2023)",
        &fw.owasp_ml,
        |x| &x.owasp_ml,
    );
    section(&mut s, "CoSAI risk map", &fw.cosai, |x| &x.cosai);
    let atlas_cited: std::collections::BTreeMap<String, crate::frameworks::Item> = fw
        .atlas
        .iter()
        .filter(|(k, _)| {
            cat.rules
                .iter()
                .any(|r| refs_of(r, |x| &x.atlas).contains(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    section(&mut s, "MITRE ATLAS techniques cited", &atlas_cited, |x| {
        &x.atlas
    });
    let _ = writeln!(
        s,
        "\n## Rules\n\n| rule | ATLAS | OWASP LLM | OWASP ML | CoSAI | CWE |\n|---|---|---|---|---|---|"
    );
    for r in &cat.rules {
        let j = |v: Vec<String>| {
            if v.is_empty() {
                "—".to_owned()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(
            s,
            "| [{0}](rules/{0}.md) | {1} | {2} | {3} | {4} | {5} |",
            r.id(),
            j(refs_of(r, |x| &x.atlas)),
            j(refs_of(r, |x| &x.owasp_llm)),
            j(refs_of(r, |x| &x.owasp_ml)),
            j(refs_of(r, |x| &x.cosai)),
            j(refs_of(r, |x| &x.cwe))
        );
    }
    s
}

/// Every generated documentation file, by path relative to `docs/`.
pub fn generated_docs(cat: &Catalog) -> std::collections::BTreeMap<String, String> {
    let mut files = std::collections::BTreeMap::new();
    files.insert("rules/README.md".to_owned(), index_markdown(cat));
    for r in &cat.rules {
        files.insert(format!("rules/{}.md", r.id()), rule_markdown(r, cat));
    }
    files.insert("controls.md".to_owned(), controls_markdown(cat));
    files.insert("coverage.md".to_owned(), coverage_markdown(cat));
    files
}
