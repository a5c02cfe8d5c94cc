//! The escaped input format (`--escaped`) and the escaping of bytes for display.
//!
//! Both directions use the same escapes, so a field value printed by `inspect` can be pasted
//! back into an escaped example and means the same bytes.

use std::fmt;

/// A bad escape, with its 1-based position in the escaped text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EscapeError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) problem: String,
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.problem
        )
    }
}

/// Decodes the escaped format: `\r \n \t \\ \0 \xHH` stand for their bytes and literal line
/// breaks (LF, CR) are dropped, so that an example can hold one header per line while saying
/// exactly which line endings it sends. Every other byte stands for itself.
pub(crate) fn unescape(text: &[u8]) -> Result<Vec<u8>, EscapeError> {
    let mut out = Vec::with_capacity(text.len());
    let mut line = 1;
    let mut line_start = 0;
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'\r' => i += 1,
            b'\\' => {
                let error = |problem: String| EscapeError {
                    line,
                    column: column(text, line_start, i),
                    problem,
                };
                let (decoded, used) = escape_at(text, i).map_err(error)?;
                out.push(decoded);
                i += used;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Ok(out)
}

const KNOWN: &str = "the escapes are \\r \\n \\t \\\\ \\0 and \\xHH";

/// The byte the escape starting at `text[at]` (a backslash) stands for and its length.
fn escape_at(text: &[u8], at: usize) -> Result<(u8, usize), String> {
    let simple = match text.get(at + 1) {
        Some(b'r') => b'\r',
        Some(b'n') => b'\n',
        Some(b't') => b'\t',
        Some(b'\\') => b'\\',
        Some(b'0') => 0,
        Some(b'x') => {
            let rest = text.get(at + 2..).unwrap_or_default();
            let digits = &rest[..rest.len().min(2)];
            return std::str::from_utf8(digits)
                .ok()
                .filter(|digits| digits.len() == 2)
                .and_then(|digits| u8::from_str_radix(digits, 16).ok())
                .map(|byte| (byte, 4))
                .ok_or_else(|| {
                    format!(
                        "`\\x` must be followed by two hex digits, found `{}`",
                        escape(digits)
                    )
                });
        }
        Some(b'\n' | b'\r') => {
            return Err(format!(
                "a backslash before a line break: line breaks in the file are ignored, \
                 so write `\\r\\n` for a CRLF and `\\\\` for a backslash ({KNOWN})"
            ));
        }
        None => {
            return Err(format!(
                "a lone backslash at the end of the input: write `\\\\` for a backslash ({KNOWN})"
            ));
        }
        Some(other) => {
            return Err(format!(
                "unknown escape `\\{}`: {KNOWN}; write `\\\\` for a backslash",
                escape(&[*other])
            ));
        }
    };
    Ok((simple, 2))
}

/// 1-based column of `at` in the line starting at `line_start`, counted in characters.
fn column(text: &[u8], line_start: usize, at: usize) -> usize {
    String::from_utf8_lossy(&text[line_start..at])
        .chars()
        .count()
        + 1
}

/// Bytes as printable ASCII: `\r \n \t \\ \0` and `\xHH` for every other byte outside
/// 0x20–0x7e, so control bytes and obs-text cannot reach the terminal raw. The reports use
/// the same escaping, so one function serves both.
pub(crate) use tollgate_reports::escape_bytes as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_line_breaks_vanish() {
        let text = b"GET / HTTP/1.1\\r\\n\nHost: a\\x01\\t\\0\\\\\\r\\n\r\n\\r\\n\n";
        assert_eq!(
            unescape(text).unwrap(),
            b"GET / HTTP/1.1\r\nHost: a\x01\t\0\\\r\n\r\n"
        );
    }

    #[test]
    fn bad_escapes_name_line_and_column() {
        let err = unescape(b"GET / HTTP/1.1\\r\\n\nHost: \\q\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 7));
        assert!(
            err.problem.contains("unknown escape `\\q`"),
            "{}",
            err.problem
        );

        let err = unescape(b"a\\x4g").unwrap_err();
        assert_eq!((err.line, err.column), (1, 2));
        assert!(err.problem.contains("found `4g`"), "{}", err.problem);

        let err = unescape(b"\\x4").unwrap_err();
        assert!(err.problem.contains("two hex digits"), "{}", err.problem);

        let err = unescape(b"ab\\").unwrap_err();
        assert_eq!((err.line, err.column), (1, 3));

        let err = unescape(b"ab\\\nc").unwrap_err();
        assert!(err.problem.contains("line break"), "{}", err.problem);
    }

    #[test]
    fn columns_count_characters() {
        let err = unescape("é\\z".as_bytes()).unwrap_err();
        assert_eq!(err.column, 2);
    }

    #[test]
    fn display_escaping_round_trips_through_the_input_format() {
        let bytes: Vec<u8> = (0..=255).collect();
        let shown = escape(&bytes);
        assert!(shown.bytes().all(|b| (0x20..0x7f).contains(&b)));
        assert_eq!(unescape(shown.as_bytes()).unwrap(), bytes);
        assert_eq!(escape(b"a\x01b\xff"), "a\\x01b\\xff");
    }
}
