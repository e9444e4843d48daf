//! A source distribution's `PKG-INFO`, when it can stand in for the built wheel's `METADATA`.
//!
//! An sdist is a `.tar.gz` (the only format PEP 625 keeps; older ones are `.zip`, rarely
//! `.tar.bz2`) holding one top-level directory `{name}-{version}/` with a `PKG-INFO` core metadata
//! file. Build tools also write `*.egg-info/PKG-INFO` deeper in the tree (often with different
//! contents), so only the file exactly one level deep counts. Before Metadata-Version 2.2 nothing
//! promised that `PKG-INFO` matched what a build produces, and setuptools still computes
//! `install_requires` in `setup.py`; PEP 643 made the promise explicit: from 2.2 on, a field not
//! listed in `Dynamic` has the same value in every wheel built from the sdist. So the file is
//! used only when [`Metadata::is_static_for_sdist`] holds (2.2+, no resolution field dynamic);
//! otherwise the caller builds the metadata (see [`super::build`]).
//!
//! The archive is streamed from disk: a tar is read entry by entry through the gzip decoder, and
//! a zip is read through its central directory, so a large sdist never sits in memory. A
//! `.tar.gz` whose `PKG-INFO` comes first (setuptools and hatchling put it near the start) is
//! answered after inflating a few KB. `.tar.bz2` and `.tar.xz` are not read here (no decoder is
//! linked for them): the answer is "build", whose unpacker handles them.
//!
//! See: <https://peps.python.org/pep-0643/>,
//! <https://packaging.python.org/en/latest/specifications/source-distribution-format/>

use std::io::{BufReader, Read};
use std::path::{Component, Path};

use flate2::read::GzDecoder;

use strata_dist::{Metadata, SourceDistExtension, SourceDistFilename};

use crate::error::{Error, ErrorKind};

/// A `PKG-INFO` larger than this is not metadata anyone meant.
const MAX_PKG_INFO_SIZE: u64 = 16 * 1024 * 1024;

/// The sdist's top-level `PKG-INFO`, parsed, when its metadata is static under PEP 643.
///
/// `Ok(None)` means "build it": no top-level `PKG-INFO`, one that does not parse, one older than
/// Metadata-Version 2.2 or with a dynamic resolution field, or an archive format read only by the
/// build. An unreadable archive, or a `PKG-INFO` that names another package or version than the
/// filename, is an error.
pub(crate) fn pkg_info(path: &Path, sdist: &SourceDistFilename) -> Result<Option<Metadata>, Error> {
    let content = match sdist.extension() {
        SourceDistExtension::TarGz => tar_gz_pkg_info(path, sdist)?,
        SourceDistExtension::Zip => zip_pkg_info(path, sdist)?,
        SourceDistExtension::TarBz2 | SourceDistExtension::TarXz => None,
    };
    let Some(content) = content else {
        return Ok(None);
    };
    let Ok(metadata) = Metadata::parse(&content) else {
        return Ok(None);
    };
    if !metadata.is_static_for_sdist() {
        return Ok(None);
    }
    if metadata.name != *sdist.name() || metadata.version != *sdist.version() {
        return Err(metadata_error(
            sdist,
            format!(
                "its `PKG-INFO` describes `{}` `{}`",
                metadata.name, metadata.version
            ),
        ));
    }
    Ok(Some(metadata))
}

/// Whether an archive member path is `<one directory>/PKG-INFO`.
fn is_top_level_pkg_info(path: &Path) -> bool {
    let mut components = path
        .components()
        .filter(|component| !matches!(component, Component::CurDir));
    matches!(
        (components.next(), components.next(), components.next()),
        (Some(Component::Normal(_)), Some(Component::Normal(file)), None) if file == "PKG-INFO"
    )
}

fn tar_gz_pkg_info(path: &Path, sdist: &SourceDistFilename) -> Result<Option<Vec<u8>>, Error> {
    let file = open(path)?;
    let mut archive = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let unreadable = |error: std::io::Error| {
        metadata_error(sdist, format!("the archive cannot be read: {error}"))
    };
    for entry in archive.entries().map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let is_pkg_info = entry
            .path()
            .is_ok_and(|member| is_top_level_pkg_info(&member));
        if is_pkg_info {
            return read_limited(entry, sdist).map(Some);
        }
    }
    Ok(None)
}

fn zip_pkg_info(path: &Path, sdist: &SourceDistFilename) -> Result<Option<Vec<u8>>, Error> {
    let file = open(path)?;
    let unreadable = |error: zip::result::ZipError| {
        metadata_error(sdist, format!("the archive cannot be read: {error}"))
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(unreadable)?;
    let index = archive.file_names_raw().position(|name| {
        std::str::from_utf8(name).is_ok_and(|name| is_top_level_pkg_info(Path::new(name)))
    });
    let Some(index) = index else {
        return Ok(None);
    };
    let entry = archive.by_index(index).map_err(unreadable)?;
    read_limited(entry, sdist).map(Some)
}

fn read_limited(reader: impl Read, sdist: &SourceDistFilename) -> Result<Vec<u8>, Error> {
    let mut content = Vec::new();
    reader
        .take(MAX_PKG_INFO_SIZE)
        .read_to_end(&mut content)
        .map_err(|error| metadata_error(sdist, format!("failed to read `PKG-INFO`: {error}")))?;
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
                pkg_info(&path, &filename(extension))
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
            pkg_info_text("2.4", &["requires-python"]),
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
    fn pkg_info_of_another_package_is_an_error() {
        let text = pkg_info_text("2.2", &[]).replace("Name: Foo.Bar", "Name: other");
        let [tar_gz, zip] = <[_; 2]>::try_from(read_both(&[("foo_bar-1.0/PKG-INFO", &text)]))
            .unwrap_or_else(|_| unreachable!());
        insta::assert_snapshot!(
            tar_gz.unwrap_err(),
            @"Failed to get metadata of `foo-bar-1.0.tar.gz`: its `PKG-INFO` describes `other` `1.0`"
        );
        insta::assert_snapshot!(
            zip.unwrap_err(),
            @"Failed to get metadata of `foo-bar-1.0.zip`: its `PKG-INFO` describes `other` `1.0`"
        );
    }

    #[test]
    fn corrupt_archive_is_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("foo_bar-1.0.tar.gz");
        fs_err::write(&path, b"not gzip at all").unwrap();
        insta::assert_snapshot!(
            pkg_info(&path, &filename(".tar.gz")).unwrap_err(),
            @"Failed to get metadata of `foo-bar-1.0.tar.gz`: the archive cannot be read: invalid gzip header"
        );
    }

    #[test]
    fn member_paths_are_classified() {
        let cases = [
            ("foo-1.0/PKG-INFO", true),
            ("./foo-1.0/PKG-INFO", true),
            ("PKG-INFO", false),
            ("foo-1.0/foo.egg-info/PKG-INFO", false),
            ("foo-1.0/PKG-INFO.txt", false),
        ];
        for (path, expected) in cases {
            assert_eq!(is_top_level_pkg_info(Path::new(path)), expected, "{path}");
        }
    }
}
