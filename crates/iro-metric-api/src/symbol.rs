//! Interned text: the vocabulary of the metric table (area codes, breakdown
//! keys and values, notes, reasons) held once per process, so that a row is a
//! handful of machine words and copying, comparing or dropping it allocates
//! nothing.
//!
//! The vocabulary is small and bounded by what the metrics can say — codes,
//! bands, category labels, a few thousand notes on a national run — not by
//! the number of rows (786,000 on a national five-year run, 493 distinct
//! breakdowns, 17,700 distinct notes). It lives as long as the process, as a
//! compiler's symbol table does; a long-lived process grows only by text it
//! has never seen. Nothing personal is ever interned: rows are aggregates
//! (invariant 6 of docs/ARCHITECTURE.md).

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::{LazyLock, PoisonError, RwLock};

use rustc_hash::FxHasher;

type Set<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

static STRINGS: LazyLock<RwLock<Set<&'static str>>> = LazyLock::new(Default::default);

type Pairs = &'static [(&'static str, &'static str)];

static PAIRS: LazyLock<RwLock<Set<Pairs>>> = LazyLock::new(Default::default);

/// `text`, held once for the life of the process.
pub fn intern(text: &str) -> &'static str {
    if text.is_empty() {
        return "";
    }
    if let Some(&held) = STRINGS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(text)
    {
        return held;
    }
    let mut set = STRINGS.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(&held) = set.get(text) {
        return held;
    }
    let held: &'static str = Box::leak(text.into());
    set.insert(held);
    held
}

/// A list of `key=value` pairs whose text is already interned, held once.
pub(crate) fn intern_pairs(pairs: &[(&'static str, &'static str)]) -> Pairs {
    if pairs.is_empty() {
        return &[];
    }
    if let Some(&held) = PAIRS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(pairs)
    {
        return held;
    }
    let mut set = PAIRS.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(&held) = set.get(pairs) {
        return held;
    }
    let held: Pairs = Box::leak(pairs.to_vec().into_boxed_slice());
    set.insert(held);
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_held_once() {
        let a = intern(&format!("age_band={}", 10));
        let b = intern("age_band=10");
        assert_eq!(a, b);
        assert!(std::ptr::eq(a, b));
        assert_eq!(intern(""), "");
        let p = intern_pairs(&[(intern("k"), intern("v"))]);
        let q = intern_pairs(&[("k", "v")]);
        assert!(std::ptr::eq(p, q));
    }
}
