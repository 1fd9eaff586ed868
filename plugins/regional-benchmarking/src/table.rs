//! A readable ranking table, built from the tidy rows alone (so it shows
//! exactly what the shared outputs hold, suppression included).

use std::collections::HashMap;
use std::fmt;

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::MetricRow;
use iro_reference::Reference;

use crate::METRIC_ID;
use crate::compare::{Comparator, level_label};
use crate::figure::Source;
use crate::indicator::Indicator;

/// One line: an authority's figure of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLine {
    pub la_code: String,
    pub name: String,
    pub source: Source,
    /// Rank as printed ("3", "=3"), if ranked.
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
            for source in [Source::Published, Source::Ssda903] {
                let s = source.id();
                let Some(v) = get(&code, ind, format!("source={s}")) else {
                    continue;
                };
                let bd = format!("indicator={ind};comparator={cmp};source={s}");
                let rank = get(&code, "rank", bd.clone());
                let quartile = get(&code, "quartile", bd.clone());
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
                lines.push(TableLine {
                    la_code: code.clone(),
                    name: name.clone(),
                    source,
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
                });
            }
        }
        lines.sort_by(|a, b| {
            let ka = (a.rank_sort.is_none(), a.rank_sort.unwrap_or(0.0));
            let kb = (b.rank_sort.is_none(), b.rank_sort.unwrap_or(0.0));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(a.source.cmp(&b.source))
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

impl fmt::Display for RankingTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} — {} ({}), {}",
            self.indicator.title(),
            self.group,
            self.comparator.id(),
            self.year.label()
        )?;
        let mut header = format!(
            "{:>5}  {:<4} {:<36} {:>7} {:>22} {:>3}",
            "rank", "LA", "name", "value", "numerator/denominator", "Q"
        );
        for l in &self.levels {
            header.push_str(&format!(" {:>7}", format!("{l}%")));
        }
        header.push_str(&format!(" {:>8}", "5-yr chg"));
        writeln!(f, "{header}")?;
        for line in &self.lines {
            let name = if line.source == Source::Ssda903 {
                format!("{} (903)", line.name)
            } else {
                line.name.clone()
            };
            let name: String = name.chars().take(36).collect();
            let value = match (line.value, line.suppressed) {
                (Some(v), _) => format!("{:.0}", (v + 0.5).floor()),
                (None, true) => "c".to_string(),
                (None, false) => "-".to_string(),
            };
            let counts = match (line.numerator, line.denominator, line.suppressed) {
                (Some(n), Some(d), _) => format!("{}/{}", thousands(n), thousands(d)),
                (None, Some(d), true) => format!("c/{}", thousands(d)),
                _ => "-".to_string(),
            };
            let mut s = format!(
                "{:>5}  {:<4} {:<36} {:>7} {:>22} {:>3}",
                line.rank.as_deref().unwrap_or("-"),
                line.la_code,
                name,
                value,
                counts,
                line.quartile
                    .map_or_else(|| "-".to_string(), |q| q.to_string()),
            );
            for p in &line.positions {
                s.push_str(&format!(" {:>7}", p.unwrap_or("-")));
            }
            s.push_str(&format!(
                " {:>8}",
                line.trend_change
                    .map_or_else(|| "-".to_string(), |c| format!("{c:+.1}"))
            ));
            writeln!(f, "{}", s.trim_end())?;
        }
        if let Some((v, note)) = &self.centre {
            writeln!(
                f,
                "Centre line: {v:.1} {} — {note}",
                self.indicator.unit_words()
            )?;
        }
        writeln!(
            f,
            "Rank 1 = lowest value; Q = quartile (1 = lowest quarter); positions against the \
             over-dispersion adjusted funnel limits."
        )?;
        if let Some(n) = &self.footnote {
            writeln!(f, "Funnel: {n}")?;
        }
        Ok(())
    }
}
