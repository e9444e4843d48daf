//! What changed between two locks: added, removed, upgraded, downgraded.

use std::collections::BTreeMap;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::model::Lock;

/// The changes from one lock to the next, each list in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockDiff {
    /// New packages with their versions.
    pub added: Vec<(PackageName, Version)>,
    /// Packages no longer present, with their old versions.
    pub removed: Vec<(PackageName, Version)>,
    /// Packages at a higher version: name, old, new.
    pub upgraded: Vec<(PackageName, Version, Version)>,
    /// Packages at a lower version: name, old, new.
    pub downgraded: Vec<(PackageName, Version, Version)>,
}

impl LockDiff {
    /// The changes from `old` (none: everything is added) to `new`.
    pub fn between(old: Option<&Lock>, new: &Lock) -> Self {
        let before: BTreeMap<&PackageName, &Version> =
            old.map(|lock| lock.pins().collect()).unwrap_or_default();
        let after: BTreeMap<&PackageName, &Version> = new.pins().collect();
        let mut diff = Self::default();
        for (name, version) in &after {
            match before.get(name) {
                None => diff.added.push(((*name).clone(), (*version).clone())),
                Some(old) if old < version => {
                    diff.upgraded
                        .push(((*name).clone(), (*old).clone(), (*version).clone()));
                }
                Some(old) if old > version => {
                    diff.downgraded
                        .push(((*name).clone(), (*old).clone(), (*version).clone()));
                }
                Some(_) => {}
            }
        }
        for (name, version) in &before {
            if !after.contains_key(name) {
                diff.removed.push(((*name).clone(), (*version).clone()));
            }
        }
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
    }
}
