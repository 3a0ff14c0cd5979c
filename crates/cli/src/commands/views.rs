//! What the view commands (diagram, tree, report, bom) share: load and analyse a model,
//! then write one text to a file or standard output.

use super::analyze::load_and_analyze;
use crate::args::ModelArgs;
use anyhow::Context as _;
use std::io::Write;
use std::path::Path;
use threatwright_catalog::Catalog;
use threatwright_engine::Assessment;
use threatwright_model::{Loaded, Model};

pub struct Analysed {
    pub loaded: Loaded,
    pub assessment: Assessment,
    pub catalog: Catalog,
}

impl Analysed {
    pub fn model(&self) -> &Model {
        self.loaded
            .model
            .as_ref()
            .expect("load_and_analyze only returns valid models")
    }
}

/// Loads and analyses the model; `None` (after printing why) when the catalog or the
/// model has errors.
pub fn analyse(src: &ModelArgs, out: &mut dyn Write) -> anyhow::Result<Option<Analysed>> {
    let opts = src.policy.options(&src.model)?;
    let Some(catalog) = src.catalog.load(out)? else {
        writeln!(out, "✗ the rule catalog has errors")?;
        return Ok(None);
    };
    let Some((loaded, assessment)) =
        load_and_analyze(&src.model, &src.limits.limits(), &catalog, &opts, out)?
    else {
        return Ok(None);
    };
    Ok(Some(Analysed {
        loaded,
        assessment,
        catalog,
    }))
}

/// Writes `text` to `path`, or to `out` when there is none.
pub fn emit(path: Option<&Path>, text: &[u8], out: &mut dyn Write) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => out.write_all(text)?,
    }
    Ok(())
}
