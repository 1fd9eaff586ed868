//! What the engine's data-quality gate found in a run: `run.json`'s
//! `data_quality`, the CLI's "Not computable" lines and the report's "Data
//! quality" box. The gate itself is the engine's (`iro_engine::quality`).

use iro_domain::TableKind;
use serde::Serialize;

/// Why one table of one authority and year is not fit for figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnfitTable {
    pub la_code: String,
    pub year: i32,
    #[serde(serialize_with = "table_name")]
    pub table: TableKind,
    #[serde(flatten)]
    pub problem: Unfitness,
    /// The reason in words, as the not-computable figures give it.
    pub reason: String,
    /// The metrics not computed because of it (ids, registry order).
    pub metrics: Vec<String>,
}

fn table_name<S: serde::Serializer>(t: &TableKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.name())
}

/// What is wrong with a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Unfitness {
    /// Errors excluded more than the share allowed.
    Excluded {
        rows_read: u64,
        rows_excluded: u64,
        causes: Vec<Cause>,
    },
    /// No rows of the table could be read for the year.
    Missing { files_not_read: Vec<FileNotRead> },
}

/// One rule behind excluded rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub rule: String,
    pub field: Option<String>,
    /// Rows excluded by it (a file excluded whole counts its rows).
    pub rows: u64,
    /// In words: `DEC written with two-digit years`.
    pub words: String,
}

/// A file of the authority-year that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileNotRead {
    pub file: String,
    pub rule: String,
    pub why: String,
}

/// Table 1's count set beside the DfE's, flagged when too far apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCheck {
    pub la_code: String,
    pub year: i32,
    /// Children looked after at 31 March, as computed (before suppression:
    /// the flag says only that it is far from the published count).
    #[serde(skip)]
    pub computed: u64,
    pub published: u64,
    /// |computed - published| / published.
    #[serde(skip)]
    pub difference: f64,
    /// `check the data: the DfE published 60`.
    pub note: String,
}

/// What the gate found in one run: written to `run.json` (`data_quality`),
/// shown by the CLI and in the report's "Data quality" box.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub max_excluded_share: f64,
    pub published_difference: f64,
    /// Tables not fit for figures, by authority, year and table.
    pub unfit: Vec<UnfitTable>,
    /// Authority-years whose count at 31 March is far from the DfE's.
    pub published: Vec<PublishedCheck>,
    /// Rows excluded by errors, per authority and year (every table), where
    /// any were: below the gate's share they still leave the figures a little
    /// short, which the report says.
    pub excluded: Vec<Excluded>,
}

/// Rows excluded in one authority-year (all tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub la_code: String,
    pub year: i32,
    pub rows_read: u64,
    pub rows_excluded: u64,
}

impl DataQuality {
    /// Nothing excluded, nothing unfit, nothing flagged.
    pub fn is_clean(&self) -> bool {
        self.unfit.is_empty() && self.published.is_empty() && self.excluded.is_empty()
    }

    /// The unfit tables of one authority.
    pub fn unfit_for<'a>(&'a self, la: &'a str) -> impl Iterator<Item = &'a UnfitTable> + 'a {
        self.unfit.iter().filter(move |u| u.la_code == la)
    }

    /// The published-count flag of one authority and year.
    pub fn published_flag(&self, la: &str, year: i32) -> Option<&PublishedCheck> {
        self.published
            .iter()
            .find(|p| p.la_code == la && p.year == year)
    }
}

/// `4102` → `4,102`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(81_770), "81,770");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_published_flag_is_found_by_authority_and_year() {
        let check = PublishedCheck {
            la_code: "800".into(),
            year: 2025,
            computed: 90,
            published: 60,
            difference: 0.5,
            note: "check the data: the DfE published 60".into(),
        };
        let q = DataQuality {
            published: vec![check.clone()],
            ..DataQuality::default()
        };
        assert_eq!(q.published_flag("800", 2025), Some(&check));
        assert_eq!(q.published_flag("800", 2024), None);
        assert_eq!(q.published_flag("803", 2025), None);
        assert!(!q.is_clean());
        assert!(DataQuality::default().is_clean());
    }
}
