//! The header lines strata writes into a lock, shared by both formats.
//!
//! `<name>.txt` carries them as `# `-comments at its top; `pylock.<name>.toml` carries the
//! fingerprint in `[tool.strata]`. What the values mean (which inputs a fingerprint covers) is
//! `strata-lock`'s business; this crate only knows where they are written.

/// The header line that carries the fingerprint of a lock's inputs (without the leading `# `).
pub const FINGERPRINT_PREFIX: &str = "strata-fingerprint: ";

/// The header line that records a short hash per kind of input, so a stale lock can say which
/// kind changed (without the leading `# `).
pub const INPUTS_PREFIX: &str = "strata-inputs: ";
