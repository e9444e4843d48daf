//! `why P`: every path from a top-level distribution to `P`, and what holds `P` where it is.
//!
//! A top-level distribution is one a user asked for (`REQUESTED`) or one nothing requires. Paths
//! are walked backwards from `P` over applied requirements, never through a distribution twice,
//! and capped ([`WhyOptions::max_paths`]) because a wide graph can have very many.
//!
//! The **binding constraints** are the requirements on `P` that exclude newer versions of it:
//!
//! * Without an index (an installed environment), strata cannot know which newer versions
//!   exist, so it names every requirement on `P` with an upper bound (`<`, `<=`, `==`, `===`,
//!   `~=`): the requirements the installed version sits against. A requirement the installed
//!   version violates is named as such.
//! * With the versions an index offers ([`WhyOptions::available`], filled in by the lock mode),
//!   a requirement binds when it excludes the newest available version, and for each one strata
//!   says which version would be chosen without it: the newest available version every other
//!   requirement on `P` allows (when that is the version it has, others hold it there too). A
//!   violated requirement comes with the newest version every requirement allows.
//!
//! Requirements that are not distributions of the graph count the same way
//! ([`WhyOptions::top_level`]): a profile's own lines, the requirements of the profiles locked
//! in the same resolution, an engine's parent pins.

use std::fmt::Write;

use pep440_rs::{Operator, Version, VersionSpecifiers};
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::graph::{Edge, Graph};
use crate::tree::specifier_text;

/// Options of [`why`].
#[derive(Debug, Clone)]
pub struct WhyOptions {
    /// Stop after this many paths.
    pub max_paths: usize,
    /// Every version of the package the index offers, when known (lock mode). Without it the
    /// binding constraints are the installed requirements with an upper bound.
    pub available: Option<Vec<Version>>,
    /// Top-level requirements that are not distributions of the graph, with where each was
    /// written (`requirements/in/base.in:3`): a profile's own lines, in lock mode. Those naming
    /// the package count as constraints like any distribution's requirement.
    pub top_level: Vec<(String, Requirement)>,
}

impl Default for WhyOptions {
    fn default() -> Self {
        Self {
            max_paths: 100,
            available: None,
            top_level: Vec::new(),
        }
    }
}

/// Why a distribution is in the environment, and what holds its version.
#[derive(Debug, Clone, Serialize)]
pub struct Why {
    /// The distribution asked about.
    pub package: PackageName,
    /// Its installed version.
    pub version: Version,
    /// Whether a user asked for it by name.
    pub requested: bool,
    /// Paths from top-level distributions, each starting at the top-level one and ending with
    /// the step into `package`.
    pub paths: Vec<Vec<PathStep>>,
    /// Whether [`WhyOptions::max_paths`] cut the list short.
    pub truncated: bool,
    /// The requirements that hold the version, or that it violates.
    pub constraints: Vec<Constraint>,
    /// With [`WhyOptions::available`]: the newest final release the index offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest: Option<Version>,
}

/// One distribution on a path, with the requirement that led to it from the previous step.
#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    /// The distribution.
    pub name: PackageName,
    /// Its installed version.
    pub version: Version,
    /// The specifier the previous step demands of it (absent on the first step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
}

/// A requirement on the package that excludes newer versions, or that it violates.
#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    /// Who demands it: the requiring distribution's name, or where a top-level requirement was
    /// written ([`WhyOptions::top_level`]).
    pub by: String,
    /// The requiring distribution's version; absent for a top-level requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_version: Option<Version>,
    /// The specifier it demands (`>=1.17,<2.0.0`).
    pub specifier: String,
    /// Whether the installed version satisfies it.
    pub satisfied: bool,
    /// With [`WhyOptions::available`], for a requirement that holds the version: the version
    /// that would be chosen without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_it: Option<Version>,
    /// With [`WhyOptions::available`], for a requirement the version violates: the newest
    /// version every requirement on the package allows, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_allowed: Option<Version>,
}

/// Explains `package` in `graph`.
pub fn why(graph: &Graph, package: &PackageName, options: &WhyOptions) -> Result<Why, Error> {
    let Some(node) = graph.find(package) else {
        return Err(ErrorKind::NotInstalled {
            package: package.clone(),
        }
        .into());
    };
    let distribution = &graph.distributions()[node];
    let mut walker = Walker {
        graph,
        max_paths: options.max_paths,
        paths: Vec::new(),
        truncated: false,
        on_path: vec![false; graph.distributions().len()],
        stack: Vec::new(),
    };
    walker.walk(node, None);
    let mut paths = walker.paths;
    let truncated = walker.truncated;
    paths.sort_by(|a, b| {
        let key = |path: &Vec<PathStep>| {
            path.iter()
                .map(|step| step.name.to_string())
                .collect::<Vec<_>>()
        };
        key(a).cmp(&key(b))
    });
    let constraints = constraints(graph, node, options);
    let newest = options
        .available
        .as_ref()
        .and_then(|versions| versions.iter().filter(|v| !v.any_prerelease()).max())
        .cloned();
    Ok(Why {
        newest,
        package: distribution.name.clone(),
        version: distribution.version.clone(),
        requested: distribution.requested,
        paths,
        truncated,
        constraints,
    })
}

struct Walker<'a> {
    graph: &'a Graph,
    max_paths: usize,
    paths: Vec<Vec<PathStep>>,
    truncated: bool,
    on_path: Vec<bool>,
    /// The path from the package upwards: each node with the edge that leads down from it.
    stack: Vec<(usize, Option<&'a Edge>)>,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, node: usize, down: Option<&'a Edge>) {
        if self.paths.len() >= self.max_paths {
            self.truncated = true;
            return;
        }
        self.on_path[node] = true;
        self.stack.push((node, down));
        if self.graph.is_top_level(node) {
            self.record();
        }
        let graph = self.graph;
        for edge in graph.incoming(node) {
            if !self.on_path[edge.parent] {
                self.walk(edge.parent, Some(edge));
            }
        }
        self.stack.pop();
        self.on_path[node] = false;
    }

    fn record(&mut self) {
        let distributions = self.graph.distributions();
        // The stack runs from the package up to this top-level node; a path reads downwards.
        let mut path = Vec::with_capacity(self.stack.len());
        let mut required = None;
        for &(node, down) in self.stack.iter().rev() {
            path.push(PathStep {
                name: distributions[node].name.clone(),
                version: distributions[node].version.clone(),
                required: required.take(),
            });
            required = down.map(|edge| specifier_text(self.graph.requirement(edge)));
        }
        self.paths.push(path);
    }
}

/// Whether a specifier list sets an upper bound on versions.
fn has_upper_bound(operators: impl IntoIterator<Item = Operator>) -> bool {
    operators.into_iter().any(|operator| {
        matches!(
            operator,
            Operator::LessThan
                | Operator::LessThanEqual
                | Operator::Equal
                | Operator::EqualStar
                | Operator::ExactEqual
                | Operator::TildeEqual
        )
    })
}

/// One requirement on the package: from a distribution of the graph or a top-level line.
struct Demand {
    by: String,
    by_version: Option<Version>,
    specifiers: Option<VersionSpecifiers>,
    specifier: String,
    satisfied: bool,
}

impl Demand {
    fn allows(&self, version: &Version) -> bool {
        self.specifiers
            .as_ref()
            .is_none_or(|specifiers| specifiers.contains(version))
    }
}

fn constraints(graph: &Graph, node: usize, options: &WhyOptions) -> Vec<Constraint> {
    let distribution = &graph.distributions()[node];
    let specifiers_of = |requirement: &Requirement| match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => Some(specifiers.clone()),
        _ => None,
    };
    let mut demands: Vec<Demand> = graph
        .incoming(node)
        .map(|edge| {
            let declared = graph.requirement(edge);
            let parent = &graph.distributions()[edge.parent];
            Demand {
                by: parent.name.to_string(),
                by_version: Some(parent.version.clone()),
                specifiers: specifiers_of(&declared.requirement),
                specifier: specifier_text(declared),
                satisfied: edge.satisfied,
            }
        })
        .collect();
    demands.extend(
        options
            .top_level
            .iter()
            .filter(|(_, requirement)| requirement.name == distribution.name)
            .map(|(source, requirement)| {
                let specifiers = specifiers_of(requirement);
                Demand {
                    by: source.clone(),
                    by_version: None,
                    satisfied: specifiers
                        .as_ref()
                        .is_none_or(|specifiers| specifiers.contains(&distribution.version)),
                    // Comma-joined without spaces, as the written requirements print.
                    specifier: specifiers
                        .iter()
                        .flat_map(|specifiers| specifiers.iter().map(ToString::to_string))
                        .collect::<Vec<_>>()
                        .join(","),
                    specifiers,
                }
            }),
    );
    let mut constraints = Vec::new();
    for (index, demand) in demands.iter().enumerate() {
        let Some(specifiers) = &demand.specifiers else {
            continue;
        };
        let mut constraint = Constraint {
            by: demand.by.clone(),
            by_version: demand.by_version.clone(),
            specifier: demand.specifier.clone(),
            satisfied: demand.satisfied,
            without_it: None,
            newest_allowed: None,
        };
        match options.available.as_deref() {
            None => {
                if !demand.satisfied || has_upper_bound(specifiers.iter().map(|s| *s.operator())) {
                    constraints.push(constraint);
                }
            }
            Some(versions) => {
                let finals = || versions.iter().filter(|version| !version.any_prerelease());
                // The newest final release all demands allow, but for the one at `skip`.
                let newest_allowed = |skip: Option<usize>| {
                    finals()
                        .filter(|version| {
                            demands.iter().enumerate().all(|(other, demand)| {
                                Some(other) == skip || demand.allows(version)
                            })
                        })
                        .max()
                        .cloned()
                };
                if !demand.satisfied {
                    constraint.newest_allowed = newest_allowed(None);
                    constraints.push(constraint);
                } else if finals().max().is_some_and(|newest| !demand.allows(newest)) {
                    constraint.without_it = newest_allowed(Some(index));
                    constraints.push(constraint);
                }
            }
        }
    }
    constraints.sort_by(|a, b| a.by.cmp(&b.by));
    constraints
}

/// `why` as text: the paths, then the binding constraints in a sentence each.
pub fn render_text(why: &Why) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}{}",
        why.package,
        why.version,
        if why.requested { " (requested)" } else { "" }
    );
    if why.paths.is_empty() {
        out.push_str("No path from a top-level distribution (every route is a cycle)\n");
    } else {
        let _ = writeln!(
            out,
            "Required through {} path{}{}:",
            why.paths.len(),
            if why.paths.len() == 1 { "" } else { "s" },
            if why.truncated {
                " (more not shown)"
            } else {
                ""
            }
        );
        for path in &why.paths {
            let steps: Vec<String> = path
                .iter()
                .map(|step| match &step.required {
                    None => format!("{} {}", step.name, step.version),
                    Some(spec) if spec.is_empty() => {
                        format!("{} {} (any version)", step.name, step.version)
                    }
                    Some(spec) => format!("{} {} ({}{spec})", step.name, step.version, step.name),
                })
                .collect();
            let _ = writeln!(out, "  {}", steps.join(" -> "));
        }
    }
    if why.constraints.is_empty() {
        let _ = match &why.newest {
            None => writeln!(
                out,
                "Nothing holds {} {} back: no installed requirement on it has an upper bound",
                why.package, why.version
            ),
            Some(newest) if *newest <= why.version => writeln!(
                out,
                "Nothing holds {} {} back: it is the newest release the index offers",
                why.package, why.version
            ),
            Some(newest) => writeln!(
                out,
                "Nothing holds {} {} back: every requirement on it allows {newest}, the newest \
                 release; the lock keeps the earlier pin until it is upgraded",
                why.package, why.version
            ),
        };
    }
    for constraint in &why.constraints {
        let verb = if constraint.satisfied {
            "is held by"
        } else {
            "violates"
        };
        let by = match &constraint.by_version {
            Some(version) => format!("{} {version}", constraint.by),
            None => constraint.by.clone(),
        };
        let _ = write!(
            out,
            "{} {} {verb} {by} ({}{})",
            why.package, why.version, why.package, constraint.specifier
        );
        match &constraint.without_it {
            // Others cap it at the same version: this one alone is not what holds it.
            Some(version) if *version == why.version => {
                out.push_str("; others hold it there too");
            }
            Some(version) => {
                let _ = write!(
                    out,
                    "; without it {} {version} would be picked",
                    why.package
                );
            }
            None => {}
        }
        if let Some(version) = &constraint.newest_allowed {
            let _ = write!(
                out,
                "; {} {version} is the newest release every requirement allows",
                why.package
            );
        }
        out.push('\n');
    }
    out
}
