//! Merging one authority's files: children resolved across tables and years,
//! duplicates removed, later returns preferred, cross-table checks, and the
//! cohort built.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use iro_domain::*;
use rustc_hash::FxHashMap;

use crate::checks;
use crate::header::ColumnMap;
use crate::loaded::{FileInfo, FileStatus};
use crate::read::{ChildMap, ParsedFile, fmt, pack_bytes};
use crate::rules;
use crate::staged::*;

/// What merging one authority gives.
#[derive(Debug)]
pub(crate) struct LaOutput {
    pub cohort: Cohort,
    pub diags: Vec<Diagnostic>,
    pub accounts: Vec<RowAccount>,
    pub files: Vec<(u32, FileInfo)>,
}

/// Locates rows in their files for diagnostics.
pub(crate) struct Ctx<'a> {
    pub la: LaCode,
    files: FxHashMap<u32, (&'a Path, Option<&'a ColumnMap>)>,
    /// The tables read out of XML returns: where their rows are.
    xml: FxHashMap<u32, &'a crate::split::Part>,
}

impl Ctx<'_> {
    /// A diagnostic about one row.
    #[allow(clippy::too_many_arguments)]
    pub fn at(
        &self,
        severity: Severity,
        rule: &str,
        table: TableKind,
        src: SourceRef,
        year: CollectionYear,
        field: Option<&str>,
        value: Option<String>,
        message: String,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(severity, rule, message);
        d.la = Some(self.la);
        d.year = Some(year);
        d.table = Some(table);
        d.line = Some(src.line as u64);
        if let Some((path, cols)) = self.files.get(&src.file) {
            d.file = Some(path.to_path_buf());
            if let (Some(f), Some(cols)) = (field, cols) {
                d.column = cols.position(f).map(|i| i as u32 + 1);
            }
        }
        if let Some(part) = self.xml.get(&src.file)
            && let Some(xml) = &part.xml
        {
            // A row of an XML return: its element path when its line names
            // one row, and the line of the field's element.
            d.column = None;
            if let Some(k) = crate::xml::XmlRecords::record_at_line(&part.lines, src.line) {
                d.within = xml.path(k).map(str::to_string);
                let column = field.and_then(|f| table.columns().iter().position(|c| *c == f));
                if let Some(line) = column.and_then(|c| xml.field_line(k, c)) {
                    d.line = Some(u64::from(line));
                }
            }
        }
        d.field = field.map(str::to_string);
        d.value = value;
        d
    }

    /// The file name of a row's file, for messages.
    pub fn file_name(&self, file: u32) -> String {
        self.files
            .get(&file)
            .and_then(|(p, _)| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

const AMBIGUOUS: u32 = u32::MAX;

fn ybit(y: CollectionYear) -> u128 {
    1u128 << (y.0 - 1990).clamp(0, 127)
}

/// An earlier Header row whose DOB or SEX differs from the latest one:
/// (earlier row, latest DOB, latest SEX, latest year).
type HeaderChange = (
    Staged<HeaderRow>,
    Option<NaiveDate>,
    Option<Sex>,
    CollectionYear,
);

/// Row counts per (year, table): read and excluded.
type Counts = BTreeMap<(CollectionYear, TableKind), (u64, u64)>;

pub(crate) fn merge_la(
    la: LaCode,
    la_years: &BTreeSet<CollectionYear>,
    mut files: Vec<ParsedFile>,
    basis: FigureBasis,
) -> LaOutput {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut counts: Counts = BTreeMap::new();
    let mut tables: BTreeMap<CollectionYear, BTreeSet<TableKind>> = BTreeMap::new();

    // Rows out of the files; from here on the files are only borrowed.
    let mut taken: Vec<(usize, TableRows)> = Vec::new();
    for (k, f) in files.iter_mut().enumerate() {
        diags.append(&mut f.diags);
        if let Some(t) = f.info.table {
            let e = counts.entry((f.info.year, t)).or_default();
            e.0 += f.rows_read;
            e.1 += f.rows_excluded;
        }
        if f.info.status == FileStatus::Read
            && let Some(t) = f.info.table
        {
            tables.entry(f.info.year).or_default().insert(t);
        }
        if let Some(r) = f.rows.take() {
            taken.push((k, r));
        }
    }
    let files = &files;
    let ctx = Ctx {
        la,
        files: files
            .iter()
            .map(|f| (f.idx, (f.info.path.as_path(), f.cols.as_ref())))
            .collect(),
        xml: files
            .iter()
            .filter_map(|f| f.xml.as_deref().map(|p| (f.idx, p)))
            .collect(),
    };

    table_level_checks(la, la_years, files, &tables, &mut diags);

    // ---- children ---------------------------------------------------------
    let mut res = Resolver::default();
    // Every child of a Header file, counted once per file: room for the
    // usual case, where the Headers name every child.
    let header_ids: usize = files
        .iter()
        .filter(|f| f.info.table == Some(TableKind::Header))
        .map(|f| f.child_ids.len())
        .sum();
    res.reserve(header_ids);
    let mut order: Vec<usize> = (0..files.len()).collect();
    // Header files first (oldest year first), then the other tables.
    order.sort_by_key(|&k| {
        let f = &files[k];
        (f.info.table != Some(TableKind::Header), f.info.year, f.idx)
    });
    let mut remaps: Vec<Vec<u32>> = vec![Vec::new(); files.len()];
    for &k in &order {
        let f = &files[k];
        let Some(table) = f.info.table else { continue };
        let year = f.info.year;
        let year_has_header = tables
            .get(&year)
            .is_some_and(|t| t.contains(&TableKind::Header));
        let mut remap = Vec::with_capacity(f.child_ids.len());
        for (i, id) in f.child_ids.iter().enumerate() {
            let line = f.child_first_line.get(i).copied().unwrap_or(0);
            let src = SourceRef { file: f.idx, line };
            let c = if table == TableKind::Header {
                res.header_child(id, year, &ctx, src, &mut diags)
            } else {
                res.other_child(id, table, year, year_has_header, &ctx, src, &mut diags)
            };
            remap.push(c);
        }
        remaps[k] = remap;
    }
    // Number the children in CHILD order: exports are usually sorted by
    // CHILD, so each file's rows then come in child order and the sorts below
    // mostly merge runs.
    let mut by_id: Vec<u32> = (0..res.ids.len() as u32).collect();
    // Packed identifiers compare as the bytes do (see `pack_bytes`).
    let packed: Option<Vec<u128>> = res.ids.iter().map(|id| pack_bytes(id)).collect();
    match packed {
        Some(keys) => by_id.sort_by_key(|&a| (keys[a as usize], a)),
        None => {
            by_id.sort_by(|&a, &b| res.ids[a as usize].cmp(res.ids[b as usize]).then(a.cmp(&b)))
        }
    }
    let mut renumber = vec![0u32; by_id.len()];
    for (new, &old) in by_id.iter().enumerate() {
        renumber[old as usize] = new as u32;
    }
    for r in &mut remaps {
        for c in r.iter_mut() {
            *c = renumber[*c as usize];
        }
    }
    let child_ids: Vec<&[u8]> = by_id.iter().map(|&o| res.ids[o as usize]).collect();

    // ---- rows, per table ----------------------------------------------------
    let mut header_rows = Vec::new();
    let mut episodes = Vec::new();
    let mut reviews = Vec::new();
    let mut uasc = Vec::new();
    let mut oc2 = Vec::new();
    let mut oc3 = Vec::new();
    let mut ad1 = Vec::new();
    let mut placed = Vec::new();
    let mut prev_perm = Vec::new();
    let mut missing = Vec::new();
    let mut sw = Vec::new();
    let mut dolo = Vec::new();
    for (k, rows) in taken {
        let remap = &remaps[k];
        match rows {
            TableRows::Header(v) => header_rows.push(relink(v, remap)),
            TableRows::Episodes(v) => episodes.push(relink(v, remap)),
            TableRows::Reviews(v) => reviews.push(relink(v, remap)),
            TableRows::Uasc(v) => uasc.push(relink(v, remap)),
            TableRows::Oc2(v) => oc2.push(relink(v, remap)),
            TableRows::Oc3(v) => oc3.push(relink(v, remap)),
            TableRows::Ad1(v) => ad1.push(relink(v, remap)),
            TableRows::PlacedAdoption(v) => placed.push(relink(v, remap)),
            TableRows::PrevPerm(v) => prev_perm.push(relink(v, remap)),
            TableRows::Missing(v) => missing.push(relink(v, remap)),
            TableRows::SwEpisodes(v) => sw.push(relink(v, remap)),
            TableRows::DoLo(v) => dolo.push(relink(v, remap)),
        }
    }

    let mut dd = Dedup {
        ctx: &ctx,
        diags: &mut diags,
        counts: &mut counts,
    };

    // Header: the latest year's row wins; earlier differing DOB/SEX are reported.
    let mut children: Vec<Child> = child_ids
        .iter()
        .map(|id| Child {
            child_id: String::from_utf8_lossy(id).into(),
            sex: None,
            dob: None,
            ethnic: None,
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: None,
        })
        .collect();
    let mut changed: Vec<HeaderChange> = Vec::new();
    let header_rows = dd.run(
        header_rows,
        TableKind::Header,
        "CHILD",
        |r| ckey(r.child),
        true,
        |win, lose| {
            if win.row.dob != lose.row.dob || win.row.sex != lose.row.sex {
                changed.push((lose.clone(), win.row.dob, win.row.sex, win.row.year));
            }
        },
    );
    let mut dob_exceptions: Vec<(ChildIdx, CollectionYear, Option<NaiveDate>)> = Vec::new();
    for (lose, dob, sex, win_year) in changed {
        let r = &lose.row;
        if r.dob != dob {
            dob_exceptions.push((r.child, r.year, r.dob));
            // The dates themselves are personal: the value and the detail.
            let shown = |d: Option<NaiveDate>| d.map(fmt).unwrap_or_else(|| "(blank)".into());
            let msg = format!(
                "DOB{} differs from the {} Header's{}, which is used",
                if r.dob.is_none() { " (blank)" } else { "" },
                win_year.label(),
                if dob.is_none() { " (blank)" } else { "" },
            );
            let mut d = ctx.at(
                Severity::Warning,
                rules::CHILD_DOB_CHANGED,
                TableKind::Header,
                r.source,
                r.year,
                Some("DOB"),
                r.dob.map(fmt),
                msg,
            );
            d.personal_detail = Some(format!(
                "DOB {} here, {} in the {} Header",
                shown(r.dob),
                shown(dob),
                win_year.label()
            ));
            dd.diags.push(d);
        }
        if r.sex != sex {
            let show = |s: Option<Sex>| s.map_or("(blank)", Sex::code);
            let msg = format!(
                "SEX {} differs from the {} Header's {}, which is used",
                show(r.sex),
                win_year.label(),
                show(sex)
            );
            dd.diags.push(ctx.at(
                Severity::Warning,
                rules::CHILD_SEX_CHANGED,
                TableKind::Header,
                r.source,
                r.year,
                Some("SEX"),
                r.sex.map(|s| s.code().to_string()),
                msg,
            ));
        }
    }
    dob_exceptions.sort_by_key(|e| (e.0, e.1));
    for r in header_rows.0 {
        let c = &mut children[r.child.get()];
        c.sex = r.sex;
        c.dob = r.dob;
        c.ethnic = r.ethnic;
        c.upn = r.upn;
        c.mother = r.mother;
        c.mc_dob = r.mc_dob;
        c.header_year = Some(r.year);
    }
    let header_dob = |c: ChildIdx, y: CollectionYear| -> Option<NaiveDate> {
        match dob_exceptions.binary_search_by_key(&(c, y), |e| (e.0, e.1)) {
            Ok(i) => dob_exceptions[i].2,
            Err(_) => children[c.get()].dob,
        }
    };

    // Cross-table DOB checks, done on each table's kept rows.
    let mut dob_diags = Vec::new();
    let mut check_dob = |table: TableKind,
                         c: ChildIdx,
                         y: CollectionYear,
                         src: SourceRef,
                         dob: Option<NaiveDate>| {
        if let (Some(d), Some(h)) = (dob, header_dob(c, y))
            && d != h
        {
            let rule = if table == TableKind::Reviews {
                rules::REVIEWS_DOB_MISMATCH
            } else {
                rules::DOB_MISMATCH
            };
            let mut diag = ctx.at(
                Severity::Warning,
                rule,
                table,
                src,
                y,
                Some("DOB"),
                Some(fmt(d)),
                "DOB differs from the Header DOB; Header DOB used".to_string(),
            );
            diag.personal_detail = Some(format!("Header DOB {}", fmt(h)));
            dob_diags.push(diag);
        }
    };

    let uasc = dd.run(
        uasc,
        TableKind::Uasc,
        "CHILD",
        |r| ckey(r.child),
        true,
        |_, _| {},
    );
    let mut uasc_sex_diags = Vec::new();
    for (r, &dob) in uasc.0.iter().zip(&uasc.1) {
        check_dob(TableKind::Uasc, r.child, r.year, r.source, dob);
        let c = &children[r.child.get()];
        if let (Some(us), Some(hs)) = (r.sex, c.sex)
            && us != hs
        {
            uasc_sex_diags.push(ctx.at(
                Severity::Warning,
                rules::UASC_SEX_MISMATCH,
                TableKind::Uasc,
                r.source,
                r.year,
                Some("SEX"),
                Some(us.code().to_string()),
                format!(
                    "SEX {} differs from the Header SEX {}; Header SEX used",
                    us.code(),
                    hs.code()
                ),
            ));
        }
    }

    // Which returns held each episode, and an earlier return's own copy
    // where it counts differently in its year from the one kept.
    let mut held: FxHashMap<(ChildIdx, NaiveDate), YearSet> = FxHashMap::default();
    let mut as_returned: Vec<Episode> = Vec::new();
    let episodes = dd.run(
        episodes,
        TableKind::Episodes,
        "CHILD and DECOM",
        |r| ckey(r.child) | dkey(r.decom),
        true,
        |win, lose| {
            let (w, l) = (&win.row, &lose.row);
            let set = held
                .entry((w.child, w.decom))
                .or_insert_with(|| YearSet::of(w.year));
            set.insert(l.year);
            if returns::differs_in_its_year(l, w) {
                as_returned.push(l.clone());
            }
        },
    );
    let reviews = dd.run(
        reviews,
        TableKind::Reviews,
        "CHILD and REVIEW",
        |r| ckey(r.child) | dkey(r.review),
        true,
        |_, _| {},
    );
    let missing = dd.run(
        missing,
        TableKind::Missing,
        "CHILD, MIS_START and MISSING",
        |r| ckey(r.child) | dkey(r.mis_start) | r.missing as u64,
        true,
        |_, _| {},
    );
    let sw = dd.run(
        sw,
        TableKind::SwEpisodes,
        "CHILD and SW_DECOM",
        |r| ckey(r.child) | dkey(r.sw_decom),
        true,
        |_, _| {},
    );
    // An order open at 31 March is returned again the next year: the later
    // year's copy is kept, as for episodes.
    let dolo = dd.run(
        dolo,
        TableKind::DoLo,
        "CHILD and DOLO_START",
        |r| ckey(r.child) | dkey(r.dolo_start),
        true,
        |_, _| {},
    );
    let prev_perm = dd.run(
        prev_perm,
        TableKind::PrevPerm,
        "CHILD",
        |r| ckey(r.child),
        true,
        |_, _| {},
    );
    let oc2 = dd.run(
        oc2,
        TableKind::Oc2,
        "CHILD",
        |r| ckey(r.child),
        false,
        |_, _| {},
    );
    let oc3 = dd.run(
        oc3,
        TableKind::Oc3,
        "CHILD",
        |r| ckey(r.child),
        false,
        |_, _| {},
    );
    let ad1 = dd.run(
        ad1,
        TableKind::Ad1,
        "CHILD",
        |r| ckey(r.child),
        false,
        |_, _| {},
    );
    let placed = dd.run(
        placed,
        TableKind::PlacedAdoption,
        "CHILD",
        |r| ckey(r.child),
        false,
        |_, _| {},
    );

    macro_rules! unstage {
        ($v:expr, $t:expr) => {{
            let (rows, dobs) = $v;
            for (r, dob) in rows.iter().zip(dobs) {
                check_dob($t, r.child, r.year, r.source, dob);
            }
            rows
        }};
    }
    let reviews = unstage!(reviews, TableKind::Reviews);
    let missing = unstage!(missing, TableKind::Missing);
    let sw = unstage!(sw, TableKind::SwEpisodes);
    let dolo = unstage!(dolo, TableKind::DoLo);
    let prev_perm = unstage!(prev_perm, TableKind::PrevPerm);
    let oc2 = unstage!(oc2, TableKind::Oc2);
    let oc3 = unstage!(oc3, TableKind::Oc3);
    let ad1 = unstage!(ad1, TableKind::Ad1);
    let placed = unstage!(placed, TableKind::PlacedAdoption);
    diags.append(&mut dob_diags);
    diags.append(&mut uasc_sex_diags);

    for r in uasc.0 {
        children[r.child.get()].uasc = Some(Uasc { duc: r.duc });
    }

    // Episodes: repairs and chain checks, on rows sorted by (child, DECOM).
    let mut episodes: Vec<Episode> = episodes.0;
    let ep_years: BTreeSet<CollectionYear> = tables
        .iter()
        .filter(|(_, t)| t.contains(&TableKind::Episodes))
        .map(|(y, _)| *y)
        .collect();
    checks::episodes(&mut episodes, &ep_years, &ctx, &mut diags, &mut as_returned);

    let mut cohort = Cohort::new(
        la,
        CohortParts {
            children,
            episodes,
            reviews,
            missing,
            prev_perm,
            sw_episodes: sw,
            deprivation_of_liberty: dolo,
            oc2,
            oc3,
            ad1,
            placed_adoption: placed,
            tables,
        },
    );
    let held: Vec<(ChildIdx, NaiveDate, YearSet)> =
        held.into_iter().map(|((c, d), s)| (c, d, s)).collect();
    cohort.set_return_history(held, as_returned);
    checks::returns(&cohort, &ep_years, &ctx, &mut diags);
    if basis == FigureBasis::Revised {
        cohort.drop_return_history();
    }
    checks::reviews(&cohort, &ctx, &mut diags);
    checks::deprivation_of_liberty(&cohort, &ctx, &mut diags);

    let accounts = counts
        .into_iter()
        .map(|((year, table), (read, excluded))| RowAccount {
            la,
            year,
            table,
            rows_read: read,
            rows_used: read.saturating_sub(excluded),
            rows_excluded: excluded.min(read),
        })
        .collect();
    let files = files.iter().map(|f| (f.idx, f.info.clone())).collect();
    LaOutput {
        cohort,
        diags,
        accounts,
        files,
    }
}

/// Replaces file-local child indices by the authority's, in place.
fn relink<T: Row>(mut v: Vec<Staged<T>>, remap: &[u32]) -> Vec<Staged<T>> {
    for s in &mut v {
        let local = s.row.child().get();
        s.row
            .set_child(ChildIdx(remap.get(local).copied().unwrap_or(0)));
    }
    v
}

/// Missing tables, duplicate files, tables before their first year.
fn table_level_checks(
    la: LaCode,
    la_years: &BTreeSet<CollectionYear>,
    files: &[ParsedFile],
    tables: &BTreeMap<CollectionYear, BTreeSet<TableKind>>,
    diags: &mut Vec<Diagnostic>,
) {
    let mk = |sev, rule, year, table, msg: String| {
        let mut d = Diagnostic::new(sev, rule, msg);
        d.la = Some(la);
        d.year = Some(year);
        d.table = Some(table);
        d
    };
    let years: BTreeSet<CollectionYear> = la_years
        .iter()
        .copied()
        .chain(files.iter().map(|f| f.info.year))
        .collect();
    for y in years {
        let have = tables.get(&y);
        let has = |t| have.is_some_and(|s| s.contains(&t));
        for t in [TableKind::Header, TableKind::Episodes] {
            if !has(t) {
                diags.push(mk(
                    Severity::Error,
                    rules::TABLE_MISSING,
                    y,
                    t,
                    format!(
                        "no usable {t} table for LA {la} {}; figures needing it are not computable for that year",
                        y.label()
                    ),
                ));
            }
        }
        for t in [TableKind::Reviews, TableKind::Uasc] {
            if !has(t) {
                diags.push(mk(
                    Severity::Info,
                    rules::TABLE_NOT_SUPPLIED,
                    y,
                    t,
                    format!("no {t} table for LA {la} {}", y.label()),
                ));
            }
        }
    }
    let mut seen: BTreeMap<(CollectionYear, TableKind), &Path> = BTreeMap::new();
    for f in files {
        let (Some(t), FileStatus::Read) = (f.info.table, &f.info.status) else {
            continue;
        };
        let y = f.info.year;
        if let Some(first) = seen.get(&(y, t)) {
            let mut d = mk(
                Severity::Warning,
                rules::FILE_DUPLICATE_TABLE,
                y,
                t,
                format!(
                    "a second {t} file for {}: {} is also read; rows are de-duplicated by key across both",
                    y.label(),
                    first
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ),
            );
            d.file = Some(f.info.path.clone());
            diags.push(d);
        } else {
            seen.insert((y, t), &f.info.path);
            if y.0 < t.first_year() {
                let mut d = mk(
                    Severity::Warning,
                    rules::TABLE_NOT_IN_YEAR,
                    y,
                    t,
                    format!(
                        "{t} was first collected in {}, but a file is given for {}; rows kept",
                        CollectionYear(t.first_year()).label(),
                        y.label()
                    ),
                );
                d.file = Some(f.info.path.clone());
                diags.push(d);
            }
        }
    }
}

/// CHILD strings → the authority's child indices.
#[derive(Default)]
struct Resolver<'a> {
    ids: Vec<&'a [u8]>,
    map: ChildMap,
    stripped: ChildMap,
    header_years: Vec<u128>,
}

fn strip_zeros(id: &[u8]) -> &[u8] {
    let n = id.iter().take_while(|&&b| b == b'0').count();
    &id[n..]
}

fn show(id: &[u8]) -> String {
    String::from_utf8_lossy(id).into_owned()
}

impl<'a> Resolver<'a> {
    fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.map.reserve(n);
        self.stripped.reserve(n);
        self.header_years.reserve(n);
    }

    fn create(&mut self, id: &'a [u8]) -> u32 {
        let c = self.ids.len() as u32;
        self.ids.push(id);
        self.map.insert(id, c);
        self.header_years.push(0);
        let s = strip_zeros(id);
        if !s.is_empty() {
            self.stripped.insert_or_mark(s, c, AMBIGUOUS);
        }
        c
    }

    fn by_stripped(&self, id: &[u8]) -> Option<u32> {
        let s = strip_zeros(id);
        if s.is_empty() {
            return None;
        }
        self.stripped
            .get(s, pack_bytes(s))
            .filter(|&c| c != AMBIGUOUS)
    }

    fn header_child(
        &mut self,
        id: &'a [u8],
        year: CollectionYear,
        ctx: &Ctx,
        src: SourceRef,
        diags: &mut Vec<Diagnostic>,
    ) -> u32 {
        let c = match self.map.get(id, pack_bytes(id)) {
            Some(c) => c,
            None => match self.by_stripped(id) {
                // Another year's Header wrote the same child with (or without)
                // leading zeros.
                Some(c) if self.header_years[c as usize] & ybit(year) == 0 => {
                    let other = self.ids[c as usize];
                    let mut d = ctx.at(
                        Severity::Warning,
                        rules::CHILD_LEADING_ZEROS,
                        TableKind::Header,
                        src,
                        year,
                        Some("CHILD"),
                        Some(show(id)),
                        "CHILD matches a child of another year's Header only once leading zeros are removed; linked".to_string(),
                    );
                    d.personal_detail = Some(format!("linked to CHILD {}", show(other)));
                    diags.push(d);
                    if id.len() > other.len() {
                        self.ids[c as usize] = id;
                    }
                    self.map.insert(id, c);
                    c
                }
                _ => self.create(id),
            },
        };
        self.header_years[c as usize] |= ybit(year);
        c
    }

    #[allow(clippy::too_many_arguments)]
    fn other_child(
        &mut self,
        id: &'a [u8],
        table: TableKind,
        year: CollectionYear,
        year_has_header: bool,
        ctx: &Ctx,
        src: SourceRef,
        diags: &mut Vec<Diagnostic>,
    ) -> u32 {
        let rule = match table {
            TableKind::Episodes => rules::CHILD_NOT_IN_HEADER_EPISODES,
            TableKind::Reviews => rules::CHILD_NOT_IN_HEADER_REVIEWS,
            _ => rules::CHILD_NOT_IN_HEADER,
        };
        let warn = |diags: &mut Vec<Diagnostic>, msg: String| {
            diags.push(ctx.at(
                Severity::Warning,
                rule,
                table,
                src,
                year,
                Some("CHILD"),
                Some(show(id)),
                msg,
            ));
        };
        if let Some(c) = self.map.get(id, pack_bytes(id)) {
            let years = self.header_years[c as usize];
            if year_has_header && years & ybit(year) == 0 {
                if years != 0 {
                    warn(
                        diags,
                        format!(
                            "CHILD is not in the {} Header (known from another year's Header)",
                            year.label()
                        ),
                    );
                } else {
                    warn(
                        diags,
                        "CHILD is not in any Header; its demographics are unknown".to_string(),
                    );
                }
            }
            return c;
        }
        if let Some(c) = self.by_stripped(id) {
            let other = self.ids[c as usize];
            let mut d = ctx.at(
                Severity::Warning,
                rules::CHILD_LEADING_ZEROS,
                table,
                src,
                year,
                Some("CHILD"),
                Some(show(id)),
                "CHILD is not in the Header but matches a Header child once leading zeros are removed (spreadsheet damage?); linked".to_string(),
            );
            d.personal_detail = Some(format!("linked to CHILD {}", show(other)));
            diags.push(d);
            return c;
        }
        let c = self.create(id);
        if year_has_header || !self.header_years.iter().all(|y| *y == 0) {
            warn(
                diags,
                "CHILD is not in any Header; kept as a child with unknown demographics".to_string(),
            );
        } else {
            warn(
                diags,
                "CHILD not checked: no Header was supplied; kept as a child with unknown demographics"
                    .to_string(),
            );
        }
        c
    }
}

/// De-duplication within a year and "later return wins" across years.
struct Dedup<'a, 'b> {
    ctx: &'a Ctx<'b>,
    diags: &'a mut Vec<Diagnostic>,
    counts: &'a mut Counts,
}

/// A date as part of a sort key (days since the common era fit in 28 bits
/// for the years a date can have here).
fn dkey(d: NaiveDate) -> u64 {
    (d.num_days_from_ce().max(0) as u64) << 4
}

fn ckey(c: ChildIdx) -> u64 {
    (c.0 as u64) << 32
}

impl Dedup<'_, '_> {
    /// Sorts the rows of `segs` (one vector per file) by key, then latest
    /// year first, then file and line, and keeps one row per key and year.
    /// With `cross_year`, only the latest year's row is kept and
    /// `superseded(winner, loser)` sees the others (counted as used). The
    /// result is the rows sorted by key, and beside them the DOB each gave.
    #[allow(clippy::too_many_arguments)]
    fn run<T: Row + SameContent + Placeholder>(
        &mut self,
        mut segs: Vec<Vec<Staged<T>>>,
        table: TableKind,
        key_name: &str,
        key: impl Fn(&T) -> u64,
        cross_year: bool,
        mut superseded: impl FnMut(&Staged<T>, &Staged<T>),
    ) -> (Vec<T>, Vec<Option<NaiveDate>>) {
        // Rows are numbered across the segments.
        let mut starts = Vec::with_capacity(segs.len() + 1);
        let mut n = 0usize;
        for s in &segs {
            starts.push(n);
            n += s.len();
        }
        starts.push(n);
        // A row's number is (segment << 24 | index) when that fits, else its
        // position across all segments.
        let packed = segs.len() <= 256 && segs.iter().all(|s| s.len() < 1 << 24);
        let number = |s: usize, i: usize| -> u32 {
            if packed {
                ((s as u32) << 24) | i as u32
            } else {
                (starts[s] + i) as u32
            }
        };
        let locate = |g: u32| -> (usize, usize) {
            if packed {
                ((g >> 24) as usize, (g & 0xFF_FFFF) as usize)
            } else {
                let g = g as usize;
                let s = starts.partition_point(|&st| st <= g) - 1;
                (s, g - starts[s])
            }
        };

        // Sort (key, number) pairs; files are usually sorted by child, so the
        // stable sort mostly merges runs. Ties (duplicate keys, rare) are then
        // ordered latest year first, then by file and line.
        let mut order: Vec<(u64, u32)> = Vec::with_capacity(n);
        for (s, seg) in segs.iter().enumerate() {
            order.extend(
                seg.iter()
                    .enumerate()
                    .map(|(i, r)| (key(&r.row), number(s, i))),
            );
        }
        order.sort();
        let at = |g: u32| -> &Staged<T> {
            let (s, i) = locate(g);
            &segs[s][i]
        };
        let mut keep: Vec<Vec<bool>> = segs.iter().map(|s| vec![true; s.len()]).collect();
        let mut drop_row = |g: u32| {
            let (s, i) = locate(g);
            keep[s][i] = false;
        };
        let mut g = 0;
        while g < order.len() {
            let mut h = g + 1;
            while h < order.len() && order[h].0 == order[g].0 {
                h += 1;
            }
            if h - g > 1 {
                order[g..h].sort_by_key(|&(_, i)| {
                    let r = &at(i).row;
                    (std::cmp::Reverse(r.year()), r.source())
                });
                let winner = order[g].1;
                let mut year_first = winner;
                for o in &order[g + 1..h] {
                    let k = o.1;
                    let (first, this) = (at(year_first), at(k));
                    if this.row.year() == first.row.year() {
                        drop_row(k);
                        let y = this.row.year();
                        self.counts.entry((y, table)).or_default().1 += 1;
                        let fs = first.row.source();
                        let where_ = if fs.file == this.row.source().file {
                            format!("line {}", fs.line)
                        } else {
                            format!("line {} of {}", fs.line, self.ctx.file_name(fs.file))
                        };
                        let d = if this.same_content(first) {
                            self.ctx.at(
                                Severity::Warning,
                                rules::ROW_DUPLICATE,
                                table,
                                this.row.source(),
                                y,
                                None,
                                None,
                                format!("exact copy of {where_}; copy excluded"),
                            )
                        } else {
                            self.ctx.at(
                                Severity::Error,
                                rules::ROW_DUPLICATE_KEY,
                                table,
                                this.row.source(),
                                y,
                                None,
                                None,
                                format!(
                                    "same {key_name} as {where_} but different content; this row excluded"
                                ),
                            )
                        };
                        self.diags.push(d);
                    } else {
                        year_first = k;
                        if cross_year {
                            drop_row(k);
                            superseded(at(winner), at(k));
                        }
                    }
                }
            }
            g = h;
        }
        // Gather the kept rows in key order.
        let kept = keep.iter().flatten().filter(|k| **k).count();
        let mut out = Vec::with_capacity(kept);
        let mut dobs = Vec::with_capacity(kept);
        for &(_, g) in &order {
            let (s, i) = locate(g);
            if keep[s][i] {
                let r = std::mem::replace(&mut segs[s][i], Staged::placeholder());
                out.push(r.row);
                dobs.push(r.dob);
            }
        }
        (out, dobs)
    }
}
