//! A YAML document as a tree in which every key and value knows its `line:col`, so checks can
//! report any field where it is, and say "field x not found" as the upstream tools do.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::Pos;

/// A node with its position.
pub type At = Spanned<Node>;

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or float, kept as written in Rust's form.
    Number(f64),
    /// A string scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<At>),
    /// A mapping, keys in file order.
    Map(Vec<(Spanned<String>, At)>),
}

/// Position of a spanned value (1-based); unknown positions become 1:1.
pub fn pos<T>(s: &Spanned<T>) -> Pos {
    if s.referenced.line() == 0 {
        Pos { line: 1, column: 1 }
    } else {
        Pos::from_location(&s.referenced)
    }
}

impl Node {
    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&At> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, if this is a scalar (numbers and booleans as written back).
    pub fn as_str(&self) -> Option<String> {
        match self {
            Node::Str(s) => Some(s.clone()),
            Node::Number(n) => Some(n.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A short name of the kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<At>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyString>>()? {
            let value: At = map.next_value()?;
            entries.push((Spanned::new(key.value.0, key.referenced, key.defined), value));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A mapping key read as text whatever its YAML type (`1:` and `true:` are keys too).
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyString, D::Error> {
        match Node::deserialize(d)? {
            Node::Null => Ok(KeyString(String::new())),
            other => Ok(KeyString(other.as_str().unwrap_or_default())),
        }
    }
}

/// Parses a YAML document into a tree; an empty document is `Null`.
pub fn parse(text: &str) -> Result<At, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: crate::spec::MAX_YAML_NODES,
            max_events: 4 * crate::spec::MAX_YAML_NODES,
        },
        // Keys repeated in one mapping are errors in Prometheus' and Alertmanager's parsers too.
    };
    let doc: Option<At> = serde_saphyr::from_str_with_options(text, options)?;
    Ok(doc.unwrap_or_else(|| crate::spec::unplaced(Node::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_values() {
        let doc = parse("a: 1\nb:\n  - x\n  - {c: d}\n").unwrap();
        let Node::Map(entries) = &doc.value else { panic!() };
        assert_eq!(pos(&entries[1].0), Pos { line: 2, column: 1 });
        let Node::Seq(items) = &entries[1].1.value else { panic!() };
        assert_eq!(pos(&items[1]), Pos { line: 4, column: 5 });
        assert_eq!(items[1].value.get("c").unwrap().value, Node::Str("d".into()));
        assert_eq!(parse("").unwrap().value, Node::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Node::Null);
    }

    #[test]
    fn merge_keys_and_anchors() {
        let doc = parse("a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n").unwrap();
        let b = &doc.value.get("b").unwrap().value;
        assert_eq!(b.get("k").unwrap().value, Node::Number(1.0));
    }
}
