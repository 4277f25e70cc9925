//! Any text, checked as a Kubernetes manifest: findings or nothing, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::check::run::{check_text, Kind, Options};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = check_text(std::path::Path::new("fuzz/in.yml"), text, Kind::Kubernetes, &Options::default());
    }
});
