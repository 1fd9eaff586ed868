//! Who a pack compares: a region's authorities that exist in the year, a
//! list, or a `[[groups]]` group of `iro.toml` (optionally anonymised, a
//! letter per authority).

use std::collections::BTreeSet;

use iro_domain::{CollectionYear, LaCode};
use iro_reference::Reference;
use iro_results::GroupSettings;

/// Why a group cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GroupError {
    #[error("no region called {wanted:?}: the regions are {regions}")]
    UnknownRegion { wanted: String, regions: String },
    #[error("{0:?} is not a DfE authority code (three digits, e.g. 800)")]
    BadCode(String),
    #[error("no authority {0} in the reference data")]
    UnknownAuthority(LaCode),
    #[error("authority {la} ({name}) did not exist in {year}: {why}")]
    NotCurrent {
        la: LaCode,
        name: String,
        year: String,
        why: String,
    },
    #[error("no group called {wanted:?} in iro.toml{}", known_words(.known))]
    UnknownGroup { wanted: String, known: Vec<String> },
    #[error(
        "group {group:?} is anonymised (it has letters) but gives none for {la}: add \"{la}\" = \"…\" to its letters"
    )]
    MissingLetter { group: String, la: LaCode },
    #[error("group {group:?} gives the letter {letter:?} to more than one authority")]
    RepeatedLetter { group: String, letter: String },
    #[error("group {group:?} has a letter for {la}, which is not one of its authorities")]
    StrayLetter { group: String, la: String },
    #[error("a pack needs at least two authorities to compare; {0} given")]
    TooFew(usize),
}

fn known_words(known: &[String]) -> String {
    if known.is_empty() {
        ": it has no [[groups]]".to_string()
    } else {
        format!(": its groups are {}", known.join(", "))
    }
}

/// One authority of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub la: LaCode,
    /// Its name in the reference data.
    pub name: String,
    /// Its letter in an anonymised pack.
    pub letter: Option<String>,
}

impl Member {
    /// As printed in the pack: its name, or "Authority C".
    pub fn label(&self) -> String {
        match &self.letter {
            Some(l) => format!("Authority {l}"),
            None => self.name.clone(),
        }
    }

    /// Its DfE code as printed (`800`); empty in an anonymised pack.
    pub fn code_text(&self) -> String {
        match self.letter {
            Some(_) => String::new(),
            None => format!("{:03}", self.la.get()),
        }
    }

    /// The `la_code` of its rows in `metrics.csv`.
    pub fn area_code(&self) -> String {
        format!("{:03}", self.la.get())
    }
}

/// The authorities a pack compares.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// As printed on the cover: "South West", "South West IRO managers".
    pub name: String,
    /// The file stem of the pack: `south-west`.
    pub slug: String,
    /// In the order the pack lists them when not ranked (by name, or by
    /// letter when anonymised).
    pub members: Vec<Member>,
    /// The region all members are in, if they share one: its ONS code and
    /// name (its published figures are shown beside the group's).
    pub region: Option<(String, String)>,
    /// The group's target for reviews on time (%).
    pub review_target: Option<f64>,
}

impl Group {
    /// Names and codes are left out: every member has a letter.
    pub fn anonymised(&self) -> bool {
        self.members.iter().any(|m| m.letter.is_some())
    }

    /// The members' DfE codes.
    pub fn las(&self) -> Vec<LaCode> {
        self.members.iter().map(|m| m.la).collect()
    }

    /// The region's authorities that exist in `year` (those abolished
    /// before it, or created after, are left out).
    pub fn region(
        reference: &Reference,
        wanted: &str,
        year: CollectionYear,
    ) -> Result<Group, GroupError> {
        let w = wanted.trim();
        let region = reference
            .regions()
            .iter()
            .find(|r| r.ons_code.eq_ignore_ascii_case(w) || r.name.eq_ignore_ascii_case(w))
            .ok_or_else(|| GroupError::UnknownRegion {
                wanted: w.to_string(),
                regions: reference
                    .regions()
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let las: Vec<LaCode> = reference
            .las_in_region(&region.ons_code)
            .map(|r| r.code())
            .filter(|&la| reference.is_current(la, year))
            .collect();
        let mut group = Group::of(reference, &region.name, &las, year, None)?;
        group.region = Some((region.ons_code.clone(), region.name.clone()));
        Ok(group)
    }

    /// A list of authorities (`--las 800,801,…`), named `name` or "Selected
    /// authorities".
    pub fn list(
        reference: &Reference,
        codes: &[String],
        name: Option<&str>,
        year: CollectionYear,
    ) -> Result<Group, GroupError> {
        let las = parse_codes(codes)?;
        Group::of(
            reference,
            name.unwrap_or("Selected authorities"),
            &las,
            year,
            None,
        )
    }

    /// A `[[groups]]` group of `iro.toml`, by name (case-insensitive).
    pub fn configured(
        reference: &Reference,
        groups: &[GroupSettings],
        wanted: &str,
        year: CollectionYear,
    ) -> Result<Group, GroupError> {
        let settings = settings(groups, wanted)?;
        let las = parse_codes(&settings.las)?;
        let letters = if settings.letters.is_empty() {
            None
        } else {
            Some(settings)
        };
        let mut group = Group::of(reference, &settings.name, &las, year, letters)?;
        group.review_target = settings.review_target;
        Ok(group)
    }

    fn of(
        reference: &Reference,
        name: &str,
        las: &[LaCode],
        year: CollectionYear,
        letters: Option<&GroupSettings>,
    ) -> Result<Group, GroupError> {
        let unique: BTreeSet<LaCode> = las.iter().copied().collect();
        if unique.len() < 2 {
            return Err(GroupError::TooFew(unique.len()));
        }
        let mut members = Vec::with_capacity(unique.len());
        for la in unique {
            let record = reference
                .la_record(la)
                .ok_or(GroupError::UnknownAuthority(la))?;
            let identity = reference.la(la).ok_or(GroupError::UnknownAuthority(la))?;
            if !reference.is_current(la, year) {
                return Err(GroupError::NotCurrent {
                    la,
                    name: identity.name.clone(),
                    year: year.label(),
                    why: if record.notes.is_empty() {
                        "not current that year".to_string()
                    } else {
                        record.notes.clone()
                    },
                });
            }
            let letter = match letters {
                Some(g) => Some(
                    g.letters
                        .iter()
                        .find(|(code, _)| parse_code(code).ok() == Some(la))
                        .map(|(_, l)| l.trim().to_string())
                        .ok_or_else(|| GroupError::MissingLetter {
                            group: g.name.clone(),
                            la,
                        })?,
                ),
                None => None,
            };
            members.push(Member {
                la,
                name: identity.name.clone(),
                letter,
            });
        }
        if let Some(g) = letters {
            let mut seen = BTreeSet::new();
            for m in &members {
                if let Some(l) = &m.letter
                    && !seen.insert(l.to_uppercase())
                {
                    return Err(GroupError::RepeatedLetter {
                        group: g.name.clone(),
                        letter: l.clone(),
                    });
                }
            }
            for code in g.letters.keys() {
                if !members.iter().any(|m| parse_code(code).ok() == Some(m.la)) {
                    return Err(GroupError::StrayLetter {
                        group: g.name.clone(),
                        la: code.clone(),
                    });
                }
            }
            members.sort_by(|a, b| a.letter.cmp(&b.letter));
        } else {
            members.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let regions: BTreeSet<(String, String)> = members
            .iter()
            .filter_map(|m| reference.region_of(m.la))
            .map(|r| (r.ons_code.clone(), r.name.clone()))
            .collect();
        let region = if regions.len() == 1 {
            regions.into_iter().next()
        } else {
            None
        };
        Ok(Group {
            name: name.trim().to_string(),
            slug: slug(name),
            members,
            region,
            review_target: None,
        })
    }
}

/// The `[[groups]]` entry called `wanted` (any case).
pub fn settings<'a>(
    groups: &'a [GroupSettings],
    wanted: &str,
) -> Result<&'a GroupSettings, GroupError> {
    let w = wanted.trim();
    groups
        .iter()
        .find(|g| g.name.trim().eq_ignore_ascii_case(w))
        .ok_or_else(|| GroupError::UnknownGroup {
            wanted: w.to_string(),
            known: groups.iter().map(|g| g.name.clone()).collect(),
        })
}

fn parse_code(code: &str) -> Result<LaCode, GroupError> {
    code.trim()
        .parse::<LaCode>()
        .map_err(|_| GroupError::BadCode(code.to_string()))
}

fn parse_codes(codes: &[String]) -> Result<Vec<LaCode>, GroupError> {
    codes.iter().map(|c| parse_code(c)).collect()
}

/// `South West IRO managers` → `south-west-iro-managers`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "group".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference {
        Reference::bundled().unwrap()
    }

    #[test]
    fn a_region_has_only_the_authorities_that_exist_that_year() {
        let r = reference();
        let g = Group::region(&r, "south west", CollectionYear(2025)).unwrap();
        let codes: Vec<u16> = g.members.iter().map(|m| m.la.get()).collect();
        assert_eq!(codes.len(), 15, "{codes:?}");
        for abolished in [835, 836, 837] {
            assert!(!codes.contains(&abolished), "{codes:?}");
        }
        assert_eq!(g.slug, "south-west");
        assert_eq!(g.region.as_ref().unwrap().1, "South West");
        // In 2018-19 the old Dorset authorities existed and the new did not.
        let old = Group::region(&r, "E12000009", CollectionYear(2019)).unwrap();
        let codes: Vec<u16> = old.members.iter().map(|m| m.la.get()).collect();
        assert!(codes.contains(&836) && !codes.contains(&839), "{codes:?}");
    }

    #[test]
    fn an_unknown_region_names_the_regions() {
        let e = Group::region(&reference(), "Wessex", CollectionYear(2025)).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("\"Wessex\"") && text.contains("South West"),
            "{text}"
        );
    }

    #[test]
    fn a_list_is_checked_against_the_year() {
        let r = reference();
        let g = Group::list(
            &r,
            &["803".into(), "800".into()],
            None,
            CollectionYear(2025),
        )
        .unwrap();
        assert_eq!(g.members[0].name, "Bath and North East Somerset");
        let e = Group::list(
            &r,
            &["800".into(), "836".into()],
            None,
            CollectionYear(2025),
        )
        .unwrap_err();
        assert!(matches!(e, GroupError::NotCurrent { .. }), "{e}");
        assert!(e.to_string().contains("Poole"), "{e}");
        let e = Group::list(&r, &["800".into()], None, CollectionYear(2025)).unwrap_err();
        assert_eq!(e, GroupError::TooFew(1));
        let e = Group::list(
            &r,
            &["800".into(), "80x".into()],
            None,
            CollectionYear(2025),
        )
        .unwrap_err();
        assert_eq!(e, GroupError::BadCode("80x".into()));
    }

    #[test]
    fn an_anonymised_group_needs_one_letter_each() {
        let r = reference();
        let mut settings = GroupSettings {
            name: "SW IRO managers".into(),
            las: vec!["800".into(), "801".into(), "802".into()],
            review_target: Some(95.0),
            letters: [("800", "B"), ("801", "A"), ("802", "C")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        let groups = [settings.clone()];
        let g = Group::configured(&r, &groups, "sw iro managers", CollectionYear(2025)).unwrap();
        assert!(g.anonymised());
        assert_eq!(g.review_target, Some(95.0));
        let labels: Vec<String> = g.members.iter().map(Member::label).collect();
        assert_eq!(labels, ["Authority A", "Authority B", "Authority C"]);
        assert!(g.members.iter().all(|m| m.code_text().is_empty()));

        settings.letters.remove("802");
        let e = Group::configured(
            &r,
            &[settings.clone()],
            "SW IRO managers",
            CollectionYear(2025),
        )
        .unwrap_err();
        assert!(matches!(e, GroupError::MissingLetter { .. }), "{e}");
        settings.letters.insert("802".into(), "a".into());
        let e = Group::configured(
            &r,
            &[settings.clone()],
            "SW IRO managers",
            CollectionYear(2025),
        )
        .unwrap_err();
        assert!(matches!(e, GroupError::RepeatedLetter { .. }), "{e}");
        let e = Group::configured(&r, &[settings], "North", CollectionYear(2025)).unwrap_err();
        assert!(e.to_string().contains("SW IRO managers"), "{e}");
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("South West"), "south-west");
        assert_eq!(slug("  Bristol, Bath & co. "), "bristol-bath-co");
        assert_eq!(slug("!!"), "group");
    }
}
