//! A place in an input file, shown under an error message with a caret under the fault.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file, with the line's text so it can be shown with a caret under the fault.
///
/// Lines and columns are 1-based, as editors count them; the column counts characters, not bytes,
/// so the caret lands under the right character for non-ASCII input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The file, as the user would write it (relative to the project root when inside it).
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column of the first underlined character.
    pub column: usize,
    /// The whole text of the line, without its line ending.
    pub text: String,
    /// How many characters to underline (at least 1).
    pub width: usize,
}

/// Lines longer than this many characters are shown as a window around the fault.
const MAX_SNIPPET_CHARS: usize = 120;
/// How many characters before the fault a window keeps.
const SNIPPET_CONTEXT_CHARS: usize = 20;
impl Snippet {
    /// Builds a snippet from a byte range into `source`.
    ///
    /// A range past the end of the source is clamped to the last line, so a parser that reports
    /// "unexpected end of input" still gets a useful snippet.
    pub fn from_span(path: &Path, source: &str, span: std::ops::Range<usize>) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |index| index + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |index| start + index);
        let line = source[..start].matches('\n').count() + 1;
        let text = source[line_start..line_end].trim_end_matches('\r');
        let column = source[line_start..start].chars().count() + 1;
        let width = source[start..end.min(line_end).max(start)].chars().count();
        Self {
            path: path.to_path_buf(),
            line,
            column,
            text: text.to_string(),
            width: width.max(1),
        }
        .clipped()
    }

    /// Builds a snippet for a whole line given by its 1-based number and text, underlining the
    /// character range `columns` (0-based, in characters, end exclusive).
    pub fn from_line(
        path: &Path,
        line: usize,
        text: &str,
        columns: std::ops::Range<usize>,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            column: columns.start + 1,
            text: text.to_string(),
            width: columns.len().max(1),
        }
        .clipped()
    }

    /// A line longer than [`MAX_SNIPPET_CHARS`] cut to a window that starts a little before the
    /// fault, with `…` where text was cut; the column and width follow the cut. The line number
    /// and the path stay exact, so the user can still find the whole line.
    fn clipped(mut self) -> Self {
        let chars: Vec<char> = self.text.chars().collect();
        if chars.len() <= MAX_SNIPPET_CHARS {
            return self;
        }
        let fault = (self.column - 1).min(chars.len());
        let start = fault.saturating_sub(SNIPPET_CONTEXT_CHARS);
        let end = (start + MAX_SNIPPET_CHARS).min(chars.len());
        let mut text = String::new();
        if start > 0 {
            text.push('…');
        }
        text.extend(&chars[start..end]);
        if end < chars.len() {
            text.push('…');
        }
        self.column = fault - start + 1 + usize::from(start > 0);
        self.width = self.width.min(end.saturating_sub(fault)).max(1);
        self.text = text;
        self
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

fn floor_char_boundary(source: &str, mut index: usize) -> usize {
    while !source.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_fault() {
        let line = format!("{}>=>1 ; {}", "a".repeat(1000), "b".repeat(1000));
        let snippet = Snippet::from_line(Path::new("base.in"), 7, &line, 1000..1003);
        assert_eq!((snippet.line, snippet.width), (7, 3));
        assert!(snippet.text.chars().count() <= MAX_SNIPPET_CHARS + 2);
        assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
        let under: String = snippet
            .text
            .chars()
            .skip(snippet.column - 1)
            .take(snippet.width)
            .collect();
        assert_eq!(under, ">=>");
        // A short line is left whole.
        let snippet = Snippet::from_line(Path::new("base.in"), 1, "numpy>=>1", 5..8);
        assert_eq!((snippet.text.as_str(), snippet.column), ("numpy>=>1", 6));
    }

    #[test]
    fn a_fault_at_the_end_of_a_long_line_stays_in_view() {
        let line = "x".repeat(500);
        let snippet = Snippet::from_span(Path::new("strata.toml"), &line, 500..500);
        assert_eq!(snippet.column, snippet.text.chars().count() + 1);
    }
}
