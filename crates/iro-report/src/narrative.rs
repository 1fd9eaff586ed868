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

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

fn level(n: usize) -> HeadingLevel {
    HeadingLevel::try_from(n.clamp(1, 6)).unwrap_or(HeadingLevel::H6)
}

/// Narrative Markdown → HTML safe to put inside the report. Headings start at
/// `top` (3 under a section's h2) and never skip a level.
pub fn to_html(md: &str, top: usize) -> String {
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
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
            | Event::Start(Tag::Image {
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
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
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
/// to start at `top` without skipping a level.
pub fn to_markdown(md: &str, top: usize) -> String {
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
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. })
                if !safe_url(dest_url) && link.is_none() =>
            {
                link = Some((range.clone(), String::new()));
                continue;
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((r, text)) = link.as_ref()
                    && r.end == range.end
                {
                    if heading.is_none() {
                        edits.push((r.clone(), escape_md_text(text)));
                    }
                    link = None;
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
        let html = to_html(md, 3);
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
        let html = to_html("# A\n\n#### B\n\n## C\n", 3);
        assert!(html.contains("<h3>A</h3>"), "{html}");
        assert!(html.contains("<h4>B</h4>"), "{html}");
        assert!(html.contains("<h4>C</h4>"), "{html}");
        let md = to_markdown("# A\n\ntext\n\n#### B\n\nSetext\n---\n", 3);
        assert_eq!(md, "### A\n\ntext\n\n#### B\n\n#### Setext");
    }

    #[test]
    fn markdown_output_is_sanitised_too() {
        let md = to_markdown(
            "Keep *this*.\n\n<!-- prompt\nover lines -->\n\nInline <b>bold</b> and [x](javascript:y).\n",
            3,
        );
        assert!(!md.contains("prompt"), "{md}");
        assert!(md.contains("Keep *this*."), "{md}");
        assert!(md.contains("&lt;b&gt;bold&lt;/b&gt;"), "{md}");
        assert!(!md.contains("javascript"), "{md}");
        assert!(md.contains('x'), "{md}");
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
