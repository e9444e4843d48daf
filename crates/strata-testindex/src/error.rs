//! The crate's error type.

use std::io;

/// Why a [`crate::TestIndex`] could not start.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorKind>);

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self(Box::new(kind))
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// A package name is not a valid project name.
    #[error("Invalid package name `{name}`")]
    InvalidName {
        /// The name as declared.
        name: String,
        /// Why it is invalid.
        #[source]
        source: pep508_rs::InvalidNameError,
    },
    /// A version is not a PEP 440 version.
    #[error("Invalid version `{version}` for package `{name}`")]
    InvalidVersion {
        /// The package it was declared on.
        name: String,
        /// The version as declared.
        version: String,
        /// Why it is invalid.
        #[source]
        source: pep440_rs::VersionParseError,
    },
    /// Two releases produce the same file name.
    #[error("The file `{filename}` is declared twice")]
    DuplicateFile {
        /// The duplicated file name.
        filename: String,
    },
    /// Writing an artifact into the server's directory failed.
    // The source is an `fs_err` error (or a zip error converted to `io`), which
    // already names the path, so it is chained rather than repeated here.
    #[error("Failed to generate `{filename}`")]
    Generate {
        /// The artifact being written.
        filename: String,
        /// The underlying failure.
        #[source]
        source: io::Error,
    },
    /// The test CA or the server certificate of a TLS index could not be made.
    #[error("Failed to make the test index's TLS certificates: {reason}")]
    Tls {
        /// What failed, and why.
        reason: String,
    },
    /// The loopback socket could not be bound.
    #[error("Failed to bind the test index to `127.0.0.1:0`")]
    Bind {
        /// The underlying failure.
        #[source]
        source: io::Error,
    },
}
