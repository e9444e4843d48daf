//! `strata lock`: the project's locks, written only when every requested profile resolved.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use anyhow::{Context, Result};
use pep508_rs::PackageName;
use strata_diagnostic::{Diagnose, Diagnosed};
use strata_lock::{Freshness, LockOptions, ProfileOutcome, ResolverSource};
use strata_resolve::{ResolveError, Resolver};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, IndexArgs, LockArgs};
use crate::commands::load_project;
use crate::diagnostics::Severity;
use crate::output;
use crate::printer::Printer;
use crate::settings;

/// Resolvers built on demand: the default indexes, or an engine's named indexes first.
pub(crate) struct Resolvers<'a> {
    args: &'a IndexArgs,
    project: &'a strata_project::Project,
    built: HashMap<Vec<String>, Arc<Resolver>>,
    /// Every client built so far, for the progress line.
    clients: Arc<std::sync::Mutex<Vec<strata_index::IndexClient>>>,
}

impl<'a> Resolvers<'a> {
    /// Resolvers for `project` with the index flags `args`; `clients` collects every client
    /// built, for a progress line.
    pub(crate) fn new(
        args: &'a IndexArgs,
        project: &'a strata_project::Project,
        clients: Arc<std::sync::Mutex<Vec<strata_index::IndexClient>>>,
    ) -> Self {
        Self {
            args,
            project,
            built: HashMap::new(),
            clients,
        }
    }
}

impl ResolverSource for Resolvers<'_> {
    fn resolver(&mut self, named_indexes: &[String]) -> Result<Arc<Resolver>, ResolveError> {
        if !self.built.contains_key(named_indexes) {
            let client = settings::index_client_with(
                self.args,
                Some(self.project),
                named_indexes,
                settings::project_targets(self.project),
            )
            .map_err(|error| {
                match error
                    .downcast_ref::<Diagnosed>()
                    .and_then(Diagnosed::downcast_ref::<strata_index::Error>)
                {
                    Some(error) => ResolveError::Index(error.clone()),
                    None => ResolveError::Runtime(error.to_string()),
                }
            })?;
            if let Ok(mut clients) = self.clients.lock() {
                clients.push(client.clone());
            }
            self.built
                .insert(named_indexes.to_vec(), Arc::new(Resolver::new(client)?));
        }
        Ok(Arc::clone(&self.built[named_indexes]))
    }
}

pub(crate) fn lock(
    global: &GlobalArgs,
    args: &LockArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let (status, rows) = lock_with_summary(global, args, printer)?;
    if let (DataFormat::Json, Some(rows)) = (args.format, rows) {
        printer.data(&output::json::render(
            &serde_json::json!({ "locks": rows }),
        )?)?;
    }
    Ok(status)
}

/// `strata lock`, with the text summary on stderr when `args.format` is text, and each lock's
/// row of the JSON summary returned (`None` when nothing was locked: `--check`, or a failure
/// that wrote nothing), for `lock --format json`.
fn lock_with_summary(
    global: &GlobalArgs,
    args: &LockArgs,
    printer: &mut Printer,
) -> Result<(ExitStatus, Option<Vec<serde_json::Value>>)> {
    let project = load_project(global)?;
    let options = lock_options(args, &project)?;
    if args.check && args.index.refresh {
        let status =
            crate::commands::drift::check_against_index(&project, &options, args, printer)?;
        return Ok((status, None));
    }
    if args.check {
        return Ok((check(&project, &options, printer)?, None));
    }
    // A source whose index is not configured fails here, on its line, not in every solve.
    project.bound_indexes().diagnosed()?;
    write_locks(
        &project,
        &options,
        &args.index,
        args.format,
        Severity::Error,
        printer,
    )
}

/// The library's options from the command line's.
fn lock_options(args: &LockArgs, project: &strata_project::Project) -> Result<LockOptions> {
    Ok(LockOptions {
        profiles: args.profiles.clone(),
        upgrade: args.upgrade,
        upgrade_packages: args
            .upgrade_package
            .iter()
            .map(|text| {
                let name = text
                    .split_once("==")
                    .map_or(text.as_str(), |(name, _)| name)
                    .trim();
                PackageName::new(name.to_string()).with_context(|| {
                    format!("Invalid package name `{name}` in `--upgrade-package`")
                })
            })
            .collect::<Result<_>>()?,
        upgrade_pins: args
            .upgrade_package
            .iter()
            .filter(|text| text.contains("=="))
            .map(|text| {
                strata_dist::parse_requirement(text).with_context(|| {
                    format!(
                        "Invalid `--upgrade-package {text}`: expected `NAME` or `NAME==VERSION`"
                    )
                })
            })
            .collect::<Result<_>>()?,
        force: args.force,
        index_identity: settings::index_identity(&args.index, project),
        layered: args.layered,
        keep_going: args.keep_going,
    })
}

/// Locks `project` as `options` say through [`strata_lock::lock_project`] and writes every
/// lock that changed, each atomically, once every requested solve succeeded; `bump` relocks an
/// engine through this too. The text summary goes to stderr when `format` is text; each lock's
/// JSON row is returned (`None` when a failure wrote nothing). A solve with no solution is
/// reported as `no_solution` says (exit 1 either way); any other failure is an error (exit 2).
pub(crate) fn write_locks(
    project: &strata_project::Project,
    options: &LockOptions,
    index: &IndexArgs,
    format: DataFormat,
    no_solution: Severity,
    printer: &mut Printer,
) -> Result<(ExitStatus, Option<Vec<serde_json::Value>>)> {
    let started = std::time::Instant::now();
    let _guard = lock_directory(project, printer)?;
    let clients = Arc::new(std::sync::Mutex::new(
        Vec::<strata_index::IndexClient>::new(),
    ));
    let mut resolvers = Resolvers::new(index, project, Arc::clone(&clients));
    let used_clients = Arc::clone(&clients);
    let progress = printer.progress(move || {
        let clients = clients
            .lock()
            .map(|clients| clients.clone())
            .unwrap_or_default();
        match clients.first() {
            // One client serves everything but engines with their own indexes; its numbers
            // are the run's.
            Some(client) => crate::commands::compile::progress_line(client),
            None => "Checking which locks are current".to_string(),
        }
    });
    let locked = strata_lock::lock_project(project, options, &mut resolvers);
    drop(progress);
    for client in used_clients
        .lock()
        .map(|clients| clients.clone())
        .unwrap_or_default()
    {
        for rejected in client.rejected_files() {
            printer.warning(&rejected.to_string());
        }
    }
    let outcomes = match locked {
        Ok(outcomes) => outcomes,
        Err(error) => {
            let (severity, status) = if error.is_no_solution() {
                (no_solution, ExitStatus::Problems)
            } else {
                (Severity::Error, ExitStatus::Failure)
            };
            printer.error(&crate::diagnostics::render_as(
                severity,
                &anyhow::Error::new(Diagnosed::from(error)),
            ));
            return Ok((status, None));
        }
    };
    // Every solve succeeded: now write, each file atomically.
    let mut summary = String::new();
    let mut rows = Vec::new();
    let mut failures = 0;
    // Pins engines moved: each said once, with the locks that carry it.
    let mut held_in: Vec<(String, Vec<&str>)> = Vec::new();
    // A hierarchy fails as one: its profiles share one message, said once for all of them.
    let mut failed_together: Vec<(Vec<&str>, &str)> = Vec::new();
    for outcome in &outcomes {
        if let ProfileOutcome::Failed(message) = &outcome.outcome {
            match failed_together
                .iter_mut()
                .find(|(_, known)| *known == message.as_str())
            {
                Some((names, _)) => names.push(outcome.name.as_str()),
                None => failed_together.push((vec![outcome.name.as_str()], message)),
            }
        }
    }
    for (names, message) in &failed_together {
        let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
        let verb = if names.len() == 1 { "was" } else { "were" };
        printer.error(&format!(
            "error: {} {verb} not locked: {message}\n",
            names.join(", ")
        ));
    }
    // A hierarchy's profiles share one solve: each of its warnings is said once.
    let mut warned: Vec<&str> = Vec::new();
    for outcome in &outcomes {
        if let ProfileOutcome::Locked { warnings, .. } = &outcome.outcome {
            for warning in warnings {
                if !warned.contains(&warning.as_str()) {
                    warned.push(warning);
                    printer.warning(warning);
                }
            }
        }
    }
    for outcome in &outcomes {
        let display = crate::commands::display_path(&outcome.path);
        match &outcome.outcome {
            ProfileOutcome::Unchanged => {
                let _ = writeln!(summary, "{:<16} unchanged  {display}", outcome.name);
                rows.push(serde_json::json!({"profile": outcome.name.as_str(), "status": "unchanged", "path": display}));
            }
            ProfileOutcome::Failed(message) => {
                failures += 1;
                let _ = writeln!(
                    summary,
                    "{:<16} failed     {display} kept as it was",
                    outcome.name
                );
                rows.push(serde_json::json!({"profile": outcome.name.as_str(), "status": "failed", "error": message}));
            }
            ProfileOutcome::Skipped(reason) => {
                printer.warning(&format!("Skipped `{}`: {reason}", outcome.name));
                let _ = writeln!(summary, "{:<16} skipped    {reason}", outcome.name);
                rows.push(serde_json::json!({"profile": outcome.name.as_str(), "status": "skipped", "reason": reason}));
            }
            ProfileOutcome::Locked {
                text,
                pylock,
                packages,
                changes,
                edited,
                held,
                ..
            } => {
                if !edited.is_empty() {
                    printer.warning(&format!(
                        "`{display}` had been edited after strata wrote it; relocked, replacing:\n  {}",
                        edited.join("\n  ")
                    ));
                }
                let written = strata_fs::write_atomic_if_changed(&outcome.path, text.as_bytes())
                    .with_context(|| format!("Failed to write `{display}`"))?;
                let pylock_written = match pylock {
                    Some(pylock) => {
                        strata_fs::write_atomic_if_changed(&outcome.pylock_path, pylock.as_bytes())
                            .with_context(|| {
                                format!("Failed to write `{}`", outcome.pylock_path.display())
                            })?
                    }
                    None => false,
                };
                let written = written || pylock_written;
                let mut change = format!(
                    "+{} -{} ↑{} ↓{}",
                    changes.added.len(),
                    changes.removed.len(),
                    changes.upgraded.len(),
                    changes.downgraded.len()
                );
                if changes.is_empty() {
                    change = "no version changes".to_string();
                }
                let _ = writeln!(
                    summary,
                    "{:<16} {} {packages} packages ({change})  {display}",
                    outcome.name,
                    if written { "locked   " } else { "unchanged" },
                );
                for (name, old, new) in changes.upgraded.iter().chain(&changes.downgraded) {
                    printer.verbose(&format!("  {}: {name} {old} -> {new}", outcome.name));
                }
                for hold in held {
                    let sentence = hold.sentence();
                    match held_in.iter_mut().find(|(known, _)| *known == sentence) {
                        Some((_, names)) => names.push(outcome.name.as_str()),
                        None => held_in.push((sentence, vec![outcome.name.as_str()])),
                    }
                }
                let mut row = serde_json::json!({
                    "profile": outcome.name.as_str(),
                    "status": if written { "locked" } else { "unchanged" },
                    "path": display,
                    "packages": packages,
                    "added": changes.added.iter().map(|(name, version)| format!("{name}=={version}")).collect::<Vec<_>>(),
                    "removed": changes.removed.iter().map(|(name, version)| format!("{name}=={version}")).collect::<Vec<_>>(),
                    "upgraded": changes.upgraded.iter().map(|(name, old, new)| format!("{name} {old} -> {new}")).collect::<Vec<_>>(),
                    "downgraded": changes.downgraded.iter().map(|(name, old, new)| format!("{name} {old} -> {new}")).collect::<Vec<_>>(),
                    "edited": edited,
                });
                if !held.is_empty() {
                    row["held"] = held
                        .iter()
                        .map(|hold| {
                            serde_json::json!({
                                "package": hold.package.as_ref(),
                                "version": hold.version.to_string(),
                                "engine": hold.engine.as_str(),
                                "bound": hold.bound,
                                "requirement": hold.requirement,
                            })
                        })
                        .collect();
                }
                rows.push(row);
            }
        }
    }
    let clients_used = used_clients
        .lock()
        .map(|clients| clients.clone())
        .unwrap_or_default();
    let linked: std::collections::BTreeSet<String> = clients_used
        .iter()
        .flat_map(strata_index::IndexClient::projects_from_find_links)
        .map(|name| format!("`{name}`"))
        .collect();
    // The manifest's `find-links` are written into the locks that need them; the flags' and
    // the machine's are not.
    if !linked.is_empty() && project.index.find_links.is_empty() {
        printer.warning(&format!(
            "{} was found in `--find-links`, which the locks do not record: pip installs them \
             with the same `--find-links` (`strata sync` passes it)",
            linked.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    // Only a run that resolved every profile can tell that an index serves none of them.
    let resolved_all = outcomes.len() == project.profiles.len()
        && outcomes
            .iter()
            .all(|outcome| matches!(outcome.outcome, ProfileOutcome::Locked { .. }));
    if resolved_all {
        for warning in
            crate::commands::compile::unused_index_warnings(&clients_used, index.index_strategy)
        {
            printer.warning(&warning);
        }
    }
    for warning in unbound_sources(project, &outcomes) {
        printer.warning(&warning);
    }
    for (sentence, names) in &held_in {
        let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
        let _ = writeln!(summary, "{sentence}, in {}", names.join(", "));
    }
    if format == DataFormat::Text {
        printer.status(summary.trim_end());
    }
    printer.status(&format!("Done in {:.2}s", started.elapsed().as_secs_f64()));
    let status = if failures == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    };
    Ok((status, Some(rows)))
}

/// Holds a file locked exclusively for the run, so two `strata lock` runs on one project never
/// interleave their writes; the operating system releases it if strata dies. The file is in the
/// cache (one per lock directory, see `strata_index::cache::run_lock_path`), not in the
/// project: the user's tree gets nothing but locks. Runs with different caches do not exclude
/// each other, and need not: every lock is still written whole, by a rename.
fn lock_directory(
    project: &strata_project::Project,
    printer: &mut Printer,
) -> Result<std::fs::File> {
    let dir = project.root.join(&project.lock_dir);
    strata_fs::fs_err::create_dir_all(&dir)?;
    let canonical = strata_fs::fs_err::canonicalize(&dir)?;
    let path = strata_index::cache::run_lock_path(&settings::cache_dir(), &canonical);
    if let Some(parent) = path.parent() {
        strata_fs::fs_err::create_dir_all(parent)?;
    }
    let file = strata_fs::fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?
        .into_parts()
        .0;
    if file.try_lock().is_err() {
        printer.status(&format!(
            "Waiting for another `strata lock` on `{}`...",
            dir.display()
        ));
        file.lock()
            .with_context(|| format!("Failed to lock `{}`", path.display()))?;
    }
    Ok(file)
}

/// `lock --check`: every selected lock against today's inputs, each one that fails said on
/// stderr with its remedy; exit 1 when one does.
pub(crate) fn check(
    project: &strata_project::Project,
    options: &LockOptions,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let report = strata_lock::check_project(project, options).diagnosed()?;
    let mut problems = 0;
    for (name, freshness) in &report {
        let path = crate::commands::display_path(&strata_lock::lock_path(project, name));
        if freshness.passes() {
            match freshness {
                Freshness::Current => printer.verbose(&format!("`{name}` is current ({path})")),
                _ => printer.warning(&format!("`{name}`: `{path}` {}", freshness.reason())),
            }
            continue;
        }
        problems += 1;
        let remedy = match freshness {
            Freshness::Missing {
                unavailable_index: Some(_),
            } => "lock it where that index is configured and commit the lock, or set `when-index-unavailable = \"optional\"` on the engine if it may have none".to_string(),
            _ => format!("run `strata lock {name}`"),
        };
        let lines = match freshness {
            Freshness::Edited(lines) => format!("\n  {}", lines.join("\n  ")),
            _ => String::new(),
        };
        printer.error(&format!(
            "`{name}`: `{path}` {}; {remedy}{lines}\n",
            freshness.reason()
        ));
    }
    Ok(if problems == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}

/// A `[tool.strata.sources]` entry for a package no lock pins binds nothing, most likely because
/// the name is misspelt: one warning each, naming where it is written. Only a run whose every
/// profile and engine has a current lock can tell; otherwise none.
fn unbound_sources(
    project: &strata_project::Project,
    outcomes: &[strata_lock::ProfileLock],
) -> Vec<String> {
    if project.index.sources.is_empty()
        || outcomes.len() != project.profiles.len()
        || !outcomes.iter().all(|outcome| {
            matches!(
                outcome.outcome,
                ProfileOutcome::Locked { .. } | ProfileOutcome::Unchanged
            )
        })
    {
        return Vec::new();
    }
    let mut pinned: std::collections::HashSet<pep508_rs::PackageName> =
        std::collections::HashSet::new();
    for outcome in outcomes {
        let text = match &outcome.outcome {
            ProfileOutcome::Locked { text, .. } => Some(text.clone()),
            _ => fs_err::read_to_string(&outcome.path).ok(),
        };
        let Some(lock) = text.and_then(|text| strata_lockfile::requirements_txt::read(&text).ok())
        else {
            // A lock that does not read cannot say what it pins: no verdict.
            return Vec::new();
        };
        pinned.extend(lock.packages.into_iter().map(|package| package.name));
    }
    project
        .index
        .sources
        .iter()
        .filter(|(name, _)| !pinned.iter().any(|known| known.as_ref() == name.as_str()))
        .map(|(name, source)| {
            format!(
                "`[tool.strata.sources]` binds `{name}` to index `{}` ({}:{}), but no lock pins \
                 `{name}`: is the name misspelt?",
                source.index,
                source.snippet.path.display(),
                source.snippet.line
            )
        })
        .collect()
}
