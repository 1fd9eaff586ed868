//! A drawing surface of palette indices: one byte a pixel and a palette of
//! at most 256 colours, built as the chart is drawn.
//!
//! Charts are flat fills, lines and text in a few colours, so a PNG of one
//! is a palette image. Drawing it in RGB and then finding its palette meant
//! writing three bytes a pixel, then reading every pixel again and hashing
//! its colour; drawing the indices directly looks a colour up once a shape
//! (once a pixel only where a shape is blended with what is under it: the
//! edges of lines and circles, and text). Every operation gives exactly the
//! colour the RGB bitmap backend of `plotters` gives, pixel for pixel (the
//! same blending arithmetic, rounding included), so the picture is the same;
//! a test draws every kind both ways and compares. A drawing that would need
//! more than 256 colours says so ([`Indexed::overflowed`]) and is drawn
//! again in RGB by the caller.

use plotters::prelude::DrawingBackend;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, DrawingErrorKind, rasterizer};
use rustc_hash::FxHashMap;

/// The surface: `w` × `h` palette indices, white (index 0) to start with.
pub(crate) struct Indexed {
    w: u32,
    h: u32,
    /// One palette index a pixel, row by row.
    pub pixels: Vec<u8>,
    /// The palette, in the order colours were first used.
    pub colours: Vec<[u8; 3]>,
    lookup: FxHashMap<u32, u8>,
    /// Set when a 257th colour was needed: the picture is then wrong and
    /// must be drawn another way.
    overflowed: bool,
}

impl std::fmt::Debug for Indexed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Indexed({}×{}, {} colours)",
            self.w,
            self.h,
            self.colours.len()
        )
    }
}

fn key([r, g, b]: [u8; 3]) -> u32 {
    u32::from(r) << 16 | u32::from(g) << 8 | u32::from(b)
}

/// `plotters`' blend of one channel (its per-pixel and tail arithmetic):
/// move `prev` towards `new` by `a`/256, rounding the step down.
fn blend(prev: u8, new: u8, a: u64) -> u8 {
    if new > prev {
        prev + (u64::from(new - prev) * a / 256) as u8
    } else {
        prev - (u64::from(prev - new) * a / 256) as u8
    }
}

/// `plotters`' blend of one channel in its eight-pixels-at-a-time loop.
fn blend_wide(prev: u8, new: u8, a: u64) -> u8 {
    ((u64::from(prev) * (256 - a) + u64::from(new) * a) >> 8) as u8
}

impl Indexed {
    pub fn new(w: u32, h: u32) -> Self {
        let white = [255, 255, 255];
        let mut lookup = FxHashMap::default();
        lookup.insert(key(white), 0);
        Indexed {
            w,
            h,
            pixels: vec![0; w as usize * h as usize],
            colours: vec![white],
            lookup,
            overflowed: false,
        }
    }

    /// Whether the drawing needed more than 256 colours.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// The palette index of `rgb`, added if new.
    pub fn index_of(&mut self, rgb: [u8; 3]) -> u8 {
        let k = key(rgb);
        if let Some(&i) = self.lookup.get(&k) {
            return i;
        }
        match u8::try_from(self.colours.len()) {
            Ok(i) => {
                self.colours.push(rgb);
                self.lookup.insert(k, i);
                i
            }
            Err(_) => {
                self.overflowed = true;
                0
            }
        }
    }

    /// The colour of the pixel at `i` (row-major).
    pub fn colour_at(&self, i: usize) -> [u8; 3] {
        self.colours[usize::from(self.pixels[i])]
    }

    /// Clamp a rectangle's corners as `plotters`' bitmap backend does:
    /// `None` when nothing of it is on the surface.
    fn clamp_rect(&self, a: (i32, i32), b: (i32, i32)) -> Option<(usize, usize, usize, usize)> {
        let (w, h) = (self.w as i32, self.h as i32);
        let (x0, y0) = (a.0.min(b.0).max(0), a.1.min(b.1).max(0));
        let (x1, y1) = (a.0.max(b.0).min(w), a.1.max(b.1).min(h));
        (x0 < x1 && y0 < y1).then_some((x0 as usize, y0 as usize, x1 as usize, y1 as usize))
    }

    fn fill_rect(&mut self, a: (i32, i32), b: (i32, i32), rgb: [u8; 3]) {
        let Some((x0, y0, x1, y1)) = self.clamp_rect(a, b) else {
            return;
        };
        let i = self.index_of(rgb);
        let w = self.w as usize;
        for y in y0..y1 {
            self.pixels[y * w + x0..y * w + x1].fill(i);
        }
    }

    fn fill_vertical_line(&mut self, x: i32, (mut y0, mut y1): (i32, i32), rgb: [u8; 3]) {
        let (w, h) = (self.w as i32, self.h as i32);
        if x < 0 || x >= w {
            return;
        }
        if y0 > y1 {
            std::mem::swap(&mut y0, &mut y1);
        }
        let (y0, y1) = (y0.max(0), y1.min(h - 1));
        if y0 > y1 {
            return;
        }
        let i = self.index_of(rgb);
        for y in y0..=y1 {
            self.pixels[(y * w + x) as usize] = i;
        }
    }

    fn blend_rect(&mut self, a: (i32, i32), b: (i32, i32), rgb: [u8; 3], alpha: f64) {
        let alpha = alpha.clamp(0.0, 1.0);
        if alpha == 0.0 {
            return;
        }
        let Some((x0, y0, x1, y1)) = self.clamp_rect(a, b) else {
            return;
        };
        let a = (256.0 * alpha).floor() as u64;
        let count = x1 - x0;
        // `plotters` blends whole groups of eight pixels one way and the
        // rest of the row (at least one pixel) another.
        let wide = (count - 1) / 8 * 8;
        // What each colour under the rectangle becomes, by the two ways.
        let mut memo: [[Option<u8>; 2]; 256] = [[None; 2]; 256];
        let w = self.w as usize;
        for y in y0..y1 {
            for k in 0..count {
                let p = y * w + x0 + k;
                let under = self.pixels[p];
                let way = usize::from(k >= wide);
                let to = match memo[usize::from(under)][way] {
                    Some(i) => i,
                    None => {
                        let d = self.colours[usize::from(under)];
                        let f = if way == 0 { blend_wide } else { blend };
                        let i = self.index_of([
                            f(d[0], rgb[0], a),
                            f(d[1], rgb[1], a),
                            f(d[2], rgb[2], a),
                        ]);
                        memo[usize::from(under)][way] = Some(i);
                        i
                    }
                };
                self.pixels[p] = to;
            }
        }
    }
}

fn rgb_of(c: BackendColor) -> [u8; 3] {
    [c.rgb.0, c.rgb.1, c.rgb.2]
}

impl DrawingBackend for Indexed {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        (self.w, self.h)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if x < 0 || y < 0 || x as u32 >= self.w || y as u32 >= self.h {
            return Ok(());
        }
        let p = y as usize * self.w as usize + x as usize;
        let alpha = color.alpha;
        if alpha >= 1.0 - 1.0 / 256.0 {
            self.pixels[p] = self.index_of(rgb_of(color));
        } else if alpha > 0.0 {
            let a = (alpha * 256.0).floor() as u64;
            let d = self.colour_at(p);
            let s = rgb_of(color);
            self.pixels[p] = self.index_of([
                blend(d[0], s[0], a),
                blend(d[1], s[1], a),
                blend(d[2], s[2], a),
            ]);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if (from.0 == to.0 || from.1 == to.1) && style.stroke_width() == 1 {
            if color.alpha >= 1.0 {
                if from.1 == to.1 {
                    self.fill_rect(from, (to.0 + 1, to.1 + 1), rgb_of(color));
                } else {
                    self.fill_vertical_line(from.0, (from.1, to.1), rgb_of(color));
                }
            } else {
                self.blend_rect(from, (to.0 + 1, to.1 + 1), rgb_of(color), color.alpha);
            }
            return Ok(());
        }
        rasterizer::draw_line(self, from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if fill {
            if color.alpha >= 1.0 {
                self.fill_rect(upper_left, bottom_right, rgb_of(color));
            } else {
                self.blend_rect(upper_left, bottom_right, rgb_of(color), color.alpha);
            }
            return Ok(());
        }
        rasterizer::draw_rect(self, upper_left, bottom_right, style, fill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_blends_match_plotters_arithmetic() {
        // Half of black over white: the per-pixel way rounds the step down,
        // the eight-at-a-time way the result.
        assert_eq!(blend(255, 0, 128), 128);
        assert_eq!(blend_wide(255, 0, 128), 127);
        assert_eq!(blend(0, 255, 256), 255);
        assert_eq!(blend_wide(10, 10, 77), 10);
    }

    #[test]
    fn a_257th_colour_is_reported_not_drawn() {
        let mut s = Indexed::new(300, 1);
        for x in 0..255 {
            s.draw_pixel(
                (x, 0),
                BackendColor {
                    alpha: 1.0,
                    rgb: (x as u8, 1, 2),
                },
            )
            .unwrap();
        }
        assert_eq!(s.colours.len(), 256);
        assert!(!s.overflowed());
        s.draw_pixel(
            (299, 0),
            BackendColor {
                alpha: 1.0,
                rgb: (9, 9, 9),
            },
        )
        .unwrap();
        assert!(s.overflowed());
    }
}
