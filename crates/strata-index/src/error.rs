//! Errors of the index client. Every network error says what was tried: the URL (credentials
//! redacted), the package that needed it, how many attempts were made and how long they took.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pep508_rs::PackageName;

use crate::index_url::RedactedUrl;

/// The index client's error, boxed to keep `Result` small.
///
/// Cloning is cheap: a run memoizes failures too, and every task that asked for the same page
/// gets the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct Error {
    kind: Arc<ErrorKind>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Actionable sentences for the user, computed from the error's fields.
    pub fn hints(&self) -> Vec<String> {
        match &*self.kind {
            ErrorKind::OfflineMiss { .. } => vec![
                "Run once without `--offline` to fill the cache, or drop `--offline`".to_string(),
            ],
            ErrorKind::PackageNotFound { .. } => vec![
                "Check the name, or add the index that has it with `--extra-index-url` (first-index strategy: a package is taken from the first index that has it)".to_string(),
            ],
            ErrorKind::Build { .. } => vec![
                "This sdist has no static metadata and its build failed; if the project publishes wheels on another index, add it for this profile or engine".to_string(),
            ],
            ErrorKind::NotACache { .. } => vec![
                "`STRATA_CACHE_DIR` names the cache; check that it points where you meant (`strata cache dir` prints it). strata removes only a directory it marked as its cache; delete any other yourself".to_string(),
            ],
            ErrorKind::Network { .. } => vec![
                "Check the network and the index URL; set `SSL_CERT_FILE` if a proxy re-signs TLS".to_string(),
            ],
            _ => Vec::new(),
        }
    }
}

impl<T: Into<ErrorKind>> From<T> for Error {
    fn from(kind: T) -> Self {
        Self {
            kind: Arc::new(kind.into()),
        }
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request failed after retries (connection errors, resets, timeouts, 5xx, truncated
    /// bodies).
    #[error(
        "Failed to fetch `{url}`{} after {attempts} attempt{} in {:.1}s: {reason}",
        package.as_ref().map(|package| format!(" for `{package}`")).unwrap_or_default(),
        if *attempts == 1 { "" } else { "s" },
        elapsed.as_secs_f64()
    )]
    Network {
        /// The URL, credentials redacted.
        url: RedactedUrl,
        /// The package that needed it.
        package: Option<PackageName>,
        /// Attempts made.
        attempts: u32,
        /// Time spent on all attempts.
        elapsed: Duration,
        /// The last failure.
        reason: String,
    },
    /// The server answered with a client error (4xx other than 404 on a project page).
    #[error(
        "`{url}` answered HTTP {status}{}{}",
        package.as_ref().map(|package| format!(" (needed for `{package}`)")).unwrap_or_default(),
        status_remedy(*status, url, *credentials_sent)
    )]
    Status {
        /// The URL, credentials redacted.
        url: RedactedUrl,
        /// The status code.
        status: u16,
        /// The package that needed it.
        package: Option<PackageName>,
        /// Whether the request carried credentials (from the URL or `.netrc`).
        credentials_sent: bool,
    },
    /// No configured index has the package.
    #[error("Package `{package}` was not found on {}", indexes.join(", "))]
    PackageNotFound {
        /// The package.
        package: PackageName,
        /// The indexes asked (redacted).
        indexes: Vec<String>,
    },
    /// A page or file the index served could not be read.
    #[error("Invalid response from `{url}`: {reason}")]
    InvalidResponse {
        /// The URL, credentials redacted.
        url: RedactedUrl,
        /// What was wrong.
        reason: String,
    },
    /// Downloaded bytes do not match the hash the index advertised.
    #[error(
        "Hash mismatch for `{url}`: the index says sha256 `{expected}`, the download has `{actual}`"
    )]
    HashMismatch {
        /// The URL, credentials redacted.
        url: RedactedUrl,
        /// The advertised hash.
        expected: String,
        /// The hash of what arrived.
        actual: String,
    },
    /// `--offline` and the cache does not have what is needed.
    #[error("Not in the cache, and `--offline` forbids fetching it: {what}")]
    OfflineMiss {
        /// What was needed (a page or a metadata entry).
        what: String,
    },
    /// What the index served for a file could not be read as its metadata (an archive that is
    /// not one, range answers that are not the file's bytes, a `METADATA` without a name, a
    /// PEP 658 file whose sha256 is not the one its page advertises). A fault of the index: an
    /// error, never a reason to pick another version.
    #[error(
        "Failed to get metadata of `{filename}`{}: {reason}",
        origin.as_ref().map(|origin| format!(
            " for `{}` from `{}` ({})", origin.package, origin.url, origin.tried
        )).unwrap_or_default()
    )]
    Metadata {
        /// The distribution file.
        filename: String,
        /// Why.
        reason: String,
        /// Where it was read from and how, when known.
        origin: Option<Box<MetadataOrigin>>,
    },
    /// A file's metadata contradicts the file in a way pip rejects too: another name or version
    /// than its filename's, or a `Requires-Dist` that is no requirement. pip discards such a
    /// file and tries another version, so a resolver may too, with a warning (see
    /// [`crate::IndexClient::rejected_files`]).
    #[error(
        "`{package}` {version} is skipped: the metadata of `{filename}` {reason}, which pip rejects too"
    )]
    InconsistentMetadata {
        /// The package.
        package: PackageName,
        /// The version the filename says.
        version: pep440_rs::Version,
        /// The distribution file.
        filename: String,
        /// What is inconsistent, as a predicate of "the metadata".
        reason: String,
    },
    /// The top-level import names of a file could not be read: it is a source distribution
    /// (only a wheel lists what it installs), or the wheel is not a readable zip.
    #[error("Failed to get the import names of `{filename}`: {reason}")]
    ImportNames {
        /// The distribution file.
        filename: String,
        /// Why.
        reason: String,
    },
    /// The server ignored an HTTP range request where a whole download is not worth its cost
    /// (reading a wheel's file list): callers fall back to a cheaper answer.
    #[error(
        "`{url}` ignores HTTP range requests, so reading the file list of `{filename}` would mean downloading all of it; it was not downloaded"
    )]
    RangeUnsupported {
        /// The file's URL, credentials redacted.
        url: RedactedUrl,
        /// The distribution file.
        filename: String,
    },
    /// A source distribution's build backend failed to produce metadata.
    #[error(
        "Failed to build metadata of `{filename}` with its build backend; the last lines of its output (all of it is in `{}`):\n{}",
        log.display(),
        output.lines().map(|line| format!("  | {line}")).collect::<Vec<_>>().join("\n")
    )]
    Build {
        /// The sdist.
        filename: String,
        /// The backend's output (last lines).
        output: String,
        /// The whole log of the build, kept in the cache.
        log: PathBuf,
    },
    /// Index configuration could not be read or is invalid.
    #[error("Invalid index configuration in {origin}: {reason}")]
    Config {
        /// Where the setting came from (a pip config file, a variable, a flag).
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// A cache or temporary file operation failed.
    #[error("Failed to access `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `strata cache clean` was pointed at a directory that is not strata's cache.
    #[error(
        "Refusing to remove `{}`: it is not strata's cache (it has no `{}` and holds {} that strata never writes)",
        path.display(),
        crate::cache::MARKER,
        foreign_list(foreign)
    )]
    NotACache {
        /// The directory.
        path: PathBuf,
        /// What is in it that strata never writes there.
        foreign: Vec<String>,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("Failed to set up the HTTP client: {0}")]
    Client(String),
}

/// `a`, `b` and 3 more.
fn foreign_list(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let quoted: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|name| format!("`{name}`"))
        .collect();
    match names.len().saturating_sub(SHOWN) {
        0 => quoted.join(", "),
        more => format!("{} and {more} more", quoted.join(", ")),
    }
}

/// Where metadata that could not be read came from: the package, the URL and the rung of the
/// metadata ladder that read it.
#[derive(Debug, Clone)]
pub struct MetadataOrigin {
    /// The package that needed it.
    pub package: PackageName,
    /// The URL read, credentials redacted.
    pub url: RedactedUrl,
    /// How it was read (`HTTP range requests on the wheel`, ...).
    pub tried: &'static str,
}

/// What to do about an authentication failure: where strata takes credentials from.
fn status_remedy(status: u16, url: &RedactedUrl, credentials_sent: bool) -> String {
    let host = url.host().unwrap_or("HOST");
    match status {
        401 if credentials_sent => "; the index refused the credentials sent (from the index \
                                    URL or `.netrc`): check the user name and token"
            .to_string(),
        403 if credentials_sent => "; the credentials sent give no access to this URL".to_string(),
        401 | 403 => format!(
            "; the index wants credentials: add `machine {host} login USER password TOKEN` to \
             `~/.netrc` (or the file `NETRC` names), or put them in the index URL \
             (`https://USER:TOKEN@{host}/...`)"
        ),
        _ => String::new(),
    }
}
