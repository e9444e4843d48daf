//! `strata contracts`: import-linter's contracts and the engine rule over the project's source.

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;
use strata_contracts::{ContractsConfig, Report, render};
use strata_diagnostic::Diagnose;
use strata_project::Project;

use crate::ExitStatus;
use crate::args::{ContractsArgs, ContractsFormat, GlobalArgs};
use crate::commands::{display_path, load_project, try_load_project};
use crate::output;
use crate::printer::Printer;
use crate::settings;

pub(crate) fn contracts(
    global: &GlobalArgs,
    args: &ContractsArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    // `--root` alone is enough for import-linter's contracts; without it, the manifest says
    // where the source is, so a project is required.
    let (project, source_root) = if let Some(root) = &args.root {
        (try_load_project(global)?, root.clone())
    } else {
        let project = load_project(global)?;
        let source_root = manifest_source_root(&project)?;
        (Some(project), source_root)
    };
    if !source_root.is_dir() {
        bail!(
            "Source root `{}` is not a directory",
            display_path(&source_root)
        );
    }
    let scan_root = project_directory(&source_root);
    // import-linter's configuration belongs to the project, wherever its source lives.
    let mut config =
        ContractsConfig::discover(project.as_ref().map_or(&scan_root, |project| &project.root))
            .diagnosed()?;
    config.root.clone_from(&scan_root);
    if let Some(project) = &project {
        config.host.clone_from(&project.contracts.host);
        config.engine_packages = match &project.contracts.engine_packages {
            Some(declared) => declared.clone(),
            None => engine_packages_from_locks(project, args, printer),
        };
    }
    config.cache_dir = (!args.no_cache).then(settings::cache_dir);
    printer.verbose(&format!(
        "Scanning {} under `{}`; engine packages: {}",
        config
            .scan_roots()
            .iter()
            .map(|root| format!("`{root}`"))
            .collect::<Vec<_>>()
            .join(", "),
        display_path(&config.root),
        if config.engine_packages.is_empty() {
            "none".to_owned()
        } else {
            config.engine_packages.join(", ")
        }
    ));

    let mut report = strata_contracts::check(&config).diagnosed()?;
    relative_to_working_directory(&mut report, &config.root);
    let text = match args.format {
        ContractsFormat::Text => render::human(&report),
        ContractsFormat::Json => json(&report)?,
        ContractsFormat::Github => render::github(&report),
    };
    printer.data(&text)?;
    if args.format == ContractsFormat::Github {
        // Annotations carry only the findings; the log still gets the verdicts.
        printer.status(render::summary(&report).trim_end());
    }
    if report.contracts.is_empty() {
        printer.warning(
            "Nothing to check: no import-linter contracts were found, and the engine rule needs \
             `host` and engine packages in `[tool.strata.contracts]`",
        );
    }
    Ok(if report.has_problems() {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

/// The import names of what the engines bring, from their locks and the wheels' file lists
/// (cached); without any engine lock, or without an index to ask, each engine's own
/// distribution name stands in (`Project::engine_import_names`).
fn engine_packages_from_locks(
    project: &Project,
    args: &ContractsArgs,
    printer: &mut Printer,
) -> Vec<String> {
    let fallback = project.engine_import_names();
    if project.engines().next().is_none() {
        return fallback;
    }
    let client = match settings::index_client(
        &args.index,
        Some(project),
        settings::project_targets(project),
    ) {
        Ok(client) => client,
        Err(error) => {
            printer.warning(&format!(
                "Engine packages are the engines' names only ({}): no index to read the locked \
                 wheels from: {error}",
                fallback.join(", ")
            ));
            return fallback;
        }
    };
    let derived = strata_index::block_on(strata_lock::engine_imports(
        &client,
        project,
        args.index.concurrency,
    ));
    let Ok(Some(imports)) = derived else {
        return fallback;
    };
    for (engine, packages) in &imports.by_engine {
        printer.verbose(&format!(
            "Engine `{engine}` brings {} distributions the host profiles do not lock",
            packages.len()
        ));
    }
    if !imports.unlocked.is_empty() {
        // Engines `strata lock` skipped (their index is not configured) land here too.
        printer.verbose(&format!(
            "No lock for {}: only the engine's own package name counts until it is locked",
            imports
                .unlocked
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !imports.guessed.is_empty() {
        printer.verbose(&format!(
            "The import names of {} distributions are guessed from their names, as the index \
             could not list their wheels (`strata index versions P` shows what it has): {}",
            imports.guessed.len(),
            imports
                .guessed
                .iter()
                .map(|(package, _)| package.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    imports.names
}

/// The one source root `[tool.strata.contracts] root` names (default `src`, else `.`).
fn manifest_source_root(project: &Project) -> Result<PathBuf> {
    match project.contracts.roots.as_slice() {
        [root] => Ok(project.root.join(root)),
        roots => bail!(
            "`[tool.strata.contracts] root` in `{}` must name one source root, not {}; choose \
             one with `--root DIR`",
            display_path(&project.manifest),
            roots.len()
        ),
    }
}

/// The directory the checker works from: it finds packages in `<dir>/src` and `<dir>` itself,
/// so a `src` root is checked from its parent, which keeps paths relative to the project and
/// lets the checker see `tests/`.
fn project_directory(source_root: &Path) -> PathBuf {
    let normal: PathBuf = source_root
        .components()
        .filter(|component| *component != Component::CurDir)
        .collect();
    let directory = if normal.file_name().is_some_and(|name| name == "src") {
        normal.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        normal
    };
    if directory.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        directory
    }
}

/// Rewrites the report's paths (relative to the checked directory) to be relative to the
/// working directory, as ruff prints them: clickable in a terminal, and what GitHub annotations
/// need when the command runs from the repository root.
fn relative_to_working_directory(report: &mut Report, root: &Path) {
    let rebase = |path: &mut PathBuf| {
        let joined: PathBuf = root
            .join(&*path)
            .components()
            .filter(|component| *component != Component::CurDir)
            .collect();
        *path = PathBuf::from(display_path(&joined));
    };
    for finding in &mut report.findings {
        rebase(&mut finding.path);
        for link in &mut finding.chain {
            if let Some(path) = &mut link.path {
                rebase(path);
            }
        }
    }
    for failure in &mut report.parse_failures {
        rebase(&mut failure.path);
    }
}

/// The report with its schema version, declared here rather than left to `output::json`, as the
/// first document to carry one did.
fn json(report: &Report) -> Result<String> {
    #[derive(Serialize)]
    struct Output<'a> {
        #[serde(rename = "schema-version")]
        schema_version: u32,
        #[serde(flatten)]
        report: &'a Report,
    }
    Ok(output::json::render(&Output {
        schema_version: 1,
        report,
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn src_roots_are_checked_from_their_parent() {
        for (source_root, expected) in [
            ("src", "."),
            ("./src", "."),
            (".", "."),
            ("examples/ml-engines/src", "examples/ml-engines"),
            ("examples/ml-engines/.", "examples/ml-engines"),
            ("lib", "lib"),
            ("/abs/project/src", "/abs/project"),
        ] {
            assert_eq!(
                project_directory(Path::new(source_root)),
                PathBuf::from(expected),
                "{source_root}"
            );
        }
    }
}
