//! One index's page of one project, through the disk cache.
//!
//! A page is asked for as JSON (PEP 691) and read as HTML when that is what comes back; what is
//! kept is the parsed list of files, with the validators the index sent. A fresh page (within
//! the index's `max-age`) is used without a request, unless `--refresh` covers the project; a
//! stale one is revalidated with `If-None-Match`/`If-Modified-Since`, so an unchanged page costs
//! a `304` and no body. A page sent without validators or caching headers cannot be revalidated,
//! only downloaded again, and is reused for
//! [`ClientOptions::unvalidated_page_ttl`](super::ClientOptions::unvalidated_page_ttl)
//! instead. Offline, any cached page is used, however old.
//!
//! **Failures are not remembered.** A 404 page is cached only for as long as the index's
//! `Cache-Control` says, never for the grace period of a page without caching headers: a
//! project missing for a moment must not stay missing. A page reused from the cache without
//! asking the index may be stale, and a stale page shows as a project the page says is missing,
//! a file it lists that is gone, or one that hashes differently from what it says; such errors
//! carry the page ([`Error::cached_page`](crate::Error::cached_page), see [`Inner::noted`]) so
//! their hints can name `--refresh-package`.
//!
//! Which indexes' pages are asked for, and how they combine, is the index strategy's business
//! (see [`super::strategy`]).

use std::sync::atomic::Ordering;
use std::time::Duration;

use pep508_rs::PackageName;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::{Expect, Fetched, Inner, MAX_PAGE_BYTES, Response};
use crate::error::{BodyKind, CachedPageUse, Error, ErrorKind};
use crate::http_cache::CachedPage;
use crate::http_cache::store::Thinning;
use crate::index_url::{IndexUrl, RedactedUrl};
use crate::simple::{self, RawFile};

impl Inner {
    /// One index's page for `name`: `None` when the index does not have the project.
    pub(super) async fn index_page(
        &self,
        index: &IndexUrl,
        name: &PackageName,
    ) -> Result<Option<(Url, Vec<RawFile>)>, Error> {
        // Only the files this run's targets can use are read out of the entry; the whole page
        // is read again in the one case that writes it back (a revalidation).
        let targets = &self.options.targets;
        let keep = |filename: &str| simple::may_fit_targets(filename, targets);
        let thinning = (!targets.is_empty()).then(|| Thinning {
            key: &self.thinning_key,
            keep: &keep,
        });
        let cached = self
            .store
            .read_page(index.url(), name.as_ref(), thinning.as_ref());
        let refresh = self.refreshes(name);
        let from_cache = |page: CachedPage| -> Result<Option<(Url, Vec<RawFile>)>, Error> {
            let base = Self::with_credentials(
                index,
                Url::parse(&page.url).unwrap_or_else(|_| index.project_url(name)),
            );
            Ok(page.files.map(|files| (base, files)))
        };
        let cached = match cached {
            Some(page) if self.options.offline || (page.is_fresh() && !refresh) => {
                self.counters.pages_cached.fetch_add(1, Ordering::Relaxed);
                if !self.options.offline {
                    self.note_reused(index, name, &page);
                }
                return from_cache(page);
            }
            other => other,
        };
        if self.options.offline {
            return Err(ErrorKind::OfflineMiss {
                what: format!("the index page of `{name}` on {index}"),
            }
            .into());
        }
        let url = index.project_url(name);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(simple::ACCEPT));
        if let Some(page) = &cached {
            if let Some(etag) = page
                .etag
                .as_deref()
                .and_then(|etag| HeaderValue::from_str(etag).ok())
            {
                headers.insert(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = page
                .last_modified
                .as_deref()
                .and_then(|date| HeaderValue::from_str(date).ok())
            {
                headers.insert(header::IF_MODIFIED_SINCE, date);
            }
        }
        let Fetched::Body(response) = self
            .fetch(
                &url,
                headers,
                Some(name),
                Expect::Whole(BodyKind::Page, MAX_PAGE_BYTES),
            )
            .await?
        else {
            unreachable!("no range was requested");
        };
        let Response {
            status,
            headers: response_headers,
            body,
            url: final_url,
        } = *response;
        let has_validators = response_headers.contains_key(header::ETAG)
            || response_headers.contains_key(header::LAST_MODIFIED)
            || response_headers.contains_key(header::CACHE_CONTROL);
        let granted = max_age(&response_headers);
        let max_age = granted
            .or_else(|| (!has_validators).then_some(self.options.unvalidated_page_ttl.as_secs()));
        match status {
            StatusCode::NOT_MODIFIED if cached.is_some() => {
                let page = cached.expect("checked by the guard");
                // The entry keeps every file, not only those read above. Gone meanwhile (another
                // process pruned it), it is simply not renewed.
                if let Some(mut whole) = self.store.read_page(index.url(), name.as_ref(), None) {
                    whole.fetched = crate::http_cache::store::now();
                    whole.max_age = max_age.or(whole.max_age);
                    self.store.write_page(index.url(), name.as_ref(), &whole)?;
                }
                self.counters
                    .pages_not_modified
                    .fetch_add(1, Ordering::Relaxed);
                from_cache(page)
            }
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                // Remembered only for as long as the index says. A project missing for a moment
                // (a mirror that has not synced it yet) must not stay missing for the grace
                // period of pages sent without caching headers.
                if let Some(max_age) = granted {
                    let page = CachedPage {
                        url: crate::index_url::without_credentials(&final_url).to_string(),
                        etag: None,
                        last_modified: None,
                        fetched: crate::http_cache::store::now(),
                        max_age: Some(max_age),
                        files: None,
                    };
                    self.store.write_page(index.url(), name.as_ref(), &page)?;
                }
                Ok(None)
            }
            status if status.is_success() => {
                let content_type = response_headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                let parsed = if content_type.starts_with(simple::JSON_MEDIA_TYPE)
                    || content_type.starts_with("application/json")
                {
                    simple::parse_json(&body)
                } else {
                    simple::parse_html(&body)
                };
                let files = parsed.map_err(|reason| ErrorKind::InvalidResponse {
                    url: RedactedUrl::new(&final_url),
                    reason,
                })?;
                // Up to 50 pages are in flight: each body goes as soon as it is read.
                drop(body);
                let text = |name: header::HeaderName| {
                    response_headers
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_string)
                };
                let page = CachedPage {
                    url: crate::index_url::without_credentials(&final_url).to_string(),
                    etag: text(header::ETAG),
                    last_modified: text(header::LAST_MODIFIED),
                    fetched: crate::http_cache::store::now(),
                    max_age,
                    files: Some(files),
                };
                let page = if let Some(thinning) = &thinning {
                    self.store
                        .write_page_thinned(index.url(), name.as_ref(), page, thinning)?
                } else {
                    self.store.write_page(index.url(), name.as_ref(), &page)?;
                    page
                };
                self.counters
                    .pages_downloaded
                    .fetch_add(1, Ordering::Relaxed);
                from_cache(page)
            }
            status => Err(ErrorKind::Status {
                url: RedactedUrl::new(&final_url),
                status: status.as_u16(),
                package: Some(name.clone()),
                credentials_sent: self.sends_credentials(&url),
            }
            .into()),
        }
    }

    /// Remembers that `name`'s page on `index` was reused without asking the index, for errors
    /// it may cause (see [`Inner::noted`]).
    fn note_reused(&self, index: &IndexUrl, name: &PackageName, page: &CachedPage) {
        let reuse = CachedPageUse {
            package: name.clone(),
            index: index.to_string(),
            age: Duration::from_secs(crate::http_cache::store::now().saturating_sub(page.fetched)),
        };
        self.reused_pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.clone(), reuse);
    }

    /// `error`, with the cached page of `package` it may come from: a project the page says is
    /// missing, a file it lists that is gone, or one whose bytes differ from the hash it gives,
    /// is what a stale page looks like. Other errors are left as they are.
    pub(super) fn noted(&self, package: &PackageName, error: Error) -> Error {
        let may_be_stale = matches!(
            error.kind(),
            ErrorKind::PackageNotFound { .. }
                | ErrorKind::HashMismatch { .. }
                | ErrorKind::Status {
                    status: 404 | 410,
                    ..
                }
        );
        if may_be_stale {
            self.with_reused_page(package, error)
        } else {
            error
        }
    }

    /// `error`, which a stale page of `package` may explain, with that page when this run
    /// reused it from the cache (unchanged when the page came from the index in this run).
    pub(super) fn with_reused_page(&self, package: &PackageName, error: Error) -> Error {
        let reused = self
            .reused_pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(package)
            .cloned();
        match reused {
            Some(page) => error.with_cached_page(page),
            None => error,
        }
    }

    /// Files on an index's host get the index's credentials, as pip and uv do.
    fn with_credentials(index: &IndexUrl, mut url: Url) -> Url {
        let index_url = index.url();
        if url.username().is_empty()
            && !index_url.username().is_empty()
            && url.host() == index_url.host()
        {
            let _ = url.set_username(index_url.username());
            let _ = url.set_password(index_url.password());
        }
        url
    }
}

/// `Cache-Control: max-age=N`, unless `no-cache`/`no-store` forbid reuse.
fn max_age(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(header::CACHE_CONTROL)?.to_str().ok()?;
    if value.contains("no-cache") || value.contains("no-store") {
        return None;
    }
    value
        .split(',')
        .find_map(|part| part.trim().strip_prefix("max-age="))
        .and_then(|seconds| seconds.trim().parse().ok())
}
