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
