//! Feeds arbitrary bytes to the loader: it must return diagnostics, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatwright_model::{Limits, load_str};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let loaded = load_str("fuzz.yaml", text, &Limits::default());
        // Every diagnostic must point inside the text it names.
        for d in &loaded.diagnostics {
            if let Some(s) = d.span {
                let f = loaded.sources.get(s.file);
                assert!(s.start <= s.end && s.end <= f.text.len(), "span out of range: {d:?}");
                assert!(f.text.is_char_boundary(s.start) && f.text.is_char_boundary(s.end));
            }
        }
    }
});
