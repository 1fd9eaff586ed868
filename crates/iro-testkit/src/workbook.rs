//! Returns written as Excel workbooks, a sheet per SSDA903 table, typed as
//! Excel types a CSV's cells when it opens one and as an analyst's workbook
//! holds them: `DD/MM/YYYY` dates as date cells (a serial number with a
//! date format), whole numbers (CHILD ids, SEX `1`/`2`, scores) as numbers,
//! everything else as text. The same returns as the CSV files, so reading
//! either must give the same cohorts and figures.

use std::path::Path;

use anyhow::Context;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::returns::YearReturn;
use crate::write::{file_names, render_table};

/// The sheet name of a table's CSV file name (the DfE's name for the table).
pub fn sheet_name(file_name: &str) -> &str {
    match file_name {
        "header.csv" => "Header",
        "episodes.csv" => "Episodes",
        "reviews.csv" => "Reviews",
        "uasc.csv" => "UASC",
        "missing.csv" => "Missing",
        "prevperm.csv" => "PrevPerm",
        "oc2.csv" => "OC2",
        "oc3.csv" => "OC3",
        "sw_episodes.csv" => "SWEpisodes",
        "dolo.csv" => "DoLo",
        other => other.strip_suffix(".csv").unwrap_or(other),
    }
}

/// A `DD/MM/YYYY` text as (year, month, day).
fn dmy(s: &str) -> Option<(u16, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != b'/' || b[5] != b'/' {
        return None;
    }
    let d: u8 = s[0..2].parse().ok()?;
    let m: u8 = s[3..5].parse().ok()?;
    let y: u16 = s[6..10].parse().ok()?;
    Some((y, m, d))
}

/// Whether Excel would take the text for a number: digits only, short
/// enough to keep them all (a leading zero is lost, as in Excel).
fn as_number(s: &str) -> Option<f64> {
    (!s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Adds CSV `bytes` as a sheet named `name`, typing its cells.
pub fn add_csv_sheet(book: &mut Workbook, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let row = u32::try_from(r)?;
        for (c, v) in rec.iter().enumerate() {
            let col = u16::try_from(c)?;
            if v.is_empty() {
                continue;
            }
            if r > 0
                && let Some((y, m, d)) = dmy(v)
            {
                let dt = ExcelDateTime::from_ymd(y, m, d)?;
                sheet.write_datetime_with_format(row, col, &dt, &date)?;
            } else if r > 0
                && let Some(n) = as_number(v)
            {
                sheet.write_number(row, col, n)?;
            } else {
                sheet.write_string(row, col, v)?;
            }
        }
    }
    Ok(())
}

/// One return as a workbook: a sheet per SSDA903 table.
pub fn return_workbook(ret: &YearReturn) -> anyhow::Result<Workbook> {
    let mut book = Workbook::new();
    for name in file_names(ret.year) {
        add_csv_sheet(&mut book, sheet_name(name), &render_table(ret, name)?)?;
    }
    Ok(book)
}

/// Writes one return as the workbook `path`. Returns the bytes written.
pub fn write_return_workbook(ret: &YearReturn, path: &Path) -> anyhow::Result<u64> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let bytes = return_workbook(ret)?.save_to_buffer()?;
    std::fs::write(path, &bytes).with_context(|| path.display().to_string())?;
    Ok(bytes.len() as u64)
}

/// Turns every CSV of a year folder into one workbook `path`, a sheet each,
/// and removes them: the folder as an analyst who keeps the return (and the
/// IRO service's records) in Excel has it. The SSDA903 tables come first,
/// in [`file_names`] order, then DoLo and the other files by name.
pub fn csv_folder_to_workbook(dir: &Path, path: &Path) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let mut names: Vec<String> = file_names(2025)
        .into_iter()
        .chain(["dolo.csv"])
        .map(str::to_string)
        .collect();
    let mut others: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv") && !names.contains(n))
        .collect();
    others.sort();
    names.extend(others);
    let mut taken = Vec::new();
    for name in &names {
        let csv = dir.join(name);
        if !csv.exists() {
            continue;
        }
        let bytes = std::fs::read(&csv).with_context(|| csv.display().to_string())?;
        add_csv_sheet(&mut book, sheet_name(name), &bytes)?;
        taken.push(csv);
    }
    book.save(path)?;
    for csv in taken {
        std::fs::remove_file(csv)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed_as_excel_types_them() {
        assert_eq!(dmy("01/04/2024"), Some((2024, 4, 1)));
        assert_eq!(dmy("2024-04-01"), None);
        assert_eq!(as_number("5994637"), Some(5_994_637.0));
        assert_eq!(as_number("C2"), None);
        assert_eq!(as_number("1234567890123456"), None);
    }
}
