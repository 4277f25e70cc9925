//! The integration tests: they run the real `monstack` binary in temporary folders and check its
//! exit status, stdout, stderr and the files it leaves behind.

mod check;
mod container;
mod delivery;
mod findings;
mod golden;
mod hostile;
mod init;
mod kubernetes;
mod layers;
mod lifecycle;
mod oracle;
mod plan;
mod preview;
mod promql;
mod recipes;
mod render;
mod require;
mod routes;
mod routing_tests;
mod services;
mod stack;
mod stack_support;
mod terminal;
mod unit_tests;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit status, showing the output when it differs.
    #[track_caller]
    pub fn status(&self, expected: i32) -> &Self {
        assert_eq!(self.status, expected, "unexpected exit status\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts that stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", self.stderr);
        self
    }

    /// Asserts that stdout contains `needle`.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}:\n{}", self.stdout);
        self
    }
}

/// Environment every run gets, so rendered secrets are reproducible.
pub const TEST_ENV: &[(&str, &str)] = &[
    ("MONSTACK_TEST_SLACK_URL", "https://hooks.slack.example/services/T000/B000/XXXX"),
    ("MONSTACK_TEST_GRAFANA_PASSWORD", "not-used"),
];

/// Runs `monstack args…` in `dir` with [`TEST_ENV`] plus `env`.
pub fn monstack_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_monstack"));
    cmd.args(args).current_dir(dir).env_remove("MONSTACK_DIR");
    for (k, v) in TEST_ENV.iter().chain(env) {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the monstack binary runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `monstack args…` in `dir`.
pub fn monstack(dir: &Path, args: &[&str]) -> Run {
    monstack_env(dir, args, &[])
}

/// A temporary project folder.
pub struct Project {
    pub tmp: tempfile::TempDir,
}

impl Project {
    /// An empty folder.
    pub fn empty() -> Self {
        Project { tmp: tempfile::Builder::new().prefix("monstack-test-").tempdir().expect("temp dir") }
    }

    /// A folder holding a copy of `src`.
    pub fn copy_of(src: &Path) -> Self {
        let p = Project::empty();
        copy_tree(src, p.path());
        p
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes `text` to `rel`, creating folders.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Reads `rel`.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs monstack in this folder.
    pub fn run(&self, args: &[&str]) -> Run {
        monstack(self.path(), args)
    }
}

/// Copies a folder tree.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Every file below `root`, relative and sorted.
pub fn files_below(root: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &entry.path(), out);
            } else {
                out.push(entry.path().strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// The repository's fixture folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The render fixture cases, by name.
pub fn render_cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("render"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "render fixtures are missing");
    cases
}

/// Renders a fixture case's `in/` into a temporary project; returns the project.
pub fn render_case(case_dir: &Path) -> Project {
    let p = Project::copy_of(&case_dir.join("in"));
    p.run(&["render"]).status(0);
    p
}
