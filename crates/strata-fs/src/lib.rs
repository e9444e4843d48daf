//! Filesystem writes that never leave partial output.
//!
//! Every file strata produces (locks, Dockerfiles, bake files, workflows, cache
//! entries) goes through [`write_atomic`]: the bytes are written to a temporary
//! file in the destination's own directory, flushed to disk, and renamed over the
//! destination. A reader therefore sees either the old file or the new one, never
//! a mix, and a run killed halfway leaves every existing file as it was. The
//! temporary file lives next to the destination because a rename is only atomic
//! within one filesystem.
//!
//! What this crate deliberately does not do: inter-process locking of whole
//! directories (that belongs to the commands that need it) or any parsing.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("locks").join("base.txt");
//! strata_fs::write_atomic(&path, b"numpy==1.26.4\n").unwrap();
//! assert_eq!(fs_err::read_to_string(&path).unwrap(), "numpy==1.26.4\n");
//! ```
#![warn(missing_docs)]

use std::io::{self, Write};
use std::path::Path;

pub use fs_err;

/// Writes `contents` to `path` atomically, creating missing parent directories.
///
/// Returns `Ok(false)` without touching the file when it already holds exactly
/// `contents`, so unchanged outputs keep their modification time (tools such as
/// `make` and BuildKit's context hashing then see no change).
pub fn write_atomic_if_changed(path: &Path, contents: &[u8]) -> io::Result<bool> {
    match fs_err::read(path) {
        Ok(existing) if existing == contents => return Ok(false),
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    write_atomic(path, contents)?;
    Ok(true)
}

/// Writes `contents` to `path` through a temporary sibling file and a rename.
///
/// Missing parent directories are created. Errors name the path they concern. The data is
/// flushed to disk before the rename, so after a crash the file holds either version.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_through_temporary(path, contents, true)
}

/// Like [`write_atomic`], without flushing to disk first: for cache entries, which readers
/// verify by hash and may simply lose in a power failure. Skipping the flush is what keeps a cold
/// run that writes hundreds of entries from waiting on the disk for each.
pub fn write_atomic_unsynced(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_through_temporary(path, contents, false)
}

fn write_through_temporary(path: &Path, contents: &[u8], sync: bool) -> io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs_err::create_dir_all(parent)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".strata-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(|error| annotate(&error, "create a temporary file in", parent))?;
    temporary
        .write_all(contents)
        .and_then(|()| {
            if sync {
                temporary.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|error| annotate(&error, "write", temporary.path()))?;
    temporary
        .persist(path)
        .map_err(|error| annotate(&error.error, "rename a temporary file onto", path))?;
    Ok(())
}

fn annotate(error: &io::Error, action: &str, path: &Path) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("failed to {action} `{}`: {error}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_content_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        assert!(write_atomic_if_changed(&path, b"one").unwrap());
        assert!(!write_atomic_if_changed(&path, b"one").unwrap());
        assert!(write_atomic_if_changed(&path, b"two").unwrap());
        assert_eq!(fs_err::read(&path).unwrap(), b"two");
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("out.txt"), b"x").unwrap();
        let names: Vec<_> = fs_err::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["out.txt"]);
    }

    #[test]
    fn error_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        write_atomic(&blocker, b"x").unwrap();
        let error = write_atomic(&blocker.join("child.txt"), b"y").unwrap_err();
        assert!(error.to_string().contains("file"), "{error}");
    }
}
