//! Locking a whole project: every hierarchy once, every engine on top of its parent's pins.
//!
//! **Hierarchies.** Profiles joined by `extends` form one solve group, as pixi's solve-groups
//! do: the union of their requirements is resolved once, and each profile's lock is the part of
//! that solution its own (effective) requirements reach. A parent and its children therefore
//! agree on every shared package by construction, and a parent's pins already account for what
//! its descendants need: a `base` with a bare `numpy` under a `backend` that needs
//! `accelerate==0.33.0` (numpy<2) gets numpy 1.x in both locks, where a pip-compile chain would
//! lock numpy 2 in `base` and then fail on `backend`.
//!
//! **Engines** are isolated from each other: each is its own solve of its effective
//! requirements, with every pin of the profiles it extends added as an exact constraint, so the
//! engine keeps its parents' versions. When that fails, the explanation names the engine and the
//! conflicting pins.
//!
//! **Incremental.** Each lock's header records a fingerprint of everything that determines it
//! (see [`crate::fingerprint`]) and a digest of its own text (see [`strata_lockfile::integrity`]). A
//! group whose locks all carry their current fingerprint and are as strata wrote them is not
//! resolved again and its files are not touched, so `strata lock` with nothing changed makes no
//! request at all. `--check` and `lock` build the fingerprint with the same function, so they
//! cannot disagree; an engine whose named index is not configured is checked on everything but
//! that index's URL, and without a lock fails `--check` unless it is `optional`.
//!
//! **All or nothing.** Locks are rendered in memory and handed back; the caller writes them only
//! when every requested solve succeeded, so a failure leaves every existing lock as it was.
//!
//! **Engines move the hierarchy's pins.** When an engine cannot live with the pins of the
//! profiles it extends, it is resolved alone, and its versions of the conflicting packages are
//! added to the hierarchy's solve as constraints; both are solved again (a few rounds at most).
//! The project's source runs inside every engine's image, so keeping the engine on its parents'
//! pins is right, but never silent: each moved pin is an [`EngineHold`], said in the header of
//! every lock that has it, in the outcome (for the summary and `--format json`), and carried
//! over by a relock that keeps the pin; a pin whose engine is gone, or may no longer move it,
//! is released (solved again without its preference). An engine with `move-parent-pins = false`
//! gets its conflict reported instead. When no pins fit both, the error names the engine and the
//! packages and suggests `isolated-from-parent`, which resolves the engine with its parents'
//! requirements but not their pins and records in its header where it diverges.
//!
//! `--layered` keeps pip-tools' behaviour instead (each profile alone, children constrained by
//! their parents' pins); `--keep-going` writes what resolved and reports what failed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pep508_rs::{PackageName, Requirement};
use strata_project::{ProfileName, Project};
use strata_resolve::{ResolveError, Resolver, Upgrade};

use strata_lockfile::Lock;

mod engines;
mod error;
mod feedback;
mod freshness;
mod hierarchy;
mod outcome;
mod targets;

pub use error::LockError;
pub use feedback::EngineHold;
pub use freshness::{Freshness, check_project};
pub use hierarchy::solved_together;
pub use outcome::{ProfileLock, ProfileOutcome};

use engines::{diverging_pins, lock_engines};
use feedback::{Feedback, conflict_line, engine_feedback, may_move_parent_pins};
use hierarchy::{hierarchy_groups, lock_group, parent_pins, selection, topological};
use outcome::failed;

/// What a lock run may do.
#[derive(Debug, Clone, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct LockOptions {
    /// Lock only these (and what they extend); all when empty.
    pub profiles: Vec<String>,
    /// Ignore existing pins of every package.
    pub upgrade: bool,
    /// Ignore existing pins of these packages.
    pub upgrade_packages: Vec<PackageName>,
    /// `--upgrade-package P==V`: these versions, as constraints on every solve that has the
    /// package (a constraint never adds a package to a profile that does not need it).
    pub upgrade_pins: Vec<Requirement>,
    /// Resolve even when fingerprints match.
    pub force: bool,
    /// A description of the index configuration, part of every fingerprint.
    pub index_identity: String,
    /// pip-tools' behaviour: each profile locked alone, children constrained by their parents'
    /// pins (instead of one solve per hierarchy).
    pub layered: bool,
    /// Lock what can be locked and report the failures, instead of stopping at the first.
    pub keep_going: bool,
}

/// Provides resolvers: one per set of extra named indexes an engine asks for.
pub trait ResolverSource {
    /// A resolver whose index client searches `named_indexes` (URLs) first, then the defaults.
    ///
    /// Shared, because engines are solved at the same time, each on its own thread.
    fn resolver(&mut self, named_indexes: &[String]) -> Result<Arc<Resolver>, ResolveError>;
}

/// Locks the project. Returns one entry per profile and engine considered, in declaration
/// order; nothing is written.
pub fn lock_project(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
) -> Result<Vec<ProfileLock>, LockError> {
    let selected = selection(project, &options.profiles)?;
    let mut results: HashMap<ProfileName, ProfileLock> = HashMap::new();
    let mut pins: HashMap<ProfileName, Lock> = HashMap::new();
    let groups: Vec<Vec<ProfileName>> = if options.layered {
        // pip-tools' way: every profile alone, parents first, children constrained by them.
        let singles = project
            .plain_profiles()
            .map(|profile| vec![profile.name.clone()])
            .collect();
        topological(project, singles)
    } else {
        hierarchy_groups(project)
    };
    // Pins engines feed back into the hierarchy they extend (see `engine_feedback`).
    let mut feedback: HashMap<usize, Vec<Feedback>> = HashMap::new();
    let mut failed_groups: HashSet<usize> = HashSet::new();
    // Groups that have no solution with what their engines fed back: they keep the pins they
    // locked without it, and those engines are reported as incompatible after the rounds.
    let mut infeasible: HashSet<usize> = HashSet::new();
    // Groups to (re)lock this round: all at first, then those an engine asked to move.
    let mut dirty: HashSet<usize> = (0..groups.len()).collect();
    let group_of_engine = |engine: &ProfileName| {
        groups.iter().position(|group| {
            project
                .ancestors(engine)
                .iter()
                .any(|ancestor| group.contains(ancestor))
        })
    };
    for _round in 0..=MAX_FEEDBACK_ROUNDS {
        // What the hierarchies were solved with this round: an engine asking for a pin another
        // engine asked for in the same round asks for something new.
        let solved_with = feedback.clone();
        for (index, group) in groups.iter().enumerate() {
            if !dirty.contains(&index)
                || !group.iter().any(|name| selected.contains(name))
                || failed_groups.contains(&index)
            {
                continue;
            }
            let holds: Vec<EngineHold> = feedback
                .get(&index)
                .into_iter()
                .flatten()
                .map(|asked| asked.hold.clone())
                .collect();
            let targets = profile_targets(project, &group[0]).unwrap_or_default();
            let mut constraints: Vec<Requirement> = Vec::new();
            for hold in &holds {
                let constraint = hold.constraint_for(project, &targets);
                if !constraints.contains(&constraint) {
                    constraints.push(constraint);
                }
            }
            if options.layered {
                constraints.extend(parent_pins(project, &group[0], &pins));
            }
            let forced = feedback.contains_key(&index);
            if let Err(error) = lock_group(
                project,
                options,
                resolvers,
                group,
                &constraints,
                &holds,
                forced,
                &mut results,
                &mut pins,
            ) {
                if forced && error.is_no_solution() {
                    infeasible.insert(index);
                    continue;
                }
                if !options.keep_going {
                    return Err(error);
                }
                failed_groups.insert(index);
                for name in group {
                    results.insert(name.clone(), failed(project, name, &error));
                }
            }
        }
        let mut changed = HashSet::new();
        let mut to_lock: Vec<ProfileName> = Vec::new();
        for engine in project.engines() {
            let depends_on_dirty =
                group_of_engine(&engine.name).is_none_or(|group| dirty.contains(&group));
            if !selected.contains(&engine.name)
                || !depends_on_dirty
                || group_of_engine(&engine.name).is_some_and(|group| infeasible.contains(&group))
            {
                continue;
            }
            // Without its parents' pins an engine would be locked as if it had no parents.
            if let Some(parent) = project
                .ancestors(&engine.name)
                .into_iter()
                .find(|ancestor| {
                    results
                        .get(*ancestor)
                        .is_some_and(|result| matches!(result.outcome, ProfileOutcome::Failed(_)))
                })
            {
                results.insert(
                    engine.name.clone(),
                    ProfileLock {
                        name: engine.name.clone(),
                        path: lock_path(project, &engine.name),
                        pylock_path: pylock_path(project, &engine.name),
                        outcome: ProfileOutcome::Failed(format!(
                            "`{parent}`, which it extends, was not locked, and an engine is locked only on its parents' pins"
                        )),
                    },
                );
                continue;
            }
            to_lock.push(engine.name.clone());
        }
        let outcomes = lock_engines(project, options, resolvers, &to_lock, &pins);
        for (name, outcome) in to_lock.iter().zip(outcomes) {
            match outcome {
                Ok(outcome) => {
                    results.insert(name.clone(), outcome);
                }
                Err(error) => {
                    let holds = if error.is_no_solution() && !options.layered {
                        engine_feedback(project, options, resolvers, name, &pins)
                    } else {
                        None
                    };
                    // An engine that may not move its parents' pins says which it would move.
                    if let Some(holds) = &holds
                        && !may_move_parent_pins(project, name)
                    {
                        let error = LockError::EngineMayNotMovePins {
                            engine: name.to_string(),
                            conflicts: holds
                                .iter()
                                .map(|hold| conflict_line(project, hold))
                                .collect(),
                        };
                        if !options.keep_going {
                            return Err(error);
                        }
                        results.insert(name.clone(), failed(project, name, &error));
                        continue;
                    }
                    match holds.and_then(|holds| Some((group_of_engine(name)?, holds))) {
                        Some((group, holds))
                            if solved_with.get(&group).is_none_or(|known| {
                                !holds.iter().all(|asked| {
                                    known.iter().any(|known| {
                                        known.hold.constraint() == asked.hold.constraint()
                                    })
                                })
                            }) =>
                        {
                            let known = feedback.entry(group).or_default();
                            for asked in holds {
                                if !known.iter().any(|known| {
                                    known.hold.engine == asked.hold.engine
                                        && known.hold.constraint() == asked.hold.constraint()
                                }) {
                                    known.push(asked);
                                }
                            }
                            changed.insert(group);
                        }
                        _ if options.keep_going => {
                            results.insert(name.clone(), failed(project, name, &error));
                        }
                        _ => return Err(error),
                    }
                }
            }
        }
        if changed.is_empty() {
            break;
        }
        dirty = changed;
    }
    for engine in project.engines() {
        if selected.contains(&engine.name) && !results.contains_key(&engine.name) {
            let error = LockError::EngineIncompatible {
                engine: engine.name.to_string(),
                packages: diverging_pins(project, options, resolvers, &engine.name, &pins),
            };
            if !options.keep_going {
                return Err(error);
            }
            results.insert(engine.name.clone(), failed(project, &engine.name, &error));
        }
    }
    Ok(project
        .profiles
        .keys()
        // A hierarchy is solved whole and every profile of it is written, even when only one
        // was asked for: a parent's pins may move, and its other children must move with it.
        .filter_map(|name| results.remove(name))
        .collect())
}

/// How many times engines may move a hierarchy's pins before strata gives up.
const MAX_FEEDBACK_ROUNDS: usize = 3;

pub(crate) fn pin(package: &PackageName, version: &pep440_rs::Version) -> Requirement {
    Requirement::from_str(&format!("{package}=={version}"))
        .expect("a name and a version form a requirement")
}

/// What a lock's package pins, as the constraint that keeps it: `name==version`, or for a
/// direct URL pin `name @ url#sha256=...`, which keeps the file and not just its version (the
/// same version from an index is another file, with other hashes).
pub(crate) fn pinned(package: &strata_lockfile::LockedPackage) -> Requirement {
    Requirement::from_str(&package.pinned_requirement())
        .expect("a lock's pin, read or resolved as a requirement, is one")
}

fn upgrade(options: &LockOptions) -> Upgrade {
    if options.upgrade {
        Upgrade::All
    } else if options.upgrade_packages.is_empty() {
        Upgrade::None
    } else {
        Upgrade::Packages(options.upgrade_packages.iter().cloned().collect())
    }
}

/// The target a profile is locked for (its own, inherited or the project's settings): the
/// first of [`profile_targets`], and an engine's only one.
pub fn profile_target(
    project: &Project,
    name: &ProfileName,
) -> Result<strata_dist::Target, LockError> {
    Ok(profile_targets(project, name)?.remove(0))
}

/// Every target a profile is locked for, in declared order (at least one): several make one
/// lock whose lines carry markers (see [`strata_lockfile::targets`]).
pub fn profile_targets(
    project: &Project,
    name: &ProfileName,
) -> Result<Vec<strata_dist::Target>, LockError> {
    project.profiles[name]
        .targets
        .iter()
        .map(|spec| {
            spec.target().map_err(|missing| LockError::Target {
                profile: name.to_string(),
                reason: missing.to_string(),
            })
        })
        .collect()
}

/// `<root>/<lock-dir>/<name>.txt`.
pub fn lock_path(project: &Project, name: &ProfileName) -> PathBuf {
    project
        .root
        .join(&project.lock_dir)
        .join(format!("{name}.txt"))
}

/// The base that moves a local directory pin's path between the project root (the
/// `requirements.txt` form's base, where pip runs) and the lock directory (the `pylock.toml`
/// form's, as PEP 751 asks): with `to_pylock`, the root as seen from the lock directory, else
/// the lock directory as seen from the root (see [`strata_lockfile::rebase_directory_path`]).
pub(crate) fn pylock_base(project: &Project, to_pylock: bool) -> PathBuf {
    // The names of an absolute path, `.` and `..` resolved lexically.
    let absolute = |path: &std::path::Path| -> Vec<std::ffi::OsString> {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut out: Vec<std::ffi::OsString> = Vec::new();
        for component in path.components() {
            match component {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::Normal(name) => out.push(name.to_os_string()),
                _ => {}
            }
        }
        out
    };
    let root = absolute(&project.root);
    let lock_dir = absolute(&project.root.join(&project.lock_dir));
    let (from, to) = if to_pylock {
        (&lock_dir, &root)
    } else {
        (&root, &lock_dir)
    };
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let mut base = PathBuf::new();
    for _ in common..from.len() {
        base.push("..");
    }
    for part in &to[common..] {
        base.push(part);
    }
    base
}

/// `<root>/<lock-dir>/pylock.<name>.toml`, the name PEP 751 requires for a named lock file.
pub fn pylock_path(project: &Project, name: &ProfileName) -> PathBuf {
    project
        .root
        .join(&project.lock_dir)
        .join(format!("pylock.{name}.toml"))
}
