//! Checks across rows: the episode chain (with the two repairs that keep a
//! child from being counted in care for ever) and reviews against periods of
//! care and age.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use iro_domain::*;

use crate::merge::Ctx;
use crate::read::fmt;
use crate::rules;

/// Repairs open episodes that cannot be open and checks the chain of each
/// child's episodes. `eps` must be sorted by (child, DECOM). An episode
/// closed because the next year's return does not carry it forward is a
/// repair of the merged history only: its own return's copy, still open at
/// its 31 March, goes to `as_returned` for that year's figures.
pub(crate) fn episodes(
    eps: &mut [Episode],
    ep_years: &BTreeSet<CollectionYear>,
    ctx: &Ctx,
    diags: &mut Vec<Diagnostic>,
    as_returned: &mut Vec<Episode>,
) {
    use ReasonEpisodeCeased::X1;
    use ReasonNewEpisode::S;
    let first_year = ep_years.first().copied();
    let n = eps.len();
    let mut a = 0;
    while a < n {
        let child = eps[a].child;
        let mut b = a + 1;
        while b < n && eps[b].child == child {
            b += 1;
        }

        // Repairs: an episode without DEC followed by another (142), or left
        // open in a year whose next return does not carry it (562/NoE).
        for i in a..b {
            if eps[i].dec.is_some() {
                continue;
            }
            let y = eps[i].year;
            let next_supplied = ep_years.contains(&CollectionYear(y.0 + 1));
            let by_next = (i + 1 < b).then(|| {
                let nx = &eps[i + 1];
                if nx.rne == S {
                    nx.decom.pred_opt().unwrap_or(nx.decom)
                } else {
                    nx.decom
                }
            });
            let (rule, close, msg) = match (by_next, next_supplied) {
                (Some(nd), true) if nd > y.end() => (
                    rules::OPEN_NOT_CARRIED_FORWARD,
                    y.end(),
                    format!(
                        "episode open at the end of {} is not in the {} return and nothing there continues it; closed at {} (REC left blank)",
                        y.label(),
                        CollectionYear(y.0 + 1).label(),
                        fmt(y.end())
                    ),
                ),
                (Some(nd), _) => (
                    rules::OPEN_NOT_LAST,
                    nd,
                    format!(
                        "episode has no DEC but a later episode starts on {}; closed at {} (REC left blank)",
                        fmt(eps[i + 1].decom),
                        fmt(nd)
                    ),
                ),
                (None, true) => (
                    rules::OPEN_NOT_CARRIED_FORWARD,
                    y.end(),
                    format!(
                        "episode open at the end of {} is not in the {} return and nothing there continues it; closed at {} (REC left blank)",
                        y.label(),
                        CollectionYear(y.0 + 1).label(),
                        fmt(y.end())
                    ),
                ),
                (None, false) => continue,
            };
            let e = &mut eps[i];
            if rule == rules::OPEN_NOT_CARRIED_FORWARD {
                as_returned.push(e.clone());
            }
            e.dec = Some(close.max(e.decom));
            diags.push(ctx.at(
                Severity::Warning,
                rule,
                TableKind::Episodes,
                e.source,
                e.year,
                Some("DEC"),
                None,
                msg,
            ));
        }

        let ep_diag = |diags: &mut Vec<Diagnostic>,
                       rule: &str,
                       e: &Episode,
                       field: &str,
                       value: String,
                       msg: String| {
            diags.push(ctx.at(
                Severity::Warning,
                rule,
                TableKind::Episodes,
                e.source,
                e.year,
                Some(field),
                Some(value),
                msg,
            ));
        };

        let first = &eps[a];
        if first.rne != S && first_year.is_some_and(|fy| first.decom >= fy.start()) {
            ep_diag(
                diags,
                rules::FIRST_NOT_S,
                first,
                "RNE",
                first.rne.code().to_string(),
                format!(
                    "the child's first episode starts on {} with RNE {}, not S",
                    fmt(first.decom),
                    first.rne.code()
                ),
            );
        }

        let mut period_cin = eps[a].cin;
        for i in a + 1..b {
            let (p, nx) = (&eps[i - 1], &eps[i]);
            if let Some(pd) = p.dec {
                if nx.decom < pd {
                    ep_diag(
                        diags,
                        rules::OVERLAP,
                        nx,
                        "DECOM",
                        fmt(nx.decom),
                        format!(
                            "episode starts on {}, before the previous episode ends on {}",
                            fmt(nx.decom),
                            fmt(pd)
                        ),
                    );
                }
                if nx.rne == S && nx.decom <= pd {
                    ep_diag(
                        diags,
                        rules::S_START_OVERLAP,
                        nx,
                        "RNE",
                        "S".into(),
                        format!(
                            "RNE S but the episode starts on {}, not after the previous DEC {}",
                            fmt(nx.decom),
                            fmt(pd)
                        ),
                    );
                }
            }
            if let Some(r) = p.rec.filter(|r| r.ends_period_of_care())
                && nx.rne != S
            {
                ep_diag(
                    diags,
                    rules::AFTER_LEAVING_NOT_S,
                    nx,
                    "RNE",
                    nx.rne.code().to_string(),
                    format!(
                        "the previous episode ended with REC {} (left care) but this one has RNE {}, not S",
                        r.code(),
                        nx.rne.code()
                    ),
                );
            }
            if nx.rne != S && p.dec != Some(nx.decom) {
                ep_diag(
                    diags,
                    rules::NOT_ON_PREVIOUS_DEC,
                    nx,
                    "DECOM",
                    fmt(nx.decom),
                    format!(
                        "RNE {} but DECOM {} is not the previous episode's DEC ({})",
                        nx.rne.code(),
                        fmt(nx.decom),
                        p.dec.map(fmt).unwrap_or_else(|| "blank".into())
                    ),
                );
            }
            if p.rec == Some(X1) && p.dec != Some(nx.decom) {
                ep_diag(
                    diags,
                    rules::X1_CHAIN,
                    p,
                    "REC",
                    "X1".into(),
                    format!(
                        "REC X1 but the next episode starts on {}, not on DEC {}",
                        fmt(nx.decom),
                        p.dec.map(fmt).unwrap_or_default()
                    ),
                );
            }
            if let Some(r) = p.rec.filter(|r| *r != X1)
                && p.dec == Some(nx.decom)
                && nx.rne != S
            {
                ep_diag(
                    diags,
                    rules::X1_CHAIN,
                    p,
                    "REC",
                    r.code().to_string(),
                    format!(
                        "the next episode starts on DEC {} but REC is {}, not X1",
                        fmt(nx.decom),
                        r.code()
                    ),
                );
            }
            let continues = p.rec.is_none_or(|r| !r.ends_period_of_care())
                && nx.rne != S
                && p.dec == Some(nx.decom);
            if continues {
                match (period_cin, nx.cin) {
                    (Some(pc), Some(c)) if pc != c => ep_diag(
                        diags,
                        rules::CIN_CHANGED,
                        nx,
                        "CIN",
                        c.code().to_string(),
                        format!(
                            "CIN changes from {} to {} within a period of care",
                            pc.code(),
                            c.code()
                        ),
                    ),
                    (None, c) => period_cin = c,
                    _ => {}
                }
            } else {
                period_cin = nx.cin;
            }
        }
        let last = &eps[b - 1];
        if last.rec == Some(X1) {
            ep_diag(
                diags,
                rules::X1_CHAIN,
                last,
                "REC",
                "X1".into(),
                format!(
                    "REC X1 but no episode follows on DEC {}",
                    last.dec.map(fmt).unwrap_or_default()
                ),
            );
        }
        a = b;
    }
}

/// Reviews against the child's periods of care, date of birth and age.
pub(crate) fn reviews(cohort: &Cohort, ctx: &Ctx, diags: &mut Vec<Diagnostic>) {
    // Years with Episodes, looked up once rather than per review.
    let ep_years: Vec<CollectionYear> = cohort
        .years()
        .filter(|&y| cohort.has_table(y, TableKind::Episodes))
        .collect();
    for rec in cohort.iter_children() {
        for r in rec.reviews {
            let warn = |diags: &mut Vec<Diagnostic>,
                        rule: &str,
                        field: &str,
                        value: String,
                        msg: String| {
                diags.push(ctx.at(
                    Severity::Warning,
                    rule,
                    TableKind::Reviews,
                    r.source,
                    r.year,
                    Some(field),
                    Some(value),
                    msg,
                ));
            };
            if let Some(dob) = rec.child.dob {
                if r.review < dob {
                    warn(
                        diags,
                        rules::REVIEW_BEFORE_DOB,
                        "REVIEW",
                        fmt(r.review),
                        format!(
                            "review on {} is before the child's DOB in the Header",
                            fmt(r.review)
                        ),
                    );
                    if let Some(d) = diags.last_mut() {
                        d.personal_detail = Some(format!("Header DOB {}", fmt(dob)));
                    }
                } else if let Some(code) = r.review_code {
                    let age = age_in_years(dob, r.review);
                    if code == ParticipationCode::PN0 && age >= 4 {
                        warn(
                            diags,
                            rules::PN0_AGED_4,
                            "REVIEW_CODE",
                            code.code().into(),
                            format!("PN0 (under 4) but the child was {age} at the review"),
                        );
                    } else if code != ParticipationCode::PN0 && age < 4 {
                        warn(
                            diags,
                            rules::PN_UNDER_4,
                            "REVIEW_CODE",
                            code.code().into(),
                            format!(
                                "{} but the child was {age} at the review (PN0 expected under 4)",
                                code.code()
                            ),
                        );
                    }
                }
            }
            if !ep_years.contains(&r.year) {
                continue;
            }
            let inside = rec
                .periods
                .iter()
                .any(|p| p.start <= r.review && p.end.is_none_or(|e| r.review <= e));
            if inside {
                continue;
            }
            let why = match (rec.periods.first(), rec.periods.last()) {
                (None, _) | (_, None) => "the child has no episodes".to_string(),
                (Some(first), _) if r.review < first.start => format!(
                    "before the child's first episode starts ({})",
                    fmt(first.start)
                ),
                (_, Some(last)) if last.end.is_some_and(|e| r.review > e) => format!(
                    "after care ended ({})",
                    last.end.map(fmt).unwrap_or_default()
                ),
                _ => "between periods of care".to_string(),
            };
            warn(
                diags,
                rules::REVIEW_OUTSIDE_CARE,
                "REVIEW",
                fmt(r.review),
                format!(
                    "review on {} is outside any period of care: {why}",
                    fmt(r.review)
                ),
            );
        }
    }
}

/// Compares the loaded returns with each other: episodes a later return
/// holds that an earlier loaded return should have held (they were open
/// during its year), one diagnostic per earlier year with the count; and, for
/// each year whose previous year is loaded, the periods of care its return
/// has open on 1 April against those the previous return had open at
/// 31 March. Needs the cohort's return history ([`Cohort::set_return_history`]).
pub(crate) fn returns(
    cohort: &Cohort,
    ep_years: &BTreeSet<CollectionYear>,
    ctx: &Ctx,
    diags: &mut Vec<Diagnostic>,
) {
    if ep_years.len() < 2 {
        return;
    }
    // Per earlier year: how many, and the first (its row and return).
    let mut missing: BTreeMap<CollectionYear, (u64, SourceRef, CollectionYear)> = BTreeMap::new();
    // Per year, periods of care open at 31 March of the year before and at its
    // own 31 March, as its own return has them.
    // (Counted per position in `ep_years`, then kept for the years some
    // child's return has episodes in.)
    // Each year with its 1 April, its 31 March and the 31 March before it,
    // worked out once (not per episode).
    let years: Vec<YearDates> = ep_years.iter().map(|&y| YearDates::of(y)).collect();
    let mut open_by_year: Vec<Option<(u64, u64)>> = vec![None; years.len()];
    let mut held = Vec::new();
    // One child-year's episodes without short breaks (reused).
    let mut in_care: Vec<&Episode> = Vec::new();
    for c in cohort.iter_children() {
        let Some(r) = c.returns else {
            return;
        };
        for (e, &h) in c.episodes.iter().zip(r.held_in) {
            let Some(first) = h.iter().next() else {
                continue;
            };
            let copy = r.as_returned(e, h, first).unwrap_or(e);
            for d in years.iter().take_while(|d| d.year < first) {
                if copy.overlaps(d.start, d.end) {
                    let m = missing.entry(d.year).or_insert((0, copy.source, first));
                    m.0 += 1;
                }
            }
        }
        for (d, o) in years.iter().zip(&mut open_by_year) {
            c.episodes_in_return(d.year, &mut held);
            if held.is_empty() {
                continue;
            }
            let o = o.get_or_insert((0, 0));
            // As `care::periods_without_short_breaks`, without a new vector
            // of episodes per child and year.
            in_care.clear();
            in_care.extend(held.iter().copied().filter(|e| !e.is_short_break()));
            for p in &care::derive_periods(c.idx, &in_care, 0) {
                o.0 += u64::from(p.open_on(d.previous_end));
                o.1 += u64::from(p.open_on(d.end));
            }
        }
    }
    let open: BTreeMap<CollectionYear, (u64, u64)> = years
        .iter()
        .zip(open_by_year)
        .filter_map(|(d, o)| Some((d.year, o?)))
        .collect();
    for (&y, &(n, src, later)) in &missing {
        diags.push(ctx.at(
            Severity::Warning,
            rules::MISSING_FROM_EARLIER_RETURN,
            TableKind::Episodes,
            src,
            y,
            None,
            None,
            format!(
                "{} in later returns were open during {} but are not in its return \
                 (for example line {} of {}, in the {} return); {} figures leave them out, \
                 as the DfE's do (--revised counts them)",
                plural(n, "episode", "episodes"),
                y.label(),
                src.line,
                ctx.file_name(src.file),
                later.label(),
                y.label(),
            ),
        ));
    }
    for (&y, &(at_start, _)) in &open {
        let prev = y.previous();
        let Some(&(_, prev_end)) = open.get(&prev) else {
            continue;
        };
        if at_start == prev_end {
            continue;
        }
        let not_carried = diags
            .iter()
            .filter(|d| d.rule == rules::OPEN_NOT_CARRIED_FORWARD && d.year == Some(prev))
            .count();
        let new_in_later = missing.get(&prev).map_or(0, |m| m.0);
        // The counts stay out of the message: diagnostics are shared, and a
        // count of periods here could give away a suppressed figure.
        let changed = as_returned_in(cohort, prev);
        let mut d = Diagnostic::new(
            Severity::Warning,
            rules::RETURNS_DISAGREE,
            format!(
                "the {} return has {} periods of care open on 1 April {} than the {} return had \
                 open at 31 March; possible causes: {} of later returns missing from the {} return \
                 (episode.missing_from_earlier_return), {} open at its end that the {} return does \
                 not carry forward (episode.open_not_carried_forward), {} of the {} return that a \
                 later return changed; each year's figures come from its own return (--revised \
                 recounts from the merged history)",
                y.label(),
                if at_start > prev_end { "more" } else { "fewer" },
                y.0 - 1,
                prev.label(),
                plural(new_in_later, "episode", "episodes"),
                prev.label(),
                plural(not_carried as u64, "episode", "episodes"),
                y.label(),
                plural(changed, "episode", "episodes"),
                prev.label(),
            ),
        );
        d.la = Some(ctx.la);
        d.year = Some(y);
        d.table = Some(TableKind::Episodes);
        diags.push(d);
    }
}

/// A collection year and the dates [`returns`] compares with, once per year.
struct YearDates {
    year: CollectionYear,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    /// 31 March of the year before.
    previous_end: chrono::NaiveDate,
}

impl YearDates {
    fn of(year: CollectionYear) -> Self {
        YearDates {
            year,
            start: year.start(),
            end: year.end(),
            previous_end: year.previous().end(),
        }
    }
}

/// `1 episode`, `2 episodes`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How many episodes of `year`'s return a later return changed in a way that
/// counts in `year` (its own copies kept beside the merged history; not the
/// copies kept because a repair, rather than a later return, closed them).
fn as_returned_in(cohort: &Cohort, year: CollectionYear) -> u64 {
    let mut n = 0;
    for c in cohort.iter_children() {
        let Some(r) = c.returns else {
            continue;
        };
        for copy in r.copies.iter().filter(|e| e.year == year) {
            let kept = c.episodes.iter().find(|e| e.decom == copy.decom);
            n += u64::from(kept.is_some_and(|k| k.year != year));
        }
    }
    n
}

/// Checks each child's Deprivation of Liberty Orders (the DoLo table, from
/// 2026-27; DfE rules 703–710) against the return's collection year, each
/// other, the child's DOB, the end of care and the placements in force
/// during them. Every finding is a warning: the orders are kept. (An order
/// ending before it starts, 702, is excluded when its row is read.)
pub(crate) fn deprivation_of_liberty(cohort: &Cohort, ctx: &Ctx, diags: &mut Vec<Diagnostic>) {
    use PlacementType::{K1, K2, K3, P1, R5, Z12, Z13};
    let orders = cohort.deprivation_of_liberty();
    let dolo_years: BTreeSet<CollectionYear> = cohort
        .years()
        .filter(|&y| cohort.has_table(y, TableKind::DoLo))
        .collect();
    let mut a = 0;
    while a < orders.len() {
        let child = orders[a].child;
        let mut b = a + 1;
        while b < orders.len() && orders[b].child == child {
            b += 1;
        }
        let rec = cohort.child(child);
        for (k, o) in orders[a..b].iter().enumerate() {
            let y = o.year;
            let warn = |diags: &mut Vec<Diagnostic>,
                        rule: &str,
                        field: &str,
                        value: NaiveDate,
                        msg: String| {
                diags.push(ctx.at(
                    Severity::Warning,
                    rule,
                    TableKind::DoLo,
                    o.source,
                    y,
                    Some(field),
                    Some(fmt(value)),
                    msg,
                ));
            };
            if o.dolo_start > y.end() {
                warn(
                    diags,
                    rules::DOLO_START_AFTER_YEAR,
                    "DOLO_START",
                    o.dolo_start,
                    format!(
                        "DOLO_START {} is after the end of the {} collection year",
                        fmt(o.dolo_start),
                        y.label()
                    ),
                );
            }
            if let Some(end) = o.dolo_end
                && (end < y.start() || end > y.end())
            {
                warn(
                    diags,
                    rules::DOLO_END_OUTSIDE_YEAR,
                    "DOLO_END",
                    end,
                    format!(
                        "DOLO_END {} is outside the {} collection year",
                        fmt(end),
                        y.label()
                    ),
                );
            }
            if let Some(prev) = k.checked_sub(1).map(|p| &orders[a + p])
                && prev.dolo_end.is_none_or(|e| o.dolo_start < e)
            {
                let why = match prev.dolo_end {
                    None => format!("the order from {} has no DOLO_END", fmt(prev.dolo_start)),
                    Some(e) => {
                        format!("the order from {} runs to {}", fmt(prev.dolo_start), fmt(e))
                    }
                };
                warn(
                    diags,
                    rules::DOLO_OVERLAP,
                    "DOLO_START",
                    o.dolo_start,
                    format!(
                        "an order starts on {} while the previous one is open: {why}",
                        fmt(o.dolo_start)
                    ),
                );
            }
            let next = CollectionYear(y.0 + 1);
            if o.dolo_end.is_none() && dolo_years.contains(&next) {
                warn(
                    diags,
                    rules::DOLO_NOT_CARRIED_FORWARD,
                    "DOLO_START",
                    o.dolo_start,
                    format!(
                        "the order from {} is open at the end of {} but the {} DoLo table does not return it",
                        fmt(o.dolo_start),
                        y.label(),
                        next.label()
                    ),
                );
            }
            if let Some(dob) = rec.child.dob
                && o.dolo_start < dob
            {
                warn(
                    diags,
                    rules::DOLO_BEFORE_DOB,
                    "DOLO_START",
                    o.dolo_start,
                    format!(
                        "DOLO_START {} is before the child's DOB in the Header",
                        fmt(o.dolo_start)
                    ),
                );
                if let Some(d) = diags.last_mut() {
                    d.personal_detail = Some(format!("Header DOB {}", fmt(dob)));
                }
            }
            // Within a period of care, as the DfE's rule 707 tests it: not
            // open once the period has ended, not open from before it began,
            // not ending after it ended or before it began.
            let fits = |p: &PeriodOfCare| {
                let outside = match o.dolo_end {
                    None => p.end.is_some() || o.dolo_start < p.start,
                    Some(end) => p.end.is_some_and(|e| end > e) || end < p.start,
                };
                !outside
            };
            if cohort.has_table(y, TableKind::Episodes)
                && !rec.periods.is_empty()
                && !rec.periods.iter().any(fits)
            {
                let last = rec.periods.last().and_then(|p| p.end);
                let msg = match (o.dolo_end, last) {
                    (None, Some(ended)) if ended >= o.dolo_start => format!(
                        "care ended on {} but the order from {} has no DOLO_END",
                        fmt(ended),
                        fmt(o.dolo_start)
                    ),
                    (end, _) => format!(
                        "the order from {} to {} lies outside the child's periods of care",
                        fmt(o.dolo_start),
                        end.map_or_else(|| "(open)".to_string(), fmt)
                    ),
                };
                warn(
                    diags,
                    rules::DOLO_OUTSIDE_CARE,
                    "DOLO_END",
                    o.dolo_start,
                    msg,
                );
            }
            // Placements in force during the order (an open order is in
            // force from its start on).
            for e in rec.episodes {
                let Some(place) = e.place else { continue };
                let in_force = e.decom <= o.dolo_end.unwrap_or(NaiveDate::MAX)
                    && e.dec.is_none_or(|d| d >= o.dolo_start);
                if !in_force || matches!(place, K2 | Z12 | Z13) {
                    continue;
                }
                let (rule, why) = if matches!(place, K1 | P1 | R5 | K3) {
                    (
                        rules::DOLO_PLACEMENT_NOT_ALLOWED,
                        "a child under a DoLO cannot be placed there",
                    )
                } else {
                    (
                        rules::DOLO_PLACEMENT_UNEXPECTED,
                        "K2, Z12 or Z13 is expected",
                    )
                };
                diags.push(ctx.at(
                    Severity::Warning,
                    rule,
                    TableKind::Episodes,
                    e.source,
                    e.year,
                    Some("PLACE"),
                    Some(place.code().to_string()),
                    format!(
                        "PLACE {} ({}) during the order from {}: {why}",
                        place.code(),
                        place.meaning(),
                        fmt(o.dolo_start)
                    ),
                ));
            }
        }
        a = b;
    }
}
