//! `strata lock` from the command line, on the loopback index: a role hierarchy solved once and
//! engines on top of its pins, the numpy case layering gets wrong, clashing branches that leave
//! every lock as it was, incremental relocks that touch neither the network nor unchanged files,
//! `--check`, `--upgrade-package`, engines on their own indexes, locks that real pip installs,
//! and byte-identical output.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

#[path = "../support/mod.rs"]
mod support;

mod conflicts;
mod diff;
mod drift;
mod engines;
mod explanations;
mod extras;
mod feedback;
mod files;
mod git;
mod hierarchy;
mod holds;
mod images;
mod incremental;
mod indexes;
mod inspect;
mod install;
mod integrity;
mod localdirs;
mod metadata_build;
mod metadata_integrity;
mod options;
mod outdated;
mod project;
mod pylock;
mod settings;
mod sources;
mod sync;
mod targets;
mod universe;
mod upstream;
mod urlpins;

use std::collections::BTreeMap;
use std::path::Path;

/// A PEP 517 backend that needs nothing installed, for source trees (git repositories, local
/// directories): it reads `[project]` with `tomllib`, the version from `VERSION` when it is
/// dynamic, puts `<name>/__init__.py` in the wheel, and for PEP 660's `build_editable` a `.pth`
/// that puts the source directory on `sys.path`.
const TREE_BACKEND: &str = include_str!("tree_backend.py");

/// The `[build-system]` of a tree that carries [`TREE_BACKEND`] in `_backend/`.
const TREE_BUILD_SYSTEM: &str =
    "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_backend\"]\n";

/// The pins of a lock file, parsed by strata's own reader, keyed by name.
fn pins(path: &Path) -> BTreeMap<String, String> {
    pins_of(&fs_err::read(path).unwrap())
}

/// The pins of a lock file's bytes.
fn pins_of(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = std::str::from_utf8(bytes).unwrap();
    strata_lockfile::requirements_txt::read_pins(text)
        .unwrap()
        .into_iter()
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}
