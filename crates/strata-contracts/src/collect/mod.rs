//! Finding the Python files of the root packages and collecting their imports.

mod cache;
mod visitor;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use ruff_python_ast::visitor::Visitor;
use ruff_text_size::TextSize;
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use visitor::ImportVisitor;

/// Whether an import sits under `if TYPE_CHECKING:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeChecking {
    /// Not under `if TYPE_CHECKING:`.
    No,
    /// In the body of `if TYPE_CHECKING:`: never runs.
    Body,
    /// In an `elif`/`else` of `if TYPE_CHECKING:`: runs, yet import-linter counts it as
    /// type-checking only.
    Else,
}

/// The syntactic form an import was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `import a.b`.
    Import,
    /// `from a import b` (also relative).
    FromImport,
    /// `pytest.importorskip("a")`: imports `a`, or skips the test module when it is missing.
    ImportOrSkip,
}

/// One imported name in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    /// The absolute dotted name: `a.b` for `import a.b`, `a.b` for `from a import b` (which may
    /// name a submodule or an attribute of `a`), relative imports already resolved.
    pub module: String,
    /// 1-based line of the statement (or call), as import-linter reports it.
    pub line: u32,
    /// 1-based column (in characters) of the statement (or call).
    pub column: u32,
    /// The statement form.
    pub kind: ImportKind,
    /// Inside a function or method body: runs when called, not at module import.
    pub in_function: bool,
    /// Under `if TYPE_CHECKING:`.
    pub type_checking: TypeChecking,
    /// In the body of a `try` whose handlers catch `ImportError` or `ModuleNotFoundError`.
    pub import_error_guard: bool,
}

impl Import {
    /// Whether the import runs when its module is imported and a failure propagates: module
    /// level (class bodies included), not under `TYPE_CHECKING`, not guarded by
    /// `except ImportError`, and not an `importorskip` call.
    pub fn is_unguarded_at_import_time(&self) -> bool {
        !self.in_function
            && self.type_checking != TypeChecking::Body
            && !self.import_error_guard
            && self.kind != ImportKind::ImportOrSkip
    }

    /// The top-level package name (`torch` for `torch.nn.functional`).
    pub fn top_level(&self) -> &str {
        self.module.split('.').next().unwrap_or(&self.module)
    }
}

/// One Python module found under a root package, with its imports.
#[derive(Debug, Clone, Serialize)]
pub struct SourceModule {
    /// The dotted module name (`pkg.sub` for `pkg/sub/__init__.py`).
    pub name: String,
    /// The file, relative to the project root.
    pub path: PathBuf,
    /// Whether the file is a package's `__init__.py`.
    pub is_package: bool,
    /// Every import, in source order; empty when the file failed to parse.
    pub imports: Vec<Import>,
}

/// A file that could not be parsed; the run goes on without its imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseFailure {
    /// The file, relative to the project root.
    pub path: PathBuf,
    /// 1-based line of the first syntax error.
    pub line: u32,
    /// 1-based column of the first syntax error.
    pub column: u32,
    /// The parser's message.
    pub message: String,
}

/// The result of scanning the root packages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Collection {
    /// Modules sorted by name.
    pub modules: Vec<SourceModule>,
    /// Files that failed to parse or could not be read.
    pub failures: Vec<ParseFailure>,
}

/// Where a root package lives: its directory (or single file) and the directory its dotted
/// names are relative to.
#[derive(Debug, Clone)]
struct PackageRoot {
    /// `src` or the project root: module names are paths relative to it.
    base: PathBuf,
    /// `base/<name>` or `base/<name>.py`.
    location: PathBuf,
}

/// Finds a top-level package under `root`: `src/<name>` (src layout) first, then `<name>`
/// (flat layout); a directory without `__init__.py` is a namespace package.
fn locate(root: &Path, name: &str) -> Option<PackageRoot> {
    let mut parts = name.split('.');
    let top = parts.next()?;
    let rest: PathBuf = parts.collect();
    for base in [root.join("src"), root.to_path_buf()] {
        let directory = base.join(top).join(&rest);
        if directory.is_dir() {
            return Some(PackageRoot {
                base,
                location: directory,
            });
        }
        let file = base.join(top).join(&rest).with_extension("py");
        if file.is_file() {
            return Some(PackageRoot {
                base,
                location: file,
            });
        }
    }
    None
}

/// Collects the imports of every module of the named root packages under `root`.
///
/// Packages that cannot be found are returned in the error; `.gitignore` (and `.ignore`) files
/// are honoured even outside a git checkout, hidden directories are skipped, and inside a
/// regular package a directory without `__init__.py` is not descended into (grimp's rule),
/// while a namespace root is scanned whole.
///
/// With a `cache_dir`, files unchanged since an earlier run are not parsed again: their imports
/// (or syntax error) come from the import cache in that directory, which is updated when
/// anything changed (see the crate docs). The result is the same with or without it.
pub fn collect(
    root: &Path,
    packages: &[String],
    cache_dir: Option<&Path>,
) -> Result<Collection, Error> {
    let scan_start = SystemTime::now();
    let location = cache_dir.and_then(|cache_dir| cache::location(cache_dir, root));
    // The cache loads while the tree is walked: neither needs the other.
    let (files, mut cached) = std::thread::scope(|scope| {
        let loading = location
            .as_ref()
            .map(|(path, canonical)| scope.spawn(|| cache::load(path, canonical)));
        let files = discover_all(root, packages);
        let cached = loading
            .and_then(|loading| loading.join().ok())
            .unwrap_or_default();
        files.map(|files| (files, cached))
    })?;
    let loaded = cached.0.len();

    // Stamps come from the walk, before any read, so a file that changes while it is parsed is
    // stored under its old stamp and parsed again next time, never the reverse.
    let stamps: Vec<Option<cache::Stamp>> = files
        .iter()
        .map(|file| {
            let metadata = file.metadata.as_ref()?;
            file.relative.to_str()?;
            cache::Stamp::of(metadata, scan_start)
        })
        .collect();
    let mut outcomes: Vec<Option<Parsed>> = Vec::new();
    outcomes.resize_with(files.len(), || None);
    let mut misses: Vec<(u64, usize)> = Vec::new();
    let mut hits = 0;
    for (index, file) in files.iter().enumerate() {
        let entry = file
            .relative
            .to_str()
            .and_then(|relative| cached.0.remove(relative))
            .filter(|entry| {
                Some(entry.stamp) == stamps[index]
                    && entry.module == file.name
                    && entry.is_package == file.is_package
            });
        if let Some(entry) = entry {
            hits += 1;
            outcomes[index] = Some(match entry.outcome {
                cache::Outcome::Imports(imports) => Parsed::Imports(imports),
                cache::Outcome::Failure {
                    line,
                    column,
                    message,
                } => Parsed::Syntax(ParseFailure {
                    path: file.relative.clone(),
                    line,
                    column,
                    message,
                }),
            });
        } else {
            misses.push((
                file.metadata.as_ref().map_or(0, std::fs::Metadata::len),
                index,
            ));
        }
    }
    // Largest first, one file per task: the run then ends on small files, instead of one
    // thread parsing a big file while the others wait.
    misses.sort_unstable_by(|left, right| right.cmp(left));
    let parsed: Vec<(usize, Parsed)> = misses
        .into_par_iter()
        .with_max_len(1)
        .map(|(_, index)| (index, parse_file(&files[index])))
        .collect();
    let mut changed = false;
    for (index, outcome) in parsed {
        changed |= stamps[index].is_some() && !matches!(outcome, Parsed::Unreadable(_));
        outcomes[index] = Some(outcome);
    }
    let outcomes: Vec<Parsed> = outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every file is a hit or parsed"))
        .collect();

    if let Some((path, canonical)) = &location {
        // What is left are files this scan did not reach: another configuration's root
        // packages keep their entries while the file exists; deleted files lose them.
        let kept: Vec<(String, cache::Entry)> = cached
            .0
            .into_par_iter()
            .filter(|(relative, _)| root.join(relative).is_file())
            .collect();
        // Without a new parse, the entries to write are a subset of those loaded: the same
        // count means the same set, and the file is left alone.
        if changed || hits + kept.len() != loaded {
            store(path, canonical, &files, &stamps, &outcomes, &kept);
        }
    }

    let mut collection = Collection::default();
    for (file, outcome) in files.into_iter().zip(outcomes) {
        match outcome {
            Parsed::Imports(imports) => collection.modules.push(SourceModule {
                name: file.name,
                path: file.relative,
                is_package: file.is_package,
                imports,
            }),
            Parsed::Syntax(failure) | Parsed::Unreadable(failure) => {
                collection.failures.push(failure);
            }
        }
    }
    Ok(collection)
}

/// One source file to scan.
struct ScanFile {
    path: PathBuf,
    /// `path` relative to the project root.
    relative: PathBuf,
    /// The dotted module name.
    name: String,
    is_package: bool,
    /// Taken during the walk, before the file is read.
    metadata: Option<std::fs::Metadata>,
}

/// What scanning one file gave.
enum Parsed {
    Imports(Vec<Import>),
    Syntax(ParseFailure),
    /// Not cached: a read error may not last.
    Unreadable(ParseFailure),
}

/// Writes the cache from this scan's outcomes plus `kept` entries of files it did not reach.
fn store(
    path: &Path,
    canonical: &str,
    files: &[ScanFile],
    stamps: &[Option<cache::Stamp>],
    outcomes: &[Parsed],
    kept: &[(String, cache::Entry)],
) {
    let mut entries: Vec<(&str, cache::EntryRef<'_>)> = Vec::with_capacity(files.len());
    for ((file, stamp), outcome) in files.iter().zip(stamps).zip(outcomes) {
        let (Some(stamp), Some(relative)) = (stamp, file.relative.to_str()) else {
            continue;
        };
        let outcome = match outcome {
            Parsed::Imports(imports) => cache::OutcomeRef::Imports(imports),
            Parsed::Syntax(failure) => cache::OutcomeRef::Failure {
                line: failure.line,
                column: failure.column,
                message: &failure.message,
            },
            Parsed::Unreadable(_) => continue,
        };
        entries.push((
            relative,
            cache::EntryRef {
                stamp: *stamp,
                module: &file.name,
                is_package: file.is_package,
                outcome,
            },
        ));
    }
    for (relative, entry) in kept {
        entries.push((
            relative,
            cache::EntryRef {
                stamp: entry.stamp,
                module: &entry.module,
                is_package: entry.is_package,
                outcome: match &entry.outcome {
                    cache::Outcome::Imports(imports) => cache::OutcomeRef::Imports(imports),
                    cache::Outcome::Failure {
                        line,
                        column,
                        message,
                    } => cache::OutcomeRef::Failure {
                        line: *line,
                        column: *column,
                        message,
                    },
                },
            },
        ));
    }
    cache::store(path, canonical, entries.into_iter());
}

/// A file found by [`discover`]: path, module name, whether it is an `__init__`, metadata.
type Discovered = (PathBuf, String, bool, Option<std::fs::Metadata>);

/// The files of every root package, sorted by module name, one file per name.
fn discover_all(root: &Path, packages: &[String]) -> Result<Vec<ScanFile>, Error> {
    let mut files: Vec<Discovered> = Vec::new();
    for package in packages {
        let location = locate(root, package)
            .ok_or_else(|| ErrorKind::PackageNotFound {
                package: package.clone(),
                root: root.to_path_buf(),
            })
            .map_err(Error::from)?;
        discover(&location, &mut files);
    }
    // Which of two files claiming one module wins must not depend on the walk's thread
    // timing: the package, as Python's finder prefers `a/__init__.py` to `a.py`.
    files.sort_unstable_by(|left, right| {
        (&left.1, !left.2, &left.0).cmp(&(&right.1, !right.2, &right.0))
    });
    files.dedup_by(|left, right| left.1 == right.1);
    Ok(files
        .into_iter()
        .map(|(path, name, is_package, metadata)| ScanFile {
            relative: path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
            path,
            name,
            is_package,
            metadata,
        })
        .collect())
}

fn discover(package: &PackageRoot, files: &mut Vec<Discovered>) {
    if package.location.is_file() {
        if let Some(name) = module_name(&package.base, &package.location) {
            let metadata = fs_err::metadata(&package.location).ok();
            files.push((package.location.clone(), name, false, metadata));
        }
        return;
    }
    let namespace_root = !package.location.join("__init__.py").is_file();
    let root_location = package.location.clone();
    // In parallel, with each file's metadata taken by the thread that found it: on a warm run
    // (every file cached) the walk is most of `collect`.
    let found = std::sync::Mutex::new(Vec::new());
    ignore::WalkBuilder::new(&package.location)
        .require_git(false)
        .filter_entry(move |entry| {
            let path = entry.path();
            if !entry.file_type().is_some_and(|kind| kind.is_dir()) || path == root_location {
                return true;
            }
            let Some(directory) = path.file_name().and_then(|name| name.to_str()) else {
                return false;
            };
            is_identifier(directory) && (namespace_root || path.join("__init__.py").is_file())
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let path = entry.path();
                if path.extension().is_some_and(|extension| extension == "py")
                    && entry.file_type().is_some_and(|kind| kind.is_file())
                    && let Some(name) = module_name(&package.base, path)
                {
                    let is_package = path.file_name().is_some_and(|name| name == "__init__.py");
                    let metadata = entry.metadata().ok();
                    found
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((path.to_path_buf(), name, is_package, metadata));
                }
                ignore::WalkState::Continue
            })
        });
    files.extend(
        found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
}

/// `base/a/b/c.py` is `a.b.c`, `base/a/b/__init__.py` is `a.b`; `None` for names that cannot
/// be imported (`my-script.py`).
fn module_name(base: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(base).ok()?.with_extension("");
    let mut parts: Vec<&str> = relative
        .components()
        .map(|component| component.as_os_str().to_str())
        .collect::<Option<_>>()?;
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    if parts.is_empty() || !parts.iter().all(|part| is_identifier(part)) {
        return None;
    }
    Some(parts.join("."))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|rest| rest == '_' || rest.is_alphanumeric())
}

fn parse_file(file: &ScanFile) -> Parsed {
    let failure = |line, column, message| ParseFailure {
        path: file.relative.clone(),
        line,
        column,
        message,
    };
    match fs_err::read_to_string(&file.path) {
        Err(error) => Parsed::Unreadable(failure(1, 1, error.to_string())),
        Ok(source) => match parse_imports(&source, &file.name, file.is_package) {
            Ok(imports) => Parsed::Imports(imports),
            Err((line, column, message)) => Parsed::Syntax(failure(line, column, message)),
        },
    }
}

/// Parses one module's source and returns its imports, or the first syntax error's line,
/// column and message.
pub fn parse_imports(
    source: &str,
    module: &str,
    is_package: bool,
) -> Result<Vec<Import>, (u32, u32, String)> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|error| {
        let mut position = [(error.location.start(), (0, 0))];
        positions(source, &mut position);
        let (line, column) = position[0].1;
        (line, column, error.error.to_string())
    })?;
    let package = if is_package {
        module
    } else {
        module.rsplit_once('.').map_or("", |(parent, _)| parent)
    };
    let scan_calls = source.contains("importorskip");
    let mut visitor = ImportVisitor::new(package, scan_calls);
    visitor.visit_body(&parsed.syntax().body);
    let mut found: Vec<(TextSize, (u32, u32))> = visitor
        .offsets
        .iter()
        .map(|offset| (*offset, (0, 0)))
        .collect();
    positions(source, &mut found);
    for (import, (_, (line, column))) in visitor.imports.iter_mut().zip(found) {
        import.line = line;
        import.column = column;
    }
    Ok(visitor.imports)
}

/// Fills in the 1-based line and character column of each byte offset, in one pass over the
/// source that ends at the last offset (imports are mostly at the top of a file).
fn positions(source: &str, offsets: &mut [(TextSize, (u32, u32))]) {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|index| offsets[*index].0);
    let bytes = source.as_bytes();
    let (mut line, mut line_start, mut scanned) = (1_usize, 0_usize, 0_usize);
    for index in order {
        let offset = (offsets[index].0.to_usize()).min(source.len());
        for newline in memchr::memchr_iter(b'\n', &bytes[scanned..offset]) {
            line += 1;
            line_start = scanned + newline + 1;
        }
        scanned = scanned.max(offset);
        let column = source
            .get(line_start..offset)
            .map_or(offset - line_start, |text| text.chars().count());
        offsets[index].1 = (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(source: &str, module: &str, is_package: bool) -> Vec<String> {
        parse_imports(source, module, is_package)
            .unwrap()
            .iter()
            .map(|import| {
                format!(
                    "{}:{} {} kind={:?} function={} type_checking={:?} guard={} runs={}",
                    import.line,
                    import.column,
                    import.module,
                    import.kind,
                    import.in_function,
                    import.type_checking,
                    import.import_error_guard,
                    import.is_unguarded_at_import_time()
                )
            })
            .collect()
    }

    #[test]
    fn relative_imports_resolve_against_the_package_of_the_file() {
        let source = "from . import sibling\nfrom ..up import thing\nfrom .sub.deep import *\nfrom .... import too_far\n";
        insta::assert_snapshot!(summary(source, "pkg.inner.module", false).join("\n"), @r"
        1:1 pkg.inner.sibling kind=FromImport function=false type_checking=No guard=false runs=true
        2:1 pkg.up.thing kind=FromImport function=false type_checking=No guard=false runs=true
        3:1 pkg.inner.sub.deep kind=FromImport function=false type_checking=No guard=false runs=true
        ");
        // In `__init__.py`, `.` is the package itself.
        assert_eq!(
            parse_imports("from . import child\n", "pkg.inner", true).unwrap()[0].module,
            "pkg.inner.child"
        );
    }

    #[test]
    fn scopes_record_function_type_checking_guards_and_importorskip() {
        let source = r#"import typing
if typing.TYPE_CHECKING:
    import torch
else:
    import numpy
try:
    import vllm
except (ValueError, ModuleNotFoundError):
    vllm = None
try:
    import json
except ValueError:
    pass
class Config:
    import yaml
def load():
    import transformers
torch = pytest.importorskip("torch")
"#;
        insta::assert_snapshot!(summary(source, "app.module", false).join("\n"), @r"
        1:1 typing kind=Import function=false type_checking=No guard=false runs=true
        3:5 torch kind=Import function=false type_checking=Body guard=false runs=false
        5:5 numpy kind=Import function=false type_checking=Else guard=false runs=true
        7:5 vllm kind=Import function=false type_checking=No guard=true runs=false
        11:5 json kind=Import function=false type_checking=No guard=false runs=true
        15:5 yaml kind=Import function=false type_checking=No guard=false runs=true
        17:5 transformers kind=Import function=true type_checking=No guard=false runs=false
        18:9 torch kind=ImportOrSkip function=false type_checking=No guard=false runs=false
        ");
    }

    #[test]
    fn a_syntax_error_reports_its_line_and_column() {
        let error = parse_imports("x = 1\ndef f(:\n", "m", false).unwrap_err();
        assert_eq!((error.0, error.1), (2, 7));
    }

    #[test]
    fn positions_do_not_depend_on_the_order_imports_are_visited_in() {
        // A comprehension's iterable is visited before its element, which comes earlier in the
        // source.
        let source = "import os\n\nx = [\n    pytest.importorskip('a')\n    for _ in pytest.importorskip('b')\n]\n";
        let found: Vec<(String, u32, u32)> = parse_imports(source, "m", false)
            .unwrap()
            .into_iter()
            .map(|import| (import.module, import.line, import.column))
            .collect();
        assert_eq!(
            found,
            [
                ("os".to_owned(), 1, 1),
                ("b".to_owned(), 5, 14),
                ("a".to_owned(), 4, 5)
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let imports = parse_imports("s = 'é'; import os\n", "m", false).unwrap();
        assert_eq!((imports[0].line, imports[0].column), (1, 10));
    }

    /// A project of four modules, one of which does not parse, with every file an hour old
    /// (younger files are not cached), and a cache directory beside it.
    struct Project {
        dir: tempfile::TempDir,
    }

    impl Project {
        fn new() -> Self {
            let project = Self {
                dir: tempfile::tempdir().unwrap(),
            };
            project.write("src/app/__init__.py", "from . import api\n");
            project.write(
                "src/app/api.py",
                "import torch\n\ndef f():\n    import vllm\n",
            );
            project.write("src/app/broken.py", "def load(:\n");
            project.write("src/lib/__init__.py", "import json\n");
            project
        }

        fn root(&self) -> PathBuf {
            self.dir.path().join("project")
        }

        fn cache_dir(&self) -> PathBuf {
            self.dir.path().join("cache")
        }

        /// Writes `contents` with a modification time an hour ago (plus `seconds`).
        fn write(&self, path: &str, contents: &str) {
            self.write_aged(path, contents, 0);
        }

        fn write_aged(&self, path: &str, contents: &str, seconds: u64) {
            let path = self.root().join(path);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(&path, contents).unwrap();
            Self::set_mtime(&path, seconds);
        }

        /// Replaces a file's contents and puts its modification time back: an edit no stamp
        /// can see.
        fn rewrite_keeping_stamp(&self, path: &str, contents: &str) {
            let path = self.root().join(path);
            let modified = fs_err::metadata(&path).unwrap().modified().unwrap();
            fs_err::write(&path, contents).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(modified)
                .unwrap();
        }

        fn set_mtime(path: &Path, seconds: u64) {
            let time = SystemTime::now() - std::time::Duration::from_hours(1)
                + std::time::Duration::from_secs(seconds);
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        }

        fn collect(&self, packages: &[&str], cached: bool) -> Collection {
            let packages: Vec<String> = packages.iter().map(|name| (*name).to_owned()).collect();
            let cache_dir = self.cache_dir();
            collect(
                &self.root(),
                &packages,
                cached.then_some(cache_dir.as_path()),
            )
            .unwrap()
        }

        fn cache_file(&self) -> PathBuf {
            cache::location(&self.cache_dir(), &self.root()).unwrap().0
        }

        fn cached_paths(&self) -> Vec<String> {
            let (path, canonical) = cache::location(&self.cache_dir(), &self.root()).unwrap();
            let mut paths: Vec<String> = cache::load(&path, &canonical).0.into_keys().collect();
            paths.sort();
            paths
        }
    }

    fn json(collection: &Collection) -> String {
        serde_json::to_string_pretty(collection).unwrap()
    }

    #[test]
    fn cached_scans_equal_fresh_ones_and_unchanged_files_are_not_parsed_again() {
        let project = Project::new();
        let fresh = json(&project.collect(&["app"], false));
        assert!(!project.cache_file().exists(), "no cache dir, no cache");
        assert_eq!(json(&project.collect(&["app"], true)), fresh);
        assert_eq!(
            project.cached_paths(),
            ["src/app/__init__.py", "src/app/api.py", "src/app/broken.py"]
        );
        let written = fs_err::read(project.cache_file()).unwrap();
        assert_eq!(json(&project.collect(&["app"], true)), fresh);
        assert_eq!(
            fs_err::read(project.cache_file()).unwrap(),
            written,
            "nothing changed, nothing written"
        );

        // Same size and modification time: only the cache can still say `torch` and the
        // syntax error, which proves the files were not read again.
        project.rewrite_keeping_stamp(
            "src/app/api.py",
            "import numpy\n\ndef f():\n    import vllm\n",
        );
        project.rewrite_keeping_stamp("src/app/broken.py", "load = (1)\n");
        let cached = project.collect(&["app"], true);
        assert_eq!(json(&cached), fresh);
        assert_eq!(cached.failures[0].path, Path::new("src/app/broken.py"));
        assert_eq!(
            (cached.failures[0].line, cached.failures[0].column),
            (1, 10)
        );
    }

    #[test]
    fn edited_touched_renamed_and_deleted_files_are_picked_up() {
        let project = Project::new();
        project.collect(&["app"], true);
        // Another size.
        project.write_aged("src/app/api.py", "import transformers\n", 1);
        // The same bytes, touched: parsed again, same imports.
        Project::set_mtime(&project.root().join("src/app/__init__.py"), 2);
        // Fixed, same size, another time.
        project.write_aged("src/app/broken.py", "load = (1)\n", 3);
        let collection = project.collect(&["app"], true);
        assert_eq!(json(&collection), json(&project.collect(&["app"], false)));
        assert!(collection.failures.is_empty());
        assert_eq!(collection.modules[1].imports[0].module, "transformers");

        // A module turned into a package keeps its path's entry out of the way.
        fs_err::remove_file(project.root().join("src/app/api.py")).unwrap();
        project.write("src/app/api/__init__.py", "import torch\n");
        let collection = project.collect(&["app"], true);
        assert_eq!(json(&collection), json(&project.collect(&["app"], false)));
        assert!(collection.modules[1].is_package);
        assert_eq!(
            project.cached_paths(),
            [
                "src/app/__init__.py",
                "src/app/api/__init__.py",
                "src/app/broken.py"
            ],
            "the deleted file's entry is dropped"
        );
    }

    #[test]
    fn entries_of_packages_not_scanned_this_time_stay_while_their_files_exist() {
        let project = Project::new();
        project.collect(&["app", "lib"], true);
        project.collect(&["app"], true);
        assert!(
            project
                .cached_paths()
                .contains(&"src/lib/__init__.py".to_owned())
        );
        fs_err::remove_file(project.root().join("src/lib/__init__.py")).unwrap();
        project.collect(&["app"], true);
        assert_eq!(project.cached_paths().len(), 3);
    }

    #[test]
    fn a_corrupt_cache_is_ignored_and_replaced() {
        let project = Project::new();
        let fresh = json(&project.collect(&["app"], false));
        project.collect(&["app"], true);
        let path = project.cache_file();
        let bytes = fs_err::read(&path).unwrap();
        for corrupt in [&bytes[..bytes.len() / 2], b"not a cache".as_slice(), &[]] {
            fs_err::write(&path, corrupt).unwrap();
            assert_eq!(json(&project.collect(&["app"], true)), fresh);
            assert_eq!(project.cached_paths().len(), 3, "rewritten whole");
        }
        // A cache directory that cannot be written to costs the cache, nothing else.
        let blocked = project.dir.path().join("blocked");
        fs_err::write(&blocked, "a file, not a directory").unwrap();
        let packages = ["app".to_owned()];
        let collection = collect(&project.root(), &packages, Some(&blocked)).unwrap();
        assert_eq!(json(&collection), fresh);
    }

    #[test]
    fn files_changed_within_the_racy_window_are_not_cached() {
        let project = Project::new();
        fs_err::write(project.root().join("src/app/api.py"), "import numpy\n").unwrap();
        project.collect(&["app"], true);
        assert_eq!(
            project.cached_paths(),
            ["src/app/__init__.py", "src/app/broken.py"]
        );
        // A same-size rewrite right after the scan is still seen.
        fs_err::write(project.root().join("src/app/api.py"), "import torch\n").unwrap();
        let collection = project.collect(&["app"], true);
        assert_eq!(collection.modules[1].imports[0].module, "torch");
    }
}
