//! strata's lock model and its files.
//!
//! A [`Lock`] is a resolution written down: every package pinned to one version, with the
//! sha256 of every file of that version (so `pip install --require-hashes` accepts whichever file
//! fits the machine) and the reasons it is there (`# via`).
//!
//! Design goals, in the order they win when they conflict:
//!
//! 1. **Byte-identical output**: the same lock always renders to the same bytes (fixed order of
//!    packages, hashes and `# via` entries; no timestamps), so an unchanged lock is never
//!    rewritten and a changed one diffs minimally.
//! 2. **pip installs it as it is**: the `requirements.txt` form is pip-tools' format; the
//!    `pylock.toml` form is PEP 751, with every file's URL, size and hash.
//! 3. **Backward-compatible reading**: pins are read from our files and from pip-compile's and
//!    uv's, so an existing lock seeds the preferences of a migration's first relock.
//!
//! 4. **No false all-clear**: a lock records a fingerprint of its inputs (stale when they
//!    change) and a digest of its own text (edited when it changes), see [`integrity`].
//!
//! This crate does no I/O of its own: callers write the rendered text with `strata_fs`.
#![warn(missing_docs)]

pub use conflicts::{Pairing, Verdict, conflicts, default_subjects};
pub use diff::LockDiff;
pub use engine_imports::{EngineImports, engine_imports};
pub use fingerprint::Fingerprint;
pub use inspect::{Lookup, PinnedMetadata, pinned_metadata};
pub use model::{Lock, LockedFile, LockedPackage};
pub use origins::describe as describe_origin;
pub use project_lock::{
    EngineHold, Freshness, LockError, LockOptions, ProfileLock, ProfileOutcome, ResolverSource,
    check_project, engine_index_urls, lock_path, lock_project, profile_target, pylock_path,
    solved_together,
};
pub use releases::{EngineReleases, engine_releases};

mod conflicts;
mod diff;
mod engine_imports;
mod fingerprint;
mod inspect;
pub mod integrity;
mod model;
mod origins;
mod project_lock;
pub mod pylock_toml;
mod releases;
pub mod requirements_txt;
