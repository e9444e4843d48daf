//! A builder for resolution scenarios on the loopback index.
//!
//! A scenario declares a universe, the request and what must come out:
//!
//! ```ignore
//! Scenario::new("older a avoids the conflict")
//!     .package(Package::new("a", "2.0").requires("b==1.0"))
//!     .require("a")
//!     .expect_pins(&["a==1.0", "b==2.0"]);
//! ```
//!
//! Every failure message starts with the scenario's name. In requirement strings, `{base}` is
//! replaced by the index's root URL (`http://127.0.0.1:PORT`), for direct URL requirements.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};
use strata_diagnostic::Diagnostic as _;
use strata_dist::Target;
use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexUrl};
use strata_resolve::{
    BinaryPolicy, PrereleaseMode, Resolution, ResolveError, ResolveRequest, Resolver, Upgrade,
};
use strata_testindex::{Package, TestIndex, Universe};

/// The target every scenario uses unless it names another.
pub(crate) const PYTHON: &str = "3.11";
pub(crate) const PLATFORM: &str = "x86_64-manylinux_2_28";

#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    name: String,
    universe: Universe,
    requirements: Vec<String>,
    constraints: Vec<String>,
    overrides: Vec<String>,
    preferences: Vec<(String, String)>,
    upgrade: Upgrade,
    prerelease: PrereleaseMode,
    binary: BinaryPolicy,
    python: String,
    platform: String,
    /// `(requirement, origin)` of requirements and constraints added with an origin.
    requirement_origins: Vec<(String, String)>,
    constraint_origins: Vec<(String, String)>,
    override_origins: Vec<(String, String)>,
}

impl Scenario {
    pub(crate) fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            universe: Universe::new(),
            requirements: Vec::new(),
            constraints: Vec::new(),
            overrides: Vec::new(),
            preferences: Vec::new(),
            upgrade: Upgrade::None,
            prerelease: PrereleaseMode::default(),
            binary: BinaryPolicy::default(),
            python: PYTHON.to_string(),
            platform: PLATFORM.to_string(),
            requirement_origins: Vec::new(),
            constraint_origins: Vec::new(),
            override_origins: Vec::new(),
        }
    }

    pub(crate) fn package(mut self, package: Package) -> Self {
        self.universe = self.universe.package(package);
        self
    }

    pub(crate) fn require(mut self, requirement: &str) -> Self {
        self.requirements.push(requirement.to_string());
        self
    }

    /// A requirement written at `origin` (`requirements.in:3`), for explanations.
    pub(crate) fn require_from(mut self, requirement: &str, origin: &str) -> Self {
        self.requirement_origins
            .push((requirement.to_string(), origin.to_string()));
        self.require(requirement)
    }

    /// A constraint that comes from `origin`, for explanations.
    pub(crate) fn constrain_from(mut self, requirement: &str, origin: &str) -> Self {
        self.constraint_origins
            .push((requirement.to_string(), origin.to_string()));
        self.constrain(requirement)
    }

    /// An override written at `origin`, for explanations.
    pub(crate) fn override_from(mut self, requirement: &str, origin: &str) -> Self {
        self.override_origins
            .push((requirement.to_string(), origin.to_string()));
        self.override_with(requirement)
    }

    pub(crate) fn constrain(mut self, requirement: &str) -> Self {
        self.constraints.push(requirement.to_string());
        self
    }

    pub(crate) fn override_with(mut self, requirement: &str) -> Self {
        self.overrides.push(requirement.to_string());
        self
    }

    pub(crate) fn prefer(mut self, name: &str, version: &str) -> Self {
        self.preferences
            .push((name.to_string(), version.to_string()));
        self
    }

    pub(crate) fn upgrade(mut self, upgrade: Upgrade) -> Self {
        self.upgrade = upgrade;
        self
    }

    pub(crate) fn upgrade_package(self, name: &str) -> Self {
        self.upgrade(Upgrade::Packages(HashSet::from([package_name(name)])))
    }

    pub(crate) fn prerelease(mut self, mode: PrereleaseMode) -> Self {
        self.prerelease = mode;
        self
    }

    pub(crate) fn only_binary(mut self, name: &str) -> Self {
        if name == ":all:" {
            self.binary.only_binary_all = true;
        } else {
            self.binary.only_binary.insert(package_name(name));
        }
        self
    }

    pub(crate) fn no_binary(mut self, name: &str) -> Self {
        if name == ":all:" {
            self.binary.no_binary_all = true;
        } else {
            self.binary.no_binary.insert(package_name(name));
        }
        self
    }

    pub(crate) fn python(mut self, version: &str) -> Self {
        self.python = version.to_string();
        self
    }

    pub(crate) fn platform(mut self, platform: &str) -> Self {
        self.platform = platform.to_string();
        self
    }

    /// Serves the universe on a fresh index.
    pub(crate) fn start_index(&self) -> TestIndex {
        TestIndex::start(self.universe.clone())
    }

    /// Serves the universe on a fresh index and resolves once.
    pub(crate) fn run(&self) -> Result<Resolution, ResolveError> {
        self.run_on(&self.start_index())
    }

    /// Resolves against an index that is already running (to resolve twice on one index).
    pub(crate) fn run_on(&self, index: &TestIndex) -> Result<Resolution, ResolveError> {
        let cache = tempfile::tempdir().expect("a temporary directory can be created");
        let url = IndexUrl::parse(&index.url()).expect("the test index URL parses");
        let mut options = ClientOptions::new(cache.path().to_path_buf());
        options.attempts = 1;
        let client = IndexClient::new(IndexConfig::new(url), options)
            .unwrap_or_else(|error| panic!("{}: building the client: {error}", self.name));
        let resolver = Resolver::new(client)
            .unwrap_or_else(|error| panic!("{}: building the resolver: {error}", self.name));
        let base = index.base_url();
        let parse = |text: &String| -> Requirement {
            let text = text.replace("{base}", &base);
            Requirement::from_str(&text)
                .unwrap_or_else(|error| panic!("{}: bad requirement `{text}`: {error}", self.name))
        };
        let target = Target::parse(&self.python, &self.platform)
            .unwrap_or_else(|error| panic!("{}: bad target: {error}", self.name));
        let mut request =
            ResolveRequest::new(target, self.requirements.iter().map(parse).collect());
        request.constraints = self.constraints.iter().map(parse).collect();
        request.overrides = self.overrides.iter().map(parse).collect();
        request.preferences = self
            .preferences
            .iter()
            .map(|(name, version)| {
                (
                    package_name(name),
                    Version::from_str(version).expect("preference versions are valid"),
                )
            })
            .collect::<HashMap<_, _>>();
        request.upgrade = self.upgrade.clone();
        request.prerelease = self.prerelease;
        request.binary = self.binary.clone();
        for (requirement, origin) in &self.requirement_origins {
            request
                .origins
                .requirement(&parse(requirement), origin.as_str());
        }
        for (requirement, origin) in &self.constraint_origins {
            request
                .origins
                .constraint(&parse(requirement), origin.as_str());
        }
        for (requirement, origin) in &self.override_origins {
            request
                .origins
                .override_(&parse(requirement), origin.as_str());
        }
        resolver.resolve(&request)
    }

    /// Resolves and checks the pins (`name==version`, any order); returns the resolution.
    pub(crate) fn expect_pins(self, expected: &[&str]) -> Resolution {
        match self.run() {
            Ok(resolution) => {
                let mut expected: Vec<String> = expected.iter().map(ToString::to_string).collect();
                expected.sort();
                assert_eq!(
                    pins(&resolution),
                    expected,
                    "{}: unexpected pins",
                    self.name
                );
                resolution
            }
            Err(error) => panic!(
                "{}: expected pins {expected:?}, got an error:\n{error}",
                self.name
            ),
        }
    }

    /// Resolves, checks there is no solution, and returns the explanation and hints as text
    /// for a snapshot.
    pub(crate) fn expect_no_solution(self) -> String {
        match self.run() {
            Ok(resolution) => panic!(
                "{}: expected no solution, got {:?}",
                self.name,
                pins(&resolution)
            ),
            Err(error) => {
                assert!(
                    error.is_no_solution(),
                    "{}: expected no solution, got another error: {error}",
                    self.name
                );
                explanation(&error)
            }
        }
    }
}

/// `name==version` of every pinned package, sorted.
pub(crate) fn pins(resolution: &Resolution) -> Vec<String> {
    resolution
        .packages
        .values()
        .map(|package| format!("{}=={}", package.name, package.version))
        .collect()
}

/// An error as the user sees it: the message, then the hints.
pub(crate) fn explanation(error: &ResolveError) -> String {
    let mut text = error.to_string();
    let hints = error.hints();
    if !hints.is_empty() {
        text.push_str("\n\nhints:");
        for hint in hints {
            text.push_str("\n- ");
            text.push_str(&hint);
        }
    }
    text
}

pub(crate) fn package_name(name: &str) -> PackageName {
    PackageName::from_str(name).expect("test package names are valid")
}
