//! Installed Python environments as data: what is installed, what is broken, and why each
//! distribution is there.
//!
//! This crate answers the questions users ask `pip check` and `pipdeptree --reverse` today,
//! without starting Python more than once (and not at all with `--site-packages`):
//!
//! * **Scan** ([`scan_site_packages`]): every `*.dist-info` and legacy `*.egg-info` of one or
//!   more site-packages directories, read in parallel, into [`Distribution`] records. Broken
//!   and duplicate entries are kept as data ([`BrokenDistribution`], [`Duplicate`]), never a
//!   crash. [`Environment::open`] finds the directories: `--site-packages`, or an interpreter
//!   found by [`find_interpreter`] (`--python`, `--venv`, `VIRTUAL_ENV`, `./.venv`, `python3`)
//!   and asked once for its paths and PEP 508 marker environment ([`Interpreter::query`]),
//!   an answer [`Environment::open_with_cache`] keeps until the interpreter or venv changes.
//! * **Graph** ([`Graph`]): each distribution's requirements evaluated against the markers,
//!   with extras followed to a fixed point ([`Extras::Follow`]) or, as pip does, not at all
//!   ([`Extras::Ignore`]).
//! * **Check** ([`check()`]): missing requirements and version conflicts in `pip check`'s exact
//!   words, plus duplicate installs and unreadable metadata, as [`Finding`]s.
//! * **Tree** ([`tree()`]): the forward or inverted tree with the specifier each parent demands
//!   on every edge, filtered by package, exclusion and depth, cycle-safe; rendered by the pure
//!   functions in [`render`] as text, JSON, Graphviz dot or Mermaid.
//! * **Why** ([`why()`]): every path from a top-level distribution to a package, and the
//!   binding constraints that hold its version.
//!
//! * **Locks** ([`Environment::from_lock`]): the same records from a lock's pins
//!   ([`Distribution::locked`], requirements from the index's metadata, read by
//!   `strata_lock::pinned_metadata`), so `check`, `tree` and `why` work on an environment before
//!   it is installed. Findings then speak of pins ([`Finding::describe`]), trees of `locked`
//!   versions, and `why` knows the versions the index offers ([`WhyOptions::available`]) and the
//!   profile's own lines ([`WhyOptions::top_level`]).
//!
//! # What it does not do
//!
//! No network and no async runtime: the lock mode's index reads happen in the caller, which
//! hands over plain records. It does not check wheel tags against the platform (newer pip
//! does) and does not look at `.pth` files, `.egg-link` development installs or `sys.path`
//! entries beyond `purelib` and `platlib`.
//!
//! # Example
//!
//! ```
//! use std::str::FromStr;
//!
//! use pep508_rs::PackageName;
//! use strata_env::{Environment, Extras, TreeOptions, check, render, scan_site_packages, tree};
//!
//! let site = tempfile::tempdir()?;
//! let write = |name: &str, metadata: &str| -> std::io::Result<()> {
//!     let dist_info = site.path().join(format!("{name}.dist-info"));
//!     fs_err::create_dir_all(&dist_info)?;
//!     fs_err::write(dist_info.join("METADATA"), metadata)
//! };
//! write("numpy-2.1.1", "Metadata-Version: 2.1\nName: numpy\nVersion: 2.1.1\n")?;
//! write(
//!     "accelerate-0.33.0",
//!     "Metadata-Version: 2.1\nName: accelerate\nVersion: 0.33.0\nRequires-Dist: numpy<2.0.0,>=1.17\n",
//! )?;
//!
//! let scan = scan_site_packages(&[site.path().to_path_buf()])?;
//! let markers = strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28")?.markers();
//! let environment = Environment::from_scan(scan, markers, Extras::Follow);
//!
//! let findings = check(&environment);
//! assert_eq!(
//!     findings[0].to_string(),
//!     "accelerate 0.33.0 has requirement numpy<2.0.0,>=1.17, but you have numpy 2.1.1."
//! );
//!
//! let options = TreeOptions {
//!     invert: true,
//!     packages: vec![PackageName::from_str("numpy")?],
//!     ..TreeOptions::default()
//! };
//! assert_eq!(
//!     render::text(&tree(&environment.graph, &options)),
//!     "numpy==2.1.1\n└── accelerate==0.33.0 [requires: numpy>=1.17,<2.0.0] (violated)\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub use check::{Finding, check};
pub use distribution::{
    DeclaredRequirement, Distribution, Installed, Locked, MetadataLayout, Origin,
};
pub use environment::{Environment, EnvironmentSource, UncheckedPin};
pub use error::{Error, ErrorKind};
pub use graph::{Edge, Extras, Graph};
pub use interpreter::{
    Interpreter, InterpreterRequest, InterpreterSource, find_interpreter, host_markers, host_target,
};
pub use pip::PipSources;
pub use scan::{
    BrokenDistribution, Duplicate, Location, Scan, scan_site_packages,
    scan_site_packages_sequential,
};
pub use sync::{Pin, SyncError, SyncPlan, SyncReport, plan as sync_plan, sync};
pub use tree::{Tree, TreeEdge, TreeNode, TreeOptions, render, tree};
pub use why::{Constraint, PathStep, Why, WhyOptions, render_text as render_why, why};

mod check;
mod distribution;
mod environment;
mod error;
mod graph;
mod interpreter;
mod pip;
mod pip_format;
mod scan;
mod sync;
mod tree;
mod why;
