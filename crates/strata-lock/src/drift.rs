//! Drift: a lock that was right when it was written, measured against its index as it is now.
//!
//! A lock pins versions and the sha256 of their files. The fingerprint in its header proves
//! that it was resolved from today's inputs (`lock --check`), and says nothing of the index,
//! which moves on its own: a release gets yanked (PEP 592), a file is deleted or replaced by
//! other bytes under the same name (its hash changes, and `pip install --require-hashes`
//! refuses it), a release or the whole project disappears. The lock then no longer installs,
//! or installs what its authors were told not to use, while every input is as it was. This
//! module says which pins of a lock the index no longer backs ([`compare`], pure, tested
//! without a server) after reading each pinned project's page once ([`lock_drift`]).
//!
//! What counts, pin by pin (`name==version` with hashes):
//!
//! * the project is on none of the lock's indexes any more ([`DriftKind::ProjectGone`]);
//! * the version is no longer listed ([`DriftKind::VersionGone`]); nothing else is said of it;
//! * the version is yanked ([`DriftKind::Yanked`]): every file of it that carries one of the
//!   lock's hashes is yanked (or, when none does, every file of the version);
//! * a hash of the lock that no file of the version has any more ([`DriftKind::HashesGone`]):
//!   that file was deleted, or replaced by other bytes. A file the index lists without a hash
//!   is not downloaded to be hashed, so while the version has one, its missing hashes are not
//!   reported (the unlisted hash may be that file's).
//!
//! New files of a pinned version, and new versions, are not drift: the lock still installs
//! exactly what it did. A direct URL pin (`name @ url`) is not an index pin: its file is where
//! the URL says, checked by pip against the lock's hash at install time, and it is skipped
//! here ([`LockDrift::skipped`]). The packages an upstream image provides are listed in the
//! lock's header, not pinned, and are not the index's either.
//!
//! Pages must be read fresh for this to mean anything: a page cached by the run that wrote the
//! lock still shows the index as it was. The caller builds its client with
//! `Refresh::All`, which revalidates every page (a `304` costs a few hundred bytes).

use futures::StreamExt;
use pep440_rs::Version;
use pep508_rs::PackageName;
use strata_dist::DistFilename;
use strata_index::{DistFile, ErrorKind, IndexClient};
use strata_lockfile::{Lock, LockedPackage};

/// One pin the index no longer backs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The pinned distribution.
    pub package: PackageName,
    /// Its pinned version.
    pub version: Version,
    /// The line of the lock the pin is on, when the lock was read from a file.
    pub line: Option<usize>,
    /// What changed.
    pub kind: DriftKind,
}

/// What changed on the index since a pin was locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftKind {
    /// No index of the lock has the project any more.
    ProjectGone,
    /// The project no longer lists the pinned version.
    VersionGone,
    /// The pinned version is yanked (PEP 592).
    Yanked {
        /// The reason the index gives, if any.
        reason: Option<String>,
    },
    /// Hashes of the lock that no file of the pinned version has any more (lowercase hex).
    HashesGone {
        /// The hashes, in the lock's order.
        hashes: Vec<String>,
    },
}

impl DriftKind {
    /// A stable name for machine-readable output: `project-gone`, `version-gone`, `yanked`,
    /// `hashes-gone`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProjectGone => "project-gone",
            Self::VersionGone => "version-gone",
            Self::Yanked { .. } => "yanked",
            Self::HashesGone { .. } => "hashes-gone",
        }
    }
}

impl std::fmt::Display for Drift {
    /// What changed, in a phrase that follows "`locks/base.txt:12`: ".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            package, version, ..
        } = self;
        match &self.kind {
            DriftKind::ProjectGone => write!(
                f,
                "`{package}=={version}`: the index no longer has `{package}` at all"
            ),
            DriftKind::VersionGone => write!(
                f,
                "`{package}=={version}`: the index no longer lists version {version}"
            ),
            DriftKind::Yanked { reason: None } => {
                write!(f, "`{package}=={version}` was yanked")
            }
            DriftKind::Yanked {
                reason: Some(reason),
            } => write!(f, "`{package}=={version}` was yanked: \"{reason}\""),
            DriftKind::HashesGone { hashes } => {
                let (count, noun) = match hashes.len() {
                    1 => (String::new(), "hash"),
                    count => (format!("{count} "), "hashes"),
                };
                write!(
                    f,
                    "`{package}=={version}`: no file of it on the index has the lock's {count}{noun} {} any more (a file was deleted, or replaced by other bytes)",
                    hashes
                        .iter()
                        .map(|hash| format!("sha256:{hash}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    }
}

/// What the index says now of the pins of one lock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockDrift {
    /// The pins it no longer backs, in lock order (a pin may have more than one finding: yanked
    /// and a file replaced).
    pub drift: Vec<Drift>,
    /// Index pins compared.
    pub checked: usize,
    /// Pins that are not the index's (direct URLs), by name.
    pub skipped: Vec<PackageName>,
}

/// Compares one pin with the files the index lists now for its project (`None`: no index has
/// the project).
pub fn compare(package: &LockedPackage, listed: Option<&[DistFile]>) -> Vec<Drift> {
    let drift = |kind| Drift {
        package: package.name.clone(),
        version: package.version.clone(),
        line: package.line,
        kind,
    };
    let Some(listed) = listed else {
        return vec![drift(DriftKind::ProjectGone)];
    };
    let files: Vec<&DistFile> = listed
        .iter()
        .filter(|file| version_of(file) == &package.version)
        .collect();
    if files.is_empty() {
        return vec![drift(DriftKind::VersionGone)];
    }
    let mut found = Vec::new();
    let pinned: Vec<&DistFile> = files
        .iter()
        .copied()
        .filter(|file| {
            file.sha256
                .as_ref()
                .is_some_and(|sha256| package.hashes.contains(sha256))
        })
        .collect();
    // The lock's own files decide; when none is left, the version as a whole does.
    let judged = if pinned.is_empty() { &files } else { &pinned };
    if judged.iter().all(|file| file.yanked.is_some()) {
        let reason = judged
            .iter()
            .filter_map(|file| file.yanked.clone())
            .find(|reason| !reason.trim().is_empty());
        found.push(drift(DriftKind::Yanked { reason }));
    }
    let every_file_hashed = files.iter().all(|file| file.sha256.is_some());
    let gone: Vec<String> = package
        .hashes
        .iter()
        .filter(|hash| !files.iter().any(|file| file.sha256.as_ref() == Some(*hash)))
        .cloned()
        .collect();
    if every_file_hashed && !gone.is_empty() {
        found.push(drift(DriftKind::HashesGone { hashes: gone }));
    }
    found
}

fn version_of(file: &DistFile) -> &Version {
    match &file.filename {
        DistFilename::Wheel(wheel) => wheel.version(),
        DistFilename::SourceDist(sdist) => sdist.version(),
    }
}

/// Reads the page of every index pin of `lock` through `client` (`concurrency` at a time) and
/// compares each pin with it ([`compare`]). `lock` must be read with its hashes
/// ([`strata_lockfile::requirements_txt::read`], not [`Lock::parse_header_and_pins`], which
/// drops them).
///
/// # Errors
///
/// The first failure to read a page other than "no index has this project" (which is drift):
/// a network error, an index answering 5xx, a page that does not parse.
pub async fn lock_drift(
    client: &IndexClient,
    lock: &Lock,
    concurrency: usize,
) -> Result<LockDrift, strata_index::Error> {
    let (urls, pins): (Vec<&LockedPackage>, Vec<&LockedPackage>) = lock
        .packages
        .iter()
        .partition(|package| package.url.is_some());
    let compared: Vec<Result<Vec<Drift>, strata_index::Error>> = futures::stream::iter(&pins)
        .map(|package| async move {
            match client.project(&package.name).await {
                Ok(listing) => Ok(compare(package, Some(&listing.files))),
                Err(error) if matches!(error.kind(), ErrorKind::PackageNotFound { .. }) => {
                    Ok(compare(package, None))
                }
                Err(error) => Err(error),
            }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut drift = Vec::new();
    for found in compared {
        drift.extend(found?);
    }
    Ok(LockDrift {
        drift,
        checked: pins.len(),
        skipped: urls
            .into_iter()
            .map(|package| package.name.clone())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AA: &str = "aa00000000000000000000000000000000000000000000000000000000000000";
    const BB: &str = "bb00000000000000000000000000000000000000000000000000000000000000";
    const CC: &str = "cc00000000000000000000000000000000000000000000000000000000000000";

    fn pin(text: &str) -> LockedPackage {
        strata_lockfile::requirements_txt::read(text)
            .unwrap()
            .packages
            .remove(0)
    }

    fn file(filename: &str, sha256: Option<&str>, yanked: Option<&str>) -> DistFile {
        let name = PackageName::new("demo".to_string()).unwrap();
        let url = url::Url::parse(&format!("http://127.0.0.1:1/files/{filename}")).unwrap();
        let mut file = DistFile::from_direct_url(&name, &url).unwrap();
        file.sha256 = sha256.map(str::to_string);
        file.yanked = yanked.map(str::to_string);
        file
    }

    fn kinds(found: &[Drift]) -> Vec<DriftKind> {
        found.iter().map(|drift| drift.kind.clone()).collect()
    }

    fn demo_1_0() -> LockedPackage {
        pin(&format!(
            "demo==1.0 \\\n    --hash=sha256:{AA} \\\n    --hash=sha256:{BB}\n"
        ))
    }

    #[test]
    fn a_version_whose_files_are_all_still_there_has_not_drifted_even_with_new_files() {
        let listed = [
            file("demo-1.0-py3-none-any.whl", Some(AA), None),
            file("demo-1.0.tar.gz", Some(BB), None),
            file(
                "demo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
                Some(CC),
                None,
            ),
            file("demo-2.0-py3-none-any.whl", Some(CC), Some("bad")),
        ];
        assert_eq!(compare(&demo_1_0(), Some(&listed)), []);
    }

    #[test]
    fn a_replaced_file_is_a_hash_gone_and_the_line_is_kept() {
        let listed = [
            file("demo-1.0-py3-none-any.whl", Some(CC), None),
            file("demo-1.0.tar.gz", Some(BB), None),
        ];
        let found = compare(&demo_1_0(), Some(&listed));
        assert_eq!(
            kinds(&found),
            [DriftKind::HashesGone {
                hashes: vec![AA.to_string()]
            }]
        );
        assert_eq!(found[0].line, Some(1));
        assert_eq!(
            found[0].to_string(),
            format!(
                "`demo==1.0`: no file of it on the index has the lock's hash sha256:{AA} any more (a file was deleted, or replaced by other bytes)"
            )
        );
    }

    #[test]
    fn a_hash_is_not_called_gone_while_a_file_of_the_version_is_listed_without_one() {
        let listed = [
            file("demo-1.0-py3-none-any.whl", None, None),
            file("demo-1.0.tar.gz", Some(BB), None),
        ];
        assert_eq!(compare(&demo_1_0(), Some(&listed)), []);
    }

    #[test]
    fn a_yanked_version_says_its_reason_and_an_unlisted_one_says_only_that() {
        let listed = [
            file("demo-1.0-py3-none-any.whl", Some(AA), Some("broken build")),
            file("demo-1.0.tar.gz", Some(BB), Some("")),
        ];
        let found = compare(&demo_1_0(), Some(&listed));
        assert_eq!(
            kinds(&found),
            [DriftKind::Yanked {
                reason: Some("broken build".to_string())
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "`demo==1.0` was yanked: \"broken build\""
        );

        let listed = [file("demo-2.0-py3-none-any.whl", Some(AA), None)];
        assert_eq!(
            kinds(&compare(&demo_1_0(), Some(&listed))),
            [DriftKind::VersionGone]
        );
        assert_eq!(kinds(&compare(&demo_1_0(), None)), [DriftKind::ProjectGone]);
    }

    #[test]
    fn only_the_locks_own_files_decide_whether_it_is_yanked() {
        // A wheel the lock never pinned (another platform's) is yanked: the lock's are not.
        let listed = [
            file("demo-1.0-py3-none-any.whl", Some(AA), None),
            file("demo-1.0.tar.gz", Some(BB), None),
            file("demo-1.0-cp312-cp312-win_amd64.whl", Some(CC), Some("")),
        ];
        assert_eq!(compare(&demo_1_0(), Some(&listed)), []);
        // Every file of the lock's gone and what is left yanked: both are said.
        let listed = [file("demo-1.0-py3-none-any.whl", Some(CC), Some(""))];
        assert_eq!(
            kinds(&compare(&demo_1_0(), Some(&listed))),
            [
                DriftKind::Yanked { reason: None },
                DriftKind::HashesGone {
                    hashes: vec![AA.to_string(), BB.to_string()]
                }
            ]
        );
    }
}
