//! When a failed request is tried again, how long to wait, and when to give up.
//!
//! Connection errors, timeouts, resets, 5xx and 429 answers (and 408 for a body read into
//! memory) and truncated bodies (fewer bytes than `Content-Length`) are retried with
//! exponential backoff and jitter, up to
//! [`ClientOptions::attempts`](super::ClientOptions::attempts); the final error names the URL,
//! the package that needed it, the attempts and the time spent.
//!
//! Every request also has a deadline, retries and their backoff included
//! ([`ClientOptions::http_timeout`](super::ClientOptions::http_timeout)), on top of the read
//! timeout between bytes: a body that trickles in a byte a second never trips the read timeout,
//! and would otherwise hold a run for hours. The [`Clock`] starts when the first attempt is
//! sent, so a request queued behind the others in flight is not late yet, and [`Progress`]
//! records how far an attempt got, since its future is dropped at the deadline and cannot say.
//!
//! A redirect loop or chain too long is never retried (see [`super::redirect`]), nor is
//! anything the server answered deliberately (a 404, a hash that does not match).
//!
//! The policy is a handful of pure functions ([`decide`], [`retried_status`], [`classify`],
//! [`backoff_delay`], [`wake_at`]) that the two request loops (a body, a whole file) call
//! between attempts, so that what is retried, for how long and how often is read and tested in
//! one place, without a server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pep508_rs::PackageName;
use reqwest::StatusCode;
use url::Url;

use super::Inner;
use super::redirect::RedirectRefused;
use crate::error::{Error, ErrorKind, GaveUp};
use crate::index_url::RedactedUrl;

impl Inner {
    /// Waits before attempt `attempt + 1` (see [`backoff_delay`]), never past the request's
    /// deadline.
    pub(super) async fn backoff(&self, attempt: u32, clock: &Clock) {
        // Jitter without a random number generator: the clock's nanoseconds are spread enough
        // to keep concurrent retries from marching in step.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let delay = backoff_delay(self.options.backoff, attempt, seed);
        tokio::time::sleep_until(wake_at(Instant::now(), delay, clock.deadline()).into()).await;
    }
}

/// What a request loop does after a failed attempt.
#[derive(Debug)]
pub(super) enum Decision {
    /// Wait (see [`backoff_delay`]) and try again. The reason is kept: if the deadline passes
    /// during the next attempt, its error says this one failed too.
    Retry(String),
    /// Stop, and report a network error with this reason and why trying stopped.
    GiveUp(String, GaveUp),
    /// Stop, and report this error as it is.
    Fail(Error),
}

/// Whether to try again after `failure` ended attempt `attempt` (the first is 1) of at most
/// `attempts`. `previous` is why the attempt before failed, when it was retried: a deadline
/// error reports it too, since the deadline may pass while a flaky server is being retried.
pub(super) fn decide(
    failure: Failure,
    attempt: u32,
    attempts: u32,
    clock: &Clock,
    progress: &Progress,
    previous: Option<String>,
) -> Decision {
    match failure {
        Failure::Fatal(error) => Decision::Fail(error),
        Failure::Redirects(reason) => Decision::GiveUp(reason, GaveUp::Redirects),
        Failure::Deadline => {
            let mut reason = progress.describe(clock);
            if let Some(previous) = previous {
                reason.push_str("; the attempt before failed: ");
                reason.push_str(&previous);
            }
            Decision::GiveUp(reason, GaveUp::Deadline(clock.limit))
        }
        Failure::Retryable(reason) if attempt >= attempts => {
            Decision::GiveUp(reason, GaveUp::Attempts)
        }
        Failure::Retryable(reason) => Decision::Retry(reason),
    }
}

/// What a request transfers, for the one place the retry policy tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transfer {
    /// A body read into memory: a page, a PEP 658 file, a range.
    Body,
    /// A whole file streamed to disk.
    File,
}

/// Whether an answer with `status` is worth another attempt: the server is failing (5xx) or
/// asks to be left alone for a moment (429). Anything else it answered on purpose, and would
/// answer again. A whole-file download has never retried a `408 Request Timeout`, which a
/// body does; that difference is kept as it was when this policy became a function of its
/// own, though nothing argues for it.
pub(super) fn retried_status(status: StatusCode, transfer: Transfer) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::REQUEST_TIMEOUT && transfer == Transfer::Body)
}

/// The wait before attempt `attempt + 1`: `base`, doubled for each attempt after the first,
/// plus a jitter below `base` taken from `seed` (any number that differs between callers).
pub(super) fn backoff_delay(base: Duration, attempt: u32, seed: u32) -> Duration {
    let jitter = Duration::from_nanos(
        u64::from(seed) % u64::try_from(base.as_nanos().max(1)).unwrap_or(u64::MAX),
    );
    base * 2u32.saturating_pow(attempt.saturating_sub(1)) + jitter
}

/// When a wait of `delay` from `now` ends: never past the request's deadline, if it has one.
pub(super) fn wake_at(now: Instant, delay: Duration, deadline: Option<Instant>) -> Instant {
    let wake = now + delay;
    deadline.map_or(wake, |deadline| wake.min(deadline))
}

/// The deadline of one request, retries included. It starts when the first attempt is sent: a
/// request queued behind the others in flight is not late yet.
pub(super) struct Clock {
    pub(super) limit: Duration,
    started: Option<Instant>,
}

impl Clock {
    pub(super) fn new(limit: Duration) -> Self {
        Self {
            limit,
            started: None,
        }
    }

    /// Starts the clock if it has not started; returns the deadline.
    pub(super) fn start(&mut self) -> Instant {
        let started = *self.started.get_or_insert_with(Instant::now);
        started + self.limit
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        self.started.map(|started| started + self.limit)
    }

    /// Time since the first attempt was sent.
    pub(super) fn elapsed(&self) -> Duration {
        self.started
            .map_or(Duration::ZERO, |started| started.elapsed())
    }
}

/// How far one attempt got, readable after its future was dropped at the deadline.
#[derive(Default)]
pub(super) struct Progress {
    /// The status line and headers arrived.
    pub(super) answered: std::sync::atomic::AtomicBool,
    /// Body bytes that arrived.
    bytes: AtomicU64,
}

impl Progress {
    pub(super) fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Where the attempt stood when the deadline passed.
    fn describe(&self, clock: &Clock) -> String {
        if self.answered.load(Ordering::Relaxed) {
            format!(
                "the body was still arriving, {} bytes so far",
                self.bytes.load(Ordering::Relaxed)
            )
        } else if clock.elapsed() >= clock.limit {
            "no answer to the request had arrived".to_string()
        } else {
            "no time was left for another attempt".to_string()
        }
    }
}

/// A request failure, sorted by whether trying again can help.
pub(super) enum Failure {
    /// Another attempt may succeed.
    Retryable(String),
    /// The request's deadline passed.
    Deadline,
    /// The server redirected in a loop or too often; every attempt would go the same way.
    Redirects(String),
    /// Reported as is.
    Fatal(Error),
}

#[expect(clippy::needless_pass_by_value, reason = "used as `map_err(classify)`")]
pub(super) fn classify(error: reqwest::Error) -> Failure {
    // A bad URL or a builder error is not transient: it fails the same way every time.
    if error.is_builder() {
        return Failure::Fatal(ErrorKind::Client(error.to_string()).into());
    }
    transport_failure(&error, error.is_redirect())
}

/// The failure a transport error stands for, from its chain of causes; `redirect` says the
/// error is about redirects. Everything below the HTTP status (connect, TLS, reset, timeout, a
/// body cut short) is transient from our point of view; a redirect loop or a chain too long is
/// not. The reason is the whole chain, or the redirect policy's refusal, which says it better.
fn transport_failure(error: &dyn std::error::Error, redirect: bool) -> Failure {
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return Failure::Redirects(refused.0.clone());
        }
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    if redirect {
        return Failure::Redirects(reason);
    }
    Failure::Retryable(reason)
}

pub(super) fn network_error(
    url: &Url,
    package: Option<&PackageName>,
    attempts: u32,
    clock: &Clock,
    reason: String,
    gave_up: GaveUp,
) -> Error {
    ErrorKind::Network {
        url: RedactedUrl::new(url),
        package: package.cloned(),
        attempts,
        elapsed: clock.elapsed(),
        reason,
        gave_up,
    }
    .into()
}
