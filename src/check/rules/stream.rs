//! Big rule files are checked in pieces, on every core, never whole: a plainly written file
//! (`groups:` and nothing else at the top, no anchors, aliases or merge keys) is cut between
//! groups, each piece parses as its own document, padded with empty lines so that every position
//! stays where it is in the file, is checked and dropped. Only what crosses groups is kept: group
//! names and what the duplicate-rule lint compares.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{check_group, RuleOptions};
use crate::check::lint::{self, RuleKey};
use crate::check::node::{self, pos, SourceNode, Tree};
use crate::check::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;

/// Files smaller than this are checked whole.
const STREAM_FROM: usize = 512 * 1024;
/// Groups per piece: small enough that pieces in flight take little memory (each checking
/// thread's allocator keeps the most its pieces ever took until the end), large enough that
/// handing them out costs nothing. Real-world groups run to dozens of rules.
const GROUPS_PER_PIECE: usize = 4;

/// What one piece leaves behind.
struct Piece {
    problems: Vec<crate::check::Problem>,
    names: Vec<(String, Pos)>,
    rules: Vec<RuleKey>,
}

/// Checks `text` in pieces if it is big and plainly written; false when it is not (the caller
/// checks it whole), or when a piece does not parse (the whole file then says where and why).
pub fn check(file: &Path, text: &str, opts: &RuleOptions, sink: &mut Sink) -> bool {
    if text.len() < STREAM_FROM {
        return false;
    }
    let Some(cuts) = cuts(text, GROUPS_PER_PIECE) else { return false };
    let ends: Vec<usize> = cuts.iter().skip(1).map(|c| c.0).chain([text.len()]).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(cuts.len());
    let mut done: Vec<(usize, Option<Piece>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                crate::check::deep::spawn(scope, || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(start, line)) = cuts.get(i) else { break };
                        out.push((i, piece(file, &text[start..ends[i]], line, opts)));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let Some(pieces) = done.into_iter().map(|(_, p)| p).collect::<Option<Vec<Piece>>>() else { return false };
    let mut names = BTreeSet::new();
    let mut rules = Vec::new();
    for mut p in pieces {
        for (name, at) in p.names {
            if !name.is_empty() && !names.insert(name.clone()) {
                sink.error(
                    Check::RulesGroupName,
                    Some(at),
                    format!("groupname: {name:?} is repeated in the same file"),
                )
                .help("group names must be unique within a file");
            }
        }
        sink.problems.append(&mut p.problems);
        rules.append(&mut p.rules);
    }
    lint::duplicates(&rules, sink);
    drop(rules);
    sink.problems.sort_by_key(|p| p.pos);
    release_freed_memory();
    true
}

/// Hands the memory the pieces' trees took, now free, back to the system. glibc keeps a
/// checking thread's freed memory in that thread's arena, pinned there by the few findings and
/// rule keys each piece leaves behind: without this, a big file's peak memory (measured at the
/// report, which comes after) holds several MB of nothing.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: glibc's malloc_trim takes no pointers and only releases pages of free chunks
        // (under the allocator's own locks); it is safe to call at any time from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Parses and checks one piece, whose first line is line `line` (0-based) of the file.
fn piece(file: &Path, part: &str, line: usize, opts: &RuleOptions) -> Option<Piece> {
    let text = format!("groups:\n{part}");
    let doc = node::parse(&text).ok()?;
    let SourceNode::Map(entries) = &doc.value else { return None };
    let Some((_, Tree { value: SourceNode::Seq(groups), .. })) = entries.first() else { return None };
    let mut sink = Sink::new(file);
    let mut names = Vec::new();
    let mut rules = Vec::new();
    for group in groups {
        if let Some(n) = group.value.get("name") {
            names.push((n.value.as_str().unwrap_or_default(), pos(n)));
        }
        let mut group_rules = Vec::new();
        check_group(group, opts, &mut BTreeSet::new(), &mut group_rules, &mut sink);
        for rule in group_rules {
            lint::one(&rule, &opts.lint, &mut sink);
            // Only what the duplicate lint compares is kept.
            rules.push(RuleKey::from(rule));
        }
    }
    // The piece's line 2 is the file's line `line + 1`: move every position there.
    let shift = |p: &mut Pos| p.line += line as u64 - 1;
    sink.problems.iter_mut().filter_map(|p| p.pos.as_mut()).for_each(shift);
    names.iter_mut().for_each(|(_, p)| shift(p));
    rules.iter_mut().for_each(|r| shift(&mut r.at));
    Some(Piece { problems: sink.problems, names, rules })
}

/// Whether the text uses YAML features that tie its groups together.
fn entangled(text: &str) -> bool {
    // Only the `*`s are looked at (found with memchr): PromQL has many, YAML aliases few.
    let b = text.as_bytes();
    let alias = text.match_indices('*').any(|(i, _)| {
        b.get(i + 1).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
            && (i == 0 || matches!(b[i - 1], b' ' | b'[' | b'{' | b',' | b'\n'))
    });
    alias
        || text.contains('&')
        || text.contains("<<")
        || text.contains('\t')
        || text.contains("\n---")
        || text.contains("\n...")
}

/// Byte offsets (and lines) of the group items that start each piece of `per_piece` groups;
/// `None` when the file is not plainly written.
fn cuts(text: &str, per_piece: usize) -> Option<Vec<(usize, usize)>> {
    if text.starts_with("---") || entangled(text) {
        return None;
    }
    let mut offset = 0;
    let mut items = Vec::new();
    let mut seen_groups = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        // Every line of the file passes here, before any piece is checked: trimmed once.
        let body = line.trim_end();
        let start = body.trim_start();
        let lead = body.len() - start.len();
        if !start.is_empty() && !start.starts_with('#') {
            if lead == 0 && !body.starts_with('-') {
                if seen_groups || body != "groups:" {
                    return None;
                }
                seen_groups = true;
            } else if seen_groups && start.starts_with("- ") && *indent.get_or_insert(lead) == lead {
                items.push((offset, n));
            } else if !seen_groups {
                return None;
            }
        }
        offset += line.len();
    }
    if items.len() < 2 * per_piece {
        return None;
    }
    Some(items.into_iter().step_by(per_piece).collect())
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

    #[test]
    fn pieces_find_what_the_whole_finds_where_it_finds_it() {
        let mut text = big(20_000);
        text = text.replace("  - name: g17\n", "  - name: g3\n");
        text = text.replace("record: r9000\n        expr: sum(up) * 2", "record: r9000\n        expr: sum(up");
        text.push_str("  - name: last\n    rules:\n      - alert: A\n        expr: x_total > 1\n      - alert: A\n        expr: up\n");
        assert!(text.len() >= STREAM_FROM);
        let opts = RuleOptions::default();
        let mut streamed = Sink::new("r.yml");
        assert!(check(Path::new("r.yml"), &text, &opts, &mut streamed), "the file is streamed");
        let mut reference = Sink::new("r.yml");
        super::super::whole(Path::new("r.yml"), &text, &opts, &mut reference);
        for sink in [&mut reference, &mut streamed] {
            sink.problems.sort_by_key(|p| (p.pos, p.check.name()));
        }
        assert!(reference.problems.len() > 5);
        assert!(streamed.problems == reference.problems, "{:?}\n!=\n{:?}", streamed.problems, reference.problems);
    }

    #[test]
    fn entangled_files_are_not_cut() {
        assert!(cuts("groups:\n  - name: a\n  - name: b\n    labels: &l {a: b}\n", 1).is_none());
        assert!(cuts("groups:\n  - name: a\n  - name: b\nother: 1\n", 1).is_none());
        assert!(cuts("groups:\n  - name: a\n  - name: b\n", 1).is_some());
        assert!(entangled("x: *alias\n"));
        assert!(!entangled("expr: sum(up) * 2\n"));
    }
}
