//! `check --exact`: the upstream tools themselves, from the images the spec pins, run through the
//! Docker API on the rendered files (`promtool check config`, `promtool check rules`,
//! `amtool check-config`), their verdicts merged as findings (`exact/promtool`, `exact/amtool`).
//! This is what catches the difference between the Prometheus `check` knows (the latest) and the
//! one the stack runs.

use std::path::{Path, PathBuf};

use crate::check::{Check, Problem, Severity};
use crate::diag::Pos;
use crate::render::Rendered;
use crate::stack::engine::Daemon;

/// Where the rendered files are copied in the tools' containers.
const ROOT: &str = "/check/";

/// One tool run: what to run, from which image, on which rendered files.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `exact/promtool` or `exact/amtool`.
    pub check: Check,
    /// Image to run it from.
    pub image: String,
    /// Program inside the image.
    pub entrypoint: &'static str,
    /// Its arguments.
    pub args: Vec<String>,
}

/// Why `--exact` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    /// An image is not on this machine.
    #[error("image `{0}` is not present, so `--exact` cannot run its tools\n  = help: build it with `scripts/build-images` (or `monstack up --pull missing` pulls it where a registry is reachable)")]
    MissingImage(String),
    /// The daemon failed.
    #[error(transparent)]
    Daemon(#[from] crate::stack::engine::DaemonError),
}

/// The tool runs for a rendered tree: what exists of Prometheus' and Alertmanager's files.
pub fn runs(files: &Rendered, prometheus_image: &str, alertmanager_image: Option<&str>) -> Vec<Run> {
    let mut runs = Vec::new();
    if files.contains_key("prometheus/prometheus.yml") {
        // Rule files are checked on their own below; `--syntax-only` keeps promtool from reading
        // secrets, which are not copied in.
        runs.push(Run {
            check: Check::ExactPromtool,
            image: prometheus_image.to_owned(),
            entrypoint: "/bin/promtool",
            args: vec![
                "check".into(),
                "config".into(),
                "--syntax-only".into(),
                format!("{ROOT}prometheus/prometheus.yml"),
            ],
        });
    }
    let rules: Vec<String> =
        files.keys().filter(|k| k.starts_with("prometheus/rules/")).map(|k| format!("{ROOT}{k}")).collect();
    if !rules.is_empty() {
        runs.push(Run {
            check: Check::ExactPromtool,
            image: prometheus_image.to_owned(),
            entrypoint: "/bin/promtool",
            args: [vec!["check".into(), "rules".into()], rules].concat(),
        });
    }
    if let Some(image) = alertmanager_image.filter(|_| files.contains_key("alertmanager/alertmanager.yml")) {
        runs.push(Run {
            check: Check::ExactAmtool,
            image: image.to_owned(),
            entrypoint: "/bin/amtool",
            args: vec!["check-config".into(), format!("{ROOT}alertmanager/alertmanager.yml")],
        });
    }
    runs
}

/// Runs the tools and returns their findings, with paths under `out`.
pub async fn run(engine: &Daemon, runs: &[Run], files: &Rendered, out: &Path) -> Result<Vec<Problem>, ExactError> {
    for run in runs {
        if !engine.has_image(&run.image).await? {
            return Err(ExactError::MissingImage(run.image.clone()));
        }
    }
    let copied: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(rel, f)| !f.secret && (rel.starts_with("prometheus/") || rel.starts_with("alertmanager/")))
        .map(|(rel, f)| (format!("{}{rel}", ROOT.trim_start_matches('/')), f.contents.clone()))
        .collect();
    let mut problems = Vec::new();
    for run in runs {
        let (code, output) = engine.run_once("check", &run.image, run.entrypoint, run.args.clone(), &copied).await?;
        problems.extend(findings(run, code, &output, out));
    }
    Ok(problems)
}

/// Files copied into a tool's container: (path under `/`, contents).
pub type ToolFiles = Vec<(String, Vec<u8>)>;

/// `monstack test --exact`: runs `promtool test rules PATH` from `image` on `files` (paths
/// relative to the container's root), once per test file; exit code and output of each.
pub async fn test_rules(
    engine: &Daemon,
    image: &str,
    jobs: &[(String, ToolFiles)],
) -> Result<Vec<(i64, String)>, ExactError> {
    if !engine.has_image(image).await? {
        return Err(ExactError::MissingImage(image.to_owned()));
    }
    let mut out = Vec::with_capacity(jobs.len());
    for (path, files) in jobs {
        let args = vec!["test".into(), "rules".into(), format!("/{path}")];
        out.push(engine.run_once("test", image, "/bin/promtool", args, files).await?);
    }
    Ok(out)
}

/// Maps a path in the tools' containers back to the rendered tree.
fn local(path: &str, out: &Path) -> Option<PathBuf> {
    path.strip_prefix(ROOT).map(|rel| out.join(rel))
}

/// Turns a tool's output into findings: each `FAILED` or `file: line:col: message` line is one;
/// a failing run that says nothing parseable is one finding with all it said.
pub fn findings(run: &Run, code: i64, output: &str, out: &Path) -> Vec<Problem> {
    let tool = run.entrypoint.rsplit('/').next().unwrap_or(run.entrypoint);
    let mut current = run.args.last().and_then(|a| local(a, out)).unwrap_or_else(|| out.to_owned());
    let mut problems: Vec<Problem> = Vec::new();
    let clean = |s: &str| s.replace(ROOT, &format!("{}/", out.display()));
    let make = |file: PathBuf, pos: Option<Pos>, message: String| {
        let mut p = Problem::new(run.check, Severity::Error, file, pos, format!("{tool}: {message}"));
        p.help = Some(format!("`{}` says so, from `{}`", tool, run.image));
        p
    };
    // A finding may go on over the lines after it (`yaml: unmarshal errors:` then `line 3: …`).
    let mut open = false;
    for line in output.lines().map(str::trim) {
        let failed = line.split_once("FAILED:").map(|(_, f)| f.trim());
        if let Some(rest) = line.strip_prefix("Checking ") {
            let path = rest.split_whitespace().next().unwrap_or("").trim_matches('\'');
            if let Some(p) = local(path, out) {
                current = p;
            }
            open = false;
            if let Some(f) = failed.filter(|f| !f.is_empty()) {
                problems.push(make(current.clone(), None, clean(f)));
                open = true;
            }
        } else if let Some(f) = failed {
            open = !f.is_empty();
            if open {
                problems.push(make(current.clone(), None, clean(f)));
            }
        } else if let Some(rest) = line.strip_prefix(ROOT) {
            let Some((rel, message)) = rest.split_once(": ") else { continue };
            let parsed = message.split_once(": ").and_then(|(lc, m)| {
                let (l, c) = lc.split_once(':')?;
                Some((Pos { line: l.trim().parse().ok()?, column: c.trim().parse().ok()? }, m))
            });
            let (pos, message) = match parsed {
                Some((p, m)) => (Some(p), m.to_owned()),
                None => (None, message.to_owned()),
            };
            problems.push(make(out.join(rel), pos, clean(&message)));
            open = true;
        } else if line.is_empty() || line.starts_with("SUCCESS") {
            open = false;
        } else if let Some(last) = problems.last_mut().filter(|_| open) {
            last.message.push(' ');
            last.message.push_str(&clean(line));
        }
    }
    if code != 0 && problems.is_empty() {
        problems.push(make(current, None, format!("exited with {code}: {}", clean(output.trim()))));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Run {
        Run {
            check: Check::ExactPromtool,
            image: "p:1".into(),
            entrypoint: "/bin/promtool",
            args: vec!["check".into(), "rules".into(), "/check/prometheus/rules/a.yml".into()],
        }
    }

    #[test]
    fn promtool_rules_output() {
        let output = "Checking /check/prometheus/rules/a.yml\n  FAILED:\n/check/prometheus/rules/a.yml: 5:15: group \"a\", rule 1, \"X\": could not parse expression\n";
        let p = findings(&run(), 1, output, Path::new("build"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].file, Path::new("build/prometheus/rules/a.yml"));
        assert_eq!(p[0].pos, Some(Pos { line: 5, column: 15 }));
        assert_eq!(p[0].message, "promtool: group \"a\", rule 1, \"X\": could not parse expression");
    }

    #[test]
    fn config_failures_and_silence() {
        let output = "Checking /check/prometheus/prometheus.yml\n  FAILED: parsing YAML file /check/prometheus/prometheus.yml: yaml: unmarshal errors:\n  line 3: field x not found\n\n";
        let p = findings(&run(), 1, output, Path::new("build"));
        assert_eq!(
            p[0].message,
            "promtool: parsing YAML file build/prometheus/prometheus.yml: yaml: unmarshal errors: line 3: field x not found"
        );
        assert!(findings(
            &run(),
            0,
            "Checking /check/prometheus/rules/a.yml\n  SUCCESS: 3 rules found\n",
            Path::new("b")
        )
        .is_empty());
        assert_eq!(findings(&run(), 2, "boom", Path::new("b"))[0].message, "promtool: exited with 2: boom");
    }

    #[test]
    fn plans_the_three_runs() {
        let mut files = Rendered::new();
        for f in ["prometheus/prometheus.yml", "prometheus/rules/a.yml", "alertmanager/alertmanager.yml"] {
            files.insert(f.into(), crate::render::OutFile { contents: Vec::new(), secret: false, from: None });
        }
        let runs = runs(&files, "p:1", Some("a:1"));
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[1].args, ["check", "rules", "/check/prometheus/rules/a.yml"]);
        assert_eq!(runs[2].entrypoint, "/bin/amtool");
    }
}
