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
use crate::text_file;

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

/// Reads the version at `key` from `file` (given relative to `root`). `manifest_snippet` and
/// `key_snippet` are the manifest's `file` and `key` values, where errors about each point.
pub(crate) fn read(
    engine: &str,
    root: &Path,
    file: &Path,
    key: &str,
    manifest_snippet: Option<Snippet>,
    key_snippet: Option<Snippet>,
) -> Result<VersionSource, Error> {
    let absolute = root.join(file);
    let source = match text_file::read(&absolute, file, manifest_snippet.as_ref()) {
        Ok(source) => source,
        Err(text_file::ReadFailure::Missing(_)) => {
            return Err(ErrorKind::MissingVersionFile {
                engine: engine.to_string(),
                path: file.to_path_buf(),
                snippet: manifest_snippet,
            }
            .into());
        }
        Err(text_file::ReadFailure::Failed(error)) => return Err(error),
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
                snippet: key_snippet,
            }
            .into());
        }
        Lookup::NotAValue {
            holds,
            keys,
            suggestion,
        } => {
            return Err(ErrorKind::VersionKeyNotAValue {
                engine: engine.to_string(),
                path: file.to_path_buf(),
                key: key.to_string(),
                holds,
                keys,
                suggestion: suggestion.map(|child| format!("{key}.{child}")),
                snippet: key_snippet,
            }
            .into());
        }
    };
    let version = Version::from_str(value.trim()).map_err(|error| ErrorKind::InvalidVersion {
        path: file.to_path_buf(),
        key: key.to_string(),
        value: value.clone(),
        reason: error.to_string(),
        // The value where it is written, when it sits on its key's line; else the manifest's
        // `key`, which leads there.
        snippet: value_span(&source, is_toml, key)
            .map(|span| Snippet::from_span(file, &source, span))
            .or_else(|| key_snippet.clone()),
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
    /// The key is there but holds no scalar: usually a mapping one level above the version.
    NotAValue {
        /// What it holds, like "a mapping".
        holds: &'static str,
        /// The keys of that mapping, if it is one.
        keys: Vec<String>,
        /// The first of those keys whose value is a version.
        suggestion: Option<String>,
    },
}

/// Whether a version file's scalar reads as a PEP 440 version.
fn is_version(text: &str) -> bool {
    Version::from_str(text.trim()).is_ok()
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
    if let Some(value) = yaml_scalar(&node) {
        return Ok(Lookup::Found(value));
    }
    Ok(match node {
        Yaml::Hash(hash) => Lookup::NotAValue {
            holds: "a mapping",
            keys: hash.keys().filter_map(yaml_scalar).collect(),
            suggestion: hash.iter().find_map(|(child, value)| {
                yaml_scalar(value)
                    .filter(|value| is_version(value))
                    .and_then(|_| yaml_scalar(child))
            }),
        },
        Yaml::Array(_) => not_a_value("a list"),
        Yaml::Boolean(_) => not_a_value("a boolean"),
        _ => not_a_value("no value"),
    })
}

fn not_a_value(holds: &'static str) -> Lookup {
    Lookup::NotAValue {
        holds,
        keys: Vec::new(),
        suggestion: None,
    }
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
        toml::Value::Table(table) => Lookup::NotAValue {
            holds: "a table",
            keys: table.keys().cloned().collect(),
            suggestion: table.iter().find_map(|(child, value)| {
                let text = match value {
                    toml::Value::String(text) => text.clone(),
                    toml::Value::Integer(_) | toml::Value::Float(_) => value.to_string(),
                    _ => return None,
                };
                is_version(&text).then(|| child.clone())
            }),
        },
        toml::Value::Array(_) => not_a_value("an array"),
        toml::Value::Boolean(_) => not_a_value("a boolean"),
        toml::Value::Datetime(_) => not_a_value("a date"),
    })
}

/// `source` (a version file's text) with the value at the dotted `key` replaced by `version`,
/// everything else kept byte for byte: indentation, quoting, comments, other keys.
///
/// The value must be a scalar on the line of its key (`current_version: "0.6.3"` in YAML,
/// `current_version = "0.6.3"` under `[library]` in TOML), which is how version files that
/// Renovate and people bump are written. The result is read back with the real parser and must
/// give `version` at `key`; `None` when the key cannot be found that way or the check fails,
/// so a file is never rewritten into something else.
///
/// ```
/// use strata_project::version_source::with_version;
///
/// let yaml = "library:\n  name: vllm  # the engine\n  current_version: \"0.6.3\"  # bumped by Renovate\n";
/// assert_eq!(
///     with_version(yaml, false, "library.current_version", &"0.7.0".parse()?).as_deref(),
///     Some("library:\n  name: vllm  # the engine\n  current_version: \"0.7.0\"  # bumped by Renovate\n")
/// );
/// let toml = "[library]\ncurrent_version = '0.6.3'\n";
/// assert_eq!(
///     with_version(toml, true, "library.current_version", &"0.7.0".parse()?).as_deref(),
///     Some("[library]\ncurrent_version = '0.7.0'\n")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_version(source: &str, is_toml: bool, key: &str, version: &Version) -> Option<String> {
    let span = value_span(source, is_toml, key)?;
    let value = &source[span.clone()];
    let quote = value
        .chars()
        .next()
        .filter(|first| *first == '"' || *first == '\'');
    let new_value = match quote {
        Some(quote) => format!("{quote}{version}{quote}"),
        None => version.to_string(),
    };
    let out = format!(
        "{}{new_value}{}",
        &source[..span.start],
        &source[span.end..]
    );
    let check = if is_toml {
        lookup_toml(&out, Path::new("check"), key)
    } else {
        lookup_yaml(&out, Path::new("check"), key)
    };
    match check {
        Ok(Lookup::Found(found))
            if Version::from_str(found.trim()).ok().as_ref() == Some(version) =>
        {
            Some(out)
        }
        _ => None,
    }
}

/// The byte range in `source` of the scalar at the dotted `key`, as written (with its quotes,
/// without a trailing comment), when it sits on its key's line: how [`with_version`] finds what
/// to replace, and how an invalid version is pointed at.
fn value_span(source: &str, is_toml: bool, key: &str) -> Option<std::ops::Range<usize>> {
    let wanted: Vec<&str> = key.split('.').collect();
    // YAML: the mapping keys that enclose the current line, with their indentation.
    let mut enclosing: Vec<(usize, String)> = Vec::new();
    // TOML: the current `[table]`.
    let mut table: Vec<String> = Vec::new();
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let offset = line_start;
        line_start += line.len();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let body = trimmed.trim_end_matches(['\n', '\r']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let (name, separator) = if is_toml {
            if let Some(header) = body.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
                table = header
                    .0
                    .split('.')
                    .map(|part| unquote(part.trim()))
                    .collect();
                continue;
            }
            let Some((name, _)) = body.split_once('=') else {
                continue;
            };
            (name.trim(), '=')
        } else {
            while enclosing.last().is_some_and(|(level, _)| *level >= indent) {
                enclosing.pop();
            }
            let Some((name, _)) = body.split_once(':') else {
                continue;
            };
            (name.trim(), ':')
        };
        let value_start = indent + body.find(separator).map_or(body.len(), |at| at + 1);
        let value_part = &line[value_start..];
        let value = strip_comment(value_part).trim();
        let mut path: Vec<String> = if is_toml {
            table.clone()
        } else {
            enclosing.iter().map(|(_, name)| name.clone()).collect()
        };
        path.extend(name.split('.').map(|part| unquote(part.trim())));
        if !is_toml && value.is_empty() {
            enclosing.push((indent, unquote(name)));
            continue;
        }
        if path.iter().map(String::as_str).eq(wanted.iter().copied()) {
            let start = offset + value_start + value_part.find(value).unwrap_or(0);
            return Some(start..start + value.len());
        }
    }
    None
}

/// A key without its quotes (`"a.b"` and `'a'` in TOML, `"a"` in YAML).
fn unquote(name: &str) -> String {
    name.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// The text before a `#` comment that is not inside quotes.
fn strip_comment(value: &str) -> &str {
    let mut quote: Option<char> = None;
    for (at, character) in value.char_indices() {
        match (quote, character) {
            (None, '"' | '\'') => quote = Some(character),
            (Some(open), close) if open == close => quote = None,
            (None, '#') => return &value[..at],
            _ => {}
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bump(source: &str, is_toml: bool, key: &str, to: &str) -> Option<String> {
        with_version(source, is_toml, key, &Version::from_str(to).unwrap())
    }

    #[test]
    fn a_bump_touches_only_the_value_at_the_key() {
        // The same name in another section, a `#` inside quotes, an unquoted value.
        let yaml = "other:\n  current_version: 1.0\nlibrary:\n  name: \"a#b\" # c\n  current_version: 0.10 # x\n";
        assert_eq!(
            bump(yaml, false, "library.current_version", "0.11").unwrap(),
            "other:\n  current_version: 1.0\nlibrary:\n  name: \"a#b\" # c\n  current_version: 0.11 # x\n"
        );
        // Deeper nesting, and a sibling mapping after it.
        let yaml = "a:\n  b:\n    c: '1.0'\n  d: x\n";
        assert_eq!(
            bump(yaml, false, "a.b.c", "2.0").unwrap(),
            "a:\n  b:\n    c: '2.0'\n  d: x\n"
        );
        // A dotted TOML key at the top level, and a header with quotes.
        let toml = "library.current_version = \"1.0\"\n[\"x\"]\nv = 1\n";
        assert_eq!(
            bump(toml, true, "library.current_version", "1.1").unwrap(),
            "library.current_version = \"1.1\"\n[\"x\"]\nv = 1\n"
        );
        assert_eq!(
            bump(toml, true, "x.v", "2").unwrap(),
            "library.current_version = \"1.0\"\n[\"x\"]\nv = 2\n"
        );
    }

    #[test]
    fn a_key_the_edit_cannot_find_changes_nothing() {
        assert_eq!(
            bump(
                "library:\n  name: vllm\n",
                false,
                "library.current_version",
                "1"
            ),
            None
        );
        // A flow mapping is valid YAML but not a value on its key's line: no guess is written.
        assert_eq!(
            bump(
                "library: {current_version: 1.0}\n",
                false,
                "library.current_version",
                "2"
            ),
            None
        );
    }

    fn read_from(name: &str, contents: &str, key: &str) -> Result<VersionSource, Error> {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join(name), contents).unwrap();
        read("vllm", dir.path(), Path::new(name), key, None, None)
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

    #[test]
    fn a_value_that_is_no_version_is_pointed_at_in_the_version_file() {
        for (name, contents, line) in [
            (
                "v.yaml",
                "other:\n  current_version: 1.0\nlibrary:\n  current_version: latest # x\n",
                4,
            ),
            (
                "v.toml",
                "[library]\nname = \"vllm\"\ncurrent_version = \"latest\"\n",
                3,
            ),
        ] {
            let error = read_from(name, contents, "library.current_version").unwrap_err();
            let ErrorKind::InvalidVersion {
                snippet: Some(snippet),
                ..
            } = error.kind()
            else {
                panic!("{name}: unexpected {error:?}");
            };
            assert_eq!(
                (snippet.path.as_path(), snippet.line),
                (Path::new(name), line)
            );
            assert!(snippet.text.contains("latest"), "{name}: {snippet:?}");
        }
    }

    #[test]
    fn a_key_naming_a_mapping_suggests_the_version_inside_it() {
        let cases = [
            (
                "v.yaml",
                "library:\n  name: vllm\n  current_version: 0.9.2\n",
            ),
            (
                "v.toml",
                "[library]\nname = \"vllm\"\ncurrent_version = \"0.9.2\"\n",
            ),
        ];
        for (name, contents) in cases {
            let error = read_from(name, contents, "library").unwrap_err();
            let ErrorKind::VersionKeyNotAValue {
                keys, suggestion, ..
            } = error.kind()
            else {
                panic!("{name}: unexpected {error:?}")
            };
            assert_eq!(keys, &["name", "current_version"], "{name}");
            assert_eq!(
                suggestion.as_deref(),
                Some("library.current_version"),
                "{name}"
            );
        }
        // A key with no value is there, empty: not "not found".
        let error = read_from(
            "v.yaml",
            "library:\n  current_version:\n",
            "library.current_version",
        )
        .unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::VersionKeyNotAValue {
                    holds: "no value",
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
