//! The printed report: `<la>-<year>.pdf`, printed by the Chromium, Chrome or
//! Edge already on the machine, with each section's page number in the
//! contents.
//!
//! Browsers cannot yet put page numbers in a printed contents list (CSS
//! `target-counter()` is not implemented in Chromium), so the report is
//! printed twice:
//!
//! 1. the HTML with "??" where each number goes is printed to PDF; Chromium
//!    writes every linked anchor into the PDF as a named destination
//!    (`/Dests`), and [`anchor_pages`] reads the page each section starts on;
//! 2. the HTML with those numbers is printed again, and its destinations
//!    are read back: the numbers stand only if every section is still on
//!    the page its number says (they are the same width as "??", so they
//!    are, unless a browser lays the page out differently; then it prints
//!    once more).
//!
//! The HTML beside the PDF carries the same numbers (shown only in print).
//! Nothing leaves the machine: the browser is started headless, with a new
//! empty profile, no network services and the report as a local file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::html::{self, PageNumbers};
use crate::model::Report;

/// Why the report could not be printed.
#[derive(Debug, Error)]
pub enum PrintError {
    #[error(
        "no browser to print the PDF with: none of {tried} was found. Install Chromium, Google \
         Chrome or Microsoft Edge, or give its path with --browser PATH (or [output] browser \
         in iro.toml)"
    )]
    NoBrowser { tried: String },
    #[error("the browser {path} does not exist or is not a file")]
    BadBrowser { path: PathBuf },
    #[error("cannot start the browser {browser}")]
    Start {
        browser: PathBuf,
        source: std::io::Error,
    },
    #[error("the browser {browser} did not print {html} within {secs} s: stopped")]
    Timeout {
        browser: PathBuf,
        html: PathBuf,
        secs: u64,
    },
    #[error("the browser {browser} failed to print {html} ({status}){detail}")]
    Failed {
        browser: PathBuf,
        html: PathBuf,
        status: String,
        detail: String,
    },
    #[error("cannot read the printed PDF {path}: {reason}")]
    Pdf { path: PathBuf, reason: String },
    #[error(
        "the printed PDF {path} has no page for section {anchor}: the browser did not keep \
         the contents' links"
    )]
    Unplaced { path: PathBuf, anchor: String },
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How long one printing may take before the browser is stopped.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// Printings before the page numbers are taken as they last came out.
const MAX_PASSES: usize = 3;

/// A headless browser that can print HTML to PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    path: PathBuf,
}

/// Program names of Chromium-based browsers, searched for on `PATH`.
const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
];

/// Where the browsers install themselves off `PATH` (Windows, macOS).
fn install_locations() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for var in ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"] {
        if let Some(base) = std::env::var_os(var) {
            let base = PathBuf::from(base);
            out.push(base.join(r"Google\Chrome\Application\chrome.exe"));
            out.push(base.join(r"Microsoft\Edge\Application\msedge.exe"));
            out.push(base.join(r"Chromium\Application\chrome.exe"));
        }
    }
    for app in [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    ] {
        out.push(PathBuf::from(app));
    }
    out
}

impl Browser {
    /// The browser at `explicit`, else the first Chromium, Chrome or Edge on
    /// `PATH` or in its usual install folder.
    pub fn find(explicit: Option<&Path>) -> Result<Browser, PrintError> {
        if let Some(p) = explicit {
            return if p.is_file() {
                Ok(Browser {
                    path: p.to_path_buf(),
                })
            } else {
                Err(PrintError::BadBrowser {
                    path: p.to_path_buf(),
                })
            };
        }
        let exe = std::env::consts::EXE_SUFFIX;
        if let Some(paths) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&paths) {
                for name in NAMES {
                    let p = dir.join(format!("{name}{exe}"));
                    if p.is_file() {
                        return Ok(Browser { path: p });
                    }
                }
            }
        }
        if let Some(p) = install_locations().into_iter().find(|p| p.is_file()) {
            return Ok(Browser { path: p });
        }
        Err(PrintError::NoBrowser {
            tried: NAMES.join(", "),
        })
    }

    /// The browser's program.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Prints `html` (a local file) to `pdf` as its print stylesheet lays
    /// it out: A4, no browser header or footer.
    pub fn print(&self, html: &Path, pdf: &Path, profile: &Path) -> Result<(), PrintError> {
        let html = std::path::absolute(html).map_err(|source| PrintError::Io {
            path: html.to_path_buf(),
            source,
        })?;
        let mut cmd = Command::new(&self.path);
        cmd.args([
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-quic",
            "--hide-scrollbars",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        if running_as_root() {
            // Chromium will not start its sandbox as root (containers, CI).
            cmd.arg("--no-sandbox");
        }
        let mut child = cmd.spawn().map_err(|source| PrintError::Start {
            browser: self.path.clone(),
            source,
        })?;
        // The browser's messages, read as it runs so a full pipe cannot
        // stall it; kept for the error.
        let mut stderr = child.stderr.take();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(s) = stderr.as_mut() {
                let _ = std::io::Read::read_to_string(s, &mut text);
            }
            text
        });
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() > PRINT_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PrintError::Timeout {
                        browser: self.path.clone(),
                        html,
                        secs: PRINT_TIMEOUT.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(source) => {
                    return Err(PrintError::Io {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        };
        let messages = reader.join().unwrap_or_default();
        let printed = std::fs::metadata(pdf).is_ok_and(|m| m.len() > 0);
        if !status.success() || !printed {
            let last: Vec<&str> = messages
                .lines()
                .filter(|l| !l.trim().is_empty())
                .rev()
                .take(3)
                .collect();
            let detail = if last.is_empty() {
                String::new()
            } else {
                let mut l = last;
                l.reverse();
                format!(": {}", l.join(" | "))
            };
            return Err(PrintError::Failed {
                browser: self.path.clone(),
                html,
                status: if printed {
                    status.to_string()
                } else {
                    format!("{status}, no PDF written")
                },
                detail,
            });
        }
        Ok(())
    }
}

fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// `file://` address of an absolute path, with the characters a URL
/// cannot hold escaped.
fn file_url(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The page (1 = the first) of each named destination in a PDF: the
/// catalogue's `/Dests` dictionary (as Chromium writes it) and the
/// `/Names` → `/Dests` name tree (as other printers do).
pub fn anchor_pages(pdf: &[u8]) -> Result<PageNumbers, String> {
    read_pages(pdf).map(|(anchors, _)| anchors)
}

/// [`anchor_pages`] and the number of pages, from one reading of the PDF.
fn read_pages(pdf: &[u8]) -> Result<(PageNumbers, u32), String> {
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| e.to_string())?;
    let page_of: BTreeMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let pages = page_of.len() as u32;
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let mut out = PageNumbers::new();
    let mut add = |name: &[u8], dest: &lopdf::Object| {
        if let Some(page) = dest_page(&doc, dest, &page_of) {
            out.insert(String::from_utf8_lossy(name).into_owned(), page);
        }
    };
    if let Ok(dests) = catalog.get(b"Dests")
        && let Ok((_, lopdf::Object::Dictionary(d))) = doc.dereference(dests)
    {
        for (name, dest) in d.iter() {
            add(name, dest);
        }
    }
    if let Ok(names) = catalog.get(b"Names")
        && let Ok((_, lopdf::Object::Dictionary(n))) = doc.dereference(names)
        && let Ok(tree) = n.get(b"Dests")
    {
        name_tree(&doc, tree, &mut add, 0);
    }
    Ok((out, pages))
}

/// Walks a PDF name tree (`/Kids`, `/Names [key value …]`).
fn name_tree(
    doc: &lopdf::Document,
    node: &lopdf::Object,
    add: &mut impl FnMut(&[u8], &lopdf::Object),
    depth: usize,
) {
    // A malformed tree that refers to itself stops here.
    if depth > 32 {
        return;
    }
    let Ok((_, lopdf::Object::Dictionary(d))) = doc.dereference(node) else {
        return;
    };
    if let Ok(kids) = d.get(b"Kids")
        && let Ok((_, lopdf::Object::Array(kids))) = doc.dereference(kids)
    {
        for k in kids {
            name_tree(doc, k, add, depth + 1);
        }
    }
    if let Ok(names) = d.get(b"Names")
        && let Ok((_, lopdf::Object::Array(pairs))) = doc.dereference(names)
    {
        for pair in pairs.chunks(2) {
            if let [lopdf::Object::String(key, _), value] = pair {
                add(key, value);
            }
        }
    }
}

/// The page a destination points at: `[page /XYZ …]`, or a dictionary
/// whose `/D` is one.
fn dest_page(
    doc: &lopdf::Document,
    dest: &lopdf::Object,
    page_of: &BTreeMap<lopdf::ObjectId, u32>,
) -> Option<u32> {
    let (_, obj) = doc.dereference(dest).ok()?;
    let array = match obj {
        lopdf::Object::Array(a) => a,
        lopdf::Object::Dictionary(d) => match doc.dereference(d.get(b"D").ok()?).ok()?.1 {
            lopdf::Object::Array(a) => a,
            _ => return None,
        },
        _ => return None,
    };
    match array.first()? {
        lopdf::Object::Reference(id) => page_of.get(id).copied(),
        _ => None,
    }
}

/// What [`write_pdf`] printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub pdf: PathBuf,
    /// Pages of the PDF.
    pub pages: u32,
    /// Every contents number is the page its section starts on. False only
    /// if the sections still moved after the last printing allowed.
    pub settled: bool,
}

/// Prints `report` to `<dir>/<stem>.pdf` with page numbers in its contents
/// and rewrites `<dir>/<stem>.html` with the same numbers.
pub fn write_pdf(report: &Report, dir: &Path, browser: &Browser) -> Result<Printed, PrintError> {
    let stem = report.file_stem();
    let work = tempfile::Builder::new()
        .prefix("iro-print-")
        .tempdir()
        .map_err(|source| PrintError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    let html_tmp = work.path().join(format!("{stem}.html"));
    let pdf_tmp = work.path().join(format!("{stem}.pdf"));
    let profile = work.path().join("profile");
    let anchors: Vec<String> = report
        .sections
        .iter()
        .map(|s| html::section_anchor(s.id))
        .collect();
    let mut numbers = PageNumbers::new();
    let mut text = String::new();
    let mut pages = 0;
    let mut settled = false;
    for _ in 0..MAX_PASSES {
        text = html::render_with_pages(report, Some(&numbers));
        std::fs::write(&html_tmp, &text).map_err(|source| PrintError::Io {
            path: html_tmp.clone(),
            source,
        })?;
        let _ = std::fs::remove_file(&pdf_tmp);
        browser.print(&html_tmp, &pdf_tmp, &profile)?;
        let bytes = std::fs::read(&pdf_tmp).map_err(|source| PrintError::Io {
            path: pdf_tmp.clone(),
            source,
        })?;
        let (found, n) = read_pages(&bytes).map_err(|reason| PrintError::Pdf {
            path: pdf_tmp.clone(),
            reason,
        })?;
        pages = n;
        let mut now = PageNumbers::new();
        for a in &anchors {
            match found.get(a) {
                Some(&p) => {
                    now.insert(a.clone(), p);
                }
                None => {
                    return Err(PrintError::Unplaced {
                        path: pdf_tmp.clone(),
                        anchor: a.clone(),
                    });
                }
            }
        }
        if now == numbers {
            settled = true;
            break;
        }
        numbers = now;
    }
    let pdf_path = dir.join(format!("{stem}.pdf"));
    std::fs::copy(&pdf_tmp, &pdf_path).map_err(|source| PrintError::Io {
        path: pdf_path.clone(),
        source,
    })?;
    let html_path = dir.join(format!("{stem}.html"));
    std::fs::write(&html_path, text).map_err(|source| PrintError::Io {
        path: html_path.clone(),
        source,
    })?;
    Ok(Printed {
        pdf: pdf_path,
        pages,
        settled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Document, Object, StringFormat, dictionary};

    /// A PDF of `n` empty pages; `dests` and `names` give the catalogue's
    /// `/Dests` dictionary and `/Names` tree entries (name, page index,
    /// as a `/D` dictionary or not).
    fn pdf(n: usize, dests: &[(&str, usize, bool)], names: &[(&str, usize)]) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let kids: Vec<lopdf::ObjectId> = (0..n)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => pages_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                })
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids.iter().map(|&k| Object::Reference(k)).collect::<Vec<_>>(),
                "Count" => n as i64,
            }),
        );
        let dest = |page: usize| -> Object {
            vec![
                Object::Reference(kids[page]),
                "XYZ".into(),
                0.into(),
                800.into(),
                0.into(),
            ]
            .into()
        };
        let mut d = lopdf::Dictionary::new();
        for &(name, page, wrapped) in dests {
            let v = if wrapped {
                Object::Dictionary(dictionary! { "D" => dest(page) })
            } else {
                dest(page)
            };
            d.set(name.as_bytes().to_vec(), v);
        }
        let dests_id = doc.add_object(d);
        let mut pairs = Vec::new();
        for &(name, page) in names {
            pairs.push(Object::String(
                name.as_bytes().to_vec(),
                StringFormat::Literal,
            ));
            pairs.push(dest(page));
        }
        // The name tree with one level of kids, as long documents have.
        let leaf = doc.add_object(dictionary! { "Names" => pairs });
        let tree = doc.add_object(dictionary! { "Kids" => vec![Object::Reference(leaf)] });
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Dests" => dests_id,
            "Names" => dictionary! { "Dests" => tree },
        });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn anchors_are_read_from_dests_and_the_name_tree_counting_pages_from_1() {
        let bytes = pdf(
            4,
            &[("section-a", 0, false), ("section-b", 2, true)],
            &[("section-c", 3)],
        );
        let pages = anchor_pages(&bytes).unwrap();
        assert_eq!(
            pages,
            PageNumbers::from([
                ("section-a".to_string(), 1),
                ("section-b".to_string(), 3),
                ("section-c".to_string(), 4),
            ])
        );
    }

    #[test]
    fn a_file_that_is_not_a_pdf_is_an_error_not_an_empty_list() {
        assert!(anchor_pages(b"<html>not a pdf</html>").is_err());
    }

    #[test]
    fn a_browser_path_that_does_not_exist_is_refused_by_name() {
        let e = Browser::find(Some(Path::new("/no/such/chromium"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the browser /no/such/chromium does not exist or is not a file"
        );
    }

    #[test]
    fn file_urls_escape_spaces_and_keep_windows_drives() {
        assert_eq!(
            file_url(Path::new("/home/a b/r#1.html")),
            "file:///home/a%20b/r%231.html"
        );
        assert_eq!(
            file_url(Path::new(r"C:\Users\IRO\report.html")),
            "file:///C:/Users/IRO/report.html"
        );
    }
}
