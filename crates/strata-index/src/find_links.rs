//! `find-links` directories: local wheels and sdists offered next to the indexes, as pip does.
//!
//! Only local directories are read here; a `find-links` entry that is a URL is skipped (pages of
//! links are rare outside air-gapped setups, and an index serves the same need). Local files are
//! hashed when listed, because a lock records a hash for every file it names.

use std::path::Path;

use pep508_rs::PackageName;
use sha2::{Digest, Sha256};
use strata_dist::DistFilename;
use url::Url;

use crate::simple::DistFile;

/// The files for `package` in the local `find-links` directories.
pub(crate) fn files(find_links: &[String], package: &PackageName) -> Vec<DistFile> {
    let mut out = Vec::new();
    for entry in find_links {
        let directory = entry.strip_prefix("file://").unwrap_or(entry);
        let directory = Path::new(directory);
        let Ok(listing) = fs_err::read_dir(directory) else {
            continue;
        };
        for item in listing.flatten() {
            let name = item.file_name().to_string_lossy().to_string();
            let Ok(Some(filename)) = DistFilename::parse_for_package(&name, package) else {
                continue;
            };
            let path = item.path();
            let Ok(url) = Url::from_file_path(std::path::absolute(&path).unwrap_or(path.clone()))
            else {
                continue;
            };
            let sha256 = fs_err::read(&path)
                .ok()
                .map(|bytes| crate::http_cache::store::hex(&Sha256::digest(bytes)));
            out.push(DistFile {
                filename,
                url: url.into(),
                sha256,
                requires_python: None,
                yanked: None,
                core_metadata: None,
                size: item.metadata().ok().map(|meta| meta.len()),
                upload_time: None,
                index: None,
            });
        }
    }
    out.sort_by_key(DistFile::name);
    out
}
