//! `strata profiles` and the project model seen from the command line: the example project,
//! a full-featured pyproject, and every kind of bad input (exit 2 with file, line and remedy).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

mod bad_input;
mod model;

use std::path::{Path, PathBuf};
use std::process::Command;
pub(crate) use strata_testindex::Output;

/// A throwaway project directory.
pub(crate) struct TestProject {
    dir: tempfile::TempDir,
}

impl TestProject {
    pub(crate) fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (path, contents) in files {
            let path = dir.path().join(path);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, contents).unwrap();
        }
        Self { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `path` as raw bytes, for input that is not UTF-8 text.
    pub(crate) fn write_bytes(&self, path: &str, contents: &[u8]) {
        fs_err::write(self.path().join(path), contents).unwrap();
    }

    /// Runs strata in the project directory with colour off and no inherited strata settings.
    /// The cache is the project's own, so a command that gets past loading never touches the
    /// machine's.
    pub(crate) fn strata(&self, args: &[&str]) -> Output {
        run_strata_with(self.path(), args, &[("STRATA_CACHE_DIR", ".strata-cache")])
    }
}

pub(crate) fn run_strata(cwd: &Path, args: &[&str]) -> Output {
    run_strata_with(cwd, args, &[])
}

/// Runs strata hermetically (no index variable or pip configuration of the machine's).
fn run_strata_with(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    strata_testindex::hermetic(&mut command)
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().copied());
    let output = command.output().unwrap();
    Output::from(output).hiding(&cwd.display().to_string(), "[TEMP]")
}

/// The repository's example project.
pub(crate) fn example_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ml-engines")
}
