//! The JSON Schema of the format and the generated reference in `docs/model-format.md`,
//! both derived from the type declarations so they cannot disagree with the loader.

use crate::decode::{Decode, SchemaGen};
use crate::diag::Code;
use crate::limits::Limits;
use crate::types::Document;
use serde_json::{Value as Json, json};
use std::fmt::Write;

/// The `$id` of the schema; versioned with the format.
pub const SCHEMA_ID: &str = "https://threatwright.dev/schema/model-v1.json";

fn generate() -> (Json, SchemaGen) {
    let mut g = SchemaGen::default();
    let root = Document::schema(&mut g);
    let name = root["$ref"]
        .as_str()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut top = g.defs.get(&name).cloned().unwrap_or(Json::Null);
    if let Json::Object(m) = &mut top {
        m.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        m.insert("$id".into(), json!(SCHEMA_ID));
        m.insert("title".into(), json!("Threatwright model, format v1"));
        m.insert("$defs".into(), Json::Object(g.defs.clone()));
    }
    (top, g)
}

/// The JSON Schema of a model file.
pub fn json_schema() -> Json {
    generate().0
}

/// The generated reference section of `docs/model-format.md`: every key of every section
/// and kind, every allowed value, the limits and the diagnostic codes.
pub fn reference_markdown() -> String {
    let (_, g) = generate();
    let mut out = String::new();
    out.push_str("## Reference\n\nGenerated from the format's type declarations (the same ones the loader and `threatwright schema` use). Do not edit by hand: run `THREATWRIGHT_BLESS=1 cargo test -p threatwright-model --test docs` after changing the format.\n\n");
    // Records are registered innermost first; the model file reads best at the top.
    let mut records = g.records.clone();
    if let Some(i) = records.iter().position(|r| r.name == "Document") {
        let doc = records.remove(i);
        records.insert(0, doc);
    }
    for r in &records {
        let _ = writeln!(out, "### {}\n", capitalize(&r.title));
        let doc = r.doc.trim();
        if !doc.is_empty() {
            let _ = writeln!(out, "{doc}\n");
        }
        out.push_str("| key | type | required | meaning |\n|---|---|---|---|\n");
        for f in &r.fields {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                f.key,
                f.ty.replace('|', "\\|"),
                if f.required { "yes" } else { "" },
                f.doc
            );
        }
        out.push('\n');
    }
    out.push_str("### Allowed values\n\n| value set | values |\n|---|---|\n");
    let mut enums = g.enums.clone();
    enums.sort_by_key(|e| e.1);
    for (_, what, names) in &enums {
        let _ = writeln!(
            out,
            "| {what} | {} |",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str(
        "\n### Limits\n\n| limit | default | raise with | what it bounds |\n|---|---|---|---|\n",
    );
    for (name, default, flag, what) in Limits::documented() {
        let _ = writeln!(out, "| {name} | {default} | `{flag}` | {what} |");
    }
    out.push_str("\n### Diagnostic codes\n\n| code | meaning |\n|---|---|\n");
    for c in Code::ALL {
        let _ = writeln!(out, "| `{}` | {} |", c.name(), c.description());
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
