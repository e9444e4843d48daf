//! One GET: retried, within its deadline, and bounded in what it holds in memory.
//!
//! Every request the client sends for a page, a PEP 658 file or a range goes through
//! [`Inner::fetch`], which takes a permit among the requests in flight, sends the attempt, and
//! asks [`super::retry`] what to do when it fails. What the request expects back ([`Expect`])
//! bounds its body: [`MAX_PAGE_BYTES`](super::MAX_PAGE_BYTES) for a page,
//! [`MAX_METADATA_SIZE`](crate::metadata::range::MAX_METADATA_SIZE) for a PEP 658 file, the length
//! asked for a range. A `Content-Length` over the bound is refused before reading, and a body
//! without one is read chunk by chunk and refused as soon as it passes the bound: a server
//! that misbehaves cannot fill a run's memory. A range answered with the whole file is reported
//! without its body being read (it may be gigabytes). Whole files are not fetched here: a
//! download streams them to disk.

use std::sync::atomic::Ordering;
use std::time::Instant;

use bytes::Bytes;
use pep508_rs::PackageName;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use url::Url;

use super::Inner;
use super::retry::{Attempts, Clock, Failure, Progress, Transfer, classify, retried_status};
use crate::error::{BodyKind, Error, ErrorKind};
use crate::index_url::RedactedUrl;

/// What a request expects back, and how much of it may be held in memory.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    /// A whole body of this kind, of at most this many bytes.
    Whole(BodyKind, u64),
    /// A byte range of this many bytes; a 200 answer means the server ignored the range.
    Range(u64),
}

/// A response read whole.
pub(super) struct Response {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) url: Url,
}

/// What one HTTP exchange produced.
pub(super) enum Fetched {
    Body(Box<Response>),
    /// A range was asked for and the server answered 200 with the whole file.
    RangeIgnored,
}

impl Inner {
    /// One GET with retries, within the request's deadline. With [`Expect::Range`], a 200
    /// answer is reported as [`Fetched::RangeIgnored`] without reading its body (it may be
    /// gigabytes).
    pub(super) async fn fetch(
        &self,
        url: &Url,
        headers: HeaderMap,
        package: Option<&PackageName>,
        expect: Expect,
    ) -> Result<Fetched, Error> {
        let mut attempts = Attempts::new(self.options.http_timeout);
        loop {
            let progress = Progress::default();
            match self
                .fetch_once(url, &headers, package, expect, attempts.clock(), &progress)
                .await
            {
                Ok(fetched) => return Ok(fetched),
                Err(failure) => {
                    attempts
                        .retry_after(self, failure, &progress, url, package)
                        .await?;
                }
            }
        }
    }

    async fn fetch_once(
        &self,
        url: &Url,
        headers: &HeaderMap,
        package: Option<&PackageName>,
        expect: Expect,
        clock: &mut Clock,
        progress: &Progress,
    ) -> Result<Fetched, Failure> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let deadline = clock.start();
        if Instant::now() >= deadline {
            return Err(Failure::Deadline);
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let exchange = async {
            let mut response = self
                .get(url)
                .headers(headers.clone())
                .send()
                .await
                .map_err(classify)?;
            progress.answered.store(true, Ordering::Relaxed);
            let status = response.status();
            if retried_status(status, Transfer::Body) {
                return Err(Failure::Retryable(format!("HTTP {status}")));
            }
            if matches!(expect, Expect::Range(_)) && status == StatusCode::OK {
                return Ok(Fetched::RangeIgnored);
            }
            let headers = response.headers().clone();
            let final_url = response.url().clone();
            // Compressed bodies are decoded by the client, so their length differs from the
            // header.
            let encoded = headers.contains_key(header::CONTENT_ENCODING);
            let expected_length = response.content_length().filter(|_| !encoded);
            let (what, limit) = match expect {
                Expect::Whole(what, limit) => (what, limit),
                Expect::Range(length) => (BodyKind::Range, length),
            };
            let too_large = |received: u64, announced: Option<u64>| {
                Failure::Fatal(
                    ErrorKind::TooLarge {
                        url: RedactedUrl::new(&final_url),
                        package: package.cloned(),
                        what,
                        limit,
                        received,
                        announced,
                    }
                    .into(),
                )
            };
            if let Some(announced) = expected_length.filter(|length| *length > limit) {
                return Err(too_large(0, Some(announced)));
            }
            // The announced length is only a hint for the allocation: a server may send less
            // (retried below) or, without `Content-Length`, anything up to the bound.
            let mut body = Vec::with_capacity(
                usize::try_from(expected_length.unwrap_or(0).min(limit)).unwrap_or(0),
            );
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                progress.add(chunk.len());
                self.counters
                    .bytes
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                let received = (body.len() + chunk.len()) as u64;
                if received > limit {
                    return Err(too_large(received, None));
                }
                body.extend_from_slice(&chunk);
            }
            if expected_length.is_some_and(|length| length != body.len() as u64) {
                return Err(Failure::Retryable(format!(
                    "the body ended after {} of {} bytes",
                    body.len(),
                    expected_length.unwrap_or_default()
                )));
            }
            Ok(Fetched::Body(Box::new(Response {
                status,
                headers,
                body: Bytes::from(body),
                url: final_url,
            })))
        };
        match tokio::time::timeout_at(deadline.into(), exchange).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Deadline),
        }
    }
}
