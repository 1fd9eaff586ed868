//! The report on the bundled sample: the Markdown snapshot, the narrative
//! kept apart from everything else, accessibility of the HTML, sections
//! without data, and no child-level data.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use iro_engine::output::SummaryRow;
use iro_engine::{Outcome, RunResult, TaskStatus};
use iro_metric_api::Reference;
use iro_report::{Narrative, ReportInput, ReportOptions, build_report, html, markdown};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Sample {
    result: RunResult,
    summary: Vec<SummaryRow>,
    reference: Reference,
}

/// One engine run over the bundled synthetic sample, shared by the tests.
fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let config = iro_engine::Config::default();
        let source = iro_engine::input_source(&config, Some(repo().join("data/sample"))).unwrap();
        let reference = iro_engine::load_reference(&config).unwrap();
        let metrics = iro_engine::builtin_metrics_for(&config).unwrap();
        let result = iro_engine::run(&config, &source, &metrics, &|_| {}).unwrap();
        let summary = iro_engine::output::cohort_summary(&result, &reference);
        Sample {
            result,
            summary,
            reference,
        }
    })
}

fn input(s: &Sample) -> ReportInput<'_> {
    ReportInput {
        rows: &s.result.rows,
        summary: &s.summary,
        targets: &s.result.targets,
        statuses: &s.result.statuses,
        quality: &s.result.quality,
        specs: &s.result.specs,
        reference: &s.reference,
        disclosure: iro_results::Disclosure {
            audience: iro_results::Audience::Public,
            threshold: 7,
        },
        settings: &SETTINGS,
        charts: None,
    }
}

static SETTINGS: iro_results::ReportSettings = iro_results::ReportSettings {
    status: iro_results::ReportStatus::Draft,
    author: None,
    approver: None,
    date: None,
    version: None,
    presented_to: None,
    recommendation: None,
};

const IDS: fn() -> Vec<&'static str> = iro_report::sections::section_ids;

#[test]
fn markdown_report_of_a_sample_authority() {
    let s = sample();
    let report = build_report(&input(s), "800", None, &Narrative::default()).unwrap();
    assert_eq!(report.year, 2025);
    let md = markdown::render(&report);
    insta::assert_snapshot!("report_800_2025_md", md);
}

/// What a reader sees outside "About these figures" never holds a metric
/// id (`service-records.sw-report-on-time`) or a parameter setting
/// (`count_temporary=false`): those are for metrics.csv and the methods.
#[test]
fn no_caption_heading_or_note_holds_a_metric_id_or_setting() {
    use iro_report::model::{Block, Cell};
    let s = sample();
    let ids: Vec<String> = s
        .result
        .specs
        .iter()
        .flat_map(|spec| spec.measures.iter().map(|m| m.id.as_str().to_string()))
        .collect();
    let metric_prefixes: Vec<String> = s
        .result
        .specs
        .iter()
        .map(|m| format!("{}.", m.id))
        .collect();
    for la in ["800", "803", "887"] {
        let report = build_report(&input(s), la, None, &Narrative::default()).unwrap();
        let mut texts: Vec<String> = Vec::new();
        for section in report.sections.iter().filter(|s| s.id != "about") {
            texts.push(section.title.to_string());
            for b in &section.blocks {
                match b {
                    Block::Heading(t) | Block::Para(t) => texts.push(t.clone()),
                    Block::Table(t) => {
                        texts.push(t.caption.clone());
                        texts.extend(t.head.iter().cloned());
                        texts.extend(t.notes.iter().cloned());
                        for r in &t.rows {
                            texts.push(r.header.clone());
                            texts.extend(r.cells.iter().filter_map(|c| match c {
                                Cell::Text(t) => Some(t.clone()),
                                Cell::Figure(_) => None,
                            }));
                        }
                    }
                    Block::Figure(f) => {
                        texts.push(f.caption.clone());
                        texts.push(f.alt.clone());
                    }
                    Block::NotAvailable(_) | Block::DataQuality(_) => {}
                }
            }
        }
        assert!(texts.len() > 100, "{la}: {}", texts.len());
        for t in &texts {
            for id in ids.iter().chain(&metric_prefixes) {
                assert!(!t.contains(id.as_str()), "{la}: {id} in {t:?}");
            }
            let setting = t.split([' ', ';', '(', ')']).any(|w| {
                w.split_once('=').is_some_and(|(k, v)| {
                    !k.is_empty()
                        && !v.is_empty()
                        && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                })
            });
            assert!(!setting, "{la}: a setting in {t:?}");
            assert!(!t.contains("3th"), "{la}: {t:?}");
        }
    }
}

#[test]
fn the_same_tables_give_the_same_files() {
    let s = sample();
    let n = Narrative::parse("## introduction\nHello.\n", &IDS());
    let a = build_report(&input(s), "887", None, &n).unwrap();
    let b = build_report(&input(s), "887", None, &n).unwrap();
    assert_eq!(html::render(&a), html::render(&b));
    assert_eq!(markdown::render(&a), markdown::render(&b));
}

/// The text outside the narrative markers.
fn outside_narrative(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- narrative:start -->") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("<!-- narrative:end -->")
            .expect("narrative end marker");
        rest = &rest[start + end..];
    }
    out.push_str(rest);
    out
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn changing_the_narrative_changes_only_the_narrative() {
    let s = sample();
    let tmp = tempfile::tempdir().unwrap();
    let narrative_dir = tmp.path().join("narrative");
    let out = tmp.path().join("report");
    let options = ReportOptions {
        dir: out.clone(),
        narrative_dir: narrative_dir.clone(),
        las: vec!["800".into()],
        year: None,
        pdf: None,
    };
    fs::create_dir_all(&narrative_dir).unwrap();
    let written =
        iro_report::init_narratives(&s.reference, &["800".into()], &narrative_dir).unwrap();
    assert_eq!(written, vec![(narrative_dir.join("800.md"), true)]);
    let template = fs::read_to_string(narrative_dir.join("800.md")).unwrap();
    for id in IDS() {
        assert!(
            template.contains(&format!("\n## {id}\n")),
            "template lacks {id}"
        );
    }

    let first = template
        .replace(
            "\n## review-timeliness\n",
            "\n## review-timeliness\n\nTimeliness dipped in Q2 when two IROs left.\n",
        )
        .replace(
            "\n## quality-assurance\n",
            "\n## quality-assurance\n\nIROs raised **care plans** with managers.\n",
        );
    fs::write(narrative_dir.join("800.md"), &first).unwrap();
    iro_report::write_reports(&input(s), &options).unwrap();
    let before = read_tree(&out);

    let second = first
        .replace(
            "Timeliness dipped in Q2 when two IROs left.",
            "Timeliness recovered in Q4 after recruitment.\n\n- a list item",
        )
        .replace(
            "IROs raised **care plans** with managers.",
            "### Audits\n\nTwo audits were done.",
        )
        .replace(
            "\n## summary\n",
            "\n## summary\n\nA good year, with more to do on records.\n",
        );
    fs::write(narrative_dir.join("800.md"), &second).unwrap();
    // Init never overwrites the service's file.
    let again = iro_report::init_narratives(&s.reference, &["800".into()], &narrative_dir).unwrap();
    assert_eq!(again, vec![(narrative_dir.join("800.md"), false)]);
    assert_eq!(
        fs::read_to_string(narrative_dir.join("800.md")).unwrap(),
        second
    );
    iro_report::write_reports(&input(s), &options).unwrap();
    let after = read_tree(&out);

    assert_eq!(
        before.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        after.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "the same files"
    );
    let mut changed = 0;
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        if path.extension().is_some_and(|e| e == "docx") {
            docx_changes_only_in_narrative(a, b);
            continue;
        }
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        if a == b {
            assert!(
                !path.to_string_lossy().ends_with(".html")
                    && !path.to_string_lossy().ends_with(".md"),
                "{path:?} did not change"
            );
            continue;
        }
        changed += 1;
        assert_eq!(
            outside_narrative(&a),
            outside_narrative(&b),
            "{path:?} changed outside the narrative"
        );
        assert!(
            b.contains("Timeliness recovered in Q4 after recruitment."),
            "{path:?}"
        );
        assert!(
            b.contains("A good year, with more to do on records."),
            "{path:?}"
        );
        assert!(!b.contains("Timeliness dipped"), "{path:?}");
        assert!(a.contains("Timeliness dipped"), "{path:?}");
    }
    assert_eq!(changed, 2, "the HTML and the Markdown change");
}

/// The parts of a `.docx`, by name.
fn docx_parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.push((f.name().unwrap().into_owned(), data));
    }
    out
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let (_, data) = docx_parts(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"));
    String::from_utf8(data).unwrap()
}

/// `word/document.xml` without what lies between a section's
/// `_Narrative_<n>` bookmark and its end.
fn outside_docx_narrative(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(name) = rest.find("w:name=\"_Narrative_") {
        let start = rest[..name]
            .rfind("<w:bookmarkStart")
            .expect("bookmark start");
        let id_at = rest[start..].find("w:id=\"").unwrap() + start + 6;
        let id = &rest[id_at..id_at + rest[id_at..].find('"').unwrap()];
        let end_tag = format!("<w:bookmarkEnd w:id=\"{id}\"/>");
        let end = rest[start..].find(&end_tag).expect("bookmark end") + start;
        out.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn docx_changes_only_in_narrative(a: &[u8], b: &[u8]) {
    let (a, b) = (docx_parts(a), docx_parts(b));
    assert_eq!(
        a.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        b.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "the same parts"
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name == "word/document.xml" {
            let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            assert_ne!(x, y, "the narrative changed");
            assert_eq!(
                outside_docx_narrative(&x),
                outside_docx_narrative(&y),
                "the Word document changed outside the narrative"
            );
            assert!(y.contains("Timeliness recovered in Q4 after recruitment."));
            assert!(!y.contains("Timeliness dipped"));
        } else {
            assert!(x == y, "{name} changed");
        }
    }
}

// ------------------------------------------------------------ the Word document

fn w_el(n: roxmltree::Node<'_, '_>, name: &str) -> bool {
    n.is_element()
        && n.tag_name().name() == name
        && n.tag_name().namespace()
            == Some("http://schemas.openxmlformats.org/wordprocessingml/2006/main")
}

fn w_val<'a>(n: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    n.attribute((
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "val",
    ))
}

fn w_text(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| w_el(*d, "t"))
        .filter_map(|d| d.text())
        .collect()
}

fn w_style(p: roxmltree::Node<'_, '_>) -> Option<String> {
    p.children()
        .find(|c| w_el(*c, "pPr"))?
        .children()
        .find(|c| w_el(*c, "pStyle"))
        .and_then(w_val)
        .map(String::from)
}

#[test]
fn word_document_of_each_sample_authority_reads_back() {
    use iro_report::model::{Block, Cell};
    let s = sample();
    let tmp = tempfile::tempdir().unwrap();
    let options = ReportOptions {
        dir: tmp.path().join("report"),
        narrative_dir: tmp.path().join("narrative"),
        las: vec!["800".into(), "803".into(), "887".into()],
        year: None,
        pdf: None,
    };
    let written = iro_report::write_reports(&input(s), &options).unwrap();
    let ids = child_ids();
    for la in ["800", "803", "887"] {
        let report = build_report(&input(s), la, None, &Narrative::default()).unwrap();
        let path = options.dir.join(format!("{}.docx", report.file_stem()));
        assert!(written.files.contains(&path), "{path:?} is listed");
        let bytes = fs::read(&path).unwrap();
        let xml = docx_part(&bytes, "word/document.xml");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let paras: Vec<_> = doc.descendants().filter(|n| w_el(*n, "p")).collect();
        // The sections as Heading 1, in order.
        let headings: Vec<String> = paras
            .iter()
            .filter(|p| w_style(**p).as_deref() == Some("Heading1"))
            .map(|p| w_text(*p))
            .collect();
        let expected: Vec<String> = report
            .sections
            .iter()
            .map(|s| format!("{}. {}", s.number, s.title))
            .collect();
        assert_eq!(headings, expected, "{la}");
        // Every table, with its caption and every row (plus the header).
        // (The data-quality box is a table of one cell without the style.)
        let tables: Vec<_> = doc
            .descendants()
            .filter(|n| w_el(*n, "tbl"))
            .filter(|n| {
                n.descendants()
                    .any(|s| w_el(s, "tblStyle") && w_val(s) == Some("ReportTable"))
            })
            .collect();
        let model: Vec<_> = report
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), model.len(), "{la}");
        for (t, m) in tables.iter().zip(&model) {
            let caption = t.prev_sibling_element().unwrap();
            assert_eq!(w_style(caption).as_deref(), Some("Caption"));
            assert_eq!(
                w_text(caption),
                format!("Table {}: {}", m.number, m.caption)
            );
            let rows: Vec<_> = t.children().filter(|n| w_el(*n, "tr")).collect();
            assert_eq!(rows.len(), m.rows.len() + 1, "{la}: table {}", m.number);
            assert!(rows[0].descendants().any(|n| w_el(n, "tblHeader")));
            for (row, mrow) in rows[1..].iter().zip(&m.rows) {
                let cells: Vec<String> = row
                    .children()
                    .filter(|n| w_el(*n, "tc"))
                    .map(w_text)
                    .collect();
                let want: Vec<String> = std::iter::once(mrow.header.clone())
                    .chain(mrow.cells.iter().map(|c: &Cell| c.text().to_string()))
                    .collect();
                assert_eq!(cells, want, "{la}: table {}", m.number);
            }
        }
        // Every figure as an image with its alt text, related to a PNG in the package.
        let rels = docx_part(&bytes, "word/_rels/document.xml.rels");
        let parts: Vec<String> = docx_parts(&bytes).into_iter().map(|(n, _)| n).collect();
        let figures: Vec<_> = report.figures().collect();
        assert!(!figures.is_empty());
        for f in figures {
            let pic = doc
                .descendants()
                .find(|n| {
                    n.tag_name().name() == "docPr"
                        && n.attribute("id") == Some(&f.number.to_string())
                })
                .unwrap_or_else(|| panic!("{la}: figure {} has no picture", f.number));
            assert_eq!(pic.attribute("descr"), Some(f.alt.as_str()));
            let rel = format!("Id=\"rIdFigure{}\"", f.number);
            assert!(rels.contains(&rel), "{la}: {rel}");
            let media = format!("word/media/figure-{}.png", f.number);
            assert!(parts.contains(&media), "{la}: {media}");
        }
        let instr: String = doc
            .descendants()
            .filter(|n| w_el(*n, "instrText"))
            .filter_map(|n| n.text())
            .collect();
        assert!(instr.contains("TOC \\o \"1-3\" \\h \\z \\u"), "{instr}");
        let footer = docx_part(&bytes, "word/footer1.xml");
        assert!(footer.contains(" PAGE ") && footer.contains(" NUMPAGES "));
        // No child-level data.
        for token in xml.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(
                !ids.contains(token),
                "{la}: CHILD id {token} in the Word document"
            );
        }
        // The same report gives the same bytes.
        let again = iro_report::docx::render(&report).unwrap();
        assert!(
            again == bytes,
            "{la}: the Word document is not deterministic"
        );
    }
}

// ------------------------------------------------------------ accessibility

fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the HTML is not well-formed: {e}"))
}

fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect::<String>()
}

/// Checks the WCAG 2.2 AA structure the report promises.
fn check_accessible(html: &str) {
    let doc = parse(html);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    assert!(
        root.attribute("lang").is_some_and(|l| l.starts_with("en")),
        "lang"
    );
    let all: Vec<_> = root.descendants().filter(|n| n.is_element()).collect();
    let named = |name: &'static str| all.iter().filter(move |n| n.tag_name().name() == name);
    // Page title.
    assert!(
        named("title")
            .next()
            .is_some_and(|t| !text_of(*t).trim().is_empty())
    );
    // Exactly one h1; heading levels never skip.
    assert_eq!(named("h1").count(), 1, "one h1");
    let mut last = 0;
    for n in &all {
        let name = n.tag_name().name();
        if name.len() == 2 && name.starts_with('h') && name.as_bytes()[1].is_ascii_digit() {
            let level = (name.as_bytes()[1] - b'0') as i32;
            assert!(
                level <= last + 1,
                "heading {name} after h{last}: {}",
                text_of(*n)
            );
            assert!(!text_of(*n).trim().is_empty(), "empty {name}");
            last = level;
        }
    }
    // Skip link to the main landmark.
    let skip = named("a").next().expect("a skip link first");
    assert_eq!(skip.attribute("href"), Some("#main"));
    assert_eq!(
        named("main").next().and_then(|m| m.attribute("id")),
        Some("main")
    );
    // Ids are unique; every idref resolves.
    let mut ids = BTreeSet::new();
    for n in &all {
        if let Some(id) = n.attribute("id") {
            assert!(ids.insert(id.to_string()), "duplicate id {id}");
        }
    }
    for n in &all {
        for attr in ["aria-labelledby", "aria-describedby"] {
            if let Some(refs) = n.attribute(attr) {
                for r in refs.split_whitespace() {
                    assert!(ids.contains(r), "{attr} names missing id {r}");
                }
            }
        }
        if let Some(href) = n.attribute("href").and_then(|h| h.strip_prefix('#')) {
            assert!(ids.contains(href), "link to missing #{href}");
        }
    }
    // Tables: a caption first, column headers scoped, a row header per row.
    let tables: Vec<_> = named("table").collect();
    assert!(tables.len() > 10, "tables");
    for t in tables {
        let first = t.children().find(|c| c.is_element()).unwrap();
        assert_eq!(first.tag_name().name(), "caption", "caption first");
        assert!(!text_of(first).trim().is_empty());
        for th in t.descendants().filter(|n| n.tag_name().name() == "th") {
            let scope = th.attribute("scope");
            let in_head = th.ancestors().any(|a| a.tag_name().name() == "thead");
            assert_eq!(scope, Some(if in_head { "col" } else { "row" }));
        }
        for tr in t.descendants().filter(|n| n.tag_name().name() == "tr") {
            let first = tr.children().find(|c| c.is_element()).unwrap();
            assert_eq!(first.tag_name().name(), "th", "row header");
        }
    }
    // Figures: a caption, an SVG image named by its title and described,
    // and the data table behind it.
    let figures: Vec<_> = named("figure").collect();
    assert!(figures.len() >= 6, "figures: {}", figures.len());
    for f in figures {
        let caption = f
            .descendants()
            .find(|n| n.tag_name().name() == "figcaption")
            .expect("figcaption");
        assert!(!text_of(caption).trim().is_empty());
        let svg = f
            .descendants()
            .find(|n| n.tag_name().name() == "svg")
            .expect("every chart shows");
        assert_eq!(svg.attribute("role"), Some("img"));
        let names = svg.attribute("aria-labelledby").expect("labelled");
        for id in names.split_whitespace() {
            let target = all.iter().find(|n| n.attribute("id") == Some(id)).unwrap();
            assert!(
                target.ancestors().any(|a| a == svg),
                "the SVG is named by its own title and desc"
            );
            assert!(text_of(*target).trim().len() > 10, "alt text: {id}");
        }
        let data = f
            .descendants()
            .find(|n| n.tag_name().name() == "details")
            .and_then(|d| d.descendants().find(|n| n.tag_name().name() == "table"))
            .expect("a data table behind the chart");
        assert!(
            data.descendants()
                .filter(|n| n.tag_name().name() == "tr")
                .count()
                > 1
        );
    }
    // Self-contained and script-free.
    for n in &all {
        assert_ne!(n.tag_name().name(), "script");
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "event handler {}", a.name());
            if matches!(a.name(), "src" | "href") {
                assert!(
                    !a.value().to_ascii_lowercase().starts_with("javascript:"),
                    "{}",
                    a.value()
                );
            }
            assert_ne!(a.name(), "src", "nothing loaded from elsewhere");
        }
    }
}

#[test]
fn html_report_is_accessible_and_safe_from_narrative() {
    let s = sample();
    let hostile = Narrative::parse(
        "## introduction\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n\
         [click](javascript:alert(2))\n\n# A heading that would skip\n\n###### Deep\n\n\
         ## summary\nFine **words** & <b>bold</b>.\n",
        &IDS(),
    );
    for la in ["800", "803", "887"] {
        let report = build_report(&input(s), la, None, &hostile).unwrap();
        let html = html::render(&report);
        check_accessible(&html);
        assert!(html.contains("&lt;script&gt;"), "raw HTML shown as text");
        assert!(html.contains("Fine <strong>words</strong> &amp; &lt;b&gt;bold&lt;/b&gt;."));
    }
}

#[test]
fn every_chart_is_drawn() {
    let s = sample();
    let report = build_report(&input(s), "887", None, &Narrative::default()).unwrap();
    let figures: Vec<_> = report.figures().collect();
    assert!(figures.len() >= 8, "{}", figures.len());
    for f in figures {
        assert!(
            f.svg.is_ok(),
            "figure {} ({}): {:?}",
            f.number,
            f.slug,
            f.svg.as_ref().err()
        );
        assert!(!f.data.rows.is_empty(), "figure {} has data", f.number);
    }
}

// ------------------------------------------------------------ content

#[test]
fn a_section_without_data_says_so() {
    let s = sample();
    let rows: Vec<_> = s
        .result
        .rows
        .iter()
        .filter(|r| r.la_code == "800" && !r.metric.as_str().starts_with("review-timeliness."))
        .cloned()
        .collect();
    let mut statuses: Vec<TaskStatus> = s
        .result
        .statuses
        .iter()
        .filter(|t| t.la_code == "800" && t.metric != "review-timeliness")
        .cloned()
        .collect();
    statuses.push(TaskStatus {
        la_code: "800".into(),
        year: 2025,
        metric: "review-timeliness".into(),
        outcome: Outcome::NotComputable("no Reviews table for 2024-25".into()),
    });
    let input = ReportInput {
        rows: &rows,
        statuses: &statuses,
        targets: &[],
        ..input(s)
    };
    let report = build_report(&input, "800", None, &Narrative::default()).unwrap();
    let md = markdown::render(&report);
    assert!(
        md.contains(
            "> **Not available:** Timeliness of statutory reviews of children looked after: \
             no Reviews table for 2024-25."
        ),
        "{md}"
    );
    assert!(
        md.contains("> **Not available:** no local targets are set"),
        "{md}"
    );
    let html = html::render(&report);
    check_section_note(&html, "review-timeliness");
    check_section_note(&html, "local-targets");
}

fn check_section_note(html: &str, id: &str) {
    let doc = parse(html);
    let section = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(&format!("section-{id}")))
        .unwrap();
    let note = text_of(section);
    assert!(note.contains("Not available:"), "{id}: {note}");
}

#[test]
fn the_numbers_in_the_text_are_those_of_the_tables() {
    let s = sample();
    let report = build_report(&input(s), "800", None, &Narrative::default()).unwrap();
    let md = markdown::render(&report);
    let row = s
        .summary
        .iter()
        .find(|r| r.la_code == "800" && r.year == 2025)
        .unwrap();
    assert!(
        md.contains(&format!("looked after {} children", row.cla_31_march)),
        "the headline sentence uses cohort_summary's count"
    );
    let table1 = md
        .lines()
        .find(|l| l.starts_with("| Children looked after at 31 March |"))
        .unwrap();
    for y in s.summary.iter().filter(|r| r.la_code == "800") {
        assert!(
            table1.contains(&format!(" {} |", y.cla_31_march)),
            "{table1}"
        );
    }
    // Suppressed cells are `c` with the footnote.
    assert!(md.contains("| c |"), "a suppressed cell in the sample");
    assert!(md.contains("_c: not shown, to protect children's privacy"));
}

/// Every CHILD id in the sample's Header files.
fn child_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for la in fs::read_dir(repo().join("data/sample")).unwrap().flatten() {
        for year in fs::read_dir(la.path()).into_iter().flatten().flatten() {
            if let Ok(text) = fs::read_to_string(year.path().join("header.csv")) {
                for line in text.lines().skip(1) {
                    if let Some(id) = line.split(',').next() {
                        ids.insert(id.trim().to_string());
                    }
                }
            }
        }
    }
    ids
}

#[test]
fn the_report_holds_no_child_level_data() {
    let s = sample();
    let ids = child_ids();
    assert!(ids.len() > 100);
    for la in ["800", "803", "887"] {
        let report = build_report(&input(s), la, None, &Narrative::default()).unwrap();
        for text in [html::render(&report), markdown::render(&report)] {
            for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
                assert!(!ids.contains(token), "{la}: CHILD id {token} in the report");
            }
        }
    }
}

#[test]
fn local_targets_are_shown_met_or_not_and_on_the_chart() {
    use iro_engine::{Direction, Met, TargetResult, Trend};
    use iro_metric_api::Period;
    let s = sample();
    let target = |period: Period, value: Option<f64>, met: Met, trend: Trend| TargetResult {
        la_code: "800".into(),
        year: 2025,
        period,
        metric: review_timeliness::ON_TIME,
        breakdown: String::new(),
        label: "Reviews held within statutory timescale".into(),
        target: 90.0,
        direction: Direction::AtLeast,
        value,
        met,
        previous_value: Some(87.4),
        previous_suppressed: false,
        trend,
    };
    let targets = vec![
        target(Period::Year, Some(86.897881), Met::No, Trend::Worse),
        target(Period::Q4, Some(90.2), Met::Yes, Trend::Better),
        target(Period::Q3, None, Met::Suppressed, Trend::None),
    ];
    let input = ReportInput {
        targets: &targets,
        ..input(s)
    };
    let report = build_report(&input, "800", None, &Narrative::default()).unwrap();
    let md = markdown::render(&report);
    assert!(
        md.contains("1 of the 3 local targets for 2024-25 was met."),
        "{md}"
    );
    assert!(md.contains(
        "| Reviews held within statutory timescale | The year | at least 90.0% | 86.9% | ✗ Not met | 87.4% | Worse |"
    ), "{md}");
    assert!(
        md.contains("| Q4 | at least 90.0% | 90.2% | ✓ Met |"),
        "{md}"
    );
    assert!(
        md.contains("| Q3 | at least 90.0% | c | Not shown (c) |"),
        "{md}"
    );
    let fig = report
        .figures()
        .find(|f| f.slug == "review-timeliness")
        .unwrap();
    assert!(fig.svg.as_ref().unwrap().contains("Target: at least 90.0%"));
    check_accessible(&html::render(&report));
}

#[test]
fn the_printed_contents_give_page_numbers_only_when_known_and_only_in_print() {
    let s = sample();
    let report = build_report(&input(s), "800", None, &Narrative::default()).unwrap();
    let plain = html::render(&report);
    assert!(!plain.contains("class=\"pageno\""), "no numbers unprinted");
    let first = report.sections.first().unwrap();
    let anchor = html::section_anchor(first.id);
    let pages = html::PageNumbers::from([(anchor.clone(), 3)]);
    let paged = html::render_with_pages(&report, Some(&pages));
    assert!(paged.contains(&format!(
        "<a href=\"#{anchor}\"><span class=\"entry\">{}</span>",
        first.title
    )));
    assert!(paged.contains("<span class=\"pageno\">3</span>"));
    // A section not yet placed holds the room of a number.
    assert_eq!(
        paged.matches("<span class=\"pageno\">??</span>").count(),
        report.sections.len() - 1
    );
    // Shown only in print: hidden on screen.
    assert!(paged.contains("nav.contents .pageno, nav.contents .leader { display: none; }"));
}

/// Printed in the browser CI installs (Chromium): every section starts on
/// the page the contents give, in the PDF and in the HTML written beside
/// it. Without a browser the test says so and passes, unless
/// `IRO_REQUIRE_BROWSER` is set (as CI sets it).
#[test]
fn the_pdf_contents_give_the_page_each_section_starts_on() {
    let browser = match iro_report::print::Browser::find(None) {
        Ok(b) => b,
        Err(e) => {
            assert!(
                std::env::var_os("IRO_REQUIRE_BROWSER").is_none(),
                "IRO_REQUIRE_BROWSER is set: {e}"
            );
            eprintln!("skipped: {e}");
            return;
        }
    };
    let s = sample();
    let report = build_report(&input(s), "887", None, &Narrative::default()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let printed = iro_report::print::write_pdf(&report, tmp.path(), &browser).unwrap();
    assert!(printed.settled);
    assert!(printed.pages >= 10, "{} pages", printed.pages);
    let bytes = fs::read(&printed.pdf).unwrap();
    let placed = iro_report::print::anchor_pages(&bytes).unwrap();
    let html = fs::read_to_string(tmp.path().join(format!("{}.html", report.file_stem()))).unwrap();
    let mut last = 0;
    for sec in &report.sections {
        let anchor = html::section_anchor(sec.id);
        let page = placed[&anchor];
        assert!(
            page >= 3,
            "{anchor} on page {page}: cover and contents come first"
        );
        assert!(page >= last, "{anchor} on page {page} before {last}");
        last = page;
        let entry = format!(
            "<a href=\"#{anchor}\"><span class=\"entry\">{}</span>{}<span class=\"pageno\">{page}</span></a>",
            html::esc(sec.title),
            "<span class=\"leader\" aria-hidden=\"true\"></span>"
        );
        assert!(html.contains(&entry), "{entry}");
    }
    assert!(!html.contains(">??<"));
}

/// A part of the report whose metric could not be computed says so by the
/// metric's title and the reason, never by its id.
#[test]
fn a_figure_not_available_is_named_by_title_not_by_metric_id() {
    use iro_report::model::Block;
    use iro_results::Outcome;
    let s = sample();
    let year = s.result.statuses.iter().map(|t| t.year).max().unwrap();
    let rows: Vec<_> = s
        .result
        .rows
        .iter()
        .filter(|r| !(r.la_code.as_str() == "887" && r.metric.metric() == "drp-flow"))
        .cloned()
        .collect();
    let statuses: Vec<_> = s
        .result
        .statuses
        .iter()
        .cloned()
        .map(|mut t| {
            if t.la_code == "887" && t.metric == "drp-flow" && t.year == year {
                t.outcome = Outcome::NotComputable("no drp_log file for 2024-25".into());
            }
            t
        })
        .collect();
    let mut inp = input(s);
    inp.rows = &rows;
    inp.statuses = &statuses;
    let report = build_report(&inp, "887", None, &Narrative::default()).unwrap();
    let title = s
        .result
        .specs
        .iter()
        .find(|m| m.id == "drp-flow")
        .unwrap()
        .title;
    let notes: Vec<&String> = report
        .sections
        .iter()
        .flat_map(|sec| &sec.blocks)
        .filter_map(|b| match b {
            Block::NotAvailable(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(
        notes
            .iter()
            .any(|t| *t == &format!("{title}: no drp_log file for 2024-25.")),
        "{notes:?}"
    );
    assert!(notes.iter().all(|t| !t.contains("drp-flow")), "{notes:?}");
}
