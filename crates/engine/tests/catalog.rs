//! Every built-in rule passes its own positive and negative test models (each rule
//! evaluated alone), as `threatwright rules test` checks.

use threatwright_catalog::{builtin_sources, load};
use threatwright_engine::ruletest::run_rule_tests;

#[test]
fn every_builtin_rule_passes_its_tests() {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "the built-in catalog has errors: {diags:#?}"
    );
    let mut failures = Vec::new();
    for r in &cat.rules {
        let problems = run_rule_tests(&cat, r);
        if !problems.is_empty() {
            failures.push(format!("{}:\n    {}", r.id(), problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rules fail their tests:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
