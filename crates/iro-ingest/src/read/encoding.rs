//! A file's bytes before any CSV: empty, binary, UTF-16 (with or without a
//! byte-order mark) or not UTF-8, the UTF-8 byte-order mark skipped, its
//! hash, and where parsing starts.

use iro_domain::*;
use sha2::{Digest, Sha256};

use super::{ParsedFile, base_diag};
use crate::options::LoadOptions;
use crate::rules;
use crate::source::FileTask;

/// A file's SHA-256, as lowercase hex (`FileInfo::sha256`).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Line (1-based) of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    crate::lines::count_line_ends(bytes, 0, at) + 1
}

/// Why the bytes cannot be read as a CSV, if they cannot.
pub(super) fn encoding_problem(bytes: &[u8]) -> Option<(&'static str, String)> {
    if bytes.trim_ascii().is_empty() {
        return Some((rules::FILE_EMPTY, "the file is empty".into()));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Some((
            rules::FILE_ENCODING,
            "the file is UTF-16 (byte-order mark found); save it as CSV UTF-8".into(),
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    // Nearly every file has none: a quick look first, the count only if so.
    let nuls = if head.contains(&0) {
        head.iter().filter(|&&b| b == 0).count()
    } else {
        0
    };
    if nuls > 0 {
        // UTF-16 without a BOM: NULs at every other byte of ASCII text.
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let half = head.len() / 2;
        if half > 0 && (odd * 10 >= half * 9 || even * 10 >= half * 9) {
            return Some((
                rules::FILE_ENCODING,
                "the file looks like UTF-16 text without a byte-order mark; save it as CSV UTF-8"
                    .into(),
            ));
        }
        let what = if bytes.starts_with(b"PK\x03\x04") {
            " (it looks like a zip or .xlsx workbook: name it .xlsx to have its sheets read)"
        } else {
            ""
        };
        return Some((
            rules::FILE_BINARY,
            format!("the file holds binary data{what}, not CSV text"),
        ));
    }
    None
}

/// Roughly how many lines `body` has (from its first 4 KiB), to size vectors.
fn estimate_lines(body: &[u8]) -> usize {
    let sample = &body[..body.len().min(1 << 12)];
    let n = sample.iter().filter(|&&b| b == b'\n').count().max(1);
    n * body.len() / sample.len().max(1) + n / 8 + 16
}

/// Checks the bytes of a file (size, hash, encoding) and says where parsing
/// starts, or `None` when the file cannot be read as a CSV.
pub(super) fn check_bytes(
    out: &mut ParsedFile,
    task: &FileTask,
    opts: &LoadOptions,
    bytes: &[u8],
) -> Option<BodyFacts> {
    out.info.bytes = bytes.len() as u64;
    if opts.hash_files {
        out.info.sha256 = Some(sha256_hex(bytes));
    }
    if let Some((rule, msg)) = encoding_problem(bytes) {
        out.diags.push(base_diag(task, Severity::Error, rule, msg));
        return None;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = if body.is_ascii() {
        Ok(())
    } else {
        std::str::from_utf8(body).map(|_| ())
    };
    if let Err(e) = utf8 {
        let mut d = base_diag(
            task,
            Severity::Warning,
            rules::FILE_INVALID_UTF8,
            "the file is not valid UTF-8 (perhaps saved as Windows-1252); codes and dates are read, other text may show U+FFFD".into(),
        );
        d.line = Some(line_of(body, e.valid_up_to()));
        out.diags.push(d);
    }
    Some(BodyFacts {
        start: (bytes.len() - body.len()) as u64,
        may_have_quotes: body.contains(&b'"'),
        // A row takes at least two bytes.
        lines: estimate_lines(body).min(body.len() / 2 + 1),
    })
}

/// What is known about a file's bytes before parsing.
#[derive(Debug, Clone, Copy)]
pub(super) struct BodyFacts {
    /// Where the CSV starts (after a byte-order mark).
    pub(super) start: u64,
    pub(super) may_have_quotes: bool,
    pub(super) lines: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(encoding_problem(b"").map(|p| p.0), Some(rules::FILE_EMPTY));
        assert_eq!(
            encoding_problem(b" \n\n").map(|p| p.0),
            Some(rules::FILE_EMPTY)
        );
        assert_eq!(
            encoding_problem(b"\xff\xfeC\0H\0").map(|p| p.0),
            Some(rules::FILE_ENCODING)
        );
        assert_eq!(
            encoding_problem(b"C\0H\0I\0L\0D\0,\0").map(|p| p.0),
            Some(rules::FILE_ENCODING)
        );
        assert_eq!(
            encoding_problem(b"PK\x03\x04\x14\0\0\0\x08\0").map(|p| p.0),
            Some(rules::FILE_BINARY)
        );
        assert_eq!(encoding_problem(b"CHILD,DOB\n"), None);
    }
}
