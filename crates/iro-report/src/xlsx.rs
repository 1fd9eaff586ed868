//! The report's tables as one Excel workbook, `<stem>.xlsx`: a contents sheet,
//! then a sheet for each table (`Table 1`, …) and for the numbers behind each
//! chart (`Figure 1`, …), because analysts work in Excel.
//!
//! Cells hold what the report shows: numbers as numbers (a percentage as a
//! fraction with a percent format, so sums and charts work), `c` and `x` as
//! text, with the report's footnotes under each table. Like the report it
//! holds aggregates only, suppressed as the CSV outputs are.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::model::{Block, Cell, Figure, Report, Table};

/// A number read back from the report's formatting: `1,234`, `21.2%`,
/// `-0.5%`, `59.6`. `None` for text, `c`, `x` and the like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Plain(f64),
    /// The value as a fraction (21.2% → 0.212) and its decimal places.
    Percent(f64, usize),
}

/// Reads a shown figure as a number, the way the report formats them.
pub fn parse_number(text: &str) -> Option<Number> {
    let t = text.trim();
    let (body, percent) = match t.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (t, false),
    };
    let body = body.strip_prefix('+').unwrap_or(body);
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.' || b == b'-')
    {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != ',').collect();
    let v: f64 = digits.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if percent {
        let places = digits.split_once('.').map_or(0, |(_, d)| d.len());
        Number::Percent(v / 100.0, places)
    } else {
        Number::Plain(v)
    })
}

/// Excel's limit on a sheet name, and the characters it refuses.
fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

struct Formats {
    bold: Format,
    title: Format,
    integer: Format,
    decimal: Format,
    percent: [Format; 3],
    note: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(13),
            integer: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.0##"),
            percent: [
                Format::new().set_num_format("0%"),
                Format::new().set_num_format("0.0%"),
                Format::new().set_num_format("0.00%"),
            ],
            note: Format::new().set_italic(),
        }
    }
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    match parse_number(text) {
        Some(Number::Plain(v)) if v.fract() == 0.0 => {
            ws.write_number_with_format(row, col, v, &f.integer)?;
        }
        Some(Number::Plain(v)) => {
            ws.write_number_with_format(row, col, v, &f.decimal)?;
        }
        Some(Number::Percent(v, places)) => {
            ws.write_number_with_format(row, col, v, &f.percent[places.min(2)])?;
        }
        None => {
            ws.write_string(row, col, text)?;
        }
    }
    Ok(())
}

fn table_sheet(ws: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(&format!("Table {}", table.number)))?;
    ws.write_string_with_format(0, 0, &table.caption, &f.title)?;
    for (c, h) in table.head.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &f.bold)?;
    }
    let mut r = 3;
    for row in &table.rows {
        if row.total {
            ws.write_string_with_format(r, 0, &row.header, &f.bold)?;
        } else {
            ws.write_string(r, 0, &row.header)?;
        }
        for (c, cell) in row.cells.iter().enumerate() {
            let col = c as u16 + 1;
            match cell {
                Cell::Figure(shown) => write_value(ws, r, col, shown.text(), f)?,
                Cell::Text(t) => {
                    ws.write_string(r, col, t)?;
                }
            }
        }
        r += 1;
    }
    r += 1;
    for note in &table.notes {
        ws.write_string_with_format(r, 0, note, &f.note)?;
        r += 1;
    }
    ws.set_column_width(0, 48)?;
    for c in 1..table.head.len().max(2) as u16 {
        ws.set_column_width(c, 14)?;
    }
    ws.set_freeze_panes(3, 1)?;
    Ok(())
}

fn figure_sheet(ws: &mut Worksheet, figure: &Figure, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(&format!("Figure {}", figure.number)))?;
    ws.write_string_with_format(0, 0, &figure.caption, &f.title)?;
    ws.write_string_with_format(1, 0, "The numbers drawn in the chart.", &f.note)?;
    for (c, h) in figure.data.columns.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &f.bold)?;
    }
    for (i, row) in figure.data.rows.iter().enumerate() {
        let r = 3 + i as u32;
        for (c, v) in row.iter().enumerate() {
            if c == 0 {
                ws.write_string(r, 0, v)?;
            } else {
                write_value(ws, r, c as u16, v, f)?;
            }
        }
    }
    ws.set_column_width(0, 36)?;
    for c in 1..figure.data.columns.len().max(2) as u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(3, 1)?;
    Ok(())
}

/// The workbook of `report`, as bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    // The lightest deflate: a workbook of a report is small either way, and
    // the default level spent more time compressing than building it.
    wb.set_zip_compression_level(1);
    // A fixed date (the end of the reporting year), not the clock: the same
    // figures give the same file, so a changed narrative changes nothing here.
    let year = u16::try_from(report.year).unwrap_or(1900).clamp(1900, 9999);
    wb.set_properties(
        &DocProperties::new()
            .set_title(report.title())
            .set_author("IRO Analytics")
            .set_creation_datetime(&ExcelDateTime::from_ymd(year, 3, 31)?),
    );
    let contents = wb.add_worksheet();
    contents.set_name("Contents")?;
    contents.write_string_with_format(0, 0, report.title(), &f.title)?;
    contents.write_string(1, 0, format!("{}; {}", report.kicker(), report.period_text))?;
    contents.write_string_with_format(2, 0, report.disclosure.rule_sentence(), &f.note)?;
    if report.threshold() > 0 {
        contents.write_string_with_format(
            3,
            0,
            format!(
                "c: a count from 1 to {}, or a figure from which one could be worked out, not shown to protect children's privacy. x: not available.",
                report.threshold()
            ),
            &f.note,
        )?;
    }
    // The "Data quality" box, above the list of sheets.
    let mut top = 4;
    if !report.data_quality.is_empty() {
        contents.write_string_with_format(top, 0, "Data quality", &f.bold)?;
        contents.write_string_with_format(
            top,
            1,
            "Some figures are affected by problems in the data. Read this before using them.",
            &f.note,
        )?;
        for l in &report.data_quality {
            top += 1;
            contents.write_string(top, 1, l)?;
        }
        top += 2;
    }
    contents.write_string_with_format(top, 0, "Sheet", &f.bold)?;
    contents.write_string_with_format(top, 1, "Section", &f.bold)?;
    contents.write_string_with_format(top, 2, "What it holds", &f.bold)?;
    contents.set_column_width(0, 12)?;
    contents.set_column_width(1, 40)?;
    contents.set_column_width(2, 100)?;
    let mut r = top + 1;
    for section in &report.sections {
        for block in &section.blocks {
            let (sheet, caption) = match block {
                Block::Table(t) => (format!("Table {}", t.number), &t.caption),
                Block::Figure(fig) => (format!("Figure {}", fig.number), &fig.caption),
                _ => continue,
            };
            let marked = section
                .blocks
                .iter()
                .any(|b| matches!(b, Block::DataQuality(_)));
            contents.write_url_with_text(
                r,
                0,
                format!("internal:'{sheet}'!A1").as_str(),
                &sheet,
            )?;
            contents.write_string(r, 1, format!("{}. {}", section.number, section.title))?;
            if marked {
                contents.write_string(r, 2, format!("{caption} [Data quality: see above]"))?;
            } else {
                contents.write_string(r, 2, caption)?;
            }
            r += 1;
        }
    }
    r += 1;
    contents.write_url_with_text(r, 0, "internal:'All figures'!A1", "All figures")?;
    contents.write_string(
        r,
        2,
        "Every figure of every table above, a row each (section, table, row, column, value): \
         for pivot tables and filters",
    )?;
    all_figures(wb.add_worksheet(), report, &f)?;
    for section in &report.sections {
        for block in &section.blocks {
            match block {
                Block::Table(t) => table_sheet(wb.add_worksheet(), t, &f)?,
                Block::Figure(fig) => figure_sheet(wb.add_worksheet(), fig, &f)?,
                _ => {}
            }
        }
    }
    wb.save_to_buffer()
}

/// Every figure of every table as a tidy row: what a pivot table needs.
/// A number is a number (a percentage as a fraction with a % format); what
/// the report shows instead (`c`, `x`, words) is in `Shown` and `Status`.
fn all_figures(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("All figures")?;
    let head = [
        "Section", "Table", "Caption", "Row", "Column", "Value", "Shown", "Status",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    let mut r = 1;
    for section in &report.sections {
        for block in &section.blocks {
            let Block::Table(t) = block else { continue };
            for row in &t.rows {
                for (k, cell) in row.cells.iter().enumerate() {
                    let Cell::Figure(shown) = cell else { continue };
                    let column = t.head.get(k + 1).map(String::as_str).unwrap_or("");
                    ws.write_string(r, 0, format!("{}. {}", section.number, section.title))?;
                    ws.write_number(r, 1, t.number as f64)?;
                    ws.write_string(r, 2, &t.caption)?;
                    ws.write_string(r, 3, &row.header)?;
                    ws.write_string(r, 4, column)?;
                    let status = if cell.is_suppressed() {
                        "suppressed (c)"
                    } else if cell.is_missing() {
                        "not available (x)"
                    } else if parse_number(shown.text()).is_some() {
                        write_value(ws, r, 5, shown.text(), f)?;
                        "shown"
                    } else {
                        "text"
                    };
                    ws.write_string(r, 6, shown.text())?;
                    ws.write_string(r, 7, status)?;
                    r += 1;
                }
            }
        }
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), head.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(2, 50)?;
    ws.set_column_width(3, 40)?;
    ws.set_column_width(4, 18)?;
    Ok(())
}

/// Writes the workbook of `report` to `path`.
pub fn write(report: &Report, path: &Path) -> Result<(), crate::ReportError> {
    let bytes = render(report).map_err(|e| crate::ReportError::Xlsx {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, bytes).map_err(|source| crate::ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_the_report_formats_them() {
        assert_eq!(parse_number("1,234"), Some(Number::Plain(1234.0)));
        assert_eq!(parse_number("59.6"), Some(Number::Plain(59.6)));
        assert_eq!(parse_number("+0.5%"), Some(Number::Percent(0.005, 1)));
        assert_eq!(parse_number("-4.5"), Some(Number::Plain(-4.5)));
        assert_eq!(parse_number("87%"), Some(Number::Percent(0.87, 0)));
        for text in [
            "c", "x", "n/a", "", "Q1", "2024-25", "1 to 4", "-", "%", "1e5",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    fn read(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_sheet_for_every_table_and_figure_with_numbers_as_numbers() {
        use crate::format::Shown;
        use crate::model::{Section, TableRow};
        let table = Table {
            number: 1,
            caption: "Children looked after, 2024-25".into(),
            head: vec!["Measure".into(), "2024-25".into()],
            rows: vec![
                TableRow::new("Looked after", vec![Shown::Value("1,234".into()).into()]),
                TableRow::new("Placed over 20 miles", vec![Shown::Suppressed.into()]),
                TableRow::new("On time", vec![Shown::Value("87.5%".into()).into()]).total(),
            ],
            notes: vec!["A note.".into()],
        };
        let figure = Figure {
            number: 1,
            slug: "cla".into(),
            caption: "Children looked after per 10,000".into(),
            alt: String::new(),
            svg: Err("not drawn".into()),
            chart: None,
            data: iro_charts::DataTable {
                columns: vec!["Collection year".into(), "Rate".into()],
                rows: vec![vec!["2024-25".into(), "59.6".into()]],
            },
        };
        let report = Report {
            kind: crate::model::DocumentKind::AnnualReport,
            la_code: "800".into(),
            la_name: "Bath and North East Somerset".into(),
            region: "South West".into(),
            year: 2025,
            year_label: "2024-25".into(),
            period_text: "1 April 2024 to 31 March 2025".into(),
            disclosure: iro_results::Disclosure {
                audience: iro_results::Audience::Public,
                threshold: 7,
            },
            settings: Default::default(),
            data_quality: vec![],
            images: Default::default(),
            sections: vec![Section {
                id: "children-in-care",
                number: 3,
                title: "Children in care",
                blocks: vec![
                    Block::Para("Words.".into()),
                    Block::Table(table),
                    Block::Figure(figure),
                ],
                narrative: None,
                narrative_only: false,
            }],
        };
        let bytes = render(&report).unwrap();
        let workbook = read(&bytes, "xl/workbook.xml");
        for name in ["Contents", "All figures", "Table 1", "Figure 1"] {
            assert!(workbook.contains(&format!("name=\"{name}\"")), "{workbook}");
        }
        let strings = read(&bytes, "xl/sharedStrings.xml");
        for text in ["Children looked after, 2024-25", "A note.", "c", "2024-25"] {
            assert!(strings.contains(&format!(">{text}<")), "{text}: {strings}");
        }
        // The contents links to each sheet.
        let contents = read(&bytes, "xl/worksheets/sheet1.xml");
        assert!(contents.contains("location=\"'Table 1'!A1\""), "{contents}");
        assert!(
            contents.contains("location=\"'All figures'!A1\""),
            "{contents}"
        );
        // Every figure a tidy row: three cells of Table 1, numbers as numbers.
        let tidy = read(&bytes, "xl/worksheets/sheet2.xml");
        assert!(tidy.contains("<v>1234</v>"), "{tidy}");
        assert!(tidy.contains("<v>0.875</v>"), "{tidy}");
        assert!(tidy.contains("<autoFilter ref=\"A1:H4\"/>"), "{tidy}");
        // Table 1 is the third sheet: 1,234 and 87.5% are numbers.
        let sheet = read(&bytes, "xl/worksheets/sheet3.xml");
        assert!(sheet.contains("<v>1234</v>"), "{sheet}");
        assert!(sheet.contains("<v>0.875</v>"), "{sheet}");
        let sheet = read(&bytes, "xl/worksheets/sheet4.xml");
        assert!(sheet.contains("<v>59.6</v>"), "{sheet}");
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sheet_name("Table 12"), "Table 12");
        assert_eq!(sheet_name("a/b:c*d?[e]\\f"), "abcdef");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
