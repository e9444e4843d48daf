//! `strata build --format json`.
//!
//! Stable interface (documented in the README): fields are only ever added.

use std::path::Path;

use serde::Serialize;
use strata_build::check::Checked;

use crate::commands::display_path;

/// `strata build --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct BuildJson {
    /// The sdist built, if one was asked for.
    pub(crate) sdist: Option<Artifact>,
    /// The wheel built, if one was asked for.
    pub(crate) wheel: Option<Artifact>,
    /// The build lock the backend's environment was installed from.
    pub(crate) build_lock: String,
    /// Whether this build wrote the build lock (it was missing, stale, or `--upgrade`).
    pub(crate) build_lock_written: bool,
    /// Build environments made in the cache by this build.
    pub(crate) environments_created: usize,
    /// Build environments reused from the cache.
    pub(crate) environments_reused: usize,
}

/// One distribution written to the output directory.
#[derive(Debug, Serialize)]
pub(crate) struct Artifact {
    /// Where it was written.
    pub(crate) path: String,
    /// The project, normalized.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// The sha256 of the file, hex.
    pub(crate) sha256: String,
    /// Its size in bytes.
    pub(crate) size: u64,
}

impl Artifact {
    pub(crate) fn new(checked: &Checked, out_dir: &Path) -> Self {
        Self {
            path: display_path(&out_dir.join(&checked.filename)),
            name: checked.name.to_string(),
            version: checked.version.to_string(),
            sha256: checked.sha256.clone(),
            size: checked.size,
        }
    }
}
