//! Solving one request for several targets, one version per package wherever one fits all.
//!
//! A profile declared for Linux CI and macOS laptops gets one lock valid on both
//! ([`strata_lockfile::targets`] writes it). The solve is one per target, which keeps every
//! target's answer exactly what `strata compile --python-platform` would give for it; what
//! makes them one lock is that they agree where they can. uv's universal resolution gets there
//! by forking one solve on markers; here the per-target solves are reconciled:
//!
//! 1. Each target is solved with the existing lock's pins for it as preferences (a relock keeps
//!    what it can, per target, as a single-target lock does).
//! 2. A package the targets pin at different versions is offered to every target at the lowest
//!    of those versions (the one most likely to fit them all: a newest release that dropped a
//!    platform, a Python the newest no longer supports), as a preference; targets whose pin
//!    differs are solved again with it. Where it fits, they now agree; where it does not, the
//!    target keeps its own version and the lock forks there, with markers.
//!
//! Step 2 repeats while it changes something, a few rounds at most.

use std::collections::{BTreeMap, HashMap};

use pep440_rs::Version;
use pep508_rs::PackageName;
use strata_dist::Target;
use strata_resolve::{Resolution, ResolveError, ResolveRequest, Resolver, Upgrade};

/// How many times forked packages are offered to every target again.
const MAX_AGREEMENT_ROUNDS: usize = 3;

/// The inputs one target's solve takes from the lock on disk.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetPreferences {
    /// Versions to prefer (the existing lock's, for this target).
    pub(crate) versions: HashMap<PackageName, Version>,
    /// Direct URLs the existing lock pins (a git commit to keep).
    pub(crate) locked_urls: HashMap<PackageName, String>,
}

/// A solve that failed, and for which target.
pub(crate) struct TargetFailure {
    /// The target, when the request had several (else the message needs no target).
    pub(crate) target: Option<Target>,
    /// Boxed: the `Err` of every solve here.
    pub(crate) error: Box<ResolveError>,
}

/// Solves `request` for every one of `targets` (the request's own target is replaced), with
/// `preferences(target)` from the lock on disk. Returns one resolution per target, in order.
pub(crate) fn resolve_for_targets(
    resolver: &Resolver,
    request: &ResolveRequest,
    targets: &[Target],
    preferences: &dyn Fn(&Target) -> TargetPreferences,
) -> Result<Vec<(Target, Resolution)>, TargetFailure> {
    let several = targets.len() > 1;
    let solve = |target: &Target,
                 versions: HashMap<PackageName, Version>,
                 locked_urls: HashMap<PackageName, String>,
                 upgrade: Upgrade|
     -> Result<Resolution, TargetFailure> {
        let mut one = request.clone();
        one.target = target.clone();
        one.preferences.extend(versions);
        one.locked_urls.extend(locked_urls);
        one.upgrade = upgrade;
        resolver.resolve(&one).map_err(|error| TargetFailure {
            target: several.then(|| target.clone()),
            error: Box::new(error),
        })
    };
    let mut solved: Vec<(Target, Resolution)> = Vec::with_capacity(targets.len());
    for target in targets {
        let wanted = preferences(target);
        let resolution = solve(
            target,
            wanted.versions,
            wanted.locked_urls,
            request.upgrade.clone(),
        )?;
        solved.push((target.clone(), resolution));
    }
    for _ in 0..MAX_AGREEMENT_ROUNDS {
        let common = lowest_of_forked(&solved);
        if common.is_empty() {
            break;
        }
        let mut changed = false;
        for (target, resolution) in &mut solved {
            let differs = common.iter().any(|(name, version)| {
                resolution
                    .packages
                    .get(name)
                    .is_some_and(|package| &package.version != version)
            });
            if !differs {
                continue;
            }
            // This target's own answer, with the common versions offered instead. The upgrade
            // already happened in the first solve: what it chose is now the preference.
            let mut versions: HashMap<PackageName, Version> = resolution
                .packages
                .iter()
                .filter(|(_, package)| package.direct_url.is_none())
                .map(|(name, package)| (name.clone(), package.version.clone()))
                .collect();
            versions.extend(
                common
                    .iter()
                    .map(|(name, version)| (name.clone(), version.clone())),
            );
            let locked_urls = resolution
                .packages
                .iter()
                .filter_map(|(name, package)| Some((name.clone(), package.direct_url.clone()?)))
                .collect();
            let again = solve(target, versions, locked_urls, Upgrade::None)?;
            let before: Vec<(&PackageName, &Version)> = resolution
                .packages
                .iter()
                .map(|(name, package)| (name, &package.version))
                .collect();
            let after: Vec<(&PackageName, &Version)> = again
                .packages
                .iter()
                .map(|(name, package)| (name, &package.version))
                .collect();
            if before != after {
                changed = true;
                *resolution = again;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(solved)
}

/// For every index package the resolutions pin at more than one version, the lowest of them.
fn lowest_of_forked(solved: &[(Target, Resolution)]) -> BTreeMap<PackageName, Version> {
    let mut versions: BTreeMap<&PackageName, Vec<&Version>> = BTreeMap::new();
    for (_, resolution) in solved {
        for (name, package) in &resolution.packages {
            if package.direct_url.is_none() {
                versions.entry(name).or_default().push(&package.version);
            }
        }
    }
    versions
        .into_iter()
        .filter(|(_, versions)| versions.iter().any(|version| *version != versions[0]))
        .filter_map(|(name, versions)| Some((name.clone(), (*versions.iter().min()?).clone())))
        .collect()
}
