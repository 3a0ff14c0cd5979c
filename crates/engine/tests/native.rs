//! Native rule evaluation agrees with CEL: every rule over its own test models and over
//! every example, with each native result checked against CEL's (`Mode::Check` panics on
//! any difference).

use std::path::Path;
use threatwright_catalog::{builtin_sources, load};
use threatwright_engine::native::{Mode, set_mode};
use threatwright_engine::ruletest::run_rule_tests;
use threatwright_model::{Limits, load_path};

#[test]
fn native_evaluation_agrees_with_cel() {
    set_mode(Mode::Check);
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    for r in &cat.rules {
        assert!(run_rule_tests(&cat, r).is_empty(), "{}", r.id());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for p in paths {
        let loaded = load_path(&p, &Limits::default()).unwrap();
        let model = loaded.model.expect("the example is valid");
        threatwright_engine::analyze(&model, &cat, None);
    }
    let text = threatwright_engine::synth::yaml(200, 800);
    let loaded = threatwright_model::load_str("synthetic.yaml", &text, &Limits::default());
    threatwright_engine::analyze(&loaded.model.unwrap(), &cat, None);
}
