//! Runs Prometheus' engine test scripts (the promqltest language of
//! `promql/promqltest/testdata/*.test`) the way Prometheus' own harness does: every instant `eval`
//! is also run with `@` pinned to its time at other times, and in range mode around its time;
//! warnings and infos must appear exactly where the script says (`eval_warn`, `eval_info`,
//! `expect …`).

mod check;
pub mod parse;

use self::parse::{Command, Eval};
use super::ast::Expr;
use super::labels::{Labels, METRIC_NAME};
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
                for (labels, values) in series {
                    if with_nhcb {
                        note_nhcb(&mut storage, &labels);
                    }
                    let mut samples = Vec::with_capacity(values.len());
                    let mut histograms = 0;
                    for (i, v) in values.into_iter().enumerate() {
                        match v {
                            SeqValue::Float(f) => samples.push((i as i64 * step, f)),
                            SeqValue::Histogram => histograms += 1,
                            SeqValue::Omitted => {}
                        }
                    }
                    if histograms > 0 {
                        storage.note_histograms(labels.clone());
                    }
                    if !samples.is_empty() {
                        storage.add(labels, samples);
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

/// `load_with_nhcb` also stores each classic histogram (`x_bucket`, `x_count`, `x_sum`) as a
/// native one named `x`, without `le`.
fn note_nhcb(storage: &mut Storage, labels: &Labels) {
    let name = labels.get(METRIC_NAME);
    for suffix in ["_bucket", "_count", "_sum"] {
        if let Some(base) = name.strip_suffix(suffix) {
            let mut l = labels.clone();
            l.set(METRIC_NAME, base);
            l.remove("le");
            storage.note_histograms(l);
        }
    }
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
}
