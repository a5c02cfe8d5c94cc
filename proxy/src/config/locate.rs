//! From a byte offset in the configuration text to what a person needs to find the spot:
//! line, column and the dotted key path (`clusters.api.timeouts.connect`).
//!
//! `toml`'s errors carry a span but keep their key path private, and the checks made after
//! deserialising have only spans; so the path is found by walking the spanned document to the
//! innermost key whose key or value covers the offset.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, ConfigErrorKind};

/// A configuration text and its file name, to turn spans into located errors.
pub(crate) struct Source<'t> {
    text: &'t str,
    file: &'t Path,
    doc: Spanned<DeTable<'t>>,
}

impl<'t> Source<'t> {
    /// Parses `text`; an error here is a TOML syntax error.
    pub(crate) fn new(text: &'t str, file: &'t Path) -> Result<Self, toml::de::Error> {
        Ok(Source {
            text,
            file,
            doc: DeTable::parse(text)?,
        })
    }

    pub(crate) fn file(&self) -> &'t Path {
        self.file
    }

    /// An error at `span`, its key path found from the document.
    pub(crate) fn error(
        &self,
        span: Range<usize>,
        kind: ConfigErrorKind,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = line_column(self.text, span.start);
        let error = ConfigError::new(kind, self.file, message).at(line, column);
        match self.key_path(span.start) {
            Some(path) => error.with_key(path),
            None => error,
        }
    }

    /// The 1-based line of a byte offset, for messages that refer to another place.
    pub(crate) fn line(&self, offset: usize) -> usize {
        line_column(self.text, offset).0
    }

    /// The same as [`Source::error`], as the `FILE:LINE:COLUMN: KEY: MESSAGE` text of a warning.
    pub(crate) fn warning(&self, span: Range<usize>, message: impl Into<String>) -> String {
        self.error(span, ConfigErrorKind::Conflict, message)
            .to_string()
    }

    /// The dotted path of the innermost key covering `offset`, if any.
    pub(crate) fn key_path(&self, offset: usize) -> Option<String> {
        let mut path = String::new();
        table_path(self.doc.get_ref(), offset, &mut path).then_some(path)
    }
}

/// Appends the path below `table` to `path`; false when no key of `table` covers `offset`.
fn table_path(table: &DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table {
        let restore = path.len();
        push_key(path, key.get_ref());
        if key.span().contains(&offset) || value_path(value, offset, path) {
            return true;
        }
        path.truncate(restore);
    }
    false
}

/// Appends the path inside `value`; true when `value` covers `offset` (tables defined by
/// `[headers]` have spans that do not cover their keys, so containers are searched first).
fn value_path(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) -> bool {
    match value.get_ref() {
        DeValue::Table(table) if table_path(table, offset, path) => return true,
        DeValue::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                let restore = path.len();
                path.push_str(&format!("[{index}]"));
                if value_path(element, offset, path) {
                    return true;
                }
                path.truncate(restore);
            }
        }
        _ => {}
    }
    value.span().contains(&offset)
}

/// Appends `key`, quoted when it is not a bare TOML key (so that `clusters."a.b"` stays one).
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        path.push_str(key);
    } else {
        path.push_str(&format!("{key:?}"));
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_at(text: &str, needle: &str) -> Option<String> {
        let offset = text.find(needle).unwrap();
        Source::new(text, Path::new("t.toml"))
            .unwrap()
            .key_path(offset)
    }

    #[test]
    fn paths_through_headers_arrays_and_inline_tables() {
        let text =
            "a = 1\n[b.c]\nd = \"x\"\n[[e]]\nf = 1\n[[e]]\ng = { h = [1, 22] }\n[\"i.j\"]\nk = 3\n";
        assert_eq!(path_at(text, "1\n").as_deref(), Some("a"));
        assert_eq!(path_at(text, "\"x\"").as_deref(), Some("b.c.d"));
        assert_eq!(path_at(text, "f =").as_deref(), Some("e[0].f"));
        assert_eq!(path_at(text, "22").as_deref(), Some("e[1].g.h[1]"));
        assert_eq!(path_at(text, "k =").as_deref(), Some("\"i.j\".k"));
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 5), (1, 1));
        // Inside a multi-byte character: the character's own column.
        assert_eq!(line_column("é", 1), (1, 1));
    }
}
