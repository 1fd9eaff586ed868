//! Drawing primitives over any plotters backend (SVG or bitmap), in pixels,
//! with sizes scaled from the 900×500 design size.

use std::cell::RefCell;
use std::rc::Rc;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, point};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rustc_hash::FxHashMap;

use crate::ChartError;
use crate::style::{FAMILY, Fonts, X_HEIGHT};

/// Text weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Normal,
    Bold,
}

/// A stroke or fill: colour, opacity, width in pixels.
fn stroke(color: RGBColor, alpha: f64, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: color.mix(alpha),
        filled: true,
        stroke_width: width,
    }
}

/// A drawing surface of `w` × `h` pixels.
pub(crate) struct Canvas<'b, DB: DrawingBackend> {
    backend: &'b mut DB,
    fonts: &'static Fonts,
    /// Draw text as pixels (bitmaps) rather than as text elements (SVG).
    raster_text: bool,
    /// Text, drawn after every shape so it is always on top.
    pub texts: TextLayer,
    pub w: f64,
    pub h: f64,
    /// Size relative to the 900×500 design.
    pub s: f64,
}

impl<DB: DrawingBackend> std::fmt::Debug for Canvas<'_, DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canvas({}×{})", self.w, self.h)
    }
}

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn px(v: f64) -> i32 {
    v.round().clamp(-1.0e6, 1.0e6) as i32
}

impl<'b, DB: DrawingBackend> Canvas<'b, DB> {
    pub fn new(backend: &'b mut DB, fonts: &'static Fonts, raster_text: bool) -> Self {
        let (w, h) = backend.get_size();
        let s = (w as f64 / 900.0).min(h as f64 / 500.0).clamp(0.5, 4.0);
        Canvas {
            backend,
            fonts,
            raster_text,
            texts: TextLayer::default(),
            w: w as f64,
            h: h as f64,
            s,
        }
    }

    /// A design size (pixels at 900×500) at this canvas's scale.
    pub fn d(&self, v: f64) -> f64 {
        v * self.s
    }

    /// Room to leave for `text` at design size `size`: its width with the
    /// embedded font plus 15%, so an SVG viewer that substitutes a wider
    /// font (DejaVu Sans is about 12% wider than Arial) and ignores
    /// `textLength` still does not overlap. Layout uses this; drawing uses
    /// the exact width.
    pub fn text_width(&self, text: &str, size: f64, weight: Weight) -> f64 {
        self.exact_width(text, size, weight) * LAYOUT_SLACK
    }

    /// Width of `text` in pixels at design size `size`: the advances and
    /// kerning of the embedded font, as a browser lays it out in the SVG.
    fn exact_width(&self, text: &str, size: f64, weight: Weight) -> f64 {
        let bold = weight == Weight::Bold;
        let face = self.fonts.face(bold);
        let units = unscaled_width(face, bold, text);
        units as f64 * self.d(size) / self.fonts.units_per_em(bold) as f64
    }

    /// Height of a line of text at design size `size`.
    pub fn line_height(&self, size: f64) -> f64 {
        self.d(size) * 1.3
    }

    /// Break `text` into lines no wider than `max_width`, at spaces (and at
    /// any `\n`). A word wider than the line is cut with an ellipsis.
    pub fn wrap(&self, text: &str, size: f64, weight: Weight, max_width: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.text_width(&candidate, size, weight) <= max_width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
                if self.text_width(&line, size, weight) > max_width {
                    line = self.truncate(&line, size, weight, max_width);
                }
            }
            lines.push(line);
        }
        lines
    }

    /// `text`, cut with "…" to fit `max_width`.
    pub fn truncate(&self, text: &str, size: f64, weight: Weight, max_width: f64) -> String {
        if self.text_width(text, size, weight) <= max_width {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let s: String = chars[..mid].iter().collect::<String>() + "…";
            if self.text_width(&s, size, weight) <= max_width {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        chars[..lo]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…"
    }

    /// Draw one line of text with its anchor at (x, y).
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        x: f64,
        y: f64,
        size: f64,
        weight: Weight,
        color: RGBColor,
        anchor: (HPos, VPos),
    ) -> Result<(), ChartError> {
        if text.is_empty() {
            return Ok(());
        }
        let width = self.exact_width(text, size, weight);
        let em = self.d(size);
        let left = match anchor.0 {
            HPos::Left => x,
            HPos::Center => x - width / 2.0,
            HPos::Right => x - width,
        };
        let baseline = match anchor.1 {
            VPos::Top => y + 0.76 * em,
            VPos::Center => y + 0.5 * X_HEIGHT * em,
            VPos::Bottom => y - 0.5 * X_HEIGHT * em,
        };
        if self.raster_text {
            self.texts.raster.push(RasterText {
                text: text.to_string(),
                left,
                baseline,
                em,
                bold: weight == Weight::Bold,
                color,
            });
            return Ok(());
        }
        // SVG: the measured width is imposed with `textLength`, so a viewer
        // without Arial or Liberation Sans fits its fallback font to the same
        // box and nothing overlaps.
        let text_anchor = match anchor.0 {
            HPos::Left => "start",
            HPos::Center => "middle",
            HPos::Right => "end",
        };
        let mut el = format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{text_anchor}\" font-family=\"{FAMILY}\" font-size=\"{}\"",
            num(x),
            num(baseline),
            num(em)
        );
        if weight == Weight::Bold {
            el.push_str(" font-weight=\"bold\"");
        }
        el.push_str(&format!(
            " fill=\"#{:02X}{:02X}{:02X}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\">",
            color.0,
            color.1,
            color.2,
            num(width)
        ));
        xml_escape_into(&mut el, text);
        el.push_str("</text>");
        self.texts.svg.push(el);
        Ok(())
    }

    /// Draw lines of text from the top at (x, y); returns the y below them.
    #[allow(clippy::too_many_arguments)]
    pub fn text_lines(
        &mut self,
        lines: &[String],
        x: f64,
        y: f64,
        size: f64,
        weight: Weight,
        color: RGBColor,
        h: HPos,
    ) -> Result<f64, ChartError> {
        let lh = self.line_height(size);
        let mut y = y;
        for line in lines {
            self.text(line, x, y, size, weight, color, (h, VPos::Top))?;
            y += lh;
        }
        Ok(y)
    }

    /// A filled rectangle between two corners.
    pub fn rect(
        &mut self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let (l, r) = (x0.min(x1), x0.max(x1));
        let (t, b) = (y0.min(y1), y0.max(y1));
        let style = stroke(color, 1.0, 1);
        self.backend
            .draw_rect((px(l), px(t)), (px(r), px(b)), &style, true)
            .map_err(err)
    }

    /// A straight line `width` design pixels wide.
    pub fn line(
        &mut self,
        a: (f64, f64),
        b: (f64, f64),
        color: RGBColor,
        width: f64,
    ) -> Result<(), ChartError> {
        self.polyline(&[a, b], color, width)
    }

    /// A joined line through `points`, `width` design pixels wide.
    pub fn polyline(
        &mut self,
        points: &[(f64, f64)],
        color: RGBColor,
        width: f64,
    ) -> Result<(), ChartError> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = stroke(color, 1.0, (self.d(width).round() as u32).max(1));
        let path: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (px(x), px(y))).collect();
        self.backend.draw_path(path, &style).map_err(err)
    }

    /// A dashed line through `points`: dashes of `dash`, gaps of `gap`
    /// (design pixels), continued across the joints.
    pub fn dashed(
        &mut self,
        points: &[(f64, f64)],
        color: RGBColor,
        width: f64,
        dash: f64,
        gap: f64,
    ) -> Result<(), ChartError> {
        let (dash, gap) = (self.d(dash).max(1.0), self.d(gap).max(1.0));
        let mut on = true;
        let mut left = dash;
        let mut current: Vec<(f64, f64)> = Vec::new();
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            if len == 0.0 {
                continue;
            }
            let mut t = 0.0;
            let at = |t: f64| (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if on && current.is_empty() {
                current.push(at(0.0));
            }
            while t < len {
                let step = left.min(len - t);
                t += step;
                left -= step;
                if on {
                    current.push(at(t));
                }
                if left <= 1e-9 {
                    if on {
                        self.polyline(&current, color, width)?;
                        current.clear();
                    } else {
                        current.push(at(t));
                    }
                    on = !on;
                    left = if on { dash } else { gap };
                }
            }
        }
        if on && current.len() >= 2 {
            self.polyline(&current, color, width)?;
        }
        Ok(())
    }

    /// A filled circle of radius `r` design pixels, with an optional outline.
    pub fn circle(
        &mut self,
        (x, y): (f64, f64),
        r: f64,
        fill: RGBColor,
        alpha: f64,
        outline: Option<RGBColor>,
    ) -> Result<(), ChartError> {
        let r = (self.d(r).round() as u32).max(1);
        let style = stroke(fill, alpha, 1);
        self.backend
            .draw_circle((px(x), px(y)), r, &style, true)
            .map_err(err)?;
        if let Some(o) = outline {
            let style = stroke(o, 1.0, 1);
            self.backend
                .draw_circle((px(x), px(y)), r, &style, false)
                .map_err(err)?;
        }
        Ok(())
    }

    /// Fill the whole canvas.
    pub fn fill(&mut self, color: RGBColor) -> Result<(), ChartError> {
        let (w, h) = (self.w, self.h);
        self.rect((0.0, 0.0), (w, h), color)
    }

    /// Finish drawing.
    pub fn present(&mut self) -> Result<(), ChartError> {
        self.backend.present().map_err(err)
    }
}

/// Whole pixel and subpixel part (in quarters) of a position.
fn split(v: f64) -> (i32, u8) {
    let q = (v * 4.0).round();
    let whole = (q / 4.0).floor();
    (whole as i32, (q - whole * 4.0) as u8)
}

/// The text of a chart, kept apart from the shapes and drawn last.
#[derive(Debug, Default)]
pub(crate) struct TextLayer {
    /// SVG `<text>` elements.
    pub svg: Vec<String>,
    /// Text to rasterise.
    pub raster: Vec<RasterText>,
}

/// One line of text to rasterise: from its left end on the baseline.
#[derive(Debug, Clone)]
pub(crate) struct RasterText {
    text: String,
    left: f64,
    baseline: f64,
    em: f64,
    bold: bool,
    color: RGBColor,
}

/// Rasterise `texts` into an RGB buffer of `width` × `height` with the
/// embedded font (cached advances, kerning and glyph coverage), placed
/// exactly where the SVG puts the same text.
pub(crate) fn paint_text<S: TextSurface>(
    surface: &mut S,
    width: u32,
    height: u32,
    fonts: &Fonts,
    texts: &[RasterText],
) {
    let (w, h) = (width as i32, height as i32);
    for t in texts {
        let face = fonts.face(t.bold);
        let upem = fonts.units_per_em(t.bold) as f64;
        let scale = PxScale::from((t.em * fonts.height_per_em(t.bold) as f64) as f32);
        let (oy, fy) = split(t.baseline);
        let mut caret = t.left;
        let placed: Vec<(GlyphId, i32, u8)> = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let mut out = Vec::with_capacity(t.text.len());
            let mut prev: Option<GlyphId> = None;
            for ch in t.text.chars() {
                let (id, advance) = c.glyph(face, t.bold, ch);
                if let Some(p) = prev {
                    caret += c.kern(face, t.bold, p, id) as f64 * t.em / upem;
                }
                prev = Some(id);
                let (ox, fx) = split(caret);
                out.push((id, ox, fx));
                caret += advance as f64 * t.em / upem;
            }
            out
        });
        let src = [t.color.0 as u32, t.color.1 as u32, t.color.2 as u32];
        for (id, ox, fx) in placed {
            let glyph = cached_glyph(face, t.bold, id, scale, fx, fy);
            for &(dx, dy, a) in glyph.iter() {
                let (x, y) = (ox + dx, oy + dy);
                if x < 0 || y < 0 || x >= w || y >= h {
                    continue;
                }
                surface.cover(y as usize * width as usize + x as usize, src, a);
            }
        }
    }
}

/// `src` over `dst` with coverage `a` (0–255), rounded to nearest.
fn over(src: [u32; 3], dst: [u8; 3], a: u8) -> [u8; 3] {
    let a = u32::from(a);
    let mix = |s: u32, d: u8| ((s * a + u32::from(d) * (255 - a) + 127) / 255) as u8;
    [
        mix(src[0], dst[0]),
        mix(src[1], dst[1]),
        mix(src[2], dst[2]),
    ]
}

/// Where [`paint_text`] paints: pixel `i` (row-major) covered by colour
/// `src` to the extent `a`.
pub(crate) trait TextSurface {
    fn cover(&mut self, i: usize, src: [u32; 3], a: u8);
}

/// Three bytes a pixel.
pub(crate) struct Rgb<'a>(pub &'a mut [u8]);

impl TextSurface for Rgb<'_> {
    fn cover(&mut self, i: usize, src: [u32; 3], a: u8) {
        let px = &mut self.0[i * 3..i * 3 + 3];
        let out = over(src, [px[0], px[1], px[2]], a);
        px.copy_from_slice(&out);
    }
}

impl TextSurface for crate::indexed::Indexed {
    fn cover(&mut self, i: usize, src: [u32; 3], a: u8) {
        let out = over(src, self.colour_at(i), a);
        self.pixels[i] = self.index_of(out);
    }
}

type GlyphPixels = Rc<Vec<(i32, i32, u8)>>;
type GlyphKey = (bool, u16, u32, u8, u8);

/// Per-thread caches of text metrics and rasterised glyphs: the same labels
/// recur on every chart of a set, and looking up kerning is slow.
#[derive(Default)]
struct TextCache {
    /// Glyph and advance (font units) per character, regular and bold.
    chars: [FxHashMap<char, (GlyphId, f32)>; 2],
    /// Kerning (font units) per glyph pair.
    kerns: [FxHashMap<(u16, u16), f32>; 2],
    /// Width (font units) per string.
    widths: [FxHashMap<Box<str>, f32>; 2],
    glyphs: FxHashMap<GlyphKey, GlyphPixels>,
}

/// Entries kept per map before it is emptied (a chart set needs far fewer).
const CACHE_LIMIT: usize = 50_000;

impl TextCache {
    fn glyph(&mut self, face: &FontRef<'static>, bold: bool, ch: char) -> (GlyphId, f32) {
        let map = &mut self.chars[usize::from(bold)];
        if let Some(g) = map.get(&ch) {
            return *g;
        }
        let id = face.glyph_id(ch);
        let g = (id, face.h_advance_unscaled(id));
        if map.len() > CACHE_LIMIT {
            map.clear();
        }
        map.insert(ch, g);
        g
    }

    fn kern(&mut self, face: &FontRef<'static>, bold: bool, a: GlyphId, b: GlyphId) -> f32 {
        let map = &mut self.kerns[usize::from(bold)];
        if let Some(k) = map.get(&(a.0, b.0)) {
            return *k;
        }
        let k = face.kern_unscaled(a, b);
        if map.len() > CACHE_LIMIT {
            map.clear();
        }
        map.insert((a.0, b.0), k);
        k
    }
}

thread_local! {
    static CACHE: RefCell<TextCache> = RefCell::new(TextCache::default());
}

/// Width of `text` in font units: advances plus kerning.
fn unscaled_width(face: &FontRef<'static>, bold: bool, text: &str) -> f32 {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(w) = c.widths[usize::from(bold)].get(text) {
            return *w;
        }
        let mut w = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let (id, advance) = c.glyph(face, bold, ch);
            if let Some(p) = prev {
                w += c.kern(face, bold, p, id);
            }
            w += advance;
            prev = Some(id);
        }
        let widths = &mut c.widths[usize::from(bold)];
        if widths.len() > CACHE_LIMIT {
            widths.clear();
        }
        widths.insert(text.into(), w);
        w
    })
}

/// A glyph's coverage, relative to its whole-pixel origin, rasterised once
/// per thread for each size and quarter-pixel offset.
fn cached_glyph(
    f: &FontRef<'static>,
    bold: bool,
    id: GlyphId,
    scale: PxScale,
    fx: u8,
    fy: u8,
) -> GlyphPixels {
    let key = (bold, id.0, (scale.y * 64.0) as u32, fx, fy);
    if let Some(g) = CACHE.with(|c| c.borrow().glyphs.get(&key).cloned()) {
        return g;
    }
    let glyph = id.with_scale_and_position(scale, point(fx as f32 / 4.0, fy as f32 / 4.0));
    let mut pixels = Vec::new();
    if let Some(outlined) = f.outline_glyph(glyph) {
        let b = outlined.px_bounds();
        let (bx, by) = (b.min.x as i32, b.min.y as i32);
        outlined.draw(|gx, gy, c| {
            // 16 levels of coverage: smooth to the eye, and few enough
            // shades that a chart fits a 256-colour palette.
            let a = ((c.clamp(0.0, 1.0) * 15.0).round() * 17.0) as u8;
            if a > 0 {
                pixels.push((bx + gx as i32, by + gy as i32, a));
            }
        });
    }
    let g = Rc::new(pixels);
    CACHE.with(|c| {
        let glyphs = &mut c.borrow_mut().glyphs;
        if glyphs.len() > CACHE_LIMIT {
            glyphs.clear();
        }
        glyphs.insert(key, g.clone());
    });
    g
}

/// See [`Canvas::text_width`].
const LAYOUT_SLACK: f64 = 1.15;

/// A coordinate for an SVG attribute: at most two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

pub(crate) fn xml_escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}
