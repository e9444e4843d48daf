//! `strata outdated`: engines whose version file is behind the index; `strata bump`: moving
//! one, by its version file, then relocking it.

use std::fmt::Write;

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::Version;
use serde::Serialize;
use strata_diagnostic::Diagnose;
use strata_project::{Engine, IndexUnavailable, Profile, Project};

use crate::ExitStatus;
use crate::args::{BumpArgs, DataFormat, GlobalArgs, IndexArgs, OutdatedArgs};
use crate::commands::load_project;
use crate::diagnostics::Severity;
use crate::output;
use crate::output::bump::{BumpJson, BumpStatus};
use crate::printer::Printer;
use crate::settings;

/// One engine's standing against the index.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct EngineRow {
    engine: String,
    package: String,
    current: String,
    /// Where the current version is written: `file (key)`.
    version_file: String,
    /// Newer final releases, oldest first.
    newer: Vec<String>,
    /// The newest of them.
    newest: Option<String>,
    /// Those of `newer` the engine's own requirements on its package allow, oldest first.
    allowed: Vec<String>,
    /// The newest of them: what `strata bump` moves to.
    newest_allowed: Option<String>,
    /// Those requirements, each with where it was written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bounds: Vec<String>,
    /// Why the engine was not looked up, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
}

/// Every engine with its engine details.
fn engines(project: &Project) -> impl Iterator<Item = (&Profile, &Engine)> {
    project
        .engines()
        .filter_map(|profile| profile.engine.as_ref().map(|engine| (profile, engine)))
}

pub(crate) fn outdated(
    global: &GlobalArgs,
    args: &OutdatedArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    for name in &args.engines {
        project.engine(name).diagnosed()?;
    }
    let mut rows = Vec::new();
    for (engine, details) in engines(&project).filter(|(engine, _)| {
        args.engines.is_empty() || args.engines.iter().any(|name| name == engine.name.as_str())
    }) {
        rows.push(row(&project, engine, details, args)?);
    }
    let behind = rows.iter().any(|row| !row.newer.is_empty());
    let text = match args.format {
        DataFormat::Json => output::json::render(&serde_json::json!({ "engines": rows }))?,
        DataFormat::Text => render(&rows),
    };
    printer.data(&text)?;
    Ok(if args.exit_code && behind {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

fn row(
    project: &Project,
    engine: &Profile,
    details: &Engine,
    args: &OutdatedArgs,
) -> Result<EngineRow> {
    let mut row = EngineRow {
        engine: engine.name.to_string(),
        package: details.package.to_string(),
        current: details.version.to_string(),
        version_file: format!(
            "{} ({})",
            details.version_source.file.display(),
            details.version_source.key
        ),
        newer: Vec::new(),
        newest: None,
        allowed: Vec::new(),
        newest_allowed: None,
        bounds: Vec::new(),
        skipped: None,
    };
    match releases(project, engine, details, &args.index)? {
        Ok(releases) => {
            let texts = |versions: &[Version]| versions.iter().map(ToString::to_string).collect();
            row.newer = texts(&releases.newer);
            row.allowed = texts(&releases.allowed);
            row.newest = releases.newest().map(ToString::to_string);
            row.newest_allowed = releases.newest_allowed().map(ToString::to_string);
            row.bounds = releases
                .bounds
                .iter()
                .map(|bound| format!("{} ({})", bound.requirement, bound.origin))
                .collect();
        }
        Err(reason) => row.skipped = Some(reason),
    }
    Ok(row)
}

/// The engine's releases on its indexes, measured against its version file and its own
/// requirements (see [`strata_lock::engine_releases`]); `Ok(Err(reason))` when its index is not
/// configured and the engine is skipped.
fn releases(
    project: &Project,
    engine: &Profile,
    details: &Engine,
    index: &IndexArgs,
) -> Result<Result<strata_lock::EngineReleases, String>> {
    if let Some(unavailable) = project.unavailable_index(&engine.name) {
        let reason = format!(
            "its index `{}` ({} not set) is not configured",
            unavailable.name,
            unavailable.unset_variables()
        );
        if details.when_index_unavailable == IndexUnavailable::Fail {
            bail!("Engine `{}`: {reason}", engine.name);
        }
        return Ok(Err(reason));
    }
    let named = project.engine_index_urls(&engine.name);
    let target = strata_lock::profile_target(project, &engine.name).diagnosed()?;
    let client = settings::index_client_with(index, Some(project), &named, vec![target.clone()])?;
    let listing = strata_index::block_on(client.project(&details.package))
        .diagnosed()?
        .diagnosed()?;
    Ok(Ok(strata_lock::engine_releases(
        project,
        &engine.name,
        &listing,
        &target,
    )))
}

fn render(rows: &[EngineRow]) -> String {
    let mut out = String::new();
    for row in rows {
        let _ = match (&row.skipped, row.newer.last()) {
            (Some(reason), _) => writeln!(
                out,
                "{:<16} {:<12} skipped: {reason}",
                row.engine, row.current
            ),
            (None, None) => writeln!(out, "{:<16} {:<12} up to date", row.engine, row.current),
            (None, Some(newest)) => {
                let allowed = match &row.newest_allowed {
                    Some(allowed) if allowed == newest => String::new(),
                    Some(allowed) => format!(
                        ", {allowed} is the newest that {} allow{}",
                        row.bounds.join(", "),
                        if row.bounds.len() == 1 { "s" } else { "" }
                    ),
                    None => format!(
                        ", none that {} allow{}",
                        row.bounds.join(", "),
                        if row.bounds.len() == 1 { "s" } else { "" }
                    ),
                };
                writeln!(
                    out,
                    "{:<16} {:<12} {newest} is out ({} newer release{}){allowed}; the version is \
                     in {}",
                    row.engine,
                    row.current,
                    row.newer.len(),
                    if row.newer.len() == 1 { "" } else { "s" },
                    row.version_file
                )
            }
        };
    }
    out
}

pub(crate) fn bump(
    global: &GlobalArgs,
    args: &BumpArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let (engine, details) = project.engine(&args.engine).diagnosed()?;
    let current = &details.version;
    let source = &details.version_source;
    let mut json = BumpJson {
        engine: engine.name.to_string(),
        package: details.package.to_string(),
        from: current.to_string(),
        to: None,
        version_file: format!("{} ({})", source.file.display(), source.key),
        status: BumpStatus::Current,
        relocked: false,
        tried: Vec::new(),
        locks: Vec::new(),
        older_allowed: Vec::new(),
    };
    // The releases to try, in order: `--to`'s alone, else the newest the engine's requirements
    // allow, newest first, at most `MAX_TRIES`; `older_allowed` are the allowed ones below
    // those, for the remedy when none of them locks.
    let mut older_allowed: Vec<String> = Vec::new();
    let candidates: Vec<Version> = if let Some(text) = &args.to {
        vec![
            Version::from_str(text.trim())
                .with_context(|| format!("`--to {text}` is not a version"))?,
        ]
    } else {
        let releases = releases(&project, engine, details, &args.index)?.map_err(|reason| {
            anyhow::anyhow!(
                "Cannot find the newest `{}`: {reason}; name the version with `--to`",
                details.package
            )
        })?;
        // The bounds as the object and the subject of a sentence, and its verb's ending.
        let (them, they, s) = if releases.bounds.len() == 1 {
            ("it", "it", "s")
        } else {
            ("them", "they", "")
        };
        match releases.bump_plan() {
            strata_lock::BumpPlan::UpToDate => {
                printer.status(&format!(
                    "`{}` is at {current}, the newest release; nothing to bump",
                    engine.name
                ));
                return finish(args, &json, ExitStatus::Success, printer);
            }
            strata_lock::BumpPlan::Held { newest } => {
                printer.status(&format!(
                    "`{}` is at {current}: {newest} is out, but {} allow nothing newer; widen \
                     {them}, or name the version with `--to`",
                    engine.name,
                    releases.describe_bounds(),
                ));
                json.status = BumpStatus::Held;
                return finish(args, &json, ExitStatus::Success, printer);
            }
            strata_lock::BumpPlan::Try {
                newest,
                tries,
                older,
            } => {
                if tries.first() != Some(&newest) {
                    printer.status(&format!(
                        "{newest} is out, outside {}: bumping `{}` to {}, the newest {they} \
                         allow{s}",
                        releases.describe_bounds(),
                        engine.name,
                        tries[0],
                    ));
                }
                older_allowed = older.iter().map(ToString::to_string).collect();
                tries
            }
        }
    };
    let Some(first) = candidates.first() else {
        // `newest_allowed` was `Some`: there is at least one allowed release.
        bail!("No release of `{}` to bump to", details.package);
    };
    json.to = Some(first.to_string());
    if first == current {
        printer.status(&format!("`{}` is already at {first}", engine.name));
        return finish(args, &json, ExitStatus::Success, printer);
    }
    let path = project.root.join(&source.file);
    let shown = crate::commands::display_path(&path);
    let original = fs_err::read_to_string(&path)?;
    let is_toml = source
        .file
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("toml"));
    for (index, to) in candidates.iter().enumerate() {
        let Some(edited) =
            strata_project::version_source::with_version(&original, is_toml, &source.key, to)
        else {
            bail!(
                "Cannot rewrite `{}` in `{shown}`: its value is not a plain scalar on its key's \
                 line; edit it by hand and run `strata lock {}`",
                source.key,
                engine.name
            );
        };
        strata_fs::write_atomic(&path, edited.as_bytes())?;
        printer.status(&format!(
            "Bumped `{}` from {current} to {to} in `{shown}` ({})",
            engine.name, source.key
        ));
        json.status = BumpStatus::Bumped;
        if args.no_lock {
            return finish(args, &json, ExitStatus::Success, printer);
        }
        json.tried.push(to.to_string());
        // The version file changed: the engine's requirements with it.
        let locked = load_project(global).and_then(|project| {
            let options = strata_lock::LockOptions {
                profiles: vec![engine.name.to_string()],
                index_identity: settings::index_identity(&args.index, &project),
                ..strata_lock::LockOptions::default()
            };
            // The relock's summary goes to stderr as text; `--format json` carries its rows. A
            // release with no solution is not the end while an older one is left to try.
            let no_solution = if index + 1 < candidates.len() {
                Severity::Warning
            } else {
                Severity::Error
            };
            crate::commands::write_locks(
                &project,
                &options,
                &args.index,
                DataFormat::Text,
                no_solution,
                printer,
            )
        });
        if let Ok((ExitStatus::Success, rows)) = &locked {
            json.to = Some(to.to_string());
            json.relocked = true;
            json.locks = rows.clone().unwrap_or_default();
            return finish(args, &json, ExitStatus::Success, printer);
        }
        // The version file and the locks must keep agreeing: this bump did not happen.
        strata_fs::write_atomic(&path, original.as_bytes())?;
        let next = candidates.get(index + 1);
        if let (Ok((ExitStatus::Problems, _)), Some(next)) = (&locked, next) {
            // No solution with this release: the next older one may have one.
            printer.status(&format!(
                "`{}` {to} did not lock; trying {next}, the next release the engine's \
                 requirements allow",
                engine.name
            ));
            continue;
        }
        // The last try found no solution, or a failure that another release would meet as well
        // (the index, the network, the project's files): stop here.
        let no_solution = matches!(locked, Ok((ExitStatus::Problems, _)));
        let message = if json.tried.len() == 1 || !no_solution {
            format!("`{}` {to} could not be locked", engine.name)
        } else {
            format!(
                "none of the {} {}releases the engine's requirements allow locks ({})",
                json.tried.len(),
                if older_allowed.is_empty() {
                    ""
                } else {
                    "newest "
                },
                json.tried.join(", ")
            )
        };
        printer.error(&format!(
            "error: {message}; `{shown}` is back at {current}\n"
        ));
        let (status, rows) = locked?;
        if no_solution && !older_allowed.is_empty() {
            printer.error(&format!(
                "hint: older releases the engine's requirements allow: {}; `strata bump {} \
                 --to VERSION` tries one\n",
                older_allowed.join(", "),
                engine.name
            ));
            json.older_allowed = older_allowed;
        }
        json.status = BumpStatus::Reverted;
        json.locks = rows.unwrap_or_default();
        return finish(args, &json, status, printer);
    }
    unreachable!("the last candidate returns")
}

/// Ends a bump with `status`, printing `json` on stdout with `--format json`.
fn finish(
    args: &BumpArgs,
    json: &BumpJson,
    status: ExitStatus,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    if args.format == DataFormat::Json {
        printer.data(&output::json::render(json)?)?;
    }
    Ok(status)
}
