//! Lexical path arithmetic: rendered files name other files relative to their own folder, as
//! Prometheus and Alertmanager resolve them, and the output folder may not exist yet.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// Resolves `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether the relative path or glob `p` stays inside the folder it is relative to; `Err` says
/// how it leaves (for "the secret file `x` …" and "pattern `x` …" messages).
pub fn inside(p: &str) -> Result<(), &'static str> {
    let path = Path::new(p);
    if path.is_absolute() {
        Err("is absolute")
    } else if normalize(path).starts_with("..") {
        Err("leaves the project folder")
    } else {
        Ok(())
    }
}

/// `to` relative to the folder `from` (both absolute and normalized), with `/` separators.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_c: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to_c).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), from.len() - common).collect();
    parts.extend(to_c[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/p/build/alertmanager"), Path::new("/p/secrets/slack")), "../../secrets/slack");
        assert_eq!(relative(Path::new("/p/build/alertmanager"), Path::new("/p/build/alertmanager/x")), "x");
        assert_eq!(normalize(Path::new("/p/./a/../b")), PathBuf::from("/p/b"));
        assert!(inside("dashboards/*.json").is_ok() && inside("a/../b").is_ok());
        assert!(inside("/etc/passwd").is_err() && inside("../x/*.json").is_err() && inside("a/../../x").is_err());
    }
}
