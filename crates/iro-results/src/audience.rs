//! Who a run's shareable outputs are for, and the report's cover details.
//!
//! The audience decides how small counts are handled in every shareable
//! output (`metrics.csv`, the charts, the report), so it is set once for a
//! run: `[suppression] audience` in `iro.toml` or `--audience`. The report's
//! first page says which rule applied.

use serde::{Deserialize, Serialize};

/// Who will read the outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Anyone: the DfE's rule for published statistics (`[suppression]
    /// threshold`, 7 by default). The default.
    #[default]
    Public,
    /// Elected members and the service's own boards: the service's own
    /// threshold for papers to members (`[suppression] board_threshold`),
    /// with the same secondary protection.
    Board,
    /// The service itself: nothing hidden; every page of the report is
    /// marked not for publication.
    Internal,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Board, Audience::Internal];

    /// `public`, `board`, `internal`: as written in `iro.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Board => "board",
            Audience::Internal => "internal",
        }
    }

    /// Whether outputs for this audience may identify a child: the report
    /// is then marked not for publication on every page.
    pub fn is_restricted(self) -> bool {
        self == Audience::Internal
    }
}

impl std::fmt::Display for Audience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Audience {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Audience::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown audience {s:?}: use public, board or internal"))
    }
}

/// How small counts were handled in a run: the audience and the threshold
/// that follows from it (0: nothing hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub audience: Audience,
    /// Counts from 1 to this were hidden; 0: suppression off.
    pub threshold: u64,
}

impl Disclosure {
    /// The rule in one sentence, for the report's first page and the
    /// terminal.
    pub fn rule_sentence(&self) -> String {
        let hidden = if self.threshold == 0 {
            "nothing is hidden: counts of any size are shown".to_string()
        } else {
            format!(
                "counts of children from 1 to {} are shown as c, and so is any figure from \
                 which one could be worked out",
                self.threshold
            )
        };
        match self.audience {
            Audience::Public if self.threshold == 0 => format!(
                "Prepared for publication, but small-number suppression was switched off \
                 ([suppression] threshold = 0): {hidden}. Do not publish or share it."
            ),
            Audience::Public => format!(
                "Prepared for publication, by the Department for Education's rule for \
                 published statistics: {hidden}."
            ),
            Audience::Board => format!(
                "Prepared for elected members and the service's boards, by the service's own \
                 rule for papers to members: {hidden}. Not for publication as it stands."
            ),
            Audience::Internal => format!(
                "Prepared for the IRO service's own use: {hidden}. It may identify children: \
                 not for publication or sharing outside the service."
            ),
        }
    }
}

/// Whether the report is still being written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Marked DRAFT on every page, with prompts where the service has not
    /// written a section yet. The default.
    #[default]
    Draft,
    /// For the committee: no prompts, no DRAFT mark.
    Final,
}

/// `[report]` in `iro.toml`: what the cover says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// `draft` (the default) or `final`.
    pub status: ReportStatus,
    /// Who wrote it: "Sarah Hogan, Head of Service, Children's Quality
    /// Assurance and Safeguarding".
    pub author: Option<String>,
    /// Who approved it (e.g. the Director of Children's Services).
    pub approver: Option<String>,
    /// The date on the cover, as the service writes it ("November 2025").
    pub date: Option<String>,
    /// The version ("1.0", "Draft 2").
    pub version: Option<String>,
    /// Who it is for, on the cover ("Corporate Parenting Board").
    pub presented_to: Option<String>,
    /// What the paper asks of the board ("To note the annual report and
    /// comment as appropriate"), as council papers open.
    pub recommendation: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_parse_as_written_and_say_their_rule() {
        for a in Audience::ALL {
            assert_eq!(a.as_str().parse::<Audience>(), Ok(a));
        }
        assert_eq!(" Board ".parse::<Audience>(), Ok(Audience::Board));
        assert!(
            "members"
                .parse::<Audience>()
                .unwrap_err()
                .contains("public")
        );
        let public = Disclosure {
            audience: Audience::Public,
            threshold: 7,
        };
        assert!(public.rule_sentence().contains("from 1 to 7"));
        let internal = Disclosure {
            audience: Audience::Internal,
            threshold: 0,
        };
        assert!(internal.rule_sentence().contains("not for publication"));
        let off = Disclosure {
            audience: Audience::Public,
            threshold: 0,
        };
        assert!(off.rule_sentence().contains("Do not publish"));
    }
}
