//! Flags, manifest and environment merged into plain values for commands.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use strata_diagnostic::Diagnose;
use strata_index::{ClientOptions, ExplicitIndexes, IndexClient, IndexStrategy, Refresh};
use strata_project::Project;

use crate::args::{IndexArgs, IndexStrategyArg, TargetArgs};
use crate::env_vars;

/// The cache directory, for a command that reads or writes the cache: [`cache_location`],
/// marked as strata's cache (created if missing) so `strata cache clean` knows it may remove it.
pub(crate) fn cache_dir() -> PathBuf {
    let dir = cache_location();
    // A cache that cannot be marked cannot be written either; that is reported where an entry
    // is written, and costs a read-only cache nothing.
    let _ = strata_index::cache::mark(&dir);
    dir
}

/// The cache directory, untouched: `STRATA_CACHE_DIR`, else `$XDG_CACHE_HOME/strata`, else
/// `~/.cache/strata`, else `.strata-cache` in the working directory.
pub(crate) fn cache_location() -> PathBuf {
    let non_empty = |name| env_vars::var(name).filter(|value| !value.is_empty());
    if let Some(dir) = non_empty(env_vars::STRATA_CACHE_DIR) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty(env_vars::XDG_CACHE_HOME) {
        return Path::new(&dir).join("strata");
    }
    if let Some(home) = non_empty(env_vars::HOME) {
        return Path::new(&home).join(".cache").join("strata");
    }
    PathBuf::from(".strata-cache")
}

/// The index variables, read through the registry.
fn index_env(name: &str) -> Option<String> {
    debug_assert!(
        env_vars::INDEX_VARIABLES.contains(&name),
        "`{name}` must be listed in env_vars::INDEX_VARIABLES"
    );
    env_vars::var(name)
}

/// An index client from the flags and, when there is one, the project's manifest.
///
/// `targets` are the environments the command resolves for: listings keep only the wheels
/// that fit one of them (see `ClientOptions::targets`).
pub(crate) fn index_client(
    args: &IndexArgs,
    project: Option<&Project>,
    targets: Vec<strata_dist::Target>,
) -> Result<IndexClient> {
    index_client_with(args, project, &[], targets)
}

fn explicit_indexes(args: &IndexArgs, project: Option<&Project>) -> ExplicitIndexes {
    ExplicitIndexes {
        cli_index_url: args.index_url.clone(),
        cli_extra_index_urls: args.extra_index_url.clone(),
        cli_find_links: args.find_links.clone(),
        manifest_index_url: project.and_then(|project| project.index.index_url.clone()),
        manifest_extra_index_urls: project
            .map(|project| project.index.extra_index_urls.clone())
            .unwrap_or_default(),
        manifest_find_links: project
            .map(|project| project.index.find_links.clone())
            .unwrap_or_default(),
    }
}

/// What the index configuration depends on, for lock fingerprints (no subprocess, no request).
///
/// `[tool.strata.sources]` and `explicit` indexes are added only when the manifest has them,
/// so that the locks of a project without them keep their fingerprints.
pub(crate) fn index_identity(args: &IndexArgs, project: &Project) -> String {
    let mut identity = strata_index::config::identity(&explicit_indexes(args, Some(project)));
    if !project.index.sources.is_empty() {
        let sources: Vec<String> = project
            .index
            .sources
            .iter()
            .map(|(package, source)| {
                let declared = project
                    .index
                    .named
                    .get(&source.index)
                    .map(|index| strata_index::redact_text(&index.declared))
                    .unwrap_or_default();
                format!("{package}={}={declared}", source.index)
            })
            .collect();
        let _ = write!(identity, " sources={sources:?}");
    }
    let explicit: Vec<&String> = project
        .index
        .named
        .iter()
        .filter(|(_, index)| index.explicit)
        .map(|(name, _)| name)
        .collect();
    if !explicit.is_empty() {
        let _ = write!(identity, " explicit-indexes={explicit:?}");
    }
    identity
}

/// The indexes the flags, the manifest, the environment and pip's configuration name, with
/// `named_indexes` (an engine's own indexes) first and the project's `[tool.strata.sources]`
/// bound to their indexes.
pub(crate) fn index_config(
    args: &IndexArgs,
    project: Option<&Project>,
    named_indexes: &[String],
) -> Result<strata_index::IndexConfig> {
    let explicit = explicit_indexes(args, project);
    let python = PathBuf::from("python3");
    let cache = cache_dir();
    let mut config = strata_index::config::resolve(&explicit, &index_env, &|| {
        strata_index::pip_default_index_cached(&python, &cache)
    })
    .diagnosed()?;
    // The engine's indexes come first, before the extra indexes (which come before the
    // default index); with the first-index strategy a package they have is taken only from
    // them.
    let mut indexes = named_indexes
        .iter()
        .map(|url| strata_index::IndexUrl::parse(url))
        .collect::<Result<Vec<_>, _>>()
        .context("Invalid URL of a named index")?;
    indexes.append(&mut config.extra_index_urls);
    config.extra_index_urls = indexes;
    if let Some(project) = project {
        for (package, url) in project.bound_indexes().diagnosed()? {
            let index =
                strata_index::IndexUrl::parse(&url).context("Invalid URL of a named index")?;
            config.bound.push((package, index));
        }
    }
    Ok(config)
}

/// An index client whose configuration puts `named_indexes` (an engine's own indexes) first.
pub(crate) fn index_client_with(
    args: &IndexArgs,
    project: Option<&Project>,
    named_indexes: &[String],
    targets: Vec<strata_dist::Target>,
) -> Result<IndexClient> {
    let config = index_config(args, project, named_indexes)?;
    let mut options = ClientOptions::new(cache_dir());
    options.offline = args.offline;
    options.netrc = env_vars::var(env_vars::NETRC)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| env_vars::var(env_vars::HOME).map(|home| Path::new(&home).join(".netrc")));
    options.targets = targets;
    options.concurrency = args.concurrency.max(1);
    options.http_timeout = http_timeout(args)?;
    options.index_strategy = match args.index_strategy {
        IndexStrategyArg::FirstIndex => IndexStrategy::FirstIndex,
        IndexStrategyArg::UnsafeBestMatch => IndexStrategy::UnsafeBestMatch,
    };
    options.refresh = if args.refresh {
        Refresh::All
    } else if args.refresh_package.is_empty() {
        Refresh::None
    } else {
        Refresh::Packages(
            args.refresh_package
                .iter()
                .map(|name| pep508_rs::PackageName::new(name.clone()))
                .collect::<Result<HashSet<_>, _>>()
                .context("Invalid package name in `--refresh-package`")?,
        )
    };
    Ok(IndexClient::new(config, options).diagnosed()?)
}

/// The deadline of each request: `--http-timeout`, else `STRATA_HTTP_TIMEOUT`, else the
/// client's default. A variable set to nothing counts as unset, as for `STRATA_CACHE_DIR`.
fn http_timeout(args: &IndexArgs) -> Result<std::time::Duration> {
    if let Some(timeout) = args.http_timeout {
        return Ok(timeout);
    }
    match env_vars::var(env_vars::STRATA_HTTP_TIMEOUT).filter(|value| !value.trim().is_empty()) {
        Some(value) => crate::args::parse_seconds(&value).map_err(|reason| {
            anyhow::anyhow!(
                "Invalid `{}`: {reason}; set it to the seconds each request may take, or unset it",
                env_vars::STRATA_HTTP_TIMEOUT
            )
        }),
        None => Ok(ClientOptions::DEFAULT_HTTP_TIMEOUT),
    }
}

/// Every distinct target of the project's profiles and engines (those with both settings).
pub(crate) fn project_targets(project: &Project) -> Vec<strata_dist::Target> {
    let mut targets: Vec<strata_dist::Target> = Vec::new();
    for spec in project
        .profiles
        .values()
        .flat_map(|profile| &profile.targets)
    {
        if let Ok(target) = spec.target()
            && !targets.contains(&target)
        {
            targets.push(target);
        }
    }
    targets
}

/// The target: flags, else the project's (first) default, else Python 3.12 on
/// `x86_64-manylinux_2_28`.
pub(crate) fn target(args: &TargetArgs, project: Option<&Project>) -> Result<strata_dist::Target> {
    let defaults = project.map(|project| &project.targets[0]);
    let python = match &args.python_version {
        Some(flag) => flag.parse().map_err(strata_dist::Error::from)?,
        None => defaults
            .and_then(|target| target.python_version)
            .unwrap_or(strata_dist::PythonVersion::new(3, 12, None)),
    };
    let platform = match &args.python_platform {
        Some(flag) => flag.parse().map_err(strata_dist::Error::from)?,
        None => match defaults.and_then(|target| target.python_platform) {
            Some(platform) => platform,
            None => "x86_64-manylinux_2_28"
                .parse()
                .map_err(strata_dist::Error::from)?,
        },
    };
    Ok(strata_dist::Target::new(python, platform))
}
