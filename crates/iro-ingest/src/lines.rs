//! Physical line numbers, as a person sees them: the header is line 1, and a
//! row's line is the line its first byte is on in a text editor (and, for a
//! file without line breaks inside quoted fields, its row number in Excel).
//!
//! A line ends at `\n`, at `\r\n` (one end, not two) or at a `\r` alone (old
//! Mac files). Blank lines count; a line break inside a quoted field counts
//! (the next row is further down the file). The csv reader's own line count
//! counts only `\n`, and only once consumed, so it is one line early after
//! every `\r\n` and never moves in a `\r` file: it is not used.

/// Whether byte `i` of `buf` ends a line (`\n`, or a `\r` not followed by `\n`).
#[inline]
pub(crate) fn ends_line(buf: &[u8], i: usize) -> bool {
    match buf.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => buf.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Line ends in `buf[from..to]` (a `\r` just before `to` is looked at with
/// the byte after it).
pub(crate) fn count_line_ends(buf: &[u8], from: usize, to: usize) -> u64 {
    let to = to.min(buf.len());
    (from.min(to)..to).filter(|&i| ends_line(buf, i)).count() as u64
}

/// Line ends in `bytes` (a trailing `\r` counts).
pub(crate) fn line_ends_in(bytes: &[u8]) -> u64 {
    count_line_ends(bytes, 0, bytes.len())
}

/// The line of each record of a buffer read front to back, from the byte
/// offsets the csv reader gives (which may point at blank lines before the
/// record: they are skipped).
#[derive(Debug, Clone)]
pub(crate) struct LineCounter {
    /// Where line 1 starts.
    base: usize,
    /// A byte offset already counted up to, and its line.
    at: usize,
    line: u64,
}

impl LineCounter {
    /// Line 1 starts at byte `base` (after a byte-order mark).
    pub(crate) fn new(base: usize) -> Self {
        LineCounter {
            base,
            at: base,
            line: 1,
        }
    }

    /// The line at byte `pos`: 1 + the line ends before it.
    pub(crate) fn line_at(&mut self, buf: &[u8], pos: usize) -> u64 {
        let pos = pos.clamp(self.base, buf.len().max(self.base));
        if pos < self.at {
            self.at = self.base;
            self.line = 1;
        }
        self.line += count_line_ends(buf, self.at, pos);
        self.at = pos;
        self.line
    }

    /// The line of a record the csv reader says starts at byte `pos`: the
    /// line of its first byte that is not a line end.
    pub(crate) fn record_line(&mut self, buf: &[u8], pos: usize) -> u64 {
        let mut p = pos;
        while matches!(buf.get(p), Some(b'\r' | b'\n')) {
            p += 1;
        }
        self.line_at(buf, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ending_counts_once() {
        assert_eq!(line_ends_in(b"a\nb\r\nc\rd"), 3);
        assert_eq!(line_ends_in(b"\r\n\r\n"), 2);
        assert_eq!(line_ends_in(b"\n\r"), 2);
        assert_eq!(line_ends_in(b"\r"), 1);
        assert_eq!(line_ends_in(b""), 0);
        // A `\r` at the edge of a range is judged by the byte after it.
        assert_eq!(count_line_ends(b"a\r\nb", 0, 2), 0);
        assert_eq!(count_line_ends(b"a\rb", 0, 2), 1);
    }

    #[test]
    fn records_get_the_line_of_their_first_byte() {
        let buf = b"H\r\n\r\nx,1\ry\n\"a\nb\",2\r\nz";
        let mut c = LineCounter::new(0);
        assert_eq!(c.record_line(buf, 0), 1);
        // The reader may point at the blank line before the record.
        assert_eq!(c.record_line(buf, 3), 3);
        assert_eq!(c.record_line(buf, 9), 4);
        assert_eq!(c.record_line(buf, 11), 5);
        assert_eq!(c.record_line(buf, 20), 7);
        // Going back starts again from line 1.
        assert_eq!(c.record_line(buf, 3), 3);
        // A byte-order mark is not a line.
        let mut c = LineCounter::new(3);
        assert_eq!(c.record_line(b"\xEF\xBB\xBFH\nx", 5), 2);
    }
}
