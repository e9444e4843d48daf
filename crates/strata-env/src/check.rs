//! `check`: what is broken in an environment, one finding per line in pip's words.
//!
//! The two requirement findings reproduce `pip check` (`pip/_internal/operations/check.py`
//! `check_package_set`, printed by `commands/check.py`) line for line:
//!
//! * `{name} {version} requires {requirement name}, which is not installed.`
//! * `{name} {version} has requirement {requirement}, but you have {name} {version}.`
//!
//! Names are normalized (pip prints `canonical_name`), versions normalized, and the requirement
//! is printed from its written text as packaging's `str(Requirement)` does. A requirement
//! matches when its specifiers contain the installed version, pre-releases included, as pip's
//! `contains(version, prereleases=True)`.
//!
//! Findings pip does not make: a distribution installed more than once (pip silently uses
//! the first), metadata that cannot be read (pip logs a warning and exits 1), and, for a lock,
//! a pin the index cannot give requirements for.

use std::fmt;
use std::path::PathBuf;

use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Serialize;

use crate::environment::Environment;
use crate::pip_format;
use crate::scan::Location;

/// A problem in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// An applicable requirement names a distribution that is not installed.
    Missing {
        /// The requiring distribution.
        package: PackageName,
        /// Its version.
        version: Version,
        /// The required name.
        requirement_name: PackageName,
        /// The requirement, as pip prints it.
        requirement: String,
    },
    /// An applicable requirement excludes the installed version.
    Conflict {
        /// The requiring distribution.
        package: PackageName,
        /// Its version.
        version: Version,
        /// The requirement, as pip prints it.
        requirement: String,
        /// The required distribution.
        installed: PackageName,
        /// Its installed version.
        installed_version: Version,
    },
    /// Two or more metadata entries for one name.
    Duplicate {
        /// The normalized name.
        package: PackageName,
        /// The entry Python uses.
        kept: Location,
        /// The entries it shadows.
        shadowed: Vec<Location>,
    },
    /// Metadata that cannot be read or parsed.
    Broken {
        /// The `.dist-info` or `.egg-info` path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A lock's pin whose requirements the index cannot give, so it could not be checked.
    Unchecked {
        /// The pinned distribution.
        package: PackageName,
        /// Its pinned version.
        version: Version,
        /// The line of the lock it is on, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
        /// Why (the version is not on the index, no file has the lock's hashes, ...).
        reason: String,
    },
}

impl Finding {
    /// The finding as one line: pip's words for an installed environment, and for a lock
    /// (`in_lock`) the same sentences about pins (`which is not in the lock`, `but the lock
    /// pins`), as a lock installs nothing.
    pub fn describe(&self, in_lock: bool) -> String {
        match self {
            Self::Missing {
                package,
                version,
                requirement_name,
                ..
            } => {
                let absent = if in_lock {
                    "is not in the lock"
                } else {
                    "is not installed"
                };
                format!("{package} {version} requires {requirement_name}, which {absent}.")
            }
            Self::Conflict {
                package,
                version,
                requirement,
                installed,
                installed_version,
            } => {
                let have = if in_lock { "the lock pins" } else { "you have" };
                format!(
                    "{package} {version} has requirement {requirement}, but {have} {installed} {installed_version}."
                )
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { .. } | Self::Conflict { .. } => f.write_str(&self.describe(false)),
            Self::Duplicate {
                package,
                kept,
                shadowed,
            } => {
                write!(
                    f,
                    "{package} is installed more than once: {} at {} is used",
                    kept.version,
                    kept.path.display()
                )?;
                for location in shadowed {
                    write!(
                        f,
                        ", {} at {} is shadowed",
                        location.version,
                        location.path.display()
                    )?;
                }
                write!(f, ".")
            }
            Self::Broken { path, message } => {
                // One finding, one line: a parser's caret diagram stays in the JSON form.
                let first_line = message.lines().next().unwrap_or_default();
                write!(
                    f,
                    "{} has unreadable metadata: {first_line}.",
                    path.display()
                )
            }
            Self::Unchecked {
                package,
                version,
                line,
                reason,
            } => {
                write!(f, "{package} {version}")?;
                if let Some(line) = line {
                    write!(f, " (line {line} of the lock)")?;
                }
                write!(f, " could not be checked: {reason}.")
            }
        }
    }
}

/// Every problem in `environment`: missing requirements, then conflicts (each ordered by the
/// requiring distribution's name), then duplicates, then broken entries.
pub fn check(environment: &Environment) -> Vec<Finding> {
    let graph = &environment.graph;
    let mut missing = Vec::new();
    let mut conflicts = Vec::new();
    for edge in graph.edges() {
        if edge.satisfied {
            continue;
        }
        let parent = &graph.distributions()[edge.parent];
        let requirement = pip_format::requirement(&graph.requirement(edge).written);
        match edge.child {
            None => missing.push(Finding::Missing {
                package: parent.name.clone(),
                version: parent.version.clone(),
                requirement_name: edge.child_name.clone(),
                requirement,
            }),
            Some(child) => conflicts.push(Finding::Conflict {
                package: parent.name.clone(),
                version: parent.version.clone(),
                requirement,
                installed: graph.distributions()[child].name.clone(),
                installed_version: graph.distributions()[child].version.clone(),
            }),
        }
    }
    // pip keeps one finding per (name, requirement) pair: a requirement listed twice is one
    // problem.
    for findings in [&mut missing, &mut conflicts] {
        findings.sort_by_cached_key(ToString::to_string);
        findings.dedup();
    }
    let mut findings = missing;
    findings.extend(conflicts);
    findings.extend(
        environment
            .duplicates
            .iter()
            .map(|duplicate| Finding::Duplicate {
                package: duplicate.name.clone(),
                kept: duplicate.kept.clone(),
                shadowed: duplicate.shadowed.clone(),
            }),
    );
    findings.extend(environment.broken.iter().map(|broken| Finding::Broken {
        path: broken.path.clone(),
        message: broken.message.clone(),
    }));
    findings.extend(environment.unchecked.iter().map(|pin| Finding::Unchecked {
        package: pin.name.clone(),
        version: pin.version.clone(),
        line: pin.line,
        reason: pin.reason.clone(),
    }));
    findings
}
