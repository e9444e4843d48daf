//! `strata index versions` and `strata index metadata`: the index client seen from outside.

use std::fmt::Write;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Serialize;
use strata_diagnostic::Diagnose;
use strata_index::{IndexClient, VersionCandidate};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, IndexMetadataArgs, IndexVersionsArgs};
use crate::commands::try_load_project;
use crate::output;
use crate::printer::Printer;
use crate::settings;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one JSON field per flag is the output schema"
)]
struct VersionRow {
    version: String,
    yanked: bool,
    prerelease: bool,
    installable: bool,
    excluded_by_requires_python: bool,
    file: Option<String>,
}

pub(crate) fn versions(
    global: &GlobalArgs,
    args: &IndexVersionsArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = try_load_project(global)?;
    let target = settings::target(&args.target, project.as_ref())?;
    let client = settings::index_client(&args.index, project.as_ref(), vec![target.clone()])?;
    let name = PackageName::new(args.package.clone()).context("Invalid package name")?;
    let listing = strata_index::block_on(client.project(&name))
        .diagnosed()?
        .diagnosed()?;
    let rows: Vec<VersionRow> = listing
        .versions(&target)
        .iter()
        .map(|candidate| VersionRow {
            version: candidate.version.to_string(),
            yanked: candidate.yanked,
            prerelease: candidate.version.any_prerelease(),
            installable: candidate.is_installable(),
            excluded_by_requires_python: candidate.excluded_by_requires_python,
            file: candidate.preferred_file().map(strata_index::DistFile::name),
        })
        .collect();
    let text = match args.format {
        DataFormat::Json => output::json::render(&serde_json::json!({
            "package": name.to_string(),
            "target": { "python-version": target.python().to_string(), "python-platform": target.platform().name() },
            "indexes": listing.indexes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "versions": rows,
        }))?,
        DataFormat::Text => {
            let mut out = String::new();
            for row in &rows {
                let mut marks = Vec::new();
                if row.yanked {
                    marks.push("yanked");
                }
                if row.prerelease {
                    marks.push("pre-release");
                }
                if row.excluded_by_requires_python {
                    marks.push("requires-python");
                } else if row.file.is_none() {
                    marks.push("no file for target");
                }
                let _ = writeln!(
                    out,
                    "{:<16} {:<40} {}",
                    row.version,
                    row.file.as_deref().unwrap_or("-"),
                    marks.join(", ")
                );
            }
            out
        }
    };
    printer.data(&text)?;
    report_stats(&client, printer);
    Ok(ExitStatus::Success)
}

pub(crate) fn metadata(
    global: &GlobalArgs,
    args: &IndexMetadataArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = try_load_project(global)?;
    let target = settings::target(&args.target, project.as_ref())?;
    let client = settings::index_client(&args.index, project.as_ref(), vec![target.clone()])?;
    let Some((name, version)) = args.requirement.split_once("==") else {
        bail!("Expected `NAME==VERSION`, got `{}`", args.requirement);
    };
    let name = PackageName::new(name.trim().to_string()).context("Invalid package name")?;
    let version = Version::from_str(version.trim()).context("Invalid version")?;
    let (fetched, file) = strata_index::block_on(async {
        let listing = client.project(&name).await.diagnosed()?;
        let candidates = listing.versions(&target);
        let Some(candidate) = candidates
            .iter()
            .find(|candidate| candidate.version == version)
        else {
            let known: Vec<String> = candidates
                .iter()
                .take(8)
                .map(|candidate| candidate.version.to_string())
                .collect();
            bail!(
                "`{name}` has no version `{version}` on {}; newest: {}",
                listing
                    .indexes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                known.join(", ")
            );
        };
        let file = preferred(candidate, &name, &version, &target)?;
        let fetched = client.metadata(&name, file).await.diagnosed()?;
        Ok((fetched, file.clone()))
    })
    .diagnosed()??;
    let metadata = &fetched.metadata;
    let size = file.size;
    let text = match args.format {
        DataFormat::Json => output::json::render(&serde_json::json!({
            "name": metadata.name.to_string(),
            "version": metadata.version.to_string(),
            "file": file.name(),
            "file-size": size,
            "source": fetched.source,
            "bytes-downloaded": fetched.bytes,
            "requires-python": metadata.requires_python.as_ref().map(ToString::to_string),
            "provides-extra": metadata.provides_extra.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "requires-dist": metadata.requires_dist.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))?,
        DataFormat::Text => {
            let mut out = String::new();
            if let Some(requires_python) = &metadata.requires_python {
                let _ = writeln!(out, "Requires-Python: {requires_python}");
            }
            for extra in &metadata.provides_extra {
                let _ = writeln!(out, "Provides-Extra: {extra}");
            }
            for requirement in &metadata.requires_dist {
                let _ = writeln!(out, "Requires-Dist: {requirement}");
            }
            out
        }
    };
    printer.data(&text)?;
    printer.verbose(&format!(
        "Read the metadata of `{}`{} from {:?}, downloading {} bytes{}",
        file.name(),
        size.map(|size| format!(" ({size} bytes)"))
            .unwrap_or_default(),
        fetched.source,
        fetched.bytes,
        size.filter(|size| *size > 0)
            .map(|size| format!(" ({:.3}% of the file)", percent(fetched.bytes, size)))
            .unwrap_or_default()
    ));
    report_stats(&client, printer);
    Ok(ExitStatus::Success)
}

fn preferred<'a>(
    candidate: &'a VersionCandidate<'a>,
    name: &PackageName,
    version: &Version,
    target: &strata_dist::Target,
) -> Result<&'a strata_index::DistFile> {
    candidate.preferred_file().with_context(|| {
        format!(
            "`{name}=={version}` has no wheel for Python {} on `{}` and no sdist",
            target.python(),
            target.platform().name()
        )
    })
}

/// `part` as a percentage of `whole`; precision loss above 2^52 bytes does not matter here.
#[expect(
    clippy::cast_precision_loss,
    reason = "a percentage for people, not arithmetic"
)]
fn percent(part: u64, whole: u64) -> f64 {
    part as f64 * 100.0 / whole as f64
}

fn report_stats(client: &IndexClient, printer: &mut Printer) {
    let stats = client.stats();
    printer.verbose(&format!(
        "{} requests, {} bytes; pages: {} cached, {} not modified, {} downloaded; metadata: {} cached, {} fetched",
        stats.requests,
        stats.bytes,
        stats.pages_cached,
        stats.pages_not_modified,
        stats.pages_downloaded,
        stats.metadata_cached,
        stats.metadata_fetched
    ));
}
