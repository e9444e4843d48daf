//! What a build reports when it fails.

use std::path::PathBuf;

use strata_diagnostic::Diagnostic;

/// A build error, boxed to keep `Result` small; it displays as its [`ErrorKind`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorKind>);

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }
}

impl<E: Into<ErrorKind>> From<E> for Error {
    fn from(kind: E) -> Self {
        Self(Box::new(kind.into()))
    }
}

/// What went wrong in a build.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// A step of the build (making the environment, installing, a backend hook) failed; the
    /// output of everything the build ran is in `log`, and its last lines in `output`.
    #[error(
        "Failed to build {subject} with its build backend; the last lines of its output (all of it is in `{}`):\n{}",
        log.display(),
        output.lines().map(|line| format!("  | {line}")).collect::<Vec<_>>().join("\n")
    )]
    Failed {
        /// What was being built (`metadata of `x-1.0.tar.gz``, ``x` 1.0`).
        subject: String,
        /// The last lines of the build's output, ending with what failed and how.
        output: String,
        /// The whole log of the build.
        log: PathBuf,
    },
    /// `pyproject.toml` does not say how to build the project.
    #[error("Invalid `{}`: {reason}", path.display())]
    BuildSystem {
        /// The `pyproject.toml`.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// What the backend built is not what it should be.
    #[error("The build backend wrote `{artifact}`, which is not a valid distribution: {problem}")]
    Artifact {
        /// The file the backend wrote.
        artifact: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The caller could not provide the build environment (see [`crate::Environments`]): its
    /// own error, as it is.
    #[error(transparent)]
    Environment(Box<dyn std::error::Error + Send + Sync>),
    /// A file or directory of the build could not be read or written.
    #[error("Failed to access `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Diagnostic for Error {
    fn hints(&self) -> Vec<String> {
        match self.kind() {
            ErrorKind::Failed { .. } => vec![
                "The lines above are the build backend's own; the whole log names every step strata ran".to_string(),
            ],
            ErrorKind::BuildSystem { .. } => vec![
                "`[build-system]` needs `requires` (a list of requirements) and usually `build-backend`; see PEP 517 and PEP 518".to_string(),
            ],
            ErrorKind::Artifact { .. } => vec![
                "This is a bug in the build backend or its configuration; nothing was written to the output directory".to_string(),
            ],
            // The caller's error speaks for itself when it carries a diagnostic.
            ErrorKind::Environment(source) => source
                .downcast_ref::<strata_diagnostic::Diagnosed>()
                .map(strata_diagnostic::Diagnosed::hints)
                .unwrap_or_default(),
            ErrorKind::Io { .. } => Vec::new(),
        }
    }
}

pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> Error {
    ErrorKind::Io {
        path: path.to_path_buf(),
        source,
    }
    .into()
}
