//! The dependency graph of an environment: which requirements apply, and what they point at.
//!
//! A requirement applies when its marker is true in the environment. Extras are where tools
//! differ:
//!
//! * pip (`pip check`, `BaseDistribution.iter_dependencies()` with no extras) evaluates every
//!   marker with `extra == ""`, so `extra == "…"` requirements never apply, even when another
//!   installed distribution asked for `foo[bar]`.
//! * [`Extras::Follow`] (strata's default) also propagates extras: when an applied requirement
//!   says `foo[bar]`, `foo`'s requirements whose marker is true for `extra == "bar"` apply too.
//!   Activation is computed to a fixed point, because an extra can pull in a requirement with
//!   extras of its own. This finds what `pip check` misses (a `foo[bar]` user without `bar`'s
//!   dependencies installed), at the cost of reporting more than pip on such environments.
//!
//! [`Extras::Ignore`] reproduces pip exactly. The graph is built once per command and shared by
//! `check`, `tree` and `why`; it holds [`Distribution`] records from any source, so the lock
//! mode can build it from a lock instead of a site-packages scan.

use std::collections::{BTreeSet, HashMap};

use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, VersionOrUrl};

use crate::distribution::{DeclaredRequirement, Distribution};

/// Whether a requirement on `foo[bar]` activates `foo`'s `extra == "bar"` requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Extras {
    /// Propagate extras through requirements, to a fixed point.
    #[default]
    Follow,
    /// Evaluate markers with no extra, as `pip check` does.
    Ignore,
}

/// One applied requirement: from a distribution to the distribution it names.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The index of the requiring distribution.
    pub parent: usize,
    /// The index of the requirement in the parent's [`Distribution::requires`].
    pub requirement: usize,
    /// The required name (normalized).
    pub child_name: PackageName,
    /// The index of the installed distribution of that name, if any.
    pub child: Option<usize>,
    /// The parent's extra that made the requirement apply, if it applies only under one.
    pub extra: Option<ExtraName>,
    /// Whether the installed version satisfies the specifiers (false when missing).
    pub satisfied: bool,
}

/// The dependency graph over a set of distributions.
#[derive(Debug, Clone)]
pub struct Graph {
    distributions: Vec<Distribution>,
    by_name: HashMap<PackageName, usize>,
    edges: Vec<Edge>,
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    active_extras: Vec<BTreeSet<ExtraName>>,
}

impl Graph {
    /// Builds the graph: one distribution per name (the first wins; duplicates are the scan's
    /// business), requirements evaluated against `markers`.
    pub fn new(
        distributions: Vec<Distribution>,
        markers: &MarkerEnvironment,
        extras: Extras,
    ) -> Self {
        let mut by_name = HashMap::with_capacity(distributions.len());
        for (index, distribution) in distributions.iter().enumerate() {
            by_name.entry(distribution.name.clone()).or_insert(index);
        }
        let active_extras = match extras {
            Extras::Ignore => vec![BTreeSet::new(); distributions.len()],
            Extras::Follow => activate_extras(&distributions, &by_name, markers),
        };
        let mut edges = Vec::new();
        let mut outgoing = vec![Vec::new(); distributions.len()];
        let mut incoming = vec![Vec::new(); distributions.len()];
        for (parent, distribution) in distributions.iter().enumerate() {
            for (position, declared) in distribution.requires.iter().enumerate() {
                let Some(extra) = applies(declared, markers, &active_extras[parent]) else {
                    continue;
                };
                let child = by_name.get(&declared.requirement.name).copied();
                let satisfied =
                    child.is_some_and(|child| satisfies(declared, &distributions[child].version));
                let id = edges.len();
                edges.push(Edge {
                    parent,
                    requirement: position,
                    child_name: declared.requirement.name.clone(),
                    child,
                    extra,
                    satisfied,
                });
                outgoing[parent].push(id);
                if let Some(child) = child {
                    incoming[child].push(id);
                }
            }
        }
        Self {
            distributions,
            by_name,
            edges,
            outgoing,
            incoming,
            active_extras,
        }
    }

    /// Every distribution, in the order given.
    pub fn distributions(&self) -> &[Distribution] {
        &self.distributions
    }

    /// The index of the distribution named `name`.
    pub fn find(&self, name: &PackageName) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Every edge.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The edges out of a distribution (its applied requirements), in requirement order.
    pub fn outgoing(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.outgoing[node].iter().map(|&id| &self.edges[id])
    }

    /// The edges into a distribution (the requirements naming it).
    pub fn incoming(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.incoming[node].iter().map(|&id| &self.edges[id])
    }

    /// The requirement an edge stands for.
    pub fn requirement(&self, edge: &Edge) -> &DeclaredRequirement {
        &self.distributions[edge.parent].requires[edge.requirement]
    }

    /// The extras of a distribution that other distributions' requirements activate.
    pub fn active_extras(&self, node: usize) -> &BTreeSet<ExtraName> {
        &self.active_extras[node]
    }

    /// Whether a distribution is top-level: requested by a user, or required by nothing.
    pub fn is_top_level(&self, node: usize) -> bool {
        self.distributions[node].requested || self.incoming[node].is_empty()
    }
}

/// Whether a requirement applies, and under which extra: `None` when it does not apply,
/// `Some(None)` when it applies without extras, `Some(Some(extra))` when only under `extra`.
#[expect(
    clippy::option_option,
    reason = "applies / unconditionally / under an extra"
)]
fn applies(
    declared: &DeclaredRequirement,
    markers: &MarkerEnvironment,
    active: &BTreeSet<ExtraName>,
) -> Option<Option<ExtraName>> {
    let marker = &declared.requirement.marker;
    if marker.evaluate(markers, &[]) {
        return Some(None);
    }
    active
        .iter()
        .find(|extra| marker.evaluate(markers, std::slice::from_ref(*extra)))
        .map(|extra| Some(extra.clone()))
}

/// pip's `req.specifier.contains(version, prereleases=True)`: URL requirements always match.
fn satisfies(declared: &DeclaredRequirement, version: &pep440_rs::Version) -> bool {
    match &declared.requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.contains(version),
        Some(VersionOrUrl::Url(_)) | None => true,
    }
}

/// The extras each distribution's dependents activate, computed to a fixed point.
fn activate_extras(
    distributions: &[Distribution],
    by_name: &HashMap<PackageName, usize>,
    markers: &MarkerEnvironment,
) -> Vec<BTreeSet<ExtraName>> {
    let mut active: Vec<BTreeSet<ExtraName>> = distributions
        .iter()
        .map(|distribution| distribution.requested_extras.clone())
        .collect();
    // Only requirements that carry extras can activate anything.
    let mut changed = true;
    while changed {
        changed = false;
        for (parent, distribution) in distributions.iter().enumerate() {
            for declared in &distribution.requires {
                if declared.requirement.extras.is_empty() {
                    continue;
                }
                let Some(&child) = by_name.get(&declared.requirement.name) else {
                    continue;
                };
                if applies(declared, markers, &active[parent]).is_none() {
                    continue;
                }
                for extra in &declared.requirement.extras {
                    changed |= active[child].insert(extra.clone());
                }
            }
        }
    }
    active
}

#[cfg(test)]
pub(crate) mod tests {
    use std::str::FromStr;

    use pep508_rs::Requirement;

    use super::*;
    use crate::distribution::{Installed, MetadataLayout, Origin};

    /// A distribution record from `name`, `version` and requirement strings.
    pub(crate) fn distribution(name: &str, version: &str, requires: &[&str]) -> Distribution {
        Distribution {
            name: PackageName::from_str(name).unwrap(),
            version: version.parse().unwrap(),
            requires: requires
                .iter()
                .map(|written| DeclaredRequirement {
                    requirement: Requirement::from_str(written).unwrap(),
                    written: (*written).to_string(),
                })
                .collect(),
            requested: false,
            requested_extras: BTreeSet::new(),
            origin: Origin::Installed(Installed {
                path: format!("/site/{name}-{version}.dist-info").into(),
                layout: MetadataLayout::DistInfo,
                installer: None,
                direct_url: None,
            }),
        }
    }

    pub(crate) fn markers() -> MarkerEnvironment {
        strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28")
            .unwrap()
            .markers()
    }

    #[test]
    fn extras_propagate_through_extras_to_a_fixed_point() {
        let distributions = vec![
            distribution("app", "1", &["a[x]"]),
            distribution("a", "1", &["b[y]; extra == 'x'"]),
            distribution("b", "1", &["c; extra == 'y'", "d; extra == 'z'"]),
            distribution("c", "1", &[]),
        ];
        let graph = Graph::new(distributions.clone(), &markers(), Extras::Follow);
        let edges: Vec<String> = graph
            .edges()
            .iter()
            .map(|edge| {
                format!(
                    "{} -> {} {:?}",
                    graph.distributions()[edge.parent].name,
                    edge.child_name,
                    edge.extra.as_ref().map(ToString::to_string)
                )
            })
            .collect();
        assert_eq!(
            edges,
            ["app -> a None", "a -> b Some(\"x\")", "b -> c Some(\"y\")"]
        );
        let ignored = Graph::new(distributions, &markers(), Extras::Ignore);
        assert_eq!(ignored.edges().len(), 1);
    }

    #[test]
    fn extras_a_lock_pins_a_distribution_with_apply_to_it() {
        // `uvicorn[standard]==...` in a lock: nothing else asks for the extra.
        let mut uvicorn = distribution(
            "uvicorn",
            "0.30.1",
            &["h11", "httptools; extra == 'standard'"],
        );
        uvicorn.requested_extras.insert("standard".parse().unwrap());
        let graph = Graph::new(
            vec![uvicorn, distribution("h11", "0.14.0", &[])],
            &markers(),
            Extras::Follow,
        );
        let missing: Vec<&str> = graph
            .edges()
            .iter()
            .filter(|edge| edge.child.is_none())
            .map(|edge| edge.child_name.as_ref())
            .collect();
        assert_eq!(missing, ["httptools"]);
    }
}
