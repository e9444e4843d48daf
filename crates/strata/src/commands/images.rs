//! `strata images`: the engines' images, and the `docker-bake.hcl` that builds them.

use std::fmt::Write;

use anyhow::{Context, Result};
use serde::Serialize;
use strata_images::{BakeInputs, ImagePlan, ImageSource};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, ImagesArgs};
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
    let bake = strata_images::bake_file(&plan, &inputs);
    let path = project.root.join(BAKE_FILE);
    let shown = display_path(&path);
    let status = match fs_err::read_to_string(&path) {
        Ok(text) if text == bake => "current",
        Ok(_) => "stale",
        Err(_) => "missing",
    };
    if args.check {
        if status == "current" {
            printer.status(&format!("`{shown}` is current"));
            return Ok(ExitStatus::Success);
        }
        let why = if status == "missing" {
            "does not exist"
        } else {
            "is stale: the manifest, a version file, a Dockerfile's arguments or a lock changed \
             since it was written"
        };
        printer.error(&format!(
            "error: `{shown}` {why}; run `strata images --write`\n"
        ));
        return Ok(ExitStatus::Problems);
    }
    let mut reported = status;
    if args.write {
        if strata_fs::write_atomic_if_changed(&path, bake.as_bytes())
            .with_context(|| format!("Failed to write `{shown}`"))?
        {
            reported = "written";
        }
        printer.status(&if reported == "written" {
            format!("Wrote `{shown}`")
        } else {
            format!("`{shown}` is current")
        });
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
