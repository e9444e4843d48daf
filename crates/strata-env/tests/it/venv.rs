//! Real virtual environments with real pip, installing from a loopback test index.
//!
//! Each test makes a venv with the machine's `python3 -m venv` (skipped, with the reason
//! printed, only when that is unavailable) and runs pip with the machine's pip configuration
//! shut out: `PIP_CONFIG_FILE=/dev/null`, no other `PIP_*` variable, a private home.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use strata_env::{Environment, EnvironmentSource, Extras, InterpreterRequest};
use strata_testindex::TestIndex;

pub(crate) struct Venv {
    pub(crate) root: tempfile::TempDir,
    pub(crate) python: PathBuf,
}

impl Venv {
    #[expect(clippy::print_stderr, reason = "a skipped test says why")]
    pub(crate) fn create() -> Option<Self> {
        let root = tempfile::tempdir().unwrap();
        let output = Command::new("python3")
            .args(["-m", "venv"])
            .arg(root.path().join("venv"))
            .output();
        match output {
            Ok(output) if output.status.success() => Some(Self {
                python: root.path().join("venv").join("bin").join("python"),
                root,
            }),
            Ok(output) => {
                eprintln!(
                    "skipped: `python3 -m venv` failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                None
            }
            Err(error) => {
                eprintln!("skipped: `python3` is not available: {error}");
                None
            }
        }
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("PIP_") || key.to_ascii_lowercase().ends_with("_proxy") {
                command.env_remove(key.as_ref());
            }
        }
        let home = self.root.path().join("home");
        command
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("PIP_NO_INPUT", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("NO_PROXY", "127.0.0.1")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env_remove("PYTHONPATH");
        command
    }

    pub(crate) fn pip(&self, args: &[&str]) -> Output {
        self.command(&self.python)
            .args(["-m", "pip"])
            .args(args)
            .output()
            .unwrap()
    }

    /// `pip install --index-url <index> --no-cache-dir <extra args...>`, asserting success.
    pub(crate) fn install(&self, index: &TestIndex, args: &[&str]) {
        let url = index.url();
        let mut all = vec!["install", "--index-url", url.as_str(), "--no-cache-dir"];
        all.extend_from_slice(args);
        let output = self.pip(&all);
        assert!(output.status.success(), "{}", describe(&output));
    }

    /// The site-packages directory, from the interpreter.
    pub(crate) fn site_packages(&self) -> PathBuf {
        let output = self
            .command(&self.python)
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", describe(&output));
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    }

    /// `pip check`: its problem lines, sorted, and whether it exited 1.
    pub(crate) fn pip_check(&self) -> (Vec<String>, bool) {
        let output = self.pip(&["check"]);
        let code = output.status.code().unwrap();
        assert!(code == 0 || code == 1, "{}", describe(&output));
        let mut lines: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|line| *line != "No broken requirements found.")
            .map(str::to_string)
            .collect();
        lines.sort();
        (lines, code == 1)
    }

    /// The environment as strata sees it through the venv's interpreter.
    pub(crate) fn environment(&self, extras: Extras) -> Environment {
        let request = InterpreterRequest {
            python: Some(self.python.clone()),
            ..InterpreterRequest::default()
        };
        Environment::open(&EnvironmentSource::Interpreter(request), extras).unwrap()
    }
}

pub(crate) fn describe(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
