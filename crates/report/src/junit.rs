//! JUnit XML for CI systems that show test reports: one test case per threat; open
//! threats at or above the gate fail, tracked ones are skipped, the rest pass.

use threatwright_engine::{Assessment, Severity};

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

pub fn render(a: &Assessment, fail_on: Severity) -> String {
    let name = a.system.as_deref().unwrap_or("model");
    let failing = |t: &threatwright_engine::Threat| t.is_open() && t.residual.severity >= fail_on;
    let failures = a.threats.iter().filter(|t| failing(t)).count();
    let skipped = a.threats.iter().filter(|t| !t.is_open()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<testsuites name=\"threatwright\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n", a.threats.len()));
    x.push_str(&format!("  <testsuite name=\"threatwright: {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">\n", esc(name), a.threats.len()));
    for t in &a.threats {
        let file = t
            .location
            .as_ref()
            .map(|l| format!(" file=\"{}\" line=\"{}\"", esc(&l.file), l.line))
            .unwrap_or_default();
        x.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"{file}>\n",
            esc(&t.rule),
            esc(&t.id)
        ));
        if failing(t) {
            let mut body = format!("{}\n", t.title);
            for e in &t.evidence {
                body.push_str(&format!("- {e}\n"));
            }
            body.push_str(&format!(
                "missing controls: {}\nowner: {}\n",
                t.mitigations.missing.join(", "),
                t.owner_role
            ));
            x.push_str(&format!(
                "      <failure type=\"{}\" message=\"{} risk {} ({})\">{}</failure>\n",
                t.residual.severity.as_str(),
                esc(&t.title),
                t.residual.score,
                t.residual.severity.as_str(),
                esc(&body)
            ));
        } else if !t.is_open() {
            x.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                esc(&format!("tracked as {}", t.status))
            ));
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}
