//! `threatwright init`: a commented starter model, so nobody starts from a blank page.

use super::Exit;
use crate::args::{InitArgs, Template};
use anyhow::{Context, bail};
use clap::ValueEnum;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub fn template_text(t: Template) -> &'static str {
    match t {
        Template::RagAssistant => include_str!("../../templates/rag-assistant.yaml"),
        Template::ToolAgent => include_str!("../../templates/tool-agent.yaml"),
        Template::PredictiveService => include_str!("../../templates/predictive-service.yaml"),
        Template::FineTuningPipeline => include_str!("../../templates/fine-tuning-pipeline.yaml"),
    }
}

pub fn template_name(t: Template) -> String {
    t.to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// A kebab-case id from a display name: "Support Copilot" → "support-copilot".
pub fn id_from_name(name: &str) -> String {
    let mut id = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        "my-ai-system".into()
    } else {
        id
    }
}

/// Fills the template's placeholders. The name is written as a YAML double-quoted string.
pub fn render(t: Template, id: &str, name: &str) -> String {
    let quoted = serde_json::to_string(name).unwrap_or_else(|_| "\"My AI system\"".into());
    template_text(t)
        .replace("{{system_id}}", id)
        .replace("\"{{system_name}}\"", &quoted)
        .replace("{{system_name}}", &quoted)
}

pub fn run(args: &InitArgs, input: &mut dyn BufRead, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let interactive = args.interactive
        || (!args.no_interactive && args.template.is_none() && std::io::stdin().is_terminal());
    let mut template = args.template;
    let mut name = args.name.clone();
    if interactive {
        if template.is_none() {
            template = Some(ask_template(input, out)?);
        }
        if name.is_none() {
            let answer = ask(input, out, "System name [My AI system]: ")?;
            name = Some(if answer.is_empty() {
                "My AI system".into()
            } else {
                answer
            });
        }
    }
    let Some(template) = template else {
        bail!(
            "choose a template with --template (rag-assistant, tool-agent, predictive-service, fine-tuning-pipeline), or run on a terminal to be asked"
        );
    };
    let name = name.unwrap_or_else(|| "My AI system".into());
    let id = args.id.clone().unwrap_or_else(|| id_from_name(&name));
    if !threatwright_model::types::is_valid_id(&id) {
        bail!("`{id}` is not a valid id: use lowercase letters, digits, `-` and `_`");
    }
    refuse_overwrite(&args.path, args.force)?;
    std::fs::write(&args.path, render(template, &id, &name))
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    writeln!(
        out,
        "wrote {} from template {}",
        args.path.display(),
        template_name(template)
    )?;
    let schema_path = args
        .path
        .parent()
        .unwrap_or(Path::new(""))
        .join("threatwright.schema.json");
    if !schema_path.exists() || args.force {
        std::fs::write(&schema_path, super::schema::schema_text())
            .with_context(|| format!("cannot write {}", schema_path.display()))?;
        writeln!(
            out,
            "wrote {} (editor completion: see the modeline at the top of the model)",
            schema_path.display()
        )?;
    }
    writeln!(
        out,
        "next: edit the model, then run `threatwright validate {}`",
        args.path.display()
    )?;
    Ok(Exit::Clean)
}

fn refuse_overwrite(path: &Path, force: bool) -> anyhow::Result<()> {
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        );
    }
    Ok(())
}

fn ask(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> anyhow::Result<String> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        bail!("no answer on standard input; pass --template and --name instead");
    }
    Ok(line.trim().to_owned())
}

fn ask_template(input: &mut dyn BufRead, out: &mut dyn Write) -> anyhow::Result<Template> {
    let all = Template::value_variants();
    writeln!(out, "Which kind of AI system are you modeling?")?;
    for (i, t) in all.iter().enumerate() {
        let help = t
            .to_possible_value()
            .and_then(|v| v.get_help().map(|h| h.to_string()))
            .unwrap_or_default();
        writeln!(out, "  {}. {:<22} {help}", i + 1, template_name(*t))?;
    }
    for _ in 0..3 {
        let answer = ask(input, out, "Template [1]: ")?;
        if answer.is_empty() {
            return Ok(all[0]);
        }
        if let Ok(n) = answer.parse::<usize>()
            && (1..=all.len()).contains(&n)
        {
            return Ok(all[n - 1]);
        }
        if let Some(t) = all.iter().find(|t| template_name(**t) == answer) {
            return Ok(*t);
        }
        writeln!(
            out,
            "Please answer with a number from 1 to {} or a template name.",
            all.len()
        )?;
    }
    bail!("no valid template chosen")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_names() {
        assert_eq!(id_from_name("Support Copilot"), "support-copilot");
        assert_eq!(id_from_name("  ACME: Fraud/Risk v2 "), "acme-fraud-risk-v2");
        assert_eq!(id_from_name("!!!"), "my-ai-system");
    }
}
