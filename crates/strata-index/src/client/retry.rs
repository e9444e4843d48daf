//! When a failed request is tried again, how long to wait, and when to give up.
//!
//! Connection errors, timeouts, resets, 5xx/429 answers and truncated bodies (fewer bytes than
//! `Content-Length`) are retried with exponential backoff and jitter, up to
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

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pep508_rs::PackageName;
use url::Url;

use super::Inner;
use super::redirect::RedirectRefused;
use crate::error::{Error, ErrorKind, GaveUp};
use crate::index_url::RedactedUrl;

impl Inner {
    /// Whether to try again after `failure`: `None` to retry, else the final error or why
    /// trying stopped. `previous` keeps the last retried failure, which a deadline error
    /// reports too (the deadline may pass while a flaky server is being retried).
    pub(super) fn retry(
        &self,
        failure: Failure,
        attempt: u32,
        clock: &Clock,
        progress: &Progress,
        previous: &mut Option<String>,
    ) -> Option<Result<(String, GaveUp), Error>> {
        let stopped = match failure {
            Failure::Fatal(error) => return Some(Err(error)),
            Failure::Redirects(reason) => (reason, GaveUp::Redirects),
            Failure::Deadline => {
                let mut reason = progress.describe(clock);
                if let Some(previous) = previous.take() {
                    reason.push_str("; the attempt before failed: ");
                    reason.push_str(&previous);
                }
                (reason, GaveUp::Deadline(clock.limit))
            }
            Failure::Retryable(reason) if attempt >= self.options.attempts => {
                (reason, GaveUp::Attempts)
            }
            Failure::Retryable(reason) => {
                *previous = Some(reason);
                return None;
            }
        };
        Some(Ok(stopped))
    }

    /// Waits before attempt `attempt + 1`, never past the request's deadline.
    pub(super) async fn backoff(&self, attempt: u32, clock: &Clock) {
        // Jitter without a random number generator: the clock's nanoseconds are spread enough
        // to keep concurrent retries from marching in step.
        let jitter = Duration::from_nanos(
            u64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.subsec_nanos()),
            ) % u64::try_from(self.options.backoff.as_nanos().max(1)).unwrap_or(u64::MAX),
        );
        let delay = self.options.backoff * 2u32.saturating_pow(attempt.saturating_sub(1)) + jitter;
        let wake = Instant::now() + delay;
        tokio::time::sleep_until(
            clock
                .deadline()
                .map_or(wake, |deadline| wake.min(deadline))
                .into(),
        )
        .await;
    }
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
    // Everything reqwest reports below the HTTP status (connect, TLS, reset, timeout, a body cut
    // short) is transient from our point of view; a bad URL or a builder error is not, and
    // neither is a redirect loop.
    if error.is_builder() {
        return Failure::Fatal(ErrorKind::Client(error.to_string()).into());
    }
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return Failure::Redirects(refused.0.clone());
        }
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_redirect() {
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
