//! CI plans from the project model: the cells of each engine (build its image, run its tests,
//! run the probes the manifest declares) and which of them a change triggers, with the reason
//! for each, in the shape GitHub's `strategy.matrix` takes.
//!
//! The first seed's team hand-maintains a `filter` job and path filters for this; strata knows
//! which files make up each engine (its requirements files, version file, lock, Dockerfile), so
//! it decides by content where it can: a comment edit in `base.in` reruns nothing, and a change
//! to `base.in` reruns exactly the engines whose inputs it changes. See [`CiPlan::of_change`].
//!
//! [`workflow()`] writes the GitHub Actions workflow that runs the plan: a plan job, builds and
//! cells fanned out over its matrices, one aggregate check, a write-back and a promotion.
//!
//! This crate reads the project model and the image plan only: no git, no network, no
//! container runtime. The CLI finds the changed files and loads the project at the base.
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # fs_err::write(dir.path().join("v.yaml"), "v: \"0.6.3\"\n")?;
//! # fs_err::write(dir.path().join("strata.toml"), r#"
//! # [profiles.base]
//! # requirements = ["numpy"]
//! # [engines.vllm]
//! # extends = ["base"]
//! # version = { file = "v.yaml", key = "v" }
//! # image = { upstream = "vllm/vllm-openai:v{version}" }
//! # gpu = true
//! # "#)?;
//! let project = strata_project::Project::discover(dir.path(), &|_| None)?;
//! let images = strata_images::ImagePlan::of(&project);
//! let changed = vec![std::path::PathBuf::from("src/app/cli.py")];
//! let base = strata_ci::Base::Project(&project);
//! let plan = strata_ci::CiPlan::of_change(&project, &images, base, &changed);
//! assert_eq!(plan.cells[0].cell.id, "test-vllm");
//! assert_eq!(plan.cells[0].reasons[0].to_string(), "src/app/cli.py matches `src/**`");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod cells;
mod glob;
mod inputs;
mod plan;
mod workflow;

pub use cells::{Cell, CellKind, cells, is_built};
pub use glob::glob_matches;
pub use inputs::{file_inputs, input_lines, model_files};
pub use plan::{
    Base, CiPlan, MAX_MATRIX_JOBS, Matrix, MatrixEntry, PlannedCell, Reason, TooManyJobs,
    project_relative,
};
pub use workflow::{
    DEFAULT_BRANCH, GENERATED_MARK, IndexVariable, PINS, Pin, index_variables, project_directory,
    registry_of, workflow,
};
