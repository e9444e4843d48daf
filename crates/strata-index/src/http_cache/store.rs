//! The on-disk layout: `<root>/simple-v1/<index>/<project>.json` for pages,
//! `<root>/metadata-v3/<index>/<file>.metadata` for metadata and
//! `<root>/import-names-v2/<index>/<file>.txt` for a wheel's top-level import names (one a line),
//! each file `sha256:<hex>\n` then the payload; `<index>` is a short hash of the index URL (of
//! the file's own URL for a file no index listed) and `<file>` the file's sha256. The logs of
//! failed sdist builds are kept as `<root>/build-logs/<sdist>.log`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::index_url::without_credentials;
use crate::simple::RawFile;

/// The metadata directory. Its version changes when what an entry holds or how it is keyed
/// changes (v2: each `Requires-Dist` as the package wrote it; v3: entries belong to the index
/// that listed the file); `prune` removes the directories of older versions.
const METADATA_DIR: &str = "metadata-v3";

/// The import names directory, keyed like metadata. Its version changes when the rules that
/// derive names from a wheel's file list change (`strata_dist::top_level_import_names`), since
/// entries hold the names, not the file list, or when the key does (v2: by index).
const IMPORT_NAMES_DIR: &str = "import-names-v2";

/// Directories of earlier layouts, which `prune` removes: a v2 metadata entry keyed by a hash
/// alone may have been written from any index.
const OLD_DIRS: &[&str] = &["metadata-v1", "metadata-v2", "import-names-v1"];

/// Logs of failed sdist builds, pruned by age like pages.
const BUILD_LOGS_DIR: &str = "build-logs";

/// A stored project page with its HTTP validators.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CachedPage {
    /// The URL the page was fetched from, without credentials (redirects followed).
    pub(crate) url: String,
    /// `ETag`, if sent.
    pub(crate) etag: Option<String>,
    /// `Last-Modified`, if sent.
    pub(crate) last_modified: Option<String>,
    /// When the page was last fetched or revalidated, seconds since the epoch.
    pub(crate) fetched: u64,
    /// `Cache-Control: max-age`, seconds; `None` means "revalidate every time".
    pub(crate) max_age: Option<u64>,
    /// `None` when the index has no such project (a remembered 404).
    pub(crate) files: Option<Vec<RawFile>>,
}

impl CachedPage {
    /// Whether the page may be used without asking the server.
    pub(crate) fn is_fresh(&self) -> bool {
        let age = now().saturating_sub(self.fetched);
        self.max_age.is_some_and(|max_age| age < max_age)
    }
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The cache root and its layout.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    root: PathBuf,
}

impl Store {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    fn page_path(&self, index: &Url, project: &str) -> PathBuf {
        self.root
            .join("simple-v1")
            .join(short_hash(without_credentials(index).as_str()))
            .join(format!("{project}.json"))
    }

    fn metadata_path(&self, key: &str) -> PathBuf {
        self.root.join(METADATA_DIR).join(format!("{key}.metadata"))
    }

    fn import_names_path(&self, key: &str) -> PathBuf {
        self.root.join(IMPORT_NAMES_DIR).join(format!("{key}.txt"))
    }

    /// A directory for temporary downloads, on the cache's filesystem.
    pub(crate) fn temp_dir(&self) -> Result<PathBuf, Error> {
        let dir = self.root.join("tmp");
        fs_err::create_dir_all(&dir).map_err(|source| ErrorKind::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(dir)
    }

    /// The stored page, if present and intact.
    pub(crate) fn read_page(&self, index: &Url, project: &str) -> Option<CachedPage> {
        let payload = read_verified(&self.page_path(index, project))?;
        serde_json::from_slice(&payload).ok()
    }

    pub(crate) fn write_page(
        &self,
        index: &Url,
        project: &str,
        page: &CachedPage,
    ) -> Result<(), Error> {
        let payload = serde_json::to_vec(page).expect("a page always serializes");
        write_verified(&self.page_path(index, project), &payload)
    }

    /// Stored metadata bytes for `key`, if present and intact.
    pub(crate) fn read_metadata(&self, key: &str) -> Option<Vec<u8>> {
        read_verified(&self.metadata_path(key))
    }

    pub(crate) fn write_metadata(&self, key: &str, metadata: &[u8]) -> Result<(), Error> {
        write_verified(&self.metadata_path(key), metadata)
    }

    /// Stored import names for `key`, if present and intact; an empty list is an answer too (a
    /// wheel that installs no module).
    pub(crate) fn read_import_names(&self, key: &str) -> Option<Vec<String>> {
        let payload = read_verified(&self.import_names_path(key))?;
        let text = String::from_utf8(payload).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }

    pub(crate) fn write_import_names(&self, key: &str, names: &[String]) -> Result<(), Error> {
        let mut text = String::new();
        for name in names {
            text.push_str(name);
            text.push('\n');
        }
        write_verified(&self.import_names_path(key), text.as_bytes())
    }

    /// The number of entries and bytes under the root, for `strata cache`.
    pub(crate) fn summary(&self) -> CacheSummary {
        let mut summary = CacheSummary::default();
        walk(&self.root, &mut |path, length, _| {
            summary.files += 1;
            summary.bytes += length;
            let _ = path;
        });
        summary
    }

    /// Removes temporary files, pages older than `max_age_days` days, leftovers of killed
    /// writes and directories of older layouts.
    pub(crate) fn prune(&self, max_age_days: u64) -> Result<CacheSummary, Error> {
        let mut removed = CacheSummary::default();
        let horizon = SystemTime::now() - std::time::Duration::from_secs(max_age_days * 24 * 3600);
        // An atomic write killed before its rename leaves a `.strata-*.tmp` sibling of the entry.
        // A live writer renames within seconds, so only siblings an hour old are leftovers.
        let killed_before = SystemTime::now() - std::time::Duration::from_hours(1);
        let is_leftover = |path: &Path, modified: SystemTime| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(".strata-") && name.ends_with(".tmp") && modified < killed_before
        };
        let mut remove = |path: &Path, length: u64| -> Result<(), Error> {
            fs_err::remove_file(path).map_err(|source| ErrorKind::Io {
                path: path.to_path_buf(),
                source,
            })?;
            removed.files += 1;
            removed.bytes += length;
            Ok(())
        };
        let mut victims = Vec::new();
        walk(&self.root.join("tmp"), &mut |path, length, _| {
            victims.push((path.to_path_buf(), length));
        });
        for dir in ["simple-v1", BUILD_LOGS_DIR] {
            walk(&self.root.join(dir), &mut |path, length, modified| {
                if modified < horizon || is_leftover(path, modified) {
                    victims.push((path.to_path_buf(), length));
                }
            });
        }
        // Metadata and import names never go stale: only a killed writer's leftovers go.
        for dir in [METADATA_DIR, IMPORT_NAMES_DIR] {
            walk(&self.root.join(dir), &mut |path, length, modified| {
                if is_leftover(path, modified) {
                    victims.push((path.to_path_buf(), length));
                }
            });
        }
        for old in OLD_DIRS {
            walk(&self.root.join(old), &mut |path, length, _| {
                victims.push((path.to_path_buf(), length));
            });
        }
        for (path, length) in victims {
            remove(&path, length)?;
        }
        let tmp = self.root.join("tmp");
        if tmp.is_dir() {
            // Build directories are left empty by the file removals above.
            let _ = fs_err::remove_dir_all(&tmp);
        }
        for old in OLD_DIRS {
            let _ = fs_err::remove_dir_all(self.root.join(old));
        }
        Ok(removed)
    }
}

/// How many files and bytes (in the cache, or removed from it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheSummary {
    /// Files.
    pub files: u64,
    /// Bytes.
    pub bytes: u64,
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path, u64, SystemTime)) {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), visit);
        } else if let Ok(meta) = entry.metadata() {
            visit(
                &entry.path(),
                meta.len(),
                meta.modified().unwrap_or(UNIX_EPOCH),
            );
        }
    }
}

/// The top-level directories of this layout, current and earlier, for recognising a cache
/// root that lacks its marker (`cache_root`).
pub(crate) fn layout_dirs() -> impl Iterator<Item = &'static str> {
    [
        "simple-v1",
        METADATA_DIR,
        IMPORT_NAMES_DIR,
        BUILD_LOGS_DIR,
        crate::git::GIT_DIR,
        "tmp",
    ]
    .into_iter()
    .chain(OLD_DIRS.iter().copied())
}

/// A stable short key for a string (an index URL, a file URL).
pub(crate) fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex(&digest[..8])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

fn read_verified(path: &Path) -> Option<Vec<u8>> {
    let bytes = fs_err::read(path).ok()?;
    let newline = bytes.iter().position(|byte| *byte == b'\n')?;
    let (header, payload) = (&bytes[..newline], &bytes[newline + 1..]);
    let expected = header.strip_prefix(b"sha256:")?;
    if expected == hex(&Sha256::digest(payload)).as_bytes() {
        Some(payload.to_vec())
    } else {
        // A damaged entry is dropped so the next writer replaces it; failing to remove it only
        // means it is checked and dropped again.
        let _ = fs_err::remove_file(path);
        None
    }
}

fn write_verified(path: &Path, payload: &[u8]) -> Result<(), Error> {
    let mut bytes = format!("sha256:{}\n", hex(&Sha256::digest(payload))).into_bytes();
    bytes.extend_from_slice(payload);
    strata_fs::write_atomic_unsynced(path, &bytes).map_err(|source| {
        ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_entries_read_as_missing_and_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        store.write_metadata("abc", b"Name: x\n").unwrap();
        assert_eq!(
            store.read_metadata("abc").as_deref(),
            Some(&b"Name: x\n"[..])
        );
        let path = store.metadata_path("abc");
        let mut bytes = fs_err::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs_err::write(&path, bytes).unwrap();
        assert_eq!(store.read_metadata("abc"), None);
        assert!(!path.exists());
    }

    #[test]
    fn import_names_round_trip_including_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        assert_eq!(store.read_import_names("k"), None);
        let names = vec!["_yaml".to_string(), "yaml".to_string()];
        store.write_import_names("k", &names).unwrap();
        assert_eq!(store.read_import_names("k"), Some(names));
        store.write_import_names("empty", &[]).unwrap();
        assert_eq!(store.read_import_names("empty"), Some(Vec::new()));
        assert!(dir.path().join("import-names-v2/k.txt").is_file());
    }

    #[test]
    fn truncated_entry_reads_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        store.write_metadata("k", b"Name: x\nVersion: 1\n").unwrap();
        let path = store.metadata_path("k");
        let bytes = fs_err::read(&path).unwrap();
        fs_err::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(store.read_metadata("k"), None);
    }
}
