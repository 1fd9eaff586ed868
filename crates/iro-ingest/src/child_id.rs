//! CHILD identifiers: kept as strings, trimmed, with spreadsheet damage repaired
//! where the value survives and rejected where it does not.

/// The outcome of reading a CHILD field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildId<'a> {
    /// A usable identifier, as written (trimmed).
    Ok(&'a str),
    /// `12345.0` read back as `12345`.
    ExcelFloat(&'a str),
    /// Blank.
    Blank,
    /// `1.2E+05`: the digits are lost.
    Scientific,
    /// Not UTF-8, or holds control characters.
    Invalid,
}

/// Reads a CHILD value.
pub fn clean_child_id(raw: &[u8]) -> ChildId<'_> {
    match clean_child_bytes(raw) {
        ChildBytes::Ok(b) => std::str::from_utf8(b).map_or(ChildId::Invalid, ChildId::Ok),
        ChildBytes::ExcelFloat(b) => {
            std::str::from_utf8(b).map_or(ChildId::Invalid, ChildId::ExcelFloat)
        }
        ChildBytes::Blank => ChildId::Blank,
        ChildBytes::Scientific => ChildId::Scientific,
        ChildBytes::Invalid => ChildId::Invalid,
    }
}

/// [`ChildId`] as bytes (valid UTF-8 when `Ok` or `ExcelFloat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildBytes<'a> {
    Ok(&'a [u8]),
    ExcelFloat(&'a [u8]),
    Blank,
    Scientific,
    Invalid,
}

/// Reads a CHILD value without building a `&str` (the usual identifiers are
/// checked byte by byte). An identifier returned is always a slice of `raw`
/// (so it equals `raw` exactly when it has the same length).
pub(crate) fn clean_child_bytes(raw: &[u8]) -> ChildBytes<'_> {
    let t = raw.trim_ascii();
    if t.is_empty() {
        return ChildBytes::Blank;
    }
    // The usual case: letters other than E, digits, `-`, `_` and `/`.
    if t.iter().all(|&b| {
        b.is_ascii_digit()
            || (b.is_ascii_alphabetic() && b != b'E' && b != b'e')
            || b == b'-'
            || b == b'_'
            || b == b'/'
    }) {
        return ChildBytes::Ok(t);
    }
    match clean_child_slow(t) {
        ChildId::Ok(s) => ChildBytes::Ok(s.as_bytes()),
        ChildId::ExcelFloat(s) => ChildBytes::ExcelFloat(s.as_bytes()),
        ChildId::Blank => ChildBytes::Blank,
        ChildId::Scientific => ChildBytes::Scientific,
        ChildId::Invalid => ChildBytes::Invalid,
    }
}

fn clean_child_slow(t: &[u8]) -> ChildId<'_> {
    let Ok(s) = std::str::from_utf8(t) else {
        return ChildId::Invalid;
    };
    let control = if t.is_ascii() {
        t.iter().any(|&b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    };
    if control {
        return ChildId::Invalid;
    }
    if is_scientific(t) {
        return ChildId::Scientific;
    }
    if let Some(stem) = s.strip_suffix(".0")
        && !stem.is_empty()
        && stem.bytes().all(|b| b.is_ascii_digit())
    {
        return ChildId::ExcelFloat(stem);
    }
    ChildId::Ok(s)
}

/// `d[.d*]E[+-]d+`, as a spreadsheet writes a large number.
fn is_scientific(t: &[u8]) -> bool {
    let Some(e) = t.iter().position(|&b| b == b'E' || b == b'e') else {
        return false;
    };
    let (mantissa, exp) = (&t[..e], &t[e + 1..]);
    let exp = exp
        .strip_prefix(b"+")
        .or_else(|| exp.strip_prefix(b"-"))
        .unwrap_or(exp);
    let mut seen_dot = false;
    let mantissa_ok = !mantissa.is_empty()
        && mantissa[0].is_ascii_digit()
        && mantissa.iter().all(|&b| {
            if b == b'.' && !seen_dot {
                seen_dot = true;
                true
            } else {
                b.is_ascii_digit()
            }
        });
    mantissa_ok && !exp.is_empty() && exp.iter().all(u8::is_ascii_digit)
}

/// The identifier with leading zeros removed (`""` if it is all zeros).
pub fn strip_leading_zeros(id: &str) -> &str {
    id.trim_start_matches('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_ids() {
        assert_eq!(clean_child_id(b" 001234 "), ChildId::Ok("001234"));
        assert_eq!(clean_child_id(b"ABC-12"), ChildId::Ok("ABC-12"));
        assert_eq!(clean_child_id(b"12345.0"), ChildId::ExcelFloat("12345"));
        assert_eq!(clean_child_id(b"A1.0"), ChildId::Ok("A1.0"));
        assert_eq!(clean_child_id(b"1.2E+05"), ChildId::Scientific);
        assert_eq!(clean_child_id(b"1.23457e11"), ChildId::Scientific);
        assert_eq!(clean_child_id(b"1E5"), ChildId::Scientific);
        assert_eq!(clean_child_id(b"E12345"), ChildId::Ok("E12345"));
        assert_eq!(clean_child_id(b"12E"), ChildId::Ok("12E"));
        assert_eq!(clean_child_id(b""), ChildId::Blank);
        assert_eq!(clean_child_id(b"  "), ChildId::Blank);
        assert_eq!(clean_child_id(b"\xff1"), ChildId::Invalid);
        assert_eq!(clean_child_id(b"a\x01b"), ChildId::Invalid);
    }

    #[test]
    fn leading_zeros() {
        assert_eq!(strip_leading_zeros("001234"), "1234");
        assert_eq!(strip_leading_zeros("1234"), "1234");
        assert_eq!(strip_leading_zeros("000"), "");
    }
}
