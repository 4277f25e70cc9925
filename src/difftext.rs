//! A line diff for `render --check`, so CI logs show what drifted, not only which file.

/// Lines of `old` and `new` that differ, as `-old` / `+new` lines with up to `context` common
/// lines around each change, `@@ line N @@` headers, and at most `limit` lines in all.
pub fn diff(old: &str, new: &str, context: usize, limit: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common head and tail: drift is usually a small edit in a long file.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let ops = if am.len().saturating_mul(bm.len()) <= 4_000_000 { lcs_ops(am, bm) } else { coarse_ops(am, bm) };

    let mut out = Vec::new();
    out.push(format!("@@ line {} @@", head + 1));
    for line in &a[head.saturating_sub(context)..head] {
        out.push(format!(" {line}"));
    }
    for op in ops {
        out.push(op);
    }
    for line in a[a.len() - tail..].iter().take(context) {
        out.push(format!(" {line}"));
    }
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("… {more} more lines"));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn coarse_ops(a: &[&str], b: &[&str]) -> Vec<String> {
    a.iter().map(|l| format!("-{l}")).chain(b.iter().map(|l| format!("+{l}"))).collect()
}

fn lcs_ops(a: &[&str], b: &[&str]) -> Vec<String> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[idx(i, j)] = if a[i] == b[j] {
                table[idx(i + 1, j + 1)] + 1
            } else {
                table[idx(i + 1, j)].max(table[idx(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(format!(" {}", a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[idx(i, j + 1)] > table[idx(i + 1, j)]) {
            ops.push(format!("+{}", b[j]));
            j += 1;
        } else {
            ops.push(format!("-{}", a[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_changed_line_with_context() {
        let d = diff("a\nb\nc\nd\n", "a\nb\nX\nd\n", 1, 100);
        assert_eq!(d, "@@ line 3 @@\n b\n-c\n+X\n d\n");
    }

    #[test]
    fn long_diffs_are_cut() {
        let old: String = (0..100).map(|i| format!("{i}\n")).collect();
        let d = diff(&old, "", 0, 10);
        assert!(d.ends_with("… 91 more lines\n"), "{d}");
    }
}
