//! Secrets: given by reference in the spec (`{ file: … }` or `{ env: … }`), never inline, never
//! printed, never put in a container's environment or labels. Here is where a secret is found,
//! where the rendered configs name it, which service reads it, and its value when render must
//! write a file of it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::paths;
use crate::services::{self, SecretUse, Service};
use crate::spec::Spec;

/// A secret, given by reference only: `{ file: path }` or `{ env: NAME }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretRef {
    /// A file holding the secret; relative paths are relative to the project folder.
    File(PathBuf),
    /// An environment variable holding the secret, read when rendering.
    Env(String),
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        const EXPECTED: &str =
            "secrets are never written inline: expected `{ file: path/to/secret }` or `{ env: VARIABLE_NAME }`";
        impl<'de> Visitor<'de> for V {
            type Value = SecretRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<SecretRef, E> {
                Err(E::custom(EXPECTED))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretRef, E> {
                Err(E::custom(EXPECTED))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretRef, E> {
                Err(E::custom(EXPECTED))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretRef, A::Error> {
                let mut found: Option<SecretRef> = None;
                while let Some(key) = map.next_key::<String>()? {
                    let value: String = map.next_value()?;
                    if found.is_some() {
                        return Err(de::Error::custom("a secret has exactly one of `file` or `env`"));
                    }
                    found = Some(match key.as_str() {
                        "file" if !value.is_empty() => match paths::inside(&value) {
                            Ok(()) => SecretRef::File(PathBuf::from(value)),
                            Err(why) => {
                                return Err(de::Error::custom(format!(
                                    "the secret file `{value}` {why}: keep secret files in the project folder, e.g. `secrets/…`"
                                )))
                            }
                        },
                        "env" if is_env_name(&value) => SecretRef::Env(value),
                        "file" => return Err(de::Error::custom("the secret file path is empty")),
                        "env" => {
                            return Err(de::Error::custom(format!(
                                "invalid environment variable name `{value}`: expected letters, digits and `_`"
                            )))
                        }
                        other => return Err(de::Error::unknown_field(other, &["file", "env"])),
                    });
                }
                found.ok_or_else(|| de::Error::custom(EXPECTED))
            }
        }
        d.deserialize_any(V)
    }
}

/// Environment variable names follow the classic label name charset.
fn is_env_name(s: &str) -> bool {
    crate::syntax::names::label_name_ok(s, crate::syntax::names::NameValidation::Legacy)
}

/// Where a secret lives: as the service's rendered config names it, and on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Path relative to the service's config folder (`<out>/<service>/`), as written in the config.
    pub rel: String,
    /// Absolute path of the file on the host.
    pub host: PathBuf,
}

/// Output path (relative to the output folder) of a file render writes for `service`. It lies
/// outside the service's config folder, so the config folder can be mounted without it.
pub fn rendered_path(service: &str, name: &str) -> String {
    format!("secrets/{service}/{name}")
}

/// Resolves where `secret`, used by `service`, is found; `project_dir` and `out_dir` are absolute.
pub fn location(secret: &SecretRef, service: &str, project_dir: &Path, out_dir: &Path) -> Location {
    let host = match secret {
        SecretRef::File(path) => paths::normalize(&project_dir.join(path)),
        SecretRef::Env(var) => out_dir.join(rendered_path(service, var)),
    };
    Location { rel: paths::relative(&out_dir.join(service), &host), host }
}

/// Every secret the services `spec` runs read, with the service reading it.
pub fn uses(spec: &Spec) -> Vec<(&'static Service, SecretUse<'_>)> {
    services::running(spec)
        .into_iter()
        .flat_map(|r| (r.service.secrets)(spec).into_iter().map(move |u| (r.service, u)))
        .collect()
}

/// `n` bytes from the OS's random source.
pub fn random_bytes(n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

/// Why a secret's value could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set.
    #[error("environment variable `{var}` is not set; {what} takes its secret from it")]
    MissingEnv {
        /// The variable.
        var: String,
        /// Which spec field refers to it.
        what: String,
    },
    /// The environment variable is set but empty.
    #[error("environment variable `{var}` is empty; {what} takes its secret from it")]
    EmptyEnv {
        /// The variable.
        var: String,
        /// Which spec field refers to it.
        what: String,
    },
    /// The file lies outside the project folder.
    #[error("the secret file `{}` of {what} is outside the project folder\n  = help: keep secret files in the project folder (e.g. `secrets/`), which `init` keeps out of git", path.display())]
    Outside {
        /// The file.
        path: PathBuf,
        /// Which spec field refers to it.
        what: String,
    },
    /// The file could not be read.
    #[error("failed to read the secret file `{}` of {what}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Which spec field refers to it.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The value of `secret`, without a trailing newline; `what` names the spec field for messages.
pub fn value(secret: &SecretRef, project_dir: &Path, what: &str) -> Result<String, SecretError> {
    match secret {
        SecretRef::Env(var) => match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(value),
            Ok(_) => Err(SecretError::EmptyEnv { var: var.clone(), what: what.to_owned() }),
            Err(_) => Err(SecretError::MissingEnv { var: var.clone(), what: what.to_owned() }),
        },
        SecretRef::File(path) => {
            let path = paths::normalize(&project_dir.join(path));
            // A spec from an untrusted change must not make render copy a file of the machine's.
            if !path.starts_with(project_dir) {
                return Err(SecretError::Outside { path, what: what.to_owned() });
            }
            let text = std::fs::read_to_string(&path).map_err(|source| SecretError::Read {
                path: path.clone(),
                what: what.to_owned(),
                source,
            })?;
            Ok(text.trim_end_matches(['\n', '\r']).to_owned())
        }
    }
}
