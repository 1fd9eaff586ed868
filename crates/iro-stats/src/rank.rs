//! Ranks and quartiles, for sentences like "rank 3 of 15 in the South West".

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::overdispersion::quantile;

/// Which end ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// The smallest value has rank 1.
    Ascending,
    /// The largest value has rank 1.
    Descending,
}

/// How tied values are ranked (as R's `rank(ties.method = …)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ties {
    /// Competition ranking, 1 2 2 4: tied units share the best rank. The
    /// default, and the usual "joint 2nd".
    #[default]
    Min,
    /// 1 3 3 4: tied units share the worst rank.
    Max,
    /// 1 2 2 3: no gaps after ties.
    Dense,
    /// 1 2 3 4: ties broken by input order.
    Ordinal,
}

/// A unit's rank among the units with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rank {
    /// 1-based rank.
    pub rank: usize,
    /// Number of ranked units (those with a finite value).
    pub of: usize,
    /// True if another unit has exactly the same value.
    pub tied: bool,
    /// Quartile 1–4 by position, ⌊4(r − 1)/N⌋ + 1 with r the competition (min) rank,
    /// so tied units always share a quartile; quartile 1 holds the units
    /// ranked first.
    pub quartile: u8,
}

impl fmt::Display for Rank {
    /// "3 of 15", or "=3 of 15" when tied.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tied {
            write!(f, "={} of {}", self.rank, self.of)
        } else {
            write!(f, "{} of {}", self.rank, self.of)
        }
    }
}

/// Quartile 1–4 of a position r among N: ⌊4(r − 1)/N⌋ + 1 (0 if N is 0; r
/// clamped to 1..=N). With N not a multiple of 4 the earlier quartiles get
/// the extra units: for N = 15 the sizes are 4, 4, 4, 3. A single unit is in
/// quartile 1.
pub fn quartile_of_rank(rank: usize, of: usize) -> u8 {
    if of == 0 {
        return 0;
    }
    let r = rank.clamp(1, of) as u128;
    (4 * (r - 1) / of as u128 + 1).min(4) as u8
}

/// Rank `values` (missing or non-finite values get `None` and are not
/// counted). Values are compared exactly: round them to the published
/// precision first if ties should follow the published figures.
///
/// ```
/// use iro_stats::{rank, Order, Ties};
/// let r = rank(&[Some(50.0), Some(70.0), None, Some(70.0), Some(90.0)], Order::Descending, Ties::Min);
/// assert_eq!(r[4].unwrap().to_string(), "1 of 4");
/// assert_eq!(r[1].unwrap().to_string(), "=2 of 4");
/// assert_eq!(r[2], None);
/// ```
pub fn rank(values: &[Option<f64>], order: Order, ties: Ties) -> Vec<Option<Rank>> {
    let mut idx: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|x| (i, x)))
        .collect();
    // Stable sort keeps input order within ties (for Ordinal).
    idx.sort_by(|a, b| match order {
        Order::Ascending => a.1.total_cmp(&b.1),
        Order::Descending => b.1.total_cmp(&a.1),
    });
    let n = idx.len();
    let mut out = vec![None; values.len()];
    let mut start = 0;
    let mut dense = 0;
    while start < n {
        // Group [start, end) of equal values (0.0 == -0.0).
        let mut end = start + 1;
        while end < n && idx[end].1 == idx[start].1 {
            end += 1;
        }
        dense += 1;
        let tied = end - start > 1;
        let min_rank = start + 1;
        for (k, &(i, _)) in idx[start..end].iter().enumerate() {
            let r = match ties {
                Ties::Min => min_rank,
                Ties::Max => end,
                Ties::Dense => dense,
                Ties::Ordinal => start + k + 1,
            };
            out[i] = Some(Rank {
                rank: r,
                of: n,
                tied,
                quartile: quartile_of_rank(min_rank, n),
            });
        }
        start = end;
    }
    out
}

/// The three quartile cut points of a set of values (type-7 quantiles at
/// 0.25, 0.5, 0.75).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quartiles {
    /// 25th percentile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub q3: f64,
}

impl Quartiles {
    /// The quartile cut points of the finite values, or `None` if there are
    /// none.
    pub fn of(values: &[f64]) -> Option<Quartiles> {
        Some(Quartiles {
            q1: quantile(values, 0.25)?,
            median: quantile(values, 0.5)?,
            q3: quantile(values, 0.75)?,
        })
    }

    /// The value band 1–4 of `x`: with `Order::Ascending`, 1 is x ≤ q1, 2 is
    /// q1 < x ≤ median, 3 is median < x ≤ q3, 4 is x > q3; `Order::Descending`
    /// numbers the same bands from the top (1 is x ≥ q3). 0 for a non-finite x.
    pub fn band(&self, x: f64, order: Order) -> u8 {
        if !x.is_finite() {
            return 0;
        }
        match order {
            Order::Ascending => {
                if x <= self.q1 {
                    1
                } else if x <= self.median {
                    2
                } else if x <= self.q3 {
                    3
                } else {
                    4
                }
            }
            Order::Descending => {
                if x >= self.q3 {
                    1
                } else if x >= self.median {
                    2
                } else if x >= self.q1 {
                    3
                } else {
                    4
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks(v: &[f64], order: Order, ties: Ties) -> Vec<usize> {
        let v: Vec<Option<f64>> = v.iter().map(|&x| Some(x)).collect();
        rank(&v, order, ties)
            .into_iter()
            .map(|r| r.unwrap().rank)
            .collect()
    }

    #[test]
    fn tie_methods() {
        let v = [10.0, 20.0, 20.0, 30.0];
        assert_eq!(ranks(&v, Order::Ascending, Ties::Min), [1, 2, 2, 4]);
        assert_eq!(ranks(&v, Order::Ascending, Ties::Max), [1, 3, 3, 4]);
        assert_eq!(ranks(&v, Order::Ascending, Ties::Dense), [1, 2, 2, 3]);
        assert_eq!(ranks(&v, Order::Ascending, Ties::Ordinal), [1, 2, 3, 4]);
        assert_eq!(ranks(&v, Order::Descending, Ties::Min), [4, 2, 2, 1]);
    }

    #[test]
    fn quartiles_by_rank() {
        let q: Vec<u8> = (1..=15).map(|r| quartile_of_rank(r, 15)).collect();
        assert_eq!(q, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]);
        assert_eq!(quartile_of_rank(1, 1), 1);
        assert_eq!(quartile_of_rank(152, 152), 4);
        assert_eq!(quartile_of_rank(0, 0), 0);
    }

    #[test]
    fn quartile_bands() {
        let q = Quartiles::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (2.0, 3.0, 4.0));
        assert_eq!(q.band(1.0, Order::Ascending), 1);
        assert_eq!(q.band(5.0, Order::Ascending), 4);
        assert_eq!(q.band(5.0, Order::Descending), 1);
        assert_eq!(q.band(f64::NAN, Order::Descending), 0);
    }
}
