//! Writing a rendered tree into the output folder: what would change, atomic replacement, and a
//! manifest so render removes only files it wrote itself and never replaces anyone else's.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::fsutil::{write_atomic, WriteError};
use crate::render::Rendered;

/// File in the output folder listing what render wrote there last time.
pub const MANIFEST: &str = ".monstack-manifest";

/// What writing a rendered tree would do to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The file does not exist yet.
    Create(String),
    /// The file exists with other contents (or, for a secret, a looser mode).
    Update(String),
    /// Render wrote it before and renders it no more.
    Remove(String),
}

/// The changes writing a tree would make, and files it would overwrite that it did not write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WritePlan {
    /// Changes, sorted by path.
    pub changes: Vec<Change>,
    /// Existing files at rendered paths that the manifest does not list (someone else's).
    pub foreign: Vec<String>,
}

pub(super) fn read_manifest(out_dir: &Path) -> io::Result<BTreeSet<String>> {
    match fs::read_to_string(out_dir.join(MANIFEST)) {
        // Only plain relative paths: a tampered manifest must not make render delete outside `out_dir`.
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('/') && !l.split('/').any(|c| c == ".." || c.is_empty()))
            .map(str::to_owned)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(e),
    }
}

/// Compares `files` with what `out_dir` holds.
pub fn plan(out_dir: &Path, files: &Rendered) -> io::Result<WritePlan> {
    let mut plan = WritePlan::default();
    if !out_dir.exists() {
        plan.changes = files.keys().map(|rel| Change::Create(rel.clone())).collect();
        return Ok(plan);
    }
    let manifest = read_manifest(out_dir)?;
    for (rel, file) in files {
        let path = out_dir.join(rel);
        match fs::read(&path) {
            Ok(old) => {
                let mode_ok = !file.secret || fs::metadata(&path)?.permissions().mode() & 0o077 == 0;
                if old != file.contents || !mode_ok {
                    if !manifest.contains(rel) {
                        plan.foreign.push(rel.clone());
                    }
                    plan.changes.push(Change::Update(rel.clone()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => plan.changes.push(Change::Create(rel.clone())),
            Err(e) => return Err(e),
        }
    }
    for rel in manifest.iter().filter(|r| !files.contains_key(*r)) {
        if out_dir.join(rel).exists() {
            plan.changes.push(Change::Remove(rel.clone()));
        }
    }
    plan.changes.sort_by(|a, b| key(a).cmp(key(b)));
    Ok(plan)
}

fn key(c: &Change) -> &str {
    match c {
        Change::Create(p) | Change::Update(p) | Change::Remove(p) => p,
    }
}

/// Carries out `plan` for `files` in `out_dir`, then records the manifest.
pub fn apply(out_dir: &Path, files: &Rendered, plan: &WritePlan) -> Result<(), WriteError> {
    apply_changes(out_dir, files, &plan.changes)?;
    let mut manifest: String = files.keys().map(|k| format!("{k}\n")).collect();
    if manifest.is_empty() {
        manifest.push('\n');
    }
    let path = out_dir.join(MANIFEST);
    if fs::read_to_string(&path).ok().as_deref() != Some(manifest.as_str()) {
        write_atomic(&path, manifest.as_bytes(), 0o644, false).map_err(|source| WriteError { path, source })?;
    }
    Ok(())
}

fn apply_changes(out_dir: &Path, files: &Rendered, changes: &[Change]) -> Result<(), WriteError> {
    for change in changes {
        match change {
            Change::Create(rel) | Change::Update(rel) => {
                let file = &files[rel];
                let path = out_dir.join(rel);
                write_atomic(&path, &file.contents, if file.secret { 0o600 } else { 0o644 }, file.secret)
                    .map_err(|source| WriteError { path, source })?;
            }
            Change::Remove(rel) => {
                let path = out_dir.join(rel);
                match fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(WriteError { path, source: e }),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Why a rendered tree was not written.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Files render did not write are in the way, and `--force` was not given.
    #[error("refusing to overwrite files render did not write:\n{}\n  = help: move them away, or pass `--force` to overwrite them", .0.iter().map(|p| format!("  {}", p.display())).collect::<Vec<_>>().join("\n"))]
    Foreign(Vec<std::path::PathBuf>),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Schema version of the JSON `render`, `up` and `down` print with `--format json`.
pub const JSON_SCHEMA: u32 = 1;

/// What writing a rendered tree did (or, with `--check`, would do), as `render --format json`
/// prints it (schema in the README).
#[derive(Debug, serde::Serialize)]
pub struct WriteSummary {
    /// [`JSON_SCHEMA`].
    pub schema: u32,
    /// The output folder.
    pub out: String,
    /// Whether the files were written (false for `--check`).
    pub written: bool,
    /// Files rendered in all.
    pub files: usize,
    /// Paths relative to `out`, sorted.
    pub created: Vec<String>,
    /// Paths relative to `out`, sorted.
    pub changed: Vec<String>,
    /// Paths relative to `out`, sorted.
    pub removed: Vec<String>,
    /// Rendered files left as they were.
    pub unchanged: usize,
}

impl WriteSummary {
    /// The summary of `plan` for a tree of `files` rendered into `out`.
    pub fn new(out: &Path, files: &Rendered, plan: &WritePlan, written: bool) -> Self {
        let pick = |f: fn(&Change) -> Option<&String>| plan.changes.iter().filter_map(f).cloned().collect::<Vec<_>>();
        let created = pick(|c| if let Change::Create(r) = c { Some(r) } else { None });
        let changed = pick(|c| if let Change::Update(r) = c { Some(r) } else { None });
        let removed = pick(|c| if let Change::Remove(r) = c { Some(r) } else { None });
        let unchanged = files.len() - created.len() - changed.len();
        WriteSummary {
            schema: JSON_SCHEMA,
            out: out.display().to_string(),
            written,
            files: files.len(),
            created,
            changed,
            removed,
            unchanged,
        }
    }
}

/// Writes a rendered tree as `plan` says, refusing to replace files render did not write unless
/// `force`; returns the one-line summary to print.
pub fn commit(out: &Path, files: &Rendered, plan: &WritePlan, force: bool) -> Result<String, CommitError> {
    if !plan.foreign.is_empty() && !force {
        return Err(CommitError::Foreign(plan.foreign.iter().map(|r| out.join(r)).collect()));
    }
    apply(out, files, plan)?;
    let count = |f: fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    Ok(format!(
        "rendered {} into {} ({} created, {} updated, {} removed)",
        plural(files.len(), "file"),
        out.display(),
        count(|c| matches!(c, Change::Create(_))),
        count(|c| matches!(c, Change::Update(_))),
        count(|c| matches!(c, Change::Remove(_))),
    ))
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str, bool)]) -> Rendered {
        entries
            .iter()
            .map(|(p, c, s)| {
                (p.to_string(), crate::render::OutFile { contents: c.as_bytes().to_vec(), secret: *s, from: None })
            })
            .collect()
    }

    #[test]
    fn writes_updates_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let first = tree(&[("a/x.yml", "1", false), ("a/secrets/S", "pw", true)]);
        let p = plan(out, &first).unwrap();
        assert_eq!(p.changes.len(), 2);
        apply(out, &first, &p).unwrap();
        assert_eq!(fs::metadata(out.join("a/secrets/S")).unwrap().permissions().mode() & 0o777, 0o600);
        fs::write(out.join("a/mine.txt"), "user file").unwrap();
        assert!(plan(out, &first).unwrap().changes.is_empty());

        let second = tree(&[("a/x.yml", "2", false)]);
        let p = plan(out, &second).unwrap();
        assert_eq!(p.changes, vec![Change::Remove("a/secrets/S".into()), Change::Update("a/x.yml".into())]);
        apply(out, &second, &p).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/x.yml")).unwrap(), "2");
        assert!(!out.join("a/secrets/S").exists());
        assert_eq!(fs::read_to_string(out.join("a/mine.txt")).unwrap(), "user file");
    }

    #[test]
    fn existing_files_not_in_the_manifest_are_foreign() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("x.yml"), "theirs").unwrap();
        let p = plan(dir.path(), &tree(&[("x.yml", "ours", false)])).unwrap();
        assert_eq!(p.foreign, vec!["x.yml".to_owned()]);
    }
}
