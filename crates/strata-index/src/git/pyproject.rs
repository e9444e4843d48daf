//! Static metadata from a source tree's `pyproject.toml` `[project]` table (PEP 621), written
//! as core metadata so one parser reads it and a built `METADATA` alike.
//!
//! It is used only when nothing a resolver needs is `dynamic`: the name, the version, the
//! dependencies, the optional dependencies and `requires-python`. Anything else (no
//! `pyproject.toml`, no `[project]`, a dynamic field) is the build backend's to answer.
//!
//! See: <https://packaging.python.org/en/latest/specifications/pyproject-toml/>

use std::fmt::Write as _;
use std::path::Path;

use toml::Value;

/// The fields whose values a resolver reads.
const NEEDED: &[&str] = &[
    "version",
    "dependencies",
    "optional-dependencies",
    "requires-python",
];

/// The core metadata the `[project]` table of `tree/pyproject.toml` states, or `None` when the
/// build backend has to be asked.
///
/// # Errors
///
/// When `pyproject.toml` exists but does not parse, or a field has the wrong type.
pub(super) fn static_metadata(tree: &Path) -> Result<Option<String>, String> {
    let path = tree.join("pyproject.toml");
    let Ok(text) = fs_err::read_to_string(&path) else {
        return Ok(None);
    };
    let document: toml::Table = toml::from_str(&text)
        .map_err(|error| format!("`pyproject.toml` does not parse: {error}"))?;
    let Some(project) = document.get("project").and_then(Value::as_table) else {
        return Ok(None);
    };
    let dynamic = strings(project, "dynamic")?;
    if dynamic.iter().any(|field| NEEDED.contains(&field.as_str())) {
        return Ok(None);
    }
    let (Some(name), Some(version)) = (
        project.get("name").and_then(Value::as_str),
        project.get("version").and_then(Value::as_str),
    ) else {
        return Ok(None);
    };
    let mut out = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    if let Some(requires_python) = project.get("requires-python") {
        let requires_python = requires_python
            .as_str()
            .ok_or("`project.requires-python` must be a string")?;
        let _ = writeln!(out, "Requires-Python: {requires_python}");
    }
    for dependency in strings(project, "dependencies")? {
        let _ = writeln!(out, "Requires-Dist: {dependency}");
    }
    if let Some(optional) = project.get("optional-dependencies") {
        let optional = optional
            .as_table()
            .ok_or("`project.optional-dependencies` must be a table")?;
        for (extra, _) in optional {
            let _ = writeln!(out, "Provides-Extra: {extra}");
            for dependency in strings(optional, extra)? {
                let _ = writeln!(out, "Requires-Dist: {}", with_extra(&dependency, extra));
            }
        }
    }
    Ok(Some(out))
}

/// A list of strings at `key` (empty when absent).
fn strings(table: &toml::Table, key: &str) -> Result<Vec<String>, String> {
    let Some(value) = table.get(key) else {
        return Ok(Vec::new());
    };
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| format!("`{key}` must be a list of strings"))
}

/// `requirement` as a `Requires-Dist` of `extra`: its own marker, if any, and `extra == "x"`.
fn with_extra(requirement: &str, extra: &str) -> String {
    match requirement.split_once(';') {
        Some((requirement, marker)) => {
            format!(
                "{} ; ({}) and extra == \"{extra}\"",
                requirement.trim(),
                marker.trim()
            )
        }
        None => format!("{} ; extra == \"{extra}\"", requirement.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata_of(pyproject: &str) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
        static_metadata(dir.path()).unwrap()
    }

    #[test]
    fn static_project_tables_become_core_metadata() {
        let text = metadata_of(
            "[project]\nname = \"demo\"\nversion = \"1.2\"\nrequires-python = \">=3.9\"\n\
             dependencies = [\"six>=1\"]\n\
             [project.optional-dependencies]\nfast = [\"numpy; python_version >= '3.10'\"]\n",
        )
        .unwrap();
        let metadata = strata_dist::Metadata::parse(text.as_bytes()).unwrap();
        assert_eq!(metadata.name.as_ref(), "demo");
        assert_eq!(metadata.version.to_string(), "1.2");
        assert_eq!(metadata.requires_dist.len(), 2);
        assert_eq!(metadata.provides_extra.len(), 1);
        assert!(metadata.requires_python.is_some());
    }

    #[test]
    fn dynamic_fields_a_resolver_needs_leave_it_to_the_backend() {
        assert!(metadata_of("[project]\nname = \"demo\"\ndynamic = [\"version\"]\n").is_none());
        assert!(
            metadata_of("[project]\nname = \"demo\"\nversion = \"1\"\ndynamic = [\"readme\"]\n")
                .is_some()
        );
    }
}
