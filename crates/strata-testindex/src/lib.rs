//! A loopback Python package index for tests.
//!
//! Every HTTP-touching test of strata runs against a [`TestIndex`]: a real HTTP/1.1
//! server on `127.0.0.1:0`, one per test, serving a [`Universe`] of packages
//! declared in Rust as real generated wheels and sdists. Nothing ever touches the
//! internet.
//!
//! What it serves:
//!
//! - `/simple/` and `/simple/<project>/` in PEP 691 JSON when `Accept` asks for
//!   `application/vnd.pypi.simple.v1+json`, else PEP 503 HTML; non-normalized
//!   names redirect (301) to the normalized URL. Files carry `#sha256=` URLs and
//!   `hashes`, `requires-python`, PEP 592 `yanked`, `size` and optionally
//!   `upload-time`; PEP 658/714 metadata files and their advertisements only when
//!   [`Universe::metadata_files`] is on (off by default, like the index this
//!   project meets in real life).
//! - `/files/<project>/<file>`, linked by relative URLs so clients must join them.
//!   Wheels are built with real `METADATA`, `WHEEL`, `top_level.txt` and a `RECORD`
//!   of correct hashes, reproducible byte for byte, and installable by pip. Sdists
//!   carry a static or dynamic `PKG-INFO` (PEP 643) and an in-tree, stdlib-only
//!   PEP 517 backend, so pip builds them without network; the backend can be made
//!   to fail with a message.
//! - `Range` (`bytes=a-b`, `bytes=a-`, `bytes=-n`), `If-None-Match` with `ETag`
//!   (304), `HEAD`, keep-alive and `Connection: close`.
//!
//! Faults ([`Fault`], grouped in [`Faults`], each scoped to a path prefix) are set
//! at start and changed at runtime through [`TestIndex::set_faults`] or a
//! [`FaultHandle`]: latency, 5xx, 404s or connection resets for the first N
//! requests, truncated bodies, ignored ranges, missing metadata advertisements,
//! wrong file and metadata hashes and malformed pages; and the hostile ones a
//! client must bound: stalled answers, bodies trickling in a few bytes a second,
//! redirect loops and long redirect chains, and pages padded to any size. Every request is logged as a [`RequestRecord`] (method,
//! path, range, status, body bytes sent) so tests can assert what a client
//! fetched and how much.
//!
//! It speaks plain HTTP unless [`Universe::tls`] asks for HTTPS: then its certificate, for
//! `127.0.0.1` and `localhost`, is signed by a test CA made for that index alone, whose
//! certificate [`TestIndex::ca_certificate_path`] hands to pip (`--cert`), to strata
//! (`SSL_CERT_FILE`) or to an image's trust store. Basic authentication is a fault like the
//! others ([`Fault::RequireBasicAuth`]).
//!
//! What it deliberately does not do: client certificates, HTTP/2, chunked
//! encoding, uploads, or anything async. It is built on `std::net` with one
//! thread per connection (TLS through rustls's blocking stream), because full
//! control over what goes on the wire matters more here than throughput.
//!
//! Artifacts are written into a temporary directory owned by the index (a wheel
//! padded to hundreds of megabytes never sits in memory), and everything,
//! threads and files, is gone when the [`TestIndex`] is dropped.
//!
//! Its companion for tests that take real pip as their oracle is [`Venv`]: a
//! virtual environment with pip run against the loopback index and nothing of the
//! machine's configuration. A test whose tool (`python3`, `curl`, import-linter) is
//! missing goes through [`tool_missing`]: skipped, saying why, or failed where
//! `STRATA_TEST_REQUIRE_TOOLS=1` (as `.ci/run` sets it). Tests that build container images from
//! strata's Dockerfiles use [`images`]: buildah with a storage of the test suite's own and a
//! Debian base image with Python made once per target directory. Universes that the tests of more than
//! one crate serve are defined once, in [`universes`].
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};
//!
//! let index = TestIndex::start(
//!     Universe::new()
//!         .package(Package::new("numpy", "1.26.4").requires_python(">=3.9"))
//!         .package(Package::new("demo", "1.0").requires("numpy>=1.26").sdist()),
//! );
//! assert!(index.url().starts_with("http://127.0.0.1:"));
//!
//! // The first request for the page fails, as a flaky index would.
//! index.set_faults(Faults::new().on(
//!     "/simple/",
//!     Fault::ServerError { status: 503, count: 1 },
//! ));
//! let get = |path: &str| {
//!     let mut stream = TcpStream::connect(index.address()).unwrap();
//!     write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//!     let mut response = String::new();
//!     stream.read_to_string(&mut response).unwrap();
//!     response
//! };
//! assert!(get("/simple/demo/").starts_with("HTTP/1.1 503"));
//! let page = get("/simple/demo/");
//! assert!(page.starts_with("HTTP/1.1 200"));
//! assert!(page.contains("demo-1.0-py3-none-any.whl#sha256="));
//!
//! let statuses: Vec<_> = index.requests_for("/simple/demo/").iter().map(|r| r.status).collect();
//! assert_eq!(statuses, [Some(503), Some(200)]);
//! assert_eq!(index.requests_for("/files/").len(), 0);
//! ```
#![warn(missing_docs)]

pub use error::{Error, ErrorKind};
pub use faults::{Fault, FaultHandle, Faults};
pub use log::RequestRecord;
pub use output::Output;
pub use package::{Package, Universe};
pub use server::TestIndex;
pub use store::ServedFile;
pub use tools::{REQUIRE_TOOLS_VARIABLE, tool_missing, tools_required};
pub use venv::Venv;

/// Environment variables through which a program under test could find an index, pip
/// configuration or virtual environment other than the test's own: what [`hermetic`] removes.
pub const INDEX_VARIABLES: &[&str] = &[
    "STRATA_INDEX_URL",
    "STRATA_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CERT",
    "NVIDIA_INDEX_URL",
    "VIRTUAL_ENV",
];

/// Shuts the machine's index configuration out of `command`: every [`INDEX_VARIABLES`]
/// variable removed, `PIP_CONFIG_FILE=/dev/null` and `NO_COLOR=1`, so the program sees the
/// index the test names and plain output.
pub fn hermetic(command: &mut std::process::Command) -> &mut std::process::Command {
    for variable in INDEX_VARIABLES {
        command.env_remove(variable);
    }
    command
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("NO_COLOR", "1")
}

mod error;
mod faults;
mod http;
pub mod images;
mod log;
mod metadata;
mod output;
mod package;
mod pages;
mod sdist;
mod server;
mod store;
mod tls;
mod tools;
pub mod universes;
pub mod venv;
mod wheel;
