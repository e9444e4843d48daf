//! The validated project model: what the rest of strata works from.
//!
//! Everything here has been checked: names are valid, every `extends` points at a defined
//! profile, there is no cycle, every requirement parsed, every engine has a version. Types are
//! plain data with `Serialize`, which is what `strata profiles --format json` prints.

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};
use serde::{Serialize, Serializer};

use strata_dist::{Platform, PythonVersion, Target};

pub use crate::requirements_in::PipOptions;
use crate::version_source::VersionSource;

/// A profile or engine name.
///
/// The rule: ASCII lowercase letters, digits, `-` and `_`, starting with a letter. Names become
/// lock file names (`locks/<name>.txt`), image tags and `docker-bake.hcl` target names, and this
/// is the set every one of those accepts unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ProfileName(String);

impl ProfileName {
    /// Validates a name; the error says which character or position is wrong.
    pub fn parse(name: &str) -> Result<Self, String> {
        let mut chars = name.chars();
        match chars.next() {
            None => return Err("a name cannot be empty".to_string()),
            Some(first) if !first.is_ascii_lowercase() => {
                return Err("a name must start with a lowercase ASCII letter".to_string());
            }
            Some(_) => {}
        }
        if let Some(bad) = chars
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "`{bad}` is not allowed: use lowercase ASCII letters, digits, `-` and `_`"
            ));
        }
        Ok(Self(name.to_string()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, so names line up in tables.
        f.pad(&self.0)
    }
}

/// Where an environment will run: a Python version and a platform, as uv names them.
///
/// Either may be unset when neither the manifest nor the profile gives it; commands that need a
/// target (locking) say so then ([`TargetSpec::target`]). Both are parsed when the manifest is
/// loaded, with the parsers that later compute markers and wheel tags, so a value held here is
/// one the resolver understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetSpec {
    /// Like `3.11`.
    pub python_version: Option<PythonVersion>,
    /// Like `x86_64-manylinux_2_28`, kept under the name the manifest used.
    pub python_platform: Option<Platform>,
}

impl TargetSpec {
    /// The target, when both settings are given.
    ///
    /// ```
    /// use strata_project::TargetSpec;
    ///
    /// let spec = TargetSpec { python_version: Some("3.11".parse()?), python_platform: None };
    /// assert!(spec.target().is_err());
    /// let spec = TargetSpec { python_platform: Some("linux".parse()?), ..spec };
    /// assert_eq!(spec.target().unwrap().to_string(), "Python 3.11 on linux");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Names the manifest key that is missing (`python-version` first).
    pub fn target(&self) -> Result<Target, MissingTarget> {
        match (self.python_version, self.python_platform) {
            (Some(python), Some(platform)) => Ok(Target::new(python, platform)),
            (None, _) => Err(MissingTarget {
                key: "python-version",
            }),
            (Some(_), None) => Err(MissingTarget {
                key: "python-platform",
            }),
        }
    }
}

/// A [`TargetSpec`] that lacks one of its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("`{key}` is not set in the manifest")]
pub struct MissingTarget {
    /// The manifest key: `python-version` or `python-platform`.
    pub key: &'static str,
}

impl Serialize for TargetSpec {
    /// As the manifest spells the values: `{"python-version": "3.11", "python-platform": ...}`,
    /// `null` when unset.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("TargetSpec", 2)?;
        out.serialize_field(
            "python-version",
            &self.python_version.map(|version| version.to_string()),
        )?;
        out.serialize_field(
            "python-platform",
            &self.python_platform.map(|platform| platform.name()),
        )?;
        out.end()
    }
}

/// Where a requirement comes from, for explanations and `# via` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An inline `requirements = [...]` (or `constraints`) entry of the manifest.
    Manifest {
        /// The manifest path, relative to the project root.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// A line of a `.in` file (possibly reached through `-r`).
    File {
        /// The file, relative to the project root.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// `[project].dependencies` (through `include = ["project"]`).
    Project,
    /// `[project.optional-dependencies].NAME` (through `include = ["extra:NAME"]`).
    Extra(String),
    /// `[dependency-groups].NAME` (through `include = ["group:NAME"]`).
    Group(String),
    /// An engine's version file.
    VersionFile {
        /// The file.
        path: PathBuf,
        /// The key path.
        key: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Manifest { path, line } | Self::File { path, line } => {
                write!(f, "{}:{line}", path.display())
            }
            Self::Project => f.write_str("project"),
            Self::Extra(name) => write!(f, "extra:{name}"),
            Self::Group(name) => write!(f, "group:{name}"),
            Self::VersionFile { path, key } => write!(f, "{} ({key})", path.display()),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A requirement and where it was declared.
///
/// Serialized as `requirement` (as a requirements file writes it: PEP 508, or a local directory
/// as written, `-e ./pkg`), `name` (the distribution's normalized name) and `origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedRequirement {
    /// The PEP 508 requirement.
    pub requirement: Requirement,
    /// Where it was written.
    pub origin: Origin,
}

impl Serialize for SourcedRequirement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("SourcedRequirement", 3)?;
        out.serialize_field(
            "requirement",
            &crate::local_directory::written_requirement(&self.requirement),
        )?;
        out.serialize_field("name", self.requirement.name.as_ref())?;
        out.serialize_field("origin", &self.origin)?;
        out.end()
    }
}

/// A named set of requirements for one target; an engine is a profile with an [`Engine`] part.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Profile {
    /// The name.
    pub name: ProfileName,
    /// Direct parents, in the order written.
    pub extends: Vec<ProfileName>,
    /// The effective targets, at least one: the profile's own (`targets = [...]`, or
    /// `python-version`/`python-platform` over the inherited first target), else its first
    /// parent's, else the project's. Several make one lock whose lines carry markers; an engine
    /// has one (it runs in one image).
    pub targets: Vec<TargetSpec>,
    /// The profile's own requirements (not its parents').
    pub requirements: Vec<SourcedRequirement>,
    /// The profile's own constraints: they limit versions and never add packages.
    pub constraints: Vec<SourcedRequirement>,
    /// pip options read from the profile's `.in` files: only values the manifest's index
    /// settings repeat (anything else, and `--pre`, was rejected with its line).
    pub pip_options: PipOptions,
    /// Its image, when the manifest declares one (`image = {...}`): an engine's, or a role
    /// image of a profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSpec>,
    /// Present for engines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
}

impl Profile {
    /// The first of its [`Profile::targets`]: the one target of a profile that has one, and
    /// the one an engine inherits from a profile that has several.
    pub fn target(&self) -> &TargetSpec {
        &self.targets[0]
    }

    /// Whether this profile is an engine (isolated from the other engines).
    pub fn is_engine(&self) -> bool {
        self.engine.is_some()
    }
}

/// The engine part of a profile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Engine {
    /// The engine's distribution, pinned to the version from the version file.
    #[serde(serialize_with = "serialize_display")]
    pub package: PackageName,
    /// The version read from the version file.
    #[serde(serialize_with = "serialize_display")]
    pub version: Version,
    /// Where the version came from.
    #[serde(serialize_with = "serialize_version_source")]
    pub version_source: VersionSource,
    /// Whether it needs a GPU.
    pub gpu: bool,
    /// Named indexes (from `[tool.strata.indexes]`) searched before the default index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<String>,
    /// What to do when one of those indexes is not configured or cannot be reached.
    pub when_index_unavailable: IndexUnavailable,
    /// Resolve with the parents' requirements but not their pins, reporting where the engine's
    /// versions diverge (for an engine that cannot live with the hierarchy's pins).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub isolated_from_parent: bool,
    /// Whether the engine may move the pins of the profiles it extends (the default): when it
    /// cannot live with them, its versions of the conflicting packages are fed back into their
    /// solve. With `false`, that conflict is reported instead and the parents keep their pins.
    #[serde(skip_serializing_if = "is_true")]
    pub move_parent_pins: bool,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_true(value: &bool) -> bool {
    *value
}

/// How a profile's or an engine's image is obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageSpec {
    /// Reuse a canonical upstream image; `{version}` is replaced by the engine version.
    Upstream {
        /// The template as written, like `vllm/vllm-openai:v{version}`.
        template: String,
        /// The template with the version filled in.
        image: String,
        /// The image's captured package set (`strata images capture`), relative to the project
        /// root: the engine's lock is resolved with those packages fixed (see
        /// [`crate::ImagePackages`]). `None`: locked as if from scratch.
        #[serde(skip_serializing_if = "Option::is_none")]
        packages: Option<PathBuf>,
    },
    /// A first-party image whose Dockerfile strata generates: the lock installed on `base` (a
    /// pinned image with Python), nothing else.
    Generated {
        /// The base image.
        base: BaseImage,
        /// A profile that extends this one, whose lock the image's `dev` stage adds.
        #[serde(skip_serializing_if = "Option::is_none")]
        dev: Option<ProfileName>,
    },
    /// A first-party build from the project's own Dockerfile.
    Build {
        /// The Dockerfile, relative to the project root.
        dockerfile: PathBuf,
        /// The base image, if given.
        #[serde(skip_serializing_if = "Option::is_none")]
        base: Option<String>,
    },
}

/// The base a generated image builds on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseImage {
    /// The project's CPU base, `[tool.strata.images] cpu-base` (`base = "cpu"`, the default
    /// for profiles and engines without a GPU).
    Cpu,
    /// The project's GPU base, `[tool.strata.images] gpu-base` (`base = "gpu"`, the default
    /// for engines with `gpu = true`).
    Gpu,
    /// An image named in place: `base = "python:3.11-slim-bookworm"`.
    Image(String),
}

impl BaseImage {
    /// The image reference, looking the project's bases up in `settings`; `None` when the
    /// manifest lacks the one named (the manifest loader reports that, so a loaded project
    /// always has it).
    pub fn resolve<'a>(&'a self, settings: &'a ImageSettings) -> Option<&'a str> {
        match self {
            Self::Cpu => settings.cpu_base.as_deref(),
            Self::Gpu => settings.gpu_base.as_deref(),
            Self::Image(image) => Some(image),
        }
    }

    /// Whether this is the project's GPU base.
    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu)
    }
}

/// What `strata lock` does with an engine whose named index is unavailable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexUnavailable {
    /// Fail the run (exit 2). The default: a lock is never silently partial.
    #[default]
    Fail,
    /// Skip this engine, keep its existing lock, and say so in a warning and the summary
    /// (exit 0: the manifest asked for it). `lock --check` still requires its lock to exist.
    Skip,
    /// As `Skip`, and `lock --check` also accepts that it has no lock at all: an engine only
    /// some machines can lock.
    Optional,
}

/// A named package index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NamedIndex {
    /// The URL as written, which may reference environment variables (`${NVIDIA_INDEX_URL}`).
    pub declared: String,
    /// The URL after expanding variables; `None` when a variable is unset.
    pub url: Option<String>,
    /// The variables the declaration uses that are unset.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unset_variables: Vec<String>,
    /// `explicit = true`: the index serves only the packages `[tool.strata.sources]` binds to
    /// it, even for an engine that lists it in `indexes` (uv's and Poetry's `explicit`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub explicit: bool,
}

impl NamedIndex {
    /// The environment variables its declaration names (`${NVIDIA_INDEX_URL}`), set or not, in
    /// order and once each: what a CI job must be given to reach the index.
    ///
    /// ```
    /// # use strata_project::NamedIndex;
    /// let index = NamedIndex {
    ///     declared: "https://${USER}:${TOKEN}@${HOST}/simple/${TOKEN}".to_string(),
    ///     url: None,
    ///     unset_variables: Vec::new(),
    ///     explicit: false,
    /// };
    /// assert_eq!(index.variables(), ["USER", "TOKEN", "HOST"]);
    /// ```
    pub fn variables(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (_, name) in variable_references(&self.declared) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

/// Each `${NAME}` in `text`, with the byte range it spans; an unclosed `${` ends the search.
pub(crate) fn variable_references(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("${").map(|offset| from + offset) {
        let Some(end) = text[start..].find('}').map(|offset| start + offset) else {
            break;
        };
        out.push((start..end + 1, &text[start + 2..end]));
        from = end + 1;
    }
    out
}

/// A `[tool.strata.sources]` entry: a package taken from one named index alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PackageSource {
    /// The named index (a key of `[tool.strata.indexes]`).
    pub index: String,
    /// Where the entry is written, for errors about it.
    #[serde(skip)]
    pub snippet: crate::Snippet,
}

/// An engine's named index whose URL cannot be formed on this machine: a variable it uses is
/// unset. Found by [`Project::unavailable_index`], the one place that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnavailableIndex<'a> {
    /// The index's name in `[tool.strata.indexes]`.
    pub name: &'a str,
    /// Its declaration, with the unset variables.
    pub index: &'a NamedIndex,
}

impl UnavailableIndex<'_> {
    /// The unset variables, quoted and joined: `` `NVIDIA_INDEX_URL` ``.
    pub fn unset_variables(&self) -> String {
        self.index
            .unset_variables
            .iter()
            .map(|variable| format!("`{variable}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Index settings of the manifest (the defaults come from pip's configuration at lock time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct IndexSettings {
    /// `index-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_url: Option<String>,
    /// `extra-index-url`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_index_urls: Vec<String>,
    /// `find-links`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub find_links: Vec<String>,
    /// `[tool.strata.indexes.NAME]`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub named: IndexMap<String, NamedIndex>,
    /// `[tool.strata.sources]`: package (normalized name) to the index it is taken from.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sources: IndexMap<String, PackageSource>,
}

/// `[tool.strata.contracts]`, passed to the contract checker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ContractSettings {
    /// Source roots to scan, relative to the project root (default: `src` if it exists, else `.`).
    pub roots: Vec<PathBuf>,
    /// Globs of module names that must stay engine-free at import time.
    pub host: Vec<String>,
    /// Import names of engine packages; `None` means "derive from the engines".
    pub engine_packages: Option<Vec<String>>,
}

/// An effective requirement of a profile: its own, or inherited through `extends`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct EffectiveRequirement<'a> {
    /// The requirement and its origin.
    #[serde(flatten)]
    pub requirement: &'a SourcedRequirement,
    /// The ancestor it was inherited from; `None` for the profile's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<&'a ProfileName>,
}

/// A validated project.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Project {
    /// The directory holding the manifest; relative paths are resolved against it.
    pub root: PathBuf,
    /// The manifest file (`pyproject.toml` or `strata.toml`).
    pub manifest: PathBuf,
    /// `[project].name`, when there is a `pyproject.toml` with one.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_option_display"
    )]
    pub name: Option<PackageName>,
    /// `[project].version`, when the file holds it (not `dynamic`): role images are tagged
    /// with it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_option_display"
    )]
    pub version: Option<Version>,
    /// The project-wide default targets (at least one entry, whose settings may be unset).
    pub targets: Vec<TargetSpec>,
    /// Where locks are written, relative to the root.
    pub lock_dir: PathBuf,
    /// Whether to write PEP 751 `pylock.<name>.toml` next to each `<name>.txt` (default true).
    pub pylock: bool,
    /// Index settings.
    pub index: IndexSettings,
    /// Profiles and engines in declaration order (profiles first).
    pub profiles: IndexMap<ProfileName, Profile>,
    /// Contract settings.
    pub contracts: ContractSettings,
    /// `[tool.strata.images]`.
    pub images: ImageSettings,
    /// `[tool.strata.ci]`.
    pub ci: CiSettings,
}

/// `[tool.strata.ci]`: what the CI plan and workflow need beyond the model (which engines, images
/// and inputs there are): where the workflow goes, the runners, and the cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CiSettings {
    /// The generated workflow, relative to the project root.
    pub workflow: PathBuf,
    /// The shell command the workflow's jobs run to put `strata` on `PATH` (a download of a
    /// release, a `cargo install`); none leaves it to the runners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install: Option<String>,
    /// `runs-on` labels of jobs that need no GPU.
    pub cpu_runner: Vec<String>,
    /// `runs-on` labels of jobs that run a GPU image: a self-hosted GPU runner's.
    pub gpu_runner: Vec<String>,
    /// Every engine's `test` cell: its command, run in the engine's image, and the paths (globs
    /// relative to the project root) whose change reruns it.
    pub test: CellSpec,
    /// The probe cells, by name, in declaration order.
    pub cells: IndexMap<String, CellSpec>,
}

impl Default for CiSettings {
    fn default() -> Self {
        Self {
            workflow: PathBuf::from(".github/workflows/strata.yml"),
            install: None,
            cpu_runner: vec!["ubuntu-latest".to_string()],
            gpu_runner: vec!["self-hosted".to_string(), "gpu".to_string()],
            test: CellSpec {
                command: vec!["pytest".to_string(), "tests".to_string()],
                engines: Vec::new(),
                paths: vec!["src/**".to_string(), "tests/**".to_string()],
            },
            cells: IndexMap::new(),
        }
    }
}

/// A CI cell: a command run in an engine's image, for some engines, rerun when its paths change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CellSpec {
    /// The command and its arguments (`["pytest", "tests/engines"]`).
    pub command: Vec<String>,
    /// The engines it runs for; empty means every engine with an image.
    pub engines: Vec<ProfileName>,
    /// Globs, relative to the project root (`src/**`), whose change reruns it.
    pub paths: Vec<String>,
}

/// `[tool.strata.images]`: what every generated image shares (bases, OS packages, the CA
/// bundle) and how images are named, cached and labelled. What one image is (upstream, a
/// Dockerfile, generated) is its profile's own `image` setting ([`ImageSpec`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ImageSettings {
    /// The repository first-party images are tagged in (`team/app`,
    /// `registry.internal:5000/team/app`), checked against the Docker reference grammar; when
    /// unset, the image plan derives one from the project's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The base of generated CPU images (`python:3.11-slim-bookworm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_base: Option<String>,
    /// The base of generated GPU images (`nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04`, with
    /// Python installed by `os-packages` or already present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_base: Option<String>,
    /// Debian/Ubuntu packages every generated image installs with apt (`git`, `git-lfs`),
    /// checked against Debian's package-name grammar (an optional `=version` pin).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os_packages: Vec<String>,
    /// A PEM file, relative to the project root, added to every generated image's trust store
    /// and to pip's configuration (a company proxy's CA, the second seed's `trust.pem`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<PathBuf>,
    /// A registry repository for build caches: each target caches to
    /// `<cache>:buildcache-<target>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// Platforms every image is built for (`linux/amd64`, `linux/arm64`); empty leaves it to
    /// the builder (its own platform).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// The project's source URL, the images' `org.opencontainers.image.source` label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Project {
    /// The profile or engine a user named (on the command line, say).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::write(dir.path().join("strata.toml"), "[profiles.base]\nrequirements = [\"numpy\"]\n")?;
    /// use strata_diagnostic::Diagnostic; // the error's hints
    ///
    /// let project = strata_project::Project::discover(dir.path(), &|_| None)?;
    /// assert_eq!(project.profile("base")?.name.as_str(), "base");
    /// let error = project.profile("bas").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "No profile or engine `bas` in `strata.toml`; the project has `base`"
    /// );
    /// assert_eq!(error.hints(), ["Did you mean `base`?"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When there is none: the error names the manifest, every defined name and, for a near
    /// miss, the one meant.
    pub fn profile(&self, name: &str) -> Result<&Profile, crate::Error> {
        self.find_profile(name)
            .ok_or_else(|| self.no_such("profile or engine", name, self.profiles.values()))
    }

    /// The engine a user named, with its engine settings; the error is [`Project::profile`]'s,
    /// listing the engines only.
    ///
    /// # Errors
    ///
    /// When the project has no engine of that name (a plain profile is not one).
    pub fn engine(&self, name: &str) -> Result<(&Profile, &Engine), crate::Error> {
        self.find_profile(name)
            .and_then(|profile| Some((profile, profile.engine.as_ref()?)))
            .ok_or_else(|| self.no_such("engine", name, self.engines()))
    }

    fn no_such<'a>(
        &self,
        what: &'static str,
        name: &str,
        candidates: impl Iterator<Item = &'a Profile>,
    ) -> crate::Error {
        let known: Vec<&str> = candidates.map(|profile| profile.name.as_str()).collect();
        crate::ErrorKind::NoSuchProfile {
            what,
            name: name.to_string(),
            manifest: self
                .manifest
                .strip_prefix(&self.root)
                .unwrap_or(&self.manifest)
                .to_path_buf(),
            suggestion: crate::suggest::closest(name, known.iter().copied()).map(str::to_string),
            known: known.into_iter().map(str::to_string).collect(),
        }
        .into()
    }

    /// Looks a profile or engine up by name, for a caller that has its own answer to "none".
    pub fn find_profile(&self, name: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|(key, _)| key.as_str() == name)
            .map(|(_, profile)| profile)
    }

    /// The first named index of engine `name` whose URL is not configured here, in the order
    /// the engine lists them; `None` for a plain profile or when every one is configured.
    ///
    /// An engine with one is not locked here (or is skipped, as its `when-index-unavailable`
    /// says), and `lock --check` cannot verify its lock's index input.
    pub fn unavailable_index(&self, name: &ProfileName) -> Option<UnavailableIndex<'_>> {
        let engine = self.profiles.get(name)?.engine.as_ref()?;
        engine.indexes.iter().find_map(|index| {
            let (name, named) = self.index.named.get_key_value(index)?;
            named
                .url
                .is_none()
                .then_some(UnavailableIndex { name, index: named })
        })
    }

    /// The URLs of engine `name`'s named indexes that are configured here, in its order (empty
    /// for a plain profile). They are searched before the default indexes. An `explicit` index
    /// is left out: it serves only the packages bound to it (see [`Project::bound_indexes`]).
    pub fn engine_index_urls(&self, name: &ProfileName) -> Vec<String> {
        self.profiles
            .get(name)
            .and_then(|profile| profile.engine.as_ref())
            .into_iter()
            .flat_map(|engine| engine.indexes.iter())
            .filter_map(|index| self.index.named.get(index))
            .filter(|index| !index.explicit)
            .filter_map(|index| index.url.clone())
            .collect()
    }

    /// `[tool.strata.sources]` as (package, index URL) pairs, in declaration order: every
    /// profile and engine takes each of those packages from that index alone. A source whose
    /// index is not configured here (a variable unset) is an error naming its line.
    pub fn bound_indexes(&self) -> Result<Vec<(PackageName, String)>, crate::Error> {
        self.index
            .sources
            .iter()
            .map(|(package, source)| {
                let index = &self.index.named[&source.index];
                let url = index.url.clone().ok_or_else(|| {
                    let variables: Vec<String> = index
                        .unset_variables
                        .iter()
                        .map(|variable| format!("`{variable}`"))
                        .collect();
                    crate::Error::from(crate::error::ErrorKind::InvalidValue {
                        what: "source".to_string(),
                        value: package.clone(),
                        reason: format!(
                            "its index `{}` is not configured ({} not set)",
                            source.index,
                            variables.join(", ")
                        ),
                        snippet: source.snippet.clone(),
                    })
                })?;
                let name = PackageName::new(package.clone())
                    .expect("source keys are validated package names");
                Ok((name, url))
            })
            .collect()
    }

    /// Every profile that is not an engine.
    pub fn plain_profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles
            .values()
            .filter(|profile| !profile.is_engine())
    }

    /// Every engine.
    pub fn engines(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values().filter(|profile| profile.is_engine())
    }

    /// All ancestors of `name` (parents, their parents...), each once, farthest first, so
    /// inherited requirements read top-down the way the hierarchy is drawn.
    ///
    /// # Panics
    ///
    /// Never for a name taken from this project (validation rejected unknown parents and cycles).
    pub fn ancestors(&self, name: &ProfileName) -> Vec<&ProfileName> {
        fn visit<'a>(project: &'a Project, name: &ProfileName, out: &mut Vec<&'a ProfileName>) {
            let profile = &project.profiles[name];
            for parent in &profile.extends {
                visit(project, parent, out);
                if !out.contains(&parent) {
                    out.push(parent);
                }
            }
        }
        let mut out = Vec::new();
        visit(self, name, &mut out);
        out
    }

    /// The requirements a profile contains: its ancestors' (farthest first) and then its own.
    pub fn effective_requirements(&self, name: &ProfileName) -> Vec<EffectiveRequirement<'_>> {
        let mut out = Vec::new();
        for ancestor in self.ancestors(name) {
            out.extend(
                self.profiles[ancestor]
                    .requirements
                    .iter()
                    .map(|requirement| EffectiveRequirement {
                        requirement,
                        inherited_from: Some(ancestor),
                    }),
            );
        }
        out.extend(self.profiles[name].requirements.iter().map(|requirement| {
            EffectiveRequirement {
                requirement,
                inherited_from: None,
            }
        }));
        out
    }

    /// The top-level import names of engine packages, for the engine-import contract:
    /// `[tool.strata.contracts] engine-packages` when declared, else each engine's distribution
    /// name with `-` replaced by `_` (`tensorrt-llm` -> `tensorrt_llm`), once each, in
    /// declaration order.
    ///
    /// This sees only the engines' own packages, not what they bring with them (`torch`):
    /// the manifest alone has no resolved dependency list. Once the engines are locked,
    /// `strata_lock::engine_imports` derives the full list from the locks instead.
    pub fn engine_import_names(&self) -> Vec<String> {
        if let Some(declared) = &self.contracts.engine_packages {
            return declared.clone();
        }
        let mut names: Vec<String> = Vec::new();
        for engine in self
            .profiles
            .values()
            .filter_map(|profile| profile.engine.as_ref())
        {
            // A normalized distribution name only has `-` as a separator (PEP 503), and an
            // import name cannot contain one.
            let name = engine.package.as_ref().replace('-', "_");
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

fn serialize_display<T: fmt::Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

#[expect(
    clippy::ref_option,
    reason = "serde's `serialize_with` passes a reference to the field"
)]
fn serialize_option_display<T: fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

fn serialize_version_source<S: Serializer>(
    value: &VersionSource,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut state = serializer.serialize_struct("VersionSource", 2)?;
    state.serialize_field("file", &value.file)?;
    state.serialize_field("key", &value.key)?;
    state.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_with_engines(packages: &[&str]) -> Project {
        let profiles = packages
            .iter()
            .enumerate()
            .map(|(index, package)| {
                let name = ProfileName::parse(&format!("engine{index}")).expect("valid name");
                let version = Version::new([1, 0]);
                let profile = Profile {
                    name: name.clone(),
                    extends: Vec::new(),
                    targets: vec![TargetSpec::default()],
                    requirements: Vec::new(),
                    constraints: Vec::new(),
                    pip_options: PipOptions::default(),
                    image: None,
                    engine: Some(Engine {
                        package: PackageName::new((*package).to_owned()).expect("valid name"),
                        version: version.clone(),
                        version_source: VersionSource {
                            file: PathBuf::from("versions.yaml"),
                            key: "version".to_owned(),
                            version,
                        },
                        gpu: false,
                        indexes: Vec::new(),
                        when_index_unavailable: IndexUnavailable::Fail,
                        isolated_from_parent: false,
                        move_parent_pins: true,
                    }),
                };
                (name, profile)
            })
            .collect();
        Project {
            root: PathBuf::from("."),
            manifest: PathBuf::from("pyproject.toml"),
            name: None,
            version: None,
            targets: vec![TargetSpec::default()],
            lock_dir: PathBuf::from("locks"),
            pylock: true,
            index: IndexSettings::default(),
            profiles,
            contracts: ContractSettings::default(),
            ci: CiSettings::default(),
            images: ImageSettings::default(),
        }
    }

    #[test]
    fn engine_import_names_come_from_engine_packages_unless_declared() {
        let mut project = project_with_engines(&["vllm", "TensorRT-LLM", "tensorrt_llm", "a.b"]);
        assert_eq!(
            project.engine_import_names(),
            ["vllm", "tensorrt_llm", "a_b"],
            "derived: normalized, `-` to `_`, each once"
        );
        project.contracts.engine_packages = Some(vec!["torch".to_owned()]);
        assert_eq!(project.engine_import_names(), ["torch"], "declared wins");
        project.contracts.engine_packages = Some(Vec::new());
        assert!(
            project.engine_import_names().is_empty(),
            "an empty declared list turns the engine rule off"
        );
    }

    #[test]
    fn profile_names_follow_the_rule() {
        for good in ["base", "dev-tools", "tensorrt_llm", "ui2"] {
            assert!(ProfileName::parse(good).is_ok(), "{good} should be valid");
        }
        for bad in ["", "Base", "2fast", "a.b", "a b", "-x"] {
            assert!(ProfileName::parse(bad).is_err(), "{bad} should be invalid");
        }
    }
}
