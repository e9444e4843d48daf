//! Errors: what stops strata from looking at an environment at all.
//!
//! A broken `.dist-info` is not an error but a [`Finding`](crate::Finding): the scan goes on.

use std::path::PathBuf;

use thiserror::Error;

/// Why an environment could not be read.
#[derive(Debug, Error)]
#[error(transparent)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
        }
    }
}

/// What went wrong reading an environment.
#[derive(Debug, Error)]
pub enum ErrorKind {
    /// A site-packages directory could not be listed.
    #[error("Failed to read site-packages directory `{}`", path.display())]
    ReadSitePackages {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The interpreter could not be started.
    #[error("Failed to run the Python interpreter `{}`", python.display())]
    SpawnInterpreter {
        /// The interpreter.
        python: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The interpreter ran but the query failed.
    #[error("The Python interpreter `{}` failed to report its paths ({status}): {stderr}", python.display())]
    InterpreterFailed {
        /// The interpreter.
        python: PathBuf,
        /// Its exit status, as text.
        status: String,
        /// What it printed on stderr, trimmed.
        stderr: String,
    },
    /// The interpreter's answer was not the expected JSON.
    #[error("The Python interpreter `{}` answered with unexpected output", python.display())]
    InterpreterOutput {
        /// The interpreter.
        python: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The interpreter reported a marker value that is not a valid version.
    #[error("The Python interpreter `{}` reported an invalid marker environment: {message}", python.display())]
    InterpreterMarkers {
        /// The interpreter.
        python: PathBuf,
        /// The parser's explanation.
        message: String,
    },
    /// `--venv` or `VIRTUAL_ENV` names a directory without an interpreter.
    #[error("No Python interpreter in the virtual environment `{}` (looked for `{}`)", venv.display(), python.display())]
    NoVenvInterpreter {
        /// The virtual environment.
        venv: PathBuf,
        /// The interpreter path tried.
        python: PathBuf,
    },
    /// `why` was asked about a distribution that is not installed.
    #[error("`{package}` is not installed in this environment")]
    NotInstalled {
        /// The name asked about.
        package: pep508_rs::PackageName,
    },
    /// The host platform cannot be described as a target for `--site-packages` alone.
    #[error("Cannot describe this platform's markers for `--site-packages`: {message}")]
    HostMarkers {
        /// The explanation.
        message: String,
    },
}
