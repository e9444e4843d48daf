//! Which profiles and engines can share one environment, and, where they cannot, why.
//!
//! A pair can share an environment when the union of their requirements (each with everything
//! it extends) resolves on one target. Engines exist because some pairs cannot; this says
//! which, with the resolver's explanation naming the packages that clash, so a team can see
//! whether an engine could move into a profile's environment or two engines could merge.
//!
//! Profiles of several targets are paired on every target they share, each solved on its own
//! (as `strata lock` solves each target); a pair that shares none cannot share an environment.
//!
//! The default set is every engine and every plain profile nothing else extends (a leaf
//! covers its parents). Two plain profiles of one hierarchy are solved together by
//! `strata lock` and so are not asked again.

use std::sync::Arc;

use pep508_rs::{PackageName, Requirement};
use strata_dist::Target;
use strata_project::{ProfileName, Project};
use strata_resolve::{NoSolution, ResolveError, ResolveRequest, Resolver};

use crate::project_lock::{LockError, ResolverSource, profile_targets, solved_together};

/// What a pair of profiles or engines can do together.
#[derive(Debug)]
pub enum Verdict {
    /// One environment holds both.
    Compatible,
    /// They are locked for different Python versions or platforms, none in common.
    DifferentTargets {
        /// The first one's targets, `, `-separated.
        first: String,
        /// The second one's targets, `, `-separated.
        second: String,
    },
    /// Not asked: an engine's own index is not configured (as `strata lock` skips it).
    Skipped {
        /// Which engine and which index.
        reason: String,
    },
    /// No set of versions satisfies both (on one of the targets they share, named in the
    /// explanation when they share several).
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
                let handle = job.map(|job| scope.spawn(move || job.run()));
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
                        Ok(None) => Verdict::Compatible,
                        Ok(Some((target, no_solution))) => Verdict::Conflict {
                            packages: no_solution.packages,
                            explanation: match target {
                                Some(target) => {
                                    format!("For {target}:\n{}", no_solution.explanation)
                                }
                                None => no_solution.explanation,
                            },
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

/// One pair's resolutions, one per target they share, ready to run.
struct Job {
    resolver: Arc<Resolver>,
    requests: Vec<ResolveRequest>,
    /// Whether a conflict names its target: one of the pair has several.
    name_target: bool,
}

impl Job {
    /// The first target on which the pair has no solution (named when one of the pair has
    /// several targets), or `None` when every one has one.
    fn run(&self) -> Result<Option<(Option<String>, NoSolution)>, ResolveError> {
        for request in &self.requests {
            match self.resolver.resolve(request) {
                Ok(_) => {}
                Err(ResolveError::NoSolution(no_solution)) => {
                    let target = self.name_target.then(|| request.target.to_string());
                    return Ok(Some((target, *no_solution)));
                }
                Err(source) => return Err(source),
            }
        }
        Ok(None)
    }
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
    let (first_targets, second_targets) = (
        profile_targets(project, first)?,
        profile_targets(project, second)?,
    );
    let shared: Vec<Target> = first_targets
        .iter()
        .filter(|target| second_targets.contains(target))
        .cloned()
        .collect();
    let name_target = first_targets.len() > 1 || second_targets.len() > 1;
    if shared.is_empty() {
        let list = |targets: &[Target]| {
            let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
            names.join(", ")
        };
        return Ok(Err(Verdict::DifferentTargets {
            first: list(&first_targets),
            second: list(&second_targets),
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
    let requests = shared
        .into_iter()
        .map(|target| {
            let mut request = ResolveRequest::new(target, requirements.clone());
            for name in [first, second] {
                crate::origins::add_profile(&mut request.origins, project, name);
                request.constraints.extend(
                    project.profiles[name]
                        .constraints
                        .iter()
                        .map(|sourced| sourced.requirement.clone()),
                );
            }
            request
        })
        .collect();
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
    Ok(Ok(Job {
        resolver,
        requests,
        name_target,
    }))
}
