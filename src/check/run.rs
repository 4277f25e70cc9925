//! Which checks a file gets: its kind from `--kind` or its content, then the checks of that kind,
//! over many files in parallel.

use std::path::{Path, PathBuf};

use super::dashboard::{self, Datasources};
use super::deep;
use super::lint::LintOptions;
use super::node::Tree;
use super::problem::Sink;
use super::report::Outcome;
use super::rules::{self, RuleOptions};
use crate::diag::printable;
use crate::syntax::names::NameValidation;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A Prometheus rule file (`groups:`).
    Rules,
    /// A Prometheus server config (`scrape_configs:`, `global:`).
    Prometheus,
    /// An Alertmanager config (`route:`, `receivers:`).
    Alertmanager,
    /// A Grafana dashboard (JSON with `panels`).
    Dashboard,
    /// Kubernetes manifests (`apiVersion:` and `kind:`), several documents per file.
    Kubernetes,
}

/// Options of a check run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Forced kind; detected from content when `None`.
    pub kind: Option<Kind>,
    /// Name validation scheme.
    pub names: NameValidation,
    /// Do not check that referenced files exist.
    pub syntax_only: bool,
    /// Datasources dashboards may refer to.
    pub datasources: Datasources,
    /// What the lints may know beyond each file.
    pub lint: LintOptions,
    /// The labels the cluster's Prometheus selects Kubernetes objects by, when known (project
    /// mode); otherwise only Prometheus objects among the manifests say what they select.
    pub kube_labels: Option<std::collections::BTreeMap<String, String>>,
}

/// Why a run could not check everything it was given.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A path could not be read.
    #[error("failed to read `{}`", printable(&path.display().to_string()))]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The kind of a file is not known.
    #[error("cannot tell what `{}` is\n  = help: pass `--kind rules|prometheus|alertmanager|dashboard|kubernetes`", printable(&path.display().to_string()))]
    UnknownKind {
        /// The file.
        path: PathBuf,
    },
    /// A path named is neither a file nor a folder (a FIFO, a socket, a device): it is not opened.
    #[error("cannot check `{}`: it is {what}, not a regular file\n  = help: name files and folders; to check a stream, write it to a file first", printable(&path.display().to_string()))]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is, in words.
        what: &'static str,
    },
}

/// Guesses the kind of a file from its name and first keys.
pub fn detect(path: &Path, text: &str) -> Option<Kind> {
    if path.extension().is_some_and(|e| e == "json") {
        // A JSON file that is not JSON cannot say what it is; in a dashboards folder it is most
        // likely a dashboard broken by hand, which is worth reporting.
        let dashboard = text.contains("\"panels\"") || serde_json::from_str::<serde::de::IgnoredAny>(text).is_err();
        return dashboard.then_some(Kind::Dashboard);
    }
    let top_keys = text
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']) && l.contains(':'))
        .map(|l| l.split(':').next().unwrap_or("").trim());
    let mut kind = None;
    for key in top_keys {
        kind = match key {
            "groups" => Some(Kind::Rules),
            "scrape_configs" | "global" | "rule_files" | "scrape_config_files" | "remote_write" | "alerting" => {
                kind.or(Some(Kind::Prometheus))
            }
            "route" | "receivers" | "inhibit_rules" | "templates" | "time_intervals" => Some(Kind::Alertmanager),
            "apiVersion" | "kind" => Some(Kind::Kubernetes),
            _ => kind,
        };
        if matches!(kind, Some(Kind::Rules | Kind::Alertmanager | Kind::Kubernetes)) {
            break;
        }
    }
    // An empty rule file is valid and says nothing about itself.
    kind.or_else(|| text.trim().is_empty().then_some(Kind::Rules))
}

pub use super::discover::expand;

/// Checks one file's text as `kind`.
pub fn check_text(path: &Path, text: &str, kind: Kind, opts: &Options) -> Result<Sink, CheckError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    deep::on_big_stack(|| check_one(path, text, kind, opts, false).map(|(sink, _)| sink))
}

/// A byte order mark, which some editors put at the start of UTF-8 files; promtool ignores it.
const BOM: char = '\u{feff}';

/// Drops a leading [`BOM`]. Positions stay right: editors do not count it as a column.
fn strip_bom(text: &mut String) {
    if text.starts_with(BOM) {
        text.drain(..BOM.len_utf8());
    }
}

/// Checks one file; with `keep`, returns its parsed tree too, for the checks across files.
fn check_one(
    path: &Path,
    text: &str,
    kind: Kind,
    opts: &Options,
    keep: bool,
) -> Result<(Sink, Option<Tree>), CheckError> {
    let mut sink = Sink::new(path);
    let rule_opts = RuleOptions { names: opts.names, lint: opts.lint };
    let tree = match kind {
        Kind::Rules if keep => rules::check_keeping_tree(path, text, &rule_opts, &mut sink),
        Kind::Rules => {
            rules::check(path, text, &rule_opts, &mut sink);
            None
        }
        Kind::Prometheus => super::prometheus::check(path, text, opts.syntax_only, &mut sink),
        Kind::Alertmanager => super::alertmanager::check(path, text, opts.syntax_only, &mut sink),
        Kind::Dashboard => dashboard::check(path, text, &opts.datasources, &mut sink),
        Kind::Kubernetes => {
            super::kube::check(path, text, &rule_opts, &mut sink);
            None
        }
    };
    super::lint::suppress::apply(text, &mut sink);
    // Dashboards' trees are kept anyway: uid and title uniqueness is checked across them.
    Ok((sink, tree.filter(|_| keep || kind == Kind::Dashboard)))
}

/// Reads and checks every file, spread over the machine's cores, then what must hold across
/// files (unique dashboard uids and titles).
pub fn check_files(files: Vec<(PathBuf, String)>, opts: &Options) -> Result<Outcome, CheckError> {
    check_all(files, opts, false).map(|(outcome, _)| outcome)
}

/// Checks files whose kinds the caller knows (a render's outputs, each part with its own kind),
/// spread over the cores as [`check_files`] does, and also returns each file's parsed tree
/// (`None` where it does not parse), in the order of the outcome's files, so the checks across
/// files need not parse them again.
pub fn check_files_of_kinds(
    files: Vec<(PathBuf, String, Kind)>,
    opts: &Options,
) -> Result<(Outcome, Vec<Option<Tree>>), CheckError> {
    let (files, kinds) = files.into_iter().map(|(p, t, k)| ((p, t), k)).unzip();
    run_all(files, kinds, opts, true)
}

fn check_all(
    files: Vec<(PathBuf, String)>,
    opts: &Options,
    keep: bool,
) -> Result<(Outcome, Vec<Option<Tree>>), CheckError> {
    let kinds = files
        .iter()
        .map(|(path, text)| {
            let text = text.strip_prefix(BOM).unwrap_or(text);
            opts.kind.or_else(|| detect(path, text)).ok_or_else(|| CheckError::UnknownKind { path: path.clone() })
        })
        .collect::<Result<Vec<Kind>, CheckError>>()?;
    run_all(files, kinds, opts, keep)
}

/// One file's findings and tree, or why it could not be checked.
type Checked = Result<(Sink, Option<Tree>), CheckError>;

fn run_all(
    mut files: Vec<(PathBuf, String)>,
    kinds: Vec<Kind>,
    opts: &Options,
    keep: bool,
) -> Result<(Outcome, Vec<Option<Tree>>), CheckError> {
    files.iter_mut().for_each(|(_, text)| strip_bom(text));
    let jobs: Vec<(&(PathBuf, String), Kind)> = files.iter().zip(kinds.iter().copied()).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, files.len().max(1));
    // Each worker takes the next file, largest first: one big file among many small ones no
    // longer keeps its share of the small ones waiting behind it.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].0 .1.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Checked)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (jobs, order, next) = (&jobs, &order, &next);
                deep::spawn(scope, move || {
                    let mut done = Vec::new();
                    while let Some(&i) = order.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        let ((path, text), kind) = jobs[i];
                        done.push((i, check_one(path, text, kind, opts, keep)));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let results = results.into_iter().map(|(_, r)| r);
    let mut problems = Vec::new();
    let mut trees = Vec::new();
    for r in results {
        let (sink, tree) = r?;
        problems.extend(sink.problems);
        trees.push(tree);
    }
    let dashboards: Vec<(&PathBuf, &Tree)> = jobs
        .iter()
        .zip(&trees)
        .filter(|((_, k), _)| *k == Kind::Dashboard)
        .filter_map(|(((p, _), _), t)| Some((p, t.as_ref()?)))
        .collect();
    problems.extend(dashboard::across(&dashboards));
    problems.extend(kube_across(&jobs, &opts.kube_labels));
    if !keep {
        trees.clear();
    }
    problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok((Outcome { files, problems }, trees))
}

/// The selector checks across the Kubernetes manifests of a run (parsed again: a manifest's
/// trees are per document, and the set is small).
fn kube_across(
    jobs: &[(&(PathBuf, String), Kind)],
    labels: &Option<std::collections::BTreeMap<String, String>>,
) -> Vec<super::Problem> {
    let parsed: Vec<(PathBuf, Vec<super::kube::Object>)> = jobs
        .iter()
        .filter(|(_, k)| *k == Kind::Kubernetes)
        .map(|((path, text), _)| (path.clone(), super::kube::parse(path, text, &mut Sink::new(path))))
        .collect();
    if parsed.is_empty() {
        return Vec::new();
    }
    super::kube::across(&parsed, labels.as_ref())
}

/// Reads the files at `paths` (folders recursively) and checks them. Files found in folders whose
/// kind cannot be told (exporter configs) are not ours to check and are skipped; a named file of
/// unknown kind is an error. Grafana datasource provisioning files feed the dashboard checks.
pub fn check_paths(paths: &[PathBuf], opts: &Options) -> Result<Outcome, CheckError> {
    let mut files = Vec::new();
    let mut opts = opts.clone();
    for (path, named) in expand(paths)? {
        let mut text =
            std::fs::read_to_string(&path).map_err(|source| CheckError::Read { path: path.clone(), source })?;
        strip_bom(&mut text);
        if dashboard::is_provisioning(&text) {
            // Grafana's datasource provisioning says which uids dashboards may refer to.
            opts.datasources.add_provisioning(&text);
            continue;
        }
        if named || opts.kind.is_some() || detect(&path, &text).is_some() {
            files.push((path, text));
        }
    }
    check_files(files, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stable-toolchain companion of `fuzz/`: every upstream test file and bundled file, as
    /// every kind, whole and cut at many points, gives findings and never a panic.
    #[test]
    fn no_input_makes_a_checker_panic() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let conf = root.join("tests/upstream");
        let mut inputs = Vec::new();
        for dir in [
            conf.join("prometheus-rules/rulefmt"),
            conf.join("prometheus-rules/promtool"),
            conf.join("prometheus-config"),
            conf.join("alertmanager-config"),
            root.join("dashboards"),
            root.join("alerts"),
            root.join("tests/fixtures/kubernetes/full/out"),
        ] {
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for e in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(e.path()) {
                    inputs.push((e.path(), text));
                }
            }
        }
        assert!(inputs.len() > 250, "only {} inputs", inputs.len());
        let kinds = [Kind::Rules, Kind::Prometheus, Kind::Alertmanager, Kind::Dashboard, Kind::Kubernetes];
        let opts = Options::default();
        for (name, text, kind, bounded) in deep_shapes() {
            let path = Path::new(name);
            let sink = check_text(path, &text, kind, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            let errors = sink.problems.iter().filter(|p| p.severity == crate::check::Severity::Error).count();
            assert_eq!(errors > 0, bounded, "{name}: {:?}", sink.problems);
        }
        for (path, text) in &inputs {
            let step = (text.len() / 12).max(1);
            for cut in (0..text.len()).step_by(step).filter(|c| text.is_char_boundary(*c)) {
                let kind = detect(path, text).unwrap_or(Kind::Prometheus);
                let _ = check_text(path, &text[..cut], kind, &opts);
            }
            for kind in kinds {
                let _ = check_text(path, text, kind, &opts);
                let _ = check_text(path, &text.replace(": ", ":"), kind, &opts);
            }
        }
    }

    /// Deep nesting that promtool and amtool accept, generated: name, text, kind, and whether it
    /// is beyond monstack's bounds (an error says so) rather than checked.
    fn deep_shapes() -> Vec<(&'static str, String, Kind, bool)> {
        let nest =
            |n: usize, open: &str, inner: &str, close: &str| format!("{}{inner}{}", open.repeat(n), close.repeat(n));
        let rule = |expr: &str| format!("groups:\n- name: g\n  rules:\n  - record: r\n    expr: {expr}\n");
        let alert = |summary: &str| {
            format!("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {{severity: page}}\n    annotations:\n      summary: '{summary}'\n")
        };
        let receiver = |text: &str| {
            format!("route:\n  receiver: r\nreceivers:\n- name: r\n  slack_configs:\n  - api_url: http://x/\n    channel: c\n    text: '{text}'\n")
        };
        let panel = |expr: &str| {
            format!(r#"{{"uid": "u", "title": "t", "panels": [{{"id": 1, "targets": [{{"expr": "{expr}"}}]}}]}}"#)
        };
        vec![
            ("ifs.yml", alert(&nest(700, "{{ if true }}", "x", "{{ end }}")), Kind::Rules, false),
            ("ifs-deeper.yml", alert(&nest(100_000, "{{ if true }}", "x", "{{ end }}")), Kind::Rules, true),
            (
                "else-ifs.yml",
                alert(&format!("{{{{ if .A }}}}{}{{{{ end }}}}", "{{ else if .B }}".repeat(5000))),
                Kind::Rules,
                true,
            ),
            ("tmpl-parens.yml", alert(&nest(100_000, "{{ (", "1", ") }}")), Kind::Rules, true),
            ("am-ifs.yml", receiver(&nest(700, "{{ if true }}", "x", "{{ end }}")), Kind::Alertmanager, false),
            (
                "am-ifs-deeper.yml",
                receiver(&nest(100_000, "{{ if true }}", "x", "{{ end }}")),
                Kind::Alertmanager,
                true,
            ),
            ("plus.yml", rule(&vec!["up"; 10_000].join(" + ")), Kind::Rules, false),
            ("plus-more.yml", rule(&vec!["up"; 100_000].join(" + ")), Kind::Rules, true),
            ("minus.yml", rule(&format!("{}up", "-".repeat(100_000))), Kind::Rules, true),
            ("calls.yml", rule(&nest(10_000, "abs(", "up", ")")), Kind::Rules, false),
            ("parens.yml", rule(&nest(100_000, "(", "up", ")")), Kind::Rules, false),
            ("parens-more.yml", rule(&nest(1_000_000, "(", "up", ")")), Kind::Rules, true),
            ("panel.json", panel(&nest(200_000, "(", "up", ")")), Kind::Dashboard, true),
            ("lists.yml", format!("groups: {}", nest(100_000, "[", "", "]")), Kind::Rules, true),
            ("maps.yml", format!("groups: {}", nest(100_000, "{a: ", "1", "}")), Kind::Rules, true),
            ("blocks.yml", (0..100).map(|i| format!("{}a:\n", " ".repeat(i))).collect(), Kind::Prometheus, true),
            ("json.json", nest(100_000, "[", "", "]"), Kind::Dashboard, true),
        ]
    }

    #[test]
    fn detects_kinds() {
        assert_eq!(detect(Path::new("a.yml"), "groups:\n- name: x\n"), Some(Kind::Rules));
        assert_eq!(
            detect(Path::new("a.yml"), "global:\n  scrape_interval: 1s\nscrape_configs: []\n"),
            Some(Kind::Prometheus)
        );
        assert_eq!(
            detect(Path::new("a.yml"), "global:\n  smtp_from: a\nroute:\n  receiver: x\n"),
            Some(Kind::Alertmanager)
        );
        assert_eq!(detect(Path::new("d.json"), "{\"panels\": []}"), Some(Kind::Dashboard));
        assert_eq!(detect(Path::new("a.yml"), ""), Some(Kind::Rules));
        assert_eq!(detect(Path::new("a.yml"), "foo: 1\n"), None);
    }
}
