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
//! requirements allow. If that release does not lock (its own requirements clash with the
//! parents' pins, say), `bump` reports it and leaves the version file alone instead of trying
//! older releases one by one: settling silently on an older release than the newest would hide
//! why the newest fails, and every try is a full solve. The report names the older allowed
//! releases, for `--to`.

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
