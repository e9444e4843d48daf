//! The fingerprint of a lock's inputs: what decides whether a lock must be resolved again.
//!
//! It covers every manifest setting that can change what a lock holds: the lock format version,
//! the target, every effective requirement with its origin (so moving a requirement between
//! files is a change, as the `# via` lines change), the constraints, the index
//! configuration (the project's and the command line's, the pip options of the profile's files,
//! an engine's named indexes), the profiles it is solved with, whether a `pylock.toml` is
//! written, an engine's `isolated-from-parent`, and for an engine the fingerprints and digests
//! of the locks it builds on (so a parent relocked with other pins makes the engine stale), and
//! for an upstream engine with a captured package set, that file's content, and for a local
//! directory requirement, the files its project's metadata is made from
//! ([`strata_project::metadata_files`]).
//! [`Fingerprint::of_profile`] destructures the project model without `..`: a new setting does
//! not compile until someone decides here whether it changes a lock.
//!
//! It deliberately does not cover the index's contents: a new upload does not make a lock stale
//! (that is `--upgrade`'s job), so an unchanged project relocks without touching the network.
//! Nor does it cover the lock's own text: that is the digest's job (see [`strata_lockfile::integrity`]).

use std::fmt::Write;

use sha2::{Digest, Sha256};
use strata_lockfile::header::INPUTS_PREFIX;
use strata_project::{Engine, Profile, ProfileName, Project, TargetSpec};

/// Bumped whenever the lock's format or meaning changes, so old locks are redone.
///
/// 3: locks record a digest of their own text; the fingerprint covers the solve group, `pylock`
/// and `isolated-from-parent`, and an engine's parents by the digests of their locks.
const FORMAT_VERSION: u32 = 3;

/// A lock's input fingerprint (sha256, hex), with a short hash per kind of input so a stale lock
/// can say which kind changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    digest: String,
    /// `(kind, short hash)` for each kind of input, in a fixed order.
    parts: Vec<(&'static str, String)>,
}

/// The kind of input that holds the index configuration.
pub(crate) const INDEX_KIND: &str = "index";

impl Fingerprint {
    /// The fingerprint of `name`'s inputs: the one place it is built, for `lock` and
    /// `lock --check` alike. `index_identity` describes the index configuration of the project
    /// and the command line; `parent_digest` gives the digest recorded by the lock of a profile
    /// `name` extends (the lock an engine is built on), `None` when there is none.
    pub fn of_profile(
        project: &Project,
        name: &ProfileName,
        index_identity: &str,
        parent_digest: &dyn Fn(&ProfileName) -> Option<String>,
    ) -> Self {
        let Project {
            // Where the project is and what its manifest is called: not what a lock holds
            // (origins are written relative to the root).
            root: _,
            manifest: _,
            // Reaches the locks through `include = ["project"]` self-references, which are
            // already expanded into the effective requirements.
            name: _,
            // Tags role images; never changes a lock.
            version: _,
            // The project default, already folded into each profile's targets.
            targets: _,
            // Where the locks live: moving it leaves them missing, which `--check` reports.
            lock_dir: _,
            pylock,
            // Folded into `index_identity` by the caller, with the command line's settings.
            index: _,
            profiles: _,
            // Import contracts read the locks; they never change them.
            contracts: _,
            // Images are built from the locks; naming them never changes one.
            images: _,
            // CI runs what the locks hold; how it fans out never changes one.
            ci: _,
        } = project;
        let Profile {
            name: _,
            // Through the effective requirements and the solve group below.
            extends: _,
            targets,
            // Through the effective requirements.
            requirements: _,
            constraints,
            pip_options,
            // Images are built from the lock; how never changes it.
            image: _,
            engine,
        } = &project.profiles[name];
        let mut parts: Vec<(&'static str, String)> = Vec::new();
        parts.push(("format", format!("{FORMAT_VERSION} {name}")));
        // One target reads as it always has, so existing locks stay current.
        let targets: Vec<String> = targets
            .iter()
            .map(|spec: &TargetSpec| {
                format!(
                    "{} {}",
                    spec.python_version
                        .map_or_else(|| "-".to_string(), |version| version.to_string()),
                    spec.python_platform.map_or("-", |platform| platform.name())
                )
            })
            .collect();
        parts.push(("target", targets.join("; ")));
        let mut requirements = String::new();
        // A local directory as written (relative to the project), never its absolute URL: a
        // lock must stay current in another checkout of the project. What it declares about
        // itself is read from its files, so an edit there makes the lock stale too.
        for effective in project.effective_requirements(name) {
            let requirement = &effective.requirement.requirement;
            let _ = write!(
                requirements,
                "{}\t{}",
                strata_project::display_requirement(requirement),
                effective.requirement.origin
            );
            if let Some(declared) = declared_by_directory(requirement) {
                let _ = write!(requirements, "\tdeclares {declared}");
            }
            requirements.push('\n');
        }
        parts.push(("requirements", requirements));
        let mut constraint_text = String::new();
        for constraint in constraints {
            let _ = writeln!(
                constraint_text,
                "{}\t{}",
                strata_project::display_requirement(&constraint.requirement),
                constraint.origin
            );
        }
        parts.push(("constraints", constraint_text));
        let mut index = format!("{index_identity}\n{pip_options:?}");
        let mut settings = format!("pylock={pylock}");
        let hierarchy: Vec<String>;
        let mut parents = String::new();
        match engine {
            None => {
                // A hierarchy is one solve: which profiles share it decides the pins.
                hierarchy = crate::project_lock::solved_together(project, name)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
            }
            Some(Engine {
                // The engine's own `package==version` requirement, with the version file as its
                // origin, is one of the effective requirements.
                package: _,
                version: _,
                version_source: _,
                // GPUs are what the lock runs on; they never change it.
                gpu: _,
                indexes,
                // Decides whether the engine is locked at all, not what its lock holds.
                when_index_unavailable: _,
                isolated_from_parent,
                // Whether this engine may move its parents' pins: their locks record each pin
                // it held, so a change shows there too; here it keeps `--check` honest.
                move_parent_pins,
            }) => {
                for named in indexes {
                    let url = project
                        .index
                        .named
                        .get(named)
                        .and_then(|index| index.url.as_ref());
                    if let Some(url) = url {
                        // Only hashes of it reach the header.
                        let _ = write!(index, "\n{named}={url}");
                    } else {
                        // Not the real input: `Project::unavailable_index` says so to `--check`.
                        let _ = write!(index, "\n{named}=<unset>");
                    }
                }
                let _ = write!(
                    settings,
                    " isolated-from-parent={isolated_from_parent} move-parent-pins={move_parent_pins}"
                );
                let ancestors = project.ancestors(name);
                hierarchy = ancestors.iter().map(ToString::to_string).collect();
                for ancestor in ancestors {
                    let theirs = Self::of_profile(project, ancestor, index_identity, parent_digest);
                    let _ = writeln!(
                        parents,
                        "{ancestor} {} {}",
                        theirs.digest,
                        parent_digest(ancestor).as_deref().unwrap_or("-")
                    );
                }
            }
        }
        parts.push((INDEX_KIND, index));
        // An upstream engine's lock stands on its image's captured packages: capturing again
        // (another image, or the same tag rebuilt) makes it stale. Only such an engine has this
        // part, so every other lock keeps the fingerprint it had.
        if let Some((image, file)) = strata_project::capture_file(project, name) {
            let content = fs_err::read_to_string(project.root.join(file))
                .unwrap_or_else(|_| "<missing>".to_string());
            parts.push(("image", format!("{image}\n{}\n{content}", file.display())));
        }
        parts.push(("hierarchy", hierarchy.join(" ")));
        parts.push(("settings", settings));
        parts.push(("parents", parents));
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
/// A digest of the files a local directory requirement's project makes its metadata from
/// ([`strata_project::metadata_files`]: `pyproject.toml`, `setup.cfg`, `setup.py`, and the
/// files they say a dynamic version or dependencies are read from; a missing one counts as
/// missing), so that editing its dependencies or its version makes the lock stale; `None` for
/// any other requirement. A version from version control is in no file: `strata lock --force`
/// reads it again.
fn declared_by_directory(requirement: &pep508_rs::Requirement) -> Option<String> {
    let Some(pep508_rs::VersionOrUrl::Url(url)) = &requirement.version_or_url else {
        return None;
    };
    let directory = strata_dist::LocalDirectory::from_url(url)?;
    let mut hasher = Sha256::new();
    for file in strata_project::metadata_files(&directory.path) {
        hasher.update(file.to_string_lossy().as_bytes());
        match fs_err::read(directory.path.join(&file)) {
            Ok(bytes) => {
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            Err(_) => hasher.update(b"-"),
        }
    }
    Some(hex(&hasher.finalize())[..16].to_string())
}
