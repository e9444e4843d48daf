//! Real, installable, byte-for-byte reproducible wheels.
//!
//! Entries are written in a fixed order (module files sorted, then the padding
//! file, then `.dist-info` with `RECORD` last) with the zip epoch as timestamp and
//! fixed permissions, so the same [`crate::Package`] always hashes the same. The
//! padding file is stored uncompressed and generated in chunks, so a 200 MB wheel
//! never sits in memory and its metadata really is 200 MB away from the start.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::metadata::Release;

const CHUNK: usize = 64 * 1024;

/// Writes the wheel for `tags` to `path` and returns its `METADATA` text (which is
/// also the PEP 658 metadata file).
pub(crate) fn write_wheel(release: &Release, tags: &str, path: &Path) -> io::Result<String> {
    let file = fs_err::File::create(path)?;
    let mut archive = zip::ZipWriter::new(io::BufWriter::new(file));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut record = String::new();

    for (name, contents) in release.module_files() {
        archive.start_file(name.as_str(), deflated)?;
        archive.write_all(contents.as_bytes())?;
        record.push_str(&record_line(&name, contents.as_bytes()));
    }

    if release.package.padding > 0 {
        let name = format!("{}/strata_padding.bin", release.import_name);
        let stored = deflated
            .compression_method(CompressionMethod::Stored)
            .large_file(release.package.padding >= u64::from(u32::MAX));
        archive.start_file(name.as_str(), stored)?;
        let mut hasher = Sha256::new();
        let mut padding = Padding::new(release.package.padding);
        let mut chunk = vec![0; CHUNK];
        while let Some(filled) = padding.fill(&mut chunk) {
            archive.write_all(&chunk[..filled])?;
            hasher.update(&chunk[..filled]);
        }
        let _ = writeln!(
            record,
            "{name},sha256={},{}",
            urlsafe(&hasher.finalize()),
            release.package.padding
        );
    }

    let dist_info = release.dist_info();
    let metadata = release.core_metadata("2.3", false);
    let wheel = wheel_file(tags);
    let top_level = format!("{}\n", release.import_name);
    for (name, contents) in [
        ("METADATA", metadata.as_str()),
        ("WHEEL", wheel.as_str()),
        ("top_level.txt", top_level.as_str()),
    ] {
        let path = format!("{dist_info}/{name}");
        archive.start_file(path.as_str(), deflated)?;
        archive.write_all(contents.as_bytes())?;
        record.push_str(&record_line(&path, contents.as_bytes()));
    }
    let _ = writeln!(record, "{dist_info}/RECORD,,");
    archive.start_file(format!("{dist_info}/RECORD"), deflated)?;
    archive.write_all(record.as_bytes())?;

    let mut writer = archive.finish()?;
    writer.flush()?;
    Ok(metadata)
}

/// The `WHEEL` file, with one `Tag:` line per expanded tag
/// (`py2.py3-none-any` is two tags).
fn wheel_file(tags: &str) -> String {
    let mut text =
        String::from("Wheel-Version: 1.0\nGenerator: strata-testindex\nRoot-Is-Purelib: true\n");
    let mut parts = tags.splitn(3, '-');
    let (Some(pythons), Some(abis), Some(platforms)) = (parts.next(), parts.next(), parts.next())
    else {
        let _ = writeln!(text, "Tag: {tags}");
        return text;
    };
    for python in pythons.split('.') {
        for abi in abis.split('.') {
            for platform in platforms.split('.') {
                let _ = writeln!(text, "Tag: {python}-{abi}-{platform}");
            }
        }
    }
    text
}

/// A `RECORD` line: `path,sha256=<urlsafe base64 without padding>,size`.
pub(crate) fn record_line(path: &str, contents: &[u8]) -> String {
    format!(
        "{path},sha256={},{}\n",
        urlsafe(&Sha256::digest(contents)),
        contents.len()
    )
}

fn urlsafe(digest: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Deterministic incompressible bytes (xorshift64), so padding cannot be
/// shortcut by compression and hashes are stable across runs.
struct Padding {
    remaining: u64,
    state: u64,
}

impl Padding {
    fn new(length: u64) -> Self {
        Self {
            remaining: length,
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Fills the front of `chunk`; returns how much, or `None` when done.
    fn fill(&mut self, chunk: &mut [u8]) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        let filled = usize::try_from(self.remaining).map_or(chunk.len(), |r| r.min(chunk.len()));
        for word in chunk[..filled].chunks_mut(8) {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            word.copy_from_slice(&self.state.to_le_bytes()[..word.len()]);
        }
        self.remaining -= filled as u64;
        Some(filled)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::Package;

    fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(fs_err::File::open(path).unwrap()).unwrap();
        (0..archive.len())
            .map(|index| {
                let mut entry = archive.by_index(index).unwrap();
                let mut contents = Vec::new();
                entry.read_to_end(&mut contents).unwrap();
                (entry.name().unwrap().to_string(), contents)
            })
            .collect()
    }

    #[test]
    fn record_hashes_every_entry_and_lists_itself_last() {
        let dir = tempfile::tempdir().unwrap();
        let package = Package::new("demo-pkg", "2.0")
            .requires("numpy")
            .module_file("demo_pkg/extra.py", "X = 1\n")
            .padding(100_003);
        let release = Release::new(&package).unwrap();
        let path = dir.path().join("w.whl");
        write_wheel(&release, "py3-none-any", &path).unwrap();

        let entries = entries(&path);
        let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "demo_pkg/__init__.py",
                "demo_pkg/extra.py",
                "demo_pkg/strata_padding.bin",
                "demo_pkg-2.0.dist-info/METADATA",
                "demo_pkg-2.0.dist-info/WHEEL",
                "demo_pkg-2.0.dist-info/top_level.txt",
                "demo_pkg-2.0.dist-info/RECORD",
            ]
        );
        let record = String::from_utf8(entries.last().unwrap().1.clone()).unwrap();
        let expected: String = entries[..entries.len() - 1]
            .iter()
            .map(|(name, contents)| record_line(name, contents))
            .chain(["demo_pkg-2.0.dist-info/RECORD,,\n".to_string()])
            .collect();
        assert_eq!(record, expected);
        assert_eq!(entries[2].1.len(), 100_003);
    }

    #[test]
    fn same_package_gives_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let package = Package::new("a", "1").padding(10_000);
        let release = Release::new(&package).unwrap();
        let first = dir.path().join("1.whl");
        let second = dir.path().join("2.whl");
        write_wheel(&release, "py3-none-any", &first).unwrap();
        write_wheel(&release, "py3-none-any", &second).unwrap();
        assert_eq!(fs_err::read(first).unwrap(), fs_err::read(second).unwrap());
    }

    #[test]
    fn compressed_tag_sets_expand_into_tag_lines() {
        assert_eq!(
            wheel_file("py2.py3-none-any"),
            "Wheel-Version: 1.0\nGenerator: strata-testindex\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n"
        );
    }
}
