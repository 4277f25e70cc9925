//! Field tables and scalar types, with the semantics of the YAML decoder Prometheus uses
//! (`yaml.v2`, strict): unknown fields are errors, scalars convert to strings, `null` is the zero
//! value, and a wrong shape is an "unmarshal error".

use std::path::Path;

use super::Ctx;
use crate::check::httpconfig;
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::Check;
use crate::syntax::Duration;

/// The type a field holds, as far as its own check goes; structures are checked by their owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    /// Any scalar, read as text.
    Str,
    /// `true`/`false` (and YAML 1.1's `yes`/`no`/`on`/`off`).
    Bool,
    /// A signed integer.
    Int,
    /// A non-negative integer.
    UInt,
    /// A number.
    Float,
    /// A Prometheus duration (`model.Duration`).
    Dur,
    /// A size in bytes with units (`units.Base2Bytes`).
    Size,
    /// A list of scalars.
    Strs,
    /// A mapping of scalars.
    StrMap,
    /// Checked by the owner.
    Any,
}

/// A field table: name and type of each known field.
pub(super) type Fields = &'static [(&'static str, Ty)];

impl Ctx<'_> {
    /// Checks that `at` is a mapping whose keys are all known (in `tables`, or HTTP client fields
    /// when `http` is set) and whose scalar values have their field's type. False when `at` is
    /// null or not a mapping, so the caller has nothing to look into.
    pub(super) fn fields(&mut self, at: &Tree, tables: &[Fields], http: bool, type_name: &str) -> bool {
        let entries = match &at.value {
            SourceNode::Map(entries) => entries,
            SourceNode::Null => return false,
            other => {
                self.err(
                    Check::PrometheusField,
                    Some(pos(at)),
                    format!("unmarshal errors: cannot unmarshal {} into {type_name}", tag(other)),
                );
                return false;
            }
        };
        for (key, value) in entries {
            let ty = tables.iter().flat_map(|t| t.iter()).find(|(name, _)| *name == key.value).map(|(_, ty)| *ty);
            match ty {
                Some(ty) => self.typed(value, ty, &key.value),
                None if http && httpconfig::FIELDS.contains(&key.value.as_str()) => {}
                None => {
                    let known = tables.iter().flat_map(|t| t.iter()).map(|(n, _)| *n);
                    let p = self.err(
                        Check::PrometheusField,
                        Some(pos(key)),
                        format!("field {} not found in type {type_name}", key.value),
                    );
                    if let Some(best) = crate::diag::nearest(&key.value, known) {
                        p.help(format!("did you mean `{best}`?"));
                    }
                }
            }
        }
        true
    }

    fn typed(&mut self, value: &Tree, ty: Ty, field: &str) {
        let n = &value.value;
        let bad = match (ty, n) {
            (_, SourceNode::Null) | (Ty::Any, _) => None,
            (Ty::Str | Ty::Dur | Ty::Size, SourceNode::Seq(_) | SourceNode::Map(_)) => Some("string"),
            (Ty::Bool, SourceNode::Bool(_)) => None,
            (Ty::Bool, SourceNode::Str(s)) if yaml11_bool(s).is_some() => None,
            (Ty::Bool, _) => Some("bool"),
            (Ty::Int, SourceNode::Number(x)) if x.fract() == 0.0 => None,
            (Ty::UInt, SourceNode::Number(x)) if x.fract() == 0.0 && *x >= 0.0 => None,
            (Ty::Int, _) => Some("int"),
            (Ty::UInt, _) => Some("uint"),
            (Ty::Float, SourceNode::Number(_)) => None,
            (Ty::Float, _) => Some("float64"),
            (Ty::Strs, SourceNode::Seq(items)) => {
                items.iter().any(|i| matches!(i.value, SourceNode::Seq(_) | SourceNode::Map(_))).then_some("[]string")
            }
            (Ty::Strs, _) => Some("[]string"),
            (Ty::StrMap, SourceNode::Map(entries)) => entries
                .iter()
                .any(|(_, v)| matches!(v.value, SourceNode::Seq(_) | SourceNode::Map(_)))
                .then_some("map[string]string"),
            (Ty::StrMap, _) => Some("map[string]string"),
            (Ty::Str | Ty::Dur | Ty::Size, _) => None,
        };
        if let Some(into) = bad {
            self.err(
                Check::PrometheusField,
                Some(pos(value)),
                format!("unmarshal errors: cannot unmarshal {} into {into} (field `{field}`)", tag(n)),
            );
            return;
        }
        let Some(text) = n.as_str() else { return };
        match ty {
            Ty::Dur if text.parse::<Duration>().is_err() => {
                self.err(Check::PrometheusField, Some(pos(value)), format!("not a valid duration string: {text:?}"))
                    .help("a Prometheus duration such as `30s`, `5m` or `1h30m` (units y, w, d, h, m, s, ms)");
            }
            Ty::Size => {
                if let Err(e) = base2_bytes(&text) {
                    self.err(Check::PrometheusField, Some(pos(value)), e)
                        .help("a size with a unit such as `10MB` or `1GiB`");
                }
            }
            _ => {}
        }
    }

    /// Reports a referenced file that does not exist (unless `--syntax-only`), relative paths
    /// resolving from the config's folder.
    pub(super) fn file_exists(&mut self, at: Option<&Tree>, what: &str) {
        let Some(at) = at else { return };
        let Some(path) = at.value.as_str().filter(|p| !p.is_empty()) else { return };
        if !self.syntax_only && !self.dir.join(Path::new(&path)).exists() {
            self.err(Check::PrometheusFile, Some(pos(at)), format!("{what} {path:?} does not exist"))
                .help("paths are relative to the config's folder; `--syntax-only` skips this check");
        }
    }
}

/// The YAML tag of a node, as the decoder names it in its errors.
fn tag(n: &SourceNode) -> &'static str {
    match n {
        SourceNode::Null => "!!null",
        SourceNode::Bool(_) => "!!bool",
        SourceNode::Number(x) if x.fract() == 0.0 => "!!int",
        SourceNode::Number(_) => "!!float",
        SourceNode::Str(_) => "!!str",
        SourceNode::Seq(_) => "!!seq",
        SourceNode::Map(_) => "!!map",
    }
}

/// YAML 1.1 booleans, which `yaml.v2` still reads.
pub(super) fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Parses a size as `units.ParseBase2Bytes` does (`15MB`, `1GiB`, `-1GB`), with its messages.
pub(super) fn base2_bytes(orig: &str) -> Result<f64, String> {
    const UNITS: [&str; 7] = ["", "K", "M", "G", "T", "P", "E"];
    let invalid = || format!("units: invalid {orig}");
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0.0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total = 0.0;
    while !s.is_empty() {
        let num_len = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let number = &s[..num_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        s = &s[num_len..];
        let unit_len = s.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale = UNITS
            .iter()
            .enumerate()
            .find(|(_, p)| unit == format!("{p}B") || (!p.is_empty() && unit == format!("{p}iB")))
            .map(|(i, _)| 1024f64.powi(i as i32))
            .ok_or_else(|| format!("units: unknown unit {unit} in {orig}"))?;
        total += value * scale;
    }
    Ok(if neg { -total } else { total })
}

/// The items of a list node (nothing for null or a non-list, which [`Ctx::fields`] reports).
pub(super) fn list(at: Option<&Tree>) -> &[Tree] {
    at.map_or(&[], |a| a.value.as_seq())
}

/// The number in field `key`, if it holds one.
pub(super) fn number(n: &SourceNode, key: &str) -> Option<f64> {
    match n.get(key).map(|v| &v.value) {
        Some(SourceNode::Number(x)) => Some(*x),
        _ => None,
    }
}

/// The duration in field `key`, in milliseconds, if it holds a valid one.
pub(super) fn millis(n: &SourceNode, key: &str) -> Option<u64> {
    n.get(key)?.value.as_str()?.parse::<Duration>().ok().map(|d| d.millis())
}

/// The boolean in field `key`, if it holds one.
pub(super) fn boolean(n: &SourceNode, key: &str) -> Option<bool> {
    match &n.get(key)?.value {
        SourceNode::Bool(b) => Some(*b),
        SourceNode::Str(s) => yaml11_bool(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_units_parses_them() {
        assert_eq!(base2_bytes("15MB"), Ok(15.0 * 1024.0 * 1024.0));
        assert_eq!(base2_bytes("1KiB"), Ok(1024.0));
        assert_eq!(base2_bytes("-1GB"), Ok(-1024f64.powi(3)));
        assert_eq!(base2_bytes("0"), Ok(0.0));
        assert_eq!(base2_bytes("100"), Err("units: unknown unit  in 100".to_owned()));
        assert_eq!(base2_bytes("1XB"), Err("units: unknown unit XB in 1XB".to_owned()));
        assert!(base2_bytes("MB").is_err());
    }
}
