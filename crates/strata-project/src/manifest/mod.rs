//! Finding and reading the manifest, and turning its raw shape into the validated [`Project`].
//!
//! The manifest is `[tool.strata]` in `pyproject.toml`, or the same keys at the top level of a
//! `strata.toml` (which then reads `[project]` and `[dependency-groups]` from a sibling
//! `pyproject.toml`, if any). Discovery walks up from the working directory and stops at the
//! first directory with either. A directory with both a `strata.toml` and a `[tool.strata]`
//! table is refused, whichever file is named: one of the two would go unread, and nothing the
//! user configured is ignored without a word.
//!
//! Reading happens in three passes, each with its own kind of error: TOML syntax (with the
//! parser's span), unknown keys (with a suggestion, see [`keys`]), and then meaning: names,
//! `extends`, requirement sources and engine versions, in [`build`].

mod build;
mod ci;
mod images;
mod keys;
pub(crate) mod schema;

pub use keys::manifest_keys;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, ErrorKind, Snippet};
use crate::model::Project;
use crate::text_file;
use schema::{PyProjectToml, StrataTable};

/// How the loader reads environment variables (for `${VAR}` in index URLs).
///
/// Passing it in, rather than reading the process environment here, keeps tests free of
/// process-wide `set_var` and keeps every variable strata reads registered in the CLI.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Project {
    /// Finds the manifest for `start` (a directory) by walking up, and loads it.
    ///
    /// Paths in the result and in errors stay relative when `start` is (`.` gives
    /// `pyproject.toml`, a manifest two levels up gives `../../pyproject.toml`), because that is
    /// how the user would name the file.
    pub fn discover(start: &Path, env: EnvLookup<'_>) -> Result<Self, Error> {
        let absolute = std::path::absolute(start).map_err(|source| ErrorKind::Io {
            path: start.to_path_buf(),
            source,
            snippet: None,
        })?;
        let found = find_manifest(&absolute)?;
        let manifest = if start.is_relative() {
            let levels = absolute
                .ancestors()
                .position(|ancestor| Some(ancestor) == found.parent())
                .unwrap_or(0);
            let mut relative = start.to_path_buf();
            for _ in 0..levels {
                relative.push("..");
            }
            crate::requirements_in::normalize(&relative.join(found.file_name().unwrap_or_default()))
        } else {
            found
        };
        Self::load(&manifest, env)
    }

    /// Loads the project whose manifest is `manifest` (`pyproject.toml` or `strata.toml`), or,
    /// when `manifest` is a directory, the manifest directly inside it.
    pub fn load(manifest: &Path, env: EnvLookup<'_>) -> Result<Self, Error> {
        let manifest = if manifest.is_dir() {
            manifest_in(manifest)?.ok_or_else(|| ErrorKind::ManifestNotFound {
                start: manifest.to_path_buf(),
            })?
        } else {
            manifest.to_path_buf()
        };
        let root = manifest
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Self::load_manifest(&manifest, &root, env).map_err(|error| error.with_root(&root))
    }

    fn load_manifest(manifest: &Path, root: &Path, env: EnvLookup<'_>) -> Result<Self, Error> {
        let manifest_name = PathBuf::from(manifest.file_name().unwrap_or_default());
        let source = read(manifest, &manifest_name)?;
        let is_strata_toml = manifest_name == Path::new("strata.toml");
        let (strata, pyproject) = if is_strata_toml {
            let strata: StrataTable = parse_strata(&source, &manifest_name, "")?;
            let pyproject_path = root.join("pyproject.toml");
            let pyproject = if pyproject_path.is_file() {
                let pyproject_source = read(&pyproject_path, Path::new("pyproject.toml"))?;
                let table = parse_pyproject(&pyproject_source, Path::new("pyproject.toml"))?;
                if table
                    .tool
                    .as_ref()
                    .is_some_and(|tool| tool.strata.is_some())
                {
                    return Err(two_manifests(
                        Path::new("pyproject.toml"),
                        &pyproject_source,
                    ));
                }
                Some(build::PyProject {
                    path: PathBuf::from("pyproject.toml"),
                    source: pyproject_source,
                    table,
                })
            } else {
                None
            };
            (strata, pyproject)
        } else {
            let mut table = parse_pyproject(&source, &manifest_name)?;
            let has_strata_table = table
                .tool
                .as_ref()
                .is_some_and(|tool| tool.strata.is_some());
            if has_strata_table && root.join("strata.toml").is_file() {
                return Err(two_manifests(&manifest_name, &source));
            }
            let strata = table
                .tool
                .as_mut()
                .and_then(|tool| tool.strata.take())
                .unwrap_or_default();
            let pyproject = build::PyProject {
                path: manifest_name.clone(),
                source: source.clone(),
                table,
            };
            (strata, Some(pyproject))
        };
        let context = build::Context {
            root,
            manifest: &manifest_name,
            source: &source,
            pyproject: pyproject.as_ref(),
            env,
        };
        let mut project = build::project(&context, strata)?;
        project.manifest = manifest.to_path_buf();
        Ok(project)
    }
}

/// Walks up from `start` to the first directory holding a strata manifest.
pub fn find_manifest(start: &Path) -> Result<PathBuf, Error> {
    let mut directory = Some(start);
    while let Some(current) = directory {
        if let Some(found) = manifest_in(current)? {
            return Ok(found);
        }
        directory = current.parent();
    }
    Err(ErrorKind::ManifestNotFound {
        start: start.to_path_buf(),
    }
    .into())
}

/// The manifest directly in `directory`: `strata.toml`, else a `pyproject.toml` that has a
/// `[tool.strata]` table.
fn manifest_in(directory: &Path) -> Result<Option<PathBuf>, Error> {
    let strata = directory.join("strata.toml");
    if strata.is_file() {
        return Ok(Some(strata));
    }
    let pyproject = directory.join("pyproject.toml");
    if pyproject.is_file() {
        let source = read(&pyproject, &pyproject)?;
        // A cheap check first: most pyproject files on the way up are not ours.
        if source.contains("tool.strata") || source.contains("[tool]") {
            // A pyproject that mentions `tool.strata` but does not parse is still ours: loading
            // it reports the syntax error with its line, instead of "no project found".
            let has_table =
                DeTable::parse(&source).map_or(source.contains("tool.strata"), |table| {
                    table
                        .get_ref()
                        .get("tool")
                        .and_then(|tool| tool.get_ref().get("strata"))
                        .is_some()
                });
            if has_table {
                return Ok(Some(pyproject));
            }
        }
    }
    Ok(None)
}

fn read(path: &Path, display: &Path) -> Result<String, Error> {
    text_file::read(path, display, None).map_err(|failure| failure.into_error(display, None))
}

/// The error for a directory with both a `strata.toml` and a `[tool.strata]` table, pointing
/// at the first mention of `tool.strata` in `pyproject` (whose text is `source`).
fn two_manifests(pyproject: &Path, source: &str) -> Error {
    let span = DeTable::parse(source).ok().and_then(|document| {
        let tool = document.get_ref().get("tool")?;
        let DeValue::Table(tool) = tool.get_ref() else {
            return None;
        };
        tool.iter()
            .find(|(key, _)| key.get_ref() == "strata")
            .map(|(key, _)| key.span())
    });
    ErrorKind::TwoManifests {
        snippet: span.map(|span| Snippet::from_span(pyproject, source, span)),
    }
    .into()
}

fn toml_error(error: &toml::de::Error, path: &Path, source: &str) -> Error {
    ErrorKind::Toml {
        message: error.message().trim().to_string(),
        snippet: Snippet::from_span(path, source, error.span().unwrap_or(0..0)),
    }
    .into()
}

/// Parses a `pyproject.toml`, checking the keys of its `[tool.strata]` table.
fn parse_pyproject(source: &str, path: &Path) -> Result<PyProjectToml, Error> {
    let document = DeTable::parse(source).map_err(|error| toml_error(&error, path, source))?;
    if let Some(tool) = document.get_ref().get("tool")
        && let Some(strata) = tool.get_ref().get("strata")
        && let DeValue::Table(strata) = strata.get_ref()
    {
        keys::check_strata_table(strata, "tool.strata", path, source)?;
    }
    PyProjectToml::deserialize(toml::de::Deserializer::from(document))
        .map_err(|error| toml_error(&error, path, source))
}

/// Parses a `strata.toml`, whose top level is the strata table.
fn parse_strata(source: &str, path: &Path, prefix: &str) -> Result<StrataTable, Error> {
    let document = DeTable::parse(source).map_err(|error| toml_error(&error, path, source))?;
    keys::check_strata_table(document.get_ref(), prefix, path, source)?;
    StrataTable::deserialize(toml::de::Deserializer::from(document))
        .map_err(|error| toml_error(&error, path, source))
}
