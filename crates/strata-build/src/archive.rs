//! Unpacking an sdist into the source tree its backend builds from.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::read::GzDecoder;
use strata_dist::SourceDistExtension;

use crate::error::Error;
use crate::session::Session;

/// Unpacks the sdist at `sdist` into `destination` and returns the source tree in it (the
/// archive's single top-level directory, as sdists have). Formats without a linked decoder go
/// through `python`'s own unpacker.
pub(crate) fn unpack(
    session: &mut Session,
    python: &Path,
    sdist: &Path,
    extension: SourceDistExtension,
    destination: &Path,
) -> Result<PathBuf, Error> {
    let unpacked = match extension {
        SourceDistExtension::TarGz => fs_err::File::open(sdist).and_then(|file| {
            // `unpack` refuses members that would land outside `destination`.
            tar::Archive::new(GzDecoder::new(BufReader::new(file))).unpack(destination)
        }),
        SourceDistExtension::Zip => fs_err::File::open(sdist).and_then(|file| {
            zip::ZipArchive::new(BufReader::new(file))
                .and_then(|mut archive| archive.extract(destination))
                .map_err(std::io::Error::other)
        }),
        SourceDistExtension::TarBz2 | SourceDistExtension::TarXz => {
            session.run(
                "unpack the sdist",
                Command::new(python)
                    .args([
                        "-I",
                        "-c",
                        "import shutil, sys\ntry:\n    shutil.unpack_archive(sys.argv[1], sys.argv[2], filter='data')\nexcept TypeError:\n    shutil.unpack_archive(sys.argv[1], sys.argv[2])",
                    ])
                    .arg(sdist)
                    .arg(destination),
            )?;
            Ok(())
        }
    };
    unpacked
        .and_then(|()| source_root(destination))
        .map_err(|error| session.failure(&format!("Failed to unpack the sdist: {error}")))
}

/// The directory holding the project: the archive's single top-level directory, as sdists have.
fn source_root(unpacked: &Path) -> std::io::Result<PathBuf> {
    let mut directories = Vec::new();
    for entry in fs_err::read_dir(unpacked)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "pyproject.toml" || name == "setup.py" {
            return Ok(unpacked.to_path_buf());
        }
        if entry.file_type()?.is_dir() {
            directories.push(entry.path());
        }
    }
    Ok(match <[PathBuf; 1]>::try_from(directories) {
        Ok([directory]) => directory,
        Err(_) => unpacked.to_path_buf(),
    })
}
