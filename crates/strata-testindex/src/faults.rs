//! Fault switches: how the index misbehaves, and where.
//!
//! Each [`Fault`] is scoped to a URL path prefix (`"/"` for everything,
//! `"/simple/numpy/"` for one page, `"/files/"` for all artifacts). Counted faults
//! ([`Fault::ServerError`], [`Fault::NotFound`], [`Fault::ConnectionReset`],
//! [`Fault::TruncatedBody`]) hit the first `count` matching requests and then let
//! requests through, which is what a client's retry logic needs to be tested
//! against; use `usize::MAX` for "always". The others apply as long as they are set.
//!
//! Some faults are about time and size rather than content: [`Fault::Stall`] and
//! [`Fault::Trickle`] never finish or finish slowly, [`Fault::OversizedPage`] sends
//! more than a client should hold in memory. They hold a connection thread for as
//! long as the client waits, and give it up when the client hangs up or the index
//! is dropped, so a test that gives up early never leaves a thread behind.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// One way to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long before answering each matching request.
    Latency(Duration),
    /// Answer the first `count` matching requests with `status` (500, 503, ...).
    ServerError {
        /// The HTTP status to answer with.
        status: u16,
        /// How many requests get it.
        count: usize,
    },
    /// Close the connection without answering the first `count` matching requests.
    ConnectionReset {
        /// How many requests get it.
        count: usize,
    },
    /// Announce the full `Content-Length` but send only half the body, then close
    /// the connection, for the first `count` matching requests.
    TruncatedBody {
        /// How many requests get it.
        count: usize,
    },
    /// Ignore `Range` headers: answer 200 with the whole body and advertise
    /// `Accept-Ranges: none`.
    RangeUnsupported,
    /// Leave PEP 658 metadata advertisements out of matching pages (the files
    /// stay downloadable).
    MetadataNotAdvertised,
    /// Advertise a SHA-256 in matching pages that does not match the file.
    WrongHash,
    /// Serve matching pages cut in half, so they are neither valid JSON nor
    /// well-formed HTML.
    MalformedPage,
    /// List the file named `filename` with this SHA-256 in matching pages, while
    /// serving the file itself unchanged: an index that claims another index's
    /// genuine hash for a file whose contents differ.
    AdvertisedHash {
        /// The file name as pages list it.
        filename: String,
        /// The lowercase hex SHA-256 to advertise.
        sha256: String,
    },
    /// Advertise the PEP 658 metadata file of the file named `filename` in matching
    /// pages with this SHA-256 instead of its own, or with no hash at all
    /// (`core-metadata: true`) for `None`, while serving the metadata file
    /// unchanged: a metadata file the page's hash does not vouch for. Only where the
    /// universe serves [`crate::Universe::metadata_files`].
    AdvertisedMetadataHash {
        /// The distribution file's name as pages list it (not the `.metadata` name).
        filename: String,
        /// The lowercase hex SHA-256 to advertise, or `None` for no hash.
        sha256: Option<String>,
    },
    /// Answer range requests with `206` and the right headers but bytes that
    /// are not the file's (a broken proxy or cache in front of the index).
    GarbageRanges,
    /// Answer the first `count` matching requests `404 Not Found`, with
    /// `Cache-Control: max-age=<max_age>` when `max_age` is given (and no caching
    /// header at all otherwise): a project a mirror has not synced yet, which
    /// appears a moment later.
    NotFound {
        /// How many requests get it.
        count: usize,
        /// The `max-age` the answer grants, in seconds.
        max_age: Option<u32>,
    },
    /// Read matching requests and never answer them: no status line, not one byte,
    /// until the client hangs up or the index stops (a wedged server behind a load
    /// balancer that accepts connections). Logged with no status, like a reset.
    Stall,
    /// Send matching responses' status line and headers at once, then the body at
    /// `bytes_per_second`, in small writes a twentieth of a second apart (one byte
    /// at a time below 20 bytes a second). Bytes keep arriving, so no read timeout
    /// ever fires, while the whole body takes its length divided by the rate.
    Trickle {
        /// The pace of the body.
        bytes_per_second: u64,
    },
    /// Answer matching requests with `302 Found` pointing back at the path
    /// requested: a redirect loop no number of attempts gets out of.
    RedirectLoop,
    /// Reach matching paths only through this many redirects (`302 Found`): a
    /// request for `<path>` is sent to `/hops/<n-1><path>`, which sends it to
    /// `/hops/<n-2><path>`, and so on down to `/hops/0<path>`, which answers as
    /// `<path>` would (relative links in a page still resolve, under `/hops/0`).
    /// The log shows each hop's path, and the last request under `<path>`. `0`
    /// redirects nothing.
    RedirectChain(usize),
    /// Pad matching pages with trailing whitespace to this many bytes (the JSON or
    /// HTML still parses to the same page) and send them without `Content-Length`,
    /// ending the body by closing the connection as HTTP/1.1 allows: a client
    /// learns the size only by counting what arrives. The padding is generated as
    /// it is sent, so a page of gigabytes costs the index no memory.
    OversizedPage(u64),
    /// Answer 401 with `WWW-Authenticate: Basic` unless the request carries these
    /// HTTP basic credentials, as a private index does.
    RequireBasicAuth {
        /// The user name.
        login: String,
        /// The password.
        password: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    prefix: String,
    fault: Fault,
}

/// A set of scoped faults; empty (a well-behaved index) by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    rules: Vec<Rule>,
}

impl Faults {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `fault` for requests whose path starts with `path_prefix`.
    #[must_use]
    pub fn on(mut self, path_prefix: impl Into<String>, fault: Fault) -> Self {
        self.rules.push(Rule {
            prefix: path_prefix.into(),
            fault,
        });
        self
    }

    /// Adds `fault` for every request.
    #[must_use]
    pub fn everywhere(self, fault: Fault) -> Self {
        self.on("/", fault)
    }

    fn matching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Fault> + 'a {
        self.rules
            .iter()
            .filter(move |rule| path.starts_with(&rule.prefix))
            .map(|rule| &rule.fault)
    }

    pub(crate) fn latency(&self, path: &str) -> Duration {
        self.matching(path)
            .filter_map(|fault| match fault {
                Fault::Latency(delay) => Some(*delay),
                _ => None,
            })
            .sum()
    }

    /// The credentials a matching request must carry, if any.
    pub(crate) fn required_credentials<'a>(&'a self, path: &'a str) -> Option<(&'a str, &'a str)> {
        self.matching(path).find_map(|fault| match fault {
            Fault::RequireBasicAuth { login, password } => {
                Some((login.as_str(), password.as_str()))
            }
            _ => None,
        })
    }

    /// The hash matching pages advertise for `filename` instead of its own, if any.
    pub(crate) fn advertised_hash<'a>(&'a self, path: &'a str, filename: &str) -> Option<&'a str> {
        self.matching(path).find_map(|fault| match fault {
            Fault::AdvertisedHash {
                filename: listed,
                sha256,
            } if listed == filename => Some(sha256.as_str()),
            _ => None,
        })
    }

    /// The `sha256` of the [`Fault::AdvertisedMetadataHash`] for `filename` in matching pages,
    /// if one is set: what they advertise for its metadata file instead of its own hash.
    pub(crate) fn advertised_metadata_hash<'a>(
        &'a self,
        path: &'a str,
        filename: &str,
    ) -> Option<&'a Option<String>> {
        self.matching(path).find_map(|fault| match fault {
            Fault::AdvertisedMetadataHash {
                filename: listed,
                sha256,
            } if listed == filename => Some(sha256),
            _ => None,
        })
    }

    /// How many redirects a matching request must go through, if any.
    pub(crate) fn redirect_chain(&self, path: &str) -> Option<usize> {
        self.matching(path).find_map(|fault| match fault {
            Fault::RedirectChain(hops) => Some(*hops),
            _ => None,
        })
    }

    /// The size matching pages are padded to, if any.
    pub(crate) fn oversized_page(&self, path: &str) -> Option<u64> {
        self.matching(path).find_map(|fault| match fault {
            Fault::OversizedPage(bytes) => Some(*bytes),
            _ => None,
        })
    }

    /// The pace of matching bodies, in bytes a second, if any.
    pub(crate) fn trickle(&self, path: &str) -> Option<u64> {
        self.matching(path).find_map(|fault| match fault {
            Fault::Trickle { bytes_per_second } => Some(*bytes_per_second),
            _ => None,
        })
    }

    pub(crate) fn is_set(&self, path: &str, wanted: &Fault) -> bool {
        self.matching(path).any(|fault| fault == wanted)
    }

    /// Consumes one use of the first counted fault of this kind that matches.
    fn take(&mut self, path: &str, kind: fn(&mut Fault) -> Option<&mut usize>) -> bool {
        for rule in &mut self.rules {
            if !path.starts_with(&rule.prefix) {
                continue;
            }
            if let Some(count) = kind(&mut rule.fault)
                && *count > 0
            {
                *count -= 1;
                return true;
            }
        }
        false
    }

    pub(crate) fn take_server_error(&mut self, path: &str) -> Option<u16> {
        let status = self.matching(path).find_map(|fault| match fault {
            Fault::ServerError { status, count } if *count > 0 => Some(*status),
            _ => None,
        })?;
        self.take(path, |fault| match fault {
            Fault::ServerError { count, .. } => Some(count),
            _ => None,
        })
        .then_some(status)
    }

    /// Consumes one use of a matching [`Fault::NotFound`], if one is left.
    pub(crate) fn take_not_found(&mut self, path: &str) -> Option<NotFound> {
        let max_age = self.matching(path).find_map(|fault| match fault {
            Fault::NotFound { count, max_age } if *count > 0 => Some(*max_age),
            _ => None,
        })?;
        self.take(path, |fault| match fault {
            Fault::NotFound { count, .. } => Some(count),
            _ => None,
        })
        .then_some(NotFound { max_age })
    }

    pub(crate) fn take_reset(&mut self, path: &str) -> bool {
        self.take(path, |fault| match fault {
            Fault::ConnectionReset { count } => Some(count),
            _ => None,
        })
    }

    pub(crate) fn take_truncation(&mut self, path: &str) -> bool {
        self.take(path, |fault| match fault {
            Fault::TruncatedBody { count } => Some(count),
            _ => None,
        })
    }
}

/// A [`Fault::NotFound`] that hit a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotFound {
    /// The `max-age` the answer grants.
    pub(crate) max_age: Option<u32>,
}

/// Changes a running index's faults from any thread; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct FaultHandle(Arc<Mutex<Faults>>);

impl FaultHandle {
    pub(crate) fn new(faults: Faults) -> Self {
        Self(Arc::new(Mutex::new(faults)))
    }

    /// Replaces the faults; requests already being answered are not affected.
    pub fn set(&self, faults: Faults) {
        *self.lock() = faults;
    }

    /// Makes the index well-behaved again.
    pub fn clear(&self) {
        self.set(Faults::new());
    }

    /// The faults now in force, with their remaining counts.
    pub fn current(&self) -> Faults {
        self.lock().clone()
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        // A panicking test thread must not take the server down with it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_per_rule_and_respect_the_prefix() {
        let mut faults = Faults::new()
            .on(
                "/files/",
                Fault::ServerError {
                    status: 503,
                    count: 2,
                },
            )
            .on(
                "/",
                Fault::ServerError {
                    status: 500,
                    count: 1,
                },
            );
        assert_eq!(faults.take_server_error("/simple/"), Some(500));
        assert_eq!(faults.take_server_error("/simple/"), None);
        assert_eq!(faults.take_server_error("/files/a"), Some(503));
        assert_eq!(faults.take_server_error("/files/a"), Some(503));
        assert_eq!(faults.take_server_error("/files/a"), None);
    }

    #[test]
    fn latencies_of_matching_rules_add_up() {
        let faults = Faults::new()
            .everywhere(Fault::Latency(Duration::from_millis(5)))
            .on("/files/", Fault::Latency(Duration::from_millis(7)));
        assert_eq!(faults.latency("/files/x"), Duration::from_millis(12));
        assert_eq!(faults.latency("/simple/"), Duration::from_millis(5));
    }
}
