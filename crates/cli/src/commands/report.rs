//! `threatwright report`: the HTML, Markdown, CSV or PDF report.

use super::Exit;
use super::diagram::svg;
use super::views::{analyse, emit};
use crate::args::{DocFormat, Layout, ReportArgs};
use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use threatwright_report::content::{Content, STEPS};

fn format_of(args: &ReportArgs) -> anyhow::Result<DocFormat> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    let ext = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    Ok(match ext.as_deref() {
        None | Some("html") | Some("htm") => DocFormat::Html,
        Some("md") | Some("markdown") => DocFormat::Markdown,
        Some("csv") => DocFormat::Csv,
        Some("pdf") => DocFormat::Pdf,
        Some(other) => bail!(
            "cannot tell the report format from `.{other}`; use .html, .md, .csv or .pdf, or --format"
        ),
    })
}

/// A progress bar on standard error, only when a person is watching it.
fn progress(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(STEPS + 2);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn find_chromium(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "printing PDF needs Chromium or Chrome, and none is on PATH; install it (Debian: `apt-get install chromium`), point --chromium at it, or write HTML and print that"
    )
}

/// Prints the HTML to PDF with headless Chromium. Network access is switched off: the
/// report is self-contained and the browser has no reason to go out.
pub fn print_pdf(chromium: &Path, html: &str, pdf: &Path) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let page = dir.join("report.html");
    std::fs::write(&page, html).with_context(|| format!("cannot write {}", page.display()))?;
    let profile = dir.join("profile");
    let pdf_abs = std::path::absolute(pdf).unwrap_or_else(|_| pdf.to_owned());
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--proxy-server=127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf_abs.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .with_context(|| format!("cannot run {}", chromium.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() || !pdf_abs.is_file() {
        bail!(
            "{} could not print the PDF: {}",
            chromium.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir().join(format!("threatwright-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&base).with_context(|| format!("cannot create {}", base.display()))?;
    Ok(base)
}

pub fn run(args: &ReportArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let format = format_of(args)?;
    if format == DocFormat::Pdf && args.output.is_none() {
        bail!("a PDF needs a file: add -o report.pdf");
    }
    let chromium = match format {
        DocFormat::Pdf => Some(find_chromium(args.chromium.as_deref())?),
        _ => None,
    };
    let bar = progress(args.quiet);
    bar.set_message("analysing");
    let Some(a) = analyse(&args.source, out)? else {
        bar.finish_and_clear();
        return Ok(Exit::Findings);
    };
    bar.inc(1);
    let text = if format == DocFormat::Csv {
        threatwright_report::csv::render(&a.assessment)
    } else {
        let draw = |d: &threatwright_report::diagram::Diagram| {
            svg(d, Layout::Auto).unwrap_or_else(|_| threatwright_report::diagram::svg::render(d))
        };
        let mut step = |what: &str| {
            bar.set_message(what.to_owned());
            bar.inc(1);
        };
        let content = Content::build(a.model(), &a.assessment, &a.catalog, &draw, &mut step);
        match format {
            DocFormat::Markdown => {
                threatwright_report::markdown::render(&content, &args.source.model)
            }
            _ => threatwright_report::html::render(&content, &args.source.model),
        }
    };
    bar.set_message("writing");
    if let (DocFormat::Pdf, Some(chromium), Some(path)) = (format, &chromium, &args.output) {
        print_pdf(chromium, &text, path)?;
    } else {
        emit(args.output.as_deref(), text.as_bytes(), out)?;
    }
    bar.finish_and_clear();
    Ok(Exit::Clean)
}
