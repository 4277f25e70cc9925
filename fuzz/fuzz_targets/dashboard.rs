//! Any text, checked as a dashboard file, and as the query of a panel's target (where Grafana's
//! variables are found and stood in for, byte offsets and all, non-ASCII text included):
//! findings or nothing, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::check::run::{check_text, Kind, Options};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let path = std::path::Path::new("fuzz/in.json");
        let _ = check_text(path, text, Kind::Dashboard, &Options::default());
        let expr: String = text
            .chars()
            .map(|c| match c {
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                c if c.is_control() => format!("\\u{:04x}", c as u32),
                c => c.to_string(),
            })
            .collect();
        let dashboard = format!(
            r#"{{"uid": "u", "title": "t", "templating": {{"list": [{{"name": "job"}}, {{"name": "op"}}]}},
                "panels": [{{"id": 1, "type": "timeseries", "targets": [{{"expr": "{expr}"}}]}}]}}"#
        );
        let _ = check_text(path, &dashboard, Kind::Dashboard, &Options::default());
    }
});
