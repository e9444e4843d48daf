//! Which profiles and engines can share one environment, and, where they cannot, why.
//!
//! A pair can share an environment when the union of their requirements (each with everything
//! it extends) resolves on one target. Engines exist because some pairs cannot; this says
//! which, with the resolver's explanation naming the packages that clash, so a team can see
//! whether an engine could move into a profile's environment or two engines could merge.
//!
//! The default set is every engine and every plain profile nothing else extends (a leaf
//! covers its parents). Two plain profiles of one hierarchy are solved together by
//! `strata lock` and so are not asked again.

use std::sync::Arc;

use pep508_rs::{PackageName, Requirement};
use strata_project::{ProfileName, Project};
use strata_resolve::{ResolveError, ResolveRequest, Resolver};

use crate::project_lock::{LockError, ResolverSource, profile_target, solved_together};

/// What a pair of profiles or engines can do together.
#[derive(Debug)]
pub enum Verdict {
    /// One environment holds both.
    Compatible,
    /// They are locked for different Python versions or platforms.
    DifferentTargets {
        /// The first one's target.
        first: String,
        /// The second one's target.
        second: String,
    },
    /// Not asked: an engine's own index is not configured (as `strata lock` skips it).
    Skipped {
        /// Which engine and which index.
        reason: String,
    },
    /// No set of versions satisfies both.
    Conflict {
        /// The distributions the explanation involves.
        packages: Vec<PackageName>,
        /// The resolver's explanation, in sentences.
        explanation: String,
    },
}

/// The verdict on one pair.
#[derive(Debug)]
pub struct Pairing {
    /// The first profile or engine.
    pub first: ProfileName,
    /// The second.
    pub second: ProfileName,
    /// What they can do together.
    pub verdict: Verdict,
}

/// The profiles and engines [`conflicts`] looks at by default: every engine and every plain
/// profile that no other plain profile extends, in declaration order.
pub fn default_subjects(project: &Project) -> Vec<ProfileName> {
    project
        .profiles
        .values()
        .filter(|profile| {
            profile.is_engine()
                || !project
                    .plain_profiles()
                    .any(|other| other.extends.contains(&profile.name))
        })
        .map(|profile| profile.name.clone())
        .collect()
}

/// Every pair of `names` (in order), each resolved at the same time as the others.
pub fn conflicts(
    project: &Project,
    resolvers: &mut dyn ResolverSource,
    names: &[ProfileName],
) -> Result<Vec<Pairing>, LockError> {
    let mut jobs: Vec<(ProfileName, ProfileName, Result<Job, Verdict>)> = Vec::new();
    for (index, first) in names.iter().enumerate() {
        for second in &names[index + 1..] {
            if !project.profiles[first].is_engine()
                && solved_together(project, first).contains(second)
            {
                continue;
            }
            let job = job(project, resolvers, first, second)?;
            jobs.push((first.clone(), second.clone(), job));
        }
    }
    std::thread::scope(|scope| {
        let running: Vec<_> = jobs
            .into_iter()
            .map(|(first, second, job)| {
                let handle = job
                    .map(|job| scope.spawn(move || job.resolver.resolve(&job.request).map(|_| ())));
                (first, second, handle)
            })
            .collect();
        running
            .into_iter()
            .map(|(first, second, handle)| {
                let verdict = match handle {
                    Err(verdict) => verdict,
                    Ok(handle) => match handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    {
                        Ok(()) => Verdict::Compatible,
                        Err(ResolveError::NoSolution(no_solution)) => Verdict::Conflict {
                            packages: no_solution.packages,
                            explanation: no_solution.explanation,
                        },
                        Err(source) => {
                            return Err(LockError::Resolve {
                                what: format!("`{first}` with `{second}`"),
                                branches: Vec::new(),
                                parent_pins: Box::default(),
                                source: Box::new(source),
                            });
                        }
                    },
                };
                Ok(Pairing {
                    first,
                    second,
                    verdict,
                })
            })
            .collect()
    })
}

/// One pair's resolution, ready to run.
struct Job {
    resolver: Arc<Resolver>,
    request: ResolveRequest,
}

fn job(
    project: &Project,
    resolvers: &mut dyn ResolverSource,
    first: &ProfileName,
    second: &ProfileName,
) -> Result<Result<Job, Verdict>, LockError> {
    for name in [first, second] {
        if let Some(unavailable) = project.unavailable_index(name) {
            return Ok(Err(Verdict::Skipped {
                reason: format!(
                    "`{name}` needs its index `{}`, which is not configured ({} not set)",
                    unavailable.name,
                    unavailable.index.unset_variables.join(", ")
                ),
            }));
        }
    }
    let (first_target, second_target) = (
        profile_target(project, first)?,
        profile_target(project, second)?,
    );
    if first_target != second_target {
        return Ok(Err(Verdict::DifferentTargets {
            first: first_target.to_string(),
            second: second_target.to_string(),
        }));
    }
    let lines = |name: &ProfileName| -> Vec<Requirement> {
        project
            .effective_requirements(name)
            .iter()
            .map(|effective| effective.requirement.requirement.clone())
            .collect()
    };
    let mut requirements = lines(first);
    requirements.extend(lines(second));
    let mut request = ResolveRequest::new(first_target, requirements);
    for name in [first, second] {
        crate::origins::add_profile(&mut request.origins, project, name);
        request.constraints.extend(
            project.profiles[name]
                .constraints
                .iter()
                .map(|sourced| sourced.requirement.clone()),
        );
    }
    let mut indexes = project.engine_index_urls(first);
    for url in project.engine_index_urls(second) {
        if !indexes.contains(&url) {
            indexes.push(url);
        }
    }
    let resolver = resolvers
        .resolver(&indexes)
        .map_err(|source| LockError::Resolve {
            what: format!("`{first}` with `{second}`"),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        })?;
    Ok(Ok(Job { resolver, request }))
}
