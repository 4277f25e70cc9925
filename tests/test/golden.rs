//! Golden trees: `tests/fixtures/render/<case>/in` renders to exactly `…/out`.
//! Update them with `UPDATE_GOLDEN=1 cargo test --test test golden` (see README).

use std::path::Path;

use crate::{copy_tree, files_below, render_case, render_cases};

fn update(out_dir: &Path, built: &Path) {
    let _ = std::fs::remove_dir_all(out_dir);
    copy_tree(built, out_dir);
}

#[test]
fn golden_render_trees() {
    let updating = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for (name, dir) in render_cases() {
        let project = render_case(&dir);
        let built = project.path().join("build");
        let expected = dir.join("out");
        if updating {
            update(&expected, &built);
            continue;
        }
        let got = files_below(&built);
        let want = files_below(&expected);
        if got != want {
            failures.push(format!("{name}: file sets differ\n  rendered: {got:?}\n  expected: {want:?}"));
            continue;
        }
        for rel in got {
            let a = std::fs::read(built.join(&rel)).unwrap();
            let b = std::fs::read(expected.join(&rel)).unwrap();
            if a != b {
                let diff = monstack::difftext::diff(&String::from_utf8_lossy(&b), &String::from_utf8_lossy(&a), 2, 30);
                failures.push(format!("{name}: {} differs (- expected, + rendered)\n{diff}", rel.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nrun `UPDATE_GOLDEN=1 cargo test --test test golden` if the change is intended",
        failures.join("\n")
    );
}

#[test]
fn render_is_byte_for_byte_deterministic() {
    for (_, dir) in render_cases() {
        let a = render_case(&dir);
        let b = render_case(&dir);
        for rel in files_below(&a.path().join("build")) {
            assert_eq!(
                std::fs::read(a.path().join("build").join(&rel)).unwrap(),
                std::fs::read(b.path().join("build").join(&rel)).unwrap(),
                "{} differs between two renders",
                rel.display()
            );
        }
    }
}
