//! Rendering errors for people: `error:`, the causes, the input snippet, then hints.
//!
//! ```text
//! error: Invalid requirement `numpy>=>1`: Expected a version, found `>1`
//!   --> requirements/in/base.in:3:8
//!    |
//!  3 | numpy>=>1
//!    |        ^^
//!
//! hint: ...
//! ```
//!
//! The layout follows uv's: one `Caused by:` line per source in the chain, then the hints after
//! a blank line.
//!
//! The snippet and the hints come from the library error's `Diagnostic` impl, never from message
//! text, and this module knows no library's error type. A library error carries its diagnostic
//! into an `anyhow` chain in a `Diagnosed` wrapper, which this module finds by one downcast; the
//! outermost one speaks for the chain, since an error that wraps another already decides which
//! of the inner one's hints apply (a failed lock adds its own to the resolver's).
//!
//! The wrapper is put on where the library error leaves typed code, by `.diagnosed()` before the
//! `?` (`Project::load(path, &env).diagnosed()?`). That one extension method, rather than a
//! wrapper per library entry point, because the crossings are ordinary calls spread over the
//! commands, and a forgotten one costs only the hints and snippet: the message, the causes and
//! the exit code are the same, and the CLI tests' snapshots of each error path show the
//! difference.

use std::fmt::Write;

use strata_diagnostic::{Diagnosed, Snippet};

use crate::printer::{DIM, ERROR, HINT, WARNING};

/// How a rendered error is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// The command fails with it.
    Error,
    /// The command recovers from it and goes on (a `bump` that tries the next release), but
    /// the user should still read why.
    Warning,
}

/// Renders `error` with its chain, snippet and hints, as an `error:`.
pub(crate) fn render(error: &anyhow::Error) -> String {
    render_as(Severity::Error, error)
}

/// Renders `error` with its chain, snippet and hints, labelled as `severity` says.
pub(crate) fn render_as(severity: Severity, error: &anyhow::Error) -> String {
    let mut out = String::new();
    let _ = match severity {
        Severity::Error => writeln!(out, "{ERROR}error{ERROR:#}: {error}"),
        Severity::Warning => writeln!(out, "{WARNING}warning{WARNING:#}: {error}"),
    };
    for cause in error.chain().skip(1) {
        let _ = writeln!(out, "  {DIM}Caused by:{DIM:#} {cause}");
    }
    if let Some(diagnostic) = Diagnosed::outermost(error.chain()) {
        if let Some(snippet) = diagnostic.snippet() {
            out.push_str(&render_snippet(&snippet));
        }
        let hints = diagnostic.hints();
        if !hints.is_empty() {
            out.push('\n');
        }
        for hint in hints {
            let _ = writeln!(out, "{HINT}hint{HINT:#}: {hint}");
        }
    }
    out
}

/// Draws the offending line with a caret under the fault, rustc-style.
fn render_snippet(snippet: &Snippet) -> String {
    let number = snippet.line.to_string();
    let gutter = " ".repeat(number.len());
    let mut out = String::new();
    let _ = writeln!(out, "{gutter}{DIM}-->{DIM:#} {snippet}");
    let _ = writeln!(out, "{gutter} {DIM}|{DIM:#}");
    let _ = writeln!(out, "{number} {DIM}|{DIM:#} {}", snippet.text);
    let padding = " ".repeat(snippet.column.saturating_sub(1));
    let carets = "^".repeat(snippet.width);
    let _ = writeln!(
        out,
        "{gutter} {DIM}|{DIM:#} {padding}{ERROR}{carets}{ERROR:#}"
    );
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_bad_pylock_toml_is_drawn_under_its_message() {
        let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"numpy\"\nversion = \"one\"\n";
        let error =
            crate::commands::parse_lock(text, Path::new("locks/base.pylock.toml")).unwrap_err();
        let rendered = anstream::adapter::strip_str(&render(&error)).to_string();
        assert_eq!(
            rendered,
            "error: Invalid pylock.toml `locks/base.pylock.toml` at line 5: package `numpy`: \
             expected version to start with a number, but no leading ASCII digits were found
 --> locks/base.pylock.toml:5:11
  |
5 | version = \"one\"
  |           ^^^^^
"
        );
    }
}
