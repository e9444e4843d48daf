//! The fingerprint of a lock's inputs: what decides whether a lock must be resolved again.
//!
//! It covers everything that determines the lock: the lock format version, the target, every
//! effective requirement with its origin (so moving a requirement between files is a change,
//! as the `# via` lines change), the constraints, the editables, the index configuration, and
//! for an engine the fingerprints of the locks it builds on. It deliberately does not cover the
//! index's contents: a new upload does not make a lock stale (that is `--upgrade`'s job), so an
//! unchanged project relocks without touching the network.

use std::fmt::Write;

use sha2::{Digest, Sha256};
use strata_project::{ProfileName, Project};

/// The header line that carries the fingerprint.
pub(crate) const HEADER_PREFIX: &str = "strata-fingerprint: ";

/// Bumped whenever the lock's format or meaning changes, so old locks are redone.
const FORMAT_VERSION: u32 = 1;

/// A lock's input fingerprint (sha256, hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of `name`'s inputs. `index_identity` describes the index configuration;
    /// `parents` are the fingerprints of the locks an engine builds on.
    pub fn of_profile(
        project: &Project,
        name: &ProfileName,
        index_identity: &str,
        parents: Option<&[String]>,
    ) -> Self {
        let profile = &project.profiles[name];
        let mut text = format!("format {FORMAT_VERSION}\nprofile {name}\n");
        let _ = writeln!(
            text,
            "target {} {}",
            profile.target.python_version.as_deref().unwrap_or("-"),
            profile.target.python_platform.as_deref().unwrap_or("-")
        );
        for effective in project.effective_requirements(name) {
            let _ = writeln!(
                text,
                "requirement {}\t{}",
                effective.requirement.requirement, effective.requirement.origin
            );
        }
        for constraint in &profile.constraints {
            let _ = writeln!(
                text,
                "constraint {}\t{}",
                constraint.requirement, constraint.origin
            );
        }
        for editable in &profile.editables {
            let _ = writeln!(text, "editable {}", editable.path);
        }
        let _ = writeln!(text, "pip-options {:?}", profile.pip_options);
        let _ = writeln!(text, "index {index_identity}");
        for parent in parents.unwrap_or_default() {
            let _ = writeln!(text, "parent {parent}");
        }
        let digest = Sha256::digest(text.as_bytes());
        Self(digest.iter().fold(String::new(), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        }))
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
