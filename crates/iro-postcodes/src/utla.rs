//! Local authority district → upper-tier authority, as used for PL_LA.

use std::collections::HashMap;

use iro_reference::{LtlaLink, Reference};

use crate::code::OnsCode;
use crate::error::PostcodeError;

/// LAD codes issued after the April 2023 LTLA→UTLA lookup, mapped to the
/// April 2023 code of the same authority (whose UTLA the lookup gives).
pub const RECODED_LADS: [(&str, &str); 2] = [
    // Barnsley and Sheffield were re-coded after their 2024 boundary change.
    ("E08000038", "E08000016"),
    ("E08000039", "E08000019"),
];

/// The upper-tier authority of each lower-tier one (April 2023 boundaries).
#[derive(Debug, Clone, Default)]
pub struct UtlaLookup {
    map: HashMap<OnsCode, OnsCode>,
}

impl UtlaLookup {
    /// The ONS April 2023 lookup bundled in `iro-reference`
    /// (`data/reference/ltla_utla_apr23.csv`), with [`RECODED_LADS`].
    pub fn bundled() -> Result<Self, PostcodeError> {
        let reference = Reference::bundled().map_err(|e| PostcodeError::NoData {
            file: e.file().to_string(),
            problem: format!("bundled LTLA→UTLA lookup: {e}"),
        })?;
        Ok(Self::from_links(reference.ltla_links()))
    }

    /// From rows of an ONS LTLA→UTLA lookup, with [`RECODED_LADS`].
    pub fn from_links(links: &[LtlaLink]) -> Self {
        let mut map = HashMap::new();
        for l in links {
            if let (Some(lt), Some(ut)) =
                (OnsCode::parse(&l.ltla_code), OnsCode::parse(&l.utla_code))
            {
                map.insert(lt, ut);
            }
        }
        for (new, old) in RECODED_LADS {
            if let (Some(new), Some(old)) = (OnsCode::parse(new), OnsCode::parse(old))
                && let Some(&ut) = map.get(&old)
            {
                map.entry(new).or_insert(ut);
            }
        }
        UtlaLookup { map }
    }

    /// The upper tier of `lad`. Scottish council areas, Welsh principal areas,
    /// Northern Ireland districts and the Channel Islands / Isle of Man
    /// pseudo-codes are their own upper tier. `None` for an English code the
    /// lookup does not hold.
    pub fn utla(&self, lad: OnsCode) -> Option<OnsCode> {
        match self.map.get(&lad) {
            Some(&u) => Some(u),
            None if lad.as_str().starts_with(['S', 'W', 'N', 'L', 'M']) => Some(lad),
            None => None,
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> OnsCode {
        OnsCode::parse(s).unwrap()
    }

    #[test]
    fn bundled_lookup() {
        let l = UtlaLookup::bundled().unwrap();
        // Ashford → Kent; Mendip (abolished 2023) is not in the April 2023 lookup.
        assert_eq!(l.utla(c("E07000105")), Some(c("E10000016")));
        assert_eq!(l.utla(c("E06000066")), Some(c("E06000066")));
        assert_eq!(l.utla(c("E06000065")), Some(c("E06000065")));
        assert_eq!(l.utla(c("E06000063")), Some(c("E06000063")));
        assert_eq!(l.utla(c("E06000064")), Some(c("E06000064")));
        assert_eq!(l.utla(c("E07000187")), None);
        // Re-coded after April 2023.
        assert_eq!(l.utla(c("E08000038")), Some(c("E08000016")));
        assert_eq!(l.utla(c("E08000039")), Some(c("E08000019")));
        assert_eq!(l.utla(c("S12000033")), Some(c("S12000033")));
        assert_eq!(l.utla(c("W06000015")), Some(c("W06000015")));
        assert_eq!(l.utla(c("N09000003")), Some(c("N09000003")));
    }
}
