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

use std::sync::Arc;

use pep508_rs::PackageName;

use super::{Inner, ProjectListing, Shared};
use crate::error::ErrorKind;
use crate::simple;

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
    pub(super) async fn fetch_project(&self, name: &PackageName) -> Shared<ProjectListing> {
        let mut files = Vec::new();
        let mut indexes = Vec::new();
        for index in self.config.indexes() {
            let Some((base, raw)) = self.index_page(index, name).await? else {
                continue;
            };
            files.extend(simple::to_dist_files(
                &raw,
                index,
                &base,
                name,
                &self.options.targets,
            ));
            indexes.push(index.clone());
            if self.options.index_strategy == IndexStrategy::FirstIndex {
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
        files.extend(linked);
        if !indexes.is_empty() {
            let mut answered = self
                .answered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for index in &indexes {
                if !answered.contains(index) {
                    answered.push(index.clone());
                }
            }
        }
        if files.is_empty() && indexes.is_empty() {
            return Err(self.noted(
                name,
                ErrorKind::PackageNotFound {
                    package: name.clone(),
                    indexes: self.config.indexes().map(ToString::to_string).collect(),
                }
                .into(),
            ));
        }
        Ok(Arc::new(ProjectListing {
            name: name.clone(),
            files,
            indexes,
        }))
    }
}
