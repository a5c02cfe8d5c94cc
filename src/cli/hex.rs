//! The hex input format (`--hex` of `inspect h2-frames`, and every line of `inspect hpack`).
//!
//! A byte is two adjacent hex digits (either case). Spaces, tabs and line breaks may separate
//! bytes, and `#` starts a comment that runs to the end of the line, so that an example can
//! say what each frame is. Anything else is an error naming its line and column.

use std::fmt::Write as _;

use crate::cli::escape::{EscapeError, escape};

/// Decodes a whole hex text into bytes; line breaks are separators like any other space.
pub(crate) fn decode(text: &[u8]) -> Result<Vec<u8>, EscapeError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    for (index, line) in lines(text).enumerate() {
        decode_line(line, index + 1, &mut out)?;
    }
    Ok(out)
}

/// One hex line: its 1-based number and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HexLine {
    pub(crate) line: usize,
    pub(crate) bytes: Vec<u8>,
}

/// Decodes a text holding one hex string per line. Lines that are blank once comments are
/// removed hold no string and are skipped; the others keep their line numbers.
pub(crate) fn decode_lines(text: &[u8]) -> Result<Vec<HexLine>, EscapeError> {
    let mut found = Vec::new();
    for (index, line) in lines(text).enumerate() {
        let content = line.split(|b| *b == b'#').next().unwrap_or_default();
        if content.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut bytes = Vec::with_capacity(content.len() / 2);
        decode_line(line, index + 1, &mut bytes)?;
        found.push(HexLine {
            line: index + 1,
            bytes,
        });
    }
    Ok(found)
}

/// Lines without their terminator (LF or CRLF); a final line break does not start a line.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let empty = text.is_empty();
    text.split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(move |_| !empty)
}

fn decode_line(line: &[u8], number: usize, out: &mut Vec<u8>) -> Result<(), EscapeError> {
    let error = |at: usize, problem: String| EscapeError {
        line: number,
        column: String::from_utf8_lossy(&line[..at]).chars().count() + 1,
        problem,
    };
    let mut i = 0;
    while let Some(&byte) = line.get(i) {
        match byte {
            b'#' => break,
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                let high = digit(byte).ok_or_else(|| error(i, unexpected(line, i)))?;
                let low = line.get(i + 1).copied().and_then(digit).ok_or_else(|| {
                    error(
                        i,
                        format!(
                            "`{}` is half a byte: a byte is two adjacent hex digits",
                            escape(&[byte])
                        ),
                    )
                })?;
                out.push((high << 4) | low);
                i += 2;
            }
        }
    }
    Ok(())
}

fn digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// Says what the character at `at` is, whole (a multi-byte character is named, not its bytes).
fn unexpected(line: &[u8], at: usize) -> String {
    let rest = String::from_utf8_lossy(&line[at..]);
    let shown = match rest.chars().next() {
        Some(ch) if !ch.is_control() && ch != char::REPLACEMENT_CHARACTER => ch.to_string(),
        _ => escape(&line[at..=at]),
    };
    let mut problem = format!("`{shown}` is not a hex digit");
    let _ = write!(
        problem,
        ": bytes are pairs of hex digits, separated by spaces or line breaks if you like; \
         `#` starts a comment"
    );
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_pair_up_and_comments_and_spaces_vanish() {
        let text = b"# the preface\n5052 49 # PRI\r\n\tff0A\n\n";
        assert_eq!(decode(text).unwrap(), [0x50, 0x52, 0x49, 0xff, 0x0a]);
        assert_eq!(decode(b"").unwrap(), b"");
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = decode(b"00\n01 0g\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 4));
        assert!(err.problem.contains("half a byte"), "{}", err.problem);

        let err = decode(b"0x12").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.problem.contains("half a byte"), "{}", err.problem);

        let err = decode("é1".as_bytes()).unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(
            err.problem.contains("`é` is not a hex digit"),
            "{}",
            err.problem
        );

        let err = decode(b"12 3").unwrap_err();
        assert_eq!((err.line, err.column), (1, 4));
    }

    #[test]
    fn lines_keep_their_numbers_and_blank_lines_are_skipped() {
        let found = decode_lines(b"# requests\n82 86\n\n  # none\n84\n").unwrap();
        assert_eq!(
            found,
            [
                HexLine {
                    line: 2,
                    bytes: vec![0x82, 0x86]
                },
                HexLine {
                    line: 5,
                    bytes: vec![0x84]
                },
            ]
        );
        let err = decode_lines(b"82\nzz\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
