//! The loopback server: one accept thread, one thread per connection.
//!
//! Shutdown is cooperative and complete: `Drop` raises a flag, wakes the accept
//! thread with a connection of its own, shuts down every open socket (which
//! unblocks any thread stuck reading or writing) and joins every thread, so no
//! test leaks a thread or a port. Idle connections poll the flag, which bounds
//! how long an idle keep-alive connection can delay `Drop`.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use pep508_rs::PackageName;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::faults::{Fault, FaultHandle, Faults};
use crate::http::{self, PageFormat, RangeRequest, Request};
use crate::log::{RequestLog, RequestRecord};
use crate::package::Universe;
use crate::pages::{self, PageFaults};
use crate::store::{ServedFile, Store, hex};
use crate::tls::{Identity, Wire};

/// How often idle connections and sleeping faults look at the shutdown flag.
const POLL: Duration = Duration::from_millis(50);
/// How long a started request head or a stalled client may take.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
const CHUNK: usize = 64 * 1024;

/// A running loopback index; see the crate documentation for an example.
///
/// It stops, joins its threads and deletes its artifacts when dropped.
#[derive(Debug)]
pub struct TestIndex {
    shared: Arc<Shared>,
    address: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
    /// See [`TestIndex::find_links_dir`].
    find_links: PathBuf,
    /// The test CA's certificate (PEM) and its file, when the index speaks TLS.
    ca: Option<(String, PathBuf)>,
    // Declared last so artifacts outlive every thread that serves them.
    _directory: tempfile::TempDir,
}

#[derive(Debug)]
struct Shared {
    /// What is served; replaced whole by [`TestIndex::replace_universe`].
    store: RwLock<Arc<Store>>,
    /// Where the store's artifacts are generated, for a replacement.
    root: PathBuf,
    page_max_age: u32,
    html_only: bool,
    /// Set when the index speaks TLS.
    tls: Option<Arc<rustls::ServerConfig>>,
    faults: FaultHandle,
    log: RequestLog,
    shutdown: AtomicBool,
    connections: Mutex<Vec<Connection>>,
}

#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    thread: JoinHandle<()>,
}

impl TestIndex {
    /// Generates the universe's artifacts and starts serving them.
    ///
    /// # Panics
    ///
    /// When the universe is invalid (a bad name or version, a duplicate file) or
    /// the artifacts or the socket cannot be created; tests want the message, not
    /// a `Result`. Use [`TestIndex::try_start`] to handle these.
    #[track_caller]
    pub fn start(universe: Universe) -> Self {
        Self::start_with_faults(universe, Faults::new())
    }

    /// Like [`TestIndex::start`], misbehaving from the first request.
    ///
    /// # Panics
    ///
    /// As [`TestIndex::start`].
    #[track_caller]
    pub fn start_with_faults(universe: Universe, faults: Faults) -> Self {
        match Self::try_start(universe, faults) {
            Ok(index) => index,
            Err(error) => panic!("Failed to start the test index: {error}"),
        }
    }

    /// Generates the artifacts, binds `127.0.0.1:0` and starts serving.
    pub fn try_start(universe: Universe, faults: Faults) -> Result<Self, Error> {
        let directory = tempfile::Builder::new()
            .prefix("strata-testindex-")
            .tempdir()
            .map_err(|source| ErrorKind::Generate {
                filename: "the index directory".to_string(),
                source,
            })?;
        let (page_max_age, html_only) = (universe.page_max_age, universe.html_only);
        let identity = if universe.tls {
            Some(Identity::generate(directory.path())?)
        } else {
            None
        };
        let store = Store::generate(universe, directory.path())?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|source| Error::from(ErrorKind::Bind { source }))?;
        let address = listener
            .local_addr()
            .map_err(|source| Error::from(ErrorKind::Bind { source }))?;
        let shared = Arc::new(Shared {
            store: RwLock::new(Arc::new(store)),
            root: directory.path().to_path_buf(),
            page_max_age,
            html_only,
            tls: identity
                .as_ref()
                .map(|identity| Arc::clone(&identity.config)),
            faults: FaultHandle::new(faults),
            log: RequestLog::default(),
            shutdown: AtomicBool::new(false),
            connections: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("strata-testindex-accept".to_string())
                .spawn(move || accept(&listener, &shared))
                .map_err(|source| Error::from(ErrorKind::Bind { source }))?
        };
        Ok(Self {
            find_links: shared.store().find_links.clone(),
            shared,
            address,
            acceptor: Some(acceptor),
            ca: identity.map(|identity| (identity.ca_pem, identity.ca_path)),
            _directory: directory,
        })
    }

    /// The index URL: `http://127.0.0.1:PORT/simple/`, `https://` with [`Universe::tls`].
    pub fn url(&self) -> String {
        format!("{}/simple/", self.base_url())
    }

    /// The server root without a trailing slash: `http://127.0.0.1:PORT`, `https://` with
    /// [`Universe::tls`].
    pub fn base_url(&self) -> String {
        let scheme = if self.ca.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.address)
    }

    /// With [`Universe::tls`], the certificate of the test CA that signed the server's, PEM:
    /// what a client must trust, and all it must trust, to reach this index.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca.as_ref().map(|(pem, _)| pem.as_str())
    }

    /// With [`Universe::tls`], the file holding [`TestIndex::ca_certificate_pem`], in the
    /// index's temporary directory: for pip's `--cert`, `SSL_CERT_FILE` or an image's trust
    /// store.
    pub fn ca_certificate_path(&self) -> Option<&Path> {
        self.ca.as_ref().map(|(_, path)| path.as_path())
    }

    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A flat directory holding every wheel and sdist, for `--find-links` tests.
    pub fn find_links_dir(&self) -> &Path {
        // Every universe is generated into the same root (see `replace_universe`), so the
        // directory outlives a replacement and holds the current universe's files.
        &self.find_links
    }

    /// The served file named `filename` (a wheel, an sdist or a `.metadata` file).
    pub fn file(&self, filename: &str) -> Option<ServedFile> {
        self.shared
            .store()
            .files
            .values()
            .find(|file| file.filename == filename)
            .cloned()
    }

    /// Every served file, sorted by URL path.
    pub fn files(&self) -> Vec<ServedFile> {
        let mut files: Vec<ServedFile> = self.shared.store().files.values().cloned().collect();
        files.sort_by(|a, b| a.url_path.cmp(&b.url_path));
        files
    }

    /// A handle that changes the faults while the index runs.
    pub fn faults(&self) -> FaultHandle {
        self.shared.faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// Every request since the start or the last [`TestIndex::reset_log`], in
    /// arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.records()
    }

    /// The requests whose path starts with `path_prefix`.
    pub fn requests_for(&self, path_prefix: &str) -> Vec<RequestRecord> {
        self.shared
            .log
            .records()
            .into_iter()
            .filter(|record| record.path.starts_with(path_prefix))
            .collect()
    }

    /// Body bytes sent for all logged requests.
    pub fn bytes_served(&self) -> u64 {
        self.bytes_served_for("/")
    }

    /// Body bytes sent for logged requests whose path starts with `path_prefix`.
    pub fn bytes_served_for(&self, path_prefix: &str) -> u64 {
        self.requests_for(path_prefix)
            .iter()
            .map(|record| record.bytes_sent)
            .sum()
    }

    /// Forgets the logged requests (fault counters are not reset).
    pub fn reset_log(&self) {
        self.shared.log.clear();
    }

    /// Serves `universe` from now on, at the same address: what a real index does when it
    /// yanks a release, deletes one, or replaces a file with other bytes under the same name,
    /// seen by a client whose configuration (and so a lock's fingerprint) names the same URL.
    ///
    /// The artifacts are generated again; the pages' `max-age`, HTML-only and TLS settings stay
    /// those the index started with. The log and the faults are kept.
    ///
    /// # Panics
    ///
    /// As [`TestIndex::start`], when the universe is invalid or its artifacts cannot be
    /// written.
    #[track_caller]
    pub fn replace_universe(&self, universe: Universe) {
        let mut store = self
            .shared
            .store
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        // The old artifacts go first: a replaced file keeps its name, and generation refuses
        // to write over one.
        for dir in ["files", "find-links"] {
            let path = self.shared.root.join(dir);
            if let Err(error) = fs_err::remove_dir_all(&path)
                && error.kind() != io::ErrorKind::NotFound
            {
                panic!("Failed to replace the test index's universe: {error}");
            }
        }
        match Store::generate(universe, &self.shared.root) {
            Ok(generated) => *store = Arc::new(generated),
            Err(error) => panic!("Failed to replace the test index's universe: {error}"),
        }
    }
}

impl Shared {
    /// What is served now.
    fn store(&self) -> Arc<Store> {
        Arc::clone(&self.store.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for TestIndex {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // The accept thread is blocked in `accept`; a connection wakes it up.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let connections = std::mem::take(
            &mut *self
                .shared
                .connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for connection in &connections {
            let _ = connection.stream.shutdown(Shutdown::Both);
        }
        for connection in connections {
            let _ = connection.thread.join();
        }
    }
}

fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let connection_shared = Arc::clone(shared);
        let Ok(thread) = thread::Builder::new()
            .name("strata-testindex-connection".to_string())
            .spawn(move || serve_connection(stream, &connection_shared))
        else {
            continue;
        };
        let mut connections = shared
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        connections.retain(|connection| !connection.thread.is_finished());
        connections.push(Connection {
            stream: registered,
            thread,
        });
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Ok(stream) = Wire::new(stream, shared.tls.as_ref()) else {
        return;
    };
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut writer = BufWriter::with_capacity(CHUNK, write_half);
    while wait_for_request(&mut reader, shared) {
        let _ = reader.get_ref().socket().set_read_timeout(Some(IO_TIMEOUT));
        let Ok(Some(request)) = http::read_request(&mut reader) else {
            break;
        };
        match respond(&request, &mut writer, shared) {
            Ok(true) if request.keep_alive => {}
            _ => break,
        }
    }
    let _ = writer.flush();
    // The accept thread holds a clone of this socket, so dropping ours would
    // not close it: shut it down explicitly.
    writer.get_mut().close();
}

/// Waits until a request starts arriving; `false` on close or shutdown.
fn wait_for_request(reader: &mut BufReader<Wire>, shared: &Shared) -> bool {
    let _ = reader.get_ref().socket().set_read_timeout(Some(POLL));
    loop {
        if shared.shutdown.load(Ordering::SeqCst) {
            return false;
        }
        match reader.fill_buf() {
            Ok(buffer) => return !buffer.is_empty(),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return false,
        }
    }
}

/// What to send, before conditional requests, ranges and `HEAD` are applied.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
    /// Send no `Content-Length` and end the body by closing the connection
    /// ([`Fault::OversizedPage`]).
    close_delimited: bool,
}

#[derive(Debug)]
enum Body {
    Bytes(Vec<u8>),
    File {
        path: PathBuf,
        offset: u64,
        length: u64,
    },
    /// `head`, then spaces up to `length` bytes in all, generated as they are sent.
    Padded {
        head: Vec<u8>,
        length: u64,
    },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Self::Bytes(bytes) => bytes.len() as u64,
            Self::File { length, .. } | Self::Padded { length, .. } => *length,
        }
    }

    fn slice(self, start: u64, end: u64) -> Self {
        let index = |offset: u64| usize::try_from(offset).unwrap_or(usize::MAX);
        match self {
            Self::Bytes(bytes) => Self::Bytes(
                bytes
                    .get(index(start)..=index(end))
                    .unwrap_or_default()
                    .to_vec(),
            ),
            Self::File { path, offset, .. } => Self::File {
                path,
                offset: offset + start,
                length: end - start + 1,
            },
            Self::Padded { head, .. } => Self::Padded {
                head: head
                    .get(index(start)..index(end).saturating_add(1).min(head.len()))
                    .unwrap_or_default()
                    .to_vec(),
                length: end - start + 1,
            },
        }
    }
}

impl Response {
    fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
            body: Body::Bytes(text.as_bytes().to_vec()),
            close_delimited: false,
        }
    }

    fn redirect(location: String) -> Self {
        let mut response = Self::text(301, "Moved\n");
        response.headers.push(("Location", location));
        response
    }

    /// A temporary redirect, as the redirect faults send.
    fn found(location: String) -> Self {
        let mut response = Self::text(302, "Found\n");
        response.headers.push(("Location", location));
        response
    }
}

/// Where the faults' redirect hops live: `/hops/<remaining><path>`.
const HOPS: &str = "/hops/";

/// A hop of [`Fault::RedirectChain`]: how many redirects remain, and the path it leads to.
fn hop(path: &str) -> Option<(usize, String)> {
    let rest = path.strip_prefix(HOPS)?;
    let slash = rest.find('/')?;
    let remaining = rest[..slash].parse().ok()?;
    Some((remaining, rest[slash..].to_string()))
}

/// Answers one request; `Ok(false)` when the connection must close.
fn respond(request: &Request, writer: &mut BufWriter<Wire>, shared: &Shared) -> io::Result<bool> {
    let path = request.path.as_str();
    let latency = shared.faults.lock().latency(path);
    sleep_unless_shutdown(latency, shared);

    if shared.faults.lock().take_reset(path) {
        shared.log.push(record(request, None, 0));
        return Ok(false);
    }
    if shared.faults.lock().is_set(path, &Fault::Stall) {
        shared.log.push(record(request, None, 0));
        wait_for_hangup(writer.get_ref().socket(), shared);
        return Ok(false);
    }
    if let Some((remaining, target)) = hop(path) {
        if remaining > 0 {
            let next = Response::found(format!("{HOPS}{}{target}", remaining - 1));
            return send(request, next, false, writer, shared);
        }
        return answer(&request.with_path(target), writer, shared);
    }
    let hops = shared.faults.lock().redirect_chain(path).unwrap_or(0);
    if hops > 0 {
        let first = Response::found(format!("{HOPS}{}{path}", hops - 1));
        return send(request, first, false, writer, shared);
    }
    if shared.faults.lock().is_set(path, &Fault::RedirectLoop) {
        return send(
            request,
            Response::found(path.to_string()),
            false,
            writer,
            shared,
        );
    }
    answer(request, writer, shared)
}

/// Answers a request that reached its path: authentication, status faults, the route.
fn answer(request: &Request, writer: &mut impl Write, shared: &Shared) -> io::Result<bool> {
    let path = request.path.as_str();
    let unauthorized =
        shared
            .faults
            .lock()
            .required_credentials(path)
            .is_some_and(|(login, password)| {
                use base64::Engine;
                let expected = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
                );
                request.header("Authorization") != Some(expected.as_str())
            });
    if unauthorized {
        let mut response = Response::text(401, "Unauthorized\n");
        response
            .headers
            .push(("WWW-Authenticate", "Basic realm=\"test index\"".to_string()));
        return send(request, response, false, writer, shared);
    }
    let server_error = shared.faults.lock().take_server_error(path);
    let not_found = shared.faults.lock().take_not_found(path);
    let response = match (server_error, not_found) {
        (Some(status), _) => Response::text(status, "Injected fault\n"),
        (None, Some(not_found)) => {
            let mut response = Response::text(404, "Not Found\n");
            if let Some(max_age) = not_found.max_age {
                response
                    .headers
                    .push(("Cache-Control", format!("max-age={max_age}")));
            }
            response
        }
        (None, None) => route(request, shared),
    };
    let response = apply_conditions(request, response, shared);
    let truncate = matches!(response.status, 200 | 206)
        && request.method == "GET"
        && response.body.len() > 0
        && shared.faults.lock().take_truncation(path);
    send(request, response, truncate, writer, shared)
}

fn route(request: &Request, shared: &Shared) -> Response {
    let store = shared.store();
    if request.method != "GET" && request.method != "HEAD" {
        let mut response = Response::text(405, "Only GET and HEAD are served\n");
        response.headers.push(("Allow", "GET, HEAD".to_string()));
        return response;
    }
    let path = request.path.as_str();
    if path == "/" || path == "/simple" {
        return Response::redirect("/simple/".to_string());
    }
    if path == "/simple/" {
        let format = page_format(request, shared);
        let page = pages::root_page(store.projects.values(), format);
        return page_response(page, format, path, shared);
    }
    if let Some(rest) = path.strip_prefix("/simple/") {
        let name = rest.strip_suffix('/').unwrap_or(rest);
        let Ok(normalized) = PackageName::from_str(&percent_decode(name)) else {
            return Response::text(404, "Not Found\n");
        };
        let Some(project) = store.projects.get(normalized.as_ref()) else {
            return Response::text(404, "Not Found\n");
        };
        if name != normalized.as_ref() || !rest.ends_with('/') {
            return Response::redirect(format!("/simple/{normalized}/"));
        }
        let format = page_format(request, shared);
        let faults = {
            let faults = shared.faults.lock();
            PageFaults {
                hide_metadata: faults.is_set(path, &Fault::MetadataNotAdvertised),
                wrong_hash: faults.is_set(path, &Fault::WrongHash),
                advertised: project
                    .files
                    .iter()
                    .filter_map(|listed| {
                        let filename = &listed.file.filename;
                        let sha256 = faults.advertised_hash(path, filename)?;
                        Some((filename.clone(), sha256.to_string()))
                    })
                    .collect(),
                advertised_metadata: project
                    .files
                    .iter()
                    .filter_map(|listed| {
                        let filename = &listed.file.filename;
                        let sha256 = faults.advertised_metadata_hash(path, filename)?;
                        Some((filename.clone(), sha256.clone()))
                    })
                    .collect(),
            }
        };
        let page = pages::project_page(project, format, &faults);
        return page_response(page, format, path, shared);
    }
    let decoded = percent_decode(path);
    if let Some(file) = store.files.get(&decoded) {
        return Response {
            status: 200,
            headers: vec![
                ("Content-Type", "application/octet-stream".to_string()),
                ("ETag", format!("\"{}\"", &file.sha256[..32])),
                ("Cache-Control", "max-age=31536000, immutable".to_string()),
            ],
            body: Body::File {
                path: file.path.clone(),
                offset: 0,
                length: file.size,
            },
            close_delimited: false,
        };
    }
    Response::text(404, "Not Found\n")
}

fn page_format(request: &Request, shared: &Shared) -> PageFormat {
    if shared.html_only {
        PageFormat::Html
    } else {
        http::negotiate(request.header("Accept"))
    }
}

fn page_response(page: String, format: PageFormat, path: &str, shared: &Shared) -> Response {
    let page = if shared.faults.lock().is_set(path, &Fault::MalformedPage) {
        pages::malformed(&page)
    } else {
        page
    };
    let oversized = shared.faults.lock().oversized_page(path);
    let mut digest = Sha256::new();
    digest.update(page.as_bytes());
    if let Some(length) = oversized {
        digest.update(length.to_le_bytes());
    }
    let etag = format!("\"{}\"", &hex(&digest.finalize())[..32]);
    let body = match oversized {
        Some(length) => Body::Padded {
            length: length.max(page.len() as u64),
            head: page.into_bytes(),
        },
        None => Body::Bytes(page.into_bytes()),
    };
    Response {
        status: 200,
        headers: vec![
            (
                "Content-Type",
                if shared.html_only {
                    "text/html; charset=utf-8".to_string()
                } else {
                    format.content_type().to_string()
                },
            ),
            ("Vary", "Accept".to_string()),
            ("ETag", etag),
            (
                "Cache-Control",
                format!("max-age={}, public", shared.page_max_age),
            ),
        ],
        body,
        close_delimited: oversized.is_some(),
    }
}

/// Applies `If-None-Match` and `Range` to a 200 response.
fn apply_conditions(request: &Request, mut response: Response, shared: &Shared) -> Response {
    if response.status != 200 {
        return response;
    }
    let etag = response
        .headers
        .iter()
        .find(|(name, _)| *name == "ETag")
        .map(|(_, value)| value.clone());
    if let Some(etag) = etag
        && http::etag_matches(request.header("If-None-Match"), &etag)
    {
        response.status = 304;
        response.body = Body::Bytes(Vec::new());
        return response;
    }
    if shared
        .faults
        .lock()
        .is_set(&request.path, &Fault::RangeUnsupported)
    {
        response.headers.push(("Accept-Ranges", "none".to_string()));
        return response;
    }
    response
        .headers
        .push(("Accept-Ranges", "bytes".to_string()));
    let length = response.body.len();
    let garbage = shared
        .faults
        .lock()
        .is_set(&request.path, &Fault::GarbageRanges);
    match http::parse_range(request.header("Range"), length) {
        RangeRequest::Whole => response,
        RangeRequest::Slice { start, end } if garbage => Response {
            status: 206,
            headers: {
                let mut headers = response.headers;
                headers.push(("Content-Range", format!("bytes {start}-{end}/{length}")));
                headers
            },
            body: Body::Bytes(garbage_bytes(end - start + 1)),
            close_delimited: response.close_delimited,
        },
        RangeRequest::Slice { start, end } => Response {
            status: 206,
            headers: {
                let mut headers = response.headers;
                headers.push(("Content-Range", format!("bytes {start}-{end}/{length}")));
                headers
            },
            body: response.body.slice(start, end),
            close_delimited: response.close_delimited,
        },
        RangeRequest::Unsatisfiable => {
            let mut unsatisfiable = Response::text(416, "");
            unsatisfiable.body = Body::Bytes(Vec::new());
            unsatisfiable
                .headers
                .push(("Content-Range", format!("bytes */{length}")));
            unsatisfiable
        }
    }
}

/// Deterministic bytes that are no part of any zip: no signature, no valid record.
fn garbage_bytes(length: u64) -> Vec<u8> {
    (0..length)
        .map(|index| (index % 251) as u8 | 0x80)
        .collect()
}

fn send(
    request: &Request,
    response: Response,
    truncate: bool,
    writer: &mut impl Write,
    shared: &Shared,
) -> io::Result<bool> {
    let content_length = response.body.len();
    let planned = if request.method == "HEAD" || response.status == 304 {
        0
    } else if truncate {
        content_length / 2
    } else {
        content_length
    };
    let keep_alive = request.keep_alive && !truncate && !response.close_delimited;
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nServer: strata-testindex\r\n",
        response.status,
        http::reason(response.status)
    );
    for (name, value) in &response.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if response.status != 304 && !response.close_delimited {
        let _ = write!(head, "Content-Length: {content_length}\r\n");
    }
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });

    let position = shared
        .log
        .push(record(request, Some(response.status), planned));
    let mut written = 0;
    let pace = Pace {
        bytes_per_second: shared.faults.lock().trickle(&request.path),
        shared,
    };
    let result = writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .and_then(|()| write_body(writer, response.body, planned, &pace, &mut written))
        .and_then(|()| writer.flush());
    if let Err(error) = result {
        shared.log.set_bytes_sent(position, &request.path, written);
        return Err(error);
    }
    Ok(keep_alive)
}

/// How fast a body goes out: at once, or at [`Fault::Trickle`]'s pace.
struct Pace<'a> {
    bytes_per_second: Option<u64>,
    shared: &'a Shared,
}

impl Pace<'_> {
    /// Writes `bytes`, paced, counting what went out in `written`.
    fn write(&self, writer: &mut impl Write, bytes: &[u8], written: &mut u64) -> io::Result<()> {
        let Some(rate) = self.bytes_per_second else {
            writer.write_all(bytes)?;
            *written += bytes.len() as u64;
            return Ok(());
        };
        let rate = rate.max(1);
        let piece = usize::try_from(rate / 20).unwrap_or(usize::MAX).max(1);
        let interval = Duration::from_nanos(
            u64::try_from(piece)
                .unwrap_or(u64::MAX)
                .saturating_mul(1_000_000_000)
                / rate,
        );
        for piece in bytes.chunks(piece) {
            if self.shared.shutdown.load(Ordering::SeqCst) {
                return Err(io::Error::other("the index is stopping"));
            }
            // Flushed piece by piece: a paced body must reach the client as it goes, and a
            // client that hung up makes the write fail, which ends the thread.
            writer.write_all(piece)?;
            writer.flush()?;
            *written += piece.len() as u64;
            sleep_unless_shutdown(interval, self.shared);
        }
        Ok(())
    }
}

fn write_body(
    writer: &mut impl Write,
    body: Body,
    limit: u64,
    pace: &Pace<'_>,
    written: &mut u64,
) -> io::Result<()> {
    match body {
        Body::Bytes(bytes) => {
            let limit = usize::try_from(limit)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            pace.write(writer, &bytes[..limit], written)?;
        }
        Body::File { path, offset, .. } => {
            let mut file = fs_err::File::open(&path)?;
            file.seek(io::SeekFrom::Start(offset))?;
            let mut file = file.take(limit);
            let mut buffer = vec![0; CHUNK];
            loop {
                let read = file.read(&mut buffer)?;
                if read == 0 {
                    break;
                }
                pace.write(writer, &buffer[..read], written)?;
            }
        }
        Body::Padded { head, .. } => {
            let head_len = usize::try_from(limit).unwrap_or(usize::MAX).min(head.len());
            pace.write(writer, &head[..head_len], written)?;
            let spaces = vec![b' '; CHUNK];
            let mut remaining = limit - head_len as u64;
            while remaining > 0 {
                let piece = usize::try_from(remaining).unwrap_or(CHUNK).min(CHUNK);
                pace.write(writer, &spaces[..piece], written)?;
                remaining -= piece as u64;
            }
        }
    }
    Ok(())
}

/// Holds a stalled request until the client hangs up or the index stops.
fn wait_for_hangup(stream: &TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut byte = [0; 1];
    while !shared.shutdown.load(Ordering::SeqCst) {
        match stream.peek(&mut byte) {
            Ok(0) => return,
            // The client sent more (it should not, before an answer): keep stalling.
            Ok(_) => thread::sleep(POLL),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

fn record(request: &Request, status: Option<u16>, bytes_sent: u64) -> RequestRecord {
    RequestRecord {
        method: request.method.clone(),
        path: request.path.clone(),
        range: request.header("Range").map(ToString::to_string),
        status,
        bytes_sent,
    }
}

fn sleep_unless_shutdown(duration: Duration, shared: &Shared) {
    let deadline = Instant::now() + duration;
    while !shared.shutdown.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        thread::sleep(POLL.min(deadline - now));
    }
}

/// Decodes `%XX` escapes (clients may send `+` in local versions as `%2B`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(value) = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            decoded.push(value);
            index += 3;
            continue;
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_handle_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TestIndex>();
        assert_send_sync::<FaultHandle>();
    }

    #[test]
    fn percent_escapes_decode_and_stray_percents_survive() {
        assert_eq!(percent_decode("a-1.0%2Blocal.whl"), "a-1.0+local.whl");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
