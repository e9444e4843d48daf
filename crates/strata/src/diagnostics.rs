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
//! a blank line. Hints come from the library error's `hints()`, never from message text.

use std::fmt::Write;

use strata_diagnostic::{Diagnostic, Snippet};

use crate::printer::{DIM, ERROR, HINT};

/// Renders `error` with its chain, snippet and hints.
pub(crate) fn render(error: &anyhow::Error) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{ERROR}error{ERROR:#}: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(out, "  {DIM}Caused by:{DIM:#} {cause}");
    }
    let project_error = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<strata_project::Error>());
    let is_lock_failure = error.chain().any(|cause| {
        cause
            .downcast_ref::<crate::commands::LockFailure>()
            .is_some()
    });
    let resolve_error = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<strata_resolve::ResolveError>());
    // An index error inside a resolve error is transparent: the chain skips it, so its hints
    // come from the resolve error.
    if !is_lock_failure && let Some(resolve_error) = resolve_error {
        let hints = resolve_error.hints();
        if !hints.is_empty() {
            out.push('\n');
        }
        for hint in hints {
            let _ = writeln!(out, "{HINT}hint{HINT:#}: {hint}");
        }
    }
    if let Some(failure) = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<crate::commands::LockFailure>())
    {
        let hints = failure.0.hints();
        if !hints.is_empty() {
            out.push('\n');
        }
        for hint in hints {
            let _ = writeln!(out, "{HINT}hint{HINT:#}: {hint}");
        }
        return out;
    }
    let index_error = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<strata_index::Error>());
    if resolve_error.is_none()
        && let Some(index_error) = index_error
    {
        let hints = index_error.hints();
        if !hints.is_empty() {
            out.push('\n');
        }
        for hint in hints {
            let _ = writeln!(out, "{HINT}hint{HINT:#}: {hint}");
        }
    }
    if let Some(project_error) = project_error {
        if let Some(snippet) = project_error.snippet() {
            out.push_str(&render_snippet(&snippet));
        }
        let hints = project_error.hints();
        if !hints.is_empty() {
            out.push('\n');
        }
        for hint in hints {
            let _ = writeln!(out, "{HINT}hint{HINT:#}: {hint}");
        }
    }
    if let Some(snippet) = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<strata_contracts::Error>())
        .and_then(Diagnostic::snippet)
    {
        out.push_str(&render_snippet(&snippet));
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
