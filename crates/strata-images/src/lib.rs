//! Container images of a project's engines and roles, planned from the project model alone:
//! which image each runs in, how that image is tagged and built (a generated Dockerfile, the
//! `docker-bake.hcl` graph), and the `docker run` line that runs a command in it with the
//! project bind-mounted.
//!
//! The seeds' users write these by hand: `VER=$(yq ... engine_versions/transformers.yaml)`,
//! `docker build ... -t llenergymeasure:transformers-${VER}`, then `docker run --rm -v
//! "$(pwd)":/repo -w /repo --entrypoint python3 <tag> -m ...`, with `--gpus all` for the GPU
//! engines. Every value in those lines is already in the manifest and the version files, so
//! [`ImagePlan::of`] derives them, and [`run_command`] writes the run line.
//!
//! An engine's image is either upstream (`image = { upstream = "vllm/vllm-openai:v{version}" }`,
//! the canonical image at the version file's version, run as it is) or first-party: built from
//! the project's Dockerfile (`image = { build = "docker/Dockerfile.transformers" }`) or from one
//! strata writes (`image = { base = "cpu" }`), tagged `<repository>:<engine>-<version>`. A
//! profile may have a first-party role image too, tagged with the project's version. The
//! project's source is never in an image: it is bind-mounted at [`WORKSPACE`] when the image
//! runs, so editing it needs no rebuild.
//!
//! [`cuda_coherence`] checks a lock against the base image it is installed on: CUDA wheels of
//! another CUDA major than the base's, or `nvidia-*` wheels that duplicate the libraries of an
//! `nvidia/cuda` `-runtime`/`-devel` base, each as a [`CudaWarning`] that names the remedy.
//!
//! This crate reads the project model (`strata-project`) and what its caller read from locks:
//! no network, no solver, no container runtime. Running the command is the CLI's job.
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
//! let plan = strata_images::ImagePlan::of(&project);
//! let vllm = plan.image("vllm").expect("an engine with an image");
//! assert_eq!(vllm.image, "vllm/vllm-openai:v0.6.3");
//! let command = vec!["pytest".into(), "tests/engines".into()];
//! let run = strata_images::RunRequest::new(dir.path().to_path_buf(), command);
//! let argv = strata_images::run_command(&project, vllm, &run);
//! assert_eq!(argv[..3], ["docker", "run", "--rm"]);
//! assert!(argv.windows(2).any(|pair| pair == ["--gpus", "all"]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod bake;
mod cuda;
mod dockerfile;
mod plan;
mod run;

pub use bake::{BakeInputs, PIP_CONF_ENV, bake_file, declared_args, version_variable};
pub use cuda::{CudaBase, CudaFlavour, CudaWarning, cuda_coherence, image_cuda_coherence};
pub use dockerfile::{
    DockerfileInputs, GENERATED_MARK, dockerfile, dockerignore, dockerignore_path,
};
pub use plan::{DevStage, Image, ImagePlan, ImageSource, default_repository, image_tag};
pub use run::{RunRequest, Runtime, WORKSPACE, capture_command, run_command, shell_words};
