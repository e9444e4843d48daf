//! What asks for the packages of a profile's lock: the answers `strata why --profile` gives
//! beyond the pins' own requirements.
//!
//! A pin is held by more than the lock it is in. A hierarchy is one resolution, so a parent's
//! pin is held by its children's requirements too; an engine is locked on its parents' pins,
//! so each of those is a demand on it as binding as a line the user wrote; and an engine that
//! may move its parents' pins holds them with its own requirements. These rules are the
//! locking rules of [`crate::lock_project`] read backwards, which is why they live here and not
//! in the command that prints them.
//!
//! The results are data ([`Demand`]): how a demand is labelled (paths relative to where the
//! user stands) is the caller's business.

use std::collections::HashSet;
use std::path::PathBuf;

use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};
use strata_dist::Target;
use strata_index::IndexClient;
use strata_lockfile::Lock;
use strata_project::{Origin, ProfileName, Project};

use crate::inspect::{Lookup, pinned_metadata};
use crate::project_lock::{lock_path, solved_together};

/// One requirement on a package of a profile's lock, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    /// Where the requirement comes from.
    pub source: DemandSource,
    /// The requirement.
    pub requirement: Requirement,
}

/// Where a [`Demand`] comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemandSource {
    /// A requirement or constraint a profile of the hierarchy declares.
    Line {
        /// Where it was written.
        origin: Origin,
        /// Whether it is a constraint (`-c`, `constraints = [...]`).
        constraint: bool,
        /// The profile that declares it.
        profile: ProfileName,
    },
    /// A pin of a parent's lock, which an engine is locked on.
    ParentPin {
        /// The parent's lock file.
        lock: PathBuf,
        /// The parent.
        parent: ProfileName,
    },
    /// A requirement of a pin that another lock solved together with this one holds.
    SolvedWith {
        /// The pin whose metadata requires it.
        pin: PackageName,
        /// Its version.
        version: Version,
        /// Why that lock's pins hold this one's.
        relation: Relation,
    },
}

/// Why another lock's pins hold a profile's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// `member` is solved in one resolution with `profile`.
    Member {
        /// The other profile of the hierarchy.
        member: ProfileName,
        /// The profile asked about.
        profile: ProfileName,
    },
    /// `engine` is locked on the hierarchy's pins and may move them.
    Engine {
        /// The engine.
        engine: ProfileName,
        /// The profile of the hierarchy it extends.
        extends: ProfileName,
    },
}

/// The lines of `name`'s hierarchy (its ancestors', then its own), and for an engine locked on
/// its parents' pins, those pins as read from the parents' locks (a parent without a readable
/// lock adds none).
pub fn profile_demands(project: &Project, name: &ProfileName) -> Vec<Demand> {
    let mut demands = Vec::new();
    let mut chain: Vec<&ProfileName> = project.ancestors(name);
    chain.push(name);
    for member in chain {
        let profile = &project.profiles[member];
        let lines = profile
            .requirements
            .iter()
            .map(|sourced| (sourced, false))
            .chain(profile.constraints.iter().map(|sourced| (sourced, true)));
        for (sourced, constraint) in lines {
            demands.push(Demand {
                source: DemandSource::Line {
                    origin: sourced.origin.clone(),
                    constraint,
                    profile: member.clone(),
                },
                requirement: sourced.requirement.clone(),
            });
        }
    }
    let locked_on_parents = project.profiles[name]
        .engine
        .as_ref()
        .is_some_and(|engine| !engine.isolated_from_parent);
    if locked_on_parents {
        for ancestor in project.ancestors(name) {
            let path = lock_path(project, ancestor);
            let Some(lock) = fs_err::read_to_string(&path)
                .ok()
                .and_then(|text| Lock::parse_header_and_pins(&text))
            else {
                continue;
            };
            for package in &lock.packages {
                let Ok(requirement) = strata_dist::parse_requirement(&package.pinned_requirement())
                else {
                    continue;
                };
                demands.push(Demand {
                    source: DemandSource::ParentPin {
                        lock: path.clone(),
                        parent: ancestor.clone(),
                    },
                    requirement,
                });
            }
        }
    }
    demands
}

/// The requirements on `packages` of the pins that the profiles solved together with `name`
/// lock and `name`'s `lock` does not: they hold `name`'s pins too (a hierarchy is one
/// resolution). So do the pins of the engines on the hierarchy that may move its pins. Each
/// requirement counts once, from the first lock (in declaration order) that has its pin; a
/// lock that cannot be read adds nothing.
pub async fn solved_with_demands(
    project: &Project,
    name: &ProfileName,
    lock: &Lock,
    client: &IndexClient,
    target: &Target,
    lookup: &Lookup,
    packages: &[PackageName],
) -> Vec<Demand> {
    let own: HashSet<&PackageName> = lock.packages.iter().map(|package| &package.name).collect();
    let markers = target.markers();
    let lookup = Lookup {
        versions_of: Vec::new(),
        ..lookup.clone()
    };
    let group = solved_together(project, name);
    let engines = project.engines().filter_map(|engine| {
        let details = engine.engine.as_ref()?;
        if details.isolated_from_parent || !details.move_parent_pins {
            return None;
        }
        let extends = project
            .ancestors(&engine.name)
            .into_iter()
            .find(|ancestor| group.contains(ancestor))?;
        Some((
            engine.name.clone(),
            Relation::Engine {
                engine: engine.name.clone(),
                extends: extends.clone(),
            },
        ))
    });
    let others: Vec<(ProfileName, Relation)> = group
        .iter()
        .filter(|member| *member != name)
        .map(|member| {
            (
                member.clone(),
                Relation::Member {
                    member: member.clone(),
                    profile: name.clone(),
                },
            )
        })
        .chain(engines)
        .collect();
    let mut seen = HashSet::new();
    let mut demands = Vec::new();
    for (other, relation) in others {
        let Some(mut other) = fs_err::read_to_string(lock_path(project, &other))
            .ok()
            .and_then(|text| strata_lockfile::requirements_txt::read(&text).ok())
        else {
            continue;
        };
        other
            .packages
            .retain(|package| !own.contains(&package.name));
        for pin in pinned_metadata(client, &other, target, &lookup).await {
            let extras: Vec<_> = pin.extras.iter().cloned().collect();
            for (requirement, _) in pin.requires_dist.unwrap_or_default() {
                if packages.contains(&requirement.name)
                    && requirement.marker.evaluate(&markers, &extras)
                    && seen.insert((pin.name.clone(), requirement.to_string()))
                {
                    demands.push(Demand {
                        source: DemandSource::SolvedWith {
                            pin: pin.name.clone(),
                            version: pin.version.clone(),
                            relation: relation.clone(),
                        },
                        requirement,
                    });
                }
            }
        }
    }
    demands
}
