//! `include:`: relative paths, merging, cycles, depth, and ids unique across files.

mod common;

use std::fs;
use std::path::Path;
use threatwright_model::{Code, Limits, load_path};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

#[test]
fn includes_merge_relative_to_the_including_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "root.yaml",
        "threatwright: 1\ninclude: [parts/zones.yaml]\ncomponents:\n  - { id: api, kind: service, zone: corp }\n  - { id: db, kind: database, zone: corp }\nflows:\n  - { from: api, to: db }\n",
    );
    write(
        d.path(),
        "parts/zones.yaml",
        "include: [data/assets.yaml]\nzones:\n  - { id: corp, trust: internal }\n",
    );
    write(
        d.path(),
        "parts/data/assets.yaml",
        "system: { id: demo }\ndata:\n  - { id: t, classification: internal }\n",
    );
    let l = load_path(&d.path().join("root.yaml"), &Limits::default()).unwrap();
    let m = l
        .model
        .as_ref()
        .unwrap_or_else(|| panic!("{}", common::plain(&l)));
    assert_eq!((m.zones.len(), m.data.len(), m.components.len()), (1, 1, 2));
    assert_eq!(m.system.as_ref().unwrap().id.as_str(), "demo");
    assert_eq!(l.sources.len(), 3);
    // The unused data asset is reported in the file that defines it.
    let w = &l.diagnostics[0];
    assert_eq!(w.code, Code::UnusedData);
    assert!(
        l.sources
            .path(w.span.unwrap().file)
            .ends_with("parts/data/assets.yaml")
    );
}

#[test]
fn include_cycle_is_reported_at_the_include() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.yaml", "threatwright: 1\ninclude: [b.yaml]\n");
    write(d.path(), "b.yaml", "include: [c.yaml]\n");
    write(d.path(), "c.yaml", "include: [a.yaml]\n");
    let l = load_path(&d.path().join("a.yaml"), &Limits::default()).unwrap();
    insta::assert_snapshot!(common::plain(&l), @r"
    c.yaml:1:11: error[include-cycle]: include cycle: a.yaml → b.yaml → c.yaml → a.yaml
        label: this include closes the cycle
        help: remove one of the includes; each file may be included once
    ");
}

#[test]
fn self_include_and_missing_include() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "a.yaml",
        "threatwright: 1\ninclude: [a.yaml, nowhere.yaml]\n",
    );
    let l = load_path(&d.path().join("a.yaml"), &Limits::default()).unwrap();
    let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::IncludeCycle, Code::Io]);
}

#[test]
fn long_include_chains_stop_at_the_depth_limit() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f0.yaml", "threatwright: 1\ninclude: [f1.yaml]\n");
    for i in 1..40 {
        write(
            d.path(),
            &format!("f{i}.yaml"),
            &format!("include: [f{}.yaml]\n", i + 1),
        );
    }
    write(d.path(), "f40.yaml", "zones: []\n");
    let l = load_path(&d.path().join("f0.yaml"), &Limits::default()).unwrap();
    assert_eq!(
        l.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::IncludeLimit]
    );
    let l = load_path(
        &d.path().join("f0.yaml"),
        &Limits {
            max_include_depth: 50,
            ..Limits::default()
        },
    )
    .unwrap();
    assert!(!l.has_errors(), "{}", common::plain(&l));
}

#[test]
fn ids_are_unique_across_files_and_system_is_defined_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "root.yaml",
        "threatwright: 1\nsystem: { id: a }\ninclude: [more.yaml]\nzones:\n  - { id: corp, trust: internal }\ncomponents:\n  - { id: api, kind: service, zone: corp }\n",
    );
    write(
        d.path(),
        "more.yaml",
        "system: { id: b }\ncomponents:\n  - { id: api, kind: database, zone: corp }\n",
    );
    let l = load_path(&d.path().join("root.yaml"), &Limits::default()).unwrap();
    insta::assert_snapshot!(common::plain(&l), @r"
    more.yaml:1:11: error[duplicate-system]: `system` is defined a second time
        label: second definition
        related: root.yaml:2:11: first definition
        help: define `system` once, in the root file
    more.yaml:3:11: error[duplicate-id]: id `api` is already used by a service component
        label: second use
        related: root.yaml:7:11: first use
        help: zones, data, components and flows share one id namespace; rename one of them
    ");
}

#[test]
fn a_file_included_twice_is_merged_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "root.yaml",
        "threatwright: 1\ninclude: [a.yaml, b.yaml]\n",
    );
    write(d.path(), "a.yaml", "include: [common.yaml]\n");
    write(d.path(), "b.yaml", "include: [common.yaml]\n");
    write(
        d.path(),
        "common.yaml",
        "zones:\n  - { id: corp, trust: internal }\ncomponents:\n  - { id: api, kind: service, zone: corp }\n",
    );
    let l = load_path(&d.path().join("root.yaml"), &Limits::default()).unwrap();
    assert!(!l.has_errors(), "{}", common::plain(&l));
}
