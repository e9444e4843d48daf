//! Running a solve: PubGrub on its own thread, the index client on tokio, prefetching between.
//!
//! PubGrub is synchronous and asks for one package at a time; fetching is async and benefits
//! from many requests in flight. The seam: the solver runs on a dedicated thread and blocks on
//! the client's futures through a runtime handle, while every answer it gets spawns prefetches
//! (the pages of the dependencies it just learned about and the metadata of their most likely
//! versions) onto the runtime's workers. The client memoizes everything, so when PubGrub later
//! asks for one of those, the answer is usually already there, and nothing is fetched twice.
//! Only the newest acceptable version of each dependency is prefetched: versions the solver
//! never looks at are never fetched.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write;

use pep508_rs::PackageName;
use pubgrub::{DefaultStringReporter, PubGrubError, Reporter};
use version_ranges::Ranges;

use crate::error::{NoSolution, ResolveError};
use crate::package::ResolverPackage;
use crate::provider::{Deps, Provider, provides_extra};
use crate::report::Formatter;
use crate::request::{Edge, Resolution, ResolveRequest, ResolvedPackage};

/// Runs resolutions against one index client on one async runtime.
pub struct Resolver {
    runtime: tokio::runtime::Runtime,
    client: strata_index::IndexClient,
}

impl Resolver {
    /// A resolver for `client`. The runtime lives as long as the resolver, so the client's
    /// connection pool is reused across solves.
    pub fn new(client: strata_index::IndexClient) -> Result<Self, ResolveError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|error| ResolveError::Runtime(error.to_string()))?;
        Ok(Self { runtime, client })
    }

    /// The index client.
    pub fn client(&self) -> &strata_index::IndexClient {
        &self.client
    }

    /// Resolves `request`: one version per package, or an explanation of why none exists.
    pub fn resolve(&self, request: &ResolveRequest) -> Result<Resolution, ResolveError> {
        let handle = self.runtime.handle().clone();
        let client = &self.client;
        std::thread::scope(|scope| {
            scope
                .spawn(move || solve(client, handle, request))
                .join()
                .map_err(|_| ResolveError::Runtime("the solver thread panicked".to_string()))?
        })
    }
}

fn solve(
    client: &strata_index::IndexClient,
    handle: tokio::runtime::Handle,
    request: &ResolveRequest,
) -> Result<Resolution, ResolveError> {
    let provider = Provider::new(client, handle, request)?;
    // Start every direct requirement's page at once: they are all needed.
    let roots: Deps = provider
        .root_requirements()
        .into_iter()
        .map(|requirement| {
            (
                ResolverPackage::Package(requirement.name.clone()),
                crate::provider::requirement_range(requirement),
            )
        })
        .collect();
    prefetch(&provider, &roots);
    let version = pep440_rs::Version::new([0]);
    let selected = match pubgrub::resolve(&provider, ResolverPackage::Root, version) {
        Ok(selected) => selected,
        Err(PubGrubError::NoSolution(tree)) => {
            let formatter = Formatter::new(&provider);
            let mut explanation = DefaultStringReporter::report_with_formatter(&tree, &formatter);
            match formatter.clash_summary(&tree, &explanation).as_slice() {
                [] => {}
                [clash] => {
                    let _ = write!(explanation, "\n\nIn short: {clash} cannot both hold.");
                }
                clashes => {
                    explanation.push_str("\n\nIn short, each of these pairs cannot both hold:");
                    for clash in clashes {
                        let _ = write!(explanation, "\n  {clash}");
                    }
                }
            }
            let mut packages: Vec<PackageName> = tree
                .packages()
                .into_iter()
                .filter_map(|package| package.name().cloned())
                .collect();
            packages.sort();
            packages.dedup();
            return Err(ResolveError::NoSolution(Box::new(NoSolution {
                explanation,
                hints: formatter.hints(&tree),
                packages,
            })));
        }
        Err(
            PubGrubError::ErrorRetrievingDependencies { source, .. }
            | PubGrubError::ErrorChoosingVersion { source, .. },
        ) => {
            return Err(source);
        }
        Err(PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    resolution(&provider, &selected.into_iter().collect())
}

/// Spawns fetches of what the solver is likely to ask for next.
pub(crate) fn prefetch(provider: &Provider<'_>, dependencies: &Deps) {
    // A package may have several edges (two requirements, a constraint): the likely version
    // is in all of their ranges.
    let mut ranges: Vec<(&PackageName, Ranges<pep440_rs::Version>)> = Vec::new();
    for (package, range) in dependencies {
        let ResolverPackage::Package(name) = package else {
            continue;
        };
        // Installed: never fetched (see `Provided`).
        if provider.provided(name).is_some() {
            continue;
        }
        match ranges.iter_mut().find(|(known, _)| *known == name) {
            Some((_, known)) => *known = known.intersection(range),
            None => ranges.push((name, range.clone())),
        }
    }
    for (name, range) in ranges {
        if !provider.start_prefetch(name) {
            continue;
        }
        let client = provider.client().clone();
        let target = provider.target().clone();
        let name = name.clone();
        provider.handle().spawn(async move {
            let Ok(listing) = client.project(&name).await else {
                return;
            };
            let likely = listing
                .versions_newest_first(&target)
                .find(|candidate| {
                    range.contains(&candidate.version)
                        && candidate.is_installable()
                        && !candidate.yanked
                        && !candidate.version.any_prerelease()
                })
                .and_then(|candidate| candidate.preferred_file().cloned())
                // Never build an sdist speculatively (see `prefetch_when_backtracking`).
                .filter(|file| matches!(file.filename, strata_dist::DistFilename::Wheel(_)));
            if let Some(file) = likely {
                // Errors are reported when the solver itself asks; a prefetch only warms.
                let _ = client.metadata(&name, &file).await;
            }
        });
    }
}

fn resolution(
    provider: &Provider<'_>,
    selected: &BTreeMap<ResolverPackage, pep440_rs::Version>,
) -> Result<Resolution, ResolveError> {
    let mut extras: BTreeMap<PackageName, BTreeSet<pep508_rs::ExtraName>> = BTreeMap::new();
    let mut missing_extras: BTreeMap<PackageName, BTreeSet<pep508_rs::ExtraName>> = BTreeMap::new();
    for (package, version) in selected {
        if let ResolverPackage::Extra(name, extra) = package
            && provider.provided(name).is_none()
        {
            let candidate = provider
                .candidate(name, version)?
                .expect("PubGrub only selects versions the provider offered");
            let metadata = provider.metadata_of(name, &candidate)?;
            let into = if provides_extra(&metadata, extra) {
                &mut extras
            } else {
                &mut missing_extras
            };
            into.entry(name.clone()).or_default().insert(extra.clone());
        }
    }
    let direct: HashSet<&PackageName> = provider
        .root_requirements()
        .iter()
        .map(|requirement| &requirement.name)
        .collect();
    let mut packages = BTreeMap::new();
    let mut provided = BTreeMap::new();
    for (package, version) in selected {
        let ResolverPackage::Package(name) = package else {
            continue;
        };
        if provider.provided(name).is_some() {
            provided.insert(name.clone(), version.clone());
            continue;
        }
        let candidate = provider
            .candidate(name, version)?
            .expect("PubGrub only selects versions the provider offered");
        let metadata = provider.metadata_of(name, &candidate)?;
        let files = provider.files_of(name, &candidate)?;
        packages.insert(
            name.clone(),
            ResolvedPackage {
                name: name.clone(),
                version: version.clone(),
                extras: extras.remove(name).unwrap_or_default(),
                missing_extras: missing_extras.remove(name).unwrap_or_default(),
                direct_url: provider.direct_url(name),
                requested_revision: provider.requested_revision(name),
                editable: provider.is_editable(name),
                file: candidate.file().clone(),
                files,
                metadata,
                is_direct: direct.contains(name),
            },
        );
    }
    let mut edges = Vec::new();
    for requirement in provider.root_requirements() {
        if packages.contains_key(&requirement.name) {
            edges.push(Edge {
                from: None,
                to: requirement.name.clone(),
                requirement: requirement.clone(),
                from_extra: None,
            });
        }
    }
    for package in packages.values() {
        let mut applicable: Vec<(&pep508_rs::Requirement, Option<&pep508_rs::ExtraName>)> =
            provider
                .applicable(&package.metadata, None)
                .into_iter()
                .map(|requirement| (requirement, None))
                .collect();
        for extra in &package.extras {
            applicable.extend(
                provider
                    .applicable(&package.metadata, Some(extra))
                    .into_iter()
                    .map(|requirement| (requirement, Some(extra))),
            );
        }
        for (requirement, extra) in applicable {
            if packages.contains_key(&requirement.name) && requirement.name != package.name {
                edges.push(Edge {
                    from: Some(package.name.clone()),
                    to: requirement.name.clone(),
                    requirement: requirement.clone(),
                    from_extra: extra.cloned(),
                });
            }
        }
    }
    Ok(Resolution {
        packages,
        edges,
        provided,
    })
}
