//! `monstack check`: validate files (or the project's rendered output) offline, for CI.

use std::path::PathBuf;

use crate::check::dashboard::Datasources;
use crate::check::lint::LintOptions;
use crate::check::project::CrossInputs;
use crate::check::report::{self, Outcome};
use crate::check::run::{self, Kind, Options};
use crate::cli::CheckArgs;
use crate::stack::exact;
use crate::{render, Status};

/// Runs `monstack check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Status> {
    let opts =
        Options { kind: args.kind, names: args.name_validation, syntax_only: args.syntax_only, ..Options::default() };
    let outcome = if args.paths.is_empty() {
        project(&args.project.dir, &opts, args.exact)?
    } else {
        run::check_paths(&args.paths, &opts)?
    };
    print!("{}", report::render(&outcome, args.format));
    let failing = outcome.problems.iter().any(|p| p.severity >= args.fail_on);
    Ok(if failing { Status::Findings } else { Status::Ok })
}

/// Renders the project in memory and checks what render would write; with `exact`, also runs
/// the upstream tools of the pinned images on it.
fn project(dir: &std::path::Path, opts: &Options, exact: bool) -> anyhow::Result<Outcome> {
    let (project, spec) = super::load_project(dir)?;
    let out = super::join(dir, "build");
    let files = render::render(&project, &spec, &out)?;
    let mut outcome = rendered(&out, &files, &Options { lint: lint_options(&spec), ..opts.clone() })?;
    if exact {
        let am = spec.alertmanager.enabled.then(|| spec.alertmanager.image.to_string());
        let runs = exact::plan(&files, &spec.prometheus.image.to_string(), am.as_deref());
        let found = super::block_on(async {
            let engine = super::connect().await?;
            anyhow::Ok(exact::run(&engine, &runs, &files, &out).await?)
        })?;
        outcome.problems.extend(found);
        outcome.problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    }
    Ok(outcome)
}

/// What the lints know from the spec: the longest scrape interval any job uses, since a rule may
/// read any job's series.
pub(crate) fn lint_options(spec: &crate::spec::Spec) -> LintOptions {
    let global = spec.prometheus.scrape_interval.value.millis();
    let longest =
        spec.targets.iter().filter_map(|t| t.scrape_interval.as_ref()).map(|d| d.millis()).fold(global, u64::max);
    LintOptions { scrape_interval: Some(longest) }
}

/// Checks a rendered tree that is to be written to `out`.
pub(crate) fn rendered(out: &std::path::Path, files: &render::Rendered, opts: &Options) -> anyhow::Result<Outcome> {
    let pick = |prefix: &str| -> Vec<(PathBuf, String)> {
        files
            .iter()
            .filter(|(rel, _)| rel.starts_with(prefix))
            .map(|(rel, f)| (out.join(rel), String::from_utf8_lossy(&f.contents).into_owned()))
            .collect()
    };
    let mut datasources = Datasources::default();
    for (_, text) in pick("grafana/provisioning/datasources/") {
        datasources.add_provisioning(&text);
    }
    // The files are not on disk yet: referenced files are checked once rendered.
    let parts = [
        ("prometheus/rules/", Kind::Rules),
        ("prometheus/prometheus.yml", Kind::Prometheus),
        ("alertmanager/alertmanager.yml", Kind::Alertmanager),
        ("grafana/dashboards/", Kind::Dashboard),
    ];
    let mut outcome = Outcome { files: Vec::new(), problems: Vec::new() };
    for (prefix, kind) in parts {
        let part_opts =
            Options { kind: Some(kind), syntax_only: true, datasources: datasources.clone(), ..opts.clone() };
        let more = run::check_files(pick(prefix), &part_opts)?;
        outcome.files.extend(more.files);
        outcome.problems.extend(more.problems);
    }
    let under = |prefix: &str| -> Vec<&(PathBuf, String)> {
        let dir = out.join(prefix);
        outcome.files.iter().filter(|(f, _)| f.starts_with(&dir)).collect()
    };
    let rules = under(parts[0].0);
    let cross = CrossInputs {
        prometheus: under(parts[1].0).first().copied(),
        rules: rules.clone(),
        alertmanager: under(parts[2].0).first().copied(),
        dashboards: under(parts[3].0),
    };
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
    outcome.problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok(outcome)
}
