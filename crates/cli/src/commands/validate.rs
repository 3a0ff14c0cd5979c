//! `threatwright validate`: load each model and report every problem.

use super::Exit;
use crate::args::{Format, ValidateArgs};
use crate::render::{HumanRenderer, JsonDiagnostic, json_diagnostic};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use threatwright_model::{Severity, load_path};

/// The `--format json` document, version 1.
#[derive(Serialize)]
struct Report {
    format_version: u32,
    valid: bool,
    files: Vec<FileResult>,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
struct FileResult {
    path: String,
    /// Loaded with no errors.
    valid: bool,
    errors: usize,
    warnings: usize,
    /// Files read for this model: the root and what it includes.
    files_read: Vec<String>,
}

pub fn run(args: &ValidateArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let limits = args.limits.limits();
    let color = args.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut exit = Exit::Clean;
    let mut report = Report {
        format_version: 1,
        valid: true,
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    for path in &args.files {
        let shown = path.display().to_string();
        let loaded = match load_path(path, &limits) {
            Ok(l) => l,
            Err(e) => {
                exit = Exit::Failure;
                report.valid = false;
                match args.format {
                    Format::Human => writeln!(
                        out,
                        "error: {e}\n  help: check the path; `-` reads standard input"
                    )?,
                    Format::Json => report.diagnostics.push(JsonDiagnostic {
                        file: Some(shown.clone()),
                        line: None,
                        column: None,
                        end_line: None,
                        end_column: None,
                        severity: Severity::Error,
                        code: "io",
                        message: e.to_string(),
                        label: None,
                        hint: None,
                        related: Vec::new(),
                    }),
                }
                continue;
            }
        };
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = loaded.diagnostics.len() - errors;
        let valid = errors == 0 && !(args.deny_warnings && warnings > 0);
        if !valid {
            report.valid = false;
            if exit == Exit::Clean {
                exit = Exit::Findings;
            }
        }
        match args.format {
            Format::Human => {
                let renderer = HumanRenderer::new(&loaded.sources, color);
                for d in &loaded.diagnostics {
                    write!(out, "{}", renderer.render(&loaded.sources, d))?;
                    writeln!(out)?;
                }
                let counts = count_words(errors, warnings);
                match &loaded.model {
                    Some(m) if valid => writeln!(
                        out,
                        "✓ {shown}: valid — {} components, {} flows, {} data assets, {} zones{}",
                        m.components.len(),
                        m.flows.len(),
                        m.data.len(),
                        m.zones.len(),
                        if warnings > 0 {
                            format!(" ({counts})")
                        } else {
                            String::new()
                        }
                    )?,
                    _ => writeln!(out, "✗ {shown}: {counts}")?,
                }
            }
            Format::Json => {
                report.diagnostics.extend(
                    loaded
                        .diagnostics
                        .iter()
                        .map(|d| json_diagnostic(&loaded.sources, d, &shown)),
                );
                report.files.push(FileResult {
                    path: shown,
                    valid,
                    errors,
                    warnings,
                    files_read: loaded
                        .sources
                        .files()
                        .map(|(_, f)| f.path.display().to_string())
                        .collect(),
                });
            }
        }
    }
    if args.format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    }
    Ok(exit)
}

fn count_words(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
