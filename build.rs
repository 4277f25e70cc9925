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

/// `git` asked in the repository, or `None` outside one or without git: a build from a source
/// tarball must still succeed.
fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The commit `--version` names, and a rebuild when HEAD moves (worktrees keep HEAD and refs in
/// different folders, hence `--git-path`).
fn git_commit() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=MONSTACK_GIT_COMMIT={commit}");
    if let Some(p) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={p}");
    }
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(&["rev-parse", "--git-path", &head_ref]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}

fn main() {
    git_commit();
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
