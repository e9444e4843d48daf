//! `strata compile`: one requirements file to a pinned, hashed lock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use pep508_rs::{PackageName, Requirement};
use strata_lock::{Lock, describe_origin, requirements_txt};
use strata_resolve::{
    BinaryPolicy, Origins, PrereleaseMode, ResolveError, ResolveRequest, Resolver, Upgrade,
};

use crate::ExitStatus;
use crate::args::{CompileArgs, GlobalArgs, PrereleaseArg};
use crate::commands::try_load_project;
use crate::printer::Printer;
use crate::settings;

pub(crate) fn compile(
    global: &GlobalArgs,
    args: &CompileArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = try_load_project(global).ok().flatten();
    let target = settings::target(&args.target, project.as_ref())?;
    let cwd = Path::new(".");
    let input = strata_project::read_requirements_file(&args.input, cwd)?;
    // Where every line was written, so that a failure names the lines that clash.
    let mut origins = Origins::default();
    for sourced in &input.requirements {
        origins.requirement(&sourced.requirement, describe_origin(&sourced.origin));
    }
    for sourced in &input.constraints {
        origins.constraint(&sourced.requirement, describe_origin(&sourced.origin));
    }
    let mut constraints: Vec<Requirement> = input
        .constraints
        .iter()
        .map(|sourced| sourced.requirement.clone())
        .collect();
    for path in &args.constraints {
        let file = strata_project::read_requirements_file(path, cwd)?;
        for sourced in file.requirements {
            origins.constraint(&sourced.requirement, describe_origin(&sourced.origin));
            constraints.push(sourced.requirement);
        }
    }
    let mut overrides = Vec::new();
    for path in &args.overrides {
        let file = strata_project::read_requirements_file(path, cwd)?;
        for sourced in file.requirements {
            origins.override_(&sourced.requirement, describe_origin(&sourced.origin));
            overrides.push(sourced.requirement);
        }
    }
    let preferences = match &args.output_file {
        Some(path) if path.is_file() => {
            let text = strata_fs::fs_err::read_to_string(path)?;
            requirements_txt::read_pins(&text)
                .with_context(|| format!("Failed to read the pins of `{}`", path.display()))?
        }
        _ => HashMap::new(),
    };
    let mut request = ResolveRequest::new(
        target.clone(),
        input
            .requirements
            .iter()
            .map(|sourced| sourced.requirement.clone())
            .collect(),
    );
    request.constraints = constraints;
    request.overrides = overrides;
    request.origins = origins;
    request.preferences = preferences;
    request.upgrade = if args.upgrade {
        Upgrade::All
    } else if args.upgrade_package.is_empty() {
        Upgrade::None
    } else {
        Upgrade::Packages(package_names(&args.upgrade_package)?)
    };
    request.prerelease = match args.prerelease {
        PrereleaseArg::Allow => PrereleaseMode::Allow,
        PrereleaseArg::IfNecessaryOrExplicit => PrereleaseMode::IfNecessaryOrExplicit,
    };
    request.binary = binary_policy(&args.only_binary, &args.no_binary)?;
    if input.options.pre {
        request.prerelease = PrereleaseMode::Allow;
    }

    let client = settings::index_client(&args.index, project.as_ref(), vec![target.clone()])?;
    printer.status(&format!(
        "Resolving `{}` for {target}",
        args.input.display()
    ));
    let started = std::time::Instant::now();
    let resolver = Resolver::new(client)?;
    let watched = resolver.client().clone();
    let progress = printer.progress(move || progress_line(&watched));
    let resolved = resolver.resolve(&request);
    drop(progress);
    let resolution = match resolved {
        Ok(resolution) => resolution,
        Err(error @ ResolveError::NoSolution(_)) => {
            printer.error(&crate::diagnostics::render(&anyhow::Error::new(error)));
            return Ok(ExitStatus::Problems);
        }
        Err(error) => return Err(error.into()),
    };
    for package in resolution.packages.values() {
        for warning in package.missing_extra_warnings() {
            printer.warning(&warning);
        }
    }

    // `# via` names the file (and include) each top-level requirement was written in.
    let mut sources: HashMap<PackageName, BTreeSet<String>> = HashMap::new();
    for sourced in &input.requirements {
        let source = match &sourced.origin {
            strata_project::Origin::File { path, .. } => format!("-r {}", path.display()),
            other => other.to_string(),
        };
        sources
            .entry(sourced.requirement.name.clone())
            .or_default()
            .insert(source);
    }
    let mut lock = Lock::from_resolution(
        &resolution,
        &|requirement| {
            sources
                .get(&requirement.name)
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default()
        },
        args.generate_hashes,
    );
    lock.header = vec![
        String::new(),
        format!("This file was generated by strata for {target} via the following command:"),
        String::new(),
        format!("   {}", command_line(args)),
        String::new(),
    ];
    let text = requirements_txt::write(&lock);
    if let Some(path) = &args.output_file {
        let changed = strata_fs::write_atomic_if_changed(path, text.as_bytes())
            .with_context(|| format!("Failed to write `{}`", path.display()))?;
        printer.status(&format!(
            "Resolved {} packages in {:.2}s; {} `{}`",
            lock.packages.len(),
            started.elapsed().as_secs_f64(),
            if changed { "wrote" } else { "unchanged:" },
            path.display()
        ));
    } else {
        printer.data(&text)?;
        printer.status(&format!(
            "Resolved {} packages in {:.2}s",
            lock.packages.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    let stats = resolver.client().stats();
    printer.verbose(&format!(
        "{} requests, {} bytes; metadata: {} cached, {} fetched",
        stats.requests, stats.bytes, stats.metadata_cached, stats.metadata_fetched
    ));
    Ok(ExitStatus::Success)
}

/// What the spinner says while a resolution runs: the index work done so far.
#[expect(clippy::cast_precision_loss, reason = "megabytes for people")]
pub(crate) fn progress_line(client: &strata_index::IndexClient) -> String {
    let stats = client.stats();
    format!(
        "Resolving: {} pages, {} metadata files ({} cached), {:.1} MB downloaded",
        stats.pages_downloaded + stats.pages_cached + stats.pages_not_modified,
        stats.metadata_fetched + stats.metadata_cached,
        stats.metadata_cached,
        stats.bytes as f64 / 1e6
    )
}

fn package_names(names: &[String]) -> Result<HashSet<PackageName>> {
    names
        .iter()
        .map(|name| {
            PackageName::new(name.clone()).with_context(|| format!("Invalid package name `{name}`"))
        })
        .collect()
}

fn binary_policy(only_binary: &[String], no_binary: &[String]) -> Result<BinaryPolicy> {
    let split = |values: &[String]| -> Result<(bool, HashSet<PackageName>)> {
        let all = values.iter().any(|value| value == ":all:");
        let names: Vec<String> = values
            .iter()
            .filter(|value| *value != ":all:" && *value != ":none:")
            .cloned()
            .collect();
        Ok((all, package_names(&names)?))
    };
    let (only_binary_all, only_binary) = split(only_binary)?;
    let (no_binary_all, no_binary) = split(no_binary)?;
    Ok(BinaryPolicy {
        no_binary,
        no_binary_all,
        only_binary,
        only_binary_all,
    })
}

/// The command as the header records it: stable across machines (no absolute paths, no
/// index URLs, which may carry credentials).
fn command_line(args: &CompileArgs) -> String {
    let mut parts = vec!["strata compile".to_string()];
    if args.generate_hashes {
        parts.push("--generate-hashes".to_string());
    }
    for path in &args.constraints {
        parts.push(format!("-c {}", path.display()));
    }
    if let Some(path) = &args.output_file {
        parts.push(format!("-o {}", path.display()));
    }
    parts.push(args.input.display().to_string());
    parts.join(" ")
}
