//! What a run produces per profile: the lock carved out of its group's resolution, its text,
//! what changed against the lock on disk, and the warnings the solve left.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_project::{ProfileName, Project};
use strata_resolve::{Edge, Resolution};

use super::error::LockError;
use super::feedback::EngineHold;
use super::{lock_path, profile_targets, pylock_path};
use crate::fingerprint::Fingerprint;
use strata_lockfile::Lock;
use strata_lockfile::requirements_txt;

/// The outcome for one profile or engine.
#[derive(Debug, Clone)]
pub enum ProfileOutcome {
    /// Its lock is current; nothing was resolved.
    Unchanged,
    /// Resolved; the new lock text, and what changed against the old lock.
    Locked {
        /// The full `requirements.txt` content.
        text: String,
        /// The full `pylock.toml` content, unless the project turned it off.
        pylock: Option<String>,
        /// Packages in the lock.
        packages: usize,
        /// Changes against the existing lock.
        changes: strata_lockfile::LockDiff,
        /// What the solve accepted with a warning, for the user (an extra a locked version
        /// does not provide, a yanked version a requirement pins).
        warnings: Vec<String>,
        /// The lines of the lock it replaces that strata did not write (edited by hand), each
        /// as `file:line: what`; empty when that lock was as strata wrote it.
        edited: Vec<String>,
        /// The pins of this lock an engine moved (see [`EngineHold`]); its header says the same.
        held: Vec<EngineHold>,
    },
    /// Not locked, on purpose, with the reason (an engine whose index is unavailable).
    Skipped(String),
    /// Failed (with `keep_going`); the message says why. Its old lock is kept.
    Failed(String),
}

/// One profile's or engine's result.
#[derive(Debug, Clone)]
pub struct ProfileLock {
    /// The profile or engine.
    pub name: ProfileName,
    /// Where its `requirements.txt` lock lives.
    pub path: PathBuf,
    /// Where its `pylock.toml` lives.
    pub pylock_path: PathBuf,
    /// What happened.
    pub outcome: ProfileOutcome,
}

pub(crate) fn failed(project: &Project, name: &ProfileName, error: &LockError) -> ProfileLock {
    let mut message = error.to_string();
    if let LockError::Resolve { source, .. } = error {
        message = format!("{message}: {source}");
    }
    ProfileLock {
        name: name.clone(),
        path: lock_path(project, name),
        pylock_path: pylock_path(project, name),
        outcome: ProfileOutcome::Failed(message),
    }
}

/// The part of each target's resolution the profile's own effective requirements reach, as
/// one lock: for several targets, their per-target locks merged with markers (see
/// [`strata_lockfile::targets`]).
pub(crate) fn profile_lock(
    project: &Project,
    name: &ProfileName,
    resolutions: &[(strata_dist::Target, Resolution)],
    fingerprint: &Fingerprint,
) -> Result<Lock, LockError> {
    let parts: Vec<(strata_dist::Target, Lock)> = resolutions
        .iter()
        .map(|(target, resolution)| {
            (
                target.clone(),
                target_lock(project, name, resolution, target),
            )
        })
        .collect();
    let mut lock = match parts.as_slice() {
        [(_, only)] => only.clone(),
        _ => strata_lockfile::targets::merge(&parts).map_err(|error| LockError::Target {
            profile: name.to_string(),
            reason: error.to_string(),
        })?,
    };
    let targets: Vec<strata_dist::Target> = resolutions
        .iter()
        .map(|(target, _)| target.clone())
        .collect();
    lock.header = strata_lockfile::header::profile_lines(
        name.as_str(),
        &targets,
        fingerprint.as_str(),
        &fingerprint.inputs_line(),
    );
    Ok(lock)
}

/// The part of `resolution` (for `target`) the profile's own effective requirements reach, as
/// a lock without a header.
///
/// A hierarchy's resolution is the union of its profiles, so it holds edges that only a sibling
/// walks: the reach follows the top-level requirements of this profile alone, and an edge a
/// package brings in under one of its extras only when this profile reaches that extra
/// (a sibling's `transformers[sentencepiece]` does not give this profile's bare `transformers`
/// its `sentencepiece`).
fn target_lock(
    project: &Project,
    name: &ProfileName,
    resolution: &Resolution,
    target: &strata_dist::Target,
) -> Lock {
    let effective = project.effective_requirements(name);
    // As written, the way the group's solve took each requirement once.
    let own: HashSet<String> = effective
        .iter()
        .map(|effective| effective.requirement.requirement.to_string())
        .collect();
    let reached = reach(resolution, &own, &target.markers());
    let walks = |edge: &Edge| match &edge.from {
        Some(from) => reached.get(from).is_some_and(|extras| {
            edge.from_extra
                .as_ref()
                .is_none_or(|extra| extras.contains(extra))
        }),
        None => own.contains(&edge.requirement.to_string()),
    };
    let subset = Resolution {
        packages: resolution
            .packages
            .iter()
            .filter_map(|(package, resolved)| {
                let extras = reached.get(package)?;
                let mut resolved = resolved.clone();
                resolved.extras.retain(|extra| extras.contains(extra));
                Some((package.clone(), resolved))
            })
            .collect(),
        edges: resolution
            .edges
            .iter()
            .filter(|edge| walks(edge))
            .cloned()
            .collect(),
        // Only an engine's solve has any, and an engine's lock is its whole solve.
        provided: resolution.provided.clone(),
    };
    let mut lock = crate::lock_from_resolution(
        &subset,
        effective.iter().map(|effective| effective.requirement),
        Some(name),
        true,
    );
    lock.options = crate::index_options(Some(project), &[], &subset, Some(&project.lock_dir));
    lock
}

/// Every package of `resolution` that the top-level requirements in `own` reach, with the
/// extras of it they reach: a walk over (package, extra) nodes, where an edge that a package
/// brings in under an extra is followed only from that extra's node.
pub(crate) fn reach(
    resolution: &Resolution,
    own: &HashSet<String>,
    markers: &pep508_rs::MarkerEnvironment,
) -> HashMap<PackageName, BTreeSet<ExtraName>> {
    let mut reached: HashMap<PackageName, BTreeSet<ExtraName>> = HashMap::new();
    let mut visited: HashSet<(PackageName, Option<ExtraName>)> = HashSet::new();
    let mut stack: Vec<(PackageName, Option<ExtraName>)> = Vec::new();
    let push = |stack: &mut Vec<(PackageName, Option<ExtraName>)>, requirement: &Requirement| {
        stack.push((requirement.name.clone(), None));
        for extra in &requirement.extras {
            stack.push((requirement.name.clone(), Some(extra.clone())));
        }
    };
    for edge in resolution
        .edges
        .iter()
        .filter(|edge| edge.from.is_none() && own.contains(&edge.requirement.to_string()))
    {
        push(&mut stack, &edge.requirement);
    }
    while let Some(node) = stack.pop() {
        if !visited.insert(node.clone()) {
            continue;
        }
        let (package, extra) = node;
        let Some(resolved) = resolution.packages.get(&package) else {
            continue;
        };
        let extras = reached.entry(package.clone()).or_default();
        if let Some(extra) = &extra {
            extras.insert(extra.clone());
        }
        for edge in resolution
            .edges
            .iter()
            .filter(|edge| edge.from.as_ref() == Some(&package) && edge.from_extra == extra)
        {
            push(&mut stack, &edge.requirement);
        }
        // An extra that requires other extras of its own package (`pkg[all]` -> `pkg[a,b]`):
        // the solution has no edge for it, the metadata says it.
        let active: Vec<ExtraName> = extra.iter().cloned().collect();
        for requirement in resolved
            .metadata
            .requires_dist
            .iter()
            .filter(|requirement| {
                requirement.name == package
                    && requirement.evaluate_markers(markers, &active)
                    && (extra.is_none() || !requirement.evaluate_markers(markers, &[]))
            })
        {
            push(&mut stack, requirement);
        }
    }
    reached
}

/// Renders `lock` into its files; records in `lock`'s header the digest the text was sealed
/// with (an engine's fingerprint covers the digests of its parents' locks). `edited` are the
/// lines of the lock it replaces that strata did not write.
pub(crate) fn locked_outcome(
    project: &Project,
    name: &ProfileName,
    lock: &mut Lock,
    existing: Option<&Lock>,
    edited: Vec<String>,
) -> Result<ProfileOutcome, LockError> {
    let text = requirements_txt::write(lock);
    lock.header
        .retain(|line| !line.starts_with(strata_lockfile::integrity::DIGEST_PREFIX));
    if let Some(digest) = strata_lockfile::integrity::recorded_digest(
        &text,
        strata_lockfile::integrity::FileKind::Requirements,
    ) {
        lock.header.push(format!(
            "{}{digest}",
            strata_lockfile::integrity::DIGEST_PREFIX
        ));
    }
    Ok(ProfileOutcome::Locked {
        text,
        pylock: if project.pylock {
            let base = super::pylock_base(project, true);
            let mut pylock = lock.clone();
            pylock.rebase_directories(|path| strata_lockfile::rebase_directory_path(path, &base));
            Some(strata_lockfile::pylock_toml::write(
                &pylock,
                &profile_targets(project, name)?,
            ))
        } else {
            None
        },
        packages: lock.packages.len(),
        changes: strata_lockfile::LockDiff::between(existing, lock),
        warnings: Vec::new(),
        edited,
        held: Vec::new(),
    })
}

/// Adds the warnings of `resolution` about the packages of `lock` to `outcome`: each profile
/// says what concerns its own lock.
pub(crate) fn add_warnings(outcome: &mut ProfileOutcome, resolution: &Resolution, lock: &Lock) {
    if let ProfileOutcome::Locked { warnings, .. } = outcome {
        for package in &lock.packages {
            if let Some(resolved) = resolution.packages.get(&package.name) {
                // Another target's resolution of the same lock may have said it already.
                for warning in resolved
                    .missing_extra_warnings()
                    .into_iter()
                    .chain(resolved.yanked_warning())
                {
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
            }
        }
    }
}
