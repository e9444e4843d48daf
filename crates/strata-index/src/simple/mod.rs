//! The simple repository API: a project's page lists its distribution files.
//!
//! Two formats carry the same data: PEP 691 JSON, asked for first through `Accept`, and PEP 503
//! HTML, which every index serves. Both are read into [`RawFile`]s (what the page said, kept
//! verbatim so the cache can store it), then into [`DistFile`]s (parsed filename, absolute URL,
//! parsed `requires-python`), skipping files that are neither wheels nor source archives.
//!
//! See: <https://peps.python.org/pep-0503/>, <https://peps.python.org/pep-0691/>,
//! PEP 592 (yanked), PEP 658/714 (`core-metadata`, formerly `data-dist-info-metadata`).

mod html;
mod json;

use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use serde::{Deserialize, Serialize};
use strata_dist::DistFilename;
use url::Url;

pub(crate) use html::parse_html;
pub(crate) use json::parse_json;

/// The media type of PEP 691 JSON pages.
pub(crate) const JSON_MEDIA_TYPE: &str = "application/vnd.pypi.simple.v1+json";
/// `Accept` header: JSON preferred, HTML accepted.
pub(crate) const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// One file as a page lists it, verbatim; the form stored in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawFile {
    /// The filename.
    pub filename: String,
    /// The URL as written (possibly relative, possibly with a `#sha256=` fragment).
    pub url: String,
    /// The sha256 hash, lowercase hex, if the page gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// `requires-python`, unescaped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_python: Option<String>,
    /// `Some(reason)` when yanked (an empty reason when none is given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yanked: Option<String>,
    /// PEP 658 metadata: `None` when not advertised, `Some(hash)` when it is (the hash may be
    /// absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core_metadata: Option<Option<String>>,
    /// Size in bytes, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Upload time (ISO 8601), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<String>,
}

/// Whether the file `filename` may fit one of `targets` (every file does when `targets` is
/// empty): false only for a wheel whose tags, read from its name alone, fit none of them. Most
/// files of a page are wheels for other platforms or Pythons, and this says so without parsing
/// the name and version; [`to_dist_files`] parses the rest and decides.
pub(crate) fn may_fit_targets(filename: &str, targets: &[strata_dist::Target]) -> bool {
    targets.is_empty()
        || targets
            .iter()
            .any(|target| target.fits_wheel_name(filename) != Some(false))
}

/// The version of [`may_fit_targets`]'s rules (with the tag rules of `strata_dist` it uses),
/// part of [`thinning_key`]: raise it when they change, so that pages thinned by the old rules
/// are thinned again.
const THINNING_RULES: u32 = 1;

/// A short key naming the judgement of [`may_fit_targets`] for `targets`: the name of the
/// cache's thinned copies of pages made for them.
pub(crate) fn thinning_key(targets: &[strata_dist::Target]) -> String {
    let mut text = format!(
        "rules {THINNING_RULES}, strata {}",
        env!("CARGO_PKG_VERSION")
    );
    for target in targets {
        text.push('\n');
        text.push_str(&target.to_string());
    }
    crate::http_cache::store::short_hash(&text)
}

/// A file's absolute URL, resolved against its page's URL the first time it is asked for.
///
/// A listing holds every file of every version that fits the run's targets (12,700 files for
/// the vllm set), and a resolution reads the URLs of a few hundred of them: parsing each when
/// the page was read was a tenth of an offline compile of that set. A URL that could not be
/// resolved is found when the page is read, as before (see `FileUrl::relative`).
#[derive(Clone)]
pub struct FileUrl {
    resolved: std::sync::OnceLock<Url>,
    /// The page's URL and the URL as the page wrote it, until resolved.
    unresolved: Option<(std::sync::Arc<Url>, Box<str>)>,
}

impl FileUrl {
    /// `written` as resolved against `base` (a page's URL), without its fragment; `None` when
    /// it cannot be. Resolved now unless it is sure to resolve later: a path relative to a
    /// hierarchical base, or an absolute URL whose `scheme://authority/` one of `checked`
    /// (this page's earlier answers, by that prefix) found to parse. Past the authority, a URL
    /// parser does not fail: what it finds there it percent-encodes.
    fn relative(
        base: &std::sync::Arc<Url>,
        written: String,
        checked: &mut std::collections::HashMap<String, bool>,
    ) -> Option<Self> {
        let lazy = |written: String| {
            Some(Self {
                resolved: std::sync::OnceLock::new(),
                unresolved: Some((std::sync::Arc::clone(base), written.into_boxed_str())),
            })
        };
        if let Some(rest) = written
            .strip_prefix("https://")
            .or_else(|| written.strip_prefix("http://"))
        {
            // Only an authority followed by a path: `?`, `#` or `\\` right after it is left to
            // the parser.
            if let Some(end) = rest.find(['/', '?', '#', '\\'])
                && rest[end..].starts_with('/')
            {
                let prefix = &written[..=written.len() - rest.len() + end];
                let parses = if let Some(parses) = checked.get(prefix) {
                    *parses
                } else {
                    let parses = Url::parse(prefix).is_ok();
                    checked.insert(prefix.to_string(), parses);
                    parses
                };
                if parses {
                    return lazy(written);
                }
            }
        } else {
            let first_segment = &written[..written.find(['/', '?', '#']).unwrap_or(written.len())];
            if !base.cannot_be_a_base()
                && !written.starts_with("//")
                && !written.starts_with('\\')
                && !first_segment.contains([':', '\\'])
            {
                return lazy(written);
            }
        }
        let mut url = base.join(&written).ok()?;
        url.set_fragment(None);
        Some(Self::from(url))
    }

    /// The URL.
    pub fn get(&self) -> &Url {
        self.resolved.get_or_init(|| {
            let (base, written) = self
                .unresolved
                .as_ref()
                .expect("a file URL is either resolved or has what resolves it");
            let mut url = base
                .join(written)
                .expect("checked to resolve when the page was read");
            url.set_fragment(None);
            url
        })
    }
}

impl From<Url> for FileUrl {
    fn from(url: Url) -> Self {
        Self {
            resolved: std::sync::OnceLock::from(url),
            unresolved: None,
        }
    }
}

impl std::ops::Deref for FileUrl {
    type Target = Url;

    fn deref(&self) -> &Url {
        self.get()
    }
}

impl std::fmt::Debug for FileUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.get(), f)
    }
}

impl std::fmt::Display for FileUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.get(), f)
    }
}

/// A distribution file of a project, ready for a resolver.
#[derive(Debug, Clone)]
pub struct DistFile {
    /// The parsed filename.
    pub filename: DistFilename,
    /// The absolute URL (with credentials when the index has them; redact before showing).
    pub url: FileUrl,
    /// The sha256 hash, lowercase hex.
    pub sha256: Option<String>,
    /// `requires-python`; `None` when absent or unparseable (treated as "any").
    pub requires_python: Option<VersionSpecifiers>,
    /// Yank reason, if yanked.
    pub yanked: Option<String>,
    /// PEP 658 metadata advertisement (see [`RawFile::core_metadata`]).
    pub core_metadata: Option<Option<String>>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Upload time.
    pub upload_time: Option<String>,
    /// The index whose page listed the file; `None` for a `find-links` file or a direct URL.
    /// What is read from the file (its metadata, its import names) is cached for this index
    /// only: the hash that keys it is this index's claim, which another index cannot make for
    /// it.
    pub index: Option<crate::IndexUrl>,
}

impl DistFile {
    /// The file a direct URL requirement names (`name @ https://.../name-1.0-py3-none-any.whl`,
    /// optionally with a `#sha256=` fragment, which becomes the hash and leaves the URL).
    ///
    /// `Err` says why the URL is not usable: it must end in a wheel or sdist filename of
    /// `package`.
    pub fn from_direct_url(package: &PackageName, url: &Url) -> Result<Self, String> {
        let filename = url
            .path_segments()
            .and_then(Iterator::last)
            .unwrap_or_default()
            .to_string();
        let parsed = DistFilename::parse_for_package(&filename, package)
            .ok()
            .flatten()
            .ok_or_else(|| {
                "the URL must end in a wheel or sdist filename of this package".to_string()
            })?;
        let sha256 = url
            .fragment()
            .and_then(|fragment| fragment.strip_prefix("sha256="))
            .map(str::to_ascii_lowercase);
        let mut clean = url.clone();
        clean.set_fragment(None);
        Ok(Self {
            filename: parsed,
            url: FileUrl::from(clean),
            sha256,
            requires_python: None,
            yanked: None,
            core_metadata: None,
            size: None,
            upload_time: None,
            index: None,
        })
    }

    /// The filename as the index wrote it.
    pub fn name(&self) -> String {
        match &self.filename {
            DistFilename::Wheel(wheel) => wheel.to_string(),
            DistFilename::SourceDist(sdist) => sdist.to_string(),
        }
    }
}

/// Turns raw files into distribution files for `package` listed by `index`, resolving URLs
/// against `base`, and keeping only the wheels that fit one of `targets` (all wheels when it is
/// empty).
///
/// Files that are neither wheels nor sdists, or whose names are malformed or belong to another
/// package, are skipped: real indexes carry `.exe`, `.egg` and misnamed uploads, and one bad
/// file must not hide the rest of a project.
pub(crate) fn to_dist_files(
    raw: Vec<RawFile>,
    index: &crate::IndexUrl,
    base: &Url,
    package: &PackageName,
    targets: &[strata_dist::Target],
) -> Vec<DistFile> {
    // Distinct `requires-python` strings are few per page; parse each once.
    let mut specifiers: std::collections::HashMap<String, Option<VersionSpecifiers>> =
        std::collections::HashMap::new();
    let mut authorities = std::collections::HashMap::new();
    let base = std::sync::Arc::new(base.clone());
    // The page's strings move into the files: copying them was 7% of an offline compile of
    // the vllm set.
    raw.into_iter()
        .filter_map(|file| {
            if !may_fit_targets(&file.filename, targets) {
                return None;
            }
            let filename = DistFilename::parse_for_package(&file.filename, package).ok()??;
            if let DistFilename::Wheel(wheel) = &filename
                && !targets.is_empty()
                && !targets.iter().any(|target| target.is_compatible(wheel))
            {
                return None;
            }
            let url = FileUrl::relative(&base, file.url, &mut authorities)?;
            let requires_python = file.requires_python.and_then(|text| {
                if let Some(parsed) = specifiers.get(&text) {
                    return parsed.clone();
                }
                let parsed = VersionSpecifiers::from_str(&text).ok();
                specifiers.insert(text, parsed.clone());
                parsed
            });
            Some(DistFile {
                filename,
                url,
                sha256: file.sha256,
                requires_python,
                yanked: file.yanked,
                core_metadata: file.core_metadata,
                size: file.size,
                upload_time: file.upload_time,
                index: Some(index.clone()),
            })
        })
        .collect()
}

/// Extracts a `sha256=` hash from a URL fragment, as PEP 503 pages carry it.
pub(crate) fn fragment_sha256(url: &str) -> Option<String> {
    let (_, fragment) = url.split_once('#')?;
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix("sha256="))
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// What `FileUrl::relative` makes of `written` on `base`: the URL, and whether it was left
    /// to be resolved when asked for.
    fn resolve(base: &str, written: &str) -> Option<(String, bool)> {
        let base = std::sync::Arc::new(Url::parse(base).unwrap());
        let url = FileUrl::relative(&base, written.to_string(), &mut HashMap::new())?;
        let lazy = url.resolved.get().is_none();
        Some((url.get().to_string(), lazy))
    }

    #[test]
    fn file_urls_resolve_as_an_eager_join_would_and_bad_ones_are_found_at_once() {
        let base = "https://user:pw@index.invalid/simple/demo/";
        let cases = [
            // Relative paths and absolute URLs with a plain authority: resolved when asked.
            ("../../files/demo-1.0.tar.gz#sha256=ab", true),
            ("/files/demo-1.0.tar.gz", true),
            (
                "https://files.invalid/p/demo-1.0-py3-none-any.whl#sha256=ab",
                true,
            ),
            ("http://files.invalid:8080/p/demo%201.whl?x=1", true),
            // Anything else is resolved at once.
            ("//files.invalid/p/demo.whl", false),
            ("HTTPS://files.invalid/p/demo.whl", false),
            ("file:///tmp/demo.whl", false),
            ("https://files.invalid?x/demo.whl", false),
        ];
        for (written, lazy) in cases {
            let mut eager = Url::parse(base).unwrap().join(written).unwrap();
            eager.set_fragment(None);
            assert_eq!(
                resolve(base, written),
                Some((eager.to_string(), lazy)),
                "{written}"
            );
        }
        // URLs that cannot be resolved are dropped when the page is read, not when used.
        for written in [
            "https://files.invalid:99999/p/demo.whl",
            "https://[::1/p/demo.whl",
            "http://a b/p/demo.whl",
        ] {
            assert_eq!(resolve(base, written), None, "{written}");
        }
    }
}
