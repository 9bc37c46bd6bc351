//! One stable sort for the cold paths (cohort report, statistics).
//!
//! Every `sort_by` call with its own closure or element type compiles its own copy of the
//! standard library's stable sort (several kilobytes each in the WebAssembly module). The cold
//! call sites go through [`sort_stable_by`] instead, which sorts an index vector with one
//! comparator type (a `&dyn Fn`), so the sort itself is compiled once. The result is the same
//! as `v.sort_by(cmp)`: the standard stable sort applied to the indices with the same
//! comparison keeps equal elements in their original order. Former `sort_unstable` calls on
//! integers and strings, and `f64::total_cmp` sorts, give the same result too: elements that
//! compare equal there are indistinguishable.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, exactly like `v.sort_by(cmp)`.
pub(crate) fn sort_stable_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = {
        let items: &[T] = v;
        stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]))
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The indices `0..n` stably sorted by `cmp`.
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

#[cfg(test)]
mod tests {
    use super::sort_stable_by;

    #[test]
    fn same_order_as_the_standard_stable_sort() {
        // Pairs compared by the first field only: equal keys must keep their input order.
        let input: Vec<(u32, u32)> = (0..200u32).map(|i| ((i * 7919) % 13, i)).collect();
        let mut expected = input.clone();
        expected.sort_by_key(|p| p.0);
        let mut got = input.clone();
        sort_stable_by(&mut got, |a, b| a.0.cmp(&b.0));
        assert_eq!(got, expected);
        assert_ne!(got, input);
        let mut empty: Vec<(u32, u32)> = Vec::new();
        sort_stable_by(&mut empty, |a, b| a.cmp(b));
        assert!(empty.is_empty());
    }
}
