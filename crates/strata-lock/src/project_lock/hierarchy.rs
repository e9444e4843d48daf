//! Hierarchies: profiles joined by `extends` solved as one group, in an order where every
//! group comes after the groups it extends (and `--layered`'s one-profile groups).

use std::collections::{HashMap, HashSet};

use pep508_rs::{PackageName, Requirement};
use strata_project::{ProfileName, Project};
use strata_resolve::ResolveRequest;

use super::error::LockError;
use super::feedback::{EngineHold, carried_holds, note_holds, recorded_holds, still_holds};
use super::freshness::{Freshness, OnDisk, on_disk};
use super::outcome::{ProfileLock, ProfileOutcome, add_warnings, locked_outcome, profile_lock};
use super::targets::{TargetFailure, TargetPreferences, resolve_for_targets};
use super::{
    LockOptions, ResolverSource, lock_path, pinned, profile_targets, pylock_path, upgrade,
};
use crate::fingerprint::Fingerprint;
use strata_lockfile::Lock;

/// Groups ordered so that every profile's parents are locked before it.
pub(crate) fn topological(
    project: &Project,
    groups: Vec<Vec<ProfileName>>,
) -> Vec<Vec<ProfileName>> {
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
pub(crate) fn parent_pins(
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

/// The requested profiles and everything they extend.
pub(crate) fn selection(
    project: &Project,
    names: &[String],
) -> Result<HashSet<ProfileName>, LockError> {
    if names.is_empty() {
        return Ok(project.profiles.keys().cloned().collect());
    }
    let mut out = HashSet::new();
    for name in names {
        let profile = project.profile(name).map_err(LockError::UnknownProfile)?;
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
pub(crate) fn hierarchy_groups(project: &Project) -> Vec<Vec<ProfileName>> {
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
pub(crate) fn lock_group(
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
        if project.profiles[name].targets != first.targets {
            return Err(LockError::MixedTargets {
                first: first.name.to_string(),
                second: name.to_string(),
            });
        }
    }
    let targets = profile_targets(project, &first.name)?;
    if options.layered && targets.len() > 1 {
        return Err(LockError::Target {
            profile: first.name.to_string(),
            reason: "`--layered` locks one target at a time; lock profiles of several targets without it".to_string(),
        });
    }
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
    let mut request = ResolveRequest::new(targets[0].clone(), requirements);
    request.constraints = constraints;
    for name in group {
        crate::origins::add_profile(&mut request.origins, project, name);
    }
    if options.layered {
        crate::origins::add_parent_pins(&mut request.origins, project, &group[0], pins);
    }
    crate::origins::add_upgrade_pins(&mut request.origins, &options.upgrade_pins);
    request.upgrade = upgrade(options);
    let preferences = |target: &strata_dist::Target| {
        let mut wanted = TargetPreferences::default();
        for disk in group.iter().filter_map(|name| existing[name].as_ref()) {
            let from_disk = disk.preferences(target);
            wanted.versions.extend(
                from_disk
                    .versions
                    .into_iter()
                    .filter(|(name, _)| !released.contains(name)),
            );
            wanted.locked_urls.extend(from_disk.locked_urls);
        }
        wanted
    };
    let resolver = resolvers
        .resolver(&[])
        .map_err(|source| LockError::Resolve {
            what: describe_group(group),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        })?;
    // A solve that failed names its target when the profiles have several.
    let failure = |failed: TargetFailure| {
        let source = *failed.error;
        let packages = source.conflicting_packages();
        LockError::Resolve {
            what: match &failed.target {
                Some(target) => format!("{} for {target}", describe_group(group)),
                None => describe_group(group),
            },
            branches: branches(project, group, packages),
            parent_pins: parent_pin_lines(project, group, pins, extra_constraints, packages)
                .into_boxed_slice(),
            source: Box::new(source),
        }
    };
    let resolutions =
        resolve_for_targets(&resolver, &request, &targets, &preferences).map_err(failure)?;
    for (name, fingerprint) in fingerprints {
        let mut lock = profile_lock(project, &name, &resolutions, &fingerprint)?;
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
        for (_, resolution) in &resolutions {
            add_warnings(&mut outcome, resolution, &lock);
        }
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

/// The parents' pins among `constraints` (with `--layered`, a child is solved on its parents'
/// locks) that name one of `packages`, each said with the lock it comes from: often the other
/// side of the clash.
pub(crate) fn parent_pin_lines(
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
pub(crate) fn branches(
    project: &Project,
    group: &[ProfileName],
    packages: &[PackageName],
) -> Vec<String> {
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

pub(crate) fn describe_group(group: &[ProfileName]) -> String {
    let names: Vec<String> = group.iter().map(|name| format!("`{name}`")).collect();
    if names.len() == 1 {
        format!("profile {}", names[0])
    } else {
        format!("the hierarchy {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(manifest: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("strata.toml"), manifest).unwrap();
        fs_err::write(dir.path().join("v.yaml"), "v: \"1.0\"\n").unwrap();
        let project = Project::discover(dir.path(), &|_| None).unwrap();
        (dir, project)
    }

    fn names(groups: &[Vec<ProfileName>]) -> Vec<Vec<&str>> {
        groups
            .iter()
            .map(|group| group.iter().map(ProfileName::as_str).collect())
            .collect()
    }

    #[test]
    fn profiles_joined_by_extends_form_one_group_and_a_profile_extending_two_joins_them() {
        let (_dir, project) = project(
            r#"
            [profiles.a]
            requirements = ["x"]
            [profiles.b]
            requirements = ["x"]
            [profiles.a-child]
            requirements = ["x"]
            extends = ["a"]
            [profiles.c]
            requirements = ["x"]
            [profiles.both]
            requirements = ["x"]
            extends = ["b", "c"]
            "#,
        );
        assert_eq!(
            names(&hierarchy_groups(&project)),
            [vec!["a", "a-child"], vec!["b", "c", "both"]]
        );
        let a_child = ProfileName::parse("a-child").unwrap();
        assert_eq!(
            names(&[solved_together(&project, &a_child)]),
            [["a", "a-child"]]
        );
    }

    #[test]
    fn layered_groups_come_after_the_groups_they_extend_and_engines_are_solved_alone() {
        let (_dir, project) = project(
            r#"
            [profiles.child]
            requirements = ["x"]
            extends = ["parent"]
            [profiles.parent]
            requirements = ["x"]
            [engines.eng]
            requirements = ["x"]
            extends = ["child"]
            version = { file = "v.yaml", key = "v", package = "eng" }
            "#,
        );
        let one_each: Vec<Vec<ProfileName>> = project
            .plain_profiles()
            .map(|profile| vec![profile.name.clone()])
            .collect();
        assert_eq!(
            names(&topological(&project, one_each)),
            [vec!["parent"], vec!["child"]]
        );
        let eng = ProfileName::parse("eng").unwrap();
        assert_eq!(solved_together(&project, &eng), [eng]);
    }
}
