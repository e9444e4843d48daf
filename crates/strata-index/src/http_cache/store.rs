//! The on-disk layout: `<root>/simple-v2/<index>/<project>.page` for pages (see
//! [`Store::write_page`] for their format),
//! `<root>/thin-pages-v1/<index>/<project>.<key>.page` for pages thinned to the files of a set of
//! targets (see [`Store::read_page`]),
//! `<root>/metadata-v3/<index>/<file>.metadata` for metadata and
//! `<root>/import-names-v2/<index>/<file>.txt` for a wheel's top-level import names (one a line),
//! each file `crc32:<hex>\n` (older entries: `sha256:<hex>\n`) then the payload; `<index>` is a short hash of the index URL (of
//! the file's own URL for a file no index listed) and `<file>` the file's sha256. The logs of
//! failed sdist builds are kept as `<root>/build-logs/<sdist>.log`.

use std::borrow::Cow;
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
const OLD_DIRS: &[&str] = &["metadata-v1", "metadata-v2", "import-names-v1", "simple-v1"];

/// The pages directory (v2: one line a file instead of a JSON document, see
/// [`Store::write_page`]).
const PAGES_DIR: &str = "simple-v2";

/// Thinned copies of pages: the lines of one page that a set of targets can use (see
/// [`Store::read_page`]), pruned by age like pages.
const THIN_PAGES_DIR: &str = "thin-pages-v1";

/// Logs of failed sdist builds, pruned by age like pages.
const BUILD_LOGS_DIR: &str = "build-logs";

/// A stored project page with its HTTP validators.
#[derive(Debug, Clone)]
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
            .join(PAGES_DIR)
            .join(short_hash(without_credentials(index).as_str()))
            .join(format!("{project}.page"))
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

    fn thin_page_path(&self, index: &Url, project: &str, key: &str) -> PathBuf {
        self.root
            .join(THIN_PAGES_DIR)
            .join(short_hash(without_credentials(index).as_str()))
            .join(format!("{project}.{key}.page"))
    }

    /// The stored page, if present and intact, with only the files `thinning` keeps by name
    /// (every file with `None`).
    ///
    /// A file the run does not need costs a search for two tabs and a newline: a page of a
    /// project with wheels for every platform lists thousands of files, of which a resolution
    /// for one target needs a few dozen (profiled on the vllm set, offline: parsing those pages
    /// as JSON, and allocating files dropped right after, was most of the run).
    ///
    /// Even that search over every line was a third of an offline compile of the vllm set (its
    /// pages: 53 MB, 161,000 files, of which 12,700 fit the target): a thinned page keeps the
    /// lines a run kept, stored once under the thinning's key and read instead of the page
    /// while the page is the one it was thinned from. Which one that is, is told by the page's
    /// first two lines (its checksum, and its header with the time it was fetched), which every
    /// write of the page changes; they are read from the page's start alone.
    pub(crate) fn read_page(
        &self,
        index: &Url,
        project: &str,
        thinning: Option<&Thinning<'_>>,
    ) -> Option<CachedPage> {
        let path = self.page_path(index, project);
        let Some(thinning) = thinning else {
            let entry = read_verified(&path)?;
            return parse_page(entry.payload(), None);
        };
        let thin_path = self.thin_page_path(index, project, thinning.key);
        if let Some(stamp) = page_stamp(&path)
            && let Some(thin) = read_verified(&thin_path)
            && thin.payload().starts_with(&stamp)
        {
            // After the page's checksum line: its header, then the lines kept when it was
            // thinned.
            let checksum_line = stamp.iter().position(|byte| *byte == b'\n')? + 1;
            return parse_page(&thin.payload()[checksum_line..], None);
        }
        let entry = read_verified(&path)?;
        let keep = thinning.keep;
        let mut thin = Vec::new();
        let page = parse_page(
            entry.payload(),
            Some(&mut |line: &str| {
                let (filename, _) = line.split_once('\t')?;
                let kept = keep(&unescape(filename));
                if kept {
                    thin.extend_from_slice(line.as_bytes());
                    thin.push(b'\n');
                }
                Some(kept)
            }),
        )?;
        // The stamp: the page's first two lines, as `page_stamp` reads them back.
        let header_end = entry
            .payload()
            .iter()
            .position(|byte| *byte == b'\n')
            .map_or(entry.payload().len(), |newline| newline + 1);
        // Best effort: a thinned page that cannot be written is thinned again next time.
        let _ = write_bytes(
            &thin_path,
            &thin_copy(&entry.bytes[..entry.start + header_end], &thin),
        );
        Some(page)
    }

    /// Stores `page`: a JSON header line (URL, validators, freshness, whether the project was
    /// found), then one line per file, its fields separated by tabs in [`RawFile`]'s order, an
    /// optional field empty when absent and `=` before its value when present, with `\\`,
    /// tab, newline and carriage return escaped as `\\\\`, `\\t`, `\\n` and `\\r`.
    pub(crate) fn write_page(
        &self,
        index: &Url,
        project: &str,
        page: &CachedPage,
    ) -> Result<(), Error> {
        let (text, _) = page_text(page, None);
        write_sealed(&self.page_path(index, project), text.into_bytes())
    }

    /// Stores `page` as [`Store::write_page`] does, and beside it the copy thinned by
    /// `thinning` that [`Store::read_page`] would write on its first read; returns the page
    /// with the files kept.
    ///
    /// A page just downloaded holds every file of every platform (161,000 files in the vllm
    /// set's pages, of which 12,700 fit its target): keeping them all until the resolution
    /// ends was most of a cold run's peak memory, and reading the page back to thin it one
    /// more read and copy on the next run.
    pub(crate) fn write_page_thinned(
        &self,
        index: &Url,
        project: &str,
        mut page: CachedPage,
        thinning: &Thinning<'_>,
    ) -> Result<CachedPage, Error> {
        let (text, thin) = page_text(&page, Some(thinning.keep));
        let (header_end, thin, kept) = thin.expect("asked for with a `keep`");
        let text = seal(text.into_bytes());
        // The page's checksum line and header, as `page_stamp` reads them back.
        let copy = thin_copy(&text[..header_end], thin.as_bytes());
        write_bytes(&self.page_path(index, project), &text)?;
        drop(text);
        // Best effort, as on a read: a copy that cannot be written is thinned on the next one.
        let _ = write_bytes(&self.thin_page_path(index, project, thinning.key), &copy);
        if let Some(files) = &mut page.files {
            let mut kept = kept.into_iter();
            files.retain(|_| kept.next().unwrap_or(false));
            files.shrink_to_fit();
        }
        Ok(page)
    }

    /// Stored metadata bytes for `key`, if present and intact.
    pub(crate) fn read_metadata(&self, key: &str) -> Option<Vec<u8>> {
        read_verified(&self.metadata_path(key)).map(Entry::into_payload)
    }

    pub(crate) fn write_metadata(&self, key: &str, metadata: &[u8]) -> Result<(), Error> {
        write_verified(&self.metadata_path(key), metadata)
    }

    /// Stored import names for `key`, if present and intact; an empty list is an answer too (a
    /// wheel that installs no module).
    pub(crate) fn read_import_names(&self, key: &str) -> Option<Vec<String>> {
        let payload = read_verified(&self.import_names_path(key))?.into_payload();
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
        for dir in [PAGES_DIR, THIN_PAGES_DIR, BUILD_LOGS_DIR] {
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
        PAGES_DIR,
        THIN_PAGES_DIR,
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

/// An intact entry: its bytes, the payload from `start` on.
struct Entry {
    bytes: Vec<u8>,
    start: usize,
}

impl Entry {
    fn payload(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    fn into_payload(mut self) -> Vec<u8> {
        self.bytes.drain(..self.start);
        self.bytes
    }
}

/// The entry at `path` when its checksum matches its payload.
///
/// The checksum guards against damage (a full disk, a bad sector, a hand edit), not against an
/// attacker, who could rewrite the checksum as easily: CRC-32 detects every burst error shorter
/// than 32 bits and all but one in four billion others, at a fraction of sha256's cost (sha256
/// over the vllm set's 62 MB of pages was 5% of an offline resolution). Entries written by
/// earlier versions, with a sha256, are still read.
fn read_verified(path: &Path) -> Option<Entry> {
    let bytes = fs_err::read(path).ok()?;
    let newline = bytes.iter().position(|byte| *byte == b'\n')?;
    let (header, payload) = (&bytes[..newline], &bytes[newline + 1..]);
    let intact = if let Some(expected) = header.strip_prefix(b"crc32:") {
        expected == format!("{:08x}", crc32fast::hash(payload)).as_bytes()
    } else if let Some(expected) = header.strip_prefix(b"sha256:") {
        expected == hex(&Sha256::digest(payload)).as_bytes()
    } else {
        false
    };
    if intact {
        Some(Entry {
            bytes,
            start: newline + 1,
        })
    } else {
        // A damaged entry is dropped so the next writer replaces it; failing to remove it only
        // means it is checked and dropped again.
        let _ = fs_err::remove_file(path);
        None
    }
}

fn write_verified(path: &Path, payload: &[u8]) -> Result<(), Error> {
    let mut bytes = Vec::with_capacity(CHECKSUM_LINE.len() + payload.len());
    bytes.extend_from_slice(CHECKSUM_LINE.as_bytes());
    bytes.extend_from_slice(payload);
    write_sealed(path, bytes)
}

/// The checksum line of an entry before [`seal`] fills it in: an entry is built after it, so
/// that the checksum does not cost a copy of the whole entry (a page can be megabytes).
const CHECKSUM_LINE: &str = "crc32:00000000\n";

/// `bytes`, a [`CHECKSUM_LINE`] and then the payload, with the payload's checksum filled in.
fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let checksum = format!(
        "crc32:{:08x}\n",
        crc32fast::hash(&bytes[CHECKSUM_LINE.len()..])
    );
    bytes[..CHECKSUM_LINE.len()].copy_from_slice(checksum.as_bytes());
    bytes
}

/// Writes an entry built after a [`CHECKSUM_LINE`], sealed first.
/// A page's thinned copy, sealed: its own checksum line, then the page's first lines
/// (`stamp`: the page's checksum line, which ties the copy to that page, and its header), then
/// the file lines kept.
fn thin_copy(stamp: &[u8], kept: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(CHECKSUM_LINE.len() + stamp.len() + 1 + kept.len());
    bytes.extend_from_slice(CHECKSUM_LINE.as_bytes());
    bytes.extend_from_slice(stamp);
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(kept);
    seal(bytes)
}

fn write_sealed(path: &Path, bytes: Vec<u8>) -> Result<(), Error> {
    write_bytes(path, &seal(bytes))
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    strata_fs::write_atomic_unsynced(path, bytes).map_err(|source| {
        ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

/// What [`page_text`] gives besides the page's text when asked to thin: where the header ends
/// in the text (past the checksum line and the header's newline), the kept files' lines, and
/// whether each file was kept.
type ThinText = (usize, String, Vec<bool>);

/// The entry of `page` as [`Store::write_page`] stores it, after a [`CHECKSUM_LINE`] still to
/// be sealed; with `keep`, the lines of the files it keeps as well.
fn page_text(
    page: &CachedPage,
    keep: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> (String, Option<ThinText>) {
    let header = PageHeader {
        url: page.url.clone(),
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
        fetched: page.fetched,
        max_age: page.max_age,
        found: page.files.is_some(),
    };
    let mut text = String::from(CHECKSUM_LINE);
    text.push_str(&serde_json::to_string(&header).expect("a page header always serializes"));
    text.push('\n');
    let header_end = text.len();
    let Some(keep) = keep else {
        for file in page.files.iter().flatten() {
            file_to_line(file, &mut text);
        }
        return (text, None);
    };
    let (mut thin, mut kept) = (String::new(), Vec::new());
    for file in page.files.iter().flatten() {
        let start = text.len();
        file_to_line(file, &mut text);
        let keeps = keep(&file.filename);
        if keeps {
            thin.push_str(&text[start..]);
        }
        kept.push(keeps);
    }
    (text, Some((header_end, thin, kept)))
}

/// Which files of a page a run can use, judged by name, and a key naming that judgement (the
/// targets it was made for), under which the page's thinned copy is stored.
pub(crate) struct Thinning<'a> {
    /// A short name for the file system, the same for the same judgement.
    pub(crate) key: &'a str,
    /// Whether a file, by its name, is kept.
    pub(crate) keep: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Whether a page's line is kept; `None` when it is not a line a page holds.
type KeepLine<'a> = &'a mut dyn FnMut(&str) -> Option<bool>;

/// The page a stored page's payload holds (its header line, then a line a file), with the files
/// `keep` accepts, given each file's line (every file with `None`); `None` when a line is not
/// one a page holds, kept or not.
fn parse_page(payload: &[u8], keep: Option<KeepLine<'_>>) -> Option<CachedPage> {
    let text = std::str::from_utf8(payload).ok()?;
    let (header, lines) = text.split_once('\n').unwrap_or((text, ""));
    let header: PageHeader = serde_json::from_str(header).ok()?;
    let files = if header.found {
        let mut files = Vec::new();
        match keep {
            None => {
                for line in lines.lines() {
                    files.push(file_from_line(line)?);
                }
            }
            Some(keep) => {
                for line in lines.lines() {
                    if keep(line)? {
                        files.push(file_from_line(line)?);
                    }
                }
            }
        }
        Some(files)
    } else {
        None
    };
    Some(CachedPage {
        url: header.url,
        etag: header.etag,
        last_modified: header.last_modified,
        fetched: header.fetched,
        max_age: header.max_age,
        files,
    })
}

/// The first two lines of the stored page at `path` (its checksum and its header), each with
/// its newline, read from the page's start; `None` when there is no such page or they do not
/// fit the first 16 KB.
fn page_stamp(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut start = vec![0; 16 * 1024];
    let mut file = fs_err::File::open(path).ok()?;
    let mut filled = 0;
    loop {
        let read = file.read(&mut start[filled..]).ok()?;
        if read == 0 {
            break;
        }
        filled += read;
        if filled == start.len() {
            break;
        }
    }
    let start = &start[..filled];
    let first = start.iter().position(|byte| *byte == b'\n')?;
    let second = start[first + 1..].iter().position(|byte| *byte == b'\n')?;
    Some(start[..=first + 1 + second].to_vec())
}

/// The first line of a stored page.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct PageHeader {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched: u64,
    max_age: Option<u64>,
    /// `false` for a remembered "not found".
    found: bool,
}

/// Appends `file` as one line of a stored page (see [`Store::write_page`]).
fn file_to_line(file: &RawFile, out: &mut String) {
    let optional = |out: &mut String, value: Option<&str>| {
        out.push('\t');
        if let Some(value) = value {
            out.push('=');
            escape_into(value, out);
        }
    };
    escape_into(&file.filename, out);
    out.push('\t');
    escape_into(&file.url, out);
    optional(out, file.sha256.as_deref());
    optional(out, file.requires_python.as_deref());
    optional(out, file.yanked.as_deref());
    match &file.core_metadata {
        None => out.push('\t'),
        Some(hash) => {
            out.push_str("\t=");
            escape_into(hash.as_deref().unwrap_or_default(), out);
        }
    }
    optional(out, file.size.map(|size| size.to_string()).as_deref());
    optional(out, file.upload_time.as_deref());
    out.push('\n');
}

/// The file of one line of a stored page; `None` when it is not one.
fn file_from_line(line: &str) -> Option<RawFile> {
    let mut fields = line.split('\t');
    let mut next = || fields.next();
    let optional = |field: &str| {
        field
            .strip_prefix('=')
            .map(|value| unescape(value).into_owned())
    };
    let filename = unescape(next()?).into_owned();
    let url = unescape(next()?).into_owned();
    let sha256 = optional(next()?);
    let requires_python = optional(next()?);
    let yanked = optional(next()?);
    let core_metadata = optional(next()?).map(|hash| Some(hash).filter(|hash| !hash.is_empty()));
    let size = match optional(next()?) {
        Some(size) => Some(size.parse().ok()?),
        None => None,
    };
    let upload_time = optional(next()?);
    if next().is_some() {
        return None;
    }
    Some(RawFile {
        filename,
        url,
        sha256,
        requires_python,
        yanked,
        core_metadata,
        size,
        upload_time,
    })
}

fn escape_into(value: &str, out: &mut String) {
    for character in value.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

/// `field` unescaped, borrowed when it has nothing to unescape (almost every field): the
/// filename of every line of a page is unescaped to be judged, and most lines are dropped.
fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut characters = field.chars();
    while let Some(character) = characters.next() {
        if character == '\\' {
            match characters.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(character);
        }
    }
    Cow::Owned(out)
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

#[cfg(test)]
mod page_tests {
    use super::*;

    #[expect(clippy::option_option, reason = "the type of `RawFile::core_metadata`")]
    fn file(filename: &str, core_metadata: Option<Option<String>>) -> RawFile {
        RawFile {
            filename: filename.to_string(),
            url: format!("../../files/{filename}#sha256=ab"),
            sha256: Some("ab".to_string()),
            requires_python: Some(">=3.9".to_string()),
            yanked: None,
            core_metadata,
            size: Some(10),
            upload_time: None,
        }
    }

    #[test]
    fn a_page_round_trips_and_reads_only_the_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let index = Url::parse("https://index.invalid/simple/").unwrap();
        let files = vec![
            file("demo-1.0-py3-none-any.whl", Some(None)),
            file(
                "demo-1.0-cp311-cp311-win_amd64.whl",
                Some(Some("cd".to_string())),
            ),
            RawFile {
                yanked: Some("broken\tbuild\nsee C:\\notes\r".to_string()),
                upload_time: Some("2024-02-05T12:00:00Z".to_string()),
                size: None,
                ..file("demo-1.0.tar.gz", None)
            },
        ];
        let page = CachedPage {
            url: index.join("demo/").unwrap().to_string(),
            etag: Some("\"x\"".to_string()),
            last_modified: None,
            fetched: 7,
            max_age: Some(600),
            files: Some(files.clone()),
        };
        store.write_page(&index, "demo", &page).unwrap();
        let all = store.read_page(&index, "demo", None).unwrap();
        // `core-metadata: true` without a hash survives the round trip.
        assert_eq!(all.files.as_deref(), Some(&files[..]));
        assert_eq!(
            (all.etag.as_deref(), all.fetched, all.max_age),
            (Some("\"x\""), 7, Some(600))
        );
        let keep = |name: &str| !name.contains("win_amd64");
        let thinning = Thinning {
            key: "k",
            keep: &keep,
        };
        let kept = store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(kept.files, Some(vec![files[0].clone(), files[2].clone()]));
        // A remembered "not found" has no files at all.
        let missing = CachedPage {
            files: None,
            ..page
        };
        store.write_page(&index, "gone", &missing).unwrap();
        assert_eq!(store.read_page(&index, "gone", None).unwrap().files, None);
    }

    #[test]
    fn a_thinned_page_is_read_while_its_page_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let index = Url::parse("https://index.invalid/simple/").unwrap();
        let page = |fetched, files: Vec<RawFile>| CachedPage {
            url: index.join("demo/").unwrap().to_string(),
            etag: None,
            last_modified: None,
            fetched,
            max_age: Some(600),
            files: Some(files),
        };
        let linux = file("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", None);
        let windows = file("demo-1.0-cp311-cp311-win_amd64.whl", None);
        store
            .write_page(
                &index,
                "demo",
                &page(7, vec![linux.clone(), windows.clone()]),
            )
            .unwrap();
        let judged = std::sync::atomic::AtomicUsize::new(0);
        let keep = |name: &str| {
            judged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            !name.contains("win_amd64")
        };
        let thinning = Thinning {
            key: "k",
            keep: &keep,
        };
        let first = store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(first.files, Some(vec![linux.clone()]));
        assert_eq!(judged.load(std::sync::atomic::Ordering::Relaxed), 2);
        let thin = store.thin_page_path(&index, "demo", "k");
        assert!(thin.is_file());
        // Read again: the thinned copy, every file of it, no file judged again.
        let again = store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(again.files, first.files);
        assert_eq!((again.fetched, again.max_age), (7, Some(600)));
        assert_eq!(judged.load(std::sync::atomic::Ordering::Relaxed), 2);
        // Another judgement has its own copy; the whole page is still all there.
        let all = |_: &str| true;
        let everything = Thinning {
            key: "all",
            keep: &all,
        };
        assert_eq!(
            store
                .read_page(&index, "demo", Some(&everything))
                .unwrap()
                .files
                .map(|files| files.len()),
            Some(2)
        );
        // The page written again (revalidated, or with new files): the copy is thinned again.
        let newer = file("demo-2.0-py3-none-any.whl", None);
        store
            .write_page(&index, "demo", &page(8, vec![linux.clone(), newer.clone()]))
            .unwrap();
        let renewed = store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(renewed.files, Some(vec![linux.clone(), newer]));
        assert_eq!(renewed.fetched, 8);
        store
            .write_page(&index, "demo", &page(9, vec![linux.clone()]))
            .unwrap();
        assert_eq!(
            store
                .read_page(&index, "demo", Some(&thinning))
                .unwrap()
                .fetched,
            9
        );
        // A damaged copy is thinned again from the page; no page, no copy is read.
        let mut bytes = fs_err::read(&thin).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs_err::write(&thin, bytes).unwrap();
        assert_eq!(
            store
                .read_page(&index, "demo", Some(&thinning))
                .unwrap()
                .files,
            Some(vec![linux])
        );
        fs_err::remove_file(store.page_path(&index, "demo")).unwrap();
        assert!(store.read_page(&index, "demo", Some(&thinning)).is_none());
    }

    #[test]
    fn a_page_written_thinned_leaves_the_copy_a_read_would_have_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let index = Url::parse("https://index.invalid/simple/").unwrap();
        let linux = file("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", None);
        let windows = file("demo-1.0-cp311-cp311-win_amd64.whl", None);
        let page = CachedPage {
            url: index.join("demo/").unwrap().to_string(),
            etag: Some("\"x\"".to_string()),
            last_modified: None,
            fetched: 7,
            max_age: Some(600),
            files: Some(vec![windows.clone(), linux.clone(), windows.clone()]),
        };
        let judged = std::sync::atomic::AtomicUsize::new(0);
        let keep = |name: &str| {
            judged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            !name.contains("win_amd64")
        };
        let thinning = Thinning {
            key: "k",
            keep: &keep,
        };
        let written = store
            .write_page_thinned(&index, "demo", page.clone(), &thinning)
            .unwrap();
        assert_eq!(written.files, Some(vec![linux.clone()]));
        assert_eq!(judged.load(std::sync::atomic::Ordering::Relaxed), 3);
        let thin = fs_err::read(store.thin_page_path(&index, "demo", "k")).unwrap();
        // Read back: the thinned copy, no file judged again; the whole page is all there.
        let read = store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(read.files, written.files);
        assert_eq!(judged.load(std::sync::atomic::Ordering::Relaxed), 3);
        assert_eq!(
            store.read_page(&index, "demo", None).unwrap().files,
            page.files
        );
        // The same bytes as the copy a read of the page alone writes.
        store.write_page(&index, "demo", &page).unwrap();
        fs_err::remove_file(store.thin_page_path(&index, "demo", "k")).unwrap();
        store.read_page(&index, "demo", Some(&thinning)).unwrap();
        assert_eq!(
            fs_err::read(store.thin_page_path(&index, "demo", "k")).unwrap(),
            thin
        );
    }

    #[test]
    fn entries_written_with_a_sha256_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let path = store.metadata_path("old");
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        let payload = b"Name: x\n";
        let mut bytes = format!("sha256:{}\n", hex(&Sha256::digest(payload))).into_bytes();
        bytes.extend_from_slice(payload);
        fs_err::write(&path, bytes).unwrap();
        assert_eq!(store.read_metadata("old").as_deref(), Some(&payload[..]));
    }
}
