//! Any text, parsed as a Go template with Prometheus' functions and variables, then executed
//! on an alert's data: a tree, Go's error, or an execution error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::gotemplate::{self, funcs, Options};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let opts = Options { funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], vars: &["$labels", "$value"], ..Options::default() };
        let _ = gotemplate::parse("fuzz", text, &opts);
    }
});
