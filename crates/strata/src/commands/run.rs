//! `strata run`: a command in an engine's or a profile's image, with the project mounted.

use anyhow::{Context, Result};
use serde::Serialize;
use strata_diagnostic::Diagnose;
use strata_images::{Image, ImagePlan, ImageSource, RunRequest};

use crate::ExitStatus;
use crate::args::{ContainerRunArgs, DataFormat, GlobalArgs, RunArgs};
use crate::commands::load_project;
use crate::output;
use crate::printer::Printer;

/// `strata run --dry-run --format json` (and `strata ci run`'s).
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RunJson<'a> {
    engine: &'a str,
    image: &'a str,
    argv: &'a [String],
}

pub(crate) fn run(
    global: &GlobalArgs,
    args: &RunArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let profile = project.profile(&args.engine).diagnosed()?;
    let plan = ImagePlan::of(&project);
    let Some(mut engine) = plan.image(profile.name.as_str()).cloned() else {
        anyhow::bail!(
            "`{}` has no image: add `image = {{ base = \"cpu\" }}`, `image = {{ build = \
             \"docker/Dockerfile\" }}` or, for an engine, `image = {{ upstream = \
             \"...:{{version}}\" }}` to its table in `{}`",
            profile.name,
            crate::commands::display_path(&project.manifest)
        );
    };
    if args.dev {
        let ImageSource::Generated { dev: Some(dev), .. } = &engine.source else {
            anyhow::bail!(
                "`{}`'s image has no dev stage: add `dev = \"<profile that extends it>\"` to \
                 its `image = {{ base = ... }}` in `{}`",
                profile.name,
                crate::commands::display_path(&project.manifest)
            );
        };
        engine.image = dev.image.clone();
    }
    let project_dir = strata_fs::fs_err::canonicalize(&project.root)?;
    let request = RunRequest {
        project_dir,
        command: args.command.clone(),
        runtime: args.container.runtime.into(),
        gpus: args.gpus,
    };
    let argv = strata_images::run_command(&project, &engine, &request);
    run_or_print(&args.container, &engine, &argv, printer)
}

/// Runs `argv`, the command that starts `image`'s container, or with `--dry-run` prints it
/// (the shell line, or JSON); shared by `strata run` and `strata ci run`.
pub(crate) fn run_or_print(
    args: &ContainerRunArgs,
    image: &Image,
    argv: &[String],
    printer: &mut Printer,
) -> Result<ExitStatus> {
    if args.dry_run {
        let text = match args.format {
            DataFormat::Text => format!("{}\n", strata_images::shell_words(argv)),
            DataFormat::Json => output::json::render(&RunJson {
                engine: image.name.as_str(),
                image: &image.image,
                argv,
            })?,
        };
        printer.data(&text)?;
        return Ok(ExitStatus::Success);
    }
    printer.verbose(&strata_images::shell_words(argv));
    run_container(argv)
}

/// Runs `argv` (a container runtime's command line), passing its exit code on.
fn run_container(argv: &[String]) -> Result<ExitStatus> {
    let (program, rest) = argv.split_first().expect("a run command names its runtime");
    let status = std::process::Command::new(program)
        .args(rest)
        .status()
        .with_context(|| {
            format!(
                "Cannot run `{program}`: is it installed and on PATH? (`--runtime` chooses another)"
            )
        })?;
    // A container killed by a signal has no code; 128 + signal is what a shell would say.
    let code = status.code().unwrap_or_else(|| {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            status.signal().map_or(1, |signal| 128 + signal)
        }
        #[cfg(not(unix))]
        {
            1
        }
    });
    Ok(ExitStatus::Child(u8::try_from(code).unwrap_or(1)))
}
