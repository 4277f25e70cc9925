//! Runs Prometheus' engine test scripts (the promqltest language of
//! `promql/promqltest/testdata/*.test`) the way Prometheus' own harness does: every instant `eval`
//! is also run with `@` pinned to its time at other times, and in range mode around its time;
//! warnings and infos must appear exactly where the script says (`eval_warn`, `eval_info`,
//! `expect …`).

mod check;
mod nhcb;
pub mod parse;

use self::parse::{Command, Eval};
use super::ast::Expr;
use super::series::SeqValue;
use super::{Engine, Query, Storage};

/// The result of one `eval` command.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Line number (1-based) of the command.
    pub line: usize,
    /// The query.
    pub expr: String,
    /// The command involves native histograms: the script file is about them, the expected
    /// result shows one, or the query selects a series that had one.
    pub native_histogram: bool,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// Runs a script. `native_file` marks every command as a native-histogram case. An error means
/// the script itself could not be read.
pub fn run(text: &str, native_file: bool) -> Result<Vec<Outcome>, String> {
    let engine = Engine::default();
    let mut storage = Storage::new();
    let mut out = Vec::new();
    for (line, cmd) in parse::parse(text)? {
        match cmd {
            Command::Clear => {
                storage = Storage::new();
            }
            Command::Load { step, series, with_nhcb } => {
                let mut floats = Vec::with_capacity(series.len());
                for (labels, values) in series {
                    let (mut samples, mut hists) = (Vec::new(), Vec::new());
                    for (i, v) in values.into_iter().enumerate() {
                        let t = (i as i64).saturating_mul(step);
                        match v {
                            SeqValue::Float(f) => samples.push((t, f)),
                            SeqValue::Histogram(h) => hists.push((t, *h)),
                            SeqValue::Omitted => {}
                        }
                    }
                    if !hists.is_empty() {
                        storage.add_histograms(labels.clone(), hists);
                    }
                    if !samples.is_empty() {
                        storage.add(labels.clone(), samples.iter().copied());
                        floats.push((labels, samples));
                    }
                }
                if with_nhcb {
                    for (labels, hists) in nhcb::convert(&floats) {
                        storage.add_histograms(labels, hists);
                    }
                }
            }
            Command::Eval(e) => {
                let native_histogram = native_file || e.histograms || touches_histograms(&e.expr, &storage);
                let error = run_eval(&engine, &storage, &e).err();
                out.push(Outcome { line, expr: e.expr.clone(), native_histogram, error });
            }
        }
    }
    Ok(out)
}

/// Whether a selector of the query picks a series that had native-histogram samples.
fn touches_histograms(expr: &str, storage: &Storage) -> bool {
    let Ok(q) = Query::parse(expr) else { return false };
    let mut found = false;
    q.0.walk(&mut |e| {
        if let Expr::Vector(sel) | Expr::Matrix(sel, _) = e {
            found |= storage.has_histograms(|l| sel.matchers.iter().all(|m| m.is_match(l.get(&m.name))));
        }
        !found
    });
    found
}

fn run_eval(engine: &Engine, storage: &Storage, e: &Eval) -> Result<(), String> {
    match e.range {
        Some((start, end, step)) => check::range(engine, storage, e, start, end, step),
        None => check::instant(engine, storage, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(script: &str) -> Vec<Option<String>> {
        run(script, false).unwrap().into_iter().map(|o| o.error).collect()
    }

    #[test]
    fn wrong_expectations_fail() {
        let load = "load 1m\n  m{a=\"1\"} 1 2 3\n\n";
        assert_eq!(errors(&format!("{load}eval instant at 1m m\n  m{{a=\"1\"}} 2\n")), vec![None]);
        for wrong in ["m{a=\"1\"} 3", "m{a=\"2\"} 2", "{a=\"1\"} 2", "2"] {
            let e = errors(&format!("{load}eval instant at 1m m\n  {wrong}\n"));
            assert!(e[0].is_some(), "{wrong} was accepted");
        }
        let e = errors(&format!("{load}eval range from 0 to 2m step 1m m\n  m{{a=\"1\"}} 1 2 _\n"));
        assert!(e[0].is_some());
        let e = errors(&format!("{load}eval instant at 1m rate(m[2m])\n  {{a=\"1\"}} 0.016666666666666666\n"));
        assert!(e[0].as_deref().unwrap_or_default().contains("unexpected info"), "{e:?}");
    }

    #[test]
    fn histogram_expectations_are_checked() {
        let load =
            "load 1m\n  h {{schema:0 count:4 sum:6 buckets:[1 3]}}+{{schema:0 count:4 sum:6 buckets:[1 3]}}x2\n\n";
        let right = "{} {{schema:0 count:8 sum:12 buckets:[2 6]}}";
        assert_eq!(errors(&format!("{load}eval instant at 1m sum(h)\n  {right}\n")), vec![None]);
        for wrong in
            ["{} {{schema:0 count:8 sum:12 buckets:[2 5]}}", "{} {{schema:1 count:8 sum:12 buckets:[2 6]}}", "{} 8"]
        {
            let e = errors(&format!("{load}eval instant at 1m sum(h)\n  {wrong}\n"));
            assert!(e[0].is_some(), "{wrong} was accepted");
        }
        assert_eq!(errors(&format!("{load}eval instant at 1m histogram_count(h)\n  {{}} 8\n")), vec![None]);
    }
}
