//! Writing rendered trees safely: atomic replacement (temp file + rename), secrets created 0600
//! from the start, and a manifest so render removes only files it wrote itself.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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
pub struct Plan {
    /// Changes, sorted by path.
    pub changes: Vec<Change>,
    /// Existing files at rendered paths that the manifest does not list (someone else's).
    pub foreign: Vec<String>,
}

fn read_manifest(out_dir: &Path) -> io::Result<BTreeSet<String>> {
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
pub fn plan(out_dir: &Path, files: &Rendered) -> io::Result<Plan> {
    let mut plan = Plan::default();
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

/// Error of [`apply`], naming the file.
#[derive(Debug, thiserror::Error)]
#[error("failed to write `{}`", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: io::Error,
}

/// Carries out `plan` for `files` in `out_dir`, then records the manifest.
pub fn apply(out_dir: &Path, files: &Rendered, plan: &Plan) -> Result<(), WriteError> {
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

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so
/// readers see the old file or the new one, never half of one. Parent folders are created;
/// `private` makes a newly created parent 0700.
pub fn write_atomic(path: &Path, contents: &[u8], mode: u32, private: bool) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.as_os_str().is_empty() && !dir.exists() {
        fs::create_dir_all(dir)?;
        if private {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        // The umask can only remove permission bits, so a secret created 0600 is never looser.
        let open = || fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp);
        // A temp file left by a crashed run is replaced, not reused: its mode may be looser.
        let mut f = match open() {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(&tmp)?;
                open()?
            }
            other => other?,
        };
        // No fsync: rename alone gives readers all-or-nothing, and a per-file fsync made a
        // 100-dashboard render three times slower. ext4 and xfs flush a replaced file's data
        // before the rename is committed.
        f.write_all(contents)?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str, bool)]) -> Rendered {
        entries
            .iter()
            .map(|(p, c, s)| (p.to_string(), crate::render::OutFile { contents: c.as_bytes().to_vec(), secret: *s }))
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
