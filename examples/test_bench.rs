//! `monstack test`'s benchmark driver (bench/test.sh runs it).
//!
//! `test_bench split WORK_DIR` reads what `promql_bench gen` wrote to WORK_DIR (`rules.yml`, the
//! public corpus' rules that evaluate cleanly, and `series.txt`) and writes one rule file per group
//! and two unit-test files per group to `WORK_DIR/tests/`: each names its group's rule file, loads
//! the series its rules select (15 s apart for 1 h) and asserts `vector(1)` at 30 m or 1 h, so
//! that both `monstack test` and `promtool test rules` evaluate the group every 15 s until then.

use std::path::Path;

use monstack::promql::series::parse_metric;
use monstack::test::rules::load_text;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("split"), Some(dir)) => split(Path::new(dir)),
        _ => Err("usage: test_bench split WORK_DIR".to_string()),
    };
    match result {
        Ok(n) => println!("{n} test files"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn split(dir: &Path) -> Result<usize, String> {
    let rules = std::fs::read_to_string(dir.join("rules.yml")).map_err(|e| e.to_string())?;
    let series = std::fs::read_to_string(dir.join("series.txt")).map_err(|e| e.to_string())?;
    let series: Vec<(monstack::promql::Labels, String)> = series
        .lines()
        .filter_map(|l| {
            let (labels, rest) = parse_metric(l).ok()?;
            Some((labels, rest.trim().to_string()))
        })
        .collect();
    let out = dir.join("tests");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    // Groups start at `  - name:` in the file promql_bench writes.
    let mut chunks: Vec<String> = Vec::new();
    for line in rules.lines().skip(1) {
        if line.starts_with("  - name: ") || chunks.is_empty() {
            chunks.push(String::from("groups:\n"));
        }
        let last = chunks.last_mut().expect("a chunk");
        last.push_str(line);
        last.push('\n');
    }
    let mut files = 0;
    for (i, chunk) in chunks.iter().enumerate() {
        let name = format!("g{i}.yml");
        let groups = load_text(Path::new(&name), chunk, false).map_err(|e| format!("{name}: {}", e[0]))?;
        let selectors: Vec<_> = groups.iter().flat_map(|g| g.rules.iter().flat_map(|r| r.query.selectors())).collect();
        let mine: Vec<&(monstack::promql::Labels, String)> = series
            .iter()
            .filter(|(l, _)| selectors.iter().any(|ms| ms.iter().all(|m| m.is_match(l.get(&m.name)))))
            .collect();
        std::fs::write(out.join(&name), chunk).map_err(|e| e.to_string())?;
        for until in ["30m", "1h"] {
            let mut t = format!(
                "rule_files: [{name}]\nevaluation_interval: 15s\ntests:\n  - name: group {i} until {until}\n    interval: 15s\n    input_series:\n"
            );
            for (labels, values) in &mine {
                let quoted = labels.to_string().replace('\'', "''");
                t.push_str(&format!("      - series: '{quoted}'\n        values: '{values}'\n"));
            }
            t.push_str(&format!(
                "    promql_expr_test:\n      - expr: vector(1)\n        eval_time: {until}\n        exp_samples:\n          - value: 1\n"
            ));
            std::fs::write(out.join(format!("t{i}-{until}.yml")), t).map_err(|e| e.to_string())?;
            files += 1;
        }
    }
    Ok(files)
}
