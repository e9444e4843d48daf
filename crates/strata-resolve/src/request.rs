//! What to resolve and what came out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_dist::{Metadata, Target};
use strata_index::DistFile;

/// Which pre-releases may be chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrereleaseMode {
    /// Only when a requirement names one (`torch>=2.6.0rc1`) or the package has nothing else:
    /// pip's and uv's default.
    #[default]
    IfNecessaryOrExplicit,
    /// Any pre-release (`--prerelease allow`).
    Allow,
}

/// Which kinds of file may be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryPolicy {
    /// Never use wheels of these packages (`--no-binary`); `all` for every package.
    pub no_binary: HashSet<PackageName>,
    /// `--no-binary :all:`.
    pub no_binary_all: bool,
    /// Never use sdists of these packages (`--only-binary`).
    pub only_binary: HashSet<PackageName>,
    /// `--only-binary :all:`.
    pub only_binary_all: bool,
}

impl BinaryPolicy {
    pub(crate) fn allows_wheels(&self, name: &PackageName) -> bool {
        !(self.no_binary_all || self.no_binary.contains(name))
    }

    pub(crate) fn allows_sdists(&self, name: &PackageName) -> bool {
        !(self.only_binary_all || self.only_binary.contains(name))
    }
}

/// Which locked versions to stop preferring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Upgrade {
    /// Keep every preference (the default: a relock changes nothing that need not change).
    #[default]
    None,
    /// Ignore every preference (`--upgrade`).
    All,
    /// Ignore these packages' preferences (`--upgrade-package`).
    Packages(HashSet<PackageName>),
}

/// A resolution problem: requirements, limits and preferences for one target.
#[derive(Debug, Clone)]
pub struct ResolveRequest {
    /// The environment the result must install into.
    pub target: Target,
    /// The top-level requirements.
    pub requirements: Vec<Requirement>,
    /// Limits on versions (`-c`): they never add a package.
    pub constraints: Vec<Requirement>,
    /// Replacements: every requirement on the named package, anywhere in the graph, is
    /// replaced by these (for a broken upper bound upstream).
    pub overrides: Vec<Requirement>,
    /// Versions to try first, typically from an existing lock.
    pub preferences: HashMap<PackageName, Version>,
    /// Which preferences to ignore.
    pub upgrade: Upgrade,
    /// Pre-release policy.
    pub prerelease: PrereleaseMode,
    /// Wheel/sdist policy.
    pub binary: BinaryPolicy,
    /// Where the requirements, constraints and overrides were written, so that an explanation
    /// can name the lines that clash; empty when the caller does not know.
    pub origins: Origins,
    /// Packages the environment already has (an upstream image's): fixed, never fetched.
    pub provided: Provided,
    /// The direct URLs an existing lock pins, by package: a git requirement keeps the commit
    /// its lock pins (same repository and subdirectory) unless [`ResolveRequest::upgrade`]
    /// lifts it.
    pub locked_urls: HashMap<PackageName, String>,
}

/// Packages already installed where the result will be installed, such as the packages of an
/// upstream container image, as installed and opaque.
///
/// Each is fixed at its version: the only candidate of its package, whatever the index has
/// (often nothing: an image's `2.5.1+cu124` is a local build). Nothing about it is fetched:
/// its dependencies are taken as satisfied (they are installed too), and so are its extras'.
/// A requirement its version does not satisfy has no solution, and the explanation names the
/// provider and where the version was recorded. The resolution lists the provided packages it
/// uses apart from the ones to install ([`Resolution::provided`]).
#[derive(Debug, Clone, Default)]
pub struct Provided {
    /// What provides them, as an explanation names it: "the image `vllm/vllm-openai:v0.6.3`".
    pub by: String,
    /// The packages, each with its version.
    pub packages: HashMap<PackageName, ProvidedPackage>,
}

/// One package of [`Provided`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvidedPackage {
    /// The installed version.
    pub version: Version,
    /// Where that version was recorded, like `docker/vllm.packages.txt:12`.
    pub origin: String,
}

/// Where the requirements of a [`ResolveRequest`] were written, in the words an explanation
/// quotes in parentheses after each one: `requirements/backend.in:3`, "extra `transformers` of
/// pyproject.toml", "pinned in locks/base.txt by profile `base`".
///
/// Keyed by the requirement itself: the same line written in two places has both origins.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    requirements: HashMap<Requirement, Vec<String>>,
    constraints: HashMap<Requirement, Vec<String>>,
    overrides: HashMap<Requirement, Vec<String>>,
}

impl Origins {
    /// Records that the top-level `requirement` was written at `origin`.
    pub fn requirement(&mut self, requirement: &Requirement, origin: impl Into<String>) {
        push_origin(&mut self.requirements, requirement, origin.into());
    }

    /// Records that the constraint `requirement` comes from `origin`.
    pub fn constraint(&mut self, requirement: &Requirement, origin: impl Into<String>) {
        push_origin(&mut self.constraints, requirement, origin.into());
    }

    /// Records that the override `requirement` was written at `origin`.
    pub fn override_(&mut self, requirement: &Requirement, origin: impl Into<String>) {
        push_origin(&mut self.overrides, requirement, origin.into());
    }

    pub(crate) fn of_requirement(&self, requirement: &Requirement) -> &[String] {
        self.requirements
            .get(requirement)
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn of_constraint(&self, requirement: &Requirement) -> &[String] {
        self.constraints.get(requirement).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn of_override(&self, requirement: &Requirement) -> &[String] {
        self.overrides.get(requirement).map_or(&[], Vec::as_slice)
    }

    /// Where `requirement` was written, as a requirement, constraint or override.
    pub(crate) fn of_any(&self, requirement: &Requirement) -> Vec<String> {
        let mut all: Vec<String> = self.of_requirement(requirement).to_vec();
        all.extend_from_slice(self.of_constraint(requirement));
        all.extend_from_slice(self.of_override(requirement));
        all
    }
}

fn push_origin(
    origins: &mut HashMap<Requirement, Vec<String>>,
    requirement: &Requirement,
    origin: String,
) {
    let known = origins.entry(requirement.clone()).or_default();
    if !known.contains(&origin) {
        known.push(origin);
    }
}

impl ResolveRequest {
    /// A request with defaults for everything but the target and requirements.
    pub fn new(target: Target, requirements: Vec<Requirement>) -> Self {
        Self {
            target,
            requirements,
            constraints: Vec::new(),
            overrides: Vec::new(),
            preferences: HashMap::new(),
            upgrade: Upgrade::None,
            prerelease: PrereleaseMode::default(),
            binary: BinaryPolicy::default(),
            origins: Origins::default(),
            provided: Provided::default(),
            locked_urls: HashMap::new(),
        }
    }
}

/// One pinned distribution of a resolution.
#[derive(Debug, Clone)]
pub struct ResolvedPackage {
    /// The distribution.
    pub name: PackageName,
    /// The pinned version.
    pub version: Version,
    /// Extras of it that something requires and this version provides.
    pub extras: BTreeSet<ExtraName>,
    /// Extras something requires that this version does not declare: it is used without them,
    /// as pip and uv do, and the caller warns (see [`ResolvedPackage::missing_extra_warnings`]).
    pub missing_extras: BTreeSet<ExtraName>,
    /// The file pip would install on the target.
    pub file: DistFile,
    /// Every file of the version the policy allows (a lock lists all their hashes, so the
    /// same lock installs from any of them, as pip-tools does).
    pub files: Vec<DistFile>,
    /// The version's metadata.
    pub metadata: Arc<Metadata>,
    /// Whether a top-level requirement names it.
    pub is_direct: bool,
    /// Where it came from when it is a direct URL requirement (for a git requirement, the
    /// repository at the full commit).
    pub direct_url: Option<String>,
    /// For a git requirement, the reference it asked for (`None` for the default branch, and
    /// for anything else), which `pylock.toml` records beside the commit.
    pub requested_revision: Option<String>,
    /// For a local directory requirement, whether it is installed editable (`-e`); its path,
    /// as the lock writes it, is [`ResolvedPackage::direct_url`].
    pub editable: bool,
}

impl ResolvedPackage {
    /// One sentence per extra in [`ResolvedPackage::missing_extras`], for a warning.
    pub fn missing_extra_warnings(&self) -> Vec<String> {
        self.missing_extras
            .iter()
            .map(|extra| {
                format!(
                    "`{}=={}` does not provide the extra `{extra}`; it is locked without it",
                    self.name, self.version
                )
            })
            .collect()
    }

    /// Why the index yanked this version (PEP 592), when every file of it is yanked; `Some("")`
    /// when the index gives no reason. The resolver takes a yanked version only when a
    /// requirement pins exactly it, as pip does.
    pub fn yanked(&self) -> Option<&str> {
        let files = if self.files.is_empty() {
            std::slice::from_ref(&self.file)
        } else {
            &self.files[..]
        };
        if !files.iter().all(|file| file.yanked.is_some()) {
            return None;
        }
        // Indexes usually give every file of a release the same reason; any stated one will do.
        Some(
            files
                .iter()
                .filter_map(|file| file.yanked.as_deref())
                .find(|reason| !reason.trim().is_empty())
                .unwrap_or(""),
        )
    }

    /// The warning pip gives when it installs a yanked version, for the caller to show: the
    /// package, the version and the index's reason.
    pub fn yanked_warning(&self) -> Option<String> {
        let reason = self.yanked()?;
        let reason = if reason.trim().is_empty() {
            "<none given>"
        } else {
            reason.trim()
        };
        Some(format!(
            "`{}=={}` is a yanked version, selected because a requirement pins it with `==`; \
             reason for being yanked: {reason}",
            self.name, self.version
        ))
    }
}

/// A dependency edge of the result: `from` requires `to` with `requirement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The requiring package; `None` for a top-level requirement.
    pub from: Option<PackageName>,
    /// The required package.
    pub to: PackageName,
    /// The requirement as written by `from` (or at top level).
    pub requirement: Requirement,
    /// The extra of `from` that brings the requirement in (`transformers[sentencepiece]`
    /// requires `sentencepiece`); `None` when `from` requires it without any extra. Whoever
    /// reaches `from` without that extra does not reach `to` through this edge.
    pub from_extra: Option<ExtraName>,
}

/// A successful resolution: one version per package, and the edges that brought each in.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Pinned packages by name, in name order (the lock's order).
    pub packages: BTreeMap<PackageName, ResolvedPackage>,
    /// Every edge between pinned packages (and from the top level), in a stable order.
    pub edges: Vec<Edge>,
    /// The packages of [`ResolveRequest::provided`] the solution uses, at their versions: not
    /// in [`Resolution::packages`], since nothing installs them.
    pub provided: BTreeMap<PackageName, Version>,
}

impl Resolution {
    /// The packages that require `name` (`None` for the top level), for `# via` lines.
    pub fn parents_of(&self, name: &PackageName) -> Vec<Option<&PackageName>> {
        let mut parents: Vec<Option<&PackageName>> = self
            .edges
            .iter()
            .filter(|edge| &edge.to == name)
            .map(|edge| edge.from.as_ref())
            .collect();
        parents.sort();
        parents.dedup();
        parents
    }
}
