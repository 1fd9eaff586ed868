//! Writing returns as SSDA903 CSV files.

use std::fs;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::date_bytes;
use crate::codes::headers;
use crate::returns::YearReturn;
use crate::service::{ServiceYear, headers as service_headers};

/// One CSV field, borrowed or formatted on the stack.
enum F<'a> {
    S(&'a str),
    D([u8; 10]),
    Num(String),
    Empty,
}

impl AsRef<[u8]> for F<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            F::S(s) => s.as_bytes(),
            F::D(d) => d,
            F::Num(s) => s.as_bytes(),
            F::Empty => b"",
        }
    }
}

fn d<'a>(x: NaiveDate) -> F<'a> {
    F::D(date_bytes(x))
}

fn od<'a>(x: Option<NaiveDate>) -> F<'a> {
    x.map_or(F::Empty, d)
}

fn os(x: Option<&str>) -> F<'_> {
    x.map_or(F::Empty, F::S)
}

fn ob<'a>(x: Option<bool>) -> F<'a> {
    match x {
        Some(true) => F::S("1"),
        Some(false) => F::S("0"),
        None => F::Empty,
    }
}

fn table<'r, W: Write, const N: usize>(
    out: W,
    header: &[&str; N],
    rows: impl Iterator<Item = [F<'r>; N]>,
) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(header)?;
    for r in rows {
        w.write_record(&r)?;
    }
    w.flush()?;
    Ok(())
}

/// The file names written for a return, in order.
pub fn file_names(year: i32) -> Vec<&'static str> {
    let mut v = vec![
        "header.csv",
        "episodes.csv",
        "reviews.csv",
        "uasc.csv",
        "missing.csv",
        "prevperm.csv",
        "oc2.csv",
        "oc3.csv",
    ];
    if year >= 2024 {
        v.push("sw_episodes.csv");
    }
    v
}

/// Renders one table of a return as CSV bytes (`name` as in [`file_names`]).
pub fn render_table(ret: &YearReturn, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match name {
        "header.csv" => table(
            &mut buf,
            &headers::HEADER,
            ret.header.iter().map(|r| {
                [
                    F::S(&r.child),
                    F::S(r.sex),
                    d(r.dob),
                    F::S(r.ethnic),
                    F::S(&r.upn),
                    ob(r.mother),
                    od(r.mc_dob),
                ]
            }),
        )?,
        "episodes.csv" => table(
            &mut buf,
            &headers::EPISODES,
            ret.episodes.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.decom),
                    F::S(r.rne),
                    F::S(r.ls),
                    F::S(r.cin),
                    F::S(r.place),
                    os(r.place_provider),
                    od(r.dec),
                    os(r.rec),
                    os(r.reason_place_change),
                    os(r.home_post.as_deref()),
                    os(r.pl_post.as_deref()),
                    os(r.urn.as_deref()),
                ]
            }),
        )?,
        "reviews.csv" => table(
            &mut buf,
            &headers::REVIEWS,
            ret.reviews
                .iter()
                .map(|r| [F::S(&r.child), d(r.dob), d(r.review), F::S(r.review_code)]),
        )?,
        "uasc.csv" => table(
            &mut buf,
            &headers::UASC,
            ret.uasc
                .iter()
                .map(|r| [F::S(&r.child), F::S(r.sex), d(r.dob), od(r.duc)]),
        )?,
        "missing.csv" => table(
            &mut buf,
            &headers::MISSING,
            ret.missing.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.dob),
                    F::S(r.missing),
                    d(r.mis_start),
                    od(r.mis_end),
                ]
            }),
        )?,
        "prevperm.csv" => table(
            &mut buf,
            &headers::PREVPERM,
            ret.prevperm.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.dob),
                    F::S(r.prev_perm),
                    r.la_perm.map_or(F::Empty, |c| F::Num(format!("{c:03}"))),
                    od(r.date_perm),
                ]
            }),
        )?,
        "oc2.csv" => table(
            &mut buf,
            &headers::OC2,
            ret.oc2.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.dob),
                    r.sdq_score.map_or(F::Empty, |x| F::Num(x.to_string())),
                    os(r.sdq_reason),
                    ob(r.convicted),
                    ob(r.health_check),
                    ob(r.immunisations),
                    ob(r.teeth_check),
                    ob(r.health_assessment),
                    ob(r.substance_misuse),
                    ob(r.intervention_received),
                    ob(r.intervention_offered),
                ]
            }),
        )?,
        "oc3.csv" => table(
            &mut buf,
            &headers::OC3,
            ret.oc3.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.dob),
                    F::S(r.in_touch),
                    F::S(r.activ),
                    F::S(r.accom),
                ]
            }),
        )?,
        "sw_episodes.csv" => table(
            &mut buf,
            &headers::SW_EPISODES,
            ret.sw_episodes.iter().flatten().map(|r| {
                [
                    F::S(&r.child),
                    d(r.dob),
                    F::S(&r.sw_id),
                    d(r.sw_decom),
                    od(r.sw_dec),
                    os(r.sw_reason),
                ]
            }),
        )?,
        other => anyhow::bail!("unknown table file {other}"),
    }
    Ok(buf)
}

fn yn<'a>(x: Option<bool>) -> F<'a> {
    match x {
        Some(true) => F::S("Y"),
        Some(false) => F::S("N"),
        None => F::Empty,
    }
}

/// The IRO-service files written for a year, in order (no midway file before the
/// service recorded them).
pub fn service_file_names(s: &ServiceYear) -> Vec<&'static str> {
    let mut v = vec!["iro_reviews.csv", "iro_allocations.csv"];
    if s.midway.is_some() {
        v.push("midway_reviews.csv");
    }
    v.push("drp_log.csv");
    v
}

/// Renders one IRO-service table of a year as CSV bytes (`name` as in
/// [`service_file_names`]).
pub fn render_service_table(s: &ServiceYear, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match name {
        "iro_reviews.csv" => table(
            &mut buf,
            &service_headers::IRO_REVIEWS,
            s.reviews.iter().map(|r| {
                [
                    F::S(&r.child),
                    d(r.review),
                    od(r.review_due),
                    F::S(r.review_type),
                    F::S(r.status),
                    F::S(&r.iro_id),
                    od(r.sw_report_received),
                    od(r.decisions_sent),
                    od(r.record_sent),
                    yn(r.iro_met_child),
                    os(r.mode),
                ]
            }),
        )?,
        "iro_allocations.csv" => table(
            &mut buf,
            &service_headers::IRO_ALLOCATIONS,
            s.allocations.iter().map(|a| {
                [
                    F::S(&a.child),
                    F::S(&a.iro_id),
                    d(a.start),
                    od(a.end),
                    os(a.change_reason),
                ]
            }),
        )?,
        "midway_reviews.csv" => table(
            &mut buf,
            &service_headers::MIDWAY_REVIEWS,
            s.midway
                .iter()
                .flatten()
                .map(|m| [F::S(&m.child), F::S(&m.iro_id), d(m.due), od(m.completed)]),
        )?,
        "drp_log.csv" => table(
            &mut buf,
            &service_headers::DRP_LOG,
            s.drp.iter().map(|r| {
                [
                    F::S(&r.drp_id),
                    F::S(&r.child),
                    F::S(&r.iro_id),
                    d(r.raised),
                    F::S(&r.issues),
                    F::Num(r.stage.to_string()),
                    d(r.stage_start),
                    F::Empty,
                    od(r.response_date),
                    os(r.outcome),
                    F::S(if r.cafcass_referral { "Y" } else { "N" }),
                ]
            }),
        )?,
        other => anyhow::bail!("unknown IRO-service file {other}"),
    }
    Ok(buf)
}

/// Writes one year's IRO-service files into `dir`. Returns the bytes written.
pub fn write_service(s: &ServiceYear, dir: &Path) -> anyhow::Result<u64> {
    fs::create_dir_all(dir)?;
    let mut total = 0;
    for name in service_file_names(s) {
        let bytes = render_service_table(s, name)?;
        total += bytes.len() as u64;
        fs::write(dir.join(name), bytes)?;
    }
    Ok(total)
}

/// Writes one return into `dir` (created if needed). Returns the bytes written.
pub fn write_return(ret: &YearReturn, dir: &Path) -> anyhow::Result<u64> {
    fs::create_dir_all(dir)?;
    let mut total = 0;
    for name in file_names(ret.year) {
        let bytes = render_table(ret, name)?;
        total += bytes.len() as u64;
        fs::write(dir.join(name), bytes)?;
    }
    Ok(total)
}
