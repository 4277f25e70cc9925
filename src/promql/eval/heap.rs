//! Go's `container/heap` and `sort.Sort` over samples, reproduced step for step: which of several
//! equal values `topk` keeps, and in what order, depends on exactly these moves.

use crate::promql::value::Sample;

/// `a` sorts before `b` in a min-heap by value, NaN lowest (Prometheus' `vectorByValueHeap`).
pub fn by_value(a: &Sample, b: &Sample) -> bool {
    a.f.is_nan() || a.f < b.f
}

/// `a` sorts before `b` in a max-heap by value, NaN lowest (`vectorByReverseValueHeap`).
pub fn by_reverse_value(a: &Sample, b: &Sample) -> bool {
    a.f.is_nan() || a.f > b.f
}

type Less = fn(&Sample, &Sample) -> bool;

fn up(h: &mut [Sample], mut j: usize, less: Less) {
    while j > 0 {
        let i = (j - 1) / 2;
        if i == j || !less(&h[j], &h[i]) {
            break;
        }
        h.swap(i, j);
        j = i;
    }
}

fn down(h: &mut [Sample], i0: usize, n: usize, less: Less) -> bool {
    let mut i = i0;
    loop {
        let j1 = 2 * i + 1;
        if j1 >= n {
            break;
        }
        let mut j = j1;
        let j2 = j1 + 1;
        if j2 < n && less(&h[j2], &h[j1]) {
            j = j2;
        }
        if !less(&h[j], &h[i]) {
            break;
        }
        h.swap(i, j);
        i = j;
    }
    i > i0
}

/// `heap.Push`.
pub fn push(h: &mut Vec<Sample>, s: Sample, less: Less) {
    h.push(s);
    let n = h.len() - 1;
    up(h, n, less);
}

/// `heap.Fix(h, 0)`.
pub fn fix_top(h: &mut [Sample], less: Less) {
    let n = h.len();
    if !down(h, 0, n, less) {
        up(h, 0, less);
    }
}

/// `sort.Sort(sort.Reverse(h))` by the heap's order.
pub fn sort_reverse(h: &mut [Sample], less: Less) {
    sort_by(h, |a, b| less(b, a));
}

/// `sort.Sort` by `less`. Go's pdqsort is an insertion sort below 12 elements, which this
/// reproduces exactly; above, Go leaves equal elements in no particular order, and a stable merge
/// sort (which, unlike the standard library's, tolerates NaN's inconsistent order) is as good.
pub fn sort_by(h: &mut [Sample], less: impl Fn(&Sample, &Sample) -> bool + Copy) {
    if h.len() <= 12 {
        for i in 1..h.len() {
            let mut j = i;
            while j > 0 && less(&h[j], &h[j - 1]) {
                h.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let mid = h.len() / 2;
    sort_by(&mut h[..mid], less);
    sort_by(&mut h[mid..], less);
    let mut merged = Vec::with_capacity(h.len());
    let (mut i, mut j) = (0, mid);
    while i < mid && j < h.len() {
        if less(&h[j], &h[i]) {
            merged.push(h[j].clone());
            j += 1;
        } else {
            merged.push(h[i].clone());
            i += 1;
        }
    }
    merged.extend_from_slice(&h[i..mid]);
    merged.extend_from_slice(&h[j..]);
    h.clone_from_slice(&merged);
}
