//! Big rule files parse on every core: a plainly written file (`groups:` and nothing else at the
//! top, no anchors, aliases or merge keys) is cut between groups, each part parses as its own
//! document, padded with empty lines so that every position stays where it is in the file.

use crate::check::node::{self, At, Node};

/// Files smaller than this parse in one piece.
const SPLIT_FROM: usize = 512 * 1024;

/// Parses a rule file, in parallel parts when it is big and plainly written.
pub fn parse(text: &str) -> Result<At, serde_saphyr::Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    match cuts(text, threads).filter(|c| text.len() >= SPLIT_FROM && c.len() > 1) {
        Some(cuts) => parse_parts(text, &cuts),
        None => node::parse(text),
    }
}

/// Whether the text uses YAML features that tie its groups together.
fn entangled(text: &str) -> bool {
    let alias = text.as_bytes().windows(2).enumerate().any(|(i, w)| {
        w[0] == b'*'
            && (w[1].is_ascii_alphanumeric() || w[1] == b'_')
            && (i == 0 || matches!(text.as_bytes()[i - 1], b' ' | b'[' | b'{' | b',' | b'\n'))
    });
    alias
        || text.contains('&')
        || text.contains("<<")
        || text.contains('\t')
        || text.contains("\n---")
        || text.contains("\n...")
}

/// Byte offsets of the group items to cut before (the first is where groups start), with the
/// line each starts on; `None` when the file is not plainly written.
fn cuts(text: &str, parts: usize) -> Option<Vec<(usize, usize)>> {
    if parts < 2 || text.starts_with("---") || entangled(text) {
        return None;
    }
    let mut offset = 0;
    let mut items = Vec::new();
    let mut seen_groups = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end();
        let lead = body.len() - body.trim_start().len();
        if !body.trim_start().is_empty() && !body.trim_start().starts_with('#') {
            if lead == 0 && !body.starts_with('-') {
                if seen_groups || body != "groups:" {
                    return None;
                }
                seen_groups = true;
            } else if seen_groups && body.trim_start().starts_with("- ") && *indent.get_or_insert(lead) == lead {
                items.push((offset, n));
            } else if !seen_groups {
                return None;
            }
        }
        offset += line.len();
    }
    if items.len() < parts * 8 {
        return None;
    }
    let step = items.len().div_ceil(parts);
    Some(items.into_iter().step_by(step).collect())
}

fn parse_parts(text: &str, cuts: &[(usize, usize)]) -> Result<At, serde_saphyr::Error> {
    let ends: Vec<usize> = cuts.iter().skip(1).map(|c| c.0).chain([text.len()]).collect();
    let results: Vec<Result<At, serde_saphyr::Error>> = std::thread::scope(|scope| {
        let workers: Vec<_> = cuts
            .iter()
            .zip(&ends)
            .map(|(&(start, line), &end)| {
                scope.spawn(move || {
                    // `groups:` on the line before the part's first, blank lines above it.
                    let padded = format!("{}groups:\n{}", "\n".repeat(line.saturating_sub(1)), &text[start..end]);
                    node::parse(&padded)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    let mut groups = Vec::new();
    let mut root = None;
    for r in results {
        let doc = r?;
        let Node::Map(mut entries) = doc.value else { return node::parse(text) };
        let Some((key, value)) = entries.pop() else { return node::parse(text) };
        let Node::Seq(items) = value.value else { return node::parse(text) };
        groups.extend(items);
        root.get_or_insert((key, value.referenced, value.defined, doc.referenced, doc.defined));
    }
    let Some((key, vr, vd, dr, dd)) = root else { return node::parse(text) };
    let value = serde_saphyr::Spanned::new(Node::Seq(groups), vr, vd);
    Ok(serde_saphyr::Spanned::new(Node::Map(vec![(key, value)]), dr, dd))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(n: usize) -> String {
        let mut text = String::from("# rules\ngroups:\n");
        for i in 0..n {
            text.push_str(&format!("  - name: g{i}\n    rules:\n      - record: r{i}\n        expr: sum(up) * 2\n"));
        }
        text
    }

    /// Every value and key with its line and column (byte offsets differ with the padding).
    fn flat(at: &At, out: &mut Vec<(String, crate::diag::Pos)>) {
        let here = node::pos(at);
        match &at.value {
            Node::Map(entries) => {
                for (k, v) in entries {
                    out.push((k.value.clone(), node::pos(k)));
                    flat(v, out);
                }
            }
            Node::Seq(items) => items.iter().for_each(|i| flat(i, out)),
            other => out.push((format!("{other:?}"), here)),
        }
    }

    #[test]
    fn parts_parse_to_the_same_tree_with_the_same_positions() {
        let text = big(20_000);
        assert!(text.len() >= SPLIT_FROM);
        let mut whole = Vec::new();
        flat(&node::parse(&text).unwrap(), &mut whole);
        for parts in [2, 3] {
            let mut split = Vec::new();
            flat(&parse_parts(&text, &cuts(&text, parts).unwrap()).unwrap(), &mut split);
            assert!(split == whole, "{parts} parts differ from the whole");
        }
    }

    #[test]
    fn entangled_files_are_not_cut() {
        assert!(cuts("groups:\n  - name: a\n    labels: &l {a: b}\n", 2).is_none());
        assert!(cuts("groups:\n  - name: a\nother: 1\n", 2).is_none());
        assert!(entangled("x: *alias\n"));
        assert!(!entangled("expr: sum(up) * 2\n"));
    }
}
