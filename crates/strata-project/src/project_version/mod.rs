//! The project's own version: where it is declared, and rewriting it in place.
//!
//! `strata version` reads it and `strata version bump` rewrites it. It is found, in this order:
//!
//! 1. `[tool.strata] version-file = { path = "src/pkg/version.py" }` (or the same key at the top
//!    of `strata.toml`): a Python module whose top-level `__version__ = "..."` (or the
//!    `variable` named) holds it, or, for any other file, the file's whole text. Explicit, so it
//!    comes first; a static `[project].version` beside it is refused, since bumping one would
//!    leave the other behind.
//! 2. `[project].version` in `pyproject.toml`.
//! 3. When `[project].dynamic` lists `version`, the build backend's static declaration:
//!    hatch's `[tool.hatch.version] path = "..."` (its default `__version__`/`VERSION` pattern),
//!    or setuptools' `[tool.setuptools.dynamic] version = { attr = "pkg.__version__" }` (the
//!    module looked up as a file under the project and under `src/`) or `{ file = "VERSION" }`.
//!
//! Files are read, never imported or executed: a version computed at build time (from git tags,
//! or by code) cannot be bumped by editing a file, and is an error that says what to declare
//! instead. A rewrite replaces only the characters of the version inside its quotes, so every
//! other byte of the file (formatting, comments, the quote style) stays; the result is read
//! back the same way (TOML with the real parser) and must give the new version, or nothing is
//! returned to write.

mod bump;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;
use serde::Serialize;
use strata_diagnostic::{Diagnostic, Snippet};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use bump::{Bump, is_forward, next_version};

use crate::model::Project;
use crate::text_file;

/// The variable a Python version file assigns, unless `version-file.variable` names another.
const DEFAULT_VARIABLE: &str = "__version__";

/// Which declaration holds the project's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Declaration {
    /// `[tool.strata] version-file`.
    VersionFile,
    /// `[project].version` in `pyproject.toml`.
    Project,
    /// `[tool.hatch.version] path`.
    Hatch,
    /// `[tool.setuptools.dynamic] version = { attr = "..." }`.
    SetuptoolsAttr,
    /// `[tool.setuptools.dynamic] version = { file = "..." }`.
    SetuptoolsFile,
}

impl Declaration {
    /// The declaration as a user finds it in the manifest.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::VersionFile => "`version-file` of the strata manifest",
            Self::Project => "`[project].version`",
            Self::Hatch => "`[tool.hatch.version] path`",
            Self::SetuptoolsAttr => "`[tool.setuptools.dynamic] version.attr`",
            Self::SetuptoolsFile => "`[tool.setuptools.dynamic] version.file`",
        }
    }
}

/// How the version is found in its file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Locator {
    /// The string at this key path of a TOML document.
    Toml(Vec<String>),
    /// The string literal a top-level assignment to this name (or, for hatch, either name)
    /// gives.
    Python(Vec<String>),
    /// The whole text, without surrounding whitespace.
    Plain,
}

/// The project's version and where it is written.
#[derive(Debug, Clone)]
pub struct ProjectVersion {
    /// The version.
    pub version: Version,
    /// The file that holds it, as the user would name it from where strata runs (the project
    /// root as given, joined with the path the manifest names).
    pub path: PathBuf,
    /// The 1-based line of the version in that file.
    pub line: usize,
    /// Which declaration led there.
    pub declared_by: Declaration,
    /// The file's text when it was read.
    text: String,
    /// The bytes of the version itself (inside its quotes) in `text`.
    span: Range<usize>,
    locator: Locator,
}

impl ProjectVersion {
    /// The file's text with the version replaced by `version`, every other byte kept, read back
    /// and checked to give `version`.
    pub fn rewritten(&self, version: &Version) -> Result<String, VersionError> {
        let text = format!(
            "{}{version}{}",
            &self.text[..self.span.start],
            &self.text[self.span.end..]
        );
        match locate(&text, &self.locator) {
            Ok((value, span))
                if span.start == self.span.start
                    && Version::from_str(value.trim()).ok().as_ref() == Some(version) =>
            {
                Ok(text)
            }
            _ => Err(VersionError::RewriteCheck {
                path: self.path.clone(),
                version: version.to_string(),
            }),
        }
    }
}

/// Finds and reads the project's version, by the order of the module documentation.
pub fn read(project: &Project) -> Result<ProjectVersion, VersionError> {
    let root = project.root.as_path();
    let manifest_path = shown(
        root,
        Path::new(project.manifest.file_name().unwrap_or_default()),
    );
    let manifest_text = read_text(&project.manifest, &manifest_path, None)?;
    let manifest = parse(&manifest_text, &manifest_path)?;
    let is_strata_toml = project.manifest.file_name() == Some("strata.toml".as_ref());
    let pyproject_path = shown(root, Path::new("pyproject.toml"));
    let pyproject_text = if is_strata_toml {
        let absolute = root.join("pyproject.toml");
        if absolute.is_file() {
            Some(read_text(&absolute, &pyproject_path, None)?)
        } else {
            None
        }
    } else {
        Some(manifest_text.clone())
    };
    let pyproject = pyproject_text
        .as_deref()
        .map(|text| parse(text, &pyproject_path))
        .transpose()?;
    let pyproject = pyproject
        .as_ref()
        .zip(pyproject_text.as_deref())
        .map(|(table, text)| Manifest {
            path: &pyproject_path,
            text,
            table,
        });
    let strata_table = if is_strata_toml {
        Some(manifest.get_ref())
    } else {
        table_at(manifest.get_ref(), &["tool", "strata"])
    };
    let static_version = pyproject.as_ref().and_then(|pyproject| {
        table_at(pyproject.table.get_ref(), &["project"])?
            .get("version")
            .map(|value| (pyproject, value))
    });

    if let Some(setting) = strata_table.and_then(|table| table.get("version-file")) {
        let manifest = Manifest {
            path: &manifest_path,
            text: &manifest_text,
            table: &manifest,
        };
        if let Some((pyproject, value)) = static_version {
            return Err(VersionError::TwoDeclarations {
                snippet: pyproject.snippet(value.span()),
                manifest: manifest_path.clone(),
            });
        }
        return from_version_file(root, &manifest, setting);
    }
    let Some(pyproject) = &pyproject else {
        return Err(VersionError::NoVersion {
            manifest: manifest_path,
            pyproject: None,
        });
    };
    if let Some((_, value)) = static_version {
        let DeValue::String(_) = value.get_ref() else {
            return Err(VersionError::NotAString {
                what: "`[project].version`".to_string(),
                snippet: pyproject.snippet(value.span()),
            });
        };
        return from_text(
            pyproject.path.to_path_buf(),
            pyproject.text.to_string(),
            Locator::Toml(vec!["project".to_string(), "version".to_string()]),
            Declaration::Project,
        );
    }
    let dynamic = table_at(pyproject.table.get_ref(), &["project"])
        .and_then(|project| project.get("dynamic"))
        .filter(|dynamic| match dynamic.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .any(|item| matches!(item.get_ref(), DeValue::String(name) if name == "version")),
            _ => false,
        });
    let Some(dynamic) = dynamic else {
        return Err(VersionError::NoVersion {
            manifest: manifest_path,
            pyproject: Some(pyproject.path.to_path_buf()),
        });
    };
    if let Some(hatch) = table_at(pyproject.table.get_ref(), &["tool", "hatch", "version"]) {
        return from_hatch(root, pyproject, hatch);
    }
    if let Some(setuptools) = table_at(
        pyproject.table.get_ref(),
        &["tool", "setuptools", "dynamic"],
    )
    .and_then(|dynamic| dynamic.get("version"))
    {
        return from_setuptools(root, pyproject, setuptools);
    }
    Err(VersionError::DynamicWithoutFile {
        snippet: pyproject.snippet(dynamic.span()),
        manifest: manifest_path,
    })
}

/// A parsed TOML file with its text and its path as shown.
struct Manifest<'a> {
    path: &'a Path,
    text: &'a str,
    table: &'a Spanned<DeTable<'a>>,
}

impl Manifest<'_> {
    fn snippet(&self, span: Range<usize>) -> Snippet {
        Snippet::from_span(self.path, self.text, span)
    }

    /// The string at `value`, or an error naming `what` and pointing at it.
    fn string(&self, value: &Spanned<DeValue<'_>>, what: &str) -> Result<String, VersionError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(VersionError::NotAString {
                what: what.to_string(),
                snippet: self.snippet(value.span()),
            }),
        }
    }
}

fn from_version_file(
    root: &Path,
    manifest: &Manifest<'_>,
    setting: &Spanned<DeValue<'_>>,
) -> Result<ProjectVersion, VersionError> {
    let DeValue::Table(table) = setting.get_ref() else {
        return Err(VersionError::NotAString {
            what: "`version-file` (a table: `{ path = \"src/pkg/version.py\" }`)".to_string(),
            snippet: manifest.snippet(setting.span()),
        });
    };
    let Some(path_value) = table.get("path") else {
        return Err(VersionError::NotAString {
            what: "`version-file.path`".to_string(),
            snippet: manifest.snippet(setting.span()),
        });
    };
    let file = PathBuf::from(manifest.string(path_value, "`version-file.path`")?);
    let variable = table
        .get("variable")
        .map(|value| manifest.string(value, "`version-file.variable`"))
        .transpose()?
        .unwrap_or_else(|| DEFAULT_VARIABLE.to_string());
    let locator = locator_for(&file, vec![variable]);
    from_file(
        root,
        &file,
        locator,
        Declaration::VersionFile,
        &manifest.snippet(path_value.span()),
    )
}

fn from_hatch(
    root: &Path,
    pyproject: &Manifest<'_>,
    hatch: &DeTable<'_>,
) -> Result<ProjectVersion, VersionError> {
    // hatch's default source is `regex`; any other (`vcs`, `code`, `env`) computes the version.
    if let Some(source) = hatch.get("source")
        && !matches!(source.get_ref(), DeValue::String(name) if name == "regex")
    {
        return Err(VersionError::Computed {
            what: "hatch's `[tool.hatch.version] source`".to_string(),
            snippet: pyproject.snippet(source.span()),
        });
    }
    if let Some(pattern) = hatch.get("pattern") {
        return Err(VersionError::Computed {
            what: "a custom `[tool.hatch.version] pattern`".to_string(),
            snippet: pyproject.snippet(pattern.span()),
        });
    }
    let Some(path_value) = hatch.get("path") else {
        return Err(VersionError::NoVersion {
            manifest: pyproject.path.to_path_buf(),
            pyproject: Some(pyproject.path.to_path_buf()),
        });
    };
    let file = PathBuf::from(pyproject.string(path_value, "`[tool.hatch.version] path`")?);
    let locator = locator_for(
        &file,
        vec!["__version__".to_string(), "VERSION".to_string()],
    );
    from_file(
        root,
        &file,
        locator,
        Declaration::Hatch,
        &pyproject.snippet(path_value.span()),
    )
}

fn from_setuptools(
    root: &Path,
    pyproject: &Manifest<'_>,
    setting: &Spanned<DeValue<'_>>,
) -> Result<ProjectVersion, VersionError> {
    let DeValue::Table(table) = setting.get_ref() else {
        return Err(VersionError::NotAString {
            what: "`[tool.setuptools.dynamic] version` (a table with `attr` or `file`)".to_string(),
            snippet: pyproject.snippet(setting.span()),
        });
    };
    if let Some(file_value) = table.get("file") {
        let file = match file_value.get_ref() {
            DeValue::Array(files) if files.len() == 1 => {
                pyproject.string(&files[0], "`[tool.setuptools.dynamic] version.file`")?
            }
            _ => pyproject.string(file_value, "`[tool.setuptools.dynamic] version.file`")?,
        };
        return from_file(
            root,
            Path::new(&file),
            Locator::Plain,
            Declaration::SetuptoolsFile,
            &pyproject.snippet(file_value.span()),
        );
    }
    let Some(attr_value) = table.get("attr") else {
        return Err(VersionError::NotAString {
            what: "`[tool.setuptools.dynamic] version.attr`".to_string(),
            snippet: pyproject.snippet(setting.span()),
        });
    };
    let attr = pyproject.string(attr_value, "`[tool.setuptools.dynamic] version.attr`")?;
    let snippet = pyproject.snippet(attr_value.span());
    let Some((module, variable)) = attr.rsplit_once('.') else {
        return Err(VersionError::NotAString {
            what: "`[tool.setuptools.dynamic] version.attr` (`package.module.VARIABLE`)"
                .to_string(),
            snippet,
        });
    };
    // setuptools imports the module; the file it would import is looked for in the two usual
    // layouts (and under a `package-dir` root given as a plain string).
    let package_dir = table_at(
        pyproject.table.get_ref(),
        &["tool", "setuptools", "package-dir"],
    )
    .and_then(|dirs| dirs.get(""))
    .and_then(|dir| match dir.get_ref() {
        DeValue::String(dir) => Some(dir.to_string()),
        _ => None,
    });
    let mut tried = Vec::new();
    for candidate in crate::metadata_files::module_files(module, package_dir.as_deref()) {
        if root.join(&candidate).is_file() {
            return from_file(
                root,
                &candidate,
                Locator::Python(vec![variable.to_string()]),
                Declaration::SetuptoolsAttr,
                &snippet,
            );
        }
        tried.push(shown(root, &candidate));
    }
    Err(VersionError::ModuleNotFound {
        module: module.to_string(),
        tried,
        snippet,
    })
}

fn from_file(
    root: &Path,
    file: &Path,
    locator: Locator,
    declared_by: Declaration,
    declared_at: &Snippet,
) -> Result<ProjectVersion, VersionError> {
    let path = shown(root, file);
    let text = match text_file::read(&root.join(file), &path, Some(declared_at)) {
        Ok(text) => text,
        Err(text_file::ReadFailure::Missing(_)) => {
            return Err(VersionError::MissingFile {
                path,
                snippet: declared_at.clone(),
            });
        }
        Err(text_file::ReadFailure::Failed(error)) => {
            return Err(VersionError::Read(Box::new(error)));
        }
    };
    from_text(path, text, locator, declared_by)
}

fn from_text(
    path: PathBuf,
    text: String,
    locator: Locator,
    declared_by: Declaration,
) -> Result<ProjectVersion, VersionError> {
    let (value, span) = match locate(&text, &locator) {
        Ok(found) => found,
        Err(expected) => {
            return Err(VersionError::NotInFile { path, expected });
        }
    };
    let version = Version::from_str(value.trim()).map_err(|error| VersionError::Invalid {
        value: value.clone(),
        reason: error.to_string(),
        snippet: Snippet::from_span(&path, &text, span.clone()),
    })?;
    let line = text[..span.start].matches('\n').count() + 1;
    Ok(ProjectVersion {
        version,
        path,
        line,
        declared_by,
        text,
        span,
        locator,
    })
}

/// The version's text and its byte range in `text` (inside the quotes), or what was expected
/// and not found there.
fn locate(text: &str, locator: &Locator) -> Result<(String, Range<usize>), String> {
    match locator {
        Locator::Toml(keys) => {
            let expected = || format!("a string at `{}`", keys.join("."));
            let document = DeTable::parse(text).map_err(|_| expected())?;
            let (last, parents) = keys.split_last().ok_or_else(expected)?;
            let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
            let spanned = table_at(document.get_ref(), &parents)
                .and_then(|table| table.get(last.as_str()))
                .ok_or_else(expected)?;
            let DeValue::String(value) = spanned.get_ref() else {
                return Err(expected());
            };
            let span = inside_quotes(text, spanned.span())?;
            Ok((value.to_string(), span))
        }
        Locator::Python(names) => python_assignment(text, names).ok_or_else(|| {
            let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
            format!(
                "a top-level assignment of a string literal to {} (like `{} = \"1.2.3\"`)",
                names.join(" or "),
                names
                    .first()
                    .map_or("__version__", |name| name.trim_matches('`'))
            )
        }),
        Locator::Plain => {
            let start = text.len() - text.trim_start().len();
            let end = text.trim_end().len();
            if start >= end {
                return Err("a version (the file is empty)".to_string());
            }
            Ok((text[start..end].to_string(), start..end))
        }
    }
}

/// The range inside the quotes of the TOML string literal at `span` (a TOML value's span
/// covers its quotes; the version is what lies inside).
fn inside_quotes(text: &str, span: Range<usize>) -> Result<Range<usize>, String> {
    let literal = text.get(span.clone()).unwrap_or_default();
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if literal.len() >= 2 * quote.len()
            && literal.starts_with(quote)
            && literal.ends_with(quote)
        {
            return Ok(span.start + quote.len()..span.end - quote.len());
        }
    }
    Err("a quoted string".to_string())
}

/// The first top-level `NAME = "..."` (or `NAME: str = '...'`) for one of `names`: the string's
/// text and its byte range inside the quotes.
fn python_assignment(text: &str, names: &[String]) -> Option<(String, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let Some(name) = names.iter().find(|name| line.starts_with(name.as_str())) else {
            continue;
        };
        let rest = &line[name.len()..];
        if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(equals) = rest.find('=') else {
            continue;
        };
        let annotation = rest[..equals].trim();
        if !(annotation.is_empty() || annotation.starts_with(':'))
            || rest[equals + 1..].starts_with('=')
        {
            continue;
        }
        let after = &rest[equals + 1..];
        let value = after.trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let inner = &value[1..];
        let end = inner.find(quote)?;
        let start = line_start + name.len() + equals + 1 + (after.len() - value.len()) + 1;
        return Some((inner[..end].to_string(), start..start + end));
    }
    None
}

fn is_python(file: &Path) -> bool {
    file.extension().is_some_and(|extension| extension == "py")
}

/// How a version is found in `file`: one of `variables` assigned in a Python module, else the
/// whole text of any other file.
fn locator_for(file: &Path, variables: Vec<String>) -> Locator {
    if is_python(file) {
        Locator::Python(variables)
    } else {
        Locator::Plain
    }
}

/// `file` (relative to the project root) as the user would name it from where strata runs.
fn shown(root: &Path, file: &Path) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        file.to_path_buf()
    } else {
        root.join(file)
    }
}

fn read_text(
    path: &Path,
    display: &Path,
    referrer: Option<&Snippet>,
) -> Result<String, VersionError> {
    text_file::read(path, display, referrer)
        .map_err(|failure| VersionError::Read(Box::new(failure.into_error(display, referrer))))
}

fn parse<'a>(text: &'a str, path: &Path) -> Result<Spanned<DeTable<'a>>, VersionError> {
    DeTable::parse(text).map_err(|error| VersionError::Toml {
        message: error.message().trim().to_string(),
        snippet: Snippet::from_span(path, text, error.span().unwrap_or(0..0)),
    })
}

/// The table at the dotted `keys` under `table`, if every step is a table.
fn table_at<'a, 'b>(table: &'b DeTable<'a>, keys: &[&str]) -> Option<&'b DeTable<'a>> {
    let mut current = table;
    for key in keys {
        match current.get(*key)?.get_ref() {
            DeValue::Table(inner) => current = inner,
            _ => return None,
        }
    }
    Some(current)
}

/// Why the project's version could not be read or rewritten.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// A file could not be read.
    #[error(transparent)]
    Read(Box<crate::Error>),
    /// A TOML file does not parse.
    #[error("Invalid TOML in `{}`: {message}", snippet.path.display())]
    Toml {
        /// The parser's message.
        message: String,
        /// Where.
        snippet: Snippet,
    },
    /// No declaration gives the project a version.
    #[error("The project declares no version{}", pyproject.as_ref().map(|path| format!(": `{}` has no `[project].version`", path.display())).unwrap_or_default())]
    NoVersion {
        /// The strata manifest.
        manifest: PathBuf,
        /// The `pyproject.toml`, when there is one.
        pyproject: Option<PathBuf>,
    },
    /// `dynamic = ["version"]` with no file strata can read it from.
    #[error("The version is dynamic, and no declaration names a file that holds it")]
    DynamicWithoutFile {
        /// The `dynamic` entry.
        snippet: Snippet,
        /// The strata manifest.
        manifest: PathBuf,
    },
    /// Both a static `[project].version` and `version-file`.
    #[error("The version is declared twice: in `[project].version` and by `version-file` in `{}`", manifest.display())]
    TwoDeclarations {
        /// The static version.
        snippet: Snippet,
        /// The strata manifest.
        manifest: PathBuf,
    },
    /// The backend computes the version: no file holds it as text.
    #[error(
        "The version is computed at build time by {what}; strata reads a file and never runs code"
    )]
    Computed {
        /// The declaration.
        what: String,
        /// Where.
        snippet: Snippet,
    },
    /// A setting has the wrong type.
    #[error("{what} must be a string")]
    NotAString {
        /// The setting.
        what: String,
        /// Where.
        snippet: Snippet,
    },
    /// The file the declaration names does not exist.
    #[error("The version file `{}` does not exist", path.display())]
    MissingFile {
        /// The file.
        path: PathBuf,
        /// The declaration naming it.
        snippet: Snippet,
    },
    /// No file was found for a setuptools `attr` module.
    #[error("No file for module `{module}` of `[tool.setuptools.dynamic] version.attr`: tried {}", tried.iter().map(|path| format!("`{}`", path.display())).collect::<Vec<_>>().join(", "))]
    ModuleNotFound {
        /// The module.
        module: String,
        /// The files looked for.
        tried: Vec<PathBuf>,
        /// The `attr` setting.
        snippet: Snippet,
    },
    /// The file holds no version where one was expected.
    #[error("`{}` holds no version: expected {expected}", path.display())]
    NotInFile {
        /// The file.
        path: PathBuf,
        /// What was looked for.
        expected: String,
    },
    /// The value is not a PEP 440 version.
    #[error("`{value}` is not a valid PEP 440 version: {reason}")]
    Invalid {
        /// The value as written.
        value: String,
        /// The parser's reason.
        reason: String,
        /// Where.
        snippet: Snippet,
    },
    /// The rewritten file did not read back as the new version.
    #[error("Rewriting the version in `{}` to {version} did not read back as {version}; nothing was written", path.display())]
    RewriteCheck {
        /// The file.
        path: PathBuf,
        /// The new version.
        version: String,
    },
}

impl Diagnostic for VersionError {
    fn hints(&self) -> Vec<String> {
        // Where `version-file` goes: the top of `strata.toml`, or `[tool.strata]`.
        let declare = |manifest: &Path| {
            let place = if manifest.file_name() == Some("strata.toml".as_ref()) {
                format!("to `{}`", manifest.display())
            } else {
                format!("under `[tool.strata]` in `{}`", manifest.display())
            };
            format!(
                "add `version-file = {{ path = \"src/PACKAGE/__init__.py\" }}` {place}, naming a module that assigns `__version__ = \"1.2.3\"`"
            )
        };
        match self {
            Self::Read(error) => error.hints(),
            Self::NoVersion { pyproject, manifest } => {
                let mut hints = Vec::new();
                if let Some(pyproject) = pyproject {
                    hints.push(format!(
                        "Add `version = \"0.1.0\"` under `[project]` in `{}`",
                        pyproject.display()
                    ));
                }
                hints.push(format!("Or {}", declare(manifest)));
                hints
            }
            Self::DynamicWithoutFile { manifest, .. } => vec![
                format!("To let strata read and bump it, {}", declare(manifest)),
                "Or declare the file to your build backend: hatch's `[tool.hatch.version] path = \"src/PACKAGE/__init__.py\"`, setuptools' `[tool.setuptools.dynamic] version = { attr = \"PACKAGE.__version__\" }`".to_string(),
            ],
            Self::Computed { snippet, .. } => vec![
                format!("To let strata read and bump the version, keep it in a file: {}, and have the build backend read that file", declare(&snippet.path)),
            ],
            Self::TwoDeclarations { .. } => vec![
                "Keep one: remove `[project].version` (and list `version` in `[project].dynamic`), or remove `version-file`".to_string(),
            ],
            Self::MissingFile { .. } | Self::ModuleNotFound { .. } => vec![
                "Create the file, or point the declaration at the file that holds the version".to_string(),
            ],
            Self::NotInFile { .. } => vec![
                "Write the version there as a plain string literal; strata reads the file as text and never imports it".to_string(),
            ],
            Self::Invalid { .. } => vec![
                "Write a PEP 440 version, like `1.2.3`, `1.3.0rc1` or `2.0.0.post1`".to_string(),
            ],
            Self::Toml { .. } | Self::NotAString { .. } | Self::RewriteCheck { .. } => Vec::new(),
        }
    }

    fn snippet(&self) -> Option<Snippet> {
        match self {
            Self::Read(error) => error.snippet(),
            Self::Toml { snippet, .. }
            | Self::DynamicWithoutFile { snippet, .. }
            | Self::TwoDeclarations { snippet, .. }
            | Self::Computed { snippet, .. }
            | Self::NotAString { snippet, .. }
            | Self::MissingFile { snippet, .. }
            | Self::ModuleNotFound { snippet, .. }
            | Self::Invalid { snippet, .. } => Some(snippet.clone()),
            Self::NoVersion { .. } | Self::NotInFile { .. } | Self::RewriteCheck { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project in a temporary directory with these files; `pyproject.toml` is the manifest.
    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (path, contents) in files {
            let path = dir.path().join(path);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, contents).unwrap();
        }
        let project = Project::discover(dir.path(), &|_| None).unwrap();
        (dir, project)
    }

    /// `(path, contents)` pairs.
    type Files<'a> = &'a [(&'a str, &'a str)];

    fn bumped(found: &ProjectVersion, to: &str) -> String {
        found.rewritten(&Version::from_str(to).unwrap()).unwrap()
    }

    #[test]
    fn a_static_version_is_rewritten_and_nothing_else() {
        let pyproject = "# top\n[project]\nname = \"app\"   # the name\nversion   =  '1.2.3'  # bumped by strata\ndependencies = [\"version = '1.2.3'\"]\n\n[tool.strata]\n";
        let (_dir, project) = project(&[("pyproject.toml", pyproject)]);
        let found = read(&project).unwrap();
        assert_eq!(found.version.to_string(), "1.2.3");
        assert_eq!(found.line, 4);
        assert_eq!(found.declared_by, Declaration::Project);
        assert_eq!(
            bumped(&found, "1.3.0"),
            pyproject.replace("'1.2.3'  #", "'1.3.0'  #")
        );
    }

    #[test]
    fn a_version_file_module_is_read_as_text() {
        let module = "\"\"\"The version.\"\"\"\n__version_info__ = (0, 1)\n__version__: str = \"0.4.2\"  # keep\n";
        let (dir, project) = project(&[
            (
                "pyproject.toml",
                "[project]\nname = \"eleanor\"\ndynamic = [\"version\"]\n\n[tool.strata]\nversion-file = { path = \"src/eleanor/version.py\" }\n",
            ),
            ("src/eleanor/version.py", module),
        ]);
        let found = read(&project).unwrap();
        assert_eq!(found.version.to_string(), "0.4.2");
        assert_eq!(found.line, 3);
        assert_eq!(found.path, dir.path().join("src/eleanor/version.py"));
        assert_eq!(bumped(&found, "0.5.0"), module.replace("0.4.2", "0.5.0"));
    }

    #[test]
    fn backends_static_declarations_are_followed() {
        let dynamic = "[project]\nname = \"app\"\ndynamic = [\"version\"]\n[tool.strata]\n";
        let cases: &[(&str, Files, Declaration)] = &[
            (
                "[tool.hatch.version]\npath = \"src/app/__about__.py\"\n",
                &[("src/app/__about__.py", "VERSION = '2.0.0'\n")],
                Declaration::Hatch,
            ),
            (
                "[tool.setuptools.dynamic]\nversion = { attr = \"app.meta.__version__\" }\n",
                &[("src/app/meta.py", "import os\n__version__ = \"2.0.0\"\n")],
                Declaration::SetuptoolsAttr,
            ),
            (
                "[tool.setuptools.dynamic]\nversion = { attr = \"app.__version__\" }\n",
                &[("app/__init__.py", "__version__ = \"2.0.0\"\n")],
                Declaration::SetuptoolsAttr,
            ),
            (
                "[tool.setuptools.dynamic]\nversion = { file = \"VERSION\" }\n",
                &[("VERSION", "2.0.0\n")],
                Declaration::SetuptoolsFile,
            ),
        ];
        for (backend, files, declared_by) in cases {
            let manifest = format!("{dynamic}{backend}");
            let mut all = vec![("pyproject.toml", manifest.as_str())];
            all.extend_from_slice(files);
            let (_dir, project) = project(&all);
            let found = read(&project).unwrap_or_else(|error| panic!("{backend}: {error}"));
            assert_eq!(
                (found.version.to_string(), found.declared_by),
                ("2.0.0".to_string(), *declared_by),
                "{backend}"
            );
            assert_eq!(
                bumped(&found, "2.1.0"),
                files[0].1.replace("2.0.0", "2.1.0"),
                "{backend}"
            );
        }
    }

    #[test]
    fn each_missing_or_unreadable_version_says_what_to_add() {
        let cases: &[(Files, &str)] = &[
            (
                &[(
                    "pyproject.toml",
                    "[project]\nname = \"app\"\n[tool.strata]\n",
                )],
                "declares no version",
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\nname = \"app\"\ndynamic = [\"version\"]\n[tool.strata]\n",
                )],
                "no declaration names a file",
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\nversion = \"1.0\"\n[tool.strata]\nversion-file = { path = \"v.py\" }\n",
                )],
                "declared twice",
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\ndynamic = [\"version\"]\n[tool.strata]\n[tool.hatch.version]\nsource = \"vcs\"\n",
                )],
                "computed at build time",
            ),
            (
                &[
                    (
                        "pyproject.toml",
                        "[tool.strata]\nversion-file = { path = \"src/app/__init__.py\" }\n",
                    ),
                    (
                        "src/app/__init__.py",
                        "from importlib.metadata import version\n__version__ = version(\"app\")\n",
                    ),
                ],
                "holds no version",
            ),
            (
                &[(
                    "pyproject.toml",
                    "[tool.strata]\nversion-file = { path = \"src/app/version.py\" }\n",
                )],
                "does not exist",
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\ndynamic = [\"version\"]\n[tool.strata]\n[tool.setuptools.dynamic]\nversion = { attr = \"app.__version__\" }\n",
                )],
                "/app.py`, `",
            ),
            (
                &[
                    (
                        "pyproject.toml",
                        "[tool.strata]\nversion-file = { path = \"VERSION\" }\n",
                    ),
                    ("VERSION", "latest\n"),
                ],
                "not a valid PEP 440 version",
            ),
        ];
        for (files, fragment) in cases {
            let (_dir, project) = project(files);
            let error = read(&project).unwrap_err();
            assert!(
                error.to_string().contains(fragment),
                "{fragment}: got {error}"
            );
            assert!(
                !error.hints().is_empty() || matches!(error, VersionError::NotAString { .. }),
                "{fragment}: no hint"
            );
        }
    }

    #[test]
    fn only_a_top_level_string_assignment_is_a_version() {
        let names = vec!["__version__".to_string()];
        for text in [
            "__version__ == \"1\"\n",
            "__version_info__ = \"1\"\n",
            "    __version__ = \"1\"\n",
            "__version__ = get()\n",
        ] {
            assert_eq!(python_assignment(text, &names), None, "{text}");
        }
        let text = "x = 1\n__version__ = '1.0'  # c\n";
        let (value, span) = python_assignment(text, &names).unwrap();
        assert_eq!((value.as_str(), &text[span]), ("1.0", "1.0"));
    }
}
