//! Importing an ONS Postcode Directory (ONSPD) release into a unit table.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use iro_domain::Postcode;

use crate::code::{Country, OnsCode, unit_key, unit_string};
use crate::error::PostcodeError;
use crate::location::Grid;
use crate::units::{Area, MAX_AREAS, MAX_EASTING, MAX_NORTHING, UnitRecord, UnitTable};
use crate::utla::UtlaLookup;

/// Column names accepted for each field, in order of preference (matched
/// case-insensitively). ONSPD and NSPL releases name them differently over
/// the years.
pub const POSTCODE_COLUMNS: [&str; 6] = ["pcd7", "pcd", "pcds", "pcd8", "pcd2", "postcode"];
pub const EASTING_COLUMNS: [&str; 3] = ["oseast1m", "east1m", "easting"];
pub const NORTHING_COLUMNS: [&str; 3] = ["osnrth1m", "north1m", "northing"];
/// LAD columns: also any `ladYYcd` (the most recent year wins).
pub const LAD_COLUMNS: [&str; 3] = ["oslaua", "laua", "lad"];
/// ONSPD's grid-reference quality indicator; 9 means "no grid reference".
pub const GRID_QUALITY_COLUMN: &str = "osgrdind";

/// What an import read and wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// The CSV files read.
    pub files: Vec<PathBuf>,
    /// Data rows read (blank postcodes skipped and counted separately).
    pub rows: u64,
    pub blank_postcodes: u64,
    /// Postcodes in a shape SSDA903 postcodes cannot take (ONSPD keeps a few
    /// thousand old non-standard codes such as `NPT 0AD` and `GIR 0AA`): not
    /// imported, counted here.
    pub skipped_postcodes: u64,
    /// The first few skipped, as `file:line: value`.
    pub skipped_examples: Vec<String>,
    pub with_coordinates: u64,
    pub without_coordinates: u64,
    /// Postcodes by country of their LAD (`Unknown`: no LAD given).
    pub by_country: BTreeMap<&'static str, u64>,
    /// LAD codes with no upper tier in the LTLA→UTLA lookup, with their
    /// postcode counts (placements there get no PL_LA).
    pub lads_without_utla: BTreeMap<String, u64>,
    /// Size of the table written.
    pub output_bytes: u64,
}

/// Builds the unit-postcode table from an ONSPD release: `input` is the
/// release's CSV (e.g. `Data/ONSPD_NOV_2025_UK.csv`) or a folder holding it
/// (then the one `*_UK.csv`, or else every CSV with a postcode column, is
/// read). Writes the binary table to `out` (format in [`crate::units`]). Upper
/// tiers come from the bundled April 2023 LTLA→UTLA lookup ([`UtlaLookup::bundled`]).
pub fn import_onspd(input: &Path, out: &Path) -> Result<ImportSummary, PostcodeError> {
    import_onspd_with(input, out, &UtlaLookup::bundled()?)
}

/// [`import_onspd`] with a given LTLA→UTLA lookup.
pub fn import_onspd_with(
    input: &Path,
    out: &Path,
    utla: &UtlaLookup,
) -> Result<ImportSummary, PostcodeError> {
    let files = input_files(input)?;
    let mut summary = ImportSummary {
        files: files.clone(),
        ..ImportSummary::default()
    };
    let mut areas: Vec<Area> = Vec::new();
    let mut area_index: HashMap<OnsCode, u16> = HashMap::new();
    let mut records: Vec<(u64, UnitRecord)> = Vec::new();
    // Where each postcode was read, to name both lines of a duplicate.
    let mut lines: Vec<(u32, u64)> = Vec::new();
    for (fi, file) in files.iter().enumerate() {
        let name = file.display().to_string();
        let (mut file_rows, mut file_skipped) = (0u64, 0u64);
        read_csv(file, |line, row| {
            let Some((pc, coords, lad)) = row else {
                summary.blank_postcodes += 1;
                return Ok(());
            };
            file_rows += 1;
            let pc = match pc {
                Ok(pc) => pc,
                Err(raw) => {
                    summary.skipped_postcodes += 1;
                    file_skipped += 1;
                    if summary.skipped_examples.len() < 5 {
                        summary
                            .skipped_examples
                            .push(format!("{name}:{line}: {raw}"));
                    }
                    return Ok(());
                }
            };
            summary.rows += 1;
            let country = lad.map_or(Country::Unknown, |l| l.country());
            *summary.by_country.entry(country.label()).or_default() += 1;
            let area = match lad {
                None => None,
                Some(lad) => Some(match area_index.get(&lad) {
                    Some(&i) => i,
                    None => {
                        if areas.len() >= MAX_AREAS {
                            return Err(PostcodeError::bad(
                                &name,
                                line,
                                "LAD",
                                lad.as_str(),
                                format!("more than {MAX_AREAS} different LAD codes"),
                            ));
                        }
                        let i = areas.len() as u16;
                        areas.push(Area {
                            lad,
                            utla: utla.utla(lad),
                        });
                        area_index.insert(lad, i);
                        i
                    }
                }),
            };
            if let Some(a) = area.map(|i| areas[i as usize])
                && a.utla.is_none()
            {
                *summary
                    .lads_without_utla
                    .entry(a.lad.to_string())
                    .or_default() += 1;
            }
            // Northern Ireland (BT) references are on the Irish Grid.
            let irish = pc.compact().starts_with("BT") || country == Country::NorthernIreland;
            match coords {
                Some(_) => summary.with_coordinates += 1,
                None => summary.without_coordinates += 1,
            }
            records.push((
                unit_key(&pc),
                UnitRecord {
                    coords,
                    grid: if irish { Grid::Irish } else { Grid::Gb },
                    area,
                },
            ));
            lines.push((fi as u32, line));
            Ok(())
        })?;
        // A handful of old codes is normal; most rows is the wrong column.
        if file_skipped > 100 && file_skipped * 10 > file_rows {
            return Err(PostcodeError::NoData {
                file: name,
                problem: format!(
                    "{file_skipped} of {file_rows} postcodes are not in the form `AA9A 9AA` (first: {}): is this an ONSPD file?",
                    summary.skipped_examples.first().map_or("", String::as_str)
                ),
            });
        }
    }
    let shown = input.display().to_string();
    if records.is_empty() {
        return Err(PostcodeError::NoData {
            file: shown,
            problem: "no postcodes read".into(),
        });
    }
    // Duplicates, reported with both lines.
    let mut order: Vec<u32> = (0..records.len() as u32).collect();
    order.sort_unstable_by_key(|&i| records[i as usize].0);
    if let Some(w) = order
        .windows(2)
        .find(|w| records[w[0] as usize].0 == records[w[1] as usize].0)
    {
        let (a, b) = (lines[w[0] as usize], lines[w[1] as usize]);
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        let f = |(fi, _): (u32, u64)| files[fi as usize].display().to_string();
        let first_file = f(first);
        return Err(PostcodeError::Duplicate {
            file: f(second),
            line: second.1,
            first_line: first.1,
            key: if first_file == f(second) {
                unit_string(records[w[0] as usize].0)
            } else {
                format!(
                    "{} (first in {first_file})",
                    unit_string(records[w[0] as usize].0)
                )
            },
        });
    }
    drop(order);
    drop(lines);
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name().map_or_else(
                || f.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let source = format!(
        "{} ({} postcodes, {} with grid references); UTLA: ONS LTLA→UTLA April 2023",
        names.join(", "),
        summary.rows,
        summary.with_coordinates
    );
    let table = UnitTable::from_records(records, areas, source).map_err(|problem| {
        PostcodeError::NoData {
            file: shown,
            problem,
        }
    })?;
    summary.output_bytes = table.write(out)?;
    Ok(summary)
}

fn input_files(input: &Path) -> Result<Vec<PathBuf>, PostcodeError> {
    let meta = std::fs::metadata(input).map_err(|e| PostcodeError::io(input, e))?;
    if !meta.is_dir() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut csvs = Vec::new();
    collect_csvs(input, 0, &mut csvs).map_err(|e| PostcodeError::io(input, e))?;
    csvs.sort();
    // A release holds the whole-UK file and may also hold it split by area:
    // prefer the single file.
    let uk: Vec<PathBuf> = csvs
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_uppercase().ends_with("_UK.CSV"))
        })
        .cloned()
        .collect();
    if uk.len() == 1 {
        return Ok(uk);
    }
    let with_postcodes: Vec<PathBuf> = csvs
        .into_iter()
        .filter(|p| has_postcode_column(p))
        .collect();
    if with_postcodes.is_empty() {
        return Err(PostcodeError::NoData {
            file: input.display().to_string(),
            problem: "no CSV with a postcode column (pcd, pcd7, pcds…) in this folder; give the ONSPD CSV itself".into(),
        });
    }
    Ok(with_postcodes)
}

fn collect_csvs(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() && depth < 3 {
            collect_csvs(&p, depth + 1, out)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
    Ok(())
}

fn has_postcode_column(p: &Path) -> bool {
    csv::Reader::from_path(p)
        .and_then(|mut r| r.headers().cloned())
        .is_ok_and(|h| {
            h.iter().any(|c| {
                POSTCODE_COLUMNS
                    .iter()
                    .any(|w| clean(c).eq_ignore_ascii_case(w))
            })
        })
}

fn clean(header: &str) -> &str {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_matches('"')
}

/// The columns found in a header.
struct Columns {
    postcode: usize,
    easting: usize,
    northing: usize,
    lad: Option<usize>,
    quality: Option<usize>,
    names: [String; 3],
}

fn find_columns(file: &str, header: &csv::StringRecord) -> Result<Columns, PostcodeError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| clean(h).to_ascii_lowercase())
        .collect();
    let pick = |wanted: &[&str]| -> Option<usize> {
        wanted
            .iter()
            .find_map(|w| names.iter().position(|n| n == w))
    };
    let missing = |wanted: &[&str]| PostcodeError::MissingColumn {
        file: file.to_string(),
        column: format!("for {} (any of: {})", wanted[0], wanted.join(", ")),
    };
    let postcode = pick(&POSTCODE_COLUMNS).ok_or_else(|| missing(&POSTCODE_COLUMNS))?;
    let easting = pick(&EASTING_COLUMNS).ok_or_else(|| missing(&EASTING_COLUMNS))?;
    let northing = pick(&NORTHING_COLUMNS).ok_or_else(|| missing(&NORTHING_COLUMNS))?;
    // LAD: oslaua / laua / lad, else the latest ladYYcd.
    let lad = pick(&LAD_COLUMNS).or_else(|| {
        names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let yy = n.strip_prefix("lad")?.strip_suffix("cd")?;
                (yy.len() == 2 && yy.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| (yy.parse::<u32>().unwrap_or(0), i))
            })
            .max()
            .map(|(_, i)| i)
    });
    Ok(Columns {
        postcode,
        easting,
        northing,
        lad,
        quality: names.iter().position(|n| n == GRID_QUALITY_COLUMN),
        names: [
            names[postcode].clone(),
            names[easting].clone(),
            names[northing].clone(),
        ],
    })
}

/// A parsed row: the postcode (`Err` holds a value that is not one), its
/// grid reference and LAD.
type Row<'a> = (
    Result<Postcode, &'a str>,
    Option<(u32, u32)>,
    Option<OnsCode>,
);

/// Streams an ONSPD-style CSV, calling `each(line, postcode, coords, lad)`.
fn read_csv(
    path: &Path,
    mut each: impl FnMut(u64, Option<Row<'_>>) -> Result<(), PostcodeError>,
) -> Result<(), PostcodeError> {
    let file = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_path(path)
        .map_err(|e| csv_error(&file, e))?;
    let header = rdr.headers().map_err(|e| csv_error(&file, e))?.clone();
    let cols = find_columns(&file, &header)?;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&file, e)),
        }
        let line = rec.position().map_or(0, |p| p.line());
        let row = parse_row(&file, line, &rec, &cols)?;
        each(line, row)?;
    }
    Ok(())
}

fn parse_row<'a>(
    file: &str,
    line: u64,
    rec: &'a csv::ByteRecord,
    cols: &Columns,
) -> Result<Option<Row<'a>>, PostcodeError> {
    let text = |i: usize| -> &'a str {
        rec.get(i)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map_or("", |s| s.trim().trim_matches('"').trim())
    };
    let raw_pc = text(cols.postcode);
    if raw_pc.is_empty() {
        return Ok(None);
    }
    let pc = Postcode::parse_unit(raw_pc).ok_or(raw_pc);
    let coord = |i: usize, name: &str, max: u32| -> Result<Option<u32>, PostcodeError> {
        let v = text(i);
        if v.is_empty() {
            return Ok(None);
        }
        // Some releases write coordinates as decimals ("406649.0").
        let n: f64 = v
            .parse()
            .map_err(|_| PostcodeError::bad(file, line, name, v, "not a number"))?;
        if !n.is_finite() || n < 0.0 || n > f64::from(max) {
            return Err(PostcodeError::bad(
                file,
                line,
                name,
                v,
                format!("outside 0 to {max}"),
            ));
        }
        Ok(Some(n.round() as u32))
    };
    let e = coord(cols.easting, &cols.names[1], MAX_EASTING)?;
    let n = coord(cols.northing, &cols.names[2], MAX_NORTHING)?;
    let no_grid_ref = cols.quality.is_some_and(|q| text(q) == "9");
    let coords = match (e, n) {
        (Some(e), Some(n)) if !no_grid_ref => Some((e, n)),
        _ => None,
    };
    let lad = match cols.lad.map(text) {
        None | Some("") => None,
        Some(v) => Some(
            OnsCode::parse(v)
                .ok_or_else(|| PostcodeError::bad(file, line, "LAD", v, "not an ONS code"))?,
        ),
    };
    Ok(Some((pc, coords, lad)))
}

fn csv_error(file: &str, e: csv::Error) -> PostcodeError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => PostcodeError::Io {
            file: file.to_string(),
            source,
        },
        other => PostcodeError::Csv {
            file: file.to_string(),
            line,
            message: format!("{other:?}"),
        },
    }
}
