//! A source distribution's static metadata, when it can stand in for the built wheel's
//! `METADATA` without running the build backend.
//!
//! An sdist is a `.tar.gz` (the only format PEP 625 keeps; older ones are `.zip`, rarely
//! `.tar.bz2`) holding one top-level directory `{name}-{version}/` with a `PKG-INFO` core metadata
//! file and, for most projects, a `pyproject.toml`. Build tools also write `*.egg-info/PKG-INFO`
//! deeper in the tree (often with different contents), so only files exactly one level deep
//! count. The rules are uv's, so that what uv resolves without a build strata does too:
//!
//! 1. **`pyproject.toml`'s `[project]` table** (PEP 621), when it names the project and none of
//!    `dependencies`, `optional-dependencies` and `requires-python` is listed in `dynamic`
//!    (a dynamic `version` is fine: the sdist's filename fixes it). A missing `dependencies`
//!    not declared dynamic means none, except beside `[tool.poetry]`, whose projects declare
//!    them there. This rung does not look at `PKG-INFO`'s Metadata-Version at all.
//! 2. **`PKG-INFO`**, when its Metadata-Version is 2.2 or later (and below 3.0): PEP 643 made
//!    the promise that a field not listed in `Dynamic` has the same value in every wheel built
//!    from the sdist, and `Requires-Dist`, `Requires-Python` and `Provides-Extra` are not
//!    listed. As in uv, the field names in `Dynamic` are compared exactly (see
//!    [`Metadata::is_static_for_sdist`]): setuptools 75.8 and later write `Dynamic: requires-dist`
//!    (lowercase) for every field a `setup.py` passes, literal or not, and reading that as dynamic
//!    would build every such sdist (flash-attn's build needs torch, and fails without it).
//!
//! Either must name the sdist's package and version (a local label the filename lacks
//! aside); one that does not is ignored, and the caller builds (see `strata_build::build_metadata`), as it
//! does when neither rung applies.
//!
//! The archive is streamed from disk: a tar is read entry by entry through the gzip decoder, and
//! a zip is read through its central directory, so a large sdist never sits in memory.
//! `.tar.bz2` and `.tar.xz` are not read here (no decoder is linked for them): the answer is
//! "build", whose unpacker handles them.
//!
//! See: <https://peps.python.org/pep-0643/>, <https://peps.python.org/pep-0621/>,
//! <https://packaging.python.org/en/latest/specifications/source-distribution-format/>

use std::fmt::Write as _;
use std::io::{BufReader, Read};
use std::path::{Component, Path};
use std::str::FromStr;

use flate2::read::GzDecoder;
use pep508_rs::{ExtraName, MarkerTree};

use strata_dist::{Metadata, SourceDistExtension, SourceDistFilename};

use crate::error::{Error, ErrorKind};

/// A `PKG-INFO` or `pyproject.toml` larger than this is not metadata anyone meant.
const MAX_PKG_INFO_SIZE: u64 = 16 * 1024 * 1024;

/// The top-level files the rules read.
#[derive(Default)]
struct TopLevel {
    pkg_info: Option<Vec<u8>>,
    pyproject: Option<Vec<u8>>,
}

/// The sdist's static metadata, from `pyproject.toml` or `PKG-INFO` (see the module
/// documentation).
///
/// `Ok(None)` means "build it": neither rung applies, or what it says names another package or
/// version, or the archive format is read only by the build. An unreadable archive is an error.
pub(crate) fn static_metadata(
    path: &Path,
    sdist: &SourceDistFilename,
) -> Result<Option<Metadata>, Error> {
    let files = match sdist.extension() {
        SourceDistExtension::TarGz => tar_gz_top_level(path, sdist)?,
        SourceDistExtension::Zip => zip_top_level(path, sdist)?,
        SourceDistExtension::TarBz2 | SourceDistExtension::TarXz => return Ok(None),
    };
    let from_pyproject = files
        .pyproject
        .as_deref()
        .and_then(|text| pyproject_metadata(text, sdist));
    let from_pkg_info = || {
        files
            .pkg_info
            .as_deref()
            .and_then(|text| Metadata::parse(text).ok())
            .filter(Metadata::is_static_for_sdist)
    };
    Ok(from_pyproject
        .filter(|metadata| describes(metadata, sdist))
        .or_else(|| from_pkg_info().filter(|metadata| describes(metadata, sdist))))
}

/// Whether `metadata` is that of the sdist's package and version.
fn describes(metadata: &Metadata, sdist: &SourceDistFilename) -> bool {
    metadata.name == *sdist.name()
        && (metadata.version == *sdist.version()
            || metadata.version.clone().without_local() == *sdist.version())
}

/// The metadata `[project]` declares statically, as core metadata; `None` when the table is
/// missing, incomplete or dynamic where resolution looks.
fn pyproject_metadata(text: &[u8], sdist: &SourceDistFilename) -> Option<Metadata> {
    #[derive(serde::Deserialize)]
    struct PyProject {
        project: Option<Project>,
        tool: Option<Tool>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Project {
        name: Option<String>,
        version: Option<String>,
        requires_python: Option<String>,
        dependencies: Option<Vec<String>>,
        optional_dependencies: Option<toml::Table>,
        dynamic: Option<Vec<String>>,
    }
    #[derive(serde::Deserialize)]
    struct Tool {
        poetry: Option<toml::Value>,
    }

    let pyproject: PyProject = toml::from_str(std::str::from_utf8(text).ok()?).ok()?;
    let project = pyproject.project?;
    let dynamic = project.dynamic.unwrap_or_default();
    if dynamic.iter().any(|field| {
        ["dependencies", "optional-dependencies", "requires-python"].contains(&field.as_str())
    }) {
        return None;
    }
    let poetry = pyproject.tool.is_some_and(|tool| tool.poetry.is_some());
    if project.dependencies.is_none() && poetry {
        return None;
    }
    // Every value is written back from its parsed form, so none can carry a line break that
    // would end its header early and smuggle in another.
    let name = pep508_rs::PackageName::from_str(&project.name?).ok()?;
    let version = match project.version {
        Some(version) => pep440_rs::Version::from_str(&version).ok()?,
        None => sdist.version().clone(),
    };
    let mut core = format!("Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n");
    if let Some(requires_python) = project.requires_python {
        let (specifiers, _) = strata_dist::parse_specifiers_lenient(&requires_python).ok()?;
        let _ = writeln!(core, "Requires-Python: {specifiers}");
    }
    for dependency in project.dependencies.unwrap_or_default() {
        let (requirement, _) = strata_dist::parse_requirement_lenient(&dependency).ok()?;
        let _ = writeln!(core, "Requires-Dist: {requirement}");
    }
    for (extra, requirements) in project.optional_dependencies.unwrap_or_default() {
        let extra = ExtraName::from_str(&extra).ok()?;
        let _ = writeln!(core, "Provides-Extra: {extra}");
        let marker = MarkerTree::from_str(&format!("extra == \"{extra}\"")).ok()?;
        for requirement in requirements.as_array()? {
            let (mut requirement, _) =
                strata_dist::parse_requirement_lenient(requirement.as_str()?).ok()?;
            requirement.marker.and(marker.clone());
            let _ = writeln!(core, "Requires-Dist: {requirement}");
        }
    }
    Metadata::parse(core.as_bytes()).ok()
}

/// The name of an archive member that sits directly in the single top-level directory.
fn top_level_name(path: &Path) -> Option<&str> {
    let mut components = path
        .components()
        .filter(|component| !matches!(component, Component::CurDir));
    match (components.next(), components.next(), components.next()) {
        (Some(Component::Normal(_)), Some(Component::Normal(file)), None) => file.to_str(),
        _ => None,
    }
}

impl TopLevel {
    /// Where a member named `name` goes, if the rules read it.
    fn slot(&mut self, name: &str) -> Option<&mut Option<Vec<u8>>> {
        match name {
            "PKG-INFO" => Some(&mut self.pkg_info),
            "pyproject.toml" => Some(&mut self.pyproject),
            _ => None,
        }
    }

    fn complete(&self) -> bool {
        self.pkg_info.is_some() && self.pyproject.is_some()
    }
}

fn tar_gz_top_level(path: &Path, sdist: &SourceDistFilename) -> Result<TopLevel, Error> {
    let file = open(path)?;
    let mut archive = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let unreadable = |error: std::io::Error| {
        metadata_error(sdist, format!("the archive cannot be read: {error}"))
    };
    let mut files = TopLevel::default();
    for entry in archive.entries().map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .ok()
            .and_then(|member| top_level_name(&member).map(str::to_string));
        if let Some(slot) = name.and_then(|name| files.slot(&name))
            && slot.is_none()
        {
            *slot = Some(read_limited(entry, sdist)?);
            if files.complete() {
                break;
            }
        }
    }
    Ok(files)
}

fn zip_top_level(path: &Path, sdist: &SourceDistFilename) -> Result<TopLevel, Error> {
    let file = open(path)?;
    let unreadable = |error: zip::result::ZipError| {
        metadata_error(sdist, format!("the archive cannot be read: {error}"))
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(unreadable)?;
    let members: Vec<(usize, String)> = archive
        .file_names_raw()
        .enumerate()
        .filter_map(|(index, name)| {
            let name = std::str::from_utf8(name).ok()?;
            Some((index, top_level_name(Path::new(name))?.to_string()))
        })
        .collect();
    let mut files = TopLevel::default();
    for (index, name) in members {
        if let Some(slot) = files.slot(&name)
            && slot.is_none()
        {
            let entry = archive.by_index(index).map_err(unreadable)?;
            *slot = Some(read_limited(entry, sdist)?);
        }
    }
    Ok(files)
}

fn read_limited(reader: impl Read, sdist: &SourceDistFilename) -> Result<Vec<u8>, Error> {
    let mut content = Vec::new();
    reader
        .take(MAX_PKG_INFO_SIZE)
        .read_to_end(&mut content)
        .map_err(|error| metadata_error(sdist, format!("failed to read a member: {error}")))?;
    Ok(content)
}

fn open(path: &Path) -> Result<fs_err::File, Error> {
    fs_err::File::open(path).map_err(|source| {
        ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

fn metadata_error(sdist: &SourceDistFilename, reason: String) -> Error {
    ErrorKind::Metadata {
        filename: sdist.to_string(),
        reason,
        origin: None,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use pep508_rs::PackageName;
    use zip::write::SimpleFileOptions;

    use super::*;

    fn pkg_info_text(metadata_version: &str, dynamic: &[&str]) -> String {
        let mut text = format!(
            "Metadata-Version: {metadata_version}\nName: Foo.Bar\nVersion: 1.0\nRequires-Dist: numpy>=1.26\n"
        );
        for field in dynamic {
            text.push_str("Dynamic: ");
            text.push_str(field);
            text.push('\n');
        }
        text
    }

    fn filename(extension: &str) -> SourceDistFilename {
        SourceDistFilename::parse(
            &format!("foo_bar-1.0{extension}"),
            &PackageName::new("foo-bar".to_string()).unwrap(),
        )
        .unwrap()
    }

    fn write_tar_gz(path: &Path, files: &[(&str, &str)]) {
        let encoder = GzEncoder::new(fs_err::File::create(path).unwrap(), Compression::default());
        let mut archive = tar::Builder::new(encoder);
        for (name, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            archive
                .append_data(&mut header, name, content.as_bytes())
                .unwrap();
        }
        archive.into_inner().unwrap().finish().unwrap();
    }

    fn write_zip(path: &Path, files: &[(&str, &str)]) {
        let mut archive = zip::ZipWriter::new(fs_err::File::create(path).unwrap());
        for (name, content) in files {
            archive
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            archive.write_all(content.as_bytes()).unwrap();
        }
        archive.finish().unwrap();
    }

    /// Writes the sdist as `.tar.gz` and `.zip` and reads both.
    fn read_both(files: &[(&str, &str)]) -> Vec<Result<Option<Metadata>, Error>> {
        let directory = tempfile::tempdir().unwrap();
        [".tar.gz", ".zip"]
            .into_iter()
            .map(|extension| {
                let path = directory.path().join(format!("foo_bar-1.0{extension}"));
                if extension == ".zip" {
                    write_zip(&path, files);
                } else {
                    write_tar_gz(&path, files);
                }
                static_metadata(&path, &filename(extension))
            })
            .collect()
    }

    #[test]
    fn static_pkg_info_is_used() {
        let text = pkg_info_text("2.2", &["Description"]);
        for result in read_both(&[
            ("foo_bar-1.0/setup.py", ""),
            ("foo_bar-1.0/PKG-INFO", &text),
        ]) {
            let metadata = result.unwrap().unwrap();
            assert_eq!(metadata.requires_dist[0].to_string(), "numpy>=1.26");
        }
    }

    #[test]
    fn dynamic_or_old_pkg_info_means_build() {
        let cases = [
            pkg_info_text("2.2", &["Requires-Dist"]),
            pkg_info_text("2.4", &["Requires-Python"]),
            pkg_info_text("2.1", &[]),
        ];
        for text in &cases {
            for result in read_both(&[("foo_bar-1.0/PKG-INFO", text)]) {
                assert!(result.unwrap().is_none(), "{text}");
            }
        }
    }

    #[test]
    fn nested_egg_info_pkg_info_is_ignored() {
        let text = pkg_info_text("2.2", &[]);
        for result in read_both(&[
            ("foo_bar-1.0/foo_bar.egg-info/PKG-INFO", &text),
            ("foo_bar-1.0/src/foo_bar.egg-info/PKG-INFO", &text),
            ("PKG-INFO", &text),
        ]) {
            assert!(result.unwrap().is_none());
        }
    }

    #[test]
    fn pkg_info_of_another_package_or_version_means_build() {
        for text in [
            pkg_info_text("2.2", &[]).replace("Name: Foo.Bar", "Name: other"),
            pkg_info_text("2.2", &[]).replace("Version: 1.0", "Version: 1.1"),
        ] {
            for result in read_both(&[("foo_bar-1.0/PKG-INFO", &text)]) {
                assert!(result.unwrap().is_none(), "{text}");
            }
        }
    }

    #[test]
    fn static_project_table_is_used_whatever_pkg_info_says() {
        let pyproject = r#"
[build-system]
requires = ["setuptools"]

[project]
name = "foo-bar"
dynamic = ["version", "readme"]
requires-python = ">=3.9"
dependencies = ["numpy>=1.26", "torch; sys_platform == 'linux'"]

[project.optional-dependencies]
dev = ["pytest>=8; python_version >= '3.10'"]
"#;
        let old = pkg_info_text("2.1", &[]);
        for result in read_both(&[
            ("foo_bar-1.0/PKG-INFO", &old),
            ("foo_bar-1.0/pyproject.toml", pyproject),
        ]) {
            let metadata = result.unwrap().unwrap();
            let requires: Vec<String> = metadata
                .requires_dist
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(
                requires,
                [
                    "numpy>=1.26",
                    "torch ; sys_platform == 'linux'",
                    "pytest>=8 ; python_full_version >= '3.10' and extra == 'dev'",
                ]
            );
            assert_eq!(metadata.provides_extra[0].as_ref(), "dev");
            assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.9");
            assert_eq!(metadata.version.to_string(), "1.0");
        }
    }

    #[test]
    fn dynamic_or_incomplete_project_table_falls_back_to_pkg_info() {
        let tables = [
            "[project]\nname = \"foo-bar\"\ndynamic = [\"dependencies\"]\n",
            "[project]\nname = \"foo-bar\"\ndynamic = [\"optional-dependencies\"]\n",
            "[project]\nname = \"foo-bar\"\ndynamic = [\"requires-python\"]\n",
            "[project]\nname = \"foo-bar\"\n\n[tool.poetry]\nname = \"foo-bar\"\n",
            "[project]\ndependencies = []\n",
            "[project]\nname = \"other\"\ndependencies = []\n",
        ];
        let old = pkg_info_text("2.1", &[]);
        let new = pkg_info_text("2.2", &[]);
        for table in tables {
            for result in read_both(&[
                ("foo_bar-1.0/PKG-INFO", &old),
                ("foo_bar-1.0/pyproject.toml", table),
            ]) {
                assert!(result.unwrap().is_none(), "{table}");
            }
            for result in read_both(&[
                ("foo_bar-1.0/PKG-INFO", &new),
                ("foo_bar-1.0/pyproject.toml", table),
            ]) {
                let metadata = result.unwrap().unwrap();
                assert_eq!(
                    metadata.requires_dist[0].to_string(),
                    "numpy>=1.26",
                    "{table}"
                );
            }
        }
    }

    #[test]
    fn corrupt_archive_is_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("foo_bar-1.0.tar.gz");
        fs_err::write(&path, b"not gzip at all").unwrap();
        insta::assert_snapshot!(
            static_metadata(&path, &filename(".tar.gz")).unwrap_err(),
            @"Failed to get metadata of `foo-bar-1.0.tar.gz`: the archive cannot be read: invalid gzip header"
        );
    }

    #[test]
    fn member_paths_are_classified() {
        let cases = [
            ("foo-1.0/PKG-INFO", Some("PKG-INFO")),
            ("./foo-1.0/pyproject.toml", Some("pyproject.toml")),
            ("PKG-INFO", None),
            ("foo-1.0/foo.egg-info/PKG-INFO", None),
        ];
        for (path, expected) in cases {
            assert_eq!(top_level_name(Path::new(path)), expected, "{path}");
        }
    }
}
