//! Alertmanager's notification data model (`template.Data` in `template/template.go`,
//! prometheus/alertmanager v0.28.1) as template values: `KV` (a label map with `SortedPairs`,
//! `Names`, `Values`, `Remove`), `Pairs`, `Pair`, and alert lists with `Firing`/`Resolved`.
//! The caller builds `Data` and each `Alert` as [`Struct`]s of these.

use std::rc::Rc;

use super::super::value::{Object, Value};

pub use super::super::value::Struct;

/// `template.KV`: label names and values (any order; printed and ranged sorted, `alertname` first).
pub struct Kv(pub Vec<(String, String)>);

/// `template.Pair`.
pub struct Pair(pub String, pub String);

/// `template.Pairs`.
pub struct Pairs(pub Vec<(String, String)>);

/// `template.Alerts`: the alerts, and whether each is firing.
pub struct Alerts(pub Vec<Value>, pub Vec<bool>);

fn strings(v: impl Iterator<Item = String>) -> Value {
    Value::from(v.map(Value::from).collect::<Vec<_>>())
}

impl Kv {
    /// A `KV` as a template value.
    pub fn value<'k>(pairs: impl IntoIterator<Item = (&'k str, &'k str)>) -> Value {
        Value::Object(Rc::new(Kv(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())))
    }

    fn sorted(&self) -> Vec<(String, String)> {
        let mut pairs = self.0.clone();
        // alertname first, then by name: `KV.SortedPairs`.
        pairs.sort_by(|a, b| (a.0 != "alertname", &a.0).cmp(&(b.0 != "alertname", &b.0)));
        pairs
    }
}

impl Object for Kv {
    fn type_name(&self) -> &str {
        "template.KV"
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match name {
            "SortedPairs" => Value::Object(Rc::new(Pairs(self.sorted()))),
            "Names" => strings(self.sorted().into_iter().map(|p| p.0)),
            "Values" => strings(self.sorted().into_iter().map(|p| p.1)),
            "Remove" => {
                let Some(Value::List(keys)) = args.first() else {
                    return Some(Err("Remove needs a []string".into()));
                };
                let drop: Vec<String> = keys.iter().map(Value::print).collect();
                let kept = self.0.iter().filter(|(k, _)| !drop.contains(k)).cloned().collect();
                Value::Object(Rc::new(Kv(kept)))
            }
            key => Value::from(self.0.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())),
        }))
    }
    fn print(&self) -> String {
        self.sorted().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    }
    fn entries(&self) -> Option<Vec<(Value, Value)>> {
        Some(self.sorted().into_iter().map(|(k, v)| (Value::from(k), Value::from(v))).collect())
    }
}

impl Object for Pair {
    fn type_name(&self) -> &str {
        "template.Pair"
    }
    fn call(&self, name: &str, _: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Name" => Some(Ok(Value::from(self.0.as_str()))),
            "Value" => Some(Ok(Value::from(self.1.as_str()))),
            _ => None,
        }
    }
    fn print(&self) -> String {
        format!("{{{} {}}}", self.0, self.1)
    }
}

impl Object for Pairs {
    fn type_name(&self) -> &str {
        "template.Pairs"
    }
    fn call(&self, name: &str, _: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Names" => Some(Ok(strings(self.0.iter().map(|p| p.0.clone())))),
            "Values" => Some(Ok(strings(self.0.iter().map(|p| p.1.clone())))),
            _ => None,
        }
    }
    fn print(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    }
    fn entries(&self) -> Option<Vec<(Value, Value)>> {
        let pairs = self.0.iter().map(|(k, v)| Value::Object(Rc::new(Pair(k.clone(), v.clone()))));
        Some(pairs.enumerate().map(|(i, p)| (Value::Int(i as i64), p)).collect())
    }
}

impl Object for Alerts {
    fn type_name(&self) -> &str {
        "template.Alerts"
    }
    fn call(&self, name: &str, _: &[Value]) -> Option<Result<Value, String>> {
        let pick = |firing: bool| {
            let items = self.0.iter().zip(&self.1).filter(|(_, f)| **f == firing).map(|(a, _)| a.clone());
            Value::from(items.collect::<Vec<_>>())
        };
        match name {
            "Firing" => Some(Ok(pick(true))),
            "Resolved" => Some(Ok(pick(false))),
            _ => None,
        }
    }
    fn print(&self) -> String {
        format!("{:?}", self.0)
    }
    fn entries(&self) -> Option<Vec<(Value, Value)>> {
        Some(self.0.iter().enumerate().map(|(i, a)| (Value::Int(i as i64), a.clone())).collect())
    }
}
