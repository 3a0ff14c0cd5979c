//! What analyse-like commands share: where the model comes from (a file, standard input,
//! or `git:REV:path`), the risk policy, and the day acceptances expire against.

use anyhow::{Context as _, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use threatwright_engine::Options;
use threatwright_engine::score::Policy;
use threatwright_engine::tracking::{parse_day, today};
use threatwright_model::{Limits, Loaded, load_path, load_str};

#[derive(Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// Risk policy (TOML, `[risk]` matrix); default: `threatwright.toml` beside the model, if any.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Judge acceptance expiry as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

impl PolicyArgs {
    pub fn options(&self, model: &str) -> anyhow::Result<Options> {
        let path = match &self.policy {
            Some(p) => Some(p.clone()),
            None => {
                let beside = Path::new(model)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join("threatwright.toml");
                (!model.starts_with("git:") && model != "-" && beside.is_file()).then_some(beside)
            }
        };
        let policy = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read policy {}", p.display()))?;
                Policy::from_toml(&p.display().to_string(), &text)?
            }
            None => Policy::default(),
        };
        let today = match &self.today {
            Some(d) => parse_day(d).with_context(|| format!("`{d}` is not a date (YYYY-MM-DD)"))?,
            None => today(),
        };
        Ok(Options {
            policy,
            today,
            only: None,
        })
    }
}

/// Loads a model from a path, `-`, or `git:REV:path` (the file as committed at REV).
pub fn load_model(spec: &str, limits: &Limits) -> anyhow::Result<Loaded> {
    if let Some(rest) = spec.strip_prefix("git:") {
        let Some((rev, path)) = rest.split_once(':') else {
            bail!(
                "`{spec}`: write a git revision as git:REV:path, e.g. git:main:threatwright.yaml"
            );
        };
        let out = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            bail!(
                "git show {rev}:{path} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let text =
            String::from_utf8(out.stdout).with_context(|| format!("{spec} is not UTF-8 text"))?;
        return Ok(load_str(spec, &text, limits));
    }
    Ok(load_path(Path::new(spec), limits)?)
}
