//! Embeds the bundled content (`templates/`, `alerts/`, `dashboards/`) into the binary as a
//! sorted table, so the binary works on its own and lookups are deterministic.

use std::fs;
use std::path::Path;

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> =
        fs::read_dir(dir).expect("bundled folder is readable").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("inside root").to_string_lossy().replace('\\', "/");
            out.push(rel);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["templates", "alerts", "dashboards"] {
        println!("cargo:rerun-if-changed={dir}");
        walk(root, &root.join(dir), &mut files);
    }
    files.sort();
    let mut code = String::from(
        "/// Bundled files: (path relative to the repository, contents).\npub static BUNDLED: &[(&str, &str)] = &[\n",
    );
    for rel in &files {
        println!("cargo:rerun-if-changed={rel}");
        code.push_str(&format!("    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{rel}\"))),\n"));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("bundled.rs");
    fs::write(out, code).expect("write bundled.rs");
}
