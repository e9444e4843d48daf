//! PEP 691 JSON project pages.

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::{RawFile, fragment_sha256};

#[derive(Deserialize)]
struct Page {
    files: Files,
}

/// A page's files, each made a [`RawFile`] as soon as it is read: a page lists up to tens of
/// thousands of files, and holding them all as read (with a map of hashes each) beside their
/// converted copies was a share of a cold run's peak memory, up to 50 pages being read at once.
struct Files(Vec<RawFile>);

impl<'de> Deserialize<'de> for Files {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Files;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Files, A::Error> {
                let mut files = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(file) = seq.next_element::<File>()? {
                    files.push(file.into_raw());
                }
                Ok(Files(files))
            }
        }
        deserializer.deserialize_seq(Each)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::HashMap<String, String>,
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Yanked,
    core_metadata: Option<MetadataFlag>,
    data_dist_info_metadata: Option<MetadataFlag>,
    size: Option<u64>,
    upload_time: Option<String>,
}

/// `yanked` is `false`, `true` or a reason string (PEP 592 / PEP 691).
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Yanked {
    #[default]
    Missing,
    Flag(bool),
    Reason(String),
}

/// `core-metadata` is a bool or a hash map (PEP 658 / PEP 714).
#[derive(Deserialize)]
#[serde(untagged)]
enum MetadataFlag {
    Flag(bool),
    Hashes(std::collections::HashMap<String, String>),
}

/// Parses a PEP 691 page. Errors carry serde's message; the caller adds the URL.
pub(crate) fn parse_json(body: &[u8]) -> Result<Vec<RawFile>, String> {
    let page: Page = serde_json::from_slice(body).map_err(|error| error.to_string())?;
    Ok(page.files.0)
}

impl File {
    fn into_raw(self) -> RawFile {
        let file = self;
        let sha256 = file
            .hashes
            .get("sha256")
            .map(|hash| hash.to_ascii_lowercase())
            .or_else(|| fragment_sha256(&file.url));
        // PEP 714 renamed the key; prefer the new one and fall back to the old.
        let core_metadata = match file.core_metadata.or(file.data_dist_info_metadata) {
            None | Some(MetadataFlag::Flag(false)) => None,
            Some(MetadataFlag::Flag(true)) => Some(None),
            Some(MetadataFlag::Hashes(hashes)) => Some(hashes.get("sha256").cloned()),
        };
        RawFile {
            filename: file.filename,
            url: file.url,
            sha256,
            requires_python: file.requires_python.filter(|text| !text.trim().is_empty()),
            yanked: match file.yanked {
                Yanked::Missing | Yanked::Flag(false) => None,
                Yanked::Flag(true) => Some(String::new()),
                Yanked::Reason(reason) => Some(reason),
            },
            core_metadata,
            size: file.size,
            upload_time: file.upload_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hashes_yanks_and_metadata_flags() {
        let body = br#"{"meta":{"api-version":"1.1"},"name":"numpy","files":[
          {"filename":"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl","url":"../../files/a.whl",
           "hashes":{"sha256":"ABC"},"requires-python":">=3.9","yanked":false,
           "core-metadata":{"sha256":"def"},"size":10},
          {"filename":"numpy-1.26.3.tar.gz","url":"b.tar.gz#sha256=fff","hashes":{},
           "yanked":"broken build","data-dist-info-metadata":true},
          {"filename":"numpy-1.26.2.tar.gz","url":"c.tar.gz","hashes":{},"yanked":true}
        ]}"#;
        let files = parse_json(body).unwrap();
        assert_eq!(files[0].sha256.as_deref(), Some("abc"));
        assert_eq!(files[0].core_metadata, Some(Some("def".to_string())));
        assert_eq!(files[0].yanked, None);
        assert_eq!(files[1].sha256.as_deref(), Some("fff"));
        assert_eq!(files[1].yanked.as_deref(), Some("broken build"));
        assert_eq!(files[1].core_metadata, Some(None));
        assert_eq!(files[2].yanked.as_deref(), Some(""));
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(parse_json(b"{\"files\": [").is_err());
    }
}
