//! The data problems as an analyst first sees them, in `iro validate` and
//! `iro run`: the files not read and why, then a summary by rule (errors
//! first), a few example rows of each at `file:line:column`, every line fitting
//! a 100-column terminal. `--all` lists every row.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use iro_domain::{Diagnostic, Severity};

/// The widest line printed.
pub const WIDTH: usize = 100;

/// How much to show.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Example rows per rule.
    pub examples: usize,
    /// Every row, after the summary.
    pub all: bool,
    /// Show values of personal fields (CHILD, DOB, postcodes…).
    pub personal: bool,
    /// Show notes (`info`) too.
    pub notes: bool,
    /// Paths are shown relative to this folder.
    pub root: Option<&'a Path>,
    /// The command that lists every row (named when examples are cut short).
    pub all_command: &'a str,
}

/// Rules whose diagnostic is about a whole file that was not read (or not
/// read as SSDA903): the root cause of a missing table.
pub fn is_file_not_read(d: &Diagnostic) -> bool {
    use iro_ingest::rules as r;
    let rule = d.rule.as_str();
    r::FILE_NOT_READ.contains(&rule) || [r::TABLE_MISSING, r::FOLDER_UNRECOGNISED].contains(&rule)
}

/// `800/2025/episodes.csv:12:4`, relative to `root` where it can be.
pub fn location(d: &Diagnostic, root: Option<&Path>) -> String {
    let mut s = d
        .file
        .as_deref()
        .map(|p| {
            root.and_then(|r| p.strip_prefix(r).ok())
                .filter(|rel| !rel.as_os_str().is_empty())
                .unwrap_or(p)
        })
        .map(|p| d.file_and_within(p))
        .unwrap_or_default();
    if let Some(l) = d.line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = d.column {
            s.push_str(&format!(":{c}"));
        }
    }
    if s.is_empty()
        && let (Some(la), Some(y)) = (d.la, d.year)
    {
        s = format!("{la}/{}", y.0);
    }
    s
}

fn severity_heading(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "NOTE",
    }
}

/// `1415` → `1,415`.
pub fn thousands(n: usize) -> String {
    iro_engine::quality::thousands(n as u64)
}

/// Prints the problems of `diagnostics` as `view` asks.
pub fn print(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    view: &View<'_>,
) -> std::io::Result<()> {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );

    // The root causes first, whatever their severity: files not read, by
    // rule, errors first.
    let not_read: Vec<&Diagnostic> = diagnostics.iter().filter(|d| is_file_not_read(d)).collect();
    if !not_read.is_empty() {
        line(
            out,
            &format!(
                "Files not read, and tables missing ({}):",
                thousands(not_read.len())
            ),
        )?;
        // The causes (files not read) before their effect (`table.missing`).
        type Key<'a> = (bool, std::cmp::Reverse<Severity>, &'a str);
        let mut by_rule: BTreeMap<Key<'_>, Vec<&Diagnostic>> = BTreeMap::new();
        for d in &not_read {
            let effect = d.rule == iro_ingest::rules::TABLE_MISSING;
            by_rule
                .entry((effect, std::cmp::Reverse(d.severity), d.rule.as_str()))
                .or_default()
                .push(d);
        }
        for ((_, severity, rule), ds) in &by_rule {
            line(
                out,
                &format!(
                    "  {:<7} {:>7} × {rule}",
                    severity_heading(severity.0),
                    thousands(ds.len())
                ),
            )?;
            let shown = if view.all {
                ds.len()
            } else {
                view.examples.max(3)
            };
            for d in ds.iter().take(shown) {
                wrapped(
                    out,
                    &format!("            {}: ", location(d, view.root)),
                    &d.message,
                    14,
                )?;
            }
            if ds.len() > shown {
                more(out, ds.len() - shown, view)?;
            }
        }
        writeln!(out)?;
    }

    // By rule: errors first, then the rules with most rows.
    type Key<'a> = (
        Severity,
        &'a str,
        Option<&'a str>,
        Option<iro_domain::TableKind>,
    );
    let mut groups: BTreeMap<Key<'_>, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        if is_file_not_read(d) || (d.severity == Severity::Info && !view.notes) {
            continue;
        }
        groups
            .entry((d.severity, d.rule.as_str(), d.field.as_deref(), d.table))
            .or_default()
            .push(d);
    }
    let mut groups: Vec<(Key<'_>, Vec<&Diagnostic>)> = groups.into_iter().collect();
    groups.sort_by(|(a, da), (b, db)| b.0.cmp(&a.0).then(db.len().cmp(&da.len())).then(a.cmp(b)));
    if !groups.is_empty() {
        line(
            out,
            &format!(
                "Problems by rule, errors first ({} errors, {} warnings, {} notes):",
                thousands(errors),
                thousands(warnings),
                thousands(notes)
            ),
        )?;
        for ((severity, rule, field, table), ds) in &groups {
            let what = match (field, table) {
                (Some(f), Some(t)) => format!("{f} in {}", t.name()),
                (Some(f), None) => f.to_string(),
                (None, Some(t)) => t.name().to_string(),
                (None, None) => String::new(),
            };
            line(
                out,
                &format!(
                    "  {:<7} {:>7} × {rule}  {what}",
                    severity_heading(*severity),
                    thousands(ds.len())
                ),
            )?;
            for d in ds.iter().take(view.examples) {
                example(out, d, view)?;
            }
            if ds.len() > view.examples && !view.all {
                more(out, ds.len() - view.examples, view)?;
            }
        }
        writeln!(out)?;
    }

    if view.all {
        let every: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| view.notes || d.severity != Severity::Info || is_file_not_read(d))
            .collect();
        line(out, &format!("Every row ({}):", thousands(every.len())))?;
        for d in every {
            wrapped(
                out,
                &format!(
                    "  {:<7} {} {}: ",
                    severity_heading(d.severity),
                    d.rule,
                    location(d, view.root)
                ),
                &message_with_value(d, view.personal),
                10,
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn example(out: &mut dyn Write, d: &Diagnostic, view: &View<'_>) -> std::io::Result<()> {
    wrapped(
        out,
        &format!("            {}  ", location(d, view.root)),
        &message_with_value(d, view.personal),
        14,
    )
}

fn more(out: &mut dyn Write, n: usize, view: &View<'_>) -> std::io::Result<()> {
    line(
        out,
        &format!(
            "            … and {} more ({} lists every row)",
            thousands(n),
            view.all_command
        ),
    )
}

/// The message, and the value as written when it may be shown; with
/// `personal`, also the personal details the message leaves out.
fn message_with_value(d: &Diagnostic, personal: bool) -> String {
    let message = if personal {
        d.message_with_detail()
    } else {
        d.message.clone()
    };
    match d.value.as_deref() {
        Some(v)
            if !v.trim().is_empty()
                && (personal || !d.is_identifying())
                && !message.contains(v) =>
        {
            format!("{message} [value: {v}]")
        }
        _ => message,
    }
}

/// One line, cut to [`WIDTH`] characters (with `…`).
pub fn line(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "{}", fit(text, WIDTH))
}

/// `text` cut to `width` characters, ending in `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// `lead` then `text` wrapped at word boundaries to [`WIDTH`], continuation
/// lines indented by `indent`.
pub fn wrapped(out: &mut dyn Write, lead: &str, text: &str, indent: usize) -> std::io::Result<()> {
    for l in wrap(lead, text, indent, WIDTH) {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// The lines of [`wrapped`].
pub fn wrap(lead: &str, text: &str, indent: usize, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut current = lead.to_string();
    let mut has_word = false;
    for word in text.split_whitespace() {
        let len = current.chars().count() + usize::from(has_word) + word.chars().count();
        // A lead that leaves no room for the first word goes on a line of its
        // own (cut to the width), so that no word of the text is lost.
        let long_lead = !has_word && current.len() > pad.len() && lines.is_empty();
        if (has_word || long_lead) && len > width {
            let line = std::mem::replace(&mut current, pad.clone());
            lines.push(fit(line.trim_end(), width));
            has_word = false;
        }
        if has_word {
            current.push(' ');
        }
        current.push_str(word);
        has_word = true;
        // One word longer than a line (a long path): cut it.
        if current.chars().count() > width {
            lines.push(fit(&current, width));
            current = pad.clone();
            has_word = false;
        }
    }
    if has_word || lines.is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_lead_loses_no_word_of_the_text() {
        let lead = format!("  800 2020-21: {}: ", "metric-name, ".repeat(8));
        let lines = wrap(&lead, "245 of 424 rows excluded", 6, 60);
        assert!(lines.iter().all(|l| l.chars().count() <= 60), "{lines:?}");
        assert!(lines[1].starts_with("      245 of 424"), "{lines:?}");
    }

    #[test]
    fn wrapped_lines_fit_the_width() {
        let text = "a ".repeat(200) + &"x".repeat(150);
        for l in wrap("  lead: ", &text, 6, 40) {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        assert_eq!(wrap("- ", "one two", 2, 40), vec!["- one two"]);
        assert_eq!(
            wrap("- ", "one two three", 2, 9),
            vec!["- one two", "  three"]
        );
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(1415), "1,415");
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn the_summary_leads_with_files_not_read_then_errors() {
        let mut utf16 = Diagnostic::new(
            Severity::Error,
            iro_ingest::rules::FILE_ENCODING,
            "the file is UTF-16; save it as CSV UTF-8",
        );
        utf16.file = Some("/in/800/2025/episodes.csv".into());
        let mut warn = Diagnostic::new(Severity::Warning, "dfe.INT03", "CHILD not in Header");
        warn.file = Some("/in/800/2025/reviews.csv".into());
        warn.line = Some(4);
        let mut err = Diagnostic::new(Severity::Error, "date.unparsable", "two-digit year");
        err.file = Some("/in/800/2025/episodes2.csv".into());
        err.line = Some(9);
        err.column = Some(8);
        err.field = Some("DEC".into());
        let diags = vec![warn.clone(), warn, err, utf16];
        let mut out = Vec::new();
        print(
            &mut out,
            &diags,
            &View {
                examples: 1,
                all: false,
                personal: false,
                notes: false,
                root: Some(Path::new("/in")),
                all_command: "iro validate --all",
            },
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let utf = text
            .find("800/2025/episodes.csv: the file is UTF-16")
            .unwrap();
        let e = text.find("date.unparsable").unwrap();
        let w = text.find("dfe.INT03").unwrap();
        assert!(utf < e && e < w, "{text}");
        assert!(
            text.contains("800/2025/episodes2.csv:9:8  two-digit year"),
            "{text}"
        );
        assert!(
            text.contains("… and 1 more (iro validate --all lists every row)"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
    }
}
