//! Finding the Python files of the root packages and collecting their imports.

mod visitor;

use std::path::{Path, PathBuf};

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
pub fn collect(root: &Path, packages: &[String]) -> Result<Collection, Error> {
    let mut files: Vec<(PathBuf, String, bool)> = Vec::new();
    for package in packages {
        let location = locate(root, package)
            .ok_or_else(|| ErrorKind::PackageNotFound {
                package: package.clone(),
                root: root.to_path_buf(),
            })
            .map_err(Error::from)?;
        discover(&location, &mut files);
    }
    files.sort_by(|left, right| left.1.cmp(&right.1));
    files.dedup_by(|left, right| left.1 == right.1);

    let results: Vec<Result<SourceModule, ParseFailure>> = files
        .into_par_iter()
        .map(|(path, name, is_package)| {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            parse_file(&path, relative, name, is_package)
        })
        .collect();
    let mut collection = Collection::default();
    for result in results {
        match result {
            Ok(module) => collection.modules.push(module),
            Err(failure) => collection.failures.push(failure),
        }
    }
    Ok(collection)
}

fn discover(package: &PackageRoot, files: &mut Vec<(PathBuf, String, bool)>) {
    if package.location.is_file() {
        if let Some(name) = module_name(&package.base, &package.location) {
            files.push((package.location.clone(), name, false));
        }
        return;
    }
    let namespace_root = !package.location.join("__init__.py").is_file();
    let root_location = package.location.clone();
    let walker = ignore::WalkBuilder::new(&package.location)
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
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|extension| extension != "py")
            || !entry.file_type().is_some_and(|kind| kind.is_file())
        {
            continue;
        }
        if let Some(name) = module_name(&package.base, path) {
            let is_package = path.file_name().is_some_and(|name| name == "__init__.py");
            files.push((path.to_path_buf(), name, is_package));
        }
    }
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

fn parse_file(
    path: &Path,
    relative: PathBuf,
    name: String,
    is_package: bool,
) -> Result<SourceModule, ParseFailure> {
    let source = fs_err::read_to_string(path).map_err(|error| ParseFailure {
        path: relative.clone(),
        line: 1,
        column: 1,
        message: error.to_string(),
    })?;
    let imports =
        parse_imports(&source, &name, is_package).map_err(|(line, column, message)| {
            ParseFailure {
                path: relative.clone(),
                line,
                column,
                message,
            }
        })?;
    Ok(SourceModule {
        name,
        path: relative,
        is_package,
        imports,
    })
}

/// Parses one module's source and returns its imports, or the first syntax error's line,
/// column and message.
pub fn parse_imports(
    source: &str,
    module: &str,
    is_package: bool,
) -> Result<Vec<Import>, (u32, u32, String)> {
    let lines = LineIndex::new(source);
    let parsed = ruff_python_parser::parse_module(source).map_err(|error| {
        let (line, column) = lines.line_column(error.location.start());
        (line, column, error.error.to_string())
    })?;
    let package = if is_package {
        module
    } else {
        module.rsplit_once('.').map_or("", |(parent, _)| parent)
    };
    let scan_calls = source.contains("importorskip");
    let mut visitor = ImportVisitor::new(package, &lines, scan_calls);
    visitor.visit_body(&parsed.syntax().body);
    Ok(visitor.imports)
}

/// Byte offset to 1-based line and character column.
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            memchr::memchr_iter(b'\n', source.as_bytes())
                .map(|index| u32::try_from(index + 1).unwrap_or(u32::MAX)),
        );
        Self { source, starts }
    }

    pub(crate) fn line_column(&self, offset: TextSize) -> (u32, u32) {
        let offset = offset.to_u32();
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.starts[line - 1] as usize;
        let end = (offset as usize).min(self.source.len());
        let column = self
            .source
            .get(start..end)
            .map_or(end - start, |text| text.chars().count());
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
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
    fn columns_count_characters_not_bytes() {
        let imports = parse_imports("s = 'é'; import os\n", "m", false).unwrap();
        assert_eq!((imports[0].line, imports[0].column), (1, 10));
    }
}
