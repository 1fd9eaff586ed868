//! The report as a document: sections of paragraphs, tables and figures, with
//! every number already formatted. The HTML and Markdown renderers both read
//! this, so the two versions always say the same thing.

use crate::format::Shown;

/// What a document is: one authority's annual report, or a regional
/// group's pack of its authorities side by side (`iro pack`). The
/// renderers are the same; the title, the cover's first line and the
/// footer follow the kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DocumentKind {
    #[default]
    AnnualReport,
    /// A regional IRO group's pack: `la_code` is the group's file name
    /// (`south-west`), `la_name` its name.
    RegionalPack {
        /// How many authorities the group has.
        members: usize,
    },
}

/// One authority's report (or one group's pack) for one collection year.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: DocumentKind,
    pub la_code: String,
    pub la_name: String,
    pub region: String,
    /// Collection year (the year the return ends).
    pub year: i32,
    /// `2024-25`.
    pub year_label: String,
    /// `1 April 2024 to 31 March 2025`.
    pub period_text: String,
    /// Who the figures were suppressed for, and the threshold applied.
    pub disclosure: iro_results::Disclosure,
    /// `[report]`: the cover, draft or final.
    pub settings: iro_results::ReportSettings,
    /// The "Data quality" box at the top, in plain words, one item a line;
    /// empty when nothing was excluded or flagged.
    pub data_quality: Vec<String>,
    pub sections: Vec<Section>,
    /// The images the narrative shows, by the path written there.
    pub images: crate::narrative::Images,
}

impl Report {
    /// `Independent Reviewing Officer (IRO) annual report 2024-25`, or
    /// `IRO services compared: regional pack 2024-25`.
    pub fn title(&self) -> String {
        match self.kind {
            DocumentKind::AnnualReport => format!(
                "Independent Reviewing Officer (IRO) annual report {}",
                self.year_label
            ),
            DocumentKind::RegionalPack { .. } => {
                format!("IRO services compared: regional pack {}", self.year_label)
            }
        }
    }

    /// The cover's first line: `Bath and North East Somerset (DfE code
    /// 800), South West`, or `South West IRO group: 15 authorities`.
    pub fn kicker(&self) -> String {
        match self.kind {
            DocumentKind::AnnualReport => {
                let region = if self.region.is_empty() {
                    String::new()
                } else {
                    format!(", {}", self.region)
                };
                format!("{} (DfE code {}){region}", self.la_name, self.la_code)
            }
            DocumentKind::RegionalPack { members } => format!(
                "{}: {members} authorit{}",
                self.la_name,
                if members == 1 { "y" } else { "ies" }
            ),
        }
    }

    /// Whose suppressed tables the document was made from, for its footer.
    pub fn made_from(&self) -> &'static str {
        match self.kind {
            DocumentKind::AnnualReport => "the authority's suppressed tables",
            DocumentKind::RegionalPack { .. } => {
                "the authorities' suppressed tables and the DfE's published figures"
            }
        }
    }

    /// Counts from 1 to this are suppressed (0: suppression off).
    pub fn threshold(&self) -> u64 {
        self.disclosure.threshold
    }

    /// Outputs that may identify a child (the audience is the service
    /// itself, or suppression was off): marked on every page.
    pub fn not_for_publication(&self) -> bool {
        self.disclosure.audience.is_restricted() || self.threshold() == 0
    }

    /// A draft: DRAFT on every page, prompts for unwritten sections.
    pub fn is_draft(&self) -> bool {
        self.settings.status == iro_results::ReportStatus::Draft
    }

    /// The cover's details, in order, as (term, value): only those set in
    /// `[report]`.
    pub fn cover_details(&self) -> Vec<(&'static str, String)> {
        let s = &self.settings;
        [
            ("Presented to", &s.presented_to),
            ("Author", &s.author),
            ("Approved by", &s.approver),
            ("Date", &s.date),
            ("Version", &s.version),
            ("Recommendation", &s.recommendation),
        ]
        .into_iter()
        .filter_map(|(t, v)| v.as_ref().map(|v| (t, v.clone())))
        .collect()
    }

    /// In a draft, the cover details a published report carries and this
    /// one lacks, as (term, `[report]` key), for a prompt; none in a final.
    pub fn missing_cover_details(&self) -> Vec<(&'static str, &'static str)> {
        if !self.is_draft() {
            return Vec::new();
        }
        let s = &self.settings;
        [
            ("Author", "author", &s.author),
            ("Approved by", "approver", &s.approver),
            ("Date", "date", &s.date),
            ("Version", "version", &s.version),
        ]
        .into_iter()
        .filter(|(_, _, v)| v.is_none())
        .map(|(t, k, _)| (t, k))
        .collect()
    }

    /// The words in every printed page's footer: `Bath and North East
    /// Somerset: IRO annual report 2024-25`.
    pub fn running_title(&self) -> String {
        match self.kind {
            DocumentKind::AnnualReport => {
                format!("{}: IRO annual report {}", self.la_name, self.year_label)
            }
            DocumentKind::RegionalPack { .. } => {
                format!("{}: IRO regional pack {}", self.la_name, self.year_label)
            }
        }
    }

    /// The folder of the narrative's images beside the Markdown report.
    pub fn images_dir_name(&self) -> String {
        format!("{}-images", self.file_stem())
    }

    /// The file stem of every output: `800-2025`.
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.la_code, self.year)
    }

    /// Every figure, in order.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Figure(f) => Some(f),
                _ => None,
            })
        })
    }
}

/// A numbered section: generated content, then the service's narrative.
#[derive(Debug, Clone)]
pub struct Section {
    /// Stable id: the `## <id>` heading of the narrative file.
    pub id: &'static str,
    pub number: usize,
    pub title: &'static str,
    pub blocks: Vec<Block>,
    /// The service's own words (Markdown), if written.
    pub narrative: Option<String>,
    /// Section made of narrative only: says so when none is written.
    pub narrative_only: bool,
}

/// One piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// Generated prose; plain text (escaped when rendered).
    Para(String),
    /// A sub-heading (level 3).
    Heading(String),
    Table(Table),
    Figure(Figure),
    /// "Not available: <why>".
    NotAvailable(String),
    /// "Data quality: <words>": the section's figures are affected by what
    /// the "Data quality" box says.
    DataQuality(String),
}

/// A data table: a caption, a header row, rows with a header cell each.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Table number across the report.
    pub number: usize,
    pub caption: String,
    /// Column headings; the first heads the row-header column.
    pub head: Vec<String>,
    pub rows: Vec<TableRow>,
    /// Footnotes (method notes of the rows shown, symbols used).
    pub notes: Vec<String>,
}

impl Table {
    /// Whether any cell is suppressed (the table gets the `c` footnote).
    pub fn has(&self, pred: impl Fn(&Cell) -> bool) -> bool {
        self.rows.iter().any(|r| r.cells.iter().any(&pred))
    }
}

#[derive(Debug, Clone)]
pub struct TableRow {
    pub header: String,
    pub cells: Vec<Cell>,
    /// A total row (shown in bold).
    pub total: bool,
}

impl TableRow {
    pub fn new(header: impl Into<String>, cells: Vec<Cell>) -> Self {
        TableRow {
            header: header.into(),
            cells,
            total: false,
        }
    }

    pub fn total(mut self) -> Self {
        self.total = true;
        self
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A number or figure (right-aligned), or `c` / `n/a`.
    Figure(Shown),
    /// Words (left-aligned).
    Text(String),
}

impl Cell {
    pub fn text(&self) -> &str {
        match self {
            Cell::Figure(s) => s.text(),
            Cell::Text(t) => t,
        }
    }

    pub fn is_suppressed(&self) -> bool {
        matches!(self, Cell::Figure(Shown::Suppressed))
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Cell::Figure(Shown::Missing))
    }
}

impl From<Shown> for Cell {
    fn from(s: Shown) -> Self {
        Cell::Figure(s)
    }
}

/// A chart with its text alternative and the numbers behind it.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Figure number across the report.
    pub number: usize,
    /// Short stable name, unique in the report: the SVG file is `<slug>.svg`.
    pub slug: String,
    pub caption: String,
    /// One-paragraph description of what the chart shows.
    pub alt: String,
    /// The drawn chart, or why it could not be drawn.
    pub svg: Result<String, String>,
    /// The chart itself, for renderers that draw it again at their own size
    /// (the Word document's PNG); `None` where there is no chart to draw.
    pub chart: Option<Box<iro_charts::Chart>>,
    /// The numbers drawn.
    pub data: iro_charts::DataTable,
}
