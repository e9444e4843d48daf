//! `strata sync`: a virtual environment that holds exactly a profile's lock.

use std::collections::HashSet;

use anyhow::{Context, Result, bail};
use strata_env::{Environment, EnvironmentSource, Extras, InterpreterRequest};

use crate::ExitStatus;
use crate::args::{GlobalArgs, SyncArgs};
use crate::commands::load_project;
use crate::printer::Printer;

pub(crate) fn sync(
    global: &GlobalArgs,
    args: &SyncArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let Some(profile) = project.profile(&args.profile) else {
        let known: Vec<&str> = project
            .profiles
            .keys()
            .map(strata_project::ProfileName::as_str)
            .collect();
        bail!(
            "Unknown profile `{}`; the project defines: {}",
            args.profile,
            known.join(", ")
        );
    };
    let lock = strata_lock::lock_path(&project, &profile.name);
    let text = strata_fs::fs_err::read_to_string(&lock).with_context(|| {
        format!(
            "No lock for `{}`: run `strata lock {}` first",
            profile.name, profile.name
        )
    })?;
    let locked: HashSet<_> = strata_lockfile::requirements_txt::read_pins(&text)
        .with_context(|| format!("Failed to read `{}`", lock.display()))?
        .into_keys()
        .collect();
    let venv = args
        .venv
        .clone()
        .unwrap_or_else(|| project.root.join(".venvs").join(profile.name.as_str()));
    printer.status(&format!(
        "Syncing `{}` into `{}`",
        crate::commands::display_path(&lock),
        venv.display()
    ));
    // pip installs from the indexes the lock was resolved against (the engine's own first),
    // whether they come from the manifest, the flags, the environment or pip's configuration.
    let indexes = crate::settings::index_config(
        &args.index,
        Some(&project),
        &strata_lock::engine_index_urls(&project, &profile.name),
    )?;
    let pip_indexes = strata_env::PipIndexes {
        index_url: indexes.index_url.url().to_string(),
        extra_index_urls: indexes
            .extra_index_urls
            .iter()
            .map(|extra| extra.url().to_string())
            .collect(),
        find_links: indexes.find_links.clone(),
    };
    let report = strata_env::sync(&lock, &locked, &venv, &args.python, &pip_indexes)?;
    printer.status(&format!(
        "{} `{}`: {} locked distributions installed, {} removed{}",
        if report.created { "Created" } else { "Updated" },
        venv.display(),
        report.locked,
        report.removed.len(),
        if report.removed.is_empty() {
            String::new()
        } else {
            format!(" ({})", report.removed.join(", "))
        }
    ));
    // The result is checked the way `strata check` checks any environment.
    let request = InterpreterRequest {
        python: None,
        venv: Some(venv.clone()),
        virtual_env: None,
        working_directory: project.root.clone(),
    };
    let environment = Environment::open_with_cache(
        &EnvironmentSource::Interpreter(request),
        Extras::Follow,
        Some(&crate::settings::cache_dir()),
    )?;
    let findings = strata_env::check(&environment);
    if findings.is_empty() {
        printer.status("No broken requirements found.");
        return Ok(ExitStatus::Success);
    }
    let lines = findings.iter().fold(String::new(), |mut out, finding| {
        use std::fmt::Write;
        let _ = writeln!(out, "{finding}");
        out
    });
    printer.data(&lines)?;
    Ok(ExitStatus::Problems)
}
