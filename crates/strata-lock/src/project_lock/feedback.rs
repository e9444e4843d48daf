//! Engines moving the hierarchy's pins: the versions an engine needs fed back to its parents'
//! solve, and the [`EngineHold`]s that record each moved pin in the locks' headers.

use std::collections::HashMap;
use std::str::FromStr;

use pep508_rs::{PackageName, Requirement};
use strata_project::{ProfileName, Project};
use strata_resolve::{Resolution, ResolveRequest};

use super::engines::parent_versions;
use super::{LockOptions, ResolverSource, lock_path, pin, profile_target, upgrade};
use strata_lockfile::Lock;

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
    pub(crate) fn parse(line: &str, lock: &Lock) -> Option<Self> {
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
    pub(crate) fn constraint(&self) -> Requirement {
        pin(&self.package, &self.version)
    }

    /// [`EngineHold::constraint`] for a hierarchy locked for `targets`: with several, it holds
    /// on the engine's target only (its marker selects that one), since the engine is installed
    /// nowhere else. The other targets still take the same version where it fits them, as
    /// reconciling targets prefers one version.
    pub(crate) fn constraint_for(
        &self,
        project: &Project,
        targets: &[strata_dist::Target],
    ) -> Requirement {
        let mut constraint = self.constraint();
        if targets.len() > 1
            && let Ok(engine) = profile_target(project, &self.engine)
            && let Some(index) = targets
                .iter()
                .position(|target| target.marker_identity() == engine.marker_identity())
            && let Some(marker) = strata_lockfile::targets::marker_for(&[index], targets)
        {
            constraint.marker = marker;
        }
        constraint
    }
}

/// An [`EngineHold`] as an engine asks for it: with the parent pin it cannot use.
#[derive(Debug, Clone)]
pub(crate) struct Feedback {
    pub(crate) hold: EngineHold,
    /// The profile whose lock has the pin (the farthest parent that has it).
    pub(crate) parent: ProfileName,
    /// The version that parent pins.
    pub(crate) instead_of: pep440_rs::Version,
}

/// When an engine cannot live with its hierarchy's pins, the hierarchy pins it would need
/// instead: resolve the engine alone (its requirements, none of the pins), and for every package
/// pinned differently there, ask the hierarchy to pin the engine's version, with the requirement
/// of the engine's that excludes the parent's version. The hierarchy is then solved again with
/// those constraints; if it has no solution with them, that failure names the packages, and the
/// hint suggests `isolated-from-parent`.
pub(crate) fn engine_feedback(
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
    // An upstream engine's image packages are what it needs, like any version its solve picks.
    let captured = strata_project::ImagePackages::for_engine(project, name)
        .ok()
        .flatten();
    if let Some(captured) = &captured {
        request.provided = super::engines::provided(captured);
    }
    let Ok(resolver) = resolvers.resolver(&project.engine_index_urls(name)) else {
        return None;
    };
    let Ok(alone) = resolver.resolve(&request) else {
        return None;
    };
    let parent = parent_versions(
        project,
        name,
        &super::engines::pins_for_engine(project, name, pins),
    );
    let versions = alone
        .packages
        .values()
        .map(|package| (&package.name, &package.version))
        .chain(&alone.provided);
    let holds: Vec<Feedback> = versions
        .filter_map(|(package, version)| {
            let (parent, instead_of) = parent.get(package)?;
            (instead_of != version).then(|| {
                let (bound, requirement) = match &captured {
                    Some(captured) if alone.provided.contains_key(package) => (
                        format!("=={version}"),
                        format!(
                            "the image `{}` provides {package} {version}",
                            captured.image
                        ),
                    ),
                    _ => holding_requirement(&alone, package, instead_of).unwrap_or_else(|| {
                        (
                            format!("=={version}"),
                            format!("its own solve picks {package} {version}"),
                        )
                    }),
                };
                Feedback {
                    hold: EngineHold {
                        package: package.clone(),
                        version: version.clone(),
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
pub(crate) fn holding_requirement(
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
pub(crate) fn may_move_parent_pins(project: &Project, name: &ProfileName) -> bool {
    project.profiles[name]
        .engine
        .as_ref()
        .is_none_or(|engine| engine.move_parent_pins)
}

/// "numpy: profile `host` pins 2.4.6 (locks/host.txt); the engine needs <2.3 (...)".
pub(crate) fn conflict_line(project: &Project, asked: &Feedback) -> String {
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

/// The holds the existing lock's header records, for a relock that keeps their pins (where the
/// preference for the existing pin, not a new request of the engine's, keeps them): the same
/// inputs give the same header. None for an upgraded package, an engine gone, or one that no
/// longer moves its parents' pins.
pub(crate) fn carried_holds(
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
pub(crate) fn recorded_holds(lock: &Lock) -> Vec<EngineHold> {
    lock.header
        .iter()
        .filter_map(|line| EngineHold::parse(line, lock))
        .collect()
}

/// Whether the engine of `hold` is still one that moves its parents' pins.
pub(crate) fn still_holds(project: &Project, hold: &EngineHold) -> bool {
    project.profiles.get(&hold.engine).is_some_and(|engine| {
        engine
            .engine
            .as_ref()
            .is_some_and(|details| details.move_parent_pins && !details.isolated_from_parent)
    })
}

/// The holds among `holds` on a pin of `lock` (at the engine's version), each said in a line of
/// the header, in package order; returned for the summary.
pub(crate) fn note_holds(lock: &mut Lock, holds: &[EngineHold]) -> Vec<EngineHold> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lock() -> Lock {
        let text = "#\n# strata-fingerprint: f\n#\nnumpy==2.2.6\n    # via -r base.in\n";
        strata_lockfile::requirements_txt::read(text).unwrap()
    }

    fn hold(version: &str) -> EngineHold {
        EngineHold {
            package: PackageName::from_str("numpy").unwrap(),
            version: version.parse().unwrap(),
            engine: ProfileName::parse("vllm").unwrap(),
            bound: "<2.3".to_string(),
            requirement: "numba==0.61.2 requires numpy>=1.24,<2.3".to_string(),
        }
    }

    #[test]
    fn a_hold_noted_in_a_header_reads_back_as_the_same_hold() {
        let mut lock = lock();
        let noted = note_holds(&mut lock, &[hold("2.2.6")]);
        assert_eq!(noted, [hold("2.2.6")]);
        assert!(lock.header.contains(&hold("2.2.6").sentence()));
        assert_eq!(recorded_holds(&lock), [hold("2.2.6")]);
    }

    #[test]
    fn a_hold_on_a_version_the_lock_does_not_pin_is_not_noted() {
        let mut lock = lock();
        let header = lock.header.clone();
        assert!(note_holds(&mut lock, &[hold("2.1.0")]).is_empty());
        assert_eq!(lock.header, header);
    }
}
