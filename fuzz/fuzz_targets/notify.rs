//! Any text, read as a preview's alerts file and previewed with a config holding every kind of
//! integration, and read as an Alertmanager config and previewed for one alert: errors or
//! notifications, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use monstack::notify::{self, Alert, Request, Source};
use monstack::routing::Labels;

const CONFIG: &str = include_str!("../../tests/fixtures/preview/alertmanager.yml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::PathBuf::from("fuzz/in.yml");
    monstack::check::deep::on_big_stack(|| {
        let fixed = Source { path: path.clone(), text: CONFIG.to_owned(), files: Some(Default::default()) };
        if let Ok(alerts) = notify::alerts::parse(&path, text, 1.0e9) {
            let req = Request { receiver: "everyone".into(), alerts, now: 1.0e9, external_url: "http://am".into() };
            let _ = notify::preview(&fixed, &req);
        }
        let alert = Alert { labels: Labels::from([("alertname".to_owned(), "A".to_owned())]), ..Alert::default() };
        let fuzzed = Source { path, text: text.to_owned(), files: Some(Default::default()) };
        for receiver in ["everyone", "default", ""] {
            let req = Request { receiver: receiver.into(), alerts: vec![alert.clone()], now: 0.0, external_url: String::new() };
            let _ = notify::preview(&fuzzed, &req);
        }
    });
});
