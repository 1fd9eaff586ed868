//! The unit-postcode table: every ONSPD postcode with its grid reference, LAD
//! and UTLA, in a compact binary file built by [`crate::import_onspd`].
//!
//! # File format (version 1)
//!
//! All integers little-endian.
//!
//! | Offset | Size | Field |
//! |---|---|---|
//! | 0 | 8 | magic `89 49 52 4F 50 43 55 0A` (`\x89IROPCU\n`) |
//! | 8 | 4 | format version, u32 = 1 |
//! | 12 | 4 | record count *R*, u32 |
//! | 16 | 2 | area count *A*, u16 (at most 2047) |
//! | 18 | 2 | reserved, 0 |
//! | 20 | 4 | source-text length *S*, u32 (at most 65,536) |
//! | 24 | *S* | source text, UTF-8: what the table was built from |
//! | 24+*S* | 18 × *A* | areas: LAD code (9 ASCII bytes), UTLA code (9 ASCII bytes, or 9 zero bytes when not known) |
//! | … | 12 × *R* | records, sorted by key, no key twice (below) |
//! | end − 8 | 8 | checksum, u64, of every byte before it ([`Checksum`]) |
//!
//! A record is a 5-byte key and a 7-byte payload:
//!
//! * key (u40): the postcode in `pcd7` form (outward code padded to 4 with
//!   spaces, then the inward code), each character a base-37 digit — space 0,
//!   `0`–`9` 1–10, `A`–`Z` 11–36 — most significant first;
//! * payload (u56): bits 0–19 easting (m), 20–40 northing (m), 41–51 area
//!   index (2047 = no LAD), bit 52 has a grid reference, bit 53 Irish Grid
//!   (Northern Ireland), bits 54–55 zero.
//!
//! In memory the keys are not kept: each outward code present gets a block of
//! 10 × 26 × 26 = 6,760 bits, one per possible inward code (digit, letter,
//! letter), set where the postcode exists, with a running count of set bits
//! per 64-bit word. A lookup finds the outward code among the few thousand
//! present (a binary search in a few KB), tests one bit and counts the set
//! bits before it, which is the record's index: two or three memory reads
//! whatever the table's size. For the 2.7 million postcodes of the ONSPD that
//! is about 2.6 MB of bits, 1.3 MB of counts and 21.7 MB of payloads.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::code::{BASE, OnsCode, P2, P7, unit_key, unit_string};
use crate::error::PostcodeError;
use crate::location::{Grid, Location, Precision, Resolved};

/// The key a unit postcode is stored under (see the format above), for
/// building a table with [`UnitTable::from_records`].
pub fn key_of(pc: &iro_domain::Postcode) -> Option<u64> {
    pc.is_unit().then(|| unit_key(pc))
}

pub const MAGIC: [u8; 8] = *b"\x89IROPCU\n";
pub const VERSION: u32 = 1;
/// Largest easting a payload holds (20 bits).
pub const MAX_EASTING: u32 = (1 << 20) - 1;
/// Largest northing a payload holds (21 bits).
pub const MAX_NORTHING: u32 = (1 << 21) - 1;
/// Most areas (LADs) a table holds; index 2047 means "no LAD".
pub const MAX_AREAS: usize = 2047;
const NO_AREA: u64 = 2047;
const HAS_COORDS: u64 = 1 << 52;
const IRISH: u64 = 1 << 53;
const RECORD: usize = 12;
const HEADER: usize = 24;
const MAX_SOURCE: usize = 65_536;
/// 37^3: the inward code's share of a key.
const P3: u64 = P2 * BASE;
/// Possible inward codes: a digit and two letters.
const INWARDS: u64 = 10 * 26 * 26;

/// The dense number (0..6760) of an inward code given as its three base-37
/// digits, `None` unless it is a digit and two letters.
fn inward_index(inner: u64) -> Option<u64> {
    let (d, l1, l2) = (inner / P2, inner / BASE % BASE, inner % BASE);
    ((1..=10).contains(&d) && (11..=36).contains(&l1) && (11..=36).contains(&l2))
        .then(|| (d - 1) * 676 + (l1 - 11) * 26 + (l2 - 11))
}

fn inward_key(index: u64) -> u64 {
    let (d, l1, l2) = (index / 676, index / 26 % 26, index % 26);
    (d + 1) * P2 + (l1 + 11) * BASE + (l2 + 11)
}

/// One unit postcode, as the importer hands it to the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRecord {
    /// `None` when the directory gives no grid reference.
    pub coords: Option<(u32, u32)>,
    pub grid: Grid,
    /// Index into the table's areas; `None` when the directory gives no LAD.
    pub area: Option<u16>,
}

impl UnitRecord {
    fn pack(&self) -> u64 {
        let mut p = self.area.map_or(NO_AREA, u64::from) << 41;
        if let Some((e, n)) = self.coords {
            p |= u64::from(e) | (u64::from(n) << 20) | HAS_COORDS;
        }
        if self.grid == Grid::Irish {
            p |= IRISH;
        }
        p
    }
}

/// A LAD and its upper tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Area {
    pub lad: OnsCode,
    pub utla: Option<OnsCode>,
}

/// The unit-postcode table in memory.
#[derive(Clone)]
pub struct UnitTable {
    /// Outward codes present (the key's first four `pcd7` characters), sorted.
    outwards: Vec<u32>,
    /// 6,760 bits per outward code: which inward codes exist.
    bits: Vec<u64>,
    /// Set bits in `bits` before each word.
    rank: Vec<u32>,
    /// One per postcode, in key order.
    payloads: Vec<u64>,
    areas: Vec<Area>,
    source: String,
}

impl UnitTable {
    /// Builds a table from records keyed by postcode (any order). Fails on a
    /// postcode given twice, naming it.
    pub fn from_records(
        mut records: Vec<(u64, UnitRecord)>,
        areas: Vec<Area>,
        source: String,
    ) -> Result<Self, String> {
        if areas.len() > MAX_AREAS {
            return Err(format!("{} areas; at most {MAX_AREAS} fit", areas.len()));
        }
        records.sort_unstable_by_key(|r| r.0);
        if let Some(w) = records.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!("{} appears twice", unit_string(w[0].0)));
        }
        let mut t = UnitTable::empty(areas, source);
        for (key, rec) in records {
            if !t.push(key, rec.pack()) {
                return Err(format!("key {key} is not a postcode"));
            }
        }
        t.finish();
        Ok(t)
    }

    fn empty(areas: Vec<Area>, source: String) -> Self {
        UnitTable {
            outwards: Vec::new(),
            bits: Vec::new(),
            rank: Vec::new(),
            payloads: Vec::new(),
            areas,
            source,
        }
    }

    /// Appends a record; keys must arrive in increasing order (checked by the
    /// callers). `false` if the key is not a postcode.
    fn push(&mut self, key: u64, payload: u64) -> bool {
        let Some(inward) = inward_index(key % P3) else {
            return false;
        };
        if key >= P7 {
            return false;
        }
        let outward = (key / P3) as u32;
        if self.outwards.last() != Some(&outward) {
            self.outwards.push(outward);
            let words = (self.outwards.len() as u64 * INWARDS).div_ceil(64) as usize;
            self.bits.resize(words, 0);
        }
        let bit = (self.outwards.len() as u64 - 1) * INWARDS + inward;
        self.bits[(bit / 64) as usize] |= 1 << (bit % 64);
        self.payloads.push(payload);
        true
    }

    fn finish(&mut self) {
        let mut n = 0u32;
        self.rank = self
            .bits
            .iter()
            .map(|w| {
                let r = n;
                n += w.count_ones();
                r
            })
            .collect();
        self.outwards.shrink_to_fit();
        self.bits.shrink_to_fit();
        self.payloads.shrink_to_fit();
    }

    /// Every key, in order.
    fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.bits.iter().enumerate().flat_map(move |(w, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = w as u64 * 64 + u64::from(word.trailing_zeros());
                    word &= word - 1;
                    let (o, inward) = (bit / INWARDS, bit % INWARDS);
                    u64::from(self.outwards[o as usize]) * P3 + inward_key(inward)
                })
            })
        })
    }

    /// Loads a table written by [`UnitTable::write`] / [`crate::import_onspd`].
    /// Checks the magic number, version, sizes, order, every field and the
    /// checksum; never panics on a bad file.
    pub fn load(path: &Path) -> Result<Self, PostcodeError> {
        let file = std::fs::File::open(path).map_err(|e| PostcodeError::io(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| PostcodeError::io(path, e))?
            .len();
        Self::read(
            &path.display().to_string(),
            BufReader::with_capacity(1 << 20, file),
            len,
        )
    }

    /// Reads a table from any reader holding `len` bytes; `name` is used in errors.
    pub fn read(name: &str, mut r: impl Read, len: u64) -> Result<Self, PostcodeError> {
        let mut sum = Checksum::new();
        let mut pos = 0u64;
        let take =
            |r: &mut dyn Read, buf: &mut [u8], what: &str, pos: &mut u64, sum: &mut Checksum| {
                r.read_exact(buf).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::UnexpectedEof {
                        PostcodeError::format(name, *pos, format!("file ends inside the {what}"))
                    } else {
                        PostcodeError::Io {
                            file: name.to_string(),
                            source: e,
                        }
                    }
                })?;
                sum.update(buf);
                *pos += buf.len() as u64;
                Ok::<(), PostcodeError>(())
            };
        let mut head = [0u8; HEADER];
        let not_table = || {
            PostcodeError::format(
                name,
                0,
                "not an IRO unit-postcode table (bad magic number); build one with `iro reference import-onspd`",
            )
        };
        if len < 8 {
            return Err(not_table());
        }
        take(&mut r, &mut head[..8], "header", &mut pos, &mut sum)?;
        if head[..8] != MAGIC {
            return Err(not_table());
        }
        take(&mut r, &mut head[8..], "header", &mut pos, &mut sum)?;
        let u32_at =
            |o: usize| u32::from_le_bytes([head[o], head[o + 1], head[o + 2], head[o + 3]]);
        let version = u32_at(8);
        if version != VERSION {
            return Err(PostcodeError::format(
                name,
                8,
                format!(
                    "format version {version}; this build reads version {VERSION}: re-run the import"
                ),
            ));
        }
        let n_records = u64::from(u32_at(12));
        let n_areas = usize::from(u16::from_le_bytes([head[16], head[17]]));
        let source_len = u32_at(20) as usize;
        if n_areas > MAX_AREAS {
            return Err(PostcodeError::format(
                name,
                16,
                format!("{n_areas} areas; at most {MAX_AREAS}"),
            ));
        }
        if source_len > MAX_SOURCE {
            return Err(PostcodeError::format(name, 20, "source text too long"));
        }
        let expected =
            HEADER as u64 + source_len as u64 + 18 * n_areas as u64 + RECORD as u64 * n_records + 8;
        if len != expected {
            return Err(PostcodeError::format(
                name,
                0,
                format!("{len} bytes, but the header describes {expected}: truncated or corrupt"),
            ));
        }
        let mut src = vec![0u8; source_len];
        take(&mut r, &mut src, "source text", &mut pos, &mut sum)?;
        let source = String::from_utf8(src)
            .map_err(|_| PostcodeError::format(name, HEADER as u64, "source text is not UTF-8"))?;

        let mut areas = Vec::with_capacity(n_areas);
        for _ in 0..n_areas {
            let at = pos;
            let mut a = [0u8; 18];
            take(&mut r, &mut a, "area table", &mut pos, &mut sum)?;
            let mut lad = [0u8; 9];
            lad.copy_from_slice(&a[..9]);
            let mut utla = [0u8; 9];
            utla.copy_from_slice(&a[9..]);
            let lad = OnsCode::from_bytes(lad)
                .ok_or_else(|| PostcodeError::format(name, at, "area LAD is not an ONS code"))?;
            let utla = if utla == [0; 9] {
                None
            } else {
                Some(OnsCode::from_bytes(utla).ok_or_else(|| {
                    PostcodeError::format(name, at + 9, "area UTLA is not an ONS code")
                })?)
            };
            areas.push(Area { lad, utla });
        }

        let mut t = UnitTable::empty(areas, source);
        t.payloads.reserve_exact(n_records as usize);
        let mut chunk = vec![0u8; RECORD * 65_536];
        let mut left = n_records;
        let mut prev: Option<u64> = None;
        while left > 0 {
            let n = left.min(65_536) as usize;
            let start = pos;
            take(
                &mut r,
                &mut chunk[..n * RECORD],
                "records",
                &mut pos,
                &mut sum,
            )?;
            for (i, rec) in chunk[..n * RECORD].chunks_exact(RECORD).enumerate() {
                let mut k = [0u8; 8];
                k[..5].copy_from_slice(&rec[..5]);
                let key = u64::from_le_bytes(k);
                let mut p = [0u8; 8];
                p[..7].copy_from_slice(&rec[5..]);
                let payload = u64::from_le_bytes(p);
                let at = start + (i * RECORD) as u64;
                if key >= P7 || prev.is_some_and(|p| p >= key) {
                    return Err(PostcodeError::format(
                        name,
                        at,
                        "records out of order or key out of range",
                    ));
                }
                let area = (payload >> 41) & 0x7FF;
                let bad_area = area != NO_AREA && area as usize >= n_areas;
                let bad_coords = payload & HAS_COORDS == 0 && payload & ((1 << 41) - 1) != 0;
                if payload >> 54 != 0 || bad_area || bad_coords {
                    return Err(PostcodeError::format(
                        name,
                        at,
                        format!("bad record for {}", unit_string(key)),
                    ));
                }
                prev = Some(key);
                if !t.push(key, payload) {
                    return Err(PostcodeError::format(
                        name,
                        at,
                        "record key is not a postcode",
                    ));
                }
            }
            left -= n as u64;
        }
        let mut tail = [0u8; 8];
        let at = pos;
        r.read_exact(&mut tail)
            .map_err(|_| PostcodeError::format(name, at, "file ends before the checksum"))?;
        if u64::from_le_bytes(tail) != sum.finish() {
            return Err(PostcodeError::format(
                name,
                at,
                "checksum does not match: the file is corrupt",
            ));
        }
        t.finish();
        Ok(t)
    }

    /// Writes the table in the format above.
    pub fn write(&self, path: &Path) -> Result<u64, PostcodeError> {
        let name = path.display().to_string();
        let file = std::fs::File::create(path).map_err(|e| PostcodeError::io(path, e))?;
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            sum: Checksum::new(),
            written: 0,
        };
        let io = |e| PostcodeError::io(path, e);
        let source = self.source.as_bytes();
        let source = &source[..source.len().min(MAX_SOURCE)];
        w.put(&MAGIC).map_err(io)?;
        w.put(&VERSION.to_le_bytes()).map_err(io)?;
        let n = u32::try_from(self.payloads.len())
            .map_err(|_| PostcodeError::format(&name, 12, "too many records"))?;
        w.put(&n.to_le_bytes()).map_err(io)?;
        w.put(&(self.areas.len() as u16).to_le_bytes())
            .map_err(io)?;
        w.put(&[0, 0]).map_err(io)?;
        w.put(&(source.len() as u32).to_le_bytes()).map_err(io)?;
        w.put(source).map_err(io)?;
        for a in &self.areas {
            w.put(&a.lad.bytes()).map_err(io)?;
            w.put(&a.utla.map_or([0; 9], |u| u.bytes())).map_err(io)?;
        }
        for (key, &payload) in self.keys().zip(&self.payloads) {
            let mut rec = [0u8; RECORD];
            rec[..5].copy_from_slice(&key.to_le_bytes()[..5]);
            rec[5..].copy_from_slice(&payload.to_le_bytes()[..7]);
            w.put(&rec).map_err(io)?;
        }
        let sum = w.sum.finish();
        w.inner.write_all(&sum.to_le_bytes()).map_err(io)?;
        w.inner.flush().map_err(io)?;
        Ok(w.written + 8)
    }

    fn payload(&self, key: u64) -> Option<u64> {
        let inward = inward_index(key % P3)?;
        let o = self.outwards.binary_search(&((key / P3) as u32)).ok()?;
        let bit = o as u64 * INWARDS + inward;
        let (w, b) = ((bit / 64) as usize, bit % 64);
        let word = *self.bits.get(w)?;
        if word >> b & 1 == 0 {
            return None;
        }
        let below = (word & ((1u64 << b) - 1)).count_ones();
        self.payloads.get((self.rank[w] + below) as usize).copied()
    }

    pub(crate) fn resolve_key(&self, key: u64) -> Resolved {
        let Some(p) = self.payload(key) else {
            return Resolved::NotFound;
        };
        let area = (p >> 41) & 0x7FF;
        let area = (area != NO_AREA)
            .then(|| self.areas.get(area as usize))
            .flatten();
        let lad = area.map(|a| a.lad);
        if p & HAS_COORDS == 0 {
            return Resolved::NoCoordinates {
                lad,
                precision: Precision::Unit,
            };
        }
        Resolved::Found(Location {
            easting: (p & 0xF_FFFF) as u32,
            northing: ((p >> 20) & 0x1F_FFFF) as u32,
            grid: if p & IRISH != 0 {
                Grid::Irish
            } else {
                Grid::Gb
            },
            lad,
            utla: area.and_then(|a| a.utla),
            precision: Precision::Unit,
        })
    }

    /// Looks one unit postcode up (a sector or district is never in the
    /// table: [`Resolved::NotFound`]).
    pub fn resolve(&self, pc: &iro_domain::Postcode) -> Resolved {
        match key_of(pc) {
            Some(k) => self.resolve_key(k),
            None => Resolved::NotFound,
        }
    }

    /// Number of unit postcodes.
    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// What the table was built from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Bytes held in memory (approximately).
    pub fn memory_bytes(&self) -> usize {
        self.outwards.capacity() * 4
            + self.bits.capacity() * 8
            + self.rank.capacity() * 4
            + self.payloads.capacity() * 8
    }
}

impl std::fmt::Debug for UnitTable {
    /// A summary: the table itself is millions of entries.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitTable")
            .field("postcodes", &self.len())
            .field("outward_codes", &self.outwards.len())
            .field("areas", &self.areas.len())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

struct HashingWriter<W: Write> {
    inner: W,
    sum: Checksum,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.sum.update(b);
        self.written += b.len() as u64;
        self.inner.write_all(b)
    }
}

/// The file checksum: the bytes are read as little-endian u64 words (the last
/// one zero-padded), and for each word `h = (h.rotate_left(5) ^ w) ×
/// 0x9E37_79B9_7F4A_7C15` (wrapping), starting from `h = 0`; finally the byte
/// count is mixed in the same way. It detects truncation and corruption; it is
/// not a cryptographic signature.
#[derive(Debug, Clone)]
pub struct Checksum {
    h: u64,
    buf: [u8; 8],
    n: usize,
    total: u64,
}

impl Default for Checksum {
    fn default() -> Self {
        Self::new()
    }
}

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    pub fn new() -> Self {
        Checksum {
            h: 0,
            buf: [0; 8],
            n: 0,
            total: 0,
        }
    }

    fn mix(&mut self, w: u64) {
        self.h = (self.h.rotate_left(5) ^ w).wrapping_mul(Self::K);
    }

    pub fn update(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.n > 0 {
            let k = (8 - self.n).min(bytes.len());
            self.buf[self.n..self.n + k].copy_from_slice(&bytes[..k]);
            self.n += k;
            bytes = &bytes[k..];
            if self.n < 8 {
                return;
            }
            let w = u64::from_le_bytes(self.buf);
            self.mix(w);
            self.n = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for c in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.mix(u64::from_le_bytes(a));
        }
        let rest = words.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.n = rest.len();
    }

    pub fn finish(&self) -> u64 {
        let mut c = self.clone();
        if c.n > 0 {
            let mut a = [0u8; 8];
            a[..c.n].copy_from_slice(&c.buf[..c.n]);
            c.mix(u64::from_le_bytes(a));
        }
        let total = c.total;
        c.mix(total);
        c.h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_domain::Postcode;

    fn pc(s: &str) -> u64 {
        unit_key(&Postcode::parse(s).unwrap())
    }

    fn code(s: &str) -> OnsCode {
        OnsCode::parse(s).unwrap()
    }

    fn table() -> UnitTable {
        let areas = vec![
            Area {
                lad: code("E08000025"),
                utla: Some(code("E08000025")),
            },
            Area {
                lad: code("N09000003"),
                utla: Some(code("N09000003")),
            },
            Area {
                lad: code("L99999999"),
                utla: Some(code("L99999999")),
            },
        ];
        let gb = |e, n, a| UnitRecord {
            coords: Some((e, n)),
            grid: Grid::Gb,
            area: Some(a),
        };
        let recs = vec![
            (pc("B1 1AA"), gb(406_649, 286_530, 0)),
            (
                pc("BT1 1AA"),
                UnitRecord {
                    coords: Some((334_316, 374_675)),
                    grid: Grid::Irish,
                    area: Some(1),
                },
            ),
            (
                pc("JE2 3AB"),
                UnitRecord {
                    coords: None,
                    grid: Grid::Gb,
                    area: Some(2),
                },
            ),
            (
                pc("B1 1AB"),
                UnitRecord {
                    coords: Some((406_600, 286_500)),
                    grid: Grid::Gb,
                    area: None,
                },
            ),
        ];
        UnitTable::from_records(recs, areas, "test".into()).unwrap()
    }

    #[test]
    fn round_trips_through_a_file() {
        let t = table();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("units.bin");
        let bytes = t.write(&path).unwrap();
        assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
        assert_eq!(bytes, (HEADER + 4 + 18 * 3 + RECORD * 4 + 8) as u64);
        let back = UnitTable::load(&path).unwrap();
        assert_eq!(back.len(), 4);
        assert_eq!(back.source(), "test");
        for k in ["B1 1AA", "BT1 1AA", "JE2 3AB", "B1 1AB", "B1 1AD"] {
            assert_eq!(back.resolve_key(pc(k)), t.resolve_key(pc(k)), "{k}");
        }
        match back.resolve_key(pc("B1 1AA")) {
            Resolved::Found(l) => {
                assert_eq!(
                    (l.easting, l.northing, l.grid),
                    (406_649, 286_530, Grid::Gb)
                );
                assert_eq!(l.lad.unwrap().as_str(), "E08000025");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(back.resolve_key(pc("BT1 1AA")), Resolved::Found(l) if l.grid == Grid::Irish)
        );
        assert!(matches!(
            back.resolve_key(pc("JE2 3AB")),
            Resolved::NoCoordinates { lad: Some(_), .. }
        ));
        assert!(matches!(back.resolve_key(pc("B1 1AB")), Resolved::Found(l) if l.lad.is_none()));
        assert_eq!(back.resolve_key(pc("B1 1AD")), Resolved::NotFound);
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("units.bin");
        table().write(&path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let try_bytes = |b: &[u8]| UnitTable::read("x.bin", b, b.len() as u64);
        // Every truncation, and every single-byte corruption, is caught.
        for cut in 0..good.len() {
            assert!(try_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x10;
            assert!(try_bytes(&b).is_err(), "flip at {i}");
        }
        let e = try_bytes(b"sector,easting\n").unwrap_err();
        assert!(e.to_string().contains("magic"), "{e}");
        assert_eq!(e.file(), "x.bin");
        assert!(matches!(
            UnitTable::load(&dir.path().join("none.bin")),
            Err(PostcodeError::Io { .. })
        ));
    }

    #[test]
    fn duplicates_are_refused() {
        let r = UnitRecord {
            coords: None,
            grid: Grid::Gb,
            area: None,
        };
        let e = UnitTable::from_records(
            vec![(pc("B1 1AA"), r), (pc("B1 1AA"), r)],
            vec![],
            String::new(),
        )
        .unwrap_err();
        assert!(e.contains("B1 1AA"), "{e}");
    }

    proptest::proptest! {
        /// Any set of postcodes: each one is found with its own payload, a
        /// neighbour not in the set is not, and a file round trip keeps all.
        #[test]
        fn lookups_find_exactly_what_was_stored(
            codes in proptest::collection::btree_set(
                ("[A-Z]{1,2}[0-9][0-9A-Z]?", 0u8..10, "[A-Z]{2}", 0u32..700_000),
                1..200,
            )
        ) {
            let mut recs = Vec::new();
            let mut seen = std::collections::BTreeSet::new();
            for (out, d, inw, e) in &codes {
                let Some(p) = Postcode::parse(&format!("{out} {d}{inw}")) else { continue };
                if seen.insert(unit_key(&p)) {
                    recs.push((unit_key(&p), UnitRecord { coords: Some((*e, 1)), grid: Grid::Gb, area: None }));
                }
            }
            let t = UnitTable::from_records(recs.clone(), vec![], String::new()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.bin");
            t.write(&path).unwrap();
            let back = UnitTable::load(&path).unwrap();
            proptest::prop_assert_eq!(back.len(), recs.len());
            for (k, r) in &recs {
                let want = Resolved::Found(Location {
                    easting: r.coords.unwrap().0,
                    northing: 1,
                    grid: Grid::Gb,
                    lad: None,
                    utla: None,
                    precision: Precision::Unit,
                });
                proptest::prop_assert_eq!(t.resolve_key(*k), want);
                proptest::prop_assert_eq!(back.resolve_key(*k), want);
                let next = k + 1;
                if !seen.contains(&next) && inward_index(next % P3).is_some() {
                    proptest::prop_assert_eq!(back.resolve_key(next), Resolved::NotFound);
                }
            }
        }
    }

    #[test]
    fn checksum_is_chunking_independent() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut a = Checksum::new();
        a.update(&data);
        for step in [1, 3, 7, 8, 13, 999] {
            let mut b = Checksum::new();
            for c in data.chunks(step) {
                b.update(c);
            }
            assert_eq!(a.finish(), b.finish(), "step {step}");
        }
        let mut c = Checksum::new();
        c.update(&data[..999]);
        assert_ne!(a.finish(), c.finish());
    }
}
