//! Whether a lock on disk is current: its fingerprint, its digest and its pylock.toml, for
//! `lock --check` and for deciding what a run must resolve again.

use pep508_rs::PackageName;
use strata_project::{IndexUnavailable, ProfileName, Project};

use super::error::LockError;
use super::feedback::{recorded_holds, still_holds};
use super::hierarchy::selection;
use super::targets::TargetPreferences;
use super::{LockOptions, lock_path, profile_targets, pylock_path};
use crate::fingerprint::Fingerprint;
use strata_lockfile::requirements_txt;
use strata_lockfile::{Lock, LockedPackage};

/// Whether a lock is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Its header carries the fingerprint of today's inputs and its files are what strata wrote.
    Current,
    /// There is no lock file.
    Missing {
        /// For an engine whose named index is not configured here (so it cannot be locked
        /// here either), that index.
        unavailable_index: Option<String>,
    },
    /// It must be locked again: which kinds of input changed since it was written
    /// (`requirements`, `constraints`, `target`, `index`, `image`, `hierarchy`, `settings`, `parents`,
    /// `format`, and `engines` for a pin held by an engine that no longer holds it), or `fingerprint` (it records none: another tool wrote it), or `pylock` (its
    /// `pylock.toml` is missing, unsealed or from another run).
    Stale(Vec<&'static str>),
    /// Its files are not what strata wrote (their digest does not match): the edited lines,
    /// each as `file:line: what`.
    Edited(Vec<String>),
    /// An engine whose named index is not configured here and whose lock is current in every
    /// input but that index's URL, which cannot be checked without it.
    Unverified {
        /// The index.
        index: String,
    },
    /// An `optional` engine whose named index is not configured here and which has no lock:
    /// allowed, it is locked where the index is.
    Skipped {
        /// The index.
        index: String,
    },
}

impl Freshness {
    /// Whether `lock --check` passes with it.
    pub fn passes(&self) -> bool {
        matches!(
            self,
            Self::Current | Self::Unverified { .. } | Self::Skipped { .. }
        )
    }

    /// What is the matter, in a phrase that follows "`locks/base.txt` " (empty when current;
    /// for `Edited`, without the lines).
    pub fn reason(&self) -> String {
        match self {
            Self::Current => String::new(),
            Self::Missing {
                unavailable_index: None,
            } => "does not exist".to_string(),
            Self::Missing {
                unavailable_index: Some(index),
            } => format!(
                "does not exist, and cannot be made here: the engine's index `{index}` is not configured"
            ),
            Self::Stale(kinds) => {
                let mut reasons = Vec::new();
                let inputs: Vec<&str> = kinds
                    .iter()
                    .copied()
                    .filter(|kind| !matches!(*kind, "fingerprint" | "pylock" | "format"))
                    .collect();
                if kinds.contains(&"fingerprint") {
                    reasons.push(
                        "it has no fingerprint of its inputs (written by another tool)".to_string(),
                    );
                }
                if kinds.contains(&"format") {
                    reasons.push(
                        "it was written in another lock format (an older strata, before locks recorded a digest of their contents)".to_string(),
                    );
                } else if !inputs.is_empty() {
                    reasons.push(format!(
                        "its {} changed since it was written",
                        inputs.join(", ")
                    ));
                }
                if kinds.contains(&"pylock") {
                    reasons.push(
                        "its pylock.toml is missing, unsealed or from another run".to_string(),
                    );
                }
                format!("is stale: {}", reasons.join("; "))
            }
            // The lines themselves are the caller's to list.
            Self::Edited(_) => "was edited after strata wrote it".to_string(),
            Self::Unverified { index } => format!(
                "is current in every input but the URL of index `{index}`, which is not configured here"
            ),
            Self::Skipped { index } => format!(
                "does not exist; the engine is optional and its index `{index}` is not configured here"
            ),
        }
    }
}

/// Checks every selected lock against today's inputs without resolving anything (`--check`).
///
/// An engine whose named index is not configured here is checked on everything but that
/// index's URL; without a lock it fails, unless it is `optional`.
pub fn check_project(
    project: &Project,
    options: &LockOptions,
) -> Result<Vec<(ProfileName, Freshness)>, LockError> {
    let selected = selection(project, &options.profiles)?;
    let on_disk_digest = |ancestor: &ProfileName| -> Option<String> {
        if project.profiles[ancestor].is_engine() {
            // Engines are built on the plain profiles' locks alone (see `prepare_engine`).
            return None;
        }
        let text = fs_err::read_to_string(lock_path(project, ancestor)).ok()?;
        strata_lockfile::integrity::recorded_digest(
            &text,
            strata_lockfile::integrity::FileKind::Requirements,
        )
    };
    Ok(project
        .profiles
        .keys()
        .filter(|name| selected.contains(*name))
        .map(|name| {
            let fingerprint =
                Fingerprint::of_profile(project, name, &options.index_identity, &on_disk_digest);
            (name.clone(), freshness(project, name, &fingerprint))
        })
        .collect())
}

/// How `name`'s lock on disk compares with `fingerprint`, today's: what `--check` reports and
/// what a skipped engine's summary says of the lock it keeps.
pub(crate) fn freshness(
    project: &Project,
    name: &ProfileName,
    fingerprint: &Fingerprint,
) -> Freshness {
    let unavailable = project
        .unavailable_index(name)
        .map(|unavailable| unavailable.name.to_string());
    let optional = project.profiles[name]
        .engine
        .as_ref()
        .is_some_and(|engine| engine.when_index_unavailable == IndexUnavailable::Optional);
    let Some(disk) = on_disk(project, name, fingerprint) else {
        return match unavailable {
            Some(index) if optional => Freshness::Skipped { index },
            unavailable_index => Freshness::Missing { unavailable_index },
        };
    };
    // A pin an engine held that it no longer holds is released by the next relock.
    if recorded_holds(&disk.lock)
        .iter()
        .any(|hold| !still_holds(project, hold))
    {
        return Freshness::Stale(vec!["engines"]);
    }
    match (disk.verdict, unavailable) {
        // Without the index's URL the `index` part cannot match; everything else can be checked.
        (Freshness::Stale(kinds), Some(index)) => {
            let kinds: Vec<&'static str> = kinds
                .into_iter()
                .filter(|kind| *kind != crate::fingerprint::INDEX_KIND)
                .collect();
            if kinds.is_empty() {
                Freshness::Unverified { index }
            } else {
                Freshness::Stale(kinds)
            }
        }
        (verdict, _) => verdict,
    }
}

/// A lock as found on disk, read back and verified against today's fingerprint.
#[derive(Debug, Clone)]
pub(crate) struct OnDisk {
    /// The header and pins of `<name>.txt` (no pins when it no longer reads as a lock).
    pub(crate) lock: Lock,
    /// `Current`, `Stale` or `Edited`.
    pub(crate) verdict: Freshness,
    /// The pins to prefer when it is locked again, with their markers: from a file of the pair
    /// that is as strata wrote it, never from an edited one (relocking must not turn a hand
    /// edit into a sealed lock). `None` when neither file is.
    pub(crate) trusted: Option<Lock>,
}

impl OnDisk {
    /// What a solve for `target` prefers: the trusted file's versions for that target, and the
    /// direct URLs it pins (a git requirement keeps its commit).
    pub(crate) fn preferences(&self, target: &strata_dist::Target) -> TargetPreferences {
        let Some(trusted) = &self.trusted else {
            return TargetPreferences::default();
        };
        let lock = trusted.for_target(target);
        TargetPreferences {
            versions: lock
                .packages
                .iter()
                .filter(|package| package.url.is_none())
                .map(|package| (package.name.clone(), package.version.clone()))
                .collect(),
            locked_urls: lock
                .packages
                .iter()
                .filter_map(|package| Some((package.name.clone(), package.url.clone()?)))
                .collect(),
        }
    }

    /// The lines a relock replaces that strata did not write.
    pub(crate) fn edited(&self) -> Vec<String> {
        match &self.verdict {
            Freshness::Edited(lines) => lines.clone(),
            _ => Vec::new(),
        }
    }
}

/// `name`'s lock files, verified: the digest of each (see [`strata_lockfile::integrity`]), the pair's
/// agreement (same fingerprint, same pins and hashes), and the fingerprint against `fingerprint`.
/// `None` when `<name>.txt` does not exist.
pub(crate) fn on_disk(
    project: &Project,
    name: &ProfileName,
    fingerprint: &Fingerprint,
) -> Option<OnDisk> {
    use strata_lockfile::integrity::{FileKind, LockText, Seal, seal_of};

    let path = lock_path(project, name);
    let text = fs_err::read_to_string(&path).ok()?;
    let label = shown(project, &path);
    let whole = requirements_txt::read(&text).ok();
    let lock = Lock::parse_header_and_pins(&text).unwrap_or_else(|| Lock {
        header: strata_lockfile::requirements_txt::header_lines(&text),
        options: Vec::new(),
        packages: Vec::new(),
    });
    let txt_seal = seal_of(&text, FileKind::Requirements);
    let pylock_file = pylock_path(project, name);
    let pylock_label = shown(project, &pylock_file);
    let pylock_text = if project.pylock {
        fs_err::read_to_string(&pylock_file).ok()
    } else {
        None
    };
    let pylock_seal = pylock_text
        .as_deref()
        .map(|text| seal_of(text, FileKind::Pylock));
    // Its directory paths relative to the project root, as the requirements.txt form's.
    let base = super::pylock_base(project, false);
    let pylock = pylock_text
        .as_deref()
        .and_then(|text| strata_lockfile::pylock_toml::read(text).ok())
        .map(|mut pylock| {
            pylock.rebase_directories(|path| strata_lockfile::rebase_directory_path(path, &base));
            pylock
        });

    let mut changed = match lock.fingerprint() {
        None => vec!["fingerprint"],
        Some(recorded) if recorded == fingerprint.as_str() => Vec::new(),
        Some(_) => fingerprint.changed_since(lock.recorded_inputs()),
    };
    if changed.is_empty() && lock.fingerprint() != Some(fingerprint.as_str()) {
        // The per-kind line agrees but the fingerprint line does not: not a lock strata wrote
        // for these inputs.
        changed.push("fingerprint");
    }
    // A lock of an older format (or another tool's) has no digest to check; one of today's
    // format always has one.
    let older = changed.contains(&"format") || changed.contains(&"fingerprint");
    let txt_edited = match txt_seal {
        Seal::Broken { .. } => true,
        Seal::Unsealed => !older,
        Seal::Intact => false,
    };
    let pylock_edited = matches!(pylock_seal, Some(Seal::Broken { .. }));
    let verdict = if txt_edited || pylock_edited {
        let mut lines = strata_lockfile::integrity::edited_lines(
            LockText {
                label: &label,
                text: &text,
            },
            pylock_text.as_deref().map(|text| LockText {
                label: &pylock_label,
                text,
            }),
            &profile_targets(project, name).unwrap_or_default(),
        );
        if txt_seal == Seal::Unsealed {
            lines.push(format!(
                "{label}: its `# strata-digest` line is gone (strata writes one in every lock)"
            ));
        }
        Freshness::Edited(lines)
    } else if !changed.is_empty() {
        Freshness::Stale(changed)
    } else if project.pylock
        && !pylock.as_ref().is_some_and(|pylock| {
            pylock_seal == Some(Seal::Intact)
                && pylock.fingerprint() == lock.fingerprint()
                && whole.as_ref().is_some_and(|whole| same_pins(whole, pylock))
        })
    {
        Freshness::Stale(vec!["pylock"])
    } else {
        Freshness::Current
    };
    let trusted = if !txt_edited {
        Some(lock.clone())
    } else if let (Some(pylock), Some(Seal::Intact)) = (&pylock, &pylock_seal) {
        Some(pylock.clone())
    } else {
        None
    };
    Some(OnDisk {
        lock,
        verdict,
        trusted,
    })
}

/// Whether two readings of one lock pin the same versions, with the same hashes for index
/// pins (none when the lock pins a git repository) (a direct URL's file is recorded differently by the two forms).
pub(crate) fn same_pins(a: &Lock, b: &Lock) -> bool {
    // A lock with a git pin has no hashes in its requirements.txt form (pip refuses them).
    let vcs = [a, b]
        .iter()
        .any(|lock| lock.packages.iter().any(LockedPackage::is_unhashable));
    // By name and marker: a lock of several targets may pin a package once per target.
    let key = |lock: &Lock| -> std::collections::BTreeMap<
        (PackageName, Option<String>),
        (String, Vec<String>),
    > {
        lock.packages
            .iter()
            .map(|package| {
                let hashes = if package.url.is_some() || vcs {
                    Vec::new()
                } else {
                    package.hashes.clone()
                };
                (
                    (package.name.clone(), package.marker.try_to_string()),
                    (package.version.to_string(), hashes),
                )
            })
            .collect()
    };
    key(a) == key(b)
}

/// `path` relative to the project root, as messages name lock files.
pub(crate) fn shown(project: &Project, path: &std::path::Path) -> String {
    path.strip_prefix(&project.root)
        .unwrap_or(path)
        .display()
        .to_string()
}
