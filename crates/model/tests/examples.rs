//! The shipped examples load with no errors and no warnings.

mod common;

use threatwright_model::{Limits, load_path};

#[test]
fn every_example_is_clean() {
    let mut n = 0;
    for entry in std::fs::read_dir(common::repo_root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let l = load_path(&path, &Limits::default()).unwrap();
            assert!(
                l.diagnostics.is_empty(),
                "{}:\n{}",
                path.display(),
                common::plain(&l)
            );
            n += 1;
        }
    }
    assert!(n >= 6);
}

#[test]
fn json_models_load_like_yaml() {
    let json = r#"{"threatwright": 1, "zones": [{"id": "corp", "trust": "internal"}],
      "components": [{"id": "api", "kind": "service", "zone": "corp"}, {"id": "db", "kind": "database", "zone": "corp"}],
      "flows": [{"from": "api", "to": "db", "encrypted": true}]}"#;
    let l = threatwright_model::load_str("m.json", json, &Limits::default());
    assert!(l.diagnostics.is_empty(), "{}", common::plain(&l));
    assert_eq!(l.model.unwrap().flows[0].encrypted, Some(true));
    let bad = json.replace("\"service\"", "\"servce\"");
    let l = threatwright_model::load_str("m.json", &bad, &Limits::default());
    let d = &l.diagnostics[0];
    assert_eq!(
        (d.code, d.span.unwrap().line),
        (threatwright_model::Code::BadValue, 2)
    );
}
