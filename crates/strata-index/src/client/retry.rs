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
//! [`backoff_delay`], [`wake_at`]) that [`Attempts::retry_after`] applies between the attempts
//! of both request loops (a body, a whole file), so that what is retried, for how long and how
//! often is read and tested in one place, without a server.

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

/// One request's attempts so far: its [`Clock`] (started by the first) and the reason the last
/// retried one failed. A request loop runs an attempt with [`Attempts::clock`] and, when it
/// fails, asks [`Attempts::retry_after`] whether to go on.
pub(super) struct Attempts {
    clock: Clock,
    made: u32,
    previous: Option<String>,
}

impl Attempts {
    pub(super) fn new(deadline: Duration) -> Self {
        Self {
            clock: Clock::new(deadline),
            made: 0,
            previous: None,
        }
    }

    /// The request's clock, for the next attempt.
    pub(super) fn clock(&mut self) -> &mut Clock {
        &mut self.clock
    }

    /// After a failed attempt (how far it got in `progress`): waits for the backoff and returns
    /// `Ok` when [`decide`] says to try again, else the error to report, naming `url`, the
    /// `package` that needed it, the attempts made and the time spent.
    pub(super) async fn retry_after(
        &mut self,
        inner: &Inner,
        failure: Failure,
        progress: &Progress,
        url: &Url,
        package: Option<&PackageName>,
    ) -> Result<(), Error> {
        self.made += 1;
        match decide(
            failure,
            self.made,
            inner.options.attempts,
            &self.clock,
            progress,
            self.previous.take(),
        ) {
            Decision::Retry(reason) => self.previous = Some(reason),
            Decision::Fail(error) => return Err(error),
            Decision::GiveUp(reason, gave_up) => {
                return Err(network_error(
                    url,
                    package,
                    self.made,
                    &self.clock,
                    reason,
                    gave_up,
                ));
            }
        }
        inner.backoff(self.made, &self.clock).await;
        Ok(())
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
        Failure::Certificate(reason) => Decision::GiveUp(reason, GaveUp::Certificate),
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
#[derive(Debug)]
pub(super) enum Failure {
    /// Another attempt may succeed.
    Retryable(String),
    /// The request's deadline passed.
    Deadline,
    /// The server redirected in a loop or too often; every attempt would go the same way.
    Redirects(String),
    /// The server's certificate is not trusted (or not for this name): no attempt will be.
    Certificate(String),
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
/// error is about redirects. Everything below the HTTP status (connect, a TLS handshake cut
/// short, reset, timeout, a body cut short) is transient from our point of view; a redirect loop
/// or a chain too long is not, nor is a certificate the client does not trust, which no retry
/// changes. The reason is the whole chain, or the redirect policy's refusal, which says it
/// better.
fn transport_failure(error: &dyn std::error::Error, redirect: bool) -> Failure {
    let mut reason = error.to_string();
    let mut certificate = false;
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return Failure::Redirects(refused.0.clone());
        }
        certificate |= untrusted_certificate(cause);
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    if redirect {
        return Failure::Redirects(reason);
    }
    if certificate {
        return Failure::Certificate(reason);
    }
    Failure::Retryable(reason)
}

/// Whether `cause` is rustls refusing the server's certificate. It arrives wrapped in
/// `io::Error`s, whose `source()` skips the error they wrap, so those are looked into too.
fn untrusted_certificate(cause: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(rustls) = cause.downcast_ref::<rustls::Error>() {
        return matches!(rustls, rustls::Error::InvalidCertificate(_));
    }
    let mut inner = cause
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(error) = inner {
        if untrusted_certificate(error) {
            return true;
        }
        inner = error.source();
    }
    false
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

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    /// An error as reqwest reports one: its own message, and the cause below it.
    #[derive(Debug)]
    struct Caused(&'static str, Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Display for Caused {
        fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str(self.0)
        }
    }

    impl std::error::Error for Caused {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.1)
        }
    }

    fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }

    /// The decision after `failure` in attempt `attempt` of `attempts`, well before the
    /// deadline, with no retried failure before it.
    fn decide_early(failure: Failure, attempt: u32, attempts: u32) -> Decision {
        let mut clock = Clock::new(Duration::from_mins(5));
        clock.start();
        decide(
            failure,
            attempt,
            attempts,
            &clock,
            &Progress::default(),
            None,
        )
    }

    fn transient(reason: &str) -> Failure {
        Failure::Retryable(reason.to_string())
    }

    #[test]
    fn server_errors_and_throttling_are_retried() {
        for code in [500, 502, 503, 504, 429] {
            assert!(retried_status(status(code), Transfer::Body), "{code}");
            assert!(retried_status(status(code), Transfer::File), "{code}");
        }
    }

    #[test]
    fn answers_the_server_gave_on_purpose_are_not_retried() {
        for code in [200, 206, 304, 400, 401, 403, 404, 410, 416] {
            assert!(!retried_status(status(code), Transfer::Body), "{code}");
            assert!(!retried_status(status(code), Transfer::File), "{code}");
        }
    }

    #[test]
    fn a_request_timeout_is_retried_for_a_body_but_not_for_a_whole_file() {
        assert!(retried_status(StatusCode::REQUEST_TIMEOUT, Transfer::Body));
        assert!(!retried_status(StatusCode::REQUEST_TIMEOUT, Transfer::File));
    }

    #[test]
    fn a_connection_reset_is_retried_and_its_reason_names_every_cause() {
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer");
        let sending = Caused("error sending request", Box::new(reset));
        let failure = transport_failure(&Caused("request failed", Box::new(sending)), false);
        let Failure::Retryable(reason) = failure else {
            panic!("a reset is transient, got {failure:?}");
        };
        assert_eq!(
            reason,
            "request failed: error sending request: connection reset by peer"
        );
    }

    #[test]
    fn an_untrusted_certificate_is_not_retried_however_many_io_errors_wrap_it() {
        let refused = || rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = || io::Error::new(io::ErrorKind::InvalidData, refused());
        // As hyper hands it over: an io::Error around the io::Error tokio-rustls made.
        let twice = io::Error::other(wrapped());
        for cause in [
            Box::new(refused()) as Box<dyn std::error::Error + Send + Sync>,
            Box::new(wrapped()),
            Box::new(twice),
        ] {
            let failure = transport_failure(&Caused("client error (Connect)", cause), false);
            let Failure::Certificate(reason) = &failure else {
                panic!("an untrusted certificate is final, got {failure:?}");
            };
            assert!(
                reason.ends_with("invalid peer certificate: UnknownIssuer"),
                "{reason}"
            );
            assert!(matches!(
                decide_early(failure, 1, 4),
                Decision::GiveUp(_, GaveUp::Certificate)
            ));
        }
        // A handshake cut short is another matter: that may well work next time.
        let cut = rustls::Error::General("connection closed".to_string());
        let failure = transport_failure(&Caused("client error (Connect)", Box::new(cut)), false);
        assert!(matches!(failure, Failure::Retryable(_)), "{failure:?}");
    }

    #[test]
    fn a_redirect_the_policy_refused_is_not_retried_and_says_why() {
        let refused = RedirectRefused("it redirects in a loop: `a` -> `b` -> `a`".to_string());
        let failure =
            transport_failure(&Caused("error following redirect", Box::new(refused)), true);
        let Failure::Redirects(reason) = &failure else {
            panic!("a refused redirect is final, got {failure:?}");
        };
        assert_eq!(reason, "it redirects in a loop: `a` -> `b` -> `a`");
        let decision = decide_early(failure, 1, 4);
        assert!(
            matches!(decision, Decision::GiveUp(_, GaveUp::Redirects)),
            "gives up with three attempts left: {decision:?}"
        );
    }

    #[test]
    fn any_other_redirect_error_is_not_retried_either() {
        let failure = transport_failure(
            &Caused(
                "error following redirect",
                Box::new(io::Error::other("no location")),
            ),
            true,
        );
        let Failure::Redirects(reason) = failure else {
            panic!("a redirect error is final, got {failure:?}");
        };
        assert_eq!(reason, "error following redirect: no location");
    }

    #[test]
    fn a_request_that_cannot_be_built_fails_at_once() {
        let error = reqwest::Client::new()
            .get("http://[::1/simple/")
            .build()
            .unwrap_err();
        let failure = classify(error);
        let Failure::Fatal(error) = &failure else {
            panic!("a bad URL fails the same way every time, got {failure:?}");
        };
        assert!(matches!(error.kind(), ErrorKind::Client(_)), "{error:?}");
    }

    #[test]
    fn a_transient_failure_is_retried_until_the_attempt_limit() {
        for attempt in 1..4 {
            let decision = decide_early(transient("HTTP 503"), attempt, 4);
            assert!(
                matches!(&decision, Decision::Retry(reason) if reason == "HTTP 503"),
                "attempt {attempt} of 4: {decision:?}"
            );
        }
        let decision = decide_early(transient("HTTP 503"), 4, 4);
        assert!(
            matches!(&decision, Decision::GiveUp(reason, GaveUp::Attempts) if reason == "HTTP 503"),
            "attempt 4 of 4: {decision:?}"
        );
    }

    #[test]
    fn a_single_attempt_is_never_retried() {
        for attempts in [0, 1] {
            let decision = decide_early(transient("HTTP 502"), 1, attempts);
            assert!(
                matches!(decision, Decision::GiveUp(_, GaveUp::Attempts)),
                "{attempts} attempts: {decision:?}"
            );
        }
    }

    #[test]
    fn a_fatal_failure_is_reported_as_it_is_with_attempts_left() {
        let error: Error = ErrorKind::Client("bad request".to_string()).into();
        let decision = decide_early(Failure::Fatal(error), 1, 4);
        let Decision::Fail(error) = &decision else {
            panic!("not retried: {decision:?}");
        };
        assert!(
            matches!(error.kind(), ErrorKind::Client(reason) if reason == "bad request"),
            "{error:?}"
        );
    }

    #[test]
    fn the_deadline_gives_up_with_attempts_left_and_says_how_far_the_body_got() {
        let mut clock = Clock::new(Duration::from_mins(5));
        clock.start();
        let progress = Progress::default();
        progress.answered.store(true, Ordering::Relaxed);
        progress.add(1000);
        progress.add(234);
        let decision = decide(Failure::Deadline, 1, 4, &clock, &progress, None);
        let Decision::GiveUp(reason, GaveUp::Deadline(limit)) = &decision else {
            panic!("a deadline is final: {decision:?}");
        };
        assert_eq!(*limit, Duration::from_mins(5));
        assert_eq!(reason, "the body was still arriving, 1234 bytes so far");
    }

    #[test]
    fn a_deadline_after_a_retry_names_the_failure_that_was_retried() {
        let mut clock = Clock::new(Duration::ZERO);
        clock.start();
        let decision = decide(
            Failure::Deadline,
            2,
            4,
            &clock,
            &Progress::default(),
            Some("HTTP 503".to_string()),
        );
        let Decision::GiveUp(reason, GaveUp::Deadline(_)) = &decision else {
            panic!("a deadline is final: {decision:?}");
        };
        assert_eq!(
            reason,
            "no answer to the request had arrived; the attempt before failed: HTTP 503"
        );
    }

    #[test]
    fn a_deadline_reached_before_an_attempt_is_sent_says_no_time_was_left() {
        let decision = decide_early(Failure::Deadline, 3, 4);
        let Decision::GiveUp(reason, GaveUp::Deadline(_)) = &decision else {
            panic!("a deadline is final: {decision:?}");
        };
        assert_eq!(reason, "no time was left for another attempt");
    }

    #[test]
    fn the_backoff_doubles_from_the_base_and_its_jitter_stays_below_the_base() {
        let base = Duration::from_millis(250);
        for attempt in 1..=6 {
            let floor = base * 2u32.pow(attempt - 1);
            assert_eq!(backoff_delay(base, attempt, 0), floor, "attempt {attempt}");
            for seed in [1, 249_999_999, 250_000_000, 999_999_999, u32::MAX] {
                let delay = backoff_delay(base, attempt, seed);
                assert!(
                    delay >= floor && delay < floor + base,
                    "attempt {attempt}, seed {seed}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn the_backoff_of_a_very_late_attempt_saturates_instead_of_overflowing() {
        let base = Duration::from_millis(1);
        assert_eq!(backoff_delay(base, u32::MAX, 0), base * u32::MAX);
    }

    #[test]
    fn a_zero_base_never_waits() {
        assert_eq!(backoff_delay(Duration::ZERO, 3, u32::MAX), Duration::ZERO);
    }

    #[test]
    fn the_wait_never_runs_past_the_deadline() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        let ten = Duration::from_secs(10);
        assert_eq!(wake_at(now, ten, Some(now + second)), now + second);
        assert_eq!(wake_at(now, second, Some(now + ten)), now + second);
        assert_eq!(wake_at(now, ten, None), now + ten);
    }
}
