//! strata's lock files: the lock model and its two written forms.
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
//! 4. **No false all-clear**: a lock records a fingerprint of its inputs (stale when they
//!    change, see [`header`]) and a digest of its own text (edited when it changes), see
//!    [`integrity`].
//!
//! This crate is pure: text in, text out. It depends on `strata-dist` and the PEP 440/508
//! crates only (no index client, no solver, no async runtime), so whatever reads locks (image
//! plans, CI plans, installed-environment checks) can do so without pulling in the resolver.
//! Building a lock from a resolution, deciding whether it is stale and writing it to disk are
//! `strata-lock`'s job; callers write the rendered text with `strata_fs`.
//!
//! ```
//! let lock = strata_lockfile::requirements_txt::read(
//!     "numpy==1.26.4 \\\n    --hash=sha256:aa\n    # via -r base.in\n",
//! )?;
//! assert_eq!(lock.packages[0].version.to_string(), "1.26.4");
//! # Ok::<(), strata_lockfile::requirements_txt::ReadError>(())
//! ```
#![warn(missing_docs)]

pub use diff::{LineName, LockDiff};
pub use model::{Lock, LockedFile, LockedPackage, rebase_directory_path};

mod diff;
pub mod header;
pub mod integrity;
mod model;
pub mod pylock_toml;
pub mod requirements_txt;
pub mod targets;
