//! What changed between two locks: added, removed, upgraded, downgraded.

use std::collections::BTreeMap;
use std::fmt;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::model::{Lock, LockedPackage};

/// Which line of a lock a change is about: the package, and in a lock of several targets the
/// marker that selects the line (see [`crate::targets`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineName {
    /// The package.
    pub name: PackageName,
    /// The line's marker, when it has one.
    pub marker: Option<String>,
}

impl fmt::Display for LineName {
    /// `numpy`, or `numpy (sys_platform == 'darwin')`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.marker {
            Some(marker) => write!(f, "{} ({marker})", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// The changes from one lock to the next, each list in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockDiff {
    /// New packages with their versions.
    pub added: Vec<(LineName, Version)>,
    /// Packages no longer present, with their old versions.
    pub removed: Vec<(LineName, Version)>,
    /// Packages at a higher version: name, old, new.
    pub upgraded: Vec<(LineName, Version, Version)>,
    /// Packages at a lower version: name, old, new.
    pub downgraded: Vec<(LineName, Version, Version)>,
}

impl LockDiff {
    /// The changes from `old` (none: everything is added) to `new`.
    ///
    /// A package with one line on each side is compared as one, whatever its marker (a lock
    /// that gained a target keeps its shared lines); one with several lines (a lock of several
    /// targets pins it per target) is compared line by line, by marker.
    pub fn between(old: Option<&Lock>, new: &Lock) -> Self {
        let (before, after) = (lines_by_name(old), lines_by_name(Some(new)));
        let label = |package: &LockedPackage| LineName {
            name: package.name.clone(),
            marker: package.marker.try_to_string(),
        };
        let mut diff = Self::default();
        let mut compare = |old: &LockedPackage, new: &LockedPackage| {
            if old.version < new.version {
                diff.upgraded
                    .push((label(new), old.version.clone(), new.version.clone()));
            } else if old.version > new.version {
                diff.downgraded
                    .push((label(new), old.version.clone(), new.version.clone()));
            }
        };
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for (name, new_lines) in &after {
            let old_lines = before.get(name).map(Vec::as_slice).unwrap_or_default();
            if let ([old], [new]) = (old_lines, new_lines.as_slice()) {
                compare(old, new);
                continue;
            }
            for new in new_lines {
                match old_lines.iter().find(|old| old.marker == new.marker) {
                    Some(old) => compare(old, new),
                    None => added.push((label(new), new.version.clone())),
                }
            }
        }
        for (name, old_lines) in &before {
            let new_lines = after.get(name).map(Vec::as_slice).unwrap_or_default();
            if matches!((old_lines.as_slice(), new_lines), ([_], [_])) {
                continue;
            }
            for old in old_lines {
                if !new_lines.iter().any(|new| new.marker == old.marker) {
                    removed.push((label(old), old.version.clone()));
                }
            }
        }
        diff.added = added;
        diff.removed = removed;
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

/// A lock's lines by package name (several for a package a lock of several targets forks).
fn lines_by_name(lock: Option<&Lock>) -> BTreeMap<&PackageName, Vec<&LockedPackage>> {
    let mut out: BTreeMap<&PackageName, Vec<&LockedPackage>> = BTreeMap::new();
    for package in lock.iter().flat_map(|lock| &lock.packages) {
        out.entry(&package.name).or_default().push(package);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(text: &str) -> Lock {
        crate::requirements_txt::read(text).unwrap()
    }

    fn shown(diff: &LockDiff) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(
            diff.added
                .iter()
                .map(|(name, version)| format!("+ {name} {version}")),
        );
        out.extend(
            diff.removed
                .iter()
                .map(|(name, version)| format!("- {name} {version}")),
        );
        out.extend(
            diff.upgraded
                .iter()
                .chain(&diff.downgraded)
                .map(|(name, old, new)| format!("{name} {old} -> {new}")),
        );
        out
    }

    #[test]
    fn lines_of_several_targets_are_compared_by_marker_and_a_single_line_by_name() {
        let old = lock(
            "six==1.16.0\ntool==2.0 ; sys_platform == 'linux'\ntool==1.4 ; sys_platform == 'darwin'\nold==1.0\n",
        );
        let new = lock(
            "six==1.17.0 ; sys_platform == 'linux'\ntool==2.1 ; sys_platform == 'linux'\ntool==1.5 ; platform_machine == 'arm64'\nnew==1.0\n",
        );
        assert_eq!(
            shown(&LockDiff::between(Some(&old), &new)),
            [
                "+ new 1.0",
                "+ tool (platform_machine == 'arm64') 1.5",
                "- old 1.0",
                "- tool (sys_platform == 'darwin') 1.4",
                "six (sys_platform == 'linux') 1.16.0 -> 1.17.0",
                "tool (sys_platform == 'linux') 2.0 -> 2.1",
            ]
        );
    }
}
