//! A wheel's `METADATA` and file list through HTTP range requests: a few KB of a multi-GB file.
//!
//! A wheel is a zip archive, and a zip archive is read from its end. The last record is the
//! 22-byte end-of-central-directory record (EOCD, signature `PK\x05\x06`), followed only by an
//! optional archive comment of at most 65,535 bytes, so it is found by scanning the tail
//! backwards for its signature. It gives the offset and size of the central directory, which
//! lists every entry with its name, compression method, CRC-32, sizes and the offset of its local
//! file header. When a count, size or offset does not fit its 16 or 32 bits (more than 65,535
//! entries, an archive over 4 GiB: CUDA wheels are), the field holds all ones and the real
//! values live in the ZIP64 records: a 20-byte EOCD64 locator (`PK\x06\x07`) just before the
//! EOCD points at the 56-byte ZIP64 EOCD record (`PK\x06\x06`), and each central directory entry
//! carries its large values in a ZIP64 extended-information extra field (header ID `0x0001`), in
//! a fixed order and only for the fields that overflowed. The entry's data follows its 30-byte
//! local file header, whose name and extra-field lengths may differ from the central
//! directory's, so the local header is read again rather than trusted from the directory.
//!
//! So the reader asks for the last 64 KiB, which holds the EOCD and, for all but the largest
//! wheels, the whole central directory; then one range covering the `METADATA` local header and
//! its compressed data, with some slack for a longer local extra field. Two requests in the
//! usual case, three when the central directory does not fit the tail, and one more only when a
//! local header turns out longer than the slack. A wheel small enough to fit the tail is served
//! from it without another request. Entries are stored or deflated (method 0 or 8, raw deflate
//! without zlib header); the CRC-32 from the central directory is checked after inflating so a
//! truncated or mixed-up range never becomes metadata.
//!
//! The same central directory lists every file the wheel installs, which is all it takes to know
//! the wheel's top-level import names (see `strata_dist::top_level_import_names`), so
//! [`wheel_entry_names`] stops there: the tail, and one more request only when the directory or
//! the ZIP64 record does not fit it. Both entry points share [`read_central_directory`].
//!
//! The `METADATA` entry is `{name}-{version}.dist-info/METADATA` at the top level, but the
//! directory's spelling of the name varies between build tools (escaped `foo_bar`, `Foo.Bar`,
//! unescaped `foo-bar`), so the entry is found as pip finds it: the top-level `*.dist-info`
//! directory whose canonicalized name (lowercase, runs of `-_.` as one `-`) starts with the
//! package's normalized name followed by `-`.
//!
//! See: <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT> (sections 4.3.7, 4.3.12,
//! 4.3.14 to 4.3.16, 4.5.3), <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use bytes::Bytes;
use flate2::Crc;
use flate2::read::DeflateDecoder;

use strata_dist::WheelFilename;

use super::{RangeError, RangeReader};
use crate::error::{Error, ErrorKind};

/// The tail read first: the EOCD plus, usually, the whole central directory.
const SUFFIX_LEN: u64 = 64 * 1024;
/// Extra bytes read after the `METADATA` data so a local extra field longer than the central
/// directory's still fits the first range.
const LOCAL_SLACK: u64 = 1024;
/// A `METADATA` larger than this is refused rather than inflated into memory; a PEP 658 file
/// (the same bytes) too.
pub(crate) const MAX_METADATA_SIZE: u64 = 64 * 1024 * 1024;
/// The most one range read holds in memory. A central directory or a compressed `METADATA`
/// entry is what a read asks for, and the zip says how large they are: a damaged or hostile zip
/// may say gigabytes. The central directory of a wheel of a hundred thousand files is about
/// ten megabytes.
const MAX_RANGE_READ: u64 = 64 * 1024 * 1024;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const EOCD64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const EOCD64_LOCATOR_LEN: usize = 20;
const EOCD64_SIGNATURE: u32 = 0x0606_4b50;
const EOCD64_LEN: usize = 56;
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const CENTRAL_HEADER_LEN: usize = 46;
const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const LOCAL_HEADER_LEN: usize = 30;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const MAX_COMMENT_LEN: usize = 0xFFFF;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
const FLAG_ENCRYPTED: u16 = 0x0001;

/// Reads the wheel's `*.dist-info/METADATA` through `reader`, transferring as little as the
/// format allows (see the module documentation).
pub(crate) async fn wheel_metadata(
    reader: &impl RangeReader,
    wheel: &WheelFilename,
) -> Result<Vec<u8>, RangeError> {
    let fail = |reason: String| failed(wheel, reason);
    let CentralDirectory {
        tail,
        size,
        entries,
    } = read_central_directory(reader, &fail).await?;
    let index = find_metadata_entry(entries.iter().map(|entry| entry.name.as_str()), wheel)
        .map_err(fail)?;
    let entry = &entries[index];

    let data = read_entry_data(reader, &tail, entry, size, wheel).await?;
    inflate(entry, &data).map_err(fail)
}

/// The name of every entry of the wheel, in archive order, read from its central directory
/// alone: the same tail request [`wheel_metadata`] starts with, and a second one only when the
/// directory (or a ZIP64 record) does not fit the tail. No entry's data is read.
pub(crate) async fn wheel_entry_names(
    reader: &impl RangeReader,
    wheel: &WheelFilename,
) -> Result<Vec<String>, RangeError> {
    let fail = |reason: String| RangeError::Failed(listing_error(wheel, reason));
    let directory = read_central_directory(reader, &fail).await?;
    Ok(directory
        .entries
        .into_iter()
        .map(|entry| entry.name)
        .collect())
}

/// Turns a reason into the error of the entry point that is reading, so a broken zip is
/// reported as a metadata failure or an import-names failure, as the caller asked.
type Fail<'a> = dyn Fn(String) -> RangeError + Sync + 'a;

/// A wheel's central directory, with the tail it was found in so that reads the tail already
/// holds cost nothing.
struct CentralDirectory {
    tail: Tail,
    /// The file's size.
    size: u64,
    entries: Vec<CentralEntry>,
}

/// Finds and parses the central directory: the tail (EOCD and, usually, the directory), then
/// the ZIP64 record and the part of the directory before the tail when they are not in it.
async fn read_central_directory(
    reader: &impl RangeReader,
    fail: &Fail<'_>,
) -> Result<CentralDirectory, RangeError> {
    let (tail, size) = reader.read_suffix(SUFFIX_LEN).await?;
    let tail = Tail::new(tail, size).ok_or_else(|| {
        fail("the server sent a longer tail than the file size it announced".to_string())
    })?;

    let eocd_position = find_eocd(&tail.bytes)
        .ok_or_else(|| fail("not a zip: no end-of-central-directory record".to_string()))?;
    let mut directory = parse_eocd(&tail.bytes[eocd_position..]).map_err(fail)?;
    if let Some(locator) = zip64_locator(&tail.bytes[..eocd_position]) {
        let record_offset = parse_zip64_locator(locator).map_err(fail)?;
        let record_end = record_offset.saturating_add(EOCD64_LEN as u64);
        if record_end > size {
            return Err(fail(format!(
                "the ZIP64 end-of-central-directory record (at {record_offset}) lies outside the {size}-byte file"
            )));
        }
        let record = tail.read(reader, record_offset..record_end, fail).await?;
        directory = parse_eocd64(&record).map_err(fail)?;
    }

    let directory_range = directory
        .offset
        .checked_add(directory.size)
        .filter(|end| *end <= size)
        .map(|end| directory.offset..end)
        .ok_or_else(|| {
            fail(format!(
                "the central directory ({} bytes at {}) lies outside the {size}-byte file",
                directory.size, directory.offset
            ))
        })?;
    let central = tail.read(reader, directory_range, fail).await?;
    let entries = parse_central_directory(&central, directory.entries).map_err(fail)?;
    Ok(CentralDirectory {
        tail,
        size,
        entries,
    })
}

/// Reads the wheel's `*.dist-info/METADATA` from a wheel on disk, for servers that ignore
/// `Range` (the wheel was streamed to a temporary file).
pub(crate) fn wheel_metadata_from_file(
    path: &Path,
    wheel: &WheelFilename,
) -> Result<Vec<u8>, Error> {
    let zip_error =
        |error: zip::result::ZipError| metadata_error(wheel, format!("not a valid zip: {error}"));
    let file = fs_err::File::open(path).map_err(|source| ErrorKind::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_error)?;
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    let index = find_metadata_entry(names.iter().map(String::as_str), wheel)
        .map_err(|reason| metadata_error(wheel, reason))?;
    let name = &names[index];
    let entry = archive.by_index(index).map_err(zip_error)?;
    if entry.size() > MAX_METADATA_SIZE {
        return Err(metadata_error(
            wheel,
            format!(
                "`{name}` is {} bytes, more than metadata can reasonably be",
                entry.size()
            ),
        ));
    }
    let mut content = Vec::new();
    // The zip crate checks the CRC-32 when the entry is read to its end.
    entry
        .take(MAX_METADATA_SIZE)
        .read_to_end(&mut content)
        .map_err(|error| metadata_error(wheel, format!("failed to read `{name}`: {error}")))?;
    Ok(content)
}

/// The name of every entry of a wheel on disk (a `find-links` directory), from its central
/// directory.
pub(crate) fn wheel_entry_names_from_file(
    path: &Path,
    wheel: &WheelFilename,
) -> Result<Vec<String>, Error> {
    let file = fs_err::File::open(path).map_err(|source| ErrorKind::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|error| listing_error(wheel, format!("not a valid zip: {error}")))?;
    Ok(archive
        .file_names_raw()
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect())
}

fn listing_error(wheel: &WheelFilename, reason: String) -> Error {
    ErrorKind::ImportNames {
        filename: wheel.to_string(),
        reason,
    }
    .into()
}

fn metadata_error(wheel: &WheelFilename, reason: String) -> Error {
    ErrorKind::Metadata {
        filename: wheel.to_string(),
        reason,
        origin: None,
    }
    .into()
}

/// Picks the top-level `*.dist-info/METADATA` of `wheel`'s package among archive entry names.
///
/// Returns the index of the name, or why none fits.
fn find_metadata_entry<'a>(
    names: impl Iterator<Item = &'a str>,
    wheel: &WheelFilename,
) -> Result<usize, String> {
    let prefix = format!("{}-", wheel.name().as_ref());
    let mut found: Option<(usize, &str)> = None;
    for (index, name) in names.enumerate() {
        let Some(directory) = name
            .strip_suffix("/METADATA")
            .and_then(|path| path.strip_suffix(".dist-info"))
            .filter(|stem| !stem.contains('/'))
        else {
            continue;
        };
        if !canonicalize(directory).starts_with(&prefix) {
            continue;
        }
        if let Some((_, first)) = found {
            return Err(format!(
                "more than one `*.dist-info/METADATA` entry for `{}`: `{first}` and `{name}`",
                wheel.name()
            ));
        }
        found = Some((index, name));
    }
    found.map(|(index, _)| index).ok_or_else(|| {
        format!(
            "no `*.dist-info/METADATA` entry for `{}` at the top level of the wheel",
            wheel.name()
        )
    })
}

/// Lowercases and turns each run of `-`, `_` and `.` into one `-`, as `packaging`'s
/// `canonicalize_name` does (pip applies it to the whole directory name).
fn canonicalize(text: &str) -> String {
    let mut canonical = String::with_capacity(text.len());
    let mut in_separator_run = false;
    for character in text.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !in_separator_run {
                canonical.push('-');
            }
            in_separator_run = true;
        } else {
            canonical.push(character.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    canonical
}

/// The bytes already fetched from the end of the file, so later reads inside them cost nothing.
struct Tail {
    bytes: Bytes,
    /// Offset of `bytes[0]` in the file.
    start: u64,
}

impl Tail {
    fn new(bytes: Bytes, size: u64) -> Option<Self> {
        let start = size.checked_sub(bytes.len() as u64)?;
        Some(Self { bytes, start })
    }

    /// Bytes `range` of the file, from the tail when it holds them, else from the server.
    async fn read(
        &self,
        reader: &impl RangeReader,
        range: Range<u64>,
        fail: &Fail<'_>,
    ) -> Result<Bytes, RangeError> {
        if let Some(bytes) = slice_within(&self.bytes, self.start, &range) {
            return Ok(bytes);
        }
        // A central directory that starts before the tail and ends inside it: fetch only the
        // part before the tail.
        if range.start < self.start
            && let Some(known) = slice_within(&self.bytes, self.start, &(self.start..range.end))
        {
            let head = fetch(reader, range.start..self.start, fail).await?;
            let mut joined = Vec::with_capacity(head.len() + known.len());
            joined.extend_from_slice(&head);
            joined.extend_from_slice(&known);
            return Ok(joined.into());
        }
        fetch(reader, range, fail).await
    }
}

/// Bytes `range` from the server, refusing a short answer, and a range too large to hold.
async fn fetch(
    reader: &impl RangeReader,
    range: Range<u64>,
    fail: &Fail<'_>,
) -> Result<Bytes, RangeError> {
    let length = range.end - range.start;
    if length > MAX_RANGE_READ {
        return Err(fail(format!(
            "its zip records ask for bytes {}..{} ({length} bytes), more than the {} MiB \
             strata reads from a wheel into memory at once",
            range.start,
            range.end,
            MAX_RANGE_READ / (1024 * 1024)
        )));
    }
    let bytes = reader.read_range(range.clone()).await?;
    if (bytes.len() as u64) < range.end - range.start {
        return Err(fail(format!(
            "asked for bytes {}..{}, the server sent {}",
            range.start,
            range.end,
            bytes.len()
        )));
    }
    Ok(bytes.slice(..usize::try_from(range.end - range.start).unwrap_or(bytes.len())))
}

/// Bytes `range` of the file when `bytes`, which start at file offset `start`, hold them all.
fn slice_within(bytes: &Bytes, start: u64, range: &Range<u64>) -> Option<Bytes> {
    let from = usize::try_from(range.start.checked_sub(start)?).ok()?;
    let to = usize::try_from(range.end.checked_sub(start)?).ok()?;
    (from <= to && to <= bytes.len()).then(|| bytes.slice(from..to))
}

/// Where the central directory is, from the EOCD or the ZIP64 EOCD record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DirectoryLocation {
    entries: u64,
    size: u64,
    offset: u64,
}

/// One central directory entry, with ZIP64 values already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CentralEntry {
    name: String,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    uncompressed_size: u64,
    local_header_offset: u64,
    /// Name plus extra length in the central directory: the usual local header size beyond 30.
    central_name_and_extra_len: u64,
}

/// The position of the EOCD in `tail`, scanning backwards over a possible archive comment.
fn find_eocd(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(MAX_COMMENT_LEN);
    (first..=last).rev().find(|&position| {
        read_u32(tail, position) == Some(EOCD_SIGNATURE)
            // The comment length must reach exactly the end of the file: a stray signature
            // inside a comment does not.
            && read_u16(tail, position + 20).map(usize::from) == Some(tail.len() - position - EOCD_LEN)
    })
}

fn parse_eocd(eocd: &[u8]) -> Result<DirectoryLocation, String> {
    let short = || "truncated end-of-central-directory record".to_string();
    Ok(DirectoryLocation {
        entries: u64::from(read_u16(eocd, 10).ok_or_else(short)?),
        size: u64::from(read_u32(eocd, 12).ok_or_else(short)?),
        offset: u64::from(read_u32(eocd, 16).ok_or_else(short)?),
    })
}

/// The EOCD64 locator that immediately precedes the EOCD, when there is one.
fn zip64_locator(before_eocd: &[u8]) -> Option<&[u8]> {
    let start = before_eocd.len().checked_sub(EOCD64_LOCATOR_LEN)?;
    let locator = &before_eocd[start..];
    (read_u32(locator, 0) == Some(EOCD64_LOCATOR_SIGNATURE)).then_some(locator)
}

fn parse_zip64_locator(locator: &[u8]) -> Result<u64, String> {
    read_u64(locator, 8)
        .ok_or_else(|| "truncated ZIP64 end-of-central-directory locator".to_string())
}

fn parse_eocd64(record: &[u8]) -> Result<DirectoryLocation, String> {
    if read_u32(record, 0) != Some(EOCD64_SIGNATURE) {
        return Err(
            "the ZIP64 locator does not point at a ZIP64 end-of-central-directory record"
                .to_string(),
        );
    }
    let short = || "truncated ZIP64 end-of-central-directory record".to_string();
    Ok(DirectoryLocation {
        entries: read_u64(record, 32).ok_or_else(short)?,
        size: read_u64(record, 40).ok_or_else(short)?,
        offset: read_u64(record, 48).ok_or_else(short)?,
    })
}

fn parse_central_directory(directory: &[u8], expected: u64) -> Result<Vec<CentralEntry>, String> {
    let mut entries = Vec::new();
    let mut position = 0;
    while position + CENTRAL_HEADER_LEN <= directory.len() {
        if read_u32(directory, position) != Some(CENTRAL_HEADER_SIGNATURE) {
            break;
        }
        let (entry, len) = parse_central_entry(&directory[position..]).ok_or_else(|| {
            format!("truncated central directory entry at byte {position} of the directory")
        })?;
        entries.push(entry);
        position += len;
    }
    // The EOCD count is 16 bits and may have wrapped in archives written without ZIP64, so only
    // finding fewer entries than it says is an error.
    if (entries.len() as u64) < expected.min(u64::from(u16::MAX)) {
        return Err(format!(
            "the central directory lists {} entries, the end-of-central-directory record says {expected}",
            entries.len()
        ));
    }
    Ok(entries)
}

/// Parses the entry at the start of `record`; returns it and its length.
fn parse_central_entry(record: &[u8]) -> Option<(CentralEntry, usize)> {
    let name_len = usize::from(read_u16(record, 28)?);
    let extra_len = usize::from(read_u16(record, 30)?);
    let comment_len = usize::from(read_u16(record, 32)?);
    let name_end = CENTRAL_HEADER_LEN + name_len;
    let extra_end = name_end + extra_len;
    let name = record.get(CENTRAL_HEADER_LEN..name_end)?;
    let extra = record.get(name_end..extra_end)?;
    let mut entry = CentralEntry {
        // Dist-info names are ASCII; a non-UTF-8 name cannot be the one looked for.
        name: String::from_utf8_lossy(name).into_owned(),
        flags: read_u16(record, 8)?,
        method: read_u16(record, 10)?,
        crc32: read_u32(record, 16)?,
        compressed_size: u64::from(read_u32(record, 20)?),
        uncompressed_size: u64::from(read_u32(record, 24)?),
        local_header_offset: u64::from(read_u32(record, 42)?),
        central_name_and_extra_len: (name_len + extra_len) as u64,
    };
    apply_zip64_extra(&mut entry, extra);
    Some((entry, extra_end + comment_len))
}

/// Replaces the 32-bit fields that hold all ones with their ZIP64 values (APPNOTE 4.5.3: the
/// extra field lists, in this order, only the fields that overflowed).
fn apply_zip64_extra(entry: &mut CentralEntry, mut extra: &[u8]) {
    const OVERFLOW: u64 = 0xFFFF_FFFF;
    while let (Some(id), Some(len)) = (read_u16(extra, 0), read_u16(extra, 2)) {
        let Some(data) = extra.get(4..4 + usize::from(len)) else {
            return;
        };
        if id == ZIP64_EXTRA_ID {
            let mut values = data.chunks_exact(8).map(|chunk| {
                u64::from_le_bytes(chunk.try_into().expect("chunks_exact yields 8 bytes"))
            });
            for field in [
                &mut entry.uncompressed_size,
                &mut entry.compressed_size,
                &mut entry.local_header_offset,
            ] {
                if *field == OVERFLOW {
                    match values.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        extra = &extra[4 + usize::from(len)..];
    }
}

/// Reads the entry's compressed data: one range over its local header and data (with slack),
/// and a second one only when the local header is longer than the slack allows.
async fn read_entry_data(
    reader: &impl RangeReader,
    tail: &Tail,
    entry: &CentralEntry,
    size: u64,
    wheel: &WheelFilename,
) -> Result<Bytes, RangeError> {
    let start = entry.local_header_offset;
    let wanted = LOCAL_HEADER_LEN as u64 + entry.central_name_and_extra_len + entry.compressed_size;
    let end = start
        .saturating_add(wanted)
        .saturating_add(LOCAL_SLACK)
        .min(size);
    if start.saturating_add(LOCAL_HEADER_LEN as u64) > end {
        return Err(failed(
            wheel,
            format!(
                "the local header of `{}` is at byte {start}, outside the {size}-byte file",
                entry.name
            ),
        ));
    }
    let fail = |reason: String| failed(wheel, reason);
    let local = tail.read(reader, start..end, &fail).await?;
    let header_len = match (
        read_u32(&local, 0),
        read_u16(&local, 26),
        read_u16(&local, 28),
    ) {
        (Some(LOCAL_HEADER_SIGNATURE), Some(name_len), Some(extra_len)) => {
            LOCAL_HEADER_LEN as u64 + u64::from(name_len) + u64::from(extra_len)
        }
        _ => {
            return Err(failed(
                wheel,
                format!("no local file header for `{}` at byte {start}", entry.name),
            ));
        }
    };
    let data = start + header_len..start + header_len + entry.compressed_size;
    match slice_within(&local, start, &data) {
        Some(bytes) => Ok(bytes),
        None => tail.read(reader, data, &fail).await,
    }
}

/// Decompresses the entry and checks its size and CRC-32 against the central directory.
fn inflate(entry: &CentralEntry, data: &[u8]) -> Result<Vec<u8>, String> {
    if entry.flags & FLAG_ENCRYPTED != 0 {
        return Err(format!("`{}` is encrypted", entry.name));
    }
    if entry.uncompressed_size > MAX_METADATA_SIZE {
        return Err(format!(
            "`{}` is {} bytes, more than metadata can reasonably be",
            entry.name, entry.uncompressed_size
        ));
    }
    let content = match entry.method {
        METHOD_STORED => data.to_vec(),
        METHOD_DEFLATED => {
            let mut content =
                Vec::with_capacity(usize::try_from(entry.uncompressed_size).unwrap_or_default());
            // One byte more than announced, so an entry that inflates larger is caught below
            // without inflating a bomb.
            DeflateDecoder::new(data)
                .take(entry.uncompressed_size + 1)
                .read_to_end(&mut content)
                .map_err(|error| format!("failed to inflate `{}`: {error}", entry.name))?;
            content
        }
        method => {
            return Err(format!(
                "`{}` uses compression method {method}; only stored (0) and deflate (8) are supported",
                entry.name
            ));
        }
    };
    if content.len() as u64 != entry.uncompressed_size {
        return Err(format!(
            "`{}` is {} bytes, the central directory says {}",
            entry.name,
            content.len(),
            entry.uncompressed_size
        ));
    }
    let mut crc = Crc::new();
    crc.update(&content);
    if crc.sum() != entry.crc32 {
        return Err(format!(
            "CRC mismatch in `{}`: the central directory says {:08x}, the data has {:08x}",
            entry.name,
            entry.crc32,
            crc.sum()
        ));
    }
    Ok(content)
}

fn failed(wheel: &WheelFilename, reason: String) -> RangeError {
    RangeError::Failed(metadata_error(wheel, reason))
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io::{Cursor, Seek, SeekFrom, Write};
    use std::path::PathBuf;
    use std::rc::Rc;
    use std::sync::Mutex;

    use zip::CompressionMethod;
    use zip::write::{FullFileOptions, SimpleFileOptions};

    use super::*;

    const METADATA: &str = "Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Dist: numpy>=1.26\n\nA description.\n";

    fn wheel() -> WheelFilename {
        WheelFilename::parse("foo_bar-1.0-py3-none-any.whl").unwrap()
    }

    /// A file served from memory, optionally with a run of zeros at `hole.0` of length `hole.1`
    /// that is not stored, so a 200 MB wheel costs a few KB of memory. It records every read.
    struct MemoryReader {
        bytes: Vec<u8>,
        hole: Option<(u64, u64)>,
        reads: Mutex<Vec<Range<u64>>>,
        unsupported: bool,
    }

    impl MemoryReader {
        fn new(bytes: Vec<u8>) -> Self {
            Self {
                bytes,
                hole: None,
                reads: Mutex::new(Vec::new()),
                unsupported: false,
            }
        }

        fn size(&self) -> u64 {
            self.bytes.len() as u64 + self.hole.map_or(0, |(_, len)| len)
        }

        fn byte(&self, position: u64) -> u8 {
            let physical = match self.hole {
                Some((at, _)) if position < at => position,
                Some((at, len)) if position < at + len => return 0,
                Some((_, len)) => position - len,
                None => position,
            };
            self.bytes[usize::try_from(physical).unwrap()]
        }

        fn serve(&self, range: Range<u64>) -> Result<Bytes, RangeError> {
            if self.unsupported {
                return Err(RangeError::Unsupported);
            }
            let end = range.end.min(self.size());
            self.reads.lock().unwrap().push(range.start..end);
            Ok((range.start..end)
                .map(|position| self.byte(position))
                .collect())
        }

        fn reads(&self) -> Vec<Range<u64>> {
            self.reads.lock().unwrap().clone()
        }

        fn bytes_read(&self) -> u64 {
            self.reads()
                .iter()
                .map(|range| range.end - range.start)
                .sum()
        }
    }

    impl RangeReader for MemoryReader {
        async fn read_range(&self, range: Range<u64>) -> Result<Bytes, RangeError> {
            self.serve(range)
        }

        async fn read_suffix(&self, len: u64) -> Result<(Bytes, u64), RangeError> {
            let size = self.size();
            self.serve(size.saturating_sub(len)..size)
                .map(|bytes| (bytes, size))
        }
    }

    /// A zip destination that does not store the bytes written while `hole` is open, so the zip
    /// crate can write a huge stored entry without the test holding it.
    #[derive(Default)]
    struct SparseState {
        bytes: Vec<u8>,
        position: u64,
        hole_open: bool,
        hole: Option<(u64, u64)>,
    }

    #[derive(Clone, Default)]
    struct SparseWriter(Rc<RefCell<SparseState>>);

    impl Write for SparseWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut state = self.0.borrow_mut();
            let len = buf.len() as u64;
            if state.hole_open {
                let position = state.position;
                let hole = state.hole.get_or_insert((position, 0));
                assert_eq!(hole.0 + hole.1, position, "hole writes are contiguous");
                hole.1 += len;
                state.position += len;
                return Ok(buf.len());
            }
            let physical = match state.hole {
                Some((at, _)) if state.position < at => state.position,
                Some((at, hole_len)) => {
                    assert!(state.position >= at + hole_len, "no write inside the hole");
                    state.position - hole_len
                }
                None => state.position,
            };
            let physical = usize::try_from(physical).unwrap();
            if state.bytes.len() < physical + buf.len() {
                state.bytes.resize(physical + buf.len(), 0);
            }
            state.bytes[physical..physical + buf.len()].copy_from_slice(buf);
            state.position += len;
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Seek for SparseWriter {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            let mut state = self.0.borrow_mut();
            let size = state.bytes.len() as u64 + state.hole.map_or(0, |(_, len)| len);
            state.position = match to {
                SeekFrom::Start(position) => position,
                SeekFrom::End(delta) => size.checked_add_signed(delta).unwrap(),
                SeekFrom::Current(delta) => state.position.checked_add_signed(delta).unwrap(),
            };
            Ok(state.position)
        }
    }

    struct Entry {
        name: String,
        content: Vec<u8>,
        options: SimpleFileOptions,
    }

    fn entry(name: &str, content: &[u8], method: CompressionMethod) -> Entry {
        Entry {
            name: name.to_string(),
            content: content.to_vec(),
            options: SimpleFileOptions::default().compression_method(method),
        }
    }

    /// The usual wheel layout: the package, then the dist-info files last.
    fn wheel_entries(method: CompressionMethod) -> Vec<Entry> {
        vec![
            entry(
                "foo_bar/__init__.py",
                b"x = 1\n",
                CompressionMethod::Deflated,
            ),
            entry(
                "foo_bar-1.0.dist-info/METADATA",
                METADATA.as_bytes(),
                method,
            ),
            entry(
                "foo_bar-1.0.dist-info/WHEEL",
                b"Wheel-Version: 1.0\n",
                method,
            ),
            entry("foo_bar-1.0.dist-info/RECORD", b"", method),
        ]
    }

    fn build_zip(entries: &[Entry], comment: &str) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for entry in entries {
            writer
                .start_file(entry.name.as_str(), entry.options)
                .unwrap();
            writer.write_all(&entry.content).unwrap();
        }
        writer.set_comment(comment).unwrap();
        writer.finish().unwrap().into_inner()
    }

    /// A wheel with a stored `padding` entry of `padding_len` zeros (not held in memory) before
    /// or after the dist-info directory, served by a [`MemoryReader`].
    fn huge_wheel(padding_len: u64, large_file: bool, dist_info_first: bool) -> MemoryReader {
        let sink = SparseWriter::default();
        let mut writer = zip::ZipWriter::new(sink.clone());
        let write_entries = |writer: &mut zip::ZipWriter<SparseWriter>| {
            for entry in wheel_entries(CompressionMethod::Deflated) {
                writer
                    .start_file(entry.name.as_str(), entry.options.large_file(large_file))
                    .unwrap();
                writer.write_all(&entry.content).unwrap();
            }
        };
        if dist_info_first {
            write_entries(&mut writer);
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(large_file);
        writer.start_file("foo_bar/weights.bin", options).unwrap();
        sink.0.borrow_mut().hole_open = true;
        let chunk = vec![0; 1 << 20];
        let mut left = padding_len;
        while left > 0 {
            let len = usize::try_from(left.min(chunk.len() as u64)).unwrap();
            writer.write_all(&chunk[..len]).unwrap();
            left -= len as u64;
        }
        sink.0.borrow_mut().hole_open = false;
        if !dist_info_first {
            write_entries(&mut writer);
        }
        writer.finish().unwrap();
        let state = sink.0.take();
        MemoryReader {
            hole: state.hole,
            ..MemoryReader::new(state.bytes)
        }
    }

    fn read(reader: &MemoryReader) -> Result<Vec<u8>, RangeError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(wheel_metadata(reader, &wheel()))
    }

    fn reason(result: Result<Vec<u8>, RangeError>) -> String {
        match result {
            Err(RangeError::Failed(error)) => error.to_string(),
            Err(RangeError::Unsupported) => "unsupported".to_string(),
            Ok(bytes) => format!("unexpected success: {}", String::from_utf8_lossy(&bytes)),
        }
    }

    #[test]
    fn small_wheel_is_read_from_the_tail_in_one_request() {
        for method in [CompressionMethod::Stored, CompressionMethod::Deflated] {
            let reader = MemoryReader::new(build_zip(&wheel_entries(method), ""));
            assert_eq!(read(&reader).unwrap(), METADATA.as_bytes(), "{method:?}");
            assert_eq!(reader.reads().len(), 1, "{method:?}");
        }
    }

    #[test]
    fn deflated_metadata_is_inflated() {
        let long = format!("{METADATA}{}", "A long description line.\n".repeat(5000));
        let mut entries = wheel_entries(CompressionMethod::Deflated);
        entries[1].content = long.clone().into_bytes();
        let reader = MemoryReader::new(build_zip(&entries, ""));
        assert_eq!(read(&reader).unwrap(), long.as_bytes());
    }

    #[test]
    fn zip_comment_with_a_fake_end_record_is_skipped() {
        // The comment holds an end-of-central-directory signature that the scan meets first.
        let comment = format!("PK\u{5}\u{6}{}", "c".repeat(40_000));
        let reader = MemoryReader::new(build_zip(
            &wheel_entries(CompressionMethod::Deflated),
            &comment,
        ));
        assert_eq!(read(&reader).unwrap(), METADATA.as_bytes());
    }

    #[test]
    fn huge_wheel_costs_at_most_two_requests_and_under_one_percent() {
        // Dist-info last (what wheel builders write): the tail holds everything. Dist-info first:
        // one more request for the entry.
        for (dist_info_first, expected_reads) in [(false, 1), (true, 2)] {
            let reader = huge_wheel(200 * 1024 * 1024, false, dist_info_first);
            assert!(reader.size() > 200 * 1024 * 1024);
            assert_eq!(read(&reader).unwrap(), METADATA.as_bytes());
            let reads = reader.reads();
            assert_eq!(reads.len(), expected_reads, "{reads:?}");
            assert!(
                reader.bytes_read() * 100 < reader.size(),
                "read {} of {} bytes",
                reader.bytes_read(),
                reader.size()
            );
            assert!(reader.bytes_read() < SUFFIX_LEN + 4096, "{reads:?}");
        }
    }

    #[test]
    fn zip64_wheel_is_read_through_the_zip64_records() {
        let mut entries = wheel_entries(CompressionMethod::Deflated);
        for entry in &mut entries {
            entry.options = entry.options.large_file(true);
        }
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        // An (empty) extensible data sector forces the ZIP64 end records.
        writer.set_raw_zip64_extensible_data_sector(Box::new([]));
        for entry in &entries {
            writer
                .start_file(entry.name.as_str(), entry.options)
                .unwrap();
            writer.write_all(&entry.content).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        let eocd = find_eocd(&bytes).unwrap();
        assert!(
            zip64_locator(&bytes[..eocd]).is_some(),
            "the archive has ZIP64 records"
        );
        let reader = MemoryReader::new(bytes);
        assert_eq!(read(&reader).unwrap(), METADATA.as_bytes());
    }

    #[test]
    fn huge_zip64_wheel_is_read_with_zip64_entry_fields() {
        // Dist-info first, so the entry's ZIP64 offset is used for a separate request.
        let reader = huge_wheel(200 * 1024 * 1024, true, true);
        // The central directory entry keeps its sizes in the ZIP64 extra field.
        let name = b"foo_bar-1.0.dist-info/METADATA";
        let record = reader
            .bytes
            .windows(CENTRAL_HEADER_LEN + name.len())
            .find(|window| {
                read_u32(window, 0) == Some(CENTRAL_HEADER_SIGNATURE)
                    && &window[CENTRAL_HEADER_LEN..] == name
            })
            .unwrap();
        assert_eq!(read_u32(record, 20), Some(0xFFFF_FFFF), "compressed size");
        assert_eq!(read(&reader).unwrap(), METADATA.as_bytes());
        assert_eq!(reader.reads().len(), 2, "{:?}", reader.reads());
    }

    /// pip's own wheel, bundled with the machine's Python: a real wheel from real tools.
    fn bundled_pip_wheel() -> Option<PathBuf> {
        let output = std::process::Command::new("python3")
            .args([
                "-I",
                "-c",
                "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))",
            ])
            .output()
            .ok()?;
        let bundled = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim()).join("_bundled");
        fs_err::read_dir(bundled)
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| {
                path.extension().is_some_and(|extension| extension == "whl")
                    && path
                        .file_name()
                        .and_then(|name| name.to_str())
                        .is_some_and(|name| name.starts_with("pip-"))
            })
    }

    #[test]
    fn real_wheel_matches_the_zip_crate_and_reads_a_few_kilobytes() {
        let Some(path) = bundled_pip_wheel() else {
            strata_testindex::tool_missing("no bundled pip wheel in the machine's Python");
            return;
        };
        let filename = path.file_name().unwrap().to_str().unwrap();
        let wheel = WheelFilename::parse(filename).unwrap();
        let reader = MemoryReader::new(fs_err::read(&path).unwrap());
        let metadata = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(wheel_metadata(&reader, &wheel))
            .unwrap();
        assert_eq!(metadata, wheel_metadata_from_file(&path, &wheel).unwrap());
        assert!(metadata.starts_with(b"Metadata-Version: "));
        println!(
            "{filename}: {} requests, {} of {} bytes",
            reader.reads().len(),
            reader.bytes_read(),
            reader.size()
        );
        assert!(reader.reads().len() <= 3, "{:?}", reader.reads());
        assert!(reader.bytes_read() * 10 < reader.size());
    }

    #[test]
    fn central_directory_beyond_the_tail_costs_one_more_request() {
        let mut entries: Vec<Entry> = (0..1500)
            .map(|index| {
                entry(
                    &format!("foo_bar/a_module_with_a_rather_long_name_number_{index}.py"),
                    b"",
                    CompressionMethod::Stored,
                )
            })
            .collect();
        entries.extend(wheel_entries(CompressionMethod::Deflated));
        let reader = MemoryReader::new(build_zip(&entries, ""));
        assert_eq!(read(&reader).unwrap(), METADATA.as_bytes());
        let reads = reader.reads();
        assert_eq!(reads.len(), 3, "{reads:?}");
        assert!(reads[0].end - reads[0].start == SUFFIX_LEN, "{reads:?}");
        // Only the part of the central directory before the tail is fetched again.
        assert_eq!(reads[1].end, reads[0].start, "{reads:?}");
    }

    #[test]
    fn local_header_longer_than_the_slack_is_read_again() {
        let mut options = FullFileOptions::default().compression_method(CompressionMethod::Stored);
        options
            .add_extra_field(0x7A7A, vec![7; 3000], false)
            .unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("foo_bar-1.0.dist-info/METADATA", options)
            .unwrap();
        writer.write_all(METADATA.as_bytes()).unwrap();
        let reader = MemoryReader::new(writer.finish().unwrap().into_inner());
        let (tail, size) = (reader.bytes.clone().into(), reader.size());
        let tail = Tail {
            bytes: tail,
            start: 1 << 40,
        };
        let directory = parse_eocd(&reader.bytes[find_eocd(&reader.bytes).unwrap()..]).unwrap();
        let start = usize::try_from(directory.offset).unwrap();
        let mut entries = parse_central_directory(&reader.bytes[start..], 1).unwrap();
        // Pretend the central directory did not have the extra field the local header has.
        entries[0].central_name_and_extra_len = 0;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let data = runtime
            .block_on(read_entry_data(&reader, &tail, &entries[0], size, &wheel()))
            .unwrap();
        assert_eq!(inflate(&entries[0], &data).unwrap(), METADATA.as_bytes());
        assert_eq!(reader.reads().len(), 2, "{:?}", reader.reads());
    }

    #[test]
    fn corrupt_data_fails_the_crc_check() {
        let mut bytes = build_zip(&wheel_entries(CompressionMethod::Stored), "");
        let at = bytes
            .windows(5)
            .position(|window| window == b"numpy")
            .unwrap();
        bytes[at] = b'N';
        let reason = reason(read(&MemoryReader::new(bytes)));
        assert!(
            reason.contains("CRC mismatch in `foo_bar-1.0.dist-info/METADATA`"),
            "{reason}"
        );
    }

    #[test]
    fn wheel_without_metadata_is_reported() {
        let entries = vec![entry("foo_bar/__init__.py", b"", CompressionMethod::Stored)];
        insta::assert_snapshot!(
            reason(read(&MemoryReader::new(build_zip(&entries, "")))),
            @"Failed to get metadata of `foo_bar-1.0-py3-none-any.whl`: no `*.dist-info/METADATA` entry for `foo-bar` at the top level of the wheel"
        );
    }

    #[test]
    fn file_that_is_not_a_zip_is_reported() {
        insta::assert_snapshot!(
            reason(read(&MemoryReader::new(b"<html>Not found</html>".repeat(10)))),
            @"Failed to get metadata of `foo_bar-1.0-py3-none-any.whl`: not a zip: no end-of-central-directory record"
        );
    }

    #[test]
    fn server_without_ranges_is_reported_as_unsupported() {
        let reader = MemoryReader {
            unsupported: true,
            ..MemoryReader::new(build_zip(&wheel_entries(CompressionMethod::Stored), ""))
        };
        assert!(matches!(read(&reader), Err(RangeError::Unsupported)));
    }

    #[test]
    fn dist_info_directory_spellings_are_matched_like_pip() {
        let cases = [
            ("foo_bar-1.0.dist-info/METADATA", Some(0)),
            ("Foo.Bar-1.0.dist-info/METADATA", Some(0)),
            ("foo-bar-1.0.dist-info/METADATA", Some(0)),
            ("FOO__BAR-1.0.post1.dist-info/METADATA", Some(0)),
            ("foo_barbaz-1.0.dist-info/METADATA", None),
            ("vendored/foo_bar-1.0.dist-info/METADATA", None),
            ("foo_bar-1.0.dist-info/METADATA.bak", None),
            ("foo_bar-1.0.data/METADATA", None),
        ];
        for (name, expected) in cases {
            assert_eq!(
                find_metadata_entry([name].into_iter(), &wheel()).ok(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn two_matching_dist_info_directories_are_an_error() {
        let names = [
            "foo_bar-1.0.dist-info/METADATA",
            "Foo.Bar-2.0.dist-info/METADATA",
        ];
        insta::assert_snapshot!(
            find_metadata_entry(names.into_iter(), &wheel()).unwrap_err(),
            @"more than one `*.dist-info/METADATA` entry for `foo-bar`: `foo_bar-1.0.dist-info/METADATA` and `Foo.Bar-2.0.dist-info/METADATA`"
        );
    }

    #[test]
    fn wheel_on_disk_is_read_with_the_zip_crate() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("foo_bar-1.0-py3-none-any.whl");
        fs_err::File::create(&path)
            .unwrap()
            .write_all(&build_zip(&wheel_entries(CompressionMethod::Deflated), ""))
            .unwrap();
        assert_eq!(
            wheel_metadata_from_file(&path, &wheel()).unwrap(),
            METADATA.as_bytes()
        );

        let entries = vec![entry("foo_bar/__init__.py", b"", CompressionMethod::Stored)];
        fs_err::File::create(&path)
            .unwrap()
            .write_all(&build_zip(&entries, ""))
            .unwrap();
        insta::assert_snapshot!(
            wheel_metadata_from_file(&path, &wheel()).unwrap_err(),
            @"Failed to get metadata of `foo_bar-1.0-py3-none-any.whl`: no `*.dist-info/METADATA` entry for `foo-bar` at the top level of the wheel"
        );
    }
    fn names(reader: &MemoryReader) -> Result<Vec<String>, RangeError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(wheel_entry_names(reader, &wheel()))
    }

    /// The entry names as the zip crate lists them.
    fn zip_crate_names(bytes: &[u8]) -> Vec<String> {
        zip::ZipArchive::new(Cursor::new(bytes))
            .unwrap()
            .file_names_raw()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect()
    }

    #[test]
    fn entry_names_of_a_small_wheel_come_from_the_tail_alone() {
        let bytes = build_zip(&wheel_entries(CompressionMethod::Deflated), "");
        let reader = MemoryReader::new(bytes.clone());
        assert_eq!(names(&reader).unwrap(), zip_crate_names(&bytes));
        assert_eq!(
            names(&reader).unwrap(),
            [
                "foo_bar/__init__.py",
                "foo_bar-1.0.dist-info/METADATA",
                "foo_bar-1.0.dist-info/WHEEL",
                "foo_bar-1.0.dist-info/RECORD",
            ]
        );
        assert_eq!(reader.reads().len(), 2, "one read per call");
    }

    #[test]
    fn entry_names_of_a_huge_wheel_read_no_entry_data() {
        // Dist-info first: the metadata needs a second request for the entry, the names do not.
        for large_file in [false, true] {
            let reader = huge_wheel(200 * 1024 * 1024, large_file, true);
            let names = names(&reader).unwrap();
            assert!(
                names.contains(&"foo_bar/weights.bin".to_string()),
                "{names:?}"
            );
            assert_eq!(names.len(), 5, "{names:?}");
            let reads = reader.reads();
            assert_eq!(reads.len(), 1, "{reads:?}");
            assert_eq!(reads[0].end, reader.size(), "only the tail: {reads:?}");
        }
    }

    #[test]
    fn entry_names_beyond_the_tail_cost_one_more_request() {
        let mut entries: Vec<Entry> = (0..1500)
            .map(|index| {
                entry(
                    &format!("foo_bar/a_module_with_a_rather_long_name_number_{index}.py"),
                    b"",
                    CompressionMethod::Stored,
                )
            })
            .collect();
        entries.extend(wheel_entries(CompressionMethod::Deflated));
        let bytes = build_zip(&entries, "");
        let reader = MemoryReader::new(bytes.clone());
        assert_eq!(names(&reader).unwrap(), zip_crate_names(&bytes));
        let reads = reader.reads();
        assert_eq!(reads.len(), 2, "{reads:?}");
        assert_eq!(reads[1].end, reads[0].start, "{reads:?}");
    }

    #[test]
    fn entry_names_errors_name_import_names_not_metadata() {
        let result = names(&MemoryReader::new(b"<html>Not found</html>".repeat(10)));
        let Err(RangeError::Failed(error)) = result else {
            panic!("expected a failure: {result:?}");
        };
        insta::assert_snapshot!(
            error,
            @"Failed to get the import names of `foo_bar-1.0-py3-none-any.whl`: not a zip: no end-of-central-directory record"
        );
        let reader = MemoryReader {
            unsupported: true,
            ..MemoryReader::new(build_zip(&wheel_entries(CompressionMethod::Stored), ""))
        };
        assert!(matches!(names(&reader), Err(RangeError::Unsupported)));
    }

    #[test]
    fn entry_names_on_disk_match_the_ranged_read() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("foo_bar-1.0-py3-none-any.whl");
        let bytes = build_zip(&wheel_entries(CompressionMethod::Deflated), "");
        fs_err::File::create(&path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        assert_eq!(
            wheel_entry_names_from_file(&path, &wheel()).unwrap(),
            names(&MemoryReader::new(bytes)).unwrap()
        );
        fs_err::File::create(&path)
            .unwrap()
            .write_all(b"not a zip")
            .unwrap();
        let error = wheel_entry_names_from_file(&path, &wheel()).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::ImportNames { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_central_directory_too_large_to_hold_is_refused_before_it_is_read() {
        // A 200 MiB run of zeros, then an EOCD that calls it the central directory: what a
        // damaged or hostile zip can claim, and what would otherwise be read into memory.
        let claimed: u64 = 200 * 1024 * 1024;
        let mut eocd = Vec::new();
        eocd.extend_from_slice(&EOCD_SIGNATURE.to_le_bytes());
        eocd.extend_from_slice(&[0; 4]);
        eocd.extend_from_slice(&1u16.to_le_bytes());
        eocd.extend_from_slice(&1u16.to_le_bytes());
        eocd.extend_from_slice(&u32::try_from(claimed).unwrap().to_le_bytes());
        eocd.extend_from_slice(&0u32.to_le_bytes());
        eocd.extend_from_slice(&0u16.to_le_bytes());
        let reader = MemoryReader {
            hole: Some((0, claimed)),
            ..MemoryReader::new(eocd)
        };
        let reason = reason(read(&reader));
        assert!(
            reason.contains("its zip records ask for bytes 0..")
                && reason.contains("more than the 64 MiB strata reads from a wheel"),
            "{reason}"
        );
        assert_eq!(
            reader.bytes_read(),
            SUFFIX_LEN,
            "only the tail was read: {:?}",
            reader.reads()
        );
    }
}
