//! The report as an editable Word document, `<stem>.docx`: the same sections,
//! tables, charts and narrative as the HTML, in the shape a service finishes
//! its report in Word — built-in heading styles (`Heading1`…, so the
//! navigation pane and a corporate template's styles apply), a table of
//! contents field Word fills on opening, real tables (a repeating header row,
//! numbers right-aligned, totals bold, "Table N" captions above and footnotes
//! below), charts as PNG images with their text alternative, and "Page N of M"
//! footers on A4.
//!
//! The OOXML parts are written here rather than through a docx crate: fields,
//! image alt text and repeating header rows are exactly what those crates
//! leave out, and writing the parts directly keeps the bytes deterministic
//! (fixed zip timestamps, parts in a fixed order, ids that depend only on the
//! report). Figure images and their relationship ids are named after the
//! figure number and narrative images after their order, so changing the
//! narrative changes only the narrative's paragraphs (between the
//! `_Narrative_<n>` bookmarks) and, for lists and images in it, the numbering
//! and media parts.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use pulldown_cmark::{Alignment, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::model::{Block, Cell, Figure, Report, Section, Table};
use crate::{ReportError, narrative};

/// A4 in twentieths of a point.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
/// Margins of 2 cm all round; header and footer 1 cm from the edge.
const MARGIN: u32 = 1_134;
const HEADER_FOOTER: u32 = 567;
/// The width between the margins (17 cm), in twips.
pub const TEXT_WIDTH: u32 = PAGE_WIDTH - 2 * MARGIN;
/// English Metric Units per twip (914,400 EMU an inch, 1,440 twips an inch).
const EMU_PER_TWIP: u64 = 635;
/// Pixels of a chart's PNG: one and a quarter times the charts' design size
/// (1125 × 625), about 170 dots an inch at the text width (17 cm) — sharp
/// in print and on screen — for 70% of the drawing and encoding time of one
/// and a half times (1350 × 750, about 200 dots an inch), which a run of 153
/// reports spent most of its time on.
pub const CHART_PNG_SIZE: (u32, u32) = (
    iro_charts::DEFAULT_SIZE.0 * 5 / 4,
    iro_charts::DEFAULT_SIZE.1 * 5 / 4,
);

/// Pixels of one chart's PNG: one and a quarter times its natural size, so
/// a tall chart (a league table of many bars, a grid of many panels) keeps
/// its aspect ratio; [`CHART_PNG_SIZE`] for the kinds of the annual report.
fn chart_png_size(chart: &iro_charts::Chart) -> (u32, u32) {
    let (w, h) = iro_charts::natural_size(chart);
    (w * 5 / 4, h * 5 / 4)
}
/// Body text of tables: 9.5 pt, and the width of one character of it,
/// roughly, in twips (for column widths).
const TABLE_FONT_HALF_POINTS: u32 = 19;
const TABLE_CHAR_WIDTH: u32 = 110;
/// Tables of up to this many rows are kept on one page.
const KEEP_WHOLE_ROWS: usize = 16;
/// Cell margins left and right, twips.
const CELL_MARGIN: u32 = 85;

/// Bookmark ids: a section's heading has its number; the range of its
/// narrative `NARRATIVE_BOOKMARK + number`.
const NARRATIVE_BOOKMARK: usize = 1_000;
/// Drawing ids: a figure has its number; an image of the narrative
/// `NARRATIVE_IMAGE + its order`.
const NARRATIVE_IMAGE: usize = 10_000;

/// The numbering instance of bullet lists (ordered lists get one each, from 2).
const BULLETS: usize = 1;

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const NS_A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
const REL_BASE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Colours (the HTML report's).
const TEXT: &str = "0B0C0C";
const MUTED: &str = "484949";
const SHADE: &str = "F3F2F1";
const NOTICE: &str = "FFF4D6";
const NOTICE_RULE: &str = "8A5A00";
const RULE: &str = "6F777B";
const LIGHT_RULE: &str = "B1B4B6";
const MET: &str = "00602F";
const NOT_MET: &str = "A4161F";

/// Why the document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("cannot pack the document: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot pack the document: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the report as `path` (a `.docx`).
pub fn write(report: &Report, path: &Path) -> Result<(), ReportError> {
    let bytes = render(report).map_err(|e| ReportError::Docx {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, bytes).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The whole document as the bytes of a `.docx` file.
pub fn render(report: &Report) -> Result<Vec<u8>, DocxError> {
    let mut doc = Doc::new(&report.images);
    doc.draw_figures(report);
    let mut sections = String::with_capacity(256 * 1024);
    for s in &report.sections {
        doc.section(&mut sections, report, s);
    }
    let mut body = String::with_capacity(sections.len() + 16 * 1024);
    cover(&mut body, report);
    toc(&mut body, report);
    body.push_str(&sections);
    let _ = write!(
        body,
        "{}",
        para(
            "TableNote",
            "",
            &run(
                &format!(
                    "Made with IRO Analytics {} from {} ({}).",
                    env!("CARGO_PKG_VERSION"),
                    report.made_from(),
                    report.file_stem()
                ),
                Fmt::default()
            )
        )
    );
    let markings = markings(&cover_view(report));
    let document = document_xml(&body, !markings.is_empty());
    package(report, &doc, &document, &markings)
}

/// What the cover and every page's header say about the report's status
/// and readers: read from the report in one place.
struct CoverView {
    /// A draft: DRAFT on the cover and every page.
    draft: bool,
    /// Not for publication: marked on every page.
    restricted: bool,
    /// Who may read it, in one sentence (`None`: nothing to say).
    rule: Option<String>,
    /// (term, value): author, approver, date, version…, those set.
    details: Vec<(&'static str, String)>,
    /// In a draft, (term, `[report]` key) of the details a published report
    /// carries and this one lacks: prompted for on the cover.
    missing: Vec<(&'static str, &'static str)>,
}

fn cover_view(report: &Report) -> CoverView {
    CoverView {
        draft: report.is_draft(),
        restricted: report.not_for_publication(),
        rule: Some(report.disclosure.rule_sentence()),
        details: report.cover_details(),
        missing: report.missing_cover_details(),
    }
}

/// What every page's header says: empty when nothing needs saying.
fn markings(view: &CoverView) -> Vec<&'static str> {
    let mut out = Vec::new();
    if view.draft {
        out.push("DRAFT");
    }
    if view.restricted {
        out.push("NOT FOR PUBLICATION");
    }
    out
}

// ------------------------------------------------------------------ escaping

/// Whether XML 1.0 allows the character at all.
fn xml_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Escapes text for element content.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for an attribute value (line breaks kept as references).
pub fn esc_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

// ------------------------------------------------------------ runs and paragraphs

/// Character formatting of a run.
#[derive(Debug, Clone, Copy, Default)]
struct Fmt {
    bold: bool,
    italic: bool,
    strike: bool,
    code: bool,
    colour: Option<&'static str>,
    half_points: Option<u32>,
}

impl Fmt {
    fn bold() -> Self {
        Fmt {
            bold: true,
            ..Fmt::default()
        }
    }

    fn rpr(&self) -> String {
        let mut p = String::new();
        if self.code {
            p.push_str("<w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/>");
        }
        if self.bold {
            p.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            p.push_str("<w:i/><w:iCs/>");
        }
        if self.strike {
            p.push_str("<w:strike/>");
        }
        if let Some(c) = self.colour {
            let _ = write!(p, "<w:color w:val=\"{c}\"/>");
        }
        if let Some(s) = self.half_points {
            let _ = write!(p, "<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>");
        }
        if p.is_empty() {
            p
        } else {
            format!("<w:rPr>{p}</w:rPr>")
        }
    }
}

/// A run of text; line breaks become `<w:br/>`, tabs `<w:tab/>`.
fn run(text: &str, fmt: Fmt) -> String {
    let mut r = format!("<w:r>{}", fmt.rpr());
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            r.push_str("<w:br/>");
        }
        first = false;
        for (i, piece) in line.split('\t').enumerate() {
            if i > 0 {
                r.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                let _ = write!(r, "<w:t xml:space=\"preserve\">{}</w:t>", esc(piece));
            }
        }
    }
    r.push_str("</w:r>");
    r
}

/// A paragraph of `style` (empty: Normal) with extra paragraph properties
/// (which must follow `w:pStyle` in schema order) and its runs.
fn para(style: &str, ppr: &str, runs: &str) -> String {
    let style = if style.is_empty() {
        String::new()
    } else {
        format!("<w:pStyle w:val=\"{style}\"/>")
    };
    if style.is_empty() && ppr.is_empty() {
        format!("<w:p>{runs}</w:p>")
    } else {
        format!("<w:p><w:pPr>{style}{ppr}</w:pPr>{runs}</w:p>")
    }
}

/// A complex field (`PAGE`, `NUMPAGES`, `PAGEREF …`) with a cached result.
fn field(instr: &str, cached: &str, fmt: Fmt) -> String {
    let rpr = fmt.rpr();
    format!(
        "<w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r>{rpr}<w:instrText xml:space=\"preserve\"> {} </w:instrText></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r>{rpr}<w:t>{}</w:t></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>",
        esc(instr),
        esc(cached)
    )
}

/// "Table N: caption" / "Figure N: caption" in Word's Caption style, the
/// number a `SEQ` field so Word's "Insert table of figures" lists it.
fn caption(label: &str, number: usize, text: &str) -> String {
    para(
        "Caption",
        "",
        &format!(
            "{}<w:fldSimple w:instr=\" SEQ {label} \\* ARABIC \">{}</w:fldSimple>{}",
            run(&format!("{label} "), Fmt::default()),
            run(&number.to_string(), Fmt::default()),
            run(&format!(": {text}"), Fmt::default())
        ),
    )
}

/// A shaded note ("Not available: …", "Data quality: …") with a bold label.
fn notice(label: &str, text: &str) -> String {
    para(
        "Notice",
        "",
        &format!(
            "{}{}",
            run(&format!("{label}: "), Fmt::bold()),
            run(text, Fmt::default())
        ),
    )
}

/// A shaded box with a rule on its left (the "Data quality" box): a table of
/// one cell, so that lists inside keep their indents and the box its edge.
fn boxed(out: &mut String, paragraphs: &str, description: &str, fill: &str, rule: &str) {
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>\
         <w:tblBorders><w:left w:val=\"single\" w:sz=\"36\" w:space=\"0\" w:color=\"{rule}\"/></w:tblBorders>\
         <w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\"/><w:tblLayout w:type=\"fixed\"/>\
         <w:tblCellMar><w:top w:w=\"113\" w:type=\"dxa\"/><w:left w:w=\"227\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"227\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
         <w:tblCaption w:val=\"{}\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{TEXT_WIDTH}\"/></w:tblGrid>\
         <w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>\
         <w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\"/></w:tcPr>{paragraphs}</w:tc></w:tr></w:tbl>",
        esc_attr(description)
    );
    // Keeps what follows off the box.
    out.push_str(&para("", "", ""));
}

/// The cover's details (author, approver, date…) as a table of two columns
/// without lines, terms in bold.
/// Missing details show as a prompt (a draft's only).
fn cover_details(out: &mut String, details: &[(&str, String)], missing: &[(&str, &str)]) {
    let term = 2_400;
    let value = TEXT_WIDTH - term;
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/>\
         <w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"113\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
         <w:tblCaption w:val=\"About this report\"/></w:tblPr>\
         <w:tblGrid><w:gridCol w:w=\"{term}\"/><w:gridCol w:w=\"{value}\"/></w:tblGrid>"
    );
    let prompts = missing.iter().map(|(t, key)| {
        (
            *t,
            format!("add {key} = \"\u{2026}\" under [report] in iro.toml"),
            "Placeholder",
        )
    });
    let rows = details
        .iter()
        .map(|(t, v)| (*t, v.clone(), ""))
        .chain(prompts);
    for (t, v, style) in rows {
        let _ = write!(
            out,
            "<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{term}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>\
             <w:tc><w:tcPr><w:tcW w:w=\"{value}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc></w:tr>",
            para("", "", &run(t, Fmt::bold())),
            para(style, "", &run(&v, Fmt::default()))
        );
    }
    out.push_str("</w:tbl>");
    out.push_str(&para("", "", ""));
}

fn page_break() -> String {
    "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>".to_string()
}

/// The bookmark name of a section's heading (letters, digits, underscores).
fn section_bookmark(s: &Section) -> String {
    let id: String =
        s.id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
    format!("_Toc_{id}")
}

fn section_heading_text(s: &Section) -> String {
    format!("{}. {}", s.number, s.title)
}

// ------------------------------------------------------------------ cover

fn cover(body: &mut String, report: &Report) {
    let view = cover_view(report);
    if view.draft {
        body.push_str(&para(
            "",
            "",
            &run(
                "DRAFT",
                Fmt {
                    bold: true,
                    colour: Some(NOT_MET),
                    half_points: Some(32),
                    ..Fmt::default()
                },
            ),
        ));
    }
    body.push_str(&para("Subtitle", "", &run(&report.la_name, Fmt::default())));
    body.push_str(&para(
        "Title",
        "",
        &run(
            report
                .title()
                .trim_end_matches(report.year_label.as_str())
                .trim_end(),
            Fmt::default(),
        ),
    ));
    body.push_str(&para(
        "Subtitle",
        "",
        &run(
            &format!("{}: {}", report.year_label, report.period_text),
            Fmt::default(),
        ),
    ));
    body.push_str(&para(
        "",
        "",
        &run(
            &report.kicker(),
            Fmt {
                colour: Some(MUTED),
                ..Fmt::default()
            },
        ),
    ));
    if !view.details.is_empty() || !view.missing.is_empty() {
        cover_details(body, &view.details, &view.missing);
    }
    if let Some(rule) = &view.rule {
        let label = if view.restricted {
            "Not for publication."
        } else {
            "Who may read it."
        };
        let inside = para(
            "",
            "",
            &format!(
                "{}{}",
                run(&format!("{label} "), Fmt::bold()),
                run(rule, Fmt::default())
            ),
        );
        let (fill, rule_colour) = if view.restricted {
            (NOTICE, NOT_MET)
        } else {
            (SHADE, RULE)
        };
        boxed(body, &inside, label, fill, rule_colour);
    }
    if !report.data_quality.is_empty() {
        let mut inside = para("NoticeHeading", "", &run("Data quality", Fmt::default()));
        inside.push_str(&para(
            "",
            "<w:keepNext/>",
            &run(
                "Some figures in this report are affected by problems in the data. Read this \
                 before using them.",
                Fmt::default(),
            ),
        ));
        for l in &report.data_quality {
            inside.push_str(&para(
                "ListParagraph",
                &format!("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{BULLETS}\"/></w:numPr>"),
                &run(l, Fmt::default()),
            ));
        }
        boxed(body, &inside, "Data quality", NOTICE, NOTICE_RULE);
    }
    body.push_str(&page_break());
}

/// "Contents" and the TOC field. Word fills it when the document opens
/// (`updateFields` in the settings, after asking). Until then its cached
/// result lists the sections as links, without page numbers: no other
/// reader updates a TOC field (LibreOffice shows the cached result as it
/// is), and a cached number would be a guess.
fn toc(body: &mut String, report: &Report) {
    body.push_str(&para("TOCHeading", "", &run("Contents", Fmt::default())));
    let begin = "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
                 <w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-3\" \\h \\z \\u </w:instrText></w:r>\
                 <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>";
    let end = "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";
    let mut entries: Vec<String> = report
        .sections
        .iter()
        .map(|s| {
            format!(
                "<w:hyperlink w:anchor=\"{}\" w:history=\"1\">{}</w:hyperlink>",
                section_bookmark(s),
                run(&section_heading_text(s), Fmt::default())
            )
        })
        .collect();
    if entries.is_empty() {
        entries.push(run(
            "Update this table (right-click, Update Field) to list the headings.",
            Fmt::default(),
        ));
    }
    let n = entries.len();
    for (i, entry) in entries.iter().enumerate() {
        let first = if i == 0 { begin } else { "" };
        let last = if i + 1 == n { end } else { "" };
        body.push_str(&para("TOC1", "", &format!("{first}{entry}{last}")));
    }
    body.push_str(&page_break());
}

// ------------------------------------------------------------------ the body

/// An image in the package: `word/<name>`, related as `rel_id`.
struct Media {
    rel_id: String,
    name: String,
    bytes: Vec<u8>,
}

/// What a renderer of the body collects: images, list numberings.
struct Doc<'a> {
    /// The narrative's images, by the path written in it.
    images: &'a narrative::Images,
    /// Figure number → its PNG, or why there is none.
    figure_png: Vec<(usize, Result<Vec<u8>, String>)>,
    media: Vec<Media>,
    narrative_images: usize,
    /// Start numbers of the ordered lists, numbering instances 2, 3, … in order.
    ordered_lists: Vec<(u64, usize)>,
}

impl<'a> Doc<'a> {
    fn new(images: &'a narrative::Images) -> Self {
        Doc {
            images,
            figure_png: Vec::new(),
            media: Vec::new(),
            narrative_images: 0,
            ordered_lists: Vec::new(),
        }
    }

    /// Draws every figure's PNG, in parallel.
    fn draw_figures(&mut self, report: &Report) {
        let figures: Vec<&Figure> = report.figures().collect();
        self.figure_png = figures
            .par_iter()
            .map(|f| {
                let png = match (&f.svg, &f.chart) {
                    (Err(e), _) => Err(e.clone()),
                    (Ok(_), Some(chart)) => {
                        let (w, h) = chart_png_size(chart);
                        iro_charts::png(chart, w, h).map_err(|e| e.to_string())
                    }
                    (Ok(_), None) => Err("the chart is not available to this document".into()),
                };
                (f.number, png)
            })
            .collect();
    }

    fn section(&mut self, out: &mut String, report: &Report, s: &Section) {
        let mark = section_bookmark(s);
        let _ = write!(
            out,
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>\
             <w:bookmarkStart w:id=\"{id}\" w:name=\"{mark}\"/>{}<w:bookmarkEnd w:id=\"{id}\"/></w:p>",
            run(&section_heading_text(s), Fmt::default()),
            id = s.number
        );
        for b in &s.blocks {
            match b {
                Block::Para(p) => out.push_str(&para("", "", &run(p, Fmt::default()))),
                Block::Heading(t) => out.push_str(&para("Heading2", "", &run(t, Fmt::default()))),
                Block::NotAvailable(why) => out.push_str(&notice("Not available", why)),
                Block::DataQuality(why) => out.push_str(&notice("Data quality", why)),
                Block::Table(t) => table(out, t),
                Block::Figure(f) => self.figure(out, report, f),
            }
        }
        // The service's words, between bookmarks (tests compare what lies outside).
        let id = NARRATIVE_BOOKMARK + s.number;
        let _ = write!(
            out,
            "<w:bookmarkStart w:id=\"{id}\" w:name=\"_Narrative_{}\"/>",
            s.number
        );
        match &s.narrative {
            Some(md) => {
                let mut w = NarrativeWriter::new(self);
                w.write(md);
                out.push_str(&w.out);
            }
            None if s.narrative_only && report.is_draft() => out.push_str(&para(
                "Placeholder",
                "",
                &run(
                    &format!(
                        "The service has not written this section yet: add its text under \
                         \u{201c}## {}\u{201d} in the narrative file {}.md.",
                        s.id, report.la_code
                    ),
                    Fmt::default(),
                ),
            )),
            None => {}
        }
        let _ = write!(out, "<w:bookmarkEnd w:id=\"{id}\"/>");
    }

    fn figure(&mut self, out: &mut String, report: &Report, f: &Figure) {
        out.push_str(&caption("Figure", f.number, &f.caption));
        let png = self
            .figure_png
            .iter()
            .find(|(n, _)| *n == f.number)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| Err("not drawn".into()));
        match png {
            Ok(bytes) => {
                let rel_id = format!("rIdFigure{}", f.number);
                let name = format!("media/figure-{}.png", f.number);
                let drawing = drawing(
                    &rel_id,
                    f.number,
                    &format!("Figure {}", f.number),
                    &f.alt,
                    {
                        let (w, h) = f.chart.as_deref().map_or(CHART_PNG_SIZE, chart_png_size);
                        image_extent(w, h)
                    },
                );
                self.media.push(Media {
                    rel_id,
                    name,
                    bytes,
                });
                out.push_str(&para("Figure", "", &drawing));
            }
            Err(e) => {
                out.push_str(&notice(
                    "Chart not drawn",
                    &format!(
                        "{e}. {} The numbers are on the sheet \u{201c}Figure {}\u{201d} of the \
                         workbook {}.xlsx.",
                        f.alt,
                        f.number,
                        report.file_stem()
                    ),
                ));
            }
        }
    }

    /// Embeds an image the narrative refers to (read beside the narrative
    /// file when the report was built); `Err`: why it is not.
    fn narrative_image(&mut self, target: &str, alt: &str) -> Result<String, String> {
        // The narrative's loader has warned about an image it could not read.
        let image = self.images.get(target).ok_or_else(String::new)?;
        let bytes = &image.bytes;
        let kind = ImageKind::of(bytes).ok_or_else(|| {
            format!(
                "{} is not a PNG, JPEG or GIF image, which a Word document needs",
                image.name
            )
        })?;
        let (w, h) = kind
            .size(bytes)
            .filter(|&(w, h)| w > 0 && h > 0)
            .ok_or_else(|| format!("cannot read the size of {}", image.name))?;
        self.narrative_images += 1;
        let n = self.narrative_images;
        let rel_id = format!("rIdImage{n}");
        let name = format!("media/image-{n}.{}", kind.extension());
        let drawing = drawing(
            &rel_id,
            NARRATIVE_IMAGE + n,
            &format!("Image {n}"),
            alt,
            image_extent(w, h),
        );
        self.media.push(Media {
            rel_id,
            name,
            bytes: bytes.clone(),
        });
        Ok(drawing)
    }
}

/// The size of an image in EMU: at 96 dots an inch, no wider than the text.
fn image_extent(w_px: u32, h_px: u32) -> (u64, u64) {
    let max = u64::from(TEXT_WIDTH) * EMU_PER_TWIP;
    let natural = u64::from(w_px) * 9_525;
    let cx = natural.min(max);
    let cy = cx * u64::from(h_px) / u64::from(w_px.max(1));
    (cx, cy)
}

/// An inline picture with its text alternative (`descr`, what Word shows as
/// "Alt Text" and screen readers read).
fn drawing(rel_id: &str, id: usize, name: &str, alt: &str, (cx, cy): (u64, u64)) -> String {
    let (name, alt) = (esc_attr(name), esc_attr(alt));
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/>\
         <wp:docPr id=\"{id}\" name=\"{name}\" descr=\"{alt}\"/>\
         <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
         <a:graphic><a:graphicData uri=\"{NS_PIC}\"><pic:pic>\
         <pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"{name}\" descr=\"{alt}\"/><pic:cNvPicPr/></pic:nvPicPr>\
         <pic:blipFill><a:blip r:embed=\"{rel_id}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
         <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm>\
         <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
         </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
}

/// Image formats Word shows, told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageKind {
    Png,
    Jpeg,
    Gif,
}

impl ImageKind {
    fn of(b: &[u8]) -> Option<Self> {
        if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else {
            None
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
            ImageKind::Gif => "gif",
        }
    }

    /// Width and height in pixels, from the header.
    fn size(self, b: &[u8]) -> Option<(u32, u32)> {
        let be32 = |i: usize| -> Option<u32> {
            Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
        };
        let be16 = |i: usize| -> Option<u32> {
            Some(u32::from(u16::from_be_bytes(
                b.get(i..i + 2)?.try_into().ok()?,
            )))
        };
        match self {
            ImageKind::Png => Some((be32(16)?, be32(20)?)),
            ImageKind::Gif => {
                let le16 = |i: usize| -> Option<u32> {
                    Some(u32::from(u16::from_le_bytes(
                        b.get(i..i + 2)?.try_into().ok()?,
                    )))
                };
                Some((le16(6)?, le16(8)?))
            }
            ImageKind::Jpeg => {
                // Walk the markers to a start-of-frame.
                let mut i = 2;
                while i + 4 <= b.len() {
                    if b[i] != 0xFF {
                        return None;
                    }
                    let marker = b[i + 1];
                    if marker == 0xFF {
                        i += 1;
                        continue;
                    }
                    let len = be16(i + 2)? as usize;
                    let sof =
                        matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                    if sof {
                        return Some((be16(i + 7)?, be16(i + 5)?));
                    }
                    i += 2 + len;
                }
                None
            }
        }
    }
}

// ------------------------------------------------------------------ tables

/// One cell of a grid: its runs, and what sizes and aligns it.
struct GridCell {
    runs: String,
    /// The text, for column widths.
    text: String,
    right: bool,
}

struct GridRow {
    cells: Vec<GridCell>,
    header: bool,
    total: bool,
}

/// Column widths (twips) summing to the text width: each column as wide as
/// its longest cell (headings by their longest word, as they wrap) when that
/// fits; otherwise every column keeps its minimum — numbers and words whole,
/// the first column at least 18 characters — and what is left goes to the
/// columns in proportion to what each lacks, so long labels wrap over a few
/// lines rather than one column taking it all.
fn column_widths(rows: &[GridRow]) -> Vec<u32> {
    let cols = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    if cols == 0 {
        return Vec::new();
    }
    // Widths in twips of text at the table's size, plus the cell's margins.
    let pad = 2 * CELL_MARGIN + 40;
    let width = |s: &str, bold: bool, most: usize| -> u32 {
        let head: String = s.chars().take(most).collect();
        text_width(&head, bold)
    };
    let longest_word = |s: &str, bold: bool| -> u32 {
        s.split_whitespace()
            .map(|w| text_width(w, bold))
            .max()
            .unwrap_or(0)
    };
    let mut ideal = vec![3 * TABLE_CHAR_WIDTH; cols];
    let mut min = vec![3 * TABLE_CHAR_WIDTH; cols];
    for r in rows {
        for (i, c) in r.cells.iter().enumerate() {
            let t = c.text.as_str();
            if r.header {
                let word = longest_word(t, true);
                // The first column's heading on one line if it can be.
                let most = if i == 0 { 40 } else { 14 };
                ideal[i] = ideal[i].max(word.max(width(t, true, most)));
                min[i] = min[i].max(word);
            } else {
                let bold = r.total;
                let cap = if i == 0 { 70 } else { 30 };
                ideal[i] = ideal[i].max(width(t, bold, cap));
                // Numbers and short words ("at least 90%", "Not met") whole.
                let keep = if c.right || (i > 0 && t.chars().count() <= 16) {
                    width(t, bold, usize::MAX)
                } else {
                    longest_word(t, bold).min(24 * TABLE_CHAR_WIDTH)
                };
                min[i] = min[i].max(keep);
            }
        }
    }
    if cols > 1 {
        min[0] = min[0].max(ideal[0].min(18 * TABLE_CHAR_WIDTH));
    }
    let ideal: Vec<u32> = ideal.iter().map(|&w| w + pad).collect();
    let min: Vec<u32> = min.iter().map(|&w| w + pad).collect();
    let (sum_ideal, sum_min): (u32, u32) = (ideal.iter().sum(), min.iter().sum());
    let widths: Vec<u32> = if sum_ideal <= TEXT_WIDTH {
        // Spread what is left over the columns, in proportion.
        let extra = TEXT_WIDTH - sum_ideal;
        ideal
            .iter()
            .map(|&w| w + (u64::from(extra) * u64::from(w) / u64::from(sum_ideal)) as u32)
            .collect()
    } else if sum_min <= TEXT_WIDTH {
        // Every column grows from its minimum towards its ideal, in
        // proportion to what it lacks.
        let spare = TEXT_WIDTH - sum_min;
        let lack: Vec<u32> = (0..cols).map(|i| ideal[i] - min[i]).collect();
        let total: u32 = lack.iter().sum();
        (0..cols)
            .map(|i| {
                min[i] + (u64::from(spare) * u64::from(lack[i]) / u64::from(total.max(1))) as u32
            })
            .collect()
    } else {
        min.iter()
            .map(|&m| (u64::from(TEXT_WIDTH) * u64::from(m) / u64::from(sum_min)) as u32)
            .collect()
    };
    // Rounding: the first column takes the difference.
    let mut widths = widths;
    let sum: u32 = widths.iter().sum();
    widths[0] = (widths[0] + TEXT_WIDTH).saturating_sub(sum);
    widths
}

/// The width of `s` in twips in the tables' Arial at 9.5 pt, from rough
/// glyph widths (em fractions); bold is a little wider.
fn text_width(s: &str, bold: bool) -> u32 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.28,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.34,
            'm' | 'w' | 'M' | 'W' | '%' | '@' | '\u{2014}' => 0.89,
            c if c.is_ascii_uppercase() => 0.70,
            _ => 0.56,
        })
        .sum();
    let em = if bold { em * 1.08 } else { em };
    (em * f64::from(TABLE_FONT_HALF_POINTS) * 10.0).ceil() as u32
}

/// A Word table: fixed column widths, the header rows repeated on every
/// page, no row split across pages.
/// `with_notes`: footnotes follow, kept with the table's last row.
fn grid(out: &mut String, rows: &[GridRow], description: &str, with_notes: bool) {
    let widths = column_widths(rows);
    if widths.is_empty() {
        return;
    }
    let border = |side: &str, sz: u32, colour: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"{sz}\" w:space=\"0\" w:color=\"{colour}\"/>")
    };
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"ReportTable\"/><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>\
         <w:tblBorders>{}{}{}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>\
         <w:tblCellMar><w:left w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/><w:right w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0420\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
         <w:tblCaption w:val=\"{}\"/></w:tblPr><w:tblGrid>",
        border("top", 8, TEXT),
        border("bottom", 8, TEXT),
        border("insideH", 4, LIGHT_RULE),
        esc_attr(description)
    );
    for w in &widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    // A short table stays on one page; a long one breaks between rows, its
    // header repeated.
    let keep_whole = rows.len() <= KEEP_WHOLE_ROWS;
    for (i_row, r) in rows.iter().enumerate() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if r.header {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        for (i, w) in widths.iter().enumerate() {
            let cell = r.cells.get(i);
            let mut tcpr = format!("<w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if r.header {
                let _ = write!(
                    tcpr,
                    "<w:tcBorders>{}</w:tcBorders><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{SHADE}\"/><w:vAlign w:val=\"bottom\"/>",
                    border("bottom", 12, TEXT)
                );
            } else if r.total {
                let _ = write!(
                    tcpr,
                    "<w:tcBorders>{}</w:tcBorders>",
                    border("top", 12, TEXT)
                );
            }
            let mut ppr = String::new();
            let last = i_row + 1 == rows.len();
            if r.header || (keep_whole && !last) || (last && with_notes) {
                ppr.push_str("<w:keepNext/>");
            }
            if cell.is_some_and(|c| c.right) {
                ppr.push_str("<w:jc w:val=\"right\"/>");
            }
            let runs = cell.map(|c| c.runs.as_str()).unwrap_or("");
            let _ = write!(
                out,
                "<w:tc><w:tcPr>{tcpr}</w:tcPr>{}</w:tc>",
                para("TableText", &ppr, runs)
            );
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// A table of the report: its caption above, the grid, the footnotes below.
fn table(out: &mut String, t: &Table) {
    out.push_str(&caption("Table", t.number, &t.caption));
    let numeric: Vec<bool> = (0..t.head.len().max(1))
        .map(|i| {
            i > 0
                && t.rows
                    .iter()
                    .any(|r| matches!(r.cells.get(i - 1), Some(Cell::Figure(_))))
        })
        .collect();
    let cols = t
        .rows
        .iter()
        .map(|r| r.cells.len() + 1)
        .chain([t.head.len()])
        .max()
        .unwrap_or(0);
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    rows.push(GridRow {
        cells: (0..cols)
            .map(|i| {
                let text = t.head.get(i).cloned().unwrap_or_default();
                GridCell {
                    runs: run(&text, Fmt::bold()),
                    text,
                    right: numeric.get(i).copied().unwrap_or(false),
                }
            })
            .collect(),
        header: true,
        total: false,
    });
    for r in &t.rows {
        let fmt = Fmt {
            bold: r.total,
            ..Fmt::default()
        };
        let mut cells = vec![GridCell {
            runs: run(&r.header, fmt),
            text: r.header.clone(),
            right: false,
        }];
        for c in &r.cells {
            let text = c.text().to_string();
            let cell = match c {
                Cell::Figure(_) => GridCell {
                    runs: run(&text, fmt),
                    text,
                    right: true,
                },
                Cell::Text(words) => {
                    let colour = if words.contains("Not met") {
                        Some(NOT_MET)
                    } else if words.contains("Met") {
                        Some(MET)
                    } else {
                        None
                    };
                    GridCell {
                        runs: run(
                            &text,
                            Fmt {
                                bold: fmt.bold || colour.is_some(),
                                colour,
                                ..fmt
                            },
                        ),
                        text,
                        right: false,
                    }
                }
            };
            cells.push(cell);
        }
        rows.push(GridRow {
            cells,
            header: false,
            total: r.total,
        });
    }
    let notes = crate::html::notes_for(t);
    grid(
        out,
        &rows,
        &format!("Table {}: {}", t.number, t.caption),
        !notes.is_empty(),
    );
    for (i, n) in notes.iter().enumerate() {
        let keep = if i + 1 < notes.len() {
            "<w:keepNext/>"
        } else {
            ""
        };
        out.push_str(&para("TableNote", keep, &run(n, Fmt::default())));
    }
    if notes.is_empty() {
        // Keeps the next block off the table (two tables would merge).
        out.push_str(&para("TableNote", "", ""));
    }
}

// ------------------------------------------------------------------ narrative

/// Where a list item's paragraph stands.
struct ListLevel {
    num_id: usize,
    /// The item's first paragraph carries the number; later ones are indented.
    numbered_next: bool,
}

/// A narrative table being read.
struct NarrTable {
    aligns: Vec<Alignment>,
    rows: Vec<GridRow>,
    row: Vec<GridCell>,
    head: bool,
}

/// Markdown → WordprocessingML: paragraphs, headings (from Heading 2, under
/// the section's Heading 1, never skipping a level), bold, italic, struck
/// and code runs, bullet and numbered lists, quotes, tables, images next to
/// the narrative file; links become their text, followed by the address
/// when it is a web or mail address; raw HTML is shown as text, comments
/// (the template's prompts) dropped.
struct NarrativeWriter<'d, 'a> {
    doc: &'d mut Doc<'a>,
    out: String,
    /// The open paragraph: style, properties, runs.
    para: Option<(String, String, String)>,
    bold: usize,
    italic: usize,
    strike: usize,
    quote: usize,
    lists: Vec<ListLevel>,
    last_heading: usize,
    heading: Option<usize>,
    /// Links open: their address and the text read so far.
    links: Vec<(String, String)>,
    /// An image being read: its address and its alternative text.
    image: Option<(String, String)>,
    code_block: Option<String>,
    html_block: Option<String>,
    table: Option<NarrTable>,
    cell: Option<(String, String)>,
}

/// The Word heading level of a narrative's top-level heading.
const NARRATIVE_TOP: usize = 2;

impl<'d, 'a> NarrativeWriter<'d, 'a> {
    fn new(doc: &'d mut Doc<'a>) -> Self {
        NarrativeWriter {
            doc,
            out: String::new(),
            para: None,
            bold: 0,
            italic: 0,
            strike: 0,
            quote: 0,
            lists: Vec::new(),
            last_heading: NARRATIVE_TOP - 1,
            heading: None,
            links: Vec::new(),
            image: None,
            code_block: None,
            html_block: None,
            table: None,
            cell: None,
        }
    }

    fn fmt(&self) -> Fmt {
        Fmt {
            bold: self.bold > 0,
            italic: self.italic > 0,
            strike: self.strike > 0,
            ..Fmt::default()
        }
    }

    fn close_para(&mut self) {
        if let Some((style, ppr, runs)) = self.para.take() {
            self.out.push_str(&para(&style, &ppr, &runs));
        }
    }

    /// Opens a paragraph in the current context unless one is open.
    fn open_para(&mut self) {
        if self.para.is_some() {
            return;
        }
        let (style, ppr) = if let Some(level) = self.heading {
            (format!("Heading{level}"), String::new())
        } else if let Some(depth) = self.lists.len().checked_sub(1) {
            let item = &mut self.lists[depth];
            let ppr = if item.numbered_next {
                item.numbered_next = false;
                format!(
                    "<w:numPr><w:ilvl w:val=\"{depth}\"/><w:numId w:val=\"{}\"/></w:numPr>",
                    item.num_id
                )
            } else {
                format!("<w:ind w:left=\"{}\"/>", 360 * (depth + 1) + 360)
            };
            ("ListParagraph".to_string(), ppr)
        } else if self.quote > 0 {
            ("Quote".to_string(), String::new())
        } else {
            (String::new(), String::new())
        };
        self.para = Some((style, ppr, String::new()));
    }

    /// Text read: to the image's alternative text, a table cell, or the
    /// paragraph; links collect it too.
    fn text(&mut self, text: &str, fmt: Fmt) {
        if let Some((_, alt)) = self.image.as_mut() {
            alt.push_str(text);
            return;
        }
        for (_, t) in &mut self.links {
            t.push_str(text);
        }
        let r = run(text, fmt);
        self.push_run(&r, text);
    }

    fn push_run(&mut self, r: &str, text: &str) {
        if let Some((runs, t)) = self.cell.as_mut() {
            runs.push_str(r);
            t.push_str(text);
            return;
        }
        self.open_para();
        if let Some((_, _, runs)) = self.para.as_mut() {
            runs.push_str(r);
        }
    }

    fn write(&mut self, md: &str) {
        for ev in Parser::new_ext(md, narrative::options()) {
            if let Some(buf) = self.html_block.as_mut() {
                match ev {
                    Event::Html(s) | Event::Text(s) => {
                        buf.push_str(&s);
                        continue;
                    }
                    Event::End(TagEnd::HtmlBlock) => {
                        let text = narrative::strip_comments(buf);
                        self.html_block = None;
                        let text = text.trim();
                        if !text.is_empty() {
                            self.close_para();
                            let f = self.fmt();
                            self.text(text, f);
                            self.close_para();
                        }
                        continue;
                    }
                    _ => continue,
                }
            }
            if let Some(buf) = self.code_block.as_mut() {
                match ev {
                    Event::Text(s) => {
                        buf.push_str(&s);
                        continue;
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        let code = self.code_block.take().unwrap_or_default();
                        let r = run(
                            code.trim_end_matches('\n'),
                            Fmt {
                                code: true,
                                ..Fmt::default()
                            },
                        );
                        self.out.push_str(&para("Code", "", &r));
                        continue;
                    }
                    _ => continue,
                }
            }
            self.event(ev);
        }
        self.close_para();
    }

    fn event(&mut self, ev: Event<'_>) {
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(s) => {
                let f = self.fmt();
                self.text(&s, f);
            }
            Event::Code(s) => {
                let f = Fmt {
                    code: true,
                    ..self.fmt()
                };
                self.text(&s, f);
            }
            Event::Html(s) | Event::InlineHtml(s) => {
                let t = narrative::strip_comments(&s);
                if !t.is_empty() {
                    let f = self.fmt();
                    self.text(&t, f);
                }
            }
            Event::SoftBreak => {
                let f = self.fmt();
                self.text(" ", f);
            }
            Event::HardBreak => {
                if self.image.is_none() {
                    self.push_run("<w:r><w:br/></w:r>", " ");
                }
            }
            Event::Rule => {
                self.close_para();
                self.out.push_str(&para(
                    "",
                    &format!(
                        "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"{RULE}\"/></w:pBdr>"
                    ),
                    "",
                ));
            }
            Event::TaskListMarker(done) => {
                let f = self.fmt();
                self.text(if done { "\u{2611} " } else { "\u{2610} " }, f);
            }
            Event::FootnoteReference(s) => {
                let f = self.fmt();
                self.text(&format!("[{s}]"), f);
            }
            Event::InlineMath(s) | Event::DisplayMath(s) => {
                let f = self.fmt();
                self.text(&s, f);
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                if self.cell.is_none() {
                    self.close_para();
                }
            }
            Tag::Heading { level, .. } => {
                self.close_para();
                let wanted = (level as usize + NARRATIVE_TOP - 1).max(NARRATIVE_TOP);
                let n = wanted.min(self.last_heading + 1).min(6);
                self.last_heading = n;
                self.heading = Some(n);
            }
            Tag::BlockQuote(_) => {
                self.close_para();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.close_para();
                self.code_block = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.html_block = Some(String::new());
            }
            Tag::List(start) => {
                self.close_para();
                let num_id = match start {
                    None => BULLETS,
                    Some(first) => {
                        let depth = self.lists.len();
                        self.doc.ordered_lists.push((first, depth));
                        BULLETS + self.doc.ordered_lists.len()
                    }
                };
                self.lists.push(ListLevel {
                    num_id,
                    numbered_next: false,
                });
            }
            Tag::Item => {
                self.close_para();
                if let Some(l) = self.lists.last_mut() {
                    l.numbered_next = true;
                }
            }
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { dest_url, .. } => self.links.push((dest_url.to_string(), String::new())),
            Tag::Image { dest_url, .. } => {
                if self.image.is_none() {
                    self.image = Some((dest_url.to_string(), String::new()));
                }
            }
            Tag::Table(aligns) => {
                self.close_para();
                self.table = Some(NarrTable {
                    aligns,
                    rows: Vec::new(),
                    row: Vec::new(),
                    head: false,
                });
            }
            Tag::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.head = true;
                    t.row.clear();
                }
            }
            Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.head = false;
                    t.row.clear();
                }
            }
            Tag::TableCell => self.cell = Some((String::new(), String::new())),
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                if self.cell.is_none() {
                    self.close_para();
                }
            }
            TagEnd::Heading(_) => {
                // A heading always has a paragraph, even when empty.
                self.open_para();
                self.close_para();
                self.heading = None;
            }
            TagEnd::BlockQuote(_) => {
                self.close_para();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::List(_) => {
                self.close_para();
                self.lists.pop();
            }
            TagEnd::Item => self.close_para(),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link => {
                if let Some((url, text)) = self.links.pop() {
                    let shown = url.strip_prefix("mailto:").unwrap_or(&url);
                    let absolute = url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("mailto:");
                    if absolute && narrative::safe_url(&url) && text.trim() != shown {
                        let f = self.fmt();
                        self.text(&format!(" ({shown})"), f);
                    }
                }
            }
            TagEnd::Image => {
                if let Some((target, alt)) = self.image.take() {
                    match self.doc.narrative_image(&target, alt.trim()) {
                        Ok(drawing) => self.push_run(&drawing, ""),
                        Err(why) => {
                            // As the HTML: the description in brackets.
                            let f = Fmt {
                                italic: true,
                                ..self.fmt()
                            };
                            let label = if alt.trim().is_empty() {
                                target.clone()
                            } else {
                                alt.trim().to_string()
                            };
                            let why = if why.is_empty() {
                                String::new()
                            } else {
                                format!(" ({why})")
                            };
                            self.text(&format!("[Image not shown: {label}{why}]"), f);
                        }
                    }
                }
            }
            TagEnd::TableCell => {
                if let (Some((runs, text)), Some(t)) = (self.cell.take(), self.table.as_mut()) {
                    let i = t.row.len();
                    let right = matches!(t.aligns.get(i), Some(Alignment::Right));
                    let runs = if t.head {
                        // Header cells bold, whatever their runs say.
                        runs.replace("<w:r>", "<w:r><w:rPr><w:b/><w:bCs/></w:rPr>")
                            .replace(
                                "<w:rPr><w:b/><w:bCs/></w:rPr><w:rPr>",
                                "<w:rPr><w:b/><w:bCs/>",
                            )
                    } else {
                        runs
                    };
                    t.row.push(GridCell { runs, text, right });
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    let cells = std::mem::take(&mut t.row);
                    t.rows.push(GridRow {
                        cells,
                        header: t.head,
                        total: false,
                    });
                    t.head = false;
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    grid(
                        &mut self.out,
                        &t.rows,
                        "Table from the service's narrative",
                        false,
                    );
                    self.out.push_str(&para("TableNote", "", ""));
                }
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {}
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => {}
        }
    }
}

// ------------------------------------------------------------------ parts

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

fn document_xml(body: &str, with_header: bool) -> String {
    let header = if with_header {
        "<w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>"
    } else {
        ""
    };
    format!(
        "{XML_HEAD}<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\" xmlns:wp=\"{NS_WP}\" \
         xmlns:a=\"{NS_A}\" xmlns:pic=\"{NS_PIC}\"><w:body>{body}\
         <w:sectPr>{header}<w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
         <w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
         <w:pgMar w:top=\"{MARGIN}\" w:right=\"{MARGIN}\" w:bottom=\"{MARGIN}\" w:left=\"{MARGIN}\" \
         w:header=\"{HEADER_FOOTER}\" w:footer=\"{HEADER_FOOTER}\" w:gutter=\"0\"/>\
         <w:cols w:space=\"708\"/></w:sectPr></w:body></w:document>"
    )
}

fn footer_xml(report: &Report) -> String {
    let small = Fmt {
        colour: Some(MUTED),
        ..Fmt::default()
    };
    let runs = format!(
        "{}<w:r><w:tab/></w:r>{}{}{}{}",
        run(&report.running_title(), small),
        run("Page ", small),
        field("PAGE", "1", small),
        run(" of ", small),
        field("NUMPAGES", "1", small)
    );
    format!(
        "{XML_HEAD}<w:ftr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">{}</w:ftr>",
        para(
            "Footer",
            &format!(
                "<w:tabs><w:tab w:val=\"clear\" w:pos=\"4513\"/><w:tab w:val=\"clear\" w:pos=\"9026\"/><w:tab w:val=\"right\" w:pos=\"{TEXT_WIDTH}\"/></w:tabs>"
            ),
            &runs
        )
    )
}

fn header_xml(markings: &[&str]) -> String {
    let runs = run(
        &markings.join(" \u{2014} "),
        Fmt {
            bold: true,
            colour: Some(NOT_MET),
            half_points: Some(20),
            ..Fmt::default()
        },
    );
    format!(
        "{XML_HEAD}<w:hdr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">{}</w:hdr>",
        para("Header", "<w:jc w:val=\"center\"/>", &runs)
    )
}

fn settings_xml() -> String {
    format!(
        "{XML_HEAD}<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:updateFields w:val=\"true\"/>\
         <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
         <w:themeFontLang w:val=\"en-GB\"/><w:decimalSymbol w:val=\".\"/><w:listSeparator w:val=\",\"/>\
         </w:settings>"
    )
}

/// A paragraph style.
fn pstyle(id: &str, name: &str, based_on: &str, extra: &str, ppr: &str, rpr: &str) -> String {
    let based = if based_on.is_empty() {
        String::new()
    } else {
        format!("<w:basedOn w:val=\"{based_on}\"/>")
    };
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}{extra}\
         <w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

fn styles_xml() -> String {
    let mut s = format!(
        "{XML_HEAD}<w:styles xmlns:w=\"{NS_W}\"><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:eastAsia=\"Arial\" w:cs=\"Arial\"/>\
         <w:color w:val=\"{TEXT}\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>\
         <w:lang w:val=\"en-GB\" w:eastAsia=\"en-GB\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
         </w:docDefaults>"
    );
    let q = "<w:uiPriority w:val=\"9\"/><w:qFormat/>";
    s.push_str(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>",
    );
    s.push_str(&pstyle(
        "Title",
        "Title",
        "Normal",
        "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"10\"/><w:qFormat/>",
        "<w:spacing w:before=\"240\" w:after=\"240\" w:line=\"240\" w:lineRule=\"auto\"/>",
        "<w:b/><w:bCs/><w:sz w:val=\"52\"/><w:szCs w:val=\"52\"/>",
    ));
    s.push_str(&pstyle(
        "Subtitle",
        "Subtitle",
        "Normal",
        "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"11\"/><w:qFormat/>",
        "<w:spacing w:after=\"160\"/>",
        "<w:sz w:val=\"30\"/><w:szCs w:val=\"30\"/>",
    ));
    // Built-in headings: the ids Word's navigation pane and templates know.
    for (level, size, before) in [
        (1, 34, 480),
        (2, 28, 320),
        (3, 24, 240),
        (4, 22, 200),
        (5, 22, 200),
        (6, 22, 200),
    ] {
        let italic = if level >= 4 { "<w:i/><w:iCs/>" } else { "" };
        s.push_str(&pstyle(
            &format!("Heading{level}"),
            &format!("heading {level}"),
            "Normal",
            &format!("<w:next w:val=\"Normal\"/>{q}"),
            &format!(
                "<w:keepNext/><w:keepLines/><w:spacing w:before=\"{before}\" w:after=\"120\"/><w:outlineLvl w:val=\"{}\"/>",
                level - 1
            ),
            &format!("<w:b/><w:bCs/>{italic}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>"),
        ));
    }
    s.push_str(&pstyle(
        "Caption",
        "caption",
        "Normal",
        &format!(
            "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"35\"/><w:unhideWhenUsed/>{}",
            "<w:qFormat/>"
        ),
        "<w:keepNext/><w:keepLines/><w:spacing w:before=\"240\" w:after=\"80\"/>",
        "<w:b/><w:bCs/><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>",
    ));
    s.push_str(&pstyle(
        "TableText",
        "Table text",
        "Normal",
        "<w:qFormat/>",
        "<w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!(
            "<w:sz w:val=\"{TABLE_FONT_HALF_POINTS}\"/><w:szCs w:val=\"{TABLE_FONT_HALF_POINTS}\"/>"
        ),
    ));
    s.push_str(&pstyle(
        "TableNote",
        "Table note",
        "Normal",
        "<w:qFormat/>",
        "<w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!("<w:color w:val=\"{MUTED}\"/><w:sz w:val=\"17\"/><w:szCs w:val=\"17\"/>"),
    ));
    s.push_str(&pstyle(
        "Figure",
        "Figure",
        "Normal",
        "<w:qFormat/>",
        "<w:spacing w:after=\"240\"/><w:jc w:val=\"center\"/>",
        "",
    ));
    s.push_str(&pstyle(
        "Notice",
        "Notice",
        "Normal",
        "<w:qFormat/>",
        &format!(
            "<w:pBdr><w:left w:val=\"single\" w:sz=\"36\" w:space=\"8\" w:color=\"{NOTICE_RULE}\"/></w:pBdr>\
             <w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{NOTICE}\"/>\
             <w:spacing w:before=\"60\" w:after=\"60\"/><w:ind w:left=\"227\" w:right=\"113\"/>"
        ),
        "",
    ));
    s.push_str(&pstyle(
        "NoticeHeading",
        "Notice heading",
        "Normal",
        "<w:next w:val=\"Normal\"/><w:qFormat/>",
        "<w:keepNext/><w:spacing w:before=\"0\" w:after=\"80\"/>",
        "<w:b/><w:bCs/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/>",
    ));
    s.push_str(&pstyle(
        "Placeholder",
        "Placeholder",
        "Normal",
        "",
        &format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{SHADE}\"/>"),
        &format!("<w:i/><w:iCs/><w:color w:val=\"{MUTED}\"/>"),
    ));
    s.push_str(&pstyle(
        "Quote",
        "Quote",
        "Normal",
        "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"29\"/><w:qFormat/>",
        &format!(
            "<w:pBdr><w:left w:val=\"single\" w:sz=\"18\" w:space=\"8\" w:color=\"{RULE}\"/></w:pBdr><w:ind w:left=\"397\" w:right=\"397\"/>"
        ),
        &format!("<w:i/><w:iCs/><w:color w:val=\"{MUTED}\"/>"),
    ));
    s.push_str(&pstyle(
        "ListParagraph",
        "List Paragraph",
        "Normal",
        "<w:uiPriority w:val=\"34\"/><w:qFormat/>",
        "<w:spacing w:after=\"60\"/><w:ind w:left=\"720\"/>",
        "",
    ));
    s.push_str(&pstyle(
        "Code",
        "Code",
        "Normal",
        "",
        &format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{SHADE}\"/><w:spacing w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>"),
        "<w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/><w:sz w:val=\"19\"/><w:szCs w:val=\"19\"/>",
    ));
    s.push_str(&pstyle(
        "TOCHeading",
        "TOC Heading",
        "Heading1",
        "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"39\"/><w:unhideWhenUsed/><w:qFormat/>",
        "<w:spacing w:before=\"0\"/><w:outlineLvl w:val=\"9\"/>",
        "",
    ));
    for level in 1..=3u32 {
        s.push_str(&pstyle(
            &format!("TOC{level}"),
            &format!("toc {level}"),
            "Normal",
            "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"39\"/><w:unhideWhenUsed/>",
            &format!(
                "<w:tabs><w:tab w:val=\"right\" w:leader=\"dot\" w:pos=\"{TEXT_WIDTH}\"/></w:tabs><w:spacing w:after=\"80\"/><w:ind w:left=\"{}\"/>",
                (level - 1) * 220
            ),
            "",
        ));
    }
    for (id, name) in [("Header", "header"), ("Footer", "footer")] {
        s.push_str(&pstyle(
            id,
            name,
            "Normal",
            "<w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/>",
            "<w:spacing w:after=\"0\"/>",
            "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>",
        ));
    }
    let _ = write!(
        s,
        "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
         <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         <w:style w:type=\"table\" w:styleId=\"ReportTable\"><w:name w:val=\"Report table\"/><w:basedOn w:val=\"TableNormal\"/>\
         <w:uiPriority w:val=\"59\"/><w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:tblPr><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"{TEXT}\"/>\
         <w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"{TEXT}\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"{LIGHT_RULE}\"/></w:tblBorders>\
         <w:tblCellMar><w:left w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/><w:right w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>\
         <w:tblStylePr w:type=\"firstRow\"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr>\
         <w:tcBorders><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"0\" w:color=\"{TEXT}\"/></w:tcBorders>\
         <w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{SHADE}\"/></w:tcPr></w:tblStylePr></w:style>"
    );
    s.push_str("</w:styles>");
    s
}

/// Bullets (instance 1) and one numbering instance per ordered list, so
/// each starts from its own first number.
fn numbering_xml(ordered: &[(u64, usize)]) -> String {
    let mut s = format!("{XML_HEAD}<w:numbering xmlns:w=\"{NS_W}\">");
    let level = |i: usize, fmt: &str, text: &str| {
        let indent = 360 * (i + 1) + 360;
        format!(
            "<w:lvl w:ilvl=\"{i}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/>\
             <w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"{indent}\" w:hanging=\"360\"/></w:pPr></w:lvl>"
        )
    };
    s.push_str(
        "<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"hybridMultilevel\"/>",
    );
    for i in 0..9 {
        let bullet = ["\u{2022}", "\u{25e6}", "\u{25aa}"][i % 3];
        s.push_str(&level(i, "bullet", bullet));
    }
    s.push_str("</w:abstractNum><w:abstractNum w:abstractNumId=\"1\"><w:multiLevelType w:val=\"hybridMultilevel\"/>");
    for i in 0..9 {
        let fmt = ["decimal", "lowerLetter", "lowerRoman"][i % 3];
        s.push_str(&level(i, fmt, &format!("%{}.", i + 1)));
    }
    s.push_str("</w:abstractNum>");
    let _ = write!(
        s,
        "<w:num w:numId=\"{BULLETS}\"><w:abstractNumId w:val=\"0\"/></w:num>"
    );
    for (i, (start, depth)) in ordered.iter().enumerate() {
        let _ = write!(
            s,
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"1\"/><w:lvlOverride w:ilvl=\"{depth}\">\
             <w:startOverride w:val=\"{start}\"/></w:lvlOverride></w:num>",
            BULLETS + 1 + i
        );
    }
    s.push_str("</w:numbering>");
    s
}

fn core_xml(report: &Report) -> String {
    format!(
        "{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>IRO Analytics</dc:creator>\
         <dc:language>en-GB</dc:language></cp:coreProperties>",
        esc(&format!("{}: {}", report.title(), report.la_name)),
        esc(&report.period_text)
    )
}

fn app_xml() -> String {
    format!(
        "{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>IRO Analytics {}</Application></Properties>",
        env!("CARGO_PKG_VERSION")
    )
}

fn content_types_xml(has_header: bool) -> String {
    let ct = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let header = if has_header {
        format!("<Override PartName=\"/word/header1.xml\" ContentType=\"{ct}.header+xml\"/>")
    } else {
        String::new()
    };
    format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Default Extension=\"png\" ContentType=\"image/png\"/>\
         <Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
         <Default Extension=\"gif\" ContentType=\"image/gif\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{ct}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{ct}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{ct}.settings+xml\"/>\
         <Override PartName=\"/word/numbering.xml\" ContentType=\"{ct}.numbering+xml\"/>\
         <Override PartName=\"/word/footer1.xml\" ContentType=\"{ct}.footer+xml\"/>{header}\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>"
    )
}

fn rels_xml(rels: &[(String, String, String)]) -> String {
    let mut s = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for (id, kind, target) in rels {
        let _ = write!(
            s,
            "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{}\"/>",
            esc_attr(target)
        );
    }
    s.push_str("</Relationships>");
    s
}

/// Zips the parts: fixed timestamps and order, so the same report gives the
/// same bytes. Images are stored (PNG is compressed already).
fn package(
    report: &Report,
    doc: &Doc<'_>,
    document: &str,
    markings: &[&str],
) -> Result<Vec<u8>, DocxError> {
    use zip::write::SimpleFileOptions;
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    let package_rels = rels_xml(&[
        (
            "rId1".into(),
            format!("{REL_BASE}/officeDocument"),
            "word/document.xml".into(),
        ),
        (
            "rId2".into(),
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
                .into(),
            "docProps/core.xml".into(),
        ),
        (
            "rId3".into(),
            format!("{REL_BASE}/extended-properties"),
            "docProps/app.xml".into(),
        ),
    ]);
    let mut doc_rels: Vec<(String, String, String)> = vec![
        (
            "rIdStyles".into(),
            format!("{REL_BASE}/styles"),
            "styles.xml".into(),
        ),
        (
            "rIdSettings".into(),
            format!("{REL_BASE}/settings"),
            "settings.xml".into(),
        ),
        (
            "rIdNumbering".into(),
            format!("{REL_BASE}/numbering"),
            "numbering.xml".into(),
        ),
        (
            "rIdFooter".into(),
            format!("{REL_BASE}/footer"),
            "footer1.xml".into(),
        ),
    ];
    if !markings.is_empty() {
        doc_rels.push((
            "rIdHeader".into(),
            format!("{REL_BASE}/header"),
            "header1.xml".into(),
        ));
    }
    for m in &doc.media {
        doc_rels.push((
            m.rel_id.clone(),
            format!("{REL_BASE}/image"),
            m.name.clone(),
        ));
    }
    let mut parts: Vec<(String, Vec<u8>, bool)> = vec![
        (
            "[Content_Types].xml".into(),
            content_types_xml(!markings.is_empty()).into_bytes(),
            true,
        ),
        ("_rels/.rels".into(), package_rels.into_bytes(), true),
        (
            "docProps/core.xml".into(),
            core_xml(report).into_bytes(),
            true,
        ),
        ("docProps/app.xml".into(), app_xml().into_bytes(), true),
        (
            "word/document.xml".into(),
            document.as_bytes().to_vec(),
            true,
        ),
        (
            "word/_rels/document.xml.rels".into(),
            rels_xml(&doc_rels).into_bytes(),
            true,
        ),
        ("word/styles.xml".into(), styles_xml().into_bytes(), true),
        (
            "word/settings.xml".into(),
            settings_xml().into_bytes(),
            true,
        ),
        (
            "word/numbering.xml".into(),
            numbering_xml(&doc.ordered_lists).into_bytes(),
            true,
        ),
        (
            "word/footer1.xml".into(),
            footer_xml(report).into_bytes(),
            true,
        ),
    ];
    if !markings.is_empty() {
        parts.push((
            "word/header1.xml".into(),
            header_xml(markings).into_bytes(),
            true,
        ));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, compress) in &parts {
        zip.start_file(name.as_str(), if *compress { deflated } else { stored })?;
        zip.write_all(bytes)?;
    }
    for m in &doc.media {
        zip.start_file(format!("word/{}", m.name), stored)?;
        zip.write_all(&m.bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Shown;
    use crate::model::{Section, TableRow};
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    fn names(bytes: &[u8]) -> Vec<String> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
            .collect()
    }

    fn chart() -> iro_charts::Chart {
        use iro_charts::{BarChart, Chart, ChartMeta, Series};
        Chart::Bars(BarChart {
            meta: ChartMeta::new("Reviews on time").axes("Quarter", "Reviews on time"),
            categories: vec!["Q1".into(), "Q2".into()],
            series: vec![Series {
                name: "Reviews on time".into(),
                values: vec![iro_charts::Cell::Value(92.0), iro_charts::Cell::Suppressed],
            }],
            target: None,
            percent: true,
            decimals: 0,
        })
    }

    fn report(narrative: Option<&str>) -> Report {
        let table = Table {
            number: 1,
            caption: "Children in care & leaving <care>".into(),
            head: vec![
                "Measure".into(),
                "2023-24".into(),
                "2024-25".into(),
                "Target".into(),
            ],
            rows: vec![
                TableRow::new(
                    "Looked after \"at\" 31 March",
                    vec![
                        Shown::Value("1,234".into()).into(),
                        Shown::Suppressed.into(),
                        Cell::Text("Met".into()),
                    ],
                ),
                TableRow::new(
                    "Placed over 20 miles",
                    vec![
                        Shown::Missing.into(),
                        Shown::Value("12".into()).into(),
                        Cell::Text("Not met".into()),
                    ],
                ),
                TableRow::new(
                    "Total",
                    vec![
                        Shown::Value("2,000".into()).into(),
                        Shown::Value("87.5%".into()).into(),
                        Cell::Text(String::new()),
                    ],
                )
                .total(),
            ],
            notes: vec!["A note & more.".into()],
        };
        let figure = Figure {
            number: 1,
            slug: "reviews".into(),
            caption: "Reviews on time".into(),
            alt: "Bars: 80% \"on time\" & <rising>.".into(),
            svg: Ok("<svg/>".into()),
            data: iro_charts::DataTable::default(),
            chart: Some(Box::new(chart())),
        };
        let undrawn = Figure {
            number: 2,
            slug: "none".into(),
            caption: "Not drawn".into(),
            alt: "Nothing.".into(),
            svg: Err("nothing to draw".into()),
            data: iro_charts::DataTable::default(),
            chart: None,
        };
        Report {
            kind: crate::model::DocumentKind::AnnualReport,
            la_code: "800".into(),
            la_name: "Bath & North East Somerset".into(),
            region: "South West".into(),
            year: 2025,
            year_label: "2024-25".into(),
            period_text: "1 April 2024 to 31 March 2025".into(),
            disclosure: iro_results::Disclosure {
                audience: iro_results::Audience::Public,
                threshold: 7,
            },
            settings: Default::default(),
            images: Default::default(),
            data_quality: vec!["12 episodes <excluded>.".into()],
            sections: vec![
                Section {
                    id: "children-in-care",
                    number: 1,
                    title: "Children in care",
                    blocks: vec![
                        Block::Para("Words & <more>.".into()),
                        Block::Heading("Leaving care".into()),
                        Block::Table(table),
                        Block::Figure(figure),
                        Block::NotAvailable("no data".into()),
                    ],
                    narrative: narrative.map(String::from),
                    narrative_only: false,
                },
                Section {
                    id: "summary",
                    number: 2,
                    title: "Summary",
                    blocks: vec![Block::Figure(undrawn), Block::DataQuality("check".into())],
                    narrative: None,
                    narrative_only: true,
                },
            ],
        }
    }

    const W: &str = NS_W;

    fn w<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> bool {
        n.is_element() && n.tag_name().namespace() == Some(W) && n.tag_name().name() == name
    }

    /// A table of figures (not the data-quality box).
    fn report_table(n: roxmltree::Node<'_, '_>) -> bool {
        w(n, "tbl")
            && n.descendants()
                .any(|s| w(s, "tblStyle") && s.attribute((W, "val")) == Some("ReportTable"))
    }

    fn style_of(p: roxmltree::Node<'_, '_>) -> Option<String> {
        p.children()
            .find(|c| w(*c, "pPr"))?
            .children()
            .find(|c| w(*c, "pStyle"))?
            .attribute((W, "val"))
            .map(String::from)
    }

    fn text_of(n: roxmltree::Node<'_, '_>) -> String {
        n.descendants()
            .filter(|d| w(*d, "t"))
            .filter_map(|d| d.text())
            .collect()
    }

    #[test]
    fn headings_tables_figures_and_fields_are_real_word_structure() {
        let bytes = render(&report(Some(
            "Our **own** words.\n\n# Sub\n\n- one\n- two\n",
        )))
        .unwrap();
        let xml = part(&bytes, "word/document.xml");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let headings: Vec<(String, String)> = doc
            .descendants()
            .filter(|n| w(*n, "p"))
            .filter_map(|p| {
                let s = style_of(p)?;
                s.starts_with("Heading").then(|| (s, text_of(p)))
            })
            .collect();
        assert_eq!(
            headings,
            [
                ("Heading1", "1. Children in care"),
                ("Heading2", "Leaving care"),
                ("Heading2", "Sub"),
                ("Heading1", "2. Summary"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // The table: a repeating header row, four rows, numbers right, the
        // total bold, `c` and `x` as text; its caption above and notes below.
        let tables: Vec<_> = doc.descendants().filter(|n| report_table(*n)).collect();
        assert_eq!(tables.len(), 1);
        let rows: Vec<_> = tables[0].children().filter(|n| w(*n, "tr")).collect();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].descendants().any(|n| w(n, "tblHeader")));
        assert!(!rows[1].descendants().any(|n| w(n, "tblHeader")));
        let cells: Vec<String> = rows[1]
            .children()
            .filter(|n| w(*n, "tc"))
            .map(text_of)
            .collect();
        assert_eq!(cells, ["Looked after \"at\" 31 March", "1,234", "c", "Met"]);
        let cells: Vec<String> = rows[2]
            .children()
            .filter(|n| w(*n, "tc"))
            .map(text_of)
            .collect();
        assert_eq!(cells[1], "x");
        let number_cell = rows[1].children().filter(|n| w(*n, "tc")).nth(1).unwrap();
        assert!(
            number_cell
                .descendants()
                .any(|n| w(n, "jc") && n.attribute((W, "val")) == Some("right"))
        );
        assert!(
            rows[3]
                .descendants()
                .filter(|n| w(*n, "r"))
                .all(|r| r.descendants().any(|n| w(n, "b")))
        );
        let before = tables[0].prev_sibling_element().unwrap();
        assert_eq!(style_of(before).as_deref(), Some("Caption"));
        assert_eq!(
            text_of(before),
            "Table 1: Children in care & leaving <care>"
        );
        let after = tables[0].next_sibling_element().unwrap();
        assert_eq!(style_of(after).as_deref(), Some("TableNote"));
        assert_eq!(text_of(after), "A note & more.");
        let notes: Vec<String> = doc
            .descendants()
            .filter(|p| w(*p, "p") && style_of(*p).as_deref() == Some("TableNote"))
            .map(text_of)
            .collect();
        assert!(
            notes.iter().any(|n| n.starts_with("c: not shown")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.starts_with("x: not available")),
            "{notes:?}"
        );
        // The data-quality box: its lines as a list inside a shaded cell.
        let quality = doc
            .descendants()
            .find(|n| w(*n, "tbl") && text_of(*n).starts_with("Data quality"))
            .unwrap();
        assert!(!report_table(quality));
        assert!(text_of(quality).ends_with("12 episodes <excluded>."));
        // The figure: an image related to a PNG, with its alt text.
        let pics: Vec<_> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "docPr")
            .collect();
        assert_eq!(pics.len(), 1);
        assert_eq!(
            pics[0].attribute("descr"),
            Some("Bars: 80% \"on time\" & <rising>.")
        );
        let blip = doc
            .descendants()
            .find(|n| n.tag_name().name() == "blip")
            .unwrap();
        let rel = blip.attribute((NS_R, "embed")).unwrap();
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        let rels = roxmltree::Document::parse(&rels).unwrap();
        let target = rels
            .descendants()
            .find(|n| n.attribute("Id") == Some(rel))
            .and_then(|n| n.attribute("Target"))
            .unwrap();
        assert!(
            names(&bytes).contains(&format!("word/{target}")),
            "{target}"
        );
        // The undrawn figure says so, and where its numbers are.
        assert!(xml.contains("Chart not drawn: "), "{xml}");
        assert!(xml.contains("Figure 2"));
        // The TOC field and the footer's page fields.
        let instr: String = doc
            .descendants()
            .filter(|n| w(*n, "instrText"))
            .filter_map(|n| n.text())
            .collect();
        assert!(instr.contains("TOC \\o \"1-3\" \\h \\z \\u"), "{instr}");
        assert!(part(&bytes, "word/settings.xml").contains("<w:updateFields w:val=\"true\"/>"));
        let footer = part(&bytes, "word/footer1.xml");
        assert!(
            footer.contains("> PAGE <") && footer.contains("> NUMPAGES <"),
            "{footer}"
        );
        // The narrative list is a Word list.
        assert!(xml.contains(&format!("<w:numId w:val=\"{BULLETS}\"/>")));
        // Bold from Markdown is a bold run.
        assert!(
            xml.contains(
                "<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space=\"preserve\">own</w:t></w:r>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn every_part_parses_and_every_relationship_has_its_target() {
        let bytes = render(&report(None)).unwrap();
        let all = names(&bytes);
        for name in &all {
            if name.ends_with(".xml") || name.ends_with(".rels") {
                let text = part(&bytes, name);
                roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        let types = part(&bytes, "[Content_Types].xml");
        for (rels, base) in [
            ("_rels/.rels", ""),
            ("word/_rels/document.xml.rels", "word/"),
        ] {
            let text = part(&bytes, rels);
            let doc = roxmltree::Document::parse(&text).unwrap();
            for r in doc.descendants().filter(|n| n.has_tag_name("Relationship")) {
                let target = format!("{base}{}", r.attribute("Target").unwrap());
                assert!(all.contains(&target), "{rels}: {target} is missing");
                let ext = target.rsplit('.').next().unwrap();
                let covered = types.contains(&format!("Extension=\"{ext}\""))
                    || types.contains(&format!("PartName=\"/{target}\""));
                assert!(covered, "{target} has no content type");
            }
        }
        // Every r:id the document uses is a relationship.
        let xml = part(&bytes, "word/document.xml");
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        for piece in xml
            .split("r:embed=\"")
            .skip(1)
            .chain(xml.split("r:id=\"").skip(1))
        {
            let id = &piece[..piece.find('"').unwrap()];
            assert!(rels.contains(&format!("Id=\"{id}\"")), "{id}");
        }
    }

    #[test]
    fn a_draft_says_so_on_every_page_and_a_final_does_not() {
        let mut r = report(None);
        r.settings.author = Some("A. Manager & Co".into());
        let draft = render(&r).unwrap();
        let header = part(&draft, "word/header1.xml");
        assert!(header.contains(">DRAFT<"), "{header}");
        let xml = part(&draft, "word/document.xml");
        assert!(xml.contains("<w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>"));
        assert!(xml.contains("A. Manager &amp; Co"));
        // The cover prompts for what a published report carries.
        assert!(
            xml.contains("add approver = \"\u{2026}\" under [report] in iro.toml"),
            "{xml}"
        );
        // And for the service's words where a section has none.
        assert!(xml.contains("The service has not written this section yet"));

        r.settings.status = iro_results::ReportStatus::Final;
        let fin = render(&r).unwrap();
        assert!(!names(&fin).contains(&"word/header1.xml".to_string()));
        let xml = part(&fin, "word/document.xml");
        assert!(!xml.contains("headerReference") && !xml.contains(">DRAFT<"));
        assert!(!xml.contains("add approver") && !xml.contains("has not written"));

        // Internal: not for publication on every page, draft or final.
        r.disclosure.audience = iro_results::Audience::Internal;
        let header = part(&render(&r).unwrap(), "word/header1.xml");
        assert!(header.contains(">NOT FOR PUBLICATION<"), "{header}");
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        let r = report(Some("Text.\n\n1. a\n2. b\n"));
        assert_eq!(render(&r).unwrap(), render(&r).unwrap());
    }

    #[test]
    fn text_is_escaped_everywhere() {
        assert_eq!(esc("a & <b> \"c\""), "a &amp; &lt;b&gt; \"c\"");
        assert_eq!(
            esc_attr("a & <b> \"c\"\nd\u{1}"),
            "a &amp; &lt;b&gt; &quot;c&quot;&#10;d"
        );
        let mut r = report(Some(
            "<script>alert(\"x\")</script> <!-- prompt -->\n\nA & [link](javascript:x) <!-- prompt -->",
        ));
        r.la_name = "A & B <Council> \"x\"".into();
        let bytes = render(&r).unwrap();
        for name in ["word/document.xml", "word/footer1.xml", "docProps/core.xml"] {
            let text = part(&bytes, name);
            let doc = roxmltree::Document::parse(&text).unwrap();
            let all: String = doc.descendants().filter_map(|n| n.text()).collect();
            assert!(all.contains("A & B <Council> \"x\""), "{name}: {all}");
        }
        let xml = part(&bytes, "word/document.xml");
        assert!(
            xml.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;"),
            "{xml}"
        );
        assert!(!xml.contains("prompt"));
        assert!(!xml.contains("javascript"));
    }

    #[test]
    fn narrative_images_are_embedded_with_their_description() {
        use crate::narrative::Image;
        let png = iro_charts::png(&chart(), 300, 200).unwrap();
        let md = "Our team:\n\n![The IRO team: a manager and six IROs](org%20chart.png)\n\n\
                  ![missing](nowhere.png) ![a drawing](drawing.svg)\n";
        let mut r = report(Some(md));
        r.images.insert(
            "org%20chart.png".into(),
            Image {
                name: "org chart.png".into(),
                mime: "image/png",
                bytes: png,
            },
        );
        r.images.insert(
            "drawing.svg".into(),
            Image {
                name: "drawing.svg".into(),
                mime: "image/svg+xml",
                bytes: b"<svg/>".to_vec(),
            },
        );
        let bytes = render(&r).unwrap();
        let xml = part(&bytes, "word/document.xml");
        assert!(
            xml.contains("descr=\"The IRO team: a manager and six IROs\""),
            "{xml}"
        );
        assert!(names(&bytes).contains(&"word/media/image-1.png".to_string()));
        assert!(xml.contains("[Image not shown: missing]"), "{xml}");
        assert!(
            xml.contains("[Image not shown: a drawing (drawing.svg is not a PNG, JPEG or GIF"),
            "{xml}"
        );
        // 300 px at 96 dpi.
        assert!(xml.contains(&format!("cx=\"{}\"", 300 * 9_525)), "{xml}");
    }

    #[test]
    fn narrative_markdown_becomes_word_paragraphs() {
        let md = "Para with *italic* and `code` and [a link](https://example.org).\n\n\
                  > Quoted.\n\n3. three\n4. four\n\n| Area | Count |\n|---|---:|\n| North | 12 |\n\n---\n\n#### Deep\n";
        let bytes = render(&report(Some(md))).unwrap();
        let xml = part(&bytes, "word/document.xml");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert!(xml.contains("<w:i/><w:iCs/></w:rPr><w:t xml:space=\"preserve\">italic</w:t>"));
        assert!(
            xml.contains(
                "a link</w:t></w:r><w:r><w:t xml:space=\"preserve\"> (https://example.org)"
            ),
            "{xml}"
        );
        assert!(
            doc.descendants()
                .any(|p| w(p, "p") && style_of(p).as_deref() == Some("Quote"))
        );
        // The ordered list starts at 3.
        let numbering = part(&bytes, "word/numbering.xml");
        assert!(
            numbering.contains("<w:startOverride w:val=\"3\"/>"),
            "{numbering}"
        );
        // The narrative table is a Word table, with its number right-aligned.
        let tables: Vec<_> = doc.descendants().filter(|n| report_table(*n)).collect();
        assert_eq!(tables.len(), 2);
        assert_eq!(text_of(tables[1]), "AreaCountNorth12");
        // `####` under the section is Heading 2: levels never skip.
        assert!(doc.descendants().any(|p| w(p, "p")
            && style_of(p).as_deref() == Some("Heading2")
            && text_of(p) == "Deep"));
    }

    #[test]
    fn column_widths_fill_the_text_width_and_favour_the_first_column() {
        let cell = |t: &str, right| GridCell {
            runs: String::new(),
            text: t.into(),
            right,
        };
        let rows = vec![
            GridRow {
                cells: vec![
                    cell("Measure", false),
                    cell("2024-25", true),
                    cell("2023-24", true),
                ],
                header: true,
                total: false,
            },
            GridRow {
                cells: vec![
                    cell(
                        "Children with a long label that goes on and on and on for a while",
                        false,
                    ),
                    cell("1,234", true),
                    cell("56.7%", true),
                ],
                header: false,
                total: false,
            },
        ];
        let w = column_widths(&rows);
        assert_eq!(w.iter().sum::<u32>(), TEXT_WIDTH);
        assert!(w[0] > w[1] * 2, "{w:?}");
        // Many columns: every number still fits whole.
        let many: Vec<GridRow> = vec![GridRow {
            cells: std::iter::once(cell("A long label of some length here", false))
                .chain((0..8).map(|_| cell("100.0%", true)))
                .collect(),
            header: false,
            total: false,
        }];
        let w = column_widths(&many);
        assert_eq!(w.iter().sum::<u32>(), TEXT_WIDTH);
        assert!(w[1] >= 6 * TABLE_CHAR_WIDTH, "{w:?}");
    }
}
