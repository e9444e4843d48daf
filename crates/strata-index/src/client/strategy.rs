//! Which configured indexes a project's files are taken from.
//!
//! With the default first-index strategy, a project is taken from the first configured index
//! that has it, and later indexes are not consulted for it: a package published under the same
//! name on a later index (dependency confusion) is never preferred. An index "has" a project
//! when it serves a page for it, even one whose files all fit none of the run's targets: the
//! project then has no usable files rather than files from the next index. The opt-in
//! `unsafe-best-match` strategy merges every index's files, in index order, as pip does.
//! Either way, an index that fails (after its retries) fails the project; only an answer that
//! it does not have the project (404 or 410) moves on to the next.
//!
//! The indexes are asked in [`crate::IndexConfig::indexes`] order, the extra indexes before the
//! primary one. A package bound to an index (`[tool.strata.sources]`) is asked of that index
//! alone, and `find-links` does not add to it: binding `torch` to a CUDA index must not let a
//! same-named file elsewhere in.
//!
//! `find-links` files are added to whatever the indexes gave, and a project is missing only
//! when neither has it. The client remembers which indexes answered and which projects
//! `find-links` served, for callers that report an index configured but never used or a lock
//! that needs the same `--find-links`.
//!
//! The decisions live in [`Gathered`], which the request loop hands one index's answer at a
//! time and which says whether to ask the next: the loop stays lazy (with first-index, a later
//! index is not even asked, so its failures cannot fail the run), and the strategy is tested
//! without a server.

use std::ops::ControlFlow;
use std::sync::Arc;

use pep508_rs::PackageName;

use super::{Inner, ProjectListing, Shared};
use crate::error::ErrorKind;
use crate::index_url::IndexUrl;
use crate::simple::{self, DistFile};

/// How to combine several indexes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IndexStrategy {
    /// Take each project from the first index that has it (dependency-confusion safe).
    #[default]
    FirstIndex,
    /// Merge every index's files for a project (pip's behaviour; opt in knowingly).
    UnsafeBestMatch,
}

impl Inner {
    /// Every file the configured indexes (and `find-links`) offer for `name`, asking the
    /// indexes in order for as long as the strategy wants more (see [`Gathered`]).
    pub(super) async fn fetch_project(&self, name: &PackageName) -> Shared<ProjectListing> {
        let mut gathered = Gathered::new(self.options.index_strategy);
        let bound = self.config.bound_index(name).is_some();
        for index in self.config.indexes_for(name) {
            let files = self.index_page(index, name).await?.map(|(base, raw)| {
                simple::to_dist_files(raw, index, &base, name, &self.options.targets)
            });
            if gathered.offer(index, files).is_break() {
                break;
            }
        }
        // A package bound to an index comes from it alone, `find-links` included.
        let linked = if bound {
            Vec::new()
        } else {
            crate::find_links::files(&self.config.find_links, name)
        };
        if !linked.is_empty() {
            self.linked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(name.clone());
        }
        if !gathered.indexes.is_empty() {
            let mut answered = self
                .answered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for index in &gathered.indexes {
                if !answered.contains(index) {
                    answered.push(index.clone());
                }
            }
        }
        match gathered.finish(name, linked) {
            Some(listing) => Ok(Arc::new(listing)),
            None => Err(self.noted(
                name,
                ErrorKind::PackageNotFound {
                    package: name.clone(),
                    indexes: self
                        .config
                        .indexes_for(name)
                        .into_iter()
                        .map(ToString::to_string)
                        .collect(),
                }
                .into(),
            )),
        }
    }
}

/// A project's files, gathered from the configured indexes in their order: the strategy's
/// decisions, apart from the requests that [`Inner::fetch_project`] sends.
#[derive(Debug)]
pub(super) struct Gathered {
    strategy: IndexStrategy,
    files: Vec<DistFile>,
    /// The indexes that had the project, in order.
    indexes: Vec<IndexUrl>,
}

impl Gathered {
    pub(super) fn new(strategy: IndexStrategy) -> Self {
        Self {
            strategy,
            files: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// Takes `index`'s answer: the project's files there (those that fit the run's targets,
    /// possibly none), or `None` when the index does not have the project. Says whether to ask
    /// the next index.
    pub(super) fn offer(
        &mut self,
        index: &IndexUrl,
        files: Option<Vec<DistFile>>,
    ) -> ControlFlow<()> {
        let Some(files) = files else {
            return ControlFlow::Continue(());
        };
        self.files.extend(files);
        self.indexes.push(index.clone());
        match self.strategy {
            IndexStrategy::FirstIndex => ControlFlow::Break(()),
            IndexStrategy::UnsafeBestMatch => ControlFlow::Continue(()),
        }
    }

    /// The listing of `name`, with the `linked` files of `find-links` after the indexes'; `None`
    /// when no index has the project and `find-links` offers nothing of it.
    pub(super) fn finish(
        mut self,
        name: &PackageName,
        linked: Vec<DistFile>,
    ) -> Option<ProjectListing> {
        self.files.extend(linked);
        if self.files.is_empty() && self.indexes.is_empty() {
            return None;
        }
        Some(ProjectListing {
            name: name.clone(),
            files: self.files,
            indexes: self.indexes,
        })
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::simple::RawFile;

    fn numpy() -> PackageName {
        PackageName::new("numpy".to_string()).unwrap()
    }

    fn index(port: u16) -> IndexUrl {
        IndexUrl::parse(&format!("http://127.0.0.1:{port}/simple/")).unwrap()
    }

    /// The files `index`'s page lists for numpy, as the client makes them of a page; `yanked`
    /// marks all of them yanked.
    fn page(index: &IndexUrl, filenames: &[&str], yanked: Option<&str>) -> Vec<DistFile> {
        let raw: Vec<RawFile> = filenames
            .iter()
            .map(|filename| RawFile {
                filename: (*filename).to_string(),
                url: format!("../../files/{filename}"),
                sha256: None,
                requires_python: None,
                yanked: yanked.map(str::to_string),
                core_metadata: None,
                size: None,
                upload_time: None,
            })
            .collect();
        let base = index.project_url(&numpy());
        simple::to_dist_files(raw, index, &base, &numpy(), &[])
    }

    /// Hands the indexes' answers over in order, as [`Inner::fetch_project`] does, until the
    /// strategy wants no more; returns the listing and how many indexes were asked.
    fn gather(
        strategy: IndexStrategy,
        answers: Vec<(IndexUrl, Option<Vec<DistFile>>)>,
        linked: Vec<DistFile>,
    ) -> (Option<ProjectListing>, usize) {
        let mut gathered = Gathered::new(strategy);
        let mut asked = 0;
        for (index, files) in answers {
            asked += 1;
            if gathered.offer(&index, files).is_break() {
                break;
            }
        }
        (gathered.finish(&numpy(), linked), asked)
    }

    /// Each file of a listing with the index it came from.
    fn sources(listing: &ProjectListing) -> Vec<(String, Option<String>)> {
        listing
            .files
            .iter()
            .map(|file| (file.name(), file.index.as_ref().map(ToString::to_string)))
            .collect()
    }

    fn from(filename: &str, index: &IndexUrl) -> (String, Option<String>) {
        (filename.to_string(), Some(index.to_string()))
    }

    #[test]
    fn first_index_takes_the_first_index_that_has_the_project_and_asks_no_further() {
        let (first, second) = (index(8001), index(8002));
        let answers = vec![
            (
                first.clone(),
                Some(page(&first, &["numpy-1.26.4.tar.gz"], None)),
            ),
            (
                second.clone(),
                Some(page(&second, &["numpy-99.0.tar.gz"], None)),
            ),
        ];
        let (listing, asked) = gather(IndexStrategy::FirstIndex, answers, Vec::new());
        let listing = listing.unwrap();
        assert_eq!(sources(&listing), [from("numpy-1.26.4.tar.gz", &first)]);
        assert_eq!(listing.indexes, [first]);
        assert_eq!(asked, 1, "the second index is never asked");
    }

    #[test]
    fn a_project_missing_from_the_first_index_falls_through_to_the_next_that_has_it() {
        let (first, second, third) = (index(8001), index(8002), index(8003));
        let answers = vec![
            (first, None),
            (
                second.clone(),
                Some(page(&second, &["numpy-1.26.4.tar.gz"], None)),
            ),
            (
                third.clone(),
                Some(page(&third, &["numpy-99.0.tar.gz"], None)),
            ),
        ];
        let (listing, asked) = gather(IndexStrategy::FirstIndex, answers, Vec::new());
        let listing = listing.unwrap();
        assert_eq!(sources(&listing), [from("numpy-1.26.4.tar.gz", &second)]);
        assert_eq!(listing.indexes, [second]);
        assert_eq!(asked, 2);
    }

    #[test]
    fn an_index_whose_files_all_fit_no_target_still_is_the_only_source() {
        // A page whose wheels are all for other platforms leaves no files once filtered; the
        // index has the project all the same, and a later index must not fill in for it.
        let (first, second) = (index(8001), index(8002));
        let answers = vec![
            (first.clone(), Some(Vec::new())),
            (
                second.clone(),
                Some(page(&second, &["numpy-99.0.tar.gz"], None)),
            ),
        ];
        let (listing, asked) = gather(IndexStrategy::FirstIndex, answers, Vec::new());
        let listing = listing.unwrap();
        assert!(listing.files.is_empty(), "{:?}", sources(&listing));
        assert_eq!(listing.indexes, [first]);
        assert_eq!(asked, 1);
    }

    #[test]
    fn yanked_files_on_the_first_index_are_kept_and_do_not_fall_through() {
        // Whether a yanked file may be used is the resolver's decision (an exact pin may);
        // the strategy passes the yank on and does not look further.
        let (first, second) = (index(8001), index(8002));
        let answers = vec![
            (
                first.clone(),
                Some(page(&first, &["numpy-1.26.4.tar.gz"], Some("broken build"))),
            ),
            (
                second.clone(),
                Some(page(&second, &["numpy-99.0.tar.gz"], None)),
            ),
        ];
        let (listing, asked) = gather(IndexStrategy::FirstIndex, answers, Vec::new());
        let listing = listing.unwrap();
        assert_eq!(sources(&listing), [from("numpy-1.26.4.tar.gz", &first)]);
        assert_eq!(listing.files[0].yanked.as_deref(), Some("broken build"));
        assert_eq!(asked, 1);
    }

    #[test]
    fn unsafe_best_match_merges_every_index_that_has_the_project_in_index_order() {
        let (first, second, third) = (index(8001), index(8002), index(8003));
        let answers = vec![
            (
                first.clone(),
                Some(page(&first, &["numpy-1.26.4.tar.gz"], None)),
            ),
            (second, None),
            (
                third.clone(),
                Some(page(
                    &third,
                    &["numpy-99.0.tar.gz", "numpy-1.26.4.tar.gz"],
                    Some(""),
                )),
            ),
        ];
        let (listing, asked) = gather(IndexStrategy::UnsafeBestMatch, answers, Vec::new());
        let listing = listing.unwrap();
        assert_eq!(
            sources(&listing),
            [
                from("numpy-1.26.4.tar.gz", &first),
                from("numpy-99.0.tar.gz", &third),
                from("numpy-1.26.4.tar.gz", &third),
            ]
        );
        assert_eq!(listing.files[2].yanked.as_deref(), Some(""));
        assert_eq!(listing.indexes, [first, third]);
        assert_eq!(asked, 3);
    }

    #[test]
    fn find_links_files_come_after_the_indexes_and_alone_make_a_project() {
        let first = index(8001);
        let url = Url::parse("file:///wheels/numpy-2.0.tar.gz").unwrap();
        let linked = || vec![DistFile::from_direct_url(&numpy(), &url).unwrap()];

        let answers = vec![(
            first.clone(),
            Some(page(&first, &["numpy-1.26.4.tar.gz"], None)),
        )];
        let (listing, _) = gather(IndexStrategy::FirstIndex, answers, linked());
        assert_eq!(
            sources(&listing.unwrap()),
            [
                from("numpy-1.26.4.tar.gz", &first),
                ("numpy-2.0.tar.gz".to_string(), None)
            ]
        );

        let (listing, asked) = gather(IndexStrategy::FirstIndex, vec![(first, None)], linked());
        let listing = listing.unwrap();
        assert_eq!(sources(&listing), [("numpy-2.0.tar.gz".to_string(), None)]);
        assert!(listing.indexes.is_empty());
        assert_eq!(asked, 1);
    }

    #[test]
    fn a_project_no_index_and_no_find_links_has_is_missing_after_asking_every_index() {
        for strategy in [IndexStrategy::FirstIndex, IndexStrategy::UnsafeBestMatch] {
            let answers = vec![(index(8001), None), (index(8002), None)];
            let (listing, asked) = gather(strategy, answers, Vec::new());
            assert!(listing.is_none(), "{strategy:?}");
            assert_eq!(asked, 2, "{strategy:?}");
        }
    }
}
