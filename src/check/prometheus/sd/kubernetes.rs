//! Kubernetes service discovery: its role, how it reaches the API server, and its selectors.

use std::collections::BTreeSet;

use super::super::fields::{boolean, list, Ty};
use super::kinds::{kind, Kind};
use super::Sd;
use crate::check::httpconfig;
use crate::check::node::pos;
use crate::check::Check;

const B: Ty = Ty::Bool;
const L: Ty = Ty::Strs;
const S: Ty = Ty::Str;

pub(super) const KUBERNETES: Kind = kind(
    "kubernetes_sd_configs",
    "kubernetes.plain",
    &[
        ("api_server", S),
        ("role", S),
        ("kubeconfig_file", S),
        ("namespaces", Ty::Any),
        ("selectors", Ty::Any),
        ("attach_metadata", Ty::Any),
    ],
    true,
    check,
);

/// Checks one `kubernetes_sd_configs` entry.
fn check(sd: &mut Sd<'_, '_>) {
    let (at, cx) = (sd.at, &mut *sd.cx);
    let n = &at.value;
    let here = Some(pos(at));
    let role = n.text("role");
    let allowed: &[&str] = match role.as_str() {
        "pod" => &["pod", "node"],
        "service" => &["service"],
        "endpointslice" => &["pod", "service", "endpointslice"],
        "endpoints" => &["pod", "service", "endpoints"],
        "node" => &["node"],
        "ingress" => &["ingress"],
        "" => {
            cx.err(
                Check::PrometheusSd,
                here,
                "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)",
            );
            &[]
        }
        other => {
            cx.err(Check::PrometheusSd, n.get("role").map(pos), format!("unknown Kubernetes SD role {other:?}"))
                .help("one of pod, service, endpoints, endpointslice, node, ingress");
            &[]
        }
    };
    let api = n.is_set("api_server");
    let kubeconfig = n.is_set("kubeconfig_file");
    let custom_http = httpconfig::customised(n);
    let own = n.get("namespaces").and_then(|ns| boolean(&ns.value, "own_namespace")).unwrap_or(false);
    let rules = [
        (api && kubeconfig, "cannot use 'kubeconfig_file' and 'api_server' simultaneously"),
        (kubeconfig && custom_http, "cannot use a custom HTTP client configuration together with 'kubeconfig_file'"),
        (
            !api && !kubeconfig && custom_http,
            "to use custom HTTP client configuration please provide the 'api_server' URL explicitly",
        ),
        (api && own, "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously"),
        (kubeconfig && own, "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously"),
    ];
    for (broken, message) in rules {
        if broken {
            cx.err(Check::PrometheusSd, here, message);
        }
    }
    if let Some(ns) = n.get("namespaces") {
        cx.fields(ns, &[&[("own_namespace", B), ("names", L)]], false, "kubernetes.plain");
    }
    if let Some(am) = n.get("attach_metadata") {
        cx.fields(am, &[&[("node", B), ("namespace", B)]], false, "kubernetes.AttachMetadataConfig");
    }
    let mut seen = BTreeSet::new();
    for sel in list(n.get("selectors")) {
        if !cx.fields(sel, &[&[("role", S), ("label", S), ("field", S)]], false, "kubernetes.SelectorConfig") {
            continue;
        }
        let s = &sel.value;
        let sel_role = s.text("role");
        if !seen.insert(sel_role.clone()) {
            cx.err(Check::PrometheusSd, Some(pos(sel)), format!("duplicated selector role: {sel_role}"));
        } else if !allowed.is_empty() && !allowed.contains(&sel_role.as_str()) {
            cx.err(
                Check::PrometheusSd,
                Some(pos(sel)),
                format!("{role} role supports only {} selectors", allowed.join(", ")),
            );
        }
        let field = s.text("field");
        if let Some(term) = field.split(',').find(|t| !t.trim().is_empty() && !t.contains('=')) {
            cx.err(
                Check::PrometheusSd,
                s.get("field").map(pos),
                format!("invalid selector: '{field}'; can't understand '{term}'"),
            );
        }
        if let Err(e) = label_selector(&s.text("label")) {
            cx.err(Check::PrometheusSd, s.get("label").map(pos), e);
        }
    }
}

/// Parses a Kubernetes label selector (`a=b,c!=d,e in (f,g),!h`) just enough to reject nonsense.
fn label_selector(sel: &str) -> Result<(), String> {
    let mut depth = 0;
    let mut terms = vec![String::new()];
    for c in sel.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(String::new());
                continue;
            }
            _ => {}
        }
        terms.last_mut().expect("never empty").push(c);
    }
    if depth != 0 {
        return Err(format!("unable to parse requirement: unbalanced parentheses in {sel:?}"));
    }
    let key_ok = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    for term in terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let ok = if let Some(k) = term.strip_prefix('!') {
            key_ok(k.trim())
        } else if let Some((k, _)) =
            term.split_once("!=").or_else(|| term.split_once("==")).or_else(|| term.split_once('='))
        {
            key_ok(k.trim())
        } else if let Some((k, rest)) = term.split_once(" in ").or_else(|| term.split_once(" notin ")) {
            key_ok(k.trim()) && rest.trim().starts_with('(') && rest.trim().ends_with(')')
        } else {
            key_ok(term)
        };
        if !ok {
            return Err(format!("unable to parse requirement: {term:?} in label selector {sel:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors() {
        assert!(label_selector("foo=bar").is_ok());
        assert!(label_selector("foo in (bar,baz)").is_ok());
        assert!(label_selector("").is_ok());
        assert!(label_selector("!foo,bar!=x").is_ok());
        assert!(label_selector("foo in (bar").is_err());
        assert!(label_selector("a b c").is_err());
    }
}
