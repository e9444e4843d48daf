//! Platforms as uv's `--python-platform` names them.
//!
//! A platform is an operating system with the version that bounds its wheel tags (glibc for
//! manylinux, musl for musllinux, macOS for macosx) and a CPU architecture. Users write it the
//! way uv spells it (`x86_64-manylinux_2_28`, `aarch64-apple-darwin`, `linux`, ...), so a
//! manifest moves between uv and strata unchanged. The accepted names are a superset of uv's: uv
//! lists only some glibc minors between 2.17 and 2.40, strata accepts every one of them.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use crate::error::PlatformParseError;

/// The default macOS version of the `macos` and `*-apple-darwin` targets.
///
/// uv assumes the oldest macOS release Apple still supports (13, Ventura) unless
/// `MACOSX_DEPLOYMENT_TARGET` is set; strata reads no environment here, so a lock does not depend
/// on the shell it ran in.
const DEFAULT_MACOS: (u16, u16) = (13, 0);

/// The oldest and newest glibc minor accepted in `<arch>-manylinux_2_<minor>` names.
const MANYLINUX_MINORS: std::ops::RangeInclusive<u16> = 17..=40;

/// The CPU architecture of a [`Platform`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// 64-bit x86 (`x86_64`, `amd64`).
    X86_64,
    /// 64-bit ARM (`aarch64`, `arm64`).
    Aarch64,
}

impl Arch {
    /// The architecture as it appears in Linux wheel tags (`manylinux_2_17_<arch>`).
    pub fn as_linux_tag(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Aarch64 => "aarch64",
        }
    }
}

/// The operating system of a [`Platform`], with the version that bounds its wheel tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Os {
    /// Linux with glibc `major.minor` (PEP 600 `manylinux_<major>_<minor>`).
    Manylinux {
        /// The glibc major version, always 2.
        major: u16,
        /// The glibc minor version.
        minor: u16,
    },
    /// Linux with musl `major.minor` (PEP 656 `musllinux_<major>_<minor>`).
    Musllinux {
        /// The musl major version, always 1.
        major: u16,
        /// The musl minor version.
        minor: u16,
    },
    /// macOS `major.minor`.
    Macos {
        /// The macOS major version (11 and later are the Apple Silicon era).
        major: u16,
        /// The macOS minor version.
        minor: u16,
    },
    /// Windows.
    Windows,
}

/// Where an environment runs: an operating system and an architecture, named like uv names
/// `--python-platform` values.
///
/// Two platforms that mean the same thing under different names (`linux` and
/// `x86_64-manylinux_2_17`) have the same [`Platform::os`] and [`Platform::arch`] but are not
/// equal: the name is kept so that a manifest value prints back as the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    name: &'static str,
    os: Os,
    arch: Arch,
}

impl Platform {
    /// The name as written (`x86_64-manylinux_2_28`, `linux`, ...).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The operating system and its tag-bounding version.
    pub fn os(&self) -> Os {
        self.os
    }

    /// The CPU architecture.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// Every accepted platform name, in a stable documentation order.
    pub fn known_names() -> impl Iterator<Item = &'static str> {
        KNOWN.iter().map(|platform| platform.name)
    }

    /// The PEP 508 `sys_platform` value.
    pub fn sys_platform(&self) -> &'static str {
        match self.os {
            Os::Manylinux { .. } | Os::Musllinux { .. } => "linux",
            Os::Macos { .. } => "darwin",
            Os::Windows => "win32",
        }
    }

    /// The PEP 508 `platform_system` value.
    pub fn platform_system(&self) -> &'static str {
        match self.os {
            Os::Manylinux { .. } | Os::Musllinux { .. } => "Linux",
            Os::Macos { .. } => "Darwin",
            Os::Windows => "Windows",
        }
    }

    /// The PEP 508 `os_name` value.
    pub fn os_name(&self) -> &'static str {
        match self.os {
            Os::Windows => "nt",
            _ => "posix",
        }
    }

    /// The PEP 508 `platform_machine` value, as `platform.machine()` reports it on that system.
    ///
    /// This differs from uv on Windows: uv reports `x86_64` for `x86_64-pc-windows-msvc`, but
    /// CPython on 64-bit Windows reports `AMD64` (and `ARM64` on ARM), and real metadata carries
    /// markers such as `platform_machine == "AMD64"`. A lock for Windows must select what a
    /// Windows install would, so strata uses CPython's values.
    pub fn platform_machine(&self) -> &'static str {
        match (self.os, self.arch) {
            (Os::Windows, Arch::X86_64) => "AMD64",
            (Os::Windows, Arch::Aarch64) => "ARM64",
            (Os::Macos { .. }, Arch::Aarch64) => "arm64",
            (_, Arch::Aarch64) => "aarch64",
            (_, Arch::X86_64) => "x86_64",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl FromStr for Platform {
    type Err = PlatformParseError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if let Some(platform) = KNOWN.iter().find(|platform| platform.name == name) {
            return Ok(*platform);
        }
        Err(PlatformParseError::new(name, did_you_mean(name)))
    }
}

/// The closest accepted name to a rejected one, if it is close enough to be a typo.
fn did_you_mean(name: &str) -> Option<&'static str> {
    let lowercase = name.trim().to_ascii_lowercase().replace(['.', ' '], "_");
    if let Some(platform) = KNOWN.iter().find(|platform| platform.name == lowercase) {
        return Some(platform.name);
    }
    KNOWN
        .iter()
        .map(|platform| (edit_distance(&lowercase, platform.name), platform.name))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 8))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance over bytes counting an adjacent swap as one edit (optimal string alignment);
/// platform names are ASCII.
fn edit_distance(left: &str, right: &str) -> usize {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    let width = right.len() + 1;
    let mut table = vec![0usize; (left.len() + 1) * width];
    for i in 0..=left.len() {
        for j in 0..=right.len() {
            table[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(left[i - 1] != right[j - 1]);
                let mut best = (table[(i - 1) * width + j] + 1)
                    .min(table[i * width + j - 1] + 1)
                    .min(table[(i - 1) * width + j - 1] + cost);
                if i > 1 && j > 1 && left[i - 1] == right[j - 2] && left[i - 2] == right[j - 1] {
                    best = best.min(table[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    table[left.len() * width + right.len()]
}

/// A short human description of the accepted names, with the manylinux runs folded.
pub(crate) fn accepted_names_summary() -> String {
    let first = MANYLINUX_MINORS.start();
    let last = MANYLINUX_MINORS.end();
    let mut names: Vec<String> = Vec::new();
    for platform in KNOWN.iter() {
        let is_manylinux_run =
            matches!(platform.os, Os::Manylinux { .. }) && platform.name.contains("-manylinux_2_");
        if !is_manylinux_run {
            names.push(format!("`{}`", platform.name));
        } else if platform.name.ends_with(&format!("_2_{first}")) {
            let arch = platform.arch.as_linux_tag();
            names.push(format!(
                "`{arch}-manylinux_2_{first}` .. `{arch}-manylinux_2_{last}`"
            ));
        }
    }
    names.join(", ")
}

/// Every accepted platform, built once: `'static` names let [`Platform`] stay `Copy`.
static KNOWN: LazyLock<Vec<Platform>> = LazyLock::new(|| {
    let manylinux = |major, minor| Os::Manylinux { major, minor };
    let musllinux = |minor| Os::Musllinux { major: 1, minor };
    let macos = Os::Macos {
        major: DEFAULT_MACOS.0,
        minor: DEFAULT_MACOS.1,
    };
    let mut known = vec![
        // uv's aliases: the default target of each operating system.
        fixed("linux", manylinux(2, 17), Arch::X86_64),
        fixed("macos", macos, Arch::Aarch64),
        fixed("windows", Os::Windows, Arch::X86_64),
        // Rust-style target triples. uv maps the glibc triples to the oldest manylinux that
        // current wheels target (2.17) and the musl triples to musl 1.2.
        fixed("x86_64-unknown-linux-gnu", manylinux(2, 17), Arch::X86_64),
        fixed("aarch64-unknown-linux-gnu", manylinux(2, 17), Arch::Aarch64),
        fixed("x86_64-unknown-linux-musl", musllinux(2), Arch::X86_64),
        fixed("aarch64-unknown-linux-musl", musllinux(2), Arch::Aarch64),
        fixed("x86_64-apple-darwin", macos, Arch::X86_64),
        fixed("aarch64-apple-darwin", macos, Arch::Aarch64),
        fixed("x86_64-pc-windows-msvc", Os::Windows, Arch::X86_64),
        fixed("aarch64-pc-windows-msvc", Os::Windows, Arch::Aarch64),
        fixed("x86_64-manylinux2014", manylinux(2, 17), Arch::X86_64),
        fixed("aarch64-manylinux2014", manylinux(2, 17), Arch::Aarch64),
    ];
    for arch in [Arch::X86_64, Arch::Aarch64] {
        for minor in MANYLINUX_MINORS {
            let name = format!("{}-manylinux_2_{minor}", arch.as_linux_tag());
            known.push(Platform {
                name: Box::leak(name.into_boxed_str()),
                os: manylinux(2, minor),
                arch,
            });
        }
        for minor in [1, 2] {
            let name = format!("{}-musllinux_1_{minor}", arch.as_linux_tag());
            known.push(Platform {
                name: Box::leak(name.into_boxed_str()),
                os: musllinux(minor),
                arch,
            });
        }
    }
    known
});

const fn fixed(name: &'static str, os: Os, arch: Arch) -> Platform {
    Platform { name, os, arch }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_names_parse_to_their_os_and_arch() {
        let cases = [
            (
                "linux",
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
                Arch::X86_64,
            ),
            (
                "x86_64-unknown-linux-gnu",
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
                Arch::X86_64,
            ),
            (
                "aarch64-unknown-linux-gnu",
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
                Arch::Aarch64,
            ),
            (
                "x86_64-manylinux_2_28",
                Os::Manylinux {
                    major: 2,
                    minor: 28,
                },
                Arch::X86_64,
            ),
            (
                "x86_64-manylinux_2_40",
                Os::Manylinux {
                    major: 2,
                    minor: 40,
                },
                Arch::X86_64,
            ),
            (
                "aarch64-manylinux_2_34",
                Os::Manylinux {
                    major: 2,
                    minor: 34,
                },
                Arch::Aarch64,
            ),
            (
                "x86_64-manylinux2014",
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
                Arch::X86_64,
            ),
            (
                "x86_64-unknown-linux-musl",
                Os::Musllinux { major: 1, minor: 2 },
                Arch::X86_64,
            ),
            (
                "x86_64-musllinux_1_2",
                Os::Musllinux { major: 1, minor: 2 },
                Arch::X86_64,
            ),
            (
                "macos",
                Os::Macos {
                    major: 13,
                    minor: 0,
                },
                Arch::Aarch64,
            ),
            (
                "x86_64-apple-darwin",
                Os::Macos {
                    major: 13,
                    minor: 0,
                },
                Arch::X86_64,
            ),
            ("windows", Os::Windows, Arch::X86_64),
            ("x86_64-pc-windows-msvc", Os::Windows, Arch::X86_64),
        ];
        for (name, os, arch) in cases {
            let platform: Platform = name.parse().unwrap();
            assert_eq!((platform.os(), platform.arch()), (os, arch), "{name}");
            assert_eq!(platform.to_string(), name);
        }
    }

    #[test]
    fn every_known_name_round_trips() {
        for name in Platform::known_names() {
            assert_eq!(name.parse::<Platform>().unwrap().name(), name);
        }
    }

    #[test]
    fn near_miss_suggests_the_closest_name() {
        let cases = [
            ("x86_64-manylinux_228", "x86_64-manylinux_2_28"),
            ("x86_64-manylinxu_2_28", "x86_64-manylinux_2_28"),
            ("x86-64-manylinux_2_28", "x86_64-manylinux_2_28"),
            ("X86_64-Manylinux_2_28", "x86_64-manylinux_2_28"),
            ("x86_64-manylinux.2.28", "x86_64-manylinux_2_28"),
            ("Linux", "linux"),
            ("aarch64-apple-darwn", "aarch64-apple-darwin"),
            ("widnows", "windows"),
        ];
        for (input, expected) in cases {
            let error = input.parse::<Platform>().unwrap_err();
            assert_eq!(error.suggestion(), Some(expected), "{input}");
        }
    }

    #[test]
    fn far_miss_suggests_nothing() {
        let error = "solaris-sparc".parse::<Platform>().unwrap_err();
        assert_eq!(error.suggestion(), None);
    }

    #[test]
    fn unknown_platform_error_lists_the_accepted_names() {
        let error = "x86_64-manylinux_228".parse::<Platform>().unwrap_err();
        insta::assert_snapshot!(error, @"Unknown Python platform `x86_64-manylinux_228` (did you mean `x86_64-manylinux_2_28`?); expected one of `linux`, `macos`, `windows`, `x86_64-unknown-linux-gnu`, `aarch64-unknown-linux-gnu`, `x86_64-unknown-linux-musl`, `aarch64-unknown-linux-musl`, `x86_64-apple-darwin`, `aarch64-apple-darwin`, `x86_64-pc-windows-msvc`, `aarch64-pc-windows-msvc`, `x86_64-manylinux2014`, `aarch64-manylinux2014`, `x86_64-manylinux_2_17` .. `x86_64-manylinux_2_40`, `x86_64-musllinux_1_1`, `x86_64-musllinux_1_2`, `aarch64-manylinux_2_17` .. `aarch64-manylinux_2_40`, `aarch64-musllinux_1_1`, `aarch64-musllinux_1_2`");
    }

    #[test]
    fn windows_machine_is_what_cpython_reports() {
        let platform: Platform = "windows".parse().unwrap();
        assert_eq!(platform.platform_machine(), "AMD64");
        let platform: Platform = "macos".parse().unwrap();
        assert_eq!(platform.platform_machine(), "arm64");
    }
}
