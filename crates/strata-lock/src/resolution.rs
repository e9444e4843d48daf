//! A resolution written down as a [`Lock`]: the one bridge from the solver's answer to the lock
//! format, so that `strata-lockfile` never depends on the solver.

use std::collections::{BTreeSet, HashMap};

use pep508_rs::PackageName;
use strata_lockfile::{Lock, LockedFile, LockedPackage};
use strata_project::{Origin, ProfileName, SourcedRequirement};
use strata_resolve::Resolution;

/// Builds a lock from a resolution.
///
/// `top_level` are the requirements the solve started from: where each was written gives the
/// `# via` lines of what it names ([`via_source`]), for `profile` when the lock is a profile's.
/// With `hashes` false, no hash is recorded.
pub fn lock_from_resolution<'a>(
    resolution: &Resolution,
    top_level: impl IntoIterator<Item = &'a SourcedRequirement>,
    profile: Option<&ProfileName>,
    hashes: bool,
) -> Lock {
    let mut sources: HashMap<&PackageName, BTreeSet<String>> = HashMap::new();
    for sourced in top_level {
        sources
            .entry(&sourced.requirement.name)
            .or_default()
            .insert(via_source(&sourced.origin, profile));
    }
    let packages = resolution
        .packages
        .values()
        .map(|package| {
            let mut via: BTreeSet<String> = BTreeSet::new();
            for edge in resolution
                .edges
                .iter()
                .filter(|edge| edge.to == package.name)
            {
                match &edge.from {
                    Some(parent) => {
                        via.insert(parent.to_string());
                    }
                    None => via.extend(
                        sources
                            .get(&edge.requirement.name)
                            .into_iter()
                            .flatten()
                            .cloned(),
                    ),
                }
            }
            let hashes = if hashes {
                let mut all: Vec<String> = package
                    .files
                    .iter()
                    .filter_map(|file| file.sha256.clone())
                    .collect();
                all.sort();
                all.dedup();
                all
            } else {
                Vec::new()
            };
            let mut files: Vec<LockedFile> = package
                .files
                .iter()
                .filter_map(|file| {
                    Some(LockedFile {
                        filename: file.name(),
                        url: strata_index::without_credentials(&file.url).to_string(),
                        size: file.size,
                        sha256: file.sha256.clone()?,
                        is_wheel: matches!(file.filename, strata_dist::DistFilename::Wheel(_)),
                    })
                })
                .collect();
            files.sort_by(|a, b| a.filename.cmp(&b.filename));
            let mut dependencies: Vec<PackageName> = resolution
                .edges
                .iter()
                .filter(|edge| edge.from.as_ref() == Some(&package.name))
                .map(|edge| edge.to.clone())
                .collect();
            dependencies.sort();
            dependencies.dedup();
            LockedPackage {
                name: package.name.clone(),
                version: package.version.clone(),
                extras: package.extras.clone(),
                url: package.direct_url.clone(),
                hashes,
                via: via.into_iter().collect(),
                files,
                requires_python: package
                    .metadata
                    .requires_python
                    .as_ref()
                    .map(ToString::to_string),
                dependencies,
                index: if package.direct_url.is_none() {
                    package
                        .files
                        .iter()
                        .find_map(|file| file.index.as_ref())
                        .map(|index| strata_index::without_credentials(index.url()).to_string())
                } else {
                    None
                },
                line: None,
                requested_revision: package.requested_revision.clone(),
                editable: package.editable,
                // One resolution is for one target; `strata_lockfile::targets` adds markers.
                marker: pep508_rs::MarkerTree::TRUE,
            }
        })
        .collect();
    Lock {
        header: Vec::new(),
        options: Vec::new(),
        packages,
    }
}

/// The `# via` line of a top-level requirement, as pip-tools writes it: `-r path` for a line of
/// a requirements file, `path (profile)` for a manifest entry (the profile says which table),
/// else the origin itself (`extra:vllm`, `group:dev`, a version file).
pub fn via_source(origin: &Origin, profile: Option<&ProfileName>) -> String {
    match (origin, profile) {
        (Origin::File { path, .. }, _) => format!("-r {}", path.display()),
        (Origin::Manifest { path, .. }, Some(profile)) => {
            format!("{} ({profile})", path.display())
        }
        (other, _) => other.to_string(),
    }
}
