//! The index client: project pages and metadata, over HTTP with retries, through the cache.
//!
//! One [`IndexClient`] serves a whole run. It holds one HTTP connection pool (HTTP/2 where the
//! server offers it), bounds the requests in flight with a semaphore, memoizes every page and
//! metadata result so each is fetched once per run however many tasks ask (see
//! [`crate::once_map`]), and goes to the disk cache before the network.
//!
//! This module is the client's public face: its options, what it returns, its counters, and the
//! state every request shares ([`Inner`]). The work is split by idea, each module some methods
//! of [`Inner`] and the policy they follow, with an essay of its own:
//!
//! * [`strategy`]: which configured indexes a project's files come from (the first that has it,
//!   or all of them merged);
//! * [`pages`]: one index's page of one project through the disk cache, and the errors a page
//!   reused from it may explain;
//! * [`ladder`]: the metadata and the import names of one file, cached by index and hash;
//! * [`range`]: byte ranges of a wheel, which the ladder reads;
//! * [`download`]: whole files, streamed to disk and checked against their hash;
//! * [`fetch`]: one GET, retried within its deadline, its body bounded in memory;
//! * [`retry`]: which failures are tried again, how long to wait, when to give up;
//! * [`redirect`]: which redirects are followed.
//!
//! Together they keep a server that misbehaves from holding a run or filling its memory: every
//! request has a deadline, retries included, on top of the read timeout between bytes;
//! redirects are bounded and a loop is refused at once; bodies are read against a bound and
//! whole files go to disk. And they do not remember failures: a 404 is cached only as long as
//! the index says, nothing is cached from a failed metadata read, and an error a stale cached
//! page may explain says how to bypass it.

mod download;
mod fetch;
mod ladder;

pub(crate) use ladder::build_error;
mod pages;
mod range;
mod redirect;
mod retry;
mod strategy;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pep508_rs::PackageName;
use strata_dist::Metadata;
use tokio::sync::Semaphore;
use url::Url;

use crate::config::IndexConfig;
use crate::error::{CachedPageUse, Error, ErrorKind};
use crate::http_cache::Store;
use crate::index_url::IndexUrl;
use crate::once_map::OnceMap;
use crate::simple::DistFile;
use fetch::{Expect, Fetched, Response};
use ladder::{index_key, metadata_key};
use range::HttpRangeReader;
use redirect::redirect_policy;

pub use redirect::MAX_REDIRECTS;
pub use strategy::IndexStrategy;

/// Which cached pages to revalidate regardless of their freshness.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Refresh {
    /// Trust fresh pages (the default).
    #[default]
    None,
    /// Revalidate every page (`--refresh`).
    All,
    /// Revalidate these projects' pages (`--refresh-package`).
    Packages(HashSet<PackageName>),
}

/// Settings of an [`IndexClient`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The cache directory.
    pub cache_dir: PathBuf,
    /// Use only the cache.
    pub offline: bool,
    /// Which pages to revalidate.
    pub refresh: Refresh,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// Time allowed between bytes of a response.
    pub read_timeout: Duration,
    /// Time allowed for one request from the moment its first attempt is sent to its last byte,
    /// retries and their backoff included (waiting for a free slot among the
    /// [`ClientOptions::concurrency`] requests in flight does not count). The read timeout
    /// catches a server that stops sending; this catches one that never stops sending slowly.
    /// Whole-file downloads (sdists, and wheels whose server ignores range requests) are
    /// requests too.
    pub http_timeout: Duration,
    /// Index combination.
    pub index_strategy: IndexStrategy,
    /// The Python used to build metadata of sdists with dynamic metadata.
    pub python: PathBuf,
    /// The first retry's delay; doubled each attempt (tests shorten it).
    pub backoff: Duration,
    /// The targets this client serves, when known (a compile or a lock knows them). Wheels that
    /// fit none of them are dropped from listings as pages are read: a page like
    /// `pydantic-core`'s lists thousands of wheels for other platforms, and keeping them would
    /// cost hundreds of megabytes on a large solve. Locks therefore record the hashes of the
    /// files their target can install (and the sdist), which is what they are for. Empty: keep
    /// everything.
    pub targets: Vec<strata_dist::Target>,
    /// A `.netrc` file whose credentials are used for URLs that carry none.
    pub netrc: Option<std::path::PathBuf>,
    /// How long a page may be reused when the server sent neither validators (`ETag`,
    /// `Last-Modified`) nor `Cache-Control`. Such a page cannot be revalidated, only downloaded
    /// again; some proxies strip those headers, and re-downloading megabytes of pages on every
    /// run would make warm runs as slow as cold ones. Ten minutes is what the public index
    /// grants itself when the headers survive. `--refresh` ignores it, and a 404 never gets it
    /// (a project missing for a moment must not stay missing).
    pub unvalidated_page_ttl: Duration,
}

impl ClientOptions {
    /// Five minutes per request, retries included. uv's `UV_HTTP_TIMEOUT` (30 s) and pip's
    /// `--timeout` (15 s) bound the wait between bytes, which strata keeps as its read timeout;
    /// neither bounds a whole transfer. uv once had a five-minute total deadline and dropped it
    /// (astral-sh/uv#3144) because installing large wheels such as torch hit it; strata never
    /// downloads a wheel to install it, only a whole wheel whose server ignores range requests,
    /// or an sdist. Ten read timeouts is far more than a page or a metadata file needs on any
    /// working link (megabytes), and enough for that rare whole-wheel download of about 1.5 GB
    /// at 5 MB/s; a slower link raises it.
    pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_mins(5);

    /// Defaults for a cache directory: 50 requests in flight, 4 attempts, 30 s read timeout,
    /// [`ClientOptions::DEFAULT_HTTP_TIMEOUT`] per request.
    pub fn new(cache_dir: PathBuf) -> Self {
        Self {
            cache_dir,
            offline: false,
            refresh: Refresh::None,
            concurrency: 50,
            attempts: 4,
            read_timeout: Duration::from_secs(30),
            http_timeout: Self::DEFAULT_HTTP_TIMEOUT,
            index_strategy: IndexStrategy::FirstIndex,
            python: PathBuf::from("python3"),
            backoff: Duration::from_millis(250),
            unvalidated_page_ttl: Duration::from_mins(10),
            targets: Vec::new(),
            netrc: None,
        }
    }
}

/// The largest index page read into memory. Pages are parsed whole (JSON or HTML), and a parsed
/// page costs several times its size, so an unbounded page is an unbounded run: 64 MiB is
/// well above what a project page needs (a few hundred bytes per file: more than a hundred
/// thousand files), and far below what exhausts a CI runner.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Every file of a project that the configured indexes offer.
#[derive(Debug, Clone)]
pub struct ProjectListing {
    /// The project.
    pub name: PackageName,
    /// Its files, in page order.
    pub files: Vec<DistFile>,
    /// The indexes the files came from (one, with the first-index strategy).
    pub indexes: Vec<IndexUrl>,
}

/// How a piece of metadata was obtained: the rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataSource {
    /// The disk cache.
    Cache,
    /// A PEP 658 `.metadata` file.
    Pep658,
    /// HTTP range requests on the wheel.
    Range,
    /// The whole wheel, streamed to a temporary file (the server ignored `Range`).
    Stream,
    /// A local file (`find-links` directory or `file:` URL).
    Local,
    /// The static `PKG-INFO` of a source distribution.
    SdistPkgInfo,
    /// A PEP 517 build of a source distribution.
    Build,
}

/// Metadata of one distribution file, with how it was obtained and what it cost.
#[derive(Debug, Clone)]
pub struct FetchedMetadata {
    /// The parsed core metadata.
    pub metadata: Arc<Metadata>,
    /// The rung of the ladder that produced it.
    pub source: MetadataSource,
    /// Bytes downloaded to get it (0 from the cache).
    pub bytes: u64,
}

/// Counters of one run, for `-v` output, JSON and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Stats {
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Response body bytes received.
    pub bytes: u64,
    /// Pages used from the cache without a request.
    pub pages_cached: u64,
    /// Pages revalidated with a `304 Not Modified`.
    pub pages_not_modified: u64,
    /// Pages downloaded.
    pub pages_downloaded: u64,
    /// Metadata taken from the cache.
    pub metadata_cached: u64,
    /// Metadata fetched from the network or built.
    pub metadata_fetched: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    bytes: AtomicU64,
    pages_cached: AtomicU64,
    pages_not_modified: AtomicU64,
    pages_downloaded: AtomicU64,
    metadata_cached: AtomicU64,
    metadata_fetched: AtomicU64,
}

type Shared<T> = Result<Arc<T>, Error>;

/// What every clone of an [`IndexClient`] shares, and every request goes through.
struct Inner {
    http: reqwest::Client,
    netrc: crate::netrc::Netrc,
    config: IndexConfig,
    options: ClientOptions,
    /// [`crate::simple::thinning_key`] of the options' targets.
    thinning_key: String,
    store: Store,
    permits: Semaphore,
    pages: OnceMap<PackageName, Shared<ProjectListing>>,
    metadata: OnceMap<String, Result<FetchedMetadata, Error>>,
    import_names: OnceMap<String, Result<Vec<String>, Error>>,
    /// Files found unusable for a reason pip shares, in the order found.
    rejected: std::sync::Mutex<Vec<Error>>,
    counters: Counters,
    /// The indexes at least one project of this run was taken from.
    answered: std::sync::Mutex<Vec<IndexUrl>>,
    /// The projects of this run that `find-links` offered files of.
    linked: std::sync::Mutex<Vec<PackageName>>,
    /// The pages of this run reused from the cache without asking the index, by project.
    reused_pages: std::sync::Mutex<std::collections::HashMap<PackageName, CachedPageUse>>,
    /// The commit each git repository's reference resolved to in this run (see
    /// [`IndexClient::resolved_commit`]).
    git_commits: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The metadata of each local directory requirement read in this run (see
    /// [`IndexClient::directory_metadata`]): every solve of one run sees the same project.
    directories: std::sync::Mutex<std::collections::HashMap<PathBuf, Arc<strata_dist::Metadata>>>,
}

/// A package index client for one run. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct IndexClient {
    inner: Arc<Inner>,
}

impl IndexClient {
    /// Builds a client. TLS trusts the platform's certificate store (and `SSL_CERT_FILE`), so
    /// an intercepting proxy whose CA is installed system-wide works.
    pub fn new(config: IndexConfig, options: ClientOptions) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(options.read_timeout)
            .redirect(redirect_policy())
            .pool_max_idle_per_host(options.concurrency)
            .build()
            .map_err(|error| ErrorKind::Client(error.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                store: Store::new(options.cache_dir.clone()),
                netrc: options
                    .netrc
                    .as_deref()
                    .map(crate::netrc::Netrc::load)
                    .unwrap_or_default(),
                permits: Semaphore::new(options.concurrency.max(1)),
                config,
                thinning_key: crate::simple::thinning_key(&options.targets),
                options,
                pages: OnceMap::new(),
                metadata: OnceMap::new(),
                import_names: OnceMap::new(),
                rejected: std::sync::Mutex::new(Vec::new()),
                counters: Counters::default(),
                answered: std::sync::Mutex::new(Vec::new()),
                linked: std::sync::Mutex::new(Vec::new()),
                reused_pages: std::sync::Mutex::new(std::collections::HashMap::new()),
                git_commits: std::sync::Mutex::new(std::collections::HashMap::new()),
                directories: std::sync::Mutex::new(std::collections::HashMap::new()),
            }),
        })
    }

    /// The cache root (for the git cache, [`crate::git`]).
    pub(crate) fn cache_root(&self) -> &std::path::Path {
        self.inner.store.root()
    }

    /// The cache's directory for temporary files.
    pub(crate) fn temp_dir(&self) -> Result<PathBuf, Error> {
        self.inner.store.temp_dir()
    }

    /// Where a metadata build of a source tree runs (see [`ladder`]).
    pub(crate) fn build_environment(
        &self,
        work_dir: &std::path::Path,
    ) -> strata_build::BuildEnvironment {
        self.inner.build_environment(work_dir)
    }

    /// The commit a git reference (`key`: repository and reference) resolved to earlier in
    /// this run, or `resolve`'s answer, remembered: every solve of one run (profiles, engines)
    /// sees the same commit, and the repository is fetched once.
    pub(crate) fn resolved_commit(
        &self,
        key: String,
        resolve: impl FnOnce() -> Result<String, Error>,
    ) -> Result<String, Error> {
        if let Some(commit) = self
            .inner
            .git_commits
            .lock()
            .expect("no panic while holding it")
            .get(&key)
        {
            return Ok(commit.clone());
        }
        let commit = resolve()?;
        self.inner
            .git_commits
            .lock()
            .expect("no panic while holding it")
            .insert(key, commit.clone());
        Ok(commit)
    }

    /// The metadata this run already read for the directory `path`, else `read`'s, kept.
    pub(crate) fn directory_memo(
        &self,
        path: &std::path::Path,
        read: impl FnOnce() -> Result<Arc<strata_dist::Metadata>, Error>,
    ) -> Result<Arc<strata_dist::Metadata>, Error> {
        if let Some(metadata) = self
            .inner
            .directories
            .lock()
            .expect("no panic while holding it")
            .get(path)
        {
            return Ok(Arc::clone(metadata));
        }
        let metadata = read()?;
        self.inner
            .directories
            .lock()
            .expect("no panic while holding it")
            .insert(path.to_path_buf(), Arc::clone(&metadata));
        Ok(metadata)
    }

    /// Whether `--offline` forbids the network.
    pub(crate) fn is_offline(&self) -> bool {
        self.inner.options.offline
    }

    /// The indexes this client uses.
    pub fn config(&self) -> &IndexConfig {
        &self.inner.config
    }

    /// This run's counters so far.
    pub fn stats(&self) -> Stats {
        let counters = &self.inner.counters;
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Stats {
            requests: load(&counters.requests),
            bytes: load(&counters.bytes),
            pages_cached: load(&counters.pages_cached),
            pages_not_modified: load(&counters.pages_not_modified),
            pages_downloaded: load(&counters.pages_downloaded),
            metadata_cached: load(&counters.metadata_cached),
            metadata_fetched: load(&counters.metadata_fetched),
        }
    }

    /// The indexes at least one project of this run was taken from, in the order first used.
    ///
    /// With the first-index strategy a later index is asked only for the projects every
    /// earlier one lacks, so the default index, searched after the extra indexes, may serve
    /// none of a run's projects, and an extra index behind another that has everything is
    /// never consulted. Comparing this with [`IndexConfig::indexes`] lets
    /// callers say so, rather than let a lock look like it used that index.
    pub fn indexes_taken_from(&self) -> Vec<IndexUrl> {
        self.inner
            .answered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The projects of this run that `find-links` offered files of, sorted. A lock that pins
    /// such a file installs only where pip is given the same `--find-links`.
    pub fn projects_from_find_links(&self) -> Vec<PackageName> {
        let mut names = self
            .inner
            .linked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        names.sort();
        names
    }

    /// Every file the indexes offer for `name` (fetched once per run).
    pub async fn project(&self, name: &PackageName) -> Result<Arc<ProjectListing>, Error> {
        self.inner
            .pages
            .get_or_compute(name, || self.inner.fetch_project(name))
            .await
    }

    /// The metadata of the file whose sha256 is `sha256` on one of this client's indexes (the
    /// first whose entry the cache has), when the cache has it: no request, and `None`
    /// otherwise. For readers that know a file by its hash alone, like a lock's `--hash`
    /// options; `--refresh` does not apply (callers that refresh ask [`IndexClient::metadata`]).
    pub fn cached_metadata(&self, sha256: &str) -> Option<Arc<Metadata>> {
        let bytes = self
            .inner
            .config
            .all_indexes()
            .into_iter()
            .find_map(|index| self.inner.store.read_metadata(&index_key(index, sha256)))?;
        let metadata = Metadata::parse(&bytes).ok()?;
        self.inner
            .counters
            .metadata_cached
            .fetch_add(1, Ordering::Relaxed);
        Some(Arc::new(metadata))
    }

    /// The core metadata of one file of `package`, from the cheapest rung of the ladder.
    pub async fn metadata(
        &self,
        package: &PackageName,
        file: &DistFile,
    ) -> Result<FetchedMetadata, Error> {
        let key = metadata_key(file);
        self.inner
            .metadata
            .get_or_compute(&key, || {
                self.inner.fetch_metadata(package, file, key.clone())
            })
            .await
    }

    /// The import names of the wheel whose sha256 is `sha256` on one of this client's indexes,
    /// when the cache has them: no request, `None` otherwise. For readers that know a file by
    /// its hash alone, like a lock's `--hash` options (a wheel's file list never changes under
    /// its hash).
    pub fn cached_import_names(&self, sha256: &str) -> Option<Vec<String>> {
        self.inner
            .config
            .all_indexes()
            .into_iter()
            .find_map(|index| {
                self.inner
                    .store
                    .read_import_names(&index_key(index, sha256))
            })
    }

    /// The files this run found unusable for a reason pip shares
    /// ([`ErrorKind::InconsistentMetadata`]: another name or version in the metadata than in
    /// the filename, a `Requires-Dist` that is no requirement), in the order found. A resolver
    /// treats their versions as unavailable, as pip does; its caller warns about each.
    pub fn rejected_files(&self) -> Vec<Error> {
        self.inner
            .rejected
            .lock()
            .map(|rejected| rejected.clone())
            .unwrap_or_default()
    }

    /// The top-level import names one wheel of `package` installs (`cv2` for
    /// `opencv-python-headless`), sorted; fetched once per run however many tasks ask.
    ///
    /// They come from the wheel's file list (see [`strata_dist::top_level_import_names`]), read
    /// from its zip central directory with the range requests the metadata ladder uses: the
    /// tail of the file, and one more request only for a very large directory. The answer is
    /// cached on disk under the file's hash, forever, like metadata; a wheel in a `find-links`
    /// directory is read from disk.
    ///
    /// Errors the caller is expected to fall back from (to the distribution's name, say):
    ///
    /// * [`ErrorKind::ImportNames`] for a source distribution, which lists nothing it installs
    ///   until built (not worth a build here), or a wheel that is not a readable zip;
    /// * [`ErrorKind::RangeUnsupported`] when the server ignores range requests: the wheel is
    ///   not downloaded, as a file list does not justify gigabytes;
    /// * [`ErrorKind::OfflineMiss`] offline without a cached answer;
    /// * network and status errors as [`IndexClient::metadata`] reports them.
    ///
    /// ```no_run
    /// # async fn example(client: strata_index::IndexClient) -> Result<(), strata_index::Error> {
    /// let package = pep508_rs::PackageName::new("opencv-python-headless".to_string()).unwrap();
    /// let listing = client.project(&package).await?;
    /// let names = client.import_names(&package, &listing.files[0]).await?;
    /// assert_eq!(names, ["cv2"]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn import_names(
        &self,
        package: &PackageName,
        file: &DistFile,
    ) -> Result<Vec<String>, Error> {
        let key = metadata_key(file);
        self.inner
            .import_names
            .get_or_compute(&key, || {
                self.inner.fetch_import_names(package, file, key.clone())
            })
            .await
    }
}

impl Inner {
    /// Whether a request for `url` carries credentials (its own, or `.netrc`'s for its host).
    fn sends_credentials(&self, url: &Url) -> bool {
        !url.username().is_empty()
            || url
                .host_str()
                .is_some_and(|host| self.netrc.for_host(host).is_some())
    }

    /// A GET for `url`, with `.netrc` credentials when the URL carries none (reqwest sends a
    /// URL's own user and password as basic authentication by itself).
    fn get(&self, url: &Url) -> reqwest::RequestBuilder {
        let request = self.http.get(url.clone());
        if url.username().is_empty()
            && let Some(host) = url.host_str()
            && let Some(credentials) = self.netrc.for_host(host)
        {
            return request.basic_auth(&credentials.login, Some(&credentials.password));
        }
        request
    }

    /// Whether `--refresh` (or `--refresh-package`) covers `name`: its pages are revalidated
    /// and what was read from its files is read again.
    fn refreshes(&self, name: &PackageName) -> bool {
        match &self.options.refresh {
            Refresh::None => false,
            Refresh::All => true,
            Refresh::Packages(packages) => packages.contains(name),
        }
    }
}
