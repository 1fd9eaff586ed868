//! ONS area codes and the packed postcode keys the tables are sorted by.

use std::fmt;

use iro_domain::{Postcode, PostcodeKind};

/// An ONS GSS area code: a letter and eight digits (`E08000025`, `S12000033`,
/// `N09000003`, and the pseudo-codes `L99999999` Channel Islands, `M99999999`
/// Isle of Man). Stored inline, so it is `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OnsCode([u8; 9]);

impl OnsCode {
    /// Parses a code (surrounding spaces allowed; the letter is upper-cased).
    pub fn parse(raw: &str) -> Option<Self> {
        let b = raw.trim().as_bytes();
        if b.len() != 9 || !b[0].is_ascii_alphabetic() || !b[1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut out = [0u8; 9];
        out.copy_from_slice(b);
        out[0] = out[0].to_ascii_uppercase();
        Some(OnsCode(out))
    }

    pub(crate) fn from_bytes(b: [u8; 9]) -> Option<Self> {
        std::str::from_utf8(&b).ok().and_then(Self::parse)
    }

    pub(crate) fn bytes(&self) -> [u8; 9] {
        self.0
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The country (or crown dependency) the code belongs to, from its letter.
    pub fn country(&self) -> Country {
        match self.0[0] {
            b'E' => Country::England,
            b'W' => Country::Wales,
            b'S' => Country::Scotland,
            b'N' => Country::NorthernIreland,
            b'L' => Country::ChannelIslands,
            b'M' => Country::IsleOfMan,
            _ => Country::Unknown,
        }
    }
}

impl fmt::Display for OnsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OnsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnsCode({})", self.as_str())
    }
}

/// Where a postcode is, by the first letter of its LAD code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Country {
    England,
    Wales,
    Scotland,
    NorthernIreland,
    ChannelIslands,
    IsleOfMan,
    Unknown,
}

impl Country {
    pub fn label(self) -> &'static str {
        match self {
            Country::England => "England",
            Country::Wales => "Wales",
            Country::Scotland => "Scotland",
            Country::NorthernIreland => "Northern Ireland",
            Country::ChannelIslands => "Channel Islands",
            Country::IsleOfMan => "Isle of Man",
            Country::Unknown => "Unknown",
        }
    }
}

// ---------------------------------------------------------------- packed keys
//
// A postcode is written in the 7-character ONSPD `pcd7` form: the outward code
// left-aligned and padded to 4 characters with spaces, then the 3-character
// inward code (`B1  1AA`, `BS1 1AA`, `AB101AA`). Each character is a base-37
// digit (space 0, `0`–`9` 1–10, `A`–`Z` 11–36), so the key is below
// 37^7 ≈ 9.5 × 10^10 (37 bits) and sorts exactly as the `pcd7` strings do.

pub(crate) const BASE: u64 = 37;
/// 37^2, 37^4, 37^5, 37^7.
pub(crate) const P2: u64 = BASE * BASE;
pub(crate) const P4: u64 = P2 * P2;
pub(crate) const P7: u64 = P4 * P2 * BASE;

fn digit(b: u8) -> Option<u64> {
    match b {
        b' ' => Some(0),
        b'0'..=b'9' => Some(u64::from(b - b'0') + 1),
        b'A'..=b'Z' => Some(u64::from(b - b'A') + 11),
        b'a'..=b'z' => Some(u64::from(b - b'a') + 11),
        _ => None,
    }
}

fn undigit(d: u64) -> u8 {
    match d {
        0 => b' ',
        1..=10 => b'0' + (d - 1) as u8,
        _ => b'A' + (d.min(36) - 11) as u8,
    }
}

/// The base-37 key of an outward code, left-aligned in four characters.
fn outward_key(outward: &[u8]) -> u64 {
    let mut k = 0u64;
    for i in 0..4 {
        k = k * BASE + outward.get(i).and_then(|&b| digit(b)).unwrap_or(0);
    }
    k
}

/// The 37-bit key of a full unit postcode. (For another kind of postcode the
/// last three characters are taken as the inward code: callers look only
/// unit postcodes up by it.)
pub(crate) fn unit_key(pc: &Postcode) -> u64 {
    let c = pc.as_bytes();
    let (outward, inward) = c.split_at(c.len().saturating_sub(3));
    let mut k = outward_key(outward);
    for &b in inward {
        k = k * BASE + digit(b).unwrap_or(0);
    }
    k
}

/// The key of a sector given its outward code and digit: the first five
/// `pcd7` characters (a unit key divided by 37^2).
fn sector_key(outward: &[u8], digit_char: u8) -> u64 {
    outward_key(outward) * BASE + digit(digit_char).unwrap_or(0)
}

/// The keys a postcode is looked up by, according to its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupKeys {
    /// A unit postcode: its own key, and its sector's.
    Unit {
        unit: u64,
        sector: u64,
    },
    Sector(u64),
    /// A district: the outward code's key (a sector key divided by 37).
    District(u64),
    /// Both readings of a value such as `BA12`.
    SectorOrDistrict {
        sector: u64,
        district: u64,
    },
}

pub(crate) fn lookup_keys(pc: &Postcode) -> LookupKeys {
    let c = pc.as_bytes();
    let n = c.len();
    match pc.kind() {
        PostcodeKind::Unit => {
            let unit = unit_key(pc);
            LookupKeys::Unit {
                unit,
                sector: unit / P2,
            }
        }
        PostcodeKind::Sector => LookupKeys::Sector(sector_key(&c[..n - 1], c[n - 1])),
        PostcodeKind::District => LookupKeys::District(outward_key(c)),
        PostcodeKind::SectorOrDistrict => LookupKeys::SectorOrDistrict {
            sector: sector_key(&c[..n - 1], c[n - 1]),
            district: outward_key(c),
        },
    }
}

/// The key of a unit postcode's sector (`unit_key / 37^2`).
#[cfg(test)]
pub(crate) fn sector_key_of(pc: &Postcode) -> u64 {
    unit_key(pc) / P2
}

/// Parses a sector written `BA1 1` / `AB10 1` (outward code, optional space,
/// one digit; any case) into its key.
pub(crate) fn parse_sector(raw: &str) -> Option<u64> {
    match Postcode::parse(raw).map(|p| lookup_keys(&p))? {
        LookupKeys::Sector(k) | LookupKeys::SectorOrDistrict { sector: k, .. } => Some(k),
        LookupKeys::Unit { .. } | LookupKeys::District(_) => None,
    }
}

/// Parses a district (outward code) `BA1` / `AB10` into its key.
pub(crate) fn parse_district(raw: &str) -> Option<u64> {
    match Postcode::parse(raw).map(|p| lookup_keys(&p))? {
        LookupKeys::District(k) | LookupKeys::SectorOrDistrict { district: k, .. } => Some(k),
        LookupKeys::Unit { .. } | LookupKeys::Sector(_) => None,
    }
}

/// The district (outward code) of a district key, e.g. `BA1`.
#[cfg(test)]
pub(crate) fn district_string(key: u64) -> String {
    let mut chars = [0u8; 4];
    let mut k = key;
    for c in chars.iter_mut().rev() {
        *c = undigit(k % BASE);
        k /= BASE;
    }
    chars
        .iter()
        .filter(|&&b| b != b' ')
        .map(|&b| b as char)
        .collect()
}

/// The sector of a sector key, written `BA1 1`.
pub(crate) fn sector_string(key: u64) -> String {
    let mut chars = [0u8; 5];
    let mut k = key;
    for c in chars.iter_mut().rev() {
        *c = undigit(k % BASE);
        k /= BASE;
    }
    let outward: String = chars[..4]
        .iter()
        .filter(|&&b| b != b' ')
        .map(|&b| b as char)
        .collect();
    format!("{outward} {}", chars[4] as char)
}

/// The postcode of a unit key (for error messages and tests).
pub(crate) fn unit_string(key: u64) -> String {
    let mut chars = [0u8; 7];
    let mut k = key;
    for c in chars.iter_mut().rev() {
        *c = undigit(k % BASE);
        k /= BASE;
    }
    let outward: String = chars[..4]
        .iter()
        .filter(|&&b| b != b' ')
        .map(|&b| b as char)
        .collect();
    let inward: String = chars[4..].iter().map(|&b| b as char).collect();
    format!("{outward} {inward}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(s: &str) -> Postcode {
        Postcode::parse(s).unwrap()
    }

    #[test]
    fn keys_sort_as_pcd7_strings() {
        let mut v = [
            "BS1 1AA", "B1 1AA", "AB10 1AA", "B10 0AA", "B1 2AA", "BA1 1AA",
        ];
        v.sort_by_key(|s| unit_key(&pc(s)));
        assert_eq!(
            v,
            [
                "AB10 1AA", "B1 1AA", "B1 2AA", "B10 0AA", "BA1 1AA", "BS1 1AA"
            ]
        );
        assert!(unit_key(&pc("ZZ99 9ZZ")) < P7);
        assert_eq!(unit_string(unit_key(&pc("ab101aa"))), "AB10 1AA");
    }

    #[test]
    fn sectors() {
        assert_eq!(
            sector_key_of(&pc("BS1 1AA")),
            parse_sector("BS1 1").unwrap()
        );
        assert_eq!(
            sector_key_of(&pc("AB10 1AA")),
            parse_sector("ab101").unwrap()
        );
        assert_eq!(sector_string(parse_sector("B1 1").unwrap()), "B1 1");
        assert_eq!(sector_string(sector_key_of(&pc("EC1A 1BB"))), "EC1A 1");
        assert_eq!(parse_sector("B1"), None);
        assert_eq!(parse_sector("11 1"), None);
        assert_eq!(parse_sector("B1 A"), None);
    }

    #[test]
    fn ons_codes() {
        let c = OnsCode::parse(" e06000066 ").unwrap();
        assert_eq!(c.as_str(), "E06000066");
        assert_eq!(c.country(), Country::England);
        assert_eq!(
            OnsCode::parse("N09000003").unwrap().country(),
            Country::NorthernIreland
        );
        assert!(OnsCode::parse("E0600006").is_none());
        assert!(OnsCode::parse("E06X00066").is_none());
        assert!(OnsCode::parse("").is_none());
    }
}
