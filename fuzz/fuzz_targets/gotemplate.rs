//! Any text, parsed as a Go template with Prometheus' functions and variables, then expanded on
//! an alert's data as Prometheus expands annotations: output, Go's parse error or an execution
//! error, never a panic or a hang.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use monstack::gotemplate::prometheus::{self, AlertData, Context, QuerySample};
use monstack::gotemplate::{self, funcs, Options};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let opts = Options { funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], vars: &["$labels", "$value"], ..Options::default() };
        let _ = gotemplate::parse("fuzz", text, &opts);
        let labels: BTreeMap<String, String> = [("job".to_owned(), "node".to_owned())].into();
        let query = |_: &str| Ok(vec![QuerySample { labels: labels.clone(), value: 1.5 }]);
        let f = prometheus::funcs(&Context { external_url: "http://p/".into(), now: 0.0, query: Some(&query) });
        let data = AlertData { labels: &labels, external_labels: &labels, external_url: "http://p/", value: 2.0 };
        let _ = prometheus::expand("A", text, &data, &f);
    }
});
