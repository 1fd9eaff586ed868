//! The tidy metric row: one figure, with what it counts and how.

use iro_vocabulary::{Period, TIDY_COLUMNS, Unit, column};
use serde::{Deserialize, Serialize};

/// Display, Debug, comparison with text and serialisation as text, for a
/// newtype over interned `&'static str`.
macro_rules! text_impls {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.0 == other
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0)
            }
        }
    };
}

/// A measure's identity, `metric.measure` as in the `metric` column:
/// `cohort-summary.cla-31-march`. Each metric declares its measures as
/// constants of this type ([`crate::MeasureSpec::id`]); the report, the
/// charts, targets and benchmarking import those constants, never spell the
/// text. Copying or comparing one allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeasureId(&'static str);

impl MeasureId {
    /// A measure id known when the program is built. `id` must be
    /// `metric.measure`, neither part empty: checked when compiled.
    pub const fn new(id: &'static str) -> Self {
        let b = id.as_bytes();
        let mut i = 0;
        let mut dot = 0;
        while i < b.len() {
            if b[i] == b'.' {
                dot = i;
                break;
            }
            i += 1;
        }
        assert!(
            dot > 0 && dot + 1 < b.len(),
            "a measure id is `metric.measure`"
        );
        MeasureId(id)
    }

    /// A measure id read at run time (a run-time plugin's, a target's):
    /// `None` unless it is `metric.measure` with both parts non-empty.
    pub fn parse(id: &str) -> Option<Self> {
        let (metric, measure) = id.split_once('.')?;
        (!metric.is_empty() && !measure.is_empty()).then(|| MeasureId(crate::symbol::intern(id)))
    }

    /// `metric.measure`.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The metric's id, before the dot: `cohort-summary`.
    pub fn metric(self) -> &'static str {
        self.0.split_once('.').map_or(self.0, |(m, _)| m)
    }

    /// The measure's own name, after the dot: `cla-31-march`.
    pub fn measure(self) -> &'static str {
        self.0.split_once('.').map_or("", |(_, m)| m)
    }
}

text_impls!(MeasureId);

/// The `la_code` column: an authority's DfE 3-digit code, `E92000001`
/// England, `E12…` a region. Held once per process ([`crate::symbol`]).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(&'static str);

impl AreaCode {
    /// England.
    pub const ENGLAND: AreaCode = AreaCode("E92000001");

    pub fn new(code: &str) -> Self {
        AreaCode(crate::symbol::intern(code))
    }

    /// An authority's code as the `la_code` column shows it (`{:03}`).
    pub fn of_la(la: iro_domain::LaCode) -> Self {
        let n = la.get();
        if n > 999 {
            return AreaCode::new(&la.to_string());
        }
        let digits = [n / 100, n / 10 % 10, n % 10].map(|d| b'0' + d as u8);
        AreaCode::new(std::str::from_utf8(&digits).unwrap_or_default())
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for AreaCode {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

text_impls!(AreaCode);

/// The `breakdown` column: `key=value` pairs, e.g. `age_band=10-15`. Held
/// once per process ([`crate::symbol`]), so a row's breakdown is a pointer.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Breakdown(&'static [(&'static str, &'static str)]);

impl Breakdown {
    /// No breakdown: the measure's total row.
    pub const NONE: Breakdown = Breakdown(&[]);

    /// One `key=value`.
    pub fn one(key: &str, value: impl AsRef<str>) -> Self {
        Breakdown::new(&[(key, value.as_ref())])
    }

    /// Several `key=value` pairs, in this order.
    pub fn new(pairs: &[(&str, &str)]) -> Self {
        let held: Vec<(&'static str, &'static str)> = pairs
            .iter()
            .map(|&(k, v)| (crate::symbol::intern(k), crate::symbol::intern(v)))
            .collect();
        Breakdown(crate::symbol::intern_pairs(&held))
    }

    /// Several `key=value` pairs whose text lives as long as the program
    /// (a metric's own vocabulary: literals, or text already held with
    /// [`crate::symbol::intern`]): only the list is looked up, not each
    /// text, for rows made by the hundred thousand.
    pub fn of_static(pairs: &[(&'static str, &'static str)]) -> Self {
        Breakdown(crate::symbol::intern_pairs(pairs))
    }

    /// A breakdown as displayed (`key=value;key=value`; `""` none) read back.
    pub fn parse(text: &str) -> Self {
        if text.is_empty() {
            return Breakdown::NONE;
        }
        let pairs: Vec<(&str, &str)> = text
            .split(';')
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        Breakdown::new(&pairs)
    }

    /// The pairs, in order.
    pub fn pairs(self) -> &'static [(&'static str, &'static str)] {
        self.0
    }

    pub fn iter(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.0.iter().copied()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    pub fn len(self) -> usize {
        self.0.len()
    }

    /// The value of `key`, if the breakdown has it.
    pub fn get(self, key: &str) -> Option<&'static str> {
        self.0.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }

    /// Whether the breakdown has `key`.
    pub fn has(self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| *k == key)
    }

    /// The keys, in order, joined by `;` (identifies a breakdown group).
    pub fn keys(&self) -> String {
        self.0.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(";")
    }
}

impl std::fmt::Display for Breakdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Breakdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Breakdown({self})")
    }
}

impl Serialize for Breakdown {
    /// As a list of `[key, value]` pairs.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// Why a cell's count is hidden: the `suppressed` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suppression {
    /// A count from 1 to the threshold, or a figure on such a denominator.
    Primary,
    /// Hidden so that no hidden count can be recovered by subtraction from
    /// the relation named (as in `secondary suppression: …` notes).
    Secondary { relation: &'static str },
    /// Withheld by the DfE in a published figure (`c` in its tables): a
    /// comparator's row, never a count of this run.
    Published,
}

impl Suppression {
    /// As in the `suppressed` column.
    pub fn label(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Secondary { .. } => "secondary",
            Suppression::Published => "published as c",
        }
    }
}

/// What a reader is shown of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CellStatus {
    /// The figure, if it has one.
    #[default]
    Shown,
    /// The data needed are not there: the reason, never a zero. Written in
    /// the `note` column as `not computable: <reason>`.
    NotComputable { reason: &'static str },
    /// Hidden by small-number suppression (the engine's, never a metric's).
    Suppressed(Suppression),
}

impl CellStatus {
    pub fn is_suppressed(self) -> bool {
        matches!(self, CellStatus::Suppressed(_))
    }

    pub fn suppression(self) -> Option<Suppression> {
        match self {
            CellStatus::Suppressed(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_not_computable(self) -> bool {
        matches!(self, CellStatus::NotComputable { .. })
    }

    /// Why the cell is not computable, if it is not.
    pub fn not_computable(self) -> Option<&'static str> {
        match self {
            CellStatus::NotComputable { reason } => Some(reason),
            _ => None,
        }
    }
}

/// The start of the note of a figure that is not computable.
pub const NOT_COMPUTABLE: &str = "not computable: ";

/// One row of `metrics.csv`. A few machine words: every text it carries is
/// held once per process ([`crate::symbol`]), so building, sorting and
/// dropping 800,000 of them allocates nothing per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricRow {
    /// DfE 3-digit code, or `E92000001` England, `E12…` a region.
    pub la_code: AreaCode,
    /// Collection year (the year the return ends).
    pub year: i32,
    pub period: Period,
    /// `crate.measure`, e.g. `cohort-summary.cla-31-march`.
    pub metric: MeasureId,
    pub breakdown: Breakdown,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub unit: Unit,
    /// Shown, not computable (why), or suppressed (how).
    pub status: CellStatus,
    /// Method flags and caveats (not the not-computable reason: `status`),
    /// `; `-joined; add one with [`MetricRow::note`].
    pub note: &'static str,
}

/// `a.cmp(b)`, decided without reading the text when both are the same
/// text in memory (interned text, or the same static).
#[inline]
fn text_order(a: &str, b: &str) -> std::cmp::Ordering {
    if std::ptr::eq(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// `a.cmp(b)` of two breakdowns' pairs, by address first (pairs and their
/// text are held once).
#[inline]
fn breakdown_order(
    a: &[(&'static str, &'static str)],
    b: &[(&'static str, &'static str)],
) -> std::cmp::Ordering {
    if std::ptr::eq(a, b) {
        return std::cmp::Ordering::Equal;
    }
    for ((ka, va), (kb, vb)) in a.iter().zip(b) {
        let o = text_order(ka, kb).then_with(|| text_order(va, vb));
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl MetricRow {
    /// The order rows are written in, whatever the thread timing: authority,
    /// year, measure, period, breakdown. Rows are unique by it, so an
    /// unstable sort gives the same order every run.
    ///
    /// The same order as comparing the tuple `(la_code, year, metric,
    /// period, breakdown)`, but text held once ([`crate::symbol`]) is first
    /// compared by address: the same address is the same text, so most
    /// comparisons of a sort (same authority, same measure) read no bytes.
    pub fn table_order(a: &MetricRow, b: &MetricRow) -> std::cmp::Ordering {
        text_order(a.la_code.0, b.la_code.0)
            .then_with(|| a.year.cmp(&b.year))
            .then_with(|| text_order(a.metric.0, b.metric.0))
            .then_with(|| a.period.cmp(&b.period))
            .then_with(|| breakdown_order(a.breakdown.0, b.breakdown.0))
    }

    /// A row of `metric` with no figure yet.
    pub fn new(
        la_code: AreaCode,
        year: i32,
        period: Period,
        metric: MeasureId,
        unit: Unit,
    ) -> Self {
        MetricRow {
            la_code,
            year,
            period,
            metric,
            breakdown: Breakdown::NONE,
            numerator: None,
            denominator: None,
            value: None,
            unit,
            status: CellStatus::Shown,
            note: "",
        }
    }

    pub fn with_breakdown(mut self, b: Breakdown) -> Self {
        self.breakdown = b;
        self
    }

    /// A count: `value` = `numerator` = n.
    pub fn count(mut self, n: u64) -> Self {
        self.numerator = Some(n);
        self.value = Some(n as f64);
        self
    }

    /// A percentage of `den`; no value when `den` is 0.
    pub fn percent(mut self, num: u64, den: u64) -> Self {
        self.numerator = Some(num);
        self.denominator = Some(den);
        self.value = (den > 0).then(|| num as f64 * 100.0 / den as f64);
        self
    }

    /// A rate per 10,000 of `population`.
    pub fn per_10000(mut self, num: u64, population: u64) -> Self {
        self.numerator = Some(num);
        self.denominator = Some(population);
        self.value = (population > 0).then(|| num as f64 * 10_000.0 / population as f64);
        self
    }

    /// Change from `previous` to `current`, as a percentage of `previous`.
    pub fn change(mut self, current: u64, previous: u64) -> Self {
        self.numerator = Some(current);
        self.denominator = Some(previous);
        self.value =
            (previous > 0).then(|| (current as f64 - previous as f64) * 100.0 / previous as f64);
        self
    }

    /// Adds a method flag or caveat (after any already there, `; `-joined).
    pub fn note(mut self, note: impl AsRef<str>) -> Self {
        self.add_note(note.as_ref());
        self
    }

    /// [`MetricRow::note`] in place.
    pub fn add_note(&mut self, note: &str) {
        if note.is_empty() {
            return;
        }
        self.note = if self.note.is_empty() {
            crate::symbol::intern(note)
        } else {
            crate::symbol::intern(&format!("{}; {note}", self.note))
        };
    }

    /// Replaces the notes.
    pub fn set_note(&mut self, note: &str) {
        self.note = crate::symbol::intern(note);
    }

    /// No figure: the data needed are not there, and why. The figure's
    /// numbers are cleared, so nothing is ever shown as 0 in its place.
    pub fn not_computable(mut self, reason: impl AsRef<str>) -> Self {
        self.numerator = None;
        self.denominator = None;
        self.value = None;
        self.status = CellStatus::NotComputable {
            reason: crate::symbol::intern(reason.as_ref()),
        };
        self
    }

    /// The `note` column as written: the notes, then `not computable: <why>`
    /// for a figure that is not.
    pub fn note_text(&self) -> std::borrow::Cow<'static, str> {
        match (self.status.not_computable(), self.note.is_empty()) {
            (None, _) => self.note.into(),
            (Some(why), true) => format!("{NOT_COMPUTABLE}{why}").into(),
            (Some(why), false) => format!("{}; {NOT_COMPUTABLE}{why}", self.note).into(),
        }
    }

    /// The `suppressed` column as written: empty, `primary` or `secondary`.
    pub fn suppressed_label(&self) -> &'static str {
        self.status.suppression().map_or("", Suppression::label)
    }
}

impl MetricRow {
    /// A row as read back from `metrics.csv` or `metrics.json`: the text of
    /// the `metric`, `suppressed` and `note` columns turned back into the
    /// id and the cell's status (`not computable: …` at the end of the note).
    pub fn from_text(text: RowText<'_>) -> Result<Self, String> {
        let metric = MeasureId::parse(text.metric)
            .ok_or_else(|| format!("metric `{}` is not metric.measure", text.metric))?;
        let mut row = MetricRow::new(
            AreaCode::new(text.la_code),
            text.year,
            text.period,
            metric,
            text.unit,
        )
        .with_breakdown(text.breakdown);
        row.numerator = text.numerator;
        row.denominator = text.denominator;
        row.value = text.value;
        let (notes, why) = split_note_text(text.note);
        row = row.note(notes);
        if let Some(why) = why {
            row.status = CellStatus::NotComputable {
                reason: crate::symbol::intern(why),
            };
        }
        row.status = match text.suppressed.unwrap_or("") {
            "" => row.status,
            "primary" => CellStatus::Suppressed(Suppression::Primary),
            "published as c" => CellStatus::Suppressed(Suppression::Published),
            "secondary" => CellStatus::Suppressed(Suppression::Secondary {
                relation: crate::symbol::intern(
                    notes
                        .split("; ")
                        .find_map(|n| n.strip_prefix(SECONDARY_NOTE))
                        .unwrap_or(""),
                ),
            }),
            other => {
                return Err(format!(
                    "suppressed `{other}`: expected primary or secondary"
                ));
            }
        };
        Ok(row)
    }
}

/// The `note` column's text read back: the notes, and the reason of a figure
/// that is not computable (`…; not computable: <why>` at the end, as
/// [`MetricRow::note_text`] writes it).
pub fn split_note_text(text: &str) -> (&str, Option<&str>) {
    match text.find(NOT_COMPUTABLE) {
        Some(0) => ("", Some(&text[NOT_COMPUTABLE.len()..])),
        Some(i) if text[..i].ends_with("; ") => {
            (&text[..i - 2], Some(&text[i + NOT_COMPUTABLE.len()..]))
        }
        _ => (text, None),
    }
}

/// The start of the note secondary suppression adds, before the relation.
pub const SECONDARY_NOTE: &str = "secondary suppression: ";

/// The columns of a row as text (`metrics.csv`, `metrics.json`), for
/// [`MetricRow::from_text`].
#[derive(Debug, Clone, Copy)]
pub struct RowText<'a> {
    pub la_code: &'a str,
    pub year: i32,
    pub period: Period,
    pub metric: &'a str,
    pub breakdown: Breakdown,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub unit: Unit,
    pub suppressed: Option<&'a str>,
    pub note: &'a str,
}

impl<'de> Deserialize<'de> for MetricRow {
    /// The shape [`MetricRow`]'s `Serialize` writes (`metrics.json`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Json {
            la_code: String,
            year: i32,
            period: Period,
            metric: String,
            breakdown: Vec<(String, String)>,
            numerator: Option<u64>,
            denominator: Option<u64>,
            value: Option<f64>,
            unit: Unit,
            suppressed: Option<String>,
            note: String,
        }
        let j = Json::deserialize(d)?;
        let pairs: Vec<(&str, &str)> = j
            .breakdown
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        MetricRow::from_text(RowText {
            la_code: &j.la_code,
            year: j.year,
            period: j.period,
            metric: &j.metric,
            breakdown: Breakdown::new(&pairs),
            numerator: j.numerator,
            denominator: j.denominator,
            value: j.value,
            unit: j.unit,
            suppressed: j.suppressed.as_deref(),
            note: &j.note,
        })
        .map_err(serde::de::Error::custom)
    }
}

impl Serialize for MetricRow {
    /// The shape of `metrics.json`: the columns of `metrics.csv`, the
    /// breakdown as `[key, value]` pairs, `suppressed` null when shown.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut r = s.serialize_struct("MetricRow", TIDY_COLUMNS.len())?;
        r.serialize_field(column::LA_CODE, &self.la_code)?;
        r.serialize_field(column::YEAR, &self.year)?;
        r.serialize_field(column::PERIOD, &self.period)?;
        r.serialize_field(column::METRIC, &self.metric)?;
        r.serialize_field(column::BREAKDOWN, &self.breakdown)?;
        r.serialize_field(column::NUMERATOR, &self.numerator)?;
        r.serialize_field(column::DENOMINATOR, &self.denominator)?;
        r.serialize_field(column::VALUE, &self.value)?;
        r.serialize_field(column::UNIT, &self.unit)?;
        r.serialize_field(
            column::SUPPRESSED,
            &self.status.suppression().map(Suppression::label),
        )?;
        r.serialize_field(column::NOTE, &self.note_text())?;
        r.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: MeasureId = MeasureId::new("x.y");

    fn blank() -> MetricRow {
        MetricRow::new(AreaCode::new("800"), 2025, Period::Snapshot, Y, Unit::Count)
    }

    #[test]
    fn builders_compute_values() {
        assert_eq!(blank().percent(1, 4).value, Some(25.0));
        assert_eq!(blank().percent(0, 0).value, None);
        assert_eq!(
            blank().per_10000(220, 36601).value.map(|v| v.round()),
            Some(60.0)
        );
        let c = blank().change(220, 217).value.unwrap();
        assert!((c - 1.382_488).abs() < 1e-6);
        assert_eq!(blank().note("a").note("b").note, "a; b");
        let b = Breakdown::new(&[("age_band", "10-15"), ("sex", "F")]);
        assert_eq!(b.to_string(), "age_band=10-15;sex=F");
        assert_eq!(b.keys(), "age_band;sex");
        assert_eq!(Breakdown::parse("age_band=10-15;sex=F"), b);
        assert_eq!(b.get("sex"), Some("F"));
        assert_eq!(Breakdown::parse(""), Breakdown::NONE);
    }

    #[test]
    fn ids_split_and_order_as_their_text() {
        assert_eq!(Y.metric(), "x");
        assert_eq!(Y.measure(), "y");
        assert_eq!(MeasureId::parse("x.y"), Some(Y));
        assert_eq!(MeasureId::parse("xy"), None);
        assert_eq!(MeasureId::parse(".y"), None);
        // Ordered as the text of the `metric` column, as rows are written.
        let a = MeasureId::new("cohort-summary-extra.a");
        let b = MeasureId::new("cohort-summary.a");
        assert_eq!(a.cmp(&b), a.as_str().cmp(b.as_str()));
        assert_eq!(
            AreaCode::of_la(iro_domain::LaCode::new(201).unwrap()),
            "201"
        );
    }

    #[test]
    fn table_order_is_the_order_of_the_columns_text() {
        // Text held once and the same text held elsewhere (a literal of
        // another address, a leaked copy): the order is the text's either way.
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let codes = [
            AreaCode::new("800"),
            AreaCode("800"),
            AreaCode(leak("800")),
            AreaCode::new("801"),
            AreaCode::new("E92000001"),
            AreaCode::new("80"),
        ];
        let metrics = [
            MeasureId::new("a.b"),
            MeasureId(leak("a.b")),
            MeasureId::new("a.bc"),
            MeasureId::new("a-b.c"),
        ];
        let pairs = |p: &[(&str, &str)]| -> &'static [(&'static str, &'static str)] {
            let v: Vec<(&'static str, &'static str)> =
                p.iter().map(|&(k, v)| (leak(k), leak(v))).collect();
            Box::leak(v.into_boxed_slice())
        };
        let breakdowns = [
            Breakdown::NONE,
            Breakdown::new(&[("k", "v")]),
            Breakdown(pairs(&[("k", "v")])),
            Breakdown::new(&[("k", "w")]),
            Breakdown::new(&[("k", "v"), ("l", "a")]),
            Breakdown(pairs(&[("k", "v"), ("l", "a")])),
            Breakdown::new(&[("j", "z"), ("l", "a")]),
            Breakdown::new(&[("k", "v"), ("k", "v")]),
        ];
        let mut rows = Vec::new();
        for &c in &codes {
            for year in [2024, 2025] {
                for &m in &metrics {
                    for period in [Period::Snapshot, Period::Year] {
                        for &b in &breakdowns {
                            rows.push(
                                MetricRow::new(c, year, period, m, Unit::Count).with_breakdown(b),
                            );
                        }
                    }
                }
            }
        }
        let tuple = |r: &MetricRow| (r.la_code, r.year, r.metric, r.period, r.breakdown);
        for a in &rows {
            for b in &rows {
                assert_eq!(
                    MetricRow::table_order(a, b),
                    tuple(a).cmp(&tuple(b)),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_row_not_computable_says_why_and_shows_no_figure() {
        let r = blank()
            .count(3)
            .note("a")
            .not_computable("no Episodes table");
        assert_eq!((r.numerator, r.value), (None, None));
        assert_eq!(r.note_text(), "a; not computable: no Episodes table");
        assert_eq!(r.suppressed_label(), "");
        let back: MetricRow = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let json =
            serde_json::to_string(&blank().with_breakdown(Breakdown::one("k", "v"))).unwrap();
        assert_eq!(
            json,
            r#"{"la_code":"800","year":2025,"period":"31-03","metric":"x.y","breakdown":[["k","v"]],"numerator":null,"denominator":null,"value":null,"unit":"count","suppressed":null,"note":""}"#
        );
    }
}
