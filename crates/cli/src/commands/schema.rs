//! `threatwright schema`: the JSON Schema for editors (yaml-language-server) and tools.

use super::Exit;
use crate::args::SchemaArgs;
use std::io::Write;

pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&threatwright_model::schema::json_schema())
        .unwrap_or_default();
    s.push('\n');
    s
}

pub fn run(args: &SchemaArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let text = schema_text();
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(Exit::Clean)
}
