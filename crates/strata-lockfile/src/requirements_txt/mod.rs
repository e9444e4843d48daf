//! The pip-tools form of a lock: `requirements.txt` that `pip install --require-hashes` takes.
//!
//! ```text
//! numpy==1.26.4 \
//!     --hash=sha256:03a8... \
//!     --hash=sha256:2a02...
//!     # via
//!     #   -r requirements/in/base.in
//!     #   accelerate
//! ```
//!
//! The writer is deterministic: packages in normalized-name order, hashes sorted, `# via`
//! entries sorted, `\n` line endings, so the same lock always gives the same bytes and a relock
//! diff shows only what changed. The reader takes back what the writer wrote (and what
//! pip-compile and `uv pip compile` write) far enough to recover pins for preferences.

mod read;
mod write;

pub use read::header_lines;
pub use read::{ReadError, read, read_pins};
pub use write::write;
