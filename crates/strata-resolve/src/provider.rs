//! The PubGrub dependency provider: Python packaging rules on top of the index client.
//!
//! PubGrub decides *which* version; this provider says *which versions exist* and *what each
//! requires*, with the rules pip applies:
//!
//! * a version is a candidate only if it has a file usable on the target: a compatible wheel
//!   (by tag), or an sdist, subject to `--only-binary`/`--no-binary`, and a `requires-python`
//!   that admits the target's Python;
//! * yanked versions (PEP 592) are skipped unless a requirement pins exactly that version;
//! * pre-releases are skipped unless allowed, named by a requirement, or the only versions;
//! * a preferred version (from an existing lock) is tried first while it stays in range;
//! * markers are evaluated against the target's environment, with `extra == "..."` true only
//!   inside the extra's virtual package; an extra a version does not declare adds nothing and
//!   does not make the version unusable (pip and uv take the newest version and warn; going
//!   back to old releases that still had the extra would reach ancient sdists), and the
//!   resolution lists it in `ResolvedPackage::missing_extras` for the caller's warning;
//! * constraints narrow every edge on their package (as an edge of their own next to it, so
//!   that an explanation can name the constraint); a `name @ url` constraint makes that file
//!   the package's only candidate, as a direct URL requirement does, without requiring it; a
//!   constraint whose markers are false on the target constrains nothing (as pip and uv read
//!   `numpy<2 ; sys_platform == 'darwin'`);
//!   overrides replace every requirement on their package, whatever its marker (only the extra
//!   it belongs to is kept), each where its own marker holds, as uv applies them.
//!
//! * a package the environment already has ([`crate::Provided`], an image's) has its
//!   installed version as its only candidate, with no dependencies and nothing fetched.
//!
//! The provider blocks its (dedicated) thread on the async index client and spawns prefetches
//! so that, by the time PubGrub asks for a package, its page and likely metadata are usually
//! already in memory (see [`crate::solve`]).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::Arc;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, Requirement, VersionOrUrl};
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};
use strata_dist::{DistFilename, Metadata};
use strata_index::{DistFile, GitUrl, IndexClient, ProjectListing};
use tokio::runtime::Handle;
use version_ranges::Ranges;

use crate::error::ResolveError;
use crate::package::ResolverPackage;
use crate::request::{PrereleaseMode, ResolveRequest, Upgrade};

/// A version PubGrub may choose, with the files behind it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) version: Version,
    /// The listing that holds the file to read metadata from and install, and where in its
    /// files that one is ([`Candidate::file`]). The version's other files stay in the listing
    /// until the version is chosen ([`Provider::files_of`]). A copy of the file for each
    /// candidate version was 6% of an offline compile of the vllm set, and memory touched once.
    listing: Arc<ProjectListing>,
    position: usize,
    pub(crate) yanked: bool,
}

impl Candidate {
    /// The candidate whose file is `file`, one of `listing`'s files.
    fn new(version: Version, listing: &Arc<ProjectListing>, file: &DistFile, yanked: bool) -> Self {
        // `file` is an element of `listing.files`, so its distance from the first one, in
        // elements, is its position.
        let position = (std::ptr::from_ref(file).addr() - listing.files.as_ptr().addr())
            / std::mem::size_of::<DistFile>();
        debug_assert!(std::ptr::eq(
            std::ptr::from_ref(&listing.files[position]),
            file
        ));
        Self {
            version,
            listing: Arc::clone(listing),
            position,
            yanked,
        }
    }

    /// The file to read metadata from and install.
    pub(crate) fn file(&self) -> &DistFile {
        &self.listing.files[self.position]
    }
}

/// Why versions of a package were not candidates, for explanations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exclusions {
    pub(crate) no_file_for_target: Vec<Version>,
    /// Versions whose only usable files `--only-binary` or `--no-binary` refuses.
    pub(crate) binary_policy: Vec<Version>,
    pub(crate) requires_python: Vec<(Version, String)>,
    pub(crate) yanked: Vec<Version>,
    pub(crate) prereleases: Vec<Version>,
}

/// A reason outside PubGrub's model why a package version cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The version's metadata could not be read or is inconsistent.
    InvalidMetadata(String),
    /// The version's metadata requires a Python the target does not have.
    RequiresPython(String),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMetadata(reason) => write!(f, "its metadata is unusable ({reason})"),
            Self::RequiresPython(specifiers) => write!(f, "it requires Python {specifiers}"),
        }
    }
}

pub(crate) type Ranges440 = Ranges<Version>;

/// Dependencies being collected: one entry per distinct edge, in the order found.
///
/// Two requirements on one package stay two edges (with their two ranges) rather than one
/// intersected range, and so does a constraint next to the requirement it narrows: PubGrub
/// reasons about each as its own incompatibility, so an explanation can say which two lines
/// clash ("`accelerate==0.33.0` (requirements/backend.in:3) and `accelerate>=1.0` ...") where an
/// intersection could only say that nothing was left.
pub(crate) type Deps = Vec<(ResolverPackage, Ranges440)>;

/// What put an edge into the graph, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// A requirement of the depending version's own metadata.
    Metadata,
    /// A top-level requirement (the depender is the root).
    Requirement(Requirement),
    /// A constraint on the package, applied to the depender's requirement on it.
    Constraint(Requirement),
    /// An override, replacing the depender's requirement on the package.
    Override(Requirement),
}

/// One recorded edge: which version of the depender, the range, and why.
#[derive(Debug, Clone)]
struct EdgeRecord {
    version: Version,
    range: Ranges440,
    kind: EdgeKind,
}

pub(crate) struct Provider<'a> {
    client: &'a IndexClient,
    runtime: Handle,
    request: &'a ResolveRequest,
    markers: MarkerEnvironment,
    /// Every constraint on each package, each with its own range (see [`Deps`]).
    constraints: HashMap<PackageName, Vec<(Requirement, Ranges440)>>,
    overrides: HashMap<PackageName, Vec<Requirement>>,
    explicit_prerelease: HashSet<PackageName>,
    direct_urls: HashMap<PackageName, DistFile>,
    /// The reference each git requirement asked for (`None`: the default branch).
    requested_revisions: HashMap<PackageName, Option<String>>,
    /// Each local directory requirement's path as the lock writes it, and whether it is
    /// editable.
    directories: HashMap<PackageName, (String, bool)>,
    candidates: RefCell<HashMap<PackageName, Rc<Vec<Candidate>>>>,
    pub(crate) exclusions: RefCell<HashMap<PackageName, Exclusions>>,
    discovered: RefCell<HashMap<ResolverPackage, usize>>,
    pub(crate) metadata: RefCell<HashMap<(PackageName, Version), Arc<Metadata>>>,
    /// Packages whose prefetch this solve has started.
    prefetched: RefCell<HashSet<PackageName>>,
    /// How many times PubGrub chose a version of each package (more than once: backtracking).
    visits: RefCell<HashMap<PackageName, usize>>,
    /// Why each edge exists, by (depender, dependency), for the edges an explanation may need
    /// to attribute: top-level requirements, constraints, overrides, and requirements that
    /// share a package with a constraint.
    edges: RefCell<HashMap<(ResolverPackage, ResolverPackage), Vec<EdgeRecord>>>,
}

impl<'a> Provider<'a> {
    pub(crate) fn new(
        client: &'a IndexClient,
        runtime: Handle,
        request: &'a ResolveRequest,
    ) -> Result<Self, ResolveError> {
        let markers = request.target.markers();
        let applicable: Vec<&Requirement> = request
            .constraints
            .iter()
            .filter(|constraint| constraint.evaluate_markers(&markers, &[]))
            .collect();
        let mut constraints: HashMap<PackageName, Vec<(Requirement, Ranges440)>> = HashMap::new();
        for &constraint in &applicable {
            let range = requirement_range(constraint);
            let known = constraints.entry(constraint.name.clone()).or_default();
            // A constraint without a specifier limits nothing; one written twice is one edge.
            if range != Ranges::full() && !known.iter().any(|(_, other)| *other == range) {
                known.push((constraint.clone(), range));
            }
        }
        let mut overrides: HashMap<PackageName, Vec<Requirement>> = HashMap::new();
        for requirement in &request.overrides {
            overrides
                .entry(requirement.name.clone())
                .or_default()
                .push(requirement.clone());
        }
        let explicit_prerelease = request
            .requirements
            .iter()
            .chain(&request.constraints)
            .chain(&request.overrides)
            .filter(|requirement| names_prerelease(requirement))
            .map(|requirement| requirement.name.clone())
            .collect();
        let mut direct_urls: HashMap<PackageName, DistFile> = HashMap::new();
        let mut trees = SourceTrees::default();
        for requirement in request.requirements.iter().chain(&request.overrides) {
            if let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url {
                let file = trees.direct_file(client, request, requirement, url)?;
                direct_urls.insert(requirement.name.clone(), file);
            }
        }
        // A `name @ url` constraint (a parent lock's direct URL pin that a child or an engine
        // keeps) pins that file whenever the package is needed, and adds nothing otherwise: only
        // `candidates` reads `direct_urls`.
        for &constraint in &applicable {
            let Some(VersionOrUrl::Url(url)) = &constraint.version_or_url else {
                continue;
            };
            let file = trees.direct_file(client, request, constraint, url)?;
            match direct_urls.get(&constraint.name) {
                None => {
                    direct_urls.insert(constraint.name.clone(), file);
                }
                Some(required) if same_file(required, &file) => {}
                Some(required) => {
                    return Err(ResolveError::DirectUrl {
                        package: constraint.name.clone(),
                        url: strata_index::redact(&required.url),
                        reason: format!(
                            "the constraint `{} @ {}` pins another file",
                            constraint.name,
                            strata_index::redact(&file.url)
                        ),
                    });
                }
            }
        }
        Ok(Self {
            client,
            runtime,
            markers,
            request,
            constraints,
            overrides,
            explicit_prerelease,
            direct_urls,
            requested_revisions: trees.requested_revisions,
            directories: trees.directories,
            candidates: RefCell::new(HashMap::new()),
            exclusions: RefCell::new(HashMap::new()),
            discovered: RefCell::new(HashMap::new()),
            metadata: RefCell::new(trees.metadata),
            prefetched: RefCell::new(HashSet::new()),
            visits: RefCell::new(HashMap::new()),
            edges: RefCell::new(HashMap::new()),
        })
    }

    /// The candidates of `name`, newest first (fetched and judged once).
    pub(crate) fn candidates(
        &self,
        name: &PackageName,
    ) -> Result<Rc<Vec<Candidate>>, ResolveError> {
        if let Some(candidates) = self.candidates.borrow().get(name) {
            return Ok(Rc::clone(candidates));
        }
        let candidates = if let Some(file) = self.direct_urls.get(name) {
            let listing = Arc::new(ProjectListing {
                name: name.clone(),
                files: vec![file.clone()],
                indexes: Vec::new(),
            });
            vec![Candidate::new(
                file_version(file).clone(),
                &listing,
                &listing.files[0],
                false,
            )]
        } else {
            let listing = self.runtime.block_on(self.client.project(name))?;
            let mut exclusions = Exclusions::default();
            let policy = &self.request.binary;
            let mut out = Vec::new();
            for version in listing.versions(&self.request.target) {
                let wheel = version.best_wheel.filter(|_| policy.allows_wheels(name));
                let sdist = version.sdist.filter(|_| policy.allows_sdists(name));
                if version.excluded_by_requires_python {
                    let specifiers = version
                        .files
                        .iter()
                        .find_map(|file| file.requires_python.as_ref())
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    exclusions
                        .requires_python
                        .push((version.version.clone(), specifiers));
                    continue;
                }
                let Some(file) = wheel.or(sdist) else {
                    if version.best_wheel.is_some() || version.sdist.is_some() {
                        exclusions.binary_policy.push(version.version.clone());
                    } else {
                        exclusions.no_file_for_target.push(version.version.clone());
                    }
                    continue;
                };
                out.push(Candidate::new(
                    version.version.clone(),
                    &listing,
                    file,
                    version.yanked,
                ));
            }
            self.exclusions
                .borrow_mut()
                .insert(name.clone(), exclusions);
            out
        };
        let candidates = Rc::new(candidates);
        self.candidates
            .borrow_mut()
            .insert(name.clone(), Rc::clone(&candidates));
        Ok(candidates)
    }

    /// Every file of `candidate`'s version that the binary policy allows, in page order, for
    /// the lock's hashes: read from the listing again, once per chosen version. The files of
    /// one version are picked out directly: judging every version again for the one chosen
    /// was 5% of an offline compile of the vllm set.
    pub(crate) fn files_of(
        &self,
        name: &PackageName,
        candidate: &Candidate,
    ) -> Result<Vec<DistFile>, ResolveError> {
        if self.direct_urls.contains_key(name) {
            return Ok(vec![candidate.file().clone()]);
        }
        let listing = self.runtime.block_on(self.client.project(name))?;
        let policy = &self.request.binary;
        Ok(listing
            .files
            .iter()
            .filter(|file| *file_version(file) == candidate.version)
            .filter(|file| match &file.filename {
                DistFilename::Wheel(_) => policy.allows_wheels(name),
                DistFilename::SourceDist(_) => policy.allows_sdists(name),
            })
            .cloned()
            .collect())
    }

    /// The candidate of `name` at `version`.
    pub(crate) fn candidate(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Option<Candidate>, ResolveError> {
        Ok(self
            .candidates(name)?
            .iter()
            .find(|candidate| &candidate.version == version)
            .cloned())
    }

    fn allows_prerelease(&self, name: &PackageName, candidates: &[Candidate]) -> bool {
        self.request.prerelease == PrereleaseMode::Allow
            || self.explicit_prerelease.contains(name)
            || candidates
                .iter()
                .all(|candidate| candidate.version.any_prerelease())
    }

    fn preference(&self, name: &PackageName) -> Option<&Version> {
        let lifted = match &self.request.upgrade {
            Upgrade::None => false,
            Upgrade::All => true,
            Upgrade::Packages(packages) => packages.contains(name),
        };
        if lifted {
            None
        } else {
            self.request.preferences.get(name)
        }
    }

    /// The version the environment already has of `name`, which is then its only candidate.
    pub(crate) fn provided(&self, name: &PackageName) -> Option<&crate::ProvidedPackage> {
        self.request.provided.packages.get(name)
    }

    /// What provides [`Provider::provided`] packages, as explanations name it.
    pub(crate) fn provided_by(&self) -> &str {
        &self.request.provided.by
    }

    /// Metadata of `name==version`, fetched through the client and remembered.
    pub(crate) fn metadata_of(
        &self,
        name: &PackageName,
        candidate: &Candidate,
    ) -> Result<Arc<Metadata>, ResolveError> {
        let key = (name.clone(), candidate.version.clone());
        if let Some(metadata) = self.metadata.borrow().get(&key) {
            return Ok(Arc::clone(metadata));
        }
        let fetched = self
            .runtime
            .block_on(self.client.metadata(name, candidate.file()))?;
        self.metadata
            .borrow_mut()
            .insert(key, Arc::clone(&fetched.metadata));
        Ok(fetched.metadata)
    }

    /// Adds `requirement` (already marker-filtered, overrides applied) of `depender` at
    /// `version` to `dependencies`: an edge for the requirement and one for each constraint on
    /// its package that narrows it.
    fn add_dependency(
        &self,
        dependencies: &mut Deps,
        depender: &ResolverPackage,
        version: &Version,
        requirement: &Requirement,
    ) {
        let overridden = self.overrides.contains_key(&requirement.name);
        {
            let range = requirement_range(requirement);
            let kind = if overridden {
                EdgeKind::Override(requirement.clone())
            } else if matches!(depender, ResolverPackage::Root) {
                EdgeKind::Requirement(requirement.clone())
            } else {
                EdgeKind::Metadata
            };
            let constraints: Vec<&(Requirement, Ranges440)> = self
                .constraints
                .get(&requirement.name)
                .into_iter()
                .flatten()
                .filter(|(_, constraint)| !range.subset_of(constraint))
                .collect();
            // A metadata edge is only worth remembering when a constraint edge could share its
            // range: the explanation must then not mistake the one for the other.
            let record = kind != EdgeKind::Metadata || !constraints.is_empty();
            let packages = std::iter::once(ResolverPackage::Package(requirement.name.clone()))
                .chain(
                    requirement.extras.iter().map(|extra| {
                        ResolverPackage::Extra(requirement.name.clone(), extra.clone())
                    }),
                );
            for package in packages {
                self.discover(&package);
                self.edge(
                    dependencies,
                    depender,
                    version,
                    &package,
                    &range,
                    record.then(|| kind.clone()),
                );
                for (constraint, constraint_range) in &constraints {
                    self.edge(
                        dependencies,
                        depender,
                        version,
                        &package,
                        constraint_range,
                        Some(EdgeKind::Constraint(constraint.clone())),
                    );
                }
            }
        }
    }

    /// Adds the edge `depender@version -> package in range` once, remembering why when `kind`
    /// is given.
    fn edge(
        &self,
        dependencies: &mut Deps,
        depender: &ResolverPackage,
        version: &Version,
        package: &ResolverPackage,
        range: &Ranges440,
        kind: Option<EdgeKind>,
    ) {
        if !dependencies
            .iter()
            .any(|(known, known_range)| known == package && known_range == range)
        {
            dependencies.push((package.clone(), range.clone()));
        }
        if let Some(kind) = kind {
            let mut edges = self.edges.borrow_mut();
            let records = edges
                .entry((depender.clone(), package.clone()))
                .or_default();
            let known = records.iter().any(|record| {
                record.version == *version && record.range == *range && record.kind == kind
            });
            if !known {
                records.push(EdgeRecord {
                    version: version.clone(),
                    range: range.clone(),
                    kind,
                });
            }
        }
    }

    /// Why `depender` (at some version in `versions`) requires `dependency` in `range`: every
    /// recorded reason, in the order found; empty when only metadata says so.
    pub(crate) fn edge_kinds(
        &self,
        depender: &ResolverPackage,
        versions: &Ranges440,
        dependency: &ResolverPackage,
        range: &Ranges440,
    ) -> Vec<EdgeKind> {
        let edges = self.edges.borrow();
        let Some(records) = edges.get(&(depender.clone(), dependency.clone())) else {
            return Vec::new();
        };
        let mut kinds: Vec<EdgeKind> = Vec::new();
        for record in records {
            if record.range == *range
                && versions.contains(&record.version)
                && !kinds.contains(&record.kind)
            {
                kinds.push(record.kind.clone());
            }
        }
        kinds
    }

    /// Where the top-level requirements on `package` were written, in the order found.
    pub(crate) fn root_origins(&self, package: &ResolverPackage) -> Vec<String> {
        let edges = self.edges.borrow();
        let mut out: Vec<String> = Vec::new();
        for record in edges
            .get(&(ResolverPackage::Root, package.clone()))
            .into_iter()
            .flatten()
        {
            if let EdgeKind::Requirement(requirement) = &record.kind {
                for origin in self.request.origins.of_requirement(requirement) {
                    if !out.contains(origin) {
                        out.push(origin.clone());
                    }
                }
            }
        }
        out
    }

    /// Where `requirement` stands among the request's top-level requirements.
    pub(crate) fn root_position(&self, requirement: &Requirement) -> Option<usize> {
        self.request
            .requirements
            .iter()
            .position(|candidate| candidate == requirement)
    }

    /// Where the request's requirements were written.
    pub(crate) fn origins(&self) -> &crate::request::Origins {
        &self.request.origins
    }

    fn discover(&self, package: &ResolverPackage) {
        let mut discovered = self.discovered.borrow_mut();
        let next = discovered.len();
        discovered.entry(package.clone()).or_insert(next);
    }

    /// The requirements of `metadata` that apply on the target for `extra` (`None` = the base
    /// package), overrides applied (see [`Provider::overridden`]).
    pub(crate) fn applicable<'m>(
        &'m self,
        metadata: &'m Metadata,
        extra: Option<&ExtraName>,
    ) -> Vec<&'m Requirement> {
        let mut out: Vec<&'m Requirement> = Vec::new();
        for requirement in &metadata.requires_dist {
            if let Some(overrides) = self.overrides.get(&requirement.name) {
                if belongs_to(requirement, extra) {
                    self.overridden(overrides, extra, &mut out);
                }
                continue;
            }
            let applies = match extra {
                None => requirement.evaluate_markers(&self.markers, &[]),
                Some(extra) => {
                    requirement.evaluate_markers(&self.markers, std::slice::from_ref(extra))
                        && !requirement.evaluate_markers(&self.markers, &[])
                }
            };
            if applies {
                out.push(requirement);
            }
        }
        out
    }

    /// Which top-level requirements apply on the target, overrides applied.
    pub(crate) fn root_requirements(&self) -> Vec<&Requirement> {
        let mut out = Vec::new();
        for requirement in &self.request.requirements {
            match self.overrides.get(&requirement.name) {
                Some(overrides) => self.overridden(overrides, None, &mut out),
                None if requirement.evaluate_markers(&self.markers, &[]) => out.push(requirement),
                None => {}
            }
        }
        out
    }

    /// Adds to `out` the overrides that replace a requirement on their package: as uv does, the
    /// replaced requirement's own marker does not matter (only the extra it belongs to), and
    /// each override applies where its own marker holds, so that overrides told apart by
    /// markers (`torch==2.5 ; sys_platform == 'linux'`, `torch==2.4 ; sys_platform ==
    /// 'darwin'`) each replace it on their platform, and one whose marker is false drops it.
    fn overridden<'m>(
        &'m self,
        overrides: &'m [Requirement],
        extra: Option<&ExtraName>,
        out: &mut Vec<&'m Requirement>,
    ) {
        for requirement in overrides {
            let extras = extra.map(std::slice::from_ref).unwrap_or_default();
            if requirement.evaluate_markers(&self.markers, extras)
                && !out.iter().any(|known| std::ptr::eq(*known, requirement))
            {
                out.push(requirement);
            }
        }
    }

    pub(crate) fn target(&self) -> &strata_dist::Target {
        &self.request.target
    }

    /// The URL of a direct URL requirement on `name`, credentials redacted; for a local
    /// directory, its path as the lock writes it.
    pub(crate) fn direct_url(&self, name: &PackageName) -> Option<String> {
        if let Some((path, _)) = self.directories.get(name) {
            return Some(path.clone());
        }
        self.direct_urls.get(name).map(|file| {
            if self.requested_revisions.contains_key(name) {
                // Written by `GitUrl::pinned`, which keeps an SSH user and drops any secret.
                file.url.to_string()
            } else {
                strata_index::redact(&file.url)
            }
        })
    }

    /// Whether `name` is a local directory requirement installed editable (`-e`).
    pub(crate) fn is_editable(&self, name: &PackageName) -> bool {
        self.directories
            .get(name)
            .is_some_and(|(_, editable)| *editable)
    }

    /// The reference a git requirement on `name` asked for: `None` when `name` is not a git
    /// requirement or asked for the default branch.
    pub(crate) fn requested_revision(&self, name: &PackageName) -> Option<String> {
        self.requested_revisions.get(name).cloned().flatten()
    }

    /// When PubGrub comes back to a package (it is backtracking through its versions), starts
    /// fetching the metadata of the next few usable versions below `chosen` at once: otherwise
    /// each older version would cost one more round trip while the solver waits.
    fn prefetch_when_backtracking(
        &self,
        name: &PackageName,
        candidates: &[Candidate],
        chosen: &Candidate,
        usable: &dyn Fn(&&Candidate) -> bool,
    ) {
        const BATCH: usize = 5;
        let visits = {
            let mut visits = self.visits.borrow_mut();
            let count = visits.entry(name.clone()).or_insert(0);
            *count += 1;
            *count
        };
        if visits < 2 {
            return;
        }
        let older = candidates
            .iter()
            .skip_while(|candidate| candidate.version != chosen.version)
            .skip(1)
            .filter(|candidate| usable(candidate))
            // Never start an sdist build speculatively: a build costs seconds of CPU and is
            // only worth it for a version the solver actually asks about.
            .filter(|candidate| matches!(candidate.file().filename, DistFilename::Wheel(_)))
            .filter(|candidate| {
                !self
                    .metadata
                    .borrow()
                    .contains_key(&(name.clone(), candidate.version.clone()))
            })
            .take(BATCH);
        for candidate in older {
            let client = self.client.clone();
            let name = name.clone();
            let file = candidate.file().clone();
            self.runtime.spawn(async move {
                // Errors surface when the solver itself asks; this only warms the memo.
                let _ = client.metadata(&name, &file).await;
            });
        }
    }

    /// Records that a prefetch of `name` starts; false when one already has.
    pub(crate) fn start_prefetch(&self, name: &PackageName) -> bool {
        self.prefetched.borrow_mut().insert(name.clone())
    }

    pub(crate) fn client(&self) -> &IndexClient {
        self.client
    }

    pub(crate) fn handle(&self) -> &Handle {
        &self.runtime
    }
}

impl DependencyProvider for Provider<'_> {
    type P = ResolverPackage;
    type V = Version;
    type VS = Ranges440;
    type M = Unavailable;
    type Priority = (u32, bool, Reverse<usize>);
    type Err = ResolveError;

    fn prioritize(
        &self,
        package: &ResolverPackage,
        range: &Ranges440,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        // Conflicting packages first (they decide the outcome), then exact pins (one choice,
        // free to make), then in discovery order: breadth-first, like uv, so direct
        // requirements are decided before deep transitive ones.
        let order = self
            .discovered
            .borrow()
            .get(package)
            .copied()
            .unwrap_or(usize::MAX);
        (
            statistics.conflict_count(),
            pinned_version(range).is_some(),
            Reverse(order),
        )
    }

    fn choose_version(
        &self,
        package: &ResolverPackage,
        range: &Ranges440,
    ) -> Result<Option<Version>, ResolveError> {
        let Some(name) = package.name() else {
            return Ok(Some(Version::from_str("0").expect("0 is a version")));
        };
        if let Some(provided) = self.provided(name) {
            return Ok(range
                .contains(&provided.version)
                .then(|| provided.version.clone()));
        }
        let candidates = self.candidates(name)?;
        let allows_prerelease = self.allows_prerelease(name, &candidates);
        let pinned = pinned_version(range);
        let usable = |candidate: &&Candidate| {
            range.contains(&candidate.version)
                && (!candidate.yanked
                    || pinned.as_ref() == Some(&candidate.version.clone().without_local()))
                && (allows_prerelease || !candidate.version.any_prerelease())
        };
        if let Some(preferred) = self.preference(name)
            && let Some(candidate) = candidates
                .iter()
                .find(|candidate| &candidate.version == preferred)
            && usable(&candidate)
        {
            return Ok(Some(candidate.version.clone()));
        }
        let chosen = candidates.iter().find(usable).or_else(|| {
            // pip's "if necessary": a range only pre-releases satisfy may use them.
            candidates
                .iter()
                .find(|candidate| range.contains(&candidate.version) && !candidate.yanked)
                .filter(|candidate| {
                    candidate.version.any_prerelease()
                        && !candidates.iter().any(|other| {
                            !other.version.any_prerelease() && range.contains(&other.version)
                        })
                })
        });
        if let Some(chosen) = chosen {
            self.prefetch_when_backtracking(name, &candidates, chosen, &usable);
        }
        if chosen.is_none() {
            let mut exclusions = self.exclusions.borrow_mut();
            let entry = exclusions.entry(name.clone()).or_default();
            for candidate in candidates
                .iter()
                .filter(|candidate| range.contains(&candidate.version))
            {
                if candidate.yanked {
                    entry.yanked.push(candidate.version.clone());
                } else if candidate.version.any_prerelease() {
                    entry.prereleases.push(candidate.version.clone());
                }
            }
        }
        Ok(chosen.map(|candidate| candidate.version.clone()))
    }

    fn get_dependencies(
        &self,
        package: &ResolverPackage,
        version: &Version,
    ) -> Result<Dependencies<ResolverPackage, Ranges440, Unavailable>, ResolveError> {
        let mut dependencies = Deps::default();
        match package {
            ResolverPackage::Root => {
                for requirement in self.root_requirements() {
                    self.add_dependency(&mut dependencies, package, version, requirement);
                }
            }
            ResolverPackage::Package(name) | ResolverPackage::Extra(name, _)
                if self.provided(name).is_some() =>
            {
                // Installed, dependencies and extras included: nothing to add but the base
                // package under its extra, so the two stay one version.
                if let ResolverPackage::Extra(..) = package {
                    dependencies.push((
                        ResolverPackage::Package(name.clone()),
                        Ranges::singleton(version.clone()),
                    ));
                }
            }
            ResolverPackage::Package(name) | ResolverPackage::Extra(name, _) => {
                let Some(candidate) = self.candidate(name, version)? else {
                    return Ok(Dependencies::Unavailable(Unavailable::InvalidMetadata(
                        format!("no file of {name} {version} is usable"),
                    )));
                };
                let metadata = match self.metadata_of(name, &candidate) {
                    Ok(metadata) => metadata,
                    // Only what pip rejects too makes a version unavailable (the client lists
                    // it for a warning); a fault reading the index is an error, never a reason
                    // to pick another version.
                    Err(ResolveError::Index(error))
                        if matches!(
                            error.kind(),
                            strata_index::ErrorKind::InconsistentMetadata { .. }
                        ) =>
                    {
                        return Ok(Dependencies::Unavailable(Unavailable::InvalidMetadata(
                            error.to_string(),
                        )));
                    }
                    Err(error) => return Err(error),
                };
                if let Some(requires_python) = &metadata.requires_python
                    && !self.request.target.allows_requires_python(requires_python)
                {
                    return Ok(Dependencies::Unavailable(Unavailable::RequiresPython(
                        requires_python.to_string(),
                    )));
                }
                let extra = match package {
                    ResolverPackage::Extra(_, extra) => {
                        // An extra this version does not declare adds nothing but the base
                        // package: the version stays usable, as in pip and uv, and the
                        // resolution reports it (see `provides_extra`).
                        dependencies.push((
                            ResolverPackage::Package(name.clone()),
                            Ranges::singleton(version.clone()),
                        ));
                        Some(extra)
                    }
                    _ => None,
                };
                for requirement in self.applicable(&metadata, extra) {
                    self.add_dependency(&mut dependencies, package, version, requirement);
                }
            }
        }
        crate::solve::prefetch(self, &dependencies);
        Ok(Dependencies::Available(dependencies.into_iter().collect()))
    }
}

/// Whether an overridden `requirement` is one of the base package's (`extra` is `None`) or of
/// `extra`'s: its top-level `extra == "..."` expression, the one part of its marker an override
/// keeps (uv's `Overrides::apply`).
fn belongs_to(requirement: &Requirement, extra: Option<&ExtraName>) -> bool {
    match (requirement.marker.top_level_extra(), extra) {
        (None, None) => true,
        (
            Some(pep508_rs::MarkerExpression::Extra {
                name: pep508_rs::MarkerValueExtra::Extra(name),
                ..
            }),
            Some(extra),
        ) => name == *extra,
        _ => false,
    }
}

/// Whether `metadata` declares `extra`: listed in `Provides-Extra`, or, for metadata older than
/// that field (Metadata-Version 2.1), named by an `extra == "..."` marker of a requirement.
pub(crate) fn provides_extra(metadata: &Metadata, extra: &ExtraName) -> bool {
    metadata.provides_extra.contains(extra)
        || metadata.requires_dist.iter().any(|requirement| {
            requirement
                .marker
                .clone()
                .simplify_extras(std::slice::from_ref(extra))
                != requirement.marker
        })
}

/// The version range a requirement allows (`name @ url` allows any: the URL fixes the file).
pub(crate) fn requirement_range(requirement: &Requirement) -> Ranges440 {
    match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers_range(specifiers),
        Some(VersionOrUrl::Url(_)) | None => Ranges::full(),
    }
}

/// The version a range pins exactly: a single point, or the `[V, V.post0.dev0)` form an exact
/// pin takes so it also admits local versions (see [`specifiers_range`]).
fn pinned_version(range: &Ranges440) -> Option<Version> {
    use std::ops::Bound;
    if let Some(version) = range.as_singleton() {
        return Some(version.clone());
    }
    match range.bounding_range()? {
        (Bound::Included(low), Bound::Excluded(high))
            if *high == low.clone().with_post(Some(0)).with_dev(Some(0)) =>
        {
            Some(low.clone())
        }
        _ => None,
    }
}

/// The range of versions `specifiers` admit.
///
/// PEP 440 says `==2.5.1` (a specifier without a local label) also matches `2.5.1+cu121`, which
/// is how CUDA builds of torch are published; a plain conversion would make `==2.5.1` the single
/// point `2.5.1` and miss them. So an exact pin of a final release `V` becomes `[V, V.post0.dev0)`:
/// `V` and every `V+local` sort in there, and nothing else does (local labels sort after their
/// public version and before any post- or dev-release of the next kind).
/// See: <https://peps.python.org/pep-0440/#version-matching>
pub(crate) fn specifiers_range(specifiers: &VersionSpecifiers) -> Ranges440 {
    let mut range = Ranges::full();
    for specifier in specifiers.iter() {
        let version = specifier.version();
        let exact_final = matches!(specifier.operator(), pep440_rs::Operator::Equal)
            && !version.is_local()
            && version.post().is_none()
            && version.dev().is_none()
            && version.pre().is_none();
        let part = if exact_final {
            let upper = version.clone().with_post(Some(0)).with_dev(Some(0));
            Ranges::from_range_bounds(version.clone()..upper)
        } else {
            Ranges::from(specifier.clone())
        };
        range = range.intersection(&part);
    }
    range
}

fn names_prerelease(requirement: &Requirement) -> bool {
    match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers
            .iter()
            .any(|specifier| specifier.version().any_prerelease()),
        _ => false,
    }
}

fn file_version(file: &DistFile) -> &Version {
    match &file.filename {
        DistFilename::Wheel(wheel) => wheel.version(),
        DistFilename::SourceDist(sdist) => sdist.version(),
    }
}

/// Whether two direct URL files are one: the same URL (credentials aside, as a lock records it
/// without them) and no two different hashes.
fn same_file(a: &DistFile, b: &DistFile) -> bool {
    strata_index::redact(&a.url) == strata_index::redact(&b.url)
        && (a.sha256.is_none() || b.sha256.is_none() || a.sha256 == b.sha256)
}

/// The git and local directory requirements of a request, each read once, before the solve:
/// such a requirement has exactly one candidate, the project at that commit or in that
/// directory.
#[derive(Default)]
struct SourceTrees {
    metadata: HashMap<(PackageName, Version), Arc<Metadata>>,
    requested_revisions: HashMap<PackageName, Option<String>>,
    directories: HashMap<PackageName, (String, bool)>,
}

impl SourceTrees {
    /// The file standing for a direct URL requirement: a git commit, a local directory, or
    /// the wheel or sdist the URL names.
    fn direct_file(
        &mut self,
        client: &IndexClient,
        request: &ResolveRequest,
        requirement: &Requirement,
        url: &pep508_rs::VerbatimUrl,
    ) -> Result<DistFile, ResolveError> {
        if let Some(file) = self.file(client, request, requirement, url)? {
            return Ok(file);
        }
        if let Some(file) = self.directory(client, request, requirement, url)? {
            return Ok(file);
        }
        direct_url_file(&requirement.name, url)
    }

    /// The file standing for a local directory requirement (`None` when the URL names none):
    /// an sdist filename carrying the version its metadata states (nothing is ever built into
    /// it), the directory's URL, no hash. Read again on every run: a directory has no commit.
    fn directory(
        &mut self,
        client: &IndexClient,
        request: &ResolveRequest,
        requirement: &Requirement,
        url: &pep508_rs::VerbatimUrl,
    ) -> Result<Option<DistFile>, ResolveError> {
        let Some(directory) = strata_dist::LocalDirectory::from_url(url) else {
            return Ok(None);
        };
        let name = &requirement.name;
        let mut bare = url.to_url();
        bare.set_fragment(None);
        let invalid = |reason: String| ResolveError::DirectUrl {
            package: name.clone(),
            url: directory.path.display().to_string(),
            reason,
        };
        let metadata = client
            .directory_metadata(name, &directory.path)
            .map_err(|source| ResolveError::Directory {
                package: name.clone(),
                path: directory.path.display().to_string(),
                origins: request.origins.of_any(requirement).join(", "),
                source,
            })?;
        let version = metadata.version.clone();
        let filename = format!("{}-{version}.tar.gz", name.as_dist_info_name());
        let filename = DistFilename::parse_for_package(&filename, name)
            .ok()
            .flatten()
            .ok_or_else(|| invalid(format!("its version `{version}` is not usable")))?;
        let written = url
            .given()
            .map_or_else(|| directory.path.display().to_string(), str::to_string);
        self.metadata
            .insert((name.clone(), version), Arc::clone(&metadata));
        self.directories
            .insert(name.clone(), (written, directory.editable));
        Ok(Some(DistFile {
            filename,
            url: bare.into(),
            sha256: None,
            requires_python: metadata.requires_python.clone(),
            yanked: None,
            core_metadata: None,
            size: None,
            upload_time: None,
            index: None,
        }))
    }

    /// The file standing for `requirement`'s commit when its URL is a `git+` URL (`None`
    /// otherwise): an sdist filename carrying the version (no file is ever downloaded), the
    /// pinned URL, no hash. The commit is the one `request.locked_urls` pins for the same
    /// repository and subdirectory unless the package is upgraded or the requirement names
    /// another commit; else the reference resolved again.
    fn file(
        &mut self,
        client: &IndexClient,
        request: &ResolveRequest,
        requirement: &Requirement,
        url: &pep508_rs::VerbatimUrl,
    ) -> Result<Option<DistFile>, ResolveError> {
        let url = url.to_url();
        let name = &requirement.name;
        let invalid = |reason: String| ResolveError::DirectUrl {
            package: name.clone(),
            url: strata_index::redact(&url),
            reason,
        };
        let Some(git) = GitUrl::parse(&url) else {
            return Ok(None);
        };
        let git = git.map_err(invalid)?;
        let locked = request
            .locked_urls
            .get(name)
            .filter(|_| !is_upgraded(request, name))
            .and_then(|locked| url::Url::parse(locked).ok())
            .and_then(|locked| GitUrl::parse(&locked)?.ok())
            .filter(|locked| locked.same_project(&git))
            .and_then(|locked| locked.rev().map(str::to_string))
            .filter(|commit| strata_index::is_full_commit(commit))
            .filter(|commit| match git.rev() {
                Some(rev) if rev.bytes().all(|byte| byte.is_ascii_hexdigit()) => {
                    commit.starts_with(&rev.to_ascii_lowercase())
                }
                _ => true,
            });
        let source = client
            .git_source(name, &git, locked.as_deref())
            .map_err(|source| ResolveError::Git {
                package: name.clone(),
                url: strata_index::redact(&url),
                origins: request.origins.of_any(requirement).join(", "),
                source,
            })?;
        let version = source.metadata.version.clone();
        let filename = format!("{}-{version}.tar.gz", name.as_dist_info_name());
        let filename = DistFilename::parse_for_package(&filename, name)
            .ok()
            .flatten()
            .ok_or_else(|| invalid(format!("its version `{version}` is not usable")))?;
        let pinned = url::Url::parse(&source.pinned_url())
            .map_err(|error| invalid(format!("the pinned URL is invalid: {error}")))?;
        self.metadata
            .insert((name.clone(), version), Arc::clone(&source.metadata));
        self.requested_revisions
            .insert(name.clone(), git.rev().map(str::to_string));
        Ok(Some(DistFile {
            filename,
            url: pinned.into(),
            sha256: None,
            requires_python: source.metadata.requires_python.clone(),
            yanked: None,
            core_metadata: None,
            size: None,
            upload_time: None,
            index: None,
        }))
    }
}

/// Whether `--upgrade` or `--upgrade-package` lifts `name`'s locked pin.
fn is_upgraded(request: &ResolveRequest, name: &PackageName) -> bool {
    match &request.upgrade {
        Upgrade::None => false,
        Upgrade::All => true,
        Upgrade::Packages(packages) => packages.contains(name),
    }
}

/// A file for a direct URL requirement (`name @ https://.../name-1.0-py3-none-any.whl`).
fn direct_url_file(
    name: &PackageName,
    url: &pep508_rs::VerbatimUrl,
) -> Result<DistFile, ResolveError> {
    let url = url.to_url();
    DistFile::from_direct_url(name, &url).map_err(|reason| ResolveError::DirectUrl {
        package: name.clone(),
        url: strata_index::redact(&url),
        reason,
    })
}
