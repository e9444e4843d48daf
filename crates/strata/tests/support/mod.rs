//! What every CLI test binary shares: a temporary [`Project`], one way to run the `strata`
//! binary ([`Strata`]), the [`Filters`] that make its output the same from run to run, and
//! [`strata_snapshot!`], which snapshots a run's exit code, stdout and stderr through them.
//!
//! Each binary includes this file as its own module (`#[path = "../support/mod.rs"] mod
//! support;`) rather than depending on a test-support crate: the runner needs
//! `CARGO_BIN_EXE_strata`, which cargo sets only for the `strata` crate's own tests, and what
//! only these binaries use needs no crate of its own (manifest, workspace entry, README lines).
//!
//! A run is hermetic: it goes through [`strata_testindex::hermetic`] (no index variable or pip
//! configuration of the machine's, no colour), and no `STRATA_*` variable of the machine's
//! reaches it either, so a developer's `STRATA_CACHE_DIR` or `STRATA_HTTP_TIMEOUT` changes no
//! test and a variable a test invents for its manifest (`${STRATA_TEST_...}`) is set only where
//! the test sets it. What a run needs (its directory, cache, index, variables) the test names.
//!
//! ```ignore
//! let index = TestIndex::start(universe());
//! let project = Project::with_manifest(MANIFEST, &[("requirements/base.in", "numpy\n")]);
//! let output = project.strata(&["lock"]).index(&index).output();
//! assert_eq!(output.code, 0, "{}", output.render());
//! strata_snapshot!("first_lock", project.filters().index(&index), output);
//! ```
// Every binary compiles all of this and uses only part of it: what one binary leaves unused
// another uses (nothing here is unused by all five).
#![allow(
    dead_code,
    reason = "each test binary compiles the whole support module and uses part of it"
)]

pub(crate) mod images;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use strata_testindex::Output;
use strata_testindex::{TestIndex, Venv};

/// What a temporary path is shown as in filtered output.
pub(crate) const TEMP: &str = "[TEMP]";

/// The repository's example project.
pub(crate) fn example_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ml-engines")
}

/// A project in a temporary directory, removed on drop: the project itself in `<root>/project`
/// and the cache its runs use in `<root>/cache`, so both are hidden by filtering `root`.
pub(crate) struct Project {
    root: tempfile::TempDir,
    dir: PathBuf,
}

impl Project {
    /// A project of `files` (`(path, contents)`, directories made as needed).
    pub(crate) fn new(files: &[(&str, &str)]) -> Self {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("project");
        fs_err::create_dir_all(&dir).unwrap();
        let project = Self { root, dir };
        for (path, contents) in files {
            project.write(path, contents);
        }
        project
    }

    /// A project with `manifest` as its `strata.toml` and `files` beside it.
    pub(crate) fn with_manifest(manifest: &str, files: &[(&str, &str)]) -> Self {
        let project = Self::new(&[("strata.toml", manifest)]);
        for (path, contents) in files {
            project.write(path, contents);
        }
        project
    }

    /// A copy of the project in `dir` (such as [`example_project`]), to change on purpose.
    pub(crate) fn copy_of(dir: &Path) -> Self {
        let project = Self::new(&[]);
        copy_dir(dir, project.dir());
        project
    }

    /// The project directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The temporary directory holding the project and its cache: what [`Self::filters`] hides.
    pub(crate) fn root(&self) -> &Path {
        self.root.path()
    }

    /// The cache directory the project's runs use.
    pub(crate) fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    /// Writes `contents` to `path` in the project.
    pub(crate) fn write(&self, path: &str, contents: &str) -> &Self {
        self.write_bytes(path, contents.as_bytes())
    }

    /// Writes `contents` to `path` as raw bytes, for input that is not UTF-8 text.
    pub(crate) fn write_bytes(&self, path: &str, contents: &[u8]) -> &Self {
        let path = self.dir().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
        self
    }

    /// The text of `path` in the project.
    pub(crate) fn read(&self, path: &str) -> String {
        fs_err::read_to_string(self.dir().join(path)).unwrap()
    }

    /// Replaces the one occurrence of `old` in `path`; fails the test if there is not exactly one.
    pub(crate) fn edit(&self, path: &str, old: &str, new: &str) -> &Self {
        let text = self.read(path);
        assert_eq!(text.matches(old).count(), 1, "`{old}` in {path}");
        self.write(path, &text.replace(old, new))
    }

    /// `strata <args>` in the project directory with the project's cache.
    pub(crate) fn strata(&self, args: &[&str]) -> Strata {
        Strata::new(args).cwd(self.dir()).cache(&self.cache())
    }

    /// Filters hiding the project's temporary directory; add the indexes its runs used.
    pub(crate) fn filters(&self) -> Filters {
        Filters::new().temp(self.root())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), target).unwrap();
        }
    }
}

/// One run of the `strata` binary, hermetic (see the module docs): built, then run with
/// [`Strata::output`], or through [`Strata::command`] by a test that needs the process itself.
pub(crate) struct Strata {
    command: Command,
    hidden: Vec<PathBuf>,
}

impl Strata {
    /// `strata <args>`, in the test's own working directory until [`Self::cwd`] says otherwise.
    pub(crate) fn new(args: &[&str]) -> Self {
        Self::hermetic(Command::new(env!("CARGO_BIN_EXE_strata")), args)
    }

    /// `strata <args>` as `venv` runs its programs: in its temporary directory, with its own
    /// home and no pip configuration or proxy of the machine's (see [`Venv::command`]).
    pub(crate) fn in_venv(venv: &Venv, args: &[&str]) -> Self {
        Self::hermetic(venv.command(env!("CARGO_BIN_EXE_strata")), args)
    }

    fn hermetic(mut command: Command, args: &[&str]) -> Self {
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("STRATA_") {
                command.env_remove(key);
            }
        }
        strata_testindex::hermetic(&mut command).args(args);
        Self {
            command,
            hidden: Vec::new(),
        }
    }

    /// More arguments, after those given so far.
    pub(crate) fn args(mut self, args: &[&str]) -> Self {
        self.command.args(args);
        self
    }

    /// `--index-url <index>`, after the arguments given so far.
    pub(crate) fn index(self, index: &TestIndex) -> Self {
        self.args(&["--index-url", &index.url()])
    }

    /// Runs in `dir`.
    pub(crate) fn cwd(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// `STRATA_CACHE_DIR=<dir>`.
    pub(crate) fn cache(self, dir: &Path) -> Self {
        self.env("STRATA_CACHE_DIR", dir)
    }

    /// Sets one environment variable.
    pub(crate) fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Sets each `(key, value)`.
    pub(crate) fn envs(mut self, variables: &[(&str, &str)]) -> Self {
        self.command.envs(variables.iter().copied());
        self
    }

    /// Unsets one environment variable.
    pub(crate) fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Shows `path` as `[TEMP]` in the [`Output`], for tests whose assertions and snapshots
    /// read it that way; [`Filters`] do the same for snapshots alone.
    pub(crate) fn hiding(mut self, path: &Path) -> Self {
        self.hidden.push(path.to_path_buf());
        self
    }

    /// The command, to spawn it with pipes of the test's own.
    pub(crate) fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Runs it to the end with `input` on its stdin: exit code, stdout and stderr.
    pub(crate) fn output_with_stdin(mut self, input: &str) -> Output {
        use std::io::Write as _;
        let mut child = self
            .command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("strata starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("strata reads its stdin");
        let mut output = Output::from(child.wait_with_output().expect("strata runs"));
        for path in &self.hidden {
            output = output.hiding(&path.display().to_string(), TEMP);
        }
        output
    }

    /// Runs it to the end: exit code, stdout and stderr.
    pub(crate) fn output(mut self) -> Output {
        let mut output = Output::from(self.command.output().unwrap());
        for path in &self.hidden {
            output = output.hiding(&path.display().to_string(), TEMP);
        }
        output
    }
}

/// A fake container runtime, `name` (`docker`, `podman`) in `bin`: it writes each argument on a
/// line of `args.txt` next to it, so a test sees exactly what strata ran, then runs `body` (a
/// shell snippet: `exit 7`, or `exec cat FILE` to answer with a file).
pub(crate) fn fake_runtime(bin: &Path, name: &str, body: &str) {
    fs_err::create_dir_all(bin).expect("the fake runtime's directory");
    let script = bin.join(name);
    fs_err::write(
        &script,
        format!(
            "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done > '{}'\n{body}\n",
            bin.join("args.txt").display()
        ),
    )
    .expect("the fake runtime");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("the fake runtime is executable");
    }
}

/// The test's own `PATH` with `bin` first, for a run that should find a fake program there.
pub(crate) fn path_with(bin: &Path) -> String {
    #[expect(
        clippy::disallowed_methods,
        reason = "the test's own PATH, behind the fake programs; strata reads nothing here"
    )]
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", bin.display())
}

/// What changes from run to run, replaced in text that is snapshotted: temporary paths, the
/// loopback indexes' ports, and the time a lock took.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    temps: Vec<String>,
    addresses: Vec<String>,
    ports: Vec<String>,
}

impl Filters {
    /// No filter but the time: `Done in <duration>` lines read `Done in [TIME]`.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Shows `path` as `[TEMP]`.
    pub(crate) fn temp(mut self, path: &Path) -> Self {
        self.temps.push(path.display().to_string());
        self
    }

    /// Shows `index`'s address as `127.0.0.1:[PORT]`.
    pub(crate) fn index(mut self, index: &TestIndex) -> Self {
        self.addresses.push(index.address().to_string());
        self
    }

    /// Shows `index`'s port, wherever it appears, as `PORT`: the form of the `compile` tests'
    /// snapshots, which were written before [`Self::index`] and stay as they are.
    pub(crate) fn index_port(mut self, index: &TestIndex) -> Self {
        self.ports.push(index.address().port().to_string());
        self
    }

    /// `text` with every filter applied: temporary paths, then addresses, then ports, then
    /// times.
    pub(crate) fn apply(&self, text: &str) -> String {
        let mut text = text.to_string();
        for path in &self.temps {
            text = text.replace(path, TEMP);
        }
        for address in &self.addresses {
            text = text.replace(address, "127.0.0.1:[PORT]");
        }
        for port in &self.ports {
            text = text.replace(port, "PORT");
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
}

/// Snapshots an [`Output`]'s exit code, stdout and stderr ([`Output::render`]) through
/// [`Filters`], in a file snapshot named after the test or given a name, or inline:
///
/// ```ignore
/// strata_snapshot!(project.filters().index(&index), output);
/// strata_snapshot!("clashing_branches", project.filters().index(&index), output);
/// strata_snapshot!(Filters::new(), output, @r"
/// exit: 0
/// ...
/// ");
/// ```
#[allow(
    unused_macros,
    reason = "a binary whose snapshots are not of whole runs leaves it unused"
)]
macro_rules! strata_snapshot {
    ($filters:expr, $output:expr, @$snapshot:literal) => {
        insta::assert_snapshot!($filters.apply(&$output.render()), @$snapshot)
    };
    ($name:expr, $filters:expr, $output:expr) => {
        insta::assert_snapshot!($name, $filters.apply(&$output.render()))
    };
    ($filters:expr, $output:expr) => {
        insta::assert_snapshot!($filters.apply(&$output.render()))
    };
}
#[allow(unused_imports, reason = "as for the macro itself")]
pub(crate) use strata_snapshot;
