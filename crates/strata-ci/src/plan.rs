//! Which cells a change triggers, and why.
//!
//! A changed file triggers an engine's cells by one of three rules, tried in this order:
//!
//! 1. **Content.** A file the model reads for the engine (the manifest, a requirements file its
//!    requirements or constraints come from, its version file) triggers it only if what the file
//!    says about the engine ([`crate::file_inputs`]) differs between the base and the head: a
//!    comment edit triggers nothing, nor does a change to `base.in` that an engine does not see.
//!    Without a base to compare with, such a file counts as a change (never a silent skip).
//! 2. **Lock and build files.** The engine's lock, the locks of the profiles it extends, and its
//!    image's build files (Dockerfile, ignore file, bake file, captured packages, CA bundle).
//! 3. **Paths.** The globs of a cell (`src/**` for the test cell), for files strata does not
//!    model.
//!
//! A cell that needs the engine's build (the test and probe cells of a built image) runs when
//! that build runs, and says so.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use strata_images::ImagePlan;
use strata_project::{ProfileName, Project};

use crate::cells::{Cell, CellKind, build_files, cells, is_built};
use crate::glob::glob_matches;
use crate::inputs::{file_inputs, model_files};

/// The project at the revision a change is compared with.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// The project as it was.
    Project(&'a Project),
    /// No project to compare with, and why (no base given, or it does not load): files the model
    /// reads count as changed.
    Unavailable(&'a str),
}

/// Why a cell runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Reason {
    /// `--all`: every cell runs.
    All,
    /// A file the model reads changed the engine's inputs.
    Inputs {
        /// The file.
        path: PathBuf,
        /// The engine whose inputs it changed.
        engine: ProfileName,
    },
    /// A file the model reads changed, and there was no base to compare the engine's inputs
    /// with.
    Uncompared {
        /// The file.
        path: PathBuf,
        /// Why there was no base.
        why: String,
    },
    /// A lock or build file of the engine changed.
    File {
        /// The file.
        path: PathBuf,
        /// What it is to the engine: `its lock`, `the lock of base`, `its image's build`.
        role: String,
    },
    /// A file matched one of the cell's globs.
    Glob {
        /// The file.
        path: PathBuf,
        /// The glob.
        glob: String,
    },
    /// The cell needs a build that runs.
    Needs {
        /// The build cell.
        cell: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("every cell runs (--all)"),
            Self::Inputs { path, engine } => {
                write!(f, "{} changes {engine}'s inputs", path.display())
            }
            Self::Uncompared { path, why } => write!(
                f,
                "{} is read by the model, and there is no base to compare with ({why})",
                path.display()
            ),
            Self::File { path, role } => write!(f, "{} is {role}", path.display()),
            Self::Glob { path, glob } => write!(f, "{} matches `{glob}`", path.display()),
            Self::Needs { cell } => write!(f, "needs {cell}, which runs"),
        }
    }
}

/// A cell that runs, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PlannedCell {
    /// The cell.
    #[serde(flatten)]
    pub cell: Cell,
    /// Why it runs: at least one reason.
    pub reasons: Vec<Reason>,
}

/// The cells a change triggers, in the order of [`cells`] (builds before what needs them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CiPlan {
    /// The cells that run.
    pub cells: Vec<PlannedCell>,
    /// The ids of the cells that do not.
    pub skipped: Vec<String>,
}

/// GitHub's limit on the jobs one matrix may generate.
pub const MAX_MATRIX_JOBS: usize = 256;

/// One entry of a `strategy.matrix.include`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MatrixEntry {
    /// The cell's id (`test-vllm`), unique within the plan.
    pub id: String,
    /// The engine.
    pub engine: String,
    /// The cell's name: `build`, `test` or a probe's.
    pub cell: String,
    /// Whether it runs on a GPU runner.
    pub gpu: bool,
    /// The runner's `runs-on` labels.
    pub runner: Vec<String>,
    /// The engine's image.
    pub tag: String,
}

/// A `strategy.matrix` in GitHub's shape: `{"include": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The jobs.
    pub include: Vec<MatrixEntry>,
}

/// A matrix over GitHub's job limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyJobs {
    /// The jobs it would have.
    pub jobs: usize,
}

impl fmt::Display for TooManyJobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the plan has {} jobs in one matrix, and GitHub runs at most {MAX_MATRIX_JOBS}: \
             split the engines' cells over more workflows, or declare fewer probe cells",
            self.jobs
        )
    }
}

impl std::error::Error for TooManyJobs {}

impl CiPlan {
    /// Every cell of `project`, for a scheduled run.
    pub fn all(project: &Project, images: &ImagePlan) -> Self {
        Self {
            cells: cells(project, images)
                .into_iter()
                .map(|cell| PlannedCell {
                    cell,
                    reasons: vec![Reason::All],
                })
                .collect(),
            skipped: Vec::new(),
        }
    }

    /// The cells of `head` that `changed` (paths relative to the project root) triggers,
    /// compared with `base`.
    pub fn of_change(
        head: &Project,
        images: &ImagePlan,
        base: Base<'_>,
        changed: &[PathBuf],
    ) -> Self {
        let mut planned = Vec::new();
        let mut skipped = Vec::new();
        let mut built: BTreeSet<String> = BTreeSet::new();
        for cell in cells(head, images) {
            let image = images
                .image(cell.engine.as_str())
                .expect("every cell is of an engine with an image");
            let mut reasons = engine_reasons(head, base, &cell.engine, changed);
            match &cell.kind {
                CellKind::Build => {
                    for file in build_files(head, image) {
                        if changed.contains(&file) {
                            reasons.push(Reason::File {
                                path: file,
                                role: "its image's build".to_string(),
                            });
                        }
                    }
                }
                CellKind::Test | CellKind::Probe(_) => {
                    if let Some(needs) = &cell.needs
                        && built.contains(needs)
                    {
                        // The build's reasons are this cell's too; name the build once instead.
                        reasons = vec![Reason::Needs {
                            cell: needs.clone(),
                        }];
                    }
                    debug_assert!(cell.needs.is_none() || is_built(image));
                    for path in changed {
                        let text = path.to_string_lossy().replace('\\', "/");
                        if let Some(glob) = cell.paths.iter().find(|glob| glob_matches(glob, &text))
                        {
                            reasons.push(Reason::Glob {
                                path: path.clone(),
                                glob: glob.clone(),
                            });
                        }
                    }
                }
            }
            if reasons.is_empty() {
                skipped.push(cell.id);
            } else {
                if cell.kind == CellKind::Build {
                    built.insert(cell.id.clone());
                }
                planned.push(PlannedCell { cell, reasons });
            }
        }
        Self {
            cells: planned,
            skipped,
        }
    }

    /// The matrix of the builds (`builds == true`) or of the other cells.
    ///
    /// # Errors
    ///
    /// More jobs than GitHub runs in one matrix ([`MAX_MATRIX_JOBS`]).
    pub fn matrix(&self, builds: bool) -> Result<Matrix, TooManyJobs> {
        let include: Vec<MatrixEntry> = self
            .cells
            .iter()
            .filter(|planned| (planned.cell.kind == CellKind::Build) == builds)
            .map(|planned| MatrixEntry {
                id: planned.cell.id.clone(),
                engine: planned.cell.engine.to_string(),
                cell: planned.cell.kind.name().to_string(),
                gpu: planned.cell.gpu,
                runner: planned.cell.runner.clone(),
                tag: planned.cell.tag.clone(),
            })
            .collect();
        if include.len() > MAX_MATRIX_JOBS {
            return Err(TooManyJobs {
                jobs: include.len(),
            });
        }
        Ok(Matrix { include })
    }
}

/// Why `changed` touches `engine` itself (its inputs or its locks), for every cell of it.
fn engine_reasons(
    head: &Project,
    base: Base<'_>,
    engine: &ProfileName,
    changed: &[PathBuf],
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let mut read = model_files(head, engine);
    if let Base::Project(project) = base
        && project.profiles.contains_key(engine)
    {
        read.extend(model_files(project, engine));
    }
    for path in changed.iter().filter(|path| read.contains(*path)) {
        let reason = match base {
            Base::Unavailable(why) => Some(Reason::Uncompared {
                path: path.clone(),
                why: why.to_string(),
            }),
            // What this file says about the engine, before and after: a comment, or a line
            // another engine reads, leaves it as it was. An engine the base lacks is new.
            Base::Project(project) => (!project.profiles.contains_key(engine)
                || file_inputs(project, engine, path) != file_inputs(head, engine, path))
            .then(|| Reason::Inputs {
                path: path.clone(),
                engine: engine.clone(),
            }),
        };
        reasons.extend(reason);
    }
    let lock_of = |name: &ProfileName| -> [PathBuf; 2] {
        [
            head.lock_dir.join(format!("{name}.txt")),
            head.lock_dir.join(format!("pylock.{name}.toml")),
        ]
    };
    let mut locks: Vec<(PathBuf, String)> = lock_of(engine)
        .into_iter()
        .map(|path| (path, "its lock".to_string()))
        .collect();
    for ancestor in head.ancestors(engine) {
        locks.extend(
            lock_of(ancestor)
                .into_iter()
                .map(|path| (path, format!("the lock of {ancestor}, which it extends"))),
        );
    }
    for (path, role) in locks {
        if changed.iter().any(|changed| changed == &path) {
            reasons.push(Reason::File { path, role });
        }
    }
    reasons
}

/// `path` relative to `root`, when it is under it (`None` for a file outside the project, which
/// no cell of it watches).
pub fn project_relative(root: &Path, path: &Path) -> Option<PathBuf> {
    path.strip_prefix(root).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn a_matrix_over_githubs_job_limit_is_refused_saying_how_to_split_it() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("v.yaml"), "v: \"1.0\"\n").unwrap();
        let mut manifest = String::from(
            "[profiles.base]\nrequirements = [\"numpy\"]\n\
             [engines.e]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
             image = { upstream = \"e:{version}\" }\n",
        );
        for cell in 0..MAX_MATRIX_JOBS {
            let _ = write!(manifest, "[ci.cells.probe{cell}]\ncommand = [\"true\"]\n");
        }
        fs_err::write(dir.path().join("strata.toml"), &manifest).unwrap();
        let project = Project::discover(dir.path(), &|_| None).unwrap();
        let images = ImagePlan::of(&project);
        // The test cell and the probes: one more than GitHub runs.
        let error = CiPlan::all(&project, &images).matrix(false).unwrap_err();
        assert_eq!(error.jobs, MAX_MATRIX_JOBS + 1);
        assert!(error.to_string().contains("GitHub runs at most 256"));
        assert!(
            CiPlan::all(&project, &images)
                .matrix(true)
                .unwrap()
                .include
                .is_empty()
        );
    }
}
