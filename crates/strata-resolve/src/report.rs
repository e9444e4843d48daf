//! Explaining "no solution" in sentences people understand.
//!
//! PubGrub proves unsatisfiability with a derivation tree; this formatter writes each step in
//! packaging terms ("vllm 0.9.2 depends on torch==2.7.0"), collapses version ranges into the
//! specifiers people write (`>=1.17, <2`), names the root "your requirements", and, where
//! versions exist that the solver could not use, says why: no file for the target, a
//! `requires-python` that excludes it, yanked, or a pre-release. Hints are computed from the
//! same data, never from the text.
//!
//! Every requirement and constraint is its own edge of the graph (see `provider::Deps`), so the
//! derivation can say *which* lines clash rather than that "no version is left"; the provider
//! remembers why each top-level, constraint and override edge exists, and the request says
//! where each was written, so a sentence reads "`accelerate==0.33.0` (requirements/backend.in:3)
//! and `accelerate>=1.0` (extra `transformers` of pyproject.toml) cannot both hold". However
//! long the derivation, it ends with the pairs of edges on one package that admit no common
//! version ("In short: ..."), each with where it comes from: the lines a user can change.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::ops::Bound;

use pep440_rs::Version;
use pubgrub::{DerivationTree, Derived, External, Map, ReportFormatter, Term};
use version_ranges::Ranges;

use crate::package::ResolverPackage;
use crate::provider::{EdgeKind, Provider, Unavailable};

pub(crate) struct Formatter<'a, 'p> {
    provider: &'a Provider<'p>,
}

impl<'a, 'p> Formatter<'a, 'p> {
    pub(crate) fn new(provider: &'a Provider<'p>) -> Self {
        Self { provider }
    }

    /// Hints for the user, from the packages and exclusions in the tree.
    pub(crate) fn hints(
        &self,
        tree: &DerivationTree<ResolverPackage, Ranges<Version>, Unavailable>,
    ) -> Vec<String> {
        let mut hints = Vec::new();
        let packages: BTreeSet<&ResolverPackage> = tree.packages().into_iter().collect();
        let exclusions = self.provider.exclusions.borrow();
        let target = self.provider.target();
        // Only versions the failed ranges would have admitted explain anything.
        let mut empty_ranges = Vec::new();
        no_versions(tree, &mut empty_ranges);
        for (package, range) in &empty_ranges {
            let Some(name) = package.name() else { continue };
            if let Some(provided) = self.provider.provided(name) {
                hints.push(format!(
                    "`{name}` {} is part of {}, which this lock installs on top of: relax the requirement on `{name}` that excludes it, or move to an image whose `{name}` satisfies it (and capture its packages again)",
                    provided.version,
                    self.provider.provided_by(),
                ));
                continue;
            }
            let Some(all) = exclusions.get(name) else {
                continue;
            };
            let keep = |versions: &[Version]| -> Vec<Version> {
                versions
                    .iter()
                    .filter(|version| range.contains(*version))
                    .cloned()
                    .collect()
            };
            let excluded = crate::provider::Exclusions {
                prereleases: keep(&all.prereleases),
                yanked: keep(&all.yanked),
                no_file_for_target: keep(&all.no_file_for_target),
                binary_policy: keep(&all.binary_policy),
                requires_python: all
                    .requires_python
                    .iter()
                    .filter(|(version, _)| range.contains(version))
                    .cloned()
                    .collect(),
            };
            if !excluded.prereleases.is_empty() {
                hints.push(format!(
                    "`{name}` has pre-releases that would fit; allow them with `--prerelease allow` or by naming one in the requirement (`{name}>={}`)",
                    excluded.prereleases[0]
                ));
            }
            if !excluded.requires_python.is_empty() {
                hints.push(format!(
                    "Some `{name}` versions need another Python than {}: set `python-version` for this profile or engine",
                    target.python()
                ));
            }
            if !excluded.binary_policy.is_empty() {
                hints.push(format!(
                    "Some `{name}` versions have only files that `--only-binary` or `--no-binary` refuses: allow sdists or wheels of `{name}`"
                ));
            }
            if !excluded.no_file_for_target.is_empty() {
                hints.push(format!(
                    "Some `{name}` versions have no wheel for `{}` and no sdist: check `python-platform`",
                    target.platform().name()
                ));
            }
        }
        let direct: Vec<String> = packages
            .iter()
            .filter_map(|package| package.name())
            .filter(|name| {
                self.provider
                    .root_requirements()
                    .iter()
                    .any(|requirement| &requirement.name == *name)
            })
            .map(|name| format!("`{name}`"))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !direct.is_empty() {
            hints.push(format!(
                "Relax one of the requirements on {}",
                direct.join(", ")
            ));
        }
        if direct.len() >= 2 {
            hints.push(
                "If these belong to different engines, declare them as separate engines: each engine gets its own environment and lock"
                    .to_string(),
            );
        }
        hints
    }

    fn excluded_versions(&self, package: &ResolverPackage, range: &Ranges<Version>) -> String {
        let Some(name) = package.name() else {
            return String::new();
        };
        let exclusions = self.provider.exclusions.borrow();
        let Some(excluded) = exclusions.get(name) else {
            return String::new();
        };
        let mut reasons = Vec::new();
        let in_range = |versions: &[Version]| -> Vec<String> {
            versions
                .iter()
                .filter(|version| range.contains(*version))
                .take(3)
                .map(ToString::to_string)
                .collect()
        };
        let target = self.provider.target();
        let no_file = in_range(&excluded.no_file_for_target);
        if !no_file.is_empty() {
            reasons.push(format!(
                "{} have no wheel for {target} and no sdist",
                no_file.join(", ")
            ));
        }
        let refused = in_range(&excluded.binary_policy);
        if !refused.is_empty() {
            reasons.push(format!(
                "{} have only files that `--only-binary`/`--no-binary` refuses",
                refused.join(", ")
            ));
        }
        let requires_python: Vec<String> = excluded
            .requires_python
            .iter()
            .filter(|(version, _)| range.contains(version))
            .take(3)
            .map(|(version, specifiers)| format!("{version} requires Python {specifiers}"))
            .collect();
        if !requires_python.is_empty() {
            reasons.push(requires_python.join(", "));
        }
        let yanked = in_range(&excluded.yanked);
        if !yanked.is_empty() {
            reasons.push(format!("{} yanked", yanked.join(", ")));
        }
        let prereleases = in_range(&excluded.prereleases);
        if !prereleases.is_empty() {
            reasons.push(format!(
                "{} pre-releases, not allowed",
                prereleases.join(", ")
            ));
        }
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    }
}

/// What put one edge into the graph, said for an explanation.
#[derive(Debug, Default)]
struct Sources {
    /// The depender's metadata has the edge itself.
    metadata: bool,
    /// Top-level requirements with this range, as written.
    requirements: Vec<pep508_rs::Requirement>,
    /// Where those were written.
    requirement_origins: Vec<String>,
    /// Where the first of them stands among the request's requirements.
    position: Option<usize>,
    /// "the constraint `torch==2.5.1` (pinned by profile `base` in locks/base.txt)".
    constraints: Vec<String>,
    /// Where the top-level requirements on the depending package were written.
    requirer_origins: Vec<String>,
    /// "constraint from locks/base.txt, the lock of profile `base`": the constraints said
    /// beside a requirement of the same range.
    constraint_origins: Vec<String>,
    /// "override from overrides.txt:1": the overrides that replaced the requirement.
    override_origins: Vec<String>,
    /// Whether an override put the edge there.
    overridden: bool,
}

impl Sources {
    fn is_constraint_only(&self) -> bool {
        !self.constraints.is_empty()
            && !self.metadata
            && self.requirements.is_empty()
            && !self.overridden
    }

    /// One side of a clash: the requirement as written and where it comes from.
    fn phrase(
        &self,
        package: &ResolverPackage,
        range: &Ranges<Version>,
        dependency: &ResolverPackage,
        dependency_range: &Ranges<Version>,
    ) -> String {
        if self.is_constraint_only() {
            return self.constraints.join(" and ");
        }
        let mut notes: Vec<String> = Vec::new();
        let written = if let Some(requirement) = self.requirements.first() {
            if self.requirement_origins.is_empty() {
                format!("your requirement `{requirement}`")
            } else {
                notes.extend(self.requirement_origins.iter().cloned());
                format!("`{requirement}`")
            }
        } else {
            if !matches!(package, ResolverPackage::Root) {
                let mut by = format!("required by {}", package_range(package, range));
                if !self.requirer_origins.is_empty() {
                    let _ = write!(by, ", from {}", self.requirer_origins.join(" and "));
                }
                notes.push(by);
            }
            format!("`{}`", package_range(dependency, dependency_range))
        };
        notes.extend(self.override_origins.iter().cloned());
        notes.extend(self.constraint_origins.iter().cloned());
        if notes.is_empty() {
            written
        } else {
            format!("{written} ({})", notes.join("; "))
        }
    }
}

/// Every dependency edge the derivation rests on, once each, in tree order.
fn dependency_edges<'t>(
    tree: &'t DerivationTree<ResolverPackage, Ranges<Version>, Unavailable>,
    out: &mut Vec<&'t Ext>,
) {
    match tree {
        DerivationTree::External(external @ External::FromDependencyOf(p, r, d, dr)) => {
            let known = out.iter().any(|other| {
                matches!(other, External::FromDependencyOf(op, or, od, odr)
                    if op == p && or == r && od == d && odr == dr)
            });
            if !known {
                out.push(external);
            }
        }
        DerivationTree::External(_) => {}
        DerivationTree::Derived(derived) => {
            dependency_edges(&derived.cause1, out);
            dependency_edges(&derived.cause2, out);
        }
    }
}

/// Every `NoVersions` leaf of the tree: the ranges in which nothing usable existed.
fn no_versions<'t>(
    tree: &'t DerivationTree<ResolverPackage, Ranges<Version>, Unavailable>,
    out: &mut Vec<(&'t ResolverPackage, &'t Ranges<Version>)>,
) {
    match tree {
        DerivationTree::External(External::NoVersions(package, range)) => {
            out.push((package, range));
        }
        DerivationTree::External(_) => {}
        DerivationTree::Derived(derived) => {
            no_versions(&derived.cause1, out);
            no_versions(&derived.cause2, out);
        }
    }
}

/// `name` with a range as people write it: `numpy>=1.17, <2`, `vllm==0.9.2`, `torch`.
pub(crate) fn package_range(package: &ResolverPackage, range: &Ranges<Version>) -> String {
    if let ResolverPackage::Root = package {
        return "your requirements".to_string();
    }
    let text = range_text(range);
    if text.is_empty() {
        package.to_string()
    } else {
        format!("{package}{text}")
    }
}

/// A range as PEP 440 specifiers; several disjoint segments are joined with ` or `.
pub(crate) fn range_text(range: &Ranges<Version>) -> String {
    if range == &Ranges::full() {
        return String::new();
    }
    if range.is_empty() {
        // An empty range on an edge means the requirements and constraints on the package,
        // intersected, left nothing (`a>=2` with `a<2`, or a parent's pin against a child's
        // range).
        return " (no version left within the constraints)".to_string();
    }
    let segments: Vec<String> = range
        .iter()
        .map(|(lower, upper)| match (lower, upper) {
            (Bound::Included(low), Bound::Included(high)) if low == high => format!("=={low}"),
            // How an exact pin is widened to admit local versions (see `specifiers_range`).
            (Bound::Included(low), Bound::Excluded(high))
                if *high == low.clone().with_post(Some(0)).with_dev(Some(0)) =>
            {
                format!("=={low}")
            }
            _ => {
                let mut parts = Vec::new();
                match lower {
                    Bound::Included(low) => parts.push(format!(">={low}")),
                    Bound::Excluded(low) => parts.push(format!(">{low}")),
                    Bound::Unbounded => {}
                }
                match upper {
                    Bound::Included(high) => parts.push(format!("<={high}")),
                    Bound::Excluded(high) => parts.push(format!("<{high}")),
                    Bound::Unbounded => {}
                }
                parts.join(", ")
            }
        })
        .collect();
    segments.join(" or ")
}

type Terms = Map<ResolverPackage, Term<Ranges<Version>>>;
type Ext = External<ResolverPackage, Ranges<Version>, Unavailable>;
type Der = Derived<ResolverPackage, Ranges<Version>, Unavailable>;

impl ReportFormatter<ResolverPackage, Ranges<Version>, Unavailable> for Formatter<'_, '_> {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(..) => "we are resolving your requirements".to_string(),
            External::NoVersions(package, range) => match package
                .name()
                .and_then(|name| Some((name, self.provider.provided(name)?)))
            {
                Some((name, provided)) => format!(
                    "{} cannot be used ({} provides {name} {}, {}, and strata never changes it)",
                    package_range(package, range),
                    self.provider.provided_by(),
                    provided.version,
                    provided.origin,
                ),
                None => format!(
                    "no usable version of {} exists{}",
                    package_range(package, range),
                    self.excluded_versions(package, range)
                ),
            },
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                self.dependency_sentence(package, range, dependency, dependency_range)
            }
            External::Custom(package, range, reason) => {
                format!(
                    "{} cannot be used because {reason}",
                    package_range(package, range)
                )
            }
        }
    }

    fn format_terms(&self, terms: &Terms) -> String {
        let terms: Vec<_> = terms.iter().collect();
        match terms.as_slice() {
            [] => "the requirements cannot be satisfied".to_string(),
            [(ResolverPackage::Root, Term::Positive(_))] => {
                "your requirements cannot be satisfied".to_string()
            }
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", package_range(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", package_range(package, range))
            }
            [
                (first, Term::Positive(first_range)),
                (second, Term::Negative(second_range)),
            ]
            | [
                (second, Term::Negative(second_range)),
                (first, Term::Positive(first_range)),
            ] => self.format_external(&External::FromDependencyOf(
                (*first).clone(),
                first_range.clone(),
                (*second).clone(),
                second_range.clone(),
            )),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) | Term::Negative(range) => {
                            package_range(package, range)
                        }
                    })
                    .collect();
                format!("{} cannot be installed together", parts.join(", "))
            }
        }
    }

    fn explain_both_external(&self, first: &Ext, second: &Ext, current: &Terms) -> String {
        if let Some(clash) = self.clash(first, second) {
            return format!(
                "Because {clash} cannot both hold, {}.",
                self.format_terms(current)
            );
        }
        match (is_local_gap(first), is_local_gap(second)) {
            (true, false) => self.because(second, current),
            (false, true) => self.because(first, current),
            _ => format!(
                "Because {} and {}, {}.",
                self.format_external(first),
                self.format_external(second),
                self.format_terms(current)
            ),
        }
    }

    fn explain_both_ref(
        &self,
        first_id: usize,
        first: &Der,
        second_id: usize,
        second: &Der,
        current: &Terms,
    ) -> String {
        format!(
            "Because {} ({first_id}) and {} ({second_id}), {}.",
            self.format_terms(&first.terms),
            self.format_terms(&second.terms),
            self.format_terms(current)
        )
    }

    fn explain_ref_and_external(
        &self,
        id: usize,
        derived: &Der,
        external: &Ext,
        current: &Terms,
    ) -> String {
        if is_local_gap(external) {
            return format!(
                "Because {} ({id}), {}.",
                self.format_terms(&derived.terms),
                self.format_terms(current)
            );
        }
        format!(
            "Because {} ({id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(current)
        )
    }

    fn and_explain_external(&self, external: &Ext, current: &Terms) -> String {
        if is_local_gap(external) {
            return format!("So {}.", self.format_terms(current));
        }
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.format_terms(current)
        )
    }

    fn and_explain_ref(&self, id: usize, derived: &Der, current: &Terms) -> String {
        format!(
            "And because {} ({id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(current)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior: &Ext,
        external: &Ext,
        current: &Terms,
    ) -> String {
        let mut out = String::new();
        let _ = match (is_local_gap(prior), is_local_gap(external)) {
            (true, false) => write!(
                out,
                "And because {}, {}.",
                self.format_external(external),
                self.format_terms(current)
            ),
            (false, true) => write!(
                out,
                "And because {}, {}.",
                self.format_external(prior),
                self.format_terms(current)
            ),
            _ => write!(
                out,
                "And because {} and {}, {}.",
                self.format_external(prior),
                self.format_external(external),
                self.format_terms(current)
            ),
        };
        out
    }
}

impl Formatter<'_, '_> {
    /// "vllm==0.9.2 depends on torch==2.7.0", "your requirements require accelerate==0.33.0
    /// (requirements/backend.in:3)", "vllm==0.9.2 depends on torch within the constraint
    /// `torch==2.5.1` (locks/base.txt, the lock of profile `base`)": one edge, with where it was
    /// written when the request said.
    fn dependency_sentence(
        &self,
        package: &ResolverPackage,
        range: &Ranges<Version>,
        dependency: &ResolverPackage,
        dependency_range: &Ranges<Version>,
    ) -> String {
        let is_root = matches!(package, ResolverPackage::Root);
        let requirer = if is_root {
            "your requirements".to_string()
        } else {
            package_range(package, range)
        };
        let verb = if is_root { "require" } else { "depends on" };
        let required = package_range(dependency, dependency_range);
        let sources = self.sources(package, range, dependency, dependency_range);
        if sources.is_constraint_only() {
            return format!(
                "{requirer} {verb} {dependency} within {}",
                sources.constraints.join(" and ")
            );
        }
        let mut notes = sources.requirement_origins.clone();
        notes.extend(sources.override_origins.iter().cloned());
        notes.extend(sources.constraint_origins.iter().cloned());
        if notes.is_empty() {
            format!("{requirer} {verb} {required}")
        } else {
            format!("{requirer} {verb} {required} ({})", notes.join("; "))
        }
    }

    /// "`accelerate==0.33.0` (requirements/backend.in:3) and `accelerate>=1.0` (extra
    /// `transformers` of pyproject.toml)", which cannot both hold: when two edges on one package
    /// admit no common version, the two requirements themselves, each with where it comes from.
    fn clash(&self, first: &Ext, second: &Ext) -> Option<String> {
        let (
            External::FromDependencyOf(first_package, first_range, dependency, first_dependency),
            External::FromDependencyOf(second_package, second_range, other, second_dependency),
        ) = (first, second)
        else {
            return None;
        };
        if dependency != other || !first_dependency.is_disjoint(second_dependency) {
            return None;
        }
        // Two versions of one package wanting different things are alternatives, not a clash.
        if first_package == second_package
            && !matches!(first_package, ResolverPackage::Root)
            && first_range.is_disjoint(second_range)
        {
            return None;
        }
        let mut sides = [
            (
                self.sources(first_package, first_range, dependency, first_dependency),
                first_package,
                first_range,
                first_dependency,
            ),
            (
                self.sources(second_package, second_range, dependency, second_dependency),
                second_package,
                second_range,
                second_dependency,
            ),
        ];
        // Two top-level requirements read in the order they were written.
        if let [(first, ..), (second, ..)] = &sides
            && let (Some(first), Some(second)) = (first.position, second.position)
            && second < first
        {
            sides.swap(0, 1);
        }
        let [first, second] = sides.map(|(sources, package, range, dependency_range)| {
            sources.phrase(package, range, dependency, dependency_range)
        });
        Some(format!("{first} and {second}"))
    }

    /// The clashes of `tree` its derivation did not already state: every two edges on one
    /// package with no version in common, whatever steps lie between them, each said with
    /// where it comes from. A long derivation then still ends in the two lines to change.
    pub(crate) fn clash_summary(
        &self,
        tree: &DerivationTree<ResolverPackage, Ranges<Version>, Unavailable>,
        explanation: &str,
    ) -> Vec<String> {
        const MAX: usize = 3;
        let mut edges: Vec<&Ext> = Vec::new();
        dependency_edges(tree, &mut edges);
        let mut sourced = Vec::new();
        let mut plain = Vec::new();
        for (index, first) in edges.iter().enumerate() {
            for second in &edges[index + 1..] {
                let Some(clash) = self.clash(first, second) else {
                    continue;
                };
                // Said inline already, when the two edges met in one step.
                if explanation.contains(&format!("{clash} cannot both hold"))
                    || sourced.contains(&clash)
                    || plain.contains(&clash)
                {
                    continue;
                }
                // Clashes involving what the user wrote come first: those are the lines to
                // change.
                if self.is_sourced(first) || self.is_sourced(second) {
                    sourced.push(clash);
                } else {
                    plain.push(clash);
                }
            }
        }
        sourced.extend(plain);
        sourced.truncate(MAX);
        sourced
    }

    fn is_sourced(&self, edge: &Ext) -> bool {
        let External::FromDependencyOf(package, range, dependency, dependency_range) = edge else {
            return false;
        };
        matches!(package, ResolverPackage::Root)
            || self
                .provider
                .edge_kinds(package, range, dependency, dependency_range)
                .iter()
                .any(|kind| *kind != EdgeKind::Metadata)
    }

    /// Why `package` (in `range`) requires `dependency` in `dependency_range`, in words.
    fn sources(
        &self,
        package: &ResolverPackage,
        range: &Ranges<Version>,
        dependency: &ResolverPackage,
        dependency_range: &Ranges<Version>,
    ) -> Sources {
        let origins = self.provider.origins();
        let quoted = |origins: &[String]| -> String {
            if origins.is_empty() {
                String::new()
            } else {
                format!(" ({})", origins.join("; "))
            }
        };
        let mut sources = Sources::default();
        if !matches!(package, ResolverPackage::Root) {
            sources.requirer_origins = self.provider.root_origins(package);
        }
        for kind in self
            .provider
            .edge_kinds(package, range, dependency, dependency_range)
        {
            match kind {
                EdgeKind::Metadata => sources.metadata = true,
                EdgeKind::Requirement(requirement) => {
                    let position = self.provider.root_position(&requirement);
                    sources.position = match (sources.position, position) {
                        (Some(known), Some(new)) => Some(known.min(new)),
                        (known, new) => known.or(new),
                    };
                    for origin in origins.of_requirement(&requirement) {
                        if !sources.requirement_origins.contains(origin) {
                            sources.requirement_origins.push(origin.clone());
                        }
                    }
                    sources.requirements.push(requirement);
                }
                EdgeKind::Constraint(requirement) => {
                    let from = origins.of_constraint(&requirement);
                    sources
                        .constraints
                        .push(format!("the constraint `{requirement}`{}", quoted(from)));
                    if from.is_empty() {
                        sources
                            .constraint_origins
                            .push(format!("the constraint `{requirement}`"));
                    }
                    for origin in from {
                        sources
                            .constraint_origins
                            .push(format!("constraint from {origin}"));
                    }
                }
                EdgeKind::Override(requirement) => {
                    sources.overridden = true;
                    let from = origins.of_override(&requirement);
                    if from.is_empty() {
                        sources
                            .override_origins
                            .push(format!("the override `{requirement}`"));
                    }
                    for origin in from {
                        sources
                            .override_origins
                            .push(format!("override from {origin}"));
                    }
                }
            }
        }
        sources
    }

    /// "Because A, B." — or just "A." when B only restates A, as it does once a local-version
    /// gap is left out of "Because A and (the gap), B".
    fn because(&self, cause: &Ext, current: &Terms) -> String {
        let (cause, conclusion) = (self.format_external(cause), self.format_terms(current));
        if cause == conclusion {
            // Package names keep their case, even at the start of a sentence.
            format!("{cause}.")
        } else {
            format!("Because {cause}, {conclusion}.")
        }
    }
}

/// Whether `external` only says that no local version (`0.6.3+cu121`) of an exactly pinned
/// release exists: the gap `(V, V.post0.dev0)` an `==V` pin is widened by (see
/// `specifiers_range`). It is true of nearly every package and says nothing to a reader, so
/// the explanations leave it out.
fn is_local_gap(external: &Ext) -> bool {
    let External::NoVersions(_, range) = external else {
        return false;
    };
    let mut segments = range.iter();
    match (segments.next(), segments.next()) {
        (Some((Bound::Excluded(low), Bound::Excluded(high))), None) => {
            *high == low.clone().with_post(Some(0)).with_dev(Some(0))
        }
        _ => false,
    }
}
