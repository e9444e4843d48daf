//! Renderers: library data to human text, JSON or diagrams. No I/O here.

pub(crate) mod build;
pub(crate) mod bump;
pub(crate) mod cache;
pub(crate) mod compile;
pub(crate) mod json;
pub(crate) mod profiles;
pub(crate) mod sync;
pub(crate) mod version;
