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
const FORMAT_VERSION: u32 = 2;

/// A lock's input fingerprint (sha256, hex), with a short hash per kind of input so a stale lock
/// can say which kind changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    digest: String,
    /// `(kind, short hash)` for each kind of input, in a fixed order.
    parts: Vec<(&'static str, String)>,
}

/// The header line that records the per-kind hashes.
pub(crate) const INPUTS_PREFIX: &str = "strata-inputs: ";

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
        let mut parts: Vec<(&'static str, String)> = Vec::new();
        parts.push(("format", format!("{FORMAT_VERSION} {name}")));
        parts.push((
            "target",
            format!(
                "{} {}",
                profile.target.python_version.as_deref().unwrap_or("-"),
                profile.target.python_platform.as_deref().unwrap_or("-")
            ),
        ));
        let mut requirements = String::new();
        for effective in project.effective_requirements(name) {
            let _ = writeln!(
                requirements,
                "{}\t{}",
                effective.requirement.requirement, effective.requirement.origin
            );
        }
        for editable in &profile.editables {
            let _ = writeln!(requirements, "editable {}", editable.path);
        }
        parts.push(("requirements", requirements));
        let mut constraints = String::new();
        for constraint in &profile.constraints {
            let _ = writeln!(
                constraints,
                "{}\t{}",
                constraint.requirement, constraint.origin
            );
        }
        parts.push(("constraints", constraints));
        parts.push((
            "index",
            format!("{index_identity}\n{:?}", profile.pip_options),
        ));
        parts.push(("parents", parents.unwrap_or_default().join("\n")));
        let mut whole = String::new();
        for (kind, text) in &parts {
            let _ = writeln!(whole, "{kind}\n{text}");
        }
        Self {
            digest: hex(&Sha256::digest(whole.as_bytes())),
            parts: parts
                .into_iter()
                .map(|(kind, text)| {
                    (
                        kind,
                        hex(&Sha256::digest(text.as_bytes()))[..12].to_string(),
                    )
                })
                .collect(),
        }
    }

    /// The header line recording the per-kind hashes.
    pub(crate) fn inputs_line(&self) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(kind, hash)| format!("{kind}={hash}"))
            .collect();
        format!("{INPUTS_PREFIX}{}", parts.join(" "))
    }

    /// Which kinds of input differ from a lock's recorded `strata-inputs` line (all kinds when
    /// the lock has none).
    pub fn changed_since(&self, recorded: Option<&str>) -> Vec<&'static str> {
        let recorded: Vec<(&str, &str)> = recorded
            .map(|line| {
                line.split_whitespace()
                    .filter_map(|part| part.split_once('='))
                    .collect()
            })
            .unwrap_or_default();
        self.parts
            .iter()
            .filter(|(kind, hash)| {
                !recorded
                    .iter()
                    .any(|(other, value)| other == kind && value == hash)
            })
            .map(|(kind, _)| *kind)
            .collect()
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.digest
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}
