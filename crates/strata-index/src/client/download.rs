//! Whole files, streamed to disk and checked against the hash their page gives.
//!
//! Only two things make the client download a whole file: an sdist, whose metadata is inside
//! its archive, and a wheel whose server ignores range requests. Either may be gigabytes, so
//! the body goes chunk by chunk to a temporary file in the cache (removed when dropped, so a
//! failed or abandoned download leaves nothing), hashed on the way, and is never held in
//! memory. A body shorter than its `Content-Length` is retried like any transient failure; a
//! file whose sha256 differs from the page's is an error, never used and never cached. The
//! download has the same deadline, retries and permits as every other request (see
//! [`super::retry`]); each attempt writes a new file.

use std::sync::atomic::Ordering;
use std::time::Instant;

use pep508_rs::PackageName;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use url::Url;

use super::Inner;
use super::retry::{Attempts, Clock, Failure, Progress, Transfer, classify, retried_status};
use crate::error::{Error, ErrorKind};
use crate::index_url::RedactedUrl;
use crate::simple::DistFile;

impl Inner {
    /// Streams a file to a temporary file in the cache (never into memory), checking its hash.
    pub(super) async fn download(
        &self,
        file: &DistFile,
        package: &PackageName,
    ) -> Result<tempfile::NamedTempFile, Error> {
        let mut attempts = Attempts::new(self.options.http_timeout);
        loop {
            let progress = Progress::default();
            match self.download_once(file, attempts.clock(), &progress).await {
                Ok(temporary) => return Ok(temporary),
                Err(failure) => {
                    attempts
                        .retry_after(self, failure, &progress, &file.url, Some(package))
                        .await?;
                }
            }
        }
    }

    async fn download_once(
        &self,
        file: &DistFile,
        clock: &mut Clock,
        progress: &Progress,
    ) -> Result<tempfile::NamedTempFile, Failure> {
        let dir = self.store.temp_dir().map_err(Failure::Fatal)?;
        let temporary = tempfile::NamedTempFile::new_in(&dir).map_err(|source| {
            Failure::Fatal(
                ErrorKind::Io {
                    path: dir.clone(),
                    source,
                }
                .into(),
            )
        })?;
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
            let mut response = self.get(&file.url).send().await.map_err(classify)?;
            progress.answered.store(true, Ordering::Relaxed);
            let status = response.status();
            if retried_status(status, Transfer::File) {
                return Err(Failure::Retryable(format!("HTTP {status}")));
            }
            if !status.is_success() {
                return Err(Failure::Fatal(
                    ErrorKind::Status {
                        url: RedactedUrl::new(&file.url),
                        status: status.as_u16(),
                        package: None,
                        credentials_sent: self.sends_credentials(&file.url),
                    }
                    .into(),
                ));
            }
            let expected_length = response.content_length();
            // Every I/O failure here is of the temporary file the download goes to.
            let written = |source| {
                Failure::Fatal(
                    ErrorKind::Io {
                        path: temporary.path().to_path_buf(),
                        source,
                    }
                    .into(),
                )
            };
            let reopened = temporary.reopen().map_err(written)?;
            let mut writer = tokio::fs::File::from_std(reopened);
            let mut hasher = Sha256::new();
            let mut received = 0u64;
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                hasher.update(&chunk);
                received += chunk.len() as u64;
                progress.add(chunk.len());
                self.counters
                    .bytes
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                writer.write_all(&chunk).await.map_err(written)?;
            }
            writer.flush().await.map_err(written)?;
            if expected_length.is_some_and(|length| length != received) {
                return Err(Failure::Retryable(format!(
                    "the body ended after {received} of {} bytes",
                    expected_length.unwrap_or_default()
                )));
            }
            if let Some(expected) = &file.sha256 {
                verify_hash(
                    &file.url,
                    expected,
                    &crate::http_cache::store::hex(&hasher.finalize()),
                )
                .map_err(Failure::Fatal)?;
            }
            Ok(())
        };
        match tokio::time::timeout_at(deadline.into(), exchange).await {
            Ok(result) => result.map(|()| temporary),
            Err(_) => Err(Failure::Deadline),
        }
    }
}

fn verify_hash(url: &Url, expected: &str, actual: &str) -> Result<(), Error> {
    if expected.eq_ignore_ascii_case(actual) {
        Ok(())
    } else {
        Err(ErrorKind::HashMismatch {
            url: RedactedUrl::new(url),
            expected: expected.to_string(),
            actual: actual.to_string(),
        }
        .into())
    }
}
