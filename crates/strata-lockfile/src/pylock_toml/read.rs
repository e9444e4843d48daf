//! Reading `pylock.toml` back (our own output, and any PEP 751 file with the same fields).

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Deserialize;
use strata_diagnostic::{Diagnostic, Snippet};
use toml::Spanned;

use crate::model::{Lock, LockedFile, LockedPackage};

/// A `pylock.toml` that does not parse or does not follow PEP 751: where, and what is wrong.
///
/// [`read`] takes text, so the error knows the line but not the file; the caller that read the
/// file names it with [`PylockReadError::with_path`], and the error then has a snippet of the
/// line (its [`Diagnostic`] impl).
#[derive(Debug, thiserror::Error)]
#[error("Invalid pylock.toml{}: {reason}", Location(self))]
pub struct PylockReadError {
    /// The file, once the caller names it.
    pub path: Option<PathBuf>,
    /// 1-based line of the fault, when the parser says where it is.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
    /// The line and the characters to underline, its path empty until [`Self::with_path`]
    /// (boxed: the error is the `Err` of every read).
    snippet: Option<Box<Snippet>>,
}

impl PylockReadError {
    /// An error about the whole file.
    fn new(reason: impl Into<String>) -> Self {
        Self {
            path: None,
            line: None,
            reason: reason.into(),
            snippet: None,
        }
    }

    /// An error about the bytes `span` of `text`.
    fn at(text: &str, span: Range<usize>, reason: impl Into<String>) -> Self {
        let snippet = Snippet::from_span(Path::new(""), text, span);
        Self {
            line: Some(snippet.line),
            snippet: Some(Box::new(snippet)),
            ..Self::new(reason)
        }
    }

    /// This error, naming the file it was read from as the user would type it.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        if let Some(snippet) = &mut self.snippet {
            snippet.path.clone_from(&path);
        }
        self.path = Some(path);
        self
    }
}

impl Diagnostic for PylockReadError {
    /// The faulty line, once the file is named.
    fn snippet(&self) -> Option<Snippet> {
        self.path.as_ref().and(self.snippet.as_deref().cloned())
    }
}

/// ` `path` at line N`, as much of it as is known.
struct Location<'a>(&'a PylockReadError);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.0.path {
            write!(f, " `{}`", path.display())?;
        }
        if let Some(line) = self.0.line {
            write!(f, " at line {line}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File {
    lock_version: Spanned<String>,
    #[serde(default)]
    packages: Vec<Spanned<Package>>,
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    strata: Option<StrataTool>,
}

#[derive(Deserialize)]
struct StrataTool {
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Package {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    requires_python: Option<String>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    sdist: Option<Artifact>,
    archive: Option<Artifact>,
    vcs: Option<Vcs>,
    directory: Option<Directory>,
    index: Option<String>,
    marker: Option<Spanned<String>>,
}

/// PEP 751's `[packages.directory]`.
#[derive(Deserialize)]
struct Directory {
    path: String,
    #[serde(default)]
    editable: bool,
}

/// PEP 751's `[packages.vcs]`; only git is written or read.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Vcs {
    r#type: String,
    url: Option<String>,
    requested_revision: Option<String>,
    commit_id: String,
    subdirectory: Option<String>,
}

impl Vcs {
    /// The requirement URL pip installs: `git+<url>@<commit>#subdirectory=<dir>`.
    fn pinned_url(&self) -> Option<String> {
        if self.r#type != "git" {
            return None;
        }
        let mut url = format!("git+{}@{}", self.url.as_deref()?, self.commit_id);
        if let Some(subdirectory) = &self.subdirectory {
            url.push_str("#subdirectory=");
            url.push_str(subdirectory);
        }
        Some(url)
    }
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    url: Option<String>,
    size: Option<u64>,
    hashes: std::collections::BTreeMap<String, String>,
}

/// Parses a `pylock.toml` into a [`Lock`] (without `# via`, which PEP 751 does not record).
pub fn read(text: &str) -> Result<Lock, PylockReadError> {
    let file: File = toml::from_str(text).map_err(|error| match error.span() {
        Some(span) => PylockReadError::at(text, span, error.message()),
        None => PylockReadError::new(error.message()),
    })?;
    if !file.lock_version.get_ref().starts_with("1.") {
        return Err(PylockReadError::at(
            text,
            file.lock_version.span(),
            format!("unsupported lock-version `{}`", file.lock_version.get_ref()),
        ));
    }
    let mut packages = Vec::new();
    for spanned in file.packages {
        let line = text[..spanned.span().start.min(text.len())]
            .matches('\n')
            .count()
            + 1;
        let package = spanned.into_inner();
        let name = PackageName::new(package.name.get_ref().clone())
            .map_err(|error| PylockReadError::at(text, package.name.span(), error.to_string()))?;
        let artifact_file = |artifact: &Artifact, is_wheel: bool| -> Option<LockedFile> {
            let url = artifact.url.clone()?;
            let filename = artifact
                .name
                .clone()
                .unwrap_or_else(|| url.rsplit('/').next().unwrap_or_default().to_string());
            Some(LockedFile {
                filename,
                url,
                size: artifact.size,
                sha256: artifact.hashes.get("sha256")?.clone(),
                is_wheel,
            })
        };
        let mut files: Vec<LockedFile> = package
            .wheels
            .iter()
            .filter_map(|wheel| artifact_file(wheel, true))
            .collect();
        files.extend(
            package
                .sdist
                .as_ref()
                .and_then(|sdist| artifact_file(sdist, false)),
        );
        let version = package
            .version
            .as_ref()
            .map(|version| {
                Version::from_str(version.get_ref()).map_err(|error| {
                    PylockReadError::at(text, version.span(), format!("package `{name}`: {error}"))
                })
            })
            .transpose()?
            .unwrap_or_else(|| Version::new([0]));
        let mut hashes: Vec<String> = files.iter().map(|file| file.sha256.clone()).collect();
        if let Some(archive) = &package.archive {
            hashes.extend(archive.hashes.get("sha256").cloned());
        }
        hashes.sort();
        hashes.dedup();
        let marker = package
            .marker
            .as_ref()
            .map(|marker| {
                strata_dist::parse_marker(marker.get_ref()).map_err(|error| {
                    PylockReadError::at(text, marker.span(), format!("package `{name}`: {error}"))
                })
            })
            .transpose()?
            .unwrap_or_default();
        packages.push(LockedPackage {
            name,
            version,
            extras: BTreeSet::new(),
            url: package
                .archive
                .as_ref()
                .and_then(|archive| archive.url.clone())
                .or_else(|| package.vcs.as_ref().and_then(Vcs::pinned_url))
                .or_else(|| {
                    package
                        .directory
                        .as_ref()
                        .map(|directory| directory.path.clone())
                }),
            hashes,
            via: Vec::new(),
            files,
            requires_python: package.requires_python,
            dependencies: package
                .dependencies
                .iter()
                .filter_map(|dependency| PackageName::new(dependency.name.clone()).ok())
                .collect(),
            index: package.index,
            line: Some(line),
            requested_revision: package
                .vcs
                .as_ref()
                .and_then(|vcs| vcs.requested_revision.clone()),
            editable: package
                .directory
                .as_ref()
                .is_some_and(|directory| directory.editable),
            marker,
        });
    }
    let header = file
        .tool
        .and_then(|tool| tool.strata)
        .and_then(|strata| strata.fingerprint)
        .map(|fingerprint| {
            vec![format!(
                "{}{fingerprint}",
                crate::header::FINGERPRINT_PREFIX
            )]
        })
        .unwrap_or_default();
    Ok(Lock {
        header,
        options: Vec::new(),
        packages,
    })
}
