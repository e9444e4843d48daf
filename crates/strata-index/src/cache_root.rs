//! The cache root: what marks a directory as strata's cache, and when `strata cache clean` may
//! remove one.
//!
//! The cache directory comes from a variable (`STRATA_CACHE_DIR`), so a typo or a copied command
//! can point it at a home directory or a checkout, and `clean` removes the whole root. So, as
//! cargo marks `target/` and uv its cache, the root holds a `CACHEDIR.TAG` (backup tools skip the
//! directory) and [`MARKER`], a file of strata's own: a `CACHEDIR.TAG` alone is written by many
//! tools, and removing uv's cache is not strata's business. `clean` removes a marked directory,
//! and refuses any other that holds something strata never writes.
//!
//! [`mark`] runs whenever a command opens the cache, and writes the marker only into a directory
//! that is new, empty, or holds nothing but what strata writes: a foreign directory named by
//! mistake is used, but never claimed. A cache made by a strata older than the marker holds only
//! strata's entries, so it is marked on its first use by a newer strata, and until then `clean`
//! recognises it by those entries.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::http_cache::store;

/// The file that makes a directory strata's cache.
pub const MARKER: &str = ".strata-cache-root";

/// The [cache directory tag](https://bford.info/cachedir/) backup and archive tools honour.
const CACHEDIR_TAG: &str = "CACHEDIR.TAG";

/// Its required first line, then what it is for.
const CACHEDIR_TAG_CONTENTS: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
    # This file is a cache directory tag created by strata.\n\
    # For information about cache directory tags see https://bford.info/cachedir/\n";

/// Keeps the cache out of version control when it sits in a checkout (the `.strata-cache`
/// fallback is in the working directory).
const GITIGNORE: &str = ".gitignore";

/// Where `strata lock` keeps the files it holds locked while it writes a project's locks.
const RUN_LOCKS_DIR: &str = "run-locks";

/// Top-level entries written by other crates into the same root.
const OTHER_ENTRIES: &[&str] = &[
    // strata-env: one answer per interpreter.
    "interpreters",
    // strata-contracts: the imports of each Python file.
    "contracts-v1",
    // `pip_default_index_cached`.
    "pip-default-index.json",
];

/// Marks `root` as strata's cache, creating it if needed, unless it holds entries strata never
/// writes. Cheap when the marker is there (one `stat`), as it is after the first run.
pub fn mark(root: &Path) -> Result<(), Error> {
    if root.join(MARKER).is_file() {
        return Ok(());
    }
    if !foreign_entries(root)?.is_empty() {
        return Ok(());
    }
    let io = |path: PathBuf| move |source| ErrorKind::Io { path, source };
    fs_err::create_dir_all(root).map_err(io(root.to_path_buf()))?;
    for (name, contents) in [
        (CACHEDIR_TAG, CACHEDIR_TAG_CONTENTS),
        (GITIGNORE, "*\n"),
        // Last: a directory with the marker has the rest.
        (
            MARKER,
            "This directory is strata's cache (`strata cache dir`); `strata cache clean` removes it whole.\n",
        ),
    ] {
        let path = root.join(name);
        strata_fs::write_atomic_if_changed(&path, contents.as_bytes()).map_err(io(path))?;
    }
    Ok(())
}

/// Checks that `root` is strata's cache before it is removed whole: it has the [`MARKER`], or
/// it holds nothing but what strata writes (a cache of a strata older than the marker).
pub(crate) fn ensure_removable(root: &Path) -> Result<(), Error> {
    if root.join(MARKER).is_file() {
        return Ok(());
    }
    let foreign = foreign_entries(root)?;
    if foreign.is_empty() {
        return Ok(());
    }
    Err(ErrorKind::NotACache {
        path: root.to_path_buf(),
        foreign,
    }
    .into())
}

/// The file `strata lock` holds locked while it writes the locks in `directory` (the lock
/// directory, canonical so every spelling of it meets the same file): in the cache, so the
/// project's tree gets no file of its own.
pub fn run_lock_path(root: &Path, directory: &Path) -> PathBuf {
    root.join(RUN_LOCKS_DIR).join(format!(
        "{}.lock",
        store::short_hash(&directory.to_string_lossy())
    ))
}

/// The names in `root` that strata never writes there, sorted; none when `root` is missing.
fn foreign_entries(root: &Path) -> Result<Vec<String>, Error> {
    let entries = match fs_err::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ErrorKind::Io {
                path: root.to_path_buf(),
                source,
            }
            .into());
        }
    };
    let mut foreign: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !is_strata_entry(name))
        .collect();
    foreign.sort();
    Ok(foreign)
}

fn is_strata_entry(name: &str) -> bool {
    [MARKER, CACHEDIR_TAG, GITIGNORE, RUN_LOCKS_DIR].contains(&name)
        || OTHER_ENTRIES.contains(&name)
        || store::layout_dirs().any(|dir| dir == name)
        // A write killed before its rename (`strata_fs::write_atomic`).
        || (name.starts_with(".strata-")
            && Path::new(name).extension().is_some_and(|extension| extension == "tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs_err::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_directory_is_created_and_marked_with_a_valid_cachedir_tag() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        mark(&root).unwrap();
        assert_eq!(names(&root), [".gitignore", MARKER, "CACHEDIR.TAG"]);
        let tag = fs_err::read(root.join("CACHEDIR.TAG")).unwrap();
        assert!(tag.starts_with(b"Signature: 8a477f597d28d172789f06886806bc55"));
        ensure_removable(&root).unwrap();
    }

    #[test]
    fn a_cache_of_an_older_strata_is_recognised_and_marked() {
        let dir = tempfile::tempdir().unwrap();
        for entry in [
            "simple-v1/ab/numpy.json",
            "metadata-v2/k.metadata",
            "interpreters/x",
        ] {
            let path = dir.path().join(entry);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, "x").unwrap();
        }
        fs_err::write(dir.path().join("pip-default-index.json"), "{}").unwrap();
        ensure_removable(dir.path()).unwrap();
        mark(dir.path()).unwrap();
        assert!(dir.path().join(MARKER).is_file());
    }

    #[test]
    fn a_directory_with_foreign_entries_is_neither_marked_nor_removable() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join("metadata-v2")).unwrap();
        fs_err::write(dir.path().join("thesis.tex"), "x").unwrap();
        fs_err::create_dir_all(dir.path().join(".git")).unwrap();
        mark(dir.path()).unwrap();
        assert_eq!(names(dir.path()), [".git", "metadata-v2", "thesis.tex"]);
        let error = ensure_removable(dir.path()).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::NotACache { foreign, .. } if foreign == &[".git", "thesis.tex"]),
            "{error}"
        );
    }

    #[test]
    fn run_locks_of_different_directories_differ() {
        let root = Path::new("/cache");
        let one = run_lock_path(root, Path::new("/work/a/locks"));
        assert!(one.starts_with("/cache/run-locks"), "{}", one.display());
        assert_ne!(one, run_lock_path(root, Path::new("/work/b/locks")));
        assert_eq!(one, run_lock_path(root, Path::new("/work/a/locks")));
    }
}
