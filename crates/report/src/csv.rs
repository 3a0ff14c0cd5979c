//! The threat register as CSV (RFC 4180), for spreadsheets and issue trackers.
//!
//! Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) get a leading apostrophe: model text is user input, and a
//! threat register must not become a way to run formulas on a reviewer's machine.

use threatwright_engine::Assessment;

fn cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

pub const HEADER: [&str; 30] = [
    "id",
    "rule",
    "title",
    "elements",
    "element_kind",
    "status",
    "owner_role",
    "tracking_rationale",
    "tracking_expires",
    "tracking_ticket",
    "business_impact",
    "mitigations_planned",
    "questions",
    "residual_severity",
    "residual_score",
    "residual_likelihood",
    "residual_impact",
    "severity",
    "score",
    "stride",
    "lifecycle",
    "atlas",
    "owasp_llm",
    "owasp_ml",
    "cwe",
    "cosai",
    "mitigations_present",
    "mitigations_missing",
    "evidence",
    "location",
];

pub fn render(a: &Assessment) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for t in &a.threats {
        let r = &t.references;
        let row = [
            t.id.clone(),
            t.rule.clone(),
            t.title.clone(),
            t.elements.join(" "),
            t.element_kind.to_owned(),
            t.status.to_owned(),
            t.owner_role.to_owned(),
            t.tracking
                .as_ref()
                .and_then(|x| x.rationale.clone())
                .unwrap_or_default(),
            t.tracking
                .as_ref()
                .and_then(|x| x.expires.clone())
                .unwrap_or_default(),
            t.tracking
                .as_ref()
                .and_then(|x| x.ticket.clone())
                .unwrap_or_default(),
            t.business_impact.clone(),
            t.mitigations.planned.join(" "),
            t.questions.join("; "),
            t.residual.severity.as_str().to_owned(),
            t.residual.score.to_string(),
            t.residual.likelihood.to_string(),
            t.residual.impact.to_string(),
            t.severity.as_str().to_owned(),
            t.score.to_string(),
            t.stride.join(" "),
            t.lifecycle.to_owned(),
            r.atlas.join(" "),
            r.owasp_llm.join(" "),
            r.owasp_ml.join(" "),
            r.cwe.join(" "),
            r.cosai.join(" "),
            t.mitigations.present.join(" "),
            t.mitigations.missing.join(" "),
            t.evidence.join("; "),
            t.location.as_ref().map_or(String::new(), |l| {
                format!("{}:{}:{}", l.file, l.line, l.column)
            }),
        ];
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn quotes_separators_and_defuses_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
