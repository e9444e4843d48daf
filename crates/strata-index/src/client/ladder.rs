//! Climbing the metadata ladder for one file, and reading a wheel's import names.
//!
//! The rungs themselves (PEP 658 file, ranges, stream, sdist, build) are described and
//! implemented in [`crate::metadata`]; this module decides which to try for a given file and
//! turns what they find into a cached answer. It is here, not there, because every rung but the
//! local ones needs the client: its requests, retries, permits, counters and the pages this run
//! reused from the cache.
//!
//! **The cache first, and keyed by index.** A file's metadata never changes under its hash, so
//! it is read from the cache before anything else (unless `--refresh` covers the package) and
//! written there once, as a small canonical document of the fields a resolver reads. The key is
//! the index that listed the file and the hash that index gives (see [`metadata_key`]).
//!
//! **Faults of the index are errors, not fallbacks.** A PEP 658 file whose bytes do not match
//! the hash the page advertises, or metadata that does not parse, fails the file; climbing to
//! the next rung would hide a broken or tampered index. Only what pip rejects too (metadata
//! naming another package or version than the filename, a `Requires-Dist` that is no
//! requirement) is [`ErrorKind::InconsistentMetadata`], which lets the resolver skip the version,
//! and the client remembers it for a warning. Nothing is cached from a failed read. Each error
//! says what was tried and where (see [`located`]), and, when the page it came from was reused
//! from the cache, carries that page so its hints can name `--refresh-package`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use pep508_rs::PackageName;
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use strata_dist::{DistFilename, Metadata};
use url::Url;

use super::{Expect, Fetched, FetchedMetadata, HttpRangeReader, Inner, MetadataSource};
use crate::error::{BodyKind, Error, ErrorKind};
use crate::index_url::{IndexUrl, RedactedUrl};
use crate::metadata::{self, RangeError};
use crate::simple::DistFile;

/// Cache key of what is read from a file (its metadata, its import names): the index that
/// listed it, then its sha256 (or a hash of its URL when the index gives none). A file no index
/// listed (`find-links`, a direct URL) stands for itself, by its URL.
///
/// The sha256 is the index's claim, not a check: metadata read through range requests or a
/// PEP 658 file is never compared with the whole file. Keyed by the hash alone, an index that
/// lists another index's genuine hash beside a file of its own making would have its metadata
/// served for the genuine file to everyone sharing the cache; keyed by index, it can only
/// mislead its own users, who get the same from it without a cache.
pub(super) fn metadata_key(file: &DistFile) -> String {
    let file_part = match &file.sha256 {
        Some(sha256) => sha256.clone(),
        None => format!(
            "url-{}",
            crate::http_cache::store::short_hash(
                crate::index_url::without_credentials(&file.url).as_str()
            )
        ),
    };
    match &file.index {
        Some(index) => index_key(index, &file_part),
        None => format!(
            "{}/{file_part}",
            crate::http_cache::store::short_hash(
                crate::index_url::without_credentials(&file.url).as_str()
            )
        ),
    }
}

/// The cache key of `file_part` (a sha256) as listed by `index`.
pub(super) fn index_key(index: &IndexUrl, file_part: &str) -> String {
    format!(
        "{}/{file_part}",
        crate::http_cache::store::short_hash(
            crate::index_url::without_credentials(index.url()).as_str()
        )
    )
}

impl Inner {
    /// Where a metadata build runs: the client's Python, pip taking the build requirements
    /// from the client's indexes, in `work_dir`, logs kept in the cache.
    pub(super) fn build_environment(
        &self,
        work_dir: &std::path::Path,
    ) -> strata_build::BuildEnvironment {
        strata_build::BuildEnvironment {
            python: self.options.python.clone(),
            sources: strata_build::PipSources {
                index_url: Some(self.config.index_url.url().to_string()),
                extra_index_urls: self.config.pip_extra_index_urls(),
                find_links: self.config.find_links.clone(),
            },
            work_dir: work_dir.to_path_buf(),
            log_dir: self.store.root().join("build-logs"),
        }
    }

    pub(super) async fn fetch_metadata(
        &self,
        package: &PackageName,
        file: &DistFile,
        key: String,
    ) -> Result<FetchedMetadata, Error> {
        if !self.refreshes(package)
            && let Some(bytes) = self.store.read_metadata(&key)
            && let Ok(metadata) = Metadata::parse(&bytes)
        {
            self.counters
                .metadata_cached
                .fetch_add(1, Ordering::Relaxed);
            return Ok(FetchedMetadata {
                metadata: Arc::new(metadata),
                source: MetadataSource::Cache,
                bytes: 0,
            });
        }
        if self.options.offline {
            return Err(ErrorKind::OfflineMiss {
                what: format!("the metadata of `{}`", file.name()),
            }
            .into());
        }
        let before = self.counters.bytes.load(Ordering::Relaxed);
        let read = self
            .metadata_from_ladder(package, file)
            .await
            .and_then(|(metadata, source)| {
                consistent(package, file, &metadata)?;
                Ok((metadata, source))
            });
        let (metadata, source) = match read {
            Ok(read) => read,
            Err(error) => {
                if matches!(error.kind(), ErrorKind::InconsistentMetadata { .. })
                    && let Ok(mut rejected) = self.rejected.lock()
                {
                    rejected.push(error.clone());
                }
                return Err(self.noted(package, error));
            }
        };
        self.store
            .write_metadata(&key, canonical_metadata(&metadata).as_bytes())?;
        self.counters
            .metadata_fetched
            .fetch_add(1, Ordering::Relaxed);
        Ok(FetchedMetadata {
            metadata: Arc::new(metadata),
            source,
            bytes: self
                .counters
                .bytes
                .load(Ordering::Relaxed)
                .saturating_sub(before),
        })
    }

    async fn metadata_from_ladder(
        &self,
        package: &PackageName,
        file: &DistFile,
    ) -> Result<(Metadata, MetadataSource), Error> {
        let parse = |bytes: &[u8]| {
            Metadata::parse(bytes).map_err(|error| -> Error {
                if matches!(
                    error.kind(),
                    strata_dist::MetadataErrorKind::InvalidRequiresDist { .. }
                ) {
                    // pip discards such a file too (its `MetadataInvalid`).
                    return ErrorKind::InconsistentMetadata {
                        package: package.clone(),
                        version: file.filename.version().clone(),
                        filename: file.name(),
                        reason: format!("does not parse: {error}"),
                    }
                    .into();
                }
                ErrorKind::Metadata {
                    filename: file.name(),
                    reason: error.to_string(),
                    origin: None,
                }
                .into()
            })
        };
        let at = |url: &Url, tried: &'static str| {
            let url = url.clone();
            move |error: Error| located(error, package, &url, tried)
        };
        let local_path = (file.url.scheme() == "file")
            .then(|| file.url.to_file_path().ok())
            .flatten();
        match &file.filename {
            DistFilename::Wheel(wheel) => {
                if let Some(path) = local_path {
                    let local = at(&file.url, "the local wheel");
                    let bytes =
                        metadata::range::wheel_metadata_from_file(&path, wheel).map_err(&local)?;
                    return Ok((parse(&bytes).map_err(local)?, MetadataSource::Local));
                }
                if let Some(expected) = &file.core_metadata {
                    let url = Url::parse(&format!("{}.metadata", file.url))
                        .expect("a URL plus a suffix is a URL");
                    if let Fetched::Body(response) = self
                        .fetch(
                            &url,
                            HeaderMap::new(),
                            Some(package),
                            Expect::Whole(
                                BodyKind::MetadataFile,
                                metadata::range::MAX_METADATA_SIZE,
                            ),
                        )
                        .await?
                        && response.status.is_success()
                    {
                        let pep658 = at(&url, "its PEP 658 metadata file");
                        if let Some(expected) = expected {
                            let actual = hex_sha256(&response.body);
                            // A fault of the index like unreadable metadata: never used, and
                            // reported with the package it was read for; the page may be a
                            // stale one from the cache, and the error then says so.
                            if !expected.eq_ignore_ascii_case(&actual) {
                                return Err(self.with_reused_page(
                                    package,
                                    pep658(
                                        ErrorKind::Metadata {
                                            filename: file.name(),
                                            reason: format!(
                                                "the page advertises sha256 `{expected}` for it, \
                                             what was served has `{actual}`"
                                            ),
                                            origin: None,
                                        }
                                        .into(),
                                    ),
                                ));
                            }
                        }
                        return Ok((
                            parse(&response.body).map_err(pep658)?,
                            MetadataSource::Pep658,
                        ));
                    }
                }
                let reader = HttpRangeReader {
                    inner: self,
                    url: &file.url,
                    package,
                };
                let ranges = at(&file.url, "HTTP range requests on the wheel");
                match metadata::range::wheel_metadata(&reader, wheel).await {
                    Ok(bytes) => Ok((parse(&bytes).map_err(ranges)?, MetadataSource::Range)),
                    Err(RangeError::Failed(error)) => Err(ranges(error)),
                    Err(RangeError::Unsupported) => {
                        let download = self.download(file, package).await?;
                        let whole = at(&file.url, "a download of the whole wheel");
                        let bytes =
                            metadata::range::wheel_metadata_from_file(download.path(), wheel)
                                .map_err(&whole)?;
                        Ok((parse(&bytes).map_err(whole)?, MetadataSource::Stream))
                    }
                }
            }
            DistFilename::SourceDist(sdist) => {
                let download;
                let path = if let Some(path) = local_path {
                    path
                } else {
                    download = self.download(file, package).await?;
                    download.path().to_path_buf()
                };
                if let Some(metadata) = metadata::sdist::static_metadata(&path, sdist)
                    .map_err(at(&file.url, "the static metadata of the sdist"))?
                {
                    return Ok((metadata, MetadataSource::SdistPkgInfo));
                }
                let work_dir = tempfile::Builder::new()
                    .prefix("build-")
                    .tempdir_in(self.store.temp_dir()?)
                    .map_err(|source| ErrorKind::Io {
                        path: self.store.root().join("tmp"),
                        source,
                    })?;
                let environment = self.build_environment(work_dir.path());
                let filename = sdist.to_string();
                let sdist = sdist.clone();
                let bytes = tokio::task::spawn_blocking(move || {
                    strata_build::build_metadata(&path, &sdist, &environment)
                })
                .await
                .map_err(|error| ErrorKind::Client(format!("the build task failed: {error}")))?
                .map_err(|error| build_error(filename, error))?;
                drop(work_dir);
                let built = at(&file.url, "a build of the sdist");
                Ok((parse(&bytes).map_err(built)?, MetadataSource::Build))
            }
        }
    }

    pub(super) async fn fetch_import_names(
        &self,
        package: &PackageName,
        file: &DistFile,
        key: String,
    ) -> Result<Vec<String>, Error> {
        let DistFilename::Wheel(wheel) = &file.filename else {
            return Err(ErrorKind::ImportNames {
                filename: file.name(),
                reason: "only a wheel lists the files it installs; a source distribution \
                         would have to be built"
                    .to_string(),
            }
            .into());
        };
        if !self.refreshes(package)
            && let Some(names) = self.store.read_import_names(&key)
        {
            return Ok(names);
        }
        if self.options.offline {
            return Err(ErrorKind::OfflineMiss {
                what: format!("the import names of `{}`", file.name()),
            }
            .into());
        }
        let local_path = (file.url.scheme() == "file")
            .then(|| file.url.to_file_path().ok())
            .flatten();
        let entries = if let Some(path) = local_path {
            metadata::range::wheel_entry_names_from_file(&path, wheel)?
        } else {
            let reader = HttpRangeReader {
                inner: self,
                url: &file.url,
                package,
            };
            match metadata::range::wheel_entry_names(&reader, wheel).await {
                Ok(entries) => entries,
                Err(RangeError::Failed(error)) => return Err(self.noted(package, error)),
                Err(RangeError::Unsupported) => {
                    return Err(ErrorKind::RangeUnsupported {
                        url: RedactedUrl::new(&file.url),
                        filename: file.name(),
                    }
                    .into());
                }
            }
        };
        let names = strata_dist::top_level_import_names(entries.iter().map(String::as_str));
        self.store.write_import_names(&key, &names)?;
        Ok(names)
    }
}

/// Adds where and how metadata that could not be read was read to its error.
fn located(error: Error, package: &PackageName, url: &Url, tried: &'static str) -> Error {
    match error.kind() {
        ErrorKind::Metadata {
            filename,
            reason,
            origin: None,
        } => ErrorKind::Metadata {
            filename: filename.clone(),
            reason: reason.clone(),
            origin: Some(Box::new(crate::error::MetadataOrigin {
                package: package.clone(),
                url: RedactedUrl::new(url),
                tried,
            })),
        }
        .into(),
        _ => error,
    }
}

/// Checks what pip checks of a file's metadata before using it: the name and version its
/// filename promises (a local label the filename lacks is allowed, as uv allows it).
fn consistent(package: &PackageName, file: &DistFile, metadata: &Metadata) -> Result<(), Error> {
    let version = file.filename.version();
    let reason = if &metadata.name != package {
        format!("names the package `{}`", metadata.name)
    } else if metadata.version != *version && metadata.version.clone().without_local() != *version {
        format!("says version `{}`", metadata.version)
    } else {
        return Ok(());
    };
    Err(ErrorKind::InconsistentMetadata {
        package: package.clone(),
        version: version.clone(),
        filename: file.name(),
        reason,
    }
    .into())
}

fn hex_sha256(bytes: &[u8]) -> String {
    crate::http_cache::store::hex(&Sha256::digest(bytes))
}

/// The metadata as a small canonical core-metadata document: what the cache stores.
///
/// Only the fields a resolver reads are kept, so a warm run parses a few lines instead of a
/// README-sized `METADATA`.
fn canonical_metadata(metadata: &Metadata) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "Metadata-Version: 2.2\nName: {}\nVersion: {}\n",
        metadata.name, metadata.version
    );
    if let Some(requires_python) = &metadata.requires_python {
        let _ = writeln!(out, "Requires-Python: {requires_python}");
    }
    for extra in &metadata.provides_extra {
        let _ = writeln!(out, "Provides-Extra: {extra}");
    }
    // As written, not as parsed: the parse is lenient and repeatable, and tools that print
    // requirements (pip check, so `strata check`) print them as the package wrote them.
    for written in &metadata.requires_dist_written {
        let _ = writeln!(out, "Requires-Dist: {written}");
    }
    for field in &metadata.dynamic {
        let _ = writeln!(out, "Dynamic: {field}");
    }
    out
}

/// A failed metadata build as the index client reports it: the sdist, the backend's last
/// lines and the kept log.
pub(crate) fn build_error(filename: String, error: strata_build::Error) -> Error {
    match error.into_kind() {
        strata_build::ErrorKind::Failed { output, log, .. } => ErrorKind::Build {
            filename,
            output,
            log,
        },
        strata_build::ErrorKind::Io { path, source } => ErrorKind::Io { path, source },
        // A metadata build reports its other failures as failed steps.
        other => ErrorKind::Client(other.to_string()),
    }
    .into()
}
