//! Writing a file atomically: a temporary file in the same folder and a rename, secrets created
//! 0600 from the start; and reading a file a user named without opening what is not a file.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A write that failed, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("failed to write `{}`", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: io::Error,
}

/// Reads the text of the regular file `path`; a FIFO, socket or device is refused unopened
/// (reading a FIFO would wait for a writer forever).
pub fn read_regular(path: &Path) -> io::Result<String> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}")));
    }
    fs::read_to_string(path)
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
