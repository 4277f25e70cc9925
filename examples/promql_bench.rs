//! The PromQL engine's benchmark driver (bench/promql.sh runs it).
//!
//! `promql_bench gen RULES_DIR OUT_DIR` reads every rule file below RULES_DIR, makes a series for
//! every selector the rules use (1 h of samples at 15 s), keeps the rules that evaluate without
//! error over those series, and writes `rules.yml`, `series.txt` (promtool's series notation) and
//! `promtool-test.yml` (the same input for `promtool test rules`) to OUT_DIR.
//!
//! `promql_bench run OUT_DIR [COPIES]` evaluates every rule of `rules.yml` every 15 s for an
//! hour over `series.txt`, groups in order, recording rules feeding later rules, as
//! `promtool test rules` does, and prints what it computed. With COPIES, every input series is
//! loaded that many times (told apart by a `replica` label), to see how memory grows with the
//! samples stored; rules that then fail (many-to-many matching, say) are counted, not fatal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use monstack::promql::series::parse_series;
use monstack::promql::{Engine, Labels, Query, Storage, Value};
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{self as pp, Expr};
use serde::Deserialize;

const STEP: i64 = 15_000;
const STEPS: i64 = 240;

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    // `rules:` may be present and empty.
    #[serde(default)]
    rules: Option<Vec<Rule>>,
}

#[derive(Deserialize, Clone)]
struct Rule {
    record: Option<String>,
    alert: Option<String>,
    expr: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("gen") if args.len() == 4 => generate(Path::new(&args[2]), Path::new(&args[3])),
        Some("run") if args.len() == 3 => run(Path::new(&args[2]), 1),
        Some("run") if args.len() == 4 => match args[3].parse() {
            Ok(n) if n > 0 => run(Path::new(&args[2]), n),
            _ => Err("COPIES must be a positive number".into()),
        },
        _ => Err("usage: promql_bench gen RULES_DIR OUT_DIR | promql_bench run OUT_DIR [COPIES]".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rule_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
    Ok(())
}

fn selectors(e: &Expr, out: &mut Vec<pp::VectorSelector>) {
    match e {
        Expr::VectorSelector(vs) => out.push(vs.clone()),
        Expr::MatrixSelector(m) => out.push(m.vs.clone()),
        Expr::Aggregate(a) => {
            selectors(&a.expr, out);
            if let Some(p) = &a.param {
                selectors(p, out);
            }
        }
        Expr::Unary(u) => selectors(&u.expr, out),
        Expr::Binary(b) => {
            selectors(&b.lhs, out);
            selectors(&b.rhs, out);
        }
        Expr::Paren(p) => selectors(&p.expr, out),
        Expr::Subquery(s) => selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| selectors(a, out)),
        _ => {}
    }
}

/// A value the matcher accepts, tried from the regex's own alternatives first.
fn value_for(m: &Matcher) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if let MatchOp::Re(_) = m.op {
        for alt in m.value.split('|') {
            let lit: String =
                alt.chars().filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | ':' | '.')).collect();
            candidates.push(lit.replace(".", ""));
            candidates.push(alt.replace(".*", "x").replace(".+", "x").replace('\\', ""));
        }
    }
    candidates.extend(["bench", "1", "a", "x", "0", ""].map(String::from));
    if m.op == MatchOp::Equal {
        return Some(m.value.clone());
    }
    candidates.into_iter().find(|c| m.is_match(c))
}

/// One label set satisfying a selector, or None when the generator cannot find values.
fn series_for(vs: &pp::VectorSelector, n: usize) -> Option<Labels> {
    let mut labels = BTreeMap::new();
    if let Some(name) = &vs.name {
        labels.insert("__name__".to_string(), name.clone());
    }
    for m in &vs.matchers.matchers {
        let v = value_for(m)?;
        labels.insert(m.name.clone(), v);
    }
    labels.entry("__name__".into()).or_insert_with(|| format!("bench_unnamed_{n}"));
    labels.entry("instance".into()).or_insert_with(|| "bench:9100".into());
    labels.entry("job".into()).or_insert_with(|| "bench".into());
    let l = Labels::from_pairs(labels);
    vs.matchers.matchers.iter().all(|m| m.is_match(l.get(&m.name))).then_some(l)
}

/// 1 h of samples: counters grow, buckets grow by bucket, anything else wanders.
fn values(l: &Labels, k: usize) -> String {
    let name = l.get("__name__");
    let slope = 1 + k % 7;
    if ["_total", "_count", "_sum", "_bucket"].iter().any(|s| name.ends_with(s)) {
        format!("0+{slope}x{STEPS}")
    } else {
        format!("{}{}x{STEPS}", 10 * (1 + k % 11), if k.is_multiple_of(2) { "+0.5" } else { "-0.25" })
    }
}

fn load_groups(files: &[PathBuf]) -> Result<Vec<Group>, String> {
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let file: RuleFile = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        out.extend(file.groups);
    }
    Ok(out)
}

fn generate(rules_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    rule_files(rules_dir, &mut files).map_err(|e| e.to_string())?;
    let groups = load_groups(&files)?;
    // Recorded series come from their rules, not from the input.
    let recorded: BTreeSet<&str> =
        groups.iter().flat_map(|g| g.rules.iter().flatten()).filter_map(|r| r.record.as_deref()).collect();
    let mut series: BTreeSet<Labels> = BTreeSet::new();
    for g in &groups {
        for r in g.rules.iter().flatten() {
            let Ok(e) = pp::parse(&r.expr) else { continue };
            let mut sels = Vec::new();
            selectors(&e, &mut sels);
            for vs in sels {
                let n = series.len();
                if vs.name.as_deref().is_some_and(|n| recorded.contains(n)) {
                    continue;
                }
                if let Some(l) = series_for(&vs, n) {
                    if l.get("__name__").ends_with("_bucket") && !l.has("le") {
                        for le in ["0.1", "1", "10", "+Inf"] {
                            let mut b = l.clone();
                            b.set("le", le);
                            series.insert(b);
                        }
                    } else {
                        series.insert(l);
                    }
                }
            }
        }
    }
    let lines: Vec<String> =
        series.iter().enumerate().map(|(k, l)| format!("{} {}", promtool_labels(l), values(l, k))).collect();
    // Keep the rules that evaluate cleanly, so that neither tool stops on an error: drop the
    // first failing rule and start again until none fails.
    let mut rules: Vec<(usize, Rule, Query)> = Vec::new();
    let mut total = 0;
    for (gi, g) in groups.iter().enumerate() {
        for r in g.rules.iter().flatten() {
            total += 1;
            if let Ok(q) = Query::parse(&r.expr) {
                rules.push((gi, r.clone(), q));
            }
        }
    }
    loop {
        let list: Vec<(&Query, &Rule)> = rules.iter().map(|(_, r, q)| (q, r)).collect();
        match evaluate(load_series(&lines, 1)?, &list, true) {
            Ok(_) => break,
            Err(i) => {
                rules.remove(i);
            }
        }
    }
    let kept = rules.len();
    let mut kept_groups: Vec<(String, Vec<Rule>)> = Vec::new();
    for (gi, r, _) in rules {
        let name = format!("{}-{gi}", groups[gi].name);
        match kept_groups.last_mut() {
            Some((n, rs)) if *n == name => rs.push(r),
            _ => kept_groups.push((name, vec![r])),
        }
    }
    std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
    let write = |name: &str, text: String| std::fs::write(out_dir.join(name), text).map_err(|e| e.to_string());
    write("rules.yml", rules_yaml(&kept_groups))?;
    write("series.txt", lines.join("\n") + "\n")?;
    let mut test = String::from(
        "rule_files:\n  - rules.yml\nevaluation_interval: 15s\ntests:\n  - interval: 15s\n    input_series:\n",
    );
    for line in &lines {
        let (labels, vals) = line.rsplit_once(' ').unwrap_or((line, ""));
        test.push_str(&format!("      - series: '{}'\n        values: '{vals}'\n", labels.replace('\'', "''")));
    }
    test.push_str("    alert_rule_test:\n      - eval_time: 1h\n        alertname: BenchmarkNoSuchAlert\n        exp_alerts: []\n");
    write("promtool-test.yml", test)?;
    println!("{} series, {kept} of {total} rules kept, {} groups", lines.len(), kept_groups.len());
    Ok(())
}

fn promtool_labels(l: &Labels) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={}", monstack::promql::labels::quote(v))).collect();
    format!("{{{}}}", inner.join(", "))
}

fn yaml_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn rules_yaml(groups: &[(String, Vec<Rule>)]) -> String {
    let mut out = String::from("groups:\n");
    for (name, rules) in groups {
        out.push_str(&format!("  - name: {}\n    rules:\n", yaml_string(name)));
        for r in rules {
            match (&r.record, &r.alert) {
                (Some(rec), _) => out.push_str(&format!("      - record: {}\n", yaml_string(rec))),
                (None, Some(a)) => out.push_str(&format!("      - alert: {}\n", yaml_string(a))),
                _ => continue,
            }
            // A block scalar keeps line breaks, which end `#` comments inside expressions.
            out.push_str("        expr: |-\n");
            for line in r.expr.trim_end().lines() {
                out.push_str(&format!("          {line}\n"));
            }
            if !r.labels.is_empty() {
                out.push_str("        labels:\n");
                for (k, v) in &r.labels {
                    out.push_str(&format!("          {k}: {}\n", yaml_string(v)));
                }
            }
        }
    }
    out
}

fn load_series(lines: &[String], copies: usize) -> Result<Storage, String> {
    let mut storage = Storage::new();
    for line in lines {
        let (labels, values) = parse_series(line)?;
        let samples: Vec<(i64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                monstack::promql::series::SeqValue::Float(f) => Some((i as i64 * STEP, *f)),
                _ => None,
            })
            .collect();
        for c in 0..copies {
            let mut l = labels.clone();
            if copies > 1 {
                l.set("replica", &c.to_string());
            }
            storage.add(l, samples.clone());
        }
    }
    Ok(storage)
}

/// What an hour of rule evaluation produced.
struct Stats {
    evaluations: u64,
    recorded: u64,
    alerts: u64,
    series: usize,
    samples: usize,
    errors: u64,
}

/// Evaluates `rules` every 15 s for an hour as Prometheus' rule manager does; fails with the
/// index of the first rule that errs, including the manager's own check that a rule's output
/// stays unique once the rule's labels are applied.
fn evaluate(mut storage: Storage, rules: &[(&Query, &Rule)], strict: bool) -> Result<Stats, usize> {
    let engine = Engine::default();
    let (mut evaluations, mut recorded, mut alerts, mut errors) = (0u64, 0u64, 0u64, 0u64);
    for step in 0..=STEPS {
        let t = step * STEP;
        for (i, (q, r)) in rules.iter().enumerate() {
            evaluations += 1;
            let samples = match engine.instant_query(&storage, q, t).map(|res| res.value) {
                Ok(Value::Vector(v)) => v,
                Ok(Value::Scalar(f)) => vec![monstack::promql::Sample::new(Labels::new(), t, f)],
                _ if strict => return Err(i),
                _ => {
                    errors += 1;
                    continue;
                }
            };
            let mut out = Vec::with_capacity(samples.len());
            for s in samples {
                let mut l = s.metric;
                match &r.record {
                    Some(name) => l.set("__name__", name),
                    None => l.remove("__name__"),
                }
                for (k, v) in &r.labels {
                    l.set(k, v);
                }
                out.push((l, s.f));
            }
            let unique: BTreeSet<&Labels> = out.iter().map(|(l, _)| l).collect();
            if unique.len() != out.len() {
                if strict {
                    return Err(i);
                }
                errors += 1;
                continue;
            }
            if r.record.is_some() {
                recorded += out.len() as u64;
                for (l, f) in out {
                    storage.add(l, [(t, f)]);
                }
            } else {
                alerts += out.len() as u64;
            }
        }
    }
    Ok(Stats { evaluations, recorded, alerts, series: storage.len(), samples: storage.samples(), errors })
}

fn run(dir: &Path, copies: usize) -> Result<(), String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let lines: Vec<String> = read("series.txt")?.lines().map(String::from).collect();
    let storage = load_series(&lines, copies)?;
    let groups: RuleFile = serde_saphyr::from_str(&read("rules.yml")?).map_err(|e| e.to_string())?;
    let mut parsed = Vec::new();
    for g in &groups.groups {
        for r in g.rules.iter().flatten() {
            parsed.push((Query::parse(&r.expr).map_err(|e| format!("{}: {e}", r.expr))?, r));
        }
    }
    let rules: Vec<(&Query, &Rule)> = parsed.iter().map(|(q, r)| (q, *r)).collect();
    let st = evaluate(storage, &rules, copies == 1).map_err(|i| format!("rule {:?} failed", rules[i].1.expr))?;
    println!(
        "{} rules, {} evaluations ({} failed), {} samples recorded, {} alert instances, {} series and {} samples stored",
        rules.len(),
        st.evaluations,
        st.errors,
        st.recorded,
        st.alerts,
        st.series,
        st.samples
    );
    Ok(())
}
