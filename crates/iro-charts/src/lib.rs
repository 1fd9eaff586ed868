//! Charts for the IRO annual report and the regional pack, drawn from tidy
//! metric rows.
//!
//! Six kinds ([`Chart`]): lines over the years per area ([`LineChart`]),
//! funnel plots ([`FunnelChart`]), stacked bars ([`StackedBarChart`]), bars
//! with a target line ([`BarChart`]), and for a regional group's pack,
//! ranked horizontal bars with intervals and reference lines
//! ([`RankedBarChart`]: a league table) and grids of small line or bar
//! panels sharing one value axis ([`SmallMultiples`]). Each is drawn as SVG
//! ([`svg`], at its [`natural_size`]) or PNG ([`png`]) with an embedded
//! open-licence font (Liberation Sans, metric-compatible with Arial), so
//! output does not depend on the fonts of the machine; described in words
//! ([`alt_text`]); and given as the table of exactly what is drawn
//! ([`data_table`]).
//!
//! Charts read only tidy rows (`iro_metric_api::MetricRow`, as written to
//! `metrics.csv`), already suppressed by the engine: a suppressed cell is drawn
//! as a gap marked `c`, never as zero. [`build`] makes charts from rows;
//! [`standard`] makes and writes the set `iro run` puts beside its tables.
//!
//! ```
//! use iro_charts::{BarChart, Cell, Chart, ChartMeta, Series, TargetLine};
//!
//! let chart = Chart::Bars(BarChart {
//!     meta: ChartMeta::new("Reviews held on time")
//!         .axes("Quarter", "Reviews on time")
//!         .unit("%")
//!         .source("SSDA903")
//!         .period("2024-25"),
//!     categories: vec!["Q1".into(), "Q2".into(), "Q3".into(), "Q4".into()],
//!     series: vec![Series {
//!         name: "Reviews on time".into(),
//!         values: vec![Cell::Value(92.0), Cell::Value(98.0), Cell::Suppressed, Cell::Value(85.0)],
//!     }],
//!     target: Some(TargetLine { value: 90.0, label: "Target: at least 90%".into() }),
//!     percent: true,
//!     decimals: 0,
//! });
//! let svg = iro_charts::svg(&chart).unwrap();
//! assert!(svg.contains("Reviews held on time"));
//! let png = iro_charts::png(&chart, 900, 500).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! assert_eq!(iro_charts::data_table(&chart).rows[2][1], "c");
//! ```

pub mod build;
mod canvas;
mod draw;
mod funnel;
mod indexed;
mod layout;
mod model;
mod multiples;
mod ranked;
mod read;
pub mod standard;
mod style;
mod table;
#[cfg(test)]
mod testkit;

use plotters::prelude::{BitMapBackend, SVGBackend};

pub use model::{
    AreaRole, BarChart, Cell, Chart, ChartMeta, DataTable, FunnelChart, FunnelLimits, FunnelPoint,
    LineChart, LineSeries, OverDispersionNote, Panel, PointBand, RankedBar, RankedBarChart,
    ReferenceLine, SegmentColours, Series, SmallMultiples, StackedBarChart, TargetLine,
};
pub use read::{ReadError, parse_breakdown, parse_period, read_metrics};
pub use style::{format_number, year_label};
pub use table::{alt_text, data_table};

/// The size SVGs of the line, funnel, stacked and bar kinds are drawn at,
/// and their natural PNG size (see [`natural_size`]).
pub const DEFAULT_SIZE: (u32, u32) = (900, 500);

/// The size a chart is designed to be drawn at: [`DEFAULT_SIZE`] for the
/// line, funnel, stacked and bar kinds; as wide but taller for a ranked bar
/// chart of many bars (a row per bar) and a grid of many panels (a band per
/// row of panels). [`svg`] draws at this size; drawing a PNG at a multiple of
/// it (keeping the aspect ratio) gives the same picture, sharper. Never
/// taller than half of [`MAX_SIDE`], so a PNG at twice the size is allowed.
pub fn natural_size(chart: &Chart) -> (u32, u32) {
    match chart {
        Chart::RankedBars(c) => ranked::natural_size(c),
        Chart::SmallMultiples(c) => multiples::natural_size(c),
        Chart::Lines(_) | Chart::Funnel(_) | Chart::StackedBars(_) | Chart::Bars(_) => DEFAULT_SIZE,
    }
}

/// The largest PNG side accepted.
pub const MAX_SIDE: u32 = 8000;

/// Why a chart could not be made or drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The rows hold nothing this chart could draw.
    #[error("nothing to draw: {0}")]
    NothingToDraw(String),
    /// A funnel's limits could not be computed.
    #[error("funnel limits: {0}")]
    Stats(#[from] iro_stats::StatsError),
    /// The requested image size is zero or too large.
    #[error("image size {width}×{height} is not allowed (each side 1 to {MAX_SIDE} pixels)")]
    BadSize { width: u32, height: u32 },
    /// A small-multiples panel of a kind that cannot be drawn small (only
    /// line and bar charts can).
    #[error("small-multiples panel {panel:?} is a {kind}; panels must be line or bar charts")]
    UnsupportedPanel { panel: String, kind: &'static str },
    /// The image is too small to fit the chart's text.
    #[error("image size {width}×{height} is too small for this chart's titles and labels")]
    TooSmall { width: u32, height: u32 },
    /// The embedded font could not be loaded.
    #[error("the embedded font could not be loaded")]
    Font,
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// A chart file could not be written.
    #[error("{}: {error}", path.display())]
    Io {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The chart as an SVG document of its [`natural_size`], with its title and
/// text alternative as `<title>` and `<desc>` for screen readers. The root
/// element has a `viewBox`, so a page scales it to any width.
pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    let (w, h) = natural_size(chart);
    svg_sized(chart, w, h)
}

/// The chart as an SVG document of `width` × `height` (user units).
pub fn svg_sized(chart: &Chart, width: u32, height: u32) -> Result<String, ChartError> {
    check_size(width, height)?;
    let mut out = String::new();
    let texts = {
        let mut backend = SVGBackend::with_string(&mut out, (width, height));
        draw::render(chart, &mut backend, false)?
    };
    let end = out
        .rfind("</svg>")
        .ok_or_else(|| ChartError::Draw("SVG without a closing tag".into()))?;
    let mut tail = String::with_capacity(texts.svg.iter().map(|t| t.len() + 1).sum::<usize>() + 8);
    for t in &texts.svg {
        tail.push_str(t);
        tail.push('\n');
    }
    out.insert_str(end, &tail);
    // Accessible name and description, right after the opening tag.
    let close = out
        .find('>')
        .ok_or_else(|| ChartError::Draw("SVG without a root element".into()))?;
    let head = format!(
        " role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n<title id=\"chart-title\">{}</title>\n<desc id=\"chart-desc\">{}</desc>",
        xml_escape(&chart.meta().title),
        xml_escape(&alt_text(chart))
    );
    out.replace_range(close..=close, &head);
    Ok(out)
}

/// The chart as a PNG image of `width` × `height` pixels: 8-bit palette
/// colour when it has at most 256 colours (charts almost always do), else
/// 8-bit RGB.
///
/// Drawn straight into palette indices (the `indexed` module); a chart that needs
/// more colours is drawn again in RGB. Either way the pixels are those of
/// [`png_rgb`].
pub fn png(chart: &Chart, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    check_size(width, height)?;
    let mut surface = indexed::Indexed::new(width, height);
    let texts = draw::render(chart, &mut surface, true)?;
    canvas::paint_text(&mut surface, width, height, style::fonts()?, &texts.raster);
    if surface.overflowed() {
        return png_rgb(chart, width, height);
    }
    encode_indexed(&surface.pixels, &surface.colours, width, height)
}

/// The chart as a PNG drawn in RGB (then made a palette image if it has at
/// most 256 colours): what [`png`] falls back to.
pub fn png_rgb(chart: &Chart, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    check_size(width, height)?;
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    let texts = {
        let mut backend = BitMapBackend::with_buffer(&mut pixels, (width, height));
        draw::render(chart, &mut backend, true)?
    };
    canvas::paint_text(
        &mut canvas::Rgb(&mut pixels),
        width,
        height,
        style::fonts()?,
        &texts.raster,
    );
    encode_png(&pixels, width, height)
}

/// An 8-bit palette PNG of `indices` into `colours`: fdeflate with adaptive
/// row filters, as [`encode_png`]. (Unfiltered rows were tried: a chart
/// set's PNGs came out 3.7 times the size, and no faster to write, as
/// fdeflate's fast mode finds little but runs of zeros.)
fn encode_indexed(
    indices: &[u8],
    colours: &[[u8; 3]],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    let png_err = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut out = Vec::with_capacity(indices.len() / 10);
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.set_color(png::ColorType::Indexed);
        enc.set_palette(colours.concat());
        let mut w = enc.write_header().map_err(png_err)?;
        w.write_image_data(indices).map_err(png_err)?;
        w.finish().map_err(png_err)?;
    }
    Ok(out)
}

/// Encode as an 8-bit palette PNG when the image has at most 256 colours
/// (charts almost always do: flat fills, and text edges in 16 shades), which
/// is a third of the data to filter and compress and a third of the size;
/// else as 8-bit RGB.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let png_err = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut out = Vec::with_capacity(rgb.len() / 30);
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_depth(png::BitDepth::Eight);
        // fdeflate with adaptive row filters (for an RGB image).
        enc.set_compression(png::Compression::Fast);
        match palette(rgb, width as usize) {
            Some((colours, indices)) => {
                enc.set_color(png::ColorType::Indexed);
                enc.set_palette(colours);
                let mut w = enc.write_header().map_err(png_err)?;
                w.write_image_data(&indices).map_err(png_err)?;
                w.finish().map_err(png_err)?;
            }
            None => {
                enc.set_color(png::ColorType::Rgb);
                let mut w = enc.write_header().map_err(png_err)?;
                w.write_image_data(rgb).map_err(png_err)?;
                w.finish().map_err(png_err)?;
            }
        }
    }
    Ok(out)
}

/// The image's colours (RGB triples) and each pixel's index into them, or
/// `None` if it has more than 256 colours.
fn palette(rgb: &[u8], width: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    // Open addressing on the packed colour: 1,024 slots for at most 256
    // colours keeps probes short. A slot holds colour + 1 (0 = empty).
    const SLOTS: usize = 1024;
    let mut keys = [0u32; SLOTS];
    let mut vals = [0u8; SLOTS];
    let mut colours: Vec<u8> = Vec::with_capacity(256 * 3);
    let mut indices = vec![0u8; rgb.len() / 3];
    let stride = width * 3;
    if stride == 0 {
        return Some((colours, indices));
    }
    let mut last_key = 0u32;
    let mut last_index = 0u8;
    for (y, row) in rgb.chunks_exact(stride).enumerate() {
        let at = y * width;
        // A row like the one above (margins, bar interiors) is copied.
        if y > 0 && row == &rgb[(y - 1) * stride..y * stride] {
            indices.copy_within(at - width..at, at);
            continue;
        }
        for (out, px) in indices[at..at + width].iter_mut().zip(row.chunks_exact(3)) {
            let key = (u32::from(px[0]) << 16 | u32::from(px[1]) << 8 | u32::from(px[2])) + 1;
            // Runs of one colour are the rule: skip the lookup.
            if key != last_key {
                let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 22) as usize;
                loop {
                    if keys[slot] == key {
                        last_index = vals[slot];
                        break;
                    }
                    if keys[slot] == 0 {
                        last_index = u8::try_from(colours.len() / 3).ok()?;
                        keys[slot] = key;
                        vals[slot] = last_index;
                        colours.extend_from_slice(px);
                        break;
                    }
                    slot = (slot + 1) % SLOTS;
                }
                last_key = key;
            }
            *out = last_index;
        }
    }
    Some((colours, indices))
}

fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        Err(ChartError::BadSize { width, height })
    } else {
        Ok(())
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    canvas::xml_escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb_pixels(bytes: Vec<u8>) -> Vec<u8> {
        let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
        d.set_transformations(png::Transformations::EXPAND);
        let mut r = d.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        buf
    }

    #[test]
    fn league_tables_and_grids_in_palette_indices_match_the_rgb_drawing() {
        let charts = [
            Chart::RankedBars(crate::testkit::league_table()),
            Chart::SmallMultiples(crate::testkit::timeliness_grid()),
            Chart::SmallMultiples(crate::testkit::trend_grid()),
        ];
        for chart in &charts {
            let (w, h) = natural_size(chart);
            for (w, h) in [(w, h), (w * 5 / 4, h * 5 / 4)] {
                let fast = rgb_pixels(png(chart, w, h).unwrap());
                let slow = rgb_pixels(png_rgb(chart, w, h).unwrap());
                assert!(fast == slow, "{} {w}×{h}", chart.kind_name());
            }
        }
    }

    #[test]
    fn few_colours_make_a_palette_image_many_an_rgb_one() {
        // 4×2: three colours, the second row a copy of the first.
        let row = [255, 255, 255, 0, 114, 178, 0, 114, 178, 11, 12, 12];
        let rgb: Vec<u8> = row.iter().chain(row.iter()).copied().collect();
        let (colours, indices) = palette(&rgb, 4).unwrap();
        assert_eq!(colours, vec![255, 255, 255, 0, 114, 178, 11, 12, 12]);
        assert_eq!(indices, vec![0, 1, 1, 2, 0, 1, 1, 2]);

        // 300 colours: no palette; the PNG is RGB and still decodes exactly.
        let rgb: Vec<u8> = (0..300u32)
            .flat_map(|i| [(i % 256) as u8, (i / 256) as u8, 7])
            .collect();
        assert!(palette(&rgb, 300).is_none());
        for (pixels, w) in [(rgb.clone(), 300u32), ([9u8, 8, 7].repeat(300), 300)] {
            let bytes = encode_png(&pixels, w, 1).unwrap();
            let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
            d.set_transformations(png::Transformations::EXPAND);
            let mut r = d.read_info().unwrap();
            let mut buf = vec![0; r.output_buffer_size().unwrap()];
            let info = r.next_frame(&mut buf).unwrap();
            assert_eq!(&buf[..info.buffer_size()], &pixels[..]);
        }
    }
}
