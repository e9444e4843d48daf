//! The lock model: pinned packages with hashes and the reasons they are there.

use std::collections::BTreeSet;

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerTree, PackageName};

/// One pinned package of a lock. Two are equal when they pin the same thing, wherever they
/// were read from ([`LockedPackage::line`] is left out).
#[derive(Debug, Clone)]
pub struct LockedPackage {
    /// The distribution.
    pub name: PackageName,
    /// The pinned version.
    pub version: Version,
    /// Extras something requires (written `name[extra]==version`, as pip-tools does).
    pub extras: BTreeSet<ExtraName>,
    /// For a direct URL requirement, the URL (credentials redacted) instead of an index pin.
    pub url: Option<String>,
    /// sha256 hashes (lowercase hex) of every file of the version, sorted.
    pub hashes: Vec<String>,
    /// Why it is there: parent package names and top-level sources like `-r requirements.in`,
    /// sorted as pip-tools sorts them.
    pub via: Vec<String>,
    /// The files of the version (for `pylock.toml`), sorted by filename.
    pub files: Vec<LockedFile>,
    /// The version's `Requires-Python`, if any.
    pub requires_python: Option<String>,
    /// The packages this one requires on the target (names), sorted.
    pub dependencies: Vec<PackageName>,
    /// The index its files were found on, without credentials (`pylock.toml`'s
    /// `packages.index`); `None` for a direct URL, a `find-links` file, or a lock format that
    /// does not record it (`requirements.txt` names indexes once, in its options).
    pub index: Option<String>,
    /// The 1-based line of the lock file the pin was read from, so a finding about it can
    /// name it; `None` for a lock built from a resolution.
    pub line: Option<usize>,
    /// For a git pin, the reference the requirement asked for (`main`, `v1.0`; `None` for the
    /// default branch), which `pylock.toml` records as `requested-revision` beside the commit
    /// the URL pins. `requirements.txt` cannot carry it, so a pin read from one has `None`.
    pub requested_revision: Option<String>,
    /// For a local directory pin, whether it is installed editable (`-e PATH`).
    pub editable: bool,
    /// The environment marker that selects this line (`sys_platform == 'darwin'`) in a lock that
    /// covers several targets (see [`crate::targets`]); `MarkerTree::TRUE` (no marker) for a
    /// line every target of the lock installs.
    pub marker: MarkerTree,
}

impl LockedPackage {
    /// A pin of `name` at `version` and nothing else yet (no hashes, files or reasons), for a
    /// reader to fill in.
    ///
    /// ```
    /// use std::str::FromStr;
    ///
    /// let pin = strata_lockfile::LockedPackage::new(
    ///     pep508_rs::PackageName::from_str("numpy")?,
    ///     pep440_rs::Version::from_str("2.1.1")?,
    /// );
    /// assert_eq!(pin.pinned_requirement(), "numpy==2.1.1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(name: PackageName, version: Version) -> Self {
        Self {
            name,
            version,
            extras: BTreeSet::new(),
            url: None,
            hashes: Vec::new(),
            via: Vec::new(),
            files: Vec::new(),
            requires_python: None,
            dependencies: Vec::new(),
            index: None,
            line: None,
            requested_revision: None,
            editable: false,
            marker: MarkerTree::TRUE,
        }
    }

    /// Whether the pin is a local directory (its [`LockedPackage::url`] is the path as the lock
    /// writes it, `./pkg`, relative to the directory pip runs in, or absolute).
    pub fn is_directory(&self) -> bool {
        self.url.as_deref().is_some_and(|url| !url.contains("://"))
    }

    /// Whether pip cannot check a hash of the pin (a git repository, a local directory), so
    /// a lock that holds one carries no hashes at all: one `--hash` would put pip in
    /// hash-checking mode, which refuses such a line and so the whole file.
    pub fn is_unhashable(&self) -> bool {
        self.is_vcs() || self.is_directory()
    }

    /// Whether the pin is a git repository at a commit (`name @ git+...@<commit>`).
    pub fn is_vcs(&self) -> bool {
        self.url
            .as_deref()
            .is_some_and(|url| url.starts_with("git+"))
    }

    /// The requirement that asks for exactly what this package pins: `name==version`, or for a
    /// direct URL `name @ url#sha256=hash`, so that a solve constrained by it takes that file
    /// (and checks it by the lock's hash), not the same version from an index.
    ///
    /// A local directory pin is `name==version`: its path is relative to where pip runs, and
    /// the requirement that names the directory brings the project itself.
    pub fn pinned_requirement(&self) -> String {
        if self.is_directory() {
            return format!("{}=={}", self.name, self.version);
        }
        match &self.url {
            Some(url) => match self.hashes.first() {
                Some(hash) if !url.contains('#') => format!("{} @ {url}#sha256={hash}", self.name),
                _ => format!("{} @ {url}", self.name),
            },
            None => format!("{}=={}", self.name, self.version),
        }
    }
}

/// A local directory pin's path (relative, as a lock writes it: `./pkg`, `../lib/x`) moved to
/// another base: `base` is the old base as seen from the new one (`..` to go from a project
/// root to its `locks/`, `locks` to come back). Lexical, with `/` separators and a leading
/// `./`, as pip recognizes a path on a requirements line; an absolute path stays as it is.
///
/// ```
/// use std::path::Path;
/// use strata_lockfile::rebase_directory_path;
///
/// assert_eq!(rebase_directory_path("./pkg", Path::new("..")), "../pkg");
/// assert_eq!(rebase_directory_path("../pkg", Path::new("locks")), "./pkg");
/// assert_eq!(rebase_directory_path("/src/pkg", Path::new("..")), "/src/pkg");
/// ```
pub fn rebase_directory_path(path: &str, base: &std::path::Path) -> String {
    if std::path::Path::new(path).is_absolute() {
        return path.to_string();
    }
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for component in base.join(path).components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if parts.last().is_some_and(|last| last != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_owned()),
        }
    }
    strata_dist::directory_as_written(&parts.iter().collect::<std::path::PathBuf>())
}

impl Lock {
    /// Rewrites the path of every local directory pin with `rebase` (see
    /// [`rebase_directory_path`]): `pylock.toml` writes paths relative to itself (PEP 751),
    /// `requirements.txt` relative to where pip runs.
    pub fn rebase_directories(&mut self, rebase: impl Fn(&str) -> String) {
        for package in &mut self.packages {
            if package.is_directory()
                && let Some(path) = &package.url
            {
                package.url = Some(rebase(path));
            }
        }
    }
}

/// The version a direct URL's filename names (`.../pkg-1.0-py3-none-any.whl` -> 1.0).
fn url_version(name: &PackageName, url: &str) -> Option<Version> {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let filename = path.rsplit('/').next()?;
    let parsed = strata_dist::DistFilename::parse_for_package(filename, name).ok()??;
    Some(parsed.version().clone())
}

impl PartialEq for LockedPackage {
    fn eq(&self, other: &Self) -> bool {
        // Destructured so that a new field has to be placed on one side or the other.
        let Self {
            name,
            version,
            extras,
            url,
            hashes,
            via,
            files,
            requires_python,
            dependencies,
            index,
            line: _,
            // What the commit came from, not what is pinned.
            requested_revision: _,
            editable,
            marker,
        } = self;
        *name == other.name
            && *version == other.version
            && *extras == other.extras
            && *url == other.url
            && *hashes == other.hashes
            && *via == other.via
            && *files == other.files
            && *requires_python == other.requires_python
            && *dependencies == other.dependencies
            && *index == other.index
            && *editable == other.editable
            && *marker == other.marker
    }
}

impl Eq for LockedPackage {}

/// One distribution file of a locked version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    /// The filename.
    pub filename: String,
    /// Where to download it, without credentials.
    pub url: String,
    /// Size in bytes, when the index gave it.
    pub size: Option<u64>,
    /// sha256, lowercase hex.
    pub sha256: String,
    /// Whether it is a wheel (else an sdist).
    pub is_wheel: bool,
}

/// A lock: a header and packages in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    /// Comment lines of the header, without the leading `# `.
    pub header: Vec<String>,
    /// pip option lines written between the header and the pins, as pip-compile writes them
    /// (`--extra-index-url ${GPU_INDEX_URL}`, `--find-links ../wheels`): where pip finds the
    /// files the lock pins, so that `pip install -r` of the lock needs nothing else. Never a
    /// credential, and never the machine's own default index.
    pub options: Vec<String>,
    /// Packages, sorted by normalized name.
    pub packages: Vec<LockedPackage>,
}

impl Lock {
    /// The fingerprint recorded in the header, if any.
    pub fn fingerprint(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::header::FINGERPRINT_PREFIX))
    }

    /// The digest of its own text recorded in the header (`sha256:...`), if any (see
    /// [`crate::integrity`]).
    pub fn digest(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::integrity::DIGEST_PREFIX))
    }

    /// The targets the lock was resolved for, as a profile lock's header names them; empty for
    /// other tools' locks and `strata compile`'s (see [`crate::header::targets`]).
    ///
    /// # Errors
    ///
    /// When the header names a target that does not parse.
    pub fn targets(&self) -> Result<Vec<strata_dist::Target>, strata_dist::Error> {
        crate::header::targets(&self.header)
    }

    /// The packages of an upstream image the lock is installed on top of, as its header lists
    /// them (see [`crate::header::provided_lines`]): `(name, version)`, empty for other locks.
    pub fn provided(&self) -> Vec<(String, String)> {
        crate::header::provided(&self.header)
    }

    /// The per-kind input hashes recorded in the header, if any.
    pub fn recorded_inputs(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::header::INPUTS_PREFIX))
    }

    /// Reads back a lock's header and pins (`# via` is not needed to decide staleness or
    /// preferences, nor an index pin's hashes). `None` when the text is not a lock this reader
    /// understands.
    ///
    /// A direct URL pin is kept, with its hash and the version its filename names: it is a pin
    /// like any other, which the profiles and engines locked on top of this lock must keep (see
    /// [`LockedPackage::pinned_requirement`]).
    ///
    /// ```
    /// let lock = strata_lockfile::Lock::parse_header_and_pins(
    ///     "# header\npkg @ https://files.invalid/pkg-1.0-py3-none-any.whl \\\n    --hash=sha256:aa\n",
    /// )
    /// .unwrap();
    /// assert_eq!(lock.packages[0].version.to_string(), "1.0");
    /// assert_eq!(
    ///     lock.packages[0].pinned_requirement(),
    ///     "pkg @ https://files.invalid/pkg-1.0-py3-none-any.whl#sha256=aa"
    /// );
    /// ```
    pub fn parse_header_and_pins(text: &str) -> Option<Self> {
        let mut lock = crate::requirements_txt::read(text).ok()?;
        for package in &mut lock.packages {
            package.via.clear();
            package.line = None;
            match &package.url {
                Some(url) => {
                    if let Some(version) = url_version(&package.name, url) {
                        package.version = version;
                    }
                }
                None => package.hashes.clear(),
            }
        }
        Some(lock)
    }

    /// The pinned version of every package, for use as resolver preferences.
    pub fn pins(&self) -> impl Iterator<Item = (&PackageName, &Version)> {
        self.packages
            .iter()
            .map(|package| (&package.name, &package.version))
    }
}
