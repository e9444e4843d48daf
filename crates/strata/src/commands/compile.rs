//! `strata compile`: one requirements file to a pinned, hashed lock.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use pep508_rs::{PackageName, Requirement};
use strata_diagnostic::{Diagnose, Diagnosed};
use strata_lock::describe_origin;
use strata_lockfile::requirements_txt;
use strata_resolve::{
    BinaryPolicy, Origins, PrereleaseMode, ResolveError, ResolveRequest, Resolver, Upgrade,
};

use crate::ExitStatus;
use crate::args::{
    CompileArgs, DataFormat, GlobalArgs, IndexArgs, IndexStrategyArg, PrereleaseArg,
};
use crate::commands::try_load_project;
use crate::output;
use crate::output::compile::{CompileJson, packages};
use crate::printer::Printer;
use crate::settings;

pub(crate) fn compile(
    global: &GlobalArgs,
    args: &CompileArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    // A manifest that is there but does not read is an error, not a reason to compile without
    // its index settings and target.
    let project = try_load_project(global)?;
    let target = settings::target(&args.target, project.as_ref())?;
    let cwd = Path::new(".");
    let input = strata_project::read_requirements_file(&args.input, cwd).diagnosed()?;
    if args.generate_hashes {
        input.require_hashes().diagnosed()?;
    }
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
    // Every file of the command is read whole: its options count, and what its own `-c`
    // lines include stays a constraint.
    let mut options_from = vec![input.clone()];
    for path in &args.constraints {
        let file = strata_project::read_constraints_file(path, cwd).diagnosed()?;
        for sourced in &file.constraints {
            origins.constraint(&sourced.requirement, describe_origin(&sourced.origin));
            constraints.push(sourced.requirement.clone());
        }
        options_from.push(file);
    }
    let mut overrides = Vec::new();
    for path in &args.overrides {
        let file = strata_project::read_requirements_file(path, cwd).diagnosed()?;
        if args.generate_hashes {
            file.require_hashes().diagnosed()?;
        }
        for sourced in &file.requirements {
            origins.override_(&sourced.requirement, describe_origin(&sourced.origin));
            overrides.push(sourced.requirement.clone());
        }
        for sourced in &file.constraints {
            origins.constraint(&sourced.requirement, describe_origin(&sourced.origin));
            constraints.push(sourced.requirement.clone());
        }
        options_from.push(file);
    }
    // Every warning goes to stderr as it comes, and into `--format json`'s `warnings`.
    let mut warnings: Vec<String> = Vec::new();
    let mut warn = |printer: &mut Printer, warning: String| {
        printer.warning(&warning);
        warnings.push(warning);
    };
    let index_args = file_index_args(&args.index, &options_from, &mut |warning| {
        warn(printer, warning);
    });
    let (preferences, locked_urls) = match &args.output_file {
        Some(path) if path.is_file() => {
            let text = strata_fs::fs_err::read_to_string(path)?;
            let pins = requirements_txt::read_pins(&text)
                .with_context(|| format!("Failed to read the pins of `{}`", path.display()))?;
            // A git requirement keeps the commit the output pins (see `locked_urls`).
            let urls = requirements_txt::read(&text)
                .map(|lock| {
                    lock.packages
                        .into_iter()
                        .filter_map(|package| Some((package.name, package.url?)))
                        .collect()
                })
                .unwrap_or_default();
            (pins, urls)
        }
        _ => (HashMap::new(), HashMap::new()),
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
    request.locked_urls = locked_urls;
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
    if options_from.iter().any(|file| file.options.pre) {
        request.prerelease = PrereleaseMode::Allow;
    }

    let client = settings::index_client(&index_args, project.as_ref(), vec![target.clone()])?;
    printer.status(&format!(
        "Resolving `{}` for {target}",
        args.input.display()
    ));
    let started = std::time::Instant::now();
    let resolver = Resolver::new(client).diagnosed()?;
    let watched = resolver.client().clone();
    let progress = printer.progress(move || progress_line(&watched));
    let resolved = resolver.resolve(&request);
    drop(progress);
    for rejected in resolver.client().rejected_files() {
        warn(printer, rejected.to_string());
    }
    let resolution = match resolved {
        Ok(resolution) => resolution,
        Err(error @ ResolveError::NoSolution(_)) => {
            printer.error(&crate::diagnostics::render(&anyhow::Error::new(
                Diagnosed::from(error),
            )));
            return Ok(ExitStatus::Problems);
        }
        Err(error) => return Err(Diagnosed::from(error).into()),
    };
    for package in resolution.packages.values() {
        for warning in package.missing_extra_warnings() {
            warn(printer, warning);
        }
        if let Some(warning) = package.yanked_warning() {
            warn(printer, warning);
        }
    }
    for warning in unused_index_warnings(
        std::slice::from_ref(resolver.client()),
        args.index.index_strategy,
    ) {
        warn(printer, warning);
    }

    // `# via` names the file (and include) each top-level requirement was written in.
    let mut lock = strata_lock::lock_from_resolution(
        &resolution,
        &input.requirements,
        None,
        args.generate_hashes,
    );
    lock.header = strata_lockfile::header::compile_lines(&target, &command_line(args));
    lock.options = strata_lock::index_options(
        project.as_ref(),
        &index_args.extra_index_url,
        &resolution,
        None,
    );
    for links in explicit_find_links(&index_args, project.as_ref()) {
        let line = format!("--find-links {}", without_credentials(&links));
        if !lock.options.contains(&line) {
            lock.options.push(line);
        }
    }
    let text = requirements_txt::write(&lock);
    let mut json = CompileJson {
        input: args.input.display().to_string(),
        python_version: target.python().to_string(),
        python_platform: target.platform().to_string(),
        output_file: args
            .output_file
            .as_ref()
            .map(|path| path.display().to_string()),
        written: false,
        packages: packages(&lock),
        warnings,
        lock: None,
    };
    if let Some(path) = &args.output_file {
        json.written = strata_fs::write_atomic_if_changed(path, text.as_bytes())
            .with_context(|| format!("Failed to write `{}`", path.display()))?;
        printer.status(&format!(
            "Resolved {} packages in {:.2}s; {} `{}`",
            lock.packages.len(),
            started.elapsed().as_secs_f64(),
            if json.written { "wrote" } else { "unchanged:" },
            path.display()
        ));
    } else {
        if args.format == DataFormat::Text {
            printer.data(&text)?;
        } else {
            json.lock = Some(text);
        }
        printer.status(&format!(
            "Resolved {} packages in {:.2}s",
            lock.packages.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    if args.format == DataFormat::Json {
        printer.data(&output::json::render(&json)?)?;
    }
    let stats = resolver.client().stats();
    printer.verbose(&format!(
        "{} requests, {} bytes; metadata: {} cached, {} fetched",
        stats.requests, stats.bytes, stats.metadata_cached, stats.metadata_fetched
    ));
    // The process ends right after this command: dropping the resolver would free every page
    // and metadata entry one at a time and stop the runtime's threads, only for the kernel to
    // take back the same memory at exit anyway.
    std::mem::forget(resolver);
    Ok(ExitStatus::Success)
}

/// The `--find-links` the command line and the input files give, else the manifest's: what
/// the lock must carry for pip to find the files it pins there. The machine's own settings
/// (pip's configuration, `PIP_FIND_LINKS`) stay out of a file meant to be committed.
fn explicit_find_links(
    index: &IndexArgs,
    project: Option<&strata_project::Project>,
) -> Vec<String> {
    if index.find_links.is_empty() {
        project
            .map(|project| project.index.find_links.clone())
            .unwrap_or_default()
    } else {
        index.find_links.clone()
    }
}

/// A find-links URL without its `user:password@`, which must never reach a lock.
fn without_credentials(links: &str) -> String {
    let Some((scheme, rest)) = links.split_once("://") else {
        return links.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => links.to_string(),
    }
}

/// The index flags with the files' own index options added, as pip-compile reads them: a
/// file's `--extra-index-url` and `--find-links` join the command line's, and its
/// `--index-url` applies unless `--index-url` is given (then the file's is named as overridden,
/// to `warn`).
fn file_index_args(
    flags: &IndexArgs,
    files: &[strata_project::RequirementsFile],
    warn: &mut dyn FnMut(String),
) -> IndexArgs {
    let mut index = flags.clone();
    for file in files {
        if let Some(url) = &file.options.index_url {
            let origin = file
                .option_lines
                .iter()
                .rev()
                .find(|line| line.option == "--index-url")
                .map(|line| line.origin.to_string())
                .unwrap_or_default();
            match &flags.index_url {
                Some(flag) if flag.trim_end_matches('/') != url.trim_end_matches('/') => {
                    // Not the URL itself: it may carry credentials.
                    warn(format!(
                        "The `--index-url` of {origin} is overridden by the command line's `--index-url`"
                    ));
                }
                Some(_) => {}
                None => index.index_url = Some(url.clone()),
            }
        }
        for url in &file.options.extra_index_urls {
            if !index.extra_index_url.contains(url) {
                index.extra_index_url.push(url.clone());
            }
        }
        for links in &file.options.find_links {
            if !index.find_links.contains(links) {
                index.find_links.push(links.clone());
            }
        }
    }
    index
}

/// Says which configured indexes gave no package to the resolutions `clients` served, one
/// warning each: an index the strategy never took anything from must not look like it took
/// part in the lock.
pub(crate) fn unused_index_warnings(
    clients: &[strata_index::IndexClient],
    strategy: IndexStrategyArg,
) -> Vec<String> {
    let taken: Vec<strata_index::IndexUrl> = clients
        .iter()
        .flat_map(strata_index::IndexClient::indexes_taken_from)
        .collect();
    if taken.is_empty() {
        // Nothing was looked up (or everything came from `--find-links`): no verdict.
        return Vec::new();
    }
    let mut unused: Vec<&strata_index::IndexUrl> = Vec::new();
    for index in clients.iter().flat_map(|client| client.config().indexes()) {
        if !taken.contains(index) && !unused.contains(&index) {
            unused.push(index);
        }
    }
    let mut warnings = Vec::new();
    for index in unused {
        let first_everywhere = clients.iter().all(|client| {
            client
                .config()
                .indexes()
                .position(|known| known == index)
                .is_none_or(|position| position == 0)
        });
        let why = match strategy {
            IndexStrategyArg::FirstIndex if !first_everywhere => {
                "`--index-strategy first-index` takes each package from the first index that has \
                 it, and an earlier one had every package; remove it, bind the packages it is \
                 for to it in `[tool.strata.sources]`, name it in an engine's `indexes` to put \
                 it first there, or pass `--index-strategy unsafe-best-match` to merge indexes"
            }
            IndexStrategyArg::FirstIndex | IndexStrategyArg::UnsafeBestMatch => {
                "it has none of the packages resolved"
            }
        };
        warnings.push(format!(
            "No package was taken from the index `{index}`: {why}"
        ));
    }
    warnings
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
