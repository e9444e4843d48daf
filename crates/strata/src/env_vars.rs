//! Every environment variable strata reads, in one place.
//!
//! Reading the environment anywhere else is disallowed, so this list is complete, and the README
//! configuration reference is written from it.

/// Disables colour in all output when set to any non-empty value (<https://no-color.org>).
pub(crate) const NO_COLOR: &str = "NO_COLOR";

/// Looks a variable up. The one place strata reads the process environment.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
