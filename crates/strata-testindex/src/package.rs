//! The universe a test declares: packages, their files and their metadata.
//!
//! These are plain builders that only record what the test asked for; nothing is
//! validated or generated until [`crate::TestIndex::start`], so a builder chain
//! never fails halfway.

/// The wheel tag every package gets unless the test names its own.
pub(crate) const DEFAULT_WHEEL_TAG: &str = "py3-none-any";

/// A set of packages served by one [`crate::TestIndex`].
///
/// Several [`Package`]s with the same name are several releases of one project.
#[derive(Debug, Clone, Default)]
pub struct Universe {
    pub(crate) packages: Vec<Package>,
    pub(crate) metadata_files: bool,
    pub(crate) page_max_age: u32,
    pub(crate) html_only: bool,
    pub(crate) tls: bool,
}

impl Universe {
    /// An empty universe without PEP 658 metadata files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one release.
    #[must_use]
    pub fn package(mut self, package: Package) -> Self {
        self.packages.push(package);
        self
    }

    /// Serves a PEP 658 `<wheel>.metadata` file next to every wheel and
    /// advertises it in the pages under PEP 714's `core-metadata` names and the
    /// older `dist-info-metadata` ones.
    ///
    /// Off by default, because the index this project meets in real life does not
    /// advertise them, so clients must work without.
    #[must_use]
    pub fn metadata_files(mut self, enabled: bool) -> Self {
        self.metadata_files = enabled;
        self
    }

    /// Serves PEP 503 HTML whatever `Accept` asks for, like static indexes
    /// that have no JSON pages.
    #[must_use]
    pub fn html_only(mut self) -> Self {
        self.html_only = true;
        self
    }

    /// Serves HTTPS instead of HTTP, with a server certificate for `127.0.0.1` and `localhost`
    /// signed by a test CA made for this index alone: [`crate::TestIndex::url`] is then
    /// `https://127.0.0.1:PORT/simple/`, and clients trust the index by trusting
    /// [`crate::TestIndex::ca_certificate_path`] (pip's `--cert`, `SSL_CERT_FILE`).
    #[must_use]
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Sets the `max-age` of the pages' `Cache-Control` (default 0: clients must
    /// revalidate, which exercises `ETag` and 304). Files are always immutable.
    #[must_use]
    pub fn page_max_age(mut self, seconds: u32) -> Self {
        self.page_max_age = seconds;
        self
    }
}

/// How an sdist declares its core metadata (PEP 643).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SdistMetadata {
    /// `PKG-INFO` is Metadata-Version 2.2 and lists `Requires-Dist`: a client may
    /// trust it without building.
    Static,
    /// `PKG-INFO` says `Dynamic: Requires-Dist` and lists no requirements: only a
    /// build reveals them.
    Dynamic,
    /// What setuptools 75.8 and later write for a `setup.py` project: `PKG-INFO` is
    /// Metadata-Version 2.2, lists the requirements, and marks the fields `setup.py`
    /// set as `Dynamic: requires-dist` and `Dynamic: requires-python`, in lowercase;
    /// `pyproject.toml` has no `[project]` table.
    SetuptoolsDynamic,
    /// `pyproject.toml` declares the metadata in `[project]` (PEP 621, the version
    /// dynamic), while `PKG-INFO` is Metadata-Version 2.1, which PEP 643 does not
    /// let a client trust.
    PyprojectStatic,
}

/// What the sdist's in-tree build backend does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SdistSpec {
    pub(crate) metadata: SdistMetadata,
    /// When set, every build hook exits with this message instead of building.
    pub(crate) build_failure: Option<String>,
}

/// One release of one project, built like cargo's test registry packages:
/// `Package::new("numpy", "1.26.4").requires("foo>=1")`.
///
/// By default a release has one `py3-none-any` wheel, no sdist, no
/// requirements, and a top-level module named after the project.
#[derive(Debug, Clone)]
pub struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) requires_dist: Vec<String>,
    pub(crate) requires_python: Option<String>,
    pub(crate) extras: Vec<(String, Vec<String>)>,
    pub(crate) wheel_tags: Vec<String>,
    pub(crate) sdist: Option<SdistSpec>,
    pub(crate) yanked: Option<String>,
    pub(crate) padding: u64,
    pub(crate) import_name: Option<String>,
    pub(crate) module_files: Vec<(String, String)>,
    pub(crate) upload_time: Option<String>,
}

impl Package {
    /// A release `name==version` with one `py3-none-any` wheel.
    ///
    /// The name is written into the metadata as given; the pages and file names use
    /// its normalized forms.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            requires_dist: Vec::new(),
            requires_python: None,
            extras: Vec::new(),
            wheel_tags: vec![DEFAULT_WHEEL_TAG.to_string()],
            sdist: None,
            yanked: None,
            padding: 0,
            import_name: None,
            module_files: Vec::new(),
            upload_time: None,
        }
    }

    /// Adds a `Requires-Dist` line, verbatim (a PEP 508 requirement, markers
    /// allowed).
    #[must_use]
    pub fn requires(mut self, requirement: impl Into<String>) -> Self {
        self.requires_dist.push(requirement.into());
        self
    }

    /// Sets `Requires-Python` in the metadata and in the pages.
    #[must_use]
    pub fn requires_python(mut self, specifiers: impl Into<String>) -> Self {
        self.requires_python = Some(specifiers.into());
        self
    }

    /// Declares an extra (`Provides-Extra`) whose requirements get
    /// `extra == "<name>"` markers.
    #[must_use]
    pub fn extra<I, S>(mut self, name: impl Into<String>, requirements: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extras.push((
            name.into(),
            requirements.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Adds a wheel with this compressed tag set (`cp311-cp311-manylinux_2_17_x86_64`,
    /// `py2.py3-none-any`). The first call replaces the default `py3-none-any`
    /// wheel; later calls add more wheels.
    #[must_use]
    pub fn wheel_tags(mut self, tags: impl Into<String>) -> Self {
        if self.wheel_tags == [DEFAULT_WHEEL_TAG] {
            self.wheel_tags.clear();
        }
        let tags = tags.into();
        if !self.wheel_tags.contains(&tags) {
            self.wheel_tags.push(tags);
        }
        self
    }

    /// Removes every wheel, for sdist-only releases.
    #[must_use]
    pub fn no_wheels(mut self) -> Self {
        self.wheel_tags.clear();
        self
    }

    /// Adds an sdist with static metadata (PEP 643, Metadata-Version 2.2) and an
    /// in-tree PEP 517 backend that builds a `py3-none-any` wheel with the standard
    /// library only.
    #[must_use]
    pub fn sdist(self) -> Self {
        self.sdist_with(SdistMetadata::Static)
    }

    /// Adds an sdist whose `PKG-INFO` declares `Dynamic: Requires-Dist` and lists
    /// no requirements; building it yields the real ones.
    #[must_use]
    pub fn sdist_dynamic_metadata(self) -> Self {
        self.sdist_with(SdistMetadata::Dynamic)
    }

    /// Adds an sdist shaped like setuptools 75.8 and later write them for a
    /// `setup.py` project (flash-attn's, say): `PKG-INFO` is Metadata-Version 2.2,
    /// lists the requirements, and says `Dynamic: requires-dist` and
    /// `Dynamic: requires-python` in lowercase; no `[project]` table.
    #[must_use]
    pub fn sdist_setuptools_dynamic(self) -> Self {
        self.sdist_with(SdistMetadata::SetuptoolsDynamic)
    }

    /// Adds an sdist whose `pyproject.toml` declares the metadata statically in
    /// `[project]` (with `dynamic = ["version"]`), while its `PKG-INFO` is
    /// Metadata-Version 2.1.
    #[must_use]
    pub fn sdist_pyproject_static(self) -> Self {
        self.sdist_with(SdistMetadata::PyprojectStatic)
    }

    fn sdist_with(mut self, metadata: SdistMetadata) -> Self {
        let build_failure = self.sdist.take().and_then(|sdist| sdist.build_failure);
        self.sdist = Some(SdistSpec {
            metadata,
            build_failure,
        });
        self
    }

    /// Makes the sdist's build backend exit with `message` from every build hook
    /// (adding a dynamic-metadata sdist if there is none), to model stub sdists
    /// that fetch their real wheel from elsewhere at build time.
    #[must_use]
    pub fn sdist_build_fails(mut self, message: impl Into<String>) -> Self {
        let metadata = self
            .sdist
            .as_ref()
            .map_or(SdistMetadata::Dynamic, |sdist| sdist.metadata);
        self.sdist = Some(SdistSpec {
            metadata,
            build_failure: Some(message.into()),
        });
        self
    }

    /// Marks every file of the release yanked (PEP 592). An empty reason yanks
    /// without one.
    #[must_use]
    pub fn yanked(mut self, reason: impl Into<String>) -> Self {
        self.yanked = Some(reason.into());
        self
    }

    /// Adds a stored (uncompressed) file of `bytes` deterministic pseudo-random
    /// bytes to every wheel, to make big wheels whose metadata sits at the end.
    #[must_use]
    pub fn padding(mut self, bytes: u64) -> Self {
        self.padding = bytes;
        self
    }

    /// Sets the top-level import name (default: the normalized project name with
    /// `_` for `-`), listed in `top_level.txt`.
    #[must_use]
    pub fn import_name(mut self, name: impl Into<String>) -> Self {
        self.import_name = Some(name.into());
        self
    }

    /// Adds a file to the wheels and the sdist's source tree, at `path` relative
    /// to `site-packages` (for example `numpy/linalg.py`). Without one,
    /// `<import name>/__init__.py` holds `__version__`.
    #[must_use]
    pub fn module_file(mut self, path: impl Into<String>, contents: impl Into<String>) -> Self {
        self.module_files.push((path.into(), contents.into()));
        self
    }

    /// Sets the `upload-time` reported in JSON pages (an RFC 3339 timestamp such as
    /// `2024-02-05T12:00:00.000000Z`).
    #[must_use]
    pub fn upload_time(mut self, timestamp: impl Into<String>) -> Self {
        self.upload_time = Some(timestamp.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_explicit_wheel_tag_replaces_the_default_wheel() {
        let package = Package::new("a", "1")
            .wheel_tags("cp311-cp311-manylinux_2_17_x86_64")
            .wheel_tags("cp312-cp312-win_amd64");
        assert_eq!(
            package.wheel_tags,
            ["cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-win_amd64"]
        );
    }

    #[test]
    fn build_failure_keeps_the_declared_metadata_kind() {
        let package = Package::new("a", "1").sdist().sdist_build_fails("no");
        assert_eq!(
            package.sdist,
            Some(SdistSpec {
                metadata: SdistMetadata::Static,
                build_failure: Some("no".to_string())
            })
        );
    }
}
