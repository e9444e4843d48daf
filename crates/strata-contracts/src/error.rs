//! Why a contracts check could not be done at all.

use std::path::PathBuf;

/// The check could not run: the configuration is invalid or the sources cannot be found.
/// Broken contracts are not errors; they are [`crate::Finding`]s in the [`crate::Report`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorKind>);

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }
}

impl<T: Into<ErrorKind>> From<T> for Error {
    fn from(kind: T) -> Self {
        Self(Box::new(kind.into()))
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration file could not be read.
    #[error("Failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file is not valid TOML or INI.
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A contract or the top-level import-linter section is invalid.
    #[error("{}:{line}: {message}", path.display())]
    InvalidContract {
        /// The file.
        path: PathBuf,
        /// 1-based line of the section or key, when known.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The project root is not a directory.
    #[error("Project root `{}` is not a directory", root.display())]
    RootNotFound {
        /// The path given.
        root: PathBuf,
    },
    /// A root package is neither `<root>/src/<name>` nor `<root>/<name>`.
    #[error("Root package `{package}` not found under `{}` (looked in `src/` and the root)", root.display())]
    PackageNotFound {
        /// The package name.
        package: String,
        /// The project root.
        root: PathBuf,
    },
    /// A module named by a contract does not exist in the graph.
    #[error("Contract `{contract}`: module `{module}` does not exist")]
    MissingModule {
        /// The contract name.
        contract: String,
        /// The module.
        module: String,
    },
    /// An `ignore_imports` line matched no import and alerting is `error`.
    #[error("Contract `{contract}`: no matches for ignored import `{expression}`")]
    UnmatchedIgnoreImport {
        /// The contract name.
        contract: String,
        /// The expression as written.
        expression: String,
    },
}
