//! `strata cache dir|clean|prune --format json`: the cache directory, and what was removed.
//!
//! A stable interface (documented in the README): fields are only ever added.

use serde::Serialize;
use strata_index::cache::CacheSummary;

/// `strata cache dir|clean|prune --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CacheJson {
    /// The cache directory.
    pub(crate) path: String,
    /// `clean` and `prune`: the files removed and the bytes they held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) removed: Option<CacheSummary>,
    /// `prune`: the files left in the cache and their bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) remaining: Option<CacheSummary>,
}
