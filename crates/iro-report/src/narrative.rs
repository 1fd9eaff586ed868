//! The service's own words: one Markdown file per authority
//! (`narrative/<la>.md`), one `## <section id>` heading per section. The tool
//! reads it and never writes it, except `iro report --init-narrative`, which
//! writes a template only where no file exists.
//!
//! Narrative is Markdown. In the HTML report, raw HTML in it is shown as text
//! (never passed through), HTML comments are dropped (the template's prompts
//! are comments), links keep only `http`, `https`, `mailto` and in-page or
//! relative targets, and headings are moved under the section's own heading
//! without skipping a level.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::ReportError;

/// The narrative of one authority: section id → Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrative {
    sections: BTreeMap<String, String>,
    /// The images the narrative shows, read from beside the narrative file,
    /// by the path written in the Markdown.
    pub images: Images,
    /// Headings that name no section of the report, and repeated headings.
    pub warnings: Vec<String>,
}

impl Narrative {
    /// Splits a narrative file into sections. Text before the first `## `
    /// heading is the file's own preamble and is not shown.
    pub fn parse(text: &str, known: &[&str]) -> Narrative {
        let mut out = Narrative::default();
        let mut current: Option<String> = None;
        let mut buf = String::new();
        let mut fence: Option<(char, usize)> = None;
        for (i, line) in text.lines().enumerate() {
            if let Some(id) = section_heading(line).filter(|_| fence.is_none()) {
                out.finish(current.take(), std::mem::take(&mut buf));
                if !known.contains(&id.as_str()) {
                    out.warnings.push(format!(
                        "line {}: `## {id}` is not a section of the report (sections: {})",
                        i + 1,
                        known.join(", ")
                    ));
                }
                current = Some(id);
                continue;
            }
            fence = next_fence_state(fence, line);
            buf.push_str(line);
            buf.push('\n');
        }
        out.finish(current, buf);
        out
    }

    fn finish(&mut self, id: Option<String>, text: String) {
        let Some(id) = id else { return };
        match self.sections.get_mut(&id) {
            Some(existing) => {
                self.warnings.push(format!(
                    "`## {id}` appears more than once: the texts are joined"
                ));
                existing.push_str("\n\n");
                existing.push_str(&text);
            }
            None => {
                self.sections.insert(id, text);
            }
        }
    }

    /// Reads `path`; a file that does not exist is an empty narrative.
    pub fn load(path: &Path, known: &[&str]) -> Result<Narrative, ReportError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut n = Narrative::parse(&text, known);
                let dir = path.parent().unwrap_or(Path::new("."));
                let (images, problems) = read_images(&text, dir);
                n.images = images;
                n.warnings.extend(problems);
                for w in &mut n.warnings {
                    *w = format!("{}: {w}", path.display());
                }
                Ok(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Narrative::default()),
            Err(source) => Err(ReportError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The section's Markdown, or `None` when nothing but prompts (HTML
    /// comments) and blank lines is written there.
    pub fn get(&self, id: &str) -> Option<&str> {
        let text = self.sections.get(id)?;
        let trimmed = text.trim_matches(|c| c == '\n' || c == '\r');
        (!strip_comments(trimmed).trim().is_empty()).then_some(trimmed)
    }
}

/// An image of the narrative, read from disk to be embedded in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The file's name (`structure.png`): the Markdown report's copy.
    pub name: String,
    /// `image/png`, `image/jpeg`, `image/gif`, `image/svg+xml`, `image/webp`.
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

impl Image {
    /// A `data:` URL of the image, for the self-contained HTML.
    pub fn data_url(&self) -> String {
        use base64::Engine as _;
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

/// The narrative's images by the path written in the Markdown.
pub type Images = BTreeMap<String, Image>;

/// The largest image embedded (a photograph straight from a phone is
/// larger: the warning says to make it smaller).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

fn image_mime(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => return None,
    })
}

/// Whether a link target is a path on this machine (no scheme, no anchor).
fn local_path(url: &str) -> bool {
    !url.is_empty() && !url.starts_with('#') && !url.contains(':') && safe_url(url)
}

/// Reads every local image the narrative shows, from `dir` (the narrative
/// file's folder); what cannot be embedded is a warning, and the report
/// shows the image's description instead.
fn read_images(md: &str, dir: &Path) -> (Images, Vec<String>) {
    let mut images = Images::new();
    let mut problems = Vec::new();
    for ev in Parser::new_ext(md, options()) {
        let Event::Start(Tag::Image { dest_url, .. }) = ev else {
            continue;
        };
        let url = dest_url.to_string();
        if images.contains_key(&url) || problems.iter().any(|p: &String| p.contains(&url)) {
            continue;
        }
        if !local_path(&url) {
            problems.push(format!(
                "image {url}: only images saved beside the narrative file are shown (nothing \
                 is fetched from the internet)"
            ));
            continue;
        }
        let Some(mime) = image_mime(&url) else {
            problems.push(format!(
                "image {url}: not a PNG, JPEG, GIF, SVG or WebP file"
            ));
            continue;
        };
        let path = dir.join(&url);
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() > MAX_IMAGE_BYTES => problems.push(format!(
                "image {url}: {} MB, larger than the {} MB the report embeds; save it smaller",
                bytes.len() / (1024 * 1024),
                MAX_IMAGE_BYTES / (1024 * 1024)
            )),
            Ok(bytes) => {
                let name = Path::new(&url)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| url.clone());
                images.insert(url, Image { name, mime, bytes });
            }
            Err(e) => problems.push(format!("image {url}: cannot read {}: {e}", path.display())),
        }
    }
    (images, problems)
}

/// `## <id>` (the first word, trailing colon dropped) → id.
fn section_heading(line: &str) -> Option<String> {
    let rest = line.strip_prefix("## ")?;
    let id = rest.split_whitespace().next()?.trim_end_matches(':');
    (!id.is_empty()).then(|| id.to_string())
}

/// Tracks fenced code blocks so that a `## ` line inside one is text.
fn next_fence_state(state: Option<(char, usize)>, line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    if line.len() - t.len() > 3 {
        return state;
    }
    let ch = t.chars().next()?;
    if ch != '`' && ch != '~' {
        return state;
    }
    let n = t.chars().take_while(|&c| c == ch).count();
    if n < 3 {
        return state;
    }
    match state {
        None => Some((ch, n)),
        Some((open, len)) if open == ch && n >= len && t[n..].trim().is_empty() => None,
        s => s,
    }
}

/// Removes every `<!-- … -->` (an unterminated one runs to the end).
pub fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Whether a link target is safe to keep: `http`, `https`, `mailto`, or no
/// scheme at all (relative, `#anchor`).
pub fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].find(':') {
        None => true,
        Some(i) => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// The Markdown the narrative may use (every renderer parses it alike).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

fn level(n: usize) -> HeadingLevel {
    HeadingLevel::try_from(n.clamp(1, 6)).unwrap_or(HeadingLevel::H6)
}

/// Narrative Markdown → HTML safe to put inside the report. Headings start at
/// `top` (3 under a section's h2) and never skip a level. Images are
/// embedded from `images`; one that is not there shows its description.
pub fn to_html(md: &str, top: usize, images: &Images) -> String {
    let mut image_stack: Vec<bool> = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut last_level = top - 1;
    let mut heading_stack: Vec<HeadingLevel> = Vec::new();
    let mut link_stack: Vec<bool> = Vec::new();
    let mut html_block: Option<String> = None;
    for ev in Parser::new_ext(md, options()) {
        if let Some(buf) = html_block.as_mut() {
            match ev {
                Event::Html(s) | Event::Text(s) => {
                    buf.push_str(&s);
                    continue;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let text = strip_comments(buf);
                    html_block = None;
                    let text = text.trim();
                    if !text.is_empty() {
                        events.push(Event::Start(Tag::Paragraph));
                        events.push(Event::Text(CowStr::from(text.to_string())));
                        events.push(Event::End(TagEnd::Paragraph));
                    }
                    continue;
                }
                _ => continue,
            }
        }
        match ev {
            Event::Start(Tag::HtmlBlock) => html_block = Some(String::new()),
            Event::Html(s) | Event::InlineHtml(s) => {
                let text = strip_comments(&s);
                if !text.is_empty() {
                    events.push(Event::Text(CowStr::from(text)));
                }
            }
            Event::Start(Tag::Heading {
                level: l,
                classes,
                attrs,
                ..
            }) => {
                let wanted = (l as usize + top - 1).max(top);
                let n = wanted.min(last_level + 1).min(6);
                last_level = n;
                let lv = level(n);
                heading_stack.push(lv);
                events.push(Event::Start(Tag::Heading {
                    level: lv,
                    id: None,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(_)) => {
                let lv = heading_stack.pop().unwrap_or(level(top));
                events.push(Event::End(TagEnd::Heading(lv)));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => match images.get(dest_url.as_ref()) {
                Some(img) => {
                    image_stack.push(true);
                    events.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: CowStr::from(img.data_url()),
                        title,
                        id,
                    }));
                }
                None => {
                    image_stack.push(false);
                    events.push(Event::Text(CowStr::from("[Image not shown: ")));
                }
            },
            Event::End(TagEnd::Image) => {
                if image_stack.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Image));
                } else {
                    events.push(Event::Text(CowStr::from("]")));
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = safe_url(&dest_url);
                link_stack.push(keep);
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if link_stack.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out
}

/// Narrative Markdown → Markdown for the `.md` report: HTML comments dropped,
/// other raw HTML escaped, unsafe links reduced to their text, headings moved
/// to start at `top` without skipping a level, images pointed at their copies
/// in `image_dir` (beside the report) or replaced by their description.
pub fn to_markdown(md: &str, top: usize, images: &Images, image_dir: &str) -> String {
    // (range, path written) of the image being read; empty: not embedded.
    let mut image: Option<(std::ops::Range<usize>, String)> = None;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut last_level = top - 1;
    // (range, level, text) of the heading being read.
    let mut heading: Option<(std::ops::Range<usize>, usize, String)> = None;
    let mut link: Option<(std::ops::Range<usize>, String)> = None;
    for (ev, range) in Parser::new_ext(md, options()).into_offset_iter() {
        match &ev {
            Event::Start(Tag::Heading { level: l, .. }) => {
                let wanted = (*l as usize + top - 1).max(top);
                let n = wanted.min(last_level + 1).min(6);
                last_level = n;
                heading = Some((range.clone(), n, String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((r, n, text)) = heading.take() {
                    let trailing = if md[r.clone()].ends_with('\n') {
                        "\n"
                    } else {
                        ""
                    };
                    edits.push((r, format!("{} {}{trailing}", "#".repeat(n), text.trim())));
                }
                continue;
            }
            Event::Start(Tag::Image { dest_url, .. }) if link.is_none() => {
                match images.get(dest_url.as_ref()) {
                    Some(img) => image = Some((range.clone(), format!("{image_dir}/{}", img.name))),
                    None => image = Some((range.clone(), String::new())),
                }
                link = Some((range.clone(), String::new()));
                continue;
            }
            Event::Start(Tag::Link { dest_url, .. }) if !safe_url(dest_url) && link.is_none() => {
                link = Some((range.clone(), String::new()));
                continue;
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((r, text)) = link.as_ref()
                    && r.end == range.end
                {
                    if heading.is_none() {
                        let shown = match image.take() {
                            Some((_, dest)) if !dest.is_empty() => {
                                format!("![{}]({dest})", escape_md_text(text))
                            }
                            Some(_) => format!("\\[Image not shown: {}\\]", escape_md_text(text)),
                            None => escape_md_text(text),
                        };
                        edits.push((r.clone(), shown));
                    }
                    link = None;
                    image = None;
                }
                continue;
            }
            _ => {}
        }
        let text: Option<String> = match &ev {
            Event::Text(s) | Event::Code(s) => Some(s.to_string()),
            Event::Html(s) | Event::InlineHtml(s) => Some(strip_comments(s)),
            Event::SoftBreak | Event::HardBreak => Some(" ".into()),
            _ => None,
        };
        if let Some(t) = &text {
            if let Some((_, _, h)) = heading.as_mut() {
                h.push_str(t);
            }
            if let Some((_, l)) = link.as_mut() {
                l.push_str(t);
            }
        }
        if heading.is_none()
            && link.is_none()
            && let Event::Html(s) | Event::InlineHtml(s) = &ev
        {
            edits.push((range.clone(), escape_html_in_md(&strip_comments(s))));
        }
    }
    // Apply the outermost edits from the end.
    edits.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut kept: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for e in edits {
        if kept.last().is_some_and(|k| e.0.start < k.0.end) {
            continue;
        }
        kept.push(e);
    }
    let mut out = md.to_string();
    for (r, s) in kept.into_iter().rev() {
        out.replace_range(r, &s);
    }
    // Blank lines left by dropped comments.
    let mut tidy = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        tidy.push_str(line.trim_end());
        tidy.push('\n');
    }
    tidy.trim().to_string()
}

fn escape_html_in_md(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '[' | ']' | '(' | ')' | '<' | '>' | '*' | '_' | '`' | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The template `iro report --init-narrative` writes: every section id with a
/// prompt, as HTML comments the report never shows.
pub fn template(la_name: &str, la_code: &str, sections: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "# IRO annual report narrative: {la_name} ({la_code})\n\n\
         <!--\n\
         Write the service's own words under each `## <section id>` heading below, in Markdown\n\
         (paragraphs, **bold**, lists, links, `###` sub-headings). The report places each section's\n\
         text after that section's tables and charts. Keep the `## ` headings as they are: they\n\
         tie the text to its section. The prompts in comments like this one are never shown.\n\
         `iro report` and `iro run` read this file and never change it. Regenerate the report\n\
         after editing: only your words change in it. Do not name or describe individual\n\
         children: the report is published.\n\
         -->\n"
    );
    for (id, title, prompt) in sections {
        s.push_str(&format!("\n## {id}\n\n<!-- {title}. {prompt} -->\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["intro", "timeliness"];

    #[test]
    fn splits_by_section_heading() {
        let n = Narrative::parse(
            "# Title\npreamble\n## intro\nHello **there**.\n\n## timeliness: reviews\n<!-- prompt -->\n## other\nx\n",
            KNOWN,
        );
        assert_eq!(n.get("intro"), Some("Hello **there**."));
        assert_eq!(n.get("timeliness"), None, "a prompt alone is no narrative");
        assert_eq!(n.get("other"), Some("x"));
        assert_eq!(n.warnings.len(), 1);
        assert!(n.warnings[0].contains("`## other`"), "{:?}", n.warnings);
    }

    #[test]
    fn headings_in_code_fences_are_text() {
        let n = Narrative::parse("## intro\n```\n## not a section\n```\nafter\n", KNOWN);
        let t = n.get("intro").unwrap();
        assert!(t.contains("## not a section") && t.contains("after"), "{t}");
        assert!(n.warnings.is_empty());
    }

    #[test]
    fn repeated_sections_are_joined_with_a_warning() {
        let n = Narrative::parse("## intro\na\n## intro\nb\n", KNOWN);
        let t = n.get("intro").unwrap();
        assert!(t.contains('a') && t.contains('b'));
        assert_eq!(n.warnings.len(), 1);
    }

    #[test]
    fn html_is_never_passed_through() {
        let md = "Hi <script>alert(1)</script> there.\n\n<div onclick=\"x()\">block</div>\n\n<!-- hidden prompt -->\n\n[bad](javascript:alert(1)) [ok](https://example.org/a?b=1) ![img](JaVa\tScRiPt:alert(2))\n";
        let html = to_html(md, 3, &Images::new());
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("hidden prompt"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        assert!(
            html.contains("href=\"https://example.org/a?b=1\""),
            "{html}"
        );
        assert!(html.contains("bad"), "{html}");
    }

    #[test]
    fn headings_start_under_the_section_and_never_skip() {
        let html = to_html("# A\n\n#### B\n\n## C\n", 3, &Images::new());
        assert!(html.contains("<h3>A</h3>"), "{html}");
        assert!(html.contains("<h4>B</h4>"), "{html}");
        assert!(html.contains("<h4>C</h4>"), "{html}");
        let md = to_markdown(
            "# A\n\ntext\n\n#### B\n\nSetext\n---\n",
            3,
            &Images::new(),
            "x",
        );
        assert_eq!(md, "### A\n\ntext\n\n#### B\n\n#### Setext");
    }

    #[test]
    fn markdown_output_is_sanitised_too() {
        let md = to_markdown(
            "Keep *this*.\n\n<!-- prompt\nover lines -->\n\nInline <b>bold</b> and [x](javascript:y).\n",
            3,
            &Images::new(),
            "x",
        );
        assert!(!md.contains("prompt"), "{md}");
        assert!(md.contains("Keep *this*."), "{md}");
        assert!(md.contains("&lt;b&gt;bold&lt;/b&gt;"), "{md}");
        assert!(!md.contains("javascript"), "{md}");
        assert!(md.contains('x'), "{md}");
    }

    #[test]
    fn images_beside_the_narrative_are_embedded_and_others_described() {
        let dir = tempfile::tempdir().unwrap();
        let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
        std::fs::write(dir.path().join("structure.png"), &png).unwrap();
        let text = "## iro-service\n\n![The service's structure](structure.png)\n\n\
                    ![Gone](missing.png) ![Remote](https://example.org/a.png)\n";
        let path = dir.path().join("800.md");
        std::fs::write(&path, text).unwrap();
        let n = Narrative::load(&path, &["iro-service"]).unwrap();
        assert_eq!(n.images.len(), 1);
        assert_eq!(n.images["structure.png"].mime, "image/png");
        assert_eq!(n.warnings.len(), 2, "{:?}", n.warnings);
        assert!(n.warnings[0].contains("missing.png"), "{:?}", n.warnings);
        assert!(
            n.warnings[1].contains("nothing is fetched"),
            "{:?}",
            n.warnings
        );
        let md = n.get("iro-service").unwrap();
        let html = to_html(md, 3, &n.images);
        assert!(
            html.contains(
                "<img src=\"data:image/png;base64,iVBORw0KGgpmYWtl\" alt=\"The service&#39;s structure\" />"
            ),
            "{html}"
        );
        assert!(html.contains("[Image not shown: Gone]"), "{html}");
        assert!(!html.contains("example.org"), "{html}");
        let out = to_markdown(md, 3, &n.images, "800-2025-images");
        assert!(
            out.contains("![The service's structure](800-2025-images/structure.png)"),
            "{out}"
        );
        assert!(out.contains("\\[Image not shown: Gone\\]"), "{out}");
    }

    #[test]
    fn urls() {
        assert!(safe_url("https://a.b/c"));
        assert!(safe_url("mailto:x@y.z"));
        assert!(safe_url("#section"));
        assert!(safe_url("relative/path.html"));
        assert!(safe_url("a/b:c"));
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url(" JAVA\nSCRIPT:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
        assert!(!safe_url("vbscript:x"));
    }

    #[test]
    fn template_has_every_section_and_parses_empty() {
        let t = template(
            "Bath",
            "800",
            &[("intro", "Intro", "Say hello."), ("timeliness", "T", "p")],
        );
        let n = Narrative::parse(&t, KNOWN);
        assert!(n.warnings.is_empty(), "{:?}", n.warnings);
        assert_eq!(n.get("intro"), None);
        assert!(t.contains("## intro") && t.contains("## timeliness"));
    }
}
