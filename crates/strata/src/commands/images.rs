//! `strata images`: the engines' images, and the `docker-bake.hcl` that builds them.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;
use strata_images::{BakeInputs, ImagePlan, ImageSource};

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
    let mut inputs = BakeInputs::default();
    for engine in &plan.engines {
        let name = engine.engine.to_string();
        let details = project.profiles[&engine.engine]
            .engine
            .as_ref()
            .expect("the plan holds engines");
        inputs.version_sources.insert(
            name.clone(),
            format!(
                "{} ({})",
                details.version_source.file.display(),
                details.version_source.key
            ),
        );
        if let ImageSource::Dockerfile { path, .. } = &engine.source {
            let file = project.root.join(path);
            let text = fs_err::read_to_string(&file).with_context(|| {
                format!(
                    "Cannot read the Dockerfile of engine `{name}` (`{}`), which its `image = {{ build = ... }}` names",
                    display_path(&file)
                )
            })?;
            inputs
                .declared_args
                .insert(name.clone(), strata_images::declared_args(&text));
        }
        let lock = project.root.join(&engine.lock);
        if let Some(fingerprint) = fs_err::read_to_string(&lock)
            .ok()
            .and_then(|text| strata_lockfile::Lock::parse_header_and_pins(&text))
            .and_then(|lock| lock.fingerprint().map(str::to_string))
        {
            inputs.lock_fingerprints.insert(name, fingerprint);
        }
    }
    // Every file strata generates: the Dockerfiles of the engines it builds, then the bake file.
    let python_path: Vec<&std::path::Path> = project
        .contracts
        .roots
        .iter()
        .map(PathBuf::as_path)
        .collect();
    let mut generated: Vec<(PathBuf, String)> = plan
        .engines
        .iter()
        .filter_map(|engine| match &engine.source {
            ImageSource::Generated { path, .. } => Some((
                project.root.join(path),
                strata_images::dockerfile(engine, &python_path),
            )),
            _ => None,
        })
        .collect();
    let path = project.root.join(BAKE_FILE);
    let shown = display_path(&path);
    generated.push((path.clone(), strata_images::bake_file(&plan, &inputs)));
    let status_of = |path: &PathBuf, text: &str| match fs_err::read_to_string(path) {
        Ok(on_disk) if on_disk == text => "current",
        Ok(_) => "stale",
        Err(_) => "missing",
    };
    let status = status_of(&path, &generated[generated.len() - 1].1);
    if args.check {
        let mut problems = 0;
        for (file, text) in &generated {
            let why = match status_of(file, text) {
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
                display_path(file)
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
    let mut reported = status;
    if args.write {
        // strata rewrites only what it wrote: a Dockerfile of the user's at the same path is
        // theirs.
        for (file, _) in &generated {
            if *file != path
                && let Ok(on_disk) = fs_err::read_to_string(file)
                && !on_disk.contains(strata_images::GENERATED_MARK)
            {
                anyhow::bail!(
                    "`{}` exists and was not written by strata; move it, or build it with \
                     `image = {{ build = \"{}\" }}` instead of `image = {{ base = ... }}`",
                    display_path(file),
                    file.strip_prefix(&project.root).unwrap_or(file).display()
                );
            }
        }
        for (file, text) in &generated {
            if let Some(parent) = file.parent() {
                fs_err::create_dir_all(parent)?;
            }
            let wrote = strata_fs::write_atomic_if_changed(file, text.as_bytes())
                .with_context(|| format!("Failed to write `{}`", display_path(file)))?;
            if wrote {
                printer.status(&format!("Wrote `{}`", display_path(file)));
                if *file == path {
                    reported = "written";
                }
            }
        }
        if reported != "written" {
            printer.status(&format!("`{shown}` is current"));
        }
    }
    let text = match args.format {
        DataFormat::Json => output::json::render(&ImagesJson {
            plan: &plan,
            bake_file: &shown,
            bake_status: reported,
        })?,
        DataFormat::Text => {
            let mut text = String::new();
            for engine in &plan.engines {
                let source = match &engine.source {
                    ImageSource::Upstream { .. } => "upstream, run as it is".to_string(),
                    ImageSource::Generated { path, base } => {
                        format!("its lock on {base}, {}", path.display())
                    }
                    ImageSource::Dockerfile { path, .. } => {
                        format!("built from {}", path.display())
                    }
                };
                let _ = writeln!(
                    text,
                    "{:<16} {}  ({source}{})",
                    engine.engine,
                    engine.image,
                    if engine.gpu { ", GPU" } else { "" }
                );
            }
            if !args.write {
                let _ = writeln!(
                    text,
                    "{shown}: {status}{}",
                    if status == "current" {
                        ""
                    } else {
                        "; `strata images --write` writes it"
                    }
                );
            }
            text
        }
    };
    printer.data(&text)?;
    Ok(ExitStatus::Success)
}
