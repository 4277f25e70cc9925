//! What Kubernetes objects carry, checked as what it is: a `ConfigMap`'s dashboards and size, a
//! `Secret`'s `alertmanager.yaml`, at the manifest's line:col where the text is a literal block.

use std::path::Path;

use super::shift_problems;
use crate::check::dashboard::{self, Datasources};
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::{Check, Sink};
use crate::diag::Pos;

/// Size of a ConfigMap over which client-side `kubectl apply` fails: the object is copied into
/// its `last-applied-configuration` annotation, and annotations may hold 256 KiB.
pub const CLIENT_APPLY_LIMIT: usize = 262_144;

/// Largest object etcd stores (1 MiB): a bigger ConfigMap cannot be created at all.
pub const OBJECT_LIMIT: usize = 1_048_576;

/// The size Kubernetes counts for a ConfigMap: its keys and values.
pub(super) fn configmap(file: &Path, lines: &[&str], doc: &Tree, sink: &mut Sink) {
    let mut size = 0;
    for section in ["data", "binaryData"] {
        let Some(SourceNode::Map(entries)) = doc.value.get(section).map(|d| &d.value) else { continue };
        for (k, v) in entries {
            key_ok(k, section, sink);
            let Some(value) = v.value.as_str() else { continue };
            size += k.value.len() + value.len();
            if section == "data" && k.value.ends_with(".json") && value.contains("\"panels\"") {
                embedded(file, lines, v, &value, sink, |f, t, s| {
                    dashboard::check(f, t, &Datasources::default(), s);
                });
            }
        }
    }
    let name = doc.value.get("metadata").map(|m| m.value.text("name")).unwrap_or_default();
    if size > OBJECT_LIMIT {
        sink.error(
            Check::KubeSize,
            Some(pos(doc)),
            format!("ConfigMap `{name}` holds {size} bytes, over Kubernetes' limit of 1 MiB ({OBJECT_LIMIT} bytes)"),
        )
        .help("split it (one dashboard per ConfigMap) or trim the dashboard");
    } else if size > CLIENT_APPLY_LIMIT {
        sink.warning(Check::KubeSize, Some(pos(doc)), format!("ConfigMap `{name}` holds {size} bytes: client-side `kubectl apply` fails over {CLIENT_APPLY_LIMIT} bytes"))
            .help("apply with `kubectl apply --server-side` (its field manager keeps no copy in an annotation)");
    }
}

/// Keys of a ConfigMap's or Secret's data become file names: `[-._a-zA-Z0-9]+`, at most 253.
fn key_ok(k: &crate::check::node::Located<String>, section: &str, sink: &mut Sink) {
    let bad = k.value.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._".contains(*c)));
    let why = if k.value.is_empty() || k.value == "." || k.value == ".." {
        Some("it is not a file name".to_owned())
    } else if k.value.len() > 253 {
        Some(format!("it is {} characters long, at most 253 are allowed", k.value.len()))
    } else {
        bad.map(|c| format!("it holds `{c}`; only letters, digits, `-`, `_` and `.` are allowed"))
    };
    if let Some(why) = why {
        sink.error(Check::KubeName, Some(pos(k)), format!("`{section}` key `{}` is invalid: {why}", k.value));
    }
}

/// A Secret's `alertmanager.yaml` is an Alertmanager config; its `*_file` paths point into the
/// pod, so they are not looked for here.
pub(super) fn secret(file: &Path, lines: &[&str], doc: &Tree, sink: &mut Sink) {
    for section in ["data", "stringData"] {
        if let Some(SourceNode::Map(entries)) = doc.value.get(section).map(|d| &d.value) {
            entries.iter().for_each(|(k, _)| key_ok(k, section, sink));
        }
    }
    if let Some(v) = doc.value.get("stringData").and_then(|d| d.value.get("alertmanager.yaml")) {
        let value = v.value.as_str().unwrap_or_default();
        embedded(file, lines, v, &value, sink, |f, t, s| {
            crate::check::alertmanager::check(f, t, true, s);
        });
    } else if let Some(v) = doc.value.get("data").and_then(|d| d.value.get("alertmanager.yaml")) {
        let encoded = v.value.as_str().unwrap_or_default();
        match base64_decode(&encoded).and_then(|b| String::from_utf8(b).ok()) {
            Some(text) => {
                let mut inner = Sink::new(file);
                crate::check::alertmanager::check(file, &text, true, &mut inner);
                at_value(inner, pos(v), "in the base64 `data` of `alertmanager.yaml`", sink);
            }
            None => {
                sink.error(
                    Check::KubeSchema,
                    Some(pos(v)),
                    "`data.alertmanager.yaml` is not base64-encoded UTF-8 text".to_owned(),
                );
            }
        }
    }
}

/// Checks text held in the scalar `node` with `check`. When it is a literal block (`|`), whose
/// lines are the text's lines indented, the check reads those lines where they are in the file,
/// so its findings are at the file's line:col; otherwise they are reported at the value.
fn embedded(
    file: &Path,
    lines: &[&str],
    node: &Tree,
    value: &str,
    sink: &mut Sink,
    check: impl Fn(&Path, &str, &mut Sink),
) {
    let mut inner = Sink::new(file);
    match in_place(lines, node, value) {
        Some((before, text)) => {
            check(file, &text, &mut inner);
            shift_problems(inner.problems, before, sink);
        }
        None => {
            check(file, value, &mut inner);
            at_value(inner, pos(node), "in this value", sink);
        }
    }
}

fn at_value(inner: Sink, at: Pos, whence: &str, sink: &mut Sink) {
    for mut p in inner.problems {
        if let Some(inner_at) = p.pos.take() {
            p.message = format!("{} (line {} {whence})", p.message, inner_at.line);
        }
        p.pos = Some(at);
        sink.problems.push(p);
    }
}

/// The text of a literal block scalar as the lines of the file it is (still indented: YAML and
/// JSON read it so, and columns stay the file's), with the number of lines before them.
fn in_place(lines: &[&str], node: &Tree, value: &str) -> Option<(u64, String)> {
    let line = usize::try_from(node.at.line).ok()?.checked_sub(1)?;
    let col = usize::try_from(node.at.column).ok()?.checked_sub(1)?;
    let literal = |l: &str| ["|", "|-", "|+"].iter().any(|i| l.trim_end().ends_with(&format!(" {i}")));
    // The parser places a block scalar at its indicator or at its first line of content.
    let first = if lines.get(line)?.get(col..)?.starts_with('|') && literal(lines[line]) {
        line + 1
    } else if line > 0 && literal(lines[line - 1]) {
        line
    } else {
        return None;
    };
    let body: Vec<&str> =
        lines[first..].iter().copied().take_while(|l| l.trim().is_empty() || l.starts_with(' ')).collect();
    let indent = body.iter().find(|l| !l.trim().is_empty())?.chars().take_while(|&c| c == ' ').count();
    let mut used = body.len();
    while used > 0 && body[used - 1].trim().is_empty() {
        used -= 1;
    }
    let body = &body[..used];
    if body.iter().any(|l| !l.trim().is_empty() && l.chars().take_while(|&c| c == ' ').count() < indent) {
        return None;
    }
    let dedented: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
    if dedented.join("\n").trim_end_matches('\n') != value.trim_end_matches('\n') {
        return None;
    }
    Some((first as u64, body.join("\n")))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
