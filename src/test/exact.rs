//! `monstack test --exact`, the offline half: the files `promtool test rules` needs, laid out so
//! each test file's `rule_files` still resolve, and promtool's verdicts compared with ours, test
//! file by test file (pass or fail, and which alerts and expressions failed at which time).
//! Running promtool in the pinned image is `stack::exact`'s.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use super::run::resolve;
use super::{format_duration, Failure, FileOutcome, RuleSource};

/// Where the files go in the tool's container.
pub const ROOT: &str = "check";

/// One test file to hand to promtool: its path in the container, and every file it needs.
#[derive(Debug, Clone)]
pub struct Job {
    /// The test file as named in the outcome.
    pub file: PathBuf,
    /// Its path in the container.
    pub path: String,
    /// (path in the container, contents) of the test file and its rule files.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Inside the container, an absolute host path keeps its components under [`ROOT`], so relative
/// references between the files still hold.
fn inside(path: &Path) -> String {
    let abs = crate::paths::absolute(path);
    let parts: Vec<String> = abs
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    format!("{ROOT}/{}", parts.join("/"))
}

/// The jobs for the test files on disk (`files`) and in memory (`source.tests`); in project mode
/// the rendered rule files sit in one folder with the test files.
pub fn jobs(files: &[PathBuf], source: &RuleSource) -> Vec<Job> {
    let mut out = Vec::new();
    let rendered: Vec<(String, Vec<u8>)> = source
        .rendered
        .iter()
        .map(|(name, text)| (format!("{ROOT}/rules/{}", name.display()), text.clone().into_bytes()))
        .collect();
    // Routing tests are ours alone: promtool has no say on them.
    let texts = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok().map(|t| (f.clone(), t)))
        .filter(|(_, t)| super::kind_of(t) != super::FileKind::RoutingTests);
    for (i, (file, text)) in texts.chain(source.tests.iter().cloned()).enumerate() {
        if !source.rendered.is_empty() {
            let path = format!("{ROOT}/rules/test-{i}.yml");
            let mut all = rendered.clone();
            all.push((path.clone(), text.into_bytes()));
            out.push(Job { file, path, files: all });
            continue;
        }
        let path = inside(&file);
        let mut all = vec![(path.clone(), text.clone().into_bytes())];
        if let Ok(tf) = super::format::parse(&file, &text, true) {
            for pattern in &tf.rule_files {
                for (rule, _) in resolve(&file, &pattern.value, source).unwrap_or_default() {
                    if let Ok(bytes) = std::fs::read(&rule) {
                        all.push((inside(&rule), bytes));
                    }
                }
            }
        }
        out.push(Job { file, path, files: all });
    }
    out
}

/// What failed, as `promtool test rules` prints it: `alertname: X, time: T`, `expr: "E", time: T`,
/// and `error` for anything that stopped a test (a rule that failed, a file it could not read).
pub fn promtool_failures(output: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("alertname: ") {
            let (name, time) = rest.split_once(", time: ").unwrap_or((rest, ""));
            out.insert(format!("alert {name} at {}", time.trim_end_matches([',', ' '])));
        } else if let Some(rest) = line.strip_prefix("expr: ") {
            let (expr, time) = rest.rsplit_once(", time: ").unwrap_or((rest, ""));
            if time.contains("err:") || rest.contains(", err: ") {
                out.insert("error".into());
                continue;
            }
            let expr: String = serde_json::from_str(expr).unwrap_or_else(|_| expr.to_string());
            out.insert(format!("expr {expr} at {}", time.split(',').next().unwrap_or("").trim()));
        } else if line.starts_with("rule: ") && line.contains(", err: ") {
            out.insert("error".into());
        }
    }
    out
}

/// The same, from our outcome.
pub fn our_failures(o: &FileOutcome) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if !o.errors.is_empty() {
        out.insert("error".into());
    }
    for f in o.groups.iter().flat_map(|g| &g.failures) {
        out.insert(match f {
            Failure::Alert { alertname, eval_time, .. } => {
                format!("alert {alertname} at {}", format_duration(*eval_time))
            }
            Failure::Expr { expr, eval_time, .. } => format!("expr {expr} at {}", format_duration(*eval_time)),
            Failure::Routing { line, .. } => format!("routing at line {line}"),
            Failure::Error { .. } => "error".into(),
        });
    }
    out
}

/// Where promtool (exit `code`, output `output`) and our outcome `o` disagree, in words; `None`
/// when they agree.
pub fn disagreement(o: &FileOutcome, code: i64, output: &str) -> Option<String> {
    let (theirs, ours) = (promtool_failures(output), our_failures(o));
    let verdicts_agree = (code == 0) == o.passed();
    // When a test cannot run, promtool and monstack word it differently: the verdict is compared.
    let details_agree = theirs.contains("error") || ours.contains("error") || theirs == ours;
    if verdicts_agree && details_agree {
        return None;
    }
    let list = |s: &BTreeSet<String>| {
        if s.is_empty() {
            "nothing".to_string()
        } else {
            s.iter().cloned().collect::<Vec<_>>().join("; ")
        }
    };
    // A failure promtool words otherwise (a file it refuses) is shown as it said it.
    let said: Vec<&str> =
        output.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("Unit Testing")).take(3).collect();
    let theirs_text = if theirs.is_empty() && code != 0 { said.join(" / ") } else { list(&theirs) };
    Some(format!(
        "promtool {} ({}), monstack {} ({})",
        if code == 0 { "passes" } else { "fails" },
        crate::diag::clip(&theirs_text, 300),
        if o.passed() { "passes" } else { "fails" },
        list(&ours)
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn promtool_output_is_read() {
        let out = "Unit Testing:  t.yml\n  FAILED:\n    name: x,\n    alertname: A, time: 5m, \n        exp:[], \n    expr: \"up\", time: 1m,\n        exp: {} 1E+00\n";
        let got: Vec<String> = super::promtool_failures(out).into_iter().collect();
        assert_eq!(got, vec!["alert A at 5m", "expr up at 1m"]);
        assert!(super::promtool_failures("    rule: joined, time: 0s, err: found duplicate").contains("error"));
    }
}
