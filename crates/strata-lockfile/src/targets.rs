//! Locks that cover several targets: one file whose lines carry the markers that select them.
//!
//! A profile declared for Linux CI and macOS laptops is resolved once per target; [`merge`]
//! writes those per-target locks as one. A package every target pins at the same version (and
//! from the same URL) is one line without a marker, whose hashes cover the files of every
//! target. A package, or a version of it, that only some targets have carries the marker that
//! is true on exactly those targets among the lock's, so `pip install --no-deps -r` installs on
//! each target the lines of its own resolution. [`Lock::for_target`] reads the per-target lock
//! back out, which is what every consumer of a lock (engines on their parents' pins, `check`,
//! `tree`, `why`, `sync`) works on.
//!
//! The markers are the shortest that separate the targets: the fewest of `sys_platform`,
//! `platform_machine` and `python_version` that tell the selected targets from the others
//! (`sys_platform == 'darwin'` for a Linux and a macOS target). Two targets that no marker tells
//! apart (the same Python on two glibc levels of one platform) cannot share a lock:
//! [`merge`] refuses them when their pins differ.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::str::FromStr;

use pep508_rs::{MarkerTree, PackageName};
use strata_dist::Target;

use crate::model::{Lock, LockedPackage};

/// The marker variables a line's marker may test, in the order they are tried.
const FIELDS: [Field; 3] = [
    Field::SysPlatform,
    Field::PlatformMachine,
    Field::PythonVersion,
];

#[derive(Debug, Clone, Copy)]
enum Field {
    SysPlatform,
    PlatformMachine,
    PythonVersion,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Self::SysPlatform => "sys_platform",
            Self::PlatformMachine => "platform_machine",
            Self::PythonVersion => "python_version",
        }
    }

    fn value(self, target: &Target) -> String {
        let platform = target.platform();
        match self {
            Self::SysPlatform => platform.sys_platform().to_string(),
            Self::PlatformMachine => platform.platform_machine().to_string(),
            Self::PythonVersion => {
                let python = target.python();
                format!("{}.{}", python.major(), python.minor())
            }
        }
    }
}

/// Two targets of one lock whose pins differ but that no environment marker tells apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{first} and {second} need different versions of `{package}`, but no environment marker tells them apart (they share the Python version, `sys_platform` and `platform_machine`): lock them in separate profiles"
)]
pub struct IndistinguishableTargets {
    /// One target.
    pub first: String,
    /// The other.
    pub second: String,
    /// A package whose pins differ between them.
    pub package: PackageName,
}

/// The marker true on exactly `selected` among `all` (by index into `all`), shortest first;
/// `MarkerTree::TRUE` when `selected` is all of them, `None` when no marker separates them.
///
/// ```
/// use strata_dist::Target;
///
/// let all = [
///     Target::parse("3.11", "x86_64-manylinux_2_28")?,
///     Target::parse("3.12", "aarch64-apple-darwin")?,
/// ];
/// let marker = strata_lockfile::targets::marker_for(&[1], &all).unwrap();
/// assert_eq!(marker.try_to_string().unwrap(), "sys_platform == 'darwin'");
/// assert!(strata_lockfile::targets::marker_for(&[0, 1], &all).unwrap().is_true());
/// # Ok::<(), strata_dist::Error>(())
/// ```
pub fn marker_for(selected: &[usize], all: &[Target]) -> Option<MarkerTree> {
    if (0..all.len()).all(|index| selected.contains(&index)) {
        return Some(MarkerTree::TRUE);
    }
    // Every non-empty subset of the fields, fewest fields first.
    let mut subsets: Vec<Vec<Field>> = (1u8..8)
        .map(|bits| {
            FIELDS
                .iter()
                .enumerate()
                .filter(|(bit, _)| bits & (1 << bit) != 0)
                .map(|(_, field)| *field)
                .collect()
        })
        .collect();
    subsets.sort_by_key(Vec::len);
    let project = |fields: &[Field], target: &Target| -> Vec<String> {
        fields.iter().map(|field| field.value(target)).collect()
    };
    for fields in subsets {
        let inside: Vec<Vec<String>> = selected
            .iter()
            .map(|index| project(&fields, &all[*index]))
            .collect();
        let separates = (0..all.len())
            .filter(|index| !selected.contains(index))
            .all(|index| !inside.contains(&project(&fields, &all[index])));
        if !separates {
            continue;
        }
        let mut text = String::new();
        let mut seen: Vec<&Vec<String>> = Vec::new();
        for values in &inside {
            if seen.contains(&values) {
                continue;
            }
            seen.push(values);
            if !text.is_empty() {
                text.push_str(" or ");
            }
            text.push('(');
            for (position, (field, value)) in fields.iter().zip(values).enumerate() {
                if position > 0 {
                    text.push_str(" and ");
                }
                let _ = write!(text, "{} == '{value}'", field.name());
            }
            text.push(')');
        }
        return Some(
            MarkerTree::from_str(&text).expect("comparisons of marker variables with values parse"),
        );
    }
    None
}

/// One lock for every target of `parts`: the lines every target shares once, the others with
/// the marker that selects their targets (see the module docs). `parts` are in the declared
/// order of the targets; the header and options are the first part's (the caller writes the
/// header), options of the others appended when new.
///
/// # Errors
///
/// When two targets that no marker tells apart pin a package differently.
pub fn merge(parts: &[(Target, Lock)]) -> Result<Lock, IndistinguishableTargets> {
    let all: Vec<Target> = parts.iter().map(|(target, _)| target.clone()).collect();
    let mut options: Vec<String> = Vec::new();
    // Per package name, the distinct pins in order of first appearance, each with the targets
    // (indexes) that have it.
    let mut pins: BTreeMap<PackageName, Vec<(LockedPackage, Vec<usize>)>> = BTreeMap::new();
    for (index, (_, lock)) in parts.iter().enumerate() {
        for option in &lock.options {
            if !options.contains(option) {
                options.push(option.clone());
            }
        }
        for package in &lock.packages {
            let variants = pins.entry(package.name.clone()).or_default();
            match variants
                .iter_mut()
                .find(|(known, _)| known.version == package.version && known.url == package.url)
            {
                Some((known, targets)) => {
                    absorb(known, package);
                    targets.push(index);
                }
                None => variants.push((package.clone(), vec![index])),
            }
        }
    }
    let mut packages = Vec::new();
    for (name, variants) in pins {
        for (mut package, targets) in variants {
            package.marker = marker_for(&targets, &all).ok_or_else(|| {
                let inside = &all[targets[0]];
                let outside = (0..all.len())
                    .filter(|index| !targets.contains(index))
                    .map(|index| &all[index])
                    .find(|other| other.marker_identity() == inside.marker_identity())
                    .unwrap_or(inside);
                IndistinguishableTargets {
                    first: inside.to_string(),
                    second: outside.to_string(),
                    package: name.clone(),
                }
            })?;
            packages.push(package);
        }
    }
    let header = parts
        .first()
        .map(|(_, lock)| lock.header.clone())
        .unwrap_or_default();
    Ok(Lock {
        header,
        options,
        packages,
    })
}

/// Adds to `known` what another target's resolution says about the same pin: its files and
/// hashes (a macOS wheel beside a Linux one), why it is there and what it requires.
fn absorb(known: &mut LockedPackage, other: &LockedPackage) {
    known.extras.extend(other.extras.iter().cloned());
    for hash in &other.hashes {
        if !known.hashes.contains(hash) {
            known.hashes.push(hash.clone());
        }
    }
    known.hashes.sort();
    for file in &other.files {
        if !known
            .files
            .iter()
            .any(|present| present.filename == file.filename)
        {
            known.files.push(file.clone());
        }
    }
    known.files.sort_by(|a, b| a.filename.cmp(&b.filename));
    for via in &other.via {
        if !known.via.contains(via) {
            known.via.push(via.clone());
        }
    }
    known.via.sort();
    for dependency in &other.dependencies {
        if !known.dependencies.contains(dependency) {
            known.dependencies.push(dependency.clone());
        }
    }
    known.dependencies.sort();
    if known.index.is_none() {
        known.index.clone_from(&other.index);
    }
}

impl Lock {
    /// The lines of this lock that `target` installs: those whose marker is true in its
    /// marker environment, without the marker. For a lock of one target, every line.
    ///
    /// ```
    /// use strata_dist::Target;
    ///
    /// let lock = strata_lockfile::requirements_txt::read(
    ///     "numpy==2.2.6 ; sys_platform == 'darwin'\nnumpy==2.4.6 ; sys_platform == 'linux'\nsix==1.17.0\n",
    /// )?;
    /// let mac = lock.for_target(&Target::parse("3.12", "aarch64-apple-darwin")?);
    /// let pins: Vec<String> = mac.packages.iter().map(|p| format!("{}=={}", p.name, p.version)).collect();
    /// assert_eq!(pins, ["numpy==2.2.6", "six==1.17.0"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn for_target(&self, target: &Target) -> Self {
        if self.packages.iter().all(|package| package.marker.is_true()) {
            return self.clone();
        }
        let environment = target.markers();
        Self {
            header: self.header.clone(),
            options: self.options.clone(),
            packages: self
                .packages
                .iter()
                .filter(|package| package.marker.evaluate(&environment, &[]))
                .map(|package| LockedPackage {
                    marker: MarkerTree::TRUE,
                    ..package.clone()
                })
                .collect(),
        }
    }

    /// Whether some line carries a marker: the lock covers several targets, and what it
    /// installs depends on which.
    pub fn has_markers(&self) -> bool {
        self.packages
            .iter()
            .any(|package| !package.marker.is_true())
    }
}

#[cfg(test)]
mod tests {
    use pep440_rs::Version;

    use super::*;

    fn target(python: &str, platform: &str) -> Target {
        Target::parse(python, platform).unwrap()
    }

    fn package(name: &str, version: &str, hash: &str) -> LockedPackage {
        LockedPackage {
            hashes: vec![hash.to_string()],
            via: vec![format!("via-{hash}")],
            ..LockedPackage::new(
                PackageName::from_str(name).unwrap(),
                Version::from_str(version).unwrap(),
            )
        }
    }

    fn lock(packages: Vec<LockedPackage>) -> Lock {
        Lock {
            header: vec!["h".to_string()],
            options: Vec::new(),
            packages,
        }
    }

    fn lines(lock: &Lock) -> Vec<String> {
        lock.packages
            .iter()
            .map(|package| match package.marker.contents() {
                Some(marker) => format!(
                    "{}=={} ; {marker} {:?}",
                    package.name, package.version, package.hashes
                ),
                None => format!("{}=={} {:?}", package.name, package.version, package.hashes),
            })
            .collect()
    }

    #[test]
    fn shared_pins_are_one_line_and_the_rest_are_selected_by_the_fewest_markers() {
        let linux = target("3.11", "x86_64-manylinux_2_28");
        let mac = target("3.12", "aarch64-apple-darwin");
        let linux_arm = target("3.11", "aarch64-manylinux_2_28");
        let merged = merge(&[
            (
                linux.clone(),
                lock(vec![
                    package("numpy", "2.4.6", "linux"),
                    package("six", "1.17.0", "s"),
                    package("triton", "3.1.0", "t"),
                ]),
            ),
            (
                mac.clone(),
                lock(vec![
                    package("numpy", "2.2.6", "mac"),
                    package("six", "1.17.0", "s2"),
                ]),
            ),
            (
                linux_arm.clone(),
                lock(vec![
                    package("numpy", "2.4.6", "arm"),
                    package("six", "1.17.0", "s"),
                ]),
            ),
        ])
        .unwrap();
        assert_eq!(
            lines(&merged),
            [
                r#"numpy==2.4.6 ; sys_platform == 'linux' ["arm", "linux"]"#,
                r#"numpy==2.2.6 ; sys_platform == 'darwin' ["mac"]"#,
                r#"six==1.17.0 ["s", "s2"]"#,
                r#"triton==3.1.0 ; platform_machine == 'x86_64' ["t"]"#,
            ]
        );
        // Each target reads back exactly its own pins.
        for (target, expected) in [
            (&linux, vec!["numpy==2.4.6", "six==1.17.0", "triton==3.1.0"]),
            (&mac, vec!["numpy==2.2.6", "six==1.17.0"]),
            (&linux_arm, vec!["numpy==2.4.6", "six==1.17.0"]),
        ] {
            let pins: Vec<String> = merged
                .for_target(target)
                .packages
                .iter()
                .map(|package| format!("{}=={}", package.name, package.version))
                .collect();
            assert_eq!(pins, expected, "{target}");
        }
        // The text form carries the markers and reads back the same.
        let text = crate::requirements_txt::write(&merged);
        assert!(
            text.contains("numpy==2.2.6 ; sys_platform == 'darwin' \\\n"),
            "{text}"
        );
        let read = crate::requirements_txt::read(&text).unwrap();
        assert_eq!(lines(&read), lines(&merged));
        // And so does PEP 751's: one environment per target, a marker per selected package.
        let all = [linux, mac, linux_arm];
        let pylock = crate::pylock_toml::write(&merged, &all);
        assert!(
            pylock.contains("requires-python = \">=3.11,<3.13\""),
            "{pylock}"
        );
        assert_eq!(
            pylock.matches("platform_machine == ").count(),
            3 + 1,
            "{pylock}"
        );
        let read = crate::pylock_toml::read(&pylock).unwrap();
        let markers: Vec<Option<String>> = read
            .packages
            .iter()
            .map(|package| package.marker.try_to_string())
            .collect();
        assert_eq!(
            markers,
            [
                Some("sys_platform == 'linux'".to_string()),
                Some("sys_platform == 'darwin'".to_string()),
                None,
                Some("platform_machine == 'x86_64'".to_string()),
            ]
        );
    }

    #[test]
    fn python_versions_of_one_platform_are_told_apart_by_python_version() {
        let all = [
            target("3.10", "x86_64-manylinux_2_28"),
            target("3.12", "x86_64-manylinux_2_28"),
        ];
        let marker = marker_for(&[0], &all).unwrap();
        assert_eq!(
            marker.try_to_string().unwrap(),
            "python_full_version == '3.10.*'"
        );
    }

    #[test]
    fn targets_no_marker_tells_apart_are_refused_only_when_their_pins_differ() {
        let old = target("3.11", "x86_64-manylinux_2_17");
        let new = target("3.11", "x86_64-manylinux_2_28");
        let same = merge(&[
            (old.clone(), lock(vec![package("six", "1.17.0", "s")])),
            (new.clone(), lock(vec![package("six", "1.17.0", "s")])),
        ])
        .unwrap();
        assert_eq!(lines(&same), [r#"six==1.17.0 ["s"]"#]);
        let error = merge(&[
            (old, lock(vec![package("six", "1.17.0", "s")])),
            (new, lock(vec![package("six", "1.16.0", "s")])),
        ])
        .unwrap_err();
        assert_eq!(error.package.as_ref(), "six");
    }
}
