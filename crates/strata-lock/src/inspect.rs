//! A lock read back for inspection: each pin's requirements, from the index's metadata (or the
//! cache), and the versions the index offers — what `strata check`, `tree` and `why` need to
//! treat a lock as an environment that is not installed yet.
//!
//! The metadata comes from the file the lock itself pins when the lock has hashes (the index
//! file whose sha256 is one of the pin's), else from the file pip would pick on the target. A
//! pin the index cannot explain (the version is gone, no file matches its hashes, the metadata
//! cannot be read or names another version) is kept with the reason, so one bad pin does not
//! hide the rest.
//!
//! **What the cache may answer.** The verdict on a lock must not depend on what the cache holds.
//! A metadata entry stored under a sha256 proves what that file requires, and nothing about
//! whether the index offers that file as the pinned `name==version`: a lock pinning
//! `numpy==2.1.1` with 1.26.4's hashes, or a version that was never published with a real
//! version's hashes, finds metadata under those hashes once any lock run has cached them. So
//! every pin is first matched against the project's listing on the index (the version must be
//! there, and one of the pin's hashes must be a file of that version), and only then is the
//! metadata of that file read, from the cache when it has it. The metadata must also name the
//! pinned package and version, so an entry that does not belong to the pin is never used.
//!
//! Staying fast is the HTTP cache's job, with the same rules a lock run follows: a listing is
//! reused without a request while the index's `Cache-Control` says it is fresh, and revalidated
//! (`ETag`/`Last-Modified`, a `304` of a few hundred bytes) once it is not; metadata under a
//! hash the listing names is never fetched twice. A second look at a lock thus costs reading
//! its pages and metadata from disk, or a round of revalidations when the index asked for them;
//! `--refresh` revalidates every page. Only the packages whose versions are asked for
//! ([`Lookup::versions_of`]) get [`PinnedMetadata::available`] filled.

use std::collections::{BTreeSet, HashSet};

use futures::StreamExt;
use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_dist::Target;
use strata_index::{DistFile, IndexClient, VersionCandidate};

use strata_lockfile::{Lock, LockedPackage};

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
    /// The file the metadata was read from; absent for a pin the index cannot explain.
    pub file: Option<String>,
    /// The line of the lock the pin is on, when the lock was read from a file.
    pub line: Option<usize>,
    /// Every version the index offers that could be installed on the target (not yanked, files
    /// that fit, `Requires-Python` allowing it), newest first; empty for a direct URL pin.
    pub available: Vec<Version>,
}

/// What [`pinned_metadata`] asks the index for.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Pins whose installable versions to report in [`PinnedMetadata::available`] (others get
    /// an empty list).
    pub versions_of: Vec<PackageName>,
    /// Pins read at a time (the client's own limits apply below this).
    pub concurrency: usize,
    /// The directory a local directory pin's relative path starts from: the project root for
    /// a profile's `requirements.txt` lock, the lock file's directory for a `pylock.toml`.
    /// `None`: the current directory.
    pub directory_root: Option<std::path::PathBuf>,
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
                let (requires_dist, file, mut available) =
                    read_one(client, package, target, lookup.directory_root.as_deref()).await;
                let version = if package.is_vcs() && requires_dist.is_ok() {
                    available.pop().unwrap_or_else(|| package.version.clone())
                } else {
                    package.version.clone()
                };
                if !list {
                    available = Vec::new();
                }
                PinnedMetadata {
                    name: package.name.clone(),
                    version,
                    extras: package.extras.clone(),
                    requested,
                    requires_dist,
                    file,
                    line: package.line,
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

async fn read_one(
    client: &IndexClient,
    package: &LockedPackage,
    target: &Target,
    directory_root: Option<&std::path::Path>,
) -> ReadOne {
    if let Some(path) = package.url.as_deref().filter(|_| package.is_directory()) {
        // Read again, as a relock reads it: a directory has no commit to pin its metadata.
        let root = directory_root.unwrap_or(std::path::Path::new("."));
        let absolute = std::path::absolute(root.join(path)).unwrap_or_else(|_| root.join(path));
        return match client.directory_metadata(&package.name, &absolute) {
            Ok(metadata) => (
                Ok(requirements(&metadata)),
                Some(path.to_string()),
                Vec::new(),
            ),
            Err(error) => (Err(error.to_string()), None, Vec::new()),
        };
    }
    if let Some(Ok(git)) = package
        .url
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .as_ref()
        .and_then(strata_index::GitUrl::parse)
    {
        // The pin's commit, usually checked out in the cache already: no network, a short
        // block of this worker.
        let commit = git.rev().filter(|rev| strata_index::is_full_commit(rev));
        return match client.git_source(&package.name, &git, commit) {
            // The version is the checkout's (a `.txt` lock does not write it): passed as the
            // only "available" one, which `pinned_metadata` takes out again.
            Ok(source) => (
                Ok(requirements(&source.metadata)),
                Some(source.pinned_url()),
                vec![source.metadata.version.clone()],
            ),
            Err(error) => (Err(error.to_string()), None, Vec::new()),
        };
    }
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
            let hashes = match package.hashes.len() {
                1 => "the lock's hash".to_string(),
                count => format!("any of the lock's {count} hashes"),
            };
            format!(
                "no file of version {} on the index has {hashes}",
                package.version
            )
        };
        return (Err(reason), None, available);
    };
    let requires_dist = match client.metadata(&package.name, file).await {
        Ok(fetched) => belongs_to(&fetched.metadata, package, file),
        Err(error) => Err(error.to_string()),
    };
    (requires_dist, Some(file.name()), available)
}

/// The requirements in `metadata`, when it is the metadata of the pinned name and version (a
/// cache entry or an index file that says otherwise cannot tell what the pin requires).
fn belongs_to(
    metadata: &strata_dist::Metadata,
    package: &LockedPackage,
    file: &DistFile,
) -> Result<Vec<(Requirement, String)>, String> {
    if metadata.name == package.name && metadata.version == package.version {
        Ok(requirements(metadata))
    } else {
        Err(format!(
            "the metadata of `{}` is {} {}, not {} {}",
            file.name(),
            metadata.name,
            metadata.version,
            package.name,
            package.version
        ))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_of_another_version_does_not_tell_what_a_pin_requires() {
        let lock =
            strata_lockfile::requirements_txt::read("numpy==2.1.1 \\\n    --hash=sha256:aa\n")
                .unwrap();
        let pin = &lock.packages[0];
        let url =
            url::Url::parse("http://127.0.0.1:1/files/numpy-1.26.4-py3-none-any.whl").unwrap();
        let file = DistFile::from_direct_url(&pin.name, &url).unwrap();
        let parse = |version: &str| {
            strata_dist::Metadata::parse(
                format!(
                    "Metadata-Version: 2.2\nName: numpy\nVersion: {version}\nRequires-Dist: six\n"
                )
                .as_bytes(),
            )
            .unwrap()
        };
        assert_eq!(
            belongs_to(&parse("1.26.4"), pin, &file).unwrap_err(),
            "the metadata of `numpy-1.26.4-py3-none-any.whl` is numpy 1.26.4, not numpy 2.1.1"
        );
        let requires = belongs_to(&parse("2.1.1"), pin, &file).unwrap();
        assert_eq!(requires[0].1, "six");
        assert_eq!(pin.line, Some(1));
    }
}
