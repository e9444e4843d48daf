//! The request log tests assert on.
//!
//! A request is logged just before its body is written, so by the time a
//! client has read a whole response its entry is already visible; the byte
//! count is corrected afterwards only if the write fails.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One request as the server saw and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The URL path, without the query string.
    pub path: String,
    /// The `Range` header, verbatim, if the client sent one.
    pub range: Option<String>,
    /// The status sent, or `None` when the connection was closed without an
    /// answer ([`crate::Fault::ConnectionReset`]).
    pub status: Option<u16>,
    /// Body bytes actually sent (headers not counted).
    pub bytes_sent: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RequestLog(Arc<Mutex<Vec<RequestRecord>>>);

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, Vec<RequestRecord>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends a record and returns its position, for [`Self::set_bytes_sent`].
    pub(crate) fn push(&self, record: RequestRecord) -> usize {
        let mut records = self.lock();
        records.push(record);
        records.len() - 1
    }

    /// Corrects a record after a failed write. A [`Self::clear`] in between
    /// makes this a no-op rather than touching an unrelated record.
    pub(crate) fn set_bytes_sent(&self, position: usize, record_path: &str, bytes: u64) {
        if let Some(record) = self.lock().get_mut(position)
            && record.path == record_path
        {
            record.bytes_sent = bytes;
        }
    }

    pub(crate) fn records(&self) -> Vec<RequestRecord> {
        self.lock().clone()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}
