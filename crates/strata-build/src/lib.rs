//! A PEP 517 build frontend: strata's own, for the metadata of sdists without static metadata
//! (while resolving) and for `strata build` (a project's sdist and wheel).
//!
//! PEP 517 splits building into a *frontend* (here) and a *backend* named by the source tree's
//! `pyproject.toml`: `[build-system]` lists the `requires` to install first (PEP 518) and the
//! `build-backend` object to import (`module` or `module:object.attribute`), optionally from
//! `backend-path` directories inside the source tree (an in-tree backend, which must then be
//! loaded from there). A tree without `pyproject.toml`, or without `[build-system]`, is a
//! setuptools project, built as pip builds it ([`BuildSystem`]). The hooks run with the source
//! tree as the working directory, each in a fresh interpreter through a short standard-library
//! driver script: `get_requires_for_build_*` (optional) names more requirements,
//! `prepare_metadata_for_build_wheel` (optional) writes a `*.dist-info` directory, `build_sdist`
//! and `build_wheel` write the distributions.
//!
//! The frontend is deliberately small. An isolated virtual environment is made with the
//! machine's `python -m venv` ([`BuildVenv`]); pip installs into it from exactly the sources the
//! caller gives ([`PipSources`]: pip's configuration file is not read, and pip's and Python's
//! path variables are removed), either resolving requirements itself (a metadata build) or a
//! hashed lock as it is (`strata build`). Every subprocess runs through a [`Session`]: its
//! output goes to one log (and to the terminal when the session echoes), each step has a time
//! limit, and a failure becomes an [`Error`] with the log's last lines, the backend's own words.
//!
//! Not done: build isolation beyond a fresh venv (no sandbox, no network cut-off) and
//! `config_settings`.
//!
//! See: <https://peps.python.org/pep-0517/>, <https://peps.python.org/pep-0518/>,
//! <https://pip.pypa.io/en/stable/reference/build-system/pyproject-toml/>

mod archive;
pub mod check;
mod driver;
mod error;
mod frontend;
mod metadata;
mod session;
mod system;
mod venv;

pub use error::{Error, ErrorKind};
pub use frontend::{Built, Distributions, Environments, ProjectBuild, build_project};
pub use metadata::{BuildEnvironment, build_metadata, build_metadata_of_tree};
pub use session::{STEP_TIMEOUT, Session, SessionOptions};
/// Where pip takes a build environment's requirements from: exactly what strata resolved
/// against, since pip's configuration is not read (see [`Session::run`]).
pub use strata_env::PipSources;
pub use system::BuildSystem;
pub use venv::BuildVenv;
