//! `strata compile` from the command line, on the loopback index: the lock it writes installs
//! with real pip (`--require-hashes --no-deps`) into a fresh venv and passes `pip check`; its
//! output and its no-solution report are snapshotted; a recompile keeps pins and
//! `--upgrade-package` moves only that package.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod in_options;
mod integrity;
mod network;
mod output;
mod pip;
mod tls;

use std::path::Path;

use strata_testindex::TestIndex;

use crate::support::{Output, Strata};

/// The target every compile of these tests is for.
const TARGET: &[&str] = &[
    "--python-version",
    "3.11",
    "--python-platform",
    "x86_64-manylinux_2_28",
];

/// `strata compile <args>` in `dir` with a cache inside `dir`: how every compile of these tests
/// starts, the index and the target (most often [`TARGET`]) following.
fn compile_command(dir: &Path, args: &[&str]) -> Strata {
    Strata::new(&["compile"])
        .args(args)
        .cwd(dir)
        .cache(&dir.join(".cache"))
}

/// Runs `strata compile <args> --index-url <index>` for [`TARGET`] (see [`compile_command`]).
fn compile(dir: &Path, index: &TestIndex, args: &[&str]) -> Output {
    compile_command(dir, args)
        .index(index)
        .args(TARGET)
        .output()
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
