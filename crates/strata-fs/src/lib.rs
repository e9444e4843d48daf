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
//! The result has the mode a plain write would give it: a new file follows the umask (0644
//! under the usual 022, not the 0600 of a private temporary file), and a rewritten file keeps
//! the mode it had, so a lock committed 0644 stays readable by the other users of a container.
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
/// flushed to disk before the rename, so after a crash the file holds either version. A new
/// file's mode follows the umask; an existing file's mode is kept.
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
    let existing = match fs_err::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".strata-").suffix(".tmp");
    // A temporary file is private (0600) by default; the output is not. Asking for 0666 at
    // creation lets the kernel apply the umask, exactly as for any program's new file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temporary = builder
        .tempfile_in(parent)
        .map_err(|error| annotate(&error, "create a temporary file in", parent))?;
    if let Some(permissions) = existing {
        // Set explicitly rather than at creation, where the umask would narrow it.
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(|error| annotate(&error, "set the mode of", temporary.path()))?;
    }
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

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs_err::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_follows_the_umask_like_any_program_s_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.txt");
        fs_err::File::create(&plain).unwrap();
        for (name, sync) in [("synced.txt", true), ("unsynced.txt", false)] {
            let path = dir.path().join(name);
            write_through_temporary(&path, b"x", sync).unwrap();
            assert_eq!(
                format!("{:o}", mode(&path)),
                format!("{:o}", mode(&plain)),
                "{name}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock.txt");
        for wanted in [0o644, 0o640, 0o600, 0o664, 0o755] {
            fs_err::write(&path, b"old").unwrap();
            fs_err::set_permissions(&path, std::fs::Permissions::from_mode(wanted)).unwrap();
            write_atomic(&path, format!("new {wanted:o}").as_bytes()).unwrap();
            assert_eq!(format!("{:o}", mode(&path)), format!("{wanted:o}"));
            assert_eq!(
                fs_err::read_to_string(&path).unwrap(),
                format!("new {wanted:o}")
            );
        }
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
