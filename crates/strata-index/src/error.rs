//! Errors of the index client. Every network error says what was tried: the URL (credentials
//! redacted), the package that needed it, how many attempts were made and how long they took.
//!
//! An error that may come from a stale cache entry (an index page reused without asking the
//! index, then a file on it that is gone or hashes differently) carries that page
//! ([`Error::cached_page`]), and its hints say how to bypass the cache: a rerun against an
//! index that has recovered must not fail again without saying why.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pep508_rs::PackageName;
use strata_diagnostic::Diagnostic;

use crate::index_url::RedactedUrl;

/// The index client's error, boxed to keep `Result` small.
///
/// Cloning is cheap: a run memoizes failures too, and every task that asked for the same page
/// gets the same error. It displays as its [`ErrorKind`].
#[derive(Debug, Clone)]
pub struct Error {
    kind: Arc<ErrorKind>,
    cached_page: Option<Arc<CachedPageUse>>,
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.kind, formatter)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.kind)
    }
}

/// An index page reused from the cache without asking the index, which an error may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPageUse {
    /// The project whose page it is.
    pub package: PackageName,
    /// The index, credentials redacted.
    pub index: String,
    /// How long before this run the page was fetched or last revalidated.
    pub age: Duration,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The index page this error may come from, when it was reused from the cache without
    /// asking the index (it was fresh by the index's `Cache-Control`, or by the grace period of
    /// a page sent without caching headers). `None` when every page involved came from the
    /// index during this run.
    pub fn cached_page(&self) -> Option<&CachedPageUse> {
        self.cached_page.as_deref()
    }

    /// This error, noting the cached page it may come from.
    #[must_use]
    pub(crate) fn with_cached_page(mut self, page: CachedPageUse) -> Self {
        self.cached_page = Some(Arc::new(page));
        self
    }
}

impl Diagnostic for Error {
    /// Actionable sentences for the user, computed from the error's fields.
    fn hints(&self) -> Vec<String> {
        let mut hints: Vec<String> = self
            .cached_page
            .iter()
            .map(|page| {
                format!(
                    "The index page of `{package}` was reused from the cache (fetched {age} ago) \
                     without asking {index}; if the index has changed since, \
                     `--refresh-package {package}` (or `--refresh`) bypasses the cache",
                    package = page.package,
                    age = age(page.age),
                    index = page.index,
                )
            })
            .collect();
        hints.extend(match &*self.kind {
            ErrorKind::OfflineMiss { .. } => vec![
                "Run once without `--offline` to fill the cache, or drop `--offline`".to_string(),
            ],
            ErrorKind::PackageNotFound { .. } => vec![
                "Check the name, or add the index that has it with `--extra-index-url` (first-index strategy: a package is taken from the first index that has it)".to_string(),
            ],
            ErrorKind::Build { .. } => vec![
                "This sdist has no static metadata and its build failed; if the project publishes wheels on another index, add it for this profile or engine".to_string(),
            ],
            ErrorKind::Git { .. } => vec![
                "strata runs your `git`, authenticated by your SSH agent, `~/.ssh/config` and credential helpers, and never prompts: check that `git ls-remote <repository>` works in this shell".to_string(),
            ],
            ErrorKind::NotACache { .. } => vec![
                "`STRATA_CACHE_DIR` names the cache; check that it points where you meant (`strata cache dir` prints it). strata removes only a directory it marked as its cache; delete any other yourself".to_string(),
            ],
            ErrorKind::Network {
                gave_up: GaveUp::Attempts,
                ..
            } => vec![
                "Check the network and the index URL; set `SSL_CERT_FILE` if a proxy re-signs TLS".to_string(),
            ],
            ErrorKind::Network {
                gave_up: GaveUp::Deadline(_),
                ..
            } => vec![
                "The index answered too slowly. Each request may take `--http-timeout` seconds (`STRATA_HTTP_TIMEOUT`, default 300), retries included: raise it for a slow link, or check the index (and any proxy in front of it) if it should be fast".to_string(),
            ],
            ErrorKind::Network {
                gave_up: GaveUp::Certificate,
                ..
            } => vec![
                "strata trusts the platform's certificate store, or the CAs `SSL_CERT_FILE` names instead of it: if a proxy or a private index signs with its own CA, add that CA to the store, or name a bundle holding it and the system's CAs in `SSL_CERT_FILE`".to_string(),
            ],
            ErrorKind::Network {
                gave_up: GaveUp::Redirects,
                ..
            } => vec![
                "Check the index URL, and the redirect rules of the server or proxy that serves it; `curl -sIL URL` shows where the redirects lead".to_string(),
            ],
            ErrorKind::TooLarge { .. } => vec![
                "No package index serves anything near this size here: check that the index URL points at a package index, and that no proxy in front of it pads or replaces its answers".to_string(),
            ],
            _ => Vec::new(),
        });
        hints
    }
}

impl<T: Into<ErrorKind>> From<T> for Error {
    fn from(kind: T) -> Self {
        Self {
            kind: Arc::new(kind.into()),
            cached_page: None,
        }
    }
}

/// `12 s`, `4 min`, `3 h`: how long ago, as a person says it.
fn age(age: Duration) -> String {
    let seconds = age.as_secs();
    match seconds {
        0..120 => format!("{seconds} s"),
        120..7200 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

/// Why the client stopped trying a request ([`ErrorKind::Network`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GaveUp {
    /// Every attempt failed in a way worth retrying (a reset, a 5xx, a read timeout).
    Attempts,
    /// The request's deadline passed, retries included (`ClientOptions::http_timeout`).
    Deadline(Duration),
    /// The server redirected in a loop, or more times than a client follows: another attempt
    /// would be redirected the same way.
    Redirects,
    /// The server's certificate is not one the client trusts: another attempt would be refused
    /// the same way.
    Certificate,
}

/// What a body too large to read was meant to be ([`ErrorKind::TooLarge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// A project page of the simple API.
    Page,
    /// A PEP 658 metadata file.
    MetadataFile,
    /// A byte range of a file: the bound is the length asked for.
    Range,
}

impl fmt::Display for BodyKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Page => "an index page",
            Self::MetadataFile => "a metadata file",
            Self::Range => "the byte range asked for",
        })
    }
}

/// `64 MiB`, `16 KiB`, or bytes.
pub(crate) fn byte_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// `2 s`, `1.5 s`: a deadline as it was set.
fn seconds(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// The message of [`ErrorKind::Network`]: what was tried, and why trying stopped.
fn network_message(
    url: &RedactedUrl,
    package: Option<&PackageName>,
    attempts: u32,
    elapsed: Duration,
    reason: &str,
    gave_up: GaveUp,
) -> String {
    let needed = package
        .map(|package| format!(" for `{package}`"))
        .unwrap_or_default();
    let tried = format!(
        "{attempts} attempt{} in {:.1}s",
        if attempts == 1 { "" } else { "s" },
        elapsed.as_secs_f64()
    );
    match gave_up {
        GaveUp::Attempts => format!("Failed to fetch `{url}`{needed} after {tried}: {reason}"),
        GaveUp::Deadline(limit) => format!(
            "Failed to fetch `{url}`{needed} within its deadline of {} ({tried}): {reason}",
            seconds(limit)
        ),
        GaveUp::Redirects => format!(
            "Failed to fetch `{url}`{needed}: {reason}; not retried, as every attempt would be \
             redirected the same way ({tried})"
        ),
        GaveUp::Certificate => format!(
            "Failed to fetch `{url}`{needed}: {reason}; the index's certificate is not trusted, \
             so it was not retried ({tried})"
        ),
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request failed: after retries (connection errors, resets, read timeouts, 5xx,
    /// truncated bodies), at its deadline, or at once for a redirect loop (see [`GaveUp`]).
    #[error(
        "{}",
        network_message(url, package.as_ref(), *attempts, *elapsed, reason, *gave_up)
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
        /// Why trying stopped.
        gave_up: GaveUp,
    },
    /// A body was larger than strata reads into memory for its kind: refused, not retried.
    #[error(
        "`{url}`{} sent more than {} for {what}, the most strata reads into memory for one: {}",
        package.as_ref().map(|package| format!(" (needed for `{package}`)")).unwrap_or_default(),
        byte_size(*limit),
        match announced {
            Some(length) => format!("it announced {length} bytes (`Content-Length`), and none were read"),
            None => format!("reading stopped after {received} bytes"),
        }
    )]
    TooLarge {
        /// The URL, credentials redacted.
        url: RedactedUrl,
        /// The package that needed it.
        package: Option<PackageName>,
        /// What the body was meant to be.
        what: BodyKind,
        /// The bound, in bytes.
        limit: u64,
        /// Bytes read before stopping.
        received: u64,
        /// The length the server announced, when that alone was too much.
        announced: Option<u64>,
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
    /// A `git` command of a git requirement failed.
    #[error("`{command}` failed:\n{}", stderr.lines().map(|line| format!("  | {line}")).collect::<Vec<_>>().join("\n"))]
    Git {
        /// The command line, credentials redacted.
        command: String,
        /// What git wrote to stderr, credentials redacted.
        stderr: String,
    },
    /// A git requirement's checkout has no usable metadata, or its reference does not exist.
    #[error("Failed to read the project at `{url}`: {reason}")]
    GitMetadata {
        /// The repository or checkout, redacted.
        url: String,
        /// What is wrong.
        reason: String,
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
