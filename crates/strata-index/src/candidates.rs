//! A project's files grouped by version, judged for one target.
//!
//! For each version this says what pip would do on the target: which wheel it would install
//! (the compatible one with the best tag priority), whether an sdist exists to fall back on,
//! whether the version is yanked (every file yanked, PEP 592) or excluded by `requires-python`.
//! The resolver builds its candidate list from this; `strata index versions` prints it.

use std::collections::BTreeMap;

use pep440_rs::Version;
use strata_dist::{DistFilename, TagPriority, Target};

use crate::client::ProjectListing;
use crate::simple::DistFile;

/// One version of a project as seen from a target.
#[derive(Debug, Clone)]
pub struct VersionCandidate<'a> {
    /// The version.
    pub version: Version,
    /// The compatible wheel pip would pick, if any.
    pub best_wheel: Option<&'a DistFile>,
    /// A source distribution, if any (first listed).
    pub sdist: Option<&'a DistFile>,
    /// Every file of the version, in page order.
    pub files: Vec<&'a DistFile>,
    /// Every file is yanked.
    pub yanked: bool,
    /// Every usable file's `requires-python` excludes the target.
    pub excluded_by_requires_python: bool,
}

impl VersionCandidate<'_> {
    /// The file to read metadata from and install: the best wheel, else the sdist.
    pub fn preferred_file(&self) -> Option<&DistFile> {
        self.best_wheel.or(self.sdist)
    }

    /// Whether the version can be installed on the target at all.
    pub fn is_installable(&self) -> bool {
        self.preferred_file().is_some() && !self.excluded_by_requires_python
    }
}

impl ProjectListing {
    /// The versions, newest first, judged for `target`.
    pub fn versions(&self, target: &Target) -> Vec<VersionCandidate<'_>> {
        self.versions_newest_first(target).collect()
    }

    /// [`ProjectListing::versions`], each version judged only when the iterator reaches it: a
    /// caller after the newest version that fits (a prefetch) judges a few, not hundreds.
    pub fn versions_newest_first<'a>(
        &'a self,
        target: &Target,
    ) -> impl Iterator<Item = VersionCandidate<'a>> {
        let mut by_version: BTreeMap<Version, Vec<&DistFile>> = BTreeMap::new();
        for file in &self.files {
            let version = match &file.filename {
                DistFilename::Wheel(wheel) => wheel.version(),
                DistFilename::SourceDist(sdist) => sdist.version(),
            };
            by_version.entry(version.clone()).or_default().push(file);
        }
        by_version.into_iter().rev().map(|(version, files)| {
            // One pass, each file's tags and `requires-python` judged once: they were
            // judged up to three times each, a tenth of an offline compile of the vllm set.
            let mut best_wheel: Option<(TagPriority, &DistFile)> = None;
            let mut sdist: Option<(&DistFile, bool)> = None;
            let (mut usable, mut usable_allowed) = (false, false);
            for file in &files {
                let allowed = file
                    .requires_python
                    .as_ref()
                    .is_none_or(|specifiers| target.allows_requires_python(specifiers));
                match &file.filename {
                    DistFilename::Wheel(wheel) => {
                        let Some(priority) = target.tag_priority(wheel) else {
                            continue;
                        };
                        // On a tie, the file listed last, as `max_by_key` chose.
                        if allowed && best_wheel.is_none_or(|(best, _)| priority >= best) {
                            best_wheel = Some((priority, file));
                        }
                    }
                    DistFilename::SourceDist(_) => {
                        if sdist.is_none() {
                            sdist = Some((file, allowed));
                        }
                    }
                }
                usable = true;
                usable_allowed |= allowed;
            }
            VersionCandidate {
                excluded_by_requires_python: usable && !usable_allowed,
                yanked: files.iter().all(|file| file.yanked.is_some()),
                best_wheel: best_wheel.map(|(_, file)| file),
                sdist: sdist.and_then(|(file, allowed)| allowed.then_some(file)),
                files,
                version,
            }
        })
    }
}
