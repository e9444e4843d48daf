//! `strata images capture`: the packages an upstream engine's image has installed, written to
//! the file its manifest names, for `strata lock` to hold fixed.

use std::path::Path;

use anyhow::{Context, Result};
use strata_diagnostic::Diagnose;
use strata_project::{ImagePackages, ImageSpec};

use crate::ExitStatus;
use crate::args::{CaptureArgs, GlobalArgs};
use crate::commands::{display_path, load_project};
use crate::printer::Printer;

pub(crate) fn capture(
    global: &GlobalArgs,
    args: &CaptureArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let (profile, _) = project.engine(&args.engine).diagnosed()?;
    let manifest = display_path(&project.manifest);
    let Some(ImageSpec::Upstream {
        template,
        image,
        packages,
    }) = &profile.image
    else {
        anyhow::bail!(
            "Engine `{}` does not run in an upstream image: only an `image = {{ upstream = \"repo:tag\" }}` engine has a package set to capture (see its table in `{manifest}`)",
            profile.name
        );
    };
    let Some(packages) = packages else {
        let at = line_of(&project.manifest, &format!("upstream = \"{template}\""))
            .map(|line| format!(" (line {line})"))
            .unwrap_or_default();
        anyhow::bail!(
            "Engine `{name}` names no file for its image's packages: in `{manifest}`{at}, write \
             `image = {{ upstream = \"{template}\", packages = \"docker/{name}.packages.txt\" }}`",
            name = profile.name
        );
    };
    let argv = strata_images::capture_command(args.runtime.into(), image);
    let command = strata_images::shell_words(&argv);
    if args.print {
        printer.data(&format!("{command}\n"))?;
        printer.status(&format!(
            "Run it where the image can be pulled, and save its output as `{}` under the line \
             `# strata: captured from {image} by `strata images capture {}``",
            packages.display(),
            profile.name
        ));
        return Ok(ExitStatus::Success);
    }
    printer.verbose(&command);
    let (program, rest) = argv
        .split_first()
        .expect("a capture command names its runtime");
    let output = std::process::Command::new(program)
        .args(rest)
        .output()
        .with_context(|| {
            format!(
                "Cannot run `{program}`: is it installed and on PATH? (`--runtime` chooses another; \
                 `--print` prints the command to run where the image is)"
            )
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        anyhow::bail!(
            "`{command}` failed ({}){}",
            output.status,
            if stderr.trim().is_empty() {
                String::new()
            } else {
                format!(":\n{}", stderr.trim_end())
            }
        );
    }
    let freeze = String::from_utf8(output.stdout)
        .with_context(|| format!("`{command}` wrote something that is not UTF-8 text"))?;
    // Errors name the command's output, which is what holds the bad line: nothing is written.
    let text = ImagePackages::render(
        Path::new(&format!("{program} output")),
        profile.name.as_str(),
        image,
        &freeze,
    )
    .diagnosed()?;
    let count = ImagePackages::parse(packages, profile.name.as_str(), &text)
        .diagnosed()?
        .packages
        .len();
    let file = project.root.join(packages);
    if let Some(parent) = file.parent() {
        strata_fs::fs_err::create_dir_all(parent)?;
    }
    let wrote = strata_fs::write_atomic_if_changed(&file, text.as_bytes())
        .with_context(|| format!("Failed to write `{}`", display_path(&file)))?;
    printer.status(&format!(
        "{} {count} packages of `{image}` in `{}`; `strata lock {}` locks the engine on them",
        if wrote { "Captured" } else { "Unchanged:" },
        display_path(&file),
        profile.name
    ));
    Ok(ExitStatus::Success)
}

/// The 1-based line of `path` that contains `needle`, for a message pointing at the manifest.
fn line_of(path: &Path, needle: &str) -> Option<usize> {
    let text = strata_fs::fs_err::read_to_string(path).ok()?;
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
}
