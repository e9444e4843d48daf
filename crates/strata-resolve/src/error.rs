//! Resolution errors: "could not do the job" versus "there is no answer".

use pep508_rs::PackageName;
use strata_diagnostic::Diagnostic;

/// Why a resolution produced no result.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The index could not be read (network, offline cache miss, bad page).
    #[error(transparent)]
    Index(#[from] strata_index::Error),
    /// No set of versions satisfies every requirement.
    #[error("No solution: the requirements cannot be installed together\n\n{}", .0.explanation)]
    NoSolution(Box<NoSolution>),
    /// A `name @ url` requirement that strata cannot use.
    #[error("Invalid direct URL requirement for `{package}` (`{url}`): {reason}")]
    DirectUrl {
        /// The package.
        package: PackageName,
        /// The URL, redacted.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A git requirement could not be resolved to a commit or read.
    #[error("Failed to resolve the git requirement `{package} @ {url}`{}", if origins.is_empty() { String::new() } else { format!(" ({origins})") })]
    Git {
        /// The package.
        package: PackageName,
        /// The requirement's URL, redacted.
        url: String,
        /// Where the requirement was written (`requirements/base.in:3`), when known.
        origins: String,
        /// What failed: the git command and its stderr, or the metadata.
        #[source]
        source: strata_index::Error,
    },
    /// A local directory requirement's metadata could not be read or built.
    #[error("Failed to read the local directory requirement `{package} @ {path}`{}", if origins.is_empty() { String::new() } else { format!(" ({origins})") })]
    Directory {
        /// The package.
        package: PackageName,
        /// The directory.
        path: String,
        /// Where the requirement was written (`requirements/base.in:3`), when known.
        origins: String,
        /// What failed: the metadata build, or the name it states.
        #[source]
        source: strata_index::Error,
    },
    /// The async runtime or solver thread failed.
    #[error("Internal error in the resolver: {0}")]
    Runtime(String),
}

impl Diagnostic for ResolveError {
    /// Actionable hints, computed from the failure; an index error's own, as the index error is
    /// transparent here.
    fn hints(&self) -> Vec<String> {
        match self {
            Self::NoSolution(no_solution) => no_solution.hints.clone(),
            Self::Index(error) => error.hints(),
            Self::Git { source, .. } | Self::Directory { source, .. } => source.hints(),
            _ => Vec::new(),
        }
    }
}

impl ResolveError {
    /// The distributions a "no solution" involves (empty for other failures).
    pub fn conflicting_packages(&self) -> &[PackageName] {
        match self {
            Self::NoSolution(no_solution) => &no_solution.packages,
            _ => &[],
        }
    }

    /// Whether the failure is "no solution" (exit 1) rather than "could not resolve" (exit 2).
    pub fn is_no_solution(&self) -> bool {
        matches!(self, Self::NoSolution(_))
    }
}

/// The explanation of an unsatisfiable set of requirements.
#[derive(Debug, Clone)]
pub struct NoSolution {
    /// The derivation, in sentences.
    pub explanation: String,
    /// The distributions the derivation involves, so callers can say where each came from.
    pub packages: Vec<PackageName>,
    /// What the user can change.
    pub hints: Vec<String>,
}
