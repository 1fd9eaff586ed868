//! Local-authority identity: the DfE 3-digit code, the ONS E-code, name and region.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A DfE local-authority code, the three digits used in SSDA903 returns and DfE
/// statistics (e.g. `800` Bath and North East Somerset, `887` Medway).
///
/// Codes are 3-digit numbers (DfE uses 201..=943); the value is kept as a number so it is
/// cheap to copy, hash and sort, and printed zero-padded to three digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LaCode(u16);

impl LaCode {
    /// Builds a code from its number; `None` unless it has exactly three digits.
    pub fn new(code: u16) -> Option<Self> {
        (100..=999).contains(&code).then_some(Self(code))
    }

    /// The code as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

/// Error for a string that is not a DfE 3-digit LA code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a DfE 3-digit local-authority code")]
pub struct BadLaCode(pub String);

impl FromStr for LaCode {
    type Err = BadLaCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.len() != 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadLaCode(s.to_string()));
        }
        t.parse::<u16>()
            .ok()
            .and_then(LaCode::new)
            .ok_or_else(|| BadLaCode(s.to_string()))
    }
}

impl TryFrom<String> for LaCode {
    type Error = BadLaCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<LaCode> for String {
    fn from(c: LaCode) -> String {
        c.to_string()
    }
}

impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// An English region (ONS `E12…` code and name), e.g. `E12000009` South West.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Region {
    pub ons_code: String,
    pub name: String,
}

/// Everything we know about one local authority's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaIdentity {
    /// DfE 3-digit code as used in SSDA903 and DfE statistics.
    pub code: LaCode,
    /// ONS code of the upper-tier authority (`E06…`, `E08…`, `E09…`, `E10…`).
    pub ons_code: String,
    pub name: String,
    pub region: Region,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_three_digit_codes() {
        let c: LaCode = " 800 ".parse().unwrap();
        assert_eq!(c.get(), 800);
        assert_eq!(c.to_string(), "800");
        assert!("80".parse::<LaCode>().is_err());
        assert!("8000".parse::<LaCode>().is_err());
        assert!("E06".parse::<LaCode>().is_err());
        assert!("".parse::<LaCode>().is_err());
    }
}
