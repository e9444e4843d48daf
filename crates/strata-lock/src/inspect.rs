//! A lock read back for inspection: each pin's requirements, from the index's metadata (or the
//! cache), and the versions the index offers — what `strata check`, `tree` and `why` need to
//! treat a lock as an environment that is not installed yet.
//!
//! The metadata comes from the file the lock itself pins when the lock has hashes (the index
//! file whose sha256 is one of the pin's), else from the file pip would pick on the target.
//! When the cache already holds the metadata of one of a pin's hashes, that is used without
//! asking the index at all (metadata never changes under a hash), which makes a second look at
//! a lock a matter of milliseconds; only the packages whose versions are asked for
//! ([`Lookup::versions_of`]) are listed. A pin the index cannot explain (the version is gone, no
//! file matches its hashes, the metadata cannot be read) is kept with the reason, so one bad pin
//! does not hide the rest.

use std::collections::{BTreeSet, HashSet};

use futures::StreamExt;
use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_dist::Target;
use strata_index::{DistFile, IndexClient, VersionCandidate};

use crate::model::{Lock, LockedPackage};

/// One pin of a lock, with what the index says about it.
#[derive(Debug, Clone)]
pub struct PinnedMetadata {
    /// The pinned distribution.
    pub name: PackageName,
    /// Its pinned version.
    pub version: Version,
    /// The extras the lock installs it with (`name[extra]==...`).
    pub extras: BTreeSet<ExtraName>,
    /// Whether a top-level requirement asked for it: a `# via` entry that is not another pin
    /// (`-r requirements.in`, a profile's file).
    pub requested: bool,
    /// Its `Requires-Dist`, each with the text the package wrote, or why they could not be
    /// read.
    pub requires_dist: Result<Vec<(Requirement, String)>, String>,
    /// The file the metadata was read from; absent when the cache answered by hash.
    pub file: Option<String>,
    /// Every version the index offers that could be installed on the target (not yanked, files
    /// that fit, `Requires-Python` allowing it), newest first; empty for a direct URL pin.
    pub available: Vec<Version>,
}

/// What [`pinned_metadata`] asks the index for.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Pins to list on the index, for [`PinnedMetadata::available`] (others get an empty list).
    pub versions_of: Vec<PackageName>,
    /// Ask the index for every pin, even when the cache has its metadata (`--refresh`: the
    /// version may have been removed since).
    pub refresh: bool,
    /// Pins read at a time (the client's own limits apply below this).
    pub concurrency: usize,
}

/// Reads the metadata of every pin of `lock` for `target`, in lock order.
pub async fn pinned_metadata(
    client: &IndexClient,
    lock: &Lock,
    target: &Target,
    lookup: &Lookup,
) -> Vec<PinnedMetadata> {
    let pinned: HashSet<&PackageName> = lock.packages.iter().map(|package| &package.name).collect();
    futures::stream::iter(&lock.packages)
        .map(|package| {
            let requested = package.via.iter().any(|via| {
                PackageName::new(via.clone()).map_or(true, |name| !pinned.contains(&name))
            });
            let list = lookup.versions_of.contains(&package.name);
            async move {
                let cached = if list || lookup.refresh || package.url.is_some() {
                    None
                } else {
                    package
                        .hashes
                        .iter()
                        .find_map(|sha256| client.cached_metadata(sha256))
                };
                let (requires_dist, file, available) = match cached {
                    Some(metadata) => (Ok(requirements(&metadata)), None, Vec::new()),
                    None => read_one(client, package, target).await,
                };
                PinnedMetadata {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    extras: package.extras.clone(),
                    requested,
                    requires_dist,
                    file,
                    available,
                }
            }
        })
        .buffered(lookup.concurrency.max(1))
        .collect()
        .await
}

type ReadOne = (
    Result<Vec<(Requirement, String)>, String>,
    Option<String>,
    Vec<Version>,
);

fn requirements(metadata: &strata_dist::Metadata) -> Vec<(Requirement, String)> {
    metadata
        .requires_dist
        .iter()
        .cloned()
        .zip(metadata.requires_dist_written.iter().cloned())
        .collect()
}

async fn read_one(client: &IndexClient, package: &LockedPackage, target: &Target) -> ReadOne {
    if let Some(url) = &package.url {
        let file = url::Url::parse(url)
            .map_err(|error| error.to_string())
            .and_then(|url| DistFile::from_direct_url(&package.name, &url));
        return match file {
            Ok(file) => {
                let name = file.name();
                let metadata = client.metadata(&package.name, &file).await;
                (
                    metadata
                        .map(|fetched| requirements(&fetched.metadata))
                        .map_err(|error| error.to_string()),
                    Some(name),
                    Vec::new(),
                )
            }
            Err(reason) => (Err(format!("`{url}`: {reason}")), None, Vec::new()),
        };
    }
    let listing = match client.project(&package.name).await {
        Ok(listing) => listing,
        Err(error) => return (Err(error.to_string()), None, Vec::new()),
    };
    let candidates = listing.versions(target);
    let available = candidates
        .iter()
        .filter(|candidate| candidate.is_installable() && !candidate.yanked)
        .map(|candidate| candidate.version.clone())
        .collect();
    let Some(candidate) = candidates
        .iter()
        .find(|candidate| candidate.version == package.version)
    else {
        return (
            Err(format!("the index has no version {}", package.version)),
            None,
            available,
        );
    };
    let file = pinned_file(candidate, &package.hashes, false);
    let Some(file) = file else {
        let reason = if package.hashes.is_empty() {
            format!("no file of version {} fits {target}", package.version)
        } else {
            format!(
                "none of the lock's {} hashes is a file of version {} on the index",
                package.hashes.len(),
                package.version
            )
        };
        return (Err(reason), None, available);
    };
    let metadata = client.metadata(&package.name, file).await;
    (
        metadata
            .map(|fetched| requirements(&fetched.metadata))
            .map_err(|error| error.to_string()),
        Some(file.name()),
        available,
    )
}

/// The file of `candidate` a lock pins: with `hashes`, the preferred file when its hash is
/// among them, else any file (any wheel, with `wheels_only`) with a pinned hash; without
/// hashes, the preferred file (the best wheel, with `wheels_only`).
pub(crate) fn pinned_file<'c>(
    candidate: &'c VersionCandidate<'_>,
    hashes: &[String],
    wheels_only: bool,
) -> Option<&'c DistFile> {
    let preferred = if wheels_only {
        candidate.best_wheel
    } else {
        candidate.preferred_file()
    };
    if hashes.is_empty() {
        return preferred;
    }
    let pinned = |file: &&DistFile| {
        file.sha256
            .as_ref()
            .is_some_and(|sha256| hashes.contains(sha256))
    };
    preferred.filter(pinned).or_else(|| {
        candidate
            .files
            .iter()
            .copied()
            .filter(|file| {
                !wheels_only || matches!(file.filename, strata_dist::DistFilename::Wheel(_))
            })
            .find(pinned)
    })
}
