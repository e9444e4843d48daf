//! Reading `pylock.toml` back (our own output, and any PEP 751 file with the same fields).

use std::collections::BTreeSet;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Deserialize;

use crate::model::{Lock, LockedFile, LockedPackage};

/// A `pylock.toml` that does not parse or does not follow PEP 751.
#[derive(Debug, thiserror::Error)]
#[error("Invalid pylock.toml: {0}")]
pub struct PylockReadError(String);

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File {
    lock_version: String,
    #[serde(default)]
    packages: Vec<toml::Spanned<Package>>,
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
    name: String,
    version: Option<String>,
    requires_python: Option<String>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    sdist: Option<Artifact>,
    archive: Option<Artifact>,
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
    let file: File = toml::from_str(text).map_err(|error| PylockReadError(error.to_string()))?;
    if !file.lock_version.starts_with("1.") {
        return Err(PylockReadError(format!(
            "unsupported lock-version `{}`",
            file.lock_version
        )));
    }
    let mut packages = Vec::new();
    for spanned in file.packages {
        let line = text[..spanned.span().start.min(text.len())]
            .matches('\n')
            .count()
            + 1;
        let package = spanned.into_inner();
        let name = PackageName::new(package.name.clone())
            .map_err(|error| PylockReadError(error.to_string()))?;
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
            .as_deref()
            .map(Version::from_str)
            .transpose()
            .map_err(|error| PylockReadError(format!("package `{name}`: {error}")))?
            .unwrap_or_else(|| Version::new([0]));
        let mut hashes: Vec<String> = files.iter().map(|file| file.sha256.clone()).collect();
        if let Some(archive) = &package.archive {
            hashes.extend(archive.hashes.get("sha256").cloned());
        }
        hashes.sort();
        hashes.dedup();
        packages.push(LockedPackage {
            name,
            version,
            extras: BTreeSet::new(),
            url: package
                .archive
                .as_ref()
                .and_then(|archive| archive.url.clone()),
            hashes,
            via: Vec::new(),
            files,
            requires_python: package.requires_python,
            dependencies: package
                .dependencies
                .iter()
                .filter_map(|dependency| PackageName::new(dependency.name.clone()).ok())
                .collect(),
            line: Some(line),
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
    Ok(Lock { header, packages })
}
