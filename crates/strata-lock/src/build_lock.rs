//! The build lock: a project's `[build-system]` requirements (and what its backend's
//! `get_requires_for_build_*` hooks add) resolved for the interpreter that builds it, written as
//! `<lock-dir>/build-system.txt` so that `strata build` is reproducible and a second build
//! resolves nothing.
//!
//! The header records what the lock was made for: the requirements `pyproject.toml` names, those
//! the backend added, the target, and a hash of the index configuration (never its URLs). A lock
//! serves a build when the requirements, target and indexes are the same and everything the
//! backend asks for was added before ([`BuildInputs::covers`]); otherwise it is resolved again,
//! preferring its own pins (and the caller's, e.g. the `build` profile's) unless upgrading.
//!
//! Why a lock of its own rather than the `build` profile's: a project's build role (the second
//! seed's `requirements/build/build.in`) holds the whole backend stack with `build` and `twine`
//! on top (torch and its CUDA wheels, in the example), and an isolated PEP 517 environment needs
//! only the backend. The build profile's pins are preferred, so both agree where they overlap.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use pep440_rs::Version;
use pep508_rs::PackageName;
use sha2::{Digest, Sha256};
use strata_dist::Target;
use strata_lockfile::Lock;
use strata_project::Project;
use strata_resolve::{ResolveError, ResolveRequest, Resolver, Upgrade};

/// The build lock's file name in the lock directory.
pub const BUILD_LOCK_FILE: &str = "build-system.txt";

const REQUIRES_PREFIX: &str = "strata-build-requires: ";
const ADDED_PREFIX: &str = "strata-build-added: ";
const INDEX_PREFIX: &str = "strata-build-index: ";

/// `<root>/<lock-dir>/build-system.txt`.
pub fn build_lock_path(project: &Project) -> PathBuf {
    project.root.join(&project.lock_dir).join(BUILD_LOCK_FILE)
}

/// What a build lock is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInputs {
    /// `[build-system].requires`, sorted and without duplicates.
    pub requires: Vec<String>,
    /// What `get_requires_for_build_*` added, sorted and without duplicates.
    pub added: Vec<String>,
    /// The interpreter's target.
    pub target: Target,
    /// A short hash of the index configuration.
    pub index: String,
}

impl BuildInputs {
    /// The inputs of a build: `index_identity` describes the index configuration (hashed here,
    /// so a lock names no index).
    ///
    /// ```
    /// let target = strata_dist::Target::parse("3.11", "linux")?;
    /// let old = strata_lock::BuildInputs::new(&["setuptools>=68".into()], &["wheel".into()], &target, "pypi");
    /// let new = strata_lock::BuildInputs::new(&["setuptools>=68".into()], &[], &target, "pypi");
    /// assert!(old.covers(&new));
    /// assert!(!new.covers(&old));
    /// # Ok::<(), strata_dist::Error>(())
    /// ```
    pub fn new(
        requires: &[String],
        added: &[String],
        target: &Target,
        index_identity: &str,
    ) -> Self {
        let normalized = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|requirement| requirement.trim().to_string())
                .filter(|requirement| !requirement.is_empty())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let digest = Sha256::digest(index_identity.as_bytes());
        Self {
            requires: normalized(requires),
            added: normalized(added),
            target: target.clone(),
            index: format!("{digest:x}")[..16].to_string(),
        }
    }

    /// The inputs a lock's header records; `None` for a lock without them.
    pub fn recorded(lock: &Lock) -> Option<Self> {
        let list = |prefix: &str| -> Option<Vec<String>> {
            let line = lock
                .header
                .iter()
                .find_map(|line| line.strip_prefix(prefix))?;
            serde_json::from_str(line).ok()
        };
        Some(Self {
            requires: list(REQUIRES_PREFIX)?,
            added: list(ADDED_PREFIX)?,
            target: lock.targets().ok()?.into_iter().next()?,
            index: lock
                .header
                .iter()
                .find_map(|line| line.strip_prefix(INDEX_PREFIX))?
                .to_string(),
        })
    }

    /// Whether a lock made for `self` serves a build that needs `wanted`: the same
    /// `[build-system]` requirements, target and indexes, and nothing added that `self` lacks.
    pub fn covers(&self, wanted: &Self) -> bool {
        self.requires == wanted.requires
            && self.target == wanted.target
            && self.index == wanted.index
            && wanted.added.iter().all(|added| self.added.contains(added))
    }

    /// Every requirement, `[build-system]`'s first.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.requires.iter().chain(&self.added)
    }

    /// The header of a lock made for these inputs, for the project `project`.
    fn header(&self, project: &str) -> Vec<String> {
        let json = |list: &[String]| {
            serde_json::to_string(list).expect("a list of strings serializes to JSON")
        };
        vec![
            String::new(),
            format!(
                "This file was generated by strata for the build backend of `{project}` ({}) by:",
                self.target
            ),
            String::new(),
            "   strata build".to_string(),
            String::new(),
            "Install it with: pip install --require-hashes --no-deps -r <this file>".to_string(),
            format!("{REQUIRES_PREFIX}{}", json(&self.requires)),
            format!("{ADDED_PREFIX}{}", json(&self.added)),
            format!("{INDEX_PREFIX}{}", self.index),
            String::new(),
        ]
    }
}

/// Why a build lock could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BuildLockError {
    /// A requirement of `[build-system]` or of the backend does not parse.
    #[error("Invalid build requirement `{requirement}` ({from}): {reason}")]
    Requirement {
        /// The requirement as written.
        requirement: String,
        /// Where it came from.
        from: &'static str,
        /// The parser's words.
        reason: String,
    },
    /// The resolver found no solution, or could not reach the index.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl strata_diagnostic::Diagnostic for BuildLockError {
    fn hints(&self) -> Vec<String> {
        match self {
            Self::Requirement { .. } => vec![
                "`[build-system].requires` in `pyproject.toml` is a list of PEP 508 requirements"
                    .to_string(),
            ],
            Self::Resolve(error) => error.hints(),
        }
    }
}

/// Resolves `inputs` into a hashed lock for `project`, preferring `preferences` (the old lock's
/// pins, then the `build` profile's) unless `upgrade`.
///
/// # Errors
///
/// When a requirement does not parse, or resolving fails.
pub fn resolve_build_lock(
    resolver: &Resolver,
    project: &str,
    inputs: &BuildInputs,
    preferences: impl IntoIterator<Item = (PackageName, Version)>,
    upgrade: bool,
) -> Result<Lock, BuildLockError> {
    let parse = |requirement: &String, from: &'static str| {
        strata_dist::parse_requirement(requirement).map_err(|error| BuildLockError::Requirement {
            requirement: requirement.clone(),
            from,
            reason: error.message.to_string(),
        })
    };
    let mut requirements = Vec::new();
    let mut via: HashMap<PackageName, &'static str> = HashMap::new();
    for (list, from) in [
        (&inputs.requires, "pyproject.toml [build-system]"),
        (
            &inputs.added,
            "the build backend (get_requires_for_build_*)",
        ),
    ] {
        for requirement in list {
            let requirement = parse(requirement, from)?;
            via.entry(requirement.name.clone()).or_insert(from);
            requirements.push(requirement);
        }
    }
    let mut request = ResolveRequest::new(inputs.target.clone(), requirements);
    request.preferences = preferences.into_iter().collect();
    request.upgrade = if upgrade { Upgrade::All } else { Upgrade::None };
    let resolution = resolver.resolve(&request)?;
    let mut lock = crate::lock_from_resolution(&resolution, [], None, true);
    for package in &mut lock.packages {
        if let Some(from) = via.get(&package.name) {
            package.via.insert(0, (*from).to_string());
        }
    }
    lock.header = inputs.header(project);
    Ok(lock)
}
