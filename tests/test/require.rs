//! Parts from outside the repository that some tests need: the Docker daemon and the
//! `monstack.local/*` images `scripts/build-images` builds, and the oracle tools `promtool` and
//! `amtool`. Such a test starts with `if !require::…() { return; }`.
//!
//! When a part is missing the test is skipped: it prints
//! `skipped <test>: <what is missing> — run scripts/test, which installs it` and passes. In CI
//! (`CI=true`) and under `scripts/test` (`MONSTACK_REQUIRE_ALL=1`) nothing may be skipped: a
//! missing part fails the test with the same message.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use monstack::stack::engine::{docker_host, Daemon};

/// Whether every test must run: `CI=true` (set by CI) or `MONSTACK_REQUIRE_ALL=1` (set by
/// `scripts/test`).
pub fn strict() -> Option<&'static str> {
    let on = |var: &str| std::env::var(var).is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if on("CI") {
        Some("CI=true")
    } else if on("MONSTACK_REQUIRE_ALL") {
        Some("MONSTACK_REQUIRE_ALL=1")
    } else {
        None
    }
}

/// Prints a line CI logs keep: straight to the process's stderr, since the test harness captures
/// `println!` and `eprintln!` of passing tests (conformance counts are printed this way).
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Skips the running test (or fails it when [`strict`]) because `missing` is missing; returns false.
#[track_caller]
fn missing(missing: &str) -> bool {
    let thread = std::thread::current();
    let test = thread.name().filter(|n| *n != "main").unwrap_or("this test");
    let message = format!("skipped {test}: {missing} — run scripts/test, which installs it");
    if let Some(why) = strict() {
        panic!("{message} (not allowed with {why}: nothing may be skipped)");
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(std::io::stderr().lock(), "{message}");
    false
}

/// Whether `name` is an executable file in a folder of `PATH`, as `Command::new(name)` finds it.
fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .any(|p| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// The Debian package a tool comes from, for the message.
fn package_of(name: &str) -> &str {
    match name {
        "promtool" => "prometheus",
        "amtool" => "prometheus-alertmanager",
        "docker" => "docker.io",
        other => other,
    }
}

/// The program `name` (`promtool`, `amtool`, `docker`) is on `PATH`.
#[track_caller]
pub fn tool(name: &str) -> bool {
    on_path(name) || missing(&format!("`{name}` is not on PATH (Debian package {})", package_of(name)))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Whether the Docker daemon answers at `$DOCKER_HOST` (default the local socket); asked once.
pub fn docker_reachable() -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    *REACHABLE.get_or_init(|| block_on(Daemon::connect()).is_ok())
}

/// The Docker daemon is reachable.
#[track_caller]
pub fn docker() -> bool {
    docker_reachable() || missing(&format!("the Docker daemon is not reachable at `{}`", docker_host()))
}

/// The Debian packages `scripts/build-images` builds the images from: their versions are the
/// image tags. Keep in step with `packages=(…)` there.
const IMAGE_PACKAGES: [&str; 4] =
    ["prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "prometheus-blackbox-exporter"];

/// The image packages that are not installed (all of them where `dpkg-query` is missing).
fn missing_image_packages() -> &'static [&'static str] {
    static MISSING: OnceLock<Vec<&str>> = OnceLock::new();
    MISSING.get_or_init(|| {
        IMAGE_PACKAGES
            .into_iter()
            .filter(|p| {
                let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", p]).stderr(Stdio::null()).output();
                !out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
            })
            .collect()
    })
}

/// The Debian packages the images are built from are installed, so their tags are known.
#[track_caller]
pub fn image_packages() -> bool {
    let absent = missing_image_packages();
    absent.is_empty()
        || missing(&format!(
            "the Debian packages {} are not installed (the image tags are their versions)",
            absent.join(", ")
        ))
}

/// The local image tags, as `scripts/build-images --print` names them. Only after
/// [`image_packages`] (else the script would install them).
pub fn image_tags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        assert!(missing_image_packages().is_empty(), "image_tags() before require::image_packages()");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-images");
        let out = Command::new(&script).arg("--print").output().expect("scripts/build-images runs");
        assert!(out.status.success(), "scripts/build-images --print failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
    })
}

/// The Docker daemon is reachable and holds every `monstack.local/*` image.
#[track_caller]
pub fn images() -> bool {
    if !docker() || !image_packages() {
        return false;
    }
    static ABSENT: OnceLock<Vec<String>> = OnceLock::new();
    let absent = ABSENT.get_or_init(|| {
        block_on(async {
            let engine = Daemon::connect().await.expect("the Docker daemon is reachable");
            let mut absent = Vec::new();
            for tag in image_tags() {
                if !engine.has_image(tag).await.unwrap_or(false) {
                    absent.push(tag.clone());
                }
            }
            absent
        })
    });
    absent.is_empty() || missing(&format!("the images {} are not built (scripts/build-images)", absent.join(", ")))
}
