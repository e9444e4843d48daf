//! An environment ready to inspect: its distributions as a [`Graph`], plus what the scan could
//! not fit into one (duplicates, broken entries).

use std::path::{Path, PathBuf};

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, PackageName};

use crate::distribution::Distribution;
use crate::error::Error;
use crate::graph::{Extras, Graph};
use crate::interpreter::{Interpreter, InterpreterRequest, find_interpreter, host_markers};
use crate::scan::{BrokenDistribution, Duplicate, Scan, scan_site_packages};

/// Which installed environment to open.
#[derive(Debug, Clone)]
pub enum EnvironmentSource {
    /// `--site-packages DIR`: read it directly; markers are the host's (no Python runs).
    SitePackages(PathBuf),
    /// Discover an interpreter (see [`find_interpreter`]) and ask it once for its
    /// site-packages and markers.
    Interpreter(InterpreterRequest),
}

/// A pin of a lock whose requirements the index could not give, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedPin {
    /// The pinned distribution.
    pub name: PackageName,
    /// Its pinned version.
    pub version: Version,
    /// The line of the lock it is on, when known.
    pub line: Option<usize>,
    /// Why (the version is not on the index, no file has the lock's hashes, ...).
    pub reason: String,
}

/// A scanned environment.
///
/// Built from an installed environment with [`Environment::open`] or [`Environment::from_scan`],
/// or from a lock's pins with [`Environment::from_lock`]: the same
/// [`Distribution`] records either way.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The dependency graph.
    pub graph: Graph,
    /// Distributions installed more than once.
    pub duplicates: Vec<Duplicate>,
    /// Entries whose metadata could not be read.
    pub broken: Vec<BrokenDistribution>,
    /// The directories scanned.
    pub site_packages: Vec<PathBuf>,
    /// The interpreter asked, if any.
    pub python: Option<PathBuf>,
    /// The lock the distributions are pins of, in lock mode.
    pub lock: Option<PathBuf>,
    /// Pins of a lock whose requirements the index could not give.
    pub unchecked: Vec<UncheckedPin>,
    /// The marker environment requirements were evaluated in.
    pub markers: MarkerEnvironment,
}

impl Environment {
    /// Finds, scans and builds the graph of an installed environment.
    pub fn open(source: &EnvironmentSource, extras: Extras) -> Result<Self, Error> {
        Self::open_with_cache(source, extras, None)
    }

    /// Like [`Environment::open`], keeping the interpreter's answer in `cache_directory` (see
    /// [`Interpreter::query_cached`]) so that later runs start no Python at all.
    pub fn open_with_cache(
        source: &EnvironmentSource,
        extras: Extras,
        cache_directory: Option<&Path>,
    ) -> Result<Self, Error> {
        let (site_packages, markers, python) = match source {
            EnvironmentSource::SitePackages(directory) => {
                (vec![directory.clone()], host_markers(directory)?, None)
            }
            EnvironmentSource::Interpreter(request) => {
                let (python, _) = find_interpreter(request)?;
                let interpreter = Interpreter::query_cached(&python, cache_directory)?;
                (
                    interpreter.site_packages,
                    interpreter.markers,
                    Some(interpreter.executable),
                )
            }
        };
        let scan = scan_site_packages(&site_packages)?;
        let mut environment = Self::from_scan(scan, markers, extras);
        environment.site_packages = site_packages;
        environment.python = python;
        Ok(environment)
    }

    /// Builds the graph of an already scanned environment.
    pub fn from_scan(scan: Scan, markers: MarkerEnvironment, extras: Extras) -> Self {
        Self {
            graph: Graph::new(scan.distributions, &markers, extras),
            duplicates: scan.duplicates,
            broken: scan.broken,
            site_packages: Vec::new(),
            python: None,
            lock: None,
            unchecked: Vec::new(),
            markers,
        }
    }

    /// The environment a lock describes: its pins as `distributions` (see
    /// [`Distribution::locked`]), evaluated for the lock's target `markers`; `unchecked` names
    /// the pins whose requirements are unknown (they are reported by [`check`](crate::check())).
    pub fn from_lock(
        lock: PathBuf,
        distributions: Vec<Distribution>,
        unchecked: Vec<UncheckedPin>,
        markers: MarkerEnvironment,
        extras: Extras,
    ) -> Self {
        let scan = Scan {
            distributions,
            duplicates: Vec::new(),
            broken: Vec::new(),
        };
        let mut environment = Self::from_scan(scan, markers, extras);
        environment.lock = Some(lock);
        environment.unchecked = unchecked;
        environment
    }
}
