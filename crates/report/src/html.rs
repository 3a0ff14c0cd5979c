//! The HTML report: one self-contained file (inline CSS, inline SVG, a little inline
//! JavaScript for the threat filters; nothing fetched from the network) that security,
//! ML engineering, product and compliance each read their part of.

use crate::content::{Content, reference_name, reference_url, references};
use crate::svgkit::esc;
use crate::tree::{pct, usd};
use std::fmt::Write;
use threatwright_engine::{Severity, Threat};

const CSS: &str = r#"
:root { --fg:#111827; --muted:#4b5563; --line:#d1d5db; --bg:#ffffff; --soft:#f3f4f6; --accent:#1d4ed8;
  --critical:#9b1c1c; --high:#b45309; --medium:#8a6d00; --low:#2f6b1f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--fg); background:var(--bg); }
header.tw-head { padding:24px 32px 16px; border-bottom:1px solid var(--line); background:#f8fafc; }
header.tw-head h1 { margin:0 0 4px; font-size:26px; }
header.tw-head p { margin:4px 0; color:var(--muted); max-width:900px; }
.tw-tags span { display:inline-block; margin:6px 6px 0 0; padding:1px 8px; border:1px solid var(--line); border-radius:10px; font-size:12px; background:#fff; }
nav.tw-toc { position:sticky; top:0; z-index:5; background:#fff; border-bottom:1px solid var(--line); padding:6px 32px; font-size:13px; }
nav.tw-toc a { margin-right:14px; color:var(--accent); text-decoration:none; white-space:nowrap; }
main { padding:8px 32px 48px; }
section { margin-top:28px; }
h2 { font-size:20px; border-bottom:2px solid var(--fg); padding-bottom:4px; }
h3 { font-size:16px; margin:18px 0 6px; }
table { border-collapse:collapse; width:100%; margin:8px 0; font-size:13px; }
th, td { text-align:left; vertical-align:top; padding:5px 8px; border-bottom:1px solid var(--line); }
th { background:var(--soft); font-weight:600; }
code { font:12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:var(--soft); padding:0 3px; border-radius:3px; }
.tw-sev { display:inline-block; min-width:64px; text-align:center; padding:0 6px; border-radius:4px; color:#fff; font-size:12px; font-weight:600; }
.tw-sev-critical { background:var(--critical); } .tw-sev-high { background:var(--high); }
.tw-sev-medium { background:var(--medium); } .tw-sev-low { background:var(--low); }
.tw-status { font-size:12px; padding:0 6px; border:1px solid var(--line); border-radius:4px; white-space:nowrap; }
.tw-cards { display:flex; flex-wrap:wrap; gap:12px; margin:12px 0; }
.tw-card { border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:120px; background:#fff; }
.tw-card b { display:block; font-size:24px; }
.tw-grid { display:grid; grid-template-columns: minmax(280px, 380px) 1fr; gap:24px; align-items:start; }
table.tw-heat { width:auto; }
table.tw-heat td { width:46px; height:38px; text-align:center; font-weight:600; border:2px solid #fff; }
table.tw-heat th { background:none; font-weight:normal; font-size:11px; color:var(--muted); }
.tw-band-critical { background:#f6b3b3; } .tw-band-high { background:#fbd2a5; } .tw-band-medium { background:#fbefa0; } .tw-band-low { background:#d4eecb; }
.tw-figure { overflow:auto; border:1px solid var(--line); border-radius:6px; padding:6px; background:#fff; max-height:900px; }
.tw-figure svg { display:block; max-width:none; }
#tw-filters { display:flex; flex-wrap:wrap; gap:8px; align-items:center; padding:8px; background:var(--soft); border-radius:6px; position:sticky; top:32px; z-index:4; }
#tw-filters label { font-size:12px; color:var(--muted); }
#tw-filters select, #tw-filters input { font:inherit; font-size:13px; padding:2px 4px; }
#tw-count { margin-left:auto; font-size:12px; color:var(--muted); }
tbody.tw-threat tr.tw-row:hover { background:#f9fafb; }
tbody.tw-threat details summary { cursor:pointer; color:var(--accent); font-size:12px; }
.tw-detail { padding:6px 12px 12px; background:#fafafa; border-left:3px solid var(--line); }
.tw-detail h4 { margin:10px 0 2px; font-size:13px; }
.tw-detail ul { margin:2px 0; padding-left:20px; }
.tw-missing { color:var(--critical); } .tw-present { color:var(--low); } .tw-planned { color:var(--high); }
.tw-muted { color:var(--muted); }
.tw-comp-gaps { color:var(--critical); font-weight:600; } .tw-comp-partial { color:var(--high); font-weight:600; }
.tw-comp-supported, .tw-comp-handled { color:var(--low); font-weight:600; } .tw-comp-not-assessed, .tw-comp-no-finding { color:var(--muted); }
footer { padding:16px 32px; color:var(--muted); font-size:12px; border-top:1px solid var(--line); }
@media print {
  nav.tw-toc, #tw-filters { display:none; }
  main { padding:0 12px; } header.tw-head { padding:12px; }
  section { break-inside:auto; } h2, h3 { break-after:avoid; }
  tbody.tw-threat { break-inside:avoid; }
  .tw-figure { max-height:none; overflow:visible; border:none; }
  .tw-figure svg { max-width:100%; height:auto; }
  tbody.tw-threat[hidden] { display:table-row-group; }
  .tw-grid { display:block; }
  details.tw-source, .tw-screen { display:none; }
}
@page { size: A4 landscape; margin: 12mm; }
"#;

const JS: &str = r#"
(function () {
  var form = document.getElementById('tw-filters');
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tbody.tw-threat'));
  var count = document.getElementById('tw-count');
  function apply() {
    var query = form.querySelector('input[name=q]').value.toLowerCase();
    var selects = form.querySelectorAll('select');
    var shown = 0;
    rows.forEach(function (row) {
      var ok = true;
      for (var i = 0; i < selects.length; i++) {
        var want = selects[i].value;
        var have = ' ' + (row.getAttribute('data-' + selects[i].name) || '') + ' ';
        if (want && have.indexOf(' ' + want + ' ') < 0) ok = false;
      }
      if (query && row.textContent.toLowerCase().indexOf(query) < 0) ok = false;
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' threats shown';
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not(.tw-source)').forEach(function (d) { d.open = true; });
  });
  apply();
})();
"#;

/// Threats listed with their details, and listed at all: a register of tens of thousands
/// of threats (generated models) would make a page no browser opens comfortably.
const MAX_DETAILED: usize = 1000;
const MAX_ROWS: usize = 5000;

fn sev_badge(s: Severity) -> String {
    format!("<span class=\"tw-sev tw-sev-{0}\">{0}</span>", s.as_str())
}

fn list<T: AsRef<str>>(items: &[T]) -> String {
    if items.is_empty() {
        return "<span class=\"tw-muted\">—</span>".into();
    }
    items
        .iter()
        .map(|s| esc(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole report.
pub fn render(c: &Content, source: &str) -> String {
    let mut h = String::with_capacity(256 * 1024);
    let name = c.system_name();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Threat model — {}</title><style>{CSS}</style></head><body>",
        esc(&name)
    );
    header(&mut h, c, &name, source);
    let _ = write!(
        h,
        "<nav class=\"tw-toc\">{}</nav><main>",
        [
            ("summary", "Summary"),
            ("system", "System"),
            ("dfd", "Data flows"),
            ("lineage", "Lineage"),
            ("capabilities", "AI capabilities"),
            ("threats", "Threat register"),
            ("trees", "Attack trees"),
            ("plan", "Mitigation plan"),
            ("compliance", "Compliance"),
            ("knowledge", "Assumptions & decisions"),
            ("questions", "Open questions"),
            ("bom", "AI BOM"),
        ]
        .iter()
        .map(|(id, t)| format!("<a href=\"#{id}\">{t}</a>"))
        .collect::<String>()
    );
    summary(&mut h, c);
    system(&mut h, c);
    dfd(&mut h, c);
    lineage(&mut h, c);
    capabilities(&mut h, c);
    register(&mut h, c);
    trees(&mut h, c);
    plan(&mut h, c);
    compliance(&mut h, c);
    knowledge(&mut h, c);
    questions(&mut h, c);
    bom(&mut h, c);
    let _ = writeln!(
        h,
        "</main><footer>Generated by {} from <code>{}</code>. Scores are likelihood × impact on a 5 × 5 matrix; residual risk counts only controls stated as implemented or verified. Attack-tree numbers are order-of-magnitude estimates.</footer><script>{JS}</script></body></html>",
        esc(&c.a.tool),
        esc(source)
    );
    h
}

fn header(h: &mut String, c: &Content, name: &str, source: &str) {
    let _ = write!(
        h,
        "<header class=\"tw-head\"><h1>Threat model: {}</h1>",
        esc(name)
    );
    if let Some(s) = &c.model.system {
        if let Some(d) = &s.description {
            let _ = write!(h, "<p>{}</p>", esc(d));
        }
        let _ = write!(h, "<div class=\"tw-tags\">");
        if let Some(x) = s.criticality {
            let _ = write!(h, "<span>criticality: {x}</span>");
        }
        if let Some(x) = s.lifecycle {
            let _ = write!(h, "<span>lifecycle: {x}</span>");
        }
        for r in &s.regulations {
            let _ = write!(h, "<span>regulation: {}</span>", esc(r));
        }
        let _ = write!(h, "<span>model: {}</span></div>", esc(source));
    }
    h.push_str("</header>");
}

fn summary(h: &mut String, c: &Content) {
    let _ = write!(h, "<section id=\"summary\"><h2>Management summary</h2>");
    let open = c.open_threats();
    let tracked = c.a.threats.len() - open.len();
    let _ = write!(
        h,
        "<div class=\"tw-cards\"><div class=\"tw-card\"><b>{}</b>open threats</div>",
        open.len()
    );
    for (s, n) in c.open_by_severity() {
        let _ = write!(h, "<div class=\"tw-card\"><b>{n}</b>{}</div>", sev_badge(s));
    }
    let _ = write!(
        h,
        "<div class=\"tw-card\"><b>{tracked}</b>mitigated, accepted or transferred</div><div class=\"tw-card\"><b>{}</b>open questions</div></div>",
        c.a.questions.len()
    );
    let worst = open.first().map(|t| t.residual.severity);
    let verdict = match worst {
        Some(Severity::Critical) => {
            "Critical risks are open: the system should not ship or keep running as is until they are treated."
        }
        Some(Severity::High) => {
            "High risks are open: treat them or have the risk owner accept them before the next release."
        }
        Some(Severity::Medium) => {
            "No high or critical risk is open; the medium ones belong in the backlog with owners."
        }
        Some(Severity::Low) => "Only low risks are open.",
        None => {
            "No open threat: every finding is mitigated, accepted, transferred or a false positive."
        }
    };
    let _ = write!(h, "<p><b>{verdict}</b></p>");
    if !c.a.tracking_warnings.is_empty() {
        let _ = write!(
            h,
            "<p class=\"tw-missing\">{} risk-tracking entr{} need attention (expired acceptances or entries that match no threat): see <a href=\"#knowledge\">assumptions &amp; decisions</a>.</p>",
            c.a.tracking_warnings.len(),
            if c.a.tracking_warnings.len() == 1 {
                "y"
            } else {
                "ies"
            }
        );
    }
    let _ = write!(
        h,
        "<div class=\"tw-grid\"><div><h3>Risk heatmap (open threats, residual)</h3>"
    );
    heatmap(h, c);
    let _ = write!(
        h,
        "</div><div><h3>Top risks</h3><table><tr><th>Risk</th><th>Threat</th><th>Owner</th><th>Business impact</th></tr>"
    );
    for t in open.iter().take(8) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td><a href=\"#t-{}\">{}</a><br><span class=\"tw-muted\">{}</span></td><td>{}</td><td>{}</td></tr>",
            sev_badge(t.residual.severity),
            esc(&t.id),
            esc(&t.title),
            esc(&t.elements.join(", ")),
            t.owner_role,
            esc(&t.business_impact)
        );
    }
    h.push_str("</table></div></div>");
    if !c.a.plan.controls.is_empty() {
        let _ = write!(
            h,
            "<h3>What to do first</h3><table><tr><th>Control</th><th>Owner</th><th>Risk removed</th><th>Open threats addressed</th></tr>"
        );
        for p in c.a.plan.controls.iter().take(5) {
            let _ = write!(
                h,
                "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.title),
                esc(&p.control),
                p.owner,
                p.risk_removed,
                p.threats.len()
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

fn heatmap(h: &mut String, c: &Content) {
    let cells = c.heatmap();
    let p = &c.a.policy;
    h.push_str("<table class=\"tw-heat\"><tr><th></th>");
    for i in 1..=5u32 {
        let _ = write!(
            h,
            "<th>{}</th>",
            esc(p.impact.get(i as usize - 1).map_or("", |s| s.as_str()))
        );
    }
    h.push_str("</tr>");
    for l in (1..=5u32).rev() {
        let _ = write!(
            h,
            "<tr><th>{}</th>",
            esc(p.likelihood.get(l as usize - 1).map_or("", |s| s.as_str()))
        );
        for i in 1..=5u32 {
            let n = cells.get(&(l, i)).copied().unwrap_or(0);
            let _ = write!(
                h,
                "<td class=\"tw-band-{}\" title=\"likelihood {l} × impact {i}\">{}</td>",
                p.band(l, i).as_str(),
                if n > 0 { n.to_string() } else { String::new() }
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("<tr><th></th><th colspan=\"5\">impact →</th></tr></table><p class=\"tw-muted\">Rows: likelihood (top: almost certain). Cells: how many open threats sit there after the controls in place.</p>");
}

fn system(h: &mut String, c: &Content) {
    let m = c.model;
    let _ = write!(
        h,
        "<section id=\"system\"><h2>The system and its stakeholders</h2>"
    );
    if let Some(s) = &m.system
        && let Some(o) = &s.owners
        && !o.0.is_empty()
    {
        h.push_str("<h3>Stakeholders</h3><table><tr><th>Role</th><th>Contact</th><th>Open threats they own</th></tr>");
        for (role, contact) in &o.0 {
            let n =
                c.a.threats
                    .iter()
                    .filter(|t| t.is_open() && t.owner_role == role.as_str())
                    .count();
            let _ = write!(
                h,
                "<tr><td>{role}</td><td>{}</td><td>{n}</td></tr>",
                esc(contact)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>Trust zones</h3><table><tr><th>Zone</th><th>Trust</th><th>Inside</th><th>Components</th></tr>");
    for z in &m.zones {
        let members: Vec<&str> = m
            .components
            .iter()
            .filter(|x| x.zone.as_ref().is_some_and(|r| r.as_str() == z.id.as_str()))
            .map(|x| x.id.as_str())
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(z.name.as_deref().unwrap_or(z.id.as_str())),
            z.trust.map_or("—", |t| t.as_str()),
            z.inside.as_ref().map_or("—".into(), |p| esc(p.as_str())),
            list(&members)
        );
    }
    h.push_str("</table><h3>Data assets</h3><table><tr><th>Data</th><th>Classification</th><th>Categories</th><th>Provenance</th><th>Stored in</th></tr>");
    for d in &m.data {
        let stored: Vec<&str> = m
            .components
            .iter()
            .filter(|x| x.stores.iter().any(|s| s.as_str() == d.id.as_str()))
            .map(|x| x.id.as_str())
            .collect();
        let cats: Vec<&str> = d.categories.iter().map(|x| x.as_str()).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(d.name.as_deref().unwrap_or(d.id.as_str())),
            d.classification.map_or("—", |x| x.as_str()),
            list(&cats),
            d.provenance.map_or("—", |x| x.as_str()),
            list(&stored)
        );
    }
    h.push_str("</table></section>");
}

fn dfd(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"dfd\"><h2>Data-flow diagram</h2><p class=\"tw-muted\">Lanes are trust zones (least trusted at the top); orange flows cross a trust boundary; fill shows each component's highest open residual risk and the badge its number of open threats. <span class=\"tw-screen\">Hover for details.</span></p><div class=\"tw-figure\">{}</div><details class=\"tw-source\"><summary>Mermaid source</summary><pre><code>{}</code></pre></details></section>",
        if c.dfd.nodes.len() <= crate::content::MAX_DRAWN_NODES {
            c.dfd_svg.clone()
        } else {
            format!(
                "<p>{} components are too many to draw here; <code>threatwright diagram MODEL -o dfd.svg</code> draws them.</p>",
                c.dfd.nodes.len()
            )
        },
        if c.dfd.nodes.len() <= crate::content::MAX_DRAWN_NODES {
            esc(&c.dfd_mermaid)
        } else {
            String::new()
        }
    );
}

fn lineage(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"lineage\"><h2>Data lineage</h2><p class=\"tw-muted\">For each data asset: where it enters, where it is kept, what is trained on it, and where what is derived from it is served. Dashed flows carry something derived from the asset.</p>"
    );
    if c.lineages.is_empty() {
        h.push_str("<p>No data asset moves between components.</p>");
    }
    for l in &c.lineages {
        let mut stages: Vec<_> = l.lineage.nodes.iter().map(|n| n.stage).collect();
        stages.sort();
        stages.dedup();
        let _ = write!(
            h,
            "<details class=\"tw-lineage\"{}><summary><b>{}</b> — {} components · {}{}</summary><div class=\"tw-figure\">{}</div></details>",
            if l.lineage.trained_on { " open" } else { "" },
            esc(&l.name),
            l.lineage.nodes.len(),
            stages
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" → "),
            if l.lineage.trained_on {
                " · a model is trained on it"
            } else {
                ""
            },
            match &l.svg {
                Some(svg) => svg.clone(),
                None => format!(
                    "<p class=\"tw-muted\">Too many components to draw legibly; <code>threatwright diagram MODEL --lineage {}</code> draws it on its own.</p>",
                    esc(&l.data)
                ),
            }
        );
    }
    if c.more_lineages > 0 {
        let _ = write!(
            h,
            "<p class=\"tw-muted\">{} more data assets; <code>threatwright diagram MODEL --lineage DATA</code> draws any of them.</p>",
            c.more_lineages
        );
    }
    h.push_str("</section>");
}

fn capabilities(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"capabilities\"><h2>AI capabilities and missing safeguards</h2><p class=\"tw-muted\">What each AI component is allowed to do, the open threats that come with it, and the safeguards recommended for them that are not in place.</p>"
    );
    if c.a.plan.capabilities.is_empty() {
        h.push_str("<p>No AI component with stated capabilities has an open threat.</p>");
    } else {
        h.push_str("<table><tr><th>Component</th><th>Allowed to</th><th>Open threats</th><th>Missing safeguards</th></tr>");
        for g in &c.a.plan.capabilities {
            let missing: Vec<String> = g
                .missing_controls
                .iter()
                .map(|x| c.control_title(x))
                .collect();
            let _ = write!(
                h,
                "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td class=\"tw-missing\">{}</td></tr>",
                esc(&g.element),
                list(&g.capabilities),
                g.open_threats.len(),
                list(&missing)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

fn options(values: &[String]) -> String {
    let mut s = String::from("<option value=\"\">all</option>");
    for v in values {
        let _ = write!(s, "<option value=\"{0}\">{0}</option>", esc(v));
    }
    s
}

fn distinct<'a>(c: &'a Content, f: impl Fn(&'a Threat) -> Vec<String>) -> Vec<String> {
    let mut v: Vec<String> = c.a.threats.iter().flat_map(f).collect();
    v.sort();
    v.dedup();
    v
}

fn register(h: &mut String, c: &Content) {
    let _ = write!(h, "<section id=\"threats\"><h2>Threat register</h2>");
    let sev: Vec<String> = ["critical", "high", "medium", "low"]
        .map(String::from)
        .to_vec();
    let _ = write!(
        h,
        "<form id=\"tw-filters\" onsubmit=\"return false\"><label>severity <select name=\"severity\">{}</select></label><label>STRIDE <select name=\"stride\">{}</select></label><label>lifecycle <select name=\"lifecycle\">{}</select></label><label>status <select name=\"status\">{}</select></label><label>role <select name=\"role\">{}</select></label><label>search <input name=\"q\" type=\"search\" placeholder=\"id, element, text\"></label><span id=\"tw-count\"></span></form>",
        options(&sev),
        options(&distinct(c, |t| t
            .stride
            .iter()
            .map(|s| s.to_string())
            .collect())),
        options(&distinct(c, |t| vec![t.lifecycle.to_owned()])),
        options(&distinct(c, |t| vec![t.status.to_owned()])),
        options(&distinct(c, |t| vec![t.owner_role.to_owned()])),
    );
    h.push_str("<table><thead><tr><th>Residual</th><th>Threat</th><th>Element</th><th>STRIDE</th><th>Lifecycle</th><th>Status</th><th>Owner</th></tr></thead>");
    let mut all = c.register();
    let total = all.len();
    all.truncate(MAX_ROWS);
    for (k, t) in all.into_iter().enumerate() {
        let detailed = k < MAX_DETAILED;
        let _ = write!(
            h,
            "<tbody class=\"tw-threat\" id=\"t-{id}\" data-severity=\"{sev}\" data-stride=\"{stride}\" data-lifecycle=\"{life}\" data-status=\"{status}\" data-role=\"{role}\"><tr class=\"tw-row\"><td>{badge}<br><span class=\"tw-muted\">{score} (inherent {inh})</span></td><td><b>{title}</b><br><code>{id}</code></td><td>{elems}</td><td>{stride}</td><td>{life}</td><td><span class=\"tw-status\">{status}</span></td><td>{role}</td></tr>",
            id = esc(&t.id),
            sev = t.residual.severity.as_str(),
            stride = t.stride.join(" "),
            life = t.lifecycle,
            status = t.status,
            role = t.owner_role,
            badge = sev_badge(t.residual.severity),
            score = t.residual.score,
            inh = t.score,
            title = esc(&t.title),
            elems = esc(&t.elements.join(", ")),
        );
        if detailed {
            h.push_str("<tr><td colspan=\"7\"><details><summary>evidence, score, mitigations, references</summary><div class=\"tw-detail\">");
            threat_detail(h, c, t);
            h.push_str("</div></details></td></tr>");
        }
        h.push_str("</tbody>");
    }
    h.push_str("</table>");
    if total > MAX_DETAILED {
        let _ = write!(
            h,
            "<p class=\"tw-muted\">{total} threats: the first {} (open first, highest residual risk first) have their details here{}. <code>threatwright analyze MODEL --format json</code> and <code>threatwright report MODEL -o register.csv</code> hold them all.</p>",
            MAX_DETAILED.min(total),
            if total > MAX_ROWS {
                format!(", and only the first {MAX_ROWS} are listed")
            } else {
                String::new()
            }
        );
    }
    h.push_str("</section>");
}

fn threat_detail(h: &mut String, c: &Content, t: &Threat) {
    if let Some(r) = c.cat.rule(&t.rule) {
        let _ = write!(h, "<p>{}</p>", esc(r.rule.what.trim()));
    }
    let ul = |h: &mut String, title: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = write!(h, "<h4>{title}</h4><ul>");
        for i in items {
            let _ = write!(h, "<li>{}</li>", esc(i));
        }
        h.push_str("</ul>");
    };
    if let Some(head) = &t.part_of {
        let _ = write!(
            h,
            "<p class=\"tw-muted\">Part of <a href=\"#t-{}\">{}</a>: the same cause and the same fix; a gate counts them once.</p>",
            esc(head),
            esc(head)
        );
    }
    ul(h, "Why it applies (evidence)", &t.evidence);
    let _ = write!(
        h,
        "<h4>Score</h4><p>Base likelihood {} × impact {}; after modifiers {} × {} = {} ({}); residual {} × {} = {} ({}){}.</p>",
        t.base_likelihood,
        t.base_impact,
        t.likelihood,
        t.impact,
        t.score,
        t.severity.as_str(),
        t.residual.likelihood,
        t.residual.impact,
        t.residual.score,
        t.residual.severity.as_str(),
        if t.residual.reduced_by.is_empty() {
            String::new()
        } else {
            format!(", lowered by {}", esc(&t.residual.reduced_by.join(", ")))
        }
    );
    ul(h, "Score factors", &t.factors);
    let _ = write!(
        h,
        "<h4>Business impact</h4><p>{}</p>",
        esc(&t.business_impact)
    );
    let steps = c.attack_steps(&t.rule);
    ul(h, "How an attacker goes about it", &steps);
    h.push_str("<h4>Mitigations</h4><ul>");
    for (class, label, ids) in [
        ("tw-present", "in place", &t.mitigations.present),
        ("tw-planned", "planned", &t.mitigations.planned),
        ("tw-missing", "missing", &t.mitigations.missing),
    ] {
        for id in ids {
            let because = t
                .mitigations
                .credited
                .iter()
                .find(|x| &x.control == id)
                .map(|x| format!(" — credited: {}", esc(&x.because)))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<li class=\"{class}\">{label}: {} <code>{}</code>{because}</li>",
                esc(&c.control_title(id)),
                esc(id)
            );
        }
    }
    h.push_str("</ul>");
    ul(h, "Open questions", &t.questions);
    if let Some(tr) = &t.tracking {
        let _ = write!(
            h,
            "<h4>Tracking</h4><p>{} by {}{}{}{}</p>",
            tr.recorded_status,
            tr.owner.unwrap_or("—"),
            tr.rationale
                .as_ref()
                .map_or(String::new(), |r| format!(": {}", esc(r))),
            tr.expires.as_ref().map_or(String::new(), |e| format!(
                " (until {}{})",
                esc(e),
                if tr.expired { ", expired" } else { "" }
            )),
            tr.ticket
                .as_ref()
                .map_or(String::new(), |e| format!(" · ticket {}", esc(e)))
        );
    }
    let linked: Vec<String> = t
        .incidents
        .iter()
        .map(|i| format!("incident {i}"))
        .chain(t.assumptions.iter().map(|i| format!("assumption {i}")))
        .chain(t.decisions.iter().map(|i| format!("decision {i}")))
        .collect();
    ul(h, "Linked records", &linked);
    h.push_str("<h4>References</h4><ul>");
    for (label, key, ids) in references(t) {
        let items: Vec<String> = ids
            .iter()
            .map(|id| {
                let name = reference_name(c.cat, key, id)
                    .map_or(String::new(), |n| format!(" {}", esc(&n)));
                match reference_url(c.cat, key, id) {
                    Some(u) => format!(
                        "<a href=\"{}\" rel=\"noreferrer\">{}</a>{name}",
                        esc(&u),
                        esc(id)
                    ),
                    None => format!("{}{name}", esc(id)),
                }
            })
            .collect();
        let _ = write!(h, "<li>{label}: {}</li>", items.join("; "));
    }
    h.push_str("</ul>");
    if let Some(l) = &t.location {
        let _ = write!(
            h,
            "<p class=\"tw-muted\">Reported at {}:{}:{} · rule <code>{}</code> · confidence {}</p>",
            esc(&l.file),
            l.line,
            l.column,
            esc(&t.rule),
            t.confidence
        );
    }
}

fn trees(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"trees\"><h2>Attack trees</h2><p class=\"tw-muted\">One tree per attacker goal the system gives reason for, built from the flow graph and the threats on each way in; trees written in the model are evaluated the same way. OR: any child suffices; AND: every child is needed. A leaf's chance comes from its threat's residual likelihood, its cost is the attacker's effort in US dollars; red marks the cheapest way.</p>"
    );
    if c.trees.is_empty() {
        h.push_str("<p>No threat found leads to a known attacker goal.</p>");
    }
    for (t, svg) in c.trees.iter().zip(&c.tree_svgs) {
        let _ = write!(
            h,
            "<h3>{}{}</h3><p>{} Chance of success <b>{}</b>; cheapest way <b>{}</b>.</p>",
            esc(&t.goal),
            if t.generated {
                ""
            } else {
                " (written by hand)"
            },
            esc(&t.description),
            pct(t.probability),
            usd(t.cost)
        );
        if !t.cheapest_path.is_empty() {
            let _ = write!(
                h,
                "<p>Cheapest way: {}</p>",
                t.cheapest_path
                    .iter()
                    .map(|s| esc(s))
                    .collect::<Vec<_>>()
                    .join(" <b>+</b> ")
            );
        }
        for w in &t.warnings {
            let _ = write!(h, "<p class=\"tw-muted\">Note: {}</p>", esc(w));
        }
        let _ = write!(
            h,
            "<details class=\"tw-tree-view\"><summary>the whole tree</summary><div class=\"tw-figure\">{svg}</div></details>"
        );
    }
    h.push_str("</section>");
}

fn plan(h: &mut String, c: &Content) {
    let p = &c.a.plan;
    let _ = write!(
        h,
        "<section id=\"plan\"><h2>Mitigation plan</h2><h3>Controls to add, the most risk removed first</h3>"
    );
    if p.controls.is_empty() {
        h.push_str("<p>No missing control: every open threat's recommended controls are in place or planned.</p>");
    } else {
        h.push_str(
            "<table><tr><th>Control</th><th>Owner</th><th>Risk removed</th><th>Threats</th></tr>",
        );
        for x in &p.controls {
            let _ = write!(
                h,
                "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.title),
                esc(&x.control),
                x.owner,
                x.risk_removed,
                list(&x.threats)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>By role</h3><table><tr><th>Role</th><th>Open threats owned</th><th>Controls to deliver</th></tr>");
    for r in &p.roles {
        let titles: Vec<String> = r.controls.iter().map(|x| c.control_title(x)).collect();
        let _ = write!(
            h,
            "<tr><td><b>{}</b></td><td>{}</td><td>{}</td></tr>",
            r.role,
            r.open_threats.len(),
            list(&titles)
        );
    }
    h.push_str("</table></section>");
}

/// Control ids, each with its title on hover; long lists end in "+N more" with the rest
/// on hover, so a row stays readable.
fn controls(c: &Content, ids: &[String]) -> String {
    const SHOWN: usize = 6;
    if ids.is_empty() {
        return "<span class=\"tw-muted\">—</span>".into();
    }
    let mut out = ids
        .iter()
        .take(SHOWN)
        .map(|id| {
            format!(
                "<span title=\"{}\">{}</span>",
                esc(&c.control_title(id)),
                esc(id)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        let _ = write!(
            out,
            " <span class=\"tw-muted\" title=\"{}\">+{} more</span>",
            esc(&ids[SHOWN..].join(", ")),
            ids.len() - SHOWN
        );
    }
    out
}

fn compliance(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"compliance\"><h2>Compliance views</h2><p class=\"tw-muted\">The same findings through the frameworks a compliance officer reports on. A control is in place when the model states it implemented or verified, missing when an open threat recommends it and nothing states it.</p>"
    );
    for f in &c.compliance {
        let _ = write!(
            h,
            "<h3>{}</h3><p class=\"tw-muted\">{}</p><table><tr><th>Item</th><th>Status</th><th>In place</th><th>Planned</th><th>Missing</th><th>Open threats</th></tr>",
            esc(f.title),
            esc(f.note)
        );
        for i in &f.items {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"tw-comp-{}\">{}</td><td class=\"tw-present\">{}</td><td class=\"tw-planned\">{}</td><td class=\"tw-missing\">{}</td><td>{}</td></tr>",
                esc(&i.title),
                i.status,
                i.status.replace('-', " "),
                controls(c, &i.in_place),
                controls(c, &i.planned),
                controls(c, &i.missing),
                i.open_threats.len()
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

fn knowledge(h: &mut String, c: &Content) {
    let m = c.model;
    let _ = write!(
        h,
        "<section id=\"knowledge\"><h2>Assumptions, decisions and incidents</h2><h3>Assumptions</h3>"
    );
    if m.assumptions.is_empty() {
        h.push_str("<p class=\"tw-muted\">None recorded.</p>");
    } else {
        h.push_str(
            "<table><tr><th>Id</th><th>Assumption</th><th>Affects</th><th>Validated</th></tr>",
        );
        for x in &m.assumptions {
            let affects: Vec<&str> = x.affects.iter().map(|p| p.name.as_str()).collect();
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(x.id.as_str()),
                esc(&x.text),
                list(&affects),
                match x.validated {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "not stated",
                }
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>Decisions</h3>");
    if m.decisions.is_empty() {
        h.push_str("<p class=\"tw-muted\">None recorded.</p>");
    } else {
        h.push_str("<table><tr><th>Id</th><th>Date</th><th>Decision</th><th>Rationale</th><th>By</th><th>Addresses</th></tr>");
        for x in &m.decisions {
            let addr: Vec<&str> = x.addresses.iter().map(|p| p.name.as_str()).collect();
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(x.id.as_str()),
                x.date.as_ref().map_or("—".into(), |d| esc(&d.to_string())),
                esc(&x.text),
                esc(x.rationale.as_deref().unwrap_or("—")),
                x.by.map_or("—", |r| r.as_str()),
                list(&addr)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>Incidents</h3>");
    if m.incidents.is_empty() {
        h.push_str("<p class=\"tw-muted\">None recorded.</p>");
    } else {
        h.push_str("<table><tr><th>Id</th><th>Date</th><th>What happened</th><th>Source</th><th>Threats</th></tr>");
        for x in &m.incidents {
            let th: Vec<&str> = x.threats.iter().map(|p| p.name.as_str()).collect();
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(x.id.as_str()),
                esc(&x.date.to_string()),
                esc(&x.summary),
                x.source.map_or("—", |s| s.as_str()),
                list(&th)
            );
        }
        h.push_str("</table>");
    }
    if !c.a.tracking_warnings.is_empty() {
        h.push_str("<h3>Risk tracking warnings</h3><ul>");
        for w in &c.a.tracking_warnings {
            let _ = write!(h, "<li>line {}: {}</li>", w.line, esc(&w.message));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>");
}

fn questions(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"questions\"><h2>Open questions</h2><p class=\"tw-muted\">Facts a rule needed that the model does not state. Answering them in the model makes the findings sharper.</p>"
    );
    if c.a.questions.is_empty() {
        h.push_str("<p>None.</p>");
    } else {
        h.push_str("<table><tr><th>Element</th><th>Question</th><th>Asked by rule</th></tr>");
        for q in &c.a.questions {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&q.element),
                esc(&q.question),
                esc(&q.rule)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

fn bom(h: &mut String, c: &Content) {
    let _ = write!(
        h,
        "<section id=\"bom\"><h2>AI bill of materials</h2><p class=\"tw-muted\">Models, datasets, third-party AI services, agents and tools, with their provenance. <code>threatwright bom</code> exports the same as CycloneDX 1.6.</p>"
    );
    if c.bom.is_empty() {
        h.push_str("<p>No AI component in the model.</p>");
    } else {
        h.push_str("<table><tr><th>Name</th><th>What</th><th>Kind</th><th>Provenance</th><th>Open threats</th></tr>");
        for r in &c.bom {
            let _ = write!(
                h,
                "<tr><td><b>{}</b> <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                esc(&r.name),
                esc(&r.id),
                r.what,
                esc(&r.kind),
                if r.provenance.is_empty() {
                    "<span class=\"tw-muted\">not stated</span>".into()
                } else {
                    esc(&r.provenance)
                },
                r.open_threats,
                r.highest
                    .map_or(String::new(), |s| format!(" {}", sev_badge(s)))
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}
