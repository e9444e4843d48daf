//! One module per command: sequencing of library calls, no domain rules.

use std::path::Path;

use anyhow::Result;
use strata_diagnostic::Diagnose;
use strata_project::Project;

use crate::args::GlobalArgs;
use crate::env_vars;

mod build;
mod cache;
mod capture;
mod check;
mod ci;
pub(crate) mod compile;
mod completions;
mod conflicts;
mod contracts;
mod diff;
mod drift;
mod images;
mod index;
mod lock;
mod outdated;
mod profiles;
pub(crate) mod run;
mod subject;
mod sync;
mod tree;
mod version;
mod why;

pub(crate) use build::build;
pub(crate) use cache::cache;
pub(crate) use capture::capture;
pub(crate) use check::check;
pub(crate) use ci::{ci_plan, ci_run, ci_workflow};
pub(crate) use compile::compile;
pub(crate) use completions::completions;
pub(crate) use conflicts::conflicts;
pub(crate) use contracts::contracts;
pub(crate) use diff::diff;
pub(crate) use images::images;
pub(crate) use index::{metadata as index_metadata, versions as index_versions};
pub(crate) use lock::{Resolvers, lock, write_locks};
pub(crate) use outdated::{bump, outdated};
pub(crate) use profiles::profiles;
pub(crate) use run::run;
pub(crate) use subject::open_subject;
pub(crate) use sync::sync;
pub(crate) use tree::tree;
pub(crate) use version::version;
pub(crate) use why::why;

/// Loads the project named by `--project`, or discovers it from the working directory.
pub(crate) fn load_project(global: &GlobalArgs) -> Result<Project> {
    let env = |name: &str| env_vars::var(name);
    let project = match &global.project {
        Some(path) => Project::load(path, &env).diagnosed()?,
        None => Project::discover(Path::new("."), &env).diagnosed()?,
    };
    Ok(project)
}

/// The project, when the command runs inside one (or `--project` names one); commands that
/// can work without a project use its settings only when present.
pub(crate) fn try_load_project(global: &GlobalArgs) -> Result<Option<Project>> {
    if global.project.is_some() {
        return load_project(global).map(Some);
    }
    match strata_project::find_manifest(&std::env::current_dir()?) {
        Ok(_) => load_project(global).map(Some),
        Err(_) => Ok(None),
    }
}

/// `git ARGS` in `dir`: its stdout, or an error naming the command and quoting git's stderr.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String> {
    use anyhow::Context as _;
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("Cannot run `git`: is it installed and on PATH?")?;
    if !output.status.success() {
        anyhow::bail!(
            "`git {}` failed in `{}`: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Shows `path` relative to the working directory when it is inside it, as users type paths.
pub(crate) fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
        .trim_start_matches("./")
        .to_string()
}

/// A lock's text by its file name: `*.toml` is a `pylock.toml`, anything else `requirements.txt`.
pub(crate) fn parse_lock(text: &str, path: &Path) -> Result<strata_lockfile::Lock> {
    if path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("toml"))
    {
        return Ok(strata_lockfile::pylock_toml::read(text)
            .map_err(|error| error.with_path(display_path(path)))
            .diagnosed()?);
    }
    strata_lockfile::requirements_txt::read(text).map_err(|error| {
        anyhow::anyhow!(
            "{}:{}: {}; a lock pins every requirement with `==`",
            display_path(path),
            error.line,
            error.reason
        )
    })
}
