//! Engines: each solved alone on its parents' pins (or apart from them), all at the same time.
//!
//! **Upstream images.** An engine that runs in an upstream image whose package set was captured
//! (`image = { upstream = ..., packages = FILE }`) is solved with every package of that image
//! fixed at its captured version, as installed and opaque ([`strata_resolve::Provided`]): the
//! lock then holds only what the image lacks, and lists the image's packages it relies on in
//! its header. A capture taken from another image than the engine's current one is an error:
//! never a lock against the wrong image. A parent pin the image contradicts is a conflict like
//! any other between an engine and its parents (the image's version is what the engine needs):
//! by default it moves the hierarchy's pin to the image's version, with
//! `move-parent-pins = false` it is reported, and `isolated-from-parent` drops the parents'
//! pins.

use std::collections::HashMap;
use std::sync::Arc;

use pep508_rs::{PackageName, Requirement};
use strata_project::{ImagePackages, IndexUnavailable, ProfileName, Project};
use strata_resolve::{Provided, ProvidedPackage, ResolveRequest, Resolver};

use super::error::LockError;
use super::feedback::engine_feedback;
use super::freshness::{Freshness, OnDisk, freshness, on_disk};
use super::outcome::{ProfileLock, ProfileOutcome, add_warnings, locked_outcome, profile_lock};
use super::{LockOptions, ResolverSource, lock_path, pinned, profile_target, pylock_path, upgrade};
use crate::fingerprint::Fingerprint;
use strata_lockfile::Lock;

/// The locks of `engine`'s ancestors as its one target reads them: a parent locked for several
/// targets pins, for the engine, only the lines its markers select on the engine's target.
pub(crate) fn pins_for_engine(
    project: &Project,
    engine: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) -> HashMap<ProfileName, Lock> {
    let target = profile_target(project, engine).ok();
    project
        .ancestors(engine)
        .into_iter()
        .filter_map(|ancestor| {
            let lock = pins.get(ancestor)?;
            let view = match &target {
                Some(target) => lock.for_target(target),
                None => lock.clone(),
            };
            Some((ancestor.clone(), view))
        })
        .collect()
}

/// The version `name`'s parents pin, by package, with the farthest parent whose lock has it
/// (where the pin comes from: a hierarchy's profiles agree on it).
pub(crate) fn parent_versions(
    project: &Project,
    name: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) -> HashMap<PackageName, (ProfileName, pep440_rs::Version)> {
    let mut out = HashMap::new();
    for ancestor in project.ancestors(name) {
        let Some(lock) = pins.get(ancestor) else {
            continue;
        };
        for (package, version) in lock.pins() {
            out.entry(package.clone())
                .or_insert_with(|| (ancestor.clone(), version.clone()));
        }
    }
    out
}

/// `name parent -> engine` for each parent pin the engine, resolved alone, would change.
pub(crate) fn diverging_pins(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    name: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) -> Vec<String> {
    engine_feedback(project, options, resolvers, name, pins)
        .unwrap_or_default()
        .iter()
        .map(|asked| {
            format!(
                "{} {} -> {}",
                asked.hold.package, asked.instead_of, asked.hold.version
            )
        })
        .collect()
}

/// An engine ready to be solved: everything [`prepare_engine`] decided, and the solve itself
/// still to run (on a thread of its own, next to the other engines').
pub(crate) struct EngineJob<'a> {
    pub(crate) name: ProfileName,
    pub(crate) request: ResolveRequest,
    pub(crate) resolver: Arc<Resolver>,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) existing: Option<OnDisk>,
    pub(crate) parent_locks: Vec<&'a Lock>,
    pub(crate) isolated_from_parent: bool,
    /// The captured package set of its upstream image, when it has one.
    pub(crate) captured: Option<ImagePackages>,
}

/// What to do about one engine: nothing more (skipped, unchanged), or solve it.
#[expect(
    clippy::large_enum_variant,
    reason = "one per engine per run; boxing buys nothing"
)]
pub(crate) enum EngineStep<'a> {
    Done(ProfileLock),
    Solve(EngineJob<'a>),
}

/// Everything about locking an engine that does not need its solve: the index it needs, the
/// fingerprint check, the request on its parents' pins.
pub(crate) fn prepare_engine<'a>(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    name: &ProfileName,
    pins: &'a HashMap<ProfileName, Lock>,
) -> Result<EngineStep<'a>, LockError> {
    let engine = &project.profiles[name];
    let details = engine.engine.as_ref().expect("engines have engine details");
    let path = lock_path(project, name);
    // The parents' pins, exactly: an engine keeps what the profiles it extends locked.
    let parent_locks: Vec<&'a Lock> = project
        .ancestors(name)
        .into_iter()
        .filter_map(|ancestor| pins.get(ancestor))
        .collect();
    let fingerprint =
        Fingerprint::of_profile(project, name, &options.index_identity, &|ancestor| {
            pins.get(ancestor)
                .and_then(Lock::digest)
                .map(str::to_string)
        });
    if let Some(unavailable) = project.unavailable_index(name) {
        let (index, named) = (unavailable.name, unavailable.index);
        if details.when_index_unavailable == IndexUnavailable::Fail {
            return Err(LockError::IndexUnavailable {
                engine: name.to_string(),
                index: index.to_string(),
                declared: named.declared.clone(),
                variables: named.unset_variables.clone(),
            });
        }
        // Say what the lock it keeps is worth, as `--check` would.
        let kept = match freshness(project, name, &fingerprint) {
            Freshness::Missing { .. } | Freshness::Skipped { .. } => {
                "it has no lock yet".to_string()
            }
            Freshness::Unverified { .. } | Freshness::Current => {
                "its existing lock is kept".to_string()
            }
            other => format!("its existing lock is kept, but it {}", other.reason()),
        };
        return Ok(EngineStep::Done(ProfileLock {
            name: name.clone(),
            path,
            pylock_path: pylock_path(project, name),
            outcome: ProfileOutcome::Skipped(format!(
                "its index `{index}` is not configured ({} not set); {kept}",
                unavailable.unset_variables()
            )),
        }));
    }
    // Before anything is skipped as unchanged: a stale capture is an error whatever the lock.
    let captured = ImagePackages::for_engine(project, name)?;
    let named_urls = project.engine_index_urls(name);
    let existing = on_disk(project, name, &fingerprint);
    // An engine on its parents' pins whose lock pins one otherwise (another version, or the
    // same version from another file) is stale, whatever its fingerprint says (a parent pin an
    // engine held was released, see `lock_group`).
    let off_parent_pins = !details.isolated_from_parent
        && existing.as_ref().is_some_and(|disk| {
            let parent: HashMap<&PackageName, Requirement> = parent_locks
                .iter()
                .flat_map(|lock| lock.packages.iter())
                .map(|package| (&package.name, pinned(package)))
                .collect();
            disk.lock.packages.iter().any(|package| {
                parent
                    .get(&package.name)
                    .is_some_and(|kept| *kept != pinned(package))
            })
        });
    if !options.force
        && !options.upgrade
        && options.upgrade_packages.is_empty()
        && !off_parent_pins
        && existing
            .as_ref()
            .is_some_and(|disk| disk.verdict == Freshness::Current)
    {
        return Ok(EngineStep::Done(ProfileLock {
            name: name.clone(),
            path,
            pylock_path: pylock_path(project, name),
            outcome: ProfileOutcome::Unchanged,
        }));
    }
    let target = profile_target(project, name)?;
    let requirements: Vec<Requirement> = project
        .effective_requirements(name)
        .iter()
        .map(|effective| effective.requirement.requirement.clone())
        .collect();
    let mut request = ResolveRequest::new(target, requirements);
    request.constraints = engine
        .constraints
        .iter()
        .map(|sourced| sourced.requirement.clone())
        .collect();
    request
        .constraints
        .extend(options.upgrade_pins.iter().cloned());
    if !details.isolated_from_parent {
        for lock in &parent_locks {
            request.constraints.extend(lock.packages.iter().map(pinned));
        }
        crate::origins::add_parent_pins(&mut request.origins, project, name, pins);
    }
    crate::origins::add_profile(&mut request.origins, project, name);
    crate::origins::add_upgrade_pins(&mut request.origins, &options.upgrade_pins);
    if let Some(disk) = &existing {
        let wanted = disk.preferences(&request.target);
        request.preferences = wanted.versions;
        request.locked_urls = wanted.locked_urls;
    }
    request.upgrade = upgrade(options);
    if let Some(captured) = &captured {
        request.provided = provided(captured);
    }
    let resolver = resolvers
        .resolver(&named_urls)
        .map_err(LockError::engine(name))?;
    Ok(EngineStep::Solve(EngineJob {
        name: name.clone(),
        request,
        resolver,
        fingerprint,
        existing,
        parent_locks,
        isolated_from_parent: details.isolated_from_parent,
        captured,
    }))
}

/// The packages of an image's capture, fixed for the resolver, each with its line as origin.
pub(crate) fn provided(captured: &ImagePackages) -> Provided {
    Provided {
        by: format!("the image `{}`", captured.image),
        packages: captured
            .packages
            .iter()
            .map(|package| {
                (
                    package.name.clone(),
                    ProvidedPackage {
                        version: package.version.clone(),
                        origin: format!("{}:{}", captured.path.display(), package.line),
                    },
                )
            })
            .collect(),
    }
}

/// Solves an engine [`prepare_engine`] prepared and turns the resolution into its lock.
pub(crate) fn solve_engine(
    project: &Project,
    job: &EngineJob<'_>,
) -> Result<ProfileLock, LockError> {
    let EngineJob {
        name,
        request,
        resolver,
        fingerprint,
        existing,
        parent_locks,
        isolated_from_parent,
        captured,
    } = job;
    let resolution = resolver.resolve(request).map_err(LockError::engine(name))?;
    let solved = [(request.target.clone(), resolution)];
    let mut lock = profile_lock(project, name, &solved, fingerprint)?;
    let [(_, resolution)] = solved;
    if let Some(captured) = captured {
        // Beside the install line: what the lock stands on without installing it.
        let packages: Vec<(String, String)> = resolution
            .provided
            .iter()
            .map(|(package, version)| (package.to_string(), version.to_string()))
            .collect();
        let at = lock
            .header
            .iter()
            .position(|line| line.starts_with(strata_lockfile::header::FINGERPRINT_PREFIX))
            .unwrap_or(lock.header.len());
        lock.header.splice(
            at..at,
            strata_lockfile::header::provided_lines(
                &captured.image,
                &captured.path.display().to_string(),
                &packages,
            ),
        );
    }
    if *isolated_from_parent {
        // Say in the lock itself where the engine left its parents' pins.
        let diverging: Vec<String> = parent_locks
            .iter()
            .flat_map(|parent| parent.pins().collect::<Vec<_>>())
            .filter_map(|(package, version)| {
                let mine = resolution
                    .packages
                    .get(package)
                    .map(|mine| &mine.version)
                    .or_else(|| resolution.provided.get(package))?;
                (mine != version)
                    .then(|| format!("  {package}: parents pin {version}, this engine has {mine}"))
            })
            .collect();
        if !diverging.is_empty() {
            let at = lock.header.len().saturating_sub(1);
            let mut note = vec![
                "isolated-from-parent: versions that differ from the parents' locks:".to_string(),
            ];
            note.extend(diverging);
            lock.header.splice(at..at, note);
        }
    }
    let mut outcome = locked_outcome(
        project,
        name,
        &mut lock,
        existing.as_ref().map(|disk| &disk.lock),
        existing.as_ref().map(OnDisk::edited).unwrap_or_default(),
    )?;
    add_warnings(&mut outcome, &resolution, &lock);
    Ok(ProfileLock {
        name: name.clone(),
        path: lock_path(project, name),
        pylock_path: pylock_path(project, name),
        outcome,
    })
}

/// Locks every engine of `names` (in that order): prepared one after the other, then solved
/// at the same time, since each stands on its parents' pins alone and not on another engine.
/// Overlapping their index requests is most of what a cold lock of a multi-engine project
/// waits on.
pub(crate) fn lock_engines(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    names: &[ProfileName],
    pins: &HashMap<ProfileName, Lock>,
) -> Vec<Result<ProfileLock, LockError>> {
    let views: Vec<HashMap<ProfileName, Lock>> = names
        .iter()
        .map(|name| pins_for_engine(project, name, pins))
        .collect();
    let steps: Vec<Result<EngineStep<'_>, LockError>> = names
        .iter()
        .zip(&views)
        .map(|(name, view)| prepare_engine(project, options, resolvers, name, view))
        .collect();
    std::thread::scope(|scope| {
        let running: Vec<_> = steps
            .into_iter()
            .map(|step| match step {
                Ok(EngineStep::Solve(job)) => Err(scope.spawn(move || solve_engine(project, &job))),
                Ok(EngineStep::Done(outcome)) => Ok(Ok(outcome)),
                Err(error) => Ok(Err(error)),
            })
            .collect();
        running
            .into_iter()
            .map(|entry| match entry {
                Ok(done) => done,
                Err(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            })
            .collect()
    })
}
