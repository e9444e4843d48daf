//! Building a project's sdist and wheel, as `python -m build` does: by default the sdist from
//! the source tree, then the wheel from the unpacked sdist (which proves the sdist is complete);
//! with only one of them asked for, that one from the source tree.
//!
//! The caller decides what the backend runs in ([`Environments`]): given the requirements
//! known so far (`[build-system].requires`, then with what `get_requires_for_build_*` adds), it
//! returns an interpreter that has them. Both distributions are checked ([`crate::check`]) in a
//! staging directory next to the output directory, and only when every step succeeded are they
//! renamed into it: a failing build leaves nothing partial there.

use std::path::{Path, PathBuf};

use strata_dist::SourceDistExtension;

use crate::archive;
use crate::check::{self, Checked, Expected};
use crate::driver::{self, Hook};
use crate::error::{Error, ErrorKind, io_error};
use crate::session::Session;
use crate::system::BuildSystem;

/// Where the backend runs: the caller's build environments.
pub trait Environments {
    /// An interpreter with `requires` (`[build-system].requires`) and `added` (what a
    /// `get_requires_for_build_*` hook asked for besides) installed, whose steps are logged in
    /// `session`. Called again with the same lists for the wheel after the sdist: answering
    /// from a cache is the implementation's business.
    ///
    /// # Errors
    ///
    /// When the requirements cannot be locked or installed; the caller's own error goes in
    /// [`ErrorKind::Environment`].
    fn interpreter(
        &mut self,
        session: &mut Session,
        requires: &[String],
        added: &[String],
    ) -> Result<PathBuf, Error>;
}

/// Which distributions to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distributions {
    /// The sdist, then the wheel from it.
    Both,
    /// The sdist alone.
    Sdist,
    /// The wheel alone, from the source tree.
    Wheel,
}

/// A project build's inputs.
#[derive(Debug, Clone)]
pub struct ProjectBuild {
    /// The source tree (holding `pyproject.toml`).
    pub source: PathBuf,
    /// What to build.
    pub distributions: Distributions,
    /// The machine's Python, used to unpack archives without a linked decoder.
    pub python: PathBuf,
    /// A directory the caller owns and removes, for the unpacked sdist and the hooks' answers.
    pub work_dir: PathBuf,
    /// Where the distributions go (`dist/`); created when needed.
    pub out_dir: PathBuf,
}

/// What a build wrote into the output directory.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The sdist, when built.
    pub sdist: Option<Checked>,
    /// The wheel, when built.
    pub wheel: Option<Checked>,
}

/// Builds `build`'s distributions (see the module documentation). Blocking: runs the backend.
///
/// # Errors
///
/// When a step fails (the error carries the backend's last lines), a distribution fails its
/// checks, or the output directory cannot be written. Nothing is written into the output
/// directory then.
pub fn build_project(
    build: &ProjectBuild,
    session: &mut Session,
    environments: &mut dyn Environments,
) -> Result<Built, Error> {
    let expected = Expected::of_source_tree(&build.source);
    // Staged beside the output directory, so the final move is a rename on one filesystem.
    let parent = build
        .out_dir
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    let staging = tempfile::Builder::new()
        .prefix(".strata-build-")
        .tempdir_in(parent)
        .map_err(|source| io_error(parent, source))?;

    let mut built = Built::default();
    let mut staged: Vec<PathBuf> = Vec::new();
    let wheel_source = match build.distributions {
        Distributions::Wheel => Some(build.source.clone()),
        Distributions::Sdist | Distributions::Both => {
            let path = run_hook_for(
                session,
                environments,
                &build.work_dir,
                &build.source,
                (Hook::RequiresForSdist, Hook::BuildSdist),
                &staging.path().join("sdist"),
            )?;
            let checked = check::sdist(&path, &expected)?;
            let source = if build.distributions == Distributions::Both {
                Some(archive::unpack(
                    session,
                    &build.python,
                    &path,
                    SourceDistExtension::TarGz,
                    &build.work_dir.join("sdist-source"),
                )?)
            } else {
                None
            };
            staged.push(path);
            built.sdist = Some(checked);
            source
        }
    };
    if let Some(source) = wheel_source {
        let path = run_hook_for(
            session,
            environments,
            &build.work_dir,
            &source,
            (Hook::RequiresForWheel, Hook::BuildWheel),
            &staging.path().join("wheel"),
        )?;
        // A wheel built from the sdist must be of the sdist's project and version, whatever
        // `pyproject.toml` leaves dynamic.
        let expected = match &built.sdist {
            Some(sdist) => Expected {
                name: Some(sdist.name.clone()),
                version: Some(sdist.version.clone()),
            },
            None => expected.clone(),
        };
        built.wheel = Some(check::wheel(&path, &expected)?);
        staged.push(path);
    }

    fs_err::create_dir_all(&build.out_dir).map_err(|source| io_error(&build.out_dir, source))?;
    for path in staged {
        let target = build.out_dir.join(path.file_name().unwrap_or_default());
        fs_err::rename(&path, &target).map_err(|source| io_error(&target, source))?;
    }
    Ok(built)
}

/// Installs `source`'s build requirements, asks the backend for more with `hooks.0`, installs
/// those, then builds with `hooks.1` into `out_dir`; returns the path of what it wrote.
fn run_hook_for(
    session: &mut Session,
    environments: &mut dyn Environments,
    work_dir: &Path,
    source: &Path,
    hooks: (Hook, Hook),
    out_dir: &Path,
) -> Result<PathBuf, Error> {
    let system = BuildSystem::read(source)?;
    let python = environments.interpreter(session, &system.requires, &[])?;
    let asked: Vec<String> = driver::call(
        session, &python, work_dir, &system, source, hooks.0, out_dir,
    )?;
    let added: Vec<String> = asked
        .into_iter()
        .filter(|requirement| !system.requires.contains(requirement))
        .collect();
    let python = if added.is_empty() {
        python
    } else {
        environments.interpreter(session, &system.requires, &added)?
    };
    let filename: String = driver::call(
        session, &python, work_dir, &system, source, hooks.1, out_dir,
    )?;
    let path = out_dir.join(&filename);
    if filename.contains(['/', '\\']) || !path.is_file() {
        return Err(ErrorKind::Artifact {
            artifact: filename,
            problem: format!(
                "the backend's `{}` hook named no file it wrote",
                hooks.1.name()
            ),
        }
        .into());
    }
    Ok(path)
}
