//! `monstack routes`: agreement with `amtool config routes test` on label sets drawn from each
//! config's own matchers, the routing test files, and bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use monstack::routing::{Config, Route};

use crate::{fixtures, monstack, render_case, render_cases, Project};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The configs of the corpus: upstream's valid test configs, the project's renders, and the
/// routing fixture.
fn corpus() -> Vec<PathBuf> {
    let dir = root().join("tests/upstream/alertmanager-config");
    let tsv = std::fs::read_to_string(dir.join("expectations.tsv")).unwrap();
    let mut out: Vec<PathBuf> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(1) == Some(&"valid")).then(|| dir.join(cols[0]))
        })
        .collect();
    assert!(out.len() >= 20, "the upstream valid configs are expected in {}", dir.display());
    for (_, case) in render_cases() {
        out.push(case.join("out/alertmanager/alertmanager.yml"));
    }
    out.push(fixtures().join("routing/alertmanager.yml"));
    out.push(fixtures().join("routing/nested.yml"));
    out
}

/// Values that satisfy a regex, where that is easy to see: literals and alternations of
/// literals, optionally anchored or grouped, and a literal prefix before `.*`/`.+`.
fn regex_literals(re: &str) -> Vec<String> {
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '/' | ':'));
    let mut s = re.strip_prefix("^(?:").and_then(|x| x.strip_suffix(")$")).unwrap_or(re);
    s = s.trim_start_matches('^').trim_end_matches('$');
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        s = inner;
    }
    let mut out = Vec::new();
    for alt in s.split('|') {
        if plain(alt) {
            out.push(alt.to_owned());
        } else if let Some(prefix) = alt.strip_suffix(".*").or(alt.strip_suffix(".+")).filter(|p| plain(p)) {
            out.push(format!("{prefix}x"));
        }
    }
    out
}

/// Candidate values of each label name the routes test.
fn candidates(r: &Route, out: &mut BTreeMap<String, Vec<String>>) {
    for m in &r.matchers {
        let vals = out.entry(m.name.clone()).or_default();
        if m.op.ends_with('~') {
            vals.extend(regex_literals(&m.value));
        } else {
            vals.push(m.value.clone());
        }
    }
    for c in &r.routes {
        candidates(c, out);
    }
}

/// A label set that satisfies every matcher from the root to each node, where one exists.
fn reaching(r: &Route, above: &BTreeMap<String, String>, out: &mut Vec<BTreeMap<String, String>>) {
    let mut labels = above.clone();
    for m in &r.matchers {
        let value = match m.op {
            "=" => Some(m.value.clone()),
            "=~" => regex_literals(&m.value).into_iter().next(),
            _ => Some("other".to_owned()),
        };
        if let Some(v) = value {
            labels.insert(m.name.clone(), v);
        }
    }
    out.push(labels.clone());
    for c in &r.routes {
        reaching(c, &labels, out);
    }
}

fn label_sets(config: &Config) -> Vec<BTreeMap<String, String>> {
    let mut sets = vec![BTreeMap::new(), BTreeMap::from([("alertname".to_owned(), "Other".to_owned())])];
    reaching(&config.route, &BTreeMap::new(), &mut sets);
    let mut values = BTreeMap::new();
    candidates(&config.route, &mut values);
    for (name, vals) in &values {
        for v in vals.iter().map(String::as_str).chain(["", "zzz"]) {
            sets.push(BTreeMap::from([(name.clone(), v.to_owned())]));
        }
    }
    // Two labels at a time, where routes combine them.
    let names: Vec<&String> = values.keys().collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            for va in values[*a].iter().map(String::as_str).chain([""]) {
                for vb in &values[*b] {
                    sets.push(BTreeMap::from([((*a).clone(), va.to_owned()), ((*b).clone(), vb.clone())]));
                }
            }
        }
    }
    // Each reaching set with one label changed: where the walk turns.
    let reach: Vec<_> = sets.clone();
    for set in reach.iter().filter(|s| s.len() > 1) {
        for name in set.keys() {
            let mut changed = set.clone();
            changed.insert(name.clone(), "changed".into());
            sets.push(changed);
        }
    }
    // amtool 0.25 takes classic label names only.
    let classic = |n: &str| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    sets.retain(|s| s.keys().all(|n| classic(n)));
    sets.sort();
    sets.dedup();
    // A bound on amtool runs per config, evenly spread over the sorted sets.
    let step = sets.len().div_ceil(MAX_SETS_PER_CONFIG);
    sets.into_iter().step_by(step.max(1)).collect()
}

const MAX_SETS_PER_CONFIG: usize = 200;

fn quoted(name: &str, value: &str) -> String {
    format!("{name}=\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn routes_agree_with_amtool() {
    if !crate::require::tool("amtool") {
        return;
    }
    let tmp = Project::empty();
    let (mut total, mut agree, mut configs, mut refused) = (0, 0, 0, Vec::new());
    let mut disagreements = Vec::new();
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let shown = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
        let amtool = |args: &[String]| {
            let out = Command::new("amtool")
                .args(["config", "routes", "test", "--tree", &format!("--config.file={}", path.display())])
                .args(args)
                .current_dir(tmp.path())
                .output()
                .expect("amtool runs");
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
        };
        if !amtool(&[]).0 {
            // Upstream's newest test configs use integrations amtool 0.25 does not know.
            refused.push(shown);
            continue;
        }
        configs += 1;
        let config = Config::parse(&path, &text).unwrap_or_else(|e| panic!("{shown}: amtool loads it, we do not: {e}"));
        for labels in label_sets(&config) {
            let args: Vec<String> = labels.iter().map(|(k, v)| quoted(k, v)).collect();
            let (_, want) = amtool(&args);
            let mut ours = vec!["routes", "--tree", "--config", path.to_str().unwrap()];
            ours.extend(args.iter().map(String::as_str));
            let run = monstack(tmp.path(), &ours);
            total += 1;
            if run.status == 0 && run.stdout == want {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{shown} {args:?}: amtool {want:?}, monstack {:?} (exit {}) {}",
                    run.stdout.trim_end(),
                    run.status,
                    run.stderr
                ));
            }
        }
    }
    crate::require::say(&format!(
        "routes vs amtool: {agree}/{total} label sets agree (receivers and --tree) over {configs} configs ({} that amtool 0.25 refuses skipped)",
        refused.len()
    ));
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    assert!(total >= 300, "the corpus is expected to give a few hundred label sets, got {total}");
    assert!(configs >= 15, "amtool refused too many configs: {refused:?}");
}

fn fixture(name: &str) -> String {
    fixtures().join("routing").join(name).to_str().unwrap().to_owned()
}

#[test]
fn routes_prints_receivers_tree_and_verifies() {
    let p = Project::empty();
    let am = fixture("alertmanager.yml");
    let run = p.run(&["routes", "--config", &am, "severity=critical", "team=frontend", "env=prod"]);
    run.status(0);
    assert_eq!(run.stdout, "web-pager,chat\n");
    let run = p.run(&["routes", "--config", &am, "severity=critical", "team=ops", "env=prod"]);
    assert_eq!(run.stdout, "other-pager,chat\n");
    let run = p.run(&["routes", "--config", &am, "--tree", "severity=critical", "team=db"]);
    run.status(0);
    assert_eq!(
        run.stdout,
        "Matching routes:\n.\n└── default-route\n    └── {severity=\"critical\"}\n        └── {team=~\"db|storage\"}  receiver: db-pager\n\n\ndb-pager\n"
    );
    p.run(&["routes", "--config", &am, "--verify", "db-pager", "severity=critical", "team=db"]).status(0);
    let run = p.run(&["routes", "--config", &am, "--verify", "paging", "severity=critical", "team=db"]);
    run.status(1).stdout_has("db-pager\nWARNING: Expected receivers did not match resolved receivers.");
    let run = p.run(&["routes", "--config", &am, "--at", "2026-11-25T23:30:00Z", "severity=warning", "env=prod"]);
    run.status(0);
    assert_eq!(
        run.stdout,
        "chat\nmuted at 2026-11-25T23:30:00Z: chat (default-route → {env=\"prod\",severity=~\"warning|critical\"})\n"
    );
}

#[test]
fn routes_in_project_mode_use_the_rendered_config() {
    let (_, case) = render_cases().into_iter().find(|(n, _)| n == "full").expect("the `full` render fixture");
    let p = render_case(&case);
    std::fs::remove_dir_all(p.path().join("build")).unwrap();
    p.run(&["routes", "severity=critical"]).status(0).stdout_has("oncall\n");
    p.run(&["routes", "-C", ".", "severity=warning"]).status(0).stdout_has("chat\n");
    assert!(!p.path().join("build").exists(), "routes renders in memory");
}

#[test]
fn routing_test_files_report_expected_and_got() {
    let p = Project::empty();
    let run = p.run(&["routes", "--test", &fixture("routing.yml")]);
    run.status(0).stdout_has("4 routing test cases: 4 passed, 0 failed");
    let run = p.run(&["routes", "--test", &fixture("failing.yml")]);
    run.status(1);
    let golden = std::fs::read_to_string(fixtures().join("routing/failing.out")).unwrap();
    assert_eq!(run.stdout.replace(&fixture(""), "tests/fixtures/routing/"), golden);
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let p = Project::empty();
    let am = fixture("alertmanager.yml");
    p.run(&["routes", "--config", &am, "severity"]).status(2).stderr_has("error: label `severity` is not `name=value`");
    p.run(&["routes", "--config", &am, "severity!=x"]).status(2).stderr_has("labels must be `name=value` pairs");
    p.run(&["routes", "--config", &am, "--at", "yesterday", "a=b"])
        .status(2)
        .stderr_has("error: `--at`: `yesterday` is not a valid instant: expected an RFC 3339 instant");
    p.run(&["routes", "--config", &am, "--verify", "pagng", "a=b"])
        .status(2)
        .stderr_has("error: `--verify`: no receiver `pagng` in the config")
        .stderr_has("did you mean `paging`?");
    p.run(&["routes", "--config", "missing.yml", "a=b"]).status(2).stderr_has("cannot read `missing.yml`");
    p.write("am.yml", "route:\n  receiver: a\n  routes:\n    - matchers: ['x=~\"(\"']\nreceivers: [{name: a}]\n");
    p.run(&["routes", "--config", "am.yml", "a=b"]).status(2).stderr_has("error: am.yml:4:18: bad matcher format");
    for (yaml, message) in [
        (
            "routing_tests:\n  - name: x\n    alerts:\n      - labels: {a: b}\n        recievers: [a]\n",
            "t.yml:5:9: field recievers not found in type routing test alert",
        ),
        (
            "routing_tests:\n  - name: x\n    at: 2026-13-01T00:00:00Z\n    alerts: [{labels: {a: b}}]\n",
            "t.yml:3:9: `2026-13-01T00:00:00Z` is out of range",
        ),
        (
            "routing_tests:\n  - name: x\n    alerts: [{labels: {a: b}, muted: [paging]}]\n",
            "t.yml:3:14: `muted` needs the case's `at`",
        ),
        (
            "routing_tests:\n  - name: x\n    alerts: [{labels: {a: b}, receivers: [pagng]}]\n",
            "t.yml:3:43: no receiver `pagng` in the config",
        ),
        ("routing-tests: []\n", "t.yml:1:1: field routing-tests not found in type routing test file"),
    ] {
        p.write("t.yml", yaml);
        p.run(&["routes", "--config", &am, "--test", "t.yml"]).status(2).stderr_has(message);
    }
}

#[test]
fn init_scaffolds_a_routing_test_that_passes() {
    let p = Project::empty();
    p.run(&["init", "shop"]).status(0);
    let run = monstack(&p.path().join("shop"), &["routes", "--test", "tests/routing.yml"]);
    run.status(0).stdout_has("2 routing test cases: 2 passed, 0 failed");
    // It tests something: a project routing critical alerts elsewhere fails it.
    let spec = p.read("shop/monstack.yaml").replace(
        "    - name: default\n",
        "    - name: default\n    - name: oncall\n      webhook: { url: \"http://pager:8080/\" }\n",
    );
    p.write("shop/monstack.yaml", &spec);
    let spec = p.read("shop/monstack.yaml").replace(
        "  default_receiver: default\n",
        "  default_receiver: default\n  routes:\n    - match: { severity: critical }\n      receiver: oncall\n",
    );
    p.write("shop/monstack.yaml", &spec);
    let run = monstack(&p.path().join("shop"), &["routes", "--test", "tests/routing.yml"]);
    run.status(1).stdout_has("receivers: expected [default], got [oncall]");
}

/// The TZif reader against Python's `zoneinfo` (another reader of the same system files):
/// offsets at instants from 1900 to 2100, past the last transition the files list (2037), where
/// the POSIX rule in their footer takes over.
#[test]
fn time_zone_offsets_agree_with_python_zoneinfo() {
    if !crate::require::tool("python3") {
        return;
    }
    const ZONES: &[&str] = &[
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Chatham",
        "Europe/Dublin",
        "America/St_Johns",
        "Asia/Tehran",
        "Africa/Casablanca",
        "UTC",
    ];
    let mut instants: Vec<i64> = (0..1200).map(|i| -2_208_988_800 + i * 5_259_487).collect();
    // Half-hourly through the weeks around March and October/April switches, in the table's
    // years and in the footer's (2040, 2071).
    for start in [1_774_310_400, 1_792_454_400, 1_775_001_600, 2_215_814_400, 2_234_563_200, 3_193_344_000] {
        instants.extend((0..700).map(|i| start + i * 1800));
    }
    let script = format!(
        "import zoneinfo, datetime\nfor z in {zones:?}:\n    tz = zoneinfo.ZoneInfo(z)\n    print(' '.join(str(int(datetime.datetime.fromtimestamp(t, tz).utcoffset().total_seconds())) for t in {instants:?}))\n",
        zones = ZONES,
        instants = instants
    );
    let out = Command::new("python3").args(["-c", &script]).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let (mut checked, mut differ) = (0, Vec::new());
    for (zone, line) in ZONES.iter().zip(text.lines()) {
        let z = monstack::routing::tz::Zone::load(zone).unwrap();
        for (t, want) in instants.iter().zip(line.split(' ')) {
            checked += 1;
            let got = z.offset_at(*t);
            if got.to_string() != want {
                differ.push(format!("{zone} at {t}: python {want}, monstack {got}"));
            }
        }
    }
    crate::require::say(&format!("time zones vs python zoneinfo: {}/{checked} offsets agree", checked - differ.len()));
    assert_eq!(checked, ZONES.len() * instants.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// `check` refuses the time intervals amtool refuses, and accepts the ones it accepts.
#[test]
fn check_reads_time_intervals_as_amtool_does() {
    if !crate::require::tool("amtool") {
        return;
    }
    let p = Project::empty();
    for (entry, valid) in [
        ("{times: [{start_time: '17:00', end_time: '24:00'}], weekdays: ['Monday:friday']}", true),
        ("{days_of_month: ['-3:-1', '1'], months: ['january:3', 'December'], years: ['2020:2030']}", true),
        ("{location: Europe/Berlin, times: [{start_time: '00:00', end_time: '06:00'}]}", true),
        ("{times: [{start_time: '17:00', end_time: '09:00'}]}", false),
        ("{times: [{start_time: '9:00', end_time: '10:00'}]}", false),
        ("{times: [{start_time: '10:00'}]}", false),
        ("{weekdays: ['funday']}", false),
        ("{weekdays: ['friday:monday']}", false),
        ("{days_of_month: ['0']}", false),
        ("{days_of_month: ['-3:5']}", false),
        ("{days_of_month: ['10:2']}", false),
        ("{months: ['march:january']}", false),
        ("{years: ['2030:2020']}", false),
        ("{location: Nowhere/Atlantis}", false),
        ("{hours: ['1']}", false),
    ] {
        p.write(
            "am.yml",
            &format!("route: {{receiver: a}}\nreceivers: [{{name: a}}]\ntime_intervals:\n  - name: t\n    time_intervals: [{entry}]\n"),
        );
        let amtool = Command::new("amtool").args(["check-config", "am.yml"]).current_dir(p.path()).output().unwrap();
        assert_eq!(amtool.status.success(), valid, "amtool on {entry}");
        let run = p.run(&["check", "am.yml"]);
        assert_eq!(run.status, if valid { 0 } else { 1 }, "monstack check on {entry}:\n{}", run.stdout);
    }
}
