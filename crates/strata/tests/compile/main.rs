//! `strata compile` from the command line, on the loopback index: the lock it writes installs
//! with real pip (`--require-hashes --no-deps`) into a fresh venv and passes `pip check`; its
//! output and its no-solution report are snapshotted; a recompile keeps pins and
//! `--upgrade-package` moves only that package.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

mod auth;
mod in_options;
mod integrity;
mod network;
mod output;
mod pip;

use std::path::Path;
use std::process::Command;
pub(crate) use strata_testindex::Output;

use strata_testindex::TestIndex;

/// Runs `strata compile <args> --index-url <index> --python-version 3.11 --python-platform
/// x86_64-manylinux_2_28` in `dir`, with a cache inside `dir` and no user configuration.
fn compile(dir: &Path, index: &TestIndex, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command
        .arg("compile")
        .args(args)
        .args(["--index-url", &index.url()])
        .args(["--python-version", "3.11"])
        .args(["--python-platform", "x86_64-manylinux_2_28"])
        .current_dir(dir)
        .env("STRATA_CACHE_DIR", dir.join(".cache"));
    strata_testindex::hermetic(&mut command);
    let output = command.output().unwrap();
    Output::from(output)
}

/// The pins of a requirements file: `name==version` lines without extras, sorted.
fn pins(text: &str) -> Vec<String> {
    let mut pins: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with([' ', '#', '-']) && line.contains("=="))
        .map(|line| {
            let pin = line.split_whitespace().next().unwrap();
            let (name, version) = pin.split_once("==").unwrap();
            let name = name.split_once('[').map_or(name, |(name, _)| name);
            format!("{name}=={version}")
        })
        .collect();
    pins.sort();
    pins
}

/// Replaces the index's port, which changes every run.
fn filter_port(text: &str, index: &TestIndex) -> String {
    text.replace(&index.address().port().to_string(), "PORT")
}
