//! The README's container image: `scripts/container-context` stages the binary under test and its
//! libraries, `docker build` makes the `FROM scratch` image of the repository's `Dockerfile` with
//! the local daemon (no registry), and the image runs `--version` and `check` on the example
//! project mounted read-only. The image is removed afterwards, also when the test fails.

use std::path::Path;
use std::process::{Command, Output};

use crate::require;
use crate::stack_support::unique_name;

/// Removes the image when dropped.
struct Image(String);

impl Drop for Image {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rmi", "--force", &self.0]).output();
    }
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn scratch_image_runs_version_and_check() {
    if !require::docker() || !require::tool("docker") || !require::tool("ldd") {
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let context = tempfile::tempdir().unwrap();
    let staged = run(Command::new(repo.join("scripts/container-context"))
        .arg(env!("CARGO_BIN_EXE_monstack"))
        .arg(context.path()));
    assert!(staged.status.success());
    let image = Image(format!("monstack.local/monstack-test:{}", unique_name("img")));
    let built = run(Command::new("docker")
        .args(["build", "--quiet", "-t", &image.0, "-f"])
        .arg(repo.join("Dockerfile"))
        .arg(context.path()));
    assert!(built.status.success());

    let version = run(Command::new("docker").args(["run", "--rm", &image.0, "--version"]));
    let host = Command::new(env!("CARGO_BIN_EXE_monstack")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), String::from_utf8_lossy(&host.stdout));

    let mount = format!("{}:/project:ro", repo.join("examples/local").display());
    let check = run(Command::new("docker").args(["run", "--rm", "--network", "none", "-v", &mount, &image.0, "check"]));
    let host = Command::new(env!("CARGO_BIN_EXE_monstack"))
        .args(["check", "-C"])
        .arg(repo.join("examples/local"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), host.status.code());
    let summary = |o: &Output| String::from_utf8_lossy(&o.stdout).lines().last().unwrap_or_default().to_owned();
    assert!(summary(&check).contains("in 6 files"), "{}", summary(&check));
    assert_eq!(summary(&check), summary(&host));

    // Only the binary and its C library: no shell to fall back on.
    let shell = Command::new("docker")
        .args(["run", "--rm", "--entrypoint", "/bin/sh", &image.0, "-c", "true"])
        .output()
        .unwrap();
    assert!(!shell.status.success(), "the image has a shell");
}
