//! `monstack.yaml`: parsed once into typed values ([`Spec`]), then validated across fields.
//!
//! Later stages take a `&Spec` and never look at the YAML again.

mod alertmanager;
mod exporters;
mod kubernetes;
mod model;
mod validate;
pub mod values;

use std::path::{Path, PathBuf};

pub use alertmanager::*;
pub use exporters::*;
pub use kubernetes::*;
pub use model::*;

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::syntax::yaml;

/// The spec's file name inside a project folder.
pub const FILE_NAME: &str = "monstack.yaml";

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The folder holds no spec.
    #[error("no `{}` found\n  = help: run `monstack init {}` to create a project, or pass `-C DIR`", path.display(), dir.display())]
    Missing {
        /// Where the spec was looked for.
        path: PathBuf,
        /// The project folder, as the user named it.
        dir: PathBuf,
    },
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid spec.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Where a spec was read from, kept for messages that quote it and for paths relative to it.
#[derive(Debug, Clone)]
pub struct Document {
    /// The project folder, absolute.
    pub dir: PathBuf,
    /// Path of monstack.yaml as the user named it (`monstack.yaml`, `demo/monstack.yaml`).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

impl Spec {
    /// Reads and validates the spec of the project in `dir`.
    pub fn load(dir: &Path) -> Result<(Spec, Document), SpecError> {
        let path = if dir == Path::new(".") || dir.as_os_str().is_empty() {
            PathBuf::from(FILE_NAME)
        } else {
            dir.join(FILE_NAME)
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SpecError::Missing { path, dir: dir.to_owned() })
            }
            Err(source) => return Err(SpecError::Read { path, source }),
        };
        let spec = Spec::parse(&path, &text)?;
        Ok((spec, Document { dir: crate::paths::absolute(dir), path, text }))
    }

    /// Parses and validates spec text; `path` is used in messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Spec, SpecError> {
        let spec: Spec = serde_saphyr::from_str_with_options(text, yaml::options())
            .map_err(|err| SpecError::Invalid(Diagnostics(vec![yaml::error(path, text, &err)])))?;
        let problems = validate::validate(&spec);
        if problems.is_empty() {
            Ok(spec)
        } else {
            let diags = problems
                .into_iter()
                .map(|p| {
                    let d = Diagnostic::new(path, text, p.pos, p.message);
                    match p.help {
                        Some(h) => d.with_help(h),
                        None => d,
                    }
                })
                .collect();
            Err(SpecError::Invalid(Diagnostics(diags)))
        }
    }
}

/// A cross-field problem found after parsing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match Spec::parse(Path::new("monstack.yaml"), text) {
            Ok(_) => panic!("spec should be rejected:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    const MIN: &str = "project: demo\ngrafana: { admin_password: { file: secrets/pw } }\n";

    #[test]
    fn minimal_spec_gets_defaults() {
        let spec = Spec::parse(Path::new("m.yaml"), MIN).unwrap();
        assert_eq!(spec.prometheus.port, values::Port(9090));
        assert_eq!(spec.prometheus.scrape_interval.value.millis(), 15_000);
        assert!(spec.alertmanager.enabled);
        assert!(spec.exporters.node.is_none());
    }

    #[test]
    fn misspelt_key_suggests_the_nearest() {
        let e = err(&format!("{MIN}prometheus:\n  scrape_intervall: 15s\n"));
        assert!(e.starts_with("monstack.yaml:4:3: unknown field `scrape_intervall`"), "{e}");
        assert!(e.contains("did you mean `scrape_interval`?"), "{e}");
        assert!(e.contains("4 |   scrape_intervall: 15s"), "{e}");
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let e = err(&format!("{MIN}prometheus:\n  scrape_interval: 15x\n"));
        assert!(e.starts_with("monstack.yaml:4:20: invalid duration `15x`"), "{e}");
        let e = err(&format!("{MIN}prometheus:\n  port: 70000\n"));
        assert!(e.starts_with("monstack.yaml:4:9: invalid port `70000`"), "{e}");
        let e = err(&format!("{MIN}prometheus:\n  port: [1]\n"));
        assert!(e.starts_with("monstack.yaml:4:"), "{e}");
        assert!(e.contains("expected a port number from 1 to 65535"), "{e}");
    }

    #[test]
    fn inline_secrets_are_refused() {
        let e = err("project: demo\ngrafana: { admin_password: hunter2 }\n");
        assert!(e.contains("secrets are never written inline"), "{e}");
        assert!(!e.contains("= help") || !e.contains("hunter2\n  = help"), "{e}");
    }

    #[test]
    fn merge_keys_work() {
        let spec = Spec::parse(
            Path::new("m.yaml"),
            "project: demo\ngrafana: { admin_password: { file: pw } }\nx-common: &common { scheme: http }\ntargets:\n  - <<: *common\n    job: api\n    targets: [\"api:3000\"]\n",
        );
        // Unknown top-level helper keys are still unknown keys: anchors belong in known places.
        assert!(spec.is_err());
        let spec = Spec::parse(
            Path::new("m.yaml"),
            "project: demo\ngrafana: { admin_password: { file: pw } }\ntargets:\n  - &api { job: api, targets: [\"api:3000\"], scheme: http }\n  - <<: *api\n    job: web\n",
        )
        .unwrap();
        assert_eq!(spec.targets[1].job.value, "web");
        assert_eq!(spec.targets[1].targets[0].to_string(), "api:3000");
    }
}
