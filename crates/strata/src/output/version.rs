//! `strata version --format json` and `strata version bump --format json`.
//!
//! Stable interfaces (documented in the README): fields are only ever added.

use serde::Serialize;
use strata_project::project_version::Declaration;

/// `strata version --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct VersionJson {
    /// The version, normalized as PEP 440 writes it.
    pub(crate) version: String,
    /// The file that holds it.
    pub(crate) file: String,
    /// The 1-based line of the version in that file.
    pub(crate) line: usize,
    /// Which declaration led there.
    pub(crate) declared_by: Declaration,
}

/// `strata version bump --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct VersionBumpJson {
    /// The version before the run.
    pub(crate) from: String,
    /// The version after it (with `--dry-run`, the one it would write).
    pub(crate) to: String,
    /// The file that holds the version.
    pub(crate) file: String,
    /// The 1-based line of the version in that file.
    pub(crate) line: usize,
    /// Whether the file was rewritten (`false` with `--dry-run`).
    pub(crate) written: bool,
    /// The commit `--commit` made, as its full hash.
    pub(crate) commit: Option<String>,
    /// The tag `--tag` created.
    pub(crate) tag: Option<String>,
}
