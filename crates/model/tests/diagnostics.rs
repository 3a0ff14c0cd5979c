//! Each invalid fixture's diagnostics, snapshotted. Reviewed by hand: a change here is a
//! change in what users are told.

mod common;

use std::path::Path;
use threatwright_model::{Code, Limits, load_path};

fn check(name: &str) -> threatwright_model::Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid")
        .join(format!("{name}.yaml"));
    let loaded = load_path(&path, &Limits::default()).unwrap();
    insta::assert_snapshot!(name, common::plain(&loaded));
    loaded
}

fn codes(l: &threatwright_model::Loaded) -> Vec<Code> {
    l.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn unknown_keys() {
    let l = check("unknown-keys");
    assert_eq!(
        codes(&l).iter().filter(|c| **c == Code::UnknownKey).count(),
        5
    );
    assert!(l.model.is_none());
}

#[test]
fn bad_enums() {
    let l = check("bad-enums");
    assert!(codes(&l).iter().filter(|c| **c == Code::BadValue).count() >= 10);
}

#[test]
fn wrong_types() {
    let l = check("wrong-types");
    assert!(codes(&l).contains(&Code::WrongType));
}

#[test]
fn dangling_references() {
    let l = check("dangling-references");
    assert!(
        codes(&l)
            .iter()
            .filter(|c| **c == Code::UnknownReference)
            .count()
            >= 12
    );
}

#[test]
fn wrong_reference_kinds() {
    let l = check("wrong-reference-kinds");
    assert!(
        codes(&l)
            .iter()
            .filter(|c| **c == Code::WrongReferenceKind)
            .count()
            >= 6
    );
}

#[test]
fn duplicate_ids() {
    let l = check("duplicate-ids");
    assert!(codes(&l).contains(&Code::DuplicateId));
    assert!(codes(&l).contains(&Code::AmbiguousFlow));
}

#[test]
fn duplicate_keys() {
    let l = check("duplicate-keys");
    assert_eq!(
        codes(&l)
            .iter()
            .filter(|c| **c == Code::DuplicateKey)
            .count(),
        3
    );
}

#[test]
fn kind_attributes() {
    let l = check("kind-attributes");
    assert!(
        codes(&l)
            .iter()
            .filter(|c| **c == Code::KindMismatch)
            .count()
            >= 5
    );
}

#[test]
fn structure() {
    let l = check("structure");
    for c in [Code::ZoneCycle, Code::SelfFlow, Code::MissingZone] {
        assert!(codes(&l).contains(&c), "{c:?}");
    }
}

#[test]
fn warnings_are_not_errors() {
    let l = check("warnings");
    assert!(!l.has_errors());
    assert!(l.model.is_some());
    assert_eq!(
        codes(&l),
        vec![Code::EmptyZone, Code::UnusedData, Code::Unconnected]
    );
}

#[test]
fn syntax_error() {
    let l = check("syntax-error");
    assert_eq!(codes(&l), vec![Code::Syntax]);
}

#[test]
fn bad_values() {
    let l = check("bad-values");
    assert!(codes(&l).contains(&Code::VersionMismatch));
    assert!(codes(&l).contains(&Code::BadId));
}

#[test]
fn yaml_features() {
    let l = check("yaml-features");
    assert!(codes(&l).contains(&Code::UnsupportedYaml));
    assert!(codes(&l).contains(&Code::MultipleDocuments));
}

#[test]
fn missing_version() {
    let l = check("missing-version");
    assert!(codes(&l).contains(&Code::VersionMismatch));
    assert!(codes(&l).contains(&Code::MissingKey));
}

#[test]
fn diagnostics_come_in_file_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid/dangling-references.yaml");
    let l = load_path(&path, &Limits::default()).unwrap();
    let lines: Vec<u32> = l.diagnostics.iter().map(|d| d.span.unwrap().line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn diagnostic_codes_are_stable() {
    let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    insta::assert_snapshot!("codes", names.join("\n"));
}
