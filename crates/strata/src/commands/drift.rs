//! `strata lock --check --refresh`: `--check`, then every lock compared with its index as it is
//! now (see `strata_lock::lock_drift`), for the weekly run that catches a lock the index moved
//! away from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use strata_diagnostic::Diagnose;
use strata_lock::{DriftKind, Freshness, LockDrift, LockOptions};
use strata_project::{ProfileName, Project};

use crate::ExitStatus;
use crate::args::{DataFormat, LockArgs};
use crate::output;
use crate::printer::Printer;
use crate::settings;

/// One lock to compare: which profile, where, with which indexes first.
struct Target {
    name: ProfileName,
    path: std::path::PathBuf,
    lock: strata_lockfile::Lock,
    named: Vec<String>,
}

/// Runs `--check` (its findings printed as `lock --check` prints them), then compares every
/// selected lock with its index, fresh. Exit 1 when a lock is stale or drifted, 2 when an index
/// could not be read.
pub(crate) fn check_against_index(
    project: &Project,
    options: &LockOptions,
    args: &LockArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    if args.index.offline {
        bail!(
            "`strata lock --check --refresh` compares the locks with the index as it is now, \
             which `--offline` cannot reach; drop `--offline`, or run `strata lock --check` \
             alone to check the locks against the project's inputs"
        );
    }
    let fresh = super::lock::check(project, options, printer)?;
    let report = strata_lock::check_project(project, options).diagnosed()?;
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    for (name, freshness) in &report {
        let path = strata_lock::lock_path(project, name);
        let display = crate::commands::display_path(&path);
        let mut row = serde_json::json!({
            "profile": name.as_str(),
            "path": display,
            "current": freshness.passes(),
            "freshness": freshness_name(freshness),
        });
        if let Some(unavailable) = project.unavailable_index(name) {
            // `lock --check` lets such a lock pass unverified; its pins cannot be compared either.
            let reason = format!(
                "its index `{}` ({} not set) is not configured here",
                unavailable.name,
                unavailable.unset_variables()
            );
            if matches!(freshness, Freshness::Unverified { .. } | Freshness::Current) {
                printer.warning(&format!(
                    "`{name}`: `{display}` was not compared with its index: {reason}"
                ));
            }
            row["skipped"] = reason.into();
            rows.push(row);
            continue;
        }
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            // Missing: `--check` has said so.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                row["skipped"] = "the lock does not exist".into();
                rows.push(row);
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        let lock = strata_lockfile::requirements_txt::read(&text)
            .with_context(|| format!("Failed to read `{display}` to compare it with the index"))?;
        rows.push(row);
        targets.push((
            rows.len() - 1,
            Target {
                name: name.clone(),
                path,
                lock,
                named: project.engine_index_urls(name),
            },
        ));
    }

    // One client per set of indexes, every page revalidated (`--refresh`): a page cached by
    // the run that wrote a lock shows the index as it was then.
    let mut clients: HashMap<Vec<String>, strata_index::IndexClient> = HashMap::new();
    for (_, target) in &targets {
        if !clients.contains_key(&target.named) {
            let client = settings::index_client_with(
                &args.index,
                Some(project),
                &target.named,
                settings::project_targets(project),
            )?;
            clients.insert(target.named.clone(), client);
        }
    }
    let current = Arc::new(Mutex::new(String::new()));
    let shown = Arc::clone(&current);
    let progress =
        printer.progress(move || shown.lock().map(|text| text.clone()).unwrap_or_default());
    let total = targets.len();
    let compared: Vec<Result<LockDrift>> = strata_index::block_on(async {
        let mut compared = Vec::new();
        for (position, (_, target)) in targets.iter().enumerate() {
            if let Ok(mut text) = current.lock() {
                *text = format!(
                    "Comparing `{}` with its index ({} of {total})",
                    crate::commands::display_path(&target.path),
                    position + 1
                );
            }
            let client = &clients[&target.named];
            let drift = strata_lock::lock_drift(client, &target.lock, args.index.concurrency)
                .await
                .diagnosed()
                .with_context(|| {
                    format!(
                        "Failed to compare `{}` with its index ({})",
                        crate::commands::display_path(&target.path),
                        client
                            .config()
                            .indexes()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            let failed = drift.is_err();
            compared.push(drift);
            if failed {
                break;
            }
        }
        compared
    })
    .diagnosed()?;
    drop(progress);

    let mut drifted = 0;
    for ((row, target), drift) in targets.iter().zip(compared) {
        let drift = drift?;
        let display = crate::commands::display_path(&target.path);
        let name = &target.name;
        for found in &drift.drift {
            drifted += 1;
            let place = match found.line {
                Some(line) => format!("{display}:{line}"),
                None => display.clone(),
            };
            printer.error(&format!(
                "`{name}`: `{place}`: {found}; {}\n",
                remedy(&found.kind, found.package.as_ref())
            ));
        }
        if !drift.skipped.is_empty() {
            printer.verbose(&format!(
                "`{name}`: not compared with the index (direct URL pins): {}",
                drift
                    .skipped
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if drift.drift.is_empty() {
            printer.verbose(&format!(
                "`{name}`: every one of the {} pins of `{display}` is still on its index as locked",
                drift.checked
            ));
        }
        rows[*row]["checked"] = drift.checked.into();
        rows[*row]["skipped-pins"] = drift
            .skipped
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .into();
        rows[*row]["drift"] = drift
            .drift
            .iter()
            .map(|found| {
                let mut entry = serde_json::json!({
                    "package": found.package.as_ref(),
                    "version": found.version.to_string(),
                    "line": found.line,
                    "kind": found.kind.name(),
                    "message": found.to_string(),
                    "remedy": remedy(&found.kind, found.package.as_ref()),
                });
                match &found.kind {
                    DriftKind::Yanked { reason } => entry["reason"] = reason.clone().into(),
                    DriftKind::HashesGone { hashes } => {
                        entry["hashes"] = hashes
                            .iter()
                            .map(|hash| format!("sha256:{hash}"))
                            .collect::<Vec<_>>()
                            .into();
                    }
                    DriftKind::ProjectGone | DriftKind::VersionGone => {}
                }
                entry
            })
            .collect::<Vec<_>>()
            .into();
    }
    if args.format == DataFormat::Json {
        printer.data(&output::json::render(&serde_json::json!({
            "locks": rows,
            "drift": drifted,
        }))?)?;
    }
    if drifted > 0 {
        let noun = if drifted == 1 { "pin" } else { "pins" };
        printer.status(&format!(
            "{drifted} locked {noun} no longer on the index as locked"
        ));
    }
    Ok(if drifted > 0 || fresh != ExitStatus::Success {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

/// What to run about one finding.
fn remedy(kind: &DriftKind, package: &str) -> String {
    match kind {
        DriftKind::ProjectGone => format!(
            "add an index that has `{package}`, or drop what requires it, then run `strata lock --refresh`"
        ),
        DriftKind::VersionGone | DriftKind::Yanked { .. } | DriftKind::HashesGone { .. } => {
            format!("run `strata lock --upgrade-package {package} --refresh`")
        }
    }
}

/// A lock's `--check` verdict, as one word for JSON.
fn freshness_name(freshness: &Freshness) -> &'static str {
    match freshness {
        Freshness::Current => "current",
        Freshness::Missing { .. } => "missing",
        Freshness::Stale(_) => "stale",
        Freshness::Edited(_) => "edited",
        Freshness::Unverified { .. } => "unverified",
        Freshness::Skipped { .. } => "skipped",
    }
}
