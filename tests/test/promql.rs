//! Conformance with Prometheus' own engine tests (promql/promqltest/testdata at v3.5.0, copied in
//! tests/upstream/promql): every `eval` command of every script, compared with the tracked list of
//! cases known to fail. A newly failing case is a regression; a listed case that now passes must
//! come off the list. `PROMQL_UPDATE_KNOWN_FAILURES=1` rewrites the list from this run.

use std::collections::BTreeMap;
use std::path::Path;

use monstack::promql::script;

const KNOWN: &str = "tests/upstream/promql/KNOWN_FAILURES";

fn known(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((k, r)) => (k.to_string(), r.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn promql_conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/upstream/promql");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 17, "the 17 upstream scripts are expected in {}", dir.display());

    let (mut float, mut float_ok, mut native, mut native_ok) = (0, 0, 0, 0);
    let mut failing: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let outcomes = script::run(&text, name == "native_histograms.test").unwrap_or_else(|e| panic!("{name}: {e}"));
        for o in outcomes {
            let ok = o.error.is_none();
            if o.native_histogram {
                native += 1;
                native_ok += usize::from(ok);
            } else {
                float += 1;
                float_ok += usize::from(ok);
            }
            if let Some(err) = o.error {
                let kind = if o.native_histogram { "native histogram: " } else { "" };
                let mut reason: String = format!("{kind}{}", err.replace(['\t', '\n'], " "));
                if reason.len() > 200 {
                    let cut = (0..=200).rev().find(|&i| reason.is_char_boundary(i)).unwrap_or(0);
                    reason.truncate(cut);
                    reason.push('…');
                }
                failing.insert(format!("{name}:{}", o.line), reason);
            }
        }
    }
    // Straight to the process's stderr, past the test harness' capture, so that every run (CI
    // included) shows the figures.
    let line = format!("promql conformance: {float_ok}/{float} float, {native_ok}/{native} native histogram\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());

    let known_path = root.join(KNOWN);
    let listed = known(&known_path);
    if std::env::var_os("PROMQL_UPDATE_KNOWN_FAILURES").is_some() {
        let header = std::fs::read_to_string(&known_path)
            .unwrap_or_default()
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let mut text = header;
        for (k, reason) in &failing {
            // A reason written by hand is kept while the case keeps failing.
            let r = listed.get(k).filter(|r| r.starts_with("[curated] ")).unwrap_or(reason);
            text.push_str(&format!("{k}\t{r}\n"));
        }
        std::fs::write(&known_path, text).unwrap();
        return;
    }
    let regressions: Vec<_> = failing.iter().filter(|(k, _)| !listed.contains_key(*k)).collect();
    let fixed: Vec<_> = listed.keys().filter(|k| !failing.contains_key(*k)).collect();
    assert!(
        regressions.is_empty(),
        "{} case(s) fail that are not in {KNOWN}:\n{}",
        regressions.len(),
        regressions.iter().map(|(k, r)| format!("  {k}: {r}")).collect::<Vec<_>>().join("\n")
    );
    assert!(
        fixed.is_empty(),
        "{} case(s) in {KNOWN} now pass; take them off the list:\n  {}",
        fixed.len(),
        fixed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
}

/// Every prefix of every query in the scripts, parsed and evaluated (instant and range) over a
/// little data: errors are fine, panics are not. (The fuzz target `promql` goes further.)
#[test]
fn no_query_prefix_makes_the_engine_panic() {
    use monstack::promql::{Engine, Labels, Query, Storage};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/promql");
    let mut storage = Storage::new();
    for (name, le) in [("http_requests_total", ""), ("metric", ""), ("x_bucket", "0.5"), ("x_bucket", "+Inf")] {
        let labels = Labels::from_pairs([("__name__", name), ("job", "a"), ("le", le)]);
        storage.add(labels, (0..20).map(|i| (i * 60_000, i as f64)));
    }
    let engine = Engine { budget: 200_000, ..Engine::default() };
    let mut queries = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            // The query follows the time (`at 5m`) or the step (`step 1m`).
            let Some(rest) = line.strip_prefix("eval") else { continue };
            let after = rest.split_once(" at ").or_else(|| rest.split_once(" step ")).map(|(_, r)| r);
            if let Some((_, q)) = after.and_then(|r| r.split_once(' ')) {
                queries.insert(q.to_string());
            }
        }
    }
    for q in &queries {
        for cut in (1..=q.len()).filter(|&i| q.is_char_boundary(i)).step_by(3) {
            if let Ok(parsed) = Query::parse(&q[..cut]) {
                let _ = engine.instant_query(&storage, &parsed, 600_000);
                let _ = engine.range_query(&storage, &parsed, 0, 600_000, 120_000);
            }
        }
    }
}
