//! Relabel configs (`prometheus/relabel`), as `relabel.Config`'s decoding and `Validate` check
//! them: known actions, the fields each action needs or forbids, regexes that compile (RE2,
//! anchored), and valid target labels for the config's name validation scheme.

use super::fields::{list, number, Fields, Ty};
use super::Ctx;
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::Check;
use crate::syntax::names::{label_name_ok, NameValidation};

const FIELDS: Fields = &[
    ("source_labels", Ty::Strs),
    ("separator", Ty::Str),
    ("regex", Ty::Str),
    ("modulus", Ty::UInt),
    ("target_label", Ty::Str),
    ("replacement", Ty::Str),
    ("action", Ty::Str),
];

const ACTIONS: [&str; 11] = [
    "replace",
    "keep",
    "drop",
    "keepequal",
    "dropequal",
    "hashmod",
    "labelmap",
    "labeldrop",
    "labelkeep",
    "lowercase",
    "uppercase",
];

/// A field's value after decoding: absent keeps the default, `null` is the zero value.
fn value(n: &SourceNode, key: &str, default: &str) -> String {
    match n.get(key) {
        None => default.to_owned(),
        Some(v) => v.value.as_str().unwrap_or_default(),
    }
}

/// Checks the relabel configs listed at `at`; a null entry is reported as `null_message`, the
/// owner's own words for it.
pub(super) fn check_list(at: Option<&Tree>, null_message: &str, names: NameValidation, cx: &mut Ctx<'_>) {
    for r in list(at) {
        if matches!(r.value, SourceNode::Null) {
            cx.err(Check::PrometheusRelabel, Some(pos(r)), null_message);
        } else {
            check(r, names, cx);
        }
    }
}

/// Checks one relabel config.
pub(super) fn check(at: &Tree, names: NameValidation, cx: &mut Ctx<'_>) {
    if !cx.fields(at, &[FIELDS], false, "relabel.plain") {
        return;
    }
    let n = &at.value;
    let here = n.get("action").map_or(pos(at), pos);
    let raw = value(n, "action", "replace");
    let action = raw.to_lowercase();
    if n.get("action").is_some_and(|a| matches!(a.value, SourceNode::Null)) {
        cx.err(Check::PrometheusRelabel, Some(here), "relabel action cannot be empty")
            .help(format!("one of {}", ACTIONS.join(", ")));
        return;
    }
    if !ACTIONS.contains(&action.as_str()) {
        cx.err(Check::PrometheusRelabel, Some(here), format!("unknown relabel action {raw:?}"))
            .help(format!("one of {}", ACTIONS.join(", ")));
        return;
    }
    for l in list(n.get("source_labels")) {
        let name = l.value.as_str().unwrap_or_default();
        if name.is_empty() {
            cx.err(Check::PrometheusRelabel, Some(pos(l)), format!("{name:?} is not a valid label name"));
        }
    }
    if let Some(r) = n.get("regex") {
        if let Err(e) = crate::syntax::regex::compile(&r.value.as_str().unwrap_or_default()) {
            cx.err(Check::PrometheusRelabel, Some(pos(r)), format!("error parsing regexp: {e}"));
        }
    }
    let target = value(n, "target_label", "");
    let replacement = value(n, "replacement", "$1");
    let modulus = number(n, "modulus").unwrap_or(0.0);
    let err = |cx: &mut Ctx<'_>, message: String| {
        cx.err(Check::PrometheusRelabel, Some(here), message);
    };
    if action == "hashmod" && modulus == 0.0 {
        err(cx, "relabel configuration for hashmod requires non-zero modulus".to_owned());
    }
    let needs_target = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"];
    if needs_target.contains(&action.as_str()) && target.is_empty() {
        err(cx, format!("relabel configuration for {action} action requires 'target_label' value"));
    } else if (action == "replace" && !label_with_vars_ok(&target, names))
        || (["lowercase", "uppercase", "keepequal", "dropequal"].contains(&action.as_str())
            && !target.is_empty()
            && !label_name_ok(&target, names))
    {
        err(cx, format!("{target:?} is invalid 'target_label' for {action} action"));
    }
    if (action == "lowercase" || action == "uppercase") && replacement != "$1" {
        err(cx, format!("'replacement' can not be set for {action} action"));
    }
    if action == "labelmap" && !label_with_vars_ok(&replacement, names) {
        err(cx, format!("{replacement:?} is invalid 'replacement' for {action} action"));
    }
    let regex_default =
        value(n, "regex", "(.*)") == "(.*)" && !n.get("regex").is_some_and(|r| r.value == SourceNode::Null);
    let others_default = modulus == 0.0 && value(n, "separator", ";") == ";" && replacement == "$1";
    if (action == "keepequal" || action == "dropequal") && !(regex_default && others_default) {
        err(cx, format!("{action} action requires only 'source_labels' and `target_label`, and no other fields"));
    }
    let has_sources = n.get("source_labels").is_some_and(|s| s.value != SourceNode::Null);
    if (action == "labeldrop" || action == "labelkeep") && (has_sources || !target.is_empty() || !others_default) {
        err(cx, format!("{action} action requires only 'regex', and no other fields"));
    }
}

/// A label name that may hold `$1`/`${name}` references to regex groups.
fn label_with_vars_ok(name: &str, names: NameValidation) -> bool {
    if names == NameValidation::Utf8 {
        return !name.is_empty();
    }
    if !name.contains('$') {
        return label_name_ok(name, names);
    }
    // Each reference stands for some valid name part; what is around them must be one too.
    let mut plain = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            plain.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
            if inner.is_empty() || !inner.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return false;
            }
        } else {
            let mut any = false;
            while chars.peek().is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                chars.next();
                any = true;
            }
            if !any {
                return false;
            }
        }
        plain.push('_');
    }
    label_name_ok(&plain, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_labels_with_group_references() {
        assert!(label_with_vars_ok("${1}", NameValidation::Legacy));
        assert!(label_with_vars_ok("foo_${1}_bar", NameValidation::Legacy));
        assert!(!label_with_vars_ok("foo-${1}", NameValidation::Legacy));
        assert!(label_with_vars_ok("foo-${1}", NameValidation::Utf8));
        assert!(!label_with_vars_ok("", NameValidation::Utf8));
    }
}
