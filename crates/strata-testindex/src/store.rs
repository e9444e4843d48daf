//! Generates every artifact of a universe into the server's directory and
//! indexes them for the pages and the file routes.
//!
//! Artifacts live on disk, not in memory, so a universe can hold a wheel of
//! hundreds of megabytes; the server streams them from there.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use pep440_rs::Version;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::metadata::Release;
use crate::package::Universe;
use crate::sdist::write_sdist;
use crate::wheel::write_wheel;

/// A file the index serves, as tests may want to assert on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedFile {
    /// The file name (`numpy-1.26.4-py3-none-any.whl`).
    pub filename: String,
    /// The URL path it is served at (`/files/numpy/numpy-1.26.4-py3-none-any.whl`).
    pub url_path: String,
    /// Where it lives on disk, inside the server's temporary directory.
    pub path: PathBuf,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One distribution file as a project page lists it.
#[derive(Debug, Clone)]
pub(crate) struct ListedFile {
    pub(crate) file: ServedFile,
    pub(crate) requires_python: Option<String>,
    pub(crate) yanked: Option<String>,
    pub(crate) upload_time: Option<String>,
    /// The PEP 658 metadata file's SHA-256, when the universe serves them.
    pub(crate) metadata_sha256: Option<String>,
}

/// A project page's content.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    /// The PEP 503 normalized name.
    pub(crate) name: String,
    pub(crate) versions: Vec<Version>,
    pub(crate) files: Vec<ListedFile>,
}

/// Everything the server answers from.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) projects: BTreeMap<String, Project>,
    /// Keyed by URL path; includes the `.metadata` files.
    pub(crate) files: HashMap<String, ServedFile>,
    pub(crate) find_links: PathBuf,
}

impl Store {
    /// Writes every artifact under `root` (`files/<project>/<file>` plus a flat
    /// `find-links/` directory of hard links).
    pub(crate) fn generate(universe: Universe, root: &Path) -> Result<Self, Error> {
        let find_links = root.join("find-links");
        let mut store = Self {
            projects: BTreeMap::new(),
            files: HashMap::new(),
            find_links: find_links.clone(),
        };
        let generate_error = |filename: &str| {
            let filename = filename.to_string();
            move |source| Error::from(ErrorKind::Generate { filename, source })
        };
        fs_err::create_dir_all(&find_links).map_err(generate_error("find-links"))?;

        let Universe {
            packages,
            metadata_files,
            ..
        } = universe;
        for package in &packages {
            let release = Release::new(package)?;
            let project_dir = root.join("files").join(release.name.as_ref());
            fs_err::create_dir_all(&project_dir).map_err(generate_error(release.name.as_ref()))?;

            let mut artifacts = Vec::new();
            for tags in &package.wheel_tags {
                let filename = release.wheel_filename(tags);
                let path = project_dir.join(&filename);
                let metadata =
                    write_wheel(&release, tags, &path).map_err(generate_error(&filename))?;
                artifacts.push((filename, path, Some(metadata)));
            }
            if let Some(spec) = &package.sdist {
                let filename = release.sdist_filename();
                let path = project_dir.join(&filename);
                write_sdist(&release, spec, &path).map_err(generate_error(&filename))?;
                artifacts.push((filename, path, None));
            }

            let project = store
                .projects
                .entry(release.name.to_string())
                .or_insert_with(|| Project {
                    name: release.name.to_string(),
                    versions: Vec::new(),
                    files: Vec::new(),
                });
            project.versions.push(release.version.clone());

            for (filename, path, metadata) in artifacts {
                let url_path = format!("/files/{}/{filename}", release.name);
                if store.files.contains_key(&url_path) {
                    return Err(ErrorKind::DuplicateFile { filename }.into());
                }
                let metadata_sha256 = match metadata {
                    Some(text) if metadata_files => {
                        let metadata_path = project_dir.join(format!("{filename}.metadata"));
                        fs_err::write(&metadata_path, text.as_bytes())
                            .map_err(generate_error(&filename))?;
                        let served = served(
                            format!("{filename}.metadata"),
                            format!("{url_path}.metadata"),
                            metadata_path,
                        )
                        .map_err(generate_error(&filename))?;
                        let sha256 = served.sha256.clone();
                        store.files.insert(served.url_path.clone(), served);
                        Some(sha256)
                    }
                    _ => None,
                };
                fs_err::hard_link(&path, find_links.join(&filename))
                    .map_err(generate_error(&filename))?;
                let file = served(filename.clone(), url_path.clone(), path)
                    .map_err(generate_error(&filename))?;
                store.files.insert(url_path, file.clone());
                project.files.push(ListedFile {
                    file,
                    requires_python: package.requires_python.clone(),
                    yanked: package.yanked.clone(),
                    upload_time: package.upload_time.clone(),
                    metadata_sha256,
                });
            }
        }

        for project in store.projects.values_mut() {
            project.versions.sort();
            project.versions.dedup();
            project
                .files
                .sort_by(|a, b| a.file.filename.cmp(&b.file.filename));
        }
        Ok(store)
    }
}

fn served(filename: String, url_path: String, path: PathBuf) -> io::Result<ServedFile> {
    let mut file = fs_err::File::open(&path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    let mut size = 0;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok(ServedFile {
        filename,
        url_path,
        path,
        sha256: hex(&hasher.finalize()),
        size,
    })
}

/// Lowercase hex, as hashes appear in pages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
