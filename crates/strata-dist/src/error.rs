//! Errors. Each parser has its own error type that keeps the input it rejected;
//! [`enum@Error`] unites them for callers that do not care which parser failed.
//!
//! Nested parse errors from `pep440_rs`/`pep508_rs` are folded into our messages as text rather
//! than chained as `#[source]`: their `Display` already says everything (including a caret line
//! for requirements), and chaining would print it twice.

use thiserror::Error;

use crate::platform::accepted_names_summary;

/// Any error of this crate.
#[derive(Debug, Error)]
pub enum Error {
    /// See [`PythonVersionParseError`].
    #[error(transparent)]
    PythonVersion(#[from] PythonVersionParseError),
    /// See [`PlatformParseError`].
    #[error(transparent)]
    Platform(#[from] PlatformParseError),
    /// See [`WheelFilenameError`].
    #[error(transparent)]
    WheelFilename(#[from] WheelFilenameError),
    /// See [`SourceDistFilenameError`].
    #[error(transparent)]
    SourceDistFilename(#[from] SourceDistFilenameError),
    /// See [`MetadataError`].
    #[error(transparent)]
    Metadata(#[from] MetadataError),
}

/// A Python version that is not `3.<minor>` or `3.<minor>.<patch>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Invalid Python version `{input}`: {reason}")]
pub struct PythonVersionParseError {
    input: String,
    reason: &'static str,
}

impl PythonVersionParseError {
    pub(crate) fn new(input: &str, reason: &'static str) -> Self {
        Self {
            input: input.to_string(),
            reason,
        }
    }

    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// A platform name that is not one of [`crate::Platform::known_names`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformParseError {
    input: String,
    suggestion: Option<&'static str>,
}

impl PlatformParseError {
    pub(crate) fn new(input: &str, suggestion: Option<&'static str>) -> Self {
        Self {
            input: input.to_string(),
            suggestion,
        }
    }

    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The accepted name the input is most likely a typo of.
    pub fn suggestion(&self) -> Option<&'static str> {
        self.suggestion
    }
}

impl std::fmt::Display for PlatformParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unknown Python platform `{}`", self.input)?;
        if let Some(suggestion) = self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        write!(f, "; expected one of {}", accepted_names_summary())
    }
}

impl std::error::Error for PlatformParseError {}

/// A wheel filename that does not follow the binary distribution format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Invalid wheel filename `{filename}`: {kind}")]
pub struct WheelFilenameError {
    filename: String,
    kind: Box<WheelFilenameErrorKind>,
}

impl WheelFilenameError {
    pub(crate) fn new(filename: &str, kind: WheelFilenameErrorKind) -> Self {
        Self {
            filename: filename.to_string(),
            kind: Box::new(kind),
        }
    }

    /// The rejected filename.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &WheelFilenameErrorKind {
        &self.kind
    }
}

/// What is wrong with a wheel filename.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WheelFilenameErrorKind {
    /// The name does not end in `.whl`.
    #[error("it does not end in `.whl`")]
    MissingWhlExtension,
    /// Not 5 or 6 dash-separated parts.
    #[error(
        "expected `name-version(-build)?-python-abi-platform.whl`, found {0} dash-separated parts"
    )]
    WrongPartCount(usize),
    /// The distribution name is not a valid package name.
    #[error("invalid package name `{0}`")]
    InvalidName(String),
    /// The version is not a PEP 440 version.
    #[error("invalid version: {0}")]
    InvalidVersion(String),
    /// The build tag does not start with a digit.
    #[error("build tag `{0}` must start with a digit")]
    InvalidBuildTag(String),
    /// A compressed tag set contains an empty tag.
    #[error("empty {0} tag")]
    EmptyTag(&'static str),
    /// The wheel belongs to another package than the one it was listed for.
    #[error("it is not a file of package `{0}`")]
    NameMismatch(String),
}

/// A source distribution filename that is not `<name>-<version>.<archive extension>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Invalid source distribution filename `{filename}`: {kind}")]
pub struct SourceDistFilenameError {
    filename: String,
    kind: Box<SourceDistFilenameErrorKind>,
}

impl SourceDistFilenameError {
    pub(crate) fn new(filename: &str, kind: SourceDistFilenameErrorKind) -> Self {
        Self {
            filename: filename.to_string(),
            kind: Box::new(kind),
        }
    }

    /// The rejected filename.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &SourceDistFilenameErrorKind {
        &self.kind
    }
}

/// What is wrong with a source distribution filename.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceDistFilenameErrorKind {
    /// Not one of the archive extensions source distributions use.
    #[error("expected one of `.tar.gz`, `.zip`, `.tar.bz2`, `.tar.xz`")]
    UnknownExtension,
    /// The name part does not match the package the file was listed for.
    #[error("it is not a file of package `{0}`")]
    NameMismatch(String),
    /// No split into a valid package name and a valid version exists.
    #[error("no `<name>-<version>` split gives a valid name and version")]
    NoNameVersionSplit,
    /// The version is not a PEP 440 version.
    #[error("invalid version: {0}")]
    InvalidVersion(String),
}

/// A core metadata file (`METADATA`, `PKG-INFO`) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(transparent)]
pub struct MetadataError {
    kind: Box<MetadataErrorKind>,
}

impl MetadataError {
    pub(crate) fn new(kind: MetadataErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
        }
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &MetadataErrorKind {
        &self.kind
    }
}

/// What is wrong with a core metadata file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetadataErrorKind {
    /// A mandatory field is absent.
    #[error("Core metadata has no `{0}` field")]
    MissingField(&'static str),
    /// `Name` is not a valid package name.
    #[error("Core metadata field `Name` is not a valid package name: `{0}`")]
    InvalidName(String),
    /// `Version` is not a PEP 440 version.
    #[error("Core metadata field `Version` of `{name}` is invalid: {message}")]
    InvalidVersion {
        /// The package whose metadata this is.
        name: String,
        /// The parser's explanation.
        message: String,
    },
    /// A `Requires-Dist` value is not a PEP 508 requirement, even after the lenient fixes.
    #[error("Core metadata of `{name}` line {line}: invalid `Requires-Dist`: {message}")]
    InvalidRequiresDist {
        /// The package whose metadata this is.
        name: String,
        /// The 1-based line of the field.
        line: usize,
        /// The parser's explanation, with the value and a caret line.
        message: String,
    },
}
