//! Wheel tags a target accepts, in the order `packaging.tags.sys_tags()` gives them.
//!
//! A wheel's filename carries sets of Python, ABI and platform tags (PEP 425); it installs on an
//! interpreter when one combination of them is among the interpreter's supported tags. pip and
//! uv rank a version's wheels by the position of their best tag in that list, so the most
//! specific build wins: a `cp311-cp311` wheel beats `cp311-abi3`, which beats `py3-none-any`,
//! and a wheel for a newer manylinux beats one for an older.
//!
//! The list for CPython 3.*m* on a platform is, best first:
//!
//! 1. `cp3m-cp3m-<plat>`, `cp3m-abi3-<plat>`, `cp3m-none-<plat>`, then `cp3k-abi3-<plat>` for
//!    every older `k` down to 2 (the stable ABI is forward compatible);
//! 2. `py3m-none-<plat>`, `py3-none-<plat>`, `py3k-none-<plat>` for `k` from `m - 1` to 0;
//! 3. `cp3m-none-any`, then the same `py` sequence with `any`.
//!
//! Inside each step `<plat>` runs over the platform tags, newest first:
//!
//! * glibc Linux: `manylinux_2_<n>_<arch>` from the target's glibc down to the oldest for the
//!   architecture (2.5 on `x86_64`, 2.17 on `aarch64`), each legacy alias right after its
//!   glibc (`manylinux2014` after 2.17, `manylinux2010` after 2.12, `manylinux1` after 2.5);
//! * musl Linux: `musllinux_1_<n>_<arch>` from the target's musl down to 1.0;
//! * macOS: `macosx_<major>_0_<format>` from the target's major down to 11, then
//!   `macosx_10_<n>_<format>` from 10.16 down to 10.4, where the formats are the architecture and
//!   its fat groups (`x86_64`, `intel`, `fat64`, `fat32`, `universal2`, `universal`; `arm64`,
//!   `universal2`; Apple Silicon runs no binary older than macOS 11 except `universal2`);
//! * Windows: `win_amd64` or `win_arm64`.
//!
//! One deliberate difference from `sys_tags()`: the bare `linux_<arch>` tag is not accepted.
//! `packaging` offers it because on the machine running pip a wheel built *on that machine* is
//! fine. A lock is written for a target, not for the machine that writes it, and a
//! `linux_x86_64` wheel promises nothing about which glibc or libraries it needs, so picking one
//! would produce a lock that installs on the build host and breaks in the image. The same holds
//! for the `musllinux` targets.
//!
//! Free-threaded (`cp313t`) and debug ABIs are not modelled: strata's targets are the default
//! CPython builds.

use std::collections::HashMap;
use std::fmt;

use crate::platform::{Arch, Os, Platform};
use crate::target::PythonVersion;
use crate::wheel_filename::WheelFilename;

/// One wheel tag triple, such as `cp311-abi3-manylinux_2_17_x86_64`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    python: Box<str>,
    abi: Box<str>,
    platform: Box<str>,
}

impl Tag {
    /// A tag from its three parts.
    pub fn new(python: &str, abi: &str, platform: &str) -> Self {
        Self {
            python: python.into(),
            abi: abi.into(),
            platform: platform.into(),
        }
    }

    /// The Python tag (`cp311`, `py3`).
    pub fn python(&self) -> &str {
        &self.python
    }

    /// The ABI tag (`cp311`, `abi3`, `none`).
    pub fn abi(&self) -> &str {
        &self.abi
    }

    /// The platform tag (`manylinux_2_17_x86_64`, `any`).
    pub fn platform(&self) -> &str {
        &self.platform
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.python, self.abi, self.platform)
    }
}

/// How well a wheel tag fits a target. **Higher is better.**
///
/// The best tag of a target has the highest priority and the worst (`py30-none-any`) has 1;
/// incompatible tags have none. Priorities compare only within one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagPriority(u32);

impl TagPriority {
    /// The raw value: 1 for the worst compatible tag, the number of tags for the best.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// The ordered wheel tags of a target, with a lookup table for compatibility checks.
///
/// Built once per target (see [`crate::Target::tags`]). Checking a wheel costs a few hash
/// lookups per tag combination in its filename, with no allocation.
#[derive(Debug, Clone)]
pub struct Tags {
    ordered: Vec<Tag>,
    /// python tag -> abi tag -> platform tag -> priority. Nested so lookups take `&str`.
    index: TagIndex,
}

type TagIndex = HashMap<Box<str>, HashMap<Box<str>, HashMap<Box<str>, TagPriority>>>;

impl Tags {
    /// The tags of CPython `python` on `platform`, best first.
    pub fn for_target(python: PythonVersion, platform: Platform) -> Self {
        let platforms = platform_tags(platform);
        let minor = python.minor();
        let interpreter = format!("cp3{minor}");
        let mut ordered = Vec::new();
        let push_all = |ordered: &mut Vec<Tag>, python: &str, abi: &str| {
            for platform in &platforms {
                ordered.push(Tag::new(python, abi, platform));
            }
        };

        // CPython-specific tags.
        push_all(&mut ordered, &interpreter, &interpreter);
        push_all(&mut ordered, &interpreter, "abi3");
        push_all(&mut ordered, &interpreter, "none");
        for older in (2..minor).rev() {
            push_all(&mut ordered, &format!("cp3{older}"), "abi3");
        }

        // Pure-Python tags, first for the platform, then for any platform.
        let python_range = python_tag_range(minor);
        for python_tag in &python_range {
            push_all(&mut ordered, python_tag, "none");
        }
        ordered.push(Tag::new(&interpreter, "none", "any"));
        for python_tag in &python_range {
            ordered.push(Tag::new(python_tag, "none", "any"));
        }

        let count = u32::try_from(ordered.len()).expect("a target has far fewer than 2^32 tags");
        let mut index = TagIndex::new();
        for (position, tag) in (0..count).zip(&ordered) {
            index
                .entry(tag.python.clone())
                .or_default()
                .entry(tag.abi.clone())
                .or_default()
                .entry(tag.platform.clone())
                .or_insert(TagPriority(count - position));
        }
        Self { ordered, index }
    }

    /// The tags, best first.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.ordered.iter()
    }

    /// The number of tags.
    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Whether there are no tags (never true for a real target).
    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }

    /// The priority of one tag triple, `None` when the target does not accept it.
    pub fn priority(&self, python: &str, abi: &str, platform: &str) -> Option<TagPriority> {
        self.index.get(python)?.get(abi)?.get(platform).copied()
    }

    /// Whether any combination of a wheel's compressed tag sets (`cp311.cp312`, `abi3`,
    /// `manylinux_2_17_x86_64.manylinux2014_x86_64`, as its file name writes them) fits.
    ///
    /// ```
    /// let target = strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28")?;
    /// let tags = target.tags();
    /// assert!(tags.fits("cp311", "cp311", "manylinux_2_17_x86_64.manylinux2014_x86_64"));
    /// assert!(!tags.fits("cp311", "cp311", "win_amd64"));
    /// # Ok::<(), strata_dist::Error>(())
    /// ```
    pub fn fits(&self, python: &str, abi: &str, platform: &str) -> bool {
        python.split('.').any(|python| {
            self.index.get(python).is_some_and(|abis| {
                abi.split('.').any(|abi| {
                    abis.get(abi).is_some_and(|platforms| {
                        platform
                            .split('.')
                            .any(|platform| platforms.contains_key(platform))
                    })
                })
            })
        })
    }

    /// The priority of a wheel: the best of its tag combinations, `None` when none fits.
    pub fn wheel_priority(&self, wheel: &WheelFilename) -> Option<TagPriority> {
        let mut best = None;
        for python in wheel.python_tags() {
            let Some(abis) = self.index.get(python.as_str()) else {
                continue;
            };
            for abi in wheel.abi_tags() {
                let Some(platforms) = abis.get(abi.as_str()) else {
                    continue;
                };
                for platform in wheel.platform_tags() {
                    if let Some(priority) = platforms.get(platform.as_str()) {
                        best = best.max(Some(*priority));
                    }
                }
            }
        }
        best
    }
}

/// `py3m`, `py3`, `py3(m-1)`, ..., `py30`, as `packaging`'s `_py_interpreter_range`.
fn python_tag_range(minor: u8) -> Vec<String> {
    let mut tags = vec![format!("py3{minor}"), "py3".to_string()];
    tags.extend((0..minor).rev().map(|older| format!("py3{older}")));
    tags
}

/// The platform tags of a platform, newest first, without the host-only `linux_<arch>`.
fn platform_tags(platform: Platform) -> Vec<String> {
    let arch = platform.arch();
    match platform.os() {
        Os::Manylinux { major, minor } => {
            let oldest = match arch {
                Arch::X86_64 => 5,
                Arch::Aarch64 => 17,
            };
            let linux_arch = arch.as_linux_tag();
            let mut tags = Vec::new();
            for glibc_minor in (oldest..=minor).rev() {
                tags.push(format!("manylinux_{major}_{glibc_minor}_{linux_arch}"));
                let legacy = match (major, glibc_minor, arch) {
                    (2, 17, _) => Some("manylinux2014"),
                    (2, 12, Arch::X86_64) => Some("manylinux2010"),
                    (2, 5, Arch::X86_64) => Some("manylinux1"),
                    _ => None,
                };
                if let Some(legacy) = legacy {
                    tags.push(format!("{legacy}_{linux_arch}"));
                }
            }
            tags
        }
        Os::Musllinux { major, minor } => (0..=minor)
            .rev()
            .map(|musl_minor| format!("musllinux_{major}_{musl_minor}_{}", arch.as_linux_tag()))
            .collect(),
        Os::Macos { major, minor } => macos_tags(major, minor, arch),
        Os::Windows => vec![
            match arch {
                Arch::X86_64 => "win_amd64",
                Arch::Aarch64 => "win_arm64",
            }
            .to_string(),
        ],
    }
}

/// `packaging.tags.mac_platforms` for macOS `major.minor`.
fn macos_tags(major: u16, minor: u16, arch: Arch) -> Vec<String> {
    let mut tags = Vec::new();
    if major >= 11 {
        for release in (11..=major).rev() {
            for format in macos_binary_formats(arch) {
                tags.push(format!("macosx_{release}_0_{format}"));
            }
        }
        for old_minor in (4..=16).rev() {
            match arch {
                Arch::X86_64 => {
                    for format in macos_binary_formats(arch) {
                        tags.push(format!("macosx_10_{old_minor}_{format}"));
                    }
                }
                Arch::Aarch64 => tags.push(format!("macosx_10_{old_minor}_universal2")),
            }
        }
    } else {
        for old_minor in (4..=minor).rev() {
            for format in macos_binary_formats(arch) {
                tags.push(format!("macosx_{major}_{old_minor}_{format}"));
            }
        }
    }
    tags
}

/// The binary formats a macOS machine of `arch` runs, most specific first.
fn macos_binary_formats(arch: Arch) -> &'static [&'static str] {
    match arch {
        Arch::X86_64 => &[
            "x86_64",
            "intel",
            "fat64",
            "fat32",
            "universal2",
            "universal",
        ],
        Arch::Aarch64 => &["arm64", "universal2"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Target;

    fn tags(python: &str, platform: &str) -> Vec<String> {
        Target::parse(python, platform)
            .unwrap()
            .tags()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn manylinux_tags_start_with_the_most_specific_wheel() {
        let tags = tags("3.11", "x86_64-manylinux_2_28");
        assert_eq!(
            tags[..4],
            [
                "cp311-cp311-manylinux_2_28_x86_64",
                "cp311-cp311-manylinux_2_27_x86_64",
                "cp311-cp311-manylinux_2_26_x86_64",
                "cp311-cp311-manylinux_2_25_x86_64",
            ]
        );
    }

    #[test]
    fn manylinux_platforms_run_down_to_2_5_with_legacy_aliases_after_their_glibc() {
        let platforms: Vec<String> = platform_tags("x86_64-manylinux_2_28".parse().unwrap());
        let expected: Vec<String> = [
            "manylinux_2_28",
            "manylinux_2_27",
            "manylinux_2_26",
            "manylinux_2_25",
            "manylinux_2_24",
            "manylinux_2_23",
            "manylinux_2_22",
            "manylinux_2_21",
            "manylinux_2_20",
            "manylinux_2_19",
            "manylinux_2_18",
            "manylinux_2_17",
            "manylinux2014",
            "manylinux_2_16",
            "manylinux_2_15",
            "manylinux_2_14",
            "manylinux_2_13",
            "manylinux_2_12",
            "manylinux2010",
            "manylinux_2_11",
            "manylinux_2_10",
            "manylinux_2_9",
            "manylinux_2_8",
            "manylinux_2_7",
            "manylinux_2_6",
            "manylinux_2_5",
            "manylinux1",
        ]
        .iter()
        .map(|platform| format!("{platform}_x86_64"))
        .collect();
        assert_eq!(platforms, expected);
    }

    #[test]
    fn aarch64_manylinux_stops_at_2017_glibc() {
        let platforms = platform_tags("aarch64-unknown-linux-gnu".parse().unwrap());
        assert_eq!(
            platforms,
            ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
        );
    }

    #[test]
    fn host_only_linux_tag_is_never_accepted() {
        for platform in [
            "linux",
            "x86_64-manylinux_2_40",
            "x86_64-unknown-linux-musl",
        ] {
            let tags = tags("3.12", platform);
            assert!(
                !tags.iter().any(|tag| tag.ends_with("-linux_x86_64")),
                "{platform}"
            );
        }
    }

    #[test]
    fn sequence_follows_packaging_sys_tags_for_cpython_3_11_on_manylinux_2_17() {
        // The 2.17 target keeps the platform list short: 2.17, 2014, 2.16 .. 2.5 with aliases.
        let tags = tags("3.11", "x86_64-manylinux_2_17");
        let platforms = platform_tags("x86_64-manylinux_2_17".parse().unwrap());
        let per_step = platforms.len();
        assert_eq!(per_step, 16);
        let mut expected = vec![
            "cp311-cp311-manylinux_2_17_x86_64".to_string(),
            "cp311-abi3-manylinux_2_17_x86_64".to_string(),
            "cp311-none-manylinux_2_17_x86_64".to_string(),
        ];
        expected.extend(
            (2..=10)
                .rev()
                .map(|minor| format!("cp3{minor}-abi3-manylinux_2_17_x86_64")),
        );
        expected.push("py311-none-manylinux_2_17_x86_64".to_string());
        expected.push("py3-none-manylinux_2_17_x86_64".to_string());
        expected.extend(
            (0..=10)
                .rev()
                .map(|minor| format!("py3{minor}-none-manylinux_2_17_x86_64")),
        );
        let heads: Vec<&str> = tags
            .iter()
            .step_by(per_step)
            .take(expected.len())
            .map(String::as_str)
            .collect();
        assert_eq!(heads, expected);
        let any: Vec<&str> = tags[heads.len() * per_step..]
            .iter()
            .map(String::as_str)
            .collect();
        let mut expected_any = vec![
            "cp311-none-any".to_string(),
            "py311-none-any".to_string(),
            "py3-none-any".to_string(),
        ];
        expected_any.extend((0..=10).rev().map(|minor| format!("py3{minor}-none-any")));
        assert_eq!(any, expected_any);
    }

    #[test]
    fn musllinux_runs_from_the_target_musl_down_to_1_0() {
        let platforms = platform_tags("x86_64-musllinux_1_2".parse().unwrap());
        assert_eq!(
            platforms,
            [
                "musllinux_1_2_x86_64",
                "musllinux_1_1_x86_64",
                "musllinux_1_0_x86_64"
            ]
        );
    }

    #[test]
    fn apple_silicon_accepts_arm64_and_universal2_only() {
        let platforms = platform_tags("macos".parse().unwrap());
        assert_eq!(
            platforms[..6],
            [
                "macosx_13_0_arm64",
                "macosx_13_0_universal2",
                "macosx_12_0_arm64",
                "macosx_12_0_universal2",
                "macosx_11_0_arm64",
                "macosx_11_0_universal2",
            ]
        );
        assert_eq!(platforms[6], "macosx_10_16_universal2");
        assert_eq!(platforms.last().unwrap(), "macosx_10_4_universal2");
        assert!(!platforms.iter().any(|platform| platform.contains("x86_64")));
    }

    #[test]
    fn intel_mac_accepts_fat_groups_back_to_10_4() {
        let platforms = platform_tags("x86_64-apple-darwin".parse().unwrap());
        assert_eq!(
            platforms[..6],
            [
                "macosx_13_0_x86_64",
                "macosx_13_0_intel",
                "macosx_13_0_fat64",
                "macosx_13_0_fat32",
                "macosx_13_0_universal2",
                "macosx_13_0_universal",
            ]
        );
        assert!(platforms.contains(&"macosx_10_9_x86_64".to_string()));
        assert_eq!(platforms.last().unwrap(), "macosx_10_4_universal");
    }

    #[test]
    fn windows_has_one_platform_tag() {
        assert_eq!(platform_tags("windows".parse().unwrap()), ["win_amd64"]);
        assert_eq!(
            platform_tags("aarch64-pc-windows-msvc".parse().unwrap()),
            ["win_arm64"]
        );
    }

    #[test]
    fn priorities_decrease_along_the_list() {
        let target = Target::parse("3.12", "x86_64-manylinux_2_28").unwrap();
        let table = target.tags();
        let priorities: Vec<u32> = table
            .iter()
            .map(|tag| {
                table
                    .priority(tag.python(), tag.abi(), tag.platform())
                    .unwrap()
                    .get()
            })
            .collect();
        assert_eq!(
            priorities.first().copied(),
            Some(u32::try_from(table.len()).unwrap())
        );
        assert_eq!(priorities.last().copied(), Some(1));
        assert!(priorities.windows(2).all(|pair| pair[0] > pair[1]));
    }
}
