//! Real virtual environments, for tests that take real pip as their oracle.
//!
//! A [`Venv`] is made by the machine's `python3 -m venv --without-pip` in a fresh temporary
//! directory; pip is the machine's own, pointed at the venv with `--python` (pip 22.3 and
//! later), because seeding every venv with a pip of its own takes most of a minute on a busy
//! 2-core machine. Every command a `Venv` builds shuts the machine out: no `PIP_*`,
//! `VIRTUAL_ENV`, proxy or `PYTHONPATH` variable, none of the variables that name a CA bundle
//! ([`CA_BUNDLE_VARIABLES`]), `PIP_CONFIG_FILE=/dev/null`, a private home and cache, and the
//! temporary directory as its working directory. So pip and the program under test see the
//! loopback [`TestIndex`] and nothing else, and trust the CA a test names (pip's `--cert`) or
//! none.
//!
//! ```no_run
//! use strata_testindex::{Package, TestIndex, Universe, Venv};
//!
//! let Some(venv) = Venv::create() else { return }; // no python3 here: skipped, saying why
//! let index = TestIndex::start(Universe::new().package(Package::new("numpy", "2.1.1")));
//! venv.install(&index, &["numpy"]);
//! assert_eq!(venv.installed(), ["numpy==2.1.1"]);
//! ```

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::TestIndex;

/// The variables through which the machine names the CA certificates to trust. Requests (in
/// pip) lets `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` override even an explicit `--cert`, so a
/// machine that sets them would make a TLS index's CA impossible to hand to pip.
pub const CA_BUNDLE_VARIABLES: &[&str] = &[
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// A virtual environment in a temporary directory, removed when dropped.
pub struct Venv {
    root: tempfile::TempDir,
}

impl Venv {
    /// A fresh venv, or `None` when `python3` or its `venv` module is missing: the test that
    /// needs one then returns early, saying why, or fails when tools are required (see
    /// [`crate::tool_missing`]).
    pub fn create() -> Option<Self> {
        let root = tempfile::tempdir().expect("a temporary directory");
        let output = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(root.path().join("venv"))
            .output();
        match output {
            Ok(output) if output.status.success() => Some(Self { root }),
            Ok(output) => {
                crate::tool_missing(format!(
                    "`python3 -m venv` failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
                None
            }
            Err(error) => {
                crate::tool_missing(format!("`python3` is not available: {error}"));
                None
            }
        }
    }

    /// The temporary directory: it holds `venv/` and the private home, and commands run in it.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The venv directory (`<root>/venv`).
    pub fn dir(&self) -> PathBuf {
        self.root.path().join("venv")
    }

    /// The venv's interpreter.
    pub fn python(&self) -> PathBuf {
        self.dir().join("bin").join("python")
    }

    /// A command for `program` with the machine shut out (see the module docs).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("PIP_")
                || key.to_ascii_lowercase().ends_with("_proxy")
                || key == "VIRTUAL_ENV"
            {
                command.env_remove(key.as_ref());
            }
        }
        for variable in CA_BUNDLE_VARIABLES {
            command.env_remove(variable);
        }
        let home = self.root.path().join("home");
        command
            .current_dir(self.root.path())
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("PIP_NO_INPUT", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            // pip gives a socket 15 s by default; a 2-core CI machine running a test binary's
            // threads, each with its pip and strata processes, can stall a loopback answer that
            // long. A server that hangs for good still fails the test.
            .env("PIP_DEFAULT_TIMEOUT", "120")
            .env("NO_PROXY", "127.0.0.1")
            .env("NO_COLOR", "1")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env_remove("PYTHONPATH");
        command
    }

    /// `python3 -m pip --python <venv> <args>`, whatever it exits with.
    pub fn pip(&self, args: &[&str]) -> Output {
        self.command("python3")
            .args(["-m", "pip", "--python"])
            .arg(self.python())
            .args(args)
            .output()
            .expect("python3 ran a moment ago")
    }

    /// `pip install --index-url <index> --no-cache-dir <args>`, which must succeed.
    pub fn install(&self, index: &TestIndex, args: &[&str]) {
        let output = self.try_install(index, args);
        assert!(output.status.success(), "{}", describe(&output));
    }

    /// `pip install --index-url <index> --no-cache-dir <args>`, whatever it exits with.
    pub fn try_install(&self, index: &TestIndex, args: &[&str]) -> Output {
        let url = index.url();
        let mut all = vec!["install", "--index-url", url.as_str(), "--no-cache-dir"];
        all.extend_from_slice(args);
        self.pip(&all)
    }

    /// What the venv's interpreter prints for `code` (trimmed); it must succeed.
    pub fn run_python(&self, code: &str) -> String {
        let output = self
            .command(self.python())
            .args(["-c", code])
            .output()
            .expect("the venv's interpreter runs");
        assert!(output.status.success(), "{}", describe(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// The interpreter's `X.Y` version.
    pub fn python_version(&self) -> String {
        self.run_python("import sys; print('%d.%d' % sys.version_info[:2])")
    }

    /// The site-packages directory, as the interpreter reports it.
    pub fn site_packages(&self) -> PathBuf {
        PathBuf::from(self.run_python("import sysconfig; print(sysconfig.get_path('purelib'))"))
    }

    /// `name==version` of every distribution pip lists in the venv, sorted.
    pub fn installed(&self) -> Vec<String> {
        let output = self.pip(&["list", "--format", "json"]);
        assert!(output.status.success(), "{}", describe(&output));
        let list: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("pip list prints JSON");
        let mut installed: Vec<String> = list
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|item| {
                format!(
                    "{}=={}",
                    item["name"].as_str().unwrap_or_default(),
                    item["version"].as_str().unwrap_or_default()
                )
            })
            .collect();
        installed.sort();
        installed
    }
}

/// A process's exit status and output, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
