//! `strata bump --format json`: what happened to the engine's version file and its lock.
//!
//! A stable interface (documented in the README): fields are only ever added.

use serde::Serialize;

/// How a bump ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum BumpStatus {
    /// The version file was rewritten (and the engine relocked, unless `--no-lock`).
    Bumped,
    /// Nothing to do: the engine is already at `--to`, or at the newest release.
    Current,
    /// Newer releases exist, but the engine's own requirements allow none of them.
    Held,
    /// No release tried could be locked: the version file is back as it was and the locks are
    /// untouched.
    Reverted,
}

/// `strata bump --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct BumpJson {
    pub(crate) engine: String,
    /// The engine's distribution.
    pub(crate) package: String,
    /// The version in the version file before the run.
    pub(crate) from: String,
    /// The version the run moved to; when it was reverted, the first (newest) it tried; `null`
    /// when there was none to move to.
    pub(crate) to: Option<String>,
    /// Where the version is written: `file (key)`, as `strata outdated` says it.
    pub(crate) version_file: String,
    pub(crate) status: BumpStatus,
    /// Whether the engine was relocked (`false` with `--no-lock`, or when nothing changed).
    pub(crate) relocked: bool,
    /// The versions whose relock was tried, in order: `--to`'s, or the releases the engine's
    /// requirements allow, newest first, until one locked (at most five); empty when nothing
    /// was relocked.
    pub(crate) tried: Vec<String>,
    /// The relock's summary, one row per lock, as `strata lock --format json` lists `locks`.
    pub(crate) locks: Vec<serde_json::Value>,
    /// When no release tried locked: the older releases the engine's requirements allow that
    /// were not tried, newest first (at most five), to try with `--to`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) older_allowed: Vec<String>,
}
