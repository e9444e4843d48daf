//! Local directory requirements: `./pkg`, `-e ./pkg`, `name @ ./pkg` in `.in` files and
//! `name @ file:///abs/pkg` wherever PEP 508 allows a URL.
//!
//! Each becomes a requirement whose URL is the directory's absolute `file:` URL (editable ones
//! marked, see [`strata_dist::LocalDirectory`]), with the path as the lock writes it kept as the
//! URL's verbatim text: relative to the project root (`strata lock`) or the current directory
//! (`strata compile`) when it was written relative, absolute when it was written absolute. A
//! relative path is read relative to the file that names it, as pip-tools reads it.
//!
//! What is checked here, where the line is known: that the directory exists, that it is a
//! Python project (`pyproject.toml` or `setup.py`), and that a name written before it agrees
//! with the name the project states (`[project].name`, which PEP 621 forbids to be dynamic, or
//! `setup.cfg`'s `[metadata] name`). The resolver reads the rest of its metadata.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use pep508_rs::{PackageName, Requirement, VerbatimUrl, VersionOrUrl};
use strata_dist::{EDITABLE_FRAGMENT, LocalDirectory};

use crate::error::{Error, ErrorKind, LocalDirectoryProblem, Snippet};
use crate::requirements_in::normalize;

/// A `.in` line that names a local directory outside PEP 508, as `(name, path)`: `./pkg`,
/// `../pkg`, `/abs/pkg`, `file:///abs/pkg` and `name @ ./pkg`. `None` for anything else,
/// including a path to a wheel or sdist (rejected elsewhere) and `name @ file:///...`, which
/// is PEP 508.
pub(crate) fn directory_line(text: &str) -> Option<(Option<&str>, &str)> {
    let (name, target) = match text.split_once(" @ ") {
        Some((name, target)) => (Some(name.trim()), target.trim()),
        None => (None, text.trim()),
    };
    if target.contains("://") && name.is_some() {
        return None;
    }
    let lower = target.to_ascii_lowercase();
    let is_path = target.starts_with(['.', '/']) || lower.starts_with("file:");
    let is_archive = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    (is_path && !is_archive && !target.contains(char::is_whitespace)).then_some((name, target))
}

/// The requirement for the directory `target` (a path or a `file:` URL) named on a line of a
/// file in `base`: checked, named, marked editable when `editable`.
pub(crate) fn directory_requirement(
    name: Option<&str>,
    target: &str,
    editable: bool,
    base: &Path,
    display_root: &Path,
    text: &str,
    snippet: &Snippet,
) -> Result<Requirement, Error> {
    let fail = on_line(text, snippet);
    // `./pkg[extra,other]`, as pip reads extras after a path.
    let (target, extras) = match target
        .strip_suffix(']')
        .and_then(|rest| rest.split_once('['))
    {
        Some((target, extras)) => (target, Some(extras)),
        None => (target, None),
    };
    let (path, written_absolute) = if target.to_ascii_lowercase().starts_with("file:") {
        let url = url::Url::parse(target)
            .ok()
            .and_then(|url| url.to_file_path().ok())
            .ok_or_else(|| {
                fail(LocalDirectoryProblem::Missing {
                    path: PathBuf::from(target),
                })
            })?;
        (url, true)
    } else {
        let path = Path::new(target);
        (base.join(path), path.is_absolute())
    };
    let path = normalize(&std::path::absolute(&path).unwrap_or(path));
    let given = if written_absolute {
        path.display().to_string()
    } else {
        let root = normalize(&std::path::absolute(display_root).unwrap_or_default());
        strata_dist::directory_as_written(&relative(&root, &path))
    };
    let Some(name) = agreed_name(&path, name).map_err(&fail)? else {
        return Err(fail(LocalDirectoryProblem::Unnamed { path }));
    };
    let mut url = url::Url::from_directory_path(&path)
        .or_else(|()| url::Url::from_file_path(&path))
        .map_err(|()| fail(LocalDirectoryProblem::Missing { path: path.clone() }))?;
    // `from_directory_path` ends the path in `/`; pip and `direct_url.json` write none.
    if url.path().len() > 1 && url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_string();
        url.set_path(&trimmed);
    }
    if editable {
        url.set_fragment(Some(EDITABLE_FRAGMENT));
    }
    let extras = extras
        .map(|extras| format!("[{extras}]"))
        .unwrap_or_default();
    let mut requirement =
        Requirement::from_str(&format!("{name}{extras} @ {url}")).map_err(|error| {
            ErrorKind::InvalidRequirement {
                requirement: text.to_string(),
                message: error.message.to_string(),
                snippet: snippet.clone(),
            }
        })?;
    requirement.version_or_url = Some(VersionOrUrl::Url(
        VerbatimUrl::from_url(url).with_given(given),
    ));
    Ok(requirement)
}

/// Checks a PEP 508 requirement whose URL names a local directory (`name @ file:///abs/pkg`):
/// the directory exists, is a project, and its name agrees. Keeps the path as its verbatim
/// text, for the lock.
pub(crate) fn checked(
    mut requirement: Requirement,
    text: &str,
    snippet: &Snippet,
) -> Result<Requirement, Error> {
    let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url else {
        return Ok(requirement);
    };
    let Some(directory) = LocalDirectory::from_url(url) else {
        return Ok(requirement);
    };
    let fail = on_line(text, snippet);
    agreed_name(&directory.path, Some(requirement.name.as_ref())).map_err(fail)?;
    let url = url.to_url();
    requirement.version_or_url = Some(VersionOrUrl::Url(
        VerbatimUrl::from_url(url).with_given(directory.path.display().to_string()),
    ));
    Ok(requirement)
}

/// `requirement` as a person reads it: a local directory as it was written, with the name its
/// line does not show (`-e ./pkg (name)`, `./pkg (name)`), not as its internal `file:` URL;
/// anything else as PEP 508.
pub fn display_requirement(requirement: &Requirement) -> String {
    let written = written_requirement(requirement);
    if is_local_directory(requirement) {
        format!("{written} ({})", requirement.name)
    } else {
        written
    }
}

/// `requirement` as a requirements file writes it: a local directory as it was written
/// (`-e ./pkg`, `./pkg[extra]`), anything else as PEP 508.
pub fn written_requirement(requirement: &Requirement) -> String {
    let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url else {
        return requirement.to_string();
    };
    let Some(directory) = LocalDirectory::from_url(url) else {
        return requirement.to_string();
    };
    let path = url
        .given()
        .map_or_else(|| directory.path.display().to_string(), str::to_string);
    let editable = if directory.editable { "-e " } else { "" };
    let extras = if requirement.extras.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = requirement.extras.iter().map(ToString::to_string).collect();
        format!("[{}]", names.join(","))
    };
    format!("{editable}{path}{extras}")
}

fn is_local_directory(requirement: &Requirement) -> bool {
    matches!(&requirement.version_or_url, Some(VersionOrUrl::Url(url)) if LocalDirectory::from_url(url).is_some())
}

/// Turns a problem with the directory a line names into the error for that line.
fn on_line<'a>(
    text: &'a str,
    snippet: &'a Snippet,
) -> impl Fn(LocalDirectoryProblem) -> Error + 'a {
    move |problem| {
        ErrorKind::LocalDirectory {
            problem,
            text: text.to_string(),
            snippet: snippet.clone(),
        }
        .into()
    }
}

/// The name of the project in `path` ([`check`]ed): the `written` one, which must agree with
/// the one the project states, else the stated one; `None` when neither says.
fn agreed_name(
    path: &Path,
    written: Option<&str>,
) -> Result<Option<String>, LocalDirectoryProblem> {
    let found = check(path)?;
    match (written, found) {
        (Some(written), Some(found)) => {
            if PackageName::from_str(written).ok() != PackageName::from_str(&found).ok() {
                return Err(LocalDirectoryProblem::NameMismatch {
                    written: written.to_string(),
                    found,
                });
            }
            Ok(Some(written.to_string()))
        }
        (written, found) => Ok(written.map(str::to_string).or(found)),
    }
}

/// Checks that `path` is a Python project; its name when it states one.
fn check(path: &Path) -> Result<Option<String>, LocalDirectoryProblem> {
    if !path.is_dir() {
        return Err(LocalDirectoryProblem::Missing {
            path: path.to_path_buf(),
        });
    }
    let pyproject = path.join("pyproject.toml");
    if !pyproject.is_file() && !path.join("setup.py").is_file() {
        return Err(LocalDirectoryProblem::NotAProject {
            path: path.to_path_buf(),
        });
    }
    let from_pyproject = fs_err::read_to_string(&pyproject)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|table| {
            table
                .get("project")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        });
    Ok(from_pyproject.or_else(|| setup_cfg_name(path)))
}

/// `name` of `setup.cfg`'s `[metadata]` section, as setuptools reads it.
fn setup_cfg_name(path: &Path) -> Option<String> {
    let text = fs_err::read_to_string(path.join("setup.cfg")).ok()?;
    let mut in_metadata = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_metadata = line == "[metadata]";
        } else if in_metadata
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            return Some(value.trim().to_string()).filter(|name| !name.is_empty());
        }
    }
    None
}

/// `to` relative to `from`, both absolute and normalized (`../lib/x` when outside it).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_relative_to_the_root_with_a_leading_dot() {
        let root = Path::new("/p");
        assert_eq!(
            strata_dist::directory_as_written(&relative(root, Path::new("/p/pkg"))),
            "./pkg"
        );
        assert_eq!(
            strata_dist::directory_as_written(&relative(root, Path::new("/p"))),
            "."
        );
        assert_eq!(
            strata_dist::directory_as_written(&relative(root, Path::new("/lib/x"))),
            "../lib/x"
        );
    }

    #[test]
    fn directory_lines_are_told_from_archives_and_urls() {
        assert_eq!(directory_line("./pkg"), Some((None, "./pkg")));
        assert_eq!(directory_line("x @ ../x"), Some((Some("x"), "../x")));
        assert_eq!(
            directory_line("file:///src/x"),
            Some((None, "file:///src/x"))
        );
        assert_eq!(directory_line("x @ file:///src/x"), None);
        assert_eq!(directory_line("../dist/x-1.0-py3-none-any.whl"), None);
        assert_eq!(directory_line("numpy>=1"), None);
    }
}
