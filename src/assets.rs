//! Bundled content and the project's overrides of it.
//!
//! A file in the project's `templates/`, `alerts/` or `dashboards/` with the same relative name as
//! a bundled one replaces it; the project's other files there are the user's own additions.

use std::io;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The folders that hold bundled content and can be overridden.
pub const OVERRIDABLE: [&str; 3] = ["templates", "alerts", "dashboards"];

/// One source file, bundled or from the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Path shown in messages: the project file, or `<bundled>/rel/path`.
    pub display: PathBuf,
    /// Relative name, e.g. `alerts/node.yml`.
    pub name: String,
    /// Contents.
    pub text: String,
}

/// The bundled file `rel` (e.g. `alerts/node.yml`), ignoring overrides.
pub fn bundled(rel: &str) -> Option<&'static str> {
    BUNDLED.binary_search_by(|(name, _)| name.cmp(&rel)).ok().map(|i| BUNDLED[i].1)
}

/// Names of the bundled files under `dir/` (e.g. `alerts`), sorted.
pub fn bundled_in(dir: &str) -> impl Iterator<Item = &'static str> + '_ {
    BUNDLED.iter().map(|(name, _)| *name).filter(move |name| name.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

/// Lookup of content with the project's overrides applied.
#[derive(Debug, Clone)]
pub struct Assets {
    project_dir: PathBuf,
}

impl Assets {
    /// Assets of the project in `project_dir`.
    pub fn new(project_dir: &Path) -> Self {
        Assets { project_dir: project_dir.to_owned() }
    }

    /// The project's file `rel` if it exists, else the bundled one.
    pub fn get(&self, rel: &str) -> io::Result<Option<Source>> {
        let path = self.project_dir.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(Source { display: path, name: rel.to_owned(), text })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(bundled(rel).map(|text| Source {
                display: PathBuf::from(format!("<bundled>/{rel}")),
                name: rel.to_owned(),
                text: text.to_owned(),
            })),
            Err(e) => Err(e),
        }
    }

    /// Relative names of the project's own files directly in `dir` whose extension is one of `exts`.
    pub fn project_files(&self, dir: &str, exts: &[&str]) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(self.project_dir.join(dir)) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let ext_ok = Path::new(&name).extension().is_some_and(|e| exts.iter().any(|x| e == *x));
            if ext_ok && entry.file_type()?.is_file() && !name.starts_with('.') {
                out.push(format!("{dir}/{name}"));
            }
        }
        out.sort();
        Ok(out)
    }
}
