//! The cells of a project: per engine with an image, a `build` cell where the image is built
//! (first-party or an overlay), a `test` cell, and the probe cells the manifest declares.

use std::path::PathBuf;

use serde::Serialize;
use strata_images::{Image, ImagePlan, ImageSource};
use strata_project::{CellSpec, ProfileName, Project};

/// What a cell does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellKind {
    /// Builds the engine's image (its bake target) and pushes it for the other cells.
    Build,
    /// Runs the engine's tests in its image.
    Test,
    /// A probe the manifest declares (`[tool.strata.ci.cells.NAME]`), run in the image.
    Probe(String),
}

impl CellKind {
    /// The cell's name: `build`, `test`, or the probe's.
    pub fn name(&self) -> &str {
        match self {
            Self::Build => "build",
            Self::Test => "test",
            Self::Probe(name) => name,
        }
    }
}

/// One cell of one engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cell {
    /// `<cell>-<engine>`, like `build-transformers` or `invariants-vllm`: unique, and the job
    /// name the seeds use.
    pub id: String,
    /// The engine.
    pub engine: ProfileName,
    /// What it does.
    pub kind: CellKind,
    /// Whether it runs the engine's GPU image (a build never needs the GPU).
    pub gpu: bool,
    /// Its runner's `runs-on` labels.
    pub runner: Vec<String>,
    /// The engine's image.
    pub tag: String,
    /// The command it runs in the image (empty for a build).
    pub command: Vec<String>,
    /// The globs whose change reruns it, beyond the engine's own inputs.
    pub paths: Vec<String>,
    /// The build cell it needs, when the engine's image is built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
}

/// Whether strata's bake file builds an image: a first-party one or an overlay.
pub fn is_built(image: &Image) -> bool {
    !matches!(image.source, ImageSource::Upstream { .. })
}

/// The files of an image's build beyond its lock: its Dockerfile and that Dockerfile's ignore
/// file, the bake file, an upstream image's captured packages, the CA bundle.
pub(crate) fn build_files(project: &Project, image: &Image) -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("docker-bake.hcl")];
    match &image.source {
        ImageSource::Generated { path, .. } | ImageSource::Overlay { path, .. } => {
            out.push(path.clone());
            out.push(strata_images::dockerignore_path(path));
            out.extend(project.images.ca_bundle.iter().cloned());
        }
        ImageSource::Dockerfile { path, .. } => {
            out.push(path.clone());
            out.push(strata_images::dockerignore_path(path));
        }
        ImageSource::Upstream { .. } => {}
    }
    if let Some(strata_project::ImageSpec::Upstream {
        packages: Some(packages),
        ..
    }) = &project.profiles[&image.name].image
    {
        out.push(packages.clone());
    }
    out
}

/// Every cell of `project`, engine by engine in declaration order: build, test, then the probes.
/// Engines without an image have nothing to run in and get no cell.
pub fn cells(project: &Project, plan: &ImagePlan) -> Vec<Cell> {
    let ci = &project.ci;
    let mut out = Vec::new();
    for image in plan.images.iter().filter(|image| image.engine) {
        let engine = &image.name;
        let runner = |gpu: bool| {
            if gpu {
                ci.gpu_runner.clone()
            } else {
                ci.cpu_runner.clone()
            }
        };
        let needs = is_built(image).then(|| format!("build-{engine}"));
        if is_built(image) {
            out.push(Cell {
                id: format!("build-{engine}"),
                engine: engine.clone(),
                kind: CellKind::Build,
                gpu: false,
                runner: runner(false),
                tag: image.image.clone(),
                command: Vec::new(),
                paths: Vec::new(),
                needs: None,
            });
        }
        let runs = |spec: &CellSpec| spec.engines.is_empty() || spec.engines.contains(engine);
        let mut probes: Vec<(CellKind, &CellSpec)> = Vec::new();
        if runs(&ci.test) {
            probes.push((CellKind::Test, &ci.test));
        }
        for (name, spec) in &ci.cells {
            if runs(spec) {
                probes.push((CellKind::Probe(name.clone()), spec));
            }
        }
        for (kind, spec) in probes {
            out.push(Cell {
                id: format!("{}-{engine}", kind.name()),
                engine: engine.clone(),
                kind,
                gpu: image.gpu,
                runner: runner(image.gpu),
                tag: image.image.clone(),
                command: spec.command.clone(),
                paths: spec.paths.clone(),
                needs: needs.clone(),
            });
        }
    }
    out
}
