//! The per-file import cache: what each unchanged file imported, so that it is never parsed
//! twice.
//!
//! One file per project root, `<cache dir>/contracts-v1/<hash of the canonical root>.bin`,
//! holding an entry per scanned source file: its path relative to the root, size, modification
//! time in nanoseconds, module name and whether it is a package's `__init__`, then either its
//! [`Import`] records or its parse failure. A file is reused only when all five match what
//! is on disk now.
//!
//! The format is a small hand-written binary encoding rather than JSON: for transformers
//! copied to 10,878 files (about 330,000 imports) it loads in a fraction of `serde_json`'s time
//! (the numbers are in the crate docs), and it is a few dozen lines, not worth a dependency.
//! Its header names the crate version, so a strata upgrade (which may change what the visitor
//! records) starts from an empty cache. Anything that does not decode exactly — a truncated
//! file, another version, another root behind a hash collision — is an empty cache: the cache
//! can cost a reparse, never an error or a wrong answer.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rustc_hash::FxHashMap;

use super::{Import, ImportKind, TypeChecking};

/// Names the format and the crate version: a different tag is an empty cache.
const TAG: &str = concat!("strata-contracts ", env!("CARGO_PKG_VERSION"), " imports 1");

/// A file whose modification time is this close to the scan may still be written within the
/// same timestamp tick (filesystem clocks are coarse: jiffies on Linux, whole seconds on some),
/// and a same-size rewrite would then look unchanged. Such files are parsed every run until
/// they are older, as git treats "racily clean" index entries.
const RACY_WINDOW: Duration = Duration::from_secs(2);

/// What identifies one version of one source file, besides its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) size: u64,
    pub(super) mtime_ns: u64,
}

impl Stamp {
    /// The stamp of a file's metadata, `None` when it cannot be trusted to change with the
    /// content (no modification time, or one within [`RACY_WINDOW`] of `scan_start`).
    pub(super) fn of(metadata: &std::fs::Metadata, scan_start: SystemTime) -> Option<Self> {
        let modified = metadata.modified().ok()?;
        if modified.checked_add(RACY_WINDOW)? > scan_start {
            return None;
        }
        let mtime_ns = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        Some(Self {
            size: metadata.len(),
            mtime_ns: u64::try_from(mtime_ns.as_nanos()).ok()?,
        })
    }
}

/// What parsing one file gave.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Imports(Vec<Import>),
    /// A syntax error at `line`:`column` (read errors are never cached: they may not last).
    Failure {
        line: u32,
        column: u32,
        message: String,
    },
}

/// One cached file.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) stamp: Stamp,
    pub(super) module: String,
    pub(super) is_package: bool,
    pub(super) outcome: Outcome,
}

/// The entries of one project root, keyed by path relative to it (`/`-separated as the OS
/// writes it).
#[derive(Debug, Default)]
pub(super) struct Entries(pub(super) FxHashMap<String, Entry>);

/// Where a project root's cache lives: `None` when the root has no canonical form (then there
/// is no cache).
pub(super) fn location(cache_dir: &Path, root: &Path) -> Option<(PathBuf, String)> {
    let canonical = fs_err::canonicalize(root).ok()?;
    let canonical = canonical.to_str()?.to_owned();
    // FNV-1a, as the interpreter cache names its entries; the root is stored inside the file,
    // so a collision is a miss, not a mix-up.
    let digest = canonical
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    let path = cache_dir
        .join("contracts-v1")
        .join(format!("{digest:016x}.bin"));
    Some((path, canonical))
}

/// Reads a cache file; missing, unreadable, corrupt or foreign files are empty caches.
pub(super) fn load(path: &Path, root: &str) -> Entries {
    let Ok(bytes) = fs_err::read(path) else {
        return Entries::default();
    };
    decode(&bytes, root).unwrap_or_default()
}

/// Writes a cache file atomically. Failures are ignored: the next run parses again.
///
/// Unsynced, as strata's other caches are written: after a power failure the file is the old
/// one, the new one, or undecodable, and all three are safe to read.
pub(super) fn store<'a>(
    path: &Path,
    root: &str,
    entries: impl ExactSizeIterator<Item = (&'a str, EntryRef<'a>)>,
) {
    let bytes = encode(root, entries);
    let _ = strata_fs::write_atomic_unsynced(path, &bytes);
}

/// An entry to write, borrowed from the scan's results.
pub(super) struct EntryRef<'a> {
    pub(super) stamp: Stamp,
    pub(super) module: &'a str,
    pub(super) is_package: bool,
    pub(super) outcome: OutcomeRef<'a>,
}

/// [`Outcome`], borrowed.
pub(super) enum OutcomeRef<'a> {
    Imports(&'a [Import]),
    Failure {
        line: u32,
        column: u32,
        message: &'a str,
    },
}

const IS_PACKAGE: u8 = 1;
const FAILURE: u8 = 2;
const IN_FUNCTION: u8 = 1;
const GUARDED: u8 = 2;
const TYPE_CHECKING_BODY: u8 = 4;
const TYPE_CHECKING_ELSE: u8 = 8;

fn encode<'a>(
    root: &str,
    entries: impl ExactSizeIterator<Item = (&'a str, EntryRef<'a>)>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + entries.len() * 1024);
    put_str(&mut out, TAG);
    put_str(&mut out, root);
    put_u32(&mut out, entries.len());
    for (path, entry) in entries {
        put_str(&mut out, path);
        out.extend_from_slice(&entry.stamp.size.to_le_bytes());
        out.extend_from_slice(&entry.stamp.mtime_ns.to_le_bytes());
        put_str(&mut out, entry.module);
        let failure = matches!(entry.outcome, OutcomeRef::Failure { .. });
        out.push(if entry.is_package { IS_PACKAGE } else { 0 } | if failure { FAILURE } else { 0 });
        match entry.outcome {
            OutcomeRef::Imports(imports) => {
                put_u32(&mut out, imports.len());
                for import in imports {
                    put_str(&mut out, &import.module);
                    out.extend_from_slice(&import.line.to_le_bytes());
                    out.extend_from_slice(&import.column.to_le_bytes());
                    out.push(match import.kind {
                        ImportKind::Import => 0,
                        ImportKind::FromImport => 1,
                        ImportKind::ImportOrSkip => 2,
                    });
                    out.push(
                        if import.in_function { IN_FUNCTION } else { 0 }
                            | if import.import_error_guard {
                                GUARDED
                            } else {
                                0
                            }
                            | match import.type_checking {
                                TypeChecking::No => 0,
                                TypeChecking::Body => TYPE_CHECKING_BODY,
                                TypeChecking::Else => TYPE_CHECKING_ELSE,
                            },
                    );
                }
            }
            OutcomeRef::Failure {
                line,
                column,
                message,
            } => {
                out.extend_from_slice(&line.to_le_bytes());
                out.extend_from_slice(&column.to_le_bytes());
                put_str(&mut out, message);
            }
        }
    }
    out
}

fn put_u32(out: &mut Vec<u8>, value: usize) {
    // Lengths beyond u32 do not occur in source files; saturating makes such an entry fail to
    // decode, which only costs a reparse.
    out.extend_from_slice(&u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_u32(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// `None` unless the whole buffer is a well-formed cache of this version for `root`.
fn decode(bytes: &[u8], root: &str) -> Option<Entries> {
    let mut reader = Reader { bytes };
    if reader.str()? != TAG || reader.str()? != root {
        return None;
    }
    let count = reader.u32()? as usize;
    // Bounded by what the buffer could hold, so a corrupt count cannot reserve gigabytes.
    let mut entries =
        FxHashMap::with_capacity_and_hasher(count.min(bytes.len() / 32), rustc_hash::FxBuildHasher);
    for _ in 0..count {
        let path = reader.str()?.to_owned();
        let stamp = Stamp {
            size: reader.u64()?,
            mtime_ns: reader.u64()?,
        };
        let module = reader.str()?.to_owned();
        let flags = reader.u8()?;
        let outcome = if flags & FAILURE == 0 {
            let imports = reader.u32()? as usize;
            let mut list = Vec::with_capacity(imports.min(reader.bytes.len() / 14));
            for _ in 0..imports {
                list.push(reader.import()?);
            }
            Outcome::Imports(list)
        } else {
            Outcome::Failure {
                line: reader.u32()?,
                column: reader.u32()?,
                message: reader.str()?.to_owned(),
            }
        };
        let entry = Entry {
            stamp,
            module,
            is_package: flags & IS_PACKAGE != 0,
            outcome,
        };
        entries.insert(path, entry);
    }
    reader.bytes.is_empty().then_some(Entries(entries))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(length)?;
        self.bytes = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let length = self.u32()? as usize;
        std::str::from_utf8(self.take(length)?).ok()
    }

    fn import(&mut self) -> Option<Import> {
        let module = self.str()?.to_owned();
        let line = self.u32()?;
        let column = self.u32()?;
        let kind = match self.u8()? {
            0 => ImportKind::Import,
            1 => ImportKind::FromImport,
            2 => ImportKind::ImportOrSkip,
            _ => return None,
        };
        let flags = self.u8()?;
        let type_checking = match flags & (TYPE_CHECKING_BODY | TYPE_CHECKING_ELSE) {
            0 => TypeChecking::No,
            TYPE_CHECKING_BODY => TypeChecking::Body,
            TYPE_CHECKING_ELSE => TypeChecking::Else,
            _ => return None,
        };
        Some(Import {
            module,
            line,
            column,
            kind,
            in_function: flags & IN_FUNCTION != 0,
            type_checking,
            import_error_guard: flags & GUARDED != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Import> {
        vec![
            Import {
                module: "torch.nn".to_owned(),
                line: 3,
                column: 5,
                kind: ImportKind::FromImport,
                in_function: true,
                type_checking: TypeChecking::Else,
                import_error_guard: true,
            },
            Import {
                module: "vllm".to_owned(),
                line: 9,
                column: 1,
                kind: ImportKind::ImportOrSkip,
                in_function: false,
                type_checking: TypeChecking::Body,
                import_error_guard: false,
            },
        ]
    }

    fn encoded() -> Vec<u8> {
        let imports = sample();
        let stamp = Stamp {
            size: 120,
            mtime_ns: 1_700_000_000_123_456_789,
        };
        let entries = vec![
            (
                "src/app/__init__.py",
                EntryRef {
                    stamp,
                    module: "app",
                    is_package: true,
                    outcome: OutcomeRef::Imports(&imports),
                },
            ),
            (
                "src/app/broken.py",
                EntryRef {
                    stamp,
                    module: "app.broken",
                    is_package: false,
                    outcome: OutcomeRef::Failure {
                        line: 2,
                        column: 7,
                        message: "Expected ')'",
                    },
                },
            ),
        ];
        encode("/project", entries.into_iter())
    }

    #[test]
    fn entries_survive_a_round_trip() {
        let entries = decode(&encoded(), "/project").unwrap().0;
        let package = &entries["src/app/__init__.py"];
        assert!(package.is_package);
        assert_eq!(package.module, "app");
        assert_eq!(package.stamp.mtime_ns, 1_700_000_000_123_456_789);
        let Outcome::Imports(imports) = &package.outcome else {
            panic!("imports expected");
        };
        assert_eq!(imports, &sample());
        let broken = &entries["src/app/broken.py"];
        assert!(!broken.is_package);
        assert!(
            matches!(&broken.outcome, Outcome::Failure { line: 2, column: 7, message } if message == "Expected ')'")
        );
    }

    #[test]
    fn truncated_foreign_or_padded_bytes_are_no_cache() {
        let bytes = encoded();
        assert!(decode(&bytes, "/elsewhere").is_none());
        for length in 0..bytes.len() {
            assert!(decode(&bytes[..length], "/project").is_none(), "{length}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(decode(&padded, "/project").is_none());
        // Any other tag: another crate version or format.
        let mut other_version = bytes;
        let tag = 4..4 + TAG.len();
        let mut older = TAG.as_bytes().to_vec();
        older[TAG.len() - 1] = b'0';
        other_version[tag].copy_from_slice(&older);
        assert!(decode(&other_version, "/project").is_none());
    }
}

/// Load time of this format against JSON (`serde_json`, entries as compact arrays) for a real
/// tree, the measurement behind the choice of format:
///
/// ```text
/// CONTRACTS_CACHE_FORMAT_BENCH=<project root>:<package>,<package> \
///     cargo test --release -p strata-contracts --lib format_load_times -- --ignored --nocapture
/// ```
#[cfg(test)]
mod format_bench {
    #![allow(clippy::print_stdout, clippy::cast_precision_loss)]

    use std::time::Instant;

    use super::*;

    type JsonImport = (String, u32, u32, u8, u8);
    type JsonEntry = (String, u64, u64, String, bool, Vec<JsonImport>);

    #[test]
    #[ignore = "a measurement on a real tree, not a check"]
    fn format_load_times() {
        #[expect(clippy::disallowed_methods, reason = "the measurement's own input")]
        let spec = std::env::var("CONTRACTS_CACHE_FORMAT_BENCH").unwrap();
        let (root, packages) = spec.split_once(':').unwrap();
        let packages: Vec<String> = packages.split(',').map(str::to_owned).collect();
        let collection = super::super::collect(Path::new(root), &packages, None).unwrap();
        let stamp = Stamp {
            size: 12_345,
            mtime_ns: 1_700_000_000_123_456_789,
        };
        let paths: Vec<String> = collection
            .modules
            .iter()
            .map(|module| module.path.to_string_lossy().into_owned())
            .collect();
        let binary = encode(
            root,
            collection.modules.iter().zip(&paths).map(|(module, path)| {
                (
                    path.as_str(),
                    EntryRef {
                        stamp,
                        module: &module.name,
                        is_package: module.is_package,
                        outcome: OutcomeRef::Imports(&module.imports),
                    },
                )
            }),
        );
        let json_entries: Vec<JsonEntry> = collection
            .modules
            .iter()
            .zip(&paths)
            .map(|(module, path)| {
                let imports = module
                    .imports
                    .iter()
                    .map(|import| {
                        (
                            import.module.clone(),
                            import.line,
                            import.column,
                            import.kind as u8,
                            u8::from(import.in_function),
                        )
                    })
                    .collect();
                (
                    path.clone(),
                    stamp.size,
                    stamp.mtime_ns,
                    module.name.clone(),
                    module.is_package,
                    imports,
                )
            })
            .collect();
        let json = serde_json::to_vec(&json_entries).unwrap();
        let imports: usize = collection
            .modules
            .iter()
            .map(|module| module.imports.len())
            .sum();
        println!(
            "{} files, {imports} imports; binary {:.1} MB, JSON {:.1} MB",
            paths.len(),
            binary.len() as f64 / 1e6,
            json.len() as f64 / 1e6
        );
        for _ in 0..3 {
            let start = Instant::now();
            let entries = decode(&binary, root).unwrap();
            let binary_time = start.elapsed();
            assert_eq!(entries.0.len(), paths.len());
            let start = Instant::now();
            let decoded: Vec<JsonEntry> = serde_json::from_slice(&json).unwrap();
            let map: FxHashMap<String, JsonEntry> = decoded
                .into_iter()
                .map(|entry| (entry.0.clone(), entry))
                .collect();
            let json_time = start.elapsed();
            assert_eq!(map.len(), paths.len());
            println!("load: binary {binary_time:.2?}, JSON {json_time:.2?}");
        }
    }
}
