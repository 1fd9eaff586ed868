//! A readable ranking table, built from the tidy rows alone (so it shows
//! exactly what the shared outputs hold, suppression included).

use std::collections::HashMap;

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::MetricRow;
use iro_reference::{Geography, Reference};

use crate::METRIC_ID;
use crate::compare::{Comparator, level_label};
use crate::figure::{Source, published_release};
use crate::indicator::Indicator;

/// One authority's figure of one source in the table, with what the rows
/// say of it in the group.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFigure {
    /// Rank as printed ("3", "=3"), if ranked (published figures only: the
    /// rank among the group's published figures).
    pub rank: Option<String>,
    rank_sort: Option<f64>,
    /// The value, unrounded; `None` if there is none or it is suppressed.
    pub value: Option<f64>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub suppressed: bool,
    pub quartile: Option<u8>,
    /// Position against the adjusted limits at each level: below, within,
    /// above.
    pub positions: Vec<Option<&'static str>>,
    /// Change over the trend window.
    pub trend_change: Option<f64>,
    /// Why there is no figure, when there is none.
    pub note: String,
}

/// One line: an authority, its published figure and (for an input
/// authority) its own 903 figure side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLine {
    pub la_code: String,
    pub name: String,
    /// The DfE's published figure, ranked among the group's published ones.
    pub published: Option<SourceFigure>,
    /// The authority's own figure from its SSDA903 return: shown beside the
    /// published one, never ranked among the published figures.
    pub ssda903: Option<SourceFigure>,
}

impl TableLine {
    /// The figure of `source`.
    pub fn figure(&self, source: Source) -> Option<&SourceFigure> {
        match source {
            Source::Published => self.published.as_ref(),
            Source::Ssda903 => self.ssda903.as_ref(),
        }
    }
}

/// Members of one comparison group ranked on one indicator in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingTable {
    pub indicator: Indicator,
    pub comparator: Comparator,
    pub year: CollectionYear,
    /// "South West", "England", "the selection"…
    pub group: String,
    pub levels: Vec<String>,
    pub lines: Vec<TableLine>,
    /// The centre line, as its note says.
    pub centre: Option<(f64, String)>,
    /// The over-dispersion footnote.
    pub footnote: Option<String>,
    /// The releases the members' published figures come from, once each
    /// (`DfE CLA 2025 release (EES)`).
    pub releases: Vec<String>,
}

type Key<'a> = (&'a str, &'a str, String);

/// Which table: `members` in the group `comparator` (the same group for all
/// of them: England, one region, or the selection), on one indicator, in one
/// year.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRequest<'a> {
    pub members: &'a [LaCode],
    pub indicator: Indicator,
    pub comparator: Comparator,
    pub year: CollectionYear,
    /// The group's name for the title ("South West", "England"…).
    pub group: String,
    /// The funnel levels of the rows.
    pub levels: &'a [f64],
}

impl RankingTable {
    /// The table asked for, from the tidy rows.
    pub fn from_rows(
        rows: &[MetricRow],
        reference: &Reference,
        request: &TableRequest<'_>,
    ) -> Self {
        let TableRequest {
            members,
            indicator,
            comparator,
            year,
            ref group,
            levels,
        } = *request;
        let index: HashMap<Key<'_>, &MetricRow> = rows
            .iter()
            .filter(|r| r.year == year.0)
            .filter_map(|r| {
                let m = (r.metric.metric() == METRIC_ID).then(|| r.metric.measure())?;
                Some(((r.la_code.as_str(), m, r.breakdown.to_string()), r))
            })
            .collect();
        let ind = indicator.id();
        let cmp = comparator.id();
        let get = |la: &str, m: &str, b: String| index.get(&(la, m, b)).copied();
        let level_labels: Vec<String> = levels.iter().map(|&l| level_label(l)).collect();
        let mut lines = Vec::new();
        let mut centre = None;
        let mut footnote = None;
        let mut releases: Vec<String> = Vec::new();
        for la in members {
            let code = la.to_string();
            let name = reference
                .la(*la)
                .map_or_else(|| code.clone(), |i| i.name.clone());
            if centre.is_none()
                && let Some(r) = get(
                    &code,
                    "comparator-value",
                    format!("indicator={ind};comparator={cmp}"),
                )
            {
                centre = r.value.map(|v| (v, r.note.to_string()));
            }
            if footnote.is_none()
                && let Some(r) = get(
                    &code,
                    "overdispersion-phi",
                    format!("indicator={ind};comparator={cmp}"),
                )
            {
                footnote = Some(r.note.to_string()).filter(|n| !n.is_empty());
            }
            let mut line = TableLine {
                la_code: code.clone(),
                name: name.clone(),
                published: None,
                ssda903: None,
            };
            for source in [Source::Published, Source::Ssda903] {
                let s = source.id();
                let Some(v) = get(&code, ind, format!("source={s}")) else {
                    continue;
                };
                let bd = format!("indicator={ind};comparator={cmp};source={s}");
                // A 903 figure is not ranked among the published ones.
                let ranked = source == Source::Published;
                let rank = get(&code, "rank", bd.clone()).filter(|_| ranked);
                let quartile = get(&code, "quartile", bd.clone()).filter(|_| ranked);
                let positions = level_labels
                    .iter()
                    .map(|l| {
                        get(
                            &code,
                            "funnel-position",
                            format!("{bd};level={l};limits=adjusted"),
                        )
                        .and_then(|r| r.value)
                        .map(|p| match p {
                            p if p < 0.0 => "below",
                            p if p > 0.0 => "above",
                            _ => "within",
                        })
                    })
                    .collect();
                let trend = get(&code, "trend-change", format!("indicator={ind};source={s}"));
                let figure = SourceFigure {
                    rank: rank.and_then(|r| {
                        let n = r.value?;
                        let tied = r.note.starts_with('=');
                        Some(format!("{}{}", if tied { "=" } else { "" }, n))
                    }),
                    rank_sort: rank.and_then(|r| r.value),
                    value: v.value,
                    numerator: v.numerator,
                    denominator: v.denominator,
                    suppressed: v.status.is_suppressed(),
                    quartile: quartile.and_then(|r| r.value).map(|q| q as u8),
                    positions,
                    trend_change: trend.and_then(|r| r.value),
                    note: if v.value.is_none() {
                        v.note_text().into_owned()
                    } else {
                        String::new()
                    },
                };
                match source {
                    Source::Published => line.published = Some(figure),
                    Source::Ssda903 => line.ssda903 = Some(figure),
                }
            }
            if line.published.is_some()
                && let Some(r) = published_release(reference, &Geography::La(*la), year, indicator)
                && !releases.contains(&r)
            {
                releases.push(r);
            }
            if line.published.is_some() || line.ssda903.is_some() {
                lines.push(line);
            }
        }
        // By published rank; unranked authorities last, by code.
        let key = |l: &TableLine| l.published.as_ref().and_then(|p| p.rank_sort);
        lines.sort_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.is_none()
                .cmp(&kb.is_none())
                .then(ka.unwrap_or(0.0).total_cmp(&kb.unwrap_or(0.0)))
                .then(a.la_code.cmp(&b.la_code))
        });
        RankingTable {
            indicator,
            comparator,
            year,
            group: group.clone(),
            levels: level_labels,
            lines,
            centre,
            footnote,
            releases,
        }
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The width `iro benchmark` prints to when it does not know the terminal's.
pub const DEFAULT_WIDTH: usize = 100;

/// The fewest characters an authority's name is given.
const MIN_NAME: usize = 12;

fn value_text(f: &SourceFigure) -> String {
    match (f.value, f.suppressed) {
        (Some(v), _) => format!("{:.0}", (v + 0.5).floor()),
        (None, true) => "c".to_string(),
        (None, false) => "-".to_string(),
    }
}

fn counts_text(f: &SourceFigure) -> String {
    match (f.numerator, f.denominator, f.suppressed) {
        (Some(n), Some(d), _) => format!("{}/{}", thousands(n), thousands(d)),
        (None, Some(d), true) => format!("c/{}", thousands(d)),
        _ => "-".to_string(),
    }
}

fn change_text(f: &SourceFigure) -> String {
    f.trend_change
        .map_or_else(|| "-".to_string(), |c| format!("{c:+.1}"))
}

/// `s` cut to `width` characters, with `…` where it was cut.
fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One column: its header, each line's cell, and whether it is left-aligned.
struct Column {
    header: String,
    cells: Vec<String>,
    left: bool,
}

impl Column {
    fn width(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.chars().count())
            .chain([self.header.chars().count()])
            .max()
            .unwrap_or(0)
    }
}

impl RankingTable {
    /// Whether any authority has its own 903 figure (the 903 columns).
    pub fn has_903(&self) -> bool {
        self.lines.iter().any(|l| l.ssda903.is_some())
    }

    /// The title line.
    pub fn title(&self) -> String {
        format!(
            "{} — {} ({}), {}",
            self.indicator.title(),
            self.group,
            self.comparator.id(),
            self.year.label()
        )
    }

    /// The header and one line per authority, at most `width` characters
    /// each (names are shortened to fit): the published figure, its rank
    /// among the group's published figures, quartile, funnel positions and
    /// five-year change; then, where there are 903 figures, each input
    /// authority's own figure and counts in the adjacent columns.
    pub fn table_lines(&self, width: usize) -> Vec<String> {
        let pick = |f: &dyn Fn(&TableLine) -> String| -> Vec<String> {
            self.lines.iter().map(f).collect()
        };
        let published = |l: &TableLine, f: &dyn Fn(&SourceFigure) -> String| {
            l.published.as_ref().map_or_else(|| "-".to_string(), f)
        };
        let mut cols = vec![
            Column {
                header: "rank".into(),
                cells: pick(&|l| published(l, &|f| f.rank.clone().unwrap_or("-".into()))),
                left: false,
            },
            Column {
                header: "LA".into(),
                cells: pick(&|l| l.la_code.clone()),
                left: true,
            },
        ];
        let name_at = cols.len();
        cols.push(Column {
            header: "name".into(),
            cells: pick(&|l| l.name.clone()),
            left: true,
        });
        cols.push(Column {
            header: "published".into(),
            cells: pick(&|l| published(l, &value_text)),
            left: false,
        });
        cols.push(Column {
            header: "num/den".into(),
            cells: pick(&|l| published(l, &counts_text)),
            left: false,
        });
        cols.push(Column {
            header: "Q".into(),
            cells: pick(&|l| {
                published(l, &|f| {
                    f.quartile
                        .map_or_else(|| "-".to_string(), |q| q.to_string())
                })
            }),
            left: false,
        });
        for (k, level) in self.levels.iter().enumerate() {
            cols.push(Column {
                header: format!("{level}%"),
                cells: pick(&|l| {
                    published(l, &|f| {
                        f.positions
                            .get(k)
                            .copied()
                            .flatten()
                            .unwrap_or("-")
                            .to_string()
                    })
                }),
                left: false,
            });
        }
        cols.push(Column {
            header: "5-yr".into(),
            cells: pick(&|l| published(l, &change_text)),
            left: false,
        });
        if self.has_903() {
            let own = |l: &TableLine, f: &dyn Fn(&SourceFigure) -> String| {
                l.ssda903.as_ref().map_or_else(String::new, f)
            };
            cols.push(Column {
                header: "903".into(),
                cells: pick(&|l| own(l, &value_text)),
                left: false,
            });
            cols.push(Column {
                header: "903 num/den".into(),
                cells: pick(&|l| own(l, &counts_text)),
                left: false,
            });
        }
        let others: usize = cols
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != name_at)
            .map(|(_, c)| c.width() + 1)
            .sum();
        let name_width = cols[name_at]
            .width()
            .min(width.saturating_sub(others).max(MIN_NAME));
        let widths: Vec<usize> = cols
            .iter()
            .enumerate()
            .map(|(k, c)| if k == name_at { name_width } else { c.width() })
            .collect();
        let line = |cell: &dyn Fn(&Column) -> String| -> String {
            let mut s = String::new();
            for (c, &w) in cols.iter().zip(&widths) {
                if !s.is_empty() {
                    s.push(' ');
                }
                let text = cut(&cell(c), w);
                if c.left {
                    s.push_str(&format!("{text:<w$}"));
                } else {
                    s.push_str(&format!("{text:>w$}"));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = vec![line(&|c| c.header.clone())];
        for k in 0..self.lines.len() {
            out.push(line(&|c| c.cells[k].clone()));
        }
        out
    }

    /// The notes under the table, one paragraph each (to be wrapped to the
    /// width printed at).
    pub fn footnotes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some((v, note)) = &self.centre {
            notes.push(format!(
                "Centre line: {v:.1} {} — {note}",
                self.indicator.unit_words()
            ));
        }
        let from = if self.releases.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.releases.join("; "))
        };
        notes.push(format!(
            "Published: the DfE's published figure{from}; rank 1 = lowest published value in the \
             group, Q = quartile (1 = lowest quarter), positions against the over-dispersion \
             adjusted funnel limits, 5-yr = change over five years."
        ));
        if self.has_903() {
            notes.push(
                "903: the authority's own figure from its SSDA903 return, beside its published one; \
                 not ranked among the published figures (its funnel positions are in metrics.csv). \
                 c = suppressed."
                    .to_string(),
            );
        }
        if let Some(n) = &self.footnote {
            notes.push(format!("Funnel: {n}"));
        }
        notes
    }
}
