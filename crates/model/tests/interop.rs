//! Real model files written by other tools (../shared/data/interop) are not Threatwright
//! models; loading them must end in clear diagnostics with valid spans, never a panic.

mod common;

use threatwright_model::{Limits, load_path};

#[test]
fn foreign_models_give_diagnostics_not_panics() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let mut n = 0;
    for tool in std::fs::read_dir(data.join("interop")).unwrap() {
        for file in std::fs::read_dir(tool.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if !path.extension().is_some_and(|e| e == "json" || e == "yaml") {
                continue;
            }
            let l = load_path(&path, &Limits::default()).unwrap();
            assert!(
                l.has_errors(),
                "{} was accepted as a Threatwright model",
                path.display()
            );
            for d in &l.diagnostics {
                if let Some(s) = d.span {
                    let f = l.sources.get(s.file);
                    assert!(
                        s.start <= s.end
                            && s.end <= f.text.len()
                            && f.text.is_char_boundary(s.start),
                        "{}: bad span {d:?}",
                        path.display()
                    );
                }
            }
            n += 1;
        }
    }
    assert!(n >= 10, "expected the interop files, read {n}");
}
