//! Where the requirements of a solve come from, in the words its explanation quotes.
//!
//! A failed solve names the requirements that clash and, in parentheses, where each was
//! written: `requirements/backend.in:3`, "extra `transformers` of pyproject.toml", "locks/base.txt,
//! the lock of profile `base`" for a parent's pin an engine is solved on. This module turns the
//! project's [`Origin`]s into those words and hands them to the resolver with the request.

use std::collections::{HashMap, HashSet};

use pep508_rs::Requirement;
use strata_project::{Origin, ProfileName, Project};
use strata_resolve::Origins;

use crate::project_lock::{lock_path, pinned};
use strata_lockfile::Lock;

/// `origin` as an explanation names it: a `file:line`, or which table of `pyproject.toml`.
pub fn describe(origin: &Origin) -> String {
    match origin {
        Origin::Manifest { .. } | Origin::File { .. } => origin.to_string(),
        Origin::Project => "`[project].dependencies` of pyproject.toml".to_string(),
        Origin::Extra(name) => format!("extra `{name}` of pyproject.toml"),
        Origin::Group(name) => format!("dependency group `{name}` of pyproject.toml"),
        Origin::VersionFile { path, key } => {
            format!("`{key}` in {}", path.display())
        }
    }
}

/// Records where each effective requirement and own constraint of profile `name` was written.
pub(crate) fn add_profile(origins: &mut Origins, project: &Project, name: &ProfileName) {
    for effective in project.effective_requirements(name) {
        let sourced = effective.requirement;
        origins.requirement(&sourced.requirement, describe(&sourced.origin));
    }
    for sourced in &project.profiles[name].constraints {
        origins.constraint(&sourced.requirement, describe(&sourced.origin));
    }
}

/// Records the pins of `name`'s ancestors, which it is solved on as constraints, each with the
/// farthest ancestor whose lock has it: where the pin starts.
pub(crate) fn add_parent_pins(
    origins: &mut Origins,
    project: &Project,
    name: &ProfileName,
    pins: &HashMap<ProfileName, Lock>,
) {
    let mut seen: HashSet<Requirement> = HashSet::new();
    for ancestor in project.ancestors(name) {
        let Some(lock) = pins.get(ancestor) else {
            continue;
        };
        let path = lock_path(project, ancestor);
        let shown = path.strip_prefix(&project.root).unwrap_or(&path);
        for package in &lock.packages {
            let requirement = pinned(package);
            if seen.insert(requirement.clone()) {
                origins.constraint(
                    &requirement,
                    format!("{}, the lock of profile `{ancestor}`", shown.display()),
                );
            }
        }
    }
}

/// Records the `--upgrade-package NAME==VERSION` pins.
pub(crate) fn add_upgrade_pins(origins: &mut Origins, upgrade_pins: &[Requirement]) {
    for requirement in upgrade_pins {
        origins.constraint(requirement, format!("`--upgrade-package {requirement}`"));
    }
}
