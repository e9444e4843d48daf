//! `strata profiles` and the project model seen from the command line: the example project,
//! a full-featured pyproject, and every kind of bad input (exit 2 with file, line and remedy).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod build;
mod capture;
mod ci;
mod completions;
mod images;
mod model;
mod run;
mod version;
mod workflow;

use std::path::Path;

use crate::support::{Output, Project, Strata};

/// `strata <args>` in `cwd`, as a user would run it there, with the directory shown as
/// `[TEMP]`.
fn strata_in(cwd: &Path, args: &[&str]) -> Output {
    Strata::new(args).cwd(cwd).hiding(cwd).output()
}

/// `strata <args>` in the project, shown as [`strata_in`] shows it. The cache is the project's
/// own, so a command that gets past loading never touches the machine's.
fn strata(project: &Project, args: &[&str]) -> Output {
    project.strata(args).hiding(project.dir()).output()
}

/// `library.current_version` of one of the example's version files.
pub(crate) fn current_version(project: &Project, file: &str) -> String {
    project
        .read(&format!("engine_versions/{file}.yaml"))
        .lines()
        .find_map(|line| line.trim().strip_prefix("current_version:"))
        .unwrap()
        .trim()
        .trim_matches('"')
        .to_string()
}
