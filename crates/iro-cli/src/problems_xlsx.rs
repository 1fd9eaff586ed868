//! `iro validate --xlsx FILE`: the data problems as a workbook an analyst can
//! filter: a `Summary` sheet (one line per rule, errors first, with what the
//! rule checks and what happened to the rows) and one sheet per rule with
//! every row, its row number and its column letter as Excel shows them in the
//! file.
//!
//! **Never** holds a value of a personal field (CHILD, DOB, UPN, postcodes,
//! staff and case ids) unless `--personal` asks for it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use iro_domain::{Diagnostic, Severity};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::problems::location;

/// Excel's row limit, less the header row.
const MAX_ROWS: usize = 1_048_575;

/// Withheld in place of a personal value.
const WITHHELD: &str = "[withheld: personal data; --personal shows it]";

/// A valid, unique sheet name for a rule (at most 31 characters, none of
/// `[]:*?/\`).
fn sheet_name(rule: &str, taken: &[String]) -> String {
    let base: String = rule
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let base = if base.is_empty() || base.eq_ignore_ascii_case("summary") {
        format!("rule {base}")
    } else {
        base
    };
    let mut name = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" {k}");
        name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        k += 1;
    }
    name
}

/// Writes the workbook to `path`.
pub fn write(
    path: &Path,
    loaded: &iro_ingest::Loaded,
    root: Option<&Path>,
    personal: bool,
) -> Result<()> {
    let bytes = render(&loaded.diagnostics, root, personal)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("making the workbook {}", path.display()))?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The workbook as bytes.
pub fn render(
    diagnostics: &[Diagnostic],
    root: Option<&Path>,
    personal: bool,
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let mut groups: BTreeMap<(std::cmp::Reverse<Severity>, &str), Vec<&Diagnostic>> =
        BTreeMap::new();
    for d in diagnostics {
        groups
            .entry((std::cmp::Reverse(d.severity), d.rule.as_str()))
            .or_default()
            .push(d);
    }
    let mut wb = Workbook::new();
    let summary = wb.add_worksheet();
    summary.set_name("Summary")?;
    summary.write_string_with_format(0, 0, "Data problems found by iro validate", &title)?;
    summary.write_string(
        1,
        0,
        if personal {
            "PERSONAL DATA: this workbook holds values of personal fields (--personal). Keep it \
             on the authority's systems; do not share it."
        } else {
            "Values of personal fields (CHILD, DOB, UPN, postcodes, staff ids) are withheld; \
             `iro validate --xlsx FILE --personal` includes them."
        },
    )?;
    let head = [
        "Severity",
        "Rule",
        "Rows",
        "Sheet",
        "What the rule checks",
        "What happens",
    ];
    for (c, h) in head.iter().enumerate() {
        summary.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let mut taken: Vec<String> = vec!["Summary".into()];
    let mut sheets = Vec::new();
    for (i, ((sev, rule), ds)) in groups.iter().enumerate() {
        let r = 4 + i as u32;
        let info = iro_ingest::rules::ALL.iter().find(|x| x.name == *rule);
        let name = sheet_name(rule, &taken);
        taken.push(name.clone());
        summary.write_string(r, 0, sev.0.label())?;
        summary.write_string(r, 1, *rule)?;
        summary.write_number(r, 2, ds.len() as f64)?;
        summary.write_string(r, 3, &name)?;
        summary.write_string(r, 4, info.map(|x| x.check).unwrap_or(""))?;
        summary.write_string(r, 5, info.map(|x| x.action).unwrap_or(""))?;
        sheets.push((name, ds));
    }
    summary.set_column_width(0, 10)?;
    summary.set_column_width(1, 34)?;
    summary.set_column_width(2, 8)?;
    summary.set_column_width(3, 32)?;
    summary.set_column_width(4, 80)?;
    summary.set_column_width(5, 50)?;
    summary.set_freeze_panes(4, 0)?;
    if !groups.is_empty() {
        summary.autofilter(3, 0, 3 + groups.len() as u32, head.len() as u16 - 1)?;
    }

    let columns = [
        "Severity",
        "LA",
        "Year",
        "Table",
        "File",
        "Row",
        "Column",
        "Column number",
        "Field",
        "Value",
        "Message",
        "Location",
    ];
    for (name, ds) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        for (c, h) in columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let shown = ds.len().min(MAX_ROWS);
        for (i, d) in ds.iter().take(shown).enumerate() {
            let r = 1 + i as u32;
            ws.write_string(r, 0, d.severity.label())?;
            if let Some(la) = d.la {
                ws.write_string(r, 1, la.to_string())?;
            }
            if let Some(y) = d.year {
                ws.write_number(r, 2, f64::from(y.0))?;
            }
            if let Some(t) = d.table {
                ws.write_string(r, 3, t.name())?;
            }
            if let Some(f) = &d.file {
                let shown = root
                    .and_then(|r| f.strip_prefix(r).ok())
                    .unwrap_or(f.as_path());
                ws.write_string(r, 4, d.file_and_within(shown))?;
            }
            // The file's line is the spreadsheet's row number (header = 1).
            if let Some(l) = d.line {
                ws.write_number(r, 5, l as f64)?;
            }
            if let (Some(c), Some(letter)) = (d.column, d.column_letter()) {
                ws.write_string(r, 6, letter)?;
                ws.write_number(r, 7, f64::from(c))?;
            }
            if let Some(f) = &d.field {
                ws.write_string(r, 8, f)?;
            }
            if let Some(v) = &d.value {
                let v = if d.is_identifying() && !personal {
                    WITHHELD
                } else {
                    v.as_str()
                };
                ws.write_string(r, 9, v)?;
            }
            // Messages never quote a personal value (iro_domain::diagnostic);
            // the personal details go in only when asked for.
            let message = if personal {
                d.message_with_detail()
            } else {
                d.message.clone()
            };
            ws.write_string(r, 10, &message)?;
            ws.write_string(r, 11, location(d, root))?;
        }
        if shown < ds.len() {
            ws.write_string(
                1 + shown as u32,
                0,
                format!("… {} more rows than a sheet holds", ds.len() - shown),
            )?;
        }
        for (c, w) in [10, 5, 6, 14, 36, 7, 7, 8, 16, 20, 80, 40]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, shown as u32, columns.len() as u16 - 1)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "episode.open_not_carried_forward_and_more";
        let a = sheet_name(long, &[]);
        assert!(a.chars().count() <= 31);
        let b = sheet_name(long, std::slice::from_ref(&a));
        assert_ne!(a, b);
        assert!(b.chars().count() <= 31);
        assert_eq!(sheet_name("a/b:c", &[]), "abc");
        assert_eq!(sheet_name("summary", &["Summary".into()]), "rule summary");
    }
}
