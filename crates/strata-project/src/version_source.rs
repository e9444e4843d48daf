//! An engine's version file: the single source of truth for which engine version is current.
//!
//! Projects keep one small YAML or TOML file per engine (`engine_versions/vllm.yaml`) that
//! Renovate or a maintainer bumps; the image tag, the lock and the CI cells all derive from it.
//! strata reads the value at a dotted key path (`library.current_version`) and requires it to be
//! a PEP 440 version. The format is chosen by extension: `.toml` is TOML, anything else is read as
//! YAML (which also covers JSON). Values may be strings or numbers (`0.10` in YAML is a float to
//! a YAML parser, but the text is kept as written, so `0.10` stays `0.10`, not `0.1`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;
use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{Error, ErrorKind, Snippet};

/// Where an engine's version comes from, with the version read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSource {
    /// The file, relative to the project root as written in the manifest.
    pub file: PathBuf,
    /// The dotted key path inside the file.
    pub key: String,
    /// The version found there.
    pub version: Version,
}

/// Reads the version at `key` from `file` (given relative to `root`).
pub(crate) fn read(
    engine: &str,
    root: &Path,
    file: &Path,
    key: &str,
    manifest_snippet: Option<Snippet>,
) -> Result<VersionSource, Error> {
    let absolute = root.join(file);
    let source = match fs_err::read_to_string(&absolute) {
        Ok(source) => source,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ErrorKind::MissingVersionFile {
                engine: engine.to_string(),
                path: file.to_path_buf(),
                snippet: manifest_snippet,
            }
            .into());
        }
        Err(error) => {
            return Err(ErrorKind::Io {
                path: file.to_path_buf(),
                source: error,
            }
            .into());
        }
    };
    let is_toml = file
        .extension()
        .is_some_and(|extension| extension == "toml");
    let lookup = if is_toml {
        lookup_toml(&source, file, key)?
    } else {
        lookup_yaml(&source, file, key)?
    };
    let value = match lookup {
        Lookup::Found(value) => value,
        Lookup::Missing(found) => {
            return Err(ErrorKind::VersionKeyMissing {
                engine: engine.to_string(),
                path: file.to_path_buf(),
                key: key.to_string(),
                found,
            }
            .into());
        }
    };
    let version = Version::from_str(value.trim()).map_err(|error| ErrorKind::InvalidVersion {
        path: file.to_path_buf(),
        key: key.to_string(),
        value: value.clone(),
        reason: error.to_string(),
    })?;
    Ok(VersionSource {
        file: file.to_path_buf(),
        key: key.to_string(),
        version,
    })
}

enum Lookup {
    Found(String),
    /// The key is absent; the keys present at the deepest level reached.
    Missing(Vec<String>),
}

fn lookup_yaml(source: &str, file: &Path, key: &str) -> Result<Lookup, Error> {
    let documents = YamlLoader::load_from_str(source).map_err(|error| {
        let marker = error.marker();
        let line = marker.line().max(1);
        let text = source.lines().nth(line - 1).unwrap_or_default();
        ErrorKind::Yaml {
            message: error.info().to_string(),
            snippet: Snippet::from_line(file, line, text, marker.col()..marker.col() + 1),
        }
    })?;
    let mut node = documents.into_iter().next().unwrap_or(Yaml::Null);
    for part in key.split('.') {
        let Yaml::Hash(mut hash) = node else {
            return Ok(Lookup::Missing(Vec::new()));
        };
        let Some(next) = hash.remove(&Yaml::String(part.to_string())) else {
            let found = hash.keys().filter_map(yaml_scalar).collect();
            return Ok(Lookup::Missing(found));
        };
        node = next;
    }
    Ok(yaml_scalar(&node).map_or(Lookup::Missing(Vec::new()), Lookup::Found))
}

fn yaml_scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) | Yaml::Real(text) => Some(text.clone()),
        Yaml::Integer(number) => Some(number.to_string()),
        _ => None,
    }
}

fn lookup_toml(source: &str, file: &Path, key: &str) -> Result<Lookup, Error> {
    let table: toml::Table = toml::from_str(source).map_err(|error| ErrorKind::Toml {
        message: error.message().to_string(),
        snippet: Snippet::from_span(file, source, error.span().unwrap_or(0..0)),
    })?;
    let mut node = toml::Value::Table(table);
    for part in key.split('.') {
        let toml::Value::Table(mut table) = node else {
            return Ok(Lookup::Missing(Vec::new()));
        };
        match table.remove(part) {
            Some(next) => node = next,
            None => return Ok(Lookup::Missing(table.keys().cloned().collect())),
        }
    }
    Ok(match node {
        toml::Value::String(text) => Lookup::Found(text),
        toml::Value::Integer(number) => Lookup::Found(number.to_string()),
        toml::Value::Float(number) => Lookup::Found(number.to_string()),
        _ => Lookup::Missing(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_from(name: &str, contents: &str, key: &str) -> Result<VersionSource, Error> {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join(name), contents).unwrap();
        read("vllm", dir.path(), Path::new(name), key, None)
    }

    #[test]
    fn yaml_float_keeps_its_written_digits() {
        let source = read_from(
            "v.yaml",
            "library:\n  current_version: 0.10\n",
            "library.current_version",
        )
        .unwrap();
        assert_eq!(source.version.to_string(), "0.10");
    }

    #[test]
    fn toml_nested_key_is_found() {
        let source = read_from(
            "v.toml",
            "[library]\ncurrent_version = \"0.9.2\"\n",
            "library.current_version",
        )
        .unwrap();
        assert_eq!(source.version.to_string(), "0.9.2");
    }

    #[test]
    fn missing_key_lists_the_keys_found() {
        let error = read_from(
            "v.yaml",
            "library:\n  version: 1\n  name: vllm\n",
            "library.current_version",
        )
        .unwrap_err();
        let ErrorKind::VersionKeyMissing { found, .. } = error.kind() else {
            panic!("unexpected {error:?}")
        };
        assert_eq!(found, &["version", "name"]);
    }
}
