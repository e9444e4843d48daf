//! Reading the project's input files (manifests, requirements files, version files) as text.
//!
//! Three rules hold for every input strata reads:
//!
//! * **At most [`MAX_INPUT_FILE_BYTES`] (16 MiB) are read.** Real inputs are kilobytes; the
//!   bound is what stops `-r /dev/zero`, a FIFO or a multi-gigabyte file named by mistake from
//!   growing strata's memory until the kernel kills it. The file's reported size is not
//!   trusted (a device or a FIFO reports none): reading stops one byte past the bound, and that
//!   byte makes the error.
//! * **The text is UTF-8.** TOML requires it, and pip reads requirements files as UTF-8 on
//!   every usual locale. An invalid byte is an error with its line and column, not the bare
//!   "stream did not contain valid UTF-8" of the standard library.
//! * **A UTF-8 byte-order mark at the start is skipped**, as pip and the TOML parser skip it:
//!   editors on Windows write one, and it is invisible in any message that quotes it.
//!
//! Callers word a missing file in their own terms (a missing `-r` include points at the line
//! that names it), so that case comes back apart from the located errors.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, ErrorKind, Snippet};

/// The most strata reads of one input file: 16 MiB, hundreds of times a real one.
pub(crate) const MAX_INPUT_FILE_BYTES: u64 = 16 * 1024 * 1024;

const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// Why [`read`] returned no text.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The file does not exist.
    Missing(std::io::Error),
    /// Any other failure, as a located error.
    Failed(Error),
}

impl ReadFailure {
    /// The failure as an error, a missing file reported as the plain I/O error it is.
    pub(crate) fn into_error(self, display: &Path, referrer: Option<&Snippet>) -> Error {
        match self {
            Self::Missing(source) => ErrorKind::Io {
                path: display.to_path_buf(),
                source,
                snippet: referrer.cloned(),
            }
            .into(),
            Self::Failed(error) => error,
        }
    }
}

/// Reads `path` as UTF-8 text under the rules of this module. `display` is the path as errors
/// show it, and `referrer` the line or manifest entry that named the file, if any.
pub(crate) fn read(
    path: &Path,
    display: &Path,
    referrer: Option<&Snippet>,
) -> Result<String, ReadFailure> {
    // The message names the file (shortened when long); the cause is the system's reason
    // alone, not fs_err's "failed to open `PATH`", which would repeat a path of any length.
    let io_error = |error: std::io::Error| {
        let source = error
            .raw_os_error()
            .map_or(error, std::io::Error::from_raw_os_error);
        ReadFailure::Failed(
            ErrorKind::Io {
                path: display.to_path_buf(),
                source,
                snippet: referrer.cloned(),
            }
            .into(),
        )
    };
    let file = match fs_err::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadFailure::Missing(error));
        }
        Err(error) => return Err(io_error(error)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_INPUT_FILE_BYTES {
        return Err(ReadFailure::Failed(
            ErrorKind::TooLarge {
                path: display.to_path_buf(),
                limit: MAX_INPUT_FILE_BYTES,
                snippet: referrer.cloned(),
            }
            .into(),
        ));
    }
    if bytes.starts_with(BYTE_ORDER_MARK) {
        bytes.drain(..BYTE_ORDER_MARK.len());
    }
    String::from_utf8(bytes).map_err(|error| {
        ReadFailure::Failed(not_utf8(display, error.as_bytes(), error.utf8_error()))
    })
}

/// The error for the first byte that is not UTF-8, on its line: the line is shown with the
/// replacement character where the byte was, and the caret under it.
fn not_utf8(display: &Path, bytes: &[u8], error: std::str::Utf8Error) -> Error {
    let at = error.valid_up_to();
    let line_start = bytes[..at]
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |index| index + 1);
    let line_end = bytes[at..]
        .iter()
        .position(|byte| *byte == b'\n')
        .map_or(bytes.len(), |index| at + index);
    let line = bytes[..at].split(|byte| *byte == b'\n').count();
    let text = String::from_utf8_lossy(&bytes[line_start..line_end]);
    // Everything before `at` is valid, so counting its characters gives the exact column.
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count();
    ErrorKind::NotUtf8 {
        byte: bytes[at],
        snippet: Snippet::from_line(
            display,
            line,
            text.trim_end_matches('\r'),
            column..column + 1,
        ),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bytes(contents: &[u8]) -> Result<String, ReadFailure> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base.in");
        fs_err::write(&path, contents).unwrap();
        read(&path, Path::new("base.in"), None)
    }

    fn failed(result: Result<String, ReadFailure>) -> Error {
        match result {
            Err(ReadFailure::Failed(error)) => error,
            other => panic!("expected a located error, got {other:?}"),
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(read_bytes(b"\xef\xbb\xbfnumpy\n").unwrap(), "numpy\n");
        // Only at the start: elsewhere it is text, and the parser that reads it says so.
        assert_eq!(
            read_bytes("a\n\u{feff}b\n".as_bytes()).unwrap(),
            "a\n\u{feff}b\n"
        );
    }

    #[test]
    fn an_invalid_byte_is_located_on_its_line() {
        let error = failed(read_bytes(b"numpy\n# caf\xe9 au lait\r\ntorch\n"));
        let ErrorKind::NotUtf8 { byte, snippet } = error.kind() else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(*byte, 0xe9);
        assert_eq!((snippet.line, snippet.column), (2, 6));
        assert_eq!(snippet.text, "# caf\u{fffd} au lait");
    }

    #[test]
    fn a_file_past_the_bound_is_refused_and_one_at_it_is_read() {
        let limit = usize::try_from(MAX_INPUT_FILE_BYTES).unwrap();
        assert_eq!(read_bytes(&vec![b'#'; limit]).unwrap().len(), limit);
        let error = failed(read_bytes(&vec![b'#'; limit + 1]));
        assert!(
            matches!(error.kind(), ErrorKind::TooLarge { limit, .. } if *limit == MAX_INPUT_FILE_BYTES),
            "{error:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_that_never_ends_is_read_only_up_to_the_bound() {
        let referrer = Snippet::from_line(Path::new("base.in"), 2, "-r /dev/zero", 0..12);
        let error = failed(read(
            Path::new("/dev/zero"),
            Path::new("/dev/zero"),
            Some(&referrer),
        ));
        let ErrorKind::TooLarge { snippet, .. } = error.kind() else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(snippet.as_ref(), Some(&referrer));
    }

    #[test]
    fn a_missing_file_is_left_to_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let result = read(&dir.path().join("absent.in"), Path::new("absent.in"), None);
        assert!(matches!(result, Err(ReadFailure::Missing(_))), "{result:?}");
    }
}
