//! The strata project model: profiles, engines and where their requirements come from.
//!
//! A project declares, in `[tool.strata]` of `pyproject.toml` or in `strata.toml`:
//!
//! * **profiles**: named sets of requirements for one target, drawn from inline PEP 508
//!   strings, pip-tools `.in` files (with `-r`/`-c` includes), `[project]` dependencies, extras
//!   and PEP 735 dependency groups; `extends` makes a profile contain its parents;
//! * **engines**: profiles isolated from each other, whose version comes from a version file
//!   (the single source of truth), with an image strategy and a GPU flag.
//!
//! [`Project::discover`] finds and validates the manifest; the result is plain data that the
//! resolver, the lock writer, the image and CI planners read. This crate reads files but never
//! touches the network and never resolves anything: versions of dependencies are the resolver's
//! business.
//!
//! Every invalid input is an [`Error`] naming the file and line, with a [`Snippet`] of the
//! offending text and hints that say what to do (its [`Diagnostic`](strata_diagnostic::Diagnostic) impl). That includes every requirement
//! form strata cannot lock ([`Unsupported`]: local wheels by path, non-git VCS URLs...): nothing a source
//! declares is left out of a lock without a word. A dependency group that requires the project
//! itself (`myproj[extra]`) is expanded from `pyproject.toml`, as a self-referencing extra is.
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! # std::fs::write(dir.path().join("strata.toml"), r#"
//! python-version = "3.11"
//! [profiles.base]
//! requirements = ["numpy>=1.26"]
//! [profiles.backend]
//! extends = ["base"]
//! requirements = ["fastapi"]
//! # "#).unwrap();
//! use strata_project::Project;
//!
//! let project = Project::discover(dir.path(), &|_| None).unwrap();
//! let backend = project.profile("backend").unwrap();
//! let names: Vec<String> = project
//!     .effective_requirements(&backend.name)
//!     .iter()
//!     .map(|effective| effective.requirement.requirement.name.to_string())
//!     .collect();
//! assert_eq!(names, ["numpy", "fastapi"]);
//! ```
#![warn(missing_docs)]

pub use error::{Error, ErrorKind, LocalDirectoryProblem, Snippet, Unsupported};
pub use image_packages::{ImagePackage, ImagePackages, ImagePackagesError, capture_file};
pub use local_directory::{display_requirement, written_requirement};
pub use manifest::{EnvLookup, find_manifest, manifest_keys};
pub use metadata_files::metadata_files;
pub use model::{
    BaseImage, CellSpec, CiSettings, ContractSettings, EffectiveRequirement, Engine, ImageSettings,
    ImageSpec, IndexSettings, IndexUnavailable, MissingTarget, NamedIndex, Origin, PackageSource,
    PipOptions, Profile, ProfileName, Project, SourcedRequirement, TargetSpec, UnavailableIndex,
};
pub use requirements_in::{
    FileOption, RequirementsFile, read_constraints_file, read_requirements_file,
};
pub use version_source::VersionSource;

mod error;
mod graph;
mod image_packages;
mod local_directory;
mod manifest;
mod metadata_files;
mod model;
pub mod project_version;
mod requirements_in;
mod suggest;
mod text_file;
pub mod version_source;
