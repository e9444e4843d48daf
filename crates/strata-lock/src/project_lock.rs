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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_project::{IndexUnavailable, ProfileName, Project};
use strata_resolve::{Edge, Resolution, ResolveError, ResolveRequest, Resolver, Upgrade};

use crate::fingerprint::Fingerprint;
use strata_lockfile::Lock;
use strata_lockfile::requirements_txt;

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

/// A parent pin an engine moved: the engine could not use the version its hierarchy locked
/// alone, so the hierarchy pins the engine's version instead (the project's source runs in every
/// engine's image, so the engine keeps its parents' pins). Said in the parent lock's header,
/// the summary of `strata lock` and its `--format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineHold {
    /// The package whose pin moved.
    pub package: PackageName,
    /// The version the hierarchy pins now: the engine's.
    pub version: pep440_rs::Version,
    /// The engine.
    pub engine: ProfileName,
    /// The part of the engine's requirement that excludes the version the hierarchy had
    /// (`<2.3`), or `==version` when no single requirement does (the engine's solve as a whole
    /// picked it).
    pub bound: String,
    /// Who demands it, as `numba==0.61.2 requires numpy>=1.24,<2.3`.
    pub requirement: String,
}

impl EngineHold {
    /// `numpy held at <2.3 by engine `vllm` (numba==0.61.2 requires numpy>=1.24,<2.3)`.
    pub fn sentence(&self) -> String {
        format!(
            "{} held at {} by engine `{}` ({})",
            self.package, self.bound, self.engine, self.requirement
        )
    }

    /// Reads back a [`EngineHold::sentence`] line of a lock's header, with the version the
    /// lock pins the package at.
    fn parse(line: &str, lock: &Lock) -> Option<Self> {
        let (package, rest) = line.split_once(" held at ")?;
        let (bound, rest) = rest.split_once(" by engine `")?;
        let (engine, rest) = rest.split_once("` (")?;
        let requirement = rest.strip_suffix(')')?;
        let package = PackageName::from_str(package).ok()?;
        let version = lock
            .pins()
            .find(|(name, _)| **name == package)
            .map(|(_, version)| version.clone())?;
        Some(Self {
            package,
            version,
            engine: ProfileName::parse(engine).ok()?,
            bound: bound.to_string(),
            requirement: requirement.to_string(),
        })
    }

    /// The constraint the hierarchy is solved with.
    fn constraint(&self) -> Requirement {
        pin(&self.package, &self.version)
    }
}

/// An [`EngineHold`] as an engine asks for it: with the parent pin it cannot use.
#[derive(Debug, Clone)]
struct Feedback {
    hold: EngineHold,
    /// The profile whose lock has the pin (the farthest parent that has it).
    parent: ProfileName,
    /// The version that parent pins.
    instead_of: pep440_rs::Version,
}

/// How a lock run failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// A profile named on the command line does not exist.
    #[error(transparent)]
    UnknownProfile(strata_project::Error),
    /// Profiles of one hierarchy declare different targets.
    #[error(
        "Profiles `{first}` and `{second}` extend each other but have different targets; a hierarchy is solved once, for one target"
    )]
    MixedTargets {
        /// One profile.
        first: String,
        /// The other.
        second: String,
    },
    /// A target is missing or invalid.
    #[error("Profile `{profile}` has no usable target: {reason}")]
    Target {
        /// The profile.
        profile: String,
        /// What is missing.
        reason: String,
    },
    /// A solve failed.
    #[error("Failed to lock {what}{}", where_lines(branches, parent_pins))]
    Resolve {
        /// Which profiles or engine.
        what: String,
        /// For a hierarchy, which of its profiles bring in the conflicting packages, as
        /// "profile `ui` requires `gradio>=4` (requirements/in/ui.in:2)".
        branches: Vec<String>,
        /// With `--layered`, the parents' pins on the conflicting packages, as
        /// "profile `base` pins `numpy==2.1.1` (locks/base.txt)".
        parent_pins: Box<[String]>,
        /// Why (boxed: the error travels through every locking function).
        #[source]
        source: Box<ResolveError>,
    },
    /// No hierarchy pins could be found that the engine can live with.
    #[error("Engine `{engine}` cannot use the pins of the profiles it extends: {}", packages.join(", "))]
    EngineIncompatible {
        /// The engine.
        engine: String,
        /// The packages pinned differently, as `name parent-version -> engine-version`.
        packages: Vec<String>,
    },
    /// The engine cannot use its parents' pins and `move-parent-pins = false` keeps it from
    /// moving them.
    #[error("Engine `{engine}` cannot use the pins of the profiles it extends, and `move-parent-pins = false` keeps it from moving them:\n  {}", conflicts.join("\n  "))]
    EngineMayNotMovePins {
        /// The engine.
        engine: String,
        /// One line per parent pin it cannot use, as "numpy: profile `host` pins 2.4.6;
        /// the engine needs <2.3 (numba==0.61.2 requires numpy>=1.24,<2.3)".
        conflicts: Vec<String>,
    },
    /// An engine's index is not configured and the engine says to fail.
    #[error("Engine `{engine}` needs index `{index}`, whose URL `{declared}` uses unset variables: {}", variables.join(", "))]
    IndexUnavailable {
        /// The engine.
        engine: String,
        /// The index name.
        index: String,
        /// The URL as declared.
        declared: String,
        /// The unset variables.
        variables: Vec<String>,
    },
}

impl LockError {
    /// Whether the failure means "no solution" (exit 1) rather than "could not lock" (exit 2).
    pub fn is_no_solution(&self) -> bool {
        match self {
            Self::Resolve { source, .. } => source.is_no_solution(),
            // No hierarchy pins fit the engine: a conflict in the project's requirements.
            Self::EngineIncompatible { .. } | Self::EngineMayNotMovePins { .. } => true,
            _ => false,
        }
    }

    /// Hints for the user.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Resolve {
                source,
                branches,
                parent_pins,
                ..
            } => {
                let mut hints = source.hints();
                if !parent_pins.is_empty() {
                    hints.push(
                        "Without `--layered`, a hierarchy is solved in one resolution, so its parents' pins already fit every child".to_string(),
                    );
                }
                if branches.len() >= 2 {
                    hints.push(
                        "Profiles extending one parent are solved together; if two branches cannot share versions, make one of them an engine (`[tool.strata.engines.NAME]`) so it gets its own solve".to_string(),
                    );
                }
                hints
            }
            Self::EngineIncompatible { engine, .. } => vec![format!(
                "Set `isolated-from-parent = true` on engine `{engine}` to resolve it with its parents' requirements but not their pins; strata then reports which pins diverge"
            )],
            Self::EngineMayNotMovePins { engine, .. } => vec![format!(
                "Remove `move-parent-pins = false` from engine `{engine}` to let the profiles it extends take its versions, or set `isolated-from-parent = true` to lock it apart from their pins"
            )],
            Self::IndexUnavailable { .. } => vec![
                "Set the variable, or set `when-index-unavailable = \"skip\"` on the engine to lock the rest without it".to_string(),
            ],
            Self::UnknownProfile(error) => error.hints(),
            _ => Vec::new(),
        }
    }
}

/// ", where" and one indented line per branch and parent pin; nothing when there are none.
fn where_lines(branches: &[String], parent_pins: &[String]) -> String {
    if branches.is_empty() && parent_pins.is_empty() {
        return String::new();
    }
    let lines: Vec<&str> = branches
        .iter()
        .chain(parent_pins)
        .map(String::as_str)
        .collect();
    format!(", where\n  {}", lines.join("\n  "))
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
            let mut constraints: Vec<Requirement> = Vec::new();
            for hold in &holds {
                if !constraints.contains(&hold.constraint()) {
                    constraints.push(hold.constraint());
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

/// Groups ordered so that every profile's parents are locked before it.
fn topological(project: &Project, groups: Vec<Vec<ProfileName>>) -> Vec<Vec<ProfileName>> {
    let mut ordered: Vec<Vec<ProfileName>> = Vec::new();
    let mut remaining = groups;
    while !remaining.is_empty() {
        let before = remaining.len();
        let done: HashSet<ProfileName> = ordered.iter().flatten().cloned().collect();
        let (ready, rest): (Vec<_>, Vec<_>) = remaining.into_iter().partition(|group| {
            group.iter().all(|name| {
                project.profiles[name]
                    .extends
                    .iter()
                    .all(|parent| done.contains(parent) || group.contains(parent))
            })
        });
        ordered.extend(ready);
        remaining = rest;
        if remaining.len() == before {
            // Validation rejected cycles; keep the rest as they are rather than loop.
            ordered.extend(remaining);
            break;
        }
    }
    ordered
}

/// Every pin of the profiles `name` extends, as exact constraints.
fn parent_pins(
    project: &Project,
    name: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) -> Vec<Requirement> {
    project
        .ancestors(name)
        .into_iter()
        .filter_map(|ancestor| pins.get(ancestor))
        .flat_map(|lock| lock.packages.iter().map(pinned))
        .collect()
}

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

fn failed(project: &Project, name: &ProfileName, error: &LockError) -> ProfileLock {
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

/// When an engine cannot live with its hierarchy's pins, the hierarchy pins it would need
/// instead: resolve the engine alone (its requirements, none of the pins), and for every package
/// pinned differently there, ask the hierarchy to pin the engine's version, with the requirement
/// of the engine's that excludes the parent's version. The hierarchy is then solved again with
/// those constraints; if it has no solution with them, that failure names the packages, and the
/// hint suggests `isolated-from-parent`.
fn engine_feedback(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    name: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) -> Option<Vec<Feedback>> {
    let Ok(target) = profile_target(project, name) else {
        return None;
    };
    let requirements: Vec<Requirement> = project
        .effective_requirements(name)
        .iter()
        .map(|effective| effective.requirement.requirement.clone())
        .collect();
    let mut request = ResolveRequest::new(target, requirements);
    request.upgrade = upgrade(options);
    let Ok(resolver) = resolvers.resolver(&project.engine_index_urls(name)) else {
        return None;
    };
    let Ok(alone) = resolver.resolve(&request) else {
        return None;
    };
    let parent = parent_versions(project, name, pins);
    let holds: Vec<Feedback> = alone
        .packages
        .values()
        .filter_map(|package| {
            let (parent, instead_of) = parent.get(&package.name)?;
            (instead_of != &package.version).then(|| {
                let (bound, requirement) = holding_requirement(&alone, &package.name, instead_of)
                    .unwrap_or_else(|| {
                        (
                            format!("=={}", package.version),
                            format!("its own solve picks {} {}", package.name, package.version),
                        )
                    });
                Feedback {
                    hold: EngineHold {
                        package: package.name.clone(),
                        version: package.version.clone(),
                        engine: name.clone(),
                        bound,
                        requirement,
                    },
                    parent: parent.clone(),
                    instead_of: instead_of.clone(),
                }
            })
        })
        .collect();
    (!holds.is_empty()).then_some(holds)
}

/// The first requirement on `package` in `resolution` that excludes `version`: the part of its
/// specifier that does (`<2.3`) and who demands it (`numba==0.61.2 requires numpy>=1.24,<2.3`).
fn holding_requirement(
    resolution: &Resolution,
    package: &PackageName,
    version: &pep440_rs::Version,
) -> Option<(String, String)> {
    resolution
        .edges
        .iter()
        .filter(|edge| &edge.to == package)
        .find_map(|edge| {
            let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) =
                &edge.requirement.version_or_url
            else {
                return None;
            };
            let excluding: Vec<String> = specifiers
                .iter()
                .filter(|specifier| !specifier.contains(version))
                .map(ToString::to_string)
                .collect();
            if excluding.is_empty() {
                return None;
            }
            let by = match &edge.from {
                Some(from) => {
                    let from_version = resolution
                        .packages
                        .get(from)
                        .map(|resolved| format!("=={}", resolved.version))
                        .unwrap_or_default();
                    format!("{from}{from_version} requires")
                }
                None => "it requires".to_string(),
            };
            let all: Vec<String> = specifiers.iter().map(ToString::to_string).collect();
            Some((
                excluding.join(","),
                format!("{by} {package}{}", all.join(",")),
            ))
        })
}

/// Whether `name` may move the pins of the profiles it extends (`move-parent-pins`).
fn may_move_parent_pins(project: &Project, name: &ProfileName) -> bool {
    project.profiles[name]
        .engine
        .as_ref()
        .is_none_or(|engine| engine.move_parent_pins)
}

/// "numpy: profile `host` pins 2.4.6 (locks/host.txt); the engine needs <2.3 (...)".
fn conflict_line(project: &Project, asked: &Feedback) -> String {
    let path = lock_path(project, &asked.parent);
    let shown = path.strip_prefix(&project.root).unwrap_or(&path);
    format!(
        "{}: profile `{}` pins {} ({}); the engine needs {} ({})",
        asked.hold.package,
        asked.parent,
        asked.instead_of,
        shown.display(),
        asked.hold.bound,
        asked.hold.requirement
    )
}

/// The version `name`'s parents pin, by package, with the farthest parent whose lock has it
/// (where the pin comes from: a hierarchy's profiles agree on it).
fn parent_versions(
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
fn diverging_pins(
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

/// Whether a lock is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Its header carries the fingerprint of today's inputs and its files are what strata wrote.
    Current,
    /// There is no lock file.
    Missing {
        /// For an engine whose named index is not configured here (so it cannot be locked
        /// here either), that index.
        unavailable_index: Option<String>,
    },
    /// It must be locked again: which kinds of input changed since it was written
    /// (`requirements`, `constraints`, `target`, `index`, `hierarchy`, `settings`, `parents`,
    /// `format`, and `engines` for a pin held by an engine that no longer holds it), or `fingerprint` (it records none: another tool wrote it), or `pylock` (its
    /// `pylock.toml` is missing, unsealed or from another run).
    Stale(Vec<&'static str>),
    /// Its files are not what strata wrote (their digest does not match): the edited lines,
    /// each as `file:line: what`.
    Edited(Vec<String>),
    /// An engine whose named index is not configured here and whose lock is current in every
    /// input but that index's URL, which cannot be checked without it.
    Unverified {
        /// The index.
        index: String,
    },
    /// An `optional` engine whose named index is not configured here and which has no lock:
    /// allowed, it is locked where the index is.
    Skipped {
        /// The index.
        index: String,
    },
}

impl Freshness {
    /// Whether `lock --check` passes with it.
    pub fn passes(&self) -> bool {
        matches!(
            self,
            Self::Current | Self::Unverified { .. } | Self::Skipped { .. }
        )
    }

    /// What is the matter, in a phrase that follows "`locks/base.txt` " (empty when current;
    /// for `Edited`, without the lines).
    pub fn reason(&self) -> String {
        match self {
            Self::Current => String::new(),
            Self::Missing {
                unavailable_index: None,
            } => "does not exist".to_string(),
            Self::Missing {
                unavailable_index: Some(index),
            } => format!(
                "does not exist, and cannot be made here: the engine's index `{index}` is not configured"
            ),
            Self::Stale(kinds) => {
                let mut reasons = Vec::new();
                let inputs: Vec<&str> = kinds
                    .iter()
                    .copied()
                    .filter(|kind| !matches!(*kind, "fingerprint" | "pylock" | "format"))
                    .collect();
                if kinds.contains(&"fingerprint") {
                    reasons.push(
                        "it has no fingerprint of its inputs (written by another tool)".to_string(),
                    );
                }
                if kinds.contains(&"format") {
                    reasons.push(
                        "it was written in another lock format (an older strata, before locks recorded a digest of their contents)".to_string(),
                    );
                } else if !inputs.is_empty() {
                    reasons.push(format!(
                        "its {} changed since it was written",
                        inputs.join(", ")
                    ));
                }
                if kinds.contains(&"pylock") {
                    reasons.push(
                        "its pylock.toml is missing, unsealed or from another run".to_string(),
                    );
                }
                format!("is stale: {}", reasons.join("; "))
            }
            // The lines themselves are the caller's to list.
            Self::Edited(_) => "was edited after strata wrote it".to_string(),
            Self::Unverified { index } => format!(
                "is current in every input but the URL of index `{index}`, which is not configured here"
            ),
            Self::Skipped { index } => format!(
                "does not exist; the engine is optional and its index `{index}` is not configured here"
            ),
        }
    }
}

/// Checks every selected lock against today's inputs without resolving anything (`--check`).
///
/// An engine whose named index is not configured here is checked on everything but that
/// index's URL; without a lock it fails, unless it is `optional`.
pub fn check_project(
    project: &Project,
    options: &LockOptions,
) -> Result<Vec<(ProfileName, Freshness)>, LockError> {
    let selected = selection(project, &options.profiles)?;
    let on_disk_digest = |ancestor: &ProfileName| -> Option<String> {
        if project.profiles[ancestor].is_engine() {
            // Engines are built on the plain profiles' locks alone (see `prepare_engine`).
            return None;
        }
        let text = fs_err::read_to_string(lock_path(project, ancestor)).ok()?;
        strata_lockfile::integrity::recorded_digest(
            &text,
            strata_lockfile::integrity::FileKind::Requirements,
        )
    };
    Ok(project
        .profiles
        .keys()
        .filter(|name| selected.contains(*name))
        .map(|name| {
            let fingerprint =
                Fingerprint::of_profile(project, name, &options.index_identity, &on_disk_digest);
            (name.clone(), freshness(project, name, &fingerprint))
        })
        .collect())
}

/// How `name`'s lock on disk compares with `fingerprint`, today's: what `--check` reports and
/// what a skipped engine's summary says of the lock it keeps.
fn freshness(project: &Project, name: &ProfileName, fingerprint: &Fingerprint) -> Freshness {
    let unavailable = project
        .unavailable_index(name)
        .map(|unavailable| unavailable.name.to_string());
    let optional = project.profiles[name]
        .engine
        .as_ref()
        .is_some_and(|engine| engine.when_index_unavailable == IndexUnavailable::Optional);
    let Some(disk) = on_disk(project, name, fingerprint) else {
        return match unavailable {
            Some(index) if optional => Freshness::Skipped { index },
            unavailable_index => Freshness::Missing { unavailable_index },
        };
    };
    // A pin an engine held that it no longer holds is released by the next relock.
    if recorded_holds(&disk.lock)
        .iter()
        .any(|hold| !still_holds(project, hold))
    {
        return Freshness::Stale(vec!["engines"]);
    }
    match (disk.verdict, unavailable) {
        // Without the index's URL the `index` part cannot match; everything else can be checked.
        (Freshness::Stale(kinds), Some(index)) => {
            let kinds: Vec<&'static str> = kinds
                .into_iter()
                .filter(|kind| *kind != crate::fingerprint::INDEX_KIND)
                .collect();
            if kinds.is_empty() {
                Freshness::Unverified { index }
            } else {
                Freshness::Stale(kinds)
            }
        }
        (verdict, _) => verdict,
    }
}

/// The requested profiles and everything they extend.
fn selection(project: &Project, names: &[String]) -> Result<HashSet<ProfileName>, LockError> {
    if names.is_empty() {
        return Ok(project.profiles.keys().cloned().collect());
    }
    let mut out = HashSet::new();
    for name in names {
        let profile = project
            .profile(name)
            .map_err(LockError::UnknownProfile)?;
        out.insert(profile.name.clone());
        out.extend(project.ancestors(&profile.name).into_iter().cloned());
    }
    Ok(out)
}

/// The profiles solved in one resolution with `name` (its hierarchy, itself included, in
/// declaration order); just `name` for an engine, which is solved alone on its parents' pins.
/// A pin of `name` is held by the requirements of all of them.
pub fn solved_together(project: &Project, name: &ProfileName) -> Vec<ProfileName> {
    hierarchy_groups(project)
        .into_iter()
        .find(|group| group.contains(name))
        .unwrap_or_else(|| vec![name.clone()])
}

/// Connected components of the non-engine profiles under `extends`, in declaration order.
fn hierarchy_groups(project: &Project) -> Vec<Vec<ProfileName>> {
    let plain: Vec<&ProfileName> = project
        .plain_profiles()
        .map(|profile| &profile.name)
        .collect();
    let mut group_of: HashMap<&ProfileName, usize> = HashMap::new();
    let mut groups: Vec<Vec<ProfileName>> = Vec::new();
    for name in &plain {
        let parents: Vec<usize> = project.profiles[*name]
            .extends
            .iter()
            .filter_map(|parent| group_of.get(parent).copied())
            .collect();
        let index = if let Some(first) = parents.first() {
            // A profile extending two groups joins them.
            for other in parents.iter().skip(1).filter(|other| *other != first) {
                let moved = std::mem::take(&mut groups[*other]);
                for member in &moved {
                    let key = plain
                        .iter()
                        .find(|name| **name == member)
                        .expect("members are plain profiles");
                    group_of.insert(key, *first);
                }
                groups[*first].extend(moved);
            }
            *first
        } else {
            groups.push(Vec::new());
            groups.len() - 1
        };
        groups[index].push((*name).clone());
        group_of.insert(name, index);
    }
    groups
        .into_iter()
        .filter(|group| !group.is_empty())
        .collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "one caller; the state of a lock run"
)]
fn lock_group(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    group: &[ProfileName],
    extra_constraints: &[Requirement],
    holds: &[EngineHold],
    forced: bool,
    results: &mut HashMap<ProfileName, ProfileLock>,
    pins: &mut HashMap<ProfileName, Lock>,
) -> Result<(), LockError> {
    let first = &project.profiles[&group[0]];
    for name in group {
        if project.profiles[name].target != first.target {
            return Err(LockError::MixedTargets {
                first: first.name.to_string(),
                second: name.to_string(),
            });
        }
    }
    let target = profile_target(project, &first.name)?;
    // Plain profiles build on no other lock: no parent digests.
    let fingerprints: Vec<(ProfileName, Fingerprint)> = group
        .iter()
        .map(|name| {
            (
                name.clone(),
                Fingerprint::of_profile(project, name, &options.index_identity, &|_| None),
            )
        })
        .collect();
    let existing: HashMap<ProfileName, Option<OnDisk>> = fingerprints
        .iter()
        .map(|(name, fingerprint)| (name.clone(), on_disk(project, name, fingerprint)))
        .collect();
    // Pins an engine held that it no longer holds (it is gone, locked apart, or may no longer
    // move them): their preference goes too, so they are what they would be without it.
    let released: HashSet<PackageName> = existing
        .values()
        .flatten()
        .flat_map(|disk| recorded_holds(&disk.lock))
        .filter(|hold| !still_holds(project, hold))
        .map(|hold| hold.package)
        .collect();
    let current = !options.force
        && !forced
        && released.is_empty()
        && !options.upgrade
        && options.upgrade_packages.is_empty()
        && fingerprints.iter().all(|(name, _)| {
            existing[name]
                .as_ref()
                .is_some_and(|disk| disk.verdict == Freshness::Current)
        });
    if current {
        for (name, _) in &fingerprints {
            let disk = existing[name].as_ref().expect("checked above");
            pins.insert(name.clone(), disk.lock.clone());
            results.insert(
                name.clone(),
                ProfileLock {
                    name: name.clone(),
                    path: lock_path(project, name),
                    pylock_path: pylock_path(project, name),
                    outcome: ProfileOutcome::Unchanged,
                },
            );
        }
        return Ok(());
    }

    // One solve for the union of the group's requirements and constraints.
    let mut requirements: Vec<Requirement> = Vec::new();
    let mut constraints: Vec<Requirement> = Vec::new();
    let mut seen = HashSet::new();
    for name in group {
        for effective in project.effective_requirements(name) {
            let requirement = &effective.requirement.requirement;
            if seen.insert(requirement.to_string()) {
                requirements.push(requirement.clone());
            }
        }
        constraints.extend(
            project.profiles[name]
                .constraints
                .iter()
                .map(|sourced| sourced.requirement.clone()),
        );
    }
    constraints.extend(extra_constraints.iter().cloned());
    constraints.extend(options.upgrade_pins.iter().cloned());
    let mut request = ResolveRequest::new(target, requirements);
    request.constraints = constraints;
    for name in group {
        crate::origins::add_profile(&mut request.origins, project, name);
    }
    if options.layered {
        crate::origins::add_parent_pins(&mut request.origins, project, &group[0], pins);
    }
    crate::origins::add_upgrade_pins(&mut request.origins, &options.upgrade_pins);
    request.preferences = group
        .iter()
        .filter_map(|name| existing[name].as_ref())
        .flat_map(|disk| {
            disk.preferences
                .iter()
                .filter(|(name, _)| !released.contains(name))
                .cloned()
        })
        .collect();
    request.upgrade = upgrade(options);
    let resolver = resolvers
        .resolver(&[])
        .map_err(|source| LockError::Resolve {
            what: describe_group(group),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        })?;
    let resolution = resolver.resolve(&request).map_err(|source| {
        let packages = source.conflicting_packages();
        LockError::Resolve {
            what: describe_group(group),
            branches: branches(project, group, packages),
            parent_pins: parent_pin_lines(project, group, pins, extra_constraints, packages)
                .into_boxed_slice(),
            source: Box::new(source),
        }
    })?;
    for (name, fingerprint) in fingerprints {
        let mut lock = profile_lock(
            project,
            &name,
            &resolution,
            &request.target,
            &fingerprint,
        );
        let disk = existing[&name].as_ref();
        let mut all = holds.to_vec();
        for hold in carried_holds(project, options, disk.map(|disk| &disk.lock)) {
            if !all
                .iter()
                .any(|known| known.package == hold.package && known.engine == hold.engine)
            {
                all.push(hold);
            }
        }
        let held = note_holds(&mut lock, &all);
        let mut outcome = locked_outcome(
            project,
            &name,
            &mut lock,
            disk.map(|disk| &disk.lock),
            disk.map(OnDisk::edited).unwrap_or_default(),
        )?;
        add_warnings(&mut outcome, &resolution, &lock);
        if let ProfileOutcome::Locked { held: noted, .. } = &mut outcome {
            *noted = held;
        }
        pins.insert(name.clone(), lock);
        results.insert(
            name.clone(),
            ProfileLock {
                path: lock_path(project, &name),
                pylock_path: pylock_path(project, &name),
                name,
                outcome,
            },
        );
    }
    Ok(())
}

/// An engine ready to be solved: everything [`prepare_engine`] decided, and the solve itself
/// still to run (on a thread of its own, next to the other engines').
struct EngineJob<'a> {
    name: ProfileName,
    request: ResolveRequest,
    resolver: Arc<Resolver>,
    fingerprint: Fingerprint,
    existing: Option<OnDisk>,
    parent_locks: Vec<&'a Lock>,
    isolated_from_parent: bool,
}

/// What to do about one engine: nothing more (skipped, unchanged), or solve it.
#[expect(
    clippy::large_enum_variant,
    reason = "one per engine per run; boxing buys nothing"
)]
enum EngineStep<'a> {
    Done(ProfileLock),
    Solve(EngineJob<'a>),
}

/// Everything about locking an engine that does not need its solve: the index it needs, the
/// fingerprint check, the request on its parents' pins.
fn prepare_engine<'a>(
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
    request.preferences = existing
        .iter()
        .flat_map(|disk| disk.preferences.iter().cloned())
        .collect();
    request.upgrade = upgrade(options);
    let resolver = resolvers
        .resolver(&named_urls)
        .map_err(|source| LockError::Resolve {
            what: format!("engine `{name}`"),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        })?;
    Ok(EngineStep::Solve(EngineJob {
        name: name.clone(),
        request,
        resolver,
        fingerprint,
        existing,
        parent_locks,
        isolated_from_parent: details.isolated_from_parent,
    }))
}

/// Solves an engine [`prepare_engine`] prepared and turns the resolution into its lock.
fn solve_engine(project: &Project, job: &EngineJob<'_>) -> Result<ProfileLock, LockError> {
    let EngineJob {
        name,
        request,
        resolver,
        fingerprint,
        existing,
        parent_locks,
        isolated_from_parent,
    } = job;
    let resolution = resolver
        .resolve(request)
        .map_err(|source| LockError::Resolve {
            what: format!("engine `{name}`"),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        })?;
    let mut lock = profile_lock(
        project,
        name,
        &resolution,
        &request.target,
        fingerprint,
    );
    if *isolated_from_parent {
        // Say in the lock itself where the engine left its parents' pins.
        let diverging: Vec<String> = parent_locks
            .iter()
            .flat_map(|parent| parent.pins().collect::<Vec<_>>())
            .filter_map(|(package, version)| {
                let mine = resolution.packages.get(package)?;
                (&mine.version != version).then(|| {
                    format!(
                        "  {package}: parents pin {version}, this engine has {}",
                        mine.version
                    )
                })
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
fn lock_engines(
    project: &Project,
    options: &LockOptions,
    resolvers: &mut dyn ResolverSource,
    names: &[ProfileName],
    pins: &HashMap<ProfileName, Lock>,
) -> Vec<Result<ProfileLock, LockError>> {
    let steps: Vec<Result<EngineStep<'_>, LockError>> = names
        .iter()
        .map(|name| prepare_engine(project, options, resolvers, name, pins))
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

fn upgrade(options: &LockOptions) -> Upgrade {
    if options.upgrade {
        Upgrade::All
    } else if options.upgrade_packages.is_empty() {
        Upgrade::None
    } else {
        Upgrade::Packages(options.upgrade_packages.iter().cloned().collect())
    }
}

/// The parents' pins among `constraints` (with `--layered`, a child is solved on its parents'
/// locks) that name one of `packages`, each said with the lock it comes from: often the other
/// side of the clash.
fn parent_pin_lines(
    project: &Project,
    group: &[ProfileName],
    pins: &HashMap<ProfileName, Lock>,
    constraints: &[Requirement],
    packages: &[PackageName],
) -> Vec<String> {
    let Some(first) = group.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for constraint in constraints
        .iter()
        .filter(|constraint| packages.contains(&constraint.name))
    {
        for ancestor in project.ancestors(first) {
            let pins_it = pins.get(ancestor).is_some_and(|lock| {
                lock.packages.iter().any(|package| {
                    package.name == constraint.name && pinned(package) == *constraint
                })
            });
            if pins_it {
                let path = lock_path(project, ancestor);
                let shown = path.strip_prefix(&project.root).unwrap_or(&path);
                out.push(format!(
                    "profile `{ancestor}` pins `{constraint}` ({}), and its children keep it",
                    shown.display()
                ));
                break;
            }
        }
    }
    out
}

/// Which profiles of `group` declare (themselves, not through a parent) a requirement on one of
/// `packages`, in declaration order: the branches that clash.
fn branches(project: &Project, group: &[ProfileName], packages: &[PackageName]) -> Vec<String> {
    let mut out = Vec::new();
    for name in group {
        for sourced in &project.profiles[name].requirements {
            if packages.contains(&sourced.requirement.name) {
                out.push(format!(
                    "profile `{name}` requires `{}` ({})",
                    sourced.requirement,
                    crate::origins::describe(&sourced.origin)
                ));
            }
        }
    }
    out
}

fn describe_group(group: &[ProfileName]) -> String {
    let names: Vec<String> = group.iter().map(|name| format!("`{name}`")).collect();
    if names.len() == 1 {
        format!("profile {}", names[0])
    } else {
        format!("the hierarchy {}", names.join(", "))
    }
}

/// The target a profile is locked for (its own, inherited or the project's settings).
pub fn profile_target(
    project: &Project,
    name: &ProfileName,
) -> Result<strata_dist::Target, LockError> {
    project.profiles[name]
        .target
        .target()
        .map_err(|missing| LockError::Target {
            profile: name.to_string(),
            reason: missing.to_string(),
        })
}

/// `<root>/<lock-dir>/<name>.txt`.
pub fn lock_path(project: &Project, name: &ProfileName) -> PathBuf {
    project
        .root
        .join(&project.lock_dir)
        .join(format!("{name}.txt"))
}

/// `<root>/<lock-dir>/pylock.<name>.toml`, the name PEP 751 requires for a named lock file.
pub fn pylock_path(project: &Project, name: &ProfileName) -> PathBuf {
    project
        .root
        .join(&project.lock_dir)
        .join(format!("pylock.{name}.toml"))
}

/// A lock as found on disk, read back and verified against today's fingerprint.
#[derive(Debug, Clone)]
struct OnDisk {
    /// The header and pins of `<name>.txt` (no pins when it no longer reads as a lock).
    lock: Lock,
    /// `Current`, `Stale` or `Edited`.
    verdict: Freshness,
    /// Pins to prefer when it is locked again: from a file of the pair that is as strata wrote
    /// it, never from an edited one (relocking must not turn a hand edit into a sealed lock).
    preferences: Vec<(PackageName, pep440_rs::Version)>,
}

impl OnDisk {
    /// The lines a relock replaces that strata did not write.
    fn edited(&self) -> Vec<String> {
        match &self.verdict {
            Freshness::Edited(lines) => lines.clone(),
            _ => Vec::new(),
        }
    }
}

/// `name`'s lock files, verified: the digest of each (see [`strata_lockfile::integrity`]), the pair's
/// agreement (same fingerprint, same pins and hashes), and the fingerprint against `fingerprint`.
/// `None` when `<name>.txt` does not exist.
fn on_disk(project: &Project, name: &ProfileName, fingerprint: &Fingerprint) -> Option<OnDisk> {
    use strata_lockfile::integrity::{FileKind, LockText, Seal, seal_of};

    let path = lock_path(project, name);
    let text = fs_err::read_to_string(&path).ok()?;
    let label = shown(project, &path);
    let whole = requirements_txt::read(&text).ok();
    let lock = Lock::parse_header_and_pins(&text).unwrap_or_else(|| Lock {
        header: strata_lockfile::requirements_txt::header_lines(&text),
        packages: Vec::new(),
    });
    let txt_seal = seal_of(&text, FileKind::Requirements);
    let pylock_file = pylock_path(project, name);
    let pylock_label = shown(project, &pylock_file);
    let pylock_text = if project.pylock {
        fs_err::read_to_string(&pylock_file).ok()
    } else {
        None
    };
    let pylock_seal = pylock_text
        .as_deref()
        .map(|text| seal_of(text, FileKind::Pylock));
    let pylock = pylock_text
        .as_deref()
        .and_then(|text| strata_lockfile::pylock_toml::read(text).ok());

    let mut changed = match lock.fingerprint() {
        None => vec!["fingerprint"],
        Some(recorded) if recorded == fingerprint.as_str() => Vec::new(),
        Some(_) => fingerprint.changed_since(lock.recorded_inputs()),
    };
    if changed.is_empty() && lock.fingerprint() != Some(fingerprint.as_str()) {
        // The per-kind line agrees but the fingerprint line does not: not a lock strata wrote
        // for these inputs.
        changed.push("fingerprint");
    }
    // A lock of an older format (or another tool's) has no digest to check; one of today's
    // format always has one.
    let older = changed.contains(&"format") || changed.contains(&"fingerprint");
    let txt_edited = match txt_seal {
        Seal::Broken { .. } => true,
        Seal::Unsealed => !older,
        Seal::Intact => false,
    };
    let pylock_edited = matches!(pylock_seal, Some(Seal::Broken { .. }));
    let verdict = if txt_edited || pylock_edited {
        let mut lines = strata_lockfile::integrity::edited_lines(
            LockText {
                label: &label,
                text: &text,
            },
            pylock_text.as_deref().map(|text| LockText {
                label: &pylock_label,
                text,
            }),
            profile_target(project, name).ok().as_ref(),
        );
        if txt_seal == Seal::Unsealed {
            lines.push(format!(
                "{label}: its `# strata-digest` line is gone (strata writes one in every lock)"
            ));
        }
        Freshness::Edited(lines)
    } else if !changed.is_empty() {
        Freshness::Stale(changed)
    } else if project.pylock
        && !pylock.as_ref().is_some_and(|pylock| {
            pylock_seal == Some(Seal::Intact)
                && pylock.fingerprint() == lock.fingerprint()
                && whole.as_ref().is_some_and(|whole| same_pins(whole, pylock))
        })
    {
        Freshness::Stale(vec!["pylock"])
    } else {
        Freshness::Current
    };
    let preferences = if !txt_edited {
        lock.pins()
            .map(|(name, version)| (name.clone(), version.clone()))
            .collect()
    } else if let (Some(pylock), Some(Seal::Intact)) = (&pylock, &pylock_seal) {
        pylock
            .packages
            .iter()
            .filter(|package| package.url.is_none())
            .map(|package| (package.name.clone(), package.version.clone()))
            .collect()
    } else {
        Vec::new()
    };
    Some(OnDisk {
        lock,
        verdict,
        preferences,
    })
}

/// Whether two readings of one lock pin the same versions, with the same hashes for index
/// pins (a direct URL's file is recorded differently by the two forms).
fn same_pins(a: &Lock, b: &Lock) -> bool {
    let key = |lock: &Lock| -> std::collections::BTreeMap<PackageName, (String, Vec<String>)> {
        lock.packages
            .iter()
            .map(|package| {
                let hashes = if package.url.is_some() {
                    Vec::new()
                } else {
                    package.hashes.clone()
                };
                (package.name.clone(), (package.version.to_string(), hashes))
            })
            .collect()
    };
    key(a) == key(b)
}

/// `path` relative to the project root, as messages name lock files.
fn shown(project: &Project, path: &std::path::Path) -> String {
    path.strip_prefix(&project.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The part of `resolution` the profile's own effective requirements reach, as a lock.
///
/// A hierarchy's resolution is the union of its profiles, so it holds edges that only a sibling
/// walks: the reach follows the top-level requirements of this profile alone, and an edge a
/// package brings in under one of its extras only when this profile reaches that extra
/// (a sibling's `transformers[sentencepiece]` does not give this profile's bare `transformers`
/// its `sentencepiece`).
fn profile_lock(
    project: &Project,
    name: &ProfileName,
    resolution: &Resolution,
    target: &strata_dist::Target,
    fingerprint: &Fingerprint,
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
    };
    let mut lock = crate::lock_from_resolution(
        &subset,
        effective.iter().map(|effective| effective.requirement),
        Some(name),
        true,
    );
    lock.header = strata_lockfile::header::profile_lines(
        name.as_str(),
        target,
        fingerprint.as_str(),
        &fingerprint.inputs_line(),
    );
    lock
}

/// Every package of `resolution` that the top-level requirements in `own` reach, with the
/// extras of it they reach: a walk over (package, extra) nodes, where an edge that a package
/// brings in under an extra is followed only from that extra's node.
fn reach(
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

/// The holds the existing lock's header records, for a relock that keeps their pins (where the
/// preference for the existing pin, not a new request of the engine's, keeps them): the same
/// inputs give the same header. None for an upgraded package, an engine gone, or one that no
/// longer moves its parents' pins.
fn carried_holds(
    project: &Project,
    options: &LockOptions,
    existing: Option<&Lock>,
) -> Vec<EngineHold> {
    let Some(existing) = existing else {
        return Vec::new();
    };
    if options.upgrade {
        return Vec::new();
    }
    recorded_holds(existing)
        .into_iter()
        .filter(|hold| {
            !options.upgrade_packages.contains(&hold.package) && still_holds(project, hold)
        })
        .collect()
}

/// The holds a lock's header records.
fn recorded_holds(lock: &Lock) -> Vec<EngineHold> {
    lock.header
        .iter()
        .filter_map(|line| EngineHold::parse(line, lock))
        .collect()
}

/// Whether the engine of `hold` is still one that moves its parents' pins.
fn still_holds(project: &Project, hold: &EngineHold) -> bool {
    project.profiles.get(&hold.engine).is_some_and(|engine| {
        engine
            .engine
            .as_ref()
            .is_some_and(|details| details.move_parent_pins && !details.isolated_from_parent)
    })
}

/// The holds among `holds` on a pin of `lock` (at the engine's version), each said in a line of
/// the header, in package order; returned for the summary.
fn note_holds(lock: &mut Lock, holds: &[EngineHold]) -> Vec<EngineHold> {
    let mut held: Vec<EngineHold> = holds
        .iter()
        .filter(|hold| {
            lock.pins()
                .any(|(package, version)| *package == hold.package && *version == hold.version)
        })
        .cloned()
        .collect();
    held.sort_by(|a, b| (&a.package, &a.engine).cmp(&(&b.package, &b.engine)));
    if !held.is_empty() {
        let at = lock.header.len().saturating_sub(1);
        lock.header
            .splice(at..at, held.iter().map(EngineHold::sentence));
    }
    held
}

/// Renders `lock` into its files; records in `lock`'s header the digest the text was sealed
/// with (an engine's fingerprint covers the digests of its parents' locks). `edited` are the
/// lines of the lock it replaces that strata did not write.
fn locked_outcome(
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
            Some(strata_lockfile::pylock_toml::write(
                lock,
                &profile_target(project, name)?,
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
fn add_warnings(outcome: &mut ProfileOutcome, resolution: &Resolution, lock: &Lock) {
    if let ProfileOutcome::Locked { warnings, .. } = outcome {
        for package in &lock.packages {
            if let Some(resolved) = resolution.packages.get(&package.name) {
                warnings.extend(resolved.missing_extra_warnings());
                warnings.extend(resolved.yanked_warning());
            }
        }
    }
}
