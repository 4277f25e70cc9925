//! Any text, read as an Alertmanager config and as a routing test file, then routed: errors or
//! results, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::routing::{tests, Config, Instant, Labels};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("fuzz/in.yml");
    monstack::check::deep::on_big_stack(|| {
        if let Ok(config) = Config::parse(path, text) {
            let labels = Labels::from([("severity".to_owned(), "critical".to_owned())]);
            let _ = config.decide(&labels, &[labels.clone()], Instant::parse("2026-03-29T01:30:00Z").ok());
            if let Ok(file) = tests::parse(path, text) {
                let _ = tests::run(&file, &config);
            }
        }
        let _ = tests::parse(path, text);
    });
});
