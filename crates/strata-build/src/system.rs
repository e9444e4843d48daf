//! The `[build-system]` table of `pyproject.toml` (PEP 517, PEP 518), with pip's defaults.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, ErrorKind, io_error};

/// pip's defaults for a project without `[build-system]`.
const DEFAULT_REQUIRES: &str = "setuptools>=40.8.0";
const DEFAULT_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// How to build a source tree: what to install first, and which backend object to call.
///
/// A missing `pyproject.toml` or `[build-system]` table means setuptools, as pip and `build`
/// decide: `requires = ["setuptools>=40.8.0"]` and the backend `setuptools.build_meta:__legacy__`.
///
/// ```
/// let system = strata_build::BuildSystem::parse(
///     "[build-system]\nrequires = [\"flit_core>=3.2\"]\nbuild-backend = \"flit_core.buildapi\"\n",
/// )?;
/// assert_eq!(system.requires, ["flit_core>=3.2"]);
/// assert_eq!(system.backend, "flit_core.buildapi");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    /// The requirements to install before the backend is imported (PEP 518).
    pub requires: Vec<String>,
    /// `module` or `module:object.attribute`.
    pub backend: String,
    /// Directories of the source tree the backend is imported from (an in-tree backend).
    pub backend_path: Vec<String>,
}

impl BuildSystem {
    /// Reads `pyproject.toml` in the source tree `source`; a missing file or table means
    /// setuptools.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or its `[build-system]` does not parse.
    pub fn read(source: &Path) -> Result<Self, Error> {
        let path = source.join("pyproject.toml");
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(io_error(&path, error)),
        };
        Self::parse(&text).map_err(|reason| ErrorKind::BuildSystem { path, reason }.into())
    }

    /// The `[build-system]` table `source`'s `pyproject.toml` declares; `None` when it has
    /// none (or no `pyproject.toml`): a project that says nothing of how it is built is not
    /// installed as a package (uv calls it virtual), although pip would build it with
    /// setuptools.
    ///
    /// # Errors
    ///
    /// As [`BuildSystem::read`].
    pub fn declared(source: &Path) -> Result<Option<Self>, Error> {
        let path = source.join("pyproject.toml");
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(&path, error)),
        };
        let declares = toml::from_str::<toml::Table>(&text)
            .map_err(|error| ErrorKind::BuildSystem {
                path: path.clone(),
                reason: error.to_string(),
            })?
            .contains_key("build-system");
        if !declares {
            return Ok(None);
        }
        Self::parse(&text)
            .map(Some)
            .map_err(|reason| ErrorKind::BuildSystem { path, reason }.into())
    }

    /// Parses the text of a `pyproject.toml`.
    ///
    /// # Errors
    ///
    /// When it is not TOML or `[build-system]` has values of the wrong type.
    pub fn parse(pyproject: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct PyProject {
            #[serde(rename = "build-system")]
            build_system: Option<Table>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case")]
        struct Table {
            requires: Option<Vec<String>>,
            build_backend: Option<String>,
            backend_path: Option<Vec<String>>,
        }

        let project: PyProject = toml::from_str(pyproject)
            .map_err(|error| format!("Invalid `pyproject.toml`: {error}"))?;
        let table = project.build_system.unwrap_or(Table {
            requires: None,
            build_backend: None,
            backend_path: None,
        });
        // pip rejects a `[build-system]` without `requires`; defaulting it as for a missing
        // table builds the same sdists a lenient frontend (uv) builds.
        Ok(Self {
            requires: table
                .requires
                .unwrap_or_else(|| vec![DEFAULT_REQUIRES.to_string()]),
            backend: table
                .build_backend
                .unwrap_or_else(|| DEFAULT_BACKEND.to_string()),
            backend_path: table.backend_path.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_system_defaults_follow_pip() {
        let cases = [
            (
                "",
                vec!["setuptools>=40.8.0"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[project]\nname = \"x\"\n",
                vec!["setuptools>=40.8.0"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\n",
                vec!["setuptools>=61", "wheel"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[build-system]\nrequires = [\"flit_core>=3.2\"]\nbuild-backend = \"flit_core.buildapi\"\n",
                vec!["flit_core>=3.2"],
                "flit_core.buildapi",
                vec![],
            ),
            (
                "[build-system]\nrequires = []\nbuild-backend = \"backend:api\"\nbackend-path = [\".\"]\n",
                vec![],
                "backend:api",
                vec!["."],
            ),
        ];
        for (pyproject, requires, backend, backend_path) in cases {
            assert_eq!(
                BuildSystem::parse(pyproject).unwrap(),
                BuildSystem {
                    requires: requires.into_iter().map(String::from).collect(),
                    backend: backend.to_string(),
                    backend_path: backend_path.into_iter().map(String::from).collect(),
                },
                "{pyproject}"
            );
        }
    }

    #[test]
    fn invalid_pyproject_is_an_error() {
        insta::assert_snapshot!(
            BuildSystem::parse("[build-system]\nrequires = \"setuptools\"\n").unwrap_err(),
            @r#"
        Invalid `pyproject.toml`: TOML parse error at line 2, column 12
          |
        2 | requires = "setuptools"
          |            ^^^^^^^^^^^^
        invalid type: string "setuptools", expected a sequence
        "#
        );
    }
}
