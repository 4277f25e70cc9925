//! Checking what render would write, before anything is written: every rendered file by its
//! kind, then the cross-checks that need several of them.

use std::path::{Path, PathBuf};

use super::layout;
use crate::check::dashboard::Datasources;
use crate::check::lint::LintOptions;
use crate::check::node::Tree;
use crate::check::project::CrossInputs;
use crate::check::report::Outcome;
use crate::check::run::{self, CheckError, Kind, Options};
use crate::check::{Check, Problem, Severity};
use crate::diag::Pos;
use crate::render::Rendered;
use crate::secrets::SecretRef;
use crate::spec::Spec;

/// What the lints know from the spec: the longest scrape interval any job uses, since a rule may
/// read any job's series.
pub fn lint_options(spec: &Spec) -> LintOptions {
    let global = spec.prometheus.scrape_interval.value.millis();
    let longest =
        spec.targets.iter().filter_map(|t| t.scrape_interval.as_ref()).map(|d| d.millis()).fold(global, u64::max);
    LintOptions { scrape_interval: Some(longest) }
}

/// The errors of `outcome`, if it has any: what render and up refuse to write or start.
pub fn errors(outcome: &Outcome) -> Option<Outcome> {
    let problems: Vec<_> = outcome.problems.iter().filter(|p| p.severity == Severity::Error).cloned().collect();
    (!problems.is_empty()).then(|| Outcome { files: outcome.files.clone(), problems })
}

/// For each rendered file with errors, where it is rendered from: `build/prometheus/rules/own.yml`
/// is not on disk yet when render refuses, `alerts/own.yml` is what the user edits.
pub fn provenance(errors: &Outcome, files: &Rendered, out: &Path, project: &super::Project) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for (rel, file) in files {
        let at = out.join(rel);
        let Some(from) = &file.from else { continue };
        if errors.problems.iter().any(|p| p.file == at) {
            notes.push(format!("`{}` is rendered from `{}`", at.display(), project.shown(from).display()));
        }
    }
    notes
}

/// What Grafana would do with its admin password file: with an empty one it keeps its default
/// password `admin`. A missing file is only a warning: secrets stay out of git, so CI has none.
pub fn check_secrets(project: &super::Project, outcome: &mut Outcome) {
    let found = secrets(project);
    if !found.is_empty() {
        outcome.files.push((project.doc.path.clone(), project.doc.text.clone()));
        outcome.problems.extend(found);
    }
}

fn secrets(project: &super::Project) -> Vec<Problem> {
    let spec = &project.spec;
    let Some(pw) = spec.grafana.admin_password.as_ref().filter(|_| spec.grafana.enabled) else { return Vec::new() };
    let SecretRef::File(rel) = &pw.value else { return Vec::new() };
    let at = (pw.referenced.line() > 0).then(|| Pos::from_location(&pw.referenced));
    let file = project.doc.path.clone();
    let path = crate::paths::normalize(&project.dir().join(rel));
    let (severity, message, help) = match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
            Severity::Warning,
            format!("the Grafana admin password file `{}` does not exist", rel.display()),
            "`monstack up` needs it; `monstack init` generates one, and `.gitignore` keeps it out of git",
        ),
        Err(e) => (
            Severity::Error,
            format!("the Grafana admin password file `{}` cannot be read: {e}", rel.display()),
            "make it readable by the user running monstack",
        ),
        Ok(text) if text.trim().is_empty() => (
            Severity::Error,
            format!("the Grafana admin password file `{}` is empty", rel.display()),
            "Grafana would keep its default password `admin`: put a long random password in it",
        ),
        Ok(text) if text.trim() == "admin" => (
            Severity::Error,
            format!("the Grafana admin password in `{}` is Grafana's default, `admin`", rel.display()),
            "put a long random password in it (`monstack init --force` in an empty folder generates one)",
        ),
        Ok(_) => return Vec::new(),
    };
    let mut problem = Problem::new(Check::ProjectSecret, severity, file, at, message);
    problem.help(help);
    vec![problem]
}

/// Renders `project` for `out` and checks the result, as `render` and `up` do before writing.
pub fn render_checked(project: &super::Project, out: &Path) -> Result<(Rendered, Outcome), super::ProjectError> {
    let files = project.render(out)?;
    let opts = Options { lint: lint_options(&project.spec), ..Options::default() };
    let mut outcome = check_rendered(out, &files, &opts)?;
    check_secrets(project, &mut outcome);
    Ok((files, outcome))
}

/// Checks a rendered tree that is to be written to `out`.
pub fn check_rendered(out: &Path, files: &Rendered, opts: &Options) -> Result<Outcome, CheckError> {
    let pick = |prefix: &str| -> Vec<(PathBuf, String)> {
        files
            .iter()
            .filter(|(rel, _)| rel.starts_with(prefix))
            .map(|(rel, f)| (out.join(rel), String::from_utf8_lossy(&f.contents).into_owned()))
            .collect()
    };
    let mut datasources = Datasources::default();
    for (_, text) in pick(layout::DATASOURCES) {
        datasources.add_provisioning(&text);
    }
    // The files are not on disk yet: referenced files are checked once rendered.
    let parts = [
        (layout::RULES, Kind::Rules),
        (layout::PROMETHEUS_CONFIG, Kind::Prometheus),
        (layout::ALERTMANAGER_CONFIG, Kind::Alertmanager),
        (layout::DASHBOARDS, Kind::Dashboard),
    ];
    // One run over every part, so that the big Prometheus config is checked while the other
    // core checks dashboards.
    let all: Vec<(PathBuf, String, Kind)> = parts
        .iter()
        .flat_map(|&(prefix, kind)| pick(prefix).into_iter().map(move |(path, text)| (path, text, kind)))
        .collect();
    let run_opts = Options { kind: None, syntax_only: true, datasources, ..opts.clone() };
    let (mut outcome, trees) = run::check_files_of_kinds(all, &run_opts)?;
    let checked: Vec<(&PathBuf, &String, &Tree)> = outcome
        .files
        .iter()
        .zip(&trees)
        .filter_map(|((file, text), tree)| Some((file, text, tree.as_ref()?)))
        .collect();
    let under = |prefix: &str| -> Vec<(&PathBuf, &Tree)> {
        let dir = out.join(prefix);
        checked.iter().filter(|(f, ..)| f.starts_with(&dir)).map(|&(f, _, t)| (f, t)).collect()
    };
    let cross = CrossInputs {
        prometheus: under(layout::PROMETHEUS_CONFIG).first().copied(),
        rules: under(layout::RULES),
        alertmanager: under(layout::ALERTMANAGER_CONFIG).first().copied(),
        dashboards: under(layout::DASHBOARDS),
    };
    let rules: Vec<(&PathBuf, &String)> =
        checked.iter().filter(|(f, ..)| f.starts_with(out.join(layout::RULES))).map(|&(f, t, _)| (f, t)).collect();
    let mut found = crate::check::project::check(&cross);
    // Suppressions live in the files the findings point at.
    let mut kept = Vec::new();
    for (file, text) in rules {
        let mut sink = crate::check::Sink::new(file);
        sink.problems = found.extract_if(.., |p| &p.file == file).collect();
        crate::check::lint::suppress::apply(text, &mut sink);
        kept.extend(sink.problems);
    }
    outcome.problems.extend(kept);
    outcome.problems.extend(found);
    // Notification templates are copied as they are: findings point at the project's file.
    let am_dir = Path::new(layout::ALERTMANAGER_CONFIG).parent().unwrap_or(Path::new(""));
    let templates = am_dir.join(crate::render::NOTIFICATION_TEMPLATES);
    let cwd = std::env::current_dir().unwrap_or_default();
    for (rel, f) in files.iter().filter(|(rel, _)| Path::new(rel.as_str()).starts_with(&templates)) {
        let from = f.from.clone().unwrap_or_else(|| out.join(rel));
        let shown = from.strip_prefix(&cwd).map_or_else(|_| from.clone(), Path::to_path_buf);
        let mut sink = crate::check::Sink::new(&shown);
        crate::check::alertmanager::template_file(&shown, &String::from_utf8_lossy(&f.contents), &mut sink);
        outcome.problems.extend(sink.problems);
    }
    outcome.problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok(outcome)
}
