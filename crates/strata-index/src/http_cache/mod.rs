//! The disk cache: index pages with their HTTP validators, and metadata forever.
//!
//! **Pages** change when a project publishes, so they are stored with the validators the server
//! sent (`ETag`, `Last-Modified`) and the freshness it granted (`Cache-Control: max-age`). A
//! fresh page is used as is; a stale one is revalidated with `If-None-Match` /
//! `If-Modified-Since`, and a `304 Not Modified` costs a few hundred bytes instead of the page.
//! `--refresh` revalidates everything; `--offline` uses whatever is stored and names what is
//! missing. A "not found" page is stored only when the index granted it a `max-age`: a failure
//! is never remembered on the client's own initiative. The stored form is the parsed page (a list of files), not the HTML or JSON, so a
//! warm run does not parse markup again.
//!
//! **Metadata** of a file never changes (a file's bytes are immutable once published, and the
//! key is its sha256 from the index), so it is stored once and not revalidated unless
//! `--refresh` asks. The sha256 is only the index's claim (metadata read through range
//! requests is never checked against the whole file), so an entry belongs to the index that
//! listed the file and is never served for another's: one index cannot poison another. A
//! wheel's **import names** are derived from its immutable file list and are stored the same
//! way.
//!
//! **Safety.** Several strata processes may share the cache, and any of them may be killed.
//! Every entry is written to a temporary file and renamed into place, so readers see a whole
//! entry or none, and each entry starts with the sha256 of its payload, checked on every read:
//! a damaged entry (a full disk, a bad sector, a hand edit) is treated as missing and replaced,
//! never trusted. What this cache deliberately does not do: evict by size or age (that is
//! `strata cache prune`'s job), or store artifacts (wheels are never kept, only their metadata).

pub(crate) mod store;

pub use store::CacheSummary;
pub(crate) use store::{CachedPage, Store};
