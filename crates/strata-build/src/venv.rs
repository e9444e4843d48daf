//! The isolated virtual environment a backend runs in.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::PipSources;
use crate::error::Error;
use crate::session::Session;

/// A virtual environment made with the machine's `python -m venv`, without pip until something
/// must be installed (in-tree standard-library backends never need it).
#[derive(Debug)]
pub struct BuildVenv {
    python: PathBuf,
    has_pip: bool,
}

impl BuildVenv {
    /// Makes a virtual environment at `dir` with `base_python`.
    ///
    /// # Errors
    ///
    /// When `python -m venv` fails.
    pub fn create(session: &mut Session, base_python: &Path, dir: &Path) -> Result<Self, Error> {
        session.run(
            "create the build environment",
            Command::new(base_python)
                .args(["-m", "venv", "--without-pip"])
                .arg(dir),
        )?;
        Ok(Self {
            python: venv_python(dir),
            has_pip: false,
        })
    }

    /// A virtual environment made earlier at `dir` (a cached build environment).
    pub fn existing(dir: &Path) -> Self {
        Self {
            python: venv_python(dir),
            has_pip: true,
        }
    }

    /// The environment's interpreter.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// Installs `requirements` with pip, which resolves them against `sources`.
    ///
    /// # Errors
    ///
    /// When pip fails.
    pub fn install(
        &mut self,
        session: &mut Session,
        requirements: &[String],
        sources: &PipSources,
    ) -> Result<(), Error> {
        if requirements.is_empty() {
            return Ok(());
        }
        let mut command = self.pip(session)?;
        sources.apply(&mut command);
        command.args(requirements);
        session.run(
            &format!("install `{}`", requirements.join("`, `")),
            &mut command,
        )
    }

    /// Installs the lock at `lock` exactly: `pip install --require-hashes --no-deps -r`, so
    /// every file is checked against its hash and nothing is resolved at install time.
    ///
    /// # Errors
    ///
    /// When pip fails.
    pub fn install_lock(
        &mut self,
        session: &mut Session,
        lock: &Path,
        sources: &PipSources,
    ) -> Result<(), Error> {
        let mut command = self.pip(session)?;
        sources.apply(&mut command);
        command
            .args(["--require-hashes", "--no-deps", "-r"])
            .arg(lock);
        session.run(
            &format!(
                "install the build lock `{}`",
                lock.file_name().unwrap_or_default().to_string_lossy()
            ),
            &mut command,
        )
    }

    /// `python -I -m pip install`, bootstrapping pip the first time.
    fn pip(&mut self, session: &mut Session) -> Result<Command, Error> {
        if !self.has_pip {
            session.run(
                "bootstrap pip in the build environment",
                Command::new(&self.python).args(["-I", "-m", "ensurepip", "--default-pip"]),
            )?;
            self.has_pip = true;
        }
        let mut command = Command::new(&self.python);
        command.args(["-I", "-m", "pip", "install"]);
        Ok(command)
    }
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}
