//! Range reads of a wheel over HTTP, for the metadata ladder and import names.
//!
//! [`crate::metadata::range`] finds a wheel's `METADATA` (or its file list) from the end of the
//! zip by asking a [`RangeReader`] for byte ranges; this is that reader over the network. It
//! sends each range as an ordinary request of the client, so ranges share the connection pool,
//! the permits, the retries, the deadline and the counters of every other request, and a range
//! is bounded in memory by the length it asks for. A server that answers a range with the whole
//! file (`200`) or refuses it (`416`) is reported as [`RangeError::Unsupported`] without its
//! body being read, and the ladder falls back to a streamed download.

use bytes::Bytes;
use pep508_rs::PackageName;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::{Expect, Fetched, Inner};
use crate::error::ErrorKind;
use crate::index_url::RedactedUrl;
use crate::metadata::{RangeError, RangeReader};

/// Range reads of one URL through the client (same pool, permits, retries and counters).
pub(super) struct HttpRangeReader<'a> {
    pub(super) inner: &'a Inner,
    pub(super) url: &'a Url,
    pub(super) package: &'a PackageName,
}

impl HttpRangeReader<'_> {
    /// The bytes of `range` (a `Range` header value), which asks for `length` bytes.
    async fn get(&self, range: String, length: u64) -> Result<(Bytes, HeaderMap), RangeError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::RANGE,
            HeaderValue::from_str(&range).expect("a byte range is a valid header"),
        );
        // Ask for the bytes as stored: a compressed transfer would make offsets meaningless.
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        match self
            .inner
            .fetch(self.url, headers, Some(self.package), Expect::Range(length))
            .await?
        {
            Fetched::RangeIgnored => Err(RangeError::Unsupported),
            Fetched::Body(response) => match response.status {
                StatusCode::PARTIAL_CONTENT => Ok((response.body, response.headers)),
                StatusCode::RANGE_NOT_SATISFIABLE => Err(RangeError::Unsupported),
                status => Err(RangeError::Failed(
                    ErrorKind::Status {
                        url: RedactedUrl::new(&response.url),
                        status: status.as_u16(),
                        package: Some(self.package.clone()),
                        credentials_sent: self.inner.sends_credentials(self.url),
                    }
                    .into(),
                )),
            },
        }
    }
}

impl RangeReader for HttpRangeReader<'_> {
    async fn read_range(&self, range: std::ops::Range<u64>) -> Result<Bytes, RangeError> {
        if range.is_empty() {
            return Ok(Bytes::new());
        }
        let (body, _) = self
            .get(
                format!("bytes={}-{}", range.start, range.end - 1),
                range.end - range.start,
            )
            .await?;
        Ok(body)
    }

    async fn read_suffix(&self, len: u64) -> Result<(Bytes, u64), RangeError> {
        let (body, headers) = self.get(format!("bytes=-{len}"), len).await?;
        let total = headers
            .get(header::CONTENT_RANGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit('/').next())
            .and_then(|total| total.parse().ok())
            .ok_or_else(|| {
                RangeError::Failed(
                    ErrorKind::InvalidResponse {
                        url: RedactedUrl::new(self.url),
                        reason: "a partial response without a usable `Content-Range` header"
                            .to_string(),
                    }
                    .into(),
                )
            })?;
        Ok((body, total))
    }
}
