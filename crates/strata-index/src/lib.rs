//! The package index client: project pages, metadata without downloading wheels, an HTTP cache.
//!
//! strata resolves against a PEP 503/691 index. This crate answers these questions for the
//! resolver and its callers, as cheaply as the index allows:
//!
//! * **Which files does a project have?** [`IndexClient::project`] reads the project's page
//!   (JSON preferred, HTML accepted) from the first configured index that has it (see
//!   [`IndexStrategy`]), through a disk cache that revalidates with `ETag`/`Last-Modified`.
//! * **What does a file require?** [`IndexClient::metadata`] climbs the metadata ladder: PEP 658
//!   files, then HTTP range requests on the wheel (a few KB of a multi-GB file), then a streamed
//!   download, then an sdist's static metadata (`pyproject.toml` or `PKG-INFO`, by uv's rules),
//!   then a PEP 517 build (see the `metadata` module). Results are cached forever, keyed by the
//!   index that listed the file and the file's hash. A fault reading what the index serves is
//!   an error; only metadata pip rejects too ([`ErrorKind::InconsistentMetadata`]) lets a
//!   resolver skip a version, and [`IndexClient::rejected_files`] lists those for a warning.
//! * **What does a wheel let code import?** [`IndexClient::import_names`] reads the wheel's
//!   file list (its zip central directory, with the same range requests, never the whole
//!   wheel) and derives its top-level import names; cached the same way.
//! * **Which commit, and what does it require?** [`IndexClient::git_source`] resolves a git
//!   requirement's reference to the full commit with the machine's `git` (a bare repository and
//!   per-commit checkouts in the cache), and reads the project's metadata there: static
//!   `[project]` or a PEP 517 build of the checkout. Blocking, unlike the rest.
//! * **What does a local directory require?** [`IndexClient::directory_metadata`] reads a
//!   local directory requirement's metadata the same way, once per run and never cached
//!   across runs (a directory has no commit). Blocking too.
//!
//! Which indexes to use is decided by [`config::resolve`], which follows pip's own configuration
//! so strata needs no index URL of its own. Credentials in URLs are used and never shown (see
//! [`redact`]).
//!
//! Everything is async on tokio; the resolver drives it from its fetcher task. This crate does
//! not resolve, install, or keep wheels.
//!
//! ```no_run
//! use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexUrl};
//! # async fn example() -> Result<(), strata_index::Error> {
//! let config = IndexConfig::new(IndexUrl::parse("http://127.0.0.1:8000/simple/").unwrap());
//! let client = IndexClient::new(config, ClientOptions::new("/tmp/strata-cache".into()))?;
//! let numpy = pep508_rs::PackageName::new("numpy".to_string()).unwrap();
//! let listing = client.project(&numpy).await?;
//! let metadata = client.metadata(&numpy, &listing.files[0]).await?;
//! println!("{:?} via {:?}", metadata.metadata.requires_dist, metadata.source);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub use candidates::VersionCandidate;
pub use client::{
    ClientOptions, FetchedMetadata, IndexClient, IndexStrategy, MAX_PAGE_BYTES, MAX_REDIRECTS,
    MetadataSource, ProjectListing, Refresh, Stats,
};
pub use config::{ExplicitIndexes, IndexConfig};
pub use error::{BodyKind, CachedPageUse, Error, ErrorKind, GaveUp, MetadataOrigin};
pub use git::{GitSource, GitUrl, is_full_commit};
pub use index_url::{IndexUrl, RedactedUrl, redact, without_credentials};
pub use simple::{DistFile, FileUrl, RawFile};

mod cache_root;
mod candidates;
mod client;
pub mod config;
mod directory;
mod error;
mod find_links;
mod git;
mod http_cache;
mod index_url;
mod metadata;
mod netrc;
mod once_map;
mod simple;

/// Redacts credentials in a URL given as text, even one too malformed to parse (such as a bad
/// port), since that is exactly the text an error message quotes.
pub fn redact_text(text: &str) -> String {
    if let Ok(url) = url::Url::parse(text) {
        return redact(&url);
    }
    if let Some((scheme, rest)) = text.split_once("://") {
        let authority = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority].rfind('@') {
            return format!("{scheme}://****@{}", &rest[at + 1..]);
        }
    }
    text.to_string()
}

/// Runs async index work to completion from synchronous code, such as a command.
///
/// The runtime is multi-threaded so metadata requests and blocking work (sdist builds, hashing)
/// proceed in parallel.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            ErrorKind::Client(format!("failed to start the async runtime: {error}"))
        })?;
    Ok(runtime.block_on(future))
}

/// Asks the machine's pip which index it uses by default, for the last layer of
/// [`config::resolve`]. `None` when there is no pip or it cannot say.
pub fn pip_default_index(python: &std::path::Path) -> Option<String> {
    let output = std::process::Command::new(python)
        .args([
            "-c",
            "from pip._internal.models.index import PyPI; print(PyPI.simple_url)",
        ])
        .output()
        .ok()?;
    let url = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !url.is_empty()).then_some(url)
}

/// [`pip_default_index`], remembered in the cache for a day per interpreter path.
///
/// Starting Python costs 100 to 300 ms, far more than a warm `strata compile` spends on
/// everything else, and pip's built-in default does not change between pip releases in
/// practice; a day bounds the staleness if it ever does.
pub fn pip_default_index_cached(
    python: &std::path::Path,
    cache_dir: &std::path::Path,
) -> Option<String> {
    const MAX_AGE: u64 = 24 * 3600;
    let path = cache_dir.join("pip-default-index.json");
    let key = python.display().to_string();
    let now = http_cache::store::now();
    if let Ok(text) = fs_err::read_to_string(&path)
        && let Ok(entry) = serde_json::from_str::<serde_json::Value>(&text)
        && entry["python"].as_str() == Some(key.as_str())
        && entry["fetched"]
            .as_u64()
            .is_some_and(|fetched| now.saturating_sub(fetched) < MAX_AGE)
        && let Some(url) = entry["url"].as_str()
    {
        return Some(url.to_string());
    }
    let url = pip_default_index(python)?;
    let entry = serde_json::json!({ "python": key, "url": url, "fetched": now });
    // A cache that cannot be written only costs the next run the same query.
    let _ = strata_fs::write_atomic_unsynced(&path, entry.to_string().as_bytes());
    Some(url)
}

/// Cache maintenance for `strata cache`.
pub mod cache {
    use std::path::Path;

    pub use crate::cache_root::{MARKER, mark, run_lock_path};
    pub use crate::http_cache::CacheSummary;

    /// Entries and bytes in the cache.
    pub fn summary(root: &Path) -> CacheSummary {
        crate::http_cache::Store::new(root.to_path_buf()).summary()
    }

    /// Removes what a killed run left behind (temporary downloads and build directories), and
    /// pages not revalidated and build logs not written in `max_age_days`; metadata and import
    /// names are kept (they never go stale).
    pub fn prune(root: &Path, max_age_days: u64) -> Result<CacheSummary, crate::Error> {
        crate::http_cache::Store::new(root.to_path_buf()).prune(max_age_days)
    }

    /// Removes the whole cache, if `root` is one (see [`mark`]): a directory that holds what
    /// strata never writes, and has no [`MARKER`], is refused and left as it is.
    pub fn clean(root: &Path) -> Result<CacheSummary, crate::Error> {
        crate::cache_root::ensure_removable(root)?;
        let before = summary(root);
        match fs_err::remove_dir_all(root) {
            Ok(()) => Ok(before),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(CacheSummary::default())
            }
            Err(source) => Err(crate::ErrorKind::Io {
                path: root.to_path_buf(),
                source,
            }
            .into()),
        }
    }
}
