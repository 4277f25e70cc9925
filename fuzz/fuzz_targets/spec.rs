//! Any text as `monstack.yaml`: a spec or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = monstack::spec::Spec::parse(std::path::Path::new("monstack.yaml"), text);
    }
});
