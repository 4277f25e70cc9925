//! The rendered files of some output folders as they were before a write: what the running
//! services were given. When a service refuses its new files on reload, `up` puts its folder
//! back, so that a later restart starts it with a config it accepts rather than crash-looping.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::write::{read_manifest, MANIFEST};
use crate::fsutil::{write_atomic, WriteError};

/// Files render wrote under some folders, with their contents and modes.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Relative path → (contents, mode).
    files: BTreeMap<String, (Vec<u8>, u32)>,
}

fn under(rel: &str, folder: &str) -> bool {
    rel.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
}

impl Snapshot {
    /// Reads the files of `folders` (relative to `out_dir`) that render's manifest lists.
    pub fn take(out_dir: &Path, folders: &[&str]) -> io::Result<Snapshot> {
        let mut files = BTreeMap::new();
        for rel in read_manifest(out_dir)?.into_iter().filter(|r| folders.iter().any(|f| under(r, f))) {
            let path = out_dir.join(&rel);
            match fs::read(&path) {
                Ok(data) => {
                    let mode = fs::metadata(&path)?.permissions().mode() & 0o777;
                    files.insert(rel, (data, mode));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Snapshot { files })
    }

    /// Puts `folder` back as it was: files render wrote since are removed, the others rewritten,
    /// and the manifest says so.
    pub fn restore(&self, out_dir: &Path, folder: &str) -> Result<(), WriteError> {
        let manifest_path = out_dir.join(MANIFEST);
        let io_error = |path: &Path| {
            let path = path.to_owned();
            move |source| WriteError { path, source }
        };
        let now = read_manifest(out_dir).map_err(io_error(&manifest_path))?;
        for rel in now.iter().filter(|r| under(r, folder) && !self.files.contains_key(*r)) {
            let path = out_dir.join(rel);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(WriteError { path, source: e }),
                _ => {}
            }
        }
        for (rel, (data, mode)) in self.files.iter().filter(|(r, _)| under(r, folder)) {
            let path = out_dir.join(rel);
            write_atomic(&path, data, *mode, *mode & 0o077 == 0).map_err(io_error(&path))?;
        }
        let restored: BTreeSet<&String> =
            now.iter().filter(|r| !under(r, folder)).chain(self.files.keys().filter(|r| under(r, folder))).collect();
        let mut text: String = restored.into_iter().map(|r| format!("{r}\n")).collect();
        if text.is_empty() {
            text.push('\n');
        }
        write_atomic(&manifest_path, text.as_bytes(), 0o644, false).map_err(io_error(&manifest_path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::write;
    use crate::render::{OutFile, Rendered};

    fn tree(entries: &[(&str, &str)]) -> Rendered {
        entries
            .iter()
            .map(|(p, c)| (p.to_string(), OutFile { contents: c.as_bytes().to_vec(), secret: false, from: None }))
            .collect()
    }

    fn render(out: &Path, files: &Rendered) {
        let plan = write::plan(out, files).unwrap();
        write::apply(out, files, &plan).unwrap();
    }

    #[test]
    fn restores_one_folder_and_its_manifest_entries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        render(
            out,
            &tree(&[("prometheus/prometheus.yml", "old"), ("prometheus/rules/a.yml", "a"), ("blackbox/b.yml", "b1")]),
        );
        let before = Snapshot::take(out, &["prometheus", "blackbox"]).unwrap();
        let new =
            tree(&[("prometheus/prometheus.yml", "new"), ("prometheus/rules/c.yml", "c"), ("blackbox/b.yml", "b2")]);
        render(out, &new);

        before.restore(out, "prometheus").unwrap();
        assert_eq!(fs::read_to_string(out.join("prometheus/prometheus.yml")).unwrap(), "old");
        assert_eq!(fs::read_to_string(out.join("prometheus/rules/a.yml")).unwrap(), "a");
        assert!(!out.join("prometheus/rules/c.yml").exists());
        assert_eq!(fs::read_to_string(out.join("blackbox/b.yml")).unwrap(), "b2", "another folder was touched");
        let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert_eq!(manifest, "blackbox/b.yml\nprometheus/prometheus.yml\nprometheus/rules/a.yml\n");
        // The next render sees its own files, not someone else's.
        assert!(write::plan(out, &new).unwrap().foreign.is_empty());
    }
}
