//! The JSON Schema: a valid schema, accepting every example and rejecting broken models.

mod common;

use serde_json::Value;
use std::path::Path;
use threatwright_model::{Limits, SourceMap, schema::json_schema, yaml};

fn yaml_to_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sources = SourceMap::default();
    let f = sources.add(path.to_owned(), text.clone());
    let mut diags = Vec::new();
    yaml::parse(&text, f, &sources, &Limits::default(), &mut diags)
        .unwrap_or_else(|| panic!("{}: {diags:?}", path.display()))
        .to_json()
}

fn validator() -> jsonschema::Validator {
    let schema = json_schema();
    jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn schema_is_valid_and_accepts_every_example() {
    let v = validator();
    let mut n = 0;
    for entry in std::fs::read_dir(common::repo_root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let instance = yaml_to_json(&path);
            let errors: Vec<String> = v
                .iter_errors(&instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            n += 1;
        }
    }
    assert!(n >= 6, "expected the six examples, found {n}");
}

#[test]
fn schema_rejects_broken_models() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    for name in [
        "unknown-keys",
        "bad-enums",
        "wrong-types",
        "kind-attributes",
        "bad-values",
        "wrong-reference-kinds",
    ] {
        let instance = yaml_to_json(&dir.join(format!("{name}.yaml")));
        if name == "wrong-reference-kinds" {
            // References are checked by the loader, not the schema: this one is schema-valid.
            assert!(v.is_valid(&instance), "{name}");
        } else {
            assert!(
                !v.is_valid(&instance),
                "{name} should be rejected by the schema"
            );
        }
    }
}

#[test]
fn schema_knows_every_component_kind_and_its_attributes() {
    let schema = json_schema();
    let branches = schema["$defs"]["Component"]["allOf"].as_array().unwrap();
    assert_eq!(
        branches.len(),
        threatwright_model::types::ComponentKind::ALL.len()
    );
    let agent = branches
        .iter()
        .find(|b| b["if"]["properties"]["kind"]["const"] == "agent")
        .unwrap();
    for key in [
        "llm",
        "tools",
        "memory",
        "autonomy",
        "triggers",
        "delegates_to",
        "max_steps",
        "capabilities",
    ] {
        assert!(
            agent["then"]["properties"].get(key).is_some(),
            "agent lacks {key}"
        );
    }
    let db = branches
        .iter()
        .find(|b| b["if"]["properties"]["kind"]["const"] == "database")
        .unwrap();
    assert!(db["then"]["properties"].get("capabilities").is_none());
}
