//! Local directory requirements as data: a project on disk, named by a `file:` URL.
//!
//! Every source of requirements turns `./pkg`, `-e ./pkg` and `name @ file:///abs/pkg` into one
//! shape, a PEP 508 requirement whose URL is the directory's absolute `file:` URL, so the
//! resolver and the lock see the same thing whatever was written. An editable requirement
//! (`-e`) carries the fragment [`EDITABLE_FRAGMENT`]: a PEP 508 requirement has no place for
//! pip's `-e`, and the fragment keeps the difference through every layer that copies
//! requirements (an editable and a plain install of one directory are different pins).

use std::path::{Path, PathBuf};

use pep508_rs::VerbatimUrl;

/// The URL fragment that marks a directory requirement as editable (`-e PATH`).
pub const EDITABLE_FRAGMENT: &str = "editable";

/// A requirement's local directory: where it is and whether it is installed editable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDirectory {
    /// The directory, absolute.
    pub path: PathBuf,
    /// `-e`: installed in place (PEP 660), not copied.
    pub editable: bool,
}

impl LocalDirectory {
    /// The directory `url` names, when it is a `file:` URL that does not end in a wheel or
    /// sdist filename (`None` otherwise).
    ///
    /// ```
    /// let url = pep508_rs::VerbatimUrl::parse_url("file:///src/pkg#editable").unwrap();
    /// let directory = strata_dist::LocalDirectory::from_url(&url).unwrap();
    /// assert_eq!(directory.path, std::path::Path::new("/src/pkg"));
    /// assert!(directory.editable);
    /// let wheel = pep508_rs::VerbatimUrl::parse_url("file:///w/x-1.0-py3-none-any.whl").unwrap();
    /// assert!(strata_dist::LocalDirectory::from_url(&wheel).is_none());
    /// ```
    pub fn from_url(url: &VerbatimUrl) -> Option<Self> {
        if url.scheme() != "file" {
            return None;
        }
        let last = url
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .any(|suffix| last.ends_with(suffix))
        {
            return None;
        }
        let mut bare = url.to_url();
        bare.set_fragment(None);
        Some(Self {
            path: bare.to_file_path().ok()?,
            editable: url.fragment() == Some(EDITABLE_FRAGMENT),
        })
    }
}

/// A relative path as pip recognizes a directory on a requirements line: `./pkg`, `../pkg`, `.`
/// for the directory itself, with `/` separators whatever the platform.
///
/// ```
/// use std::path::Path;
/// assert_eq!(strata_dist::directory_as_written(Path::new("pkg")), "./pkg");
/// assert_eq!(strata_dist::directory_as_written(Path::new("../lib/x")), "../lib/x");
/// assert_eq!(strata_dist::directory_as_written(Path::new("")), ".");
/// ```
pub fn directory_as_written(path: &Path) -> String {
    let text = path
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        ".".to_string()
    } else if text.starts_with("..") {
        text
    } else {
        format!("./{text}")
    }
}
