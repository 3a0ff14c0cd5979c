//! SARIF 2.1.0 for code scanning (GitHub and others): one SARIF rule per catalog rule,
//! one result per threat located at its element in the model file, fingerprinted by the
//! stable threat id so alerts follow the threat across edits.

use serde_json::{Value, json};
use threatwright_catalog::Catalog;
use threatwright_engine::{Assessment, Severity};

/// GitHub reads `security-severity` (0.0–10.0) to rank alerts.
fn security_severity(score: u32) -> String {
    format!("{:.1}", (score as f64) * 10.0 / 25.0)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

pub fn render(a: &Assessment, cat: &Catalog) -> Value {
    let rules: Vec<Value> = cat
        .rules
        .iter()
        .map(|r| {
            let rule = &r.rule;
            let base = rule.likelihood * rule.impact;
            let mut tags: Vec<String> = rule.stride.iter().map(|s| s.as_str().to_owned()).collect();
            tags.push(rule.lifecycle.as_str().to_owned());
            tags.push("security".into());
            if let Some(refs) = &rule.references {
                tags.extend(refs.owasp_llm.iter().chain(&refs.owasp_ml).chain(&refs.cwe).map(|t| t.name.clone()));
            }
            json!({
                "id": rule.id.as_str(),
                "name": rule.title,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.what.trim() },
                "help": {
                    "text": format!("{}\n\n{}", rule.why.trim(), rule.example.as_deref().unwrap_or("").trim()).trim().to_owned(),
                    "markdown": threatwright_catalog::docs::rule_markdown(r, cat),
                },
                "defaultConfiguration": { "level": level(Severity::from_score(base)) },
                "properties": { "tags": tags, "security-severity": security_severity(base), "precision": rule.confidence.map_or("medium", |c| c.as_str()) },
            })
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> = cat
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id(), i))
        .collect();
    let results: Vec<Value> = a
        .threats
        .iter()
        .map(|t| {
            let mut text = format!("{} ({}).", t.title, t.id);
            for e in &t.evidence {
                text.push_str(&format!(" {}.", e.trim_end_matches('.')));
            }
            if !t.mitigations.missing.is_empty() {
                text.push_str(&format!(" Missing controls: {}.", t.mitigations.missing.join(", ")));
            }
            let mut result = json!({
                "ruleId": t.rule,
                "level": level(t.residual.severity),
                "message": { "text": text },
                "partialFingerprints": { "threatwright/v1": t.id },
                "properties": {
                    "security-severity": security_severity(t.residual.score),
                    "severity": t.residual.severity.as_str(),
                    "status": t.status,
                    "owner": t.owner_role,
                    "factors": t.factors,
                },
            });
            if let Some(i) = index.get(t.rule.as_str()) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(loc) = &t.location {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": loc.file.replace('\\', "/") },
                        "region": { "startLine": loc.line.max(1), "startColumn": loc.column.max(1) },
                    },
                    "logicalLocations": [{ "name": t.elements[0], "kind": "element" }],
                }]);
            }
            if !t.is_open() {
                let justification = t.tracking.as_ref().and_then(|x| x.rationale.clone()).unwrap_or_else(|| format!("tracked as {}", t.status));
                result["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "Threatwright",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/threatwright/threatwright",
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}
