//! The project: a folder holding `monstack.yaml`, and what every command does with it — load the
//! spec, name the output layout, render, check what would be rendered, write it. Commands are thin
//! adapters over this layer and never call each other.

mod check;
pub mod kubernetes;
pub mod layout;
pub mod snapshot;
pub mod tests;
pub mod write;

use std::path::{Path, PathBuf};

pub use check::{check_rendered, check_secrets, errors, lint_options, provenance, render_checked};

use crate::render::{self, RenderError, Rendered, SecretValues};
use crate::spec::{Document, Spec, SpecError};
use crate::stack::StackPlan;

/// Why rendering and checking a project failed (its findings are not failures: they are data).
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A rendered file could not be checked.
    #[error(transparent)]
    Check(#[from] crate::check::run::CheckError),
    /// The project runs no Alertmanager, which a command needs.
    #[error("the project in `{}` does not enable Alertmanager: it has no routes and sends no notifications", .0.display())]
    NoAlertmanager(PathBuf),
}

/// A loaded, validated project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The validated spec.
    pub spec: Spec,
    /// Where it was read from.
    pub doc: Document,
    /// The project folder as the user named it, for messages.
    named: PathBuf,
}

impl Project {
    /// Reads and validates the project in `dir`.
    pub fn load(dir: &Path) -> Result<Project, SpecError> {
        let (spec, doc) = Spec::load(dir)?;
        Ok(Project { spec, doc, named: dir.to_owned() })
    }

    /// The project folder, absolute.
    pub fn dir(&self) -> &Path {
        &self.doc.dir
    }

    /// The default output folder, as the user would name it (`build`, `demo/build`).
    pub fn out_dir(&self) -> PathBuf {
        if self.named == Path::new(".") || self.named.as_os_str().is_empty() {
            PathBuf::from(layout::OUT_DIR)
        } else {
            self.named.join(layout::OUT_DIR)
        }
    }

    /// `path`, inside the project folder, as the user would name it.
    pub fn shown(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(self.dir()) {
            Ok(rel) if self.named == Path::new(".") || self.named.as_os_str().is_empty() => rel.to_owned(),
            Ok(rel) => self.named.join(rel),
            Err(_) => path.to_owned(),
        }
    }

    /// Renders the project in memory for the output folder `out`, reading its secrets.
    pub fn render(&self, out: &Path) -> Result<Rendered, RenderError> {
        render::render(&self.spec, &self.doc, out, SecretValues::Read)
    }

    /// Renders the project in memory with stand-ins for its secrets, as `check` sees it.
    pub fn render_for_check(&self, out: &Path) -> Result<Rendered, RenderError> {
        render::render(&self.spec, &self.doc, out, SecretValues::Placeholder)
    }

    /// The Alertmanager config render would write, rendered in memory (secrets as stand-ins, as
    /// `check` sees them), with the files beside it (its notification templates).
    pub fn rendered_alertmanager(&self) -> Result<crate::notify::Source, ProjectError> {
        let out = self.out_dir();
        alertmanager_source(&self.render_for_check(&out)?, &out)
            .ok_or_else(|| ProjectError::NoAlertmanager(self.named.clone()))
    }

    /// The Docker plan: the default output folder's files, mounted by absolute path.
    pub fn stack_plan(&self) -> StackPlan {
        crate::stack::plan(&self.spec, self.dir(), &self.dir().join(layout::OUT_DIR))
    }
}

/// The rendered Alertmanager config among `files` (rendered for `out`), with every file of its
/// folder by absolute path.
pub fn alertmanager_source(files: &Rendered, out: &Path) -> Option<crate::notify::Source> {
    let config = files.get(layout::ALERTMANAGER_CONFIG)?;
    let folder = Path::new(layout::ALERTMANAGER_CONFIG).parent().unwrap_or(Path::new(""));
    let beside = files
        .iter()
        .filter(|(rel, _)| Path::new(rel.as_str()).starts_with(folder))
        .map(|(rel, f)| (out.join(rel), String::from_utf8_lossy(&f.contents).into_owned()))
        .collect();
    Some(crate::notify::Source {
        path: out.join(layout::ALERTMANAGER_CONFIG),
        text: String::from_utf8_lossy(&config.contents).into_owned(),
        files: Some(beside),
    })
}
