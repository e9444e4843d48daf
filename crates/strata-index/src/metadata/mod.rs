//! Getting a distribution's core metadata without downloading what it does not need.
//!
//! A resolver needs the `Requires-Dist` of every version it considers, and some wheels are
//! gigabytes (tensorrt-llm, torch with CUDA). So metadata is taken from the cheapest source
//! that has it, in this order (the "ladder"):
//!
//! 1. **PEP 658**: the index serves `<file>.metadata` next to the file and says so on the page
//!    (`core-metadata`). One small request, checked against the sha256 the page advertises for
//!    it, when it does: a mismatch is an error, not a reason to read the metadata another way.
//!    This index does not always advertise it, so the ladder never assumes it.
//! 2. **HTTP range requests on the wheel**: a wheel is a zip, whose central directory sits at
//!    the end. Read the tail (end-of-central-directory record and, usually in the same request,
//!    the central directory), find `*.dist-info/METADATA`, then read just that entry. A few KB of
//!    a multi-GB file (see [`range`]).
//! 3. **Streaming the wheel** when the server ignores `Range`: the body goes to a temporary file
//!    as it arrives, never into memory, and the entry is read from the file.
//! 4. **A source distribution's static metadata**: its `pyproject.toml` `[project]` table when
//!    nothing resolution reads is `dynamic` (PEP 621), else its `PKG-INFO` when PEP 643 makes it
//!    binding (Metadata-Version 2.2 or later, the requirements not declared `Dynamic`), by uv's
//!    rules (see [`sdist`]).
//! 5. **Building the metadata** with the sdist's PEP 517 backend in a throwaway virtual
//!    environment made with the machine's Python (see the `strata-build` crate). Slow and fallible (some
//!    sdists download their real wheel from another index at build time), so it is the last
//!    rung, its result is cached like every other, and its failure is reported with the last
//!    lines of the backend's output and the path of the whole log, kept in the cache.
//!
//! Every result is cached immutably, keyed by the index that listed the file and the file's
//! sha256 from that index (or its URL when the index gives no hash), so each file's metadata is
//! fetched once per machine and index.

pub(crate) mod range;
pub(crate) mod sdist;

use std::future::Future;
use std::ops::Range;

use bytes::Bytes;

/// Why a range read failed.
#[derive(Debug)]
pub(crate) enum RangeError {
    /// The server ignored `Range` and would send the whole file: fall back to streaming.
    Unsupported,
    /// Anything else: reported as is.
    Failed(crate::Error),
}

impl From<crate::Error> for RangeError {
    fn from(error: crate::Error) -> Self {
        Self::Failed(error)
    }
}

/// Random access to a remote file through HTTP range requests.
///
/// The HTTP client implements it over a URL; tests implement it over a byte slice and count the
/// bytes read.
pub(crate) trait RangeReader: Sync {
    /// Reads bytes `range.start..range.end` of the file.
    fn read_range(
        &self,
        range: Range<u64>,
    ) -> impl Future<Output = Result<Bytes, RangeError>> + Send;

    /// Reads the last `len` bytes (or the whole file when shorter); returns them and the file's
    /// total size.
    fn read_suffix(
        &self,
        len: u64,
    ) -> impl Future<Output = Result<(Bytes, u64), RangeError>> + Send;
}
