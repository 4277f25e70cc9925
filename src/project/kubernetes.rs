//! `render --target kubernetes`: the Docker render in memory, turned into the Prometheus
//! Operator's objects, both checked before anything is written.

use std::path::Path;

use super::{check, layout, Project, ProjectError};
use crate::check::report::Outcome;
use crate::check::run::{self, Kind, Options};
use crate::render::{Rendered, SecretValues};
use crate::spec::KubeMode;

/// The Kubernetes output folder when `--out` does not say: `build/kubernetes/` of the project.
pub fn out_dir(project: &Project) -> std::path::PathBuf {
    project.out_dir().join(crate::kube::OUT_DIR)
}

/// Renders the project's objects for the Kubernetes output folder `out` and checks them: the
/// rule files, dashboards and Alertmanager config as the Docker render checks them, then every
/// object as `monstack check` checks manifests.
pub fn render_checked(project: &Project, out: &Path) -> Result<(Rendered, Outcome), ProjectError> {
    // Paths inside the Docker files are relative to where they would be written; the objects
    // replace them, so any folder does.
    let docker_out = project.dir().join(layout::OUT_DIR);
    let docker = project.render(&docker_out)?;
    let opts = Options { lint: check::lint_options(&project.spec), ..Options::default() };
    let mut outcome = check::check_rendered(&docker_out, &docker, &opts)?;
    let objects = crate::kube::emit(&project.spec, &project.doc, &docker, &docker_out, SecretValues::Read)?;
    let k = &project.spec.kubernetes;
    let kube_opts = Options {
        kind: Some(Kind::Kubernetes),
        // In `content` mode the cluster's Prometheus selects by these; in `full` mode the
        // Prometheus object among the manifests says what it selects.
        kube_labels: (k.mode == KubeMode::Content).then(|| crate::spec::label_strings(&k.selector_labels)),
        ..opts
    };
    let texts =
        objects.iter().map(|(rel, f)| (out.join(rel), String::from_utf8_lossy(&f.contents).into_owned())).collect();
    let more = run::check_files(texts, &kube_opts)?;
    outcome.files.extend(more.files);
    outcome.problems.extend(more.problems);
    Ok((objects, outcome))
}
