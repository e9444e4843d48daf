//! Locking a project: its profiles and engines resolved and written as locks.
//!
//! [`lock_project`] orders a project's hierarchies and engines, solves each hierarchy as one
//! group and each engine on its parents' pins, skips what is unchanged (its [`Fingerprint`]
//! matches), and renders each lock with `strata-lockfile`; [`check_project`] says which locks
//! are stale or edited without resolving anything. Beside it live the readers that need the
//! index as well as a lock: the metadata of a lock's pins ([`pinned_metadata`]), the import
//! names of the engines' distributions ([`engine_imports()`]), which profiles can share an
//! environment ([`conflicts()`]), which releases an engine may move to ([`engine_releases`]),
//! and which pins the index no longer backs ([`lock_drift`], for `lock --check --refresh`); and
//! the build lock `strata build` installs its backend from ([`resolve_build_lock`]).
//!
//! The lock format itself (model, `requirements.txt`, `pylock.toml`, digests, diffs) is
//! `strata-lockfile`, which depends on neither the solver nor the index client.
#![warn(missing_docs)]

pub use build_lock::{
    BUILD_LOCK_FILE, BuildInputs, BuildLockError, build_lock_path, resolve_build_lock,
};
pub use conflicts::{Pairing, Verdict, conflicts, default_subjects};
pub use demands::{Demand, DemandSource, Relation, profile_demands, solved_with_demands};
pub use drift::{Drift, DriftKind, LockDrift, compare as compare_drift, lock_drift};
pub use engine_imports::{EngineImports, engine_imports};
pub use fingerprint::Fingerprint;
pub use index_options::index_options;
pub use inspect::{Lookup, PinnedMetadata, pinned_metadata};
pub use origins::describe as describe_origin;
pub use project_lock::{
    EngineHold, Freshness, LockError, LockOptions, ProfileLock, ProfileOutcome, ResolverSource,
    check_project, lock_path, lock_project, profile_target, profile_targets, pylock_path,
    solved_together,
};
pub use releases::{BumpPlan, EngineReleases, MAX_BUMP_TRIES, engine_releases};
pub use resolution::{lock_from_resolution, via_source};

mod build_lock;
mod conflicts;
mod demands;
mod drift;
mod engine_imports;
mod fingerprint;
mod index_options;
mod inspect;
mod origins;
mod project_lock;
mod releases;
mod resolution;
