//! `strata lock` from the command line, on the loopback index: a role hierarchy solved once and
//! engines on top of its pins, the numpy case layering gets wrong, clashing branches that leave
//! every lock as it was, incremental relocks that touch neither the network nor unchanged files,
//! `--check`, `--upgrade-package`, engines on their own indexes, locks that real pip installs,
//! and byte-identical output.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

mod conflicts;
mod diff;
mod engines;
mod explanations;
mod extras;
mod feedback;
mod files;
mod hierarchy;
mod holds;
mod incremental;
mod inspect;
mod install;
mod integrity;
mod metadata_build;
mod metadata_integrity;
mod options;
mod outdated;
mod project;
mod pylock;
mod settings;
mod sources;
mod sync;
mod universe;
mod urlpins;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
pub(crate) use strata_testindex::Output;

use strata_testindex::TestIndex;

/// Runs `strata lock <args> --index-url <index>` in `dir` with the cache in `cache`, no user
/// configuration, and `extra_env` on top.
fn lock_with_env(
    dir: &Path,
    cache: &Path,
    index: &TestIndex,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> Output {
    let mut all = vec!["lock"];
    all.extend_from_slice(args);
    strata_with_env(dir, cache, index, &all, extra_env)
}

/// Runs `strata <args> --index-url <index>` as [`lock_with_env`] does.
fn strata_with_env(
    dir: &Path,
    cache: &Path,
    index: &TestIndex,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command
        .args(args)
        .args(["--index-url", &index.url()])
        .current_dir(dir)
        .env("STRATA_CACHE_DIR", cache)
        .env_remove(project::ENGINE_INDEX_VARIABLE);
    strata_testindex::hermetic(&mut command);
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Output::from(output)
}

/// The pins of a lock file, parsed by strata's own reader, keyed by name.
fn pins(path: &Path) -> BTreeMap<String, String> {
    pins_of(&fs_err::read(path).unwrap())
}

/// The pins of a lock file's bytes.
fn pins_of(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = std::str::from_utf8(bytes).unwrap();
    strata_lockfile::requirements_txt::read_pins(text)
        .unwrap()
        .into_iter()
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}

/// Replaces what changes from run to run: the index ports, temp paths and durations.
fn filtered(text: &str, indexes: &[&TestIndex], temp: &[&Path]) -> String {
    let mut text = text.to_string();
    for path in temp {
        text = text.replace(&path.display().to_string(), "[TEMP]");
    }
    for index in indexes {
        text = text.replace(&index.address().to_string(), "127.0.0.1:[PORT]");
    }
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("Done in ") {
            Some(_) => out.push_str("Done in [TIME]\n"),
            None => out.push_str(line),
        }
    }
    out
}
