//! Any text, run as a promqltest script (series in promtool's notation, then queries): results,
//! errors or failed expectations, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::promql::script;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = script::run(text, false);
    }
});
