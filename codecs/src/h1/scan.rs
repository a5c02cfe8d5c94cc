//! Finding the end of a head (or trailer section) incrementally, before anything is parsed.
//!
//! The scanner looks at each new byte once, however the input arrives, so a client that sends
//! its head one byte at a time costs O(n) and not O(n²). It enforces the size limits as bytes
//! arrive, and notes the irregular line endings (bare LF, bare CR) and leading empty lines
//! that send a head down the lenient slow path instead of httparse.
//!
//! Limit errors are reported as if bytes had arrived one at a time: each condition has the
//! stream position at which it first becomes true, and the earliest wins. That keeps the
//! result independent of how the input was split into reads.

use memchr::memchr2;

use crate::h1::limits::Limit;

/// The limits a scan enforces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanLimits {
    /// Maximum bytes of the whole section.
    pub(crate) total: usize,
    /// The limit to name when `total` is exceeded.
    pub(crate) total_limit: Limit,
    /// Maximum bytes of one line before its CRLF.
    pub(crate) line: usize,
    /// The limit to name when the first line is too long.
    pub(crate) first_line_limit: Limit,
    /// Maximum field lines.
    pub(crate) fields: usize,
}

/// A limit exceeded at a position of the scanned buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exceeded {
    pub(crate) limit: Limit,
    pub(crate) at: usize,
}

/// Whether a start line precedes the fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// A message head: (empty lines,) start line, fields, empty line.
    Head,
    /// A trailer section: fields, empty line.
    Trailers,
}

#[derive(Clone, Debug)]
pub(crate) struct HeadScanner {
    pos: usize,
    line_start: usize,
    start_line_seen: bool,
    field_lines: usize,
    /// Index of the first LF not preceded by CR.
    pub(crate) bare_lf: Option<usize>,
    /// Index of the first CR not followed by LF.
    pub(crate) bare_cr: Option<usize>,
    /// Whether empty lines came before the start line.
    pub(crate) leading_empty: bool,
}

impl HeadScanner {
    pub(crate) fn new(section: Section) -> HeadScanner {
        HeadScanner {
            pos: 0,
            line_start: 0,
            start_line_seen: section == Section::Trailers,
            field_lines: 0,
            bare_lf: None,
            bare_cr: None,
            leading_empty: false,
        }
    }

    /// Whether nothing irregular was seen, so that httparse may parse the head.
    pub(crate) fn is_regular(&self) -> bool {
        self.bare_lf.is_none() && self.bare_cr.is_none() && !self.leading_empty
    }

    /// Whether nothing has been scanned yet.
    pub(crate) fn is_fresh(&self) -> bool {
        self.pos == 0
    }

    /// Field lines seen so far.
    pub(crate) fn field_lines(&self) -> usize {
        self.field_lines
    }

    /// Scans `buf`, which must start where the section starts and only grow between calls.
    /// Returns the section's length (final empty line included) once it is complete.
    pub(crate) fn scan(
        &mut self,
        buf: &[u8],
        limits: &ScanLimits,
    ) -> Result<Option<usize>, Exceeded> {
        loop {
            let rest = buf.get(self.pos..).unwrap_or_default();
            let Some(found) = memchr2(b'\r', b'\n', rest) else {
                self.pos = buf.len();
                return self.check_partial(buf.len(), limits).map(|()| None);
            };
            let at = self.pos + found;
            let (content_end, next) = if buf[at] == b'\r' {
                match buf.get(at + 1) {
                    None => {
                        // Whether this CR ends the line is known only with the next byte.
                        self.pos = at;
                        return self.check_partial(buf.len(), limits).map(|()| None);
                    }
                    Some(b'\n') => (at, at + 2),
                    Some(_) => {
                        self.bare_cr.get_or_insert(at);
                        self.pos = at + 1;
                        continue;
                    }
                }
            } else {
                // A CR right before this LF would have been found first.
                self.bare_lf.get_or_insert(at);
                (at, at + 1)
            };
            if let Some(end) = self.end_line(content_end, next, limits)? {
                return Ok(Some(end));
            }
        }
    }

    /// A line ended: `content_end` is its CR (or bare LF), `next` the first byte after it.
    fn end_line(
        &mut self,
        content_end: usize,
        next: usize,
        limits: &ScanLimits,
    ) -> Result<Option<usize>, Exceeded> {
        let empty = content_end == self.line_start;
        let is_field = !empty && self.start_line_seen;
        // Bytes of the line before its LF (the CR of a CRLF included).
        let examined = next - 1 - self.line_start;
        let headers_trigger = (is_field && self.field_lines + 1 > limits.fields).then_some(next);
        earliest(
            self.line_trigger(examined, limits),
            self.total_trigger(next, limits),
            headers_trigger.map(|at| (Limit::Headers, at)),
        )?;
        self.pos = next;
        self.line_start = next;
        if empty {
            if self.start_line_seen {
                return Ok(Some(next));
            }
            self.leading_empty = true;
        } else if self.start_line_seen {
            self.field_lines += 1;
        } else {
            self.start_line_seen = true;
        }
        Ok(None)
    }

    fn check_partial(&self, len: usize, limits: &ScanLimits) -> Result<(), Exceeded> {
        earliest(
            self.line_trigger(len - self.line_start, limits),
            self.total_trigger(len, limits),
            None,
        )
    }

    /// The position at which the line-length limit triggers, given how many bytes of the line
    /// (before any LF) have been examined. A CRLF line of `line` content bytes examines
    /// `line + 1` bytes, hence the `+ 1`.
    fn line_trigger(&self, examined: usize, limits: &ScanLimits) -> Option<(Limit, usize)> {
        let limit = if self.start_line_seen {
            Limit::LineBytes
        } else {
            limits.first_line_limit
        };
        (examined > limits.line + 1).then_some((limit, self.line_start + limits.line + 2))
    }

    fn total_trigger(&self, scanned: usize, limits: &ScanLimits) -> Option<(Limit, usize)> {
        (scanned > limits.total).then_some((limits.total_limit, limits.total + 1))
    }
}

/// The condition that became true first; ties go to the first argument.
fn earliest(
    line: Option<(Limit, usize)>,
    total: Option<(Limit, usize)>,
    headers: Option<(Limit, usize)>,
) -> Result<(), Exceeded> {
    let first = [total, line, headers]
        .into_iter()
        .flatten()
        .min_by_key(|(_, trigger)| *trigger);
    match first {
        None => Ok(()),
        Some((limit, trigger)) => Err(Exceeded {
            limit,
            at: trigger - 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ScanLimits {
        ScanLimits {
            total: 64,
            total_limit: Limit::HeadBytes,
            line: 16,
            first_line_limit: Limit::RequestLineBytes,
            fields: 3,
        }
    }

    fn scan_all(input: &[u8]) -> (HeadScanner, Result<Option<usize>, Exceeded>) {
        let mut scanner = HeadScanner::new(Section::Head);
        let result = scanner.scan(input, &limits());
        (scanner, result)
    }

    fn scan_bytewise(input: &[u8]) -> Result<Option<usize>, Exceeded> {
        let mut scanner = HeadScanner::new(Section::Head);
        for end in 1..=input.len() {
            match scanner.scan(&input[..end], &limits()) {
                Ok(None) => {}
                other => return other,
            }
        }
        Ok(None)
    }

    #[test]
    fn finds_the_end_and_notes_irregular_endings() {
        let (scanner, end) = scan_all(b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody");
        assert_eq!(end, Ok(Some(24)));
        assert!(scanner.is_regular());
        assert_eq!(scanner.field_lines(), 1);

        let (scanner, end) = scan_all(b"\r\nGET / HTTP/1.1\nA: b\rc\r\n\n");
        assert_eq!(end, Ok(Some(26)));
        assert!(scanner.leading_empty);
        assert_eq!(scanner.bare_lf, Some(16));
        assert_eq!(scanner.bare_cr, Some(21));
    }

    #[test]
    fn limits_trigger_at_the_same_byte_however_the_input_arrives() {
        let cases: [&[u8]; 4] = [
            b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: 123456789012345\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: 1234567890123\r\nB: 1234567890123\r\nC: 1234567890123\r\n",
        ];
        for case in cases {
            let (_, whole) = scan_all(case);
            assert!(whole.is_err(), "{:?}", case.escape_ascii().to_string());
            assert_eq!(whole, scan_bytewise(case), "{}", case.escape_ascii());
        }
        assert_eq!(
            scan_all(cases[0]).1,
            Err(Exceeded {
                limit: Limit::RequestLineBytes,
                at: 17
            })
        );
        assert_eq!(scan_all(cases[1]).1.unwrap_err().limit, Limit::Headers);
    }

    #[test]
    fn a_line_of_exactly_the_limit_passes() {
        // 16 content bytes on the field line.
        let (_, end) = scan_all(b"GET / HTTP/1.1\r\nA: 1234567890123\r\n\r\n");
        assert!(matches!(end, Ok(Some(_))));
    }
}
