//! Embeds the built-in catalog (`catalog/` at the repository root) in the binary, so
//! an installed `threatwright` needs no files beside it.

use std::fs;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut dirs = vec![root.clone()];
    for f in &files {
        let mut d = f.parent().map(Path::to_path_buf);
        while let Some(p) = d {
            if !dirs.contains(&p) {
                dirs.push(p.clone());
            }
            if p == root {
                break;
            }
            d = p.parent().map(Path::to_path_buf);
        }
    }
    for d in &dirs {
        println!("cargo:rerun-if-changed={}", d.display());
    }
    let mut code = String::from(
        "/// The built-in catalog files: path relative to `catalog/`, and text.\npub const FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().unwrap();
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.to_string_lossy()
        ));
        println!("cargo:rerun-if-changed={}", f.display());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin.rs");
    fs::write(out, code).unwrap();
}
