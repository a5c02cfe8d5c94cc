//! The report's renderings. Each is a pure function from a [`Report`] to text; the caller
//! writes the file.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;

use crate::error::Error;
use crate::model::Report;

/// A rendering of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// The report itself, pretty-printed ([`json::render`]).
    Json,
    /// Markdown for a pull request or a wiki ([`markdown::render`]).
    Markdown,
    /// A self-contained HTML page ([`html::render`]).
    Html,
    /// JUnit XML for CI ([`junit::render`]).
    Junit,
}

impl Format {
    /// Every format, in the order the CLI writes them.
    pub const ALL: [Format; 4] = [Format::Json, Format::Html, Format::Markdown, Format::Junit];

    /// The name the CLI takes: `json`, `md`, `html`, `junit`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Junit => "junit",
        }
    }

    /// The file name suffix: `.json`, `.md`, `.html`, `.junit.xml`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Markdown => ".md",
            Format::Html => ".html",
            Format::Junit => ".junit.xml",
        }
    }

    /// The format named `name` (see [`Format::name`]; `markdown` and `xml` are accepted too).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "junit" | "xml" => Some(Format::Junit),
            _ => None,
        }
    }

    /// Renders `report` in this format.
    pub fn render(self, report: &Report) -> Result<String, Error> {
        match self {
            Format::Json => json::render(report),
            Format::Markdown => Ok(markdown::render(report)),
            Format::Html => Ok(html::render(report)),
            Format::Junit => Ok(junit::render(report)),
        }
    }
}

/// Text with control characters other than tab and line breaks written as `\xHH`: they mean
/// nothing to a reader, and XML 1.0 forbids them outright.
pub(crate) fn visible_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let is_hidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if !text.contains(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            let code = u32::from(c);
            if code <= 0xff {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{Format, visible_controls};

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("pdf"), None);
    }

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            visible_controls("a\u{1}b\tc\n\u{7f}\u{85}\u{ffff}"),
            "a\\x01b\tc\n\\x7f\\x85\\u{ffff}"
        );
        assert_eq!(visible_controls("plain"), "plain");
    }
}
