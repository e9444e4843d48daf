//! Checks of what a backend wrote, before anything reaches the output directory: a
//! distribution whose file name, metadata and contents disagree installs wrongly or not at all,
//! and pip notices only at install time (a bad `RECORD` hash) or never (a wheel named for one
//! version holding the metadata of another).
//!
//! A wheel (PEP 427, the binary distribution format specification) must parse as a file name,
//! hold exactly one top-level `{name}-{version}.dist-info` directory with `METADATA` (which
//! parses, and names the file name's project and version), `WHEEL` and `RECORD`; `RECORD` lists
//! every file of the archive with its `sha256` (or stronger) digest and size, except itself
//! (and its signatures), and every digest is right. An sdist (PEP 625, the source distribution
//! format specification) is a `{name}-{version}.tar.gz` with `{name}-{version}/PKG-INFO` that
//! parses and names the same project and version.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use base64::Engine as _;
use flate2::read::GzDecoder;
use pep440_rs::Version;
use pep508_rs::PackageName;
use sha2::{Digest, Sha256, Sha384, Sha512};
use strata_dist::{Metadata, SourceDistFilename, WheelFilename};

use crate::error::{Error, ErrorKind, io_error};

/// A distribution that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Its file name.
    pub filename: String,
    /// The project it is a distribution of, normalized.
    pub name: PackageName,
    /// Its version.
    pub version: Version,
    /// The sha256 of the file, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a distribution must be of: the project's static name and version, when it has them.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// `[project].name`.
    pub name: Option<PackageName>,
    /// `[project].version`, unless dynamic.
    pub version: Option<Version>,
}

/// Checks the wheel at `path` (see the module documentation).
///
/// # Errors
///
/// [`ErrorKind::Artifact`] naming the first problem found, or [`ErrorKind::Io`].
pub fn wheel(path: &Path, expected: &Expected) -> Result<Checked, Error> {
    let filename = file_name(path);
    let bad = artifact_error(&filename);
    let parsed = WheelFilename::parse(&filename).map_err(|error| bad(error.to_string()))?;
    let file = fs_err::File::open(path).map_err(|source| io_error(path, source))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|error| bad(format!("not a zip archive: {error}")))?;

    let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|error| bad(format!("unreadable archive member: {error}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|error| bad(format!("unreadable member name: {error}")))?
            .into_owned();
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|error| bad(format!("unreadable member `{name}`: {error}")))?;
        contents.insert(name, bytes);
    }

    let mut dist_infos: Vec<&str> = contents
        .keys()
        .filter_map(|name| {
            let (directory, rest) = name.split_once('/')?;
            (directory.ends_with(".dist-info") && !rest.contains('/')).then_some(directory)
        })
        .collect();
    dist_infos.sort_unstable();
    dist_infos.dedup();
    let [dist_info] = dist_infos.as_slice() else {
        return Err(bad(format!(
            "it has {} top-level `.dist-info` directories, not one",
            dist_infos.len()
        )));
    };
    let dist_info = (*dist_info).to_string();
    let member = |name: &str| contents.get(&format!("{dist_info}/{name}"));

    let metadata =
        member("METADATA").ok_or_else(|| bad(format!("`{dist_info}/METADATA` is missing")))?;
    let metadata = Metadata::parse(metadata)
        .map_err(|error| bad(format!("`{dist_info}/METADATA` does not parse: {error}")))?;
    if metadata.name != *parsed.name() || metadata.version != *parsed.version() {
        return Err(bad(format!(
            "its METADATA is of `{}` {}, its file name of `{}` {}",
            metadata.name,
            metadata.version,
            parsed.name(),
            parsed.version()
        )));
    }
    if member("WHEEL").is_none() {
        return Err(bad(format!("`{dist_info}/WHEEL` is missing")));
    }
    let record_name = format!("{dist_info}/RECORD");
    let record = member("RECORD").ok_or_else(|| bad(format!("`{record_name}` is missing")))?;
    check_record(record, &record_name, &contents).map_err(bad)?;
    matches_expected(&metadata, expected).map_err(bad)?;
    checked(path, filename, metadata)
}

/// Checks the sdist at `path` (see the module documentation).
///
/// # Errors
///
/// [`ErrorKind::Artifact`] naming the first problem found, or [`ErrorKind::Io`].
pub fn sdist(path: &Path, expected: &Expected) -> Result<Checked, Error> {
    let filename = file_name(path);
    let bad = artifact_error(&filename);
    let Some(stem) = filename.strip_suffix(".tar.gz") else {
        return Err(bad("an sdist is a `.tar.gz` archive (PEP 625)".to_string()));
    };
    let parsed =
        SourceDistFilename::parse_best_effort(&filename).map_err(|error| bad(error.to_string()))?;
    let file = fs_err::File::open(path).map_err(|source| io_error(path, source))?;
    let mut archive = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let wanted = format!("{stem}/PKG-INFO");
    let mut pkg_info = None;
    let entries = archive
        .entries()
        .map_err(|error| bad(format!("not a gzipped tar archive: {error}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|error| bad(format!("unreadable archive: {error}")))?;
        let name = entry
            .path()
            .map_err(|error| bad(format!("unreadable member name: {error}")))?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        if name == wanted {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|error| bad(format!("unreadable `{wanted}`: {error}")))?;
            pkg_info = Some(bytes);
            break;
        }
    }
    let pkg_info = pkg_info.ok_or_else(|| bad(format!("`{wanted}` is missing")))?;
    let metadata = Metadata::parse(&pkg_info)
        .map_err(|error| bad(format!("`{wanted}` does not parse: {error}")))?;
    if metadata.name != *parsed.name() || metadata.version != *parsed.version() {
        return Err(bad(format!(
            "its PKG-INFO is of `{}` {}, its file name of `{}` {}",
            metadata.name,
            metadata.version,
            parsed.name(),
            parsed.version()
        )));
    }
    matches_expected(&metadata, expected).map_err(bad)?;
    checked(path, filename, metadata)
}

/// Every file but `RECORD` and its signatures is listed with a right digest and size, and
/// nothing listed is missing.
fn check_record(
    record: &[u8],
    record_name: &str,
    contents: &HashMap<String, Vec<u8>>,
) -> Result<(), String> {
    let text = std::str::from_utf8(record).map_err(|_| format!("`{record_name}` is not UTF-8"))?;
    let mut listed: HashMap<String, (String, String)> = HashMap::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
    {
        let fields = csv_fields(line);
        let [path, hash, size] = fields.as_slice() else {
            return Err(format!(
                "`{record_name}` line {} has {} fields, not 3",
                number + 1,
                fields.len()
            ));
        };
        listed.insert(path.clone(), (hash.clone(), size.clone()));
    }
    let mut names: Vec<&String> = contents.keys().collect();
    names.sort();
    for name in names {
        let bytes = &contents[name];
        let is_record = name == record_name
            || name == &format!("{record_name}.jws")
            || name == &format!("{record_name}.p7s");
        if is_record {
            continue;
        }
        let Some((hash, size)) = listed.get(name) else {
            return Err(format!("`{name}` is not listed in `{record_name}`"));
        };
        let Some((algorithm, digest)) = hash.split_once('=') else {
            return Err(format!("`{record_name}` gives `{name}` no hash"));
        };
        let actual = match algorithm {
            "sha256" => urlsafe(&Sha256::digest(bytes)),
            "sha384" => urlsafe(&Sha384::digest(bytes)),
            "sha512" => urlsafe(&Sha512::digest(bytes)),
            other => {
                return Err(format!(
                    "`{record_name}` hashes `{name}` with `{other}`; sha256 or stronger is required"
                ));
            }
        };
        if actual != digest.trim_end_matches('=') {
            return Err(format!("the `{record_name}` hash of `{name}` is wrong"));
        }
        if !size.is_empty() && size.parse::<usize>().ok() != Some(bytes.len()) {
            return Err(format!(
                "`{record_name}` gives `{name}` the size {size}, but it has {} bytes",
                bytes.len()
            ));
        }
    }
    if let Some(missing) = listed
        .iter()
        .filter(|(_, (hash, _))| !hash.is_empty())
        .map(|(path, _)| path)
        .find(|path| !contents.contains_key(*path))
    {
        return Err(format!(
            "`{record_name}` lists `{missing}`, which the wheel does not hold"
        ));
    }
    Ok(())
}

/// The fields of one CSV line as Python's `csv` module writes `RECORD` (quotes only where a
/// field holds a comma or a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                field.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (other, _) => field.push(other),
        }
    }
    fields.push(field);
    fields
}

fn urlsafe(digest: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

fn matches_expected(metadata: &Metadata, expected: &Expected) -> Result<(), String> {
    if let Some(name) = &expected.name
        && metadata.name != *name
    {
        return Err(format!(
            "it is of `{}`, but `pyproject.toml` names the project `{name}`",
            metadata.name
        ));
    }
    if let Some(version) = &expected.version
        && metadata.version != *version
    {
        return Err(format!(
            "it is of version {}, but `pyproject.toml` says {version}",
            metadata.version
        ));
    }
    Ok(())
}

fn checked(path: &Path, filename: String, metadata: Metadata) -> Result<Checked, Error> {
    let bytes = fs_err::read(path).map_err(|source| io_error(path, source))?;
    Ok(Checked {
        filename,
        name: metadata.name,
        version: metadata.version,
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        size: bytes.len() as u64,
    })
}

/// An [`ErrorKind::Artifact`] about `artifact`, from the problem found.
fn artifact_error(artifact: &str) -> impl Fn(String) -> Error + Copy + '_ {
    move |problem| {
        ErrorKind::Artifact {
            artifact: artifact.to_string(),
            problem,
        }
        .into()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

impl Expected {
    /// The static name and version of `pyproject.toml`'s `[project]` table in `source` (none
    /// when the file or table is missing, or the version is dynamic).
    pub fn of_source_tree(source: &Path) -> Self {
        #[derive(serde::Deserialize)]
        struct PyProject {
            project: Option<Project>,
        }
        #[derive(serde::Deserialize)]
        struct Project {
            name: Option<String>,
            version: Option<String>,
        }
        let project = fs_err::read_to_string(source.join("pyproject.toml"))
            .ok()
            .and_then(|text| toml::from_str::<PyProject>(&text).ok())
            .and_then(|pyproject| pyproject.project);
        Self {
            name: project
                .as_ref()
                .and_then(|project| PackageName::from_str(project.name.as_deref()?).ok()),
            version: project
                .as_ref()
                .and_then(|project| Version::from_str(project.version.as_deref()?).ok()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use zip::write::SimpleFileOptions;

    use super::*;

    const METADATA: &str = "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.0\n";

    fn record_line(path: &str, bytes: &[u8]) -> String {
        format!(
            "{path},sha256={},{}\n",
            urlsafe(&Sha256::digest(bytes)),
            bytes.len()
        )
    }

    /// A wheel of `files`, with a right `RECORD` unless `record` is given.
    fn wheel_of(
        dir: &Path,
        filename: &str,
        files: &[(&str, &str)],
        record: Option<&str>,
    ) -> std::path::PathBuf {
        let path = dir.join(filename);
        let mut archive = zip::ZipWriter::new(fs_err::File::create(&path).unwrap());
        let mut lines = String::new();
        for (name, content) in files {
            archive
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            archive.write_all(content.as_bytes()).unwrap();
            lines.push_str(&record_line(name, content.as_bytes()));
        }
        lines.push_str("demo_pkg-1.2.0.dist-info/RECORD,,\n");
        archive
            .start_file(
                "demo_pkg-1.2.0.dist-info/RECORD",
                SimpleFileOptions::default(),
            )
            .unwrap();
        archive
            .write_all(record.unwrap_or(&lines).as_bytes())
            .unwrap();
        archive.finish().unwrap();
        path
    }

    const GOOD: &[(&str, &str)] = &[
        ("demo_pkg/__init__.py", "VALUE = 42\n"),
        ("demo_pkg-1.2.0.dist-info/METADATA", METADATA),
        ("demo_pkg-1.2.0.dist-info/WHEEL", "Wheel-Version: 1.0\n"),
    ];

    fn problem(error: &Error) -> &str {
        match error.kind() {
            ErrorKind::Artifact { problem, .. } => problem,
            other => panic!("not an artifact error: {other}"),
        }
    }

    #[test]
    fn a_right_wheel_passes_with_its_name_version_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = wheel_of(dir.path(), "demo_pkg-1.2.0-py3-none-any.whl", GOOD, None);
        let checked = wheel(
            &path,
            &Expected {
                name: Some(PackageName::from_str("demo-pkg").unwrap()),
                version: Some(Version::from_str("1.2.0").unwrap()),
            },
        )
        .unwrap();
        assert_eq!(checked.name.as_ref(), "demo-pkg");
        assert_eq!(checked.version.to_string(), "1.2.0");
        assert_eq!(
            checked.sha256,
            format!("{:x}", Sha256::digest(fs_err::read(&path).unwrap()))
        );
    }

    #[test]
    fn each_kind_of_broken_wheel_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let any = Expected::default();
        let renamed = wheel_of(dir.path(), "other-1.2.0-py3-none-any.whl", GOOD, None);
        assert_eq!(
            problem(&wheel(&renamed, &any).unwrap_err()),
            "its METADATA is of `demo-pkg` 1.2.0, its file name of `other` 1.2.0"
        );
        let unlisted = wheel_of(
            dir.path(),
            "demo_pkg-1.2.0-py3-none-any.whl",
            GOOD,
            Some(&record_line(
                "demo_pkg-1.2.0.dist-info/METADATA",
                METADATA.as_bytes(),
            )),
        );
        assert_eq!(
            problem(&wheel(&unlisted, &any).unwrap_err()),
            "`demo_pkg-1.2.0.dist-info/WHEEL` is not listed in `demo_pkg-1.2.0.dist-info/RECORD`"
        );
        let mut listed: String = GOOD
            .iter()
            .map(|(name, content)| record_line(name, content.as_bytes()))
            .collect();
        listed.push_str(&record_line("demo_pkg/gone.py", b""));
        let missing = wheel_of(
            dir.path(),
            "demo_pkg-1.2.0-py3-none-any.whl",
            GOOD,
            Some(&listed),
        );
        assert_eq!(
            problem(&wheel(&missing, &any).unwrap_err()),
            "`demo_pkg-1.2.0.dist-info/RECORD` lists `demo_pkg/gone.py`, which the wheel does not hold"
        );
        let md5 = listed
            .replace(&record_line("demo_pkg/gone.py", b""), "")
            .replacen("sha256=", "md5=", 1);
        let weak = wheel_of(
            dir.path(),
            "demo_pkg-1.2.0-py3-none-any.whl",
            GOOD,
            Some(&md5),
        );
        assert!(
            problem(&wheel(&weak, &any).unwrap_err()).ends_with("sha256 or stronger is required"),
            "{md5}"
        );
        let right = wheel_of(dir.path(), "demo_pkg-1.2.0-py3-none-any.whl", GOOD, None);
        let other_version = Expected {
            name: None,
            version: Some(Version::from_str("1.3.0").unwrap()),
        };
        assert_eq!(
            problem(&wheel(&right, &other_version).unwrap_err()),
            "it is of version 1.2.0, but `pyproject.toml` says 1.3.0"
        );
    }

    fn sdist_of(dir: &Path, filename: &str, pkg_info: &str) -> std::path::PathBuf {
        let path = dir.join(filename);
        let stem = filename.trim_end_matches(".tar.gz");
        let mut archive = tar::Builder::new(GzEncoder::new(
            fs_err::File::create(&path).unwrap(),
            Compression::fast(),
        ));
        let mut header = tar::Header::new_gnu();
        header.set_size(pkg_info.len() as u64);
        header.set_mode(0o644);
        archive
            .append_data(&mut header, format!("{stem}/PKG-INFO"), pkg_info.as_bytes())
            .unwrap();
        archive.into_inner().unwrap().finish().unwrap();
        path
    }

    #[test]
    fn an_sdist_needs_pkg_info_that_agrees_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let any = Expected::default();
        let good = sdist_of(dir.path(), "demo_pkg-1.2.0.tar.gz", METADATA);
        assert_eq!(sdist(&good, &any).unwrap().version.to_string(), "1.2.0");
        let stale = sdist_of(dir.path(), "demo_pkg-1.1.0.tar.gz", METADATA);
        assert_eq!(
            problem(&sdist(&stale, &any).unwrap_err()),
            "its PKG-INFO is of `demo-pkg` 1.2.0, its file name of `demo-pkg` 1.1.0"
        );
        let zip = dir.path().join("demo_pkg-1.2.0.zip");
        fs_err::write(&zip, b"").unwrap();
        assert_eq!(
            problem(&sdist(&zip, &any).unwrap_err()),
            "an sdist is a `.tar.gz` archive (PEP 625)"
        );
    }
}
