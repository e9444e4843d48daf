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
//!   requirement on `P` allows.

use std::fmt::Write;

use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, VersionOrUrl};
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
}

impl Default for WhyOptions {
    fn default() -> Self {
        Self {
            max_paths: 100,
            available: None,
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
    /// The requiring distribution.
    pub by: PackageName,
    /// Its version.
    pub by_version: Version,
    /// The specifier it demands (`>=1.17,<2.0.0`).
    pub specifier: String,
    /// Whether the installed version satisfies it.
    pub satisfied: bool,
    /// With [`WhyOptions::available`]: the version that would be chosen without this
    /// requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_it: Option<Version>,
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
    let constraints = constraints(graph, node, options.available.as_deref());
    Ok(Why {
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

fn constraints(graph: &Graph, node: usize, available: Option<&[Version]>) -> Vec<Constraint> {
    let incoming: Vec<&Edge> = graph.incoming(node).collect();
    let allows = |edge: &Edge, version: &Version| match &graph
        .requirement(edge)
        .requirement
        .version_or_url
    {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.contains(version),
        _ => true,
    };
    let mut constraints = Vec::new();
    for &edge in &incoming {
        let declared = graph.requirement(edge);
        let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &declared.requirement.version_or_url
        else {
            continue;
        };
        let parent = &graph.distributions()[edge.parent];
        let mut constraint = Constraint {
            by: parent.name.clone(),
            by_version: parent.version.clone(),
            specifier: specifier_text(declared),
            satisfied: edge.satisfied,
            without_it: None,
        };
        match available {
            None => {
                if !edge.satisfied || has_upper_bound(specifiers.iter().map(|s| *s.operator())) {
                    constraints.push(constraint);
                }
            }
            Some(versions) => {
                let newest = versions.iter().filter(|v| !v.any_prerelease()).max();
                let binds = newest.is_some_and(|newest| !allows(edge, newest));
                if binds || !edge.satisfied {
                    constraint.without_it = versions
                        .iter()
                        .filter(|version| !version.any_prerelease())
                        .filter(|version| {
                            incoming
                                .iter()
                                .filter(|other| !std::ptr::eq(**other, edge))
                                .all(|other| allows(other, version))
                        })
                        .max()
                        .cloned();
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
        let _ = writeln!(
            out,
            "Nothing holds {} {} back: no installed requirement on it has an upper bound",
            why.package, why.version
        );
    }
    for constraint in &why.constraints {
        let verb = if constraint.satisfied {
            "is held by"
        } else {
            "violates"
        };
        let _ = write!(
            out,
            "{} {} {verb} {} {} ({}{})",
            why.package,
            why.version,
            constraint.by,
            constraint.by_version,
            why.package,
            constraint.specifier
        );
        if let Some(version) = &constraint.without_it {
            let _ = write!(
                out,
                "; without it {} {version} would be picked",
                why.package
            );
        }
        out.push('\n');
    }
    out
}
