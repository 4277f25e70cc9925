//! `render`: turns a [`Spec`] and the (possibly overridden) templates into the upstream tools'
//! files, in memory. Writing them is [`crate::fsutil`]'s job, so `--check` and `check` can use
//! the same result without touching the disk.

pub mod context;
mod dashboards;
pub mod rules;
mod templates;
pub mod tests;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub use context::{Context, DATASOURCE_UID};
pub use templates::Templates;

use crate::assets::{self, Assets};
use crate::diag::{nearest, Diagnostic, Diagnostics, Pos};
use crate::paths;
use crate::secrets::{self, SecretRef};
use crate::services::{self, Delivery};
use crate::spec::{Document, Spec};

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Contents.
    pub contents: Vec<u8>,
    /// Whether it holds a secret value (written 0600, never printed).
    pub secret: bool,
    /// The template, rule or dashboard file it is rendered from, for messages about it.
    pub from: Option<PathBuf>,
}

impl OutFile {
    /// A rendered file made from the source file `from`.
    pub fn rendered(contents: String, from: &Path) -> OutFile {
        OutFile { contents: contents.into_bytes(), secret: false, from: Some(from.to_owned()) }
    }
}

/// Everything render produces, keyed by path relative to the output folder (`/`-separated).
pub type Rendered = BTreeMap<String, OutFile>;

/// Why rendering failed. Nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template, rule or dashboard file is broken.
    #[error("{0}")]
    Source(Box<Diagnostic>),
    /// The spec names something the rendered content does not have.
    #[error("{0}")]
    Spec(Diagnostics),
    /// A secret render writes a file of could not be read.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// Several secrets could not be read.
    #[error("{} secrets cannot be read:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Secrets(Vec<secrets::SecretError>),
    /// A file could not be read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `dashboards.include` pattern is not a valid glob.
    #[error("invalid pattern `{pattern}` in dashboards.include: {message}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// An included dashboard resolves outside the project folder (through a symlink).
    #[error("dashboards.include pattern `{pattern}` matches `{}`, which leads outside the project folder\n  = help: included dashboards must be files inside the project folder; its contents were not read", path.display())]
    Outside {
        /// The pattern.
        pattern: String,
        /// The file it matched.
        path: PathBuf,
    },
    /// Two included dashboards have the same file name.
    #[error("dashboards `{}` and `{}` would both be rendered as `grafana/dashboards/{name}`; rename one", first.display(), second.display())]
    DashboardClash {
        /// Output name.
        name: String,
        /// First file.
        first: PathBuf,
        /// Second file.
        second: PathBuf,
    },
}

impl From<Box<Diagnostic>> for RenderError {
    fn from(d: Box<Diagnostic>) -> Self {
        RenderError::Source(d)
    }
}

/// Where the project's Alertmanager notification templates go, relative to alertmanager.yml.
pub const NOTIFICATION_TEMPLATES: &str = "templates";

/// The folder of the Alertmanager config under the output folder.
fn alertmanager_folder() -> &'static str {
    services::alertmanager::SERVICE.config.map_or("alertmanager", |c| c.folder)
}

/// The project's Alertmanager notification templates (`templates/alertmanager/*.tmpl`), by file
/// name: Go templates of Alertmanager's, copied as they are (not rendered), when Alertmanager
/// runs.
fn notification_templates(
    spec: &Spec,
    assets: &Assets,
    project_dir: &Path,
) -> Result<BTreeMap<String, OutFile>, RenderError> {
    let mut out = BTreeMap::new();
    if !spec.alertmanager.enabled {
        return Ok(out);
    }
    let dir = format!("templates/{}", alertmanager_folder());
    let io = |source| RenderError::Io { path: project_dir.join(&dir), source };
    for rel in assets.project_files(&dir, &["tmpl"]).map_err(io)? {
        let Some(source) =
            assets.get(&rel).map_err(|source| RenderError::Io { path: project_dir.join(&rel), source })?
        else {
            continue;
        };
        let name = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
        out.insert(name, OutFile::rendered(source.text, &source.display));
    }
    Ok(out)
}

/// Config templates of the running services, relative to `templates/`; each renders to the same
/// path under the output folder.
fn config_outputs(spec: &Spec) -> Vec<&'static str> {
    services::running(spec).iter().filter_map(|r| r.service.config).flat_map(|c| c.templates).copied().collect()
}

/// Bundled rule files of the running services and the presets.
fn rule_sources(spec: &Spec) -> Vec<String> {
    let mut out: Vec<String> =
        services::running(spec).iter().filter_map(|r| r.service.alerts).map(|a| format!("alerts/{a}")).collect();
    if spec.http.enabled {
        out.push("alerts/http.yml".into());
    }
    out
}

/// Renders everything for `spec` into memory. `out_dir` is where the files will live; paths
/// inside them are relative to it.
pub fn render(spec: &Spec, doc: &Document, out_dir: &Path, values: SecretValues) -> Result<Rendered, RenderError> {
    let project = doc;
    let out_dir = paths::absolute(out_dir);
    let assets = Assets::new(&project.dir);
    let engine = Templates::new();

    // Dashboards are independent of the rest and the largest part of a big project: a second
    // thread reads and renders them from the start, and this one helps once the configs and
    // rules are done.
    let sources: OnceLock<Result<Vec<(String, assets::Source)>, RenderError>> = OnceLock::new();
    let next = AtomicUsize::new(0);
    let (files, mut dashboards) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let collected = sources.get_or_init(|| collect_dashboards(project, spec, &assets));
            render_dashboards(collected, &next)
        });
        let files = (|| {
            let mut ctx = Context::new(spec, &project.dir, &out_dir);
            let notification_templates = notification_templates(spec, &assets, &project.dir)?;
            if let Some(am) = ctx.alertmanager.as_mut() {
                am.templates =
                    notification_templates.keys().map(|rel| format!("{NOTIFICATION_TEMPLATES}/{rel}")).collect();
            }
            let value = minijinja::Value::from(minijinja::value::Serde(&ctx));
            let get =
                |rel: &str| assets.get(rel).map_err(|source| RenderError::Io { path: project.dir.join(rel), source });
            let mut files = render_configs_and_rules(project, spec, &engine, &value, &get)?;
            for (name, file) in notification_templates {
                files.insert(format!("{}/{NOTIFICATION_TEMPLATES}/{name}", alertmanager_folder()), file);
            }
            Ok::<_, RenderError>(files)
        })();
        let mut dashboards = sources.get().map_or_else(Vec::new, |s| render_dashboards(s, &next));
        dashboards.extend(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (files, dashboards)
    });
    let mut files = files?;
    if let Some(Err(e)) = sources.into_inner() {
        return Err(e);
    }
    // The first broken dashboard in name order is reported, whichever thread met it.
    dashboards.sort_by_key(|(i, _)| *i);
    for (_, dashboard) in dashboards {
        let (name, file) = dashboard?;
        files.insert(name, file);
    }

    files.extend(secret_files(spec, &project.dir, values)?);
    Ok(files)
}

/// Whether render reads the secrets it writes files of, or stands in for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretValues {
    /// Read them: for what is written and run.
    Read,
    /// A stand-in naming the secret: for `check`, which must work in CI without the secrets.
    Placeholder,
}

/// The files render writes of secrets: those given by environment variable, and those a service
/// reads in a form of its own.
/// Every secret that cannot be read is named, not only the first.
fn secret_files(spec: &Spec, project_dir: &Path, values: SecretValues) -> Result<Rendered, RenderError> {
    let mut files = Rendered::new();
    let mut failed = Vec::new();
    for (service, used) in secrets::uses(spec) {
        let path = match (&used.how, used.secret.as_ref()) {
            (Delivery::Derived { name, .. }, _) => secrets::rendered_path(service.name, name),
            (_, SecretRef::Env(var)) => secrets::rendered_path(service.name, var),
            (_, SecretRef::File(_)) => continue,
        };
        let value = match values {
            SecretValues::Read => match secrets::value(&used.secret, project_dir, &used.what) {
                Ok(value) => value,
                Err(e) => {
                    failed.push(e);
                    continue;
                }
            },
            SecretValues::Placeholder => format!("placeholder for {}", used.what),
        };
        let contents = match &used.how {
            Delivery::Derived { contents, .. } => contents(spec, &value),
            _ => value,
        };
        files.insert(path, OutFile { contents: contents.into_bytes(), secret: true, from: None });
    }
    match failed.len() {
        0 => Ok(files),
        1 => Err(RenderError::Secret(failed.remove(0))),
        _ => Err(RenderError::Secrets(failed)),
    }
}

fn render_configs_and_rules(
    project: &Document,
    spec: &Spec,
    engine: &Templates,
    value: &minijinja::Value,
    get: &dyn Fn(&str) -> Result<Option<assets::Source>, RenderError>,
) -> Result<Rendered, RenderError> {
    let mut files = Rendered::new();
    for out in config_outputs(spec) {
        let rel = format!("templates/{out}");
        let source = get(&rel)?.ok_or_else(|| missing_bundled(&rel))?;
        let text = engine.render(&source, value)?;
        files.insert(out.to_owned(), OutFile::rendered(text, &source.display));
    }

    // Bundled rule files of enabled components, then the project's own additions.
    let mut rule_names = rule_sources(spec);
    let bundled_rules: BTreeSet<&str> = assets::bundled_in("alerts").collect();
    let own = Assets::new(&project.dir)
        .project_files("alerts", &["yml", "yaml"])
        .map_err(|source| RenderError::Io { path: project.dir.join("alerts"), source })?;
    rule_names.extend(own.into_iter().filter(|name| !bundled_rules.contains(name.as_str())));
    let mut seen_alerts = BTreeSet::new();
    for rel in &rule_names {
        let source = get(rel)?.ok_or_else(|| missing_bundled(rel))?;
        let text = engine.render(&source, value)?;
        let mut file = rules::parse(&source, &text)?;
        rules::apply(&mut file, &spec.alerts, &mut seen_alerts);
        let stem = Path::new(rel).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        files.insert(format!("prometheus/rules/{stem}.yml"), OutFile::rendered(rules::emit(&file), &source.display));
    }
    unknown_alert_names(project, spec, &seen_alerts)?;
    Ok(files)
}

/// A rendered dashboard's output path and file, or its error.
type RenderedDashboard = Result<(String, OutFile), RenderError>;

/// The dashboards to render, in name order (none when Grafana is off).
fn collect_dashboards(
    project: &Document,
    spec: &Spec,
    assets: &Assets,
) -> Result<Vec<(String, assets::Source)>, RenderError> {
    if !spec.grafana.enabled {
        return Ok(Vec::new());
    }
    Ok(dashboards::collect(spec, &project.dir, assets)?.into_iter().collect())
}

/// Renders the dashboards of `sources` that no other thread took (`next` counts them out), each
/// with its index in `sources`.
fn render_dashboards(
    sources: &Result<Vec<(String, assets::Source)>, RenderError>,
    next: &AtomicUsize,
) -> Vec<(usize, RenderedDashboard)> {
    let Ok(sources) = sources else { return Vec::new() };
    let mut out = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some((name, source)) = sources.get(index) else { break };
        let file = dashboards::process(source)
            .map(|text| (format!("grafana/dashboards/{name}"), OutFile::rendered(text, &source.display)))
            .map_err(RenderError::from);
        out.push((index, file));
    }
    out
}

fn missing_bundled(rel: &str) -> RenderError {
    RenderError::Io {
        path: PathBuf::from(rel),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "bundled file missing from this build"),
    }
}

/// `alerts.disable` and `alerts.overrides` must name alerts that exist: a typo would silently
/// leave an alert firing or unchanged.
fn unknown_alert_names(project: &Document, spec: &Spec, seen: &BTreeSet<String>) -> Result<(), RenderError> {
    let mut diags = Vec::new();
    let mut check = |name: &str, loc: &serde_saphyr::Location, what: &str| {
        if !seen.contains(name) {
            let pos = (loc.line() > 0).then(|| Pos::from_location(loc));
            let help = match nearest(name, seen.iter().map(String::as_str)) {
                Some(n) => format!("did you mean `{n}`?"),
                None => "expected the name of an alert rendered for this spec (see build/prometheus/rules/)".to_owned(),
            };
            diags.push(
                Diagnostic::new(
                    &project.path,
                    &project.text,
                    pos,
                    format!("{what} names alert `{name}`, which no rendered rule defines"),
                )
                .with_help(help),
            );
        }
    };
    for d in &spec.alerts.disable {
        check(&d.value, &d.referenced, "alerts.disable");
    }
    for (name, o) in &spec.alerts.overrides {
        check(name, &o.referenced, "alerts.overrides");
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(RenderError::Spec(Diagnostics(diags)))
    }
}
