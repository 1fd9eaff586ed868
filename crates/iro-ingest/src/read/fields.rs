//! Splitting rows into fields: [`Fields`], one row as the row reader sees it,
//! and [`Splitter`], which splits a file without quotes in place exactly as
//! the csv reader would (same rows, same physical lines).

/// One row's fields: `data[a..b]` for each `(a, b)` of `bounds`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'r> {
    data: &'r [u8],
    bounds: &'r [(usize, usize)],
    /// The line the csv reader gives the row (see [`Splitter`]).
    pub(super) line: u64,
}

impl<'r> Fields<'r> {
    #[inline]
    pub(super) fn new(data: &'r [u8], bounds: &'r [(usize, usize)], line: u64) -> Self {
        Fields { data, bounds, line }
    }

    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&'r [u8]> {
        let &(a, b) = self.bounds.get(i)?;
        self.data.get(a..b)
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.bounds.len()
    }

    #[inline]
    pub(super) fn iter(&self) -> impl Iterator<Item = &'r [u8]> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The bytes from the first field to the last (for a csv record, its
    /// fields end to end).
    #[inline]
    pub(super) fn bytes(&self) -> &'r [u8] {
        match (self.bounds.first(), self.bounds.last()) {
            (Some(&(a, _)), Some(&(_, b))) => self.data.get(a..b).unwrap_or_default(),
            _ => b"",
        }
    }
}

/// The bytes that end a field when there are no quotes: `,`, `\r`, `\n`.
static ENDS_FIELD: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// The top bit of every byte of `x` (in memory order) that is `,`, `\r` or
/// `\n`, and no other bit: every field end of eight bytes at once.
#[inline]
fn field_ends(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The top bit of each byte of `v` that is not zero (exact: no carry
    // crosses a byte, since `(b & 0x7F) + 0x7F` is at most 0xFE).
    let nonzero = |v: u64| ((v & LOW7) + LOW7) | v;
    !(nonzero(x ^ (ONES * u64::from(b',')))
        & nonzero(x ^ (ONES * u64::from(b'\n')))
        & nonzero(x ^ (ONES * u64::from(b'\r'))))
        & HIGH
}

/// Splits CSV bytes that hold no quote character into rows exactly as the csv
/// reader does (flexible, `,`-separated, `\r`, `\n` or `\r\n` ending a row,
/// empty lines skipped), giving each row its physical line (see
/// [`crate::lines`]): `\n`, `\r\n` and a lone `\r` each end one line, and
/// blank lines count.
#[derive(Debug)]
pub(crate) struct Splitter<'a> {
    buf: &'a [u8],
    at: usize,
    /// The line of byte `at`.
    pub(super) line: u64,
}

impl<'a> Splitter<'a> {
    /// Starts at byte `at` of `buf`, which is on line `line`.
    pub(crate) fn new(buf: &'a [u8], at: usize, line: u64) -> Self {
        Splitter { buf, at, line }
    }

    /// The next row: the bytes its `bounds` index and its line.
    pub(crate) fn next_record(
        &mut self,
        bounds: &mut Vec<(usize, usize)>,
    ) -> Option<(&'a [u8], u64)> {
        let buf = self.buf;
        // Empty lines.
        let mut i = self.at;
        while let Some(&b) = buf.get(i) {
            match b {
                b'\n' => self.line += 1,
                // The `\n` of a `\r\n` counts the line.
                b'\r' if buf.get(i + 1) != Some(&b'\n') => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            i += 1;
        }
        if i >= buf.len() {
            self.at = buf.len();
            return None;
        }
        let line = self.line;
        bounds.clear();
        let mut start = i;
        // Eight bytes at a time, every field end of a word taken in turn;
        // the last few bytes of the buffer one at a time.
        let mut word_at = i;
        loop {
            let (mut ends, width) = match buf.get(word_at..word_at + 8) {
                Some(w) => (
                    field_ends(<[u8; 8]>::try_from(w).map_or(0, u64::from_le_bytes)),
                    8,
                ),
                None => {
                    let tail = buf.get(word_at..).unwrap_or_default();
                    let ends = tail
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| ENDS_FIELD[usize::from(**b)])
                        .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
                    (ends, tail.len())
                }
            };
            while ends != 0 {
                let at = word_at + (ends.trailing_zeros() / 8) as usize;
                ends &= ends - 1;
                bounds.push((start, at));
                match buf.get(at) {
                    Some(b',') => start = at + 1,
                    Some(b'\n') => {
                        self.line += 1;
                        self.at = at + 1;
                        return Some((buf, line));
                    }
                    // A `\n` after it is consumed (and counted) with the next row.
                    _ => {
                        if buf.get(at + 1) != Some(&b'\n') {
                            self.line += 1;
                        }
                        self.at = at + 1;
                        return Some((buf, line));
                    }
                }
            }
            if width < 8 {
                break;
            }
            word_at += 8;
        }
        bounds.push((start, buf.len()));
        self.at = buf.len();
        Some((buf, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::LineCounter;
    use csv::ByteRecord;

    /// Rows and line numbers of `bytes` after a prefix of `skip` bytes and
    /// `header` rows, read by the csv reader (as for files with quotes) and
    /// by the splitter (files without).
    fn both_ways(bytes: &[u8], skip: usize, header: bool) -> [Vec<(Vec<Vec<u8>>, u64)>; 2] {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Cursor::new(bytes.to_vec()));
        let _ = rdr.seek_raw(std::io::SeekFrom::Start(skip as u64), csv::Position::new());
        let mut rec = ByteRecord::new();
        if header {
            let _ = rdr.read_byte_record(&mut rec);
        }
        let pos = rdr.position().clone();
        let mut by_csv = Vec::new();
        let mut lines = LineCounter::new(skip);
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            let fields = rec.iter().map(<[u8]>::to_vec).collect();
            let line = rec
                .position()
                .map_or(0, |p| lines.record_line(bytes, skip + p.byte() as usize));
            by_csv.push((fields, line));
        }
        let mut by_split = Vec::new();
        let mut bounds = Vec::new();
        let start = skip + pos.byte() as usize;
        let line = LineCounter::new(skip).line_at(bytes, start);
        let mut split = Splitter::new(bytes, start, line);
        while let Some((data, line)) = split.next_record(&mut bounds) {
            let f = Fields::new(data, &bounds, line);
            by_split.push((f.iter().map(<[u8]>::to_vec).collect(), line));
        }
        [by_csv, by_split]
    }

    #[test]
    fn field_ends_marks_exactly_the_separators() {
        // Every byte value at every place of a word, among other bytes that
        // are and are not separators.
        for fill in [b'a', b',', 0x80, 0xFF, 0x00, b'\r'] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let expected = word.iter().enumerate().fold(0u64, |m, (k, &x)| {
                        if matches!(x, b',' | b'\r' | b'\n') {
                            m | 0x80 << (8 * k)
                        } else {
                            m
                        }
                    });
                    assert_eq!(field_ends(u64::from_le_bytes(word)), expected, "{word:?}");
                }
            }
        }
    }

    #[test]
    fn splitter_reads_like_the_csv_reader() {
        // Dense and sparse in separators (long fields cross 8-byte words).
        let dense = [
            b'a', b'b', b' ', b',', b',', b'\r', b'\n', b'\n', b'\t', 0xFF,
        ];
        let sparse = [
            b'a', b'b', b' ', b'0', b'9', b'/', b'-', 0x80, 0xFF, b'+', b'.', b'Z', b'z', b'\t',
            0x2B, 0x0B, b',', b'\n', b'\r',
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for n in 0..40_000usize {
            let alphabet: &[u8] = if n % 2 == 0 { &dense } else { &sparse };
            let len = n % 97;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let skip = if n % 3 == 0 {
                bytes.splice(0..0, *b"\xEF\xBB\xBF");
                3
            } else {
                0
            };
            for header in [false, true] {
                let [a, b] = both_ways(&bytes, skip, header);
                assert_eq!(
                    a,
                    b,
                    "{:?} header {header}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
        for s in [
            &b"CHILD,DOB\r\n1,01/01/2020\r\n\r\n2,\r\n"[..],
            b"CHILD,DOB\n1,x\n\n\n2,y",
            b"CHILD\r\r\n\n1\r",
            b"",
            b"\n\n",
        ] {
            let [a, b] = both_ways(s, 0, true);
            assert_eq!(a, b, "{:?}", String::from_utf8_lossy(s));
        }
    }
}
