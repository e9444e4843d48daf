//! The import names an engine brings, read from the locks: what the engine rule of
//! `strata contracts` keeps out of host code when the manifest does not list them.
//!
//! An engine's own packages are the pins of its lock that no plain profile's lock has (the
//! host environments never hold them: torch, vllm, xformers, ...). Their import names come from
//! the wheels themselves, the top-level entries of each wheel's file list, read from the index
//! with range requests and cached ([`IndexClient::import_names`]), and found again by the
//! lock's hashes without asking the index anything: `opencv-python-headless` is `cv2`,
//! `scikit-learn` is `sklearn`. A package the index cannot answer for (an sdist-only
//! release, a server without ranges, offline without a cache) falls back to its distribution
//! name with `-` as `_`, and is named in [`EngineImports::guessed`].
//!
//! Import names are top-level names, so a namespace an engine's distribution shares with a
//! host's (`google` of protobuf and of google-auth) counts as the engine's: telling them apart
//! would take the host wheels' file lists too. Projects where that matters declare
//! `engine-packages`.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use pep508_rs::PackageName;
use strata_dist::Target;
use strata_index::IndexClient;
use strata_project::{ProfileName, Project};

use crate::project_lock::{lock_path, profile_target};
use strata_lockfile::{Lock, LockedPackage};

/// The engine packages' import names, derived from the locks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineImports {
    /// Every import name, sorted.
    pub names: Vec<String>,
    /// Per engine with a lock: the distributions it brings (not in any plain profile's lock).
    pub by_engine: Vec<(ProfileName, Vec<PackageName>)>,
    /// Engines without a lock, represented by their own distribution name.
    pub unlocked: Vec<ProfileName>,
    /// Distributions whose import names were guessed from their name, with why.
    pub guessed: Vec<(PackageName, String)>,
}

/// Derives the engine packages' import names from the project's locks; `None` when no engine
/// has a lock (the caller keeps the names derived from the manifest alone).
pub async fn engine_imports(
    client: &IndexClient,
    project: &Project,
    concurrency: usize,
) -> Option<EngineImports> {
    let read = |name: &ProfileName| -> Option<Lock> {
        let text = fs_err::read_to_string(lock_path(project, name)).ok()?;
        strata_lockfile::requirements_txt::read(&text).ok()
    };
    let host: HashSet<PackageName> = project
        .plain_profiles()
        .filter_map(|profile| read(&profile.name))
        .flat_map(|lock| lock.packages.into_iter().map(|package| package.name))
        .collect();
    let mut result = EngineImports::default();
    let mut brought: Vec<(LockedPackage, Target)> = Vec::new();
    let mut seen: HashSet<PackageName> = HashSet::new();
    for engine in project.engines() {
        let (Some(lock), Ok(target)) = (read(&engine.name), profile_target(project, &engine.name))
        else {
            result.unlocked.push(engine.name.clone());
            if let Some(details) = &engine.engine {
                brought_by_name(&mut result, &details.package);
            }
            continue;
        };
        let own: Vec<LockedPackage> = lock
            .packages
            .into_iter()
            .filter(|package| !host.contains(&package.name))
            .collect();
        result.by_engine.push((
            engine.name.clone(),
            own.iter().map(|package| package.name.clone()).collect(),
        ));
        for package in own {
            if seen.insert(package.name.clone()) {
                brought.push((package, target.clone()));
            }
        }
    }
    if result.by_engine.is_empty() {
        return None;
    }
    // One answer first, alone: when the index cannot be reached at all (an air-gapped CI
    // without `--offline`), every other package is guessed at once instead of each waiting
    // through its own retries.
    let unreachable = AtomicBool::new(false);
    let mut answers = Vec::with_capacity(brought.len());
    if let Some((package, target)) = brought.first() {
        answers.push(answer(client, package, target, &unreachable).await);
    }
    answers.extend(
        futures::stream::iter(brought.iter().skip(1))
            .map(|(package, target)| answer(client, package, target, &unreachable))
            .buffer_unordered(concurrency.max(1))
            .collect::<Vec<_>>()
            .await,
    );
    let mut names: BTreeSet<String> = result.names.drain(..).collect();
    for (package, answer) in answers {
        match answer {
            Ok(found) => names.extend(found),
            Err(reason) => {
                names.insert(guess(&package));
                result.guessed.push((package, reason));
            }
        }
    }
    result.guessed.sort();
    result.names = names.into_iter().collect();
    Some(result)
}

/// The import names of one pin: from the cache by one of its hashes, else from the index
/// unless an earlier answer found the index unreachable.
async fn answer(
    client: &IndexClient,
    package: &LockedPackage,
    target: &Target,
    unreachable: &AtomicBool,
) -> (PackageName, Result<Vec<String>, String>) {
    // The lock's hashes name the files: a cached answer for one of them needs no listing of
    // the project at all.
    let cached = package
        .hashes
        .iter()
        .find_map(|sha256| client.cached_import_names(sha256));
    let answer = match cached {
        Some(names) => Ok(names),
        None if unreachable.load(Ordering::Relaxed) => {
            Err("the index could not be reached".to_string())
        }
        None => import_names(client, package, target)
            .await
            .map_err(|error| {
                if matches!(error.kind(), strata_index::ErrorKind::Network { .. }) {
                    unreachable.store(true, Ordering::Relaxed);
                }
                error.to_string()
            }),
    };
    (package.name.clone(), answer)
}

/// An unlocked engine stands for its own distribution, by its name.
fn brought_by_name(result: &mut EngineImports, package: &PackageName) {
    result.names.push(guess(package));
}

/// `tensorrt-llm` -> `tensorrt_llm`: right for most distributions, wrong for some (`cv2`).
fn guess(package: &PackageName) -> String {
    package.as_ref().replace(['-', '.'], "_")
}

/// The import names of a pin's wheel: the file the lock pins (by hash) when the index lists
/// it, else the wheel pip would pick for the target.
async fn import_names(
    client: &IndexClient,
    package: &LockedPackage,
    target: &Target,
) -> Result<Vec<String>, strata_index::Error> {
    let listing = client.project(&package.name).await?;
    let candidates = listing.versions(target);
    let missing = |reason: String| -> strata_index::Error {
        strata_index::ErrorKind::ImportNames {
            filename: format!("{}=={}", package.name, package.version),
            reason,
        }
        .into()
    };
    let candidate = candidates
        .iter()
        .find(|candidate| candidate.version == package.version)
        .ok_or_else(|| missing(format!("the index has no version {}", package.version)))?;
    // The wheel the lock pins, else the one pip would pick: any wheel lists the same files.
    let file = crate::inspect::pinned_file(candidate, &package.hashes, true)
        .or(candidate.best_wheel)
        .ok_or_else(|| {
            missing(format!(
                "version {} has no wheel for {target}",
                package.version
            ))
        })?;
    client.import_names(&package.name, file).await
}
