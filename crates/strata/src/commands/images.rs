//! `strata images`: the project's images, the Dockerfiles strata writes for them, and the
//! `docker-bake.hcl` that builds them.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;
use strata_images::{BakeInputs, CudaWarning, DockerfileInputs, ImagePlan, ImageSource};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, ImagesArgs, ImagesCommand};
use crate::commands::{display_path, load_project};
use crate::output;
use crate::printer::Printer;

/// The generated file, at the project root where `docker buildx bake` looks for it.
const BAKE_FILE: &str = "docker-bake.hcl";

/// `strata images --format json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ImagesJson<'a> {
    #[serde(flatten)]
    plan: &'a ImagePlan,
    bake_file: &'a str,
    /// `current`, `stale` or `missing` before this run; `written` when `--write` wrote it.
    bake_status: &'a str,
    /// Every file strata generates, with the same statuses.
    files: Vec<FileJson>,
    /// Where a lock's CUDA wheels and its image's base disagree.
    cuda_warnings: &'a [CudaJson],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct CudaJson {
    image: String,
    #[serde(flatten)]
    warning: CudaWarning,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct FileJson {
    path: String,
    status: &'static str,
}

/// A file strata generates, and what it should hold.
struct Generated {
    path: PathBuf,
    text: String,
}

impl Generated {
    /// `current`, `stale` or `missing`.
    fn status(&self) -> &'static str {
        match fs_err::read_to_string(&self.path) {
            Ok(on_disk) if on_disk == self.text => "current",
            Ok(_) => "stale",
            Err(_) => "missing",
        }
    }
}

pub(crate) fn images(
    global: &GlobalArgs,
    args: &ImagesArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    match &args.command {
        Some(ImagesCommand::Capture(capture)) => {
            return crate::commands::capture(global, capture, printer);
        }
        None => {}
    }
    let project = load_project(global)?;
    let plan = ImagePlan::of(&project);
    let inputs = bake_inputs(&project, &plan)?;
    let cuda = cuda_warnings(&project, &plan);
    for warning in &cuda {
        printer.warning(&format!("`{}`'s image: {}", warning.image, warning.warning));
    }
    let python_path: Vec<&std::path::Path> = project
        .contracts
        .roots
        .iter()
        .map(PathBuf::as_path)
        .collect();
    // Every file strata generates: the Dockerfiles of the images it builds with their ignore
    // files, then the bake file.
    let mut generated: Vec<Generated> = Vec::new();
    for image in &plan.images {
        let (ImageSource::Generated { path, .. } | ImageSource::Overlay { path, .. }) =
            &image.source
        else {
            continue;
        };
        let dockerfile_inputs = DockerfileInputs {
            settings: &project.images,
            python_path: &python_path,
            ssh: inputs.ssh.contains(image.name.as_str()),
        };
        let text = strata_images::dockerfile(image, &dockerfile_inputs)
            .expect("a generated image has a Dockerfile");
        let ignore = strata_images::dockerignore(image, &project.images)
            .expect("a generated image has an ignore file");
        generated.push(Generated {
            path: project.root.join(path),
            text,
        });
        generated.push(Generated {
            path: project.root.join(strata_images::dockerignore_path(path)),
            text: ignore,
        });
    }
    let bake_path = project.root.join(BAKE_FILE);
    let shown = display_path(&bake_path);
    generated.push(Generated {
        path: bake_path.clone(),
        text: strata_images::bake_file(&plan, &project.images, &inputs),
    });
    let bake = generated.last().expect("the bake file was just pushed");
    let status = bake.status();
    if args.check {
        let mut problems = 0;
        for file in &generated {
            let why = match file.status() {
                "current" => continue,
                "missing" => "does not exist",
                _ => {
                    "is stale: the manifest, a version file, a Dockerfile's arguments or a lock \
                      changed since it was written"
                }
            };
            problems += 1;
            printer.error(&format!(
                "error: `{}` {why}; run `strata images --write`\n",
                display_path(&file.path)
            ));
        }
        if problems == 0 {
            printer.status(&format!(
                "`{shown}` and the Dockerfiles it builds are current"
            ));
            return Ok(ExitStatus::Success);
        }
        return Ok(ExitStatus::Problems);
    }
    let mut statuses: Vec<(String, &'static str)> = generated
        .iter()
        .map(|file| (display_path(&file.path), file.status()))
        .collect();
    if args.write {
        // strata rewrites only what it wrote: a Dockerfile of the user's at the same path is
        // theirs.
        for file in &generated {
            if file
                .path
                .extension()
                .is_some_and(|extension| extension == "Dockerfile")
                && let Ok(on_disk) = fs_err::read_to_string(&file.path)
                && !on_disk.contains(strata_images::GENERATED_MARK)
            {
                anyhow::bail!(
                    "`{}` exists and was not written by strata; move it, or build it with \
                     `image = {{ build = \"{}\" }}` instead of `image = {{ base = ... }}`",
                    display_path(&file.path),
                    file.path
                        .strip_prefix(&project.root)
                        .unwrap_or(&file.path)
                        .display()
                );
            }
        }
        for (file, (_, status)) in generated.iter().zip(statuses.iter_mut()) {
            if let Some(parent) = file.path.parent() {
                fs_err::create_dir_all(parent)?;
            }
            let wrote = strata_fs::write_atomic_if_changed(&file.path, file.text.as_bytes())
                .with_context(|| format!("Failed to write `{}`", display_path(&file.path)))?;
            if wrote {
                printer.status(&format!("Wrote `{}`", display_path(&file.path)));
                *status = "written";
            }
        }
        if statuses.iter().all(|(_, status)| *status != "written") {
            printer.status(&format!(
                "`{shown}` and the Dockerfiles it builds are current"
            ));
        }
    }
    let reported = statuses.last().map_or(status, |(_, status)| *status);
    let text = match args.format {
        DataFormat::Json => output::json::render(&ImagesJson {
            plan: &plan,
            bake_file: &shown,
            bake_status: reported,
            files: statuses
                .iter()
                .map(|(path, status)| FileJson {
                    path: path.clone(),
                    status,
                })
                .collect(),
            cuda_warnings: &cuda,
        })?,
        DataFormat::Text => {
            let mut text = String::new();
            for image in &plan.images {
                let source = match &image.source {
                    ImageSource::Upstream { .. } => "upstream, run as it is".to_string(),
                    ImageSource::Overlay { upstream, path, .. } => {
                        format!("its lock on {upstream}, {}", path.display())
                    }
                    ImageSource::Generated { path, base, dev } => {
                        let dev = dev.as_ref().map_or_else(String::new, |dev| {
                            format!("; dev stage {} adds {}", dev.image, dev.profile)
                        });
                        format!("its lock on {base}, {}{dev}", path.display())
                    }
                    ImageSource::Dockerfile { path, .. } => {
                        format!("built from {}", path.display())
                    }
                };
                let _ = writeln!(
                    text,
                    "{:<16} {}  ({source}{})",
                    image.name,
                    image.image,
                    if image.gpu { ", GPU" } else { "" }
                );
            }
            if !args.write {
                for (path, status) in &statuses {
                    let _ = writeln!(
                        text,
                        "{path}: {status}{}",
                        if *status == "current" {
                            ""
                        } else {
                            "; `strata images --write` writes it"
                        }
                    );
                }
            }
            text
        }
    };
    printer.data(&text)?;
    Ok(ExitStatus::Success)
}

/// The CUDA coherence of each first-party image whose base strata knows: the wheels its locks
/// (and its dev stage's) pin against the CUDA of that base ([`strata_images::cuda_coherence`]).
/// A lock not written yet has nothing to check; one of several targets is read per Linux target
/// ([`strata_images::image_cuda_coherence`]).
fn cuda_warnings(project: &strata_project::Project, plan: &ImagePlan) -> Vec<CudaJson> {
    let mut out = Vec::new();
    for image in &plan.images {
        let (base, dev) = match &image.source {
            ImageSource::Generated { base, dev, .. } => (base.as_str(), dev.as_ref()),
            ImageSource::Dockerfile {
                base: Some(base), ..
            } => (base.as_str(), None),
            // An upstream image's CUDA is whatever its makers chose; its tag does not say.
            ImageSource::Dockerfile { base: None, .. }
            | ImageSource::Upstream { .. }
            | ImageSource::Overlay { .. } => continue,
        };
        let locks: Vec<strata_lockfile::Lock> = std::iter::once(&image.lock)
            .chain(dev.map(|dev| &dev.lock))
            .filter_map(|lock| {
                let text = fs_err::read_to_string(project.root.join(lock)).ok()?;
                strata_lockfile::Lock::parse_header_and_pins(&text)
            })
            .collect();
        let warnings = strata_images::image_cuda_coherence(base, &locks);
        out.extend(warnings.into_iter().map(|warning| CudaJson {
            image: image.name.to_string(),
            warning,
        }));
    }
    out
}

/// What the bake file and the Dockerfiles need from the project's files: each engine's version
/// source, the arguments a project's own Dockerfile declares, each lock's fingerprint, and which
/// locks need the SSH agent.
fn bake_inputs(project: &strata_project::Project, plan: &ImagePlan) -> Result<BakeInputs> {
    let mut inputs = BakeInputs::default();
    for image in &plan.images {
        let name = image.name.to_string();
        if let Some(details) = &project.profiles[&image.name].engine {
            inputs.version_sources.insert(
                name.clone(),
                format!(
                    "{} ({})",
                    details.version_source.file.display(),
                    details.version_source.key
                ),
            );
        }
        if let ImageSource::Dockerfile { path, .. } = &image.source {
            let file = project.root.join(path);
            let text = fs_err::read_to_string(&file).with_context(|| {
                format!(
                    "Cannot read the Dockerfile of `{name}` (`{}`), which its `image = {{ build = ... }}` names",
                    display_path(&file)
                )
            })?;
            inputs
                .declared_args
                .insert(name.clone(), strata_images::declared_args(&text));
        }
        let mut locks = vec![&image.lock];
        if let ImageSource::Generated { dev: Some(dev), .. } = &image.source {
            locks.push(&dev.lock);
        }
        for (index, lock) in locks.into_iter().enumerate() {
            let Ok(text) = fs_err::read_to_string(project.root.join(lock)) else {
                continue;
            };
            if text.contains("git+ssh://") {
                inputs.ssh.insert(name.clone());
            }
            if index == 0
                && let Some(fingerprint) = strata_lockfile::Lock::parse_header_and_pins(&text)
                    .and_then(|lock| lock.fingerprint().map(str::to_string))
            {
                inputs.lock_fingerprints.insert(name.clone(), fingerprint);
            }
        }
    }
    Ok(inputs)
}
