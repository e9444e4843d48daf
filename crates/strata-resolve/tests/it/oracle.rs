//! Random small universes checked against a brute-force oracle.
//!
//! Each case is a universe of 3-5 packages with 1-4 releases each, every release depending on
//! other packages with random `>=`, `<` or `==` specifiers, served by its own loopback index.
//! The oracle enumerates every assignment (each package absent or at one of its versions), so
//! it knows whether a solution exists; the resolver must agree, its solution must satisfy every
//! requirement, hold nothing that nothing requires, and come out the same twice.

use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use proptest::prelude::*;
use strata_resolve::{Resolution, ResolveError};
use strata_testindex::Package;

use crate::scenario::{Scenario, explanation, pins};

#[derive(Debug, Clone, Copy)]
enum Op {
    AtLeast,
    Below,
    Exactly,
}

/// A requirement on package `to` with one specifier.
#[derive(Debug, Clone)]
struct Dep {
    to: usize,
    op: Op,
    version: u8,
}

impl Dep {
    fn specifiers(&self) -> VersionSpecifiers {
        let op = match self.op {
            Op::AtLeast => ">=",
            Op::Below => "<",
            Op::Exactly => "==",
        };
        VersionSpecifiers::from_str(&format!("{op}{}.0", self.version))
            .expect("generated specifiers are valid")
    }

    fn allows(&self, version: u8) -> bool {
        self.specifiers().contains(&release_version(version))
    }
}

impl fmt::Display for Dep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", name(self.to), self.specifiers())
    }
}

/// Releases per package: `(version, dependencies)`.
#[derive(Debug, Clone)]
struct World {
    packages: Vec<Vec<(u8, Vec<Dep>)>>,
    root: Vec<Dep>,
}

fn name(index: usize) -> String {
    format!("p{index}")
}

fn release_version(version: u8) -> Version {
    Version::from_str(&format!("{version}.0")).expect("generated versions are valid")
}

fn dep(packages: usize) -> impl Strategy<Value = Dep> {
    (
        0..packages,
        prop_oneof![2 => Just(Op::AtLeast), 1 => Just(Op::Below), 1 => Just(Op::Exactly)],
        1..=4u8,
    )
        .prop_map(|(to, op, version)| Dep { to, op, version })
}

fn world() -> impl Strategy<Value = World> {
    (3..=5usize).prop_flat_map(|packages| {
        let package = (1..=4u8).prop_flat_map(move |count| {
            proptest::collection::vec(proptest::collection::vec(dep(packages), 0..=2), 1..=4)
                .prop_map(move |deps| {
                    // Releases 1.0..=count.0; drop extra dependency lists.
                    deps.into_iter()
                        .zip(1..=count)
                        .map(|(deps, version)| (version, deps))
                        .collect::<Vec<_>>()
                })
        });
        (
            proptest::collection::vec(package, packages),
            proptest::collection::vec(dep(packages), 0..=1),
        )
            .prop_map(|(mut packages, mut root)| {
                // Always something to resolve: any version of the first package.
                root.insert(
                    0,
                    Dep {
                        to: 0,
                        op: Op::AtLeast,
                        version: 1,
                    },
                );
                // A package does not depend on itself.
                for (index, releases) in packages.iter_mut().enumerate() {
                    for (_, deps) in releases.iter_mut() {
                        deps.retain(|dep| dep.to != index);
                    }
                }
                World { packages, root }
            })
    })
}

impl World {
    fn scenario(&self) -> Scenario {
        let mut scenario = Scenario::new(&format!("oracle: {self:?}"));
        for (index, releases) in self.packages.iter().enumerate() {
            for (version, deps) in releases {
                let mut package = Package::new(name(index), format!("{version}.0"));
                for dep in deps {
                    package = package.requires(dep.to_string());
                }
                scenario = scenario.package(package);
            }
        }
        for dep in &self.root {
            scenario = scenario.require(&dep.to_string());
        }
        scenario
    }

    fn deps_of(&self, package: usize, version: u8) -> &[Dep] {
        self.packages[package]
            .iter()
            .find(|(candidate, _)| *candidate == version)
            .map_or(&[], |(_, deps)| deps.as_slice())
    }

    /// Whether `assignment` (a version or absence per package) satisfies every requirement of
    /// the root and of every present package.
    fn satisfied_by(&self, assignment: &[Option<u8>]) -> bool {
        let holds = |dep: &Dep| assignment[dep.to].is_some_and(|version| dep.allows(version));
        self.root.iter().all(holds)
            && assignment.iter().enumerate().all(|(package, version)| {
                version.is_none_or(|version| self.deps_of(package, version).iter().all(holds))
            })
    }

    /// Brute force: some assignment satisfies everything.
    fn solvable(&self) -> bool {
        let mut assignment = vec![None; self.packages.len()];
        self.search(0, &mut assignment)
    }

    fn search(&self, package: usize, assignment: &mut Vec<Option<u8>>) -> bool {
        if package == self.packages.len() {
            return self.satisfied_by(assignment);
        }
        let choices: Vec<Option<u8>> = std::iter::once(None)
            .chain(
                self.packages[package]
                    .iter()
                    .map(|(version, _)| Some(*version)),
            )
            .collect();
        for choice in choices {
            assignment[package] = choice;
            if self.search(package + 1, assignment) {
                return true;
            }
        }
        assignment[package] = None;
        false
    }

    /// The resolver's pins as an assignment.
    fn assignment(&self, resolution: &Resolution) -> Vec<Option<u8>> {
        let mut assignment = vec![None; self.packages.len()];
        for package in resolution.packages.values() {
            let index: usize = package
                .name
                .as_ref()
                .strip_prefix('p')
                .and_then(|index| index.parse().ok())
                .expect("only generated packages are pinned");
            let version = self.packages[index]
                .iter()
                .map(|(version, _)| *version)
                .find(|version| release_version(*version) == package.version)
                .expect("only published versions are pinned");
            assignment[index] = Some(version);
        }
        assignment
    }

    /// Every pinned package is required by the root or by another pinned package.
    fn all_required(&self, assignment: &[Option<u8>]) -> bool {
        assignment
            .iter()
            .enumerate()
            .filter(|(_, version)| version.is_some())
            .all(|(package, _)| {
                self.root.iter().any(|dep| dep.to == package)
                    || assignment.iter().enumerate().any(|(other, version)| {
                        version.is_some_and(|version| {
                            self.deps_of(other, version)
                                .iter()
                                .any(|dep| dep.to == package)
                        })
                    })
            })
    }
}

/// What a solve produced, comparable across runs.
fn outcome(result: &Result<Resolution, ResolveError>) -> Result<Vec<String>, String> {
    match result {
        Ok(resolution) => Ok(pins(resolution)),
        Err(error) => Err(explanation(error)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn resolver_agrees_with_the_brute_force_oracle(world in world()) {
        let scenario = world.scenario();
        let index = scenario.start_index();
        let first = scenario.run_on(&index);
        let second = scenario.run_on(&index);
        prop_assert_eq!(outcome(&first), outcome(&second), "same input, same output");
        match first {
            Ok(resolution) => {
                let assignment = world.assignment(&resolution);
                prop_assert!(world.satisfied_by(&assignment), "the solution breaks a requirement: {:?}", assignment);
                prop_assert!(world.all_required(&assignment), "the solution holds an unrequired package: {:?}", assignment);
            }
            Err(error) => {
                prop_assert!(error.is_no_solution(), "not a no-solution error: {}", error);
                prop_assert!(!world.solvable(), "the oracle found a solution, the resolver said:\n{}", explanation(&error));
            }
        }
    }
}

#[test]
fn oracle_finds_a_solution_only_when_one_exists() {
    // The oracle itself, on a universe small enough to reason about by hand.
    let dep = |to, op, version| Dep { to, op, version };
    let solvable = World {
        packages: vec![
            vec![
                (1, vec![dep(1, Op::Below, 2)]),
                (2, vec![dep(1, Op::AtLeast, 2)]),
            ],
            vec![(1, vec![]), (2, vec![])],
        ],
        root: vec![dep(0, Op::Exactly, 2), dep(1, Op::AtLeast, 1)],
    };
    assert!(solvable.solvable());
    assert!(solvable.satisfied_by(&[Some(2), Some(2)]));
    assert!(!solvable.satisfied_by(&[Some(2), Some(1)]));
    let unsolvable = World {
        root: vec![dep(0, Op::Exactly, 2), dep(1, Op::Below, 2)],
        ..solvable
    };
    assert!(!unsolvable.solvable());
}
