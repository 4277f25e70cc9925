//! The stable-toolchain companion of `fuzz/fuzz_targets/notify.rs`: upstream's Alertmanager test
//! configs, whole and cut, previewed for every receiver they name; alerts files cut at every
//! point. Errors or notifications, never a panic.

use std::path::Path;

use super::*;

fn alert(pairs: &[(&str, &str)]) -> Alert {
    Alert {
        labels: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        starts_at: 1.0e9,
        ..Alert::default()
    }
}

#[test]
fn no_config_or_alerts_file_makes_a_preview_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut configs = Vec::new();
    for dir in [root.join("tests/upstream/alertmanager-config"), root.join("tests/fixtures/routing")] {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                configs.push((e.path(), text));
            }
        }
    }
    assert!(configs.len() > 20, "only {} configs", configs.len());
    let alerts = vec![alert(&[("alertname", "A"), ("severity", "critical")]), alert(&[("alertname", "B")])];
    let mut previewed = 0;
    for (path, text) in &configs {
        let names: Vec<String> =
            Config::parse(path, text).map(|c| c.receivers.iter().map(|r| r.name.clone()).collect()).unwrap_or_default();
        let step = (text.len() / 8).max(1);
        let cuts = (0..text.len()).step_by(step).filter(|c| text.is_char_boundary(*c)).chain([text.len()]);
        for cut in cuts {
            let source = Source { path: path.clone(), text: text[..cut].to_owned(), files: Some(BTreeMap::new()) };
            for receiver in names.iter().map(String::as_str).chain(["nobody"]) {
                let req = Request {
                    receiver: receiver.to_owned(),
                    alerts: alerts.clone(),
                    now: 2.0e9,
                    external_url: String::new(),
                };
                previewed += usize::from(preview(&source, &req).is_ok());
            }
        }
    }
    assert!(previewed > 50, "only {previewed} previews made");
    let file = r#"[{"labels": {"alertname": "A", "job": "x"}, "annotations": {"summary": "s"},
        "startsAt": "2026-11-25T03:00:00Z", "endsAt": "2026-11-25T04:00:00Z", "generatorURL": "http://p/"},
        {"labels": {"alertname": "B"}}]"#;
    for cut in (0..=file.len()).filter(|c| file.is_char_boundary(*c)) {
        let _ = alerts::parse(Path::new("a.json"), &file[..cut], 0.0);
    }
}
