//! `strata outdated`: engines whose version file is behind the index.

use std::fmt::Write;

use anyhow::{Result, bail};
use pep440_rs::Version;
use serde::Serialize;
use strata_project::{IndexUnavailable, Profile, Project};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, OutdatedArgs};
use crate::commands::load_project;
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
    /// Why the engine was not looked up, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
}

pub(crate) fn outdated(
    global: &GlobalArgs,
    args: &OutdatedArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    for name in &args.engines {
        if !project.engines().any(|engine| engine.name.as_str() == name) {
            let known: Vec<String> = project
                .engines()
                .map(|engine| format!("`{}`", engine.name))
                .collect();
            bail!("No engine `{name}`; the project has {}", known.join(", "));
        }
    }
    let mut rows = Vec::new();
    for engine in project.engines().filter(|engine| {
        args.engines.is_empty() || args.engines.iter().any(|name| name == engine.name.as_str())
    }) {
        rows.push(row(&project, engine, args)?);
    }
    let behind = rows.iter().any(|row| !row.newer.is_empty());
    let text = match args.format {
        DataFormat::Json => {
            let mut json = serde_json::to_string_pretty(&rows)?;
            json.push('\n');
            json
        }
        DataFormat::Text => render(&rows),
    };
    printer.data(&text)?;
    Ok(if args.exit_code && behind {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

fn row(project: &Project, engine: &Profile, args: &OutdatedArgs) -> Result<EngineRow> {
    let details = engine
        .engine
        .as_ref()
        .expect("engines() yields profiles with engine details");
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
        skipped: None,
    };
    let named = strata_lock::engine_index_urls(project, &engine.name);
    if named.len() < details.indexes.len() {
        let unset: Vec<String> = details
            .indexes
            .iter()
            .filter(|index| project.index.named[*index].url.is_none())
            .map(|index| {
                let variables: Vec<String> = project.index.named[index]
                    .unset_variables
                    .iter()
                    .map(|variable| format!("`{variable}`"))
                    .collect();
                format!("`{index}` ({} not set)", variables.join(", "))
            })
            .collect();
        let reason = format!("its index {} is not configured", unset.join(", "));
        if details.when_index_unavailable == IndexUnavailable::Fail {
            bail!("Engine `{}`: {reason}", engine.name);
        }
        row.skipped = Some(reason);
        return Ok(row);
    }
    let target = strata_lock::profile_target(project, &engine.name)?;
    let client =
        settings::index_client_with(&args.index, Some(project), &named, vec![target.clone()])?;
    let listing = strata_index::block_on(client.project(&details.package))??;
    let mut newer: Vec<&Version> = Vec::new();
    let candidates = listing.versions(&target);
    for candidate in &candidates {
        if candidate.version > details.version
            && candidate.is_installable()
            && !candidate.yanked
            && (!candidate.version.any_prerelease() || details.version.any_prerelease())
        {
            newer.push(&candidate.version);
        }
    }
    newer.sort();
    row.newer = newer.into_iter().map(ToString::to_string).collect();
    Ok(row)
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
            (None, Some(newest)) => writeln!(
                out,
                "{:<16} {:<12} {newest} is out ({} newer release{}); the version is in {}",
                row.engine,
                row.current,
                row.newer.len(),
                if row.newer.len() == 1 { "" } else { "s" },
                row.version_file
            ),
        };
    }
    out
}
