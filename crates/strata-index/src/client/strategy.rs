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
        for index in self.config.indexes() {
            let files = self.index_page(index, name).await?.map(|(base, raw)| {
                simple::to_dist_files(&raw, index, &base, name, &self.options.targets)
            });
            if gathered.offer(index, files).is_break() {
                break;
            }
        }
        let linked = crate::find_links::files(&self.config.find_links, name);
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
                    indexes: self.config.indexes().map(ToString::to_string).collect(),
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
