//! Showing diagnostics to people (miette snippets with carets) and to programs (JSON).

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use threatwright_model::{Diagnostic, Severity, SourceMap, Span};

/// A diagnostic with its file, in the shape miette renders.
struct Shown<'a> {
    d: &'a Diagnostic,
    source: NamedSource<Arc<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code.name()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.clone().into_iter()))
    }
}

fn source_span(s: Span) -> SourceSpan {
    (s.start, s.end.saturating_sub(s.start)).into()
}

/// Renders diagnostics in the human format.
pub struct HumanRenderer {
    handler: GraphicalReportHandler,
    texts: Vec<Arc<String>>,
}

impl HumanRenderer {
    pub fn new(sources: &SourceMap, color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let texts = sources
            .files()
            .map(|(_, f)| Arc::new(f.text.clone()))
            .collect();
        HumanRenderer { handler, texts }
    }

    pub fn render(&self, sources: &SourceMap, d: &Diagnostic) -> String {
        let Some(span) = d.span else {
            let mut s = format!("{}: {}\n", d.code.name(), d.message);
            if let Some(h) = &d.help {
                s.push_str(&format!("  help: {h}\n"));
            }
            return s;
        };
        let file = sources.get(span.file);
        let name = file.path.display().to_string();
        if has_long_lines_near(&file.text, span.start) {
            return render_compact(&name, &file.text, d, span);
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            d.label.clone(),
            source_span(span),
        )];
        let mut notes = Vec::new();
        for r in &d.related {
            if r.span.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    source_span(r.span),
                ));
            } else {
                notes.push(format!(
                    "{} at {}:{}:{}",
                    r.message,
                    sources.path(r.span.file).display(),
                    r.span.line,
                    r.span.col
                ));
            }
        }
        let help = match (&d.help, notes.is_empty()) {
            (h, true) => h.clone(),
            (Some(h), false) => Some(format!("{h}\n{}", notes.join("\n"))),
            (None, false) => Some(notes.join("\n")),
        };
        let shown = Shown {
            d,
            source: NamedSource::new(name, self.texts[span.file.0 as usize].clone()),
            labels,
            help,
        };
        let mut out = String::new();
        if self.handler.render_report(&mut out, &shown).is_err() {
            out = format!(
                "{}:{}:{}: {}\n",
                file.path.display(),
                span.line,
                span.col,
                d.message
            );
        }
        out
    }
}

/// Lines this long make a snippet unreadable (and slow to lay out): show an excerpt instead.
const LONG_LINE: usize = 400;

fn has_long_lines_near(text: &str, offset: usize) -> bool {
    let offset = offset.min(text.len());
    let before = text[..offset]
        .rsplitn(4, '\n')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let after = text[offset..]
        .splitn(4, '\n')
        .map(str::len)
        .max()
        .unwrap_or(0);
    before > LONG_LINE || after > LONG_LINE
}

/// A one-line excerpt around the span, for diagnostics on very long lines.
fn render_compact(name: &str, text: &str, d: &Diagnostic, span: Span) -> String {
    let offset = span.start.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut from = offset.saturating_sub(60).max(line_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (offset + 60).min(line_end);
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let lead = if from > line_start { "…" } else { "" };
    let tail = if to < line_end { "…" } else { "" };
    let excerpt: String = text[from..to]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let caret_col = lead.chars().count() + text[from..offset].chars().count();
    let sign = if d.is_error() { "×" } else { "⚠" };
    let mut out = format!(
        "{}\n\n  {sign} {}\n   ╭─[{name}:{}:{}]\n   │ {lead}{excerpt}{tail}\n   · {}^ {}\n   ╰────\n",
        d.code.name(),
        d.message,
        span.line,
        span.col,
        " ".repeat(caret_col),
        d.label.as_deref().unwrap_or("")
    );
    if let Some(h) = &d.help {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}

/// One diagnostic in the JSON output (format version 1).
#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub label: Option<String>,
    pub hint: Option<String>,
    pub related: Vec<JsonRelated>,
}

#[derive(Serialize)]
pub struct JsonRelated {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub fn json_diagnostic(sources: &SourceMap, d: &Diagnostic, fallback_file: &str) -> JsonDiagnostic {
    let (file, line, column, end) = match d.span {
        Some(s) => {
            let f = sources.get(s.file);
            (
                Some(f.path.display().to_string()),
                Some(s.line),
                Some(s.col),
                Some(f.line_col(s.end)),
            )
        }
        None => (Some(fallback_file.to_owned()), None, None, None),
    };
    JsonDiagnostic {
        file,
        line,
        column,
        end_line: end.map(|e| e.0),
        end_column: end.map(|e| e.1),
        severity: d.severity,
        code: d.code.name(),
        message: d.message.clone(),
        label: d.label.clone(),
        hint: d.help.clone(),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                file: sources.path(r.span.file).display().to_string(),
                line: r.span.line,
                column: r.span.col,
                message: r.message.clone(),
            })
            .collect(),
    }
}
