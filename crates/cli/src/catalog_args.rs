//! Loading the catalog for a command: the built-in one (or `--catalog DIR`), plus the
//! user's `--rules DIR`s.

use crate::render::HumanRenderer;
use anyhow::Context as _;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use threatwright_catalog::{Catalog, SourceText, builtin_sources, dir_sources, load};
use threatwright_model::Diagnostic;

#[derive(Args, Debug, Clone, Default)]
pub struct CatalogArgs {
    /// Add the rules (and controls) in this directory to the built-in catalog. Repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Use this catalog directory instead of the built-in one (for catalog development).
    #[arg(long, value_name = "DIR", global = true)]
    pub catalog: Option<PathBuf>,
}

impl CatalogArgs {
    /// The base catalog's files: the built-in ones or those of `--catalog`.
    pub fn base_sources(&self) -> anyhow::Result<Vec<SourceText>> {
        match &self.catalog {
            Some(dir) => dir_sources(dir)
                .with_context(|| format!("cannot read catalog {}", dir.display()))
                .map(|v| {
                    v.into_iter()
                        .map(|mut s| {
                            s.builtin = true;
                            s
                        })
                        .collect()
                }),
            None => Ok(builtin_sources()),
        }
    }

    /// Loads the catalog; prints its diagnostics. `Ok(None)` when it has errors.
    pub fn load(&self, out: &mut dyn Write) -> anyhow::Result<Option<Catalog>> {
        let mut sources = self.base_sources()?;
        for dir in &self.rules {
            sources.extend(
                dir_sources(dir)
                    .with_context(|| format!("cannot read rules directory {}", dir.display()))?,
            );
        }
        load_checked(sources, out)
    }
}

/// Loads `sources`, printing diagnostics; `None` when there are errors.
pub fn load_checked(
    sources: Vec<SourceText>,
    out: &mut dyn Write,
) -> anyhow::Result<Option<Catalog>> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let catalog = load(sources, &mut diags);
    threatwright_model::diag::sort_diagnostics(&mut diags);
    if !diags.is_empty() {
        let r = HumanRenderer::new(&catalog.sources, false);
        for d in &diags {
            writeln!(out, "{}", r.render(&catalog.sources, d))?;
        }
    }
    Ok((!diags.iter().any(Diagnostic::is_error)).then_some(catalog))
}
