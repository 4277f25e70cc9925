//! `rule_files` and `scrape_config_files` (`prometheus/files`): patterns Prometheus accepts, and,
//! unless `--syntax-only`, the files they name, checked as promtool does: literal paths must
//! exist, rule files are checked as rule files, scrape config files as scrape configs whose job
//! names must not repeat any other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::fields::{list, Ty};
use super::{scrape, Ctx, Global};
use crate::check::node::{self, pos, SourceNode};
use crate::check::problem::Sink;
use crate::check::rules::{self, RuleOptions};
use crate::check::Check;

/// Rule and scrape config file patterns may hold a `*` in their last element only.
pub(super) fn pattern_ok(p: &str) -> bool {
    match p.find('*') {
        None => true,
        Some(i) => !p[i..].contains('/'),
    }
}

/// The files `pattern` names, relative to `dir`; `None` when it is a literal path that does not exist.
fn expand(dir: &Path, pattern: &str) -> Option<Vec<PathBuf>> {
    let full = dir.join(pattern);
    if !pattern.contains(['*', '?', '[']) {
        return full.exists().then(|| vec![full]);
    }
    let mut found: Vec<PathBuf> =
        glob::glob(&full.to_string_lossy()).map(|paths| paths.filter_map(Result::ok).collect()).unwrap_or_default();
    found.sort();
    Some(found)
}

/// Checks the patterns of `key` in the config `d` and, unless `--syntax-only`, what they name.
pub(super) fn check(d: &SourceNode, key: &str, global: &Global, jobs: &mut BTreeMap<String, String>, cx: &mut Ctx<'_>) {
    let what = if key == "rule_files" { "rule file path" } else { "scrape config file path" };
    for f in list(d.get(key)) {
        let pattern = f.value.as_str().unwrap_or_default();
        if !pattern_ok(&pattern) {
            cx.err(Check::PrometheusFiles, Some(pos(f)), format!("invalid {what} {pattern:?}"))
                .help("only the last path element may hold a `*`, as in `rules/*.yml`");
            continue;
        }
        if cx.syntax_only {
            continue;
        }
        let Some(paths) = expand(cx.dir, &pattern) else {
            cx.err(Check::PrometheusFile, Some(pos(f)), format!("{what} {pattern:?} does not exist"))
                .help("paths are relative to the config's folder; `--syntax-only` skips this check");
            continue;
        };
        for path in paths {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    cx.err(Check::PrometheusFile, Some(pos(f)), format!("failed to read `{}`: {e}", path.display()));
                    continue;
                }
            };
            let mut sink = Sink::new(&path);
            if key == "rule_files" {
                rules::check(&path, &text, &RuleOptions { names: cx.names, ..RuleOptions::default() }, &mut sink);
                crate::check::lint::suppress::apply(&text, &mut sink);
            } else {
                scrape_file(&path, &text, global, jobs, cx.names, &mut sink);
            }
            cx.sink.problems.append(&mut sink.problems);
        }
    }
}

fn scrape_file(
    path: &Path,
    text: &str,
    global: &Global,
    jobs: &mut BTreeMap<String, String>,
    names: crate::syntax::names::NameValidation,
    sink: &mut Sink,
) {
    let doc = match node::parse(text) {
        Ok(doc) => doc,
        Err(err) => return super::yaml_problem(path, text, &err, sink),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut cx = Ctx { sink, syntax_only: false, dir, names };
    if cx.fields(&doc, &[&[("scrape_configs", Ty::Any)]], false, "config.ScrapeConfigs") {
        for sc in list(doc.value.get("scrape_configs")) {
            scrape::check(sc, global, jobs, &format!("`{}`", path.display()), &mut cx);
        }
    }
}
