//! The lock model: pinned packages with hashes and the reasons they are there.

use std::collections::BTreeSet;

use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement};
use strata_resolve::Resolution;

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
    /// The 1-based line of the lock file the pin was read from, so a finding about it can
    /// name it; `None` for a lock built from a resolution.
    pub line: Option<usize>,
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
            line: _,
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
    /// Packages, sorted by normalized name.
    pub packages: Vec<LockedPackage>,
}

impl Lock {
    /// Builds a lock from a resolution.
    ///
    /// `sources` names where a top-level requirement was written (`-r requirements.in`,
    /// `extra:vllm`) for its `# via` lines. With `hashes` false, no hash is recorded.
    pub fn from_resolution(
        resolution: &Resolution,
        sources: &dyn Fn(&Requirement) -> Vec<String>,
        hashes: bool,
    ) -> Self {
        let packages = resolution
            .packages
            .values()
            .map(|package| {
                let mut via: BTreeSet<String> = BTreeSet::new();
                for edge in resolution
                    .edges
                    .iter()
                    .filter(|edge| edge.to == package.name)
                {
                    match &edge.from {
                        Some(parent) => {
                            via.insert(parent.to_string());
                        }
                        None => via.extend(sources(&edge.requirement)),
                    }
                }
                let hashes = if hashes {
                    let mut all: Vec<String> = package
                        .files
                        .iter()
                        .filter_map(|file| file.sha256.clone())
                        .collect();
                    all.sort();
                    all.dedup();
                    all
                } else {
                    Vec::new()
                };
                let mut files: Vec<LockedFile> = package
                    .files
                    .iter()
                    .filter_map(|file| {
                        Some(LockedFile {
                            filename: file.name(),
                            url: strata_index::without_credentials(&file.url).to_string(),
                            size: file.size,
                            sha256: file.sha256.clone()?,
                            is_wheel: matches!(file.filename, strata_dist::DistFilename::Wheel(_)),
                        })
                    })
                    .collect();
                files.sort_by(|a, b| a.filename.cmp(&b.filename));
                let mut dependencies: Vec<PackageName> = resolution
                    .edges
                    .iter()
                    .filter(|edge| edge.from.as_ref() == Some(&package.name))
                    .map(|edge| edge.to.clone())
                    .collect();
                dependencies.sort();
                dependencies.dedup();
                LockedPackage {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    extras: package.extras.clone(),
                    url: package.direct_url.clone(),
                    hashes,
                    via: via.into_iter().collect(),
                    files,
                    requires_python: package
                        .metadata
                        .requires_python
                        .as_ref()
                        .map(ToString::to_string),
                    dependencies,
                    line: None,
                }
            })
            .collect();
        Self {
            header: Vec::new(),
            packages,
        }
    }

    /// The fingerprint recorded in the header, if any.
    pub fn fingerprint(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::fingerprint::HEADER_PREFIX))
    }

    /// The digest of its own text recorded in the header (`sha256:...`), if any (see
    /// [`crate::integrity`]).
    pub fn digest(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::integrity::DIGEST_PREFIX))
    }

    /// The Python version and platform the lock was resolved for, as strata's header names
    /// them (`... (Python 3.11 on x86_64-manylinux_2_28) ...`); `None` for other tools' locks.
    ///
    /// ```
    /// let lock = strata_lock::requirements_txt::read(
    ///     "# generated by strata for profile `base` (Python 3.11 on x86_64-manylinux_2_28) by:\n",
    /// )?;
    /// assert_eq!(lock.target_names(), Some(("3.11", "x86_64-manylinux_2_28")));
    /// # Ok::<(), strata_lock::requirements_txt::ReadError>(())
    /// ```
    pub fn target_names(&self) -> Option<(&str, &str)> {
        self.header.iter().find_map(|line| {
            let rest = &line[line.find("(Python ")? + "(Python ".len()..];
            let (python, rest) = rest.split_once(" on ")?;
            let (platform, _) = rest.split_once(')')?;
            Some((python, platform))
        })
    }

    /// The per-kind input hashes recorded in the header, if any.
    pub fn recorded_inputs(&self) -> Option<&str> {
        self.header
            .iter()
            .find_map(|line| line.strip_prefix(crate::fingerprint::INPUTS_PREFIX))
    }

    /// Reads back a lock's header and pins (hashes and `# via` are not needed to decide
    /// staleness or preferences). `None` when the text is not a lock this reader understands.
    pub fn parse_header_and_pins(text: &str) -> Option<Self> {
        let header = crate::requirements_txt::header_lines(text);
        let pins = crate::requirements_txt::read_pins(text).ok()?;
        let mut packages: Vec<LockedPackage> = pins
            .into_iter()
            .map(|(name, version)| LockedPackage {
                name,
                version,
                extras: BTreeSet::new(),
                url: None,
                hashes: Vec::new(),
                via: Vec::new(),
                files: Vec::new(),
                requires_python: None,
                dependencies: Vec::new(),
                line: None,
            })
            .collect();
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Self { header, packages })
    }

    /// The pinned version of every package, for use as resolver preferences.
    pub fn pins(&self) -> impl Iterator<Item = (&PackageName, &Version)> {
        self.packages
            .iter()
            .map(|package| (&package.name, &package.version))
    }
}
