//! `strata sync`: a virtual environment that holds exactly a profile's lock.

use std::collections::HashMap;

use anyhow::{Context, Result};
use pep508_rs::PackageName;
use strata_diagnostic::Diagnose;
use strata_env::{Environment, EnvironmentSource, Extras, InterpreterRequest, Pin};
use strata_lock::{Freshness, LockOptions};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, SyncArgs};
use crate::commands::{display_path, load_project};
use crate::output;
use crate::output::sync::{Stale, SyncJson, SyncStatus, summary};
use crate::printer::Printer;

pub(crate) fn sync(
    global: &GlobalArgs,
    args: &SyncArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let profile = project.profile(&args.profile).diagnosed()?;
    let lock = strata_lock::lock_path(&project, &profile.name);
    let text = strata_fs::fs_err::read_to_string(&lock).with_context(|| {
        format!(
            "No lock for `{}`: run `strata lock {}` first",
            profile.name, profile.name
        )
    })?;
    let venv = args
        .venv
        .clone()
        .unwrap_or_else(|| project.root.join(".venvs").join(profile.name.as_str()));
    let whole = strata_lockfile::requirements_txt::read(&text)
        .with_context(|| format!("Failed to read `{}`", lock.display()))?;
    let read = if whole.has_markers() {
        lines_for_interpreter(&whole, &venv, &args.python, &lock)?
    } else {
        whole
    };
    // The whole lock, direct URL pins included: a pin left out here would be uninstalled as
    // something the lock does not name.
    let mut pins: HashMap<PackageName, Pin> = read
        .packages
        .into_iter()
        .map(|package| {
            let pin = match package.url {
                // Relative to the project root, as the lock's header says.
                Some(path) if !path.contains("://") => Pin::Directory {
                    path: project
                        .root
                        .join(&path)
                        .canonicalize()
                        .unwrap_or_else(|_| project.root.join(&path)),
                    editable: package.editable,
                },
                Some(url) => Pin::Url(url),
                None => Pin::Version(package.version),
            };
            (package.name, pin)
        })
        .collect();
    let locked = pins.len();
    if let Some(name) = project_to_install(&project, &profile.name, args)? {
        let root = project.root.canonicalize().with_context(|| {
            format!(
                "Failed to read the project directory `{}`",
                project.root.display()
            )
        })?;
        pins.insert(name, Pin::Editable(root));
    }
    let mut json = SyncJson {
        profile: profile.name.as_str(),
        lock: display_path(&lock),
        venv: venv.display().to_string(),
        status: SyncStatus::Unchanged,
        stale: None,
        locked,
        installed: Vec::new(),
        removed: Vec::new(),
        findings: &[],
    };

    // The very check `strata lock --check` makes, on this one lock: installing a lock that no
    // longer matches the manifest gives an environment the project does not describe.
    let options = LockOptions {
        profiles: vec![profile.name.to_string()],
        index_identity: crate::settings::index_identity(&args.index, &project),
        ..LockOptions::default()
    };
    let freshness = strata_lock::check_project(&project, &options)
        .diagnosed()?
        .into_iter()
        .find(|(name, _)| *name == profile.name)
        .map(|(_, freshness)| freshness);
    if let Some(freshness) = freshness.filter(|freshness| !freshness.passes()) {
        let edited = match &freshness {
            Freshness::Edited(lines) => lines.clone(),
            _ => Vec::new(),
        };
        let lines = if edited.is_empty() {
            String::new()
        } else {
            format!("\n  {}", edited.join("\n  "))
        };
        let what = format!("`{}` {}", json.lock, freshness.reason());
        json.stale = Some(Stale {
            reason: freshness.reason(),
            edited,
        });
        if args.locked {
            printer.error(&format!(
                "error: {what}; `--locked` refuses to install it: run `strata lock {}` first{lines}\n",
                profile.name
            ));
            json.status = SyncStatus::Refused;
            print_json(args, &json, printer)?;
            return Ok(ExitStatus::Problems);
        }
        printer.warning(&format!(
            "{what}; installing it as it is (run `strata lock {}` to update it, or pass \
             `--locked` to refuse a stale lock){lines}",
            profile.name
        ));
    }

    printer.status(&format!(
        "Syncing `{}` into `{}`",
        json.lock,
        venv.display()
    ));
    // pip would only say that every requirement is already satisfied: not worth its start-up
    // (nor the look-up of pip's own index settings), and the user learns that nothing changed.
    let plan = strata_env::sync_plan(&venv, &pins)?;
    if !plan.is_empty() {
        // pip installs from the indexes the lock was resolved against (the engine's own first),
        // whether they come from the manifest, the flags, the environment or pip's configuration.
        let indexes = crate::settings::index_config(
            &args.index,
            Some(&project),
            &project.engine_index_urls(&profile.name),
        )?;
        let pip_indexes = strata_env::PipSources {
            index_url: Some(indexes.index_url.url().to_string()),
            extra_index_urls: indexes.pip_extra_index_urls(),
            find_links: indexes.find_links.clone(),
        };
        let started = std::time::Instant::now();
        let distributions = match plan.install.len() {
            1 => "1 distribution".to_string(),
            count => format!("{count} distributions"),
        };
        let step = if plan.create {
            format!(
                "Creating `{}` and installing {distributions} with pip",
                venv.display()
            )
        } else if plan.install.is_empty() {
            "Removing what the lock does not name".to_string()
        } else {
            format!("Installing {distributions} with pip")
        };
        let progress =
            printer.progress(move || format!("{step} ({:.0}s)", started.elapsed().as_secs_f64()));
        let report = strata_env::sync(
            &lock,
            &project.root,
            &pins,
            &venv,
            &args.python,
            &pip_indexes,
        );
        drop(progress);
        let report = report?;
        json.status = if report.created {
            SyncStatus::Created
        } else {
            SyncStatus::Updated
        };
        json.installed = report.installed;
        json.removed = report.removed;
    }
    printer.status(&summary(&json));

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
    json.findings = &findings;
    match args.format {
        DataFormat::Json => print_json(args, &json, printer)?,
        DataFormat::Text if findings.is_empty() => {}
        DataFormat::Text => {
            let lines = findings.iter().fold(String::new(), |mut out, finding| {
                use std::fmt::Write;
                let _ = writeln!(out, "{finding}");
                out
            });
            printer.data(&lines)?;
        }
    }
    if findings.is_empty() {
        printer.status("No broken requirements found.");
        return Ok(ExitStatus::Success);
    }
    Ok(ExitStatus::Problems)
}

/// The lines of a lock of several targets that the environment's interpreter installs (pip
/// skips the others by their markers): the venv's own, else the `--python` that will create
/// it. An interpreter that is none of the lock's targets is an error, since the lines its
/// markers select may hold no file it can install.
fn lines_for_interpreter(
    lock: &strata_lockfile::Lock,
    venv: &std::path::Path,
    python: &std::path::Path,
    path: &std::path::Path,
) -> Result<strata_lockfile::Lock> {
    let venv_python = venv.join("bin").join("python");
    let interpreter = if venv_python.exists() {
        venv_python
    } else {
        python.to_path_buf()
    };
    let markers =
        strata_env::Interpreter::query_cached(&interpreter, Some(&crate::settings::cache_dir()))?
            .markers;
    let running = strata_dist::marker_identity(&markers);
    let targets = lock.targets()?;
    let target = targets
        .iter()
        .find(|target| target.marker_identity() == running);
    let Some(target) = target else {
        let listed: Vec<String> = targets.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "`{}` covers {}, and `{}` is Python {} on {} {}, none of them: sync with an interpreter of one of its targets (`--python`), or add this one to the profile's `targets`",
            display_path(path),
            listed.join("; "),
            interpreter.display(),
            running.0,
            running.1,
            running.2
        );
    };
    Ok(lock.for_target(target))
}

/// The JSON summary on stdout, with `--format json` only.
fn print_json(args: &SyncArgs, json: &SyncJson<'_>, printer: &mut Printer) -> Result<()> {
    if args.format == DataFormat::Json {
        printer.data(&output::json::render(json)?)?;
    }
    Ok(())
}

/// The project itself, when `profile`'s environment should hold it, editable, as `uv sync`
/// installs it: unless `--no-install-project`, when `pyproject.toml` says how the project is built
/// (`[build-system]`; without one it is a set of requirements, uv's virtual project) and the
/// profile includes the project's dependencies (`include = ["project"]` in it or a parent), so
/// that every requirement of the installed project is a pin of the lock.
fn project_to_install(
    project: &strata_project::Project,
    profile: &strata_project::ProfileName,
    args: &SyncArgs,
) -> Result<Option<PackageName>> {
    let Some(name) = &project.name else {
        return Ok(None);
    };
    if args.no_install_project {
        return Ok(None);
    }
    let includes_project = project
        .effective_requirements(profile)
        .iter()
        .any(|effective| {
            matches!(
                effective.requirement.origin,
                strata_project::Origin::Project
            )
        });
    if !includes_project
        || strata_build::BuildSystem::declared(&project.root)
            .diagnosed()?
            .is_none()
    {
        return Ok(None);
    }
    Ok(Some(name.clone()))
}
