//! UK postcodes as SSDA903 files hold them.
//!
//! The DfE collects HOME_POST and PL_POST as full unit postcodes (XSD maximum
//! length 8, spec §2.2), but files that have passed through a regional
//! pipeline hold only the **postcode sector** (`BA1 2`: outward code and the
//! inward code's digit; spec §5.4), and some case-management exports only the
//! **district** (the outward code, `BA1`). [`Postcode::parse`] accepts all
//! three and says which it got ([`PostcodeKind`]); the postcode tables
//! (`iro-postcodes`) place a sector or district at its centroid.

use serde::{Deserialize, Serialize};

/// How much of a postcode a value records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PostcodeKind {
    /// A full unit postcode: outward code and inward code (`BA1 1AA`).
    Unit,
    /// A postcode sector: the outward code and the digit of the inward code
    /// (`BA1 2`, also written `BA12` when that cannot be a district: `SW1A1`).
    Sector,
    /// A postcode district: the outward code alone (`BA1`, `SW1A`).
    District,
    /// Written without a space and readable both ways: `BA12` is the sector
    /// `BA1 2` or the district `BA12`, `B12` the sector `B1 2` or the district
    /// `B12`. Only the postcode tables (and the authority's other values) can
    /// tell which is meant.
    SectorOrDistrict,
}

impl PostcodeKind {
    pub fn label(self) -> &'static str {
        match self {
            PostcodeKind::Unit => "unit postcode",
            PostcodeKind::Sector => "postcode sector",
            PostcodeKind::District => "postcode district",
            PostcodeKind::SectorOrDistrict => "sector or district (no space)",
        }
    }
}

/// A UK postcode, normalised: upper case, no spaces, at most 7 characters,
/// with its [`PostcodeKind`]. Printed with one space before the inward code
/// (`BA1 1AA`), a sector as `BA1 2`, a district as `BA1`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Postcode {
    bytes: [u8; 8],
    len: u8,
    kind: PostcodeKind,
}

/// An outward code: one or two letters, a digit, then optionally a digit or a
/// letter (`A9`, `A99`, `A9A`, `AA9`, `AA99`, `AA9A`).
fn is_outward(s: &[u8]) -> bool {
    let letters = s.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    match &s[letters..] {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
        _ => false,
    }
}

/// A full unit postcode (compact): an outward code of 2–4 characters starting
/// with a letter and holding a digit, then a digit and two letters.
fn is_unit(s: &[u8]) -> bool {
    if !(5..=7).contains(&s.len()) {
        return false;
    }
    let (outward, inward) = s.split_at(s.len() - 3);
    inward[0].is_ascii_digit()
        && inward[1].is_ascii_alphabetic()
        && inward[2].is_ascii_alphabetic()
        && outward[0].is_ascii_alphabetic()
        && outward.iter().any(u8::is_ascii_digit)
}

impl Postcode {
    /// Normalises a postcode (any case; spaces and tabs anywhere) and reads it
    /// as, in this order:
    ///
    /// 1. a **unit** postcode, `A9 9AA` … `AA9A 9AA` (spaces ignored);
    /// 2. written with a space, an outward code and one digit: a **sector**
    ///    (`BA1 2`, `ab10 1`);
    /// 3. written without a space: a **district** if it is an outward code
    ///    (`BA1`, `SW1A`), a **sector** if it is an outward code and a digit
    ///    (`BA123` = `BA12 3`, `SW1A1`), and [`PostcodeKind::SectorOrDistrict`]
    ///    if it is both (`BA12`, `B12`).
    ///
    /// Anything else (other characters, a partial inward code such as
    /// `BA1 2A`, no digit in the outward code) is not a postcode.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut bytes = [0u8; 8];
        let mut len = 0usize;
        // Where the last run of spaces ended (in the compact form), if the
        // value has a space between characters.
        let mut split = None;
        let mut after_space = false;
        for b in raw.bytes() {
            if b == b' ' || b == b'\t' {
                after_space = len > 0;
                continue;
            }
            if len == 8 || !b.is_ascii_alphanumeric() {
                return None;
            }
            if after_space {
                split = Some(len);
                after_space = false;
            }
            bytes[len] = b.to_ascii_uppercase();
            len += 1;
        }
        let s = &bytes[..len];
        let kind = if is_unit(s) {
            PostcodeKind::Unit
        } else if let Some(at) = split {
            let (outward, inward) = s.split_at(at);
            if inward.len() == 1 && inward[0].is_ascii_digit() && is_outward(outward) {
                PostcodeKind::Sector
            } else {
                return None;
            }
        } else {
            let district = is_outward(s);
            let sector = len >= 3 && s[len - 1].is_ascii_digit() && is_outward(&s[..len - 1]);
            match (sector, district) {
                (true, true) => PostcodeKind::SectorOrDistrict,
                (true, false) => PostcodeKind::Sector,
                (false, true) => PostcodeKind::District,
                (false, false) => return None,
            }
        };
        Some(Postcode {
            bytes,
            len: len as u8,
            kind,
        })
    }

    /// [`Postcode::parse`], keeping only full unit postcodes.
    pub fn parse_unit(raw: &str) -> Option<Self> {
        Self::parse(raw).filter(Postcode::is_unit)
    }

    /// How much of a postcode this is.
    pub fn kind(&self) -> PostcodeKind {
        self.kind
    }

    /// A full unit postcode.
    pub fn is_unit(&self) -> bool {
        self.kind == PostcodeKind::Unit
    }

    /// Without spaces, e.g. `BA11AA`, `BA12`.
    pub fn compact(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// [`Postcode::compact`] as bytes (upper-case ASCII letters and digits).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length of the outward code in the compact form; `None` when
    /// [`PostcodeKind::SectorOrDistrict`].
    fn outward_len(&self) -> Option<usize> {
        let n = usize::from(self.len);
        match self.kind {
            PostcodeKind::Unit => Some(n - 3),
            PostcodeKind::Sector => Some(n - 1),
            PostcodeKind::District => Some(n),
            PostcodeKind::SectorOrDistrict => None,
        }
    }

    /// The outward code (district), e.g. `BA1`; `None` when the value reads
    /// both as a sector and as a district.
    pub fn outward(&self) -> Option<&str> {
        self.outward_len().map(|n| &self.compact()[..n])
    }

    /// The postcode sector, e.g. `BA1 1`, of a unit postcode or a sector.
    pub fn sector(&self) -> Option<String> {
        let c = self.compact();
        match self.kind {
            PostcodeKind::Unit => Some(format!(
                "{} {}",
                &c[..c.len() - 3],
                &c[c.len() - 3..c.len() - 2]
            )),
            PostcodeKind::Sector => Some(format!("{} {}", &c[..c.len() - 1], &c[c.len() - 1..])),
            PostcodeKind::District | PostcodeKind::SectorOrDistrict => None,
        }
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.compact();
        match self.outward_len() {
            Some(n) if n < c.len() => write!(f, "{} {}", &c[..n], &c[n..]),
            _ => f.write_str(c),
        }
    }
}

impl std::fmt::Debug for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Postcode({self})")
    }
}

impl Serialize for Postcode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Postcode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Postcode::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("bad postcode `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostcodeKind::*;

    fn read(raw: &str) -> Option<(String, PostcodeKind)> {
        Postcode::parse(raw).map(|p| (p.to_string(), p.kind()))
    }

    fn is(raw: &str, shown: &str, kind: PostcodeKind) {
        assert_eq!(read(raw), Some((shown.to_string(), kind)), "{raw:?}");
    }

    #[test]
    fn unit_postcodes_in_every_outward_form() {
        for (raw, shown) in [
            ("B1 1AA", "B1 1AA"),
            ("B10 0AA", "B10 0AA"),
            ("BA1 1AA", "BA1 1AA"),
            ("AB10 1AA", "AB10 1AA"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("ba11aa", "BA1 1AA"),
            ("  BA1\t1AA ", "BA1 1AA"),
            ("B A1 1AA", "BA1 1AA"),
            ("BA1  1AA", "BA1 1AA"),
        ] {
            is(raw, shown, Unit);
        }
        let p = Postcode::parse("ab10 1aa").unwrap();
        assert_eq!(p.compact(), "AB101AA");
        assert_eq!(p.as_bytes(), b"AB101AA");
        assert_eq!(p.outward(), Some("AB10"));
        assert_eq!(p.sector().as_deref(), Some("AB10 1"));
        assert!(p.is_unit());
        assert_eq!(Postcode::parse_unit("AB10 1AA"), Some(p));
        assert_eq!(Postcode::parse_unit("AB10 1"), None);
    }

    #[test]
    fn sectors_with_and_without_the_space_any_case() {
        for (raw, shown) in [
            ("BA1 2", "BA1 2"),
            ("ba1 2", "BA1 2"),
            ("Ba1  2 ", "BA1 2"),
            ("AB10 1", "AB10 1"),
            ("ab101", "AB10 1"),
            ("SW1A 1", "SW1A 1"),
            ("sw1a1", "SW1A 1"),
            ("EC1A1", "EC1A 1"),
            ("W1A0", "W1A 0"),
            ("B10 9", "B10 9"),
            ("BA123", "BA12 3"),
            ("B109", "B10 9"),
            ("B1 2", "B1 2"),
            ("BT1 1", "BT1 1"),
        ] {
            is(raw, shown, Sector);
        }
        let p = Postcode::parse("ab10 1").unwrap();
        assert_eq!(p.outward(), Some("AB10"));
        assert_eq!(p.sector().as_deref(), Some("AB10 1"));
        assert_eq!(p.compact(), "AB101");
        assert!(!p.is_unit());
    }

    #[test]
    fn districts() {
        for (raw, shown) in [
            ("BA1", "BA1"),
            ("b1", "B1"),
            (" SW1A ", "SW1A"),
            ("W1A", "W1A"),
            ("EC1A", "EC1A"),
            ("BT1", "BT1"),
        ] {
            is(raw, shown, District);
        }
        let p = Postcode::parse("sw1a").unwrap();
        assert_eq!(p.outward(), Some("SW1A"));
        assert_eq!(p.sector(), None);
    }

    #[test]
    fn no_space_forms_that_read_both_ways() {
        // BA12 is the sector BA1 2 and the district BA12 (Warminster).
        for (raw, shown) in [("BA12", "BA12"), ("b12", "B12"), ("SW12", "SW12")] {
            is(raw, shown, SectorOrDistrict);
        }
        let p = Postcode::parse("BA12").unwrap();
        assert_eq!((p.outward(), p.sector()), (None, None));
        // With the space there is no doubt.
        is("BA1 2", "BA1 2", Sector);
    }

    #[test]
    fn not_postcodes() {
        for raw in [
            "",
            " ",
            "NOTAPC",
            "BA1 2A",
            "BA1 2AB3",
            "1A1 1AA",
            "BA 12",
            "B",
            "BA",
            "11",
            "W 1",
            "ABC1",
            "BA1-1AA",
            "BA1 1AÄ",
            "BA1 1AA 1",
            "AB10 11",
            "A1B2C3D4E",
            "SW1A1AAA",
        ] {
            assert_eq!(read(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn printed_forms_read_back_the_same() {
        for raw in ["BA1 1AA", "BA1 2", "BA1", "BA12", "SW1A1", "ab101aa"] {
            let p = Postcode::parse(raw).unwrap();
            assert_eq!(Postcode::parse(&p.to_string()), Some(p), "{raw}");
        }
    }
}
