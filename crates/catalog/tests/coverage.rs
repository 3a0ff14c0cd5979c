//! The built-in catalog's coverage floor, and every framework id it cites checked
//! against the frameworks' own data in `../shared/data` (skipped, loudly, without it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use threatwright_catalog::{Catalog, builtin_sources, load};

fn catalog() -> Catalog {
    let mut diags = Vec::new();
    let cat = load(builtin_sources(), &mut diags);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "the built-in catalog has errors: {diags:#?}"
    );
    cat
}

fn cited(
    cat: &Catalog,
    f: fn(&threatwright_catalog::types::References) -> &Vec<threatwright_model::types::Text>,
) -> BTreeSet<String> {
    cat.rules
        .iter()
        .filter_map(|r| r.rule.references.as_ref())
        .flat_map(|x| f(x).iter().map(|t| t.name.clone()))
        .collect()
}

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("THREATWRIGHT_REQUIRE_SHARED").is_some() {
        panic!("../shared/data is missing but THREATWRIGHT_REQUIRE_SHARED is set");
    }
    eprintln!(
        "SKIPPED: ../shared/data is not present next to the repository; the framework cross-checks did not run"
    );
    None
}

#[test]
fn coverage_floor() {
    let cat = catalog();
    assert!(
        cat.rules.len() >= 120,
        "{} rules; the floor is 120",
        cat.rules.len()
    );
    assert!(
        cat.controls.len() >= 60,
        "{} controls; the floor is 60",
        cat.controls.len()
    );
    let llm = cited(&cat, |x| &x.owasp_llm);
    for i in 1..=10 {
        assert!(
            llm.contains(&format!("LLM{i:02}:2025")),
            "OWASP LLM{i:02}:2025 is covered by no rule"
        );
    }
    let ml = cited(&cat, |x| &x.owasp_ml);
    for i in 1..=10 {
        assert!(
            ml.contains(&format!("ML{i:02}:2023")),
            "OWASP ML{i:02}:2023 is covered by no rule"
        );
    }
    let atlas: BTreeSet<String> = cited(&cat, |x| &x.atlas)
        .into_iter()
        .filter(|a| cat.frameworks.atlas_counts(a))
        .collect();
    assert!(
        atlas.len() >= 100,
        "{} distinct ATLAS techniques beyond reconnaissance and resource development; the floor is 100",
        atlas.len()
    );
}

#[test]
fn every_control_is_used_and_every_rule_has_mitigations() {
    let cat = catalog();
    for r in &cat.rules {
        assert!(
            !r.rule.mitigations.is_empty(),
            "{} lists no mitigations",
            r.id()
        );
        // Governance gaps (no owner, no incident response) are not attacks and need no STRIDE category.
        assert!(
            !r.rule.stride.is_empty()
                || r.rule.lifecycle == threatwright_catalog::Stage::Governance,
            "{} has no STRIDE category",
            r.id()
        );
    }
    let unused: Vec<&String> = cat
        .controls
        .keys()
        .filter(|c| cat.rules_mitigated_by(c).is_empty())
        .collect();
    assert!(unused.is_empty(), "controls no rule cites: {unused:?}");
}

#[test]
fn framework_ids_exist_in_the_sources() {
    let Some(data) = shared_data() else { return };
    let cat = catalog();
    let atlas_text = std::fs::read_to_string(data.join("atlas/ATLAS.yaml")).unwrap();
    for id in cited(&cat, |x| &x.atlas) {
        assert!(
            atlas_text.contains(&format!("id: {id}\n")),
            "ATLAS id {id} is not in ATLAS.yaml"
        );
    }
    for id in cat.frameworks.atlas.keys() {
        assert!(
            atlas_text.contains(&format!("id: {id}\n")),
            "catalog/frameworks/atlas.yaml lists {id}, which ATLAS.yaml does not have"
        );
    }
    let risks_text = std::fs::read_to_string(data.join("cosai-risk-map/risks.yaml")).unwrap();
    let cosai_ids: BTreeSet<String> = risks_text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id: "))
        .filter(|i| i.starts_with("risk"))
        .map(str::to_owned)
        .collect();
    assert!(cosai_ids.len() >= 30);
    let cosai = cited(&cat, |x| &x.cosai);
    for id in &cosai {
        assert!(cosai_ids.contains(id), "CoSAI id {id} is not in risks.yaml");
    }
    let missing: Vec<&String> = cosai_ids.iter().filter(|i| !cosai.contains(*i)).collect();
    assert!(
        missing.is_empty(),
        "CoSAI risks cited by no rule: {missing:?}"
    );
    let listed: BTreeSet<&String> = cat.frameworks.cosai.keys().collect();
    assert_eq!(
        listed,
        cosai_ids.iter().collect(),
        "catalog/frameworks/cosai.yaml is out of date"
    );
}
