//! A YAML document as a tree in which every key and value knows its `line:col`, so checks can
//! report any field where it is, and say "field x not found" as the upstream tools do.
//!
//! Plainly written documents are built straight from the parser's events (fast, and small: a
//! position is two numbers); anything that needs YAML's finer rules (anchors, aliases, merge
//! keys, tags, scalars that are not obviously a string, a number, a boolean or null, repeated
//! keys, errors) goes through serde-saphyr, which owns those rules and their messages.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::Pos;

/// A value with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its position; line 0 when unknown.
    pub at: Pos,
}

/// A node of a checked file with its position: the tree (or subtree) the checks walk.
pub type Tree = Located<SourceNode>;

/// A YAML (or JSON) value as read from a checked file, its children with their positions; named
/// apart from what `render` builds to write YAML.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceNode {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or float, kept as written in Rust's form.
    Number(f64),
    /// A string scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<Tree>),
    /// A mapping, keys in file order.
    Map(Vec<(Located<String>, Tree)>),
}

/// Position of a located value (1-based); unknown positions become 1:1.
pub fn pos<T>(s: &Located<T>) -> Pos {
    if s.at.line == 0 {
        Pos { line: 1, column: 1 }
    } else {
        s.at
    }
}

/// A value with no position (reported at 1:1).
pub fn unplaced<T>(value: T) -> Located<T> {
    Located { value, at: Pos { line: 0, column: 0 } }
}

impl SourceNode {
    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            SourceNode::Map(entries) => entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The items of a sequence; nothing for anything else.
    pub fn as_seq(&self) -> &[Tree] {
        match self {
            SourceNode::Seq(items) => items,
            _ => &[],
        }
    }

    /// The items of the sequence at entry `key` of a mapping; nothing when absent or not a list.
    pub fn items(&self, key: &str) -> &[Tree] {
        self.get(key).map_or(&[], |v| v.value.as_seq())
    }

    /// The text of entry `key` of a mapping: empty when absent, null or not a scalar.
    pub fn text(&self, key: &str) -> String {
        self.get(key).and_then(|v| v.value.as_str()).unwrap_or_default()
    }

    /// Whether entry `key` of a mapping is present with a value (not null, not an empty string).
    pub fn is_set(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| match &v.value {
            SourceNode::Null => false,
            SourceNode::Str(s) => !s.is_empty(),
            _ => true,
        })
    }

    /// The string value, if this is a scalar (numbers and booleans as written back).
    pub fn as_str(&self) -> Option<String> {
        match self {
            SourceNode::Str(s) => Some(s.clone()),
            SourceNode::Number(n) => Some(n.to_string()),
            SourceNode::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A short name of the kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceNode::Null => "null",
            SourceNode::Bool(_) => "a boolean",
            SourceNode::Number(_) => "a number",
            SourceNode::Str(_) => "a string",
            SourceNode::Seq(_) => "a list",
            SourceNode::Map(_) => "a mapping",
        }
    }
}

/// The serde-saphyr form of the tree, for the documents the fast path leaves to it.
#[derive(Debug)]
enum SNode {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Seq(Vec<Spanned<SNode>>),
    Map(Vec<(Spanned<String>, Spanned<SNode>)>),
}

fn located_pos<T>(s: &Spanned<T>) -> Pos {
    if s.referenced.line() == 0 {
        Pos { line: 0, column: 0 }
    } else {
        Pos::from_location(&s.referenced)
    }
}

fn convert(s: Spanned<SNode>) -> Tree {
    let at = located_pos(&s);
    let value = match s.value {
        SNode::Null => SourceNode::Null,
        SNode::Bool(b) => SourceNode::Bool(b),
        SNode::Number(n) => SourceNode::Number(n),
        SNode::Str(t) => SourceNode::Str(t),
        SNode::Seq(items) => SourceNode::Seq(items.into_iter().map(convert).collect()),
        SNode::Map(entries) => SourceNode::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let kat = located_pos(&k);
                    (Located { value: k.value, at: kat }, convert(v))
                })
                .collect(),
        ),
    };
    Located { value, at }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = SNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<SNode, E> {
        Ok(SNode::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<SNode, E> {
        Ok(SNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<SNode, D::Error> {
        SNode::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<SNode, E> {
        Ok(SNode::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SNode, E> {
        Ok(SNode::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SNode, E> {
        Ok(SNode::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SNode, E> {
        Ok(SNode::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SNode, E> {
        Ok(SNode::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SNode, E> {
        Ok(SNode::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<SNode>>()? {
            items.push(item);
        }
        Ok(SNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyString>>()? {
            let value: Spanned<SNode> = map.next_value()?;
            entries.push((Spanned::new(key.value.0, key.referenced, key.defined), value));
        }
        Ok(SNode::Map(entries))
    }
}

impl<'de> Deserialize<'de> for SNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SNode, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A mapping key read as text whatever its YAML type (`1:` and `true:` are keys too).
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyString, D::Error> {
        match SNode::deserialize(d)? {
            SNode::Null => Ok(KeyString(String::new())),
            SNode::Str(s) => Ok(KeyString(s)),
            SNode::Number(n) => Ok(KeyString(n.to_string())),
            SNode::Bool(b) => Ok(KeyString(b.to_string())),
            _ => Ok(KeyString(String::new())),
        }
    }
}

/// Parses a YAML document into a tree; an empty document is `Null`.
pub fn parse(text: &str) -> Result<Tree, serde_saphyr::Error> {
    match fast::parse(text) {
        Some(doc) => Ok(doc),
        None => slow(text),
    }
}

/// Parses a checked file; a parse error becomes one `yaml/syntax` finding, worded by `report`
/// (each kind of file words some errors as its upstream tool does).
pub fn parse_checked(
    file: &std::path::Path,
    text: &str,
    sink: &mut crate::check::Sink,
    report: fn(&std::path::Path, &str, &serde_saphyr::Error, &mut crate::check::Sink),
) -> Option<Tree> {
    parse(text).map_err(|err| report(file, text, &err, sink)).ok()
}

/// The plain wording of a YAML error: serde-saphyr's.
pub fn yaml_syntax(file: &std::path::Path, text: &str, err: &serde_saphyr::Error, sink: &mut crate::check::Sink) {
    let d = crate::syntax::yaml::error(file, text, err);
    sink.error(crate::check::Check::YamlSyntax, d.pos, d.message);
}

/// The serde-saphyr path: all of YAML, and its error messages.
fn slow(text: &str) -> Result<Tree, serde_saphyr::Error> {
    // Keys repeated in one mapping are errors (serde-saphyr's default), as in Prometheus' and
    // Alertmanager's parsers.
    let doc: Option<Spanned<SNode>> = serde_saphyr::from_str_with_options(text, crate::syntax::yaml::options())?;
    Ok(doc.map_or_else(|| unplaced(SourceNode::Null), convert))
}

mod fast;
pub mod json;

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path builds exactly serde-saphyr's tree, positions included, on every upstream
    /// test file and every file monstack ships; and it takes most of them.
    #[test]
    fn the_fast_path_agrees_with_serde_saphyr() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let conf = root.join("tests/upstream");
        let dirs = [
            conf.join("prometheus-rules/rulefmt"),
            conf.join("prometheus-rules/promtool"),
            conf.join("prometheus-config"),
            conf.join("alertmanager-config"),
            root.join("alerts"),
            root.join("dashboards"),
            root.join("tests/fixtures/render/full/out/prometheus"),
            root.join("tests/fixtures/render/full/out/prometheus/rules"),
            root.join("tests/fixtures/render/full/out/alertmanager"),
        ];
        let dirs = dirs.into_iter().chain(realworld_dirs());
        let (mut fast_count, mut total) = (0, 0);
        for dir in dirs {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                total += 1;
                if let Some(doc) = fast::parse(&text) {
                    fast_count += 1;
                    let reference =
                        slow(&text).unwrap_or_else(|e| panic!("{}: fast accepted, slow: {e}", entry.path().display()));
                    assert!(doc == reference, "{}: the trees differ", entry.path().display());
                }
            }
        }
        assert!(fast_count * 10 >= total * 6, "only {fast_count} of {total} took the fast path");
    }

    /// The folders of the public real-world rule files (`tests/upstream/realworld-rules/`).
    fn realworld_dirs() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/realworld-rules");
        let (mut dirs, mut todo) = (Vec::new(), vec![root]);
        while let Some(dir) = todo.pop() {
            todo.extend(std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()));
            dirs.push(dir);
        }
        dirs
    }

    /// Rule files as people write them are all plainly written: none should need serde-saphyr
    /// (whose path is several times slower).
    #[test]
    fn real_world_rule_files_take_the_fast_path() {
        let mut files = 0;
        for dir in realworld_dirs() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if !path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(fast::parse(&text).is_some(), "{} left the fast path", path.display());
            }
        }
        assert_eq!(files, 120);
    }

    #[test]
    fn scalars_the_fast_path_leaves_alone() {
        for t in [
            "a: yes",
            "a: 0x10",
            "a: 1e3",
            "a: .inf",
            "a: NULL",
            "a: &x 1",
            "a: !!str 1",
            "<<: {a: 1}",
            "a: 1\na: 2",
            "a: 012",
            "a: 0x1d",
            "a: 0b1",
            "a: -1E5",
            "a: 1_000",
        ] {
            assert!(fast::parse(t).is_none(), "{t}");
        }
        for t in [
            "a: 15s",
            "a: 1.5",
            "a: -3",
            "a: ~",
            "a: 'yes'",
            "a: [1, x]",
            "a: {b: c}",
            "a: |\n  x\n",
            "a: 1d",
            "a: 7d",
            "1d: x",
        ] {
            assert_eq!(fast::parse(t), Some(slow(t).unwrap()), "{t}");
        }
    }

    #[test]
    fn positions_of_keys_and_values() {
        let doc = parse("a: 1\nb:\n  - x\n  - {c: d}\n").unwrap();
        let SourceNode::Map(entries) = &doc.value else { panic!() };
        assert_eq!(pos(&entries[1].0), Pos { line: 2, column: 1 });
        let SourceNode::Seq(items) = &entries[1].1.value else { panic!() };
        assert_eq!(pos(&items[1]), Pos { line: 4, column: 5 });
        assert_eq!(items[1].value.get("c").unwrap().value, SourceNode::Str("d".into()));
        assert_eq!(parse("").unwrap().value, SourceNode::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, SourceNode::Null);
    }

    /// Both paths stop at the same depth, and nothing deeper reaches the recursive readers.
    #[test]
    fn nesting_is_bounded_alike_on_both_paths() {
        crate::check::deep::on_big_stack(|| {
            let max = crate::syntax::yaml::MAX_DEPTH;
            let nest = |n: usize, open: &str, close: &str| format!("{}1{}", open.repeat(n), close.repeat(n));
            let deepest = nest(max, "[", "]");
            assert_eq!(fast::parse(&deepest), Some(slow(&deepest).unwrap()));
            let deeper = nest(max + 1, "{a: ", "}");
            assert!(fast::parse(&deeper).is_none());
            assert!(slow(&deeper).is_err());
            assert!(parse(&nest(100_000, "{a: ", "}")).is_err());
            assert!(parse(&nest(100_000, "[", "]")).is_err());
        });
    }

    #[test]
    fn merge_keys_and_anchors() {
        let doc = parse("a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n").unwrap();
        let b = &doc.value.get("b").unwrap().value;
        assert_eq!(b.get("k").unwrap().value, SourceNode::Number(1.0));
    }
}
