//! Which files a run reads: the files named, and the `.yml`, `.yaml` and `.json` files below the
//! folders named. Each real file is read once, however many links lead to it (a link to `..`
//! inside a folder would otherwise make the walk endless); FIFOs, sockets and devices are never
//! opened (reading a FIFO waits for a writer forever).

use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::run::CheckError;
use crate::diag::printable;

/// What makes a file itself, whatever the path to it: its device and inode.
type Identity = (u64, u64);

fn identity(meta: &Metadata) -> Identity {
    (meta.dev(), meta.ino())
}

/// What a file that is neither a folder nor a regular file is, in words.
pub(super) fn special_kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

fn wanted(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
}

/// What a walk has seen: folders, and files with their place in the result.
#[derive(Default)]
struct Seen {
    folders: HashSet<Identity>,
    files: HashMap<Identity, usize>,
}

impl Seen {
    /// Adds `path` unless its file is already in `out`; a file named is named however else it
    /// was found.
    fn add(&mut self, path: &Path, meta: &Metadata, named: bool, out: &mut Vec<(PathBuf, bool)>) {
        match self.files.get(&identity(meta)) {
            Some(&i) => out[i].1 |= named,
            None => {
                self.files.insert(identity(meta), out.len());
                out.push((path.to_owned(), named));
            }
        }
    }
}

/// Expands folders into their `.yml`, `.yaml` and `.json` files, sorted; each path says whether
/// it was named (true) or found in a folder. A file reached again (through a link, or named
/// twice) is listed once, where first found; special files found in folders are skipped with a
/// note on stderr, and a special file named is an error. None of them is opened.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, CheckError> {
    let mut seen = Seen::default();
    let mut out = Vec::new();
    for path in paths {
        // `metadata` follows links without opening what they lead to.
        let meta = std::fs::metadata(path).map_err(|source| CheckError::Read { path: path.clone(), source })?;
        if meta.is_dir() {
            walk(path, &meta, &mut seen, &mut out)?;
        } else if !meta.is_file() {
            return Err(CheckError::NotAFile { path: path.clone(), what: special_kind(&meta) });
        } else {
            seen.add(path, &meta, true, &mut out);
        }
    }
    Ok(out)
}

fn walk(dir: &Path, meta: &Metadata, seen: &mut Seen, out: &mut Vec<(PathBuf, bool)>) -> Result<(), CheckError> {
    if !seen.folders.insert(identity(meta)) {
        // A folder already walked, reached again through a link.
        return Ok(());
    }
    let read = std::fs::read_dir(dir).map_err(|source| CheckError::Read { path: dir.to_owned(), source })?;
    let mut entries: Vec<PathBuf> = read.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = std::fs::metadata(&path) else {
            // A dangling link: reading it says what is wrong.
            if wanted(&path) {
                out.push((path, false));
            }
            continue;
        };
        if meta.is_dir() {
            walk(&path, &meta, seen, out)?;
        } else if wanted(&path) && !meta.is_file() {
            eprintln!(
                "note: skipped `{}`: {}, not a file to check",
                printable(&path.display().to_string()),
                special_kind(&meta)
            );
        } else if wanted(&path) {
            seen.add(&path, &meta, false, out);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_to_each_file_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("rules");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.yml"), "groups: []\n").unwrap();
        std::os::unix::fs::symlink("..", dir.join("up1")).unwrap();
        std::os::unix::fs::symlink("..", dir.join("up2")).unwrap();
        std::os::unix::fs::symlink("a.yml", dir.join("b.yml")).unwrap();
        let found = expand(&[dir.clone(), dir.join("b.yml")]).unwrap();
        assert_eq!(found, [(dir.join("a.yml"), true)]);
    }
}
