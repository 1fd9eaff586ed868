//! One authority's IRO-service record files, read, linked to its SSDA903
//! cohort (children by CHILD, held reviews by CHILD + REVIEW, both ways),
//! de-duplicated across files and years, and checked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use iro_domain::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::parse::{self, FileCtx, ParsedService, RawRow, Val};
use super::rules;
use super::schema::col;
use crate::child_id::strip_leading_zeros;
use crate::loaded::{FileInfo, FileStatus};
use crate::read::fmt;

/// What loading one authority's IRO-service records gives.
#[derive(Debug, Default)]
pub(crate) struct ServiceLoad {
    pub records: ServiceRecords,
    pub diags: Vec<Diagnostic>,
    pub accounts: Vec<ServiceRowAccount>,
    /// For each file read: its index, final status and data rows.
    pub files: Vec<(u32, FileStatus, u64)>,
}

/// A row on its way into the records: the file it came from (index into the
/// parsed files), the child it belongs to, and its parsed values.
#[derive(Debug, Clone)]
struct Staged {
    file: usize,
    row: RawRow,
    child: ChildIdx,
}

/// Looks CHILD values up among the cohort's children.
struct Children<'a> {
    exact: FxHashMap<&'a str, ChildIdx>,
    /// Without leading zeros; `None` when two children share the stripped form.
    stripped: FxHashMap<&'a str, Option<ChildIdx>>,
}

impl<'a> Children<'a> {
    fn new(cohort: &'a Cohort) -> Self {
        let mut exact = FxHashMap::default();
        let mut stripped: FxHashMap<&str, Option<ChildIdx>> = FxHashMap::default();
        for (i, c) in cohort.children().iter().enumerate() {
            let idx = ChildIdx(i as u32);
            exact.insert(c.child_id.as_ref(), idx);
            let s = strip_leading_zeros(&c.child_id);
            if !s.is_empty() {
                stripped
                    .entry(s)
                    .and_modify(|e| {
                        if *e != Some(idx) {
                            *e = None;
                        }
                    })
                    .or_insert(Some(idx));
            }
        }
        Children { exact, stripped }
    }

    /// The child, and whether only the stripped form matched.
    fn find(&self, id: &str) -> Option<(ChildIdx, bool)> {
        if let Some(&c) = self.exact.get(id) {
            return Some((c, false));
        }
        let s = strip_leading_zeros(id);
        self.stripped.get(s).copied().flatten().map(|c| (c, true))
    }
}

/// Reads, links and checks every IRO-service file of one authority. Files of
/// `excluded_years` (whose SSDA903 folder holds another year's return,
/// `year.mismatch`) are only counted: read and excluded.
pub(crate) fn load_la(
    la: LaCode,
    cohort: &Cohort,
    files: &[(u32, FileInfo)],
    excluded_years: &[CollectionYear],
) -> ServiceLoad {
    let mut out = ServiceLoad::default();
    let mut parsed: Vec<ParsedService> = Vec::new();
    let mut seen: BTreeMap<(CollectionYear, ServiceTable), String> = BTreeMap::new();
    let cla_links = read_cla_links(la, files, &mut out);
    let has_link_files = files
        .iter()
        .any(|(_, i)| matches!(i.status, FileStatus::ServiceLink(_)));
    for (idx, info) in files {
        let FileStatus::ServiceRecords(table) = info.status else {
            continue;
        };
        let p = parse::read(*idx, &info.path, la, info.year, table);
        if excluded_years.contains(&info.year) {
            out.files
                .push((*idx, FileStatus::ServiceExcluded(table), p.rows_read));
            out.accounts.push(ServiceRowAccount {
                la,
                year: info.year,
                table,
                rows_read: p.rows_read,
                rows_used: 0,
                rows_excluded: p.rows_read,
            });
            continue;
        }
        if let Some(first) = seen.get(&(info.year, table)) {
            out.diags.push(p.ctx.diag(
                Severity::Warning,
                rules::DUPLICATE_TABLE,
                None,
                None,
                None,
                format!(
                    "a second {table} file for {}: {first} is also read; rows are de-duplicated by key across both",
                    info.year.label()
                ),
            ));
        } else {
            seen.insert((info.year, table), p.ctx.file_name());
        }
        parsed.push(p);
    }
    if parsed.is_empty() {
        return out;
    }

    let children = Children::new(cohort);
    // (year, table) → (read, excluded)
    let mut counts: BTreeMap<(CollectionYear, ServiceTable), (u64, u64)> = BTreeMap::new();
    let mut staged: BTreeMap<ServiceTable, Vec<Staged>> = BTreeMap::new();
    for (k, p) in parsed.iter_mut().enumerate() {
        let table = p.ctx.table;
        out.diags.append(&mut p.diags);
        let status = if p.complete {
            FileStatus::ServiceRecords(table)
        } else {
            FileStatus::ServiceExcluded(table)
        };
        out.files.push((p.ctx.idx, status, p.rows_read));
        let e = counts.entry((p.ctx.year, table)).or_default();
        e.0 += p.rows_read;
        e.1 += p.rows_excluded;
        if !p.complete {
            continue;
        }
        out.records
            .tables
            .entry(p.ctx.year)
            .or_default()
            .entry(table)
            .or_default()
            .extend(p.columns.iter().copied());
        let mut outside = (0u64, None::<u32>);
        if let (Some(via), false) = (p.child_via, has_link_files) {
            // Nothing links these reviews' CLA ids to children: one
            // diagnostic for the file, not one per row.
            let first = p.rows.first().map(|r| r.line);
            out.diags.push(p.ctx.diag(
                Severity::Error,
                rules::SSD_NO_CLA_EPISODES,
                first,
                Some("CHILD"),
                None,
                format!(
                    "{} review row(s) name a {} but LA {la} has no SSD ssd_cla_episodes file to link them to children; rows excluded",
                    p.rows.len(),
                    via.review_column(),
                ),
            ));
            e.1 += p.rows.len() as u64;
            p.rows.clear();
        }
        staged.entry(table).or_default().reserve(p.rows.len());
        for row in std::mem::take(&mut p.rows) {
            let mut id = row
                .at(col::child(table))
                .text()
                .unwrap_or_default()
                .to_string();
            if let Some(via) = p.child_via {
                // An SSD review names its CLA (or CLA episode) id: the child
                // is the person `ssd_cla_episodes` gives for it.
                let Some(person) = cla_links.get(&(via, id.as_str().into())) else {
                    out.diags.push(p.ctx.diag(
                        Severity::Error,
                        rules::SSD_CLA_UNKNOWN,
                        Some(row.line),
                        Some("CHILD"),
                        Some(id.clone()),
                        format!(
                            "{} matches no {} in LA {la}'s SSD ssd_cla_episodes files; row excluded",
                            via.review_column(),
                            via.episode_column()
                        ),
                    ));
                    e.1 += 1;
                    continue;
                };
                id = person.to_string();
            }
            let Some((child, stripped)) = children.find(&id) else {
                let what = if p.child_via.is_some() {
                    format!(
                        "the {} that ssd_cla_episodes gives for this {}",
                        super::ssd::EPISODE_PERSON_ID,
                        p.ctx.column_name("CHILD")
                    )
                } else {
                    p.ctx.column_name("CHILD").to_string()
                };
                out.diags.push(p.ctx.diag(
                    Severity::Error,
                    rules::CHILD_UNKNOWN,
                    Some(row.line),
                    Some("CHILD"),
                    Some(id),
                    format!(
                        "{what} matches no child in LA {la}'s SSDA903 files; {table} row excluded"
                    ),
                ));
                e.1 += 1;
                continue;
            };
            if stripped {
                // The SSDA903 form of the id is not named in the message
                // (messages are shared), only in the personal detail.
                let mut d = p.ctx.diag(
                    Severity::Warning,
                    rules::CHILD_LEADING_ZEROS,
                    Some(row.line),
                    Some("CHILD"),
                    Some(id),
                    "CHILD matches an SSDA903 child only once leading zeros are removed; linked"
                        .into(),
                );
                d.personal_detail = cohort
                    .children()
                    .get(child.get())
                    .map(|c| format!("linked to CHILD {}", c.child_id));
                out.diags.push(d);
            }
            if let Some(problem) = row_problem(table, &row) {
                let (rule, field, msg) = problem;
                out.diags.push(p.ctx.diag(
                    Severity::Error,
                    rule,
                    Some(row.line),
                    Some(field),
                    None,
                    msg,
                ));
                e.1 += 1;
                continue;
            }
            if !fits_year(table, &row, p.ctx.year) {
                outside.0 += 1;
                outside.1.get_or_insert(row.line);
            }
            staged.entry(table).or_default().push(Staged {
                file: k,
                row,
                child,
            });
        }
        if outside.0 > 0 {
            out.diags.push(p.ctx.diag(
                Severity::Warning,
                rules::YEAR_MISMATCH,
                outside.1,
                None,
                None,
                format!(
                    "{} of the {table} rows are dated outside {}, the collection year of their folder; read",
                    outside.0,
                    p.ctx.year.label()
                ),
            ));
        }
    }
    let ctxs: Vec<&FileCtx> = parsed.iter().map(|p| &p.ctx).collect();

    // De-duplicate by key: the latest year's copy wins; within a year the first.
    for (table, rows) in staged.iter_mut() {
        let kept = dedupe(
            *table,
            std::mem::take(rows),
            &ctxs,
            &mut counts,
            &mut out.diags,
        );
        *rows = kept;
    }

    // Intern IRO_ID, DRP_ID and issue categories in sorted order (stable output).
    let mut iros: FxHashSet<&str> = FxHashSet::default();
    let mut drp_ids: FxHashSet<&str> = FxHashSet::default();
    let mut issues: FxHashSet<&str> = FxHashSet::default();
    for (table, rows) in &staged {
        for s in rows {
            if let Some(t) = s.row.at(col::iro(*table)).text() {
                iros.insert(t);
            }
            if *table == ServiceTable::DrpLog {
                if let Some(t) = s.row.at(col::drp::DRP_ID).text() {
                    drp_ids.insert(t);
                }
                if let Val::List(l) = s.row.at(col::drp::ISSUE_CATEGORY) {
                    issues.extend(l.iter().map(|c| c.as_ref()));
                }
            }
        }
    }
    let sorted = |set: FxHashSet<&str>| -> Vec<String> {
        let mut v: Vec<String> = set.into_iter().map(str::to_string).collect();
        v.sort_unstable();
        v
    };
    let (iros, drp_ids, issues) = (sorted(iros), sorted(drp_ids), sorted(issues));
    let index = |v: &[String]| -> FxHashMap<String, usize> {
        v.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect()
    };
    let (iro_ix, drp_ix, issue_ix) = (index(&iros), index(&drp_ids), index(&issues));
    let find = |m: &FxHashMap<String, usize>, s: &str| m.get(s).copied();
    let iro_of = |s: &Staged, table: ServiceTable| {
        s.row
            .at(col::iro(table))
            .text()
            .and_then(|t| find(&iro_ix, t))
            .map(|i| IroIdx(i as u32))
    };
    let src = |s: &Staged| SourceRef {
        file: ctxs[s.file].idx,
        line: s.row.line,
    };

    let t = ServiceTable::IroReviews;
    // SSD reviews' last IRO contact, by index into the reviews.
    let mut contacts: Vec<(usize, NaiveDate)> = Vec::new();
    for s in staged.remove(&t).unwrap_or_default() {
        let status = ReviewStatus::ALL[s.row.at(col::reviews::STATUS).code().unwrap_or(0).min(2)];
        let mut r = IroReview {
            child: s.child,
            review: s
                .row
                .at(col::reviews::REVIEW)
                .date()
                .unwrap_or(NaiveDate::MIN),
            review_due: s.row.at(col::reviews::REVIEW_DUE).date(),
            review_type: s
                .row
                .at(col::reviews::REVIEW_TYPE)
                .code()
                .and_then(|c| ReviewType::ALL.get(c).copied()),
            status,
            iro: iro_of(&s, t),
            sw_report_received: s.row.at(col::reviews::SW_REPORT_RECEIVED).date(),
            decisions_sent: s.row.at(col::reviews::DECISIONS_SENT).date(),
            record_sent: s.row.at(col::reviews::RECORD_SENT).date(),
            iro_met_child: s.row.at(col::reviews::IRO_MET_CHILD).boolean(),
            mode: s
                .row
                .at(col::reviews::MODE)
                .code()
                .and_then(|c| ReviewMode::ALL.get(c).copied()),
            year: ctxs[s.file].year,
            source: src(&s),
        };
        for (field, slot) in [
            ("DECISIONS_SENT", &mut r.decisions_sent),
            ("RECORD_SENT", &mut r.record_sent),
        ] {
            if let Some(d) = *slot
                && d < r.review
            {
                out.diags.push(ctxs[s.file].diag(
                    Severity::Warning,
                    rules::SENT_BEFORE_REVIEW,
                    Some(s.row.line),
                    Some(field),
                    None,
                    format!(
                        "{field} {} is before the review on {}; date left blank",
                        fmt(d),
                        fmt(r.review)
                    ),
                ));
                *slot = None;
            }
        }
        match_review_to_903(&r, cohort, ctxs[s.file], s.row.line, &mut out.diags);
        if let Some(code) = s.row.participation {
            participation_against_903(&r, code, cohort, ctxs[s.file], s.row.line, &mut out.diags);
        }
        if let Some(c) = s.row.last_contact {
            contacts.push((out.records.reviews.len(), c));
        }
        out.records.reviews.push(r);
    }
    met_child_from_contacts(&mut out.records.reviews, &contacts);

    let t = ServiceTable::IroAllocations;
    for s in staged.remove(&t).unwrap_or_default() {
        out.records.allocations.push(IroAllocation {
            child: s.child,
            iro: iro_of(&s, t).unwrap_or(IroIdx(0)),
            start: s
                .row
                .at(col::allocations::IRO_START)
                .date()
                .unwrap_or(NaiveDate::MIN),
            end: s.row.at(col::allocations::IRO_END).date(),
            change_reason: s
                .row
                .at(col::allocations::CHANGE_REASON)
                .text()
                .map(Into::into),
            year: ctxs[s.file].year,
            source: src(&s),
        });
    }

    let t = ServiceTable::MidwayReviews;
    for s in staged.remove(&t).unwrap_or_default() {
        out.records.midway.push(MidwayReview {
            child: s.child,
            iro: iro_of(&s, t),
            due: s.row.at(col::midway::MIDWAY_DUE).date(),
            completed: s.row.at(col::midway::MIDWAY_DATE).date(),
            year: ctxs[s.file].year,
            source: src(&s),
        });
    }

    let t = ServiceTable::DrpLog;
    let mut drp_rows: Vec<(DrpStage, usize)> = Vec::new();
    for s in staged.remove(&t).unwrap_or_default() {
        let drp = s
            .row
            .at(col::drp::DRP_ID)
            .text()
            .and_then(|d| find(&drp_ix, d))
            .map_or(DrpIdx(0), |i| DrpIdx(i as u32));
        let issues_of: Vec<IssueIdx> = match s.row.at(col::drp::ISSUE_CATEGORY) {
            Val::List(l) => l
                .iter()
                .filter_map(|c| find(&issue_ix, c))
                .map(|i| IssueIdx(u16::try_from(i).unwrap_or(u16::MAX)))
                .collect(),
            _ => Vec::new(),
        };
        drp_rows.push((
            DrpStage {
                drp,
                child: s.child,
                iro: iro_of(&s, t),
                raised: s.row.at(col::drp::RAISED).date().unwrap_or(NaiveDate::MIN),
                issues: issues_of,
                stage: match s.row.at(col::drp::STAGE) {
                    Val::Int(n) => *n,
                    _ => 0,
                },
                stage_start: s
                    .row
                    .at(col::drp::STAGE_START)
                    .date()
                    .unwrap_or(NaiveDate::MIN),
                response_due: s.row.at(col::drp::RESPONSE_DUE).date(),
                response_date: s.row.at(col::drp::RESPONSE_DATE).date(),
                outcome: s
                    .row
                    .at(col::drp::OUTCOME)
                    .code()
                    .and_then(|c| DrpOutcome::ALL.get(c).copied()),
                cafcass_referral: s.row.at(col::drp::CAFCASS_REFERRAL).boolean(),
                year: ctxs[s.file].year,
                source: src(&s),
            },
            s.file,
        ));
    }
    let drp = check_drps(drp_rows, cohort, &ctxs, &mut counts, &mut out.diags);
    out.records.drp = drp;

    check_allocations(&out.records, cohort, &ctxs_by_idx(&ctxs), &mut out.diags);
    if !out.records.reviews.is_empty()
        || out
            .records
            .tables
            .values()
            .any(|t| t.contains_key(&ServiceTable::IroReviews))
    {
        reviews_without_record(&out.records, cohort, files, &mut out.diags);
    }

    out.records.iros = iros.into_iter().map(Into::into).collect();
    out.records.drp_ids = drp_ids.into_iter().map(Into::into).collect();
    out.records.issue_categories = issues.into_iter().map(Into::into).collect();
    out.accounts
        .extend(
            counts
                .into_iter()
                .map(|((year, table), (read, excluded))| ServiceRowAccount {
                    la,
                    year,
                    table,
                    rows_read: read,
                    rows_used: read.saturating_sub(excluded),
                    rows_excluded: excluded.min(read),
                }),
        );
    out.accounts.sort_by_key(|a| (a.year, a.table));
    out
}

fn ctxs_by_idx<'a>(ctxs: &[&'a FileCtx]) -> FxHashMap<u32, &'a FileCtx> {
    ctxs.iter().map(|c| (c.idx, *c)).collect()
}

/// A problem that makes a row unusable once its fields are read: (rule, field, message).
fn row_problem(table: ServiceTable, row: &RawRow) -> Option<(&'static str, &'static str, String)> {
    match table {
        ServiceTable::IroAllocations => {
            let start = row.at(col::allocations::IRO_START).date()?;
            let end = row.at(col::allocations::IRO_END).date()?;
            (end < start).then(|| {
                (
                    rules::ALLOCATION_END_BEFORE_START,
                    "IRO_END",
                    format!(
                        "IRO_END {} is before IRO_START {}; row excluded",
                        fmt(end),
                        fmt(start)
                    ),
                )
            })
        }
        ServiceTable::MidwayReviews => {
            let none = row.at(col::midway::MIDWAY_DUE).date().is_none()
                && row.at(col::midway::MIDWAY_DATE).date().is_none();
            none.then(|| {
                (
                    rules::MIDWAY_NO_DATES,
                    "MIDWAY_DATE",
                    "neither MIDWAY_DUE nor MIDWAY_DATE is given; row excluded".to_string(),
                )
            })
        }
        _ => None,
    }
}

/// Whether a row belongs in the collection year of its folder.
fn fits_year(table: ServiceTable, row: &RawRow, year: CollectionYear) -> bool {
    let g = |i| row.at(i).date();
    let (from, to) = (year.start(), year.end());
    match table {
        ServiceTable::IroReviews => g(col::reviews::REVIEW).is_some_and(|d| year.contains(d)),
        ServiceTable::IroAllocations => {
            g(col::allocations::IRO_START).is_some_and(|s| s <= to)
                && g(col::allocations::IRO_END).is_none_or(|e| e >= from)
        }
        ServiceTable::MidwayReviews => {
            g(col::midway::MIDWAY_DUE).is_some_and(|d| year.contains(d))
                || g(col::midway::MIDWAY_DATE).is_some_and(|d| year.contains(d))
        }
        ServiceTable::DrpLog => {
            g(col::drp::STAGE_START).is_some_and(|s| s <= to)
                && g(col::drp::RESPONSE_DATE).is_none_or(|r| r >= from)
        }
    }
}

/// The key that identifies a row across files and years: (child or stage,
/// IRO_ID or DRP_ID or a tag, date), borrowed from the row.
type Key<'a> = (u32, &'a str, NaiveDate);

fn key(table: ServiceTable, s: &Staged) -> Key<'_> {
    let d = |i| s.row.at(i).date().unwrap_or(NaiveDate::MIN);
    let text = |i| s.row.at(i).text().unwrap_or_default();
    match table {
        ServiceTable::IroReviews => (s.child.0, "", d(col::reviews::REVIEW)),
        ServiceTable::IroAllocations => (
            s.child.0,
            text(col::allocations::IRO_ID),
            d(col::allocations::IRO_START),
        ),
        ServiceTable::MidwayReviews => match s.row.at(col::midway::MIDWAY_DUE).date() {
            Some(due) => (s.child.0, "due", due),
            None => (s.child.0, "done", d(col::midway::MIDWAY_DATE)),
        },
        ServiceTable::DrpLog => (
            match s.row.at(col::drp::STAGE) {
                Val::Int(n) => u32::from(*n),
                _ => 0,
            },
            text(col::drp::DRP_ID),
            d(col::drp::STAGE_START),
        ),
    }
}

fn dedupe(
    table: ServiceTable,
    rows: Vec<Staged>,
    ctxs: &[&FileCtx],
    counts: &mut BTreeMap<(CollectionYear, ServiceTable), (u64, u64)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Staged> {
    // Within a key: the latest year first, then file order, then line (a
    // total order: no two rows share a file and line).
    let keys: Vec<Key<'_>> = rows.iter().map(|s| key(table, s)).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|&ia, &ib| {
        let (a, b) = (&rows[ia], &rows[ib]);
        keys[ia]
            .cmp(&keys[ib])
            .then_with(|| ctxs[b.file].year.cmp(&ctxs[a.file].year))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.row.line.cmp(&b.row.line))
    });
    let mut keep = vec![false; rows.len()];
    let mut kept: Option<usize> = None;
    for &i in &order {
        let s = &rows[i];
        if let Some(k) = kept
            && keys[k] == keys[i]
        {
            let kept_row = &rows[k];
            let kept_ctx = ctxs[kept_row.file];
            let ctx = ctxs[s.file];
            if ctx.year < kept_ctx.year {
                // Superseded by a later year's copy: used, not excluded.
                continue;
            }
            counts.entry((ctx.year, table)).or_default().1 += 1;
            let same = s.row.content == kept_row.row.content;
            let (sev, rule) = if same {
                (Severity::Warning, rules::DUPLICATE_ROW)
            } else {
                (Severity::Error, rules::DUPLICATE_KEY)
            };
            let what = if same {
                "exact copy of"
            } else {
                "same key as, but different from,"
            };
            diags.push(ctx.diag(
                sev,
                rule,
                Some(s.row.line),
                None,
                None,
                format!(
                    "{table}: {what} line {} of {}; this row excluded",
                    kept_row.row.line,
                    kept_ctx.file_name()
                ),
            ));
            continue;
        }
        kept = Some(i);
        keep[i] = true;
    }
    drop(keys);
    let mut out: Vec<(usize, Staged)> = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .collect();
    // Keep the sorted order (by key), as before.
    let rank: Vec<usize> = {
        let mut r = vec![0; keep.len()];
        for (pos, &i) in order.iter().enumerate() {
            r[i] = pos;
        }
        r
    };
    out.sort_by_key(|(i, _)| rank[*i]);
    out.into_iter().map(|(_, s)| s).collect()
}

/// IRO_MET_CHILD of SSD reviews from their last IRO contact date and the
/// child's previous held review (`ssd::met_child`).
fn met_child_from_contacts(reviews: &mut [IroReview], contacts: &[(usize, NaiveDate)]) {
    if contacts.is_empty() {
        return;
    }
    let mut held: FxHashMap<ChildIdx, Vec<NaiveDate>> = FxHashMap::default();
    for r in reviews.iter().filter(|r| r.status == ReviewStatus::Held) {
        held.entry(r.child).or_default().push(r.review);
    }
    for dates in held.values_mut() {
        dates.sort_unstable();
    }
    for &(i, contact) in contacts {
        let r = &mut reviews[i];
        if r.status != ReviewStatus::Held {
            continue;
        }
        let previous = held
            .get(&r.child)
            .and_then(|d| d.iter().rev().find(|d| **d < r.review).copied());
        r.iro_met_child = super::ssd::met_child(contact, r.review, previous);
    }
}

/// The person each CLA id and CLA episode id is, from `ssd_cla_episodes`.
type ClaLinks = FxHashMap<(super::ssd::LinkKey, Box<str>), Box<str>>;

/// Reads the authority's `ssd_cla_episodes` files: each CLA (episode) id's person.
fn read_cla_links(la: LaCode, files: &[(u32, FileInfo)], out: &mut ServiceLoad) -> ClaLinks {
    let mut links = ClaLinks::default();
    for (idx, info) in files {
        let FileStatus::ServiceLink(table) = info.status else {
            continue;
        };
        let mut f = parse::read_links(*idx, &info.path, la, info.year);
        out.diags.append(&mut f.diags);
        out.files
            .push((*idx, FileStatus::ServiceLink(table), f.rows_read));
        let mut conflicts = BTreeMap::<super::ssd::LinkKey, (u64, u32)>::new();
        for (key, id, person, line) in f.links {
            match links.get(&(key, id.clone())) {
                Some(p) if *p != person => {
                    conflicts.entry(key).or_insert((0, line)).0 += 1;
                }
                Some(_) => {}
                None => {
                    links.insert((key, id), person);
                }
            }
        }
        for (key, (n, first)) in conflicts {
            out.diags.push(f.ctx.diag(
                Severity::Warning,
                rules::SSD_CLA_PERSON_CONFLICT,
                Some(first),
                Some(super::ssd::EPISODE_PERSON_ID),
                None,
                format!(
                    "{n} row(s) give a {} another {} than an earlier row; the first is used",
                    key.episode_column(),
                    super::ssd::EPISODE_PERSON_ID
                ),
            ));
        }
    }
    links
}

/// An SSD review's participation code against the SSDA903 REVIEW_CODE of the
/// child's review that day (when the SSDA903 has one with a code).
fn participation_against_903(
    r: &IroReview,
    code: ParticipationCode,
    cohort: &Cohort,
    ctx: &FileCtx,
    line: u32,
    diags: &mut Vec<Diagnostic>,
) {
    let reviews = &cohort.child(r.child).reviews;
    let Ok(i) = reviews.binary_search_by_key(&r.review, |x| x.review) else {
        return;
    };
    if let Some(in_903) = reviews[i].review_code
        && in_903 != code
    {
        diags.push(ctx.diag(
            Severity::Warning,
            rules::SSD_PARTICIPATION_DIFFERS,
            Some(line),
            Some(super::ssd::PARTICIPATION_COLUMN),
            Some(code.code().into()),
            format!(
                "participation {} differs from the SSDA903 REVIEW_CODE {} of the review on {}; the SSDA903's is used",
                code.code(),
                in_903.code(),
                fmt(r.review)
            ),
        ));
    }
}

/// A held review should be in the SSDA903 Reviews table of its year; a
/// cancelled or adjourned one should not.
fn match_review_to_903(
    r: &IroReview,
    cohort: &Cohort,
    ctx: &FileCtx,
    line: u32,
    diags: &mut Vec<Diagnostic>,
) {
    let year = CollectionYear::containing(r.review);
    if !cohort.has_table(year, TableKind::Reviews) {
        return;
    }
    let in_903 = cohort
        .child(r.child)
        .reviews
        .binary_search_by_key(&r.review, |x| x.review)
        .is_ok();
    match (r.status, in_903) {
        (ReviewStatus::Held, false) => diags.push(ctx.diag(
            Severity::Warning,
            rules::REVIEW_NOT_IN_903,
            Some(line),
            Some("REVIEW"),
            None,
            format!(
                "held review on {} is not in the SSDA903 Reviews table for {} (no review of this child that day)",
                fmt(r.review),
                year.label()
            ),
        )),
        (ReviewStatus::Cancelled | ReviewStatus::Adjourned, true) => diags.push(ctx.diag(
            Severity::Warning,
            rules::REVIEW_STATUS_CONFLICT,
            Some(line),
            Some("STATUS"),
            Some(r.status.code().into()),
            format!(
                "{} meeting on {}, but the SSDA903 Reviews table has a review held that day",
                r.status.label(),
                fmt(r.review)
            ),
        )),
        _ => {}
    }
}

/// Every SSDA903 review in a year with IRO reviews supplied should have a
/// HELD row: reported at the SSDA903 row.
fn reviews_without_record(
    records: &ServiceRecords,
    cohort: &Cohort,
    files: &[(u32, FileInfo)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut held: BTreeSet<(ChildIdx, NaiveDate)> = BTreeSet::new();
    for r in &records.reviews {
        if r.status == ReviewStatus::Held {
            held.insert((r.child, r.review));
        }
    }
    let file_of: FxHashMap<u32, &FileInfo> = files.iter().map(|(i, f)| (*i, f)).collect();
    for r in cohort.reviews() {
        let year = CollectionYear::containing(r.review);
        if !records.has_table(year, ServiceTable::IroReviews) || held.contains(&(r.child, r.review))
        {
            continue;
        }
        let mut d = Diagnostic::new(
            Severity::Warning,
            rules::REVIEW_NO_RECORD,
            format!(
                "SSDA903 review on {} has no HELD row in the IRO reviews for {}",
                fmt(r.review),
                year.label()
            ),
        );
        d.la = Some(cohort.la());
        d.year = Some(r.year);
        d.table = Some(TableKind::Reviews);
        d.line = Some(u64::from(r.source.line));
        d.field = Some("REVIEW".into());
        if let Some(f) = file_of.get(&r.source.file) {
            d.file = Some(f.path.clone());
            d.column = f
                .headers
                .iter()
                .position(|h| h == "REVIEW")
                .map(|c| c as u32 + 1);
        }
        diags.push(d);
    }
}

/// Whether the child has a period of care (ordinary or short breaks) that
/// overlaps `[from, to]`.
fn in_care(cohort: &Cohort, child: ChildIdx, from: NaiveDate, to: NaiveDate) -> bool {
    cohort
        .child(child)
        .periods
        .iter()
        .any(|p| p.overlaps(from, to))
}

fn check_allocations(
    records: &ServiceRecords,
    cohort: &Cohort,
    ctxs: &FxHashMap<u32, &FileCtx>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut by_child: BTreeMap<ChildIdx, Vec<&IroAllocation>> = BTreeMap::new();
    for a in &records.allocations {
        by_child.entry(a.child).or_default().push(a);
    }
    for (child, mut allocs) in by_child {
        allocs.sort_by_key(|a| (a.start, a.end.unwrap_or(NaiveDate::MAX)));
        for (i, a) in allocs.iter().enumerate() {
            let Some(ctx) = ctxs.get(&a.source.file) else {
                continue;
            };
            let end = a.end.unwrap_or(NaiveDate::MAX);
            if !in_care(cohort, child, a.start, end) {
                diags.push(ctx.diag(
                    Severity::Warning,
                    rules::ALLOCATION_OUTSIDE_CARE,
                    Some(a.source.line),
                    Some("IRO_START"),
                    None,
                    "the allocation overlaps none of the child's periods of care in the SSDA903 data"
                        .into(),
                ));
            }
            if let Some(prev) = allocs[..i]
                .iter()
                .rev()
                .find(|p| p.iro != a.iro && p.end.is_none_or(|e| e >= a.start))
            {
                diags.push(ctx.diag(
                    Severity::Warning,
                    rules::ALLOCATION_OVERLAP,
                    Some(a.source.line),
                    Some("IRO_START"),
                    None,
                    format!(
                        "this allocation starts on {} while another IRO's allocation from {} has not ended; the later one counts from its start",
                        fmt(a.start),
                        fmt(prev.start)
                    ),
                ));
            }
        }
    }
}

/// Checks each escalation's stages; returns the rows kept.
fn check_drps(
    mut rows: Vec<(DrpStage, usize)>,
    cohort: &Cohort,
    ctxs: &[&FileCtx],
    counts: &mut BTreeMap<(CollectionYear, ServiceTable), (u64, u64)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DrpStage> {
    rows.sort_by_key(|(s, _)| (s.drp, s.stage_start, s.stage, s.source));
    let mut out = Vec::with_capacity(rows.len());
    for group in rows.chunk_by(|a, b| a.0.drp == b.0.drp) {
        let child = group[0].0.child;
        let raised = group
            .iter()
            .filter(|(s, _)| s.child == child)
            .map(|(s, _)| s.raised)
            .min()
            .unwrap_or(group[0].0.raised);
        let mut kept: Vec<(DrpStage, usize)> = Vec::new();
        for (s, file) in group {
            let ctx = ctxs[*file];
            // Dates are named in the message, never given as the value: a
            // bare date in a shareable output could be (or be taken for) a
            // date of birth.
            let at = |sev, rule, field: &str, value: Option<String>, msg: String| {
                ctx.diag(sev, rule, Some(s.source.line), Some(field), value, msg)
            };
            if s.child != child {
                counts
                    .entry((ctx.year, ServiceTable::DrpLog))
                    .or_default()
                    .1 += 1;
                diags.push(at(
                    Severity::Error,
                    rules::DRP_CHILD_MISMATCH,
                    "CHILD",
                    Some(cohort.children()[s.child.get()].child_id.to_string()),
                    "another row of this DRP_ID names a different child; row excluded".into(),
                ));
                continue;
            }
            let mut s = s.clone();
            if s.raised != raised {
                diags.push(at(
                    Severity::Warning,
                    rules::DRP_RAISED_MISMATCH,
                    "RAISED",
                    None,
                    format!(
                        "RAISED differs between rows of this DRP_ID; the earliest, {}, is used",
                        fmt(raised)
                    ),
                ));
                s.raised = raised;
            }
            if s.stage_start < s.raised {
                diags.push(at(
                    Severity::Warning,
                    rules::DRP_STAGE_BEFORE_RAISED,
                    "STAGE_START",
                    None,
                    format!(
                        "stage {} starts before the escalation was raised ({})",
                        s.stage,
                        fmt(s.raised)
                    ),
                ));
            }
            if let Some(r) = s.response_date
                && r < s.stage_start
            {
                diags.push(at(
                    Severity::Warning,
                    rules::DRP_RESPONSE_BEFORE_STAGE,
                    "RESPONSE_DATE",
                    None,
                    format!(
                        "response on {} is before stage {} began ({}); response date left blank",
                        fmt(r),
                        s.stage,
                        fmt(s.stage_start)
                    ),
                ));
                s.response_date = None;
            }
            if let Some((prev, _)) = kept.last() {
                if prev.outcome.is_some_and(DrpOutcome::ends) {
                    diags.push(at(
                        Severity::Warning,
                        rules::DRP_STAGE_AFTER_END,
                        "STAGE",
                        Some(s.stage.to_string()),
                        format!(
                            "stage {} follows stage {}, whose outcome ({}) ended the escalation",
                            s.stage,
                            prev.stage,
                            prev.outcome.map_or("", DrpOutcome::code)
                        ),
                    ));
                }
                if s.stage <= prev.stage {
                    diags.push(at(
                        Severity::Warning,
                        rules::DRP_STAGE_ORDER,
                        "STAGE",
                        Some(s.stage.to_string()),
                        format!(
                            "stage {} follows stage {} of the same escalation",
                            s.stage, prev.stage
                        ),
                    ));
                }
            }
            if kept.is_empty() && !in_care(cohort, child, s.raised, s.raised) {
                diags.push(at(
                    Severity::Warning,
                    rules::DRP_OUTSIDE_CARE,
                    "RAISED",
                    None,
                    format!(
                        "the escalation was raised on {}, when the child was in no period of care in the SSDA903 data",
                        fmt(s.raised)
                    ),
                ));
            }
            kept.push((s, *file));
        }
        if let Some((last, file)) = kept.last()
            && last.outcome == Some(DrpOutcome::Escalated)
        {
            diags.push(ctxs[*file].diag(
                Severity::Warning,
                rules::DRP_ESCALATED_NO_NEXT,
                Some(last.source.line),
                Some("OUTCOME"),
                Some(DrpOutcome::Escalated.code().into()),
                format!(
                    "stage {} was escalated but no later stage of this DRP_ID is recorded",
                    last.stage
                ),
            ));
        }
        out.extend(kept.into_iter().map(|(s, _)| s));
    }
    out
}
