//! Which release an engine can move to: the question `strata outdated` and `strata bump` share.
//!
//! An engine's version file says which release is current and the index says which are newer,
//! but not every newer release is one the project can take. The engine's own requirements on
//! its package bound it (an extra's `transformers>=4.56,<5`, a profile line, a constraint, the
//! same in the profiles it extends), and a release outside them can never lock: the version
//! file's `==` pin and the range exclude each other. So a release is **newer** when it is above
//! the current one, final (a pre-release only when the current version is one), installable on
//! the engine's target and not yanked; it is **allowed** when, in addition, every such
//! requirement whose marker holds on the target contains it. The version file's own pin is not
//! one of them: it is what moves.
//!
//! `outdated` reports the newest release and the newest allowed one. `bump` without `--to` takes
//! the newest allowed release, as `uv lock --upgrade-package` takes the newest version the
//! requirements allow ([`EngineReleases::bump_plan`]). If that release does not lock (its own
//! requirements clash with the parents' pins, say), `bump` tries the next older allowed
//! release, at most [`MAX_BUMP_TRIES`] of them: every try is a full solve, and when that many
//! fail the cause is rarely the engine's version. Each failed try is reported, so settling on
//! an older release never hides why the newest failed; the older allowed releases left untried
//! are named for `--to`.

use pep440_rs::Version;
use pep508_rs::VersionOrUrl;
use strata_dist::Target;
use strata_index::ProjectListing;
use strata_project::{Origin, ProfileName, Project, SourcedRequirement};

/// An engine's releases on its index, measured against its version file and its requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineReleases {
    /// Releases newer than the version file's (final ones unless it is a pre-release), that
    /// install on the engine's target and are not yanked; oldest first.
    pub newer: Vec<Version>,
    /// Those of [`EngineReleases::newer`] that every requirement in
    /// [`EngineReleases::bounds`] allows; oldest first.
    pub allowed: Vec<Version>,
    /// The requirements of the engine and the profiles it extends on the engine's own package
    /// that apply on its target, each with where it was written (the version file's pin left
    /// out).
    pub bounds: Vec<SourcedRequirement>,
}

impl EngineReleases {
    /// The newest newer release, allowed or not.
    pub fn newest(&self) -> Option<&Version> {
        self.newer.last()
    }

    /// The newest release the engine's requirements allow.
    pub fn newest_allowed(&self) -> Option<&Version> {
        self.allowed.last()
    }

    /// The bounds as one line, `transformers>=4.56,<5 (extra:hf)`, for messages.
    pub fn describe_bounds(&self) -> String {
        self.bounds
            .iter()
            .map(|bound| format!("`{}` ({})", bound.requirement, bound.origin))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The releases `bump` tries, newest allowed first.
    ///
    /// ```
    /// use strata_lock::{BumpPlan, EngineReleases};
    ///
    /// let versions = |list: &[&str]| list.iter().map(|v| v.parse().unwrap()).collect();
    /// let releases = EngineReleases {
    ///     newer: versions(&["4.1", "4.2", "5.0"]),
    ///     allowed: versions(&["4.1", "4.2"]),
    ///     bounds: Vec::new(),
    /// };
    /// assert_eq!(
    ///     releases.bump_plan(),
    ///     BumpPlan::Try {
    ///         newest: "5.0".parse().unwrap(),
    ///         tries: versions(&["4.2", "4.1"]),
    ///         older: Vec::new(),
    ///     }
    /// );
    /// ```
    pub fn bump_plan(&self) -> BumpPlan {
        let Some(newest) = self.newest().cloned() else {
            return BumpPlan::UpToDate;
        };
        if self.allowed.is_empty() {
            return BumpPlan::Held { newest };
        }
        BumpPlan::Try {
            newest,
            tries: self
                .allowed
                .iter()
                .rev()
                .take(MAX_BUMP_TRIES)
                .cloned()
                .collect(),
            older: self
                .allowed
                .iter()
                .rev()
                .skip(MAX_BUMP_TRIES)
                .take(5)
                .cloned()
                .collect(),
        }
    }
}

/// How many releases `strata bump` without `--to` tries, newest first, before it gives up. Each
/// try is a whole resolve of the engine (seconds to minutes on a real index), and when the five
/// newest releases the engine's requirements allow all fail to lock, the cause is rarely the
/// engine's version: the user is better served by the explanations than by a longer walk.
pub const MAX_BUMP_TRIES: usize = 5;

/// What `strata bump` without `--to` does with an engine's releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BumpPlan {
    /// No release is newer than the version file's.
    UpToDate,
    /// Newer releases exist, but the engine's requirements allow none of them.
    Held {
        /// The newest release.
        newest: Version,
    },
    /// Try these releases in order until one locks.
    Try {
        /// The newest release, allowed or not (when it is not the first try, the requirements
        /// are why).
        newest: Version,
        /// The newest allowed releases, newest first, at most [`MAX_BUMP_TRIES`].
        tries: Vec<Version>,
        /// The next allowed releases below those (at most five, newest first), for the remedy
        /// when none of the tries locks.
        older: Vec<Version>,
    },
}

/// The releases of engine `name` in `listing` (its package's listing on the engine's indexes)
/// for `target`, measured against its version file and its requirements. A profile that is not
/// an engine has none.
pub fn engine_releases(
    project: &Project,
    name: &ProfileName,
    listing: &ProjectListing,
    target: &Target,
) -> EngineReleases {
    let Some(engine) = project
        .profiles
        .get(name)
        .and_then(|profile| profile.engine.as_ref())
    else {
        return EngineReleases::default();
    };
    let bounds = engine_bounds(project, name, target);
    let current = &engine.version;
    let mut newer: Vec<Version> = listing
        .versions(target)
        .iter()
        .filter(|candidate| {
            &candidate.version > current
                && candidate.is_installable()
                && !candidate.yanked
                && (!candidate.version.any_prerelease() || current.any_prerelease())
        })
        .map(|candidate| candidate.version.clone())
        .collect();
    newer.sort();
    newer.dedup();
    let allowed = newer
        .iter()
        .filter(|version| {
            bounds
                .iter()
                .all(|bound| match &bound.requirement.version_or_url {
                    Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                        specifiers.contains(version)
                    }
                    // A URL names one file, not a range of releases: no release of the index is
                    // that file.
                    Some(VersionOrUrl::Url(_)) => false,
                    None => true,
                })
        })
        .cloned()
        .collect();
    EngineReleases {
        newer,
        allowed,
        bounds,
    }
}

/// The requirements and constraints of engine `name` and the profiles it extends on the
/// engine's own package whose markers hold on `target`, without the version file's pin.
fn engine_bounds(
    project: &Project,
    name: &ProfileName,
    target: &Target,
) -> Vec<SourcedRequirement> {
    let Some(package) = project
        .profiles
        .get(name)
        .and_then(|profile| profile.engine.as_ref())
        .map(|engine| &engine.package)
    else {
        return Vec::new();
    };
    let markers = target.markers();
    let mut chain = project.ancestors(name);
    chain.push(name);
    let mut bounds: Vec<SourcedRequirement> = Vec::new();
    for member in chain {
        let profile = &project.profiles[member];
        for sourced in profile.requirements.iter().chain(&profile.constraints) {
            if &sourced.requirement.name == package
                && !matches!(sourced.origin, Origin::VersionFile { .. })
                && sourced.requirement.marker.evaluate(&markers, &[])
                && !bounds.contains(sourced)
            {
                bounds.push(sourced.clone());
            }
        }
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(range: std::ops::RangeInclusive<u64>) -> Vec<Version> {
        range.map(|minor| Version::new([1, minor])).collect()
    }

    #[test]
    fn bump_tries_the_newest_allowed_releases_and_names_the_next_older_ones() {
        let releases = EngineReleases {
            newer: versions(1..=20),
            allowed: versions(1..=12),
            bounds: Vec::new(),
        };
        let BumpPlan::Try {
            newest,
            tries,
            older,
        } = releases.bump_plan()
        else {
            panic!("expected tries");
        };
        assert_eq!(newest, Version::new([1, 20]));
        assert_eq!(
            tries,
            versions(8..=12).into_iter().rev().collect::<Vec<_>>()
        );
        assert_eq!(older, versions(3..=7).into_iter().rev().collect::<Vec<_>>());
    }

    #[test]
    fn bump_is_held_by_requirements_that_allow_no_newer_release_and_idle_without_one() {
        let held = EngineReleases {
            newer: versions(1..=2),
            allowed: Vec::new(),
            bounds: Vec::new(),
        };
        assert_eq!(
            held.bump_plan(),
            BumpPlan::Held {
                newest: Version::new([1, 2])
            }
        );
        assert_eq!(EngineReleases::default().bump_plan(), BumpPlan::UpToDate);
    }
}
