//! Source distributions with an in-tree PEP 517 backend.
//!
//! The backend (`strata_test_backend.py`) is plain standard-library Python named
//! by `backend-path = ["."]` and `requires = []`, so pip and strata can build it
//! in an isolated environment with no network and no setuptools. It builds a
//! `py3-none-any` wheel from the module files and the full metadata kept in
//! `strata_build/METADATA`, which is where a dynamic-metadata sdist hides the
//! requirements its `PKG-INFO` does not list. A failing sdist exits from every
//! build hook with the test's message, like stub sdists that download their real
//! wheel from another index at build time.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};

use crate::metadata::Release;
use crate::package::{SdistMetadata, SdistSpec};

/// 1980-01-01, the zip epoch, used for every entry so archives are reproducible.
const MTIME: u64 = 315_532_800;

const BACKEND: &str = r#"
import base64
import hashlib
import os
import zipfile

_HERE = os.path.dirname(os.path.abspath(__file__))


def _check():
    if _BUILD_FAILURE is not None:
        raise SystemExit(_BUILD_FAILURE)


def _dist_info_files():
    with open(os.path.join(_HERE, "strata_build", "METADATA"), encoding="utf-8") as f:
        metadata = f.read()
    wheel = (
        "Wheel-Version: 1.0\nGenerator: strata-testindex\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    return [("METADATA", metadata), ("WHEEL", wheel), ("top_level.txt", _TOP_LEVEL + "\n")]


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _check()
    target = os.path.join(metadata_directory, _DIST_INFO)
    os.makedirs(target, exist_ok=True)
    for name, text in _dist_info_files():
        with open(os.path.join(target, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return _DIST_INFO


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d\n" % (path, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _check()
    entries = []
    for path in _FILES:
        with open(os.path.join(_HERE, *path.split("/")), "rb") as f:
            entries.append((path, f.read()))
    for name, text in _dist_info_files():
        entries.append((_DIST_INFO + "/" + name, text.encode("utf-8")))
    record = "".join(_record_line(path, data) for path, data in entries)
    record += _DIST_INFO + "/RECORD,,\n"
    entries.append((_DIST_INFO + "/RECORD", record.encode("utf-8")))
    with zipfile.ZipFile(os.path.join(wheel_directory, _WHEEL), "w") as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return _WHEEL
"#;

/// Writes the sdist to `path`.
pub(crate) fn write_sdist(release: &Release, spec: &SdistSpec, path: &Path) -> io::Result<()> {
    let stem = release.stem();
    let module_files = release.module_files();
    let pkg_info = match spec.metadata {
        SdistMetadata::Static => release.core_metadata("2.2", false),
        SdistMetadata::Dynamic => release.core_metadata("2.2", true),
        SdistMetadata::SetuptoolsDynamic => {
            let mut text = release.core_metadata("2.2", false);
            text.push_str("Dynamic: requires-dist\nDynamic: requires-python\nDynamic: summary\n");
            text
        }
        SdistMetadata::PyprojectStatic => release.core_metadata("2.1", false),
    };
    let mut pyproject = "[build-system]\nrequires = []\nbuild-backend = \"strata_test_backend\"\nbackend-path = [\".\"]\n".to_string();
    if spec.metadata == SdistMetadata::PyprojectStatic {
        pyproject.push_str(&project_table(release));
    }
    let mut files: Vec<(String, String)> = vec![
        ("PKG-INFO".to_string(), pkg_info),
        ("pyproject.toml".to_string(), pyproject),
        (
            "strata_test_backend.py".to_string(),
            backend(release, spec, &module_files),
        ),
        (
            "strata_build/METADATA".to_string(),
            release.core_metadata("2.3", false),
        ),
    ];
    files.extend(module_files);
    files.sort();

    let file = fs_err::File::create(path)?;
    let encoder = GzBuilder::new()
        .mtime(0)
        .write(io::BufWriter::new(file), Compression::default());
    let mut archive = tar::Builder::new(encoder);
    for (name, contents) in &files {
        let mut header = tar::Header::new_ustar();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(MTIME);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        archive.append_data(&mut header, format!("{stem}/{name}"), contents.as_bytes())?;
    }
    let mut writer = archive.into_inner()?.finish()?;
    writer.flush()
}

fn backend(release: &Release, spec: &SdistSpec, module_files: &[(String, String)]) -> String {
    let paths: Vec<&str> = module_files.iter().map(|(path, _)| path.as_str()).collect();
    // JSON string and list literals are valid Python literals.
    let build_failure = spec
        .build_failure
        .as_ref()
        .map_or_else(|| "None".to_string(), |message| json(message));
    format!(
        "\"\"\"A PEP 517 backend generated by strata-testindex: standard library only.\"\"\"\n\n_DIST_INFO = {}\n_WHEEL = {}\n_TOP_LEVEL = {}\n_FILES = {}\n_BUILD_FAILURE = {build_failure}\n{BACKEND}",
        json(&release.dist_info()),
        json(&release.wheel_filename("py3-none-any")),
        json(&release.import_name),
        serde_json::Value::from(paths),
    )
}

/// A PEP 621 `[project]` table with the release's metadata and a dynamic version.
fn project_table(release: &Release) -> String {
    let package = release.package;
    let list = |items: &[String]| serde_json::Value::from(items.to_vec()).to_string();
    let mut table = format!(
        "\n[project]\nname = {}\ndynamic = [\"version\"]\ndependencies = {}\n",
        json(&package.name),
        list(&package.requires_dist)
    );
    if let Some(requires_python) = &package.requires_python {
        let _ = writeln!(table, "requires-python = {}", json(requires_python));
    }
    if !package.extras.is_empty() {
        table.push_str("\n[project.optional-dependencies]\n");
        for (extra, requirements) in &package.extras {
            let _ = writeln!(table, "{} = {}", json(extra), list(requirements));
        }
    }
    table
}

fn json(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::Package;

    fn members(path: &Path) -> Vec<(String, String)> {
        let decoder = flate2::read::GzDecoder::new(fs_err::File::open(path).unwrap());
        let mut archive = tar::Archive::new(decoder);
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let mut contents = String::new();
                entry.read_to_string(&mut contents).unwrap();
                (entry.path().unwrap().display().to_string(), contents)
            })
            .collect()
    }

    #[test]
    fn dynamic_sdist_hides_requirements_from_pkg_info_but_not_from_the_build() {
        let dir = tempfile::tempdir().unwrap();
        let package = Package::new("a", "1.0")
            .requires("b>=2")
            .sdist_dynamic_metadata();
        let release = Release::new(&package).unwrap();
        let path = dir.path().join("a-1.0.tar.gz");
        write_sdist(&release, package.sdist.as_ref().unwrap(), &path).unwrap();
        let members = members(&path);
        let names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "a-1.0/PKG-INFO",
                "a-1.0/a/__init__.py",
                "a-1.0/pyproject.toml",
                "a-1.0/strata_build/METADATA",
                "a-1.0/strata_test_backend.py",
            ]
        );
        assert!(members[0].1.contains("Dynamic: Requires-Dist"));
        assert!(!members[0].1.contains("b>=2"));
        assert!(members[3].1.contains("Requires-Dist: b>=2"));
    }

    #[test]
    fn failing_backend_carries_the_message_as_a_python_literal() {
        let package = Package::new("a", "1.0").sdist_build_fails("no \"wheel\" here");
        let release = Release::new(&package).unwrap();
        let source = backend(&release, package.sdist.as_ref().unwrap(), &[]);
        assert!(
            source.contains(r#"_BUILD_FAILURE = "no \"wheel\" here""#),
            "{source}"
        );
    }
}
