//! One command at a time changes a project: `up`, `down` and `restart` hold an exclusive lock on
//! a file in the project's output folder (flock, released when the process ends, however it
//! ends). A second command waits for the first, saying so, up to its deadline.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file, in the output folder.
pub const LOCK_FILE: &str = ".monstack-lock";

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct ProjectLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file cannot be opened or locked.
    #[error("failed to lock `{}`", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another command held it until the deadline.
    #[error("another monstack command ({holder}) is still changing project `{project}` after {}s\n  = help: wait for it to finish and run this again; it holds the lock `{}`", waited.as_secs(), path.display())]
    Busy {
        /// The project.
        project: String,
        /// What holds it, as it wrote in the file.
        holder: String,
        /// How long this command waited.
        waited: Duration,
        /// The lock file.
        path: PathBuf,
    },
}

/// Takes the lock of the project whose output folder is `out_dir` for `command` (e.g. `up`),
/// waiting up to `deadline` while another command holds it; `log` hears once that it waits.
pub async fn acquire(
    out_dir: &Path,
    project: &str,
    command: &str,
    deadline: Instant,
    log: &mut dyn Write,
) -> Result<ProjectLock, LockError> {
    let path = out_dir.join(LOCK_FILE);
    let io = |source| LockError::Io { path: path.clone(), source };
    std::fs::create_dir_all(out_dir).map_err(io)?;
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let holder = holder(&mut file);
        if Instant::now() >= deadline {
            return Err(LockError::Busy { project: project.into(), holder, waited: started.elapsed(), path });
        }
        if !told {
            writeln!(log, "waiting for another monstack command ({holder}) to finish with project `{project}`").ok();
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Say who holds it, for whoever waits next.
    let note = format!("`monstack {command}`, pid {}\n", std::process::id());
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(note.as_bytes()));
    Ok(ProjectLock { _file: file })
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        "starting".into()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_and_then_gives_up_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let first = rt.block_on(acquire(dir.path(), "demo", "up", Instant::now(), &mut Vec::new())).unwrap();
        let mut log = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(300);
        let err = rt.block_on(acquire(dir.path(), "demo", "down", deadline, &mut log)).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`monstack up`, pid"), "{message}");
        assert!(message.contains("project `demo`"), "{message}");
        assert!(String::from_utf8(log).unwrap().contains("waiting for another monstack command"));
        drop(first);
        rt.block_on(acquire(dir.path(), "demo", "down", Instant::now(), &mut Vec::new())).unwrap();
    }
}
