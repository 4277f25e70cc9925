//! A project's rule and routing tests: `tests/*.yml` (routing test files run against the
//! `alertmanager.yml` `render` would write; rule tests against the rule files `render` would write,
//! named as under `build/prometheus/rules/`, rendered in memory (nothing is written); and the
//! bundled alerts' own tests, rendered with the project's thresholds and overrides.

use std::path::{Path, PathBuf};

use crate::test::RuleSource;

/// Folder of a project's test files.
pub const TESTS_DIR: &str = "tests";

/// Where rendered rule files are, relative to the output folder.
const RULES_DIR: &str = "prometheus/rules/";

/// The project's test files and the rendered rule files they may name.
pub fn collect(dir: &Path) -> anyhow::Result<(Vec<PathBuf>, RuleSource)> {
    let project = super::Project::load(dir)?;
    let out = project.out_dir();
    let files = project.render_for_check(&out)?;
    let bundled = crate::render::tests::bundled_tests(&project.spec, &project.doc, &out, &files)?;
    let rendered = files
        .iter()
        .filter_map(|(name, f)| {
            let rel = name.strip_prefix(RULES_DIR)?;
            Some((PathBuf::from(rel), String::from_utf8_lossy(&f.contents).into_owned()))
        })
        .collect();
    let tests_dir = project.shown(&project.dir().join(TESTS_DIR));
    let mut tests: Vec<PathBuf> = match std::fs::read_dir(&tests_dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(anyhow::anyhow!("cannot read `{}`: {e}", tests_dir.display())),
    };
    tests.sort();
    let external_labels =
        project.spec.prometheus.external_labels.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let alertmanager = super::alertmanager_source(&files, &out);
    Ok((tests, RuleSource { rendered, tests: bundled, external_labels, alertmanager }))
}
