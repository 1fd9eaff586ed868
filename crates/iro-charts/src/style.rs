//! The house style: the embedded font, the colour-blind-safe palette, sizes
//! and number formats.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::RGBColor;

use crate::ChartError;
use crate::model::AreaRole;

/// Liberation Sans 2.1.5 (SIL Open Font License 1.1, `data/fonts/`): metric-
/// compatible with Arial, so an SVG shown with Arial lays out as measured.
static REGULAR: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Bold.ttf");

/// The `font-family` of every SVG `<text>`: Arial (the same metrics) or
/// Liberation Sans where installed, else any sans-serif. PNG text is drawn
/// with the embedded font itself.
pub(crate) const FAMILY: &str = "Arial, Liberation Sans, Helvetica, sans-serif";

/// The embedded regular and bold faces.
#[derive(Debug)]
pub(crate) struct Fonts {
    pub regular: FontRef<'static>,
    pub bold: FontRef<'static>,
}

impl Fonts {
    pub fn face(&self, bold: bool) -> &FontRef<'static> {
        if bold { &self.bold } else { &self.regular }
    }

    /// Font units per em.
    pub fn units_per_em(&self, bold: bool) -> f32 {
        self.face(bold).units_per_em().unwrap_or(2048.0)
    }

    /// ab_glyph scales by ascent − descent: this, times a CSS pixel font
    /// size, is the `PxScale` that draws glyphs one em high.
    pub fn height_per_em(&self, bold: bool) -> f32 {
        self.face(bold).height_unscaled() / self.units_per_em(bold)
    }
}

/// The embedded font, parsed once per process.
pub(crate) fn fonts() -> Result<&'static Fonts, ChartError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: FontRef::try_from_slice(REGULAR).ok()?,
                bold: FontRef::try_from_slice(BOLD).ok()?,
            })
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

/// The x-height of Liberation Sans (1082/2048 em): what `ex` means in the SVG.
pub(crate) const X_HEIGHT: f64 = 0.528;

/// Okabe & Ito (2008) colours, safe for the common colour-vision deficiencies.
pub(crate) mod okabe_ito {
    use plotters::style::RGBColor;
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
}

pub(crate) const TEXT: RGBColor = RGBColor(0x0B, 0x0C, 0x0C);
pub(crate) const SECONDARY_TEXT: RGBColor = RGBColor(0x50, 0x5A, 0x5F);
pub(crate) const GRID: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
pub(crate) const AXIS: RGBColor = RGBColor(0x50, 0x5A, 0x5F);
pub(crate) const ENGLAND: RGBColor = RGBColor(0x3C, 0x3C, 0x3C);
pub(crate) const REGION: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
pub(crate) const MUTED_POINT: RGBColor = RGBColor(0xA6, 0xA6, 0xA6);
pub(crate) const NOT_KNOWN: RGBColor = RGBColor(0xBF, 0xBF, 0xBF);
pub(crate) const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Colours of further authorities on a line chart, after the first.
const COMPARATORS: [RGBColor; 4] = [
    okabe_ito::VERMILLION,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::SKY_BLUE,
];

/// Line colour, width (px at 900×500) and dash of an area on a line chart.
pub(crate) fn area_style(role: AreaRole, nth_comparator: usize) -> (RGBColor, f64, bool) {
    match role {
        AreaRole::Authority => (okabe_ito::BLUE, 3.0, false),
        AreaRole::Comparator => (COMPARATORS[nth_comparator % COMPARATORS.len()], 2.5, false),
        AreaRole::Neighbours => (okabe_ito::ORANGE, 2.5, true),
        AreaRole::Region => (REGION, 2.5, true),
        AreaRole::England => (ENGLAND, 2.5, false),
    }
}

/// Categorical segment colours (Okabe–Ito without black, then two greys),
/// ordered so neighbours contrast.
const CATEGORICAL: [RGBColor; 9] = [
    okabe_ito::BLUE,
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::YELLOW,
    RGBColor(0x6E, 0x6E, 0x6E),
    RGBColor(0x2B, 0x2B, 0x2B),
];

/// The colour of the `i`-th categorical segment (cycles past nine).
pub(crate) fn categorical(i: usize) -> RGBColor {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// The colour of the `i`-th of `n` ordered segments: a single-hue blue ramp,
/// light to dark (ColorBrewer Blues end points), distinguishable without hue.
pub(crate) fn sequential(i: usize, n: usize) -> RGBColor {
    const LIGHT: (f64, f64, f64) = (198.0, 219.0, 239.0);
    const DARK: (f64, f64, f64) = (8.0, 48.0, 107.0);
    let t = if n <= 1 {
        1.0
    } else {
        i as f64 / (n - 1) as f64
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round().clamp(0.0, 255.0) as u8;
    RGBColor(
        mix(LIGHT.0, DARK.0),
        mix(LIGHT.1, DARK.1),
        mix(LIGHT.2, DARK.2),
    )
}

/// Whether text on `c` should be white (dark background) rather than black.
pub(crate) fn needs_light_text(c: RGBColor) -> bool {
    // Relative luminance, WCAG 2.1.
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.039_28 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    // Contrast with white beats contrast with black below L ≈ 0.179.
    l < 0.179
}

/// A number with `decimals` places and thousands separators: `12,345.6`.
pub fn format_number(v: f64, decimals: u8) -> String {
    if !v.is_finite() {
        return String::from("x");
    }
    let s = format!("{:.*}", decimals as usize, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut grouped = String::with_capacity(s.len() + 4);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if let Some(f) = frac {
        grouped.push('.');
        grouped.push_str(f);
    }
    let zero = grouped.chars().all(|c| matches!(c, '0' | '.' | ','));
    if v < 0.0 && !zero {
        grouped.insert(0, '-');
    }
    grouped
}

/// A collection year as printed: `2024-25`.
pub fn year_label(year: i32) -> String {
    format!("{}-{:02}", year - 1, year.rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(format_number(0.0, 1), "0.0");
        assert_eq!(format_number(999.95, 1), "1,000.0");
        assert_eq!(format_number(12_183_016.0, 0), "12,183,016");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(-0.04, 1), "0.0");
        assert_eq!(format_number(f64::NAN, 1), "x");
        assert_eq!(format_number(59.561_214, 1), "59.6");
    }

    #[test]
    fn years_are_printed_as_collection_years() {
        assert_eq!(year_label(2025), "2024-25");
        assert_eq!(year_label(2000), "1999-00");
        assert_eq!(year_label(2010), "2009-10");
    }

    #[test]
    fn text_colour_contrasts_with_its_segment() {
        assert!(needs_light_text(okabe_ito::BLUE));
        assert!(needs_light_text(sequential(4, 5)));
        assert!(!needs_light_text(okabe_ito::YELLOW));
        assert!(!needs_light_text(sequential(0, 5)));
    }

    #[test]
    fn embedded_font_loads() {
        let f = fonts().unwrap();
        assert!(std::ptr::eq(f, fonts().unwrap()));
        assert_eq!(f.regular.units_per_em(), Some(2048.0));
        // Metric-compatible with Arial: "x" is 1024/2048 em wide.
        assert_eq!(
            f.regular.h_advance_unscaled(f.regular.glyph_id('x')),
            1024.0
        );
    }
}
