//! What each reading thread keeps from file to file ([`Scratch`]): the csv
//! reader and its buffer, the CHILD map, and the caches of parsed codes and
//! postcodes (pure functions of the bytes, so they outlive a file).

use iro_domain::*;
use rustc_hash::FxHashMap;

use crate::staged::IdBuf;

/// A small direct-mapped cache of parsed codes, keyed by the raw bytes: a
/// column holds few distinct codes, so nearly every lookup hits.
///
/// Parsing is a pure function of the bytes, so the caches are kept from file
/// to file (in the thread's [`Scratch`]).
#[derive(Debug)]
pub(crate) struct CodeCache<T> {
    slots: [(u64, Option<T>); 64],
}

impl<T: Copy> Default for CodeCache<T> {
    fn default() -> Self {
        // Key 0 is never looked up: a key holds a non-zero length.
        CodeCache {
            slots: [(0, None); 64],
        }
    }
}

impl<T: Copy> CodeCache<T> {
    #[inline]
    pub(super) fn get(&mut self, raw: &[u8], parse: fn(&str) -> Option<T>) -> Option<T> {
        let Some(key) = pack7(raw) else {
            return std::str::from_utf8(raw).ok().and_then(parse);
        };
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
        let (k, v) = self.slots[slot];
        if k == key {
            return v;
        }
        let v = std::str::from_utf8(raw).ok().and_then(parse);
        self.slots[slot] = (key, v);
        v
    }
}

/// Up to 7 bytes and their count (in the top byte), packed into one integer:
/// equal keys mean equal strings. `None` for longer strings.
#[inline]
pub(super) fn pack7(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let bytes = if n >= 4 {
        if n > 7 {
            return None;
        }
        let head = u64::from(u32::from_le_bytes(b[..4].try_into().ok()?));
        let tail = u64::from(u32::from_le_bytes(b[n - 4..].try_into().ok()?));
        // The loads overlap on equal bytes, so or-ing them is exact.
        head | tail << ((n - 4) * 8)
    } else if n > 0 {
        let at = |i: usize| u64::from(b[i]) << (i * 8);
        at(0) | at(n / 2) | at(n - 1)
    } else {
        0
    };
    Some(bytes | (n as u64) << 56)
}

#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub(super) ethnic: CodeCache<Ethnicity>,
    pub(super) rne: CodeCache<ReasonNewEpisode>,
    pub(super) ls: CodeCache<LegalStatus>,
    pub(super) cin: CodeCache<CategoryOfNeed>,
    pub(super) place: CodeCache<PlacementType>,
    pub(super) provider: CodeCache<PlaceProvider>,
    pub(super) rec: CodeCache<ReasonEpisodeCeased>,
    pub(super) rpc: CodeCache<ReasonPlaceChange>,
    pub(super) review_code: CodeCache<ParticipationCode>,
    pub(super) missing: CodeCache<MissingType>,
}

type CsvReader = csv::Reader<std::io::Cursor<Vec<u8>>>;

/// What each thread keeps from file to file: building a CSV reader costs as
/// much as parsing a small file, and the buffers only need to grow once.
pub(crate) struct Scratch {
    pub(super) rdr: CsvReader,
    pub(super) child_map: ChildMap,
    /// Recent postcodes, keyed by their raw bytes (see [`pack_bytes`]).
    pub(super) postcode_cache: Box<PostcodeCache>,
    pub(super) caches: Box<Caches>,
}

/// Parsed postcodes by raw value (a pure function of the bytes, so the cache
/// is kept from file to file: an authority's postcodes recur year after year).
/// Room for an authority's postcodes of several years: 128 KiB a thread.
pub(super) type PostcodeCache = [(u128, Option<Postcode>); 1 << POSTCODE_BITS];

/// [`PostcodeCache`] has `2^POSTCODE_BITS` slots.
pub(super) const POSTCODE_BITS: u32 = 12;

/// Up to 15 bytes and their count, packed into one integer (`None` for longer
/// strings). Equal keys mean equal strings, and keys compare as the strings
/// do (byte order). Built from a few overlapping loads, not byte by byte.
#[inline]
pub(crate) fn pack_bytes(b: &[u8]) -> Option<u128> {
    let n = b.len();
    let (lo, hi) = if n >= 8 {
        if n > 15 {
            return None;
        }
        let head = u64::from_le_bytes(b[..8].try_into().ok()?);
        let tail = u64::from_le_bytes(b[n - 8..].try_into().ok()?);
        // Bytes 8.. are the top `n - 8` bytes of `tail`.
        (head, if n == 8 { 0 } else { tail >> ((16 - n) * 8) })
    } else if n >= 4 {
        let head = u64::from(u32::from_le_bytes(b[..4].try_into().ok()?));
        let tail = u64::from(u32::from_le_bytes(b[n - 4..].try_into().ok()?));
        // The loads overlap on equal bytes, so or-ing them is exact.
        (head | tail << ((n - 4) * 8), 0)
    } else if n > 0 {
        let at = |i: usize| u64::from(b[i]) << (i * 8);
        (at(0) | at(n / 2) | at(n - 1), 0)
    } else {
        (0, 0)
    };
    let hi = hi | (n as u64) << 56;
    Some((u128::from(lo.swap_bytes()) << 64) | u128::from(hi.swap_bytes()))
}

/// A slot in a direct-mapped cache of `1 << bits` entries for a packed key.
#[inline]
pub(super) fn slot_of(key: u128, bits: u32) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// One file's CHILD identifiers (as cleaned) → file-local index. Identifiers
/// of up to 15 bytes (nearly all) are keyed by their packed bytes.
#[derive(Debug, Default)]
pub(crate) struct ChildMap {
    pub(super) short: FxHashMap<u128, u32>,
    long: FxHashMap<IdBuf, u32>,
}

impl ChildMap {
    pub(super) fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }

    pub(super) fn capacity(&self) -> usize {
        self.short.capacity() + self.long.capacity()
    }

    pub fn reserve(&mut self, n: usize) {
        self.short.reserve(n);
    }

    /// Sets the index of `id` to `i` if it has none, or to `clash` if it
    /// has another.
    pub fn insert_or_mark(&mut self, id: &[u8], i: u32, clash: u32) {
        let e = match pack_bytes(id) {
            Some(k) => self.short.entry(k).or_insert(i),
            None => self.long.entry(IdBuf::new(id)).or_insert(i),
        };
        if *e != i {
            *e = clash;
        }
    }

    /// The index of `id` (packed as `key` when short).
    #[inline]
    pub fn get(&self, id: &[u8], key: Option<u128>) -> Option<u32> {
        match key {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(&IdBuf::new(id)).copied(),
        }
    }

    /// Sets the index of `id`.
    pub fn insert(&mut self, id: &[u8], i: u32) {
        match pack_bytes(id) {
            Some(k) => self.short.insert(k, i),
            None => self.long.insert(IdBuf::new(id), i),
        };
    }

    /// The index of `id` (packed as `key` when short), inserting `next` if
    /// it is new.
    #[inline]
    pub(super) fn get_or_insert(&mut self, id: &[u8], key: Option<u128>, next: u32) -> u32 {
        match key {
            Some(k) => *self.short.entry(k).or_insert(next),
            None => *self.long.entry(IdBuf::new(id)).or_insert(next),
        }
    }
}

impl Scratch {
    pub(super) fn new() -> Self {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Cursor::new(Vec::new()));
        // Seeking marks the reader so that it never treats a row as headers.
        let _ = rdr.seek_raw(std::io::SeekFrom::Start(0), csv::Position::new());
        Scratch {
            rdr,
            child_map: ChildMap::default(),
            // Key 0 is the empty string, never looked up.
            postcode_cache: vec![(0, None); 1 << POSTCODE_BITS]
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| Box::new([(0, None); 1 << POSTCODE_BITS])),
            caches: Box::default(),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

pub(super) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(Scratch::new)),
        Err(_) => f(&mut Scratch::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_bytes_are_exact_and_ordered() {
        // Every string of up to 15 bytes over a small alphabet (with NUL, so
        // that padding cannot be confused with data), lengths 0..=15.
        let alphabet = [0u8, b'0', b'9', b'A', 0xFF];
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=15usize {
            for seed in 0..60u64 {
                let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ len as u64;
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.rotate_left(7).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ 0x94D0;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                strings.push(s);
            }
        }
        strings.push(b"1234567".to_vec());
        strings.push(b"12345678".to_vec());
        strings.push(b"123456789".to_vec());
        strings.push(b"123456789012345".to_vec());
        for a in &strings {
            let ka = pack_bytes(a).expect("short");
            for b in &strings {
                let kb = pack_bytes(b).expect("short");
                assert_eq!(ka == kb, a == b, "{a:?} {b:?}");
                assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} {b:?}");
            }
        }
        assert_eq!(pack_bytes(b"1234567890123456"), None);
        for a in strings.iter().filter(|s| s.len() <= 7) {
            for b in strings.iter().filter(|s| s.len() <= 7) {
                assert_eq!(pack7(a) == pack7(b), a == b, "{a:?} {b:?}");
            }
        }
        assert_eq!(pack7(b"12345678"), None);
    }
}
